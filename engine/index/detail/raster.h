#pragma once
// Internal to gridtwin::index: the uniform raster both indexes share, and the
// exact segment/box test that decides which cells an edge touches.
//
// Why the shortcuts are exact: a point goes to column floor((x - ox) * inv),
// and that map is monotone non-decreasing in x (a subtraction and a
// multiplication by a positive constant, each correctly rounded, then floor,
// then a clamp — all monotone). So "column(p) > column(q)" proves p.x > q.x,
// and every x in a column lies within its nominal interval [ox + i*cs,
// ox + (i+1)*cs] up to a few ulps. Cell boxes used for exact decisions are
// widened by margin() (a millionth of a cell), orders of magnitude more than
// those ulps, so a test against the widened box is conservative for every
// point the map puts in the cell.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "geo/algorithms.h"
#include "geo/types.h"

namespace gridtwin::index::detail {

struct Raster {
  double ox = 0;  // lower-left corner of cell (0, 0)
  double oy = 0;
  double cellSize = 1;
  double inv = 1;  // 1 / cellSize
  std::uint32_t nx = 0;
  std::uint32_t ny = 0;

  // Covers `box` with square cells, about `targetCells` of them, with a whole
  // free cell on each side when `border` (so that a point off the raster is
  // certainly off the box). `box` must be finite and non-empty.
  static Raster cover(const geo::Box& box, double targetCells, bool border) {
    Raster r;
    const double w = std::max(box.width(), 1e-9);
    const double h = std::max(box.height(), 1e-9);
    r.cellSize = std::sqrt(w * h / std::max(targetCells, 1.0));
    // Very elongated boxes: keep both sides at least one cell wide, and at
    // most 2^15 cells per side (the cell count then stays ≤ 2^30).
    r.cellSize = std::max({r.cellSize, w / 32768.0, h / 32768.0});
    r.inv = 1.0 / r.cellSize;
    const double pad = border ? r.cellSize : 0.0;
    r.ox = box.minx - pad;
    r.oy = box.miny - pad;
    r.nx = static_cast<std::uint32_t>(std::ceil((box.maxx + pad - r.ox) * r.inv)) + 1;
    r.ny = static_cast<std::uint32_t>(std::ceil((box.maxy + pad - r.oy) * r.inv)) + 1;
    return r;
  }

  std::size_t cells() const { return static_cast<std::size_t>(nx) * ny; }

  // The monotone maps; clamped into the raster. Callers reject NaN first.
  std::uint32_t col(double x) const { return clampTo((x - ox) * inv, nx); }
  std::uint32_t row(double y) const { return clampTo((y - oy) * inv, ny); }

  double margin() const { return cellSize * 1e-6; }
  // Cell (i, j)'s nominal box widened by margin().
  geo::Box cellBox(std::uint32_t i, std::uint32_t j) const {
    const double m = margin();
    return {ox + i * cellSize - m, oy + j * cellSize - m, ox + (i + 1.0) * cellSize + m,
            oy + (j + 1.0) * cellSize + m};
  }
  geo::Point cellCentre(std::uint32_t i, std::uint32_t j) const {
    return {ox + (i + 0.5) * cellSize, oy + (j + 0.5) * cellSize};
  }

 private:
  static std::uint32_t clampTo(double f, std::uint32_t n) {
    if (!(f >= 0)) return 0;
    if (f >= static_cast<double>(n)) return n - 1;
    return static_cast<std::uint32_t>(f);
  }
};

// Whether the closed segment a-b meets the closed box. Exact (separating
// axes: the two box axes, then the segment's normal via the exact
// orientation of the four corners).
inline bool segmentTouchesBox(const geo::Point& a, const geo::Point& b, const geo::Box& box) {
  if (std::max(a.x, b.x) < box.minx || std::min(a.x, b.x) > box.maxx ||
      std::max(a.y, b.y) < box.miny || std::min(a.y, b.y) > box.maxy) {
    return false;
  }
  if (box.contains(a) || box.contains(b)) return true;
  const int o1 = geo::orientation(a, b, {box.minx, box.miny});
  const int o2 = geo::orientation(a, b, {box.maxx, box.miny});
  const int o3 = geo::orientation(a, b, {box.maxx, box.maxy});
  const int o4 = geo::orientation(a, b, {box.minx, box.maxy});
  if (o1 > 0 && o2 > 0 && o3 > 0 && o4 > 0) return false;
  if (o1 < 0 && o2 < 0 && o3 < 0 && o4 < 0) return false;
  return true;
}

// One step of the ray-crossing test of geo::locate() (ray to +x, half-open
// rule on y, on-segment decided exactly), for a ring edge p1-p2. Returns
// true when p is ON the edge; otherwise adds the edge's crossing to
// `crossings`. Kept identical to geo::locate so that scanning any subset of
// a ring's edges that holds every edge whose y-range contains p.y gives
// geo::locate's answer.
inline bool crossEdge(const geo::Point& p1, const geo::Point& p2, const geo::Point& p,
                      int& crossings) {
  if ((p1.y > p.y && p2.y > p.y) || (p1.y < p.y && p2.y < p.y)) return false;
  if (p1.x < p.x && p2.x < p.x) return false;
  if (p.x == p2.x && p.y == p2.y) return true;
  if (p.x == p1.x && p.y == p1.y) return true;  // geo::locate sees p1 as the previous p2
  if (p1.y == p.y && p2.y == p.y) {
    return p.x >= std::fmin(p1.x, p2.x) && p.x <= std::fmax(p1.x, p2.x);
  }
  if ((p1.y > p.y && p2.y <= p.y) || (p2.y > p.y && p1.y <= p.y)) {
    int orient = geo::orientation(p1, p2, p);
    if (orient == 0) return true;
    if (p2.y < p1.y) orient = -orient;
    if (orient > 0) ++crossings;
  }
  return false;
}

}  // namespace gridtwin::index::detail
