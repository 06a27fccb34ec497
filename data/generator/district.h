#pragma once
// The spatial skeleton of the reference district, in EPSG:4547 metres:
// blocks (one Voronoi cell each) grouped into grids, grids into communities,
// communities into streets. Every level is a union of whole blocks, so the
// coverages share their boundaries exactly, and the block edges are the
// road network: a street boundary is an arterial, a community boundary a
// main road, and so on down to lanes between old-town blocks.
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "geo/types.h"

namespace gridtwin::generator {

class Rng;

// Water, green and farmland blocks hold no buildings.
enum class Zone : std::uint8_t {
  kOldTown,
  kResidential,
  kCommercial,
  kIndustrial,
  kVillage,
  kWater,
  kGreen,
  kFarmland
};
// Names follow the layer catalogue (layers/README.md): expressway, arterial, secondary, branch,
// lane.
enum class RoadLevel : std::uint8_t { kExpressway, kArterial, kSecondary, kBranch, kLane };

struct AdminUnit {
  std::string code;
  std::string name;
  int parent = -1;  // index into the level above (-1 for streets)
  geo::MultiPolygon shape;
  double area = 0;
};

struct Block {
  geo::Polygon cell;  // the Voronoi cell clipped to the district
  geo::Point site;
  double density = 0;  // relative population density at the site, 0..1
  Zone zone = Zone::kResidential;
  int street = -1;
  int community = -1;
  int grid = -1;
};

struct Road {
  std::string name;
  RoadLevel level = RoadLevel::kBranch;
  double width = 0;  // metres, carriageway + pavements
  std::vector<geo::LineString> parts;
  int community = -1;  // the community it mostly runs in, or -1 for arterials
};

struct SourceRecord {
  std::string code;
  std::string name;
  std::string parentCode;
};

struct DistrictSources {
  geo::MultiPolygon outline;              // EPSG:4547
  std::vector<SourceRecord> streets;      // 9-digit codes
  std::vector<SourceRecord> communities;  // 12-digit codes, parent = street code
  // Per street (same order): where its town centre is (EPSG:4547) and the
  // share of the district's area it should get. Density peaks at centres;
  // centres[0] is the old town.
  std::vector<geo::Point> streetCentres;
  std::vector<double> streetAreaShares;
};

// Relative population density (0..1) at `p`: peaks at the town centres,
// highest at the first one (the old town).
double densityAt(const geo::Point& p, const std::vector<geo::Point>& centres);

struct District {
  geo::MultiPolygon outline;
  std::vector<Block> blocks;
  std::vector<AdminUnit> streets;
  std::vector<AdminUnit> communities;
  std::vector<AdminUnit> grids;
  std::vector<Road> roads;
  // Block b's edges: for each ring segment of blocks[b].cell, the road index
  // it carries (-1 on the district outline).
  std::vector<std::vector<int>> blockEdgeRoad;
};

// Builds the skeleton: `blockCount` blocks, `gridCount` grids, the streets and
// communities of `sources` with their real codes and names.
core::Result<District> buildDistrict(const DistrictSources& sources, int blockCount, int gridCount,
                                     std::uint64_t seed);

const char* zoneName(Zone zone);
const char* roadLevelName(RoadLevel level);

}  // namespace gridtwin::generator
