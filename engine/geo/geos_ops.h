#pragma once
// Operations on GEOS handles (geos.h's GeomPtr), for code that chains several
// GEOS operations (the boundary checks: overlay, parts, areas, validity) and
// would lose time and exactness converting to the value types between them.
// geos_c.h stays inside engine/geo: callers see only the opaque GEOSGeom_t.
//
// Every function runs on the calling thread's context (threadContext()), so
// the handles it takes and returns belong to that thread (see geos.h).
// Ownership: a `const GEOSGeom_t*` argument is borrowed; a GeomPtr result is
// the caller's. Operations that can fail return Result with kGeosFailure and
// the text "<what>: <GEOS's reason>" ("<what>: GEOS failed" when GEOS gave
// none), `what` naming the caller's work in the user's terms
// ("overlap of 440604001 and 440604002").
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "geo/geos.h"
#include "geo/types.h"

namespace gridtwin::geo {

// "<what>: <the last error GEOS reported on this thread>" (or "GEOS failed").
std::string geosErrorText(std::string_view what);

// An empty Polygon (never null).
GeomPtr emptyPolygon();
bool isEmpty(const GEOSGeom_t* g);

// The polygon parts of g (any type, collections walked), cloned, each a GEOS
// Polygon; empty polygons are skipped. None for a null g.
std::vector<GeomPtr> polygonParts(const GEOSGeom_t* g);
// A MultiPolygon made of the polygonal parts of g (lines and points of a
// collection are dropped).
GeomPtr polygonal(const GEOSGeom_t* g);
// The polygonal parts of g as a MultiPolygon value.
core::Result<MultiPolygon> polygonalValue(const GEOSGeom_t* g);
// Each interior ring of a Polygon as a Polygon of its own (the holes).
std::vector<GeomPtr> holesOf(const GEOSGeom_t* polygon);

// Measures; 0 when GEOS cannot compute them.
double area(const GEOSGeom_t* g);
double length(const GEOSGeom_t* g);
// The bounding box; empty for an empty geometry.
Box bounds(const GEOSGeom_t* g);
// A point inside g: its centroid when g covers it, else GEOS's point on
// surface; (0 0) for an empty g.
Point insidePoint(const GEOSGeom_t* g);
// The shortest distance between a and b; none when GEOS fails.
std::optional<double> distance(const GEOSGeom_t* a, const GEOSGeom_t* b);

// Overlay.
core::Result<GeomPtr> intersection(const GEOSGeom_t* a, const GEOSGeom_t* b, std::string_view what);
core::Result<GeomPtr> difference(const GEOSGeom_t* a, const GEOSGeom_t* b, std::string_view what);
// The unary union of all parts (which it does not take).
core::Result<GeomPtr> unionOf(const std::vector<const GEOSGeom_t*>& parts, std::string_view what);
// The boundary (a polygon's rings as lines).
core::Result<GeomPtr> boundaryOf(const GEOSGeom_t* g, std::string_view what);
// g clipped to the box (GEOSClipByRect: fast, may be invalid at the box's edge).
core::Result<GeomPtr> clipToBox(const GEOSGeom_t* g, const Box& box, std::string_view what);

// GEOS MakeValid, structure method (rings as shells and holes, collapsed
// parts dropped), polygonal part only.
core::Result<GeomPtr> repair(const GEOSGeom_t* g, std::string_view what);

enum class BufferJoin : unsigned char { kRound, kMitre, kBevel };
struct BufferStyle {
  int quadrantSegments = 8;
  BufferJoin join = BufferJoin::kRound;
  double mitreLimit = 5.0;  // GEOS's default
};
// Round caps; negative distances erode.
core::Result<GeomPtr> buffer(const GEOSGeom_t* g, double distance, const BufferStyle& style,
                             std::string_view what);

struct Validity {
  bool valid = false;
  std::string reason;          // GEOS's reason ("Self-intersection"); "Valid Geometry" when valid
  std::optional<Point> where;  // the place of the problem, when GEOS gives one
};
// GEOS isValidDetail. Errors: when GEOS cannot decide.
core::Result<Validity> validity(const GEOSGeom_t* g, std::string_view what);

}  // namespace gridtwin::geo
