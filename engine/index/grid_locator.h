#pragma once
// GridLocator: point → the grid (网格) that owns it, or "outside the district".
//
// Exact: for every finite point the answer is the grid GEOS would give with a
// prepared `covers` on the same polygons, with one tie rule:
//
//   TIE RULE. A point is owned by the grid with the LOWEST CODE among the
//   grids whose closure (interior or boundary) covers it. A point on an edge
//   shared by two grids, or on a vertex shared by several, thus goes to the
//   lowest code; a point on the district's outline goes to the one grid it
//   touches; a point covered by no grid is kOutside.
//
// (Codes are the 15-digit grid codes, compared as strings, which is numeric
// order for equal-length codes; equal codes fall back to the lower index.)
//
// How: a uniform raster over the grids' metric box; a cell that no edge
// touches holds its one answer; a cell some edge touches holds its
// candidate grids in code order, and a point there is tested exactly
// against only the candidate's edges in the point's raster row. See
// engine/index/DESIGN.md for the numbers.
//
// Thread-safety: immutable after build(); any number of threads may query
// one GridLocator concurrently. Copying copies the tables (a few MB);
// moving is cheap.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"
#include "crs/crs.h"
#include "crs/transformer.h"
#include "geo/types.h"
#include "index/detail/raster.h"
#include "model/district.h"

namespace gridtwin::index {

struct GridLocatorOptions {
  // Raster cells over the grids' box. The default keeps the cell table
  // (2 bytes a cell) within about 0.8 MiB, inside one core's 1 MiB L2 here.
  double targetCells = 384.0 * 1024.0;
  // 2-byte cell and sub-cell tables when every value fits (grids + boundary
  // cells + 1 < 65,536); otherwise, or when false, 4 bytes. Same answers
  // either way; false exists so that tests can compare the two.
  bool compactCells = true;
  // Threads for the build's cell tables: 0, the machine's cores (at most 4).
  // The tables are the same for any number.
  unsigned threads = 0;
};

class GridLocator {
 public:
  static constexpr std::int32_t kOutside = -1;    // covered by no grid
  static constexpr std::int32_t kNotFinite = -2;  // NaN or infinite input (find() only)

  using Options = GridLocatorOptions;

  // What build() made, and what it holds.
  struct Stats {
    std::size_t grids = 0;
    std::size_t edges = 0;  // ring segments over all grids
    std::uint32_t nx = 0, ny = 0;
    double cellSize = 0;            // metres
    std::size_t boundaryCells = 0;  // cells some edge touches
    std::size_t candidates = 0;     // candidate entries over all boundary cells
    std::size_t bandEdges = 0;      // (grid, row) edge entries
    unsigned cellBytes = 4;         // 2: compact cell and sub-cell tables
    std::size_t memoryBytes = 0;    // everything the locator holds
    double buildSeconds = 0;
  };

  // One grid's polygons in EPSG:4547 metres and its code (the tie rule's key).
  struct GridShape {
    geo::MultiPolygon xy;
    std::string code;
  };

  GridLocator() = default;

  // From the district's grids (their xy columns and codes); also records each
  // grid's community and street for placement(). Errors: kNonFinite naming
  // the grid code and vertex, kEmptyInput when there is no grid.
  static core::Result<GridLocator> build(const model::District& district,
                                         const Options& options = {});
  // From plain polygons (tests, other coverages). Polygons need not be valid;
  // the answer is still GEOS's covers plus the tie rule. Rings may be open.
  static core::Result<GridLocator> build(std::span<const GridShape> grids,
                                         const Options& options = {});

  // The hot path: the grid index (a row of the district's grids), kOutside,
  // or kNotFinite. No allocation, no error object.
  std::int32_t find(const geo::Point& xy) const noexcept {
    const double fx = (xy.x - m_raster.ox) * m_raster.inv;
    const double fy = (xy.y - m_raster.oy) * m_raster.inv;
    if (!(fx >= 0 && fy >= 0 && fx < m_nxd && fy < m_nyd)) return offRaster(xy);
    const auto cy = static_cast<std::uint32_t>(fy);
    const std::size_t cell = std::size_t{cy} * m_raster.nx + static_cast<std::uint32_t>(fx);
    const std::uint32_t v = m_compact ? m_cells16[cell] : m_cells[cell];
    if (v < m_firstBoundary) return v == m_outsideValue ? kOutside : static_cast<std::int32_t>(v);
    return boundaryCell(xy, v - m_firstBoundary, cy, fx, fy);
  }

  // The one answer find() gives for every point of `box` (EPSG:4547), when
  // the cell and sub-cell tables decide it without the exact test: a grid or
  // kOutside; kUndecided when the box reaches a "test" sub-cell, two
  // answers, more than 16 cells a side, or is not finite. For
  // SourceShortcut (source_shortcut.h). Exact by the raster's monotone maps:
  // every point of the box goes to a cell (and sub-cell) of those looked at.
  static constexpr std::int32_t kUndecided = -3;
  std::int32_t boxAnswer(const geo::Box& box) const noexcept;

  // Checked single point: the grid or kOutside; kNonFinite error naming the
  // point for NaN/infinite coordinates.
  core::Result<std::int32_t> locate(const geo::Point& xy) const;

  // Batch: out[i] = find(points[i]); out must be as long as points. Every
  // point is answered; non-finite ones get kNotFinite, and then the result
  // is a kNonFinite error naming the first of them and how many there were.
  // `threads` > 1 splits the batch over that many std::threads. Faster than
  // a loop over find(): points go in blocks, first through a branch-free
  // cell-table pass, then only the few in boundary cells through the
  // sub-cells, then only those in "test" sub-cells through the exact test.
  core::Result<void> locate(std::span<const geo::Point> xy, std::span<std::int32_t> out,
                            unsigned threads = 1) const;

  // Points in another CRS (lon/lat EPSG:4490/4326, GCJ02, BD09, ...):
  // transformed to EPSG:4547 first. The first form borrows a Transformer
  // whose target is EPSG:4547 (one per thread: Transformer is not
  // thread-safe); the second makes its own. Errors: the transform's
  // (kNonFinite, kOutOfDomain, ...) naming the point; kInvalidArgument when
  // the transformer's target is not EPSG:4547. A point in the wrong CRS
  // lands far away and is simply kOutside.
  core::Result<std::int32_t> locate(const geo::Point& p, const crs::Transformer& toMetric) const;
  core::Result<void> locate(std::span<const geo::Point> points, const crs::Crs& crs,
                            std::span<std::int32_t> out, unsigned threads = 1) const;

  // The district links of a grid found by build(district); -1 for kOutside
  // or when built from plain polygons.
  struct Placement {
    std::int32_t grid = kOutside;
    std::int32_t community = kOutside;
    std::int32_t street = kOutside;
  };
  Placement placement(std::int32_t grid) const;

  std::size_t gridCount() const { return m_rank.size(); }
  const Stats& stats() const { return m_stats; }
  std::size_t memoryBytes() const { return m_stats.memoryBytes; }

 private:
  struct Segment {
    geo::Point a;
    geo::Point b;
  };

  std::int32_t offRaster(const geo::Point& xy) const noexcept {
    return std::isfinite(xy.x) && std::isfinite(xy.y) ? kOutside : kNotFinite;
  }
  std::int32_t boundaryCell(const geo::Point& xy, std::uint32_t cell, std::uint32_t row, double fx,
                            double fy) const noexcept;
  // Boundary cell b's sub-cell value for raster coordinates (fx, fy) in it.
  std::uint32_t subcell(std::uint32_t b, double fx, double fy) const noexcept;
  // The exact test over boundary cell b's candidates, in code order.
  std::int32_t testCandidates(const geo::Point& xy, std::uint32_t b,
                              std::uint32_t row) const noexcept;
  // The batch kernel over one thread's range; returns the non-finite count
  // and sets `first` to the first of them (relative to xy).
  template <class Cell>
  std::size_t locateRange(const geo::Point* xy, std::int32_t* out, std::size_t n,
                          std::size_t& first) const noexcept;
  // Whether grid g's closure covers p, p being in raster row `row`: the ray
  // test over g's edges in that row only.
  bool covers(std::uint32_t grid, const geo::Point& p, std::uint32_t row) const noexcept;

  detail::Raster m_raster;
  double m_nxd = 0, m_nyd = 0;  // nx, ny as doubles, for the range test
  // Cell values: [0, grids) a grid owning the whole cell; m_outsideValue
  // (= grids) no grid; >= m_firstBoundary a boundary cell's index + offset.
  // One of the two tables is filled: m_cells16 when m_compact (every value
  // fits 16 bits: the table is half the size and stays in L2), else m_cells.
  bool m_compact = false;
  std::vector<std::uint16_t> m_cells16;
  std::vector<std::uint32_t> m_cells;
  std::uint32_t m_outsideValue = 0;
  std::uint32_t m_firstBoundary = 1;
  // Boundary cell b's candidates (grid indexes in code order):
  // m_candidates[m_candidateStart[b], m_candidateStart[b+1]).
  std::vector<std::uint32_t> m_candidateStart;
  std::vector<std::uint32_t> m_candidates;
  // Boundary cell b's kSubcells² sub-cells, row-major from its lower left:
  // a grid, m_outsideValue, or m_outsideValue + 1 (test the candidates).
  // 16 or 32 bits, as the cells.
  static constexpr std::uint32_t kSubcells = 4;
  std::vector<std::uint16_t> m_subcells16;
  std::vector<std::uint32_t> m_subcells;
  // Grid g's edges in raster row r (m_rowMin[g] <= r <= m_rowMax[g]):
  // m_bandEdges[m_bandStart[m_bandBase[g] + r - m_rowMin[g]], ... + 1]).
  std::vector<std::uint32_t> m_rowMin, m_rowMax, m_bandBase;
  std::vector<std::uint32_t> m_bandStart;
  std::vector<Segment> m_bandEdges;
  std::vector<std::uint32_t> m_rank;  // grid → position in code order
  std::vector<std::int32_t> m_community, m_street;
  Stats m_stats;
};

}  // namespace gridtwin::index
