// GCJ-02 and BD-09 against the published known pairs and by round trips
// over the district.
#include "crs/gcj02.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "crs_test_support.h"

namespace gridtwin::crs {
namespace {

struct KnownPair {
  geo::Point wgs84;
  geo::Point gcj02;
  std::string place;
};

// coord/wgs84_gcj02_vectors.csv: a '#' comment, a header, then
// wgs_lat,wgs_lng,gcj_lat,gcj_lng,place (latitude first).
std::vector<KnownPair> readKnownPairs() {
  const auto path = test::sharedData("coord/wgs84_gcj02_vectors.csv");
  std::ifstream in(path);
  std::vector<KnownPair> pairs;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    std::istringstream fields(line);
    std::string f[5];
    for (auto& field : f) std::getline(fields, field, ',');
    pairs.push_back({{std::stod(f[1]), std::stod(f[0])}, {std::stod(f[3]), std::stod(f[2])}, f[4]});
  }
  return pairs;
}

TEST(CrsGcj02, ForwardMatchesKnownPairs) {
  const auto pairs = readKnownPairs();
  ASSERT_EQ(pairs.size(), 3u) << "expected the 3 known pairs in wgs84_gcj02_vectors.csv";
  for (const auto& pair : pairs) {
    const geo::Point gcj = wgs84ToGcj02(pair.wgs84);
    EXPECT_NEAR(gcj.x, pair.gcj02.x, 1e-6) << pair.place;
    EXPECT_NEAR(gcj.y, pair.gcj02.y, 1e-6) << pair.place;
  }
}

TEST(CrsGcj02, InverseMatchesKnownPairsWithinHalfAMetre) {
  const auto pairs = readKnownPairs();
  ASSERT_EQ(pairs.size(), 3u);
  for (const auto& pair : pairs) {
    const double error = test::metresBetween(gcj02ToWgs84(pair.gcj02), pair.wgs84);
    std::cout << pair.place << ": inverse is " << error << " m from the known WGS84 point\n";
    EXPECT_LT(error, 0.5) << pair.place;
  }
}

TEST(CrsGcj02, OffsetInFoshanIsSeveralHundredMetres) {
  const geo::Point seat{113.112414, 23.019643};
  const double offset = test::metresBetween(seat, gcj02ToWgs84(seat));
  EXPECT_GT(offset, 400.0);
  EXPECT_LT(offset, 700.0);
}

TEST(CrsGcj02, OutsideChinaIsIdentity) {
  const geo::Point london{-0.1276, 51.5072};
  const geo::Point tokyo{139.6917, 35.6895};
  EXPECT_FALSE(insideChina(london));
  EXPECT_FALSE(insideChina(tokyo));
  EXPECT_TRUE(insideChina({113.1, 23.0}));
  EXPECT_EQ(wgs84ToGcj02(london), london);
  EXPECT_EQ(gcj02ToWgs84(london), london);
  EXPECT_EQ(wgs84ToGcj02(tokyo), tokyo);
  EXPECT_EQ(gcj02ToWgs84(tokyo), tokyo);
}

TEST(CrsBd09, IsASmallShiftOfGcj02) {
  const geo::Point gcj{113.112414, 23.019643};
  const geo::Point bd = gcj02ToBd09(gcj);
  // Baidu's shift is ~0.0065 E, ~0.006 N: several hundred metres.
  EXPECT_NEAR(bd.x - gcj.x, 0.0065, 0.0005);
  EXPECT_NEAR(bd.y - gcj.y, 0.006, 0.0005);
  EXPECT_EQ(wgs84ToBd09(gcj02ToWgs84(gcj)).x, gcj02ToBd09(wgs84ToGcj02(gcj02ToWgs84(gcj))).x);
}

using Mapping = std::function<geo::Point(geo::Point)>;

// Max distance in metres between each point of a 50x50 lattice over
// Chancheng (lon 112.95-113.20, lat 22.90-23.10) and `back(forth(point))`,
// and the max of the same in degrees.
struct RoundTrip {
  double metres = 0;
  double degrees = 0;
};
RoundTrip roundTripOverChancheng(const Mapping& forth, const Mapping& back) {
  constexpr int kSteps = 50;
  RoundTrip worst;
  for (int i = 0; i < kSteps; ++i) {
    for (int j = 0; j < kSteps; ++j) {
      const geo::Point p{112.95 + 0.25 * i / (kSteps - 1), 22.90 + 0.20 * j / (kSteps - 1)};
      const geo::Point q = back(forth(p));
      worst.metres = std::max(worst.metres, test::metresBetween(p, q));
      worst.degrees = std::max({worst.degrees, std::abs(p.x - q.x), std::abs(p.y - q.y)});
    }
  }
  return worst;
}

void expectRoundTrip(const char* what, const Mapping& forth, const Mapping& back) {
  const RoundTrip worst = roundTripOverChancheng(forth, back);
  std::cout << what << ": max round-trip error over 2500 points " << worst.metres << " m ("
            << worst.degrees << " deg)\n";
  ::testing::Test::RecordProperty(std::string(what) + "_max_error_m", std::to_string(worst.metres));
  EXPECT_LT(worst.metres, 0.5) << what;
  // What the iteration promises (gcj02.h): ~1e-12 deg, so allow 1e-9.
  EXPECT_LT(worst.degrees, 1e-9) << what;
}

TEST(CrsGcj02, RoundTripsOverChanchengWithinHalfAMetre) {
  expectRoundTrip("wgs84->gcj02->wgs84", wgs84ToGcj02, gcj02ToWgs84);
  expectRoundTrip("gcj02->wgs84->gcj02", gcj02ToWgs84, wgs84ToGcj02);
}

TEST(CrsBd09, RoundTripsOverChanchengWithinHalfAMetre) {
  expectRoundTrip("gcj02->bd09->gcj02", gcj02ToBd09, bd09ToGcj02);
  expectRoundTrip("bd09->gcj02->bd09", bd09ToGcj02, gcj02ToBd09);
  expectRoundTrip("wgs84->bd09->wgs84", wgs84ToBd09, bd09ToWgs84);
}

}  // namespace
}  // namespace gridtwin::crs
