#pragma once
// The records of the reference district, generated on top of its skeleton
// (district.h). Geometry stays in EPSG:4547 metres here; the writer converts
// to EPSG:4490 on output. Held in memory only for as long as generation
// needs them; people are streamed to the writer instead.
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "district.h"
#include "geo/types.h"

namespace gridtwin::generator {

enum class BuildingUse : std::uint8_t { kResidential, kCommercial, kIndustrial, kPublic };
const char* buildingUseName(BuildingUse use);

struct Building {
  std::int64_t id = 0;
  int block = -1;
  geo::Polygon footprint;
  geo::Point centre;
  int floors = 1;
  double height = 3;
  BuildingUse use = BuildingUse::kResidential;
  int road = -1;   // the road its door plate is on
  int doorNo = 0;  // 门牌号 on that road
  bool leftSide = true;
  double along = 0;         // metres along the road, for numbering
  std::string addressCode;  // door-plate address code
  int units = 1;            // 单元 (for residential buildings)
  int rooms = 0;            // room addresses (houses) in the building
};

struct House {
  std::int64_t id = 0;
  int building = -1;
  int unit = 1;
  int floor = 1;
  int room = 1;
  double area = 0;
  std::string addressCode;
};

// An event as the layers derived from events need it (the full row is
// written straight to the events table).
struct EventRecord {
  std::int64_t reportedAt = 0;  // seconds since 1970-01-01 in local time (UTC+8)
  geo::Point at;                // EPSG:4547
  geo::Point lonlat;            // EPSG:4490
  int building = -1;
  int category = -1;
  int source = 0;
  int status = 0;
  int level = 0;
  int grid = -1;
  bool located = true;
};

struct BuildingPlan {
  std::vector<Building> buildings;
  std::vector<House> houses;
};

// Packs buildings into the blocks (never crossing a road: each block is
// inset by half the width of its widest road plus 2 m), keeps
// `targetBuildings` of them weighted by density, numbers their door plates
// along their roads and lays out `targetRooms` room addresses in the
// residential ones.
core::Result<BuildingPlan> planBuildings(const District& district, std::int64_t targetBuildings,
                                         std::int64_t targetRooms, std::uint64_t seed);

}  // namespace gridtwin::generator
