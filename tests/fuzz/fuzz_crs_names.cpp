// CRS names (--crs, --from, --to: crs::parseCrs through PROJ's database):
// any bytes give a CRS or an error with a message; a CRS read is named, and
// its name reads again to the same CRS.
#include "crs/crs.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gridtwin;
  auto c = crs::parseCrs(fuzz::text(data, size));
  fuzz::requireValueOrMessage(c, "parseCrs error without a message");
  if (!c.ok()) return 0;
  auto again = crs::parseCrs(crs::name(*c));
  fuzz::require(again.ok(), "the name of a CRS does not read back");
  fuzz::require(*again == *c, "CRS name round trip changes the CRS");
  return 0;
}
