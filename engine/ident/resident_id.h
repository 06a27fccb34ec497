#pragma once
// GB 11643-1999 citizen identification numbers (公民身份号码), the 18-character
// resident ID: region (6 digits, GB/T 2260) + birth date (YYYYMMDD) +
// sequence (3 digits, odd = male) + check digit (ISO 7064 MOD 11-2, 0-9 or X).
//
// All functions are pure and thread-safe. Error messages name the field and
// its value but never echo the whole number (it is personal data).
#include <string>
#include <string_view>

#include "core/error.h"

namespace gridtwin::ident {

enum class Sex { kFemale, kMale };

struct ResidentIdInfo {
  int region = 0;  // GB/T 2260 code, e.g. 440604 (禅城区)
  int birthYear = 0;
  int birthMonth = 0;
  int birthDay = 0;
  int sequence = 0;  // 0..999
  Sex sex = Sex::kFemale;
};

// Birth dates a parse accepts, as YYYYMMDD integers, both ends inclusive.
// The default is the plausible calendar range; pass today's date as `latest`
// to also reject births in the future.
struct BirthDateRange {
  int earliest = 19000101;
  int latest = 21001231;
};

// Check digit of the first 17 digits ('0'-'9' or 'X'), or '\0' when first17 is
// not exactly 17 ASCII digits.
char residentIdCheckDigit(std::string_view first17);

// Validates length, characters, region (province 11–82), birth date (a real
// calendar date inside `range`) and check digit. A lowercase 'x' check digit
// is accepted, since people type it; the canonical form is uppercase.
// `context` (a file and line, a field name) becomes the error's context.
// Errors: kSyntax for length and characters, kParse for field values.
core::Result<ResidentIdInfo> parseResidentId(std::string_view id, std::string_view context = {});
core::Result<ResidentIdInfo> parseResidentId(std::string_view id, const BirthDateRange& range,
                                             std::string_view context = {});

// The 18-character number for the given fields, check digit appended.
// Preconditions (asserted): region6 is 6 digits, the date is a calendar date in
// 1000..9999, 0 <= sequence3 <= 999. Returns an 18-byte std::string, which is
// one heap allocation: generators making millions of IDs use appendResidentId
// into a reused buffer instead.
std::string makeResidentId(std::string_view region6, int year, int month, int day, int sequence3);
void appendResidentId(std::string& out, int region, int year, int month, int day, int sequence3);

// Whether year/month/day is a proleptic Gregorian calendar date.
bool isCalendarDate(int year, int month, int day);

}  // namespace gridtwin::ident
