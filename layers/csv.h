#pragma once
// A small RFC 4180 CSV reader for the catalogues that live in the repository
// as data (layers/catalog.csv, data/catalog/*.csv). Not a general ingest path:
// it reads a whole file into memory, which is right for files of a few
// hundred rows. Quoted fields may hold commas, doubled quotes and line breaks;
// a UTF-8 byte order mark and CRLF line ends are accepted. The text must be
// valid UTF-8.
//
// Pure functions and value types; thread-safe.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace gridtwin::layers {

struct CsvRecord {
  std::size_t line = 0;  // 1-based physical line where the record starts
  std::vector<std::string> fields;
};

struct CsvTable {
  std::string source;  // file path (or a name) used in error contexts
  std::vector<std::string> header;
  std::vector<CsvRecord> rows;  // data records, header excluded; each has header.size() fields

  // Index of the column named `name`, or kNotFound naming the file and column.
  core::Result<std::size_t> column(std::string_view name) const;
  // "path:line" for error contexts.
  std::string where(const CsvRecord& record) const;
};

// Parses CSV text; `source` names it in errors ("catalog.csv:12"). Errors:
// kEmptyInput (no header), kInvalidUtf8, kSyntax (unterminated quote, text
// after a closing quote, a quote inside an unquoted field, a record whose
// field count differs from the header's). Blank lines are skipped.
core::Result<CsvTable> parseCsv(std::string_view text, const std::string& source);

// Reads and parses a file (kIo when it cannot be read).
core::Result<CsvTable> readCsvFile(const std::string& path);

}  // namespace gridtwin::layers
