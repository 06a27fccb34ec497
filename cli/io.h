#pragma once
// Small input helpers shared by CLI commands.
#include <functional>
#include <string>

#include "core/error.h"

namespace gridtwin::cli {

// Calls `onLine(line, lineNumber)` for every line of `path` ("-" or empty:
// stdin). Stops at the first error that onLine returns; the error's context
// names the input and the line. Fails on a missing file.
core::Result<void> forEachLine(
    const std::string& path,
    const std::function<core::Result<void>(std::string_view line, long lineNumber)>& onLine);

// "stdin" for "-" or empty, the path otherwise: how messages name the input.
std::string inputName(const std::string& path);

}  // namespace gridtwin::cli
