// GridLocator against its slow twin (GEOS prepared covers + the tie rule:
// lowest code wins) on in-process synthetic coverages: random points,
// every vertex, every edge midpoint, points on raster cell borders, near
// misses; and the API's edges (NaN, far away, threads, CRS input).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "crs/gcj02.h"
#include "crs/transformer.h"
#include "index/grid_locator.h"
#include "index/source_shortcut.h"
#include "unit/index/synthetic.h"

namespace gridtwin::index {
namespace {

using test::Oracle;
using test::syntheticCoverage;

GridLocator mustBuild(const std::vector<GridLocator::GridShape>& grids,
                      GridLocator::Options options = {}) {
  auto r = GridLocator::build(std::span<const GridLocator::GridShape>(grids), options);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().toString());
  return std::move(r).value();
}

geo::Box boxOf(const std::vector<GridLocator::GridShape>& grids) {
  geo::Box b;
  for (const auto& g : grids) b.expand(geo::bbox(g.xy));
  return b;
}

// Every vertex and every edge midpoint (exact here: integer coordinates).
std::vector<geo::Point> verticesAndMidpoints(const std::vector<GridLocator::GridShape>& grids) {
  std::vector<geo::Point> out;
  for (const auto& g : grids) {
    for (const auto& p : g.xy.polygons) {
      for (std::size_t r = 0; r <= p.holes.size(); ++r) {
        const geo::Ring& ring = r == 0 ? p.outer : p.holes[r - 1];
        for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
          out.push_back(ring[i]);
          out.push_back({(ring[i].x + ring[i + 1].x) / 2, (ring[i].y + ring[i + 1].y) / 2});
        }
      }
    }
  }
  return out;
}

TEST(GridLocator, RandomPointsEqualGeosCoversWithTieRule) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const auto grids = syntheticCoverage(seed);
    // A small raster too, so that cells are crossed by many edges.
    for (double cells : {384.0 * 1024, 2000.0}) {
      GridLocator::Options options;
      options.targetCells = cells;
      const GridLocator locator = mustBuild(grids, options);
      const Oracle oracle(grids);
      const geo::Box b = boxOf(grids);
      std::mt19937_64 rng(seed * 77);
      std::uniform_real_distribution<double> ux(b.minx - 300, b.maxx + 300),
          uy(b.miny - 300, b.maxy + 300);
      std::size_t inside = 0;
      for (int k = 0; k < 100000; ++k) {
        const geo::Point p{ux(rng), uy(rng)};
        const std::int32_t expected = oracle(p);
        ASSERT_EQ(locator.find(p), expected) << "seed " << seed << " point " << p.x << " " << p.y;
        inside += expected >= 0 ? 1 : 0;
      }
      EXPECT_GT(inside, 50000u);
    }
  }
}

TEST(GridLocator, VerticesAndEdgeMidpointsGoToLowestCode) {
  for (std::uint64_t seed : {4u, 5u}) {
    const auto grids = syntheticCoverage(seed);
    const GridLocator locator = mustBuild(grids);
    const Oracle oracle(grids);
    std::size_t ties = 0, checked = 0;
    for (const geo::Point& p : verticesAndMidpoints(grids)) {
      const std::int32_t got = locator.find(p);
      ASSERT_EQ(got, oracle(p)) << "point " << p.x << " " << p.y;
      ASSERT_NE(got, GridLocator::kOutside) << "a vertex is covered by its own grid";
      ties += oracle.coverCount(p) >= 2 ? 1 : 0;
      ++checked;
      // One ulp away in each direction: no longer on the edge, still equal.
      for (const geo::Point& q :
           {geo::Point{std::nextafter(p.x, 0.0), p.y}, geo::Point{std::nextafter(p.x, 1e9), p.y},
            geo::Point{p.x, std::nextafter(p.y, 0.0)}, geo::Point{p.x, std::nextafter(p.y, 1e9)}}) {
        ASSERT_EQ(locator.find(q), oracle(q)) << "near " << q.x << " " << q.y;
      }
    }
    EXPECT_GT(ties, checked / 2) << "most vertices and midpoints are shared";
  }
}

TEST(GridLocator, PointsOnRasterCellBordersEqualGeos) {
  const auto grids = syntheticCoverage(6);
  GridLocator::Options options;
  options.targetCells = 5000;
  const GridLocator locator = mustBuild(grids, options);
  const Oracle oracle(grids);
  const auto& s = locator.stats();
  const geo::Box b = boxOf(grids);
  // Points on (or a rounding away from) the cell lattice lines.
  const double ox = b.minx - s.cellSize, oy = b.miny - s.cellSize;
  std::mt19937_64 rng(6);
  std::uniform_real_distribution<double> u(0, 1);
  for (std::uint32_t i = 0; i <= s.nx; ++i) {
    for (int k = 0; k < 40; ++k) {
      const geo::Point p{ox + i * s.cellSize, b.miny + u(rng) * b.height()};
      ASSERT_EQ(locator.find(p), oracle(p));
    }
  }
  for (std::uint32_t j = 0; j <= s.ny; ++j) {
    for (int k = 0; k < 40; ++k) {
      const geo::Point p{b.minx + u(rng) * b.width(), oy + j * s.cellSize};
      ASSERT_EQ(locator.find(p), oracle(p));
    }
  }
}

TEST(GridLocator, PointOnSharedEdgeGoesToLowerCode) {
  // Two unit squares side by side: B (code ...002) left, A (code ...001) right.
  std::vector<GridLocator::GridShape> grids(3);
  grids[0].code = "440604000000002";
  grids[0].xy.polygons.push_back({{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}, {}});
  grids[1].code = "440604000000001";
  grids[1].xy.polygons.push_back({{{10, 0}, {20, 0}, {20, 10}, {10, 10}, {10, 0}}, {}});
  grids[2].code = "440604000000003";  // above both, sharing the top edge
  grids[2].xy.polygons.push_back({{{0, 10}, {20, 10}, {20, 20}, {0, 20}, {0, 10}}, {}});
  const GridLocator locator = mustBuild(grids);
  EXPECT_EQ(locator.find({10, 5}), 1);   // shared edge: the lower code
  EXPECT_EQ(locator.find({10, 0}), 1);   // shared vertex on the outline
  EXPECT_EQ(locator.find({10, 10}), 1);  // vertex of all three
  EXPECT_EQ(locator.find({5, 10}), 0);   // edge of ...002 and ...003
  EXPECT_EQ(locator.find({15, 10}), 1);
  EXPECT_EQ(locator.find({5, 5}), 0);
  EXPECT_EQ(locator.find({0, 5}), 0);  // the district outline belongs to its grid
  EXPECT_EQ(locator.find({5, 15}), 2);
  EXPECT_EQ(locator.find({-0.001, 5}), GridLocator::kOutside);
  EXPECT_EQ(locator.find({std::nextafter(20.0, 30.0), 5}), GridLocator::kOutside);
}

TEST(GridLocator, HoleIslandAndMultipolygon) {
  const auto grids = syntheticCoverage(7);
  const GridLocator locator = mustBuild(grids);
  const Oracle oracle(grids);
  // The island is the only single square with 5 vertices.
  for (std::size_t g = 0; g < grids.size(); ++g) {
    const auto& polys = grids[g].xy.polygons;
    if (polys.size() == 1 && polys[0].outer.size() == 5) {
      const geo::Ring& r = polys[0].outer;
      const geo::Point centre{(r[0].x + r[2].x) / 2, (r[0].y + r[2].y) / 2};
      EXPECT_EQ(locator.find(centre), static_cast<std::int32_t>(g));
    }
    if (polys.size() == 2) {
      // The vertex where the two parts touch: this grid or a lower-coded neighbour.
      const geo::Point touch = polys[1].outer[0];
      EXPECT_EQ(locator.find(touch), oracle(touch));
      EXPECT_GE(oracle.coverCount(touch), 3);
    }
  }
}

TEST(GridLocator, OutsideAndWrongCrsSayOutside) {
  const auto grids = syntheticCoverage(8);
  const GridLocator locator = mustBuild(grids);
  EXPECT_EQ(locator.find({113.1, 23.0}), GridLocator::kOutside);  // lon/lat given as metres
  EXPECT_EQ(locator.find({-1e300, 1e300}), GridLocator::kOutside);
  EXPECT_EQ(locator.find({0, 0}), GridLocator::kOutside);
  auto r = locator.locate(geo::Point{113.1, 23.0});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, GridLocator::kOutside);
}

TEST(GridLocator, NonFiniteIsAClearError) {
  const auto grids = syntheticCoverage(9);
  const GridLocator locator = mustBuild(grids);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(locator.find({nan, 2540000}), GridLocator::kNotFinite);
  EXPECT_EQ(locator.find({500000, inf}), GridLocator::kNotFinite);
  auto single = locator.locate(geo::Point{nan, 1});
  ASSERT_FALSE(single.ok());
  EXPECT_EQ(single.error().code, core::ErrorCode::kNonFinite);
  EXPECT_NE(single.error().message.find("nan"), std::string::npos);

  std::vector<geo::Point> points{{501000, 2541000}, {nan, 0}, {0, 0}, {inf, nan}};
  std::vector<std::int32_t> out(points.size());
  auto batch = locator.locate(points, out);
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.error().context, "point 1");
  EXPECT_NE(batch.error().message.find("2 such point"), std::string::npos) << batch.error().message;
  EXPECT_EQ(out[0], locator.find(points[0]));
  EXPECT_EQ(out[1], GridLocator::kNotFinite);
  EXPECT_EQ(out[2], GridLocator::kOutside);
  EXPECT_EQ(out[3], GridLocator::kNotFinite);

  std::vector<std::int32_t> wrongSize(1);
  EXPECT_EQ(locator.locate(points, wrongSize).error().code, core::ErrorCode::kInvalidArgument);
}

TEST(GridLocator, ThreadedBatchEqualsSingle) {
  const auto grids = syntheticCoverage(10);
  const GridLocator locator = mustBuild(grids);
  const geo::Box b = boxOf(grids);
  std::mt19937_64 rng(10);
  std::uniform_real_distribution<double> ux(b.minx, b.maxx), uy(b.miny, b.maxy);
  std::vector<geo::Point> points(200001);
  for (auto& p : points) p = {ux(rng), uy(rng)};
  std::vector<std::int32_t> one(points.size()), four(points.size());
  ASSERT_TRUE(locator.locate(points, one, 1).ok());
  ASSERT_TRUE(locator.locate(points, four, 4).ok());
  EXPECT_EQ(one, four);
  for (std::size_t i = 0; i < points.size(); i += 997) EXPECT_EQ(one[i], locator.find(points[i]));
}

// Points that reach every path of the batch kernel: whole cells, whole
// sub-cells, exact tests (vertices, midpoints, a ulp off them), off the
// raster, non-finite.
std::vector<geo::Point> everyPathPoints(const std::vector<GridLocator::GridShape>& grids,
                                        std::uint64_t seed) {
  const geo::Box b = boxOf(grids);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> ux(b.minx - 500, b.maxx + 500),
      uy(b.miny - 500, b.maxy + 500);
  std::vector<geo::Point> points;
  for (int k = 0; k < 60000; ++k) points.push_back({ux(rng), uy(rng)});
  for (const geo::Point& p : verticesAndMidpoints(grids)) {
    points.push_back(p);
    points.push_back({std::nextafter(p.x, 0.0), p.y});
    points.push_back({p.x, std::nextafter(p.y, 1e9)});
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (const geo::Point& p : {geo::Point{nan, b.miny}, geo::Point{b.minx, inf},
                              geo::Point{-inf, -inf}, geo::Point{1e300, 1e300}}) {
    points.insert(points.begin() + static_cast<std::ptrdiff_t>(rng() % points.size()), p);
  }
  return points;
}

TEST(GridLocator, BatchEqualsFindAndGeosInBothTableWidths) {
  const auto grids = syntheticCoverage(14);
  const Oracle oracle(grids);
  const auto points = everyPathPoints(grids, 14);
  for (bool compact : {true, false}) {
    for (double cells : {384.0 * 1024, 3000.0}) {
      GridLocator::Options options;
      options.compactCells = compact;
      options.targetCells = cells;
      const GridLocator locator = mustBuild(grids, options);
      EXPECT_EQ(locator.stats().cellBytes, compact ? 2u : 4u);
      std::vector<std::int32_t> out(points.size());
      auto r = locator.locate(points, out);
      ASSERT_FALSE(r.ok());  // the non-finite points
      EXPECT_NE(r.error().message.find("3 such point"), std::string::npos) << r.error().message;
      for (std::size_t i = 0; i < points.size(); ++i) {
        const geo::Point& p = points[i];
        ASSERT_EQ(out[i], locator.find(p)) << "point " << i << " compact " << compact;
        if (std::isfinite(p.x) && std::isfinite(p.y)) {
          ASSERT_EQ(out[i], oracle(p)) << "point " << p.x << " " << p.y << " compact " << compact;
        } else {
          ASSERT_EQ(out[i], GridLocator::kNotFinite);
        }
      }
      // Odd lengths and offsets: blocks that end mid-way.
      for (std::size_t n : {1u, 255u, 257u, 1001u}) {
        std::vector<std::int32_t> part(n);
        (void)locator.locate(std::span<const geo::Point>(points).subspan(7, n), part);
        for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(part[i], out[7 + i]);
      }
    }
  }
}

TEST(GridLocator, BuildOnAnyNumberOfThreadsMakesTheSameTables) {
  const auto grids = syntheticCoverage(14);
  const Oracle oracle(grids);
  const auto points = everyPathPoints(grids, 14);
  GridLocator::Options one;
  one.threads = 1;
  const GridLocator reference = mustBuild(grids, one);
  for (unsigned threads : {2u, 3u, 7u, 0u}) {
    GridLocator::Options options;
    options.threads = threads;
    const GridLocator locator = mustBuild(grids, options);
    EXPECT_EQ(locator.stats().boundaryCells, reference.stats().boundaryCells);
    EXPECT_EQ(locator.stats().candidates, reference.stats().candidates);
    EXPECT_EQ(locator.memoryBytes(), reference.memoryBytes());
    for (const geo::Point& p : points) {
      ASSERT_EQ(locator.find(p), reference.find(p)) << p.x << " " << p.y << " threads " << threads;
      if (std::isfinite(p.x) && std::isfinite(p.y)) {
        ASSERT_EQ(locator.find(p), oracle(p));
      }
    }
  }
}

TEST(GridLocator, WideTablesWhenBoundaryCellsExceedSixteenBits) {
  // ~3,000 grids on the default raster give more boundary cells than 16
  // bits can number: the locator falls back to 4-byte tables and answers
  // the same.
  const auto grids = syntheticCoverage(15, 60, 50, 2);
  const Oracle oracle(grids);
  const GridLocator locator = mustBuild(grids);
  const auto& s = locator.stats();
  ASSERT_GT(s.boundaryCells + s.grids + 1, 0xffffu);
  EXPECT_EQ(s.cellBytes, 4u);
  const auto points = everyPathPoints(grids, 15);
  std::vector<std::int32_t> out(points.size());
  (void)locator.locate(points, out);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const geo::Point& p = points[i];
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    ASSERT_EQ(out[i], oracle(p)) << "point " << p.x << " " << p.y;
  }
  // The same coverage on a coarser raster fits 16 bits.
  GridLocator::Options coarse;
  coarse.targetCells = 20000;
  EXPECT_EQ(mustBuild(grids, coarse).stats().cellBytes, 2u);
}

TEST(GridLocator, BadGridsAreErrorsNamingTheGrid) {
  std::vector<GridLocator::GridShape> none;
  EXPECT_EQ(GridLocator::build(std::span<const GridLocator::GridShape>(none)).error().code,
            core::ErrorCode::kEmptyInput);
  std::vector<GridLocator::GridShape> grids(1);
  grids[0].code = "440604001001007";
  grids[0].xy.polygons.push_back(
      {{{0, 0}, {10, 0}, {std::numeric_limits<double>::quiet_NaN(), 10}, {0, 0}}, {}});
  auto r = GridLocator::build(std::span<const GridLocator::GridShape>(grids));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kNonFinite);
  EXPECT_NE(r.error().context.find("440604001001007"), std::string::npos);
  EXPECT_NE(r.error().message.find("vertex 2"), std::string::npos);
}

TEST(GridLocator, OverlappingGridsStillFollowTheTieRule) {
  // Not a valid coverage: B overlaps A; inside the overlap the lower code wins.
  std::vector<GridLocator::GridShape> grids(2);
  grids[0].code = "440604000000009";
  grids[0].xy.polygons.push_back({{{0, 0}, {100, 0}, {100, 100}, {0, 100}, {0, 0}}, {}});
  grids[1].code = "440604000000001";
  grids[1].xy.polygons.push_back({{{-50, -50}, {50, -50}, {50, 50}, {-50, 50}, {-50, -50}}, {}});
  GridLocator::Options options;
  options.targetCells = 64;
  const GridLocator locator = mustBuild(grids, options);
  const Oracle oracle(grids);
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(-60, 110);
  for (int k = 0; k < 20000; ++k) {
    const geo::Point p{std::round(u(rng) * 4) / 4, std::round(u(rng) * 4) / 4};
    ASSERT_EQ(locator.find(p), oracle(p)) << p.x << " " << p.y;
  }
}

TEST(GridLocator, LonLatAndGcj02InputThroughTheTransformer) {
  const auto grids = syntheticCoverage(12);
  const GridLocator locator = mustBuild(grids);
  const geo::Box b = boxOf(grids);
  auto toLonLat = crs::Transformer::create(crs::kGaussKruger114, crs::kCgcs2000);
  auto toMetric = crs::Transformer::create(crs::kCgcs2000, crs::kGaussKruger114);
  ASSERT_TRUE(toLonLat.ok() && toMetric.ok());
  std::mt19937_64 rng(12);
  std::uniform_real_distribution<double> ux(b.minx, b.maxx), uy(b.miny, b.maxy);
  std::vector<geo::Point> lonlat, gcj;
  std::vector<std::int32_t> expected;
  for (int k = 0; k < 2000; ++k) {
    const geo::Point xy{ux(rng), uy(rng)};
    const geo::Point ll = toLonLat->transform(xy).value();
    // Round trips move a point by nanometres; keep points well off edges.
    const std::int32_t g = locator.find(xy);
    bool stable = true;
    for (double dx : {-0.01, 0.01}) {
      for (double dy : {-0.01, 0.01}) stable &= locator.find({xy.x + dx, xy.y + dy}) == g;
    }
    if (!stable) continue;
    auto viaTransformer = locator.locate(ll, *toMetric);
    ASSERT_TRUE(viaTransformer.ok());
    EXPECT_EQ(*viaTransformer, g);
    lonlat.push_back(ll);
    gcj.push_back(crs::wgs84ToGcj02(ll));
    expected.push_back(g);
  }
  std::vector<std::int32_t> out(lonlat.size());
  ASSERT_TRUE(locator.locate(lonlat, crs::kCgcs2000, out).ok());
  EXPECT_EQ(out, expected);
  ASSERT_TRUE(locator.locate(gcj, crs::kGcj02, out, 2).ok());
  EXPECT_EQ(out, expected);
  // The same GCJ-02 numbers read as CGCS2000 land ~500 m off: not all equal.
  ASSERT_TRUE(locator.locate(gcj, crs::kCgcs2000, out).ok());
  EXPECT_NE(out, expected);

  auto wrongTarget = crs::Transformer::create(crs::kGaussKruger114, crs::kCgcs2000);
  EXPECT_EQ(locator.locate(geo::Point{113, 23}, *wrongTarget).error().code,
            core::ErrorCode::kInvalidArgument);
}

TEST(GridLocator, StatsReportMemory) {
  const auto grids = syntheticCoverage(13);
  const GridLocator locator = mustBuild(grids);
  const auto& s = locator.stats();
  EXPECT_EQ(s.grids, grids.size());
  EXPECT_GT(s.boundaryCells, 0u);
  EXPECT_GE(s.memoryBytes, std::size_t{s.nx} * s.ny * s.cellBytes);
  EXPECT_EQ(locator.memoryBytes(), s.memoryBytes);
  EXPECT_EQ(locator.placement(0).community, GridLocator::kOutside);  // no district links
  EXPECT_EQ(locator.placement(-1).grid, GridLocator::kOutside);
}

}  // namespace
}  // namespace gridtwin::index

namespace gridtwin::index {
namespace {

TEST(GridLocator, BoxAnswerIsEveryPointsAnswer) {
  const auto grids = syntheticCoverage(4);
  for (double cells : {384.0 * 1024, 2000.0}) {
    GridLocator::Options options;
    options.targetCells = cells;
    const GridLocator locator = mustBuild(grids, options);
    geo::Box all = boxOf(grids);
    all = {all.minx - 300, all.miny - 300, all.maxx + 300, all.maxy + 300};
    std::mt19937_64 rng(41);
    std::uniform_real_distribution<double> ux(all.minx, all.maxx), uy(all.miny, all.maxy);
    std::uniform_real_distribution<double> side(0.0, 60.0), unit(0.0, 1.0);
    std::size_t decided = 0;
    for (int k = 0; k < 20'000; ++k) {
      const double x = ux(rng), y = uy(rng);
      const geo::Box box{x, y, x + side(rng), y + side(rng)};
      const std::int32_t answer = locator.boxAnswer(box);
      if (answer == GridLocator::kUndecided) continue;
      ++decided;
      // Its corners, edge points and random points inside.
      std::vector<geo::Point> probes = {{box.minx, box.miny},
                                        {box.maxx, box.miny},
                                        {box.minx, box.maxy},
                                        {box.maxx, box.maxy},
                                        {(box.minx + box.maxx) / 2, box.miny},
                                        {box.maxx, (box.miny + box.maxy) / 2}};
      for (int r = 0; r < 8; ++r) {
        probes.push_back({box.minx + unit(rng) * box.width(), box.miny + unit(rng) * box.height()});
      }
      for (const auto& p : probes) {
        ASSERT_EQ(locator.find(p), answer) << std::hexfloat << p.x << "," << p.y;
      }
    }
    EXPECT_GT(decided, 5'000u) << cells;
  }
  const GridLocator locator = mustBuild(grids);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(locator.boxAnswer({nan, 0, 1, 1}), GridLocator::kUndecided);
  EXPECT_EQ(locator.boxAnswer({0, 0, 1, 1}), GridLocator::kOutside);    // far off the raster
  EXPECT_EQ(locator.boxAnswer(boxOf(grids)), GridLocator::kUndecided);  // many cells
}

TEST(SourceShortcut, AnswersAsTransformThenFind) {
  const auto toMetric = crs::Transformer::create(crs::kCgcs2000, crs::kGaussKruger114).value();
  const auto toLonLat = crs::Transformer::create(crs::kGaussKruger114, crs::kCgcs2000).value();
  for (std::uint64_t seed : {5u, 6u}) {
    const auto grids = syntheticCoverage(seed);
    const GridLocator locator = mustBuild(grids);
    // The coverage's lon/lat box, and a margin beyond it.
    const geo::Box metric = boxOf(grids);
    geo::Box source;
    for (const geo::Point& c :
         {geo::Point{metric.minx, metric.miny}, geo::Point{metric.maxx, metric.miny},
          geo::Point{metric.minx, metric.maxy}, geo::Point{metric.maxx, metric.maxy}}) {
      source.expand(toLonLat.transform(c).value());
    }
    // Probes: random points over a larger box, and every vertex and edge
    // midpoint brought back to lon/lat (points on and near the edges).
    std::vector<geo::Point> probes;
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> ux(source.minx - 0.01, source.maxx + 0.01);
    std::uniform_real_distribution<double> uy(source.miny - 0.01, source.maxy + 0.01);
    for (int k = 0; k < 200'000; ++k) probes.push_back({ux(rng), uy(rng)});
    for (const auto& p : verticesAndMidpoints(grids))
      probes.push_back(toLonLat.transform(p).value());
    std::vector<geo::Point> xy(probes.size());
    std::size_t done = 0;
    ASSERT_TRUE(toMetric.transformStream(probes, xy, done).ok());
    for (double cells : {64.0 * 1024, 2000.0, 1024.0 * 1024}) {
      const SourceShortcut shortcut =
          SourceShortcut::build(locator, toMetric, source, cells).value();
      if (cells == 64.0 * 1024) {
        EXPECT_GT(shortcut.decidedShare(), 0.5);
      }
      std::size_t decided = 0;
      for (std::size_t i = 0; i < probes.size(); ++i) {
        const std::int32_t s = shortcut.find(probes[i]);
        if (s == SourceShortcut::kUndecided) continue;
        ++decided;
        ASSERT_EQ(s, locator.find(xy[i]))
            << std::hexfloat << probes[i].x << "," << probes[i].y << " cells " << cells;
      }
      EXPECT_GT(decided, probes.size() / 4) << cells;
    }
  }
  // Only towards EPSG:4547; an empty box decides nothing.
  const auto grids = syntheticCoverage(7);
  const GridLocator locator = mustBuild(grids);
  EXPECT_FALSE(SourceShortcut::build(locator, toLonLat, {113, 23, 114, 24}).ok());
  EXPECT_FALSE(SourceShortcut::build(locator, toMetric, geo::Box{}).ok());
  EXPECT_EQ(SourceShortcut().find({113.5, 23.0}), SourceShortcut::kUndecided);
}

}  // namespace
}  // namespace gridtwin::index
