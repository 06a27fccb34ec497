// The one ISO 8601 parser (core/time.h): offsets in every written form,
// none (the district's UTC+8), impossible dates and times refused.
#include "core/time.h"

#include <gtest/gtest.h>

#include <string>

namespace gridtwin::core {
namespace {

// 2026-06-30T12:00:00Z in Unix seconds.
constexpr std::int64_t kNoonUtc = 1782820800;

TEST(IsoTime, EveryOffsetFormReadsTheSameInstant) {
  EXPECT_EQ(*parseIsoTime("2026-06-30T12:00:00Z"), kNoonUtc);
  EXPECT_EQ(*parseIsoTime("2026-06-30T20:00:00+08:00"), kNoonUtc);
  EXPECT_EQ(*parseIsoTime("2026-06-30T20:00:00+0800"), kNoonUtc);
  EXPECT_EQ(*parseIsoTime("2026-06-30T20:00:00+08"), kNoonUtc);
  EXPECT_EQ(*parseIsoTime("2026-06-30T07:00:00-0500"), kNoonUtc);
  EXPECT_EQ(*parseIsoTime("2026-06-30T07:00:00-05:00"), kNoonUtc);
  EXPECT_EQ(*parseIsoTime("2026-06-30T17:30:00+05:30"), kNoonUtc);
  EXPECT_EQ(*parseIsoTime("2026-06-30 20:00:00+08"), kNoonUtc);  // PostgreSQL's text
}

TEST(IsoTime, WithoutAnOffsetTheTimeIsTheDistrictsLocalTime) {
  EXPECT_EQ(*parseIsoTime("2026-06-30T20:00:00"), kNoonUtc);
  EXPECT_EQ(*parseIsoTime("2026-06-30T20:00"), kNoonUtc);
  EXPECT_EQ(*parseIsoTime("2026-06-30T12:00:00", 0), kNoonUtc);
  EXPECT_EQ(*parseIsoTime("2026-07-01"), kNoonUtc + 4 * 3600);  // midnight UTC+8
}

TEST(IsoTime, FractionsOfASecondAreReadAndDropped) {
  EXPECT_EQ(*parseIsoTime("2026-06-30T12:00:00.999Z"), kNoonUtc);
  EXPECT_EQ(*parseIsoTime("2026-06-30T20:00:00.5+08"), kNoonUtc);
  EXPECT_FALSE(parseIsoTime("2026-06-30T12:00:00.Z"));
}

TEST(IsoTime, ImpossibleDatesAndTimesAreRefusedNotRolledOver) {
  for (const char* bad :
       {"2026-02-30", "2026-02-29T00:00:00", "2026-13-01", "2026-00-10", "2026-04-31", "2026-06-00",
        "2026-06-30T24:00:00", "2026-06-30T12:60:00", "2026-06-30T12:00:61",
        "2026-06-30T12:00:00+25:00", "2026-06-30T12:00:00+08:60"}) {
    auto t = parseIsoTime(bad);
    ASSERT_FALSE(t) << bad;
    EXPECT_EQ(t.error().code, ErrorCode::kSyntax);
    EXPECT_NE(t.error().message.find(bad), std::string::npos) << t.error().message;
  }
  EXPECT_NE(parseIsoTime("2026-02-30").error().message.find("2026-02 has 28 days"),
            std::string::npos);
  EXPECT_TRUE(parseIsoTime("2024-02-29"));  // a leap year
  EXPECT_FALSE(parseIsoTime("2100-02-29"));
  EXPECT_TRUE(parseIsoTime("2000-02-29"));
}

TEST(IsoTime, MalformedTextIsRefusedWithTheText) {
  for (const char* bad :
       {"", "2026", "2026-6-30", "2026/06/30", "2026-06-30X12:00", "2026-06-30T12",
        "2026-06-30T12:00:00+8", "2026-06-30T12:00:00 +08:00", "2026-06-30T12:00:00+08:00:00",
        "2026-06-30T12:00:00z", "yesterday", "2026-06-30T12:00:00Z "}) {
    auto t = parseIsoTime(bad);
    ASSERT_FALSE(t) << bad;
    EXPECT_NE(t.error().message.find("ISO 8601"), std::string::npos);
  }
}

TEST(IsoTime, LongTextIsCutInTheMessage) {
  const std::string junk(10000, '9');
  auto t = parseIsoTime(junk);
  ASSERT_FALSE(t);
  EXPECT_LT(t.error().message.size(), 200u);
}

TEST(IsoDate, DatesOnly) {
  EXPECT_EQ(*parseIsoDate("1970-01-01"), 0);
  EXPECT_EQ(*parseIsoDate("2026-06-30"), kNoonUtc / 86400);
  EXPECT_FALSE(parseIsoDate("2026-02-30"));
  EXPECT_FALSE(parseIsoDate("2026-06-30T00:00"));
}

TEST(IsoTime, FormatRoundTrips) {
  EXPECT_EQ(formatIsoTime(kNoonUtc), "2026-06-30T20:00:00+08:00");
  EXPECT_EQ(formatIsoTime(kNoonUtc, 0), "2026-06-30T12:00:00+00:00");
  EXPECT_EQ(formatIsoTime(kNoonUtc, -5 * 3600), "2026-06-30T07:00:00-05:00");
  EXPECT_EQ(formatIsoTime(-1, 0), "1969-12-31T23:59:59+00:00");
  for (std::int64_t t : {std::int64_t{0}, kNoonUtc, kNoonUtc + 59, std::int64_t{-86401}}) {
    EXPECT_EQ(*parseIsoTime(formatIsoTime(t)), t);
    EXPECT_EQ(*parseIsoTime(formatIsoTime(t, -5 * 3600)), t);
  }
}

}  // namespace
}  // namespace gridtwin::core
