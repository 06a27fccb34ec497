// Transformer::transformStream (the batch path of gridtwin locate and
// transform): the same answers as transform() point by point — to well
// under a millimetre where our own transverse Mercator replaces PROJ's, bit
// for bit elsewhere — and the same first error, word for word. And the
// GCJ-02 inverse's Newton steps: the round trip to 1e-12 degrees.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "crs/gcj02.h"
#include "crs/tmerc.h"
#include "crs/transformer.h"

namespace gridtwin::crs {
namespace {

Transformer make(const Crs& from, const Crs& to) {
  auto t = Transformer::create(from, to);
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().toString());
  return std::move(t).value();
}

// n random points in [x0, x1] x [y0, y1].
std::vector<geo::Point> randomPoints(std::size_t n, double x0, double x1, double y0, double y1,
                                     unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> ux(x0, x1), uy(y0, y1);
  std::vector<geo::Point> out(n);
  for (auto& p : out) p = {ux(rng), uy(rng)};
  return out;
}

// Largest coordinate difference between stream and point-by-point answers.
double worstDifference(const Transformer& t, const std::vector<geo::Point>& in) {
  std::vector<geo::Point> out(in.size());
  std::size_t done = 0;
  const auto r = t.transformStream(in, out, done);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().toString());
  EXPECT_EQ(done, in.size());
  double worst = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const geo::Point q = t.transform(in[i]).value();
    worst = std::max({worst, std::abs(q.x - out[i].x), std::abs(q.y - out[i].y)});
  }
  return worst;
}

// Chancheng and a margin, in CGCS2000 lon,lat and in EPSG:4547 metres.
constexpr double kLon0 = 112.9, kLon1 = 113.25, kLat0 = 22.85, kLat1 = 23.2;

TEST(CrsStream, OwnTransverseMercatorAgreesWithProjOverTheDistrictToAMicrometre) {
  const Transformer t = make(kCgcs2000, kGaussKruger114);
  const auto in = randomPoints(200'000, kLon0, kLon1, kLat0, kLat1, 1);
  const double worst = worstDifference(t, in);
  std::printf("district, 4490 -> 4547: worst difference from PROJ %.3g m\n", worst);
  EXPECT_LT(worst, 1e-6);  // the target is < 1 mm
}

TEST(CrsStream, OwnTransverseMercatorAgreesWithProjOverTheWholeZone) {
  // The whole domain of EPSG:4547 as engine/crs checks it: its area of use
  // (112.5-115.5 E, 21.5-45.5 N onshore) widened by 3 degrees.
  const Transformer t = make(kCgcs2000, kGaussKruger114);
  const double worst = worstDifference(t, randomPoints(50'000, 109.6, 118.4, 18.6, 48.4, 2));
  std::printf("zone, 4490 -> 4547: worst difference from PROJ %.3g m\n", worst);
  EXPECT_LT(worst, 1e-6);
}

TEST(CrsStream, OwnInverseTransverseMercatorAgreesWithProj) {
  const Transformer to = make(kCgcs2000, kGaussKruger114);
  const Transformer back = make(kGaussKruger114, kCgcs2000);
  auto in = randomPoints(200'000, kLon0, kLon1, kLat0, kLat1, 3);
  ASSERT_TRUE(to.transform(std::span<geo::Point>(in)).ok());
  const double worst = worstDifference(back, in);
  std::printf("district, 4547 -> 4490: worst difference from PROJ %.3g degrees\n", worst);
  EXPECT_LT(worst, 1e-11);  // ~1 micrometre
  auto domain = randomPoints(50'000, 109.6, 118.4, 18.6, 48.4, 4);
  ASSERT_TRUE(to.transform(std::span<geo::Point>(domain)).ok());
  const double zone = worstDifference(back, domain);
  std::printf("zone, 4547 -> 4490: worst difference from PROJ %.3g degrees\n", zone);
  EXPECT_LT(zone, 1e-11);
}

TEST(CrsStream, ChainsWithOffsetsAgreeWithTransform) {
  // GCJ02/BD09 -> 4547 (our offsets, our projection) and 4547 -> GCJ02.
  const auto lonlat = randomPoints(50'000, kLon0, kLon1, kLat0, kLat1, 5);
  EXPECT_LT(worstDifference(make(kGcj02, kGaussKruger114), lonlat), 1e-6);
  EXPECT_LT(worstDifference(make(kBd09, kGaussKruger114), lonlat), 1e-6);
  auto metric = lonlat;
  ASSERT_TRUE(make(kCgcs2000, kGaussKruger114).transform(std::span<geo::Point>(metric)).ok());
  EXPECT_LT(worstDifference(make(kGaussKruger114, kGcj02), metric), 1e-11);
  EXPECT_LT(worstDifference(make(kWgs84, kGaussKruger114), lonlat), 1e-6);
}

TEST(CrsStream, OtherProjOperationsGiveTheSameBitsInOneCall) {
  // Web Mercator is not ours: PROJ does the whole batch (proj_trans_generic).
  const Transformer t = make(kCgcs2000, Crs::fromEpsg(3857));
  EXPECT_EQ(worstDifference(t, randomPoints(10'000, kLon0, kLon1, kLat0, kLat1, 6)), 0.0);
  const Transformer gcj = make(kGcj02, kCgcs2000);  // no PROJ at all
  EXPECT_EQ(worstDifference(gcj, randomPoints(10'000, kLon0, kLon1, kLat0, kLat1, 7)), 0.0);
}

TEST(CrsStream, PointsOutsideTheDomainGetTransformsOwnError) {
  // 30 degrees from the central meridian, or near a pole: outside the CRS's
  // domain, so the stream parks them and gives transform()'s error.
  const Transformer t = make(kCgcs2000, kGaussKruger114);
  for (const geo::Point bad :
       {geo::Point{144.0, 23.0}, geo::Point{84.0, -70.0}, geo::Point{114.0, 88.0}}) {
    const std::vector<geo::Point> in = {{113.1, 23.0}, bad};
    std::vector<geo::Point> out(in.size());
    std::size_t done = 0;
    const auto r = t.transformStream(in, out, done);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(done, 1u);
    const auto one = t.transform(bad);
    ASSERT_FALSE(one.ok());
    EXPECT_EQ(r.error().toString(), one.error().toString());
  }
}

TEST(CrsStream, StopsAtTheFirstBadPointWithTransformsOwnError) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  struct Case {
    Crs from, to;
    geo::Point bad;
  };
  const Case cases[] = {
      {kCgcs2000, kGaussKruger114, {nan, 23.0}},
      {kCgcs2000, kGaussKruger114, {113.0, 95.0}},  // latitude beyond 90: PROJ's error
      {kGcj02, kGaussKruger114, {200.0, 23.0}},     // not a lon,lat
      {kGaussKruger114, kCgcs2000, {500000.0, std::numeric_limits<double>::infinity()}},
      {kCgcs2000, Crs::fromEpsg(3857), {113.0, 91.0}},
      {kBd09, kCgcs2000, {113.0, -100.0}},
  };
  for (const auto& c : cases) {
    const Transformer t = make(c.from, c.to);
    const bool metric = c.from == kGaussKruger114;
    std::vector<geo::Point> in = metric ? std::vector<geo::Point>{{400000, 2.5e6}, {410000, 2.6e6}}
                                        : std::vector<geo::Point>{{113.0, 23.0}, {113.1, 23.1}};
    in.push_back(c.bad);
    in.push_back(in[0]);
    std::vector<geo::Point> out(in.size());
    std::size_t done = 99;
    const auto r = t.transformStream(in, out, done);
    ASSERT_FALSE(r.ok()) << name(c.from) << " -> " << name(c.to);
    EXPECT_EQ(done, 2u);
    const auto one = t.transform(c.bad);
    ASSERT_FALSE(one.ok());
    EXPECT_EQ(r.error().toString(), one.error().toString());
    EXPECT_EQ(r.error().code, one.error().code);
    // The points before it are answered.
    const geo::Point first = t.transform(in[0]).value();
    const double tolerance = metric ? 1e-11 : 1e-6;
    EXPECT_NEAR(out[0].x, first.x, tolerance) << name(c.from) << " -> " << name(c.to);
    EXPECT_NEAR(out[1].y, t.transform(in[1]).value().y, tolerance);
  }
}

TEST(CrsStream, ClonesShareTheOwnProjection) {
  const Transformer t = make(kCgcs2000, kGaussKruger114);
  const Transformer c = t.clone().value();
  const auto in = randomPoints(1000, kLon0, kLon1, kLat0, kLat1, 8);
  std::vector<geo::Point> a(in.size()), b(in.size());
  std::size_t done = 0;
  ASSERT_TRUE(t.transformStream(in, a, done).ok());
  ASSERT_TRUE(c.transformStream(in, b, done).ok());
  EXPECT_EQ(a, b);
}

TEST(CrsStream, ReadsTheTransverseMercatorPipelinesOnly) {
  using detail::parseTmercPipeline;
  const auto fwd = parseTmercPipeline(
      "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=tmerc "
      "+lat_0=0 +lon_0=114 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80");
  ASSERT_TRUE(fwd.has_value());
  EXPECT_FALSE(fwd->inverse);
  EXPECT_EQ(fwd->params.lon0, 114.0);
  EXPECT_EQ(fwd->params.x0, 500000.0);
  EXPECT_EQ(fwd->params.a, 6378137.0);
  const auto inv = parseTmercPipeline(
      "+proj=pipeline +step +inv +proj=tmerc +lat_0=0 +lon_0=117 +k=0.9996 +x_0=500000 "
      "+y_0=0 +ellps=WGS84 +step +proj=unitconvert +xy_in=rad +xy_out=deg");
  ASSERT_TRUE(inv.has_value());
  EXPECT_TRUE(inv->inverse);
  EXPECT_EQ(inv->params.k0, 0.9996);
  // Anything else is PROJ's.
  for (const char* other :
       {"+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=tmerc "
        "+approx +lon_0=114 +ellps=GRS80",
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=merc "
        "+ellps=GRS80",
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=tmerc "
        "+lon_0=114 +R=6371000",
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=tmerc "
        "+lon_0=114 +ellps=GRS80 +step +proj=helmert +x=1",
        "+proj=tmerc +lon_0=114 +ellps=GRS80", ""}) {
    EXPECT_FALSE(parseTmercPipeline(other).has_value()) << other;
  }
}

// ---- GCJ-02: the inverse's Newton steps

double worstRoundTrip(const std::vector<geo::Point>& gcj) {
  double worst = 0;
  for (const auto& p : gcj) {
    const geo::Point back = wgs84ToGcj02(gcj02ToWgs84(p));
    worst = std::max({worst, std::abs(back.x - p.x), std::abs(back.y - p.y)});
  }
  return worst;
}

TEST(CrsStream, Gcj02InverseRoundTripsTo1e12OverTheDistrict) {
  const double worst = worstRoundTrip(randomPoints(500'000, kLon0, kLon1, kLat0, kLat1, 9));
  std::printf("district: worst GCJ-02 round trip %.3g degrees\n", worst);
  EXPECT_LE(worst, 1e-12);
}

TEST(CrsStream, Gcj02InverseRoundTripsTo1e12OverChina) {
  // The whole box, the strip around lon 105 (plain fixed point there) and
  // its edges.
  double worst = worstRoundTrip(randomPoints(500'000, 72.1, 137.7, 0.9, 55.7, 10));
  worst = std::max(worst, worstRoundTrip(randomPoints(20'000, 104.9, 105.1, 0.9, 55.7, 11)));
  worst = std::max(worst, worstRoundTrip({{105.05, 30.0}, {104.95, 30.0}, {105.0, 30.0}}));
  std::printf("China: worst GCJ-02 round trip %.3g degrees\n", worst);
  EXPECT_LE(worst, 1e-12);
}

}  // namespace
}  // namespace gridtwin::crs
