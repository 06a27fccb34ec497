#pragma once
// Coverage validation: do the grids (or communities, or streets) tile the
// district exactly? Each problem is a Finding with a kind, the codes
// involved, a place and a measure, so a grid station head can go and look.
//
//   invalid           a polygon GEOS calls invalid (its reason and place)
//   overlap           two units share area
//   gap               district area no unit covers
//   sliver            a part of a unit thinner than CoverageOptions::sliverWidthM
//   outside_parent    a unit's area outside its parent (grid → community)
//   outside_district  a unit's area outside the district outline
//
// All work is in EPSG:4547 metres; every Finding also carries its place in
// EPSG:4490 lon,lat. Overlaps, gaps and stray parts below
// CoverageOptions::minAreaM2 are rounding, not findings (slivers: below
// width²/4). An invalid unit is reported once as `invalid` and then checked
// in its repaired form (GEOS MakeValid, structure method), so a
// self-intersection that does not change the unit's area does not also
// surface as a gap or an overlap. A unit GEOS refuses outright (an unclosed
// ring, too few points) is reported `invalid` and left out, so its area
// shows as a gap too.
//
// Thread-safety: pure functions; GEOS runs on the calling thread's context.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "geo/geometry.h"
#include "geo/types.h"

namespace gridtwin::boundary {

enum class FindingKind : unsigned char {
  kInvalid,
  kOverlap,
  kGap,
  kSliver,
  kOutsideParent,
  kOutsideDistrict,
  // Ownership (ownership.h): records against the grids.
  kBuildingCut,     // a building footprint split between two or more grids
  kUnassigned,      // a record in no grid
  kDoubleAssigned,  // a record in two grids at once (they overlap there)
  kGridMismatch,    // a record's stored grid is not the grid its place is in
};
// "invalid", "overlap", "gap", "sliver", "outside_parent", "outside_district",
// "building_cut", "unassigned", "double_assigned", "grid_mismatch".
std::string_view name(FindingKind kind);
bool parseFindingKind(std::string_view text, FindingKind& out);

struct Finding {
  FindingKind kind = FindingKind::kInvalid;
  std::vector<std::string> codes;  // the units (and parent, or record) involved, sorted
  geo::Point xy;                   // EPSG:4547: a point inside the problem
  geo::Point lonlat;               // the same place, EPSG:4490
  double measure = 0;              // m² (area kinds), m (sliver width); 0 for invalid
  std::string unit;                // "m2", "m" or "" (invalid)
  std::string detail;              // GEOS's reason, the record's kind and id, ...
  std::string storedGrid;          // ownership findings: the grid the record is stored in
  geo::MultiPolygon geometry;      // EPSG:4547, the problem area; empty for points
};

// One polygon of a coverage, in EPSG:4547 metres.
struct Unit {
  std::string code;
  std::string parentCode;  // empty: no parent check
  geo::MultiPolygon shape;
};

struct Coverage {
  std::vector<Unit> units;
  std::vector<Unit> parents;                 // looked up by Unit::parentCode
  std::optional<geo::MultiPolygon> outline;  // the district; none: gaps are the union's holes
};

struct CoverageOptions {
  double minAreaM2 = 1.0;     // smaller overlaps, gaps and stray parts are rounding
  double sliverWidthM = 1.0;  // a part narrower than this is a sliver
};

// Errors: kInvalidArgument for bad options (naming them); kGeosFailure when
// GEOS fails on a unit (naming its code).
core::Result<std::vector<Finding>> validate(const Coverage& coverage,
                                            const CoverageOptions& options = {});

// Sorts findings by kind, then codes, then place: the order every output uses.
void sortFindings(std::vector<Finding>& findings);

// Fills Finding::lonlat from Finding::xy (EPSG:4547 → 4490). Errors: PROJ's.
core::Result<void> fillLonLat(std::vector<Finding>& findings);

}  // namespace gridtwin::boundary
