#include "crs/proj_handles.h"

#include <proj.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
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

std::string notHorizontal2D(PJ_CONTEXT* context, PJ* crs) {
  switch (proj_get_type(crs)) {
    case PJ_TYPE_GEOGRAPHIC_2D_CRS:
    case PJ_TYPE_PROJECTED_CRS:
      break;
    case PJ_TYPE_GEOCENTRIC_CRS:
      return "a geocentric (X,Y,Z) CRS";
    case PJ_TYPE_VERTICAL_CRS:
      return "a vertical (height) CRS";
    case PJ_TYPE_GEOGRAPHIC_3D_CRS:
      return "a 3D geographic (lon,lat,height) CRS";
    case PJ_TYPE_COMPOUND_CRS:
      return "a compound (horizontal + vertical) CRS";
    default:
      return "not a geographic or projected CRS";
  }
  const ProjPtr cs(proj_crs_get_coordinate_system(context, crs));
  const int axes = cs ? proj_cs_get_axis_count(context, cs.get()) : -1;
  if (axes != 2) return "a CRS with " + std::to_string(axes) + " axes";
  return {};
}

namespace {

std::string degrees(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", v);
  return buffer;
}

}  // namespace

Domain epsgDomain(PJ_CONTEXT* context, PJ* crs, const std::string& crsName) {
  Domain d;
  if (proj_get_type(crs) != PJ_TYPE_PROJECTED_CRS) {
    d.minx = -180;
    d.maxx = 180;
    d.miny = -90;
    d.maxy = 90;
    d.what = crsName + " takes lon -180..180, lat -90..90";
    return d;
  }
  double west = 0, south = 0, east = 0, north = 0;
  const char* area = nullptr;
  if (!proj_get_area_of_use(context, crs, &west, &south, &east, &north, &area) || west < -1000 ||
      west > east) {
    d.what = crsName + " (no area of use)";  // none, or across the antimeridian: unchecked
    return d;
  }
  west = std::max(-180.0, west - kAreaMarginDegrees);
  east = std::min(180.0, east + kAreaMarginDegrees);
  south = std::max(-89.0, south - kAreaMarginDegrees);
  north = std::min(89.0, north + kAreaMarginDegrees);
  const ProjPtr base(proj_crs_get_geodetic_crs(context, crs));
  if (!base) return d;
  const ProjPtr raw(proj_create_crs_to_crs_from_pj(context, base.get(), crs, nullptr, nullptr));
  if (!raw) return d;
  const ProjPtr op(proj_normalize_for_visualization(context, raw.get()));
  if (!op) return d;
  double xmin = 0, ymin = 0, xmax = 0, ymax = 0;
  if (!proj_trans_bounds(context, op.get(), PJ_FWD, west, south, east, north, &xmin, &ymin, &xmax,
                         &ymax, 21) ||
      !std::isfinite(xmin) || !std::isfinite(ymin) || !std::isfinite(xmax) ||
      !std::isfinite(ymax)) {
    return d;
  }
  d.minx = xmin;
  d.miny = ymin;
  d.maxx = xmax;
  d.maxy = ymax;
  d.what = crsName + "'s area of use (" + std::string(area ? area : "?") + ") widened by " +
           degrees(kAreaMarginDegrees) + " degrees: lon " + degrees(west) + ".." + degrees(east) +
           ", lat " + degrees(south) + ".." + degrees(north);
  return d;
}

std::string lastProjError(PJ_CONTEXT* context, const char* fallback) {
  const int code = proj_context_errno(context);
  if (code == 0) return fallback;
  const char* text = proj_context_errno_string(context, code);
  return text ? std::string(text) : std::string(fallback);
}

}  // namespace gridtwin::crs::detail
