#pragma once
// Links a building's model to the district: each storey to a floor, each
// space to a house (room address), by number and by position. Nothing is
// guessed: a storey or space that the number and the position do not both
// support is reported unmatched with the reason.
//
// Thread-safety: pure functions.
#include <cstdint>
#include <string>
#include <vector>

#include "bim/model.h"

namespace gridtwin::bim {

// A room address of the building, as the district has it.
struct HouseRef {
  std::int64_t houseId = 0;
  int unit = 1;
  int floor = 1;
  int room = 101;
  std::string addressCode;
};

struct LinkInput {
  int floors = 1;             // the building's floors
  double storeyHeight = 3.0;  // metres per floor, for matching by elevation
  bool multiUnit = false;     // space numbers carry the unit ("2-301")
  std::vector<HouseRef> houses;
  // The building's footprint box in the model's frame (after the anchor's
  // inverse); empty: no position check in plan.
  Box3 footprint;
};

struct StoreyLink {
  int floor = 0;        // 1 = ground; 0: unmatched
  std::string problem;  // why unmatched, or how matched when only one way applied
};

struct SpaceLink {
  int house = -1;       // index into LinkInput::houses; -1: unmatched
  std::string problem;  // why unmatched
};

struct Links {
  std::vector<StoreyLink> storeys;  // one per Model::storeys
  std::vector<SpaceLink> spaces;    // one per Model::spaces
  std::vector<std::size_t> unmatchedSpaces;
  std::vector<std::size_t> housesWithoutSpace;  // indexes into LinkInput::houses
};

Links linkRooms(const Model& model, const LinkInput& input);

}  // namespace gridtwin::bim
