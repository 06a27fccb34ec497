#include "io.h"

#include <cstdio>
#include <fstream>
#include <iostream>

namespace gridtwin::cli {

std::string jsonQuote(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

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
