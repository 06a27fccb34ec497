#include "ident/masking.h"

#include <algorithm>

#include "ident/detail.h"
#include "ident/resident_id.h"
#include "ident/utf8.h"

namespace gridtwin::ident {

namespace {

bool allDigits(std::string_view s) {
  for (char c : s) {
    if (!detail::isDigit(c)) return false;
  }
  return !s.empty();
}

std::string keepEnds(std::string_view s, std::size_t head, std::size_t tail) {
  std::string out;
  out.reserve(s.size());
  out.append(s.substr(0, head));
  out.append(s.size() - head - tail, '*');
  out.append(s.substr(s.size() - tail));
  return out;
}

bool isMobile(std::string_view s) { return s.size() == 11 && s[0] == '1' && allDigits(s); }

}  // namespace

std::string maskResidentId(std::string_view id) {
  if (id.size() == 18 && allDigits(id.substr(0, 17)) &&
      (detail::isDigit(id[17]) || id[17] == 'X' || id[17] == 'x')) {
    return keepEnds(id, 6, 4);
  }
  if (id.size() == 15 && allDigits(id)) return keepEnds(id, 6, 3);
  return std::string(kMaskedResidentId);
}

std::string maskName(std::string_view utf8) {
  if (utf8.empty()) return {};
  // Byte offsets of the first and last code point; the count decides the shape.
  std::size_t count = 0;
  std::size_t firstLen = 0;
  std::size_t lastPos = 0;
  for (std::size_t pos = 0; pos < utf8.size();) {
    const std::size_t len = utf8SequenceLength(utf8, pos);
    if (len == 0) return std::string(kMaskedName);
    const auto b = static_cast<unsigned char>(utf8[pos]);
    if (len == 1 && (b < 0x20 || b == 0x7F)) return std::string(kMaskedName);
    if (count == 0) firstLen = len;
    lastPos = pos;
    pos += len;
    ++count;
  }
  if (count == 1) return "*";
  std::string out(utf8.substr(0, firstLen));
  if (count == 2) return out + "*";
  out.append(count - 2, '*');
  out.append(utf8.substr(lastPos));
  return out;
}

std::string maskPhone(std::string_view phone) {
  // Mobile with an optional country prefix.
  std::string_view prefix;
  std::string_view rest = phone;
  for (std::string_view p : {"+86", "86"}) {
    if (rest.size() > p.size() && rest.substr(0, p.size()) == p) {
      std::size_t n = p.size();
      if (rest[n] == ' ' || rest[n] == '-') ++n;
      if (isMobile(rest.substr(n))) {
        prefix = rest.substr(0, n);
        rest = rest.substr(n);
      }
      break;
    }
  }
  if (isMobile(rest)) return std::string(prefix) + keepEnds(rest, 3, 4);
  // Landline: 0 + 2..3 digit area code, '-', 7..8 digit local number.
  const std::size_t dash = phone.find('-');
  if (dash != std::string_view::npos && phone[0] == '0' && (dash == 3 || dash == 4)) {
    const std::string_view area = phone.substr(0, dash);
    const std::string_view local = phone.substr(dash + 1);
    if (allDigits(area) && allDigits(local) && (local.size() == 7 || local.size() == 8)) {
      return std::string(area) + "-" + keepEnds(local, 0, 4);
    }
  }
  return std::string(kMaskedPhone);
}

std::string maskBirthDate(std::string_view isoDate) {
  if (isoDate.size() == 10 && allDigits(isoDate.substr(0, 4)) && isoDate[4] == '-' &&
      allDigits(isoDate.substr(5, 2)) && isoDate[7] == '-' && allDigits(isoDate.substr(8, 2))) {
    return std::string(isoDate.substr(0, 4));
  }
  return "****";
}

std::size_t residentIdsFitting(std::string_view masked, int yearFrom, int yearTo,
                               const std::function<bool(int, int, int)>& birthFits,
                               std::size_t limit) {
  if (masked.size() != 18) return 0;
  auto fits = [&](std::size_t i, char c) { return masked[i] == '*' || masked[i] == c; };
  for (std::size_t i = 0; i < 17; ++i) {
    if (masked[i] != '*' && !detail::isDigit(masked[i])) return 0;
  }
  // Free characters of the region and the sequence: each digit (at most
  // 10^6 * 10^3 combinations; callers pass masks that keep them).
  std::size_t free = 0;
  for (std::size_t i : {0u, 1u, 2u, 3u, 4u, 5u, 14u, 15u, 16u}) free += masked[i] == '*';
  if (free > 3) return limit;  // more than 1000 IDs fit whatever the date
  std::size_t count = 0;
  std::string id(17, '0');
  for (int y = std::max(yearFrom, 1000); y <= std::min(yearTo, 9999); ++y) {
    for (int m = 1; m <= 12; ++m) {
      for (int d = 1; d <= 31; ++d) {
        if (!isCalendarDate(y, m, d) || !birthFits(y, m, d)) continue;
        const char date[8] = {
            static_cast<char>('0' + y / 1000),    static_cast<char>('0' + y / 100 % 10),
            static_cast<char>('0' + y / 10 % 10), static_cast<char>('0' + y % 10),
            static_cast<char>('0' + m / 10),      static_cast<char>('0' + m % 10),
            static_cast<char>('0' + d / 10),      static_cast<char>('0' + d % 10)};
        bool dateFits = true;
        for (std::size_t i = 0; i < 8; ++i) dateFits = dateFits && fits(6 + i, date[i]);
        if (!dateFits) continue;
        // every filling of the free region/sequence characters
        std::size_t combos = 1;
        for (std::size_t k = 0; k < free; ++k) combos *= 10;
        for (std::size_t n = 0; n < combos; ++n) {
          std::size_t rest = n;
          for (std::size_t i = 0; i < 17; ++i) {
            if (i >= 6 && i < 14) {
              id[i] = date[i - 6];
            } else if (masked[i] == '*') {
              id[i] = static_cast<char>('0' + rest % 10);
              rest /= 10;
            } else {
              id[i] = masked[i];
            }
          }
          const char check = residentIdCheckDigit(id);
          const char shown = masked[17] == 'x' ? 'X' : masked[17];
          if (shown == '*' || shown == check) {
            if (++count >= limit) return count;
          }
        }
      }
    }
  }
  return count;
}

}  // namespace gridtwin::ident
