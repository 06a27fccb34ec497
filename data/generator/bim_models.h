#pragma once
// The district's 60 building models (issue 14): the four real IFC files of
// ../shared/data/bim placed at chosen buildings (referenced, never copied)
// and 56 IFC4 models written by engine/bim's writer whose storeys and spaces
// are exactly the building's floors and room addresses.
//
// Where they live: the `bim_models` table of the GeoPackage itself (one row a
// model: building, source, file, anchor, and for generated models the STEP
// text). A table rather than a folder beside the .gpkg because the dataset is
// written all-or-nothing through one temporary file renamed into place: the
// models share that guarantee (and the signal cleanup) for free, travel with
// the one file, and cannot drift from the buildings they describe.
//
// The anchor: the model's plan bounding-box centre goes to (anchor_x,
// anchor_y) in EPSG:4547 at height anchor_z, turned by rotation_deg
// (counter-clockwise) about it, scaled by `scale` (1: models are in metres).
#include <cstdint>
#include <string>
#include <vector>

#include "city.h"
#include "core/error.h"
#include "extras.h"
#include "store/gpkg_writer.h"

namespace gridtwin::generator {

// Writes the bim_models table; returns the rows written.
core::Result<std::int64_t> writeBimModels(store::GpkgWriter& w, const BuildingPlan& plan,
                                          const CityExtras& extras,
                                          const std::vector<std::string>& doorText);

}  // namespace gridtwin::generator
