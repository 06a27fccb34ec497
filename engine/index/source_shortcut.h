#pragma once
// SourceShortcut: the grid of a point given in the user's CRS (CGCS2000
// lon/lat) without transforming it, wherever that answer is the same for a
// whole cell of a raster in that CRS.
//
// Why: `gridtwin locate` spends more time on each point's transverse
// Mercator (sin, cos, atan2, log1p, asinh) than on the grid lookup. Most
// points lie well inside one grid or well outside the district; for them the
// metric point is not needed at all.
//
// How: a uniform raster over a box in the source CRS. Each cell's corners
// go through the same Transformer::transformStream the points would; the box
// of their images, widened by a margin, is handed to GridLocator::boxAnswer,
// which says whether the metric tables give every point of it one answer (a
// grid, or outside). A cell keeps that answer, or kUndecided: its points take
// the usual path (transform, then GridLocator::find). Exact because the image
// of a source cell lies within the box of its corners' images up to the
// curvature of the projection over one cell (about L²/(8R), 0.1 mm for a
// 70 m cell, R the earth's radius) and the series' agreement with PROJ
// (under a micrometre), while the margin is a centimetre plus a thousandth
// of the box. A cell whose corners do not all transform, or whose source box is not
// finite, is kUndecided; the source and target domains are boxes, so a cell
// whose corners are inside is inside.
//
// Numbers (Chancheng, 478 grids, 64k source cells of about 70 m): 81% of
// uniform points decided; build 10-15 ms of CPU; see DESIGN.md.
//
// Thread-safety: immutable after build(); any number of threads may query it.
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "crs/transformer.h"
#include "geo/types.h"
#include "index/detail/raster.h"
#include "index/grid_locator.h"

namespace gridtwin::index {

class SourceShortcut {
 public:
  static constexpr std::int32_t kOutside = GridLocator::kOutside;
  static constexpr std::int32_t kUndecided = GridLocator::kUndecided;

  SourceShortcut() = default;  // decides nothing

  // Over `sourceBox` (in toMetric's source CRS) with about `targetCells`
  // cells. Does not keep `locator` or `toMetric`: the answers are copied.
  // Errors: kInvalidArgument when toMetric's target is not EPSG:4547;
  // kEmptyInput for an empty or non-finite box.
  static core::Result<SourceShortcut> build(const GridLocator& locator,
                                            const crs::Transformer& toMetric,
                                            const geo::Box& sourceBox,
                                            double targetCells = 64.0 * 1024.0);

  // What GridLocator::find(toMetric(p)) gives (a grid or kOutside) when the
  // cell of p decides it; kUndecided otherwise (also off the raster, NaN).
  std::int32_t find(const geo::Point& p) const noexcept {
    const double fx = (p.x - m_raster.ox) * m_raster.inv;
    const double fy = (p.y - m_raster.oy) * m_raster.inv;
    if (!(fx >= 0 && fy >= 0 && fx < m_nxd && fy < m_nyd)) return kUndecided;
    return m_cells[std::size_t{static_cast<std::uint32_t>(fy)} * m_raster.nx +
                   static_cast<std::uint32_t>(fx)];
  }

  // Share of cells decided (0..1), for benchmarks and tests.
  double decidedShare() const;

 private:
  detail::Raster m_raster;
  double m_nxd = 0, m_nyd = 0;
  std::vector<std::int32_t> m_cells;  // a grid, kOutside or kUndecided
};

}  // namespace gridtwin::index
