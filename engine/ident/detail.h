#pragma once
// Internal helpers shared by the ident sources; not part of the module's API.
#include <string>

namespace gridtwin::ident::detail {

// A character for an error message: 'a' when printable ASCII, otherwise the
// byte in hex (byte 0xE4), so a message never carries broken UTF-8.
inline std::string describeChar(char c) {
  const auto b = static_cast<unsigned char>(c);
  if (b >= 0x20 && b < 0x7F) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("byte 0x") + kHex[b >> 4] + kHex[b & 0xF];
}

inline bool isDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace gridtwin::ident::detail
