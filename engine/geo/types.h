#pragma once
// Plain geometry value types for hot paths: flat, copyable, no ownership
// tricks. Coordinates are doubles in whatever CRS the caller names (lon,lat
// degrees for EPSG:4490/4326; x=easting,y=northing metres for EPSG:4547).
// GEOS is used behind geo/geos.h for robust heavy operations only.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace gridtwin::geo {

struct Point {
  double x = 0;
  double y = 0;
  // Exact coordinate equality, except that NaN equals NaN: POINT EMPTY is
  // encoded as (NaN, NaN) (see geometry.h) and must compare equal to itself.
  friend bool operator==(const Point& a, const Point& b) {
    return (a.x == b.x || (a.x != a.x && b.x != b.x)) && (a.y == b.y || (a.y != a.y && b.y != b.y));
  }
};

struct Box {
  double minx = std::numeric_limits<double>::infinity();
  double miny = std::numeric_limits<double>::infinity();
  double maxx = -std::numeric_limits<double>::infinity();
  double maxy = -std::numeric_limits<double>::infinity();

  bool empty() const { return minx > maxx || miny > maxy; }
  void expand(const Point& p) {
    minx = std::min(minx, p.x);
    miny = std::min(miny, p.y);
    maxx = std::max(maxx, p.x);
    maxy = std::max(maxy, p.y);
  }
  void expand(const Box& b) {
    minx = std::min(minx, b.minx);
    miny = std::min(miny, b.miny);
    maxx = std::max(maxx, b.maxx);
    maxy = std::max(maxy, b.maxy);
  }
  bool contains(const Point& p) const {
    return p.x >= minx && p.x <= maxx && p.y >= miny && p.y <= maxy;
  }
  bool intersects(const Box& b) const {
    return !(b.minx > maxx || b.maxx < minx || b.miny > maxy || b.maxy < miny);
  }
  double width() const { return maxx - minx; }
  double height() const { return maxy - miny; }
  friend bool operator==(const Box&, const Box&) = default;
};

// A closed ring: the first point is repeated as the last one.
using Ring = std::vector<Point>;

struct Polygon {
  Ring outer;
  std::vector<Ring> holes;
  friend bool operator==(const Polygon&, const Polygon&) = default;
};

struct MultiPolygon {
  std::vector<Polygon> polygons;
  friend bool operator==(const MultiPolygon&, const MultiPolygon&) = default;
};

using LineString = std::vector<Point>;

}  // namespace gridtwin::geo
