#include "crs/crs.h"

#include <proj.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "crs/proj_handles.h"

namespace gridtwin::crs {
namespace {

// Database look-ups need a context, and a context may not be shared between
// threads: each thread that parses or asks gets its own, kept for reuse
// (opening proj.db is the expensive part).
PJ_CONTEXT* threadContext() {
  thread_local detail::ProjContextPtr context = detail::makeProjContext();
  return context.get();
}

std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

core::Error unknown(std::string_view text, std::string why) {
  return core::makeError(core::ErrorCode::kUnknownCrs,
                         "unknown CRS '" + std::string(text) + "': " + std::move(why));
}

}  // namespace

core::Result<Crs> parseCrs(std::string_view text) {
  const std::string_view trimmed = trim(text);
  const std::string key = upper(trimmed);
  if (key == "GCJ02" || key == "GCJ-02") return kGcj02;
  if (key == "BD09" || key == "BD-09") return kBd09;

  constexpr std::string_view kPrefix = "EPSG:";
  if (!key.starts_with(kPrefix)) {
    return unknown(trimmed, "expected EPSG:<code>, GCJ02 or BD09");
  }
  const std::string_view digits = std::string_view(key).substr(kPrefix.size());
  int code = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), code);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || code <= 0) {
    return unknown(trimmed, "expected a positive integer code after 'EPSG:'");
  }
  const detail::ProjPtr pj = detail::createEpsgCrs(threadContext(), code);
  if (!pj) {
    return unknown(trimmed, "PROJ's database has no CRS with code " + std::to_string(code));
  }
  // Points here are x,y: a geocentric, vertical or 3D CRS would drop or
  // misuse a dimension.
  if (const std::string why = detail::notHorizontal2D(threadContext(), pj.get()); !why.empty()) {
    return core::makeError(core::ErrorCode::kUnknownCrs,
                           "CRS '" + std::string(trimmed) + "' is " + why +
                               "; a 2D horizontal CRS (geographic lon,lat or projected x,y) is "
                               "needed");
  }
  return Crs::fromEpsg(code);
}

std::string name(const Crs& crs) {
  switch (crs.kind) {
    case CrsKind::kEpsg:
      return "EPSG:" + std::to_string(crs.epsg);
    case CrsKind::kGcj02:
      return "GCJ02";
    case CrsKind::kBd09:
      return "BD09";
  }
  return "?";
}

bool isGeographic(const Crs& crs) {
  if (crs.kind != CrsKind::kEpsg) return true;
  if (crs == kCgcs2000 || crs == kWgs84) return true;
  if (crs == kGaussKruger114) return false;
  const detail::ProjPtr pj = detail::createEpsgCrs(threadContext(), crs.epsg);
  if (!pj) return false;
  const PJ_TYPE type = proj_get_type(pj.get());
  return type == PJ_TYPE_GEOGRAPHIC_CRS || type == PJ_TYPE_GEOGRAPHIC_2D_CRS ||
         type == PJ_TYPE_GEOGRAPHIC_3D_CRS;
}

}  // namespace gridtwin::crs
