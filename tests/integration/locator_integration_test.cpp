// GridLocator against its slow twin (GEOS prepared covers + the tie rule:
// lowest code wins; covered by none: outside) on the district's own grids:
// the shared small generated district (ctest fixture small_district), its
// 478 grids in the engine's EPSG:4547 metres, as loaded by the store.
//
//  - 1,000,000 seeded random points over the grids' box (and a margin);
//  - every vertex of every grid ring (exactly on the boundary: shared
//    vertices are ties) and one ulp around it;
//  - points exactly on edges: every double that lies exactly on an edge's
//    interior (constructed on the coordinate lattice; about 40% of real
//    edges have one), checked with the exact orientation test; and the
//    rounded points at 1/8, 3/8, 5/8, 7/8 of every edge with the doubles
//    around them (within an ulp of the edge, on either side).
//
// The oracle is the unit tests' (tests/unit/index/synthetic.h), fed with the
// district's grids instead of a synthetic coverage.
#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <random>
#include <string>
#include <thread>

#include "geo/algorithms.h"
#include "index/grid_locator.h"
#include "model/district.h"
#include "store/gpkg_reader.h"
#include "unit/index/synthetic.h"

namespace gridtwin::index {
namespace {

namespace fs = std::filesystem;

struct Loaded {
  model::District district;
  std::vector<GridLocator::GridShape> grids;  // row g = the district's grid g
};

// A private copy of the fixture (openDataset may write a snapshot beside it).
const Loaded& loaded() {
  static const Loaded l = [] {
    const fs::path dir =
        fs::temp_directory_path() / ("gridtwin_locator_it_" + std::to_string(getpid()));
    fs::create_directories(dir);
    const fs::path copy = dir / "district.gpkg";
    fs::copy_file(GRIDTWIN_SMALL_DISTRICT, copy, fs::copy_options::overwrite_existing);
    store::OpenOptions options;
    options.writeSnapshot = false;
    auto ds = store::openDataset(copy.string(), options);
    fs::remove_all(dir);
    EXPECT_TRUE(ds.ok()) << (ds.ok() ? "" : ds.error().toString());
    Loaded out;
    if (!ds.ok()) return out;
    out.district = std::move(ds->district);
    const auto& g = out.district.grids();
    const auto& shape = g.shape;
    for (std::size_t i = 0; i < g.size(); ++i) {
      GridLocator::GridShape s;
      s.code = std::string(g.code[i]);
      for (auto part = shape.partStart[i]; part < shape.partStart[i + 1]; ++part) {
        geo::Polygon poly;
        for (auto r = shape.ringStart[part]; r < shape.ringStart[part + 1]; ++r) {
          geo::Ring ring(shape.xy.begin() + shape.pointStart[r],
                         shape.xy.begin() + shape.pointStart[r + 1]);
          (r == shape.ringStart[part] ? poly.outer : poly.holes.emplace_back()) = std::move(ring);
        }
        s.xy.polygons.push_back(std::move(poly));
      }
      out.grids.push_back(std::move(s));
    }
    return out;
  }();
  return l;
}

const GridLocator& locator() {
  static const GridLocator l = [] {
    auto r = GridLocator::build(loaded().district);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().toString());
    return r.ok() ? std::move(*r) : GridLocator{};
  }();
  return l;
}

// Calls f(a, b) for every ring segment of every grid.
template <class F>
void forEachSegment(const std::vector<GridLocator::GridShape>& grids, F&& f) {
  for (const auto& g : grids) {
    for (const auto& p : g.xy.polygons) {
      for (std::size_t r = 0; r <= p.holes.size(); ++r) {
        const geo::Ring& ring = r == 0 ? p.outer : p.holes[r - 1];
        for (std::size_t i = 0; i + 1 < ring.size(); ++i) f(ring[i], ring[i + 1]);
      }
    }
  }
}

bool onSegment(const geo::Point& a, const geo::Point& b, const geo::Point& p) {
  return geo::orientation(a, b, p) == 0 && std::min(a.x, b.x) <= p.x && p.x <= std::max(a.x, b.x) &&
         std::min(a.y, b.y) <= p.y && p.y <= std::max(a.y, b.y);
}

TEST(LocatorIntegration, TheDistrictHasItsGrids) {
  ASSERT_EQ(loaded().grids.size(), loaded().district.grids().size());
  EXPECT_GE(loaded().grids.size(), 400u) << "the district's ~478 grids";
  EXPECT_EQ(locator().gridCount(), loaded().grids.size());
}

TEST(LocatorIntegration, MillionRandomPointsEqualGeosCoversWithTieRule) {
  const auto& grids = loaded().grids;
  ASSERT_FALSE(grids.empty());
  geo::Box box;
  for (const auto& g : grids) box.expand(geo::bbox(g.xy));
  constexpr std::size_t kPoints = 1'000'000;
  std::mt19937_64 rng(20261130);
  const double mx = box.width() * 0.02, my = box.height() * 0.02;
  std::uniform_real_distribution<double> ux(box.minx - mx, box.maxx + mx),
      uy(box.miny - my, box.maxy + my);
  std::vector<geo::Point> points(kPoints);
  for (auto& p : points) p = {ux(rng), uy(rng)};
  std::vector<std::int32_t> got(kPoints);
  ASSERT_TRUE(locator().locate(points, got).ok());

  // The oracle on two threads (one Oracle each: prepared geometries belong
  // to the thread that made them).
  const unsigned threads = std::max(1u, std::min(2u, std::thread::hardware_concurrency()));
  std::vector<std::int32_t> expected(kPoints);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      const test::Oracle oracle(grids);
      for (std::size_t i = t; i < kPoints; i += threads) expected[i] = oracle(points[i]);
    });
  }
  for (auto& th : pool) th.join();

  std::size_t inside = 0, outside = 0, differ = 0;
  for (std::size_t i = 0; i < kPoints; ++i) {
    if (got[i] != expected[i] && differ++ < 5) {
      ADD_FAILURE() << "point " << i << " (" << points[i].x << " " << points[i].y << "): locator "
                    << got[i] << ", GEOS " << expected[i];
    }
    (expected[i] >= 0 ? inside : outside) += 1;
  }
  EXPECT_EQ(differ, 0u);
  // Both answers are exercised: the box holds the district and outside pockets.
  EXPECT_GT(inside, kPoints / 3);
  EXPECT_GT(outside, kPoints / 50);
}

TEST(LocatorIntegration, EveryVertexAndItsNeighbouringDoublesEqualGeos) {
  const auto& grids = loaded().grids;
  ASSERT_FALSE(grids.empty());
  const test::Oracle oracle(grids);
  const GridLocator& l = locator();
  std::size_t vertices = 0, ties = 0;
  forEachSegment(grids, [&](const geo::Point& a, const geo::Point&) {
    const std::int32_t got = l.find(a);
    ASSERT_EQ(got, oracle(a)) << "vertex " << a.x << " " << a.y;
    ASSERT_NE(got, GridLocator::kOutside) << "a vertex is covered by its own grid";
    ++vertices;
    ties += oracle.coverCount(a) >= 2 ? 1 : 0;
    for (const geo::Point& q : {geo::Point{std::nextafter(a.x, -INFINITY), a.y},
                                geo::Point{std::nextafter(a.x, INFINITY), a.y},
                                geo::Point{a.x, std::nextafter(a.y, -INFINITY)},
                                geo::Point{a.x, std::nextafter(a.y, INFINITY)}}) {
      ASSERT_EQ(l.find(q), oracle(q)) << "next to vertex " << q.x << " " << q.y;
    }
  });
  EXPECT_GT(vertices, 10000u);
  EXPECT_GT(ties, vertices / 2) << "in a coverage most vertices are shared";
}

// The doubles exactly on segment a-b besides its ends: with both ends in one
// binade per axis, coordinates are integers times the ulp there, and the
// lattice points on the segment are a + k (dX, dY) / g for g = gcd(dX, dY).
// Most real edges have g = 1 (no interior double lies exactly on them); the
// others give up to three points (k = 1, g/2, g - 1). Empty when the ends'
// coordinates are not on one lattice.
std::vector<geo::Point> exactInteriorPoints(const geo::Point& a, const geo::Point& b) {
  auto ulp = [](double u, double v) {
    const double m = std::max(std::fabs(u), std::fabs(v));
    return std::nextafter(m, INFINITY) - m;
  };
  const double ux = ulp(a.x, b.x), uy = ulp(a.y, b.y);
  const double fx = (b.x - a.x) / ux, fy = (b.y - a.y) / uy;
  if (fx != std::trunc(fx) || fy != std::trunc(fy) || std::fabs(fx) > 1e15 || std::fabs(fy) > 1e15)
    return {};
  const auto dx = static_cast<std::int64_t>(fx), dy = static_cast<std::int64_t>(fy);
  const std::int64_t g = std::gcd(std::abs(dx), std::abs(dy));
  std::vector<geo::Point> out;
  if (g < 2) return out;
  for (std::int64_t k : {std::int64_t{1}, g / 2, g - 1}) {
    const geo::Point p{a.x + static_cast<double>(k * (dx / g)) * ux,
                       a.y + static_cast<double>(k * (dy / g)) * uy};
    if (out.empty() || !(p == out.back())) out.push_back(p);
  }
  return out;
}

TEST(LocatorIntegration, PointsExactlyOnEdgesEqualGeos) {
  const auto& grids = loaded().grids;
  ASSERT_FALSE(grids.empty());
  const test::Oracle oracle(grids);
  const GridLocator& l = locator();
  std::size_t segments = 0, segmentsHit = 0, exactlyOn = 0, ties = 0;
  forEachSegment(grids, [&](const geo::Point& a, const geo::Point& b) {
    ++segments;
    const auto exact = exactInteriorPoints(a, b);
    segmentsHit += exact.empty() ? 0 : 1;
    for (const geo::Point& p : exact) {
      ASSERT_TRUE(onSegment(a, b, p)) << "constructed off the edge: " << p.x << " " << p.y;
      const std::int32_t expected = oracle(p);
      ASSERT_NE(expected, GridLocator::kOutside) << "on an edge, yet in no grid";
      ASSERT_EQ(l.find(p), expected) << "on edge " << p.x << " " << p.y;
      ++exactlyOn;
      ties += oracle.coverCount(p) >= 2 ? 1 : 0;
    }
    // The rounded points at k/8 of the edge and the doubles around each:
    // within an ulp or two of the edge, on either side.
    for (int k = 1; k < 8; k += 2) {
      const double t = k / 8.0;
      const geo::Point m{a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t};
      for (int dx = -1; dx <= 1; ++dx) {
        for (int dy = -1; dy <= 1; ++dy) {
          const geo::Point q{dx ? std::nextafter(m.x, dx * INFINITY) : m.x,
                             dy ? std::nextafter(m.y, dy * INFINITY) : m.y};
          ASSERT_EQ(l.find(q), oracle(q)) << "near edge " << q.x << " " << q.y;
        }
      }
    }
  });
  std::printf("  %zu segments, %zu with doubles exactly on them, %zu such points, %zu shared\n",
              segments, segmentsHit, exactlyOn, ties);
  EXPECT_GT(segments, 10000u);
  // About 1 - 6/pi^2 of random integer extents have a common divisor.
  EXPECT_GT(segmentsHit, segments / 5);
  EXPECT_GT(ties, exactlyOn / 2) << "in a coverage most edges are shared";
}

}  // namespace
}  // namespace gridtwin::index
