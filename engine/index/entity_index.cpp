#include "index/entity_index.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>

#include "geo/algorithms.h"
#include "geo/geos.h"
#include "index/detail/exact.h"

namespace gridtwin::index {

namespace {

using core::ErrorCode;
using core::makeError;

template <class T>
std::size_t bytesOf(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

bool finite(const geo::Point& p) { return std::isfinite(p.x) && std::isfinite(p.y); }

std::string pointText(const geo::Point& p) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "(%.17g, %.17g)", p.x, p.y);
  return buf;
}

core::Error notFinite(const char* what, const std::string& value) {
  return makeError(ErrorCode::kNonFinite, std::string(what) + " is not finite: " + value,
                   "EntityIndex");
}

// Squared distance from p to the nearest point of box b (0 inside).
double boxDistance2(const geo::Point& p, const geo::Box& b) {
  const double dx = p.x < b.minx ? b.minx - p.x : (p.x > b.maxx ? p.x - b.maxx : 0.0);
  const double dy = p.y < b.miny ? b.miny - p.y : (p.y > b.maxy ? p.y - b.maxy : 0.0);
  return dx * dx + dy * dy;
}

core::Result<void> checkRing(const geo::Ring& ring, const char* which, std::size_t index) {
  const std::string where = std::string(which) + (index ? " " + std::to_string(index) : "");
  for (std::size_t i = 0; i < ring.size(); ++i) {
    if (!finite(ring[i])) {
      return makeError(ErrorCode::kNonFinite,
                       "vertex " + std::to_string(i) + " is " + pointText(ring[i]),
                       "EntityIndex::polygon: " + where);
    }
  }
  if (ring.size() < 4) {
    return makeError(ErrorCode::kTooFewPoints,
                     std::to_string(ring.size()) + " points; a ring needs at least 4",
                     "EntityIndex::polygon: " + where);
  }
  if (!(ring.front() == ring.back())) {
    return makeError(ErrorCode::kUnclosedRing, "first point differs from the last",
                     "EntityIndex::polygon: " + where);
  }
  return {};
}

}  // namespace

core::Result<EntityIndex> EntityIndex::build(std::span<const geo::Point> xy,
                                             const GridLocator* locator, const Options& options) {
  const auto t0 = std::chrono::steady_clock::now();
  if (xy.size() >= 0xffffffffu) {
    return makeError(ErrorCode::kInvalidArgument,
                     std::to_string(xy.size()) + " rows; at most 2^32 - 1", "EntityIndex::build");
  }
  const auto n = static_cast<std::uint32_t>(xy.size());
  EntityIndex E;
  for (const geo::Point& p : xy) {
    if (finite(p)) E.m_bounds.expand(p);
  }
  if (E.m_bounds.empty()) E.m_bounds = geo::Box{0, 0, 0, 0};
  std::size_t indexed = 0;
  for (const geo::Point& p : xy) indexed += finite(p) ? 1 : 0;
  E.m_raster = detail::Raster::cover(
      E.m_bounds,
      std::max(1.0, static_cast<double>(indexed) / std::max(options.pointsPerCell, 0.01)), false);
  const detail::Raster& R = E.m_raster;

  // Stable counting sort by cell.
  constexpr std::uint32_t kSkip = 0xffffffffu;
  std::vector<std::uint32_t> key(n);
  E.m_cellStart.assign(R.cells() + 1, 0);
  for (std::uint32_t i = 0; i < n; ++i) {
    const geo::Point& p = xy[i];
    if (!finite(p)) {
      key[i] = kSkip;
      continue;
    }
    key[i] = R.row(p.y) * R.nx + R.col(p.x);
    ++E.m_cellStart[key[i] + 1];
  }
  std::partial_sum(E.m_cellStart.begin(), E.m_cellStart.end(), E.m_cellStart.begin());
  E.m_points.resize(indexed);
  E.m_rows.resize(indexed);
  {
    std::vector<std::uint32_t> fill(E.m_cellStart.begin(), E.m_cellStart.end() - 1);
    for (std::uint32_t i = 0; i < n; ++i) {
      if (key[i] == kSkip) continue;
      const std::uint32_t at = fill[key[i]]++;
      E.m_points[at] = xy[i];
      E.m_rows[at] = i;
    }
  }

  // Grid lists through the locator: rows ascend within a grid.
  if (locator) {
    const auto g0 = std::chrono::steady_clock::now();
    std::vector<std::int32_t> grid(n);
    // Non-finite points answer kNotFinite and are left out below; the
    // error that reports them is expected here, not a failure.
    (void)locator->locate(xy, std::span<std::int32_t>(grid), options.threads);
    const std::size_t grids = locator->gridCount();
    E.m_gridStart.assign(grids + 1, 0);
    for (std::uint32_t i = 0; i < n; ++i) {
      if (grid[i] >= 0) {
        ++E.m_gridStart[static_cast<std::size_t>(grid[i]) + 1];
      } else if (grid[i] == GridLocator::kOutside) {
        ++E.m_stats.outside;
      }
    }
    std::partial_sum(E.m_gridStart.begin(), E.m_gridStart.end(), E.m_gridStart.begin());
    E.m_gridRows.resize(E.m_gridStart.back());
    std::vector<std::uint32_t> fill(E.m_gridStart.begin(), E.m_gridStart.end() - 1);
    for (std::uint32_t i = 0; i < n; ++i) {
      if (grid[i] >= 0) E.m_gridRows[fill[static_cast<std::size_t>(grid[i])]++] = i;
    }
    E.m_stats.gridAssignSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - g0).count();
  }

  Stats& s = E.m_stats;
  s.points = indexed;
  s.skipped = n - indexed;
  s.nx = R.nx;
  s.ny = R.ny;
  s.cellSize = R.cellSize;
  s.memoryBytes = sizeof(EntityIndex) + bytesOf(E.m_cellStart) + bytesOf(E.m_points) +
                  bytesOf(E.m_rows) + bytesOf(E.m_gridStart) + bytesOf(E.m_gridRows);
  s.buildSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return E;
}

// ---- box

template <class Emit>
void EntityIndex::scanBox(const geo::Box& b, Emit&& emit) const {
  if (m_points.empty() || b.empty() || !b.intersects(m_bounds)) return;
  const detail::Raster& R = m_raster;
  // Monotone cell maps: a cell strictly between the box's end cells holds
  // only points strictly inside the box (detail/raster.h), so whole runs of
  // inner cells are taken without looking at a point.
  const std::uint32_t i0 = R.col(b.minx), i1 = R.col(b.maxx);
  const std::uint32_t j0 = R.row(b.miny), j1 = R.row(b.maxy);
  for (std::uint32_t j = j0; j <= j1; ++j) {
    const std::size_t rowBase = static_cast<std::size_t>(j) * R.nx;
    const bool innerRow = j > j0 && j < j1;
    auto testCell = [&](std::uint32_t i) {
      for (std::uint32_t k = m_cellStart[rowBase + i]; k < m_cellStart[rowBase + i + 1]; ++k) {
        if (b.contains(m_points[k])) emit(k, k + 1);
      }
    };
    if (!innerRow) {
      for (std::uint32_t i = i0; i <= i1; ++i) testCell(i);
      continue;
    }
    testCell(i0);
    if (i1 > i0 + 1) emit(m_cellStart[rowBase + i0 + 1], m_cellStart[rowBase + i1]);
    if (i1 > i0) testCell(i1);
  }
}

core::Result<void> EntityIndex::box(const geo::Box& b, std::vector<std::uint32_t>& hits) const {
  if (std::isnan(b.minx) || std::isnan(b.miny) || std::isnan(b.maxx) || std::isnan(b.maxy)) {
    return notFinite("box", pointText({b.minx, b.miny}) + "-" + pointText({b.maxx, b.maxy}));
  }
  scanBox(b, [&](std::uint32_t begin, std::uint32_t end) {
    hits.insert(hits.end(), m_rows.begin() + begin, m_rows.begin() + end);
  });
  return {};
}

core::Result<std::size_t> EntityIndex::countBox(const geo::Box& b) const {
  if (std::isnan(b.minx) || std::isnan(b.miny) || std::isnan(b.maxx) || std::isnan(b.maxy)) {
    return notFinite("box", pointText({b.minx, b.miny}) + "-" + pointText({b.maxx, b.maxy}));
  }
  std::size_t count = 0;
  scanBox(b, [&](std::uint32_t begin, std::uint32_t end) { count += end - begin; });
  return count;
}

// ---- polygon

template <class Emit>
core::Result<void> EntityIndex::scanPolygon(const geo::Polygon& polygon, Emit&& emit) const {
  if (auto r = checkRing(polygon.outer, "outer ring", 0); !r) return r;
  for (std::size_t h = 0; h < polygon.holes.size(); ++h) {
    if (auto r = checkRing(polygon.holes[h], "hole", h + 1); !r) return r;
  }
  const geo::Geometry geometry(polygon);
  auto valid = geo::isValid(geometry);
  if (!valid) return valid.takeError().withContext("EntityIndex::polygon");
  if (!*valid) {
    return makeError(ErrorCode::kInvalidGeometry,
                     "query polygon is not valid: " + geo::validityReason(geometry),
                     "EntityIndex::polygon");
  }
  const geo::Box b = geo::bbox(polygon);
  if (m_points.empty() || !b.intersects(m_bounds)) return {};
  const detail::Raster& R = m_raster;
  const std::uint32_t i0 = R.col(b.minx), i1 = R.col(b.maxx);
  const std::uint32_t j0 = R.row(b.miny), j1 = R.row(b.maxy);
  const std::uint32_t w = i1 - i0 + 1, h = j1 - j0 + 1;
  // Cells an edge touches (widened boxes): only their points are tested.
  // A run of untouched cells in a row is one edge-free region: its first
  // centre tells inside or outside for all of it.
  std::vector<unsigned char> touched(static_cast<std::size_t>(w) * h, 0);
  const double m = R.margin();
  auto markRing = [&](const geo::Ring& ring) {
    for (std::size_t e = 0; e + 1 < ring.size(); ++e) {
      const geo::Point& a = ring[e];
      const geo::Point& c = ring[e + 1];
      const std::uint32_t a0 = std::max(i0, R.col(std::min(a.x, c.x) - m));
      const std::uint32_t a1 = std::min(i1, R.col(std::max(a.x, c.x) + m));
      const std::uint32_t b0 = std::max(j0, R.row(std::min(a.y, c.y) - m));
      const std::uint32_t b1 = std::min(j1, R.row(std::max(a.y, c.y) + m));
      for (std::uint32_t j = b0; j <= b1; ++j) {
        for (std::uint32_t i = a0; i <= a1; ++i) {
          unsigned char& t = touched[static_cast<std::size_t>(j - j0) * w + (i - i0)];
          if (!t && detail::segmentTouchesBox(a, c, R.cellBox(i, j))) t = 1;
        }
      }
    }
  };
  markRing(polygon.outer);
  for (const auto& hole : polygon.holes) markRing(hole);

  for (std::uint32_t j = j0; j <= j1; ++j) {
    const std::size_t rowBase = static_cast<std::size_t>(j) * R.nx;
    std::uint32_t i = i0;
    while (i <= i1) {
      if (touched[static_cast<std::size_t>(j - j0) * w + (i - i0)]) {
        for (std::uint32_t k = m_cellStart[rowBase + i]; k < m_cellStart[rowBase + i + 1]; ++k) {
          if (geo::locate(m_points[k], polygon) != geo::Location::kExterior) emit(k, k + 1);
        }
        ++i;
        continue;
      }
      std::uint32_t end = i;
      while (end <= i1 && !touched[static_cast<std::size_t>(j - j0) * w + (end - i0)]) ++end;
      if (geo::locate(R.cellCentre(i, j), polygon) == geo::Location::kInterior) {
        emit(m_cellStart[rowBase + i], m_cellStart[rowBase + end]);
      }
      i = end;
    }
  }
  return {};
}

core::Result<void> EntityIndex::polygon(const geo::Polygon& polygon,
                                        std::vector<std::uint32_t>& hits) const {
  return scanPolygon(polygon, [&](std::uint32_t begin, std::uint32_t end) {
    hits.insert(hits.end(), m_rows.begin() + begin, m_rows.begin() + end);
  });
}

core::Result<std::size_t> EntityIndex::countPolygon(const geo::Polygon& polygon) const {
  std::size_t count = 0;
  auto r =
      scanPolygon(polygon, [&](std::uint32_t begin, std::uint32_t end) { count += end - begin; });
  if (!r) return r.takeError();
  return count;
}

// ---- radius

template <class Emit>
void EntityIndex::scanRadius(const geo::Point& c, double r, Emit&& emit) const {
  if (m_points.empty()) return;
  const geo::Box b{c.x - r, c.y - r, c.x + r, c.y + r};
  if (!b.intersects(m_bounds)) return;
  const detail::Raster& R = m_raster;
  const std::uint32_t i0 = R.col(b.minx), i1 = R.col(b.maxx);
  const std::uint32_t j0 = R.row(b.miny), j1 = R.row(b.maxy);
  for (std::uint32_t j = j0; j <= j1; ++j) {
    const std::size_t rowBase = static_cast<std::size_t>(j) * R.nx;
    std::uint32_t runBegin = 0, runEnd = 0;  // pending whole cells, merged
    for (std::uint32_t i = i0; i <= i1; ++i) {
      const geo::Box cell = R.cellBox(i, j);
      // The farthest point of a box is a corner, the nearest is c clamped
      // into it; both are doubles, so both tests are exact.
      const geo::Point far{
          std::fabs(cell.minx - c.x) > std::fabs(cell.maxx - c.x) ? cell.minx : cell.maxx,
          std::fabs(cell.miny - c.y) > std::fabs(cell.maxy - c.y) ? cell.miny : cell.maxy};
      const std::uint32_t begin = m_cellStart[rowBase + i], end = m_cellStart[rowBase + i + 1];
      if (begin == end) continue;
      if (detail::withinDistance(far, c, r)) {
        if (runEnd == begin) {
          runEnd = end;
        } else {
          if (runEnd > runBegin) emit(runBegin, runEnd);
          runBegin = begin;
          runEnd = end;
        }
        continue;
      }
      const geo::Point near{std::clamp(c.x, cell.minx, cell.maxx),
                            std::clamp(c.y, cell.miny, cell.maxy)};
      if (!detail::withinDistance(near, c, r)) continue;
      for (std::uint32_t k = begin; k < end; ++k) {
        if (detail::withinDistance(m_points[k], c, r)) emit(k, k + 1);
      }
    }
    if (runEnd > runBegin) emit(runBegin, runEnd);
  }
}

namespace {
core::Result<void> checkRadius(const geo::Point& c, double r) {
  if (!finite(c)) return notFinite("radius query centre", pointText(c));
  if (std::isnan(r) || r < 0) {
    return makeError(ErrorCode::kInvalidArgument, "radius must be >= 0, got " + std::to_string(r),
                     "EntityIndex::radius");
  }
  return {};
}
}  // namespace

core::Result<void> EntityIndex::radius(const geo::Point& c, double r,
                                       std::vector<std::uint32_t>& hits) const {
  if (auto ok = checkRadius(c, r); !ok) return ok;
  scanRadius(c, r, [&](std::uint32_t begin, std::uint32_t end) {
    hits.insert(hits.end(), m_rows.begin() + begin, m_rows.begin() + end);
  });
  return {};
}

core::Result<std::size_t> EntityIndex::countRadius(const geo::Point& c, double r) const {
  if (auto ok = checkRadius(c, r); !ok) return ok.takeError();
  std::size_t count = 0;
  scanRadius(c, r, [&](std::uint32_t begin, std::uint32_t end) { count += end - begin; });
  return count;
}

// ---- nearest

core::Result<void> EntityIndex::nearest(const geo::Point& q, std::size_t k,
                                        std::vector<Neighbour>& out) const {
  if (!finite(q)) return notFinite("nearest query point", pointText(q));
  if (k == 0 || m_points.empty()) return {};
  const detail::Raster& R = m_raster;
  // Best k so far as a max-heap on (d², row): the top is the one to beat.
  struct Cand {
    double d2;
    std::uint32_t row;
    bool operator<(const Cand& o) const { return d2 < o.d2 || (d2 == o.d2 && row < o.row); }
  };
  std::vector<Cand> heap;
  heap.reserve(std::min(k, m_points.size()) + 1);
  auto visit = [&](std::uint32_t i, std::uint32_t j) {
    const std::size_t c = static_cast<std::size_t>(j) * R.nx + i;
    for (std::uint32_t p = m_cellStart[c]; p < m_cellStart[c + 1]; ++p) {
      const double dx = m_points[p].x - q.x, dy = m_points[p].y - q.y;
      const Cand cand{dx * dx + dy * dy, m_rows[p]};
      if (heap.size() < k) {
        heap.push_back(cand);
        std::push_heap(heap.begin(), heap.end());
      } else if (cand < heap.front()) {
        std::pop_heap(heap.begin(), heap.end());
        heap.back() = cand;
        std::push_heap(heap.begin(), heap.end());
      }
    }
  };
  // Rings of cells at Chebyshev distance d around q's (clamped) cell. Before
  // each ring, a lower bound on the distance of anything in it: the nearest
  // of its four strips (clipped to the raster). Stop when the bound exceeds
  // the k-th best (strictly, with slack for rounding, so that an equal
  // distance with a lower row is still seen).
  const auto ci = static_cast<std::int64_t>(R.col(q.x)), cj = static_cast<std::int64_t>(R.row(q.y));
  const std::int64_t nx = R.nx, ny = R.ny;
  const double m = R.margin();
  for (std::int64_t d = 0;; ++d) {
    const std::int64_t x0 = ci - d, x1 = ci + d, y0 = cj - d, y1 = cj + d;
    const std::int64_t cx0 = std::max<std::int64_t>(x0, 0), cx1 = std::min(x1, nx - 1);
    const std::int64_t cy0 = std::max<std::int64_t>(y0, 0), cy1 = std::min(y1, ny - 1);
    if (x0 < 0 && y0 < 0 && x1 >= nx && y1 >= ny) break;  // the ring is past every cell
    if (d > 0 && heap.size() == k) {
      double best = 1e300;
      auto strip = [&](std::int64_t a0, std::int64_t a1, std::int64_t b0, std::int64_t b1) {
        if (a0 > a1 || b0 > b1) return;
        const geo::Box box{R.ox + static_cast<double>(a0) * R.cellSize - m,
                           R.oy + static_cast<double>(b0) * R.cellSize - m,
                           R.ox + static_cast<double>(a1 + 1) * R.cellSize + m,
                           R.oy + static_cast<double>(b1 + 1) * R.cellSize + m};
        best = std::min(best, boxDistance2(q, box));
      };
      if (y0 >= 0) strip(cx0, cx1, y0, y0);
      if (y1 < ny) strip(cx0, cx1, y1, y1);
      if (x0 >= 0) strip(x0, x0, cy0, cy1);
      if (x1 < nx) strip(x1, x1, cy0, cy1);
      if (best * (1 - 1e-9) > heap.front().d2) break;
    }
    if (d == 0) {
      visit(static_cast<std::uint32_t>(ci), static_cast<std::uint32_t>(cj));
      continue;
    }
    if (y0 >= 0) {
      for (std::int64_t i = cx0; i <= cx1; ++i)
        visit(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(y0));
    }
    if (y1 < ny) {
      for (std::int64_t i = cx0; i <= cx1; ++i)
        visit(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(y1));
    }
    const std::int64_t iy0 = std::max<std::int64_t>(y0 + 1, 0), iy1 = std::min(y1 - 1, ny - 1);
    if (x0 >= 0) {
      for (std::int64_t j = iy0; j <= iy1; ++j)
        visit(static_cast<std::uint32_t>(x0), static_cast<std::uint32_t>(j));
    }
    if (x1 < nx) {
      for (std::int64_t j = iy0; j <= iy1; ++j)
        visit(static_cast<std::uint32_t>(x1), static_cast<std::uint32_t>(j));
    }
  }
  std::sort_heap(heap.begin(), heap.end());
  for (const Cand& c : heap) out.push_back({c.row, std::sqrt(c.d2)});
  return {};
}

std::span<const std::uint32_t> EntityIndex::withinGrid(std::uint32_t grid) const {
  if (static_cast<std::size_t>(grid) + 1 >= m_gridStart.size()) return {};
  return std::span<const std::uint32_t>(m_gridRows)
      .subspan(m_gridStart[grid], m_gridStart[grid + 1] - m_gridStart[grid]);
}

}  // namespace gridtwin::index
