#include "query/area_input.h"

#include <algorithm>
#include <list>
#include <string>

#include "crs/transformer.h"
#include "geo/algorithms.h"
#include "geo/geos.h"

namespace gridtwin::query {
namespace {

using core::ErrorCode;
using core::makeError;

constexpr int kSteps = 32;  // points per edge when a box's edges are projected

// The ring of a box, each edge cut into kSteps, closed.
geo::Ring densified(const geo::Box& b) {
  const geo::Point corners[5] = {
      {b.minx, b.miny}, {b.maxx, b.miny}, {b.maxx, b.maxy}, {b.minx, b.maxy}, {b.minx, b.miny}};
  geo::Ring ring;
  for (int e = 0; e < 4; ++e) {
    for (int s = 0; s < kSteps; ++s) {
      const double t = static_cast<double>(s) / kSteps;
      ring.push_back({corners[e].x + (corners[e + 1].x - corners[e].x) * t,
                      corners[e].y + (corners[e + 1].y - corners[e].y) * t});
    }
  }
  ring.push_back(ring.front());
  return ring;
}

// A Transformer from `from` to `to` for this thread: create() consults
// PROJ's database (milliseconds), so each thread keeps the last few it
// made (a Transformer is not to be shared between threads; transformer.h),
// most recently used first. A list: the pointer handed out stays valid while
// later calls add entries (the one just used is never the one dropped).
// Creation errors are not kept: the next call tries again.
core::Result<const crs::Transformer*> transformerFor(const crs::Crs& from, const crs::Crs& to) {
  struct Entry {
    crs::Crs from, to;
    crs::Transformer transformer;
  };
  constexpr std::size_t kKept = 16;
  thread_local std::list<Entry> cache;
  for (auto it = cache.begin(); it != cache.end(); ++it) {
    if (it->from == from && it->to == to) {
      cache.splice(cache.begin(), cache, it);
      return &cache.front().transformer;
    }
  }
  auto made = crs::Transformer::create(from, to);
  if (!made) return made.takeError();
  if (cache.size() == kKept) cache.pop_back();
  cache.push_front(Entry{from, to, std::move(*made)});
  return &cache.front().transformer;
}

// The district's box in `crs`: its widened EPSG:4547 box, edges densified
// and projected back.
core::Result<geo::Box> districtBoxIn(const Twin& twin, const crs::Crs& crs) {
  const geo::Box metric = districtBox(twin);
  if (crs == crs::kGaussKruger114) return metric;
  auto back = transformerFor(crs::kGaussKruger114, crs);
  if (!back) return back.takeError();
  geo::Ring ring = densified(metric);
  GRIDTWIN_TRY((*back)->transform(ring));
  geo::Box b;
  for (const auto& p : ring) b.expand(p);
  return b;
}

geo::Box boxOf(const geo::Ring& ring) {
  geo::Box b;
  for (const auto& p : ring) b.expand(p);
  return b;
}

bool within(const geo::Box& inner, const geo::Box& outer) {
  return inner.minx >= outer.minx && inner.maxx <= outer.maxx && inner.miny >= outer.miny &&
         inner.maxy <= outer.maxy;
}

Area nothing() { return Area::ofGrids({}); }

}  // namespace

bool isDegenerate(const geo::Polygon& polygon) {
  const geo::Ring& ring = polygon.outer;
  if (ring.empty()) return true;
  std::size_t second = 1;
  while (second < ring.size() && ring[second] == ring[0]) ++second;
  if (second == ring.size()) return true;  // one point
  for (const geo::Point& p : ring) {
    if (geo::orientation(ring[0], ring[second], p) != 0) return false;
  }
  return true;
}

geo::Box districtBox(const Twin& twin) {
  geo::Box b;
  for (const auto& p : twin.district().grids().shape.xy) b.expand(p);
  return {b.minx - kClipMarginMetres, b.miny - kClipMarginMetres, b.maxx + kClipMarginMetres,
          b.maxy + kClipMarginMetres};
}

core::Result<Area> boxArea(const Twin& twin, const crs::Crs& crs, const geo::Box& box) {
  auto made = transformerFor(crs, crs::kGaussKruger114);
  if (!made) return made.takeError();
  const crs::Transformer* to = *made;
  if (!(box.minx <= box.maxx && box.miny <= box.maxy)) {
    return makeError(ErrorCode::kInvalidArgument, "the box's minimum exceeds its maximum");
  }
  for (const geo::Point& p : {geo::Point{box.minx, box.miny}, geo::Point{box.maxx, box.maxy}}) {
    GRIDTWIN_TRY(to->checkSource(p));
  }
  auto clip = districtBoxIn(twin, crs);
  if (!clip) return clip.takeError();
  const geo::Box b{std::max(box.minx, clip->minx), std::max(box.miny, clip->miny),
                   std::min(box.maxx, clip->maxx), std::min(box.maxy, clip->maxy)};
  if (b.empty()) return nothing();
  if (crs == crs::kGaussKruger114) return Area::ofBox(b);
  geo::Ring ring = densified(b);
  GRIDTWIN_TRY(to->transform(ring));
  if (b.minx == b.maxx || b.miny == b.maxy) return Area::ofBox(boxOf(ring));
  geo::Polygon p;
  p.outer = std::move(ring);
  return Area::ofPolygon(std::move(p));
}

core::Result<Area> polygonArea(const Twin& twin, const crs::Crs& crs, geo::Polygon polygon) {
  auto made = transformerFor(crs, crs::kGaussKruger114);
  if (!made) return made.takeError();
  const crs::Transformer* to = *made;
  if (polygon.outer.empty()) {
    return makeError(ErrorCode::kInvalidArgument,
                     "the polygon is empty; give at least three corners");
  }
  std::size_t index = 0;
  const auto check = [&](const geo::Ring& ring) -> core::Result<void> {
    for (const geo::Point& p : ring) {
      if (auto ok = to->checkSource(p); !ok) {
        return std::move(ok.takeError()).withContext("corner " + std::to_string(index));
      }
      ++index;
    }
    return {};
  };
  GRIDTWIN_TRY(check(polygon.outer));
  for (const auto& h : polygon.holes) GRIDTWIN_TRY(check(h));
  if (isDegenerate(polygon)) {
    return makeError(ErrorCode::kInvalidArgument,
                     "the polygon is degenerate: it has no area (its corners lie on one line)");
  }
  const geo::Geometry g(polygon);
  auto valid = geo::isValid(g);
  if (!valid) return valid.takeError();
  if (!*valid) {
    return makeError(ErrorCode::kInvalidGeometry, "invalid polygon: " + geo::validityReason(g));
  }
  auto clip = districtBoxIn(twin, crs);
  if (!clip) return clip.takeError();
  if (!within(boxOf(polygon.outer), *clip)) {
    // Clip in the user's CRS, where the shape is valid, before projecting.
    geo::Polygon window;
    window.outer = densified(*clip);
    auto cut = geo::intersection(g, geo::Geometry(window));
    if (!cut) return cut.takeError();
    std::vector<geo::Polygon> pieces;
    if (auto* one = std::get_if<geo::Polygon>(&*cut)) {
      if (!one->outer.empty()) pieces.push_back(std::move(*one));
    } else if (auto* many = std::get_if<geo::MultiPolygon>(&*cut)) {
      pieces = std::move(many->polygons);
    }
    if (pieces.empty()) return nothing();  // misses the district (or touches it along a line)
    if (pieces.size() > 1) {
      return makeError(ErrorCode::kUnsupported,
                       "the polygon meets the district in " + std::to_string(pieces.size()) +
                           " separate pieces; give each piece as its own polygon");
    }
    polygon = std::move(pieces.front());
  }
  GRIDTWIN_TRY(to->transform(polygon.outer));
  for (auto& h : polygon.holes) GRIDTWIN_TRY(to->transform(h));
  Area area = Area::ofPolygon(std::move(polygon));
  GRIDTWIN_TRY(checkArea(area));
  return area;
}

}  // namespace gridtwin::query
