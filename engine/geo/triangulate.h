#pragma once
// Triangles of a polygon for drawing (the viewer fills grids and building
// roofs with them). Ear clipping with each hole bridged to the outer ring at a
// mutually visible vertex (D. Eberly, "Triangulation by Ear Clipping", 2002).
//
// Cost: O(n * r) per clipped ear in the worst case (n vertices, r of them
// reflex); footprints and grid outlines have few reflex vertices, so a grid of
// ~150 vertices takes microseconds. Not meant for polygons of 10^5 vertices.
//
// Thread-safety: pure function.
#include <cstdint>
#include <vector>

#include "geo/types.h"

namespace gridtwin::geo {

// Triangles as index triples into the polygon's vertices numbered in ring
// order: the outer ring's points first (without its closing repeat), then
// each hole's the same way. Every triangle is counter-clockwise. A ring with
// fewer than three distinct points is skipped; a polygon whose rings cross
// still gets triangles that cover it approximately (never a hang, never an
// index outside the polygon).
std::vector<std::uint32_t> triangulate(const Polygon& polygon);

// The vertices triangulate() numbers, in its order (rings without their
// closing repeat).
std::vector<Point> triangulationVertices(const Polygon& polygon);

}  // namespace gridtwin::geo
