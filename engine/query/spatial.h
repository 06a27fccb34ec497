#pragma once
// The two spatial services the query layer needs, as small interfaces with
// two implementations each:
//
//   PointSearch  box / polygon / radius / k-nearest over one kind's points;
//   Locator      point → the grid that owns it.
//
// makeIndexed*() wrap gridtwin::index (EntityIndex, GridLocator: the fast
// paths); makeBruteForce*() scan every point or grid. The brute-force twins
// are the tests' oracles and the fallback when the index module is not built.
// Both give the same answers (tests/unit/query compare them):
//  - box: closed (minx <= x <= maxx, miny <= y <= maxy);
//  - polygon: covered (interior or boundary); the caller checks validity;
//  - radius: Euclidean distance <= r;
//  - nearest: ordered by d² then row; points with NaN coordinates are never
//    returned by any of them;
//  - locate: the grid with the LOWEST CODE among those whose closure covers
//    the point (index/grid_locator.h's tie rule), or -1.
// All coordinates are EPSG:4547 metres. Hits are appended, in no particular
// order. Thread-safety: immutable after construction; share across threads.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/error.h"
#include "crs/transformer.h"
#include "geo/types.h"
#include "model/district.h"

namespace gridtwin::query {

struct Neighbour {
  std::uint32_t row = 0;
  double distance = 0;  // metres
};

class PointSearch {
 public:
  virtual ~PointSearch() = default;
  virtual void box(const geo::Box& box, std::vector<std::uint32_t>& hits) const = 0;
  virtual core::Result<void> polygon(const geo::Polygon& polygon,
                                     std::vector<std::uint32_t>& hits) const = 0;
  virtual void radius(const geo::Point& centre, double r,
                      std::vector<std::uint32_t>& hits) const = 0;
  // The k nearest, closest first.
  virtual void nearest(const geo::Point& q, std::size_t k, std::vector<Neighbour>& out) const = 0;
};

// Points in another CRS: find(toMetric(p)) where a cell of a raster in that
// CRS decides it without the transform (index/source_shortcut.h), else
// kUndecided and the caller transforms p. Immutable; share across threads.
class SourceLocator {
 public:
  static constexpr std::int32_t kOutside = -1;
  static constexpr std::int32_t kUndecided = -3;
  virtual ~SourceLocator() = default;
  virtual std::int32_t find(const geo::Point& p) const = 0;
};

class Locator {
 public:
  static constexpr std::int32_t kOutside = -1;
  virtual ~Locator() = default;
  // The owning grid's row, or kOutside (also for NaN/infinite input).
  virtual std::int32_t find(const geo::Point& xy) const = 0;
  // A SourceLocator over `sourceBox` (in toMetric's source CRS; its target
  // must be EPSG:4547), or null when this locator has none (brute force) or
  // it cannot be built. Does not keep toMetric.
  virtual std::unique_ptr<SourceLocator> sourceLocator(const crs::Transformer& /*toMetric*/,
                                                       const geo::Box& /*sourceBox*/) const {
    return nullptr;
  }
};

// `xy` must outlive the search (it is the Twin's point column).
std::unique_ptr<PointSearch> makeBruteForceSearch(std::span<const geo::Point> xy);
std::unique_ptr<Locator> makeBruteForceLocator(const model::District& district);

// Whether the fast implementations are built in (gridtwin::index present).
bool haveIndex();
// Errors: those of index::EntityIndex::build / GridLocator::build. Without
// the index module: kUnsupported.
core::Result<std::unique_ptr<PointSearch>> makeIndexedSearch(std::span<const geo::Point> xy);
core::Result<std::unique_ptr<Locator>> makeIndexedLocator(const model::District& district);

// The polygon covers p (interior or boundary; holes' interiors excluded).
bool coversPoint(const geo::Polygon& polygon, const geo::Point& p);
// Euclidean distance <= r, compared in long double (64-bit mantissa): it can
// disagree with index::EntityIndex's exact decision only for a point within
// about 1e-9 m of the circle.
bool withinRadius(const geo::Point& centre, double r, const geo::Point& p);

}  // namespace gridtwin::query
