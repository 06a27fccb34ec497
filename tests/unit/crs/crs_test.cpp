// Naming and parsing coordinate reference systems.
#include "crs/crs.h"

#include <gtest/gtest.h>

namespace gridtwin::crs {
namespace {

TEST(CrsParse, AcceptsTheDistrictsCrsInAnyCase) {
  EXPECT_EQ(parseCrs("EPSG:4490").value(), kCgcs2000);
  EXPECT_EQ(parseCrs("epsg:4326").value(), kWgs84);
  EXPECT_EQ(parseCrs(" EPSG:4547 ").value(), kGaussKruger114);
  EXPECT_EQ(parseCrs("GCJ02").value(), kGcj02);
  EXPECT_EQ(parseCrs("gcj-02").value(), kGcj02);
  EXPECT_EQ(parseCrs("BD09").value(), kBd09);
  EXPECT_EQ(parseCrs("Bd-09").value(), kBd09);
}

TEST(CrsParse, RefusesCrsThatAreNotTwoDimensionalHorizontal) {
  const std::pair<const char*, const char*> cases[] = {{"EPSG:4978", "geocentric"},
                                                       {"EPSG:4979", "3D geographic"},
                                                       {"EPSG:5773", "vertical"},
                                                       {"EPSG:5972", "compound"}};
  for (const auto& [text, why] : cases) {
    const auto r = parseCrs(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, core::ErrorCode::kUnknownCrs);
    EXPECT_NE(r.error().message.find(text), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().message;
  }
}

TEST(CrsParse, AcceptsOtherCodesThatProjKnows) {
  EXPECT_EQ(parseCrs("EPSG:3857").value(), Crs::fromEpsg(3857));    // web mercator
  EXPECT_EQ(parseCrs("EPSG:32649").value(), Crs::fromEpsg(32649));  // UTM 49N
  EXPECT_EQ(parseCrs("EPSG:4214").value(), Crs::fromEpsg(4214));    // Beijing 1954
}

TEST(CrsParse, UnknownCodeIsAnErrorNamingIt) {
  const auto r = parseCrs("EPSG:999999");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kUnknownCrs);
  EXPECT_NE(r.error().toString().find("EPSG:999999"), std::string::npos) << r.error().toString();
}

TEST(CrsParse, MalformedTextIsAnErrorNamingIt) {
  for (const char* text : {"", "WGS84", "EPSG:", "EPSG:abc", "EPSG:-4326", "EPSG:4326x",
                           "EPSG: 4326", "GCJ", "ESRI:102100"}) {
    const auto r = parseCrs(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, core::ErrorCode::kUnknownCrs) << text;
    EXPECT_NE(r.error().message.find("'" + std::string(text) + "'"), std::string::npos)
        << r.error().message;
  }
}

TEST(CrsParse, NameReadsBack) {
  for (const Crs& crs : {kCgcs2000, kWgs84, kGaussKruger114, kGcj02, kBd09, Crs::fromEpsg(3857)}) {
    EXPECT_EQ(parseCrs(name(crs)).value(), crs) << name(crs);
  }
  EXPECT_EQ(name(kCgcs2000), "EPSG:4490");
  EXPECT_EQ(name(kGcj02), "GCJ02");
  EXPECT_EQ(name(kBd09), "BD09");
}

TEST(CrsParse, GeographicOrNot) {
  EXPECT_TRUE(isGeographic(kCgcs2000));
  EXPECT_TRUE(isGeographic(kWgs84));
  EXPECT_TRUE(isGeographic(kGcj02));
  EXPECT_TRUE(isGeographic(kBd09));
  EXPECT_FALSE(isGeographic(kGaussKruger114));
  EXPECT_TRUE(isGeographic(Crs::fromEpsg(4214)));
  EXPECT_FALSE(isGeographic(Crs::fromEpsg(3857)));
  EXPECT_FALSE(isGeographic(Crs::fromEpsg(999999)));
}

}  // namespace
}  // namespace gridtwin::crs
