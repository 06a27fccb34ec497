#pragma once
// Strict UTF-8 decoding for the masking functions and for checks on generated
// text. Strict means: no overlong forms, no surrogates (U+D800..U+DFFF), nothing
// above U+10FFFF, no truncated sequences. Pure functions, thread-safe.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gridtwin::ident {

// Length in bytes of the code point that starts at text[pos], or 0 when the
// bytes there are not a well-formed UTF-8 sequence (or pos is past the end).
std::size_t utf8SequenceLength(std::string_view text, std::size_t pos);

// Whether the whole of text is well-formed UTF-8 (the empty string is).
bool isValidUtf8(std::string_view text);

// Number of code points in text, or kInvalidUtf8Length when it is not valid UTF-8.
inline constexpr std::size_t kInvalidUtf8Length = static_cast<std::size_t>(-1);
std::size_t utf8Length(std::string_view text);

}  // namespace gridtwin::ident
