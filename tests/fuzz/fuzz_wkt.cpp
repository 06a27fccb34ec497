// WKT (geo::readWkt, as in --wkt and the layers): any bytes give a geometry
// or an error with a message; a geometry read is written back and reads
// again to the same text.
#include "fuzz/fuzz_support.h"
#include "geo/wkt.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gridtwin;
  auto g = geo::readWkt(fuzz::text(data, size), "fuzz");
  fuzz::requireValueOrMessage(g, "readWkt error without a message");
  if (!g.ok()) return 0;
  const std::string once = geo::writeWkt(*g);
  auto again = geo::readWkt(once);
  fuzz::require(again.ok(), "writeWkt output does not read back");
  fuzz::require(geo::writeWkt(*again) == once, "WKT round trip changes the geometry");
  return 0;
}
