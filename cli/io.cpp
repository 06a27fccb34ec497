#include "io.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
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
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      return core::makeError(core::ErrorCode::kIo, "is a folder, not a file", path);
    }
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
  if (in->bad()) {
    return core::makeError(
        core::ErrorCode::kIo,
        std::string("cannot read: ") + (errno ? std::strerror(errno) : "I/O error"),
        inputName(path));
  }
  return {};
}

std::string formatCoordinate(double v) {
  if (!std::isfinite(v)) return {};
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

std::string quoteInput(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return "'" + std::string(text) + "'";
  std::size_t cut = limit;
  // Back up to the start of a UTF-8 character (never split one).
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return "'" + std::string(text.substr(0, cut)) + "…' (" + std::to_string(text.size()) + " bytes)";
}

core::Result<void> checkOutput(const std::string& out, const std::vector<std::string>& inputs,
                               std::string_view option) {
  std::vector<std::string> all;
  for (const std::string& in : inputs) {
    all.push_back(in);
    const auto dot = in.rfind('.');
    if (dot == std::string::npos) continue;
    std::string ext = in.substr(dot);
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext != ".shp") continue;
    for (const char* side : {".shx", ".dbf", ".prj", ".cpg", ".SHX", ".DBF", ".PRJ", ".CPG"}) {
      all.push_back(in.substr(0, dot) + side);
    }
  }
  return core::checkOutput(out, all, option);
}

core::Result<void> TextOutput::open(const std::string& path, std::string_view suffix) {
  if (path.empty()) return {};
  auto file = core::OutputFile::begin(path, suffix);
  if (!file) return file.takeError();
  m_file.emplace(std::move(*file));
  m_stream.open(m_file->temporaryPath(), std::ios::binary | std::ios::trunc);
  if (!m_stream) {
    return core::makeError(core::ErrorCode::kWriteFailed,
                           std::string("cannot create the file: ") + std::strerror(errno), path);
  }
  return {};
}

std::ostream& TextOutput::stream() {
  return m_file ? static_cast<std::ostream&>(m_stream) : std::cout;
}

core::Result<void> TextOutput::commit() {
  if (!m_file) return {};
  m_stream.flush();
  const bool ok = static_cast<bool>(m_stream);
  m_stream.close();
  if (!ok || m_stream.fail()) {
    return core::makeError(core::ErrorCode::kWriteFailed, "cannot write the file", m_file->path());
  }
  return m_file->commit();
}

int finishOutput(int exitCode, const std::string& command) {
  std::cout.flush();
  errno = 0;
  bool failed = std::fflush(stdout) != 0;
  int error = errno;
  failed = failed || std::ferror(stdout) != 0 || !std::cout;
  if (!failed) return exitCode;
  std::cerr << "gridtwin" << (command.empty() ? "" : " " + command)
            << ": cannot write the output to stdout"
            << (error != 0 ? std::string(": ") + std::strerror(error)
                           : std::string(" (a write failed: is the disk full or the pipe closed?)"))
            << '\n';
  return exitCode == 2 ? 2 : 1;
}

}  // namespace gridtwin::cli
