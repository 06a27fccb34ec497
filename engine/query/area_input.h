#pragma once
// Areas as a user gives them — a box or a polygon in any 2D CRS — checked and
// turned into an Area in EPSG:4547 (issue 11.6). Every corner is checked
// against its CRS's domain (a longitude of 473.1 is refused, never wrapped
// into the district); an empty or degenerate polygon is refused; a shape that
// reaches far beyond the district is clipped to the district's box (widened
// by kClipMarginMetres) in its own CRS before it is projected, so a
// near-world box counts what is in the district instead of failing as a
// self-intersection of its projection; a shape that misses the district
// selects nothing.
//
// Errors: kInvalidArgument for an empty or degenerate shape (the CLI's usage
// error); kNonFinite, kOutOfDomain for a corner outside its CRS (naming it);
// kInvalidGeometry for a self-intersecting polygon (in the user's CRS);
// kUnsupported for a polygon that the district's box cuts into several
// pieces. Thread-safe (one Transformer per call).
#include "core/error.h"
#include "crs/crs.h"
#include "geo/geometry.h"
#include "query/query.h"
#include "query/twin.h"

namespace gridtwin::query {

inline constexpr double kClipMarginMetres = 2000.0;

// True when the polygon's outer ring has no area at all: its corners all
// lie on one line or at one point (a bow tie is not degenerate: it is
// invalid, and says so).
bool isDegenerate(const geo::Polygon& polygon);

// The district's grids' box in EPSG:4547, widened by kClipMarginMetres.
geo::Box districtBox(const Twin& twin);

// minx,miny,maxx,maxy in `crs` (min <= max). A box of zero width or height
// is the line or point of its corners (a box of them in metres).
core::Result<Area> boxArea(const Twin& twin, const crs::Crs& crs, const geo::Box& box);

// A polygon in `crs`.
core::Result<Area> polygonArea(const Twin& twin, const crs::Crs& crs, geo::Polygon polygon);

}  // namespace gridtwin::query
