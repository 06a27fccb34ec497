#include "crs/proj_handles.h"

#include <proj.h>

#include <cstdlib>
#include <string>

namespace gridtwin::crs::detail {

void ProjContextDeleter::operator()(PJ_CONTEXT* context) const noexcept {
  proj_context_destroy(context);
}

void ProjDeleter::operator()(PJ* pj) const noexcept { proj_destroy(pj); }

ProjContextPtr makeProjContext() {
  ProjContextPtr context(proj_context_create());
  if (!context) std::abort();  // only on out-of-memory
  proj_log_level(context.get(), PJ_LOG_NONE);
  return context;
}

ProjPtr createEpsgCrs(PJ_CONTEXT* context, int code) {
  const std::string text = std::to_string(code);
  ProjPtr crs(proj_create_from_database(context, "EPSG", text.c_str(), PJ_CATEGORY_CRS,
                                        /*usePROJAlternativeGridNames=*/0, nullptr));
  return crs;
}

std::string lastProjError(PJ_CONTEXT* context, const char* fallback) {
  const int code = proj_context_errno(context);
  if (code == 0) return fallback;
  const char* text = proj_context_errno_string(context, code);
  return text ? std::string(text) : std::string(fallback);
}

}  // namespace gridtwin::crs::detail
