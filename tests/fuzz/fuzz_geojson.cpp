// GeoJSON (geo::readGeoJsonFeatures / readGeoJsonGeometry, as in the area
// and layer inputs): any bytes give features/a geometry or an error with a
// message; a geometry read is written back and reads again to the same text.
#include "fuzz/fuzz_support.h"
#include "geo/geojson.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gridtwin;
  const std::string_view text = fuzz::text(data, size);
  auto features = geo::readGeoJsonFeatures(text, "fuzz");
  fuzz::requireValueOrMessage(features, "readGeoJsonFeatures error without a message");
  auto g = geo::readGeoJsonGeometry(text, "fuzz");
  fuzz::requireValueOrMessage(g, "readGeoJsonGeometry error without a message");
  if (!g.ok()) return 0;
  const std::string once = geo::writeGeoJson(*g);
  auto again = geo::readGeoJsonGeometry(once);
  fuzz::require(again.ok(), "writeGeoJson output does not read back");
  fuzz::require(geo::writeGeoJson(*again) == once, "GeoJSON round trip changes the geometry");
  return 0;
}
