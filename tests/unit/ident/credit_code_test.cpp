#include <gtest/gtest.h>

#include <string>

#include "ident/credit_code.h"

using gridtwin::ident::creditCodeCheckChar;
using gridtwin::ident::kCreditCodeCharset;
using gridtwin::ident::makeCreditCode;
using gridtwin::ident::organisationCodeCheckChar;
using gridtwin::ident::parseCreditCode;

namespace {
// A published company code (Fuzhou, 工商 enterprise). Verified by hand:
//   organisation code M000100Y + check: GB 11714 values M=22, Y=34;
//   22*3 + 1*5 + 34*2 = 139; 139 mod 11 = 7; 11-7 = 4 → '4'.
//   credit check: values in the 31-char set M=21, Y=30;
//   9*1+1*3+3*9+5*27+1*26+21*20+1*8+30*30+4*28 = 1640; 1640 mod 31 = 28;
//   31-28 = 3 → '3'.
constexpr std::string_view kFuzhouCompany = "91350100M000100Y43";
// The State Council's code: authority 1 (机构编制), category 1 (机关), region
// 100000 (central). Checked the same way (organisation check 7, final D).
constexpr std::string_view kStateCouncil = "11100000000013127D";
}  // namespace

TEST(CreditCode, PublishedCodesAreValid) {
  EXPECT_EQ(organisationCodeCheckChar("M000100Y"), '4');
  EXPECT_EQ(creditCodeCheckChar(kFuzhouCompany.substr(0, 17)), '3');
  auto info = parseCreditCode(kFuzhouCompany);
  ASSERT_TRUE(info.ok()) << info.error().toString();
  EXPECT_EQ(info->authority, '9');
  EXPECT_EQ(info->category, '1');
  EXPECT_EQ(info->region, 350100);
  EXPECT_EQ(info->organisationCode, "M000100Y4");

  auto central = parseCreditCode(kStateCouncil);
  ASSERT_TRUE(central.ok()) << central.error().toString();
  EXPECT_EQ(central->region, 100000);
}

TEST(CreditCode, CheckCharOf31MapsToZero) {
  // Search for a body whose weighted sum is 0 mod 31: its check char must be '0'.
  std::string body = "9144060400000000";
  bool found = false;
  for (char c : kCreditCodeCharset) {
    std::string first17 = body + c;
    int sum = 0;
    const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    for (int i = 0; i < 17; ++i) {
      sum += static_cast<int>(kCreditCodeCharset.find(first17[static_cast<std::size_t>(i)])) * w[i];
    }
    if (sum % 31 == 0) {
      EXPECT_EQ(creditCodeCheckChar(first17), '0');
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST(CreditCode, OrganisationCheckCharCoversXAndZero) {
  // Bodies whose check works out to 10 ('X') and 11 ('0').
  int seenX = 0;
  int seenZero = 0;
  for (int n = 0; n < 200; ++n) {
    std::string body = "1000" + std::to_string(1000 + n);
    const char check = organisationCodeCheckChar(body);
    ASSERT_NE(check, '\0');
    seenX += check == 'X';
    seenZero += check == '0';
    const std::string code = makeCreditCode('9', '2', "440604", body);
    EXPECT_TRUE(parseCreditCode(code).ok()) << code;
  }
  EXPECT_GT(seenX, 0);
  EXPECT_GT(seenZero, 0);
}

TEST(CreditCode, EverySingleCharacterCorruptionIsDetected) {
  const std::string good(kFuzhouCompany);
  const std::string alphabet = std::string(kCreditCodeCharset) + "IOSVZ -";
  int corruptions = 0;
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (char c : alphabet) {
      if (c == good[i]) continue;
      std::string bad = good;
      bad[i] = c;
      EXPECT_FALSE(parseCreditCode(bad).ok()) << bad;
      ++corruptions;
    }
  }
  EXPECT_GT(corruptions, 500);
}

TEST(CreditCode, LowercaseIsReadAsUppercase) {
  auto info = parseCreditCode("91350100m000100y43");
  ASSERT_TRUE(info.ok()) << info.error().toString();
  EXPECT_EQ(info->organisationCode, "M000100Y4");
}

TEST(CreditCode, ErrorsNameTheFieldAndValue) {
  auto msg = [](std::string_view code) {
    auto r = parseCreditCode(code, "entities.csv:7");
    EXPECT_FALSE(r.ok()) << code;
    return r.ok() ? std::string() : r.error().toString();
  };
  EXPECT_EQ(msg("91350100M000100Y4"), "entities.csv:7: credit code has 17 characters, expected 18");
  EXPECT_EQ(msg("91350100M000100Y44"), "entities.csv:7: check char is 4, expected 3");
  EXPECT_EQ(msg("91350100M000100Y53"),
            "entities.csv:7: organisation code check char is 5, expected 4");
  EXPECT_NE(msg("91350100I000100Y43").find("organisation code character 9 is 'I'"),
            std::string::npos);
  EXPECT_NE(msg("B1350100M000100Y43").find("registration authority code is 'B'"),
            std::string::npos);
  EXPECT_NE(msg("90350100M000100Y43").find("organisation category is '0'"), std::string::npos);
  EXPECT_NE(msg("91000100M000100Y43").find("admin division code 000100"), std::string::npos);
  EXPECT_NE(msg("9135A100M000100Y43").find("admin division code 35A100 is not 6 digits"),
            std::string::npos);
}

TEST(CreditCode, MakeBuildsValidChanchengCodes) {
  const std::string code = makeCreditCode('9', '1', "440604", "MA4UJ0C5");
  ASSERT_EQ(code.size(), 18u);
  auto info = parseCreditCode(code);
  ASSERT_TRUE(info.ok()) << code << ": " << info.error().toString();
  EXPECT_EQ(info->region, 440604);
  EXPECT_EQ(code.substr(0, 16), "91440604MA4UJ0C5");
  EXPECT_EQ(code[16], organisationCodeCheckChar("MA4UJ0C5"));
}
