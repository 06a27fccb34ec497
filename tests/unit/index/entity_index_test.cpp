// EntityIndex against brute-force scans on random data (several seeds,
// uniform and clustered, with duplicate points and integer coordinates so
// that query edges land exactly on points), plus bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "geo/algorithms.h"
#include "index/detail/exact.h"
#include "index/entity_index.h"
#include "unit/index/synthetic.h"

namespace gridtwin::index {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// Integer coordinates in a 20 km square; clustered: around 40 centres, with
// exact duplicates; a few NaN rows (not indexed).
std::vector<geo::Point> makePoints(std::uint64_t seed, std::size_t n, bool clustered) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> u(0, 20000);
  std::vector<geo::Point> centres(40);
  for (auto& c : centres) c = {500000.0 + u(rng), 2540000.0 + u(rng)};
  std::normal_distribution<double> spread(0, 250);
  std::vector<geo::Point> pts;
  pts.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (i % 997 == 5) {
      pts.push_back({kNan, kNan});
    } else if (i % 10 == 3 && !pts.empty()) {
      pts.push_back(pts[i / 2]);  // a duplicate (maybe of a NaN row: also fine)
    } else if (clustered) {
      const geo::Point& c = centres[rng() % centres.size()];
      pts.push_back({std::round(c.x + spread(rng)), std::round(c.y + spread(rng))});
    } else {
      pts.push_back({500000.0 + u(rng), 2540000.0 + u(rng)});
    }
  }
  return pts;
}

bool finite(const geo::Point& p) { return std::isfinite(p.x) && std::isfinite(p.y); }

std::vector<std::uint32_t> sorted(std::vector<std::uint32_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

EntityIndex mustBuild(const std::vector<geo::Point>& pts, const GridLocator* locator = nullptr) {
  auto r = EntityIndex::build(pts, locator);
  EXPECT_TRUE(r.ok());
  return std::move(r).value();
}

// A star-shaped polygon with integer vertices around c: 32 vertices, radius
// between rmin and rmax; with a square hole around c when `hole`.
geo::Polygon star(std::mt19937_64& rng, geo::Point c, double rmin, double rmax, bool hole) {
  std::uniform_real_distribution<double> ur(rmin, rmax);
  geo::Polygon p;
  const int n = 32;
  for (int k = 0; k < n; ++k) {
    const double a = 2 * M_PI * k / n;
    const double r = ur(rng);
    p.outer.push_back({std::round(c.x + r * std::cos(a)), std::round(c.y + r * std::sin(a))});
  }
  p.outer.push_back(p.outer.front());
  if (hole) {
    const double h = std::round(rmin / 3);
    p.holes.push_back({{c.x - h, c.y - h},
                       {c.x - h, c.y + h},
                       {c.x + h, c.y + h},
                       {c.x + h, c.y - h},
                       {c.x - h, c.y - h}});
  }
  return p;
}

TEST(EntityIndex, BoxEqualsBruteForce) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    for (bool clustered : {false, true}) {
      const auto pts = makePoints(seed, 60000, clustered);
      const EntityIndex index = mustBuild(pts);
      EXPECT_EQ(index.size() + index.stats().skipped, pts.size());
      std::mt19937_64 rng(seed + 100);
      std::uniform_int_distribution<std::size_t> pick(0, pts.size() - 1);
      std::uniform_real_distribution<double> size(0, 3000);
      for (int q = 0; q < 200; ++q) {
        // Corners on existing points half of the time: closed edges matter.
        geo::Point a = pts[pick(rng)], c = pts[pick(rng)];
        if (!finite(a) || !finite(c)) continue;
        geo::Box b{a.x, a.y, a.x + size(rng), a.y + size(rng)};
        if (q % 2)
          b = {std::min(a.x, c.x), std::min(a.y, c.y), std::max(a.x, c.x), std::max(a.y, c.y)};
        std::vector<std::uint32_t> expected;
        for (std::uint32_t i = 0; i < pts.size(); ++i) {
          if (finite(pts[i]) && b.contains(pts[i])) expected.push_back(i);
        }
        std::vector<std::uint32_t> hits;
        ASSERT_TRUE(index.box(b, hits).ok());
        ASSERT_EQ(sorted(hits), expected) << "seed " << seed << " query " << q;
        ASSERT_EQ(index.countBox(b).value(), expected.size());
      }
    }
  }
}

TEST(EntityIndex, PolygonEqualsBruteForceCovers) {
  for (std::uint64_t seed : {4u, 5u, 6u}) {
    for (bool clustered : {false, true}) {
      const auto pts = makePoints(seed, 50000, clustered);
      const EntityIndex index = mustBuild(pts);
      std::mt19937_64 rng(seed + 200);
      std::uniform_int_distribution<std::size_t> pick(0, pts.size() - 1);
      for (int q = 0; q < 40; ++q) {
        geo::Point c = pts[pick(rng)];
        if (!finite(c)) continue;
        const geo::Polygon poly = star(rng, c, 300, 1500, q % 3 == 0);
        std::vector<std::uint32_t> expected;
        std::size_t onBoundary = 0;
        for (std::uint32_t i = 0; i < pts.size(); ++i) {
          if (!finite(pts[i])) continue;
          const auto loc = geo::locate(pts[i], poly);
          if (loc != geo::Location::kExterior) expected.push_back(i);
          onBoundary += loc == geo::Location::kBoundary ? 1 : 0;
        }
        std::vector<std::uint32_t> hits;
        auto r = index.polygon(poly, hits);
        ASSERT_TRUE(r.ok()) << r.error().toString();
        ASSERT_EQ(sorted(hits), expected) << "seed " << seed << " query " << q;
        ASSERT_EQ(index.countPolygon(poly).value(), expected.size());
      }
    }
  }
}

TEST(EntityIndex, PolygonBoundaryPointsAreCovered) {
  // Points exactly on the vertices and edge midpoints of the query polygon.
  std::mt19937_64 rng(7);
  const geo::Polygon poly = star(rng, {501000, 2541000}, 300, 900, true);
  std::vector<geo::Point> pts;
  for (const geo::Ring* ring : {&poly.outer, &poly.holes[0]}) {
    for (std::size_t i = 0; i + 1 < ring->size(); ++i) {
      pts.push_back((*ring)[i]);
      pts.push_back({((*ring)[i].x + (*ring)[i + 1].x) / 2, ((*ring)[i].y + (*ring)[i + 1].y) / 2});
    }
  }
  pts.push_back({501000, 2541000});  // in the hole: not covered
  const EntityIndex index = mustBuild(pts);
  std::vector<std::uint32_t> hits;
  ASSERT_TRUE(index.polygon(poly, hits).ok());
  EXPECT_EQ(hits.size(), pts.size() - 1);
}

TEST(EntityIndex, RadiusEqualsExactIntegerBruteForce) {
  for (std::uint64_t seed : {8u, 9u, 10u}) {
    for (bool clustered : {false, true}) {
      const auto pts = makePoints(seed, 60000, clustered);
      const EntityIndex index = mustBuild(pts);
      std::mt19937_64 rng(seed + 300);
      std::uniform_int_distribution<std::size_t> pick(0, pts.size() - 1);
      std::uniform_int_distribution<int> radius(0, 2500);
      for (int q = 0; q < 100; ++q) {
        const geo::Point c = pts[pick(rng)];
        if (!finite(c)) continue;
        const std::int64_t r = radius(rng);
        std::vector<std::uint32_t> expected;
        for (std::uint32_t i = 0; i < pts.size(); ++i) {
          if (!finite(pts[i])) continue;
          // Integer coordinates: the squared distance is exact in int64.
          const auto dx = static_cast<std::int64_t>(pts[i].x - c.x);
          const auto dy = static_cast<std::int64_t>(pts[i].y - c.y);
          if (dx * dx + dy * dy <= r * r) expected.push_back(i);
        }
        std::vector<std::uint32_t> hits;
        ASSERT_TRUE(index.radius(c, static_cast<double>(r), hits).ok());
        ASSERT_EQ(sorted(hits), expected) << "seed " << seed << " query " << q << " r " << r;
        ASSERT_EQ(index.countRadius(c, static_cast<double>(r)).value(), expected.size());
      }
    }
  }
}

TEST(EntityIndex, RadiusIsExactAtTheCircle) {
  // 3-4-5: at exactly 5 m the point is in; one ulp less and it is out.
  const std::vector<geo::Point> pts{{500003, 2540004}, {500000, 2540000}};
  const EntityIndex index = mustBuild(pts);
  const geo::Point c{500000, 2540000};
  EXPECT_EQ(index.countRadius(c, 5.0).value(), 2u);
  EXPECT_EQ(index.countRadius(c, std::nextafter(5.0, 0.0)).value(), 1u);
  EXPECT_EQ(index.countRadius(c, 0.0).value(), 1u);
  EXPECT_TRUE(detail::withinDistance({3, 4}, {0, 0}, 5));
  EXPECT_FALSE(detail::withinDistance({3, 4}, {0, 0}, std::nextafter(5.0, 0.0)));
  // Where the double evaluation cannot tell (d² rounds to within 1e-12 of
  // r²), the exact expansion decides: 1 + 2^-52 is more than 1.
  EXPECT_FALSE(detail::withinDistance({1.0 + 0x1p-52, 0}, {0, 0}, 1.0));
  EXPECT_TRUE(detail::withinDistance({1.0 + 0x1p-52, 0}, {0, 0}, 1.0 + 0x1p-52));
  EXPECT_FALSE(detail::withinDistance({500000.5, 2540000}, {500000, 2540000.0 + 0x1p-31}, 0.5));
  EXPECT_TRUE(detail::withinDistance({500000.5, 2540000}, {500000, 2540000}, 0.5));
}

TEST(EntityIndex, NearestEqualsBruteForceWithRowTies) {
  for (std::uint64_t seed : {11u, 12u, 13u}) {
    for (bool clustered : {false, true}) {
      const auto pts = makePoints(seed, 40000, clustered);
      const EntityIndex index = mustBuild(pts);
      std::mt19937_64 rng(seed + 400);
      std::uniform_int_distribution<std::size_t> pick(0, pts.size() - 1);
      std::uniform_real_distribution<double> far(-30000, 50000);
      for (int q = 0; q < 150; ++q) {
        geo::Point c = pts[pick(rng)];  // often exactly on (duplicated) points: ties
        if (q % 5 == 0) c = {500000 + far(rng), 2540000 + far(rng)};  // also far outside
        if (!finite(c)) continue;
        const std::size_t k = q % 7 == 0 ? 37 : 5;
        std::vector<std::pair<double, std::uint32_t>> all;
        for (std::uint32_t i = 0; i < pts.size(); ++i) {
          if (!finite(pts[i])) continue;
          const double dx = pts[i].x - c.x, dy = pts[i].y - c.y;
          all.push_back({dx * dx + dy * dy, i});
        }
        std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end());
        std::vector<EntityIndex::Neighbour> got;
        ASSERT_TRUE(index.nearest(c, k, got).ok());
        ASSERT_EQ(got.size(), k);
        for (std::size_t i = 0; i < k; ++i) {
          ASSERT_EQ(got[i].row, all[i].second) << "seed " << seed << " query " << q << " #" << i;
          ASSERT_EQ(got[i].distance, std::sqrt(all[i].first));
        }
      }
    }
  }
}

TEST(EntityIndex, NearestEveryKEqualsBruteForce) {
  // k on both sides of the small-list limit (16), and beyond the raster's
  // few cells, on points with many exact duplicates (ties broken by row).
  std::vector<geo::Point> pts = makePoints(21, 3000, true);
  for (std::size_t i = 0; i < 600; ++i) pts.push_back(pts[i * 3]);
  const EntityIndex index = mustBuild(pts);
  std::mt19937_64 rng(21);
  std::uniform_int_distribution<std::size_t> pick(0, pts.size() - 1);
  for (std::size_t k : {1u, 2u, 15u, 16u, 17u, 64u, 500u, 5000u}) {
    for (int q = 0; q < 40; ++q) {
      geo::Point c = pts[pick(rng)];
      if (!finite(c)) continue;
      if (q % 2) c = {c.x + 0.5, c.y - 0.25};
      std::vector<std::pair<double, std::uint32_t>> all;
      for (std::uint32_t i = 0; i < pts.size(); ++i) {
        if (!finite(pts[i])) continue;
        const double dx = pts[i].x - c.x, dy = pts[i].y - c.y;
        all.push_back({dx * dx + dy * dy, i});
      }
      std::sort(all.begin(), all.end());
      const std::size_t expected = std::min(k, all.size());
      std::vector<EntityIndex::Neighbour> got;
      ASSERT_TRUE(index.nearest(c, k, got).ok());
      ASSERT_EQ(got.size(), expected);
      for (std::size_t i = 0; i < expected; ++i) {
        ASSERT_EQ(got[i].row, all[i].second) << "k " << k << " query " << q << " #" << i;
      }
    }
  }
}

// A raster whose cells (~6e-8 m) are narrower than a millionth of the
// coordinates' magnitude, so that the cell margin (cellSize * 1e-6) is below
// an ulp of 2.5e6 m and the cell edges round: the case the nearest query's
// prune argument (entity_index.cpp, mayEnter) has to cover, queried from
// metres away in every direction.
TEST(EntityIndex, NearestOnATinyClusterFarFromTheOrigin) {
  std::mt19937_64 rng(31);
  std::uniform_int_distribution<int> u(0, 4000);
  std::vector<geo::Point> pts;
  for (int i = 0; i < 2000; ++i) {
    pts.push_back({500000.0 + u(rng) * 0x1p-32, 2540000.0 + u(rng) * 0x1p-31});
  }
  const EntityIndex index = mustBuild(pts);
  std::uniform_real_distribution<double> angle(0, 2 * M_PI), dist(0.5, 20);
  for (int q = 0; q < 400; ++q) {
    const double a = angle(rng), r = dist(rng);
    const geo::Point c{500000.0 + r * std::cos(a), 2540000.0 + r * std::sin(a)};
    const std::size_t k = q % 3 == 0 ? 1 : 7;
    std::vector<std::pair<double, std::uint32_t>> all;
    for (std::uint32_t i = 0; i < pts.size(); ++i) {
      const double dx = pts[i].x - c.x, dy = pts[i].y - c.y;
      all.push_back({dx * dx + dy * dy, i});
    }
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end());
    std::vector<EntityIndex::Neighbour> got;
    ASSERT_TRUE(index.nearest(c, k, got).ok());
    ASSERT_EQ(got.size(), k);
    for (std::size_t i = 0; i < k; ++i) {
      ASSERT_EQ(got[i].row, all[i].second) << "query " << q << " #" << i;
    }
  }
}

TEST(EntityIndex, NearestWithFewPoints) {
  const std::vector<geo::Point> pts{{10, 10}, {kNan, 0}, {10, 10}, {0, 0}};
  const EntityIndex index = mustBuild(pts);
  std::vector<EntityIndex::Neighbour> got;
  ASSERT_TRUE(index.nearest({9, 9}, 10, got).ok());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].row, 0u);  // equal distance: lower row first
  EXPECT_EQ(got[1].row, 2u);
  EXPECT_EQ(got[2].row, 3u);
  got.clear();
  ASSERT_TRUE(index.nearest({9, 9}, 0, got).ok());
  EXPECT_TRUE(got.empty());
}

TEST(EntityIndex, WithinGridEqualsTheLocator) {
  const auto grids = test::syntheticCoverage(14);
  auto locator = GridLocator::build(std::span<const GridLocator::GridShape>(grids));
  ASSERT_TRUE(locator.ok());
  std::mt19937_64 rng(14);
  std::uniform_real_distribution<double> ux(499500, 508500), uy(2539500, 2546500);
  std::vector<geo::Point> pts(30000);
  for (auto& p : pts) p = {ux(rng), uy(rng)};
  pts[17] = {kNan, 1};
  auto built = EntityIndex::build(pts, &*locator, {4, 2});
  ASSERT_TRUE(built.ok());
  std::vector<std::vector<std::uint32_t>> expected(grids.size());
  std::size_t outside = 0;
  for (std::uint32_t i = 0; i < pts.size(); ++i) {
    const std::int32_t g = locator->find(pts[i]);
    if (g >= 0) expected[static_cast<std::size_t>(g)].push_back(i);
    outside += g == GridLocator::kOutside ? 1 : 0;
  }
  for (std::uint32_t g = 0; g < grids.size(); ++g) {
    const auto rows = built->withinGrid(g);
    EXPECT_EQ(std::vector<std::uint32_t>(rows.begin(), rows.end()), expected[g]);
  }
  EXPECT_TRUE(built->withinGrid(static_cast<std::uint32_t>(grids.size())).empty());
  EXPECT_EQ(built->stats().outside, outside);
  EXPECT_EQ(built->stats().skipped, 1u);
}

TEST(EntityIndex, BadInputIsAClearError) {
  const auto pts = makePoints(15, 5000, false);
  const EntityIndex index = mustBuild(pts);
  std::vector<std::uint32_t> hits;
  EXPECT_EQ(index.box({kNan, 0, 1, 1}, hits).error().code, core::ErrorCode::kNonFinite);
  EXPECT_EQ(index.countBox({0, 0, 1, kNan}).error().code, core::ErrorCode::kNonFinite);
  EXPECT_EQ(index.countBox({10, 10, 0, 0}).value(), 0u);  // empty box

  // A bow-tie: GEOS names the self-intersection.
  const geo::Polygon bowtie{{{500000, 2540000},
                             {510000, 2550000},
                             {510000, 2540000},
                             {500000, 2550000},
                             {500000, 2540000}},
                            {}};
  auto bad = index.polygon(bowtie, hits);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, core::ErrorCode::kInvalidGeometry);
  EXPECT_NE(bad.error().message.find("Self-intersection"), std::string::npos)
      << bad.error().message;
  const geo::Polygon open{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}, {}};
  EXPECT_EQ(index.polygon(open, hits).error().code, core::ErrorCode::kUnclosedRing);
  const geo::Polygon nanPoly{{{0, 0}, {1, 0}, {kNan, 1}, {0, 0}}, {}};
  auto nanErr = index.countPolygon(nanPoly);
  ASSERT_FALSE(nanErr.ok());
  EXPECT_EQ(nanErr.error().code, core::ErrorCode::kNonFinite);
  EXPECT_NE(nanErr.error().message.find("vertex 2"), std::string::npos);

  // Radius: huge means everything; negative or NaN is an error.
  EXPECT_EQ(index.countRadius({500000, 2540000}, 1e300).value(), index.size());
  EXPECT_EQ(index.countRadius({500000, 2540000}, std::numeric_limits<double>::infinity()).value(),
            index.size());
  EXPECT_EQ(index.countRadius({0, 0}, 1e9).value(), index.size());
  EXPECT_EQ(index.countRadius({500000, 2540000}, -1).error().code,
            core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(index.countRadius({500000, 2540000}, kNan).error().code,
            core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(index.countRadius({kNan, 2540000}, 5).error().code, core::ErrorCode::kNonFinite);
  std::vector<EntityIndex::Neighbour> nn;
  EXPECT_EQ(index.nearest({kNan, 0}, 5, nn).error().code, core::ErrorCode::kNonFinite);
  // A lon/lat point given as metres: far outside, nothing within 1 km.
  EXPECT_EQ(index.countRadius({113.1, 23.0}, 1000).value(), 0u);
  ASSERT_TRUE(index.nearest({113.1, 23.0}, 3, nn).ok());
  EXPECT_EQ(nn.size(), 3u);
}

TEST(EntityIndex, EmptyIndexAnswersNothing) {
  const std::vector<geo::Point> none;
  const EntityIndex index = mustBuild(none);
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.countBox({-1e9, -1e9, 1e9, 1e9}).value(), 0u);
  EXPECT_EQ(index.countRadius({0, 0}, 1e9).value(), 0u);
  std::vector<EntityIndex::Neighbour> nn;
  ASSERT_TRUE(index.nearest({0, 0}, 5, nn).ok());
  EXPECT_TRUE(nn.empty());
}

}  // namespace
}  // namespace gridtwin::index
