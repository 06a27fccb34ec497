#pragma once
// Internal helpers shared by the geo readers and writers (WKT, WKB, GeoJSON).
// Not part of the module's public API.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "geo/types.h"

namespace gridtwin::geo::detail {

// Nesting limit for GEOMETRYCOLLECTIONs: deeper input is rejected so that a
// hostile file cannot overflow the stack of the recursive readers.
inline constexpr int kMaxNesting = 64;

// Appends v: precision >= 17 gives the shortest text that reads back to the
// same double; smaller values give at most `precision` digits after the
// decimal point with trailing zeros trimmed ("-0" is written "0").
void appendNumber(std::string& out, double v, int precision);

// "(1 2)" with shortest round-trip numbers, for error messages.
std::string describe(const Point& p);

// Checks a ring read from input: at least 4 points and closed. `what` names it
// ("ring 1"). Returns the problem (code + message without place) or nullopt.
std::optional<core::Error> ringProblem(const Ring& ring, std::string_view what);

// Reads a whole file; kNotFound / kIo errors carry the path as context.
core::Result<std::string> readWholeFile(const std::string& path);

}  // namespace gridtwin::geo::detail
