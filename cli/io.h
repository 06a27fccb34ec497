#pragma once
// Small input helpers shared by CLI commands.
#include <fstream>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/output_file.h"

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

// `v` in the shortest form that reads back to the same double (round-trip);
// empty for NaN or infinity.
std::string formatCoordinate(double v);

// `text` for a message: cut to `limit` bytes (at a UTF-8 character boundary)
// with "…" appended when longer, in single quotes.
std::string quoteInput(std::string_view text, std::size_t limit = 80);

// Refuses `out` (given as `option`) when it is one of `inputs` (a shapefile's
// .shx/.dbf/.prj/.cpg count too) or cannot be written without loss
// (core/output_file.h). The error's context names the option.
core::Result<void> checkOutput(const std::string& out, const std::vector<std::string>& inputs,
                               std::string_view option = "--out");

// The exit code for checkOutput's refusal: 2 when the command line names an
// input as the output (usage), 1 when the target cannot be written (read-only,
// no such folder).
inline int refusalExitCode(const core::Error& e) {
  return e.code == core::ErrorCode::kInvalidArgument ? 2 : 1;
}

// A command's text output: stdout, or a file written all or nothing through
// core::OutputFile. Not thread-safe.
class TextOutput {
 public:
  // Empty `path`: stdout. Otherwise starts the file (its checks come first).
  core::Result<void> open(const std::string& path, std::string_view suffix = ".txt");
  std::ostream& stream();
  // Flushes, checks the stream, and puts the file in place.
  core::Result<void> commit();

 private:
  std::optional<core::OutputFile> m_file;
  std::ofstream m_stream;
};

// The end of every command: flushes stdout and turns a write error (a full
// disk, a closed pipe) into exit 1 with a message naming stdout. Returns the
// exit code to use.
int finishOutput(int exitCode, const std::string& command);

}  // namespace gridtwin::cli
