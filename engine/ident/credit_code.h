#pragma once
// GB 32100-2015 unified social credit codes (统一社会信用代码), 18 characters:
//   1      registration authority (1 机构编制, 5 民政, 9 工商/市场监管, Y 其他, …)
//   2      organisation category within the authority (9+1 企业, 9+2 个体工商户, …)
//   3–8    administrative division code (GB/T 2260), 100000 for central bodies
//   9–17   organisation code (主体标识码, GB 11714: 8 body chars + its own check char)
//   18     check char over the first 17
// over the 31-character set 0-9 A-Z without I, O, S, V, Z.
//
// Pure functions, thread-safe.
#include <string>
#include <string_view>

#include "core/error.h"

namespace gridtwin::ident {

// The 31 code characters in value order (value = index).
inline constexpr std::string_view kCreditCodeCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY";

struct CreditCodeInfo {
  char authority = '9';          // registration authority code
  char category = '1';           // organisation category
  int region = 0;                // e.g. 440604
  std::string organisationCode;  // 9 chars, GB 11714 check char last (uppercase)
};

// Value 0..30 of a code character, or -1 when c is not one (lowercase is not).
int creditCodeCharValue(char c);

// Check char of the first 17 characters, or '\0' when first17 is not 17
// characters of the code set.
char creditCodeCheckChar(std::string_view first17);

// GB 11714 check char ('0'-'9' or 'X') of an 8-character organisation code
// body (digits and uppercase letters), or '\0' when body8 is not that.
char organisationCodeCheckChar(std::string_view body8);

// Validates length, characters, authority (1-9, A, N, Y), category (1-9),
// region (province plausible, or 100000), the organisation code's own check
// char and the final check char. Lowercase letters are accepted as their
// uppercase (people type them); everything else is strict.
// Errors: kSyntax for length and characters, kParse for field values.
core::Result<CreditCodeInfo> parseCreditCode(std::string_view code, std::string_view context = {});

// The 18-character code with both check chars computed. Preconditions
// (asserted): authority and category valid as above, region6 6 digits,
// orgCode8 8 characters of the code set. One heap allocation per call;
// appendCreditCode writes into a reused buffer.
std::string makeCreditCode(char authority, char category, std::string_view region6,
                           std::string_view orgCode8);
void appendCreditCode(std::string& out, char authority, char category, std::string_view region6,
                      std::string_view orgCode8);

}  // namespace gridtwin::ident
