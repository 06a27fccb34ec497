#pragma once
// What the city has besides the registers: points of interest in buildings,
// refined building uses and BIM links, rail lines, and the thematic base
// tables (district, poi, landuse, plan, water, green, pipes, rail) that the
// layer catalogue's sources name (layers/README.md).
#include <cstdint>
#include <string>
#include <vector>

#include "city.h"
#include "core/error.h"
#include "district.h"

namespace gridtwin::store {
class GpkgWriter;
}

namespace gridtwin::generator {

class Output;
class Rng;

struct Poi {
  std::string kind;  // a POI kind of layers/README.md: school_primary, hospital, ...
  std::string name;
  int building = -1;  // host building, or -1 for a point on its own
  geo::Point at;      // EPSG:4547
};

struct RailLine {
  std::string kind;  // metro, tram, railway
  std::string name;
  geo::LineString line;  // EPSG:4547
};

struct CityExtras {
  std::vector<Poi> pois;
  std::vector<std::string> useDetail;  // per building: residential, village, mixed, office, ...
  std::vector<std::string> bimModel;   // per building: an IFC file name, or empty
  std::vector<RailLine> rails;
};

CityExtras planExtras(const District& district, const BuildingPlan& plan, double scale, Rng& rng);

// Writes the district outline and the thematic tables; returns rows written.
core::Result<std::int64_t> writeExtraTables(store::GpkgWriter& writer, const District& district,
                                            const BuildingPlan& plan, const CityExtras& extras,
                                            const Output& out, Rng& rng);

}  // namespace gridtwin::generator
