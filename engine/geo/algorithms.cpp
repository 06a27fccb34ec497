#include "geo/algorithms.h"

#include <array>
#include <cmath>
#include <cstddef>

#include "geo/detail/ray_crossing.h"
#include "geo/exact.h"

namespace gridtwin::geo {

using exact::signOfSum;
using exact::twoProduct;
using exact::twoSum;

int orientation(const Point& a, const Point& b, const Point& c) {
  // Fast path: Shewchuk's orient2d error bound on the double evaluation.
  const double detLeft = (b.x - a.x) * (c.y - a.y);
  const double detRight = (b.y - a.y) * (c.x - a.x);
  const double det = detLeft - detRight;
  const double bound = 3.3306690738754716e-16 * (std::fabs(detLeft) + std::fabs(detRight));
  if (det > bound) return 1;
  if (-det > bound) return -1;
  // Near zero the rounded differences cannot be trusted: decide exactly.
  // Exact: (bx-ax)(cy-ay) - (by-ay)(cx-ax)
  //      = bx*cy - bx*ay - ax*cy - by*cx + by*ax + ay*cx   (the ax*ay terms cancel)
  std::array<double, 12> t{};
  twoProduct(b.x, c.y, t[0], t[1]);
  twoProduct(-b.x, a.y, t[2], t[3]);
  twoProduct(-a.x, c.y, t[4], t[5]);
  twoProduct(-b.y, c.x, t[6], t[7]);
  twoProduct(b.y, a.x, t[8], t[9]);
  twoProduct(a.y, c.x, t[10], t[11]);
  return signOfSum(t);
}

Location locate(const Point& p, const Ring& ring) {
  // Ray crossing to +x (detail::rayStep, shared with BandedPolygon).
  const std::size_t n = ring.size();
  if (n == 0 || isEmpty(p)) return Location::kExterior;
  int crossings = 0;
  for (std::size_t i = 0; i < n; ++i) {
    // The last step closes open rings; a no-op when closed.
    switch (detail::rayStep(p, ring[i], ring[i + 1 == n ? 0 : i + 1])) {
      case detail::RayStep::kOnSegment:
        return Location::kBoundary;
      case detail::RayStep::kCross:
        ++crossings;
        break;
      case detail::RayStep::kMiss:
        break;
    }
  }
  return (crossings % 2 == 1) ? Location::kInterior : Location::kExterior;
}

Location locate(const Point& p, const Polygon& polygon) {
  const Location outer = locate(p, polygon.outer);
  if (outer != Location::kInterior) return outer;
  for (const Ring& hole : polygon.holes) {
    const Location h = locate(p, hole);
    if (h == Location::kBoundary) return Location::kBoundary;
    if (h == Location::kInterior) return Location::kExterior;
  }
  return Location::kInterior;
}

Location locate(const Point& p, const MultiPolygon& polygons) {
  bool onBoundary = false;
  for (const Polygon& polygon : polygons.polygons) {
    const Location l = locate(p, polygon);
    if (l == Location::kInterior) return l;
    if (l == Location::kBoundary) onBoundary = true;
  }
  return onBoundary ? Location::kBoundary : Location::kExterior;
}

double signedArea(const Ring& ring) {
  const std::size_t n = ring.size();
  if (n < 3) return 0;
  // Translate to the first vertex: keeps precision for projected metres far
  // from the origin.
  const Point o = ring[0];
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Point& a = ring[i];
    const Point& b = ring[(i + 1) % n];
    sum += (a.x - o.x) * (b.y - o.y) - (b.x - o.x) * (a.y - o.y);
  }
  return sum / 2;
}

double area(const Polygon& polygon) {
  double a = std::fabs(signedArea(polygon.outer));
  for (const Ring& hole : polygon.holes) a -= std::fabs(signedArea(hole));
  return a;
}

double area(const MultiPolygon& polygons) {
  double a = 0;
  for (const Polygon& p : polygons.polygons) a += area(p);
  return a;
}

double length(const LineString& line) {
  double len = 0;
  for (std::size_t i = 1; i < line.size(); ++i) {
    len += std::hypot(line[i].x - line[i - 1].x, line[i].y - line[i - 1].y);
  }
  return len;
}

bool isClosed(const Ring& ring) { return ring.size() >= 2 && ring.front() == ring.back(); }

namespace {
// Accumulates sum(cross * (a + b)) relative to origin o, for one ring.
void accumulateCentroid(const Ring& ring, const Point& o, double sign, double& cx, double& cy,
                        double& a2) {
  const std::size_t n = ring.size();
  if (n < 3) return;
  double ringA2 = 0;
  double rx = 0;
  double ry = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double ax = ring[i].x - o.x;
    const double ay = ring[i].y - o.y;
    const double bx = ring[(i + 1) % n].x - o.x;
    const double by = ring[(i + 1) % n].y - o.y;
    const double cross = ax * by - bx * ay;
    ringA2 += cross;
    rx += (ax + bx) * cross;
    ry += (ay + by) * cross;
  }
  // Normalize ring orientation: outer counts positive, holes negative.
  const double s = (ringA2 < 0 ? -1.0 : 1.0) * sign;
  cx += s * rx;
  cy += s * ry;
  a2 += s * ringA2;
}
}  // namespace

Point centroid(const Polygon& polygon) {
  if (polygon.outer.empty()) return emptyPoint();
  const Point o = polygon.outer[0];
  double cx = 0;
  double cy = 0;
  double a2 = 0;
  accumulateCentroid(polygon.outer, o, 1.0, cx, cy, a2);
  for (const Ring& hole : polygon.holes) accumulateCentroid(hole, o, -1.0, cx, cy, a2);
  if (a2 != 0) return Point{o.x + cx / (3 * a2), o.y + cy / (3 * a2)};
  // Zero area: the mean of the distinct vertices (skip the closing repeat).
  std::size_t n = polygon.outer.size();
  if (n > 1 && isClosed(polygon.outer)) --n;
  double sx = 0;
  double sy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sx += polygon.outer[i].x;
    sy += polygon.outer[i].y;
  }
  return Point{sx / static_cast<double>(n), sy / static_cast<double>(n)};
}

// --- predicates ---------------------------------------------------------

bool intersects(const Point& p, const Polygon& a) { return locate(p, a) != Location::kExterior; }
bool intersects(const Point& p, const MultiPolygon& a) {
  return locate(p, a) != Location::kExterior;
}
bool disjoint(const Point& p, const Polygon& a) { return !intersects(p, a); }
bool disjoint(const Point& p, const MultiPolygon& a) { return !intersects(p, a); }
bool within(const Point& p, const Polygon& a) { return locate(p, a) == Location::kInterior; }
bool within(const Point& p, const MultiPolygon& a) { return locate(p, a) == Location::kInterior; }
bool coveredBy(const Point& p, const Polygon& a) { return intersects(p, a); }
bool coveredBy(const Point& p, const MultiPolygon& a) { return intersects(p, a); }
bool touches(const Point& p, const Polygon& a) { return locate(p, a) == Location::kBoundary; }
bool touches(const Point& p, const MultiPolygon& a) { return locate(p, a) == Location::kBoundary; }
bool contains(const Polygon& a, const Point& p) { return within(p, a); }
bool contains(const MultiPolygon& a, const Point& p) { return within(p, a); }
bool covers(const Polygon& a, const Point& p) { return coveredBy(p, a); }
bool covers(const MultiPolygon& a, const Point& p) { return coveredBy(p, a); }

namespace {
struct LocationCounts {
  int interior = 0;
  int boundary = 0;
  int exterior = 0;
  bool any() const { return interior + boundary + exterior > 0; }
};

template <class Area>
LocationCounts countLocations(const MultiPoint& points, const Area& a) {
  LocationCounts c;
  for (const Point& p : points.points) {
    if (isEmpty(p)) continue;
    switch (locate(p, a)) {
      case Location::kInterior:
        ++c.interior;
        break;
      case Location::kBoundary:
        ++c.boundary;
        break;
      case Location::kExterior:
        ++c.exterior;
        break;
    }
  }
  return c;
}

template <class Area>
bool multiIntersects(const MultiPoint& p, const Area& a) {
  const LocationCounts c = countLocations(p, a);
  return c.interior + c.boundary > 0;
}
template <class Area>
bool multiWithin(const MultiPoint& p, const Area& a) {
  const LocationCounts c = countLocations(p, a);
  return c.interior > 0 && c.exterior == 0;
}
template <class Area>
bool multiCoveredBy(const MultiPoint& p, const Area& a) {
  const LocationCounts c = countLocations(p, a);
  return c.any() && c.exterior == 0;
}
template <class Area>
bool multiTouches(const MultiPoint& p, const Area& a) {
  const LocationCounts c = countLocations(p, a);
  return c.boundary > 0 && c.interior == 0;
}
}  // namespace

bool intersects(const MultiPoint& p, const Polygon& a) { return multiIntersects(p, a); }
bool intersects(const MultiPoint& p, const MultiPolygon& a) { return multiIntersects(p, a); }
bool disjoint(const MultiPoint& p, const Polygon& a) { return !multiIntersects(p, a); }
bool disjoint(const MultiPoint& p, const MultiPolygon& a) { return !multiIntersects(p, a); }
bool within(const MultiPoint& p, const Polygon& a) { return multiWithin(p, a); }
bool within(const MultiPoint& p, const MultiPolygon& a) { return multiWithin(p, a); }
bool coveredBy(const MultiPoint& p, const Polygon& a) { return multiCoveredBy(p, a); }
bool coveredBy(const MultiPoint& p, const MultiPolygon& a) { return multiCoveredBy(p, a); }
bool touches(const MultiPoint& p, const Polygon& a) { return multiTouches(p, a); }
bool touches(const MultiPoint& p, const MultiPolygon& a) { return multiTouches(p, a); }
bool contains(const Polygon& a, const MultiPoint& p) { return multiWithin(p, a); }
bool contains(const MultiPolygon& a, const MultiPoint& p) { return multiWithin(p, a); }
bool covers(const Polygon& a, const MultiPoint& p) { return multiCoveredBy(p, a); }
bool covers(const MultiPolygon& a, const MultiPoint& p) { return multiCoveredBy(p, a); }

std::string relate(const MultiPoint& a, const MultiPolygon& b) {
  const LocationCounts c = countLocations(a, b);
  bool bEmpty = true;
  for (const Polygon& p : b.polygons) bEmpty = bEmpty && p.outer.empty();
  std::string m = "FFFFFFFFF";
  // Row I(A): where A's points fall.
  if (c.interior > 0) m[0] = '0';
  if (c.boundary > 0) m[1] = '0';
  if (c.exterior > 0) m[2] = '0';
  // Row B(A) stays F: points have no boundary.
  // Row E(A): finitely many points cannot cover B's interior or boundary.
  if (!bEmpty) {
    m[6] = '2';
    m[7] = '1';
  }
  m[8] = '2';
  return m;
}

std::string transposeMatrix(std::string_view matrix) {
  if (matrix.size() != 9) return std::string(matrix);
  std::string t(9, 'F');
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) {
      t[static_cast<std::size_t>(c * 3 + r)] = matrix[static_cast<std::size_t>(r * 3 + c)];
    }
  }
  return t;
}

bool relateMatches(std::string_view matrix, std::string_view pattern) {
  if (matrix.size() != 9 || pattern.size() != 9) return false;
  for (std::size_t i = 0; i < 9; ++i) {
    const char m = matrix[i];
    const char p = pattern[i];
    switch (p) {
      case '*':
        break;
      case 'T':
      case 't':
        if (m == 'F') return false;
        break;
      case 'F':
      case 'f':
        if (m != 'F') return false;
        break;
      default:
        if (m != p) return false;
        break;
    }
  }
  return true;
}

}  // namespace gridtwin::geo
