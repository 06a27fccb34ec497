#include "csv.h"

#include <cassert>
#include <charconv>

namespace gridtwin::generator {

core::Result<CsvTable> CsvTable::read(const std::string& path,
                                      const std::vector<std::string>& required) {
  auto table = layers::readCsvFile(path);
  if (!table) return table.takeError();
  for (const auto& name : required) {
    if (auto c = table->column(name); !c) return c.takeError();
  }
  CsvTable out;
  out.m_table = std::move(*table);
  return out;
}

const std::string& CsvTable::at(std::size_t row, std::string_view column) const {
  auto c = m_table.column(column);
  assert(c.ok());
  return m_table.rows[row].fields[*c];
}

core::Result<double> CsvTable::number(std::size_t row, std::string_view column) const {
  const std::string& text = at(row, column);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return core::makeError(
        core::ErrorCode::kBadNumber,
        "column '" + std::string(column) + "': expected a number, got '" + text + "'",
        m_table.where(m_table.rows[row]));
  }
  return value;
}

}  // namespace gridtwin::generator
