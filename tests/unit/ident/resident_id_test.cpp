#include <gtest/gtest.h>

#include <set>
#include <string>

#include "ident/resident_id.h"

using gridtwin::ident::BirthDateRange;
using gridtwin::ident::makeResidentId;
using gridtwin::ident::parseResidentId;
using gridtwin::ident::residentIdCheckDigit;
using gridtwin::ident::Sex;

namespace {
// The worked example of GB 11643-1999, appendix A: a woman born 1949-12-31 in
// Beijing Chaoyang (110105), sequence 002; check digit computed by hand:
// sum = 1*7+1*9+0*10+1*5+0*8+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10+1*5+0*8+0*4+2*2
//     = 167; 167 mod 11 = 2 → "10X98765432"[2] = 'X'.
constexpr std::string_view kStandardExample = "11010519491231002X";
}  // namespace

TEST(ResidentId, StandardExampleIsValid) {
  EXPECT_EQ(residentIdCheckDigit(kStandardExample.substr(0, 17)), 'X');
  auto info = parseResidentId(kStandardExample);
  ASSERT_TRUE(info.ok()) << info.error().toString();
  EXPECT_EQ(info->region, 110105);
  EXPECT_EQ(info->birthYear, 1949);
  EXPECT_EQ(info->birthMonth, 12);
  EXPECT_EQ(info->birthDay, 31);
  EXPECT_EQ(info->sequence, 2);
  EXPECT_EQ(info->sex, Sex::kFemale);
}

TEST(ResidentId, HandComputedChanchengNumberIsValid) {
  // 440604 19900307 123, by hand: 4*7+4*9+0*10+6*5+0*8+4*4+1*2+9*1+9*6+0*3+0*7+3*9+0*10
  //   +7*5+1*8+2*4+3*2 = 259; 259 mod 11 = 6 → "10X98765432"[6] = '6'.
  const std::string id = makeResidentId("440604", 1990, 3, 7, 123);
  EXPECT_EQ(id, "440604199003071236");
  auto info = parseResidentId(id);
  ASSERT_TRUE(info.ok()) << info.error().toString();
  EXPECT_EQ(info->sex, Sex::kMale);
  EXPECT_EQ(info->region, 440604);
}

// The check digit in the standard's other form, ISO 7064 MOD 11-2: with the
// check character's value (X = 10) as a_1 and weights W_i = 2^(i-1) mod 11
// counted from the right, sum(a_i * W_i) = 1 (mod 11). Over 300 sequence
// numbers every one of the 11 check characters occurs, so a wrong entry
// anywhere in the table is seen (the two worked examples reach only 'X'
// and '6').
TEST(ResidentId, CheckDigitSatisfiesIso7064Mod11ForEveryValue) {
  std::set<char> seen;
  for (int sequence = 0; sequence < 300; ++sequence) {
    std::string id = "44060419900307" + std::to_string(1000 + sequence).substr(1);
    const char check = residentIdCheckDigit(id);
    ASSERT_NE(check, '\0') << id;
    id += check;
    int sum = 0;
    int weight = 1;
    for (int i = 17; i >= 0; --i) {
      sum += (id[static_cast<std::size_t>(i)] == 'X' ? 10 : id[static_cast<std::size_t>(i)] - '0') *
             weight;
      weight = weight * 2 % 11;
    }
    EXPECT_EQ(sum % 11, 1) << id;
    seen.insert(check);
  }
  EXPECT_EQ(seen.size(), 11u);
}

TEST(ResidentId, CheckDigitOfMalformedPrefixIsNul) {
  EXPECT_EQ(residentIdCheckDigit("1101051949123100"), '\0');
  EXPECT_EQ(residentIdCheckDigit("1101051949123100A"), '\0');
}

TEST(ResidentId, LowercaseXIsAccepted) { EXPECT_TRUE(parseResidentId("11010519491231002x").ok()); }

TEST(ResidentId, EverySingleCharacterCorruptionIsDetected) {
  const std::string good(kStandardExample);
  const std::string alphabet = "0123456789Xx a";
  int corruptions = 0;
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (char c : alphabet) {
      if (c == good[i] || (i == 17 && c == 'x')) continue;  // x is the same check digit
      std::string bad = good;
      bad[i] = c;
      EXPECT_FALSE(parseResidentId(bad).ok()) << bad;
      ++corruptions;
    }
  }
  EXPECT_GT(corruptions, 200);
}

TEST(ResidentId, ErrorsNameTheFieldAndValue) {
  auto msg = [](std::string_view id) {
    auto r = parseResidentId(id, "people.csv:12");
    EXPECT_FALSE(r.ok()) << id;
    return r.ok() ? std::string() : r.error().toString();
  };
  EXPECT_EQ(msg("11010519491231002"), "people.csv:12: resident ID has 17 characters, expected 18");
  EXPECT_EQ(msg("110105194912310027"), "people.csv:12: check digit is 7, expected X");
  EXPECT_EQ(msg("00010519491231002X"),
            "people.csv:12: region code 000105 has no province 00 (expected 11–82 per GB/T 2260)");
  EXPECT_NE(msg("11010519490231002X").find("birth date 19490231 is not a calendar date"),
            std::string::npos);
  EXPECT_NE(msg("1101051949123100AX").find("sequence character 17 is 'A'"), std::string::npos);
  EXPECT_NE(msg("110105194912310021X").find("19 characters"), std::string::npos);
  EXPECT_NE(msg("11010519491231002Y").find("check digit is 'Y'"), std::string::npos);
  // A non-ASCII byte is shown in hex, never as broken UTF-8.
  EXPECT_NE(msg("11010519491231002\xE4").find("byte 0xE4"), std::string::npos);
}

TEST(ResidentId, BirthDateRangeRejectsFutureAndAncientDates) {
  const std::string future = makeResidentId("440604", 2030, 1, 1, 1);
  EXPECT_TRUE(parseResidentId(future).ok());
  auto r = parseResidentId(future, BirthDateRange{19000101, 20261130});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("birth date 20300101 is outside 19000101–20261130"),
            std::string::npos);
  EXPECT_FALSE(parseResidentId(makeResidentId("440604", 1899, 12, 31, 1)).ok());
}

TEST(ResidentId, LeapDaysFollowTheGregorianRule) {
  EXPECT_TRUE(parseResidentId(makeResidentId("440604", 2000, 2, 29, 10)).ok());
  EXPECT_TRUE(parseResidentId(makeResidentId("440604", 1996, 2, 29, 10)).ok());
  std::string notLeap = "44060419000229010";
  notLeap.push_back(residentIdCheckDigit(notLeap));
  auto r = parseResidentId(notLeap);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("19000229"), std::string::npos);
}

TEST(ResidentId, MakeRoundTripsEveryField) {
  for (int seq : {0, 1, 2, 499, 998, 999}) {
    const std::string id = makeResidentId("440604", 1985, 11, 9, seq);
    auto info = parseResidentId(id);
    ASSERT_TRUE(info.ok()) << id << ": " << info.error().toString();
    EXPECT_EQ(info->sequence, seq);
    EXPECT_EQ(info->sex, seq % 2 ? Sex::kMale : Sex::kFemale);
    EXPECT_EQ(info->birthMonth, 11);
    EXPECT_EQ(info->birthDay, 9);
  }
}

TEST(ResidentId, AppendWritesIntoAReusedBuffer) {
  std::string buf = "id=";
  gridtwin::ident::appendResidentId(buf, 110105, 1949, 12, 31, 2);
  EXPECT_EQ(buf, "id=11010519491231002X");
}
