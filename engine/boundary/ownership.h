#pragma once
// Ownership: do the records agree with the grids?
//
//   building_cut     a footprint split between two or more grids (each part
//                    over OwnershipOptions::cutAreaM2)
//   unassigned       a building (or a part of it) or a point record in no grid
//   double_assigned  a point record where two grids overlap
//   grid_mismatch    a record whose stored grid is not the grid its place is
//                    in (the address says one grid, the coordinates another)
//
// Point records are addresses, entities, facilities and events with a place,
// and houses and people at their room address. A point's grid is the
// GridLocator's (covers + the lowest-code tie rule); a footprint is in two
// grids when it shares more than cutAreaM2 with an overlap of two grids.
// Each finding carries the record's stored grid (Finding::storedGrid), so a
// report can keep to its reader's scope.
// `grids` may be the district's own (unitsOf) or a proposed set read from a
// file; stored grids are compared by code.
//
// Thread-safety: pure function.
#include <vector>

#include "boundary/coverage.h"
#include "core/error.h"
#include "model/district.h"

namespace gridtwin::boundary {

struct OwnershipOptions {
  double cutAreaM2 = 0.5;  // a footprint part smaller than this is rounding
};

// Errors: those of the locator build (a non-finite vertex, no grid) and of
// GEOS, naming the grid or building.
core::Result<std::vector<Finding>> checkOwnership(const model::District& district,
                                                  const std::vector<Unit>& grids,
                                                  const OwnershipOptions& options = {});

}  // namespace gridtwin::boundary
