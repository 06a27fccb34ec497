#pragma once
// GEOS behind RAII handles, reentrant C API only (GEOS_USE_ONLY_R_API).
// geos_c.h is included only by geos.cpp; this header forward-declares the
// three opaque GEOS types it hands out.
//
// Threading: one GeosContext per thread. threadContext() gives the calling
// thread its own (thread_local), and every function here that takes no
// context uses it. A GeomPtr/Prepared carries the context that made it and
// must be destroyed on that thread, before the thread exits: never keep one
// in a structure that outlives the thread, or share one between threads.
// Convert to the plain value types (fromGeos) for anything long-lived.
//
// Ownership: functions returning GeomPtr/Prepared give ownership to the
// caller; functions taking `const GEOSGeom_t*` borrow it.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "geo/geometry.h"

struct GEOSGeom_t;
struct GEOSContextHandle_HS;
struct GEOSPrepGeom_t;

namespace gridtwin::geo {

// One GEOS context handle (GEOS_init_r .. GEOS_finish_r) with message
// handlers that keep the last error and notice text. Not copyable or
// movable: GEOS holds a pointer to it for the handlers. Not thread-safe: use
// it from the thread that owns it.
class GeosContext {
 public:
  GeosContext();
  ~GeosContext();
  GeosContext(const GeosContext&) = delete;
  GeosContext& operator=(const GeosContext&) = delete;

  GEOSContextHandle_HS* handle() const { return m_handle; }
  // The text of the last error GEOS reported on this context (kept until the
  // next error or clearLastError()).
  const std::string& lastError() const { return m_lastError; }
  void clearLastError() { m_lastError.clear(); }
  // The last notice (warning) text, e.g. from validity checks.
  const std::string& lastNotice() const { return m_lastNotice; }

 private:
  static void onError(const char* message, void* self);
  static void onNotice(const char* message, void* self);

  GEOSContextHandle_HS* m_handle;
  std::string m_lastError;
  std::string m_lastNotice;
};

// The calling thread's context, created on first use, finished at thread exit.
GeosContext& threadContext();

struct GeomDeleter {
  GEOSContextHandle_HS* context = nullptr;
  void operator()(GEOSGeom_t* g) const;
};
using GeomPtr = std::unique_ptr<GEOSGeom_t, GeomDeleter>;

// A bare prepared geometry borrows its base geometry: it must be destroyed
// BEFORE the base. Prefer Prepared below, which owns both in the right order.
struct PreparedDeleter {
  GEOSContextHandle_HS* context = nullptr;
  void operator()(const GEOSPrepGeom_t* p) const;
};
using PreparedPtr = std::unique_ptr<const GEOSPrepGeom_t, PreparedDeleter>;

// A prepared geometry together with the base it indexes. Both live in one
// heap block whose members are declared base-first, so the prepared geometry
// is always destroyed first, on destruction and on move-assignment alike
// (the compiler's moves just move the block pointer). Not thread-safe: GEOS
// builds its indexes lazily on first use.
class Prepared {
 public:
  static core::Result<Prepared> make(const Geometry& g);
  static core::Result<Prepared> make(GeomPtr base);

  // Borrowed; valid while this Prepared lives.
  const GEOSGeom_t* base() const { return m_parts->base.get(); }
  const GEOSPrepGeom_t* prepared() const { return m_parts->prepared.get(); }

  // GEOS semantics (the same as locate(): boundary is not "contained").
  bool containsPoint(const Point& p) const;
  bool coversPoint(const Point& p) const;
  bool intersectsPoint(const Point& p) const;
  core::Result<bool> contains(const Geometry& g) const;
  core::Result<bool> covers(const Geometry& g) const;
  // Borrows g, which must belong to this thread's context.
  core::Result<bool> covers(const GEOSGeom_t* g) const;
  core::Result<bool> intersects(const Geometry& g) const;

 private:
  struct Parts {
    GeomPtr base;          // declared first: destroyed last
    PreparedPtr prepared;  // borrows *base
  };
  explicit Prepared(std::unique_ptr<Parts> parts) : m_parts(std::move(parts)) {}
  bool pointPredicate(const Point& p, int which) const;

  std::unique_ptr<Parts> m_parts;
};

// Value types <-> GEOS, on the calling thread's context. toGeos fails
// (kGeosFailure, with GEOS's text) on what GEOS refuses, e.g. an unclosed ring.
core::Result<GeomPtr> toGeos(const Geometry& g);
// The same for a MultiPolygon, without copying it into a Geometry first.
core::Result<GeomPtr> toGeos(const MultiPolygon& mp);
core::Result<Geometry> fromGeos(const GEOSGeom_t* g);

// Overlay and constructive operations. Errors: kGeosFailure with GEOS's text.
core::Result<Geometry> intersection(const Geometry& a, const Geometry& b);
core::Result<Geometry> difference(const Geometry& a, const Geometry& b);
core::Result<Geometry> unaryUnion(const Geometry& a);
core::Result<Geometry> unionAll(const std::vector<Geometry>& parts);
core::Result<Geometry> buffer(const Geometry& a, double distance, int quadSegs = 8);
core::Result<Geometry> makeValid(const Geometry& a);
// Topology-preserving Douglas-Peucker (GEOSTopologyPreserveSimplify).
core::Result<Geometry> simplify(const Geometry& a, double tolerance);

// Voronoi cells of the sites, clipped to `envelope`, returned in the SAME
// order as the sites (cell i contains site i in its interior). Sites must be
// distinct and lie in the envelope (kInvalidArgument naming the site index
// otherwise). GEOS's own output order is not the input order; each cell is
// matched to the one site it contains.
core::Result<std::vector<Polygon>> voronoi(const std::vector<Point>& sites, const Box& envelope);

core::Result<bool> isValid(const Geometry& g);
// GEOS's reason with its location, e.g. "Self-intersection[5 5]"; "Valid
// Geometry" when valid; the conversion error's text when GEOS refuses it.
std::string validityReason(const Geometry& g);
// NaN when GEOS cannot compute it.
double geosArea(const Geometry& g);

// Predicates with GEOS semantics; errors when GEOS fails or refuses input.
core::Result<bool> geosContains(const Geometry& a, const Geometry& b);
core::Result<bool> geosCovers(const Geometry& a, const Geometry& b);
core::Result<bool> geosIntersects(const Geometry& a, const Geometry& b);
core::Result<bool> geosWithin(const Geometry& a, const Geometry& b);
core::Result<bool> geosCoveredBy(const Geometry& a, const Geometry& b);
core::Result<bool> geosTouches(const Geometry& a, const Geometry& b);
core::Result<bool> geosDisjoint(const Geometry& a, const Geometry& b);
// The DE-9IM matrix ("FF0FFF212"); empty string when GEOS fails.
std::string geosRelate(const Geometry& a, const Geometry& b);
core::Result<bool> geosRelatePattern(const Geometry& a, const Geometry& b,
                                     std::string_view pattern);

}  // namespace gridtwin::geo
