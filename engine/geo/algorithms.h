#pragma once
// Hot-path planar algorithms on the plain value types: exact point-in-polygon,
// areas, lengths, centroids, and the point/polygon predicates of DE-9IM.
// All functions are pure and thread-safe; none allocates except relate().
//
// Boundary semantics (the same as GEOS / JTS relate):
//  - A ring's boundary is its segments, vertices included. locate() decides
//    "on a segment" exactly: the orientation test is computed with a
//    floating-point filter and an exact expansion fallback (Shewchuk), so a
//    point on an edge is kBoundary whatever the edge's slope, never "just
//    inside" or "just outside" by rounding.
//  - Polygon: interior of the outer ring minus the closed holes; the boundary
//    is every ring's segments. A point inside a hole is kExterior, a point on
//    a hole's ring is kBoundary.
//  - MultiPolygon: kInterior if the point is interior to any member, else
//    kBoundary if on any member's boundary (a vertex where two members touch
//    is boundary), else kExterior. Members are assumed valid (interiors
//    disjoint); for overlapping members the first rule still gives a sane
//    answer.
//  - Degenerate input: an empty ring/polygon has no interior and no boundary
//    (everything is kExterior); a ring with zero area (all points collinear)
//    has only a boundary. Rings may be given open (last != first); they are
//    treated as closed.
//  - A (multi)point has no boundary; its interior is its points. POINT EMPTY
//    members of a MultiPoint are ignored.
#include <string>
#include <string_view>

#include "geo/geometry.h"

namespace gridtwin::geo {

enum class Location { kExterior, kBoundary, kInterior };

// Sign of the orientation of (a, b, c): +1 counter-clockwise (c left of a->b),
// -1 clockwise, 0 collinear. Exact for all finite inputs whose products do not
// overflow or underflow.
int orientation(const Point& a, const Point& b, const Point& c);

Location locate(const Point& p, const Ring& ring);
Location locate(const Point& p, const Polygon& polygon);
Location locate(const Point& p, const MultiPolygon& polygons);

// Shoelace area: positive for counter-clockwise rings. Open or closed rings.
double signedArea(const Ring& ring);
// |outer| minus |holes|, whatever the ring orientations.
double area(const Polygon& polygon);
double area(const MultiPolygon& polygons);
double length(const LineString& line);
// At least two points and last == first (exactly).
bool isClosed(const Ring& ring);
// Area-weighted centroid (holes subtracted). For a zero-area polygon, the
// average of the outer ring's distinct vertices; for an empty one, emptyPoint().
Point centroid(const Polygon& polygon);

// Point vs polygon predicates (OGC names; argument order as read: within(p, A)
// is "p within A"). An empty point or polygon makes every predicate false
// except disjoint.
bool intersects(const Point& p, const Polygon& a);  // interior or boundary
bool intersects(const Point& p, const MultiPolygon& a);
bool disjoint(const Point& p, const Polygon& a);  // exterior
bool disjoint(const Point& p, const MultiPolygon& a);
bool within(const Point& p, const Polygon& a);  // interior only
bool within(const Point& p, const MultiPolygon& a);
bool coveredBy(const Point& p, const Polygon& a);  // interior or boundary
bool coveredBy(const Point& p, const MultiPolygon& a);
bool touches(const Point& p, const Polygon& a);  // boundary only
bool touches(const Point& p, const MultiPolygon& a);
bool contains(const Polygon& a, const Point& p);  // = within(p, a)
bool contains(const MultiPolygon& a, const Point& p);
bool covers(const Polygon& a, const Point& p);  // = coveredBy(p, a)
bool covers(const MultiPolygon& a, const Point& p);

// MultiPoint vs polygon: within = no point outside and at least one in the
// interior; coveredBy = no point outside (and not empty); touches = at least
// one on the boundary and none in the interior; intersects = any point not
// outside.
bool intersects(const MultiPoint& p, const Polygon& a);
bool intersects(const MultiPoint& p, const MultiPolygon& a);
bool disjoint(const MultiPoint& p, const Polygon& a);
bool disjoint(const MultiPoint& p, const MultiPolygon& a);
bool within(const MultiPoint& p, const Polygon& a);
bool within(const MultiPoint& p, const MultiPolygon& a);
bool coveredBy(const MultiPoint& p, const Polygon& a);
bool coveredBy(const MultiPoint& p, const MultiPolygon& a);
bool touches(const MultiPoint& p, const Polygon& a);
bool touches(const MultiPoint& p, const MultiPolygon& a);
bool contains(const Polygon& a, const MultiPoint& p);
bool contains(const MultiPolygon& a, const MultiPoint& p);
bool covers(const Polygon& a, const MultiPoint& p);
bool covers(const MultiPolygon& a, const MultiPoint& p);

// The DE-9IM matrix of (multi)points A against (multi)polygon B, as the nine
// characters II IB IE BI BB BE EI EB EE ('F', '0', '1', '2'). Transpose it
// for B against A with transposeMatrix().
std::string relate(const MultiPoint& a, const MultiPolygon& b);
std::string transposeMatrix(std::string_view matrix);
// Whether a DE-9IM matrix matches a pattern of 'T', 'F', '*', '0', '1', '2'.
// Malformed input (not 9 characters) never matches.
bool relateMatches(std::string_view matrix, std::string_view pattern);

}  // namespace gridtwin::geo
