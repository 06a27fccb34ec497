#pragma once
// locate() for many points against one polygon: its rings' segments put in
// horizontal bands, so a point walks only the segments of its own band.
// locate()'s ray crossing (detail::rayStep) skips, before anything else, a
// segment whose y-range misses the point's y; a band holds every segment
// whose closed y-range meets the band's, and a point's band is chosen by the
// same monotone function of y that placed the segments' ends, so the
// segments left out are exactly ones that step would skip. The answer is
// locate(p, polygon) bit for bit (tests/unit/geo/banded_polygon_test.cpp
// compares them on vertices, edges, holes and random points).
//
// Numbers: a lon/lat box as the service projects it (4 × 32 segments) in
// 128 bands: about 4 segments a band on its sides, 30 on its top and bottom
// bands, against 129 for locate().
//
// Ownership: keeps a pointer to `polygon` (for points that are not finite,
// which go to locate() itself); the polygon must outlive it and not change.
// Thread-safety: immutable after construction; any number of threads.
#include <cstdint>
#include <vector>

#include "geo/algorithms.h"
#include "geo/types.h"

namespace gridtwin::geo {

class BandedPolygon {
 public:
  explicit BandedPolygon(const Polygon& polygon);

  // locate(p, polygon), the same answer.
  Location locate(const Point& p) const;

  // Calls f(a, b) for the ring segments (each ring's closing one included)
  // whose y-range may meet [miny, maxy] (all that do, and some others; a
  // segment may come more than once), until f returns true; returns whether
  // one did.
  template <class F>
  bool anySegment(double miny, double maxy, F f) const {
    const std::size_t last = band(maxy);
    for (std::size_t b = band(miny); b <= last; ++b) {
      for (std::uint32_t i = m_start[b]; i < m_start[b + 1]; ++i) {
        if (f(m_segments[i].a, m_segments[i].b)) return true;
      }
    }
    return false;
  }

 private:
  struct Segment {
    Point a, b;
    std::uint32_t ring;  // 0 outer, 1 + i hole i
  };
  std::size_t band(double y) const;

  const Polygon* m_polygon;
  double m_y0 = 0;     // the rings' lowest y
  double m_scale = 0;  // bands per metre; 0: a single band
  std::size_t m_bands = 1;
  std::vector<std::uint32_t> m_start;  // bands + 1, into m_segments
  std::vector<Segment> m_segments;     // by band, then ring, then ring order
};

}  // namespace gridtwin::geo
