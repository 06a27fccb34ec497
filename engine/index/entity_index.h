#pragma once
// EntityIndex: a static, packed spatial index over the points of one kind
// (people at their houses, entities, building centroids, facilities,
// events), in EPSG:4547 metres. Every answer is a list of ROW indexes into
// the model's column the points came from.
//
// Layout: a uniform raster of about points/4 square cells over the points'
// box; the points sorted by cell (a stable counting sort, so rows ascend
// inside a cell) with a flat "cell → [begin, end)" table. Optionally a
// GridLocator assigns each point its grid at build, kept as one sorted row
// list per grid. See engine/index/DESIGN.md for the numbers.
//
// Semantics (all exact, all equal to a brute-force scan):
//  - box: minx <= x <= maxx and miny <= y <= maxy (closed box);
//  - polygon: the polygon COVERS the point (interior or boundary, holes'
//    interiors excluded, holes' rings included), as geo::locate != kExterior;
//  - radius: the exact Euclidean distance is <= r (no rounding: decided by
//    an exact expansion when the double evaluation is too close to call);
//  - nearest: ordered by the double d² = dx*dx + dy*dy, then by row; the k
//    first of that order, deterministic.
// Points with a NaN or infinite coordinate (an event reported by address
// text only) are not indexed: no spatial query returns them.
//
// Thread-safety: immutable after build(); concurrent readers need no lock.
// Query results are appended to the caller's vector (reuse it to avoid
// allocation); the order of hits is cell order, not row order.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/error.h"
#include "geo/types.h"
#include "index/detail/raster.h"
#include "index/grid_locator.h"

namespace gridtwin::index {

struct EntityIndexOptions {
  double pointsPerCell = 4;  // raster cells ≈ points / pointsPerCell
  unsigned threads = 1;      // for the grid assignment through the locator
};

class EntityIndex {
 public:
  using Options = EntityIndexOptions;

  struct Stats {
    std::size_t points = 0;   // indexed
    std::size_t skipped = 0;  // not finite, not indexed
    std::size_t outside = 0;  // indexed but in no grid (with a locator)
    std::uint32_t nx = 0, ny = 0;
    double cellSize = 0;  // metres
    std::size_t memoryBytes = 0;
    double buildSeconds = 0;       // the whole build()
    double gridAssignSeconds = 0;  // of which the locator's share
  };

  struct Neighbour {
    std::uint32_t row = 0;
    double distance = 0;  // metres
    friend bool operator==(const Neighbour&, const Neighbour&) = default;
  };

  EntityIndex() = default;

  // `xy`: one point per row of the kind's column (row i = xy[i]). With a
  // locator, withinGrid() answers for its grids; without, it is empty.
  // The locator is used during build only (not kept). Errors:
  // kInvalidArgument for more than 2^32 - 1 rows.
  static core::Result<EntityIndex> build(std::span<const geo::Point> xy,
                                         const GridLocator* locator = nullptr,
                                         const Options& options = {});

  // Errors (every query): kNonFinite for a NaN/infinite coordinate in the
  // query, naming it. An empty box (min > max) finds nothing.
  core::Result<void> box(const geo::Box& box, std::vector<std::uint32_t>& hits) const;
  core::Result<std::size_t> countBox(const geo::Box& box) const;

  // The polygon must be valid (geo::isValid: closed rings of 4+ points, no
  // self-intersection, holes inside); otherwise kInvalidGeometry with GEOS's
  // reason and place ("Self-intersection[5 5]").
  core::Result<void> polygon(const geo::Polygon& polygon, std::vector<std::uint32_t>& hits) const;
  core::Result<std::size_t> countPolygon(const geo::Polygon& polygon) const;

  // r >= 0; r = +inf (or any r beyond the data) returns every point.
  // kInvalidArgument for a negative or NaN radius.
  core::Result<void> radius(const geo::Point& centre, double r,
                            std::vector<std::uint32_t>& hits) const;
  core::Result<std::size_t> countRadius(const geo::Point& centre, double r) const;
  // radius()'s decision for one finite point p (exact, as above): for
  // callers that must agree with radius() point by point (query's area
  // stats). r must be >= 0 and not NaN.
  static bool withinRadius(const geo::Point& p, const geo::Point& centre, double r);

  // The k nearest points, closest first (fewer when the index holds fewer).
  core::Result<void> nearest(const geo::Point& q, std::size_t k, std::vector<Neighbour>& out) const;

  // Rows in grid g (ascending); empty for an unknown grid or without a locator.
  std::span<const std::uint32_t> withinGrid(std::uint32_t grid) const;

  std::size_t size() const { return m_rows.size(); }
  const Stats& stats() const { return m_stats; }
  std::size_t memoryBytes() const { return m_stats.memoryBytes; }

 private:
  template <class Emit>
  void scanBox(const geo::Box& box, Emit&& emit) const;
  template <class Emit>
  core::Result<void> scanPolygon(const geo::Polygon& polygon, Emit&& emit) const;
  template <class Emit>
  void scanRadius(const geo::Point& centre, double r, Emit&& emit) const;
  template <class Best>
  void scanNearest(const geo::Point& q, Best& best) const;

  detail::Raster m_raster;
  geo::Box m_bounds;                       // of the indexed points
  std::vector<std::uint32_t> m_cellStart;  // cells + 1
  std::vector<geo::Point> m_points;        // sorted by cell
  std::vector<std::uint32_t> m_rows;       // m_points[i] is row m_rows[i]
  std::vector<std::uint32_t> m_gridStart;  // grids + 1, into m_gridRows
  std::vector<std::uint32_t> m_gridRows;
  Stats m_stats;
};

}  // namespace gridtwin::index
