#pragma once
// GCJ-02 and BD-09, the obfuscated coordinate systems of Chinese web and
// mobile maps (GCJ-02: AMap, Tencent; BD-09: Baidu), which PROJ does not have.
//
// GCJ-02 adds to WGS84 a smooth offset (a few hundred metres; ~500-600 m in
// Foshan) computed with the published formulas on the Krasovsky 1940
// ellipsoid; BD-09 is a further small rotation and shift of GCJ-02. Both
// forward directions are closed formulas; the inverses have no closed form,
// so they iterate until the forward of the estimate reproduces the input to
// ~1e-12 degrees (well under a millimetre): GCJ-02 by Newton's method
// (typically 2 steps), BD-09 by fixed-point steps (3-6).
//
// Following the DESIGN, WGS84 here also stands for CGCS2000 (EPSG:4490):
// they differ by centimetres, far below the accuracy of these systems.
//
// All functions are pure and thread-safe. Points are x = lon, y = lat in
// degrees. Non-finite input gives non-finite output (Transformer rejects it
// before it gets here).
#include "geo/types.h"

namespace gridtwin::crs {

// The usual rough box of mainland China (lon 72.004-137.8347, lat
// 0.8293-55.8271) inside which GCJ-02 applies its offset. Outside the box
// GCJ-02 equals WGS84, both ways. The box also covers Taiwan, Korea and parts
// of neighbouring countries; that is what the web maps do too.
bool insideChina(geo::Point lonlat);

geo::Point wgs84ToGcj02(geo::Point wgs84);
// Iterative inverse of wgs84ToGcj02: wgs84ToGcj02(gcj02ToWgs84(p)) == p to
// ~1e-12 degrees inside the box (a point within the offset of the box's edge
// may land on the other side of it; the web maps have the same seam).
geo::Point gcj02ToWgs84(geo::Point gcj02);

geo::Point gcj02ToBd09(geo::Point gcj02);
// Iterative inverse of gcj02ToBd09 (the usual one-step approximation is off
// by up to ~1 m; this one is not).
geo::Point bd09ToGcj02(geo::Point bd09);

geo::Point wgs84ToBd09(geo::Point wgs84);
geo::Point bd09ToWgs84(geo::Point bd09);

}  // namespace gridtwin::crs
