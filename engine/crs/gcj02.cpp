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

// ---- The inverse by Newton's method, cheaply.
//
// Solves p + offset(p) = target. The offset is evaluated here in another
// way than gcjOffset does, to the same value within ~1e-17 degrees (so the
// solution is the forward's to well under 1e-12 degrees; the forward itself
// is untouched): every sine of the series is a whole multiple of one base
// angle per axis (pi x / 60 and pi y / 60: 6 pi x is 360 of them, pi x / 12
// is 5), so each axis costs one sincos at the target, turned to the
// estimate by a small rotation (Taylor series) and to the multiples by
// angle-sum formulas, which lose at most a factor 360 of the ~1e-16 base
// error (~1e-13 m of offset). The cosines that come with them give the
// Jacobian for free. Two Newton steps from the target bring the error from
// the offset (~5e-3 degrees) to ~5e-7, then ~1e-14; steps go on while they
// are larger than kNewtonDone, at most kNewtonSteps.

constexpr double kNewtonMinDistance = 0.05;  // degrees from lon 105 (sqrt|x|), > any offset
constexpr double kNewtonDone = 1e-6;         // a step this small leaves < ~1e-13 degrees
constexpr int kNewtonSteps = 6;

struct Angle {
  double s, c;
};
inline Angle sum(Angle a, Angle b) { return {a.s * b.c + a.c * b.s, a.c * b.c - a.s * b.s}; }
inline Angle twice(Angle a) { return {2.0 * a.s * a.c, (a.c - a.s) * (a.c + a.s)}; }
// sin and cos of a small angle (|d| < 1e-2 rad): Taylor, exact in doubles.
inline Angle small(double d) {
  const double d2 = d * d;
  return {d * (1.0 - d2 / 6.0 * (1.0 - d2 / 20.0 * (1.0 - d2 / 42.0))),
          1.0 - d2 / 2.0 * (1.0 - d2 / 12.0 * (1.0 - d2 / 30.0 * (1.0 - d2 / 56.0)))};
}
inline Angle angle(double a) { return {std::sin(a), std::cos(a)}; }

// F(p) = p + offset(p) and its Jacobian, at p near the target t whose base
// angles are given.
struct Evaluation {
  double fx, fy;
  double jxx, jxy, jyx, jyy;  // dFx/dx, dFx/dy, dFy/dx, dFy/dy
};

struct TargetAngles {
  geo::Point t;
  Angle x, y, lat;  // pi (t.x - 105) / 60, pi (t.y - 35) / 60, t.y in radians
};

Evaluation evaluate(const TargetAngles& base, geo::Point p) {
  constexpr double k23 = 2.0 / 3.0;
  const double x = p.x - 105.0;
  const double y = p.y - 35.0;
  const Angle x1 = sum(base.x, small((p.x - base.t.x) * (kPi / 60.0)));
  const Angle y1 = sum(base.y, small((p.y - base.t.y) * (kPi / 60.0)));
  const Angle lat = sum(base.lat, small((p.y - base.t.y) * (kPi / 180.0)));
  // Multiples of pi x / 60: 2 (pi x/30), 5 (pi x/12), 20 (pi x/3), 60 (pi x),
  // 120 (2 pi x), 360 (6 pi x); the same of pi y / 60 up to 60.
  const Angle x2 = twice(x1), x5 = sum(twice(x2), x1), x20 = twice(twice(x5));
  const Angle x60 = sum(twice(x20), x20), x120 = twice(x60), x360 = sum(twice(x120), x120);
  const Angle y2 = twice(y1), y5 = sum(twice(y2), y1), y20 = twice(twice(y5));
  const Angle y60 = sum(twice(y20), y20);
  const double r = std::sqrt(std::abs(x));
  const double common = k23 * (20.0 * x360.s + 20.0 * x120.s);
  const double lonSeries = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * r + common +
                           k23 * (20.0 * x60.s + 40.0 * x20.s) +
                           k23 * (150.0 * x5.s + 300.0 * x2.s);
  const double latSeries = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * r +
                           common + k23 * (20.0 * y60.s + 40.0 * y20.s) +
                           k23 * (160.0 * y5.s + 320.0 * y2.s);
  // d/dx sin(k pi x / 60) = k pi / 60 cos(...), per degree.
  constexpr double u = kPi / 60.0;
  const double dCommon = k23 * u * (20.0 * 360.0 * x360.c + 20.0 * 120.0 * x120.c);
  const double dr = (x > 0 ? 0.5 : -0.5) / r;  // d sqrt|x| / dx
  const double dLonDx =
      1.0 + 0.2 * x + 0.1 * y + 0.1 * dr + dCommon +
      k23 * u *
          (20.0 * 60.0 * x60.c + 40.0 * 20.0 * x20.c + 150.0 * 5.0 * x5.c + 300.0 * 2.0 * x2.c);
  const double dLonDy = 2.0 + 0.1 * x;
  const double dLatDx = 2.0 + 0.1 * y + 0.2 * dr + dCommon;
  const double dLatDy =
      3.0 + 0.4 * y + 0.1 * x +
      k23 * u *
          (20.0 * 60.0 * y60.c + 40.0 * 20.0 * y20.c + 160.0 * 5.0 * y5.c + 320.0 * 2.0 * y2.c);
  // Degrees per series unit: 180 / (pi R), R the Krasovsky parallel and
  // meridian radii at the latitude, and their derivatives per degree.
  const double w2 = 1.0 - kKrasovskyE2 * lat.s * lat.s;
  const double w = std::sqrt(w2);
  const double perLon = 180.0 * w / (kPi * kKrasovskyA * lat.c);
  const double perLat = 180.0 * w2 * w / (kPi * kKrasovskyA * (1.0 - kKrasovskyE2));
  const double dwOverW = -kKrasovskyE2 * lat.s * lat.c / w2 * (kPi / 180.0);
  const double dPerLon = perLon * (dwOverW + lat.s / lat.c * (kPi / 180.0));
  const double dPerLat = perLat * 3.0 * dwOverW;
  return {p.x + lonSeries * perLon, p.y + latSeries * perLat,
          1.0 + dLonDx * perLon,    dLonDy * perLon + lonSeries * dPerLon,
          dLatDx * perLat,          1.0 + dLatDy * perLat + latSeries * dPerLat};
}

geo::Point newtonInverse(geo::Point t) {
  const TargetAngles base{t, angle((t.x - 105.0) * (kPi / 60.0)),
                          angle((t.y - 35.0) * (kPi / 60.0)), angle(t.y * (kPi / 180.0))};
  geo::Point p = t;
  for (int i = 0; i < kNewtonSteps; ++i) {
    const Evaluation e = evaluate(base, p);
    const double rx = e.fx - t.x, ry = e.fy - t.y;
    const double det = e.jxx * e.jyy - e.jxy * e.jyx;
    const double dx = (rx * e.jyy - ry * e.jxy) / det;
    const double dy = (ry * e.jxx - rx * e.jyx) / det;
    p.x -= dx;
    p.y -= dy;
    if (i > 0 && !(std::max(std::abs(dx), std::abs(dy)) > kNewtonDone)) break;
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
  // Newton's method where the offset's derivative is smooth (all but the
  // sqrt|lon - 105| term near lon 105); the plain fixed point there.
  if (std::abs(gcj.x - 105.0) >= kNewtonMinDistance) return newtonInverse(gcj);
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
