#define GEOS_USE_ONLY_R_API
#include "geo/geos_ops.h"

#include <geos_c.h>

#include <utility>

namespace gridtwin::geo {

namespace {

GEOSContextHandle_t ctx() { return threadContext().handle(); }

GeomPtr own(GEOSGeometry* g) { return GeomPtr(g, GeomDeleter{ctx()}); }

core::Result<GeomPtr> checked(GEOSGeometry* g, std::string_view what) {
  if (g == nullptr) return core::makeError(core::ErrorCode::kGeosFailure, geosErrorText(what));
  return own(g);
}

void collectPolygons(const GEOSGeometry* g, std::vector<GeomPtr>& out) {
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

std::string geosErrorText(std::string_view what) {
  const std::string& e = threadContext().lastError();
  return std::string(what) + ": " + (e.empty() ? std::string("GEOS failed") : e);
}

GeomPtr emptyPolygon() { return own(GEOSGeom_createEmptyPolygon_r(ctx())); }

bool isEmpty(const GEOSGeom_t* g) { return GEOSisEmpty_r(ctx(), g) == 1; }

std::vector<GeomPtr> polygonParts(const GEOSGeom_t* g) {
  std::vector<GeomPtr> out;
  if (g != nullptr) collectPolygons(g, out);
  return out;
}

GeomPtr polygonal(const GEOSGeom_t* g) {
  std::vector<GeomPtr> parts = polygonParts(g);
  std::vector<GEOSGeometry*> raw;
  raw.reserve(parts.size());
  for (auto& p : parts) raw.push_back(p.release());
  return own(GEOSGeom_createCollection_r(ctx(), GEOS_MULTIPOLYGON, raw.data(),
                                         static_cast<unsigned>(raw.size())));
}

core::Result<MultiPolygon> polygonalValue(const GEOSGeom_t* g) {
  MultiPolygon out;
  for (const auto& part : polygonParts(g)) {
    auto v = fromGeos(part.get());
    if (!v) return v.takeError();
    if (auto* p = std::get_if<Polygon>(&*v)) out.polygons.push_back(std::move(*p));
  }
  return out;
}

std::vector<GeomPtr> holesOf(const GEOSGeom_t* polygon) {
  std::vector<GeomPtr> out;
  const int holes = GEOSGetNumInteriorRings_r(ctx(), polygon);
  for (int h = 0; h < holes; ++h) {
    const GEOSGeometry* ring = GEOSGetInteriorRingN_r(ctx(), polygon, h);
    GEOSCoordSequence* seq = GEOSCoordSeq_clone_r(ctx(), GEOSGeom_getCoordSeq_r(ctx(), ring));
    // GEOS takes the sequence, and the shell, even when it fails.
    GEOSGeometry* shell = seq != nullptr ? GEOSGeom_createLinearRing_r(ctx(), seq) : nullptr;
    GeomPtr hole = shell != nullptr ? own(GEOSGeom_createPolygon_r(ctx(), shell, nullptr, 0))
                                    : GeomPtr(nullptr, GeomDeleter{ctx()});
    if (hole) out.push_back(std::move(hole));
  }
  return out;
}

double area(const GEOSGeom_t* g) {
  double a = 0;
  return GEOSArea_r(ctx(), g, &a) == 1 ? a : 0.0;
}

double length(const GEOSGeom_t* g) {
  double l = 0;
  return GEOSLength_r(ctx(), g, &l) == 1 ? l : 0.0;
}

Box bounds(const GEOSGeom_t* g) {
  Box b;
  double minx = 0, miny = 0, maxx = 0, maxy = 0;
  if (GEOSisEmpty_r(ctx(), g) == 0 && GEOSGeom_getXMin_r(ctx(), g, &minx) == 1 &&
      GEOSGeom_getYMin_r(ctx(), g, &miny) == 1 && GEOSGeom_getXMax_r(ctx(), g, &maxx) == 1 &&
      GEOSGeom_getYMax_r(ctx(), g, &maxy) == 1) {
    b = {minx, miny, maxx, maxy};
  }
  return b;
}

Point insidePoint(const GEOSGeom_t* g) {
  GeomPtr c = own(GEOSGetCentroid_r(ctx(), g));
  if (!c || GEOSCovers_r(ctx(), g, c.get()) != 1) c = own(GEOSPointOnSurface_r(ctx(), g));
  Point p{};
  if (c && !GEOSisEmpty_r(ctx(), c.get())) {
    GEOSGeomGetX_r(ctx(), c.get(), &p.x);
    GEOSGeomGetY_r(ctx(), c.get(), &p.y);
  }
  return p;
}

std::optional<double> distance(const GEOSGeom_t* a, const GEOSGeom_t* b) {
  double d = 0;
  if (GEOSDistance_r(ctx(), a, b, &d) != 1) return std::nullopt;
  return d;
}

core::Result<GeomPtr> intersection(const GEOSGeom_t* a, const GEOSGeom_t* b,
                                   std::string_view what) {
  threadContext().clearLastError();  // no stale text in a failure
  return checked(GEOSIntersection_r(ctx(), a, b), what);
}

core::Result<GeomPtr> difference(const GEOSGeom_t* a, const GEOSGeom_t* b, std::string_view what) {
  threadContext().clearLastError();
  return checked(GEOSDifference_r(ctx(), a, b), what);
}

core::Result<GeomPtr> unionOf(const std::vector<const GEOSGeom_t*>& parts, std::string_view what) {
  threadContext().clearLastError();
  std::vector<GEOSGeometry*> clones;
  clones.reserve(parts.size());
  for (const GEOSGeometry* p : parts) clones.push_back(GEOSGeom_clone_r(ctx(), p));
  GeomPtr all = own(GEOSGeom_createCollection_r(ctx(), GEOS_GEOMETRYCOLLECTION, clones.data(),
                                                static_cast<unsigned>(clones.size())));
  if (!all) return core::makeError(core::ErrorCode::kGeosFailure, geosErrorText(what));
  return checked(GEOSUnaryUnion_r(ctx(), all.get()), what);
}

core::Result<GeomPtr> boundaryOf(const GEOSGeom_t* g, std::string_view what) {
  threadContext().clearLastError();
  return checked(GEOSBoundary_r(ctx(), g), what);
}

core::Result<GeomPtr> clipToBox(const GEOSGeom_t* g, const Box& box, std::string_view what) {
  threadContext().clearLastError();
  return checked(GEOSClipByRect_r(ctx(), g, box.minx, box.miny, box.maxx, box.maxy), what);
}

core::Result<GeomPtr> repair(const GEOSGeom_t* g, std::string_view what) {
  threadContext().clearLastError();
  struct ParamsDeleter {
    GEOSContextHandle_t context;
    void operator()(GEOSMakeValidParams* p) const { GEOSMakeValidParams_destroy_r(context, p); }
  };
  const std::unique_ptr<GEOSMakeValidParams, ParamsDeleter> params(
      GEOSMakeValidParams_create_r(ctx()), ParamsDeleter{ctx()});
  GEOSMakeValidParams_setMethod_r(ctx(), params.get(), GEOS_MAKE_VALID_STRUCTURE);
  GEOSMakeValidParams_setKeepCollapsed_r(ctx(), params.get(), 0);
  auto fixed = checked(GEOSMakeValidWithParams_r(ctx(), g, params.get()), what);
  if (!fixed) return fixed;
  return polygonal(fixed->get());
}

core::Result<GeomPtr> buffer(const GEOSGeom_t* g, double distance, const BufferStyle& style,
                             std::string_view what) {
  threadContext().clearLastError();
  const int join = style.join == BufferJoin::kMitre   ? GEOSBUF_JOIN_MITRE
                   : style.join == BufferJoin::kBevel ? GEOSBUF_JOIN_BEVEL
                                                      : GEOSBUF_JOIN_ROUND;
  return checked(GEOSBufferWithStyle_r(ctx(), g, distance, style.quadrantSegments,
                                       GEOSBUF_CAP_ROUND, join, style.mitreLimit),
                 what);
}

core::Result<Validity> validity(const GEOSGeom_t* g, std::string_view what) {
  char* reason = nullptr;
  GEOSGeometry* location = nullptr;
  const char valid = GEOSisValidDetail_r(ctx(), g, 0, &reason, &location);
  const GeomPtr where = own(location);
  Validity v;
  v.valid = valid == 1;
  if (reason != nullptr) {
    v.reason = reason;
    GEOSFree_r(ctx(), reason);
  }
  if (valid == 2) return core::makeError(core::ErrorCode::kGeosFailure, geosErrorText(what));
  if (where && !GEOSisEmpty_r(ctx(), where.get())) {
    Point p{};
    GEOSGeomGetX_r(ctx(), where.get(), &p.x);
    GEOSGeomGetY_r(ctx(), where.get(), &p.y);
    v.where = p;
  }
  return v;
}

}  // namespace gridtwin::geo
