#pragma once
// Ages and local days over core/calendar.h's day numbers. Pure, thread-safe.
#include <cstdint>

#include "core/calendar.h"

namespace gridtwin::query::detail {

using core::civilFromDays;
using core::daysFromCivil;

// Whole years from birthDay to day (both days since 1970-01-01).
inline int ageInYears(std::int64_t birthDay, std::int64_t day) {
  int by, ty;
  unsigned bm, bd, tm, td;
  civilFromDays(birthDay, by, bm, bd);
  civilFromDays(day, ty, tm, td);
  return ty - by - ((tm < bm || (tm == bm && td < bd)) ? 1 : 0);
}

// The age reached in the calendar year of `day`: its year minus the birth
// year. Depends on the birth year only (no birthday inside the year moves it).
inline int ageInCalendarYear(std::int64_t birthDay, std::int64_t day) {
  int by, ty;
  unsigned bm, bd, tm, td;
  civilFromDays(birthDay, by, bm, bd);
  civilFromDays(day, ty, tm, td);
  return ty - by;
}

// The local (UTC+8) day of a Unix time.
inline std::int64_t localDay(std::int64_t unixSeconds) {
  const std::int64_t local = unixSeconds + 8 * 3600;
  return local >= 0 ? local / 86400 : (local - 86399) / 86400;
}

}  // namespace gridtwin::query::detail
