#pragma once
// Masking of personal data for display and export (DESIGN: private by
// default). Each function keeps only the parts that identify a record to an
// operator who already knows it, and never leaks input it cannot recognise:
// malformed input is masked whole, to a fixed string that does not even carry
// the input's length. Pure functions, thread-safe.
#include <cstddef>
#include <functional>
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

// THE RULE for birth dates: characters 7-14 of an 18-character ID are the
// birth date, and the last is a check digit over the first 17. A masked ID
// keeps the region (1-6) and the sequence and check digit (15-18), so with
// the full birth date beside it the ID is rebuilt. Wherever an ID is shown
// masked, the birth date is shown as its year only ("1990-03-07" -> "1990";
// anything but YYYY-MM-DD: "****"); about 365 / 11 = 33 IDs then fit, and
// the sequence digits differ between people born on the same day.
std::string maskBirthDate(std::string_view isoDate);

// How many 18-character IDs with a right check digit and a calendar date at
// 7-14 fit `masked` (an ID with '*' for unknown characters, as
// maskResidentId shows it) and whose birth date passes `birthFits(year,
// month, day)` (what else is known of it), counting up to `limit`. The
// attacker's count behind the rule above: a masked ID is recomputable when
// this is 1. Birth years yearFrom..yearTo are tried (what is known of the
// year); a malformed `masked`: 0.
std::size_t residentIdsFitting(std::string_view masked, int yearFrom, int yearTo,
                               const std::function<bool(int, int, int)>& birthFits,
                               std::size_t limit = 1000);

}  // namespace gridtwin::ident
