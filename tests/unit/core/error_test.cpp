#include <gtest/gtest.h>

#include "core/error.h"

using gridtwin::core::Error;
using gridtwin::core::ErrorCode;
using gridtwin::core::Result;

TEST(Result, HoldsValueOrError) {
  Result<int> good = 42;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);
  Result<int> bad = gridtwin::core::makeError(ErrorCode::kSyntax, "expected ')'", "line 3");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kSyntax);
  EXPECT_EQ(bad.error().toString(), "line 3: expected ')'");
}

TEST(Error, WithContextPrependsTheOuterPlace) {
  Error e = gridtwin::core::makeError(ErrorCode::kNonFinite, "NaN in x", "feature 3");
  Error outer = std::move(e).withContext("roads.geojson");
  EXPECT_EQ(outer.toString(), "roads.geojson: feature 3: NaN in x");
  EXPECT_STREQ(gridtwin::core::errorCodeName(outer.code), "non_finite");
}

TEST(Result, VoidResultCarriesOnlyErrors) {
  Result<void> fine;
  EXPECT_TRUE(fine.ok());
  Result<void> failed = gridtwin::core::makeError(ErrorCode::kIo, "disk full", "out.gpkg");
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().context, "out.gpkg");
}
