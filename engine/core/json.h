#pragma once
// Writing JSON: the one string escaper and number formatter for every module
// and command that prints JSON (the CLI's JSON and JSON Lines, the address
// renderings, the findings). Strings are escaped per RFC 8259: quotes,
// backslashes and control characters; UTF-8 passes through, and a byte that
// is not part of valid UTF-8 becomes U+FFFD, so the output is always valid
// JSON. Pure and thread-safe.
#include <string>
#include <string_view>

namespace gridtwin::core {

// Appends `s` as a JSON string literal, quotes included.
void appendJsonString(std::string& out, std::string_view s);

// `s` as a JSON string literal, quotes included.
std::string jsonQuote(std::string_view s);

// Appends `v` with `decimals` digits after the point ("null" for NaN or an
// infinity, which JSON cannot hold).
void appendJsonNumber(std::string& out, double v, int decimals);

// Appends `v` with the shortest text that reads back to the same double
// ("null" for NaN or an infinity).
void appendJsonNumber(std::string& out, double v);

}  // namespace gridtwin::core
