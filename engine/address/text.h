#pragma once
// Character-level text work for addresses: strict UTF-8 decoding, the
// one-to-one character fold (full-width → half-width, traditional →
// simplified) and Chinese numerals. Folding is one code point to one code
// point so that a parse of the folded text keeps the offsets of the original.
//
// Thread-safety: all functions are safe to call from any thread. The
// traditional → simplified table is built once, on first use, from OpenCC's
// t2s configuration (std::call_once semantics of a function-local static).
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace gridtwin::address {

// Decodes strict UTF-8 (ident/utf8.h). Errors: kInvalidUtf8 naming the byte
// offset, with `context` (e.g. "stdin:3") as the error's context.
core::Result<std::u32string> decodeUtf8(std::string_view text, std::string_view context = {});
void appendUtf8(std::string& out, char32_t cp);
std::string encodeUtf8(std::u32string_view text);

// Full-width ASCII (U+FF01..FF5E) → ASCII, ideographic space → space,
// traditional → simplified (single characters, from OpenCC t2s), ASCII
// letters → upper case. Everything else maps to itself.
char32_t foldChar(char32_t c);
// foldChar over a whole string.
std::u32string foldText(std::u32string_view text);
// Whether OpenCC's table was found (false: traditional characters pass
// through unchanged; the note says why).
bool traditionalTableLoaded(std::string* note = nullptr);

enum class CharClass : std::uint8_t {
  kHan,
  kDigit,
  kLatin,
  kSpace,
  kPunct,
  kChineseNumeral,
  kOther
};
CharClass charClass(char32_t folded);

// 〇零一二两三四五六七八九十百千: digits and multipliers of Chinese numerals.
bool isChineseNumeral(char32_t c);
// Value of a Chinese numeral ("十二" → 12, "一百零五" → 105, "二〇三" → 203),
// or -1 when `s` is not one (or is empty, or overflows).
std::int64_t chineseNumeralValue(std::u32string_view s);

// "八十一" for 81, "一百零五" for 105 (0 ≤ value < 10000): what a writer of
// numbers in words would write; the inverse of chineseNumeralValue.
std::u32string chineseNumeral(std::int64_t value);
// A traditional form of a simplified character (the inverse of the t2s
// table; the first in code point order when several), or `c` itself.
char32_t traditionalOf(char32_t c);

// Replaces runs of Chinese numerals that count something (followed by a
// counting suffix: 号 栋 幢 座 单元 层 楼 室 房 户 组 弄 期)
// with Arabic digits: "三号" → "3号", "十二栋" → "12栋", "第五组" → "第5组";
// names such as 三水, 和平三路 keep their numerals.
std::u32string arabicNumerals(std::u32string_view folded);

}  // namespace gridtwin::address
