#pragma once
// ISO 8601 dates and times: the one parser and formatter for every module
// (command-line options, the GeoPackage and PostGIS loaders, the event
// follower, the reports). Pure and thread-safe.
//
// Accepted: "YYYY-MM-DD", then optionally 'T' or ' ' and "hh:mm[:ss[.f...]]",
// then optionally an offset: "Z", "+hh:mm", "+hhmm" or "+hh" (or '-'). A
// time without an offset is in `defaultOffset` seconds east of UTC (the
// district's local time, China Standard Time, UTC+8, unless told). Fractions
// of a second are read and dropped. Impossible dates (2026-02-30, month 13)
// and times (24:00, minute 60) are refused, not rolled over.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/calendar.h"  // daysInMonth, isValidDate
#include "core/error.h"

namespace gridtwin::core {

inline constexpr std::int64_t kChinaStandardTime = 8 * 3600;  // UTC+8, seconds

// "YYYY-MM-DD" → days since 1970-01-01. Errors: kSyntax naming the text and
// what is wrong with it.
Result<std::int64_t> parseIsoDate(std::string_view text);

// An ISO 8601 time as above → Unix seconds. Errors: kSyntax naming the text
// and what is wrong with it.
Result<std::int64_t> parseIsoTime(std::string_view text,
                                  std::int64_t defaultOffset = kChinaStandardTime);

// Unix seconds → "YYYY-MM-DDThh:mm:ss+hh:mm" at `offset` seconds east of UTC
// (the district's local time unless told).
std::string formatIsoTime(std::int64_t seconds, std::int64_t offset = kChinaStandardTime);

}  // namespace gridtwin::core
