#include "geo/banded_polygon.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "geo/detail/ray_crossing.h"

namespace gridtwin::geo {
namespace {

// Four bands a segment, up to 4,096: a densified box's nearly level top
// and bottom (32 segments rising a few metres) then spread over a few
// bands instead of sharing one; more bands cost memory for little.
constexpr std::size_t kBandsPerSegment = 4;
constexpr std::size_t kMaxBands = 4096;

template <class F>
void forEachSegment(const Polygon& polygon, F f) {
  const auto ring = [&](const Ring& r, std::uint32_t id) {
    for (std::size_t i = 0; i < r.size(); ++i) f(r[i], r[i + 1 == r.size() ? 0 : i + 1], id);
  };
  ring(polygon.outer, 0);
  for (std::size_t h = 0; h < polygon.holes.size(); ++h) {
    ring(polygon.holes[h], static_cast<std::uint32_t>(h + 1));
  }
}

}  // namespace

BandedPolygon::BandedPolygon(const Polygon& polygon) : m_polygon(&polygon) {
  double y0 = std::numeric_limits<double>::infinity(), y1 = -y0;
  std::size_t count = 0;
  bool finite = true;
  forEachSegment(polygon, [&](const Point& a, const Point&, std::uint32_t) {
    finite = finite && std::isfinite(a.x) && std::isfinite(a.y);
    y0 = std::min(y0, a.y);
    y1 = std::max(y1, a.y);
    ++count;
  });
  // Rings with a coordinate that is not finite, or no height: one band (the
  // walk of locate() itself).
  if (finite && count > 0 && y1 > y0) {
    m_bands = std::clamp<std::size_t>(count * kBandsPerSegment, 1, kMaxBands);
    m_y0 = y0;
    m_scale = static_cast<double>(m_bands) / (y1 - y0);
    if (!std::isfinite(m_scale)) {
      m_bands = 1;
      m_scale = 0;
    }
  }
  m_start.assign(m_bands + 1, 0);
  forEachSegment(polygon, [&](const Point& a, const Point& b, std::uint32_t) {
    const std::size_t last = band(std::max(a.y, b.y));
    for (std::size_t k = band(std::min(a.y, b.y)); k <= last; ++k) ++m_start[k + 1];
  });
  for (std::size_t k = 0; k < m_bands; ++k) m_start[k + 1] += m_start[k];
  m_segments.resize(m_start[m_bands]);
  std::vector<std::uint32_t> fill(m_start.begin(), m_start.end() - 1);
  // In ring order, so each band's segments come by ring (locate() decides
  // the outer ring, then the holes in order).
  forEachSegment(polygon, [&](const Point& a, const Point& b, std::uint32_t ring) {
    const std::size_t last = band(std::max(a.y, b.y));
    for (std::size_t k = band(std::min(a.y, b.y)); k <= last; ++k) {
      m_segments[fill[k]++] = {a, b, ring};
    }
  });
}

// Monotone in y (a subtraction, a product by a positive number, a floor, a
// clamp): a <= y <= b gives band(a) <= band(y) <= band(b), which is all the
// bands rely on.
std::size_t BandedPolygon::band(double y) const {
  if (m_scale == 0) return 0;
  const double k = std::floor((y - m_y0) * m_scale);
  if (!(k > 0)) return 0;  // NaN too
  return k >= static_cast<double>(m_bands - 1) ? m_bands - 1 : static_cast<std::size_t>(k);
}

Location BandedPolygon::locate(const Point& p) const {
  if (!std::isfinite(p.x) || !std::isfinite(p.y)) return geo::locate(p, *m_polygon);
  const std::size_t b = band(p.y);
  const Segment* s = m_segments.data() + m_start[b];
  const Segment* const end = m_segments.data() + m_start[b + 1];
  // locate(p, polygon): the outer ring, then each hole in order. A ring
  // with no segment in p's band is one whose every segment p's ray skips:
  // p is outside it.
  if (s == end || s->ring != 0) return Location::kExterior;
  while (s != end) {
    const std::uint32_t ring = s->ring;
    int crossings = 0;
    bool on = false;
    for (; s != end && s->ring == ring; ++s) {
      switch (detail::rayStep(p, s->a, s->b)) {
        case detail::RayStep::kOnSegment:
          on = true;
          break;
        case detail::RayStep::kCross:
          ++crossings;
          break;
        case detail::RayStep::kMiss:
          break;
      }
    }
    if (on) return Location::kBoundary;
    const bool inside = crossings % 2 == 1;
    if (ring == 0 ? !inside : inside) return Location::kExterior;  // outside, or in a hole
  }
  return Location::kInterior;
}

}  // namespace gridtwin::geo
