#pragma once
// Masking of personal data for display and export (DESIGN: private by
// default). Each function keeps only the parts that identify a record to an
// operator who already knows it, and never leaks input it cannot recognise:
// malformed input is masked whole, to a fixed string that does not even carry
// the input's length. Pure functions, thread-safe.
#include <string>
#include <string_view>

namespace gridtwin::ident {

// What a malformed value becomes.
inline constexpr std::string_view kMaskedResidentId = "******************";  // 18
inline constexpr std::string_view kMaskedPhone = "***********";              // 11
inline constexpr std::string_view kMaskedName = "***";

// 18-char ID (17 digits + digit/X/x): first 6 + 8 stars + last 4,
// "440604********1234". A first-generation 15-digit ID: first 6 + 6 stars +
// last 3. Only the shape is checked, not the check digit, so a mistyped ID is
// masked the same way. Anything else: kMaskedResidentId.
std::string maskResidentId(std::string_view id);

// Counts UTF-8 code points n: 1 → "*", 2 → first + "*" ("陈*"), 3 → first +
// "*" + last ("陈*明"), n ≥ 4 → first + (n-2) stars + last ("欧**明").
// Empty stays empty; invalid UTF-8 or control characters: kMaskedName.
std::string maskName(std::string_view utf8);

// Mobile, 11 digits starting with 1: "138****5678", with an optional "+86" /
// "86" prefix (and one space or '-') kept. Landline "0757-82345678": area code
// kept, local number all but the last 4 masked, "0757-****5678".
// Anything else: kMaskedPhone.
std::string maskPhone(std::string_view phone);

}  // namespace gridtwin::ident
