#include "layers/csv.h"

#include <fstream>
#include <iterator>

#include "ident/utf8.h"

namespace gridtwin::layers {

namespace {

using core::ErrorCode;

std::string at(const std::string& source, std::size_t line) {
  return source + ":" + std::to_string(line);
}

}  // namespace

core::Result<std::size_t> CsvTable::column(std::string_view name) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  return core::makeError(ErrorCode::kNotFound,
                         "missing column \"" + std::string(name) + "\" in the header",
                         at(source, 1));
}

std::string CsvTable::where(const CsvRecord& record) const { return at(source, record.line); }

core::Result<CsvTable> parseCsv(std::string_view text, const std::string& source) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (!ident::isValidUtf8(text)) {
    // Find the line of the first bad byte for the message.
    std::size_t line = 1;
    for (std::size_t pos = 0; pos < text.size();) {
      const std::size_t len = ident::utf8SequenceLength(text, pos);
      if (len == 0) break;
      if (text[pos] == '\n') ++line;
      pos += len;
    }
    return core::makeError(ErrorCode::kInvalidUtf8, "text is not valid UTF-8", at(source, line));
  }

  std::vector<CsvRecord> records;
  std::size_t line = 1;
  std::size_t pos = 0;
  const std::size_t n = text.size();
  while (pos < n) {
    // Skip blank lines between records.
    if (text[pos] == '\n' || text[pos] == '\r') {
      if (text[pos] == '\n') ++line;
      ++pos;
      continue;
    }
    CsvRecord record;
    record.line = line;
    std::string field;
    bool endOfRecord = false;
    while (!endOfRecord) {
      field.clear();
      if (pos < n && text[pos] == '"') {
        const std::size_t openLine = line;
        ++pos;
        for (;;) {
          if (pos >= n) {
            return core::makeError(ErrorCode::kSyntax, "unterminated quoted field",
                                   at(source, openLine));
          }
          const char c = text[pos++];
          if (c == '"') {
            if (pos < n && text[pos] == '"') {
              field.push_back('"');
              ++pos;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          field.push_back(c);
        }
        if (pos < n && text[pos] != ',' && text[pos] != '\n' && text[pos] != '\r') {
          return core::makeError(ErrorCode::kSyntax, "text after a closing quote",
                                 at(source, line));
        }
      } else {
        while (pos < n && text[pos] != ',' && text[pos] != '\n' && text[pos] != '\r') {
          if (text[pos] == '"') {
            return core::makeError(ErrorCode::kSyntax,
                                   "quote inside an unquoted field (quote the whole field)",
                                   at(source, line));
          }
          field.push_back(text[pos++]);
        }
      }
      record.fields.push_back(field);
      if (pos < n && text[pos] == ',') {
        ++pos;
      } else {
        if (pos < n && text[pos] == '\r') ++pos;
        if (pos < n && text[pos] == '\n') {
          ++pos;
          ++line;
        }
        endOfRecord = true;
      }
    }
    records.push_back(std::move(record));
  }
  if (records.empty()) {
    return core::makeError(ErrorCode::kEmptyInput, "no header line", at(source, 1));
  }
  CsvTable table;
  table.source = source;
  table.header = std::move(records.front().fields);
  for (std::size_t i = 1; i < records.size(); ++i) {
    if (records[i].fields.size() != table.header.size()) {
      return core::makeError(ErrorCode::kSyntax,
                             std::to_string(records[i].fields.size()) + " fields, the header has " +
                                 std::to_string(table.header.size()),
                             at(source, records[i].line));
    }
    table.rows.push_back(std::move(records[i]));
  }
  return table;
}

core::Result<CsvTable> readCsvFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::makeError(ErrorCode::kIo, "cannot open the file", path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return core::makeError(ErrorCode::kIo, "read failed", path);
  return parseCsv(text, path);
}

}  // namespace gridtwin::layers
