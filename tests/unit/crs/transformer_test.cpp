// Transformer: PROJ between EPSG codes (with our lon,lat axis order), the
// GCJ-02/BD-09 chain through CGCS2000, errors, batches and threads.
#include "crs/transformer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "crs/gcj02.h"
#include "crs_test_support.h"

namespace gridtwin::crs {
namespace {

Transformer make(const Crs& from, const Crs& to) {
  auto t = Transformer::create(from, to);
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().toString());
  return std::move(t).value();
}

// Expected values from PROJ's own command-line tool, independent of our
// axis handling: `echo "23 114" | cs2cs -d 6 EPSG:4490 EPSG:4547` prints
// "2544537.578552 500000.000000" (EPSG order: lat,lon in, northing,easting out).
constexpr geo::Point kOnCentralMeridian{114.0, 23.0};
constexpr geo::Point kOnCentralMeridianMetric{500000.0, 2544537.578552};
constexpr geo::Point kOneDegreeWest{113.0, 23.0};
constexpr geo::Point kOneDegreeWestMetric{397473.823160, 2544887.193691};

TEST(CrsTransformer, ProjectsCgcs2000ToGaussKrugerEastingFirst) {
  const Transformer t = make(kCgcs2000, kGaussKruger114);
  const geo::Point a = t.transform(kOnCentralMeridian).value();
  EXPECT_NEAR(a.x, kOnCentralMeridianMetric.x, 1e-6);  // exactly on CM 114E
  EXPECT_NEAR(a.y, kOnCentralMeridianMetric.y, 1e-3);
  const geo::Point b = t.transform(kOneDegreeWest).value();
  EXPECT_NEAR(b.x, kOneDegreeWestMetric.x, 1e-3);
  EXPECT_NEAR(b.y, kOneDegreeWestMetric.y, 1e-3);
}

TEST(CrsTransformer, InverseProjectionComesBackLonFirst) {
  const Transformer t = make(kGaussKruger114, kCgcs2000);
  const geo::Point a = t.transform(kOneDegreeWestMetric).value();
  EXPECT_NEAR(a.x, kOneDegreeWest.x, 1e-9);
  EXPECT_NEAR(a.y, kOneDegreeWest.y, 1e-9);
}

TEST(CrsTransformer, GeographicAxisOrderIsLonLatDespiteEpsg) {
  // EPSG:4490 and 4326 are officially lat,lon; a swap would turn (113, 23)
  // into (23, 113) or fail.
  const Transformer t = make(kCgcs2000, kWgs84);
  const geo::Point p = t.transform({113.1, 23.0}).value();
  EXPECT_NEAR(p.x, 113.1, 1e-9);
  EXPECT_NEAR(p.y, 23.0, 1e-9);
  const Transformer u = make(kWgs84, kGaussKruger114);
  EXPECT_NEAR(u.transform(kOnCentralMeridian).value().x, 500000.0, 1e-6);
}

TEST(CrsTransformer, Gcj02ChainsThroughCgcs2000) {
  const geo::Point seat{113.112414, 23.019643};
  const geo::Point wgs = gcj02ToWgs84(seat);
  EXPECT_EQ(make(kGcj02, kCgcs2000).transform(seat).value(), wgs);
  EXPECT_EQ(make(kGcj02, kWgs84).transform(seat).value(),
            make(kCgcs2000, kWgs84).transform(wgs).value());
  EXPECT_EQ(make(kGcj02, kGaussKruger114).transform(seat).value(),
            make(kCgcs2000, kGaussKruger114).transform(wgs).value());
  EXPECT_EQ(make(kCgcs2000, kGcj02).transform(wgs).value(), wgs84ToGcj02(wgs));
  EXPECT_EQ(make(kCgcs2000, kBd09).transform(wgs).value(), wgs84ToBd09(wgs));
  const geo::Point bd = gcj02ToBd09(seat);
  const geo::Point back = make(kBd09, kGcj02).transform(bd).value();
  EXPECT_LT(test::metresBetween(back, seat), 1e-6);
}

TEST(CrsTransformer, MetricRoundTripThroughBd09) {
  const geo::Point metric{397473.8232, 2544887.1937};
  const geo::Point bd = make(kGaussKruger114, kBd09).transform(metric).value();
  const geo::Point back = make(kBd09, kGaussKruger114).transform(bd).value();
  EXPECT_NEAR(back.x, metric.x, 1e-4);
  EXPECT_NEAR(back.y, metric.y, 1e-4);
}

TEST(CrsTransformer, SameCrsIsIdentity) {
  for (const Crs& crs : {kCgcs2000, kGaussKruger114, kGcj02, kBd09}) {
    // A point of each CRS's own domain (metres for EPSG:4547).
    const geo::Point p = crs == kGaussKruger114 ? kOneDegreeWestMetric : geo::Point{113.1, 23.05};
    EXPECT_EQ(make(crs, crs).transform(p).value(), p) << name(crs);
  }
}

TEST(CrsTransformer, UnknownEpsgCodeIsAnErrorNamingIt) {
  for (const auto& [from, to] :
       {std::pair{Crs::fromEpsg(999999), kCgcs2000}, std::pair{kGcj02, Crs::fromEpsg(999999)},
        std::pair{Crs::fromEpsg(999999), Crs::fromEpsg(999999)}}) {
    const auto r = Transformer::create(from, to);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::kUnknownCrs);
    EXPECT_NE(r.error().message.find("EPSG:999999"), std::string::npos) << r.error().message;
  }
}

TEST(CrsTransformer, NonFiniteInputIsAnError) {
  constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (const Crs& from : {kCgcs2000, kGcj02, kBd09}) {
    const Transformer t = make(from, kGaussKruger114);
    for (const geo::Point p :
         {geo::Point{kNan, 23.0}, geo::Point{113.0, kNan}, geo::Point{kInf, 23.0}}) {
      const auto r = t.transform(p);
      ASSERT_FALSE(r.ok()) << name(from);
      EXPECT_EQ(r.error().code, core::ErrorCode::kNonFinite) << name(from);
    }
  }
}

TEST(CrsTransformer, OutOfDomainInputIsAnError) {
  const auto gcj = make(kGcj02, kCgcs2000).transform({113.0, 95.0});
  ASSERT_FALSE(gcj.ok());
  EXPECT_EQ(gcj.error().code, core::ErrorCode::kOutOfDomain);

  // A latitude beyond 90 is refused before PROJ sees it (issue 11.6).
  const auto lat91 = make(kCgcs2000, kGaussKruger114).transform({114.0, 91.0});
  ASSERT_FALSE(lat91.ok());
  EXPECT_EQ(lat91.error().code, core::ErrorCode::kOutOfDomain);

  // PROJ's own refusal comes back with PROJ's words in the message (the
  // antipode of ETRS89-LAEA's centre is a valid lon,lat that the azimuthal
  // projection cannot take).
  const auto proj = make(kWgs84, Crs::fromEpsg(3035)).transform({-170.0, -52.0});
  ASSERT_FALSE(proj.ok());
  EXPECT_TRUE(proj.error().code == core::ErrorCode::kOutOfDomain ||
              proj.error().code == core::ErrorCode::kTransformFailed);
  EXPECT_NE(proj.error().message.find("PROJ"), std::string::npos) << proj.error().message;
  std::cout << "PROJ says: " << proj.error().toString() << '\n';
}

// Issue 11.6: every coordinate is checked against its CRS's domain before
// use; nothing is wrapped, and nothing comes out as nan, inf or a number of
// 300 digits.
TEST(CrsTransformer, ALongitudeBeyond180IsRefusedNotWrapped) {
  // 473.1 - 360 = 113.1: PROJ would wrap it into Chancheng.
  for (const Crs& to : {kGaussKruger114, kWgs84, kGcj02, kBd09, kCgcs2000}) {
    const auto r = make(kCgcs2000, to).transform({473.1, 23.02});
    ASSERT_FALSE(r.ok()) << name(to);
    EXPECT_EQ(r.error().code, core::ErrorCode::kOutOfDomain) << name(to);
    EXPECT_NE(r.error().message.find("473.1"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("lon -180..180"), std::string::npos) << r.error().message;
  }
  EXPECT_FALSE(make(kWgs84, kGaussKruger114).transform({113.1, -90.5}).ok());
  EXPECT_TRUE(make(kWgs84, kCgcs2000).transform({-180.0, 90.0}).ok());
}

TEST(CrsTransformer, Gcj02AndBd09AreOnlyDefinedInAndNearChina) {
  for (const Crs& from : {kGcj02, kBd09}) {
    for (const Crs& to : {kCgcs2000, kGaussKruger114, kGcj02, kBd09}) {
      for (const geo::Point p : {geo::Point{1e300, 23.0}, geo::Point{-179.0, 23.0},
                                 geo::Point{2.35, 48.85}, geo::Point{113.0, -45.0}}) {
        const auto r = make(from, to).transform(p);
        ASSERT_FALSE(r.ok()) << name(from) << " -> " << name(to);
        EXPECT_EQ(r.error().code, core::ErrorCode::kOutOfDomain);
        EXPECT_NE(r.error().message.find("near China"), std::string::npos) << r.error().message;
      }
    }
  }
  // Into GCJ02/BD09 from a point far from China: refused, not nan or inf.
  for (const Crs& to : {kGcj02, kBd09}) {
    for (const geo::Point p : {geo::Point{2.35, 48.85}, geo::Point{-74.0, 40.7}}) {
      const auto r = make(kCgcs2000, to).transform(p);
      ASSERT_FALSE(r.ok()) << name(to);
      EXPECT_EQ(r.error().code, core::ErrorCode::kOutOfDomain);
    }
    const auto huge = make(kGaussKruger114, to).transform({1e300, 1e300});
    ASSERT_FALSE(huge.ok());
    EXPECT_EQ(huge.error().code, core::ErrorCode::kOutOfDomain);
    // Inside China it still works both ways.
    const geo::Point seat = make(kCgcs2000, to).transform({113.1, 23.02}).value();
    EXPECT_TRUE(std::isfinite(seat.x) && std::isfinite(seat.y));
  }
}

TEST(CrsTransformer, AProjectedCrsIsUsedOnlyNearItsAreaOfUse) {
  // EPSG:4547 is the 3-degree zone 112.5E..115.5E: metres far outside it,
  // or lon,lat projected far from it, are refused with the area named.
  const auto farEast = make(kCgcs2000, kGaussKruger114).transform({179.0, 23.0});
  ASSERT_FALSE(farEast.ok());
  EXPECT_EQ(farEast.error().code, core::ErrorCode::kOutOfDomain);
  EXPECT_NE(farEast.error().message.find("area of use"), std::string::npos)
      << farEast.error().message;
  const auto hugeMetres = make(kGaussKruger114, kCgcs2000).transform({1e9, 2.5e6});
  ASSERT_FALSE(hugeMetres.ok());
  EXPECT_EQ(hugeMetres.error().code, core::ErrorCode::kOutOfDomain);
  // 4547 metres given as lon,lat: refused.
  EXPECT_FALSE(make(kCgcs2000, kGaussKruger114).transform(kOneDegreeWestMetric).ok());
  // Inside the zone and a little beyond it: fine.
  EXPECT_TRUE(make(kCgcs2000, kGaussKruger114).transform({111.0, 23.0}).ok());
  EXPECT_TRUE(make(kGaussKruger114, kCgcs2000).transform(kOneDegreeWestMetric).ok());
  // A world-wide projection keeps its whole world.
  EXPECT_TRUE(make(kWgs84, Crs::fromEpsg(3857)).transform({-170.0, 60.0}).ok());
}

TEST(CrsTransformer, OnlyTwoDimensionalHorizontalCrsAreAccepted) {
  // geocentric, 3D geographic, vertical, compound
  for (int code : {4978, 4979, 5773, 4480, 5972}) {
    for (const auto& [from, to] : {std::pair{kCgcs2000, Crs::fromEpsg(code)},
                                   std::pair{Crs::fromEpsg(code), kGaussKruger114},
                                   std::pair{Crs::fromEpsg(code), Crs::fromEpsg(code)}}) {
      const auto t = Transformer::create(from, to);
      ASSERT_FALSE(t.ok()) << code;
      EXPECT_EQ(t.error().code, core::ErrorCode::kUnknownCrs);
      EXPECT_NE(t.error().message.find("2D horizontal"), std::string::npos) << t.error().message;
      EXPECT_NE(t.error().message.find("EPSG:" + std::to_string(code)), std::string::npos)
          << t.error().message;
    }
  }
}

TEST(CrsTransformer, BatchNamesTheFirstBadPointAndLeavesTheInputAlone) {
  const Transformer t = make(kCgcs2000, kGaussKruger114);
  std::vector<geo::Point> points{kOnCentralMeridian,
                                 kOneDegreeWest,
                                 {std::numeric_limits<double>::quiet_NaN(), 23.0},
                                 kOneDegreeWest};
  const auto before = points;
  const auto r = t.transform(std::span(points));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kNonFinite);
  EXPECT_EQ(r.error().context, "point 2");
  EXPECT_EQ(points[0], before[0]);
  EXPECT_EQ(points[1], before[1]);

  points.pop_back();
  points.pop_back();
  ASSERT_TRUE(t.transform(std::span(points)).ok());
  EXPECT_NEAR(points[0].x, kOnCentralMeridianMetric.x, 1e-6);
  EXPECT_NEAR(points[1].y, kOneDegreeWestMetric.y, 1e-3);
}

TEST(CrsTransformer, ClonesTransformTheSameOnTheirOwnThreads) {
  const Transformer t = make(kGcj02, kGaussKruger114);
  std::vector<geo::Point> lattice;
  for (int i = 0; i < 40; ++i) {
    for (int j = 0; j < 40; ++j) lattice.push_back({112.95 + 0.25 * i / 39, 22.90 + 0.20 * j / 39});
  }
  std::vector<geo::Point> expected = lattice;
  ASSERT_TRUE(t.transform(std::span(expected)).ok());

  constexpr int kThreads = 4;
  std::vector<std::vector<geo::Point>> results(kThreads, lattice);
  std::vector<Transformer> clones;
  for (int i = 0; i < kThreads; ++i) clones.push_back(t.clone().value());
  // Each worker records its outcome; the assertions run on this thread.
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto r = clones[i].transform(std::span(results[i]));
      errors[i] = r ? "" : r.error().toString();
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  for (const auto& result : results) EXPECT_EQ(result, expected);
}

TEST(CrsTransformer, MovedTransformerKeepsWorking) {
  Transformer t = make(kCgcs2000, kGaussKruger114);
  const Transformer moved = std::move(t);
  EXPECT_NEAR(moved.transform(kOnCentralMeridian).value().x, 500000.0, 1e-6);
}

}  // namespace
}  // namespace gridtwin::crs
