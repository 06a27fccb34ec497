#pragma once
// The dataset's building models: rows of the `bim_models` table that
// `gridtwin generate` writes (data/generator/bim_models.h says why a table).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace gridtwin::store {

struct BimModelRow {
  std::int64_t buildingId = 0;
  std::string source;  // "shared": `file` is relative to the shared data folder; "generated"
  std::string file;    // "bim/duplex.ifc" or "building_40.ifc"
  double anchorX = 0, anchorY = 0, anchorZ = 0;  // EPSG:4547, metres
  double rotationDeg = 0;
  double scale = 1;
  std::string ifc;  // the STEP text of a generated model; empty for shared ones
};

// Every row, or the one of `buildingId`. A dataset without the table (older
// than issue 14) has no models: an empty list. `withIfc` false leaves `ifc`
// empty (the rows only: megabytes of STEP text less to read). Errors name
// the file.
core::Result<std::vector<BimModelRow>> readBimModels(
    const std::string& gpkgPath, std::optional<std::int64_t> buildingId = std::nullopt,
    bool withIfc = true);

}  // namespace gridtwin::store
