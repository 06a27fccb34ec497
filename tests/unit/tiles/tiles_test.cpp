// engine/tiles: tile math, the MVT encoder decoded by the tests' own decoder
// (commands and coordinates exactly, the spec's own examples), clipping,
// simplification and ring orientation.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <tuple>

#include "tiles/clip.h"
#include "tiles/cluster.h"
#include "tiles/mvt.h"
#include "tiles/tile_math.h"
#include "unit/tiles/mvt_decoder.h"

namespace gridtwin::tiles {
namespace {

using mvt::TilePoint;
using test::decode;

TEST(TileMath, BoundsOfTheWorldAndItsQuarters) {
  const geo::Box world = tileBounds({0, 0, 0});
  EXPECT_DOUBLE_EQ(world.minx, -kMercatorHalf);
  EXPECT_DOUBLE_EQ(world.maxy, kMercatorHalf);
  const geo::Box ne = tileBounds({1, 1, 0});
  EXPECT_DOUBLE_EQ(ne.minx, 0);
  EXPECT_DOUBLE_EQ(ne.miny, 0);
  EXPECT_DOUBLE_EQ(ne.maxx, kMercatorHalf);
  const geo::Box ll = tileLonLatBounds({0, 0, 0});
  EXPECT_NEAR(ll.minx, -180, 1e-9);
  EXPECT_NEAR(ll.maxy, kMercatorMaxLat, 1e-9);
}

TEST(TileMath, LonLatRoundTripsAndFindsItsTile) {
  const geo::Point foshan{113.1, 23.02};
  const geo::Point m = lonLatToMercator(foshan);
  const geo::Point back = mercatorToLonLat(m);
  EXPECT_NEAR(back.x, foshan.x, 1e-12);
  EXPECT_NEAR(back.y, foshan.y, 1e-12);
  // The reference value of EPSG:3857 for 113.1 E: R * lon in radians.
  EXPECT_NEAR(m.x, 6378137.0 * 113.1 * M_PI / 180, 1e-6);
  const TileId t = tileAt(foshan, 14);
  EXPECT_EQ(t.z, 14);
  EXPECT_EQ(t.x, static_cast<int>(std::floor((113.1 + 180) / 360 * 16384)));
  EXPECT_TRUE(tileBounds(t).contains(m));
}

TEST(TileMath, ChecksTheRange) {
  EXPECT_TRUE(checkTile(14, 16383, 0));
  auto bad = checkTile(14, 16384, 3);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().context.find("14/16384/3"), std::string::npos);
  EXPECT_NE(bad.error().message.find("0..16383"), std::string::npos);
  EXPECT_FALSE(checkTile(-1, 0, 0));
  EXPECT_FALSE(checkTile(25, 0, 0));
  EXPECT_FALSE(checkTile(3, 0, -1));
}

TEST(Mvt, VarintAndZigzag) {
  std::string s;
  mvt::appendVarint(s, 300);
  EXPECT_EQ(s, std::string("\xac\x02"));
  EXPECT_EQ(mvt::zigzag(0), 0u);
  EXPECT_EQ(mvt::zigzag(-1), 1u);
  EXPECT_EQ(mvt::zigzag(1), 2u);
  EXPECT_EQ(mvt::zigzag(-2), 3u);
  EXPECT_EQ(mvt::commandInteger(mvt::kCommandMoveTo, 1), 9u);
  EXPECT_EQ(mvt::commandInteger(mvt::kCommandLineTo, 3), 26u);
  EXPECT_EQ(mvt::commandInteger(mvt::kCommandClosePath, 1), 15u);
}

// The specification's examples (4.3.5): a point, a line, a polygon.
TEST(Mvt, TheSpecificationsExamplesEncodeToTheirIntegers) {
  mvt::LayerBuilder layer("example");
  layer.beginFeature(mvt::GeomType::kPoint, 1);
  const TilePoint p[] = {{25, 17}};
  layer.points(p);
  ASSERT_TRUE(layer.endFeature());
  layer.beginFeature(mvt::GeomType::kLineString, 2);
  const TilePoint line[] = {{2, 2}, {2, 10}, {10, 10}};
  layer.line(line);
  ASSERT_TRUE(layer.endFeature());
  layer.beginFeature(mvt::GeomType::kPolygon, 3);
  const TilePoint ring[] = {{3, 6}, {8, 12}, {20, 34}};
  layer.ring(ring);
  ASSERT_TRUE(layer.endFeature());
  const mvt::LayerBuilder* layers[] = {&layer};
  const auto decoded = decode(mvt::encodeTile(layers));
  ASSERT_EQ(decoded.size(), 1u);
  EXPECT_EQ(decoded[0].version, 2u);
  EXPECT_EQ(decoded[0].name, "example");
  EXPECT_EQ(decoded[0].extent, 4096u);
  ASSERT_EQ(decoded[0].features.size(), 3u);
  EXPECT_EQ(decoded[0].features[0].geometry, (std::vector<std::uint32_t>{9, 50, 34}));
  EXPECT_EQ(decoded[0].features[1].geometry,
            (std::vector<std::uint32_t>{9, 4, 4, 18, 0, 16, 16, 0}));
  EXPECT_EQ(decoded[0].features[2].geometry,
            (std::vector<std::uint32_t>{9, 6, 12, 18, 10, 12, 24, 44, 15}));
  EXPECT_EQ(decoded[0].features[2].type, 3);
  EXPECT_EQ(decoded[0].features[2].id, 3u);
}

TEST(Mvt, CursorRestartsPerFeatureAndMultiPartsContinueIt) {
  mvt::LayerBuilder layer("l");
  layer.beginFeature(mvt::GeomType::kLineString);
  const TilePoint a[] = {{10, 10}, {20, 10}};
  const TilePoint b[] = {{20, 20}, {20, 30}, {20, 30}};  // a repeated point is dropped
  layer.line(a);
  layer.line(b);
  layer.endFeature();
  layer.beginFeature(mvt::GeomType::kPoint);
  const TilePoint pts[] = {{5, 5}, {3, 2}};
  layer.points(pts);
  layer.endFeature();
  const mvt::LayerBuilder* layers[] = {&layer};
  const auto f = decode(mvt::encodeTile(layers))[0].features;
  ASSERT_EQ(f.size(), 2u);
  EXPECT_FALSE(f[0].hasId);
  ASSERT_EQ(f[0].commands.size(), 4u);  // MoveTo LineTo MoveTo LineTo
  EXPECT_EQ(f[0].commands[2].id, 1u);
  EXPECT_EQ(f[0].commands[2].points[0], std::make_pair(20, 20));
  EXPECT_EQ(f[0].commands[3].points.size(), 1u);
  EXPECT_EQ(f[0].commands[3].points[0], std::make_pair(20, 30));
  EXPECT_EQ(f[1].geometry, (std::vector<std::uint32_t>{17, 10, 10, 3, 5}));
}

TEST(Mvt, PropertiesShareKeysAndValues) {
  mvt::LayerBuilder layer("l");
  for (int i = 0; i < 3; ++i) {
    layer.beginFeature(mvt::GeomType::kPoint, static_cast<std::uint64_t>(i));
    const TilePoint p[] = {{i, i}};
    layer.points(p);
    layer.property("name", "同一个");
    layer.property("n", static_cast<std::int64_t>(i - 1));
    layer.property("h", 2.5);
    layer.property("ok", i == 1);
    layer.endFeature();
  }
  const mvt::LayerBuilder* layers[] = {&layer};
  const auto l = decode(mvt::encodeTile(layers))[0];
  EXPECT_EQ(l.keys, (std::vector<std::string>{"name", "n", "h", "ok"}));
  // "同一个", -1, 2.5, false, 0, true, 1: equal values stored once.
  EXPECT_EQ(l.values.size(), 7u);
  EXPECT_EQ(std::get<std::string>(l.features[2].properties.at("name")), "同一个");
  EXPECT_EQ(std::get<std::int64_t>(l.features[0].properties.at("n")), -1);
  EXPECT_EQ(std::get<std::int64_t>(l.features[2].properties.at("n")), 1);
  EXPECT_EQ(std::get<double>(l.features[1].properties.at("h")), 2.5);
  EXPECT_TRUE(std::get<bool>(l.features[1].properties.at("ok")));
}

// uniqueProperty skips the sharing (ids, times); a shared value that comes
// back after another one (a, b, a) is still stored once.
TEST(Mvt, UniquePropertiesAndAlternatingSharedValuesDecodeRight) {
  mvt::LayerBuilder layer("l");
  const char* status[] = {"a", "b", "a", "a"};
  for (int i = 0; i < 4; ++i) {
    layer.beginFeature(mvt::GeomType::kPoint);
    const TilePoint p[] = {{i, i}};
    layer.points(p);
    layer.uniqueProperty("id", 1000 + (i % 2));  // 1000, 1001, 1000, 1001
    layer.property("status", status[i]);
    layer.endFeature();
  }
  const mvt::LayerBuilder* layers[] = {&layer};
  const auto l = decode(mvt::encodeTile(layers))[0];
  EXPECT_EQ(l.keys, (std::vector<std::string>{"id", "status"}));
  // Four ids written as they come, "a" and "b" once each.
  EXPECT_EQ(l.values.size(), 6u);
  ASSERT_EQ(l.features.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(std::get<std::int64_t>(l.features[i].properties.at("id")), 1000 + (i % 2)) << i;
    EXPECT_EQ(std::get<std::string>(l.features[i].properties.at("status")), status[i]) << i;
  }
}

TEST(Mvt, EmptyFeaturesAndLayersAreLeftOut) {
  mvt::LayerBuilder empty("empty");
  mvt::LayerBuilder layer("l");
  layer.beginFeature(mvt::GeomType::kPolygon);
  const TilePoint flat[] = {{0, 0}, {5, 0}, {10, 0}};  // zero area
  layer.ring(flat);
  layer.property("x", "y");
  EXPECT_FALSE(layer.endFeature());
  EXPECT_TRUE(layer.empty());
  const mvt::LayerBuilder* layers[] = {&empty, &layer};
  EXPECT_EQ(mvt::encodeTile(layers), "");
}

TileFrame frameOf(const TileId& t, double tolerance = 0) {
  TileFrame f;
  f.bounds = tileBounds(t);
  f.tolerance = tolerance;
  return f;
}

// A square in tile units -> metres of the frame.
std::vector<geo::Point> metres(const TileFrame& f, std::initializer_list<geo::Point> tilePts) {
  std::vector<geo::Point> out;
  const double s = f.bounds.width() / f.extent;
  for (const auto& p : tilePts) out.push_back({f.bounds.minx + p.x * s, f.bounds.maxy - p.y * s});
  return out;
}

TEST(Clip, RingsComeOutClockwiseOnScreenAndHolesTheOtherWay) {
  const TileFrame f = frameOf({14, 13337, 7135});
  // Counter-clockwise on screen (y down): (100,100) (100,200) (200,200) (200,100).
  const auto ccw = metres(f, {{100, 100}, {100, 200}, {200, 200}, {200, 100}, {100, 100}});
  const auto ext = clipRing(f, ccw, true);
  ASSERT_EQ(ext.size(), 4u);
  EXPECT_GT(mvt::ringArea2(ext), 0);
  const auto hole = clipRing(f, ccw, false);
  EXPECT_LT(mvt::ringArea2(hole), 0);
}

TEST(Clip, RingsAreCutAtTheBufferAndDegenerateOnesDropped) {
  const TileFrame f = frameOf({14, 13337, 7135});
  const auto big =
      metres(f, {{-1000, -1000}, {5000, -1000}, {5000, 5000}, {-1000, 5000}, {-1000, -1000}});
  const auto cut = clipRing(f, big, true);
  ASSERT_EQ(cut.size(), 4u);
  for (const auto& p : cut) {
    EXPECT_TRUE(p.x == -64 || p.x == 4096 + 64) << p.x;
    EXPECT_TRUE(p.y == -64 || p.y == 4096 + 64) << p.y;
  }
  const auto outside = metres(f, {{5000, 10}, {6000, 10}, {6000, 20}, {5000, 10}});
  EXPECT_TRUE(clipRing(f, outside, true).empty());
  const auto tiny = metres(f, {{10.1, 10.1}, {10.2, 10.1}, {10.2, 10.2}, {10.1, 10.1}});
  EXPECT_TRUE(clipRing(f, tiny, true).empty());  // rounds to one point
}

TEST(Clip, LinesLeavingAndReenteringBecomeTwoLines) {
  const TileFrame f = frameOf({14, 13337, 7135});
  const auto l = metres(f, {{100, 100}, {100, 5000}, {200, 5000}, {200, 100}});
  std::vector<std::vector<TilePoint>> out;
  clipLine(f, l, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].front(), (TilePoint{100, 100}));
  EXPECT_EQ(out[0].back(), (TilePoint{100, 4160}));
  EXPECT_EQ(out[1].front(), (TilePoint{200, 4160}));
  EXPECT_EQ(out[1].back(), (TilePoint{200, 100}));
}

TEST(Clip, PointsInTheBufferAreKeptOthersNot) {
  const TileFrame f = frameOf({14, 13337, 7135});
  TilePoint t;
  EXPECT_TRUE(clipPoint(f, metres(f, {{-60, 10}})[0], t));
  EXPECT_EQ(t, (TilePoint{-60, 10}));
  EXPECT_FALSE(clipPoint(f, metres(f, {{-70, 10}})[0], t));
  EXPECT_FALSE(clipPoint(f, {std::nan(""), 0}, t));
}

TEST(Clip, SimplificationDropsPointsWithinTheTolerance) {
  const std::vector<geo::Point> chain{{0, 0}, {10, 0.5}, {20, 0}, {30, 8}, {40, 0}};
  const auto s = simplify(chain, 1);
  EXPECT_EQ(s, (std::vector<geo::Point>{{0, 0}, {20, 0}, {30, 8}, {40, 0}}));
  EXPECT_EQ(simplify(chain, 0).size(), chain.size());
}

// Clusters: at every zoom each point is in exactly one cluster, of its own
// grid, in the tile tileAt names; a tile's clusters are that tile's; the most
// frequent value and the time range are the points'.
TEST(PointClusters, EveryPointInOneClusterOfItsGridAndTile) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> lon(113.05, 113.15), lat(22.98, 23.06);
  std::uniform_int_distribution<std::uint32_t> gridOf(0, 3);
  std::uniform_int_distribution<int> valueOf(0, 5);
  const std::size_t n = 5000;
  std::vector<geo::Point> lonlat;
  std::vector<std::uint32_t> grid, rows;
  std::vector<std::uint16_t> value;
  std::vector<std::int64_t> time;
  for (std::size_t i = 0; i < n; ++i) {
    lonlat.push_back({lon(rng), lat(rng)});
    grid.push_back(gridOf(rng));
    value.push_back(static_cast<std::uint16_t>(valueOf(rng)));
    time.push_back(static_cast<std::int64_t>(i) * 60);
    if (i % 10 != 0) rows.push_back(static_cast<std::uint32_t>(i));  // a subset
  }
  lonlat[1] = {std::nan(""), std::nan("")};  // not drawn
  const auto clusters = PointClusters::build(lonlat, grid, value, time, rows);
  for (int z = 0; z <= PointClusters::kMaxZoom; ++z) {
    // The points per (tile, grid) as the tests count them.
    std::map<std::tuple<int, int, std::uint32_t>, std::int64_t> want;
    for (std::uint32_t r : rows) {
      if (!std::isfinite(lonlat[r].x)) continue;
      const TileId t = tileAt(lonlat[r], z);
      ++want[{t.x, t.y, grid[r]}];
    }
    std::map<std::tuple<int, int, std::uint32_t>, std::int64_t> got;
    std::size_t total = 0;
    for (const PointCluster& c : clusters.atZoom(z)) {
      const TileId t = tileAt(mercatorToLonLat(c.xy), z);
      got[{t.x, t.y, c.grid}] += c.count;
      total += c.count;
      EXPECT_LE(c.topCount, c.count);
      EXPECT_LE(c.values, 6);
      EXPECT_LE(c.firstTime, c.lastTime);
      // The tile lookup finds it.
      bool found = false;
      for (const PointCluster& o : clusters.inTile(t)) found |= &o == &c;
      EXPECT_TRUE(found) << "z" << z;
    }
    EXPECT_EQ(got, want) << "z" << z;
    EXPECT_EQ(total, rows.size() - 1) << "z" << z;  // row 1's point is NaN: not drawn
  }
}

TEST(PointClusters, OneCellOneGridOneCluster) {
  // Three points of grid 0 close together, one of grid 1 among them: at
  // z15 two clusters; the top value is the most frequent.
  const std::vector<geo::Point> lonlat = {
      {113.10000, 23.00000}, {113.10001, 23.00001}, {113.10002, 23.00000}, {113.10001, 23.00002}};
  const std::vector<std::uint32_t> grid = {0, 0, 0, 1};
  const std::vector<std::uint16_t> value = {7, 3, 7, 9};
  const std::vector<std::int64_t> time = {30, 10, 20, 40};
  const std::vector<std::uint32_t> rows = {0, 1, 2, 3};
  const auto clusters = PointClusters::build(lonlat, grid, value, time, rows);
  const auto at15 = clusters.inTile(tileAt(lonlat[0], 15));
  ASSERT_EQ(at15.size(), 2u);
  EXPECT_EQ(at15[0].grid, 0u);
  EXPECT_EQ(at15[0].count, 3u);
  EXPECT_EQ(at15[0].topValue, 7);
  EXPECT_EQ(at15[0].topCount, 2u);
  EXPECT_EQ(at15[0].values, 2);
  EXPECT_EQ(at15[0].firstTime, 10);
  EXPECT_EQ(at15[0].lastTime, 30);
  EXPECT_EQ(at15[1].grid, 1u);
  EXPECT_EQ(at15[1].count, 1u);
  EXPECT_TRUE(clusters.inTile(TileId{16, 0, 0}).empty());  // from z16: points, no clusters
}

}  // namespace
}  // namespace gridtwin::tiles
