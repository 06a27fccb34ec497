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

// The context's last error as PROJ words it, or `fallback` if none is set.
std::string lastProjError(pj_ctx* context, const char* fallback);

}  // namespace gridtwin::crs::detail
