#pragma once
// Thin helpers over the GEOS C API for this module's .cpp files (never
// included by a public header). Every call uses the calling thread's context.
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "geo/geos.h"
#include "geo/types.h"

namespace gridtwin::boundary::detail {

inline GEOSContextHandle_t ctx() { return geo::threadContext().handle(); }

inline geo::GeomPtr own(GEOSGeometry* g) { return geo::GeomPtr(g, geo::GeomDeleter{ctx()}); }

// GEOS's last error text on this thread (or a generic one).
std::string lastGeosError(std::string_view what);

core::Result<geo::GeomPtr> toGeos(const geo::MultiPolygon& mp);
// The polygonal parts of any geometry as a MultiPolygon value (lines and
// points of a collection are dropped).
core::Result<geo::MultiPolygon> toMulti(const GEOSGeometry* g);

// The polygon parts of g (any type), cloned, each a GEOS Polygon.
std::vector<geo::GeomPtr> polygonParts(const GEOSGeometry* g);
// A MultiPolygon made of the polygonal parts of g (which it does not take).
geo::GeomPtr polygonal(const GEOSGeometry* g);

double area(const GEOSGeometry* g);
double perimeter(const GEOSGeometry* g);
geo::Box box(const GEOSGeometry* g);
// A point inside g: its centroid when g covers it, else GEOS's point on surface.
geo::Point insidePoint(const GEOSGeometry* g);

// Overlay; nullptr result becomes kGeosFailure naming `what`.
core::Result<geo::GeomPtr> intersection(const GEOSGeometry* a, const GEOSGeometry* b,
                                        std::string_view what);
core::Result<geo::GeomPtr> difference(const GEOSGeometry* a, const GEOSGeometry* b,
                                      std::string_view what);
core::Result<geo::GeomPtr> unionOf(const std::vector<const GEOSGeometry*>& parts,
                                   std::string_view what);
// GEOS MakeValid, structure method (rings as shells and holes), polygonal
// part only.
core::Result<geo::GeomPtr> repair(const GEOSGeometry* g, std::string_view what);

}  // namespace gridtwin::boundary::detail
