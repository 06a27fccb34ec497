#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>

#include "ident/masking.h"
#include "ident/resident_id.h"
#include "ident/utf8.h"

using gridtwin::ident::isValidUtf8;
using gridtwin::ident::maskName;
using gridtwin::ident::maskPhone;
using gridtwin::ident::maskResidentId;
using gridtwin::ident::utf8Length;

TEST(MaskResidentId, KeepsRegionAndLastFour) {
  EXPECT_EQ(maskResidentId("440604199003071236"), "440604********1236");
  EXPECT_EQ(maskResidentId("11010519491231002X"), "110105********002X");
  EXPECT_EQ(maskResidentId("11010519491231002x"), "110105********002x");
  EXPECT_EQ(maskResidentId("440604900307123"), "440604******123");
}

TEST(MaskResidentId, MalformedInputIsMaskedWhole) {
  for (std::string_view bad : {"", "4406041990030712", "4406041990030712361", "44060419900307123A",
                               "A40604199003071236", "陈小明", "440604 199003071236"}) {
    EXPECT_EQ(maskResidentId(bad), "******************") << bad;
  }
}

TEST(MaskName, ShapesByCodePointCount) {
  EXPECT_EQ(maskName("陈"), "*");
  EXPECT_EQ(maskName("陈明"), "陈*");
  EXPECT_EQ(maskName("陈小明"), "陈*明");
  EXPECT_EQ(maskName("欧阳小明"), "欧**明");
  EXPECT_EQ(maskName("司徒嘉欣悦"), "司***悦");
  EXPECT_EQ(maskName("买买提·艾力"), "买****力");
  EXPECT_EQ(maskName("Li"), "L*");
  EXPECT_EQ(maskName(""), "");
}

TEST(MaskName, HandlesFourByteCharacters) {
  // 𠮷 (U+20BB7) is four bytes; it must stay whole.
  EXPECT_EQ(maskName("𠮷小明"), "𠮷*明");
  EXPECT_EQ(maskName("陈𠮷"), "陈*");
}

TEST(MaskName, InvalidUtf8IsMaskedWhole) {
  EXPECT_EQ(maskName("\xE9\x99"), "***");          // truncated 陈
  EXPECT_EQ(maskName("陈\xE5\xB0"), "***");        // truncated tail
  EXPECT_EQ(maskName("\xC0\xAF"), "***");          // overlong '/'
  EXPECT_EQ(maskName("\xED\xA0\x80"), "***");      // surrogate
  EXPECT_EQ(maskName("\xF4\x90\x80\x80"), "***");  // above U+10FFFF
  EXPECT_EQ(maskName("\x80\xE6\x98\x8E"), "***");  // stray continuation
  EXPECT_EQ(maskName("陈\n明"), "***");            // control character
  EXPECT_EQ(maskName("陈小明\xFF").find("陈"), std::string::npos);
}

TEST(MaskPhone, MobileAndLandline) {
  EXPECT_EQ(maskPhone("13812345678"), "138****5678");
  EXPECT_EQ(maskPhone("+8613812345678"), "+86138****5678");
  EXPECT_EQ(maskPhone("+86 13812345678"), "+86 138****5678");
  EXPECT_EQ(maskPhone("0757-82345678"), "0757-****5678");
  EXPECT_EQ(maskPhone("020-8234567"), "020-***4567");
}

TEST(MaskPhone, MalformedInputIsMaskedWhole) {
  for (std::string_view bad : {"", "1381234567", "138123456789", "23812345678", "138-1234-5678",
                               "0757-823", "abc", "+86 1381234567", "0757-8234567a"}) {
    EXPECT_EQ(maskPhone(bad), "***********") << bad;
  }
}

TEST(Utf8, StrictDecoding) {
  EXPECT_TRUE(isValidUtf8(""));
  EXPECT_TRUE(isValidUtf8("禅城区 Chancheng"));
  EXPECT_EQ(utf8Length("禅城区"), 3u);
  EXPECT_EQ(utf8Length("𠮷"), 1u);
  EXPECT_FALSE(isValidUtf8("\xE7\xA6"));
  EXPECT_FALSE(isValidUtf8("\xE0\x80\x80"));  // overlong
  EXPECT_FALSE(isValidUtf8("\xF5\x80\x80\x80"));
  EXPECT_EQ(utf8Length("\xFF"), gridtwin::ident::kInvalidUtf8Length);
}

// THE RULE for birth dates (masking.h): where the ID is masked, the birth
// date shows its year only, and no masked ID is then recomputable.
TEST(MaskBirthDate, KeepsTheYearOnly) {
  EXPECT_EQ(gridtwin::ident::maskBirthDate("1990-03-07"), "1990");
  for (std::string_view bad :
       {"", "1990", "1990-3-7", "19900307", "1990-03-07T00:00", "abcd-ef-gh"}) {
    EXPECT_EQ(gridtwin::ident::maskBirthDate(bad), "****") << bad;
  }
}

TEST(MaskBirthDate, AMaskedIdBesideTheYearFitsManyIdsBesideTheDateOne) {
  using gridtwin::ident::makeResidentId;
  using gridtwin::ident::residentIdsFitting;
  std::mt19937 rng(11643);
  std::size_t fewestWithYear = 1000;
  for (int i = 0; i < 2000; ++i) {
    const int year = 1920 + static_cast<int>(rng() % 100);
    const int month = 1 + static_cast<int>(rng() % 12);
    const int day = 1 + static_cast<int>(rng() % 28);
    const std::string id =
        makeResidentId("440604", year, month, day, static_cast<int>(rng() % 1000));
    const std::string masked = maskResidentId(id);
    char date[11];
    std::snprintf(date, sizeof date, "%04d-%02d-%02d", year, month, day);
    // The defect: region + sequence + check digit kept, the full birth date
    // beside them: exactly one ID fits, the person's.
    const std::size_t withDate = residentIdsFitting(masked, year, year, [&](int y, int m, int d) {
      return y == year && m == month && d == day;
    });
    ASSERT_EQ(withDate, 1u) << id;
    // The rule: the year only.
    const int shownYear = std::stoi(gridtwin::ident::maskBirthDate(date));
    const std::size_t withYear =
        residentIdsFitting(masked, shownYear, shownYear, [](int, int, int) { return true; });
    fewestWithYear = std::min(fewestWithYear, withYear);
    ASSERT_GE(withYear, 2u) << id;
  }
  EXPECT_GE(fewestWithYear, 10u);  // about 365 / 11 each
}

TEST(MaskBirthDate, FittingIdsCountsOnlyValidCheckDigitsAndCalendarDates) {
  using gridtwin::ident::residentIdsFitting;
  // 1990-03-07, sequence 123: a known ID and its check digit.
  const std::string id = gridtwin::ident::makeResidentId("440604", 1990, 3, 7, 123);
  EXPECT_EQ(residentIdsFitting(id, 1990, 1990, [](int, int, int) { return true; }), 1u);
  std::string wrong = id;
  wrong[17] = wrong[17] == '0' ? '1' : '0';
  EXPECT_EQ(residentIdsFitting(wrong, 1990, 1990, [](int, int, int) { return true; }), 0u);
  EXPECT_EQ(residentIdsFitting("not an id", 1990, 1990, [](int, int, int) { return true; }), 0u);
  // every date of 1990 (365, none on 02-29) with a check digit matching 1/11 of them
  std::size_t total = 0;
  for (char c : std::string("0123456789X")) {
    std::string m = maskResidentId(id);
    m[17] = c;
    total += residentIdsFitting(m, 1990, 1990, [](int, int, int) { return true; });
  }
  EXPECT_EQ(total, 365u);
}
