#include "boundary/detail/geos_ops.h"

#include <utility>

namespace gridtwin::boundary::detail {

std::string lastGeosError(std::string_view what) {
  const std::string& e = geo::threadContext().lastError();
  return std::string(what) + ": " + (e.empty() ? std::string("GEOS failed") : e);
}

core::Result<geo::GeomPtr> toGeos(const geo::MultiPolygon& mp) {
  return geo::toGeos(geo::Geometry{mp});
}

namespace {
void collectPolygons(const GEOSGeometry* g, std::vector<geo::GeomPtr>& out) {
  const int type = GEOSGeomTypeId_r(ctx(), g);
  if (type == GEOS_POLYGON) {
    if (!GEOSisEmpty_r(ctx(), g)) out.push_back(own(GEOSGeom_clone_r(ctx(), g)));
    return;
  }
  if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
    const int n = GEOSGetNumGeometries_r(ctx(), g);
    for (int i = 0; i < n; ++i) collectPolygons(GEOSGetGeometryN_r(ctx(), g, i), out);
  }
}
}  // namespace

std::vector<geo::GeomPtr> polygonParts(const GEOSGeometry* g) {
  std::vector<geo::GeomPtr> out;
  if (g != nullptr) collectPolygons(g, out);
  return out;
}

geo::GeomPtr polygonal(const GEOSGeometry* g) {
  std::vector<geo::GeomPtr> parts = polygonParts(g);
  std::vector<GEOSGeometry*> raw;
  raw.reserve(parts.size());
  for (auto& p : parts) raw.push_back(p.release());
  return own(GEOSGeom_createCollection_r(ctx(), GEOS_MULTIPOLYGON, raw.data(),
                                         static_cast<unsigned>(raw.size())));
}

core::Result<geo::MultiPolygon> toMulti(const GEOSGeometry* g) {
  geo::MultiPolygon out;
  for (const auto& part : polygonParts(g)) {
    auto v = geo::fromGeos(part.get());
    if (!v) return v.takeError();
    if (auto* p = std::get_if<geo::Polygon>(&*v)) out.polygons.push_back(std::move(*p));
  }
  return out;
}

double area(const GEOSGeometry* g) {
  double a = 0;
  return GEOSArea_r(ctx(), g, &a) == 1 ? a : 0.0;
}

double perimeter(const GEOSGeometry* g) {
  double l = 0;
  return GEOSLength_r(ctx(), g, &l) == 1 ? l : 0.0;
}

geo::Box box(const GEOSGeometry* g) {
  geo::Box b;
  double minx = 0, miny = 0, maxx = 0, maxy = 0;
  if (GEOSisEmpty_r(ctx(), g) == 0 && GEOSGeom_getXMin_r(ctx(), g, &minx) == 1 &&
      GEOSGeom_getYMin_r(ctx(), g, &miny) == 1 && GEOSGeom_getXMax_r(ctx(), g, &maxx) == 1 &&
      GEOSGeom_getYMax_r(ctx(), g, &maxy) == 1) {
    b = {minx, miny, maxx, maxy};
  }
  return b;
}

geo::Point insidePoint(const GEOSGeometry* g) {
  geo::GeomPtr c = own(GEOSGetCentroid_r(ctx(), g));
  if (!c || GEOSCovers_r(ctx(), g, c.get()) != 1) c = own(GEOSPointOnSurface_r(ctx(), g));
  geo::Point p{};
  if (c && !GEOSisEmpty_r(ctx(), c.get())) {
    GEOSGeomGetX_r(ctx(), c.get(), &p.x);
    GEOSGeomGetY_r(ctx(), c.get(), &p.y);
  }
  return p;
}

namespace {
core::Result<geo::GeomPtr> checked(GEOSGeometry* g, std::string_view what) {
  if (g == nullptr) return core::makeError(core::ErrorCode::kGeosFailure, lastGeosError(what));
  return own(g);
}
}  // namespace

core::Result<geo::GeomPtr> intersection(const GEOSGeometry* a, const GEOSGeometry* b,
                                        std::string_view what) {
  geo::threadContext().clearLastError();  // no stale text in a failure
  return checked(GEOSIntersection_r(ctx(), a, b), what);
}

core::Result<geo::GeomPtr> difference(const GEOSGeometry* a, const GEOSGeometry* b,
                                      std::string_view what) {
  geo::threadContext().clearLastError();  // no stale text in a failure
  return checked(GEOSDifference_r(ctx(), a, b), what);
}

core::Result<geo::GeomPtr> unionOf(const std::vector<const GEOSGeometry*>& parts,
                                   std::string_view what) {
  geo::threadContext().clearLastError();  // no stale text in a failure
  std::vector<GEOSGeometry*> clones;
  clones.reserve(parts.size());
  for (const GEOSGeometry* p : parts) clones.push_back(GEOSGeom_clone_r(ctx(), p));
  geo::GeomPtr all = own(GEOSGeom_createCollection_r(ctx(), GEOS_GEOMETRYCOLLECTION, clones.data(),
                                                     static_cast<unsigned>(clones.size())));
  if (!all) return core::makeError(core::ErrorCode::kGeosFailure, lastGeosError(what));
  return checked(GEOSUnaryUnion_r(ctx(), all.get()), what);
}

core::Result<geo::GeomPtr> repair(const GEOSGeometry* g, std::string_view what) {
  geo::threadContext().clearLastError();  // no stale text in a failure
  GEOSMakeValidParams* params = GEOSMakeValidParams_create_r(ctx());
  GEOSMakeValidParams_setMethod_r(ctx(), params, GEOS_MAKE_VALID_STRUCTURE);
  GEOSMakeValidParams_setKeepCollapsed_r(ctx(), params, 0);
  GEOSGeometry* fixed = GEOSMakeValidWithParams_r(ctx(), g, params);
  GEOSMakeValidParams_destroy_r(ctx(), params);
  auto r = checked(fixed, what);
  if (!r) return r;
  return polygonal(r->get());
}

}  // namespace gridtwin::boundary::detail
