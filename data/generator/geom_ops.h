#pragma once
// The few GEOS-backed operations the generator needs, in one place, each
// returning a MultiPolygon (polygonal parts only; lines and points that an
// overlay may produce are dropped).
#include <vector>

#include "core/error.h"
#include "geo/types.h"

namespace gridtwin::generator {

core::Result<std::vector<geo::Polygon>> voronoiCells(const std::vector<geo::Point>& sites,
                                                     const geo::Box& envelope);
core::Result<geo::MultiPolygon> intersect(const geo::MultiPolygon& a, const geo::MultiPolygon& b);
core::Result<geo::MultiPolygon> unite(const std::vector<geo::MultiPolygon>& parts);
core::Result<geo::MultiPolygon> inset(const geo::Polygon& polygon, double distance);

}  // namespace gridtwin::generator
