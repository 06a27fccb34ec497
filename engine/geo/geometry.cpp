#include "geo/geometry.h"

#include <cmath>
#include <limits>

namespace gridtwin::geo {

namespace {
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;
}  // namespace

Point emptyPoint() {
  return Point{std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
}

bool isEmpty(const Point& p) { return std::isnan(p.x) && std::isnan(p.y); }

bool isEmpty(const Geometry& g) {
  return std::visit(Overloaded{
                        [](const Point& p) { return isEmpty(p); },
                        [](const LineString& l) { return l.empty(); },
                        [](const Polygon& p) { return p.outer.empty(); },
                        [](const MultiPoint& m) {
                          for (const Point& p : m.points) {
                            if (!isEmpty(p)) return false;
                          }
                          return true;
                        },
                        [](const MultiLineString& m) {
                          for (const LineString& l : m.lines) {
                            if (!l.empty()) return false;
                          }
                          return true;
                        },
                        [](const MultiPolygon& m) {
                          for (const Polygon& p : m.polygons) {
                            if (!p.outer.empty()) return false;
                          }
                          return true;
                        },
                        [](const GeometryCollection& c) {
                          for (const Geometry& child : c.geometries) {
                            if (!isEmpty(child)) return false;
                          }
                          return true;
                        },
                    },
                    g);
}

Box bbox(const Point& p) {
  Box b;
  if (!isEmpty(p)) b.expand(p);
  return b;
}

Box bbox(const LineString& line) {
  Box b;
  for (const Point& p : line) b.expand(p);
  return b;
}

Box bbox(const Polygon& polygon) { return bbox(polygon.outer); }

Box bbox(const MultiPoint& points) {
  Box b;
  for (const Point& p : points.points) b.expand(bbox(p));
  return b;
}

Box bbox(const MultiLineString& lines) {
  Box b;
  for (const LineString& l : lines.lines) b.expand(bbox(l));
  return b;
}

Box bbox(const MultiPolygon& polygons) {
  Box b;
  for (const Polygon& p : polygons.polygons) b.expand(bbox(p));
  return b;
}

Box bbox(const GeometryCollection& collection) {
  Box b;
  for (const Geometry& g : collection.geometries) b.expand(bbox(g));
  return b;
}

Box bbox(const Geometry& g) {
  return std::visit([](const auto& v) { return bbox(v); }, g);
}

const char* typeName(const Geometry& g) {
  static constexpr const char* kNames[] = {
      "Point",           "LineString",   "Polygon",           "MultiPoint",
      "MultiLineString", "MultiPolygon", "GeometryCollection"};
  return kNames[g.index()];
}

}  // namespace gridtwin::geo
