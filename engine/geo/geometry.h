#pragma once
// The geometry sum type: every OGC simple-feature kind as a plain value.
//
// Empties: POINT EMPTY is a Point whose x and y are both NaN (the WKB
// convention; parsers reject NaN anywhere else, so the encoding is
// unambiguous). Every other kind is empty when its vectors are empty.
// Values are immutable-by-convention snapshots: safe to read from many
// threads, no shared state.
#include <variant>
#include <vector>

#include "geo/types.h"

namespace gridtwin::geo {

struct MultiPoint {
  std::vector<Point> points;
  friend bool operator==(const MultiPoint&, const MultiPoint&) = default;
};

struct MultiLineString {
  std::vector<LineString> lines;
  friend bool operator==(const MultiLineString&, const MultiLineString&) = default;
};

struct GeometryCollection;

// Note: LineString and Ring are the same type (std::vector<Point>); a ring
// held alone in a Geometry is a LineString.
using Geometry = std::variant<Point, LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon,
                              GeometryCollection>;

// Recursive through std::vector, which allows an incomplete element type.
struct GeometryCollection {
  std::vector<Geometry> geometries;
  friend bool operator==(const GeometryCollection&, const GeometryCollection&) = default;
};

// A Point standing for POINT EMPTY (both coordinates NaN).
Point emptyPoint();

bool isEmpty(const Point& p);
bool isEmpty(const Geometry& g);

// Bounding boxes; an empty geometry gives an empty Box (Box::empty() true).
Box bbox(const Point& p);
Box bbox(const LineString& line);  // also rings
Box bbox(const Polygon& polygon);  // the outer ring's box
Box bbox(const MultiPoint& points);
Box bbox(const MultiLineString& lines);
Box bbox(const MultiPolygon& polygons);
Box bbox(const GeometryCollection& collection);
Box bbox(const Geometry& g);

// "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString",
// "MultiPolygon", "GeometryCollection" (the GeoJSON spelling). Static storage.
const char* typeName(const Geometry& g);

}  // namespace gridtwin::geo
