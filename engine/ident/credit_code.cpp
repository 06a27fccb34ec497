#include "ident/credit_code.h"

#include <array>
#include <cassert>

#include "ident/detail.h"
#include "ident/region_code.h"

namespace gridtwin::ident {

namespace {

constexpr std::array<int, 17> kWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                          29, 25, 13, 8,  24, 10, 30, 28};
constexpr std::array<int, 8> kOrgWeights = {3, 7, 9, 10, 5, 8, 4, 2};

using core::ErrorCode;

// Value table for the 31-char set, built at compile time: -1 = not a code char.
constexpr std::array<signed char, 256> makeValueTable() {
  std::array<signed char, 256> t{};
  for (auto& v : t) v = -1;
  for (std::size_t i = 0; i < kCreditCodeCharset.size(); ++i) {
    t[static_cast<unsigned char>(kCreditCodeCharset[i])] = static_cast<signed char>(i);
  }
  return t;
}
constexpr std::array<signed char, 256> kValues = makeValueTable();

bool isAuthority(char c) { return (c >= '1' && c <= '9') || c == 'A' || c == 'N' || c == 'Y'; }
bool isCategory(char c) { return c >= '1' && c <= '9'; }

const char* fieldAt(std::size_t pos1) {
  if (pos1 == 1) return "registration authority code";
  if (pos1 == 2) return "organisation category";
  if (pos1 <= 8) return "admin division code";
  if (pos1 <= 17) return "organisation code";
  return "check char";
}

core::Error fail(ErrorCode code, std::string message, std::string_view context) {
  return core::makeError(code, std::move(message), std::string(context));
}

char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

}  // namespace

int creditCodeCharValue(char c) { return kValues[static_cast<unsigned char>(c)]; }

char creditCodeCheckChar(std::string_view first17) {
  if (first17.size() != 17) return '\0';
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) {
    const int v = creditCodeCharValue(first17[i]);
    if (v < 0) return '\0';
    sum += v * kWeights[i];
  }
  const int check = (31 - sum % 31) % 31;  // 31 → 0
  return kCreditCodeCharset[static_cast<std::size_t>(check)];
}

char organisationCodeCheckChar(std::string_view body8) {
  if (body8.size() != 8) return '\0';
  int sum = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    const char c = body8[i];
    int v = 0;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'A' && c <= 'Z') {
      v = c - 'A' + 10;  // GB 11714 values letters A=10 … Z=35, I and O included
    } else {
      return '\0';
    }
    sum += v * kOrgWeights[i];
  }
  const int check = 11 - sum % 11;
  if (check == 10) return 'X';
  if (check == 11) return '0';
  return static_cast<char>('0' + check);
}

core::Result<CreditCodeInfo> parseCreditCode(std::string_view code, std::string_view context) {
  if (code.size() != 18) {
    return fail(ErrorCode::kSyntax,
                "credit code has " + std::to_string(code.size()) + " characters, expected 18",
                context);
  }
  std::array<char, 18> c{};
  for (std::size_t i = 0; i < 18; ++i) {
    c[i] = upper(code[i]);
    if (creditCodeCharValue(c[i]) < 0) {
      return fail(ErrorCode::kSyntax,
                  std::string(fieldAt(i + 1)) + " character " + std::to_string(i + 1) + " is " +
                      detail::describeChar(code[i]) +
                      ", not in the code set (0-9, A-Z without I O S V Z)",
                  context);
    }
  }
  const std::string_view s(c.data(), c.size());
  if (!isAuthority(c[0])) {
    return fail(ErrorCode::kParse,
                "registration authority code is " + detail::describeChar(c[0]) +
                    ", expected one of 1-9, A, N, Y",
                context);
  }
  if (!isCategory(c[1])) {
    return fail(ErrorCode::kParse,
                "organisation category is " + detail::describeChar(c[1]) + ", expected 1-9",
                context);
  }
  const std::string_view region = s.substr(2, 6);
  for (char d : region) {
    if (!detail::isDigit(d)) {
      return fail(ErrorCode::kParse,
                  "admin division code " + std::string(region) + " is not 6 digits", context);
    }
  }
  if (region != "100000" && !isPlausibleRegionCode(region)) {
    return fail(ErrorCode::kParse,
                "admin division code " + std::string(region) + " has no province " +
                    std::string(region.substr(0, 2)) + " (expected 11–82 per GB/T 2260, or 100000)",
                context);
  }
  const std::string_view org = s.substr(8, 9);
  const char orgExpected = organisationCodeCheckChar(org.substr(0, 8));
  if (org[8] != orgExpected) {
    return fail(
        ErrorCode::kParse,
        std::string("organisation code check char is ") + org[8] + ", expected " + orgExpected,
        context);
  }
  const char expected = creditCodeCheckChar(s.substr(0, 17));
  if (c[17] != expected) {
    return fail(ErrorCode::kParse, std::string("check char is ") + c[17] + ", expected " + expected,
                context);
  }
  CreditCodeInfo info;
  info.authority = c[0];
  info.category = c[1];
  info.region = 0;
  for (char d : region) info.region = info.region * 10 + (d - '0');
  info.organisationCode = std::string(org);
  return info;
}

void appendCreditCode(std::string& out, char authority, char category, std::string_view region6,
                      std::string_view orgCode8) {
  assert(isAuthority(authority) && isCategory(category));
  assert(region6.size() == 6 && orgCode8.size() == 8);
  const std::size_t start = out.size();
  out.push_back(authority);
  out.push_back(category);
  out.append(region6);
  out.append(orgCode8);
  out.push_back(organisationCodeCheckChar(orgCode8));
  const char check = creditCodeCheckChar(std::string_view(out).substr(start, 17));
  assert(check != '\0');  // a char outside the code set in region6 or orgCode8
  out.push_back(check);
}

std::string makeCreditCode(char authority, char category, std::string_view region6,
                           std::string_view orgCode8) {
  std::string out;
  out.reserve(18);
  appendCreditCode(out, authority, category, region6, orgCode8);
  return out;
}

}  // namespace gridtwin::ident
