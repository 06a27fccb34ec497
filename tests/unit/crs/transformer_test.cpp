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
    const geo::Point p{113.1, 23.05};
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

  // PROJ's own refusal comes back with PROJ's words in the message.
  const auto proj = make(kCgcs2000, kGaussKruger114).transform({114.0, 91.0});
  ASSERT_FALSE(proj.ok());
  EXPECT_TRUE(proj.error().code == core::ErrorCode::kOutOfDomain ||
              proj.error().code == core::ErrorCode::kTransformFailed);
  EXPECT_NE(proj.error().message.find("PROJ"), std::string::npos) << proj.error().message;
  std::cout << "PROJ says: " << proj.error().toString() << '\n';
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
