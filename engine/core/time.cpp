#include "core/time.h"

#include <cstdio>

#include "core/calendar.h"

namespace gridtwin::core {

namespace {

// `n` ASCII digits of `s` at `pos` → value; false if any is missing.
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

Error syntax(std::string_view text, const std::string& why) {
  return makeError(ErrorCode::kSyntax,
                   "'" + std::string(text.substr(0, 64)) + (text.size() > 64 ? "...'" : "'") +
                       " is not an ISO 8601 time like 2026-06-30T12:00:00+08:00: " + why);
}

// "YYYY-MM-DD" at the start of `s` → days; the error says why not.
Result<std::int64_t> datePart(std::string_view s, std::string_view text) {
  int y, m, d;
  if (s.size() < 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, m) || s[7] != '-' ||
      !digits(s, 8, 2, d)) {
    return syntax(text, "expected a date YYYY-MM-DD");
  }
  if (m < 1 || m > 12) return syntax(text, "there is no month " + std::to_string(m));
  const unsigned last = daysInMonth(y, static_cast<unsigned>(m));
  if (d < 1 || static_cast<unsigned>(d) > last) {
    char what[64];
    std::snprintf(what, sizeof what, "%04d-%02d has %u days", y, m, last);
    return syntax(text, what);
  }
  return daysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

}  // namespace

Result<std::int64_t> parseIsoDate(std::string_view text) {
  auto days = datePart(text, text);
  if (days && text.size() != 10) return syntax(text, "expected only a date YYYY-MM-DD");
  return days;
}

Result<std::int64_t> parseIsoTime(std::string_view text, std::int64_t defaultOffset) {
  const std::string_view s = text;
  auto days = datePart(s, text);
  if (!days) return days;
  int h = 0, mi = 0, se = 0;
  std::size_t pos = 10;
  std::int64_t offset = defaultOffset;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != ' ') return syntax(text, "expected 'T' after the date");
    if (!digits(s, pos + 1, 2, h) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, mi)) {
      return syntax(text, "expected a time hh:mm after the date");
    }
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, se)) return syntax(text, "expected seconds ss after hh:mm:");
      pos += 3;
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        std::size_t end = pos + 1;
        while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
        if (end == pos + 1) return syntax(text, "expected digits after the decimal point");
        pos = end;
      }
    }
    if (h > 23 || mi > 59 || se > 60) return syntax(text, "no such time of day");
    if (pos < s.size()) {
      const std::string_view zone = s.substr(pos);
      int oh = 0, om = 0;
      if (zone == "Z") {
        offset = 0;
      } else if ((zone[0] == '+' || zone[0] == '-') &&
                 ((zone.size() == 3 && digits(zone, 1, 2, oh)) ||
                  (zone.size() == 5 && digits(zone, 1, 2, oh) && digits(zone, 3, 2, om)) ||
                  (zone.size() == 6 && zone[3] == ':' && digits(zone, 1, 2, oh) &&
                   digits(zone, 4, 2, om)))) {
        // Real offsets run from -12:00 to +14:00 (Kiribati); the parser
        // takes anything within ±14:00.
        if (oh > 14 || om > 59 || (oh == 14 && om > 0)) return syntax(text, "no such UTC offset");
        offset = (zone[0] == '-' ? -1 : 1) * (oh * 3600LL + om * 60LL);
      } else {
        return syntax(text, "expected an offset Z, +hh:mm or +hhmm after the time");
      }
    }
  }
  return *days * 86400 + h * 3600LL + mi * 60LL + se - offset;
}

std::string formatIsoTime(std::int64_t seconds, std::int64_t offset) {
  const std::int64_t local = seconds + offset;
  std::int64_t days = local / 86400;
  std::int64_t rem = local % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int y;
  unsigned m, d;
  civilFromDays(days, y, m, d);
  const std::int64_t off = offset < 0 ? -offset : offset;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", y, m, d,
                static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                static_cast<int>(rem % 60), offset < 0 ? '-' : '+', static_cast<int>(off / 3600),
                static_cast<int>(off / 60 % 60));
  return buf;
}

}  // namespace gridtwin::core
