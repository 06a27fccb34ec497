// GCJ-02 and BD-09 against the published known pairs, fixed outputs at
// points of the district, and by round trips over the district. The forward
// transforms are pinned at <= 1e-12 deg: a change of the Krasovsky
// eccentricity or of a series coefficient by one part in a million moves the
// output by 3e-12 to 3e-10 deg (WGS-84's eccentricity: ~2e-9 deg), so a
// looser tolerance would pass a wrong constant.
#include "crs/gcj02.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
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

// The known pairs are upstream's double outputs (17 significant digits);
// the exact formula agrees with them to < 4e-15 deg (gcj02_reference.py).
constexpr double kForwardTolerance = 1e-12;

TEST(CrsGcj02, ForwardMatchesKnownPairs) {
  const auto pairs = readKnownPairs();
  ASSERT_EQ(pairs.size(), 3u) << "expected the 3 known pairs in wgs84_gcj02_vectors.csv";
  for (const auto& pair : pairs) {
    const geo::Point gcj = wgs84ToGcj02(pair.wgs84);
    EXPECT_NEAR(gcj.x, pair.gcj02.x, kForwardTolerance) << pair.place;
    EXPECT_NEAR(gcj.y, pair.gcj02.y, kForwardTolerance) << pair.place;
  }
}

// WGS84 → GCJ-02 and GCJ-02 → BD-09 at points of Chancheng, computed at 40
// digits from the published formulas by gcj02_reference.py (run it to
// regenerate): {input, GCJ-02 of it read as WGS84, BD-09 of it read as GCJ-02}.
struct FixedOutput {
  geo::Point in;
  geo::Point gcj02;
  geo::Point bd09;
};
constexpr FixedOutput kFixedOutputs[] = {
    {{113.112414, 23.019643},
     {113.11790227428184, 23.017096097285547},
     {113.11895182375809, 23.025369367389282}},
    {{112.95, 22.90},
     {112.95509432418935, 22.897085478643342},
     {112.9564830248631, 22.905996558383046}},
    {{113.20, 23.10},
     {113.2053628498013, 23.097350773845977},
     {113.20653464987265, 23.105830199974013}},
    {{113.05, 22.95},
     {113.05541759650897, 22.947376368061951},
     {113.05645997395453, 22.956297691476208}},
    {{113.15, 23.05},
     {113.15544860406146, 23.047420151926742},
     {113.15644991270606, 23.05629596839279}},
};

TEST(CrsGcj02, ForwardMatchesFixedOutputsInChancheng) {
  for (const FixedOutput& f : kFixedOutputs) {
    const geo::Point gcj = wgs84ToGcj02(f.in);
    EXPECT_NEAR(gcj.x, f.gcj02.x, kForwardTolerance) << f.in.x << "," << f.in.y;
    EXPECT_NEAR(gcj.y, f.gcj02.y, kForwardTolerance) << f.in.x << "," << f.in.y;
  }
}

TEST(CrsBd09, ForwardMatchesFixedOutputsInChancheng) {
  for (const FixedOutput& f : kFixedOutputs) {
    const geo::Point bd = gcj02ToBd09(f.in);
    EXPECT_NEAR(bd.x, f.bd09.x, kForwardTolerance) << f.in.x << "," << f.in.y;
    EXPECT_NEAR(bd.y, f.bd09.y, kForwardTolerance) << f.in.x << "," << f.in.y;
  }
}

// Each inverse against its forward: forward(inverse(p)) reproduces p to the
// 1e-12 deg the iteration promises (gcj02.h), at the known pairs' GCJ-02
// points and over a lattice on Chancheng.
TEST(CrsGcj02, InversesReproduceTheirForwardToTheTolerance) {
  for (const auto& pair : readKnownPairs()) {
    const geo::Point back = wgs84ToGcj02(gcj02ToWgs84(pair.gcj02));
    EXPECT_NEAR(back.x, pair.gcj02.x, kForwardTolerance) << pair.place;
    EXPECT_NEAR(back.y, pair.gcj02.y, kForwardTolerance) << pair.place;
  }
  double worstGcj = 0, worstBd = 0;
  for (int i = 0; i <= 40; ++i) {
    for (int j = 0; j <= 40; ++j) {
      const geo::Point p{112.95 + 0.25 * i / 40, 22.90 + 0.20 * j / 40};
      const geo::Point g = wgs84ToGcj02(gcj02ToWgs84(p));
      const geo::Point b = gcj02ToBd09(bd09ToGcj02(p));
      worstGcj = std::max({worstGcj, std::abs(g.x - p.x), std::abs(g.y - p.y)});
      worstBd = std::max({worstBd, std::abs(b.x - p.x), std::abs(b.y - p.y)});
    }
  }
  EXPECT_LE(worstGcj, kForwardTolerance) << "wgs84ToGcj02(gcj02ToWgs84(p))";
  EXPECT_LE(worstBd, kForwardTolerance) << "gcj02ToBd09(bd09ToGcj02(p))";
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
  // What the iteration promises (gcj02.h): ~1e-12 deg (the slope of the
  // offsets is < 1e-2, so inverse(forward(p)) is as close as forward(inverse)).
  EXPECT_LE(worst.degrees, 1e-12) << what;
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
