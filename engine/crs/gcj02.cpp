#include "crs/gcj02.h"

#include <algorithm>
#include <cmath>
#include <numbers>

// Written from the published description of the GCJ-02 offset (a polynomial
// plus sine series in (lon - 105, lat - 35), scaled to degrees on the
// Krasovsky 1940 ellipsoid) and of BD-09 (a polar shift and rotation of
// GCJ-02 about the origin followed by a fixed offset).

namespace gridtwin::crs {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kKrasovskyA = 6378245.0;                // semi-major axis, metres
constexpr double kKrasovskyE2 = 0.00669342162296594323;  // first eccentricity squared
constexpr double kBdPi = kPi * 3000.0 / 180.0;           // BD-09's angular frequency

// Fixed-point iteration stops when the forward of the estimate is this close
// to the input, in degrees (1e-12 deg is ~0.1 micrometre), or after
// kMaxIterations, which the offsets' small gradients never come near.
constexpr double kInverseTolerance = 1e-12;
constexpr int kMaxIterations = 30;

double offsetSeriesLat(double x, double y) {
  double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * std::sqrt(std::abs(x));
  r += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
  r += (20.0 * std::sin(y * kPi) + 40.0 * std::sin(y / 3.0 * kPi)) * 2.0 / 3.0;
  r += (160.0 * std::sin(y / 12.0 * kPi) + 320.0 * std::sin(y / 30.0 * kPi)) * 2.0 / 3.0;
  return r;
}

double offsetSeriesLon(double x, double y) {
  double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * std::sqrt(std::abs(x));
  r += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
  r += (20.0 * std::sin(x * kPi) + 40.0 * std::sin(x / 3.0 * kPi)) * 2.0 / 3.0;
  r += (150.0 * std::sin(x / 12.0 * kPi) + 300.0 * std::sin(x / 30.0 * kPi)) * 2.0 / 3.0;
  return r;
}

// The GCJ-02 offset in degrees at a WGS84 point, without the box test: the
// series gives metres-like values that are turned into degrees with the
// Krasovsky meridian and parallel radii of curvature at that latitude.
geo::Point gcjOffset(geo::Point wgs) {
  const double x = wgs.x - 105.0;
  const double y = wgs.y - 35.0;
  const double lat = wgs.y / 180.0 * kPi;
  const double s = std::sin(lat);
  const double w2 = 1.0 - kKrasovskyE2 * s * s;
  const double w = std::sqrt(w2);
  const double meridianRadius = kKrasovskyA * (1.0 - kKrasovskyE2) / (w2 * w);
  const double parallelRadius = kKrasovskyA / w * std::cos(lat);
  return {offsetSeriesLon(x, y) * 180.0 / (parallelRadius * kPi),
          offsetSeriesLat(x, y) * 180.0 / (meridianRadius * kPi)};
}

// Solves forward(p) == target for p by fixed-point iteration from `start`.
// Converges because both offsets vary slowly: their Jacobian differs from the
// identity by < 1e-2, so each step gains two digits or more.
template <class Forward>
geo::Point invert(geo::Point target, geo::Point start, Forward forward) {
  geo::Point p = start;
  for (int i = 0; i < kMaxIterations; ++i) {
    const geo::Point f = forward(p);
    const double dx = f.x - target.x;
    const double dy = f.y - target.y;
    p.x -= dx;
    p.y -= dy;
    if (!(std::max(std::abs(dx), std::abs(dy)) > kInverseTolerance)) break;  // also stops on NaN
  }
  return p;
}

}  // namespace

bool insideChina(geo::Point p) {
  return p.x >= 72.004 && p.x <= 137.8347 && p.y >= 0.8293 && p.y <= 55.8271;
}

geo::Point wgs84ToGcj02(geo::Point wgs) {
  if (!insideChina(wgs)) return wgs;
  const geo::Point d = gcjOffset(wgs);
  return {wgs.x + d.x, wgs.y + d.y};
}

geo::Point gcj02ToWgs84(geo::Point gcj) {
  if (!insideChina(gcj)) return gcj;
  // Iterate on the raw offset, without the box test, so that the iteration
  // stays smooth for points that sit within one offset of the box's edge.
  const geo::Point d = gcjOffset(gcj);
  return invert(gcj, {gcj.x - d.x, gcj.y - d.y}, [](geo::Point p) {
    const geo::Point o = gcjOffset(p);
    return geo::Point{p.x + o.x, p.y + o.y};
  });
}

geo::Point gcj02ToBd09(geo::Point gcj) {
  const double x = gcj.x;
  const double y = gcj.y;
  const double z = std::sqrt(x * x + y * y) + 0.00002 * std::sin(y * kBdPi);
  const double theta = std::atan2(y, x) + 0.000003 * std::cos(x * kBdPi);
  return {z * std::cos(theta) + 0.0065, z * std::sin(theta) + 0.006};
}

geo::Point bd09ToGcj02(geo::Point bd) {
  // The usual closed-form approximate inverse is the starting point.
  const double x = bd.x - 0.0065;
  const double y = bd.y - 0.006;
  const double z = std::sqrt(x * x + y * y) - 0.00002 * std::sin(y * kBdPi);
  const double theta = std::atan2(y, x) - 0.000003 * std::cos(x * kBdPi);
  return invert(bd, {z * std::cos(theta), z * std::sin(theta)}, gcj02ToBd09);
}

geo::Point wgs84ToBd09(geo::Point wgs) { return gcj02ToBd09(wgs84ToGcj02(wgs)); }

geo::Point bd09ToWgs84(geo::Point bd) { return gcj02ToWgs84(bd09ToGcj02(bd)); }

}  // namespace gridtwin::crs
