#pragma once
// Naming coordinate reference systems: an EPSG code that PROJ knows, or one of
// the two Chinese web-map systems PROJ does not have (GCJ-02, BD-09).
//
// A Crs is a plain value: cheap to copy, comparable, safe to share between
// threads. parseCrs() validates EPSG codes against PROJ's database; a Crs
// built by hand with an unknown code is only rejected when a Transformer is
// created from it.
#include <string>
#include <string_view>

#include "core/error.h"

namespace gridtwin::crs {

enum class CrsKind : unsigned char {
  kEpsg,   // any CRS in PROJ's EPSG registry; `epsg` holds the code
  kGcj02,  // GCJ-02 ("Mars" coordinates of AMap/Tencent), lon,lat degrees
  kBd09,   // BD-09 (Baidu), lon,lat degrees
};

struct Crs {
  CrsKind kind = CrsKind::kEpsg;
  int epsg = 4490;  // meaningful for kEpsg only; 0 otherwise

  static constexpr Crs fromEpsg(int code) { return Crs{CrsKind::kEpsg, code}; }
  friend bool operator==(const Crs&, const Crs&) = default;
};

// The district's coordinate systems (DESIGN.md, "Coordinates").
inline constexpr Crs kCgcs2000 = Crs::fromEpsg(4490);        // interchange, lon,lat
inline constexpr Crs kWgs84 = Crs::fromEpsg(4326);           // treated as equal to CGCS2000
inline constexpr Crs kGaussKruger114 = Crs::fromEpsg(4547);  // metric work, CM 114E, metres
inline constexpr Crs kGcj02 = Crs{CrsKind::kGcj02, 0};
inline constexpr Crs kBd09 = Crs{CrsKind::kBd09, 0};

// Accepts "EPSG:<code>" (any case, surrounding blanks ignored) for any CRS
// code in PROJ's database, and "GCJ02"/"GCJ-02", "BD09"/"BD-09" (any case).
// Errors: kUnknownCrs naming the text, whether it is malformed, a code PROJ
// does not know, or a CRS that is not 2D horizontal (geocentric, vertical,
// 3D geographic, compound: points here are x,y). Thread-safe (uses a PROJ context of its own per
// thread).
core::Result<Crs> parseCrs(std::string_view text);

// Canonical name that parseCrs() reads back: "EPSG:4490", "GCJ02", "BD09".
std::string name(const Crs& crs);

// True when coordinates are lon,lat degrees: GCJ-02, BD-09 and EPSG
// geographic CRSs (asks PROJ's database for codes other than the district's
// own; an unknown code gives false). Thread-safe.
bool isGeographic(const Crs& crs);

}  // namespace gridtwin::crs
