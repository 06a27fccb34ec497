#include "io.h"

#include <fstream>
#include <iostream>

#include "core/json.h"

namespace gridtwin::cli {

std::string jsonQuote(std::string_view s) { return core::jsonQuote(s); }

std::string inputName(const std::string& path) {
  return path.empty() || path == "-" ? std::string("stdin") : path;
}

core::Result<void> forEachLine(
    const std::string& path,
    const std::function<core::Result<void>(std::string_view line, long lineNumber)>& onLine) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (!path.empty() && path != "-") {
    file.open(path);
    if (!file) {
      return core::makeError(core::ErrorCode::kNotFound, "cannot open file", path);
    }
    in = &file;
  }
  std::string line;
  long number = 0;
  while (std::getline(*in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto r = onLine(line, number);
    if (!r) {
      return std::move(r.takeError()).withContext(inputName(path) + ":" + std::to_string(number));
    }
  }
  if (in->bad()) return core::makeError(core::ErrorCode::kIo, "read error", inputName(path));
  return {};
}

}  // namespace gridtwin::cli
