#pragma once
// Shared by the libFuzzer targets (tests/fuzz): the input as text, and a
// check that aborts with a message (libFuzzer then saves the input as a
// crash-* file). The engine itself must never crash, hang, leak or trip
// ASan/UBSan; the checks here add what each parser promises on top.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace gridtwin::fuzz {

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz check failed: %s\n", what);
  std::abort();
}

// An error must say something (the messages name the input's problem).
template <class Result>
void requireValueOrMessage(const Result& r, const char* what) {
  if (!r.ok()) require(!r.error().message.empty(), what);
}

}  // namespace gridtwin::fuzz
