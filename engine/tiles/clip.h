#pragma once
// From Web Mercator metres to a tile's integer grid: scale, clip to the tile
// plus its buffer, simplify, round, orient. Pure functions; thread-safe.
//
//   frame:     tile square [0, extent] (y down), clip box [-buffer, extent + buffer]
//   lines:     Liang–Barsky per segment; a line leaving and re-entering the
//              box becomes several lines
//   rings:     Sutherland–Hodgman against the four sides (a ring stays one
//              ring; edges may run along the clip box, which is outside the
//              tile proper)
//   simplify:  Douglas–Peucker in tile units (tolerance 0: rounding only),
//              then repeated points removed
//   rings:     fewer than three distinct points or zero area after rounding
//              are dropped (degenerate; a ring that simplification alone
//              flattens keeps its rounded outline); exterior rings come out clockwise on
//              screen (mvt::ringArea2 > 0), holes the other way; a polygon
//              whose exterior is dropped loses its holes with it
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "geo/types.h"
#include "tiles/mvt.h"

namespace gridtwin::tiles {

struct TileFrame {
  geo::Box bounds;  // the tile in EPSG:3857 metres
  std::uint32_t extent = 4096;
  std::uint32_t buffer = 64;
  double tolerance = 0;  // Douglas–Peucker tolerance, tile units

  // The clip box in EPSG:3857 metres (the tile grown by the buffer).
  geo::Box clipBounds() const;
  // Metres -> tile units (not rounded).
  geo::Point toTile(const geo::Point& m) const;
};

// Buffers reused from one ring to the next (a dense z14 tile clips ~9,000
// rings; a fresh vector per step was ~10% of its render in perf). One per
// thread.
struct ClipScratch {
  std::vector<geo::Point> a, b, simplified;
  std::vector<char> keep;
  std::vector<std::pair<std::size_t, std::size_t>> stack;
};

// Douglas–Peucker on an open chain (a closed ring's repeated end point is
// kept as the chain's end). tolerance <= 0 keeps every point.
std::vector<geo::Point> simplify(std::span<const geo::Point> chain, double tolerance);

// A point inside the clip box, rounded; false when outside.
bool clipPoint(const TileFrame& frame, const geo::Point& m, mvt::TilePoint& out);

// A line in metres -> zero or more lines in tile units, each with 2+ points.
void clipLine(const TileFrame& frame, std::span<const geo::Point> line,
              std::vector<std::vector<mvt::TilePoint>>& out);

// A ring in metres (closed or not) -> the clipped, simplified ring in tile
// units, each point once, oriented as an exterior (exterior = true) or a hole;
// empty when degenerate.
std::vector<mvt::TilePoint> clipRing(const TileFrame& frame, std::span<const geo::Point> ring,
                                     bool exterior);
// The same into `out` (cleared first; empty when degenerate), with `scratch`'s
// buffers.
void clipRing(const TileFrame& frame, std::span<const geo::Point> ring, bool exterior,
              std::vector<mvt::TilePoint>& out, ClipScratch& scratch);

}  // namespace gridtwin::tiles
