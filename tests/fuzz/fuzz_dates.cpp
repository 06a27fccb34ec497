// Dates and times: --now/--window (query::parseTime, parseTimeWindow) and
// the dataset's date/time columns (store::decode::parseDate, parseTime).
// Any bytes: a value or a refusal, and no overflow (UBSan).
#include "fuzz/fuzz_support.h"
#include "query/query.h"
#include "store/decode.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gridtwin;
  const std::string_view text = fuzz::text(data, size);
  auto t = query::parseTime(text);
  fuzz::requireValueOrMessage(t, "parseTime error without a message");
  auto w = query::parseTimeWindow(text, query::kReferenceNow);
  fuzz::requireValueOrMessage(w, "parseTimeWindow error without a message");
  std::int64_t days = 0, seconds = 0;
  (void)store::decode::parseDate(text, days);
  (void)store::decode::parseTime(text, seconds);
  return 0;
}
