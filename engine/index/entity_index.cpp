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
                       "the polygon's " + where);
    }
  }
  if (ring.size() < 4) {
    return makeError(ErrorCode::kTooFewPoints,
                     std::to_string(ring.size()) + " points; a ring needs at least 4",
                     "the polygon's " + where);
  }
  if (!(ring.front() == ring.back())) {
    return makeError(ErrorCode::kUnclosedRing, "first point differs from the last",
                     "the polygon's " + where);
  }
  return {};
}

}  // namespace

core::Result<EntityIndex> EntityIndex::build(std::span<const geo::Point> xy,
                                             const GridLocator* locator, const Options& options) {
  const auto t0 = std::chrono::steady_clock::now();
  if (xy.size() >= 0xffffffffu) {
    return makeError(ErrorCode::kInvalidArgument,
                     std::to_string(xy.size()) + " rows; at most 2^32 - 1", "the index");
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
  if (!valid) return valid.takeError().withContext("the polygon");
  if (!*valid) {
    return makeError(ErrorCode::kInvalidGeometry,
                     "the polygon is not valid: " + geo::validityReason(geometry), "the polygon");
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

bool EntityIndex::withinRadius(const geo::Point& p, const geo::Point& c, double r) {
  return detail::withinDistance(p, c, r);
}

namespace {
core::Result<void> checkRadius(const geo::Point& c, double r) {
  if (!finite(c)) return notFinite("radius query centre", pointText(c));
  if (std::isnan(r) || r < 0) {
    return makeError(ErrorCode::kInvalidArgument, "radius must be >= 0, got " + std::to_string(r),
                     "the circle");
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

namespace {

// The k best so far in (d², row) order, for the nearest query. Candidates
// are kept as positions into the sorted arrays; the row is read only to
// break an exact tie in d² (rare), not for every point scanned.
//
// SmallBest: k <= kSmallK, a sorted array on the stack (insertion beats a
// heap at this size, and there is no allocation). HeapBest: any k, a
// max-heap whose top is the one to beat.
constexpr std::size_t kSmallK = 16;

struct Cand {
  double d2;
  std::uint32_t pos;
};

struct SmallBest {
  const std::uint32_t* rows;
  std::size_t k;
  std::size_t n = 0;
  Cand c[kSmallK];
  bool before(const Cand& a, const Cand& b) const {
    return a.d2 < b.d2 || (a.d2 == b.d2 && rows[a.pos] < rows[b.pos]);
  }
  bool full() const { return n == k; }
  double worst() const { return c[n - 1].d2; }  // when full()
  void offer(const Cand& x) {
    if (n == k) {
      if (!before(x, c[n - 1])) return;
      --n;
    }
    std::size_t i = n++;
    for (; i > 0 && before(x, c[i - 1]); --i) c[i] = c[i - 1];
    c[i] = x;
  }
  template <class F>
  void sorted(F&& f) const {
    for (std::size_t i = 0; i < n; ++i) f(c[i]);
  }
};

struct HeapBest {
  const std::uint32_t* rows;
  std::size_t k;
  std::vector<Cand> heap;
  bool before(const Cand& a, const Cand& b) const {
    return a.d2 < b.d2 || (a.d2 == b.d2 && rows[a.pos] < rows[b.pos]);
  }
  bool full() const { return heap.size() == k; }
  double worst() const { return heap.front().d2; }
  void offer(const Cand& x) {
    auto less = [this](const Cand& a, const Cand& b) { return before(a, b); };
    if (heap.size() < k) {
      heap.push_back(x);
      std::push_heap(heap.begin(), heap.end(), less);
    } else if (before(x, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), less);
      heap.back() = x;
      std::push_heap(heap.begin(), heap.end(), less);
    }
  }
  template <class F>
  void sorted(F&& f) {
    std::sort_heap(heap.begin(), heap.end(),
                   [this](const Cand& a, const Cand& b) { return before(a, b); });
    for (const Cand& x : heap) f(x);
  }
};

}  // namespace

template <class Best>
void EntityIndex::scanNearest(const geo::Point& q, Best& best) const {
  const detail::Raster& R = m_raster;
  const double m = R.margin();
  // Anything in the box [x0, x1] x [y0, y1] (cell indexes, widened by the
  // margin) is at least this far (squared) from q.
  auto boxBound = [&](std::int64_t x0, std::int64_t x1, std::int64_t y0, std::int64_t y1) {
    const geo::Box box{R.ox + static_cast<double>(x0) * R.cellSize - m,
                       R.oy + static_cast<double>(y0) * R.cellSize - m,
                       R.ox + static_cast<double>(x1 + 1) * R.cellSize + m,
                       R.oy + static_cast<double>(y1 + 1) * R.cellSize + m};
    return boxDistance2(q, box);
  };
  // Whether something at squared distance `bound` may still enter: strictly
  // beyond the k-th best (with slack for rounding, so that an equal distance
  // with a lower row is still seen) cannot.
  //
  // Why the slack is not needed in this build, only kept as a guard: every
  // point the raster puts in a cell lies inside the cell's computed, widened
  // box (detail/raster.h: the margin, cellSize * 1e-6, exceeds the few-ulp
  // error of the cell map and of the edges ox + i*cellSize whenever
  // cellSize > ~1e-9 |ox|; for smaller cells the edges are the nearest
  // doubles to nominal edges that the cell map misses by far less than half
  // an ulp, so no double lies between a point and its edge). For q outside
  // the box on x, the box term is fl(minx - q.x) and the point's is
  // fl(p.x - q.x) with minx <= p.x; correctly rounded subtraction, squaring
  // of a non-negative value and addition are each monotone, so the computed
  // bound <= the computed d² of every point in the box, exactly (and the
  // same on y, and when q is inside the box's span the term is 0). So a cell
  // whose bound exceeds the k-th best holds no point that could enter, not
  // even an equal d² with a lower row. That argument needs d² and the bound
  // rounded the same way: a compiler that contracts dx * dx + dy * dy into
  // an FMA in one place and not the other (-ffp-contract=fast with
  // -march=haswell or later) differs by up to one rounding, 2^-52 relative;
  // the slack, 1e-9 relative, covers that with room. The test that would
  // need it (a tiny cluster at EPSG:4547 magnitudes, queried from metres
  // away: EntityIndex.NearestOnATinyClusterFarFromTheOrigin) passes without.
  auto mayEnter = [&](double bound) { return !best.full() || bound * (1 - 1e-9) <= best.worst(); };
  // The points of cells [i0, i1] of row j: one contiguous run of the sorted
  // arrays. The d² test against the k-th best rejects most points without
  // touching the best list.
  auto scanRun = [&](std::int64_t i0, std::int64_t i1, std::int64_t j) {
    const std::size_t c = static_cast<std::size_t>(j) * R.nx;
    const std::uint32_t end = m_cellStart[c + static_cast<std::size_t>(i1) + 1];
    for (std::uint32_t p = m_cellStart[c + static_cast<std::size_t>(i0)]; p < end; ++p) {
      const double dx = m_points[p].x - q.x, dy = m_points[p].y - q.y;
      const double d2 = dx * dx + dy * dy;
      if (!best.full() || d2 <= best.worst()) best.offer({d2, p});
    }
  };
  // Cells of row j from i0 to i1, each skipped when its own box is beyond
  // the k-th best; neighbours kept are scanned as one run.
  auto scanRow = [&](std::int64_t i0, std::int64_t i1, std::int64_t j) {
    std::int64_t runStart = -1;
    for (std::int64_t i = i0; i <= i1; ++i) {
      if (mayEnter(boxBound(i, i, j, j))) {
        if (runStart < 0) runStart = i;
        continue;
      }
      if (runStart >= 0) scanRun(runStart, i - 1, j);
      runStart = -1;
    }
    if (runStart >= 0) scanRun(runStart, i1, j);
  };
  // Rings of cells at Chebyshev distance d around q's (clamped) cell, the
  // query's own cell first. Before each ring, a lower bound on anything in
  // it (the nearest of its four strips, clipped to the raster); stop when
  // that is beyond the k-th best. Inside a ring, each cell's own bound.
  const auto ci = static_cast<std::int64_t>(R.col(q.x)), cj = static_cast<std::int64_t>(R.row(q.y));
  const std::int64_t nx = R.nx, ny = R.ny;
  // The 3x3 block around q is nearly always scanned, and its rows are three
  // runs in memory that are likely cache misses: fetch their cell starts,
  // then their points, all at once, so that the misses overlap instead of
  // following one another through the loop's branches.
  {
    const std::int64_t a0 = std::max<std::int64_t>(ci - 1, 0), a1 = std::min(ci + 2, nx);
    const std::int64_t b0 = std::max<std::int64_t>(cj - 1, 0), b1 = std::min(cj + 1, ny - 1);
    for (std::int64_t j = b0; j <= b1; ++j) {
      __builtin_prefetch(&m_cellStart[static_cast<std::size_t>(j * nx + a0)]);
      __builtin_prefetch(&m_cellStart[static_cast<std::size_t>(j * nx + a1)]);
    }
    for (std::int64_t j = b0; j <= b1; ++j) {
      const std::uint32_t begin = m_cellStart[static_cast<std::size_t>(j * nx + a0)];
      const std::uint32_t end =
          std::min(m_cellStart[static_cast<std::size_t>(j * nx + a1)], begin + 64);
      for (std::uint32_t p = begin; p < end; p += 4) __builtin_prefetch(&m_points[p]);
    }
  }
  scanRun(ci, ci, cj);
  for (std::int64_t d = 1;; ++d) {
    const std::int64_t x0 = ci - d, x1 = ci + d, y0 = cj - d, y1 = cj + d;
    if (x0 < 0 && y0 < 0 && x1 >= nx && y1 >= ny) break;  // the ring is past every cell
    const std::int64_t cx0 = std::max<std::int64_t>(x0, 0), cx1 = std::min(x1, nx - 1);
    const std::int64_t cy0 = std::max<std::int64_t>(y0, 0), cy1 = std::min(y1, ny - 1);
    if (best.full()) {
      double ring = 1e300;
      if (y0 >= 0) ring = std::min(ring, boxBound(cx0, cx1, y0, y0));
      if (y1 < ny) ring = std::min(ring, boxBound(cx0, cx1, y1, y1));
      if (x0 >= 0) ring = std::min(ring, boxBound(x0, x0, cy0, cy1));
      if (x1 < nx) ring = std::min(ring, boxBound(x1, x1, cy0, cy1));
      if (!mayEnter(ring)) break;
    }
    if (y0 >= 0) scanRow(cx0, cx1, y0);
    const std::int64_t iy0 = std::max<std::int64_t>(y0 + 1, 0), iy1 = std::min(y1 - 1, ny - 1);
    for (std::int64_t j = iy0; j <= iy1; ++j) {
      if (x0 >= 0 && mayEnter(boxBound(x0, x0, j, j))) scanRun(x0, x0, j);
      if (x1 < nx && mayEnter(boxBound(x1, x1, j, j))) scanRun(x1, x1, j);
    }
    if (y1 < ny) scanRow(cx0, cx1, y1);
  }
}

core::Result<void> EntityIndex::nearest(const geo::Point& q, std::size_t k,
                                        std::vector<Neighbour>& out) const {
  if (!finite(q)) return notFinite("nearest query point", pointText(q));
  if (k == 0 || m_points.empty()) return {};
  k = std::min(k, m_points.size());
  auto emit = [&](const Cand& c) { out.push_back({m_rows[c.pos], std::sqrt(c.d2)}); };
  if (k <= kSmallK) {
    SmallBest best{m_rows.data(), k, 0, {}};
    scanNearest(q, best);
    best.sorted(emit);
  } else {
    HeapBest best{m_rows.data(), k, {}};
    best.heap.reserve(k);
    scanNearest(q, best);
    best.sorted(emit);
  }
  return {};
}

std::span<const std::uint32_t> EntityIndex::withinGrid(std::uint32_t grid) const {
  if (static_cast<std::size_t>(grid) + 1 >= m_gridStart.size()) return {};
  return std::span<const std::uint32_t>(m_gridRows)
      .subspan(m_gridStart[grid], m_gridStart[grid + 1] - m_gridStart[grid]);
}

}  // namespace gridtwin::index
