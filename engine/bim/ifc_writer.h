#pragma once
// Our IFC4 writer for the reference district's generated models: a valid
// STEP file per building with a site, a building, one storey per floor, one
// space per room address, and walls, slabs and windows as
// IfcExtrudedAreaSolid. Deterministic: the same input gives the same bytes
// (GlobalIds derive from the building id).
#include <cstdint>
#include <string>
#include <vector>

#include "bim/model.h"

namespace gridtwin::bim {

struct RoomSpec {
  int unit = 1;             // 单元
  int floor = 1;            // 层, 1 = ground
  int room = 101;           // 房号 (floor * 100 + n)
  std::string addressCode;  // the room address's code (IfcSpace.LongName)
};

struct BuildingSpec {
  std::int64_t id = 0;
  std::string name;  // IfcBuilding.Name (UTF-8; written as \X2\ escapes)
  // The footprint in the model's own frame (metres, the anchor maps it to the
  // district): a closed ring, counter-clockwise.
  std::vector<Vec3> footprint;
  int floors = 1;
  double storeyHeight = 3.0;
  bool multiUnit = false;  // numbers spaces "U-RRR" when true, "RRR" otherwise
  std::vector<RoomSpec> rooms;
  PostalAddress address;
  double latitude = 0, longitude = 0;  // IfcSite reference (degrees)
};

// The space number the writer gives a room: "301", or "2-301" in a
// building of several units.
std::string spaceNumber(const RoomSpec& room, bool multiUnit);

// The STEP text of the building's model.
std::string writeIfc(const BuildingSpec& building);

// Reads IFC text held in memory (a generated model stored in the GeoPackage);
// `name` is how errors name it.
core::Result<Model> parseIfc(std::string text, const std::string& name,
                             const ReadOptions& options = {});

}  // namespace gridtwin::bim
