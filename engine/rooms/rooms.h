#pragma once
// A building's model in the district (issue 14): the dataset's `bim_models`
// rows (store/bim_table.h) read and parsed, each model's storeys matched to
// the building's floors and its spaces to the building's room addresses
// (bim::linkRooms: by number and position, unmatched ones reported with the
// reason, never guessed), and a picked room's record — its room address, its
// residents and the building's legal entities — masked as the caller's role
// and scope allow (query/access.h). The CLI (`gridtwin bim rooms`) and the
// viewer (room picking) both call this; neither links rooms on its own.
//
// Thread-safety: pure functions over a const Twin; loadModels() parses the
// models on its own worker threads.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bim/anchor.h"
#include "bim/links.h"
#include "bim/model.h"
#include "core/error.h"
#include "query/access.h"
#include "query/twin.h"

namespace gridtwin::rooms {

// One building's model, read, placed and linked.
struct BuildingModel {
  std::uint32_t building = 0;  // building row
  std::int64_t buildingId = 0;
  std::string file;    // as the table names it: "bim/duplex.ifc", "building_40.ifc"
  std::string source;  // "shared" or "generated"
  bim::Anchor anchor;  // model -> EPSG:4547 (bim::place)
  bim::Model model;
  bim::LinkInput input;                  // the building's floors and room addresses
  std::vector<std::uint32_t> houseRows;  // input.houses[k] is house row houseRows[k]
  bim::Links links;
};

struct LoadOptions {
  // Folder the "shared" models are read from (the real IFC files are never
  // copied into a dataset).
  std::string sharedData;
  // Only this building's model (its building_id); none: every model.
  std::optional<std::int64_t> buildingId;
  // False: storeys, spaces and counts only (no triangles).
  bool geometry = true;
  unsigned workers = 0;  // 0: the machine's threads, at most 4
};

struct Loaded {
  std::vector<BuildingModel> models;  // in the table's order (building_id)
  // A model that could not be read or whose building is not in the district:
  // the file's error, named ("building 40: …"). The others still load.
  std::vector<std::string> problems;
};

// The models of the GeoPackage `gpkgPath` whose district `twin` holds. A
// dataset without the table has none (an empty list, not an error). Errors:
// the table cannot be read.
core::Result<Loaded> loadModels(const std::string& gpkgPath, const query::Twin& twin,
                                const LoadOptions& options);

// The building rows that carry a model in `gpkgPath` (no model is read):
// where the viewer's scene keeps a slot for one. Rows of buildings the
// district lacks are left out (loadModels names them).
core::Result<std::vector<std::uint32_t>> modelBuildings(const std::string& gpkgPath,
                                                        const query::Twin& twin);

// Links an already read model to building row `building`: the building's
// room addresses become input.houses (unit, floor, room number) and
// bim::linkRooms matches them.
BuildingModel linkModel(const query::Twin& twin, std::uint32_t building, bim::Model model,
                        const bim::Anchor& anchor);

struct Resident {
  std::string name;      // as query::shownName gives it for the role
  std::string phone;     // shownPhone
  std::string idNumber;  // shownIdNumber
};

// A space (room) of a model with what the district knows of it.
struct Room {
  std::string number;  // the space's number (IfcSpace.Name)
  std::string name;    // its long name
  std::string storey;  // the storey's name
  int floor = 0;       // the storey's floor, 0: unmatched
  bool matched = false;
  std::string problem;  // why the space matches no room address
  std::int64_t houseId = 0;
  std::string addressCode;
  std::string address;  // the room address's full text
  // The house's grid is in the caller's scope; outside it no resident is
  // listed (the address itself is public, as on the door plate).
  bool inScope = false;
  std::vector<Resident> residents;
};

Room room(const query::Twin& twin, const query::Access& access, const BuildingModel& model,
          std::size_t space);

struct Entity {
  std::string name;
  std::string creditCode;  // unified social credit code: public, never masked
};

// The building's legal entities in the caller's scope.
std::vector<Entity> entities(const query::Twin& twin, const query::Access& access,
                             const BuildingModel& model);

}  // namespace gridtwin::rooms
