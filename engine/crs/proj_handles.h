#pragma once
// Internal to the crs module: owning handles for PROJ objects. PROJ's types
// are declared, not defined, so that proj.h stays inside our .cpp files.
#include <memory>
#include <string>

struct pj_ctx;    // PJ_CONTEXT
struct PJconsts;  // PJ

namespace gridtwin::crs::detail {

struct ProjContextDeleter {
  void operator()(pj_ctx* context) const noexcept;
};
// A PJ remembers the context it was created in and uses it until destroyed:
// whoever holds both must destroy the PJ first (declare the context first).
struct ProjDeleter {
  void operator()(PJconsts* pj) const noexcept;
};

using ProjContextPtr = std::unique_ptr<pj_ctx, ProjContextDeleter>;
using ProjPtr = std::unique_ptr<PJconsts, ProjDeleter>;

// A fresh context with PROJ's logging to stderr switched off: its errors
// reach the caller as values instead. Never null (aborts if PROJ cannot
// allocate one, like any out-of-memory).
ProjContextPtr makeProjContext();

// The CRS with this EPSG code from PROJ's database, or null when PROJ does
// not know it (or the code names something that is not a CRS).
ProjPtr createEpsgCrs(pj_ctx* context, int code);

// Why a PROJ CRS is not a 2D horizontal one (geographic lon,lat or projected
// x,y with two axes), e.g. "a geocentric CRS"; empty when it is one.
std::string notHorizontal2D(pj_ctx* context, PJconsts* crs);

// Where a CRS's coordinates are meaningful, as a box in its own units
// (x = lon or easting). `what` says it in words for messages.
struct Domain {
  double minx = -1e308, miny = -1e308, maxx = 1e308, maxy = 1e308;
  std::string what;
  bool contains(double x, double y) const {
    return x >= minx && x <= maxx && y >= miny && y <= maxy;
  }
};

// The domain of a 2D EPSG CRS: lon -180..180, lat -90..90 for a geographic
// one; for a projected one, PROJ's area of use widened by kAreaMarginDegrees
// and projected (unbounded when PROJ gives no area of use).
inline constexpr double kAreaMarginDegrees = 3.0;
Domain epsgDomain(pj_ctx* context, PJconsts* crs, const std::string& crsName);

// The context's last error as PROJ words it, or `fallback` if none is set.
std::string lastProjError(pj_ctx* context, const char* fallback);

}  // namespace gridtwin::crs::detail
