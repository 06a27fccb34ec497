#include "ident/resident_id.h"

#include <array>
#include <cassert>

#include "ident/detail.h"
#include "ident/region_code.h"

namespace gridtwin::ident {

namespace {

constexpr std::array<int, 17> kWeights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
constexpr char kCheckChars[] = "10X98765432";  // indexed by (weighted sum mod 11)

using core::ErrorCode;

// Field of a 1-based character position, for error messages.
const char* fieldAt(std::size_t pos1) {
  if (pos1 <= 6) return "region code";
  if (pos1 <= 14) return "birth date";
  if (pos1 <= 17) return "sequence";
  return "check digit";
}

int digitsValue(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

void appendDigits(std::string& out, int value, int width) {
  char buf[8];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buf, static_cast<std::size_t>(width));
}

core::Error fail(ErrorCode code, std::string message, std::string_view context) {
  return core::makeError(code, std::move(message), std::string(context));
}

}  // namespace

bool isCalendarDate(int year, int month, int day) {
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int days = kDays[static_cast<std::size_t>(month - 1)];
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && leap) days = 29;
  return day <= days;
}

char residentIdCheckDigit(std::string_view first17) {
  if (first17.size() != 17) return '\0';
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) {
    if (!detail::isDigit(first17[i])) return '\0';
    sum += (first17[i] - '0') * kWeights[i];
  }
  return kCheckChars[sum % 11];
}

core::Result<ResidentIdInfo> parseResidentId(std::string_view id, std::string_view context) {
  return parseResidentId(id, BirthDateRange{}, context);
}

core::Result<ResidentIdInfo> parseResidentId(std::string_view id, const BirthDateRange& range,
                                             std::string_view context) {
  if (id.size() != 18) {
    return fail(ErrorCode::kSyntax,
                "resident ID has " + std::to_string(id.size()) + " characters, expected 18",
                context);
  }
  for (std::size_t i = 0; i < 17; ++i) {
    if (!detail::isDigit(id[i])) {
      return fail(ErrorCode::kSyntax,
                  std::string(fieldAt(i + 1)) + " character " + std::to_string(i + 1) + " is " +
                      detail::describeChar(id[i]) + ", expected a digit",
                  context);
    }
  }
  char last = id[17];
  if (last == 'x') last = 'X';
  if (!detail::isDigit(last) && last != 'X') {
    return fail(ErrorCode::kSyntax,
                "check digit is " + detail::describeChar(id[17]) + ", expected a digit or X",
                context);
  }
  const std::string_view region = id.substr(0, 6);
  if (!isPlausibleRegionCode(region)) {
    return fail(ErrorCode::kParse,
                "region code " + std::string(region) + " has no province " +
                    std::string(region.substr(0, 2)) + " (expected 11–82 per GB/T 2260)",
                context);
  }
  ResidentIdInfo info;
  info.region = digitsValue(region);
  info.birthYear = digitsValue(id.substr(6, 4));
  info.birthMonth = digitsValue(id.substr(10, 2));
  info.birthDay = digitsValue(id.substr(12, 2));
  if (!isCalendarDate(info.birthYear, info.birthMonth, info.birthDay)) {
    return fail(ErrorCode::kParse,
                "birth date " + std::string(id.substr(6, 8)) + " is not a calendar date", context);
  }
  const int ymd = digitsValue(id.substr(6, 8));
  if (ymd < range.earliest || ymd > range.latest) {
    return fail(ErrorCode::kParse,
                "birth date " + std::string(id.substr(6, 8)) + " is outside " +
                    std::to_string(range.earliest) + "–" + std::to_string(range.latest),
                context);
  }
  info.sequence = digitsValue(id.substr(14, 3));
  info.sex = (id[16] - '0') % 2 == 1 ? Sex::kMale : Sex::kFemale;
  const char expected = residentIdCheckDigit(id.substr(0, 17));
  if (last != expected) {
    return fail(ErrorCode::kParse,
                std::string("check digit is ") + id[17] + ", expected " + expected, context);
  }
  return info;
}

void appendResidentId(std::string& out, int region, int year, int month, int day, int sequence3) {
  assert(region >= 100000 && region <= 999999);
  assert(year >= 1000 && year <= 9999 && isCalendarDate(year, month, day));
  assert(sequence3 >= 0 && sequence3 <= 999);
  const std::size_t start = out.size();
  appendDigits(out, region, 6);
  appendDigits(out, year, 4);
  appendDigits(out, month, 2);
  appendDigits(out, day, 2);
  appendDigits(out, sequence3, 3);
  out.push_back(residentIdCheckDigit(std::string_view(out).substr(start, 17)));
}

std::string makeResidentId(std::string_view region6, int year, int month, int day, int sequence3) {
  assert(region6.size() == 6);
  for ([[maybe_unused]] char c : region6) assert(detail::isDigit(c));
  std::string out;
  out.reserve(18);
  appendResidentId(out, digitsValue(region6), year, month, day, sequence3);
  return out;
}

}  // namespace gridtwin::ident
