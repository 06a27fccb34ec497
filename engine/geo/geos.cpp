#define GEOS_USE_ONLY_R_API
#include "geo/geos.h"

#include <geos_c.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "geo/algorithms.h"
#include "geo/detail/common.h"

namespace gridtwin::geo {

namespace {

using core::ErrorCode;

core::Error geosError(const std::string& what) {
  GeosContext& ctx = threadContext();
  std::string message = what + " failed";
  if (!ctx.lastError().empty()) message += ": " + ctx.lastError();
  ctx.clearLastError();
  return core::makeError(ErrorCode::kGeosFailure, std::move(message));
}

GeomPtr own(GEOSGeometry* g) { return GeomPtr(g, GeomDeleter{threadContext().handle()}); }

// Builds a coordinate sequence from 2D points; nullptr on GEOS failure.
GEOSCoordSequence* makeSeq(GEOSContextHandle_t h, const std::vector<Point>& points) {
  std::vector<double> xy;
  xy.reserve(points.size() * 2);
  for (const Point& p : points) {
    xy.push_back(p.x);
    xy.push_back(p.y);
  }
  return GEOSCoordSeq_copyFromBuffer_r(h, xy.data(), static_cast<unsigned>(points.size()), 0, 0);
}

// Raw constructors: ownership of the result passes to the caller; on failure
// nullptr and nothing leaks (GEOS takes ownership of arguments even when it
// fails, except where noted).
GEOSGeometry* rawLine(GEOSContextHandle_t h, const LineString& l) {
  if (l.empty()) return GEOSGeom_createEmptyLineString_r(h);
  GEOSCoordSequence* seq = makeSeq(h, l);
  return seq ? GEOSGeom_createLineString_r(h, seq) : nullptr;
}

GEOSGeometry* rawPoint(GEOSContextHandle_t h, const Point& p) {
  if (isEmpty(p)) return GEOSGeom_createEmptyPoint_r(h);
  return GEOSGeom_createPointFromXY_r(h, p.x, p.y);
}

GEOSGeometry* rawPolygon(GEOSContextHandle_t h, const Polygon& p) {
  if (p.outer.empty()) return GEOSGeom_createEmptyPolygon_r(h);
  GEOSCoordSequence* seq = makeSeq(h, p.outer);
  GEOSGeometry* shell = seq ? GEOSGeom_createLinearRing_r(h, seq) : nullptr;
  if (!shell) return nullptr;
  std::vector<GEOSGeometry*> holes;
  for (const Ring& r : p.holes) {
    GEOSCoordSequence* hs = makeSeq(h, r);
    GEOSGeometry* hole = hs ? GEOSGeom_createLinearRing_r(h, hs) : nullptr;
    if (!hole) {
      GEOSGeom_destroy_r(h, shell);
      for (GEOSGeometry* made : holes) GEOSGeom_destroy_r(h, made);
      return nullptr;
    }
    holes.push_back(hole);
  }
  GEOSGeometry* poly =
      GEOSGeom_createPolygon_r(h, shell, holes.data(), static_cast<unsigned>(holes.size()));
  return poly;
}

GEOSGeometry* rawGeometry(GEOSContextHandle_t h, const Geometry& g);

GEOSGeometry* rawCollection(GEOSContextHandle_t h, int type, std::vector<GEOSGeometry*> parts) {
  for (GEOSGeometry* part : parts) {
    if (!part) {
      for (GEOSGeometry* other : parts) {
        if (other) GEOSGeom_destroy_r(h, other);
      }
      return nullptr;
    }
  }
  if (parts.empty()) return GEOSGeom_createEmptyCollection_r(h, type);
  return GEOSGeom_createCollection_r(h, type, parts.data(), static_cast<unsigned>(parts.size()));
}

GEOSGeometry* rawGeometry(GEOSContextHandle_t h, const Geometry& g) {
  if (const auto* p = std::get_if<Point>(&g)) return rawPoint(h, *p);
  if (const auto* l = std::get_if<LineString>(&g)) return rawLine(h, *l);
  if (const auto* poly = std::get_if<Polygon>(&g)) return rawPolygon(h, *poly);
  std::vector<GEOSGeometry*> parts;
  if (const auto* mp = std::get_if<MultiPoint>(&g)) {
    for (const Point& p : mp->points) parts.push_back(rawPoint(h, p));
    return rawCollection(h, GEOS_MULTIPOINT, std::move(parts));
  }
  if (const auto* ml = std::get_if<MultiLineString>(&g)) {
    for (const LineString& l : ml->lines) parts.push_back(rawLine(h, l));
    return rawCollection(h, GEOS_MULTILINESTRING, std::move(parts));
  }
  if (const auto* mpoly = std::get_if<MultiPolygon>(&g)) {
    for (const Polygon& p : mpoly->polygons) parts.push_back(rawPolygon(h, p));
    return rawCollection(h, GEOS_MULTIPOLYGON, std::move(parts));
  }
  const auto& c = std::get<GeometryCollection>(g);
  for (const Geometry& child : c.geometries) parts.push_back(rawGeometry(h, child));
  return rawCollection(h, GEOS_GEOMETRYCOLLECTION, std::move(parts));
}

bool readSeq(GEOSContextHandle_t h, const GEOSGeometry* g, std::vector<Point>& out) {
  const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, g);
  if (!seq) return false;
  unsigned n = 0;
  if (!GEOSCoordSeq_getSize_r(h, seq, &n)) return false;
  std::vector<double> xy(static_cast<std::size_t>(n) * 2);
  if (n > 0 && !GEOSCoordSeq_copyToBuffer_r(h, seq, xy.data(), 0, 0)) return false;
  out.resize(n);
  for (unsigned i = 0; i < n; ++i) out[i] = Point{xy[2 * i], xy[2 * i + 1]};
  return true;
}

bool readPolygon(GEOSContextHandle_t h, const GEOSGeometry* g, Polygon& out) {
  if (GEOSisEmpty_r(h, g) == 1) return true;
  const GEOSGeometry* shell = GEOSGetExteriorRing_r(h, g);
  if (!shell || !readSeq(h, shell, out.outer)) return false;
  const int holes = GEOSGetNumInteriorRings_r(h, g);
  if (holes < 0) return false;
  out.holes.resize(static_cast<std::size_t>(holes));
  for (int i = 0; i < holes; ++i) {
    const GEOSGeometry* ring = GEOSGetInteriorRingN_r(h, g, i);
    if (!ring || !readSeq(h, ring, out.holes[static_cast<std::size_t>(i)])) return false;
  }
  return true;
}

bool readGeometry(GEOSContextHandle_t h, const GEOSGeometry* g, Geometry& out) {
  const int type = GEOSGeomTypeId_r(h, g);
  const bool empty = GEOSisEmpty_r(h, g) == 1;
  switch (type) {
    case GEOS_POINT: {
      if (empty) {
        out = emptyPoint();
        return true;
      }
      double x = 0;
      double y = 0;
      if (!GEOSGeomGetX_r(h, g, &x) || !GEOSGeomGetY_r(h, g, &y)) return false;
      out = Point{x, y};
      return true;
    }
    case GEOS_LINESTRING:
    case GEOS_LINEARRING: {
      LineString l;
      if (!empty && !readSeq(h, g, l)) return false;
      out = std::move(l);
      return true;
    }
    case GEOS_POLYGON: {
      Polygon p;
      if (!readPolygon(h, g, p)) return false;
      out = std::move(p);
      return true;
    }
    default:
      break;
  }
  const int n = GEOSGetNumGeometries_r(h, g);
  if (n < 0) return false;
  std::vector<Geometry> parts(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const GEOSGeometry* part = GEOSGetGeometryN_r(h, g, i);
    if (!part || !readGeometry(h, part, parts[static_cast<std::size_t>(i)])) return false;
  }
  switch (type) {
    case GEOS_MULTIPOINT: {
      MultiPoint m;
      for (Geometry& part : parts) m.points.push_back(std::get<Point>(part));
      out = std::move(m);
      return true;
    }
    case GEOS_MULTILINESTRING: {
      MultiLineString m;
      for (Geometry& part : parts) m.lines.push_back(std::get<LineString>(std::move(part)));
      out = std::move(m);
      return true;
    }
    case GEOS_MULTIPOLYGON: {
      MultiPolygon m;
      for (Geometry& part : parts) m.polygons.push_back(std::get<Polygon>(std::move(part)));
      out = std::move(m);
      return true;
    }
    case GEOS_GEOMETRYCOLLECTION:
      out = GeometryCollection{std::move(parts)};
      return true;
    default:
      return false;
  }
}

using BinaryOp = GEOSGeometry* (*)(GEOSContextHandle_t, const GEOSGeometry*, const GEOSGeometry*);
using BinaryPredicate = char (*)(GEOSContextHandle_t, const GEOSGeometry*, const GEOSGeometry*);

core::Result<Geometry> binaryOp(const Geometry& a, const Geometry& b, BinaryOp op,
                                const char* name) {
  auto ga = toGeos(a);
  if (!ga) return ga.takeError();
  auto gb = toGeos(b);
  if (!gb) return gb.takeError();
  GeomPtr r = own(op(threadContext().handle(), ga->get(), gb->get()));
  if (!r) return geosError(name);
  return fromGeos(r.get());
}

core::Result<Geometry> unaryOp(const Geometry& a, const char* name,
                               GEOSGeometry* (*op)(GEOSContextHandle_t, const GEOSGeometry*)) {
  auto ga = toGeos(a);
  if (!ga) return ga.takeError();
  GeomPtr r = own(op(threadContext().handle(), ga->get()));
  if (!r) return geosError(name);
  return fromGeos(r.get());
}

core::Result<bool> predicate(const Geometry& a, const Geometry& b, BinaryPredicate op,
                             const char* name) {
  auto ga = toGeos(a);
  if (!ga) return ga.takeError();
  auto gb = toGeos(b);
  if (!gb) return gb.takeError();
  const char r = op(threadContext().handle(), ga->get(), gb->get());
  if (r == 2) return geosError(name);
  return r == 1;
}

}  // namespace

// --- context ---

GeosContext::GeosContext() : m_handle(GEOS_init_r()) {
  GEOSContext_setErrorMessageHandler_r(m_handle, &GeosContext::onError, this);
  GEOSContext_setNoticeMessageHandler_r(m_handle, &GeosContext::onNotice, this);
}

GeosContext::~GeosContext() { GEOS_finish_r(m_handle); }

void GeosContext::onError(const char* message, void* self) {
  static_cast<GeosContext*>(self)->m_lastError = message ? message : "";
}

void GeosContext::onNotice(const char* message, void* self) {
  static_cast<GeosContext*>(self)->m_lastNotice = message ? message : "";
}

GeosContext& threadContext() {
  thread_local GeosContext context;
  return context;
}

void GeomDeleter::operator()(GEOSGeom_t* g) const { GEOSGeom_destroy_r(context, g); }

void PreparedDeleter::operator()(const GEOSPrepGeom_t* p) const {
  GEOSPreparedGeom_destroy_r(context, p);
}

// --- prepared ---

core::Result<Prepared> Prepared::make(const Geometry& g) {
  auto base = toGeos(g);
  if (!base) return base.takeError();
  return make(std::move(base).value());
}

core::Result<Prepared> Prepared::make(GeomPtr base) {
  if (!base) return core::makeError(ErrorCode::kInvalidArgument, "Prepared::make: null geometry");
  GEOSContextHandle_t h = base.get_deleter().context;
  auto parts = std::make_unique<Parts>();
  parts->base = std::move(base);
  parts->prepared = PreparedPtr(GEOSPrepare_r(h, parts->base.get()), PreparedDeleter{h});
  if (!parts->prepared) return geosError("GEOSPrepare");
  return Prepared(std::move(parts));
}

bool Prepared::pointPredicate(const Point& p, int which) const {
  GEOSContextHandle_t h = m_parts->prepared.get_deleter().context;
  const GeomPtr point(rawPoint(h, p), GeomDeleter{h});
  if (!point) return false;
  char r = 0;
  switch (which) {
    case 0:
      r = GEOSPreparedContains_r(h, prepared(), point.get());
      break;
    case 1:
      r = GEOSPreparedCovers_r(h, prepared(), point.get());
      break;
    default:
      r = GEOSPreparedIntersects_r(h, prepared(), point.get());
      break;
  }
  return r == 1;
}

bool Prepared::containsPoint(const Point& p) const { return pointPredicate(p, 0); }
bool Prepared::coversPoint(const Point& p) const { return pointPredicate(p, 1); }
bool Prepared::intersectsPoint(const Point& p) const { return pointPredicate(p, 2); }

namespace {
core::Result<bool> preparedPredicate(const GEOSPrepGeom_t* prepared, GEOSContextHandle_t h,
                                     const Geometry& g,
                                     char (*op)(GEOSContextHandle_t, const GEOSPreparedGeometry*,
                                                const GEOSGeometry*),
                                     const char* name) {
  auto other = toGeos(g);
  if (!other) return other.takeError();
  const char r = op(h, prepared, other->get());
  if (r == 2) return geosError(name);
  return r == 1;
}
}  // namespace

core::Result<bool> Prepared::contains(const Geometry& g) const {
  return preparedPredicate(prepared(), m_parts->prepared.get_deleter().context, g,
                           GEOSPreparedContains_r, "GEOSPreparedContains");
}
core::Result<bool> Prepared::covers(const Geometry& g) const {
  return preparedPredicate(prepared(), m_parts->prepared.get_deleter().context, g,
                           GEOSPreparedCovers_r, "GEOSPreparedCovers");
}
core::Result<bool> Prepared::covers(const GEOSGeom_t* g) const {
  const char r = GEOSPreparedCovers_r(m_parts->prepared.get_deleter().context, prepared(), g);
  if (r == 2) return geosError("GEOSPreparedCovers");
  return r == 1;
}
core::Result<bool> Prepared::intersects(const Geometry& g) const {
  return preparedPredicate(prepared(), m_parts->prepared.get_deleter().context, g,
                           GEOSPreparedIntersects_r, "GEOSPreparedIntersects");
}

// --- conversions ---

core::Result<GeomPtr> toGeos(const Geometry& g) {
  GeosContext& ctx = threadContext();
  ctx.clearLastError();
  GeomPtr r = own(rawGeometry(ctx.handle(), g));
  if (!r) return geosError(std::string("converting a ") + typeName(g) + " to GEOS");
  return r;
}

core::Result<GeomPtr> toGeos(const MultiPolygon& mp) {
  GeosContext& ctx = threadContext();
  ctx.clearLastError();
  std::vector<GEOSGeometry*> parts;
  parts.reserve(mp.polygons.size());
  for (const Polygon& p : mp.polygons) parts.push_back(rawPolygon(ctx.handle(), p));
  GeomPtr r = own(rawCollection(ctx.handle(), GEOS_MULTIPOLYGON, std::move(parts)));
  if (!r) return geosError("converting a MultiPolygon to GEOS");
  return r;
}

core::Result<Geometry> fromGeos(const GEOSGeom_t* g) {
  if (!g) return core::makeError(ErrorCode::kInvalidArgument, "null GEOS geometry");
  Geometry out;
  if (!readGeometry(threadContext().handle(), g, out)) return geosError("reading a GEOS geometry");
  return out;
}

// --- operations ---

core::Result<Geometry> intersection(const Geometry& a, const Geometry& b) {
  return binaryOp(a, b, GEOSIntersection_r, "GEOSIntersection");
}

core::Result<Geometry> difference(const Geometry& a, const Geometry& b) {
  return binaryOp(a, b, GEOSDifference_r, "GEOSDifference");
}

core::Result<Geometry> unaryUnion(const Geometry& a) {
  return unaryOp(a, "GEOSUnaryUnion", GEOSUnaryUnion_r);
}

core::Result<Geometry> unionAll(const std::vector<Geometry>& parts) {
  return unaryUnion(GeometryCollection{parts});
}

core::Result<Geometry> buffer(const Geometry& a, double distance, int quadSegs) {
  auto ga = toGeos(a);
  if (!ga) return ga.takeError();
  GeomPtr r = own(GEOSBuffer_r(threadContext().handle(), ga->get(), distance, quadSegs));
  if (!r) return geosError("GEOSBuffer");
  return fromGeos(r.get());
}

core::Result<Geometry> makeValid(const Geometry& a) {
  return unaryOp(a, "GEOSMakeValid", GEOSMakeValid_r);
}

core::Result<Geometry> simplify(const Geometry& a, double tolerance) {
  auto ga = toGeos(a);
  if (!ga) return ga.takeError();
  GeomPtr r = own(GEOSTopologyPreserveSimplify_r(threadContext().handle(), ga->get(), tolerance));
  if (!r) return geosError("GEOSTopologyPreserveSimplify");
  return fromGeos(r.get());
}

core::Result<std::vector<Polygon>> voronoi(const std::vector<Point>& sites, const Box& envelope) {
  using core::makeError;
  if (envelope.empty() || !(envelope.width() > 0) || !(envelope.height() > 0)) {
    return makeError(ErrorCode::kInvalidArgument, "voronoi: the envelope has no area");
  }
  const Polygon box{Ring{{envelope.minx, envelope.miny},
                         {envelope.maxx, envelope.miny},
                         {envelope.maxx, envelope.maxy},
                         {envelope.minx, envelope.maxy},
                         {envelope.minx, envelope.miny}},
                    {}};
  for (std::size_t i = 0; i < sites.size(); ++i) {
    if (!envelope.contains(sites[i])) {
      return makeError(ErrorCode::kInvalidArgument, "voronoi: site " + std::to_string(i) + " " +
                                                        detail::describe(sites[i]) +
                                                        " lies outside the envelope");
    }
  }
  // Sites sorted by x (then y): finds duplicates, and the candidates for a
  // cell by binary search on the cell's x-range.
  std::vector<std::size_t> order(sites.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const auto less = [&](std::size_t a, std::size_t b) {
    return sites[a].x < sites[b].x || (sites[a].x == sites[b].x && sites[a].y < sites[b].y);
  };
  std::sort(order.begin(), order.end(), less);
  for (std::size_t k = 1; k < order.size(); ++k) {
    if (sites[order[k]] == sites[order[k - 1]]) {
      return makeError(ErrorCode::kInvalidArgument,
                       "voronoi: sites " + std::to_string(std::min(order[k], order[k - 1])) +
                           " and " + std::to_string(std::max(order[k], order[k - 1])) +
                           " are the same point " + detail::describe(sites[order[k]]));
    }
  }
  if (sites.empty()) return std::vector<Polygon>{};
  if (sites.size() == 1) return std::vector<Polygon>{box};

  auto input = toGeos(MultiPoint{sites});
  if (!input) return input.takeError();
  auto env = toGeos(box);
  if (!env) return env.takeError();
  GEOSContextHandle_t h = threadContext().handle();
  GeomPtr diagram = own(GEOSVoronoiDiagram_r(h, input->get(), env->get(), 0.0, 0));
  if (!diagram) return geosError("GEOSVoronoiDiagram");
  const int n = GEOSGetNumGeometries_r(h, diagram.get());
  if (n != static_cast<int>(sites.size())) {
    return makeError(ErrorCode::kGeosFailure, "voronoi: GEOS returned " + std::to_string(n) +
                                                  " cells for " + std::to_string(sites.size()) +
                                                  " sites");
  }
  std::vector<Polygon> cells(sites.size());
  std::vector<bool> filled(sites.size(), false);
  for (int i = 0; i < n; ++i) {
    Geometry cellGeometry;
    if (!readGeometry(h, GEOSGetGeometryN_r(h, diagram.get(), i), cellGeometry) ||
        !std::holds_alternative<Polygon>(cellGeometry)) {
      return makeError(ErrorCode::kGeosFailure,
                       "voronoi: cell " + std::to_string(i) + " is not a polygon");
    }
    const Polygon& cell = std::get<Polygon>(cellGeometry);
    const Box cb = bbox(cell);
    // Candidates: sites with cb.minx <= x <= cb.maxx.
    auto it = std::lower_bound(order.begin(), order.end(), cb.minx,
                               [&](std::size_t s, double x) { return sites[s].x < x; });
    std::size_t owner = sites.size();
    for (; it != order.end() && sites[*it].x <= cb.maxx; ++it) {
      const Point& s = sites[*it];
      if (s.y < cb.miny || s.y > cb.maxy) continue;
      if (locate(s, cell) == Location::kInterior) {
        owner = *it;
        break;
      }
    }
    if (owner == sites.size() || filled[owner]) {
      return makeError(ErrorCode::kGeosFailure,
                       "voronoi: cannot match cell " + std::to_string(i) + " to a unique site");
    }
    auto clipped = intersection(cell, box);
    if (!clipped) return clipped.takeError();
    if (!std::holds_alternative<Polygon>(*clipped)) {
      return makeError(ErrorCode::kGeosFailure, "voronoi: the cell of site " +
                                                    std::to_string(owner) + " clipped to a " +
                                                    typeName(*clipped) + ", not a polygon");
    }
    cells[owner] = std::get<Polygon>(std::move(clipped).value());
    filled[owner] = true;
  }
  return cells;
}

core::Result<bool> isValid(const Geometry& g) {
  auto gg = toGeos(g);
  if (!gg) return gg.takeError();
  const char r = GEOSisValid_r(threadContext().handle(), gg->get());
  if (r == 2) return geosError("GEOSisValid");
  return r == 1;
}

std::string validityReason(const Geometry& g) {
  auto gg = toGeos(g);
  if (!gg) return gg.error().message;
  GEOSContextHandle_t h = threadContext().handle();
  char* reason = GEOSisValidReason_r(h, gg->get());
  if (!reason) return geosError("GEOSisValidReason").message;
  std::string text = reason;
  GEOSFree_r(h, reason);
  return text;
}

double geosArea(const Geometry& g) {
  auto gg = toGeos(g);
  if (!gg) return std::nan("");
  double a = 0;
  if (!GEOSArea_r(threadContext().handle(), gg->get(), &a)) return std::nan("");
  return a;
}

core::Result<bool> geosContains(const Geometry& a, const Geometry& b) {
  return predicate(a, b, GEOSContains_r, "GEOSContains");
}
core::Result<bool> geosCovers(const Geometry& a, const Geometry& b) {
  return predicate(a, b, GEOSCovers_r, "GEOSCovers");
}
core::Result<bool> geosIntersects(const Geometry& a, const Geometry& b) {
  return predicate(a, b, GEOSIntersects_r, "GEOSIntersects");
}
core::Result<bool> geosWithin(const Geometry& a, const Geometry& b) {
  return predicate(a, b, GEOSWithin_r, "GEOSWithin");
}
core::Result<bool> geosCoveredBy(const Geometry& a, const Geometry& b) {
  return predicate(a, b, GEOSCoveredBy_r, "GEOSCoveredBy");
}
core::Result<bool> geosTouches(const Geometry& a, const Geometry& b) {
  return predicate(a, b, GEOSTouches_r, "GEOSTouches");
}
core::Result<bool> geosDisjoint(const Geometry& a, const Geometry& b) {
  return predicate(a, b, GEOSDisjoint_r, "GEOSDisjoint");
}

std::string geosRelate(const Geometry& a, const Geometry& b) {
  auto ga = toGeos(a);
  auto gb = toGeos(b);
  if (!ga || !gb) return {};
  GEOSContextHandle_t h = threadContext().handle();
  char* m = GEOSRelate_r(h, ga->get(), gb->get());
  if (!m) return {};
  std::string text = m;
  GEOSFree_r(h, m);
  return text;
}

core::Result<bool> geosRelatePattern(const Geometry& a, const Geometry& b,
                                     std::string_view pattern) {
  auto ga = toGeos(a);
  if (!ga) return ga.takeError();
  auto gb = toGeos(b);
  if (!gb) return gb.takeError();
  const std::string p(pattern);
  const char r = GEOSRelatePattern_r(threadContext().handle(), ga->get(), gb->get(), p.c_str());
  if (r == 2) return geosError("GEOSRelatePattern");
  return r == 1;
}

}  // namespace gridtwin::geo
