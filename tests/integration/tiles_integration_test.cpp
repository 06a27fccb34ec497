// Vector tiles of the small district end to end: `gridtwin tile` writes the
// densest z14 tile, GDAL's MVT driver (ogrinfo) reads it with the expected
// layers and, per layer, as many features as the engine's columns hold
// features meeting the tile and its buffer (counted here from the columns,
// independently of engine/tiles); a grid head's tile holds nothing of another
// grid; an empty tile is said to be empty; the TileJSON lists the layers.
// Below z16 the closed events and the facilities come as clusters
// (cluster.h): their counts add up, per grid and per scope, to the closed
// events and facilities the columns hold in the tile; from z16 each is a
// point again.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <tuple>

#include "geo/algorithms.h"
#include "integration/private_district.h"
#include "query/twin.h"
#include "tiles/cluster.h"
#include "tiles/render.h"
#include "tiles/tile_math.h"
#include "unit/tiles/mvt_decoder.h"

namespace gridtwin::tiles {
namespace {

namespace fs = std::filesystem;

const fs::path& workDir() { return testsupport::privateWorkDir("tiles_it"); }

// A private copy of the fixture, so the snapshot our loads write lands there.
const std::string& dataset() {
  return testsupport::privateDistrict(workDir(), GRIDTWIN_SMALL_DISTRICT);
}

const query::Twin& twin() {
  static const std::unique_ptr<query::Twin> t = std::move(query::Twin::open(dataset(), {}).value());
  return *t;
}

struct CommandRun {
  int exitCode = 0;
  std::string out;
};
CommandRun run(const std::string& cmd) {
  CommandRun r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// The z14 tile holding the most buildings, facilities and events.
TileId densestTile(int z) {
  const model::District& d = twin().district();
  std::map<std::pair<int, int>, int> counts;
  auto add = [&](const geo::Point& ll) {
    if (!std::isfinite(ll.x)) return;
    const TileId t = tileAt(ll, z);
    ++counts[{t.x, t.y}];
  };
  for (const auto& p : d.facilities().point.lonlat) add(p);
  for (const auto& p : d.events().point.lonlat) add(p);
  for (std::size_t b = 0; b < d.buildings().size(); ++b) {
    add(d.buildings()
            .footprint
            .lonlat[d.buildings().footprint.pointStart
                        [d.buildings().footprint.ringStart[d.buildings().footprint.partStart[b]]]]);
  }
  auto best = counts.begin();
  for (auto it = counts.begin(); it != counts.end(); ++it) {
    if (it->second > best->second) best = it;
  }
  return TileId{z, best->first.first, best->first.second};
}

geo::Box clipBox(const TileId& t) {
  const geo::Box b = tileBounds(t);
  const double pad = b.width() * 64 / 4096;
  return {b.minx - pad, b.miny - pad, b.maxx + pad, b.maxy + pad};
}

bool segmentMeetsBox(geo::Point a, geo::Point b, const geo::Box& box) {
  // Sampled finely enough for shapes of metres in a box of kilometres.
  for (int i = 0; i <= 64; ++i) {
    const double t = i / 64.0;
    if (box.contains({a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)})) return true;
  }
  return false;
}

// Polygon features (flat columns) meeting `box` (EPSG:3857), per the
// columns: a vertex or an edge in the box, or the box's centre inside.
template <class Shape, class Keep>
std::size_t polygonsMeeting(const Shape& shape, const geo::Box& box, Keep keep) {
  std::size_t n = 0;
  for (std::size_t f = 0; f < shape.size(); ++f) {
    if (!keep(f)) continue;
    bool meets = false;
    for (std::size_t p = shape.partStart[f]; p < shape.partStart[f + 1] && !meets; ++p) {
      geo::Polygon poly;
      for (std::size_t r = shape.ringStart[p]; r < shape.ringStart[p + 1]; ++r) {
        geo::Ring ring;
        for (std::size_t i = shape.pointStart[r]; i < shape.pointStart[r + 1]; ++i) {
          ring.push_back(lonLatToMercator(shape.lonlat[i]));
        }
        if (r == shape.ringStart[p]) {
          poly.outer = ring;
        } else {
          poly.holes.push_back(ring);
        }
      }
      for (std::size_t i = 0; i + 1 < poly.outer.size() && !meets; ++i) {
        meets = segmentMeetsBox(poly.outer[i], poly.outer[i + 1], box);
      }
      if (!meets) meets = geo::covers(poly, {(box.minx + box.maxx) / 2, (box.miny + box.maxy) / 2});
    }
    if (meets) ++n;
  }
  return n;
}

// Layer name -> feature count, from ogrinfo's summary of an .mvt file.
std::map<std::string, std::size_t> ogrCounts(const std::string& mvt) {
  const CommandRun r = run("ogrinfo -ro -so -al " + mvt);
  EXPECT_EQ(r.exitCode, 0) << r.out;
  std::map<std::string, std::size_t> out;
  const std::regex layer(R"(Layer name: (\S+))"), count(R"(Feature Count: (\d+))");
  std::string current;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, layer)) current = m[1];
    if (std::regex_search(line, m, count) && !current.empty()) out[current] = std::stoul(m[1]);
  }
  return out;
}

std::string tilePath(const std::string& who, const TileId& t) {
  // z/x/y in the path: GDAL's MVT driver then knows where the tile lies.
  const fs::path dir = workDir() / who / std::to_string(t.z) / std::to_string(t.x);
  fs::create_directories(dir);
  return (dir / (std::to_string(t.y) + ".mvt")).string();
}

bool isClosed(std::size_t e) {
  return twin().district().events().status[e] == model::EventStatus::kClosed;
}

// The closed events in tile t (their point's tile, no buffer: how clusters
// are cut), per grid code, for the grids `keep` admits: a direct scan of the
// event columns.
template <class Keep>
std::map<std::string, std::int64_t> closedEventsInTile(const TileId& t, Keep keep) {
  const model::District& d = twin().district();
  std::map<std::string, std::int64_t> out;
  for (std::size_t e = 0; e < d.events().size(); ++e) {
    const geo::Point ll = d.events().point.lonlat[e];
    if (!isClosed(e) || !std::isfinite(ll.x) || !keep(d.events().grid[e])) continue;
    if (tileAt(ll, t.z) == t) ++out[std::string(d.grids().code[d.events().grid[e]])];
  }
  return out;
}

std::int64_t asInt(const test::Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  return static_cast<std::int64_t>(std::get<double>(v));
}

// The facilities in tile t (no buffer) per grid code, for the grids `keep`
// admits: a direct scan of the facility columns.
template <class Keep>
std::map<std::string, std::int64_t> facilitiesInTile(const TileId& t, Keep keep) {
  const model::District& d = twin().district();
  std::map<std::string, std::int64_t> out;
  for (std::size_t f = 0; f < d.facilities().size(); ++f) {
    const geo::Point ll = d.facilities().point.lonlat[f];
    if (!std::isfinite(ll.x) || !keep(d.facilities().grid[f])) continue;
    if (tileAt(ll, t.z) == t) ++out[std::string(d.grids().code[d.facilities().grid[f]])];
  }
  return out;
}

// The counts of a tile's cluster layer per grid code.
std::map<std::string, std::int64_t> clusterCounts(
    const std::string& mvt, const std::string& name = "events_closed_clusters") {
  std::map<std::string, std::int64_t> out;
  for (const auto& layer : test::decode(mvt)) {
    if (layer.name != name) continue;
    for (const auto& f : layer.features) {
      out[std::get<std::string>(f.properties.at("grid"))] += asInt(f.properties.at("count"));
    }
  }
  return out;
}

TEST(TilesIntegration, GdalReadsTheDensestZ14TileWithTheEnginesCounts) {
  const TileId t = densestTile(14);
  const std::string out = tilePath("planner", t);
  const CommandRun r = run(std::string(GRIDTWIN_CLI) + " tile " + dataset() + " 14 " +
                           std::to_string(t.x) + " " + std::to_string(t.y) + " --out " + out);
  ASSERT_EQ(r.exitCode, 0) << r.out;

  const model::District& d = twin().district();
  const geo::Box box = clipBox(t);
  std::map<std::string, std::size_t> expected;
  // Facilities and closed events at z14: one cluster per grid and cell (a
  // z19 tile) of the tile proper.
  std::set<std::tuple<std::uint32_t, int, int>> facilityClusters, clusters;
  for (std::size_t f = 0; f < d.facilities().size(); ++f) {
    const geo::Point ll = d.facilities().point.lonlat[f];
    if (std::isfinite(ll.x) && tileAt(ll, 14) == t) {
      const TileId cell = tileAt(ll, 14 + PointClusters::kCellBits);
      facilityClusters.emplace(d.facilities().grid[f], cell.x, cell.y);
    }
  }
  expected["facilities_clusters"] = facilityClusters.size();
  for (std::size_t e = 0; e < d.events().size(); ++e) {
    const geo::Point ll = d.events().point.lonlat[e];
    if (!std::isfinite(ll.x)) continue;
    if (isClosed(e)) {
      if (tileAt(ll, 14) == t) {
        const TileId cell = tileAt(ll, 14 + PointClusters::kCellBits);
        clusters.emplace(d.events().grid[e], cell.x, cell.y);
      }
    } else if (box.contains(lonLatToMercator(ll))) {
      static const char* const kLayers[] = {"events_reported", "events_classified",
                                            "events_handling", "events_follow_up"};
      ++expected[kLayers[static_cast<int>(d.events().status[e])]];
    }
  }
  expected["events_closed_clusters"] = clusters.size();
  std::erase_if(expected, [](const auto& kv) { return kv.second == 0; });
  ASSERT_GE(expected.size(), 3u) << "the densest tile should hold several point layers";

  auto got = ogrCounts(out);
  ASSERT_TRUE(got.count("roads")) << "the densest tile has roads";
  got.erase("roads");  // lines: their count depends on how clipping cuts them
  // Polygons: every one that reaches a tile unit into the clip box is there;
  // one that only grazes its edge may be dropped as degenerate (a sliver
  // under a tile unit wide has no area once rounded); none from beyond it.
  const double unit = tileBounds(t).width() / 4096;
  const geo::Box inner{box.minx + unit, box.miny + unit, box.maxx - unit, box.maxy - unit};
  auto all = [](std::size_t) { return true; };
  for (const auto& [name, atLeast, atMost] :
       {std::tuple{std::string("buildings"), polygonsMeeting(d.buildings().footprint, inner, all),
                   polygonsMeeting(d.buildings().footprint, box, all)},
        std::tuple{std::string("grids"), polygonsMeeting(d.grids().shape, inner, all),
                   polygonsMeeting(d.grids().shape, box, all)}}) {
    ASSERT_GT(atMost, 0u) << name;
    EXPECT_GE(got[name], atLeast) << name;
    EXPECT_LE(got[name], atMost) << name;
    EXPECT_LE(atMost - atLeast, 3u)
        << name << ": the fixture's shapes should rarely graze the edge";
    got.erase(name);
  }
  EXPECT_EQ(got, expected);
}

TEST(TilesIntegration, AGridHeadsTileHoldsNothingOfAnotherGrid) {
  const TileId t = densestTile(14);
  const model::District& d = twin().district();
  // The grid holding the most events in the tile (open ones in the tile
  // and its buffer, closed ones counted in the tile proper).
  std::map<std::uint32_t, int> perGrid;
  const geo::Box box = clipBox(t);
  for (std::size_t e = 0; e < d.events().size(); ++e) {
    const geo::Point ll = d.events().point.lonlat[e];
    if (!std::isfinite(ll.x)) continue;
    if (isClosed(e) ? tileAt(ll, 14) == t : box.contains(lonLatToMercator(ll))) {
      ++perGrid[d.events().grid[e]];
    }
  }
  ASSERT_FALSE(perGrid.empty());
  std::uint32_t grid = perGrid.begin()->first;
  for (const auto& [g, n] : perGrid) {
    if (n > perGrid[grid]) grid = g;
  }
  const std::string code(d.grids().code[grid]);
  const std::string out = tilePath("head", t);
  const CommandRun r =
      run(std::string(GRIDTWIN_CLI) + " tile " + dataset() + " 14 " + std::to_string(t.x) + " " +
          std::to_string(t.y) + " --out " + out + " --role grid_head --scope " + code);
  ASSERT_EQ(r.exitCode, 0) << r.out;
  std::ifstream in(out, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto layers = test::decode(bytes);
  std::size_t features = 0;
  for (const auto& layer : layers) {
    for (const auto& f : layer.features) {
      ++features;
      if (layer.name == "roads") continue;  // public geography, no grid
      const char* key = layer.name == "grids" ? "code" : "grid";
      ASSERT_TRUE(f.properties.count(key)) << layer.name;
      EXPECT_EQ(std::get<std::string>(f.properties.at(key)), code) << layer.name;
    }
  }
  EXPECT_GT(features, 0u);
  // The same tile through ogrinfo: the grid head's events are the grid's
  // (the closed ones as the clusters' counts).
  auto got = ogrCounts(out);
  std::size_t events = 0;
  for (const auto& [name, n] : got) {
    if (name.rfind("events_", 0) == 0 && name != "events_closed_clusters") events += n;
  }
  for (const auto& [g, n] : clusterCounts(bytes)) {
    EXPECT_EQ(g, code);
    events += static_cast<std::size_t>(n);
  }
  EXPECT_EQ(events, static_cast<std::size_t>(perGrid[grid]));
}

// Below z16: the clusters' counts add up to the closed events of the tile,
// per grid, for the district and for grid heads (whose tile has no count of
// another grid); a cluster's attributes hold together.
TEST(TilesIntegration, ClusterCountsAddUpToTheTilesClosedEventsPerScope) {
  auto source = TileSource::create(twin());
  ASSERT_TRUE(source) << source.error().toString();
  const model::District& d = twin().district();
  auto all = query::makeAccess(d, query::Role::kPlanner, "");
  ASSERT_TRUE(all);
  std::size_t checkedHeads = 0;
  for (int z : {10, 12, 14, 15}) {
    const TileId t = densestTile(z);
    auto tile = (*source)->render(*all, z, t.x, t.y);
    ASSERT_TRUE(tile) << tile.error().toString();
    const auto want = closedEventsInTile(t, [](std::uint32_t) { return true; });
    ASSERT_FALSE(want.empty()) << "z" << z << ": the densest tile has closed events";
    EXPECT_EQ(clusterCounts(tile->mvt), want) << "z" << z;
    const auto facilities = facilitiesInTile(t, [](std::uint32_t) { return true; });
    ASSERT_FALSE(facilities.empty()) << "z" << z;
    EXPECT_EQ(clusterCounts(tile->mvt, "facilities_clusters"), facilities) << "z" << z;
    for (const auto& layer : test::decode(tile->mvt)) {
      EXPECT_NE(layer.name, "events_closed") << "z" << z << ": closed events are clustered";
      EXPECT_NE(layer.name, "facilities") << "z" << z << ": facilities are clustered";
      if (layer.name == "facilities_clusters") {
        for (const auto& f : layer.features) {
          const auto top = asInt(f.properties.at("type_count"));
          EXPECT_GE(top, 1);
          EXPECT_LE(top, asInt(f.properties.at("count")));
        }
      }
      if (layer.name != "events_closed_clusters") continue;
      for (const auto& f : layer.features) {
        const auto count = asInt(f.properties.at("count"));
        const auto top = asInt(f.properties.at("category_count"));
        EXPECT_GE(top, 1);
        EXPECT_LE(top, count);
        EXPECT_LE(asInt(f.properties.at("categories")), count);
        EXPECT_LE(asInt(f.properties.at("reported_from")), asInt(f.properties.at("reported_to")));
        // A point of the tile proper (no buffer).
        for (const auto& c : f.commands) {
          for (const auto& [px, py] : c.points) {
            EXPECT_GE(px, 0);
            EXPECT_LE(px, 4096);
            EXPECT_GE(py, 0);
            EXPECT_LE(py, 4096);
          }
        }
      }
    }
    // Grid heads of the two grids with most closed events in the tile.
    std::vector<std::pair<std::int64_t, std::string>> byCount;
    for (const auto& [code, n] : want) byCount.emplace_back(n, code);
    std::sort(byCount.rbegin(), byCount.rend());
    for (std::size_t i = 0; i < std::min<std::size_t>(2, byCount.size()); ++i) {
      const std::string& code = byCount[i].second;
      auto head = query::makeAccess(d, query::Role::kGridHead, code);
      ASSERT_TRUE(head);
      auto scoped = (*source)->render(*head, z, t.x, t.y);
      ASSERT_TRUE(scoped);
      const auto mine =
          closedEventsInTile(t, [&](std::uint32_t g) { return head->scope.contains(g); });
      EXPECT_EQ(clusterCounts(scoped->mvt), mine) << "z" << z << " grid head " << code;
      EXPECT_EQ(clusterCounts(scoped->mvt, "facilities_clusters"),
                facilitiesInTile(t, [&](std::uint32_t g) { return head->scope.contains(g); }))
          << "z" << z << " grid head " << code;
      ASSERT_EQ(mine.size(), 1u);
      EXPECT_EQ(mine.begin()->first, code);
      ++checkedHeads;
    }
  }
  EXPECT_GE(checkedHeads, 4u);
}

// Below z14 a building is drawn only when its footprint's box is at least a
// pixel of a 512 px tile (1/512 of it) wide or tall: each building drawn is one,
// every such building well inside the clip box is drawn, and the rule leaves
// some of the fixture's small buildings out (a source told to draw every
// footprint at every zoom draws them). From z14 on no building is left out.
TEST(TilesIntegration, LowZoomTilesLeaveOutBuildingsUnderAPixel) {
  const model::District& d = twin().district();
  const auto& fp = d.buildings().footprint;
  auto source = TileSource::create(twin());
  ASSERT_TRUE(source);
  RenderOptions everything;
  everything.buildingDetailZoom = 0;
  auto full = TileSource::create(twin(), {}, everything);
  ASSERT_TRUE(full);
  auto all = query::makeAccess(d, query::Role::kPlanner, "");
  ASSERT_TRUE(all);
  // Each building's footprint box in EPSG:3857, from the columns.
  std::vector<geo::Box> boxes(d.buildings().size());
  for (std::size_t b = 0; b < boxes.size(); ++b) {
    const std::size_t first = fp.pointStart[fp.ringStart[fp.partStart[b]]];
    const std::size_t last = fp.pointStart[fp.ringStart[fp.partStart[b + 1]]];
    for (std::size_t i = first; i < last; ++i) boxes[b].expand(lonLatToMercator(fp.lonlat[i]));
  }
  const std::vector<std::string> layers{"buildings"};
  auto ids = [](const std::string& mvt) {
    std::set<std::int64_t> out;
    for (const auto& layer : test::decode(mvt)) {
      for (const auto& f : layer.features) out.insert(asInt(f.properties.at("id")));
    }
    return out;
  };
  std::size_t leftOut = 0;
  for (int z : {10, 12, 13, 14}) {
    const TileId t = densestTile(z);
    const double side = tileBounds(t).width() / 512;
    EXPECT_DOUBLE_EQ(buildingMinSide({}, z), z < 14 ? side : 0) << "z" << z;
    auto tile = (*source)->render(*all, z, t.x, t.y, layers);
    auto every = (*full)->render(*all, z, t.x, t.y, layers);
    ASSERT_TRUE(tile && every) << "z" << z;
    const std::set<std::int64_t> got = ids(tile->mvt), drawn = ids(every->mvt);
    ASSERT_FALSE(drawn.empty()) << "z" << z;
    // Well inside the clip box (a pixel in from its edges), nothing grazes.
    const geo::Box clip = clipBox(t);
    const geo::Box inner{clip.minx + side, clip.miny + side, clip.maxx - side, clip.maxy - side};
    for (std::size_t b = 0; b < boxes.size(); ++b) {
      const std::int64_t id = d.buildings().id[b];
      const double big = std::max(boxes[b].width(), boxes[b].height());
      if (got.count(id)) {
        EXPECT_TRUE(z >= 14 || big >= side * (1 - 1e-9)) << "z" << z << " building " << id;
      }
      const geo::Box& bb = boxes[b];
      const bool within = inner.contains({bb.minx, bb.miny}) && inner.contains({bb.maxx, bb.maxy});
      if (drawn.count(id) && within) {
        const bool wanted = z >= 14 || big >= side * (1 + 1e-9);
        const bool small = z < 14 && big < side * (1 - 1e-9);
        if (wanted) {
          EXPECT_TRUE(got.count(id)) << "z" << z << " building " << id;
        }
        if (small) {
          EXPECT_FALSE(got.count(id)) << "z" << z << " building " << id;
        }
      }
    }
    for (std::int64_t id : got) EXPECT_TRUE(drawn.count(id)) << "z" << z << " building " << id;
    if (z < 14) {
      leftOut += drawn.size() - got.size();
    } else {
      EXPECT_EQ(got, drawn) << "z14 draws every building";
    }
  }
  EXPECT_GT(leftOut, 0u) << "the fixture's small buildings should be left out somewhere below z14";
}

// From z16 every closed event and every facility in the tile and its buffer
// is a point of events_closed or facilities with its id, and there are no
// clusters.
TEST(TilesIntegration, HighZoomTilesCarryEachClosedEvent) {
  const model::District& d = twin().district();
  auto source = TileSource::create(twin());
  ASSERT_TRUE(source);
  auto all = query::makeAccess(d, query::Role::kPlanner, "");
  ASSERT_TRUE(all);
  for (int z : {PointClusters::kMaxZoom + 1, 18}) {
    const TileId t = densestTile(z);
    const geo::Box box = clipBox(t);
    std::set<std::int64_t> want, wantFacilities;
    for (std::size_t f = 0; f < d.facilities().size(); ++f) {
      if (box.contains(lonLatToMercator(d.facilities().point.lonlat[f]))) {
        wantFacilities.insert(d.facilities().id[f]);
      }
    }
    for (std::size_t e = 0; e < d.events().size(); ++e) {
      const geo::Point ll = d.events().point.lonlat[e];
      if (isClosed(e) && std::isfinite(ll.x) && box.contains(lonLatToMercator(ll))) {
        want.insert(d.events().id[e]);
      }
    }
    ASSERT_FALSE(want.empty()) << "z" << z;
    auto tile = (*source)->render(*all, z, t.x, t.y);
    ASSERT_TRUE(tile);
    std::set<std::int64_t> got, gotFacilities;
    for (const auto& layer : test::decode(tile->mvt)) {
      EXPECT_NE(layer.name, "events_closed_clusters") << "z" << z;
      EXPECT_NE(layer.name, "facilities_clusters") << "z" << z;
      if (layer.name == "events_closed") {
        for (const auto& f : layer.features) got.insert(asInt(f.properties.at("id")));
      } else if (layer.name == "facilities") {
        for (const auto& f : layer.features) gotFacilities.insert(asInt(f.properties.at("id")));
      }
    }
    EXPECT_EQ(got, want) << "z" << z;
    EXPECT_EQ(gotFacilities, wantFacilities) << "z" << z;
  }
}

TEST(TilesIntegration, CatalogueLayersAndScopedCatalogueLayers) {
  auto source = TileSource::create(twin(), dataset());
  ASSERT_TRUE(source) << source.error().toString();
  const TileId t = densestTile(14);
  auto all = query::makeAccess(twin().district(), query::Role::kPlanner, "");
  ASSERT_TRUE(all);
  const std::vector<std::string> cams{"lyr_cameras"};
  auto tile = (*source)->render(*all, t.z, t.x, t.y, cams);
  ASSERT_TRUE(tile) << tile.error().toString();
  // The cameras of the tile, from the facilities' columns.
  const model::District& d = twin().district();
  const geo::Box box = clipBox(t);
  std::size_t cameras = 0;
  for (std::size_t f = 0; f < d.facilities().size(); ++f) {
    if (d.columns().facilityTypeCodes[d.facilities().type[f]] == "camera" &&
        box.contains(lonLatToMercator(d.facilities().point.lonlat[f]))) {
      ++cameras;
    }
  }
  if (cameras == 0) {
    EXPECT_TRUE(tile->empty());
  } else {
    ASSERT_EQ(tile->counts.size(), 1u);
    EXPECT_EQ(tile->counts[0].first, "lyr_cameras");
    EXPECT_EQ(tile->counts[0].second, cameras);
  }
  // A grid head sees only the cameras of the grid (located by point).
  const std::uint32_t grid = 0;
  auto head = query::makeAccess(twin().district(), query::Role::kGridHead,
                                std::string(d.grids().code[grid]));
  ASSERT_TRUE(head);
  auto scoped = (*source)->render(*head, t.z, t.x, t.y, cams);
  ASSERT_TRUE(scoped);
  std::size_t inGrid = 0;
  for (std::size_t f = 0; f < d.facilities().size(); ++f) {
    if (d.columns().facilityTypeCodes[d.facilities().type[f]] == "camera" &&
        d.facilities().grid[f] == grid &&
        box.contains(lonLatToMercator(d.facilities().point.lonlat[f]))) {
      ++inGrid;
    }
  }
  EXPECT_EQ(scoped->counts.empty() ? 0u : scoped->counts[0].second, inGrid);
  // An unknown layer is refused, naming it.
  const std::vector<std::string> bad{"lyr_nope"};
  auto refused = (*source)->render(*all, t.z, t.x, t.y, bad);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("lyr_nope"), std::string::npos);
}

// A tile is its layers joined (renderLayers): the parts of a full render
// joined are render()'s bytes, and a LayerPart::kLive render with the full
// render's non-live parts put in its places gives them too (what the
// service does after a case), for selections that put event layers before
// static ones, a catalogue layer, three zooms and two scopes. Only the
// event layers are live.
TEST(TilesIntegration, LiveLayersWithKeptStaticLayersAreTheFullTile) {
  auto source = TileSource::create(twin(), dataset());
  ASSERT_TRUE(source) << source.error().toString();
  const model::District& d = twin().district();
  auto all = query::makeAccess(d, query::Role::kPlanner, "");
  auto head = query::makeAccess(d, query::Role::kGridHead, std::string(d.grids().code[0]));
  ASSERT_TRUE(all && head);
  const std::vector<std::vector<std::string>> selections = {
      {}, {"events", "buildings", "roads"}, {"lyr_cameras", "events_reported", "grids"}};
  std::size_t liveLayers = 0, staticLayers = 0;
  for (int z : {12, 14, 16}) {
    const TileId t = densestTile(z);
    for (const query::Access* access : {&*all, &*head}) {
      for (const auto& names : selections) {
        auto whole = (*source)->render(*access, t.z, t.x, t.y, names);
        auto parts = (*source)->renderLayers(*access, t.z, t.x, t.y, names);
        auto live = (*source)->renderLayers(*access, t.z, t.x, t.y, names, LayerPart::kLive);
        ASSERT_TRUE(whole && parts && live);
        const RenderedTile joined = TileSource::join(*parts);
        EXPECT_EQ(joined.mvt, whole->mvt) << "z" << z;
        EXPECT_EQ(joined.counts, whole->counts) << "z" << z;
        ASSERT_EQ(live->size(), parts->size());
        for (std::size_t i = 0; i < parts->size(); ++i) {
          RenderedLayer& l = (*live)[i];
          const RenderedLayer& p = (*parts)[i];
          ASSERT_EQ(l.name, p.name);
          EXPECT_EQ(l.live, p.live);
          EXPECT_EQ(p.live, l.name.rfind("events_", 0) == 0) << l.name;
          EXPECT_TRUE(p.rendered);
          EXPECT_EQ(l.rendered, l.live) << l.name;
          if (l.live) {
            EXPECT_EQ(l.mvt, p.mvt) << l.name;
            ++liveLayers;
          } else {
            EXPECT_TRUE(l.mvt.empty()) << l.name << ": drawn though not live";
            l = p;  // the kept bytes
            ++staticLayers;
          }
        }
        EXPECT_EQ(TileSource::join(*live).mvt, whole->mvt) << "z" << z;
      }
    }
  }
  EXPECT_GT(liveLayers, 0u);
  EXPECT_GT(staticLayers, 0u);
}

TEST(TilesIntegration, AnEmptyTileIsSaidToBeEmpty) {
  const std::string out = (workDir() / "empty.mvt").string();
  const CommandRun r =
      run(std::string(GRIDTWIN_CLI) + " tile " + dataset() + " 14 0 0 --out " + out);
  ASSERT_EQ(r.exitCode, 0) << r.out;
  EXPECT_NE(r.out.find("empty"), std::string::npos) << r.out;
  EXPECT_EQ(fs::file_size(out), 0u);
  const CommandRun bad =
      run(std::string(GRIDTWIN_CLI) + " tile " + dataset() + " 14 16384 0 --out " + out);
  EXPECT_EQ(bad.exitCode, 1) << bad.out;
  EXPECT_NE(bad.out.find("14/16384/0"), std::string::npos) << bad.out;
}

TEST(TilesIntegration, TileJsonDescribesTheLayers) {
  auto source = TileSource::create(twin(), dataset());
  ASSERT_TRUE(source);
  auto doc = (*source)->tileJson("http://127.0.0.1:8080/tiles/{z}/{x}/{y}.mvt");
  ASSERT_TRUE(doc);
  const auto j = nlohmann::json::parse(*doc);
  EXPECT_EQ(j["tilejson"], "3.0.0");
  EXPECT_EQ(j["tiles"][0], "http://127.0.0.1:8080/tiles/{z}/{x}/{y}.mvt");
  std::vector<std::string> ids;
  for (const auto& l : j["vector_layers"]) ids.push_back(l["id"]);
  EXPECT_EQ(ids, TileSource::baseLayerNames());
  EXPECT_EQ(j["vector_layers"][0]["fields"]["code"], "String");
  // The closed events: points from z16, clusters with a count up to z15.
  for (const auto& l : j["vector_layers"]) {
    if (l["id"] == "events_closed" || l["id"] == "facilities") {
      EXPECT_EQ(l["minzoom"], PointClusters::kMaxZoom + 1);
      EXPECT_EQ(l["maxzoom"], 18);
    } else if (l["id"] == "events_closed_clusters" || l["id"] == "facilities_clusters") {
      EXPECT_EQ(l["minzoom"], 10);
      EXPECT_EQ(l["maxzoom"], PointClusters::kMaxZoom);
      EXPECT_EQ(l["fields"]["count"], "Number");
      EXPECT_EQ(l["fields"]["grid"], "String");
    } else {
      EXPECT_EQ(l["minzoom"], 10) << l["id"];
    }
  }
  const auto& b = j["bounds"];
  EXPECT_LT(b[0].get<double>(), 113.1);
  EXPECT_GT(b[2].get<double>(), 113.0);
  EXPECT_EQ(j["center"][2], 14);
}

}  // namespace
}  // namespace gridtwin::tiles
