#include "index/grid_locator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <utility>

#include "core/workers.h"

namespace gridtwin::index {

namespace {

using core::ErrorCode;
using core::makeError;

std::string pointText(const geo::Point& p) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "(%.17g, %.17g)", p.x, p.y);
  return buf;
}

template <class T>
std::size_t bytesOf(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

// Splits [0, n) into `threads` chunks of at least 4096 and runs
// f(begin, end, chunk) on each (core/workers.h).
template <class F>
void forChunks(std::size_t n, unsigned threads, F&& f) {
  core::forRanges(n, threads, 4096, std::forward<F>(f));
}

}  // namespace

core::Result<GridLocator> GridLocator::build(const model::District& district,
                                             const Options& options) {
  const auto& grids = district.grids();
  const auto& shape = grids.shape;
  std::vector<GridShape> shapes(grids.size());
  for (std::size_t g = 0; g < grids.size(); ++g) {
    shapes[g].code = std::string(grids.code[g]);
    shapes[g].xy = model::xyShape(shape, g);
  }
  auto locator = build(std::span<const GridShape>(shapes), options);
  if (!locator) return locator;
  locator->m_community.resize(grids.size());
  locator->m_street.resize(grids.size());
  for (std::size_t g = 0; g < grids.size(); ++g) {
    locator->m_community[g] = static_cast<std::int32_t>(district.communityOfGrid(g));
    locator->m_street[g] = static_cast<std::int32_t>(district.streetOfGrid(g));
  }
  locator->m_stats.memoryBytes += bytesOf(locator->m_community) + bytesOf(locator->m_street);
  return locator;
}

core::Result<GridLocator> GridLocator::build(std::span<const GridShape> grids,
                                             const Options& options) {
  const auto t0 = std::chrono::steady_clock::now();
  if (grids.empty()) return makeError(ErrorCode::kEmptyInput, "no grid to index", "GridLocator");
  if (grids.size() >= (1u << 30)) {
    return makeError(ErrorCode::kInvalidArgument, "too many grids", "GridLocator");
  }
  const auto gridCount = static_cast<std::uint32_t>(grids.size());
  GridLocator L;

  // Edges of every grid (all rings of all parts; open rings closed), boxes.
  std::vector<std::vector<Segment>> edges(gridCount);
  std::vector<geo::Box> boxes(gridCount);
  geo::Box all;
  for (std::uint32_t g = 0; g < gridCount; ++g) {
    for (std::size_t part = 0; part < grids[g].xy.polygons.size(); ++part) {
      const geo::Polygon& polygon = grids[g].xy.polygons[part];
      for (std::size_t r = 0; r <= polygon.holes.size(); ++r) {
        const geo::Ring& ring = r == 0 ? polygon.outer : polygon.holes[r - 1];
        for (std::size_t i = 0; i < ring.size(); ++i) {
          if (!std::isfinite(ring[i].x) || !std::isfinite(ring[i].y)) {
            return makeError(
                ErrorCode::kNonFinite, "vertex " + std::to_string(i) + " is " + pointText(ring[i]),
                "grid " + grids[g].code + " (index " + std::to_string(g) + "), polygon " +
                    std::to_string(part) + ", ring " + std::to_string(r));
          }
          boxes[g].expand(ring[i]);
          const geo::Point& next = ring[i + 1 == ring.size() ? 0 : i + 1];
          if (i + 1 < ring.size() || !(next == ring[i])) edges[g].push_back({ring[i], next});
        }
      }
    }
    if (!boxes[g].empty()) all.expand(boxes[g]);
  }
  if (all.empty()) {
    return makeError(ErrorCode::kEmptyInput, "every grid polygon is empty", "GridLocator");
  }

  // Code order: the tie rule.
  std::vector<std::uint32_t> order(gridCount);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (grids[a].code != grids[b].code) return grids[a].code < grids[b].code;
    return a < b;
  });
  L.m_rank.resize(gridCount);
  for (std::uint32_t k = 0; k < gridCount; ++k) L.m_rank[order[k]] = k;

  const detail::Raster raster = detail::Raster::cover(all, options.targetCells, true);
  L.m_raster = raster;
  L.m_nxd = raster.nx;
  L.m_nyd = raster.ny;

  // Row bands: grid g's edges by raster row, for the exact test.
  L.m_rowMin.assign(gridCount, 1);
  L.m_rowMax.assign(gridCount, 0);
  L.m_bandBase.assign(gridCount, 0);
  std::uint32_t bands = 0;
  for (std::uint32_t g = 0; g < gridCount; ++g) {
    L.m_bandBase[g] = bands;
    if (boxes[g].empty()) continue;  // rowMin > rowMax: never covers
    L.m_rowMin[g] = raster.row(boxes[g].miny);
    L.m_rowMax[g] = raster.row(boxes[g].maxy);
    bands += L.m_rowMax[g] - L.m_rowMin[g] + 1;
  }
  L.m_bandStart.assign(bands + 1, 0);
  for (std::uint32_t g = 0; g < gridCount; ++g) {
    for (const Segment& s : edges[g]) {
      const std::uint32_t r0 = raster.row(std::min(s.a.y, s.b.y));
      const std::uint32_t r1 = raster.row(std::max(s.a.y, s.b.y));
      for (std::uint32_t r = r0; r <= r1; ++r)
        ++L.m_bandStart[L.m_bandBase[g] + r - L.m_rowMin[g] + 1];
    }
  }
  std::partial_sum(L.m_bandStart.begin(), L.m_bandStart.end(), L.m_bandStart.begin());
  L.m_bandEdges.resize(L.m_bandStart.back());
  {
    std::vector<std::uint32_t> fill(L.m_bandStart.begin(), L.m_bandStart.end() - 1);
    for (std::uint32_t g = 0; g < gridCount; ++g) {
      for (const Segment& s : edges[g]) {
        const std::uint32_t r0 = raster.row(std::min(s.a.y, s.b.y));
        const std::uint32_t r1 = raster.row(std::max(s.a.y, s.b.y));
        for (std::uint32_t r = r0; r <= r1; ++r) {
          L.m_bandEdges[fill[L.m_bandBase[g] + r - L.m_rowMin[g]]++] = s;
        }
      }
    }
  }

  // Which cells each grid's edges touch: (cell << 32 | rank) pairs, and
  // (cell << 32 | index into flatEdges). Grids in blocks over the workers,
  // each worker's pairs sorted by itself, then merged: sorted, the pairs are
  // the same whatever the order they were found in.
  std::vector<Segment> flatEdges;
  std::vector<std::uint32_t> edgeBase(gridCount + 1, 0);
  for (std::uint32_t g = 0; g < gridCount; ++g) {
    if (flatEdges.size() + edges[g].size() > 0xffffffffu) {
      return makeError(ErrorCode::kInvalidArgument, "too many edges", "GridLocator");
    }
    flatEdges.insert(flatEdges.end(), edges[g].begin(), edges[g].end());
    edgeBase[g + 1] = static_cast<std::uint32_t>(flatEdges.size());
  }
  const std::size_t edgeCount = flatEdges.size();
  const double m = raster.margin();
  constexpr std::uint32_t kBlockGrids = 8;
  const std::size_t gridBlocks = (gridCount + kBlockGrids - 1) / kBlockGrids;
  const unsigned edgeWorkers = core::workerCount(options.threads, gridBlocks);
  std::vector<std::vector<std::uint64_t>> touchesOf(edgeWorkers), cellEdgesOf(edgeWorkers);
  core::TaskQueue gridQueue(gridBlocks);
  core::runWorkers(edgeWorkers, [&](unsigned w) {
    std::vector<std::uint64_t>& touches = touchesOf[w];
    std::vector<std::uint64_t>& cellEdges = cellEdgesOf[w];
    std::size_t block;
    while (gridQueue.take(block)) {
      const auto g0 = static_cast<std::uint32_t>(block) * kBlockGrids;
      for (std::uint32_t g = g0; g < std::min(gridCount, g0 + kBlockGrids); ++g) {
        for (std::uint32_t e = edgeBase[g]; e < edgeBase[g + 1]; ++e) {
          const Segment& s = flatEdges[e];
          const std::uint32_t i0 = raster.col(std::min(s.a.x, s.b.x) - m);
          const std::uint32_t i1 = raster.col(std::max(s.a.x, s.b.x) + m);
          const std::uint32_t j0 = raster.row(std::min(s.a.y, s.b.y) - m);
          const std::uint32_t j1 = raster.row(std::max(s.a.y, s.b.y) + m);
          for (std::uint32_t j = j0; j <= j1; ++j) {
            for (std::uint32_t i = i0; i <= i1; ++i) {
              if (detail::segmentTouchesBox(s.a, s.b, raster.cellBox(i, j))) {
                const std::uint64_t cell = static_cast<std::uint64_t>(j) * raster.nx + i;
                touches.push_back(cell << 32 | L.m_rank[g]);
                cellEdges.push_back(cell << 32 | e);
              }
            }
          }
        }
      }
    }
    std::sort(cellEdges.begin(), cellEdges.end());
    std::sort(touches.begin(), touches.end());
  });
  const auto mergeAll = [](std::vector<std::vector<std::uint64_t>>& parts) {
    std::vector<std::uint64_t> out = std::move(parts[0]);
    for (std::size_t k = 1; k < parts.size(); ++k) {
      std::vector<std::uint64_t> merged(out.size() + parts[k].size());
      std::merge(out.begin(), out.end(), parts[k].begin(), parts[k].end(), merged.begin());
      out.swap(merged);
    }
    return out;
  };
  const std::vector<std::uint64_t> cellEdges = mergeAll(cellEdgesOf);
  std::vector<std::uint64_t> touches = mergeAll(touchesOf);
  touches.erase(std::unique(touches.begin(), touches.end()), touches.end());

  // Grids whose box spans each row, to find those covering a cell centre.
  std::vector<std::uint32_t> rowGridStart(raster.ny + 1, 0), rowGrids;
  for (std::uint32_t g = 0; g < gridCount; ++g) {
    for (std::uint32_t r = L.m_rowMin[g]; r <= L.m_rowMax[g] && L.m_rowMin[g] <= L.m_rowMax[g];
         ++r) {
      ++rowGridStart[r + 1];
    }
  }
  std::partial_sum(rowGridStart.begin(), rowGridStart.end(), rowGridStart.begin());
  rowGrids.resize(rowGridStart.back());
  {
    std::vector<std::uint32_t> fill(rowGridStart.begin(), rowGridStart.end() - 1);
    for (std::uint32_t k = 0; k < gridCount; ++k) {  // in code order, so lists are too
      const std::uint32_t g = order[k];
      for (std::uint32_t r = L.m_rowMin[g]; r <= L.m_rowMax[g] && L.m_rowMin[g] <= L.m_rowMax[g];
           ++r) {
        rowGrids[fill[r]++] = g;
      }
    }
  }
  // Grids covering the point p of row j, in code order, appended to out.
  auto coveringAt = [&](const geo::Point& p, std::uint32_t j, std::vector<std::uint32_t>& out,
                        bool firstOnly) {
    for (std::uint32_t k = rowGridStart[j]; k < rowGridStart[j + 1]; ++k) {
      const std::uint32_t g = rowGrids[k];
      if (!boxes[g].contains(p)) continue;
      if (L.covers(g, p, j)) {
        out.push_back(g);
        if (firstOnly) return;
      }
    }
  };

  L.m_outsideValue = gridCount;
  L.m_firstBoundary = gridCount + 1;
  L.m_cells.assign(raster.cells(), L.m_outsideValue);
  // The cell tables, by blocks of raster rows over the workers: rows are
  // independent (a run of untouched cells never crosses a row), so a worker
  // fills its block's cells and keeps the block's boundary cells' candidates
  // and sub-cells, which are then joined in row order; a boundary cell's
  // value is first its index in its block and gets the blocks before it
  // added. The same tables as one thread makes (tested), in about half the
  // time on two cores: this loop is most of the build, and the build most of
  // opening the twin for `gridtwin locate`.
  struct RowRange {
    std::vector<std::uint32_t> candidateEnd;  // per boundary cell, into candidates
    std::vector<std::uint32_t> candidates;
    std::vector<std::uint32_t> subcells;
    std::uint32_t rowBegin = 0, rowEnd = 0;
  };
  // Blocks of rows taken in turn (the district is not a rectangle: rows
  // differ in work), joined in block order.
  constexpr std::uint32_t kBlockRows = 16;
  std::vector<RowRange> ranges((raster.ny + kBlockRows - 1) / kBlockRows);
  const auto fillRows = [&](RowRange& out, std::uint32_t rowBegin, std::uint32_t rowEnd) {
    out.rowBegin = rowBegin;
    out.rowEnd = rowEnd;
    const std::uint64_t firstCell = static_cast<std::uint64_t>(rowBegin) * raster.nx;
    std::size_t t = static_cast<std::size_t>(  // next touch pair
        std::lower_bound(touches.begin(), touches.end(), firstCell << 32) - touches.begin());
    std::size_t te = static_cast<std::size_t>(  // next cell edge pair
        std::lower_bound(cellEdges.begin(), cellEdges.end(), firstCell << 32) - cellEdges.begin());
    std::vector<std::uint32_t> list;
    for (std::uint32_t j = rowBegin; j < rowEnd; ++j) {
      bool inRun = false;
      std::uint32_t runValue = L.m_outsideValue;
      for (std::uint32_t i = 0; i < raster.nx; ++i) {
        const std::uint64_t cell = static_cast<std::uint64_t>(j) * raster.nx + i;
        if (t < touches.size() && (touches[t] >> 32) == cell) {
          inRun = false;
          list.clear();
          for (; t < touches.size() && (touches[t] >> 32) == cell; ++t) {
            list.push_back(order[touches[t] & 0xffffffffu]);
          }
          // A grid whose edges miss the cell but which covers it whole (only
          // possible when grids overlap) is a candidate too.
          const std::size_t touched = list.size();
          std::vector<std::uint32_t> whole;
          coveringAt(raster.cellCentre(i, j), j, whole, false);
          for (std::uint32_t g : whole) {
            if (std::find(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(touched), g) ==
                list.begin() + static_cast<std::ptrdiff_t>(touched)) {
              list.push_back(g);
            }
          }
          std::sort(list.begin(), list.end(),
                    [&](std::uint32_t a, std::uint32_t b) { return L.m_rank[a] < L.m_rank[b]; });
          const auto b = static_cast<std::uint32_t>(out.candidateEnd.size());
          out.candidates.insert(out.candidates.end(), list.begin(), list.end());
          out.candidateEnd.push_back(static_cast<std::uint32_t>(out.candidates.size()));
          L.m_cells[cell] = L.m_firstBoundary + b;  // in this range; offset below
          // Sub-cells: those no edge of the cell touches get their answer now
          // (the centre's, exactly); only points in the others are tested.
          while (te < cellEdges.size() && (cellEdges[te] >> 32) < cell) ++te;
          const std::size_t edgesBegin = te;
          while (te < cellEdges.size() && (cellEdges[te] >> 32) == cell) ++te;
          const double sub = raster.cellSize / kSubcells;
          for (std::uint32_t sy = 0; sy < kSubcells; ++sy) {
            for (std::uint32_t sx = 0; sx < kSubcells; ++sx) {
              const double minx = raster.ox + i * raster.cellSize + sx * sub;
              const double miny = raster.oy + j * raster.cellSize + sy * sub;
              const geo::Box subBox{minx - m, miny - m, minx + sub + m, miny + sub + m};
              bool touchedSub = false;
              for (std::size_t k = edgesBegin; k < te && !touchedSub; ++k) {
                const Segment& e = flatEdges[cellEdges[k] & 0xffffffffu];
                touchedSub = detail::segmentTouchesBox(e.a, e.b, subBox);
              }
              std::uint32_t value = L.m_outsideValue + 1;  // test exactly
              if (!touchedSub) {
                const geo::Point c{minx + sub / 2, miny + sub / 2};
                value = L.m_outsideValue;
                for (std::uint32_t g : list) {
                  if (L.covers(g, c, j)) {
                    value = g;
                    break;
                  }
                }
              }
              out.subcells.push_back(value);
            }
          }
          continue;
        }
        if (!inRun) {
          // A run of untouched cells is one edge-free region: its first
          // centre's answer is every point's answer.
          list.clear();
          coveringAt(raster.cellCentre(i, j), j, list, true);
          runValue = list.empty() ? L.m_outsideValue : list.front();
          inRun = true;
        }
        L.m_cells[cell] = runValue;
      }
    }
  };
  core::TaskQueue blocks(ranges.size());
  core::runWorkers(core::workerCount(options.threads, ranges.size()), [&](unsigned) {
    std::size_t b;
    while (blocks.take(b)) {
      const auto begin = static_cast<std::uint32_t>(b) * kBlockRows;
      fillRows(ranges[b], begin, std::min(raster.ny, begin + kBlockRows));
    }
  });
  L.m_candidateStart.assign(1, 0);
  for (const RowRange& r : ranges) {
    const auto offset = static_cast<std::uint32_t>(L.m_candidateStart.size() - 1);
    const auto candidatesBefore = static_cast<std::uint32_t>(L.m_candidates.size());
    for (std::uint32_t end : r.candidateEnd) L.m_candidateStart.push_back(candidatesBefore + end);
    L.m_candidates.insert(L.m_candidates.end(), r.candidates.begin(), r.candidates.end());
    L.m_subcells.insert(L.m_subcells.end(), r.subcells.begin(), r.subcells.end());
    if (offset == 0) continue;
    const std::size_t end = std::size_t{r.rowEnd} * raster.nx;
    for (std::size_t cell = std::size_t{r.rowBegin} * raster.nx; cell < end; ++cell) {
      if (L.m_cells[cell] >= L.m_firstBoundary) L.m_cells[cell] += offset;
    }
  }

  Stats& s = L.m_stats;
  s.grids = gridCount;
  s.edges = edgeCount;
  s.nx = raster.nx;
  s.ny = raster.ny;
  s.cellSize = raster.cellSize;
  s.boundaryCells = L.m_candidateStart.size() - 1;
  s.candidates = L.m_candidates.size();
  s.bandEdges = L.m_bandEdges.size();
  // Compact tables: the largest value is the last boundary cell's.
  const std::uint64_t largest = std::uint64_t{L.m_firstBoundary} + s.boundaryCells;
  if (options.compactCells && largest <= 0xffffu) {
    L.m_compact = true;
    L.m_cells16.assign(L.m_cells.begin(), L.m_cells.end());
    L.m_subcells16.assign(L.m_subcells.begin(), L.m_subcells.end());
    std::vector<std::uint32_t>().swap(L.m_cells);
    std::vector<std::uint32_t>().swap(L.m_subcells);
  }
  s.cellBytes = L.m_compact ? 2 : 4;
  L.m_cells.shrink_to_fit();
  L.m_candidates.shrink_to_fit();
  L.m_candidateStart.shrink_to_fit();
  L.m_subcells.shrink_to_fit();
  s.memoryBytes = sizeof(GridLocator) + bytesOf(L.m_cells) + bytesOf(L.m_subcells) +
                  bytesOf(L.m_cells16) + bytesOf(L.m_subcells16) + bytesOf(L.m_candidateStart) +
                  bytesOf(L.m_candidates) + bytesOf(L.m_rowMin) + bytesOf(L.m_rowMax) +
                  bytesOf(L.m_bandBase) + bytesOf(L.m_bandStart) + bytesOf(L.m_bandEdges) +
                  bytesOf(L.m_rank);
  s.buildSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return L;
}

bool GridLocator::covers(std::uint32_t grid, const geo::Point& p,
                         std::uint32_t row) const noexcept {
  if (row < m_rowMin[grid] || row > m_rowMax[grid]) return false;
  const std::uint32_t band = m_bandBase[grid] + row - m_rowMin[grid];
  int crossings = 0;
  for (std::uint32_t e = m_bandStart[band]; e < m_bandStart[band + 1]; ++e) {
    if (detail::crossEdge(m_bandEdges[e].a, m_bandEdges[e].b, p, crossings)) return true;
  }
  return (crossings & 1) != 0;
}

std::uint32_t GridLocator::subcell(std::uint32_t b, double fx, double fy) const noexcept {
  // fx - floor(fx) is exact (fx < 2^32); times kSubcells (a power of two) too.
  const auto sx = static_cast<std::uint32_t>((fx - static_cast<std::uint32_t>(fx)) * kSubcells);
  const auto sy = static_cast<std::uint32_t>((fy - static_cast<std::uint32_t>(fy)) * kSubcells);
  const std::size_t at = std::size_t{b} * kSubcells * kSubcells + sy * kSubcells + sx;
  return m_compact ? m_subcells16[at] : m_subcells[at];
}

std::int32_t GridLocator::testCandidates(const geo::Point& xy, std::uint32_t b,
                                         std::uint32_t row) const noexcept {
  for (std::uint32_t k = m_candidateStart[b]; k < m_candidateStart[b + 1]; ++k) {
    if (covers(m_candidates[k], xy, row)) return static_cast<std::int32_t>(m_candidates[k]);
  }
  return kOutside;
}

std::int32_t GridLocator::boundaryCell(const geo::Point& xy, std::uint32_t cell, std::uint32_t row,
                                       double fx, double fy) const noexcept {
  const std::uint32_t v = subcell(cell, fx, fy);
  if (v < m_outsideValue) return static_cast<std::int32_t>(v);
  if (v == m_outsideValue) return kOutside;
  return testCandidates(xy, cell, row);
}

std::int32_t GridLocator::boxAnswer(const geo::Box& box) const noexcept {
  const detail::Raster& R = m_raster;
  // The same arithmetic as find(): every point of the box has fx in
  // [fx0, fx1] and fy in [fy0, fy1] (the maps are monotone).
  const double fx0 = (box.minx - R.ox) * R.inv, fx1 = (box.maxx - R.ox) * R.inv;
  const double fy0 = (box.miny - R.oy) * R.inv, fy1 = (box.maxy - R.oy) * R.inv;
  if (!(std::isfinite(fx0) && std::isfinite(fx1) && std::isfinite(fy0) && std::isfinite(fy1)) ||
      fx0 > fx1 || fy0 > fy1) {
    return kUndecided;
  }
  std::int64_t answer = -4;  // none yet
  const auto meet = [&answer](std::int64_t v) {
    if (answer == -4) answer = v;
    return answer == v;
  };
  // A finite point off the raster is kOutside.
  if ((fx0 < 0 || fy0 < 0 || fx1 >= m_nxd || fy1 >= m_nyd) && !meet(kOutside)) return kUndecided;
  if (fx1 < 0 || fy1 < 0 || fx0 >= m_nxd || fy0 >= m_nyd) return kOutside;
  // The part on the raster; a side cut by the raster's edge reaches the
  // last sub-cell of its cells.
  const bool cutX0 = fx0 < 0, cutY0 = fy0 < 0, cutX1 = fx1 >= m_nxd, cutY1 = fy1 >= m_nyd;
  const std::uint32_t i0 = cutX0 ? 0 : static_cast<std::uint32_t>(fx0);
  const std::uint32_t i1 = cutX1 ? R.nx - 1 : static_cast<std::uint32_t>(fx1);
  const std::uint32_t j0 = cutY0 ? 0 : static_cast<std::uint32_t>(fy0);
  const std::uint32_t j1 = cutY1 ? R.ny - 1 : static_cast<std::uint32_t>(fy1);
  if (i1 - i0 >= 16 || j1 - j0 >= 16) return kUndecided;
  const std::int64_t outside = m_outsideValue;
  for (std::uint32_t j = j0; j <= j1; ++j) {
    for (std::uint32_t i = i0; i <= i1; ++i) {
      const std::size_t cell = std::size_t{j} * R.nx + i;
      const std::uint32_t v = m_compact ? m_cells16[cell] : m_cells[cell];
      if (v < m_firstBoundary) {
        if (!meet(v == outside ? kOutside : std::int64_t{v})) return kUndecided;
        continue;
      }
      // Sub-cells the box reaches in this cell, by subcell()'s arithmetic:
      // (f - cell) * kSubcells is monotone in f.
      const std::uint32_t b = v - m_firstBoundary;
      const auto sub = [](double f, std::uint32_t c) {
        return static_cast<std::uint32_t>((f - c) * kSubcells);
      };
      constexpr std::uint32_t kLast = kSubcells - 1;
      const std::uint32_t sx0 = i == i0 && !cutX0 ? sub(fx0, i) : 0;
      const std::uint32_t sx1 = i == i1 && !cutX1 ? std::min(sub(fx1, i), kLast) : kLast;
      const std::uint32_t sy0 = j == j0 && !cutY0 ? sub(fy0, j) : 0;
      const std::uint32_t sy1 = j == j1 && !cutY1 ? std::min(sub(fy1, j), kLast) : kLast;
      for (std::uint32_t sy = sy0; sy <= sy1; ++sy) {
        for (std::uint32_t sx = sx0; sx <= sx1; ++sx) {
          const std::size_t at = std::size_t{b} * kSubcells * kSubcells + sy * kSubcells + sx;
          const std::uint32_t w = m_compact ? m_subcells16[at] : m_subcells[at];
          if (w > m_outsideValue) return kUndecided;  // the exact test decides
          if (!meet(w == m_outsideValue ? kOutside : std::int64_t{w})) return kUndecided;
        }
      }
    }
  }
  return static_cast<std::int32_t>(answer);
}

template <class Cell>
std::size_t GridLocator::locateRange(const geo::Point* xy, std::int32_t* out, std::size_t n,
                                     std::size_t& first) const noexcept {
  // Three passes per block. (1) Every point: the cell table, without a
  // branch (an off-raster point reads cell 0 and is sent on); the ~93% of
  // uniform points in whole cells are done. The loads are independent, so
  // the core keeps many in flight, and no misprediction flushes them.
  // (2) Points in boundary cells (and off-raster ones): the sub-cell.
  // (3) Points in "test" sub-cells: the exact band test. Each pass answers
  // exactly as find() does: same arithmetic, same tables.
  constexpr std::size_t kBlock = 256;
  const Cell* cells;
  if constexpr (sizeof(Cell) == 2) {
    cells = m_cells16.data();
  } else {
    cells = m_cells.data();
  }
  const detail::Raster& R = m_raster;
  const std::uint32_t firstBoundary = m_firstBoundary, outside = m_outsideValue;
  std::uint32_t later[kBlock];
  std::uint32_t test[kBlock];
  std::size_t bad = 0;
  for (std::size_t base = 0; base < n; base += kBlock) {
    const std::size_t m = std::min(kBlock, n - base);
    const geo::Point* p = xy + base;
    std::int32_t* o = out + base;
    std::uint32_t nLater = 0;
    for (std::size_t i = 0; i < m; ++i) {
      const double fx = (p[i].x - R.ox) * R.inv;
      const double fy = (p[i].y - R.oy) * R.inv;
      const bool in = (fx >= 0) & (fy >= 0) & (fx < m_nxd) & (fy < m_nyd);
      const std::uint32_t cx = in ? static_cast<std::uint32_t>(fx) : 0;
      const std::uint32_t cy = in ? static_cast<std::uint32_t>(fy) : 0;
      const std::uint32_t v = cells[std::size_t{cy} * R.nx + cx];
      o[i] = v == outside ? kOutside : static_cast<std::int32_t>(v);
      later[nLater] = static_cast<std::uint32_t>(i);
      nLater += (!in) | (v >= firstBoundary);
    }
    std::uint32_t nTest = 0;
    for (std::uint32_t k = 0; k < nLater; ++k) {
      const std::uint32_t i = later[k];
      const double fx = (p[i].x - R.ox) * R.inv;
      const double fy = (p[i].y - R.oy) * R.inv;
      if (!(fx >= 0 && fy >= 0 && fx < m_nxd && fy < m_nyd)) [[unlikely]] {
        o[i] = offRaster(p[i]);
        if (o[i] == kNotFinite && bad++ == 0) first = base + i;
        continue;
      }
      const std::uint32_t v = subcell(static_cast<std::uint32_t>(o[i]) - firstBoundary, fx, fy);
      o[i] = v == outside ? kOutside : static_cast<std::int32_t>(v);
      test[nTest] = i;
      nTest += v > outside;
    }
    for (std::uint32_t k = 0; k < nTest; ++k) {
      const std::uint32_t i = test[k];
      const double fx = (p[i].x - R.ox) * R.inv;
      const double fy = (p[i].y - R.oy) * R.inv;
      const auto cy = static_cast<std::uint32_t>(fy);
      const std::uint32_t v = cells[std::size_t{cy} * R.nx + static_cast<std::uint32_t>(fx)];
      o[i] = testCandidates(p[i], v - firstBoundary, cy);
    }
  }
  return bad;
}

core::Result<std::int32_t> GridLocator::locate(const geo::Point& xy) const {
  const std::int32_t g = find(xy);
  if (g == kNotFinite) {
    return makeError(ErrorCode::kNonFinite, "coordinate is not finite: " + pointText(xy),
                     "locating points");
  }
  return g;
}

core::Result<void> GridLocator::locate(std::span<const geo::Point> xy, std::span<std::int32_t> out,
                                       unsigned threads) const {
  if (out.size() != xy.size()) {
    return makeError(ErrorCode::kInvalidArgument,
                     "output holds " + std::to_string(out.size()) + " answers for " +
                         std::to_string(xy.size()) + " points",
                     "locating points");
  }
  struct Bad {
    std::size_t first = SIZE_MAX;
    std::size_t count = 0;
  };
  std::vector<Bad> bad(std::max(1u, threads));
  forChunks(xy.size(), threads, [&](std::size_t begin, std::size_t end, unsigned chunk) {
    Bad b;
    std::size_t first = 0;
    b.count =
        m_compact
            ? locateRange<std::uint16_t>(xy.data() + begin, out.data() + begin, end - begin, first)
            : locateRange<std::uint32_t>(xy.data() + begin, out.data() + begin, end - begin, first);
    if (b.count) b.first = begin + first;
    bad[chunk] = b;
  });
  Bad total;
  for (const Bad& b : bad) {
    total.first = std::min(total.first, b.first);
    total.count += b.count;
  }
  if (total.count == 0) return {};
  return makeError(ErrorCode::kNonFinite,
                   "coordinate is not finite: " + pointText(xy[total.first]) + " (" +
                       std::to_string(total.count) + " such point(s) in all; answered " +
                       std::to_string(kNotFinite) + ")",
                   "point " + std::to_string(total.first));
}

core::Result<std::int32_t> GridLocator::locate(const geo::Point& p,
                                               const crs::Transformer& toMetric) const {
  if (!(toMetric.to() == crs::kGaussKruger114)) {
    return makeError(ErrorCode::kInvalidArgument,
                     "the transformer's target is " + crs::name(toMetric.to()) +
                         ", the locator works in EPSG:4547",
                     "locating points");
  }
  auto xy = toMetric.transform(p);
  if (!xy) return xy.takeError().withContext("point " + pointText(p));
  return locate(*xy);
}

core::Result<void> GridLocator::locate(std::span<const geo::Point> points, const crs::Crs& crs,
                                       std::span<std::int32_t> out, unsigned threads) const {
  if (out.size() != points.size()) {
    return makeError(ErrorCode::kInvalidArgument,
                     "output holds " + std::to_string(out.size()) + " answers for " +
                         std::to_string(points.size()) + " points",
                     "locating points");
  }
  auto transformer = crs::Transformer::create(crs, crs::kGaussKruger114);
  if (!transformer) return transformer.takeError();
  std::vector<geo::Point> xy(points.begin(), points.end());
  if (auto r = transformer->transform(std::span<geo::Point>(xy)); !r) {
    return r.takeError().withContext("points in " + crs::name(crs));
  }
  return locate(std::span<const geo::Point>(xy), out, threads);
}

GridLocator::Placement GridLocator::placement(std::int32_t grid) const {
  Placement p;
  if (grid < 0 || static_cast<std::size_t>(grid) >= m_rank.size()) return p;
  p.grid = grid;
  if (!m_community.empty()) {
    p.community = m_community[static_cast<std::size_t>(grid)];
    p.street = m_street[static_cast<std::size_t>(grid)];
  }
  return p;
}

}  // namespace gridtwin::index
