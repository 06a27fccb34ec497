// CSV points: the "lon,lat" lines that locate/near read (cli/query_support.h
// parseNumbers) and the CSV reader of the catalogues (layers::parseCsv).
// Any bytes: numbers that are finite when accepted, or a refusal; a table
// whose rows all have the header's width, or an error with a message.
#include <cmath>
#include <vector>

#include "cli/query_support.h"
#include "fuzz/fuzz_support.h"
#include "layers/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gridtwin;
  const std::string_view text = fuzz::text(data, size);
  std::vector<double> v;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t nl = text.find('\n', start);
    const std::string_view line =
        text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (cli::qs::parseNumbers(line, 2, v)) {
      fuzz::require(v.size() == 2 && std::isfinite(v[0]) && std::isfinite(v[1]),
                    "parseNumbers accepted a non-finite or wrong count");
    }
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  auto table = layers::parseCsv(text, "fuzz.csv");
  fuzz::requireValueOrMessage(table, "parseCsv error without a message");
  if (table.ok()) {
    for (const auto& row : table->rows) {
      fuzz::require(row.fields.size() == table->header.size(), "a row is not the header's width");
    }
  }
  return 0;
}
