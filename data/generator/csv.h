#pragma once
// Column access by name over the shared CSV reader (layers/csv.h): the
// generator's data files are small tables read by header name.
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "layers/csv.h"

namespace gridtwin::generator {

class CsvTable {
 public:
  // Reads `path`; every name in `required` must be a column.
  static core::Result<CsvTable> read(const std::string& path,
                                     const std::vector<std::string>& required = {});

  std::size_t rows() const { return m_table.rows.size(); }
  // Field `column` of row `row`; `column` must be a header name.
  const std::string& at(std::size_t row, std::string_view column) const;
  long line(std::size_t row) const { return static_cast<long>(m_table.rows[row].line); }
  const std::string& path() const { return m_table.source; }
  // Field as a number; the error names file, line and column.
  core::Result<double> number(std::size_t row, std::string_view column) const;

 private:
  layers::CsvTable m_table;
};

}  // namespace gridtwin::generator
