#pragma once
// Proleptic Gregorian day numbers (Howard Hinnant's algorithms): days since
// 1970-01-01 and back. The one copy for every module that reads or writes
// dates (the generator, the GeoPackage and PostGIS loaders, queries). Pure,
// header-only, thread-safe.
#include <cstdint>

namespace gridtwin::core {

// Days in month m (1..12) of year y; 0 for a month out of range.
inline unsigned daysInMonth(std::int64_t y, unsigned m) {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12) return 0;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// True for a date that exists: 2026-02-28 yes, 2026-02-30 and 2026-13-01 no.
// Parsers check this before daysFromCivil, which would roll an impossible
// date into the next month.
inline bool isValidDate(std::int64_t y, int m, int d) {
  return m >= 1 && m <= 12 && d >= 1 &&
         static_cast<unsigned>(d) <= daysInMonth(y, static_cast<unsigned>(m));
}

// Days since 1970-01-01 of a valid date (isValidDate).
inline std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

inline void civilFromDays(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

}  // namespace gridtwin::core
