#pragma once
// One segment's step of locate()'s ray crossing (algorithms.cpp), shared with
// BandedPolygon so that both decide a point bit for bit the same way. Not
// part of the module's public API.
#include <cmath>

#include "geo/algorithms.h"
#include "geo/types.h"

namespace gridtwin::geo::detail {

enum class RayStep { kMiss, kCross, kOnSegment };

// Segment p1 -> p2 against the ray from p to +x: half-open rule on y so a ray
// through a vertex counts once (as GEOS RayCrossingCounter); "on the
// segment" decided exactly. A segment whose y-range misses p.y is kMiss
// before anything else is looked at: BandedPolygon relies on that.
inline RayStep rayStep(const Point& p, const Point& p1, const Point& p2) {
  // Entirely above or below the ray: can neither hold p nor cross. This is
  // the most selective test, so it goes first.
  if ((p1.y > p.y && p2.y > p.y) || (p1.y < p.y && p2.y < p.y)) return RayStep::kMiss;
  if (p1.x < p.x && p2.x < p.x) return RayStep::kMiss;
  if (p1.x > p.x && p2.x > p.x) {
    // Both ends right of p: at p's height the segment is right of p, so p
    // is strictly on one side of it and the exact orientation below could
    // only say it crosses; a level segment there is kMiss below too.
    if (p1.y == p.y && p2.y == p.y) return RayStep::kMiss;
    return (p1.y > p.y && p2.y <= p.y) || (p2.y > p.y && p1.y <= p.y) ? RayStep::kCross
                                                                      : RayStep::kMiss;
  }
  if (p.x == p2.x && p.y == p2.y) return RayStep::kOnSegment;
  if (p1.y == p.y && p2.y == p.y) {
    const double minx = std::fmin(p1.x, p2.x);
    const double maxx = std::fmax(p1.x, p2.x);
    return p.x >= minx && p.x <= maxx ? RayStep::kOnSegment : RayStep::kMiss;
  }
  if ((p1.y > p.y && p2.y <= p.y) || (p2.y > p.y && p1.y <= p.y)) {
    int orient = orientation(p1, p2, p);
    if (orient == 0) return RayStep::kOnSegment;
    if (p2.y < p1.y) orient = -orient;
    if (orient > 0) return RayStep::kCross;
  }
  return RayStep::kMiss;
}

}  // namespace gridtwin::geo::detail
