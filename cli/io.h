#pragma once
// Small input helpers shared by CLI commands.
#include <functional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace gridtwin::cli {

// Calls `onLine(line, lineNumber)` for every line of `path` ("-" or empty:
// stdin). Stops at the first error that onLine returns; the error's context
// names the input and the line. Fails on a missing file.
core::Result<void> forEachLine(
    const std::string& path,
    const std::function<core::Result<void>(std::string_view line, long lineNumber)>& onLine);

// `s` as a JSON string literal, quotes included (UTF-8 passes through;
// quotes, backslashes and control characters are escaped).
std::string jsonQuote(std::string_view s);

// "stdin" for "-" or empty, the path otherwise: how messages name the input.
std::string inputName(const std::string& path);

}  // namespace gridtwin::cli
