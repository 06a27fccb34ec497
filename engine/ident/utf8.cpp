#include "ident/utf8.h"

namespace gridtwin::ident {

std::size_t utf8SequenceLength(std::string_view text, std::size_t pos) {
  if (pos >= text.size()) return 0;
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char b0 = byte(pos);
  if (b0 < 0x80) return 1;
  std::size_t len = 0;
  // The allowed range of the second byte encodes the overlong, surrogate and
  // > U+10FFFF exclusions (Unicode 15, table 3-7).
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;  // continuation byte, C0/C1 overlong lead, or F5..FF
  }
  if (text.size() - pos < len) return 0;
  const unsigned char b1 = byte(pos + 1);
  if (b1 < lo || b1 > hi) return 0;
  for (std::size_t i = 2; i < len; ++i) {
    const unsigned char b = byte(pos + i);
    if (b < 0x80 || b > 0xBF) return 0;
  }
  return len;
}

std::size_t utf8Length(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t len = utf8SequenceLength(text, pos);
    if (len == 0) return kInvalidUtf8Length;
    pos += len;
    ++count;
  }
  return count;
}

bool isValidUtf8(std::string_view text) { return utf8Length(text) != kInvalidUtf8Length; }

}  // namespace gridtwin::ident
