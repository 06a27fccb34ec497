// Tiles and cases over HTTP (service/wire_routes.h) on the small generated
// district: the server in-process on 127.0.0.1 port 0 with the intake's
// journal in the test's folder, our Beast client, the MVT decoder of the
// tiles tests, GDAL's MVT driver (ogrinfo), and `gridtwin serve` as a child
// killed with SIGKILL during a stream of POSTs.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>
#include <type_traits>
#include <variant>

#include "auth.h"
#include "cases/intake.h"
#include "http.h"
#include "http_client.h"
#include "query/query.h"
#include "tiles/render.h"
#include "tiles/tile_math.h"
#include "twin_service.h"
#include "unit/tiles/mvt_decoder.h"
#include "wire_routes.h"

namespace {

using gridtwin::testing::HttpClient;
using gridtwin::testing::HttpResult;
using nlohmann::json;
namespace svc = gridtwin::service;
namespace query = gridtwin::query;
namespace tiles = gridtwin::tiles;
namespace cases = gridtwin::cases;
namespace mvt = gridtwin::tiles::test;

const std::string kDistrict = GRIDTWIN_SMALL_DISTRICT;
// One folder per process: ctest runs the cases as parallel processes.
const std::string kWork = GRIDTWIN_BINARY_DIR "/tests/service/wire/p" + std::to_string(::getpid());
const std::string kCatalog = GRIDTWIN_SOURCE_DIR "/data/catalog";

struct Fixture {
  std::unique_ptr<svc::TwinService> service;
  std::unique_ptr<cases::Intake> intake;
  std::unique_ptr<svc::TileRoutes> tileRoutes;
  std::unique_ptr<svc::CaseRoutes> caseRoutes;
  std::unique_ptr<svc::Server> server;
  std::shared_ptr<svc::TokenTable> tokens;
  std::uint32_t headRow = 0, otherRow = 1;
  std::string headGrid, otherGrid;
  gridtwin::geo::Point headPoint, otherPoint;  // lon,lat of an address in each grid
  std::uint16_t port = 0;
};

Fixture& fixture() {
  static Fixture* f = [] {
    auto* fx = new Fixture;
    std::filesystem::remove_all(kWork);
    std::filesystem::create_directories(kWork);
    std::atexit([] { std::filesystem::remove_all(kWork); });
    auto s = svc::TwinService::open(kDistrict);
    if (!s) {
      ADD_FAILURE() << s.error().toString();
      return fx;
    }
    fx->service = std::move(*s);
    auto& twin = fx->service->twin();
    const auto& d = twin.district();
    // Two grids with an address each: the grid head's and another.
    const auto& a = d.addresses();
    std::map<std::int32_t, gridtwin::geo::Point> byGrid;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const auto pl = query::place(twin, a.point.xy[i]);
      if (pl.grid >= 0) byGrid.emplace(pl.grid, a.point.lonlat[i]);
    }
    if (byGrid.size() < 2) {
      ADD_FAILURE() << "fewer than two grids with addresses";
      return fx;
    }
    auto it = byGrid.begin();
    fx->headRow = static_cast<std::uint32_t>(it->first);
    fx->headPoint = it->second;
    ++it;
    fx->otherRow = static_cast<std::uint32_t>(it->first);
    fx->otherPoint = it->second;
    fx->headGrid = std::string(d.grids().code[fx->headRow]);
    fx->otherGrid = std::string(d.grids().code[fx->otherRow]);
    const std::string tokens = kWork + "/tokens.txt";
    std::ofstream(tokens) << "DISTRICT district\nHEAD grid_head " << fx->headGrid
                          << "\nOTHER grid_head " << fx->otherGrid << "\n";
    auto t = svc::TokenTable::load(tokens, d);
    if (!t) {
      ADD_FAILURE() << t.error().toString();
      return fx;
    }
    fx->tokens = std::make_shared<svc::TokenTable>(std::move(*t));
    // The journal lies beside this (absent) dataset path: the test's folder.
    auto in = cases::Intake::openWithJournal(twin, kWork + "/district.gpkg", nullptr, kCatalog);
    if (!in) {
      ADD_FAILURE() << in.error().toString();
      return fx;
    }
    fx->intake = std::move(*in);
    svc::ServerOptions o;
    o.port = 0;
    o.threads = 4;
    auto tk = fx->tokens;
    o.authenticate = [tk](svc::Request& r) { return tk->authenticate(r); };
    auto router = std::make_shared<svc::Router>();
    fx->service->addRoutes(*router);
    fx->tileRoutes = std::make_unique<svc::TileRoutes>(twin, kDistrict);
    fx->tileRoutes->addRoutes(*router);
    fx->service->addMetrics([fx] { return fx->tileRoutes->metricsText(); });
    fx->caseRoutes = std::make_unique<svc::CaseRoutes>(*fx->intake, fx->service->hubPtr());
    fx->caseRoutes->addRoutes(*router);
    fx->server = std::make_unique<svc::Server>(o, router);
    fx->service->setServer(fx->server.get());
    if (auto r = fx->server->start(); !r) ADD_FAILURE() << r.error().toString();
    fx->port = fx->server->port();
    return fx;
  }();
  return *f;
}

std::map<std::string, std::string> bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

query::Access accessOf(const std::string& token) {
  svc::Request r;
  r.headers.emplace_back("authorization", "Bearer " + token);
  EXPECT_FALSE(fixture().tokens->authenticate(r).has_value()) << token;
  return r.caller->access;
}

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

std::string tilePath(const tiles::TileId& t) {
  return "/tiles/" + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y) +
         ".mvt";
}

std::string caseBody(const std::string& id, const gridtwin::geo::Point& p,
                     const std::string& category = "1") {
  char pt[100];
  std::snprintf(pt, sizeof pt, "[%.17g, %.17g]", p.x, p.y);
  return R"({"source": "12345", "external_id": ")" + id + R"(", "point": )" + pt +
         R"(, "category": ")" + category + R"(", "text": "test case"})";
}

// --- tiles -----------------------------------------------------------------

TEST(ServiceWire, TileEqualsTheEngineAndHoldsOnlyTheScope) {
  auto& f = fixture();
  ASSERT_TRUE(f.server);
  HttpClient c(f.port);
  const auto tile = tiles::tileAt(f.headPoint, 14);
  for (const std::string token : {"DISTRICT", "HEAD"}) {
    auto r = c.get(tilePath(tile), bearer(token));
    ASSERT_EQ(r.status, 200) << token << ": " << r.body;
    EXPECT_EQ(r.headers["content-type"], "application/vnd.mapbox-vector-tile");
    EXPECT_NE(r.headers["cache-control"].find("private"), std::string::npos);
    auto engine = tiles::render(f.service->twin(), accessOf(token), tile.z, tile.x, tile.y);
    ASSERT_TRUE(engine.ok()) << engine.error().toString();
    EXPECT_EQ(r.body, engine->mvt) << token << ": the service's tile is not the engine's";
    std::size_t grids = 0;
    std::set<std::string> gridsSeen;
    for (const auto& layer : mvt::decode(r.body)) {
      for (const auto& feat : layer.features) {
        std::string grid;
        if (layer.name == "grids") {
          grid = std::get<std::string>(feat.properties.at("code"));
          ++grids;
        } else if (feat.properties.count("grid")) {
          grid = std::get<std::string>(feat.properties.at("grid"));
        }
        if (!grid.empty()) gridsSeen.insert(grid);
        if (token == "HEAD" && !grid.empty()) {
          EXPECT_EQ(grid, f.headGrid) << layer.name << ": a feature of another grid";
        }
      }
    }
    EXPECT_GE(grids, 1u) << token;
    // The district's tile shows other grids too: the grid head's check means something.
    if (token == "DISTRICT") {
      EXPECT_GT(gridsSeen.size(), 1u);
    }
  }
  // Catalogue layers by name; an unknown layer: 400 naming it.
  auto bad = c.get(tilePath(tile) + "?layers=grids,no_such_layer", bearer("HEAD"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("no_such_layer"), std::string::npos) << bad.body;
  auto some = c.get(tilePath(tile) + "?layers=grids", bearer("DISTRICT"));
  EXPECT_EQ(some.status, 200);
  const auto only = mvt::decode(some.body);
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0].name, "grids");
  // Out of range and not a number: 400.
  EXPECT_EQ(c.get("/tiles/3/9/1.mvt").status, 400);
  EXPECT_EQ(c.get("/tiles/a/1/1.mvt").status, 400);
  // Far from the district: 204.
  const auto empty = tiles::tileAt({f.headPoint.x + 3, f.headPoint.y}, 14);
  auto e = c.get(tilePath(empty), bearer("DISTRICT"));
  EXPECT_EQ(e.status, 204);
  EXPECT_TRUE(e.body.empty());
}

// --- the tile cache (service/tile_cache.h) -----------------------------------

// One value of a Prometheus text ("name value" line); -1 when absent.
double metric(const std::string& text, const std::string& name) {
  const auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name.size() + 2));
}

double cacheMetric(const std::string& name) {
  HttpClient c(fixture().port);
  return metric(c.get("/metrics").body, name);
}

// The tile's answer equals the engine's render for that access now (204 for
// an empty one).
void expectEngineTile(HttpClient& c, const tiles::TileId& t, const std::string& token,
                      const std::string& why) {
  auto r = c.get(tilePath(t), bearer(token));
  auto engine = tiles::render(fixture().service->twin(), accessOf(token), t.z, t.x, t.y);
  ASSERT_TRUE(engine.ok()) << engine.error().toString();
  if (engine->empty()) {
    EXPECT_EQ(r.status, 204) << why << " " << tilePath(t) << " " << token;
    return;
  }
  ASSERT_EQ(r.status, 200) << why << " " << tilePath(t) << " " << token;
  EXPECT_EQ(r.body, engine->mvt) << why << " " << tilePath(t) << " " << token
                                 << ": not the engine's tile now";
}

std::size_t featuresIn(const std::string& tile, const std::string& layerName) {
  std::size_t n = 0;
  for (const auto& layer : mvt::decode(tile)) {
    if (layer.name == layerName) n += layer.features.size();
  }
  return n;
}

TEST(ServiceWire, RepeatedTileComesFromTheCacheAndIsTheEnginesTile) {
  auto& f = fixture();
  ASSERT_TRUE(f.server);
  HttpClient c(f.port);
  const auto t = tiles::tileAt(f.headPoint, 14);
  auto first = c.get(tilePath(t), bearer("DISTRICT"));
  ASSERT_EQ(first.status, 200);
  const double hits = cacheMetric("gridtwin_tile_cache_hits_total");
  ASSERT_GE(hits, 0) << "no tile cache metrics";
  for (int i = 0; i < 3; ++i) {
    auto again = c.get(tilePath(t), bearer("DISTRICT"));
    ASSERT_EQ(again.status, 200);
    EXPECT_EQ(again.body, first.body);
  }
  EXPECT_EQ(cacheMetric("gridtwin_tile_cache_hits_total"), hits + 3);
  EXPECT_GT(cacheMetric("gridtwin_tile_cache_bytes"), static_cast<double>(first.body.size()));
  // Byte for byte the uncached render.
  expectEngineTile(c, t, "DISTRICT", "cached");
  // An empty tile is held as a 204 too.
  const auto empty = tiles::tileAt({f.headPoint.x + 3, f.headPoint.y}, 14);
  EXPECT_EQ(c.get(tilePath(empty), bearer("DISTRICT")).status, 204);
  const double before = cacheMetric("gridtwin_tile_cache_hits_total");
  EXPECT_EQ(c.get(tilePath(empty), bearer("DISTRICT")).status, 204);
  EXPECT_EQ(cacheMetric("gridtwin_tile_cache_hits_total"), before + 1);
}

// A new case drops every cached tile that can show it: its tile and the 8
// around it at each zoom, for every scope; afterwards each answer is the
// engine's render again.
TEST(ServiceWire, PostedCaseDropsTheCachedTilesAroundIt) {
  auto& f = fixture();
  HttpClient c(f.port);
  const std::vector<std::string> tokens = {"DISTRICT", "HEAD", "OTHER"};
  std::vector<tiles::TileId> block;
  for (int z : {8, 11, 13, 14, 15, 16, 18}) {
    const auto at = tiles::tileAt(f.headPoint, z);
    for (int dx = -1; dx <= 1; ++dx) {
      for (int dy = -1; dy <= 1; ++dy) block.push_back({z, at.x + dx, at.y + dy});
    }
  }
  const auto t14 = tiles::tileAt(f.headPoint, 14);
  std::map<std::string, std::string> cached;
  for (const auto& token : tokens) {
    for (const auto& t : block) {
      (void)c.get(tilePath(t), bearer(token));
      (void)c.get(tilePath(t), bearer(token));  // held now
    }
    cached[token] = c.get(tilePath(t14), bearer(token)).body;
  }
  const std::size_t reported = featuresIn(cached["DISTRICT"], "events_reported");
  auto r = c.request("POST", "/cases", caseBody("cache-1", f.headPoint), bearer("DISTRICT"));
  ASSERT_EQ(r.status, 201) << r.body;
  const double hits = cacheMetric("gridtwin_tile_cache_hits_total");
  auto now = c.get(tilePath(t14), bearer("DISTRICT"));
  ASSERT_EQ(now.status, 200);
  EXPECT_NE(now.body, cached["DISTRICT"]) << "the cached tile was served after the case";
  EXPECT_EQ(featuresIn(now.body, "events_reported"), reported + 1);
  EXPECT_EQ(cacheMetric("gridtwin_tile_cache_hits_total"), hits) << "a stale hit";
  // The head's grid holds the case: its tile changed too.
  EXPECT_NE(c.get(tilePath(t14), bearer("HEAD")).body, cached["HEAD"]);
  for (const auto& token : tokens) {
    for (const auto& t : block) expectEngineTile(c, t, token, "after POST");
  }
}

// A case waiting to be classified is not on the map; the PATCH that gives it
// a category reports it, and the cached tile gives way. A later step is
// answered as the engine renders it.
TEST(ServiceWire, PatchedCaseDropsTheCachedTile) {
  auto& f = fixture();
  HttpClient c(f.port);
  const auto H = bearer("HEAD");
  const auto t = tiles::tileAt(f.headPoint, 14);
  auto r = c.request("POST", "/cases", caseBody("cache-p", f.headPoint, "999999"), H);
  ASSERT_EQ(r.status, 422) << r.body;
  const std::string path =
      "/cases/" + std::to_string(json::parse(r.body)["case"]["id"].get<long>());
  const std::string before = c.get(tilePath(t), H).body;
  EXPECT_EQ(c.get(tilePath(t), H).body, before);  // held
  expectEngineTile(c, t, "HEAD", "to_classify");
  auto p = c.request("PATCH", path, R"({"to": "reported", "who": "王", "category": "1"})", H);
  ASSERT_EQ(p.status, 200) << p.body;
  auto now = c.get(tilePath(t), H);
  ASSERT_EQ(now.status, 200);
  EXPECT_NE(now.body, before) << "the cached tile was served after the PATCH";
  EXPECT_EQ(featuresIn(now.body, "events_reported"), featuresIn(before, "events_reported") + 1);
  expectEngineTile(c, t, "HEAD", "after PATCH to reported");
  auto q = c.request("PATCH", path, R"({"to": "classified", "who": "王"})", H);
  ASSERT_EQ(q.status, 200) << q.body;
  expectEngineTile(c, t, "HEAD", "after PATCH to classified");
}

// The features of `layerName` whose "id" property is `id`.
std::size_t featuresWithId(const std::string& tile, const std::string& layerName, std::int64_t id) {
  std::size_t n = 0;
  for (const auto& layer : mvt::decode(tile)) {
    if (layer.name != layerName) continue;
    for (const auto& feature : layer.features) {
      const auto it = feature.properties.find("id");
      if (it == feature.properties.end()) continue;
      const bool same = std::visit(
          [id](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::int64_t>) return v == id;
            if constexpr (std::is_same_v<V, double>) return v == static_cast<double>(id);
            return false;
          },
          it->second);
      if (same) ++n;
    }
  }
  return n;
}

// A case PATCHed step by step to closed: /stats counts it under its latest
// status only; the z16 tile at its point draws it in that status's layer
// only (closed: events_closed, none of the open layers), and the tiles
// cached before each PATCH are not served after it.
TEST(ServiceWire, PatchedCaseMovesInStatsAndTilesAndDropsTheCachedTile) {
  auto& f = fixture();
  ASSERT_TRUE(f.server);
  HttpClient c(f.port);
  const auto D = bearer("DISTRICT");
  const auto t16 = tiles::tileAt(f.otherPoint, 16);
  const auto t14 = tiles::tileAt(f.otherPoint, 14);  // closed events clustered
  const std::string statsBody = R"({"grid": ")" + f.otherGrid + R"("})";
  auto byStatus = [&] {
    auto r = c.request("POST", "/stats", statsBody, D);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body)["events_by_status"];
  };
  auto clustered = [&](const std::string& tile) {
    std::int64_t n = 0;
    for (const auto& layer : mvt::decode(tile)) {
      if (layer.name != "events_closed_clusters") continue;
      for (const auto& feature : layer.features)
        n += std::get<std::int64_t>(feature.properties.at("count"));
    }
    return n;
  };
  auto liveEvents = [&] { return json::parse(c.get("/health").body)["live_events"].get<long>(); };
  const json base = byStatus();
  const long liveBefore = liveEvents();
  const std::int64_t closedClustersBefore = clustered(c.get(tilePath(t14), D).body);
  auto r = c.request("POST", "/cases", caseBody("live-close", f.otherPoint), D);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string path =
      "/cases/" + std::to_string(json::parse(r.body)["case"]["id"].get<long>());
  const auto& log = f.service->twin().liveEvents();
  const std::int64_t eventId = log[log.size() - 1].id;

  // The status as PATCH names it → its stats key (model::name); its layer
  // is events_<status>.
  const std::map<std::string, std::string> statsKey = {{"reported", "发现上报"},
                                                       {"classified", "分类推送"},
                                                       {"handling", "协同处理"},
                                                       {"follow_up", "跟踪回访"},
                                                       {"closed", "评价结案"}};
  std::string status = "reported";
  auto check = [&](const std::string& why) {
    json want = base;
    const std::string& key = statsKey.at(status);
    want[key] = want[key].get<long>() + 1;
    EXPECT_EQ(byStatus(), want) << why;
    auto tile = c.get(tilePath(t16), D);
    ASSERT_EQ(tile.status, 200) << why;
    for (const auto& [s, k] : statsKey) {
      const std::string layer = "events_" + s;
      EXPECT_EQ(featuresWithId(tile.body, layer, eventId), s == status ? 1u : 0u)
          << why << ": layer " << layer;
    }
    expectEngineTile(c, t16, "DISTRICT", why);
    expectEngineTile(c, t14, "DISTRICT", why);
  };
  check("after POST");
  for (const std::string to : {"classified", "handling", "follow_up", "closed"}) {
    // Held in the cache before the PATCH...
    const std::string before = c.get(tilePath(t16), D).body;
    EXPECT_EQ(c.get(tilePath(t16), D).body, before);
    const double hits = cacheMetric("gridtwin_tile_cache_hits_total");
    auto p = c.request("PATCH", path, R"({"to": ")" + to + R"(", "who": "王"})", D);
    ASSERT_EQ(p.status, 200) << to << ": " << p.body;
    // ... and not served after it.
    auto now = c.get(tilePath(t16), D);
    EXPECT_NE(now.body, before) << "the cached tile was served after the PATCH to " << to;
    EXPECT_EQ(cacheMetric("gridtwin_tile_cache_hits_total"), hits) << "a stale hit after " << to;
    status = to;
    check("after PATCH to " + to);
  }
  // Closed: below z16 in the clusters, counted once; /health counts one
  // more live event, not five log entries.
  EXPECT_EQ(clustered(c.get(tilePath(t14), D).body), closedClustersBefore + 1);
  EXPECT_EQ(liveEvents(), liveBefore + 1);
}

// After a case in its block, a tile is drawn again in its event layers only,
// the other layers' bytes kept from its first render (static_layer_cache.h):
// the answer is still the engine's full render of now, byte for byte, for
// the district and two grid heads (the case's and another), the base layers
// and a selection that puts event layers before static ones; each scope
// gets its own static bytes.
TEST(ServiceWire, TileAfterACaseKeepsItsStaticLayersAndIsTheFullRender) {
  auto& f = fixture();
  HttpClient c(f.port);
  const auto t = tiles::tileAt(f.headPoint, 14);
  const std::vector<std::string> tokens = {"DISTRICT", "HEAD", "OTHER"};
  const std::vector<std::string> selections = {"", "events,buildings,grids"};
  const auto get = [&](const std::string& token, const std::string& layers) {
    return c.get(tilePath(t) + (layers.empty() ? "" : "?layers=" + layers), bearer(token));
  };
  const auto engine = [&](const std::string& token, const std::string& layers) {
    std::vector<std::string> names;
    if (!layers.empty()) names = {"events", "buildings", "grids"};
    auto r = tiles::render(f.service->twin(), accessOf(token), t.z, t.x, t.y, names);
    EXPECT_TRUE(r.ok()) << r.error().toString();
    return r.ok() ? r->mvt : std::string("?");
  };
  std::map<std::string, std::string> before;
  for (const auto& token : tokens) {
    for (const auto& layers : selections) {
      (void)get(token, layers);
      before[token + layers] = get(token, layers).body;  // held now, static layers too
    }
  }
  const double staticHits = cacheMetric("gridtwin_tile_static_hits_total");
  ASSERT_GE(staticHits, 0) << "no static layer cache metrics";
  auto r = c.request("POST", "/cases", caseBody("cache-static", f.headPoint), bearer("DISTRICT"));
  ASSERT_EQ(r.status, 201) << r.body;
  for (const auto& token : tokens) {
    for (const auto& layers : selections) {
      auto now = get(token, layers);
      const std::string fresh = engine(token, layers);
      if (fresh.empty()) {
        EXPECT_EQ(now.status, 204) << token << " " << layers;
        continue;
      }
      ASSERT_EQ(now.status, 200) << token << " " << layers;
      EXPECT_EQ(now.body, fresh) << token << " ?layers=" << layers
                                 << ": kept static layers + new event layers != a full render";
      if (token != "OTHER") {
        EXPECT_EQ(featuresIn(now.body, "events_reported"),
                  featuresIn(before[token + layers], "events_reported") + 1)
            << token << " " << layers;
      }
    }
  }
  // Every one of those answers was drawn in its event layers only.
  EXPECT_EQ(cacheMetric("gridtwin_tile_static_hits_total"),
            staticHits + static_cast<double>(tokens.size() * selections.size()));
  // A grid head's tile has nothing of another grid, static layers included.
  for (const auto& layer : mvt::decode(get("HEAD", "").body)) {
    for (const auto& feat : layer.features) {
      const char* key = layer.name == "grids" ? "code" : "grid";
      if (!feat.properties.count(key)) continue;
      EXPECT_EQ(std::get<std::string>(feat.properties.at(key)), f.headGrid) << layer.name;
    }
  }
}

// The same z/x/y for two scopes: two entries, never one scope's bytes for
// the other.
TEST(ServiceWire, CachedTilesAreKeptPerScope) {
  auto& f = fixture();
  HttpClient c(f.port);
  const auto t = tiles::tileAt(f.headPoint, 14);
  std::map<std::string, std::string> first;
  for (int round = 0; round < 3; ++round) {
    for (const std::string token : {"DISTRICT", "HEAD", "OTHER"}) {
      auto r = c.get(tilePath(t), bearer(token));
      if (round == 0) {
        first[token] = r.body;
      } else {
        EXPECT_EQ(r.body, first[token]) << token << " round " << round;
      }
      expectEngineTile(c, t, token, "round " + std::to_string(round));
    }
  }
  EXPECT_NE(first["DISTRICT"], first["HEAD"]);
  EXPECT_NE(first["HEAD"], first["OTHER"]);
  for (const auto& layer : mvt::decode(first["HEAD"])) {
    for (const auto& feat : layer.features) {
      const char* key = layer.name == "grids" ? "code" : "grid";
      if (!feat.properties.count(key)) continue;
      EXPECT_EQ(std::get<std::string>(feat.properties.at(key)), f.headGrid) << layer.name;
    }
  }
}

// A server of its own with tile routes only, the cache bound given.
struct TileServer {
  std::unique_ptr<svc::TileRoutes> routes;
  std::unique_ptr<svc::Server> server;
};

TileServer tileServer(std::size_t cacheBytes) {
  auto& f = fixture();
  TileServer ts;
  ts.routes = std::make_unique<svc::TileRoutes>(f.service->twin(), kDistrict, cacheBytes);
  auto router = std::make_shared<svc::Router>();
  ts.routes->addRoutes(*router);
  svc::ServerOptions o;
  o.port = 0;
  o.threads = 2;
  auto tk = f.tokens;
  o.authenticate = [tk](svc::Request& r) { return tk->authenticate(r); };
  ts.server = std::make_unique<svc::Server>(o, router);
  if (auto r = ts.server->start(); !r) ADD_FAILURE() << r.error().toString();
  return ts;
}

// Seeding (TileRoutes::seed, as serve runs it at start): each token's tiles
// over its grids are held before anyone asks, so the first request is a hit
// and still the engine's tile for that token; a tile outside every scope's
// grids is not drawn; seeding stops at half the bound, and when told to.
TEST(ServiceWire, SeededTilesAreHitsAndTheEnginesTiles) {
  auto& f = fixture();
  std::vector<query::Access> scopes;
  for (const auto& caller : f.tokens->callers()) scopes.push_back(caller->access);
  ASSERT_GE(scopes.size(), 3u);
  EXPECT_TRUE(scopes.front().scope.isAll()) << "district-wide tokens first";
  {
    auto ts = tileServer(std::size_t{64} << 20);
    std::stop_source stopped;
    stopped.request_stop();
    EXPECT_EQ(ts.routes->seed(scopes, 14, stopped.get_token()), 0u);
    EXPECT_GT(ts.routes->seed(scopes, 14), 0u);
    HttpClient c(ts.server->port());
    auto hits = [&] { return metric(ts.routes->metricsText(), "gridtwin_tile_cache_hits_total"); };
    for (const std::string token : {"DISTRICT", "HEAD"}) {
      for (int z : {10, 12, 14}) {
        const auto t = tiles::tileAt(token == "HEAD" ? f.headPoint : f.otherPoint, z);
        const double before = hits();
        auto r = c.get(tilePath(t), bearer(token));
        EXPECT_EQ(hits(), before + 1) << token << " " << tilePath(t) << ": not seeded";
        auto engine = tiles::render(f.service->twin(), accessOf(token), t.z, t.x, t.y);
        ASSERT_TRUE(engine.ok());
        EXPECT_EQ(r.body, engine->mvt) << token << " " << tilePath(t);
      }
    }
    // z15 is beyond the seeded zooms; a tile 3° away is outside every scope.
    for (const auto& t :
         {tiles::tileAt(f.headPoint, 15), tiles::tileAt({f.headPoint.x + 3, f.headPoint.y}, 12)}) {
      const double before = hits();
      (void)c.get(tilePath(t), bearer("DISTRICT"));
      EXPECT_EQ(hits(), before) << tilePath(t) << " was seeded";
    }
  }
  constexpr std::size_t kBound = 256 * 1024;
  auto small = tileServer(kBound);
  (void)small.routes->seed(scopes, 14);
  const double held = metric(small.routes->metricsText(), "gridtwin_tile_cache_bytes");
  EXPECT_GT(held, 0);
  EXPECT_LE(held, static_cast<double>(kBound)) << "seeding went past the bound";
  EXPECT_EQ(metric(small.routes->metricsText(), "gridtwin_tile_cache_evicted_total"), 0)
      << "seeding should stop at half the bound, not evict";
}

TEST(ServiceWire, TileCacheStaysWithinItsBound) {
  auto& f = fixture();
  constexpr std::size_t kBound = 64 * 1024;
  auto ts = tileServer(kBound);
  HttpClient c(ts.server->port());
  gridtwin::geo::Box box;
  for (const auto& p : f.service->twin().district().addresses().point.lonlat) box.expand(p);
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> lon(box.minx, box.maxx), lat(box.miny, box.maxy);
  std::uniform_int_distribution<int> zoom(12, 17);
  double most = 0;
  for (int i = 0; i < 80; ++i) {
    const auto t = tiles::tileAt({lon(rng), lat(rng)}, zoom(rng));
    for (int k = 0; k < 2; ++k) {
      auto r = c.get(tilePath(t), bearer("DISTRICT"));
      auto engine = tiles::render(f.service->twin(), accessOf("DISTRICT"), t.z, t.x, t.y);
      ASSERT_TRUE(engine.ok());
      EXPECT_EQ(r.body, engine->mvt) << tilePath(t);
      most = std::max(most, metric(ts.routes->metricsText(), "gridtwin_tile_cache_bytes"));
    }
  }
  const auto m = ts.routes->metricsText();
  EXPECT_LE(most, static_cast<double>(kBound));
  EXPECT_GT(metric(m, "gridtwin_tile_cache_evicted_total"), 0) << m;
  EXPECT_GT(metric(m, "gridtwin_tile_cache_hits_total"), 0) << m;
  EXPECT_EQ(metric(m, "gridtwin_tile_cache_capacity_bytes"), static_cast<double>(kBound));
}

TEST(ServiceWire, TileCacheOfZeroBytesIsOff) {
  auto& f = fixture();
  auto ts = tileServer(0);
  HttpClient c(ts.server->port());
  const auto t = tiles::tileAt(f.headPoint, 14);
  for (int i = 0; i < 3; ++i) {
    auto r = c.get(tilePath(t), bearer("DISTRICT"));
    ASSERT_EQ(r.status, 200);
    auto engine = tiles::render(f.service->twin(), accessOf("DISTRICT"), t.z, t.x, t.y);
    EXPECT_EQ(r.body, engine->mvt);
  }
  const auto m = ts.routes->metricsText();
  EXPECT_EQ(metric(m, "gridtwin_tile_cache_hits_total"), 0) << m;
  EXPECT_EQ(metric(m, "gridtwin_tile_cache_bytes"), 0) << m;
  EXPECT_EQ(metric(m, "gridtwin_tile_cache_entries"), 0) << m;
  EXPECT_EQ(metric(m, "gridtwin_tile_cache_capacity_bytes"), 0) << m;
}

// Random tiles over the district at z12..16: the grid head's tile is the
// engine's for that access, and holds no feature of another grid.
TEST(ServiceWire, GridHeadTilesOverRandomTiles) {
  auto& f = fixture();
  HttpClient c(f.port);
  const auto access = accessOf("HEAD");
  gridtwin::geo::Box box;
  for (const auto& p : f.service->twin().district().addresses().point.lonlat) box.expand(p);
  std::mt19937 rng(13);
  std::uniform_real_distribution<double> lon(box.minx, box.maxx), lat(box.miny, box.maxy);
  std::uniform_int_distribution<int> zoom(12, 16);
  std::size_t features = 0;
  for (int i = 0; i < 40; ++i) {
    const auto t = tiles::tileAt({lon(rng), lat(rng)}, zoom(rng));
    auto r = c.get(tilePath(t), bearer("HEAD"));
    auto engine = tiles::render(f.service->twin(), access, t.z, t.x, t.y);
    ASSERT_TRUE(engine.ok()) << engine.error().toString();
    if (engine->empty()) {
      EXPECT_EQ(r.status, 204) << tilePath(t);
      continue;
    }
    ASSERT_EQ(r.status, 200) << tilePath(t);
    EXPECT_EQ(r.body, engine->mvt) << tilePath(t);
    for (const auto& layer : mvt::decode(r.body)) {
      for (const auto& feat : layer.features) {
        ++features;
        const char* key = layer.name == "grids" ? "code" : "grid";
        if (!feat.properties.count(key)) continue;
        EXPECT_EQ(std::get<std::string>(feat.properties.at(key)), f.headGrid)
            << tilePath(t) << " " << layer.name;
      }
    }
  }
  EXPECT_GT(features, 0u);
}

// Below z16 a tile carries the closed events and the facilities as clusters
// per grid (engine/tiles/cluster.h): over HTTP, for the district and for
// each grid head, the counts add up per grid to the closed events (and the
// facilities) of the caller's scope whose point lies in the tile (a direct
// scan of the columns and the live log), and a grid head's tile has no count
// of another grid.
TEST(ServiceWire, ClusterCountsAreTheScopesClosedEventsOfTheTile) {
  auto& f = fixture();
  ASSERT_TRUE(f.server);
  HttpClient c(f.port);
  const auto& twin = f.service->twin();
  const auto& d = twin.district();
  auto asInt = [](const mvt::Value& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
    return static_cast<std::int64_t>(std::get<double>(v));
  };
  std::int64_t seen = 0;
  for (int z : {12, 14, 15}) {
    const auto t = tiles::tileAt(f.headPoint, z);
    for (const std::string token : {"DISTRICT", "HEAD", "OTHER"}) {
      const auto access = accessOf(token);
      std::map<std::string, std::int64_t> want;
      const auto& ev = d.events();
      for (std::size_t e = 0; e < ev.size(); ++e) {
        const auto ll = ev.point.lonlat[e];
        if (ev.status[e] != gridtwin::model::EventStatus::kClosed || !std::isfinite(ll.x) ||
            !access.scope.contains(ev.grid[e]) || !(tiles::tileAt(ll, z) == t)) {
          continue;
        }
        ++want[std::string(d.grids().code[ev.grid[e]])];
      }
      const auto& live = twin.liveEvents();
      for (std::uint64_t i = 0; i < live.size(); ++i) {
        const auto& e = live[i];
        if (e.status == gridtwin::model::EventStatus::kClosed && access.scope.contains(e.grid) &&
            std::isfinite(e.lonlat.x) && tiles::tileAt(e.lonlat, z) == t) {
          ++want[std::string(d.grids().code[e.grid])];
        }
      }
      std::map<std::string, std::int64_t> wantFacilities;
      for (std::size_t i = 0; i < d.facilities().size(); ++i) {
        const auto ll = d.facilities().point.lonlat[i];
        if (access.scope.contains(d.facilities().grid[i]) && tiles::tileAt(ll, z) == t) {
          ++wantFacilities[std::string(d.grids().code[d.facilities().grid[i]])];
        }
      }
      auto r = c.get(tilePath(t), bearer(token));
      ASSERT_TRUE(r.status == 200 || r.status == 204) << token << " " << r.status;
      std::map<std::string, std::int64_t> got, gotFacilities;
      for (const auto& layer : mvt::decode(r.body)) {
        EXPECT_NE(layer.name, "events_closed") << tilePath(t) << ": closed events below z16";
        EXPECT_NE(layer.name, "facilities") << tilePath(t) << ": facilities below z16";
        auto* into = layer.name == "events_closed_clusters" ? &got
                     : layer.name == "facilities_clusters"  ? &gotFacilities
                                                            : nullptr;
        if (!into) continue;
        for (const auto& feat : layer.features) {
          (*into)[std::get<std::string>(feat.properties.at("grid"))] +=
              asInt(feat.properties.at("count"));
        }
      }
      EXPECT_EQ(got, want) << tilePath(t) << " " << token;
      EXPECT_EQ(gotFacilities, wantFacilities) << tilePath(t) << " " << token;
      if (token != "DISTRICT") {
        for (const auto& [grid, n] : got) {
          EXPECT_EQ(grid, token == "HEAD" ? f.headGrid : f.otherGrid) << tilePath(t);
        }
      }
      for (const auto& [grid, n] : got) seen += n;
    }
  }
  EXPECT_GT(seen, 0) << "the head's tiles should hold closed events";
}

TEST(ServiceWire, GdalReadsTheTile) {
  auto& f = fixture();
  if (run("command -v ogrinfo").empty()) GTEST_SKIP() << "no ogrinfo";
  HttpClient c(f.port);
  const auto tile = tiles::tileAt(f.headPoint, 14);
  auto r = c.get(tilePath(tile), bearer("DISTRICT"));
  ASSERT_EQ(r.status, 200);
  const std::string dir = kWork + "/mvt/" + std::to_string(tile.z) + "/" + std::to_string(tile.x);
  std::filesystem::create_directories(dir);
  const std::string file = dir + "/" + std::to_string(tile.y) + ".pbf";
  std::ofstream(file, std::ios::binary) << r.body;
  const std::string out =
      run("ogrinfo -ro -so -oo X=" + std::to_string(tile.x) + " -oo Y=" + std::to_string(tile.y) +
          " -oo Z=" + std::to_string(tile.z) + " MVT:" + file + " grids 2>&1");
  std::size_t grids = 0;
  for (const auto& l : mvt::decode(r.body)) {
    if (l.name == "grids") grids = l.features.size();
  }
  EXPECT_NE(out.find("Feature Count: " + std::to_string(grids)), std::string::npos) << out;
}

TEST(ServiceWire, TileJsonNamesTheLayers) {
  auto& f = fixture();
  HttpClient c(f.port);
  auto r = c.get("/tiles.json");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto j = json::parse(r.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.body;
  EXPECT_EQ(j["tiles"][0], "http://127.0.0.1:" + std::to_string(f.port) + "/tiles/{z}/{x}/{y}.mvt");
  std::set<std::string> names;
  for (const auto& l : j["vector_layers"]) names.insert(l["id"].get<std::string>());
  for (const auto& n : tiles::TileSource::baseLayerNames()) EXPECT_TRUE(names.count(n)) << n;
  auto cat = c.get("/tiles.json?layers=grids,lyr_cameras");
  EXPECT_EQ(cat.status, 200) << cat.body;
  EXPECT_NE(cat.body.find("layers=grids,lyr_cameras"), std::string::npos) << cat.body;
  EXPECT_EQ(c.get("/tiles.json?layers=nope").status, 400);
}

TEST(ServiceWire, ExportQgisCollectionsAreTheService) {
  auto& f = fixture();
  const std::string qgs = kWork + "/district.qgs";
  const std::string url = "http://127.0.0.1:" + std::to_string(f.port);
  const std::string out = run(std::string(GRIDTWIN_CLI) + " export-qgis " + kDistrict + " " + qgs +
                              " --service " + url + " 2>&1");
  std::ifstream in(qgs);
  std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(xml.empty()) << out;
  const auto ids = f.service->collectionIds();
  const std::set<std::string> served(ids.begin(), ids.end());
  std::size_t n = 0;
  // The OAPIF data sources: typename='ID' (XML-escaped in the project by
  // core::markupEscape, which writes ' as &#39;).
  const std::string key = "typename=&#39;";
  for (std::size_t at = xml.find(key); at != std::string::npos; at = xml.find(key, at + 1)) {
    const auto from = at + key.size(), to = xml.find('&', from);
    const std::string id = xml.substr(from, to - from);
    EXPECT_TRUE(served.count(id)) << "export-qgis names collection '" << id
                                  << "' which the service does not serve";
    ++n;
  }
  EXPECT_GT(n, 0u);
}

// --- cases -----------------------------------------------------------------

TEST(ServiceWire, CasesPostReplayAndWaitingStates) {
  auto& f = fixture();
  HttpClient c(f.port);
  const auto H = bearer("DISTRICT");
  // Anonymous: 401.
  EXPECT_EQ(c.request("POST", "/cases", caseBody("anon-1", f.headPoint)).status, 401);
  EXPECT_EQ(c.get("/cases").status, 401);
  // A point in the head grid: 201 with the engine's grid.
  auto r = c.request("POST", "/cases", caseBody("w-1", f.headPoint), H);
  ASSERT_EQ(r.status, 201) << r.body;
  auto j = json::parse(r.body);
  EXPECT_EQ(j["case"]["grid"], f.headGrid) << r.body;
  EXPECT_EQ(j["outcome"], "created");
  const auto id = j["case"]["id"].get<std::int64_t>();
  // The same external_id again: 200, the same case.
  auto again = c.request("POST", "/cases", caseBody("w-1", f.headPoint), H);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json::parse(again.body)["case"]["id"], id);
  EXPECT_EQ(json::parse(again.body)["replayed"], true);
  // An address that matches nothing: 422, stored as to_locate.
  auto lost = c.request("POST", "/cases",
                        R"({"source": "12319", "external_id": "w-2", "address": "无此地址 99 号",
                            "category": "1"})",
                        H);
  ASSERT_EQ(lost.status, 422) << lost.body;
  const auto lostId = json::parse(lost.body)["case"]["id"].get<std::int64_t>();
  auto shown = c.get("/cases/" + std::to_string(lostId), H);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(json::parse(shown.body)["state"], "to_locate") << shown.body;
  // A point outside the district: 422, stored outside_district.
  auto out = c.request("POST", "/cases", caseBody("w-3", {f.headPoint.x + 3, f.headPoint.y}), H);
  ASSERT_EQ(out.status, 422) << out.body;
  EXPECT_EQ(json::parse(out.body)["case"]["state"], "outside_district");
  // An unknown category: 422, stored to_classify.
  auto cat = c.request("POST", "/cases", caseBody("w-4", f.headPoint, "999999"), H);
  ASSERT_EQ(cat.status, 422) << cat.body;
  EXPECT_EQ(json::parse(cat.body)["case"]["state"], "to_classify");
  // Malformed JSON: 400; unknown id: 404.
  EXPECT_EQ(c.request("POST", "/cases", "{not json", H).status, 400);
  EXPECT_EQ(c.get("/cases/987654321", H).status, 404);
  // The list holds them.
  auto list = json::parse(c.get("/cases", H).body);
  std::set<std::string> ext;
  for (const auto& k : list["cases"]) ext.insert(k["external_id"].get<std::string>());
  for (const char* e : {"w-1", "w-2", "w-3", "w-4"}) EXPECT_TRUE(ext.count(e)) << e;
}

TEST(ServiceWire, CasePatchChainAndIllegalMove) {
  auto& f = fixture();
  HttpClient c(f.port);
  const auto H = bearer("HEAD");
  auto r = c.request("POST", "/cases", caseBody("p-1", f.headPoint), H);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string path =
      "/cases/" + std::to_string(json::parse(r.body)["case"]["id"].get<long>());
  auto illegal = c.request("PATCH", path, R"({"to": "closed", "who": "王"})", H);
  EXPECT_EQ(illegal.status, 409) << illegal.body;
  EXPECT_EQ(c.request("PATCH", path, R"({"to": "nowhere", "who": "王"})", H).status, 422);
  EXPECT_EQ(c.request("PATCH", path, "[1]", H).status, 400);
  for (const char* to : {"classified", "handling", "follow_up", "closed"}) {
    auto p = c.request("PATCH", path,
                       std::string(R"({"to": ")") + to + R"(", "who": "王", "note": "ok"})", H);
    ASSERT_EQ(p.status, 200) << to << ": " << p.body;
    EXPECT_EQ(json::parse(p.body)["state"], to);
  }
  auto got = json::parse(c.get(path, H).body);
  EXPECT_EQ(got["state"], "closed");
  EXPECT_EQ(got["history"].size(), 4u);
}

std::unique_ptr<boost::asio::ip::tcp::socket> openStream(boost::asio::io_context& io,
                                                         std::uint16_t port,
                                                         const std::string& token) {
  auto s = std::make_unique<boost::asio::ip::tcp::socket>(io);
  s->connect({boost::asio::ip::make_address("127.0.0.1"), port});
  const std::string req =
      "GET /events/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n";
  boost::asio::write(*s, boost::asio::buffer(req));
  return s;
}

std::string readUntil(boost::asio::ip::tcp::socket& s, const std::string& marker) {
  std::string got;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  s.non_blocking(true);
  while (std::chrono::steady_clock::now() < until && got.find(marker) == std::string::npos) {
    char buf[4096];
    boost::system::error_code ec;
    const auto n = s.read_some(boost::asio::buffer(buf), ec);
    if (n) got.append(buf, n);
    if (ec && ec != boost::asio::error::would_block) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return got;
}

TEST(ServiceWire, GridHeadSeesOnlyItsGridsCases) {
  auto& f = fixture();
  HttpClient c(f.port);
  boost::asio::io_context io;
  auto headS = openStream(io, f.port, "HEAD");
  auto distS = openStream(io, f.port, "DISTRICT");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // Posted by the district: one in each grid, and one without a grid.
  auto theirs = c.request("POST", "/cases", caseBody("s-other", f.otherPoint), bearer("DISTRICT"));
  ASSERT_EQ(theirs.status, 201) << theirs.body;
  auto lost = c.request("POST", "/cases",
                        R"({"source": "police", "external_id": "s-lost", "address": "无此处",
                            "category": "1"})",
                        bearer("DISTRICT"));
  ASSERT_EQ(lost.status, 422) << lost.body;
  auto mine = c.request("POST", "/cases", caseBody("s-mine", f.headPoint), bearer("DISTRICT"));
  ASSERT_EQ(mine.status, 201) << mine.body;
  const std::string h = readUntil(*headS, "s-mine");
  const std::string d = readUntil(*distS, "s-mine");
  EXPECT_NE(h.find("event: case"), std::string::npos) << h;
  EXPECT_NE(h.find("s-mine"), std::string::npos) << h;
  EXPECT_EQ(h.find("s-other"), std::string::npos) << h;
  EXPECT_EQ(h.find("s-lost"), std::string::npos) << h;
  EXPECT_NE(d.find("s-other"), std::string::npos) << d;
  EXPECT_NE(d.find("s-lost"), std::string::npos) << d;
  // GET / PATCH another grid's case: 404, as an unknown id.
  const std::string other =
      "/cases/" + std::to_string(json::parse(theirs.body)["case"]["id"].get<long>());
  EXPECT_EQ(c.get(other, bearer("HEAD")).status, 404);
  EXPECT_EQ(
      c.request("PATCH", other, R"({"to": "classified", "who": "王"})", bearer("HEAD")).status,
      404);
  EXPECT_EQ(c.get(other, bearer("OTHER")).status, 200);
  // The head's list: only its grid.
  const auto headList = json::parse(c.get("/cases", bearer("HEAD")).body);
  EXPECT_FALSE(headList["cases"].empty());
  for (const auto& k : headList["cases"]) {
    EXPECT_EQ(k["grid"], f.headGrid) << k.dump();
  }
}

// The SSE frames "event: NAME\ndata: JSON\n\n" of a stream's bytes, in order.
std::vector<std::pair<std::string, std::string>> sseFrames(const std::string& bytes) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t pos = bytes.find("\r\n\r\n");  // after the response head
  pos = pos == std::string::npos ? 0 : pos + 4;
  while (pos < bytes.size()) {
    const auto end = bytes.find("\n\n", pos);
    if (end == std::string::npos) break;
    std::string event, data;
    std::size_t line = pos;
    while (line < end) {
      const auto eol = std::min(bytes.find('\n', line), end);
      const std::string_view l(bytes.data() + line, eol - line);
      if (l.starts_with("event: ")) event = std::string(l.substr(7));
      if (l.starts_with("data: ")) data += std::string(l.substr(6));
      line = eol + 1;
    }
    if (!event.empty()) out.emplace_back(std::move(event), std::move(data));
    pos = end + 2;
  }
  return out;
}

// Fan-out (issue 13: 1,000 clients in the bench, 50 here): every stream
// client receives each case it may see exactly once, and no other: the
// district every case, a grid head only its grid's. Four cases alternate
// between the two grids; a last message for everyone, published after
// them, ends each client's reading (a stream keeps the hub's order).
TEST(ServiceWire, EveryStreamClientGetsEachCaseOnceAndInScope) {
  auto& f = fixture();
  const std::vector<std::string> tokens = {"DISTRICT", "HEAD", "OTHER"};
  constexpr int kClients = 50;
  boost::asio::io_context io;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::socket>> clients;
  std::vector<std::string> tokenOf, got(kClients);
  for (int i = 0; i < kClients; ++i) {
    tokenOf.push_back(tokens[static_cast<std::size_t>(i) % tokens.size()]);
    clients.push_back(openStream(io, f.port, tokenOf.back()));
    clients.back()->non_blocking(true);
  }
  // Every client subscribed (its ": connected" comment read) before a case.
  const auto readRound = [&] {
    for (int i = 0; i < kClients; ++i) {
      char buf[8192];
      boost::system::error_code ec;
      const auto n = clients[i]->read_some(boost::asio::buffer(buf), ec);
      if (n) got[i].append(buf, n);
    }
  };
  const auto hangGuard = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  const auto allHave = [&](const std::string& needle) {
    for (const auto& g : got) {
      if (g.find(needle) == std::string::npos) return false;
    }
    return true;
  };
  while (!allHave(": connected") && std::chrono::steady_clock::now() < hangGuard) {
    readRound();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(allHave(": connected"));

  const std::string tag = "fan-" + std::to_string(::getpid()) + "-";
  const std::vector<std::pair<std::string, gridtwin::geo::Point>> posted = {
      {tag + "a", f.headPoint},
      {tag + "b", f.otherPoint},
      {tag + "c", f.headPoint},
      {tag + "d", f.otherPoint}};
  HttpClient c(f.port);
  for (const auto& [id, point] : posted) {
    auto r = c.request("POST", "/cases", caseBody(id, point), bearer("DISTRICT"));
    ASSERT_EQ(r.status, 201) << id << ": " << r.body;
  }
  const std::string end = tag + "end";
  f.service->hub().publish(-1, "{\"end\":\"" + end + "\"}", "marker");
  while (!allHave(end) && std::chrono::steady_clock::now() < hangGuard) {
    readRound();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(allHave(end)) << "a stream client never got the last message";

  const std::map<std::string, std::string> gridOfCase = {{tag + "a", f.headGrid},
                                                         {tag + "b", f.otherGrid},
                                                         {tag + "c", f.headGrid},
                                                         {tag + "d", f.otherGrid}};
  for (int i = 0; i < kClients; ++i) {
    std::map<std::string, int> count;
    for (const auto& [event, data] : sseFrames(got[i])) {
      if (event != "case") continue;
      const auto j = json::parse(data, nullptr, false);
      ASSERT_FALSE(j.is_discarded()) << data;
      const std::string id = j["external_id"].get<std::string>();
      if (!gridOfCase.count(id)) continue;  // another test's case
      ++count[id];
      EXPECT_EQ(j["grid"], gridOfCase.at(id)) << id;
    }
    for (const auto& [id, grid] : gridOfCase) {
      const bool visible = tokenOf[i] == "DISTRICT" ||
                           (tokenOf[i] == "HEAD" && grid == f.headGrid) ||
                           (tokenOf[i] == "OTHER" && grid == f.otherGrid);
      EXPECT_EQ(count[id], visible ? 1 : 0)
          << "client " << i << " (" << tokenOf[i] << ") received case " << id << " " << count[id]
          << " times";
    }
  }
}

// Each PATCH reaches the stream as the case in its new state (the intake's
// listener), in order, and only to the scopes that see the case.
TEST(ServiceWire, StreamClientsGetEachPatchOfACaseInOrder) {
  auto& f = fixture();
  boost::asio::io_context io;
  auto head = openStream(io, f.port, "HEAD");
  auto other = openStream(io, f.port, "OTHER");
  std::string gotHead = readUntil(*head, ": connected");
  std::string gotOther = readUntil(*other, ": connected");
  ASSERT_NE(gotHead.find(": connected"), std::string::npos);
  ASSERT_NE(gotOther.find(": connected"), std::string::npos);
  const std::string tag = "patch-stream-" + std::to_string(::getpid());
  HttpClient c(f.port);
  const auto H = bearer("HEAD");
  auto r = c.request("POST", "/cases", caseBody(tag, f.headPoint), H);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string path =
      "/cases/" + std::to_string(json::parse(r.body)["case"]["id"].get<long>());
  for (const char* to : {"classified", "handling", "follow_up", "closed"}) {
    auto p = c.request("PATCH", path, std::string(R"({"to": ")") + to + R"(", "who": "王"})", H);
    ASSERT_EQ(p.status, 200) << to << ": " << p.body;
  }
  const std::string end = tag + "-end";
  f.service->hub().publish(-1, "{\"end\":\"" + end + "\"}", "marker");
  gotHead += readUntil(*head, end);
  gotOther += readUntil(*other, end);
  auto statesOf = [&](const std::string& bytes) {
    std::vector<std::string> states;
    for (const auto& [event, data] : sseFrames(bytes)) {
      if (event != "case") continue;
      const auto j = json::parse(data, nullptr, false);
      if (j.is_discarded() || j["external_id"] != tag) continue;
      states.push_back(j["state"].get<std::string>());
    }
    return states;
  };
  ASSERT_NE(gotHead.find(end), std::string::npos) << "the head's stream never got the marker";
  EXPECT_EQ(statesOf(gotHead), (std::vector<std::string>{"reported", "classified", "handling",
                                                         "follow_up", "closed"}));
  ASSERT_NE(gotOther.find(end), std::string::npos);
  EXPECT_TRUE(statesOf(gotOther).empty()) << "another grid's head heard the case";
}

// --- kill -9 during a stream of POSTs --------------------------------------

struct Child {
  pid_t pid = -1;
  std::uint16_t port = 0;
};

Child startServe(const std::string& dataset, const std::string& tokens) {
  int out[2];
  if (::pipe(out) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::execl(GRIDTWIN_CLI, GRIDTWIN_CLI, "serve", dataset.c_str(), "--listen", "127.0.0.1:0",
            "--threads", "2", "--access-log", "off", "--tokens", tokens.c_str(),
            "--no-geocode-cases", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  std::string line;
  char ch;
  while (::read(out[0], &ch, 1) == 1 && ch != '\n') line += ch;
  ::close(out[0]);
  const auto colon = line.rfind(':');
  if (colon == std::string::npos) return {pid, 0};
  return {pid, static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1)))};
}

TEST(ServiceWire, KillDuringPostsStoresEachCaseOnce) {
  auto& f = fixture();
  // GRIDTWIN_WIRE_CASES: the issue's 10,000 (scripts/bench); 500 here.
  const char* env = std::getenv("GRIDTWIN_WIRE_CASES");
  const int total = env ? std::atoi(env) : 500;
  const std::string dir = kWork + "/kill";
  std::filesystem::create_directories(dir);
  const std::string dataset = dir + "/district.gpkg";
  std::filesystem::copy_file(kDistrict, dataset, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::remove(dataset + ".cases.jsonl");
  const std::string tokens = dir + "/tokens.txt";
  std::ofstream(tokens) << "DISTRICT district\n";
  Child child = startServe(dataset, tokens);
  ASSERT_GT(child.port, 0);
  std::atomic<std::uint16_t> port{child.port};
  std::atomic<int> answered{0};
  std::atomic<bool> killed{false};
  std::atomic<int> retries{0};
  const int threads = 4;
  std::vector<std::thread> posters;
  for (int t = 0; t < threads; ++t) {
    posters.emplace_back([&, t] {
      std::unique_ptr<HttpClient> c;
      std::uint16_t usedPort = 0;
      for (int i = t; i < total; i += threads) {
        const std::string body = caseBody("k-" + std::to_string(i), f.headPoint);
        for (int attempt = 0; attempt < 400; ++attempt) {
          if (!c || usedPort != port.load()) {
            usedPort = port.load();
            c = std::make_unique<HttpClient>(usedPort);
          }
          auto r = c->request("POST", "/cases", body, bearer("DISTRICT"));
          if (r.status == 200 || r.status == 201) {
            ++answered;
            break;
          }
          ++retries;
          c.reset();
          std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
      }
    });
  }
  while (answered.load() < total / 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ::kill(child.pid, SIGKILL);
  int status = 0;
  ::waitpid(child.pid, &status, 0);
  killed = true;
  Child again = startServe(dataset, tokens);
  ASSERT_GT(again.port, 0);
  port = again.port;
  for (auto& p : posters) p.join();
  EXPECT_EQ(answered.load(), total);
  HttpClient c(again.port);
  auto list = c.get("/cases", bearer("DISTRICT"));
  ASSERT_EQ(list.status, 200);
  std::map<std::string, int> seen;
  const auto all = json::parse(list.body);
  for (const auto& k : all["cases"]) ++seen[k["external_id"].get<std::string>()];
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(total)) << list.body.substr(0, 300);
  for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << id << " stored " << n << " times";
  std::printf("kill -9 after %d of %d answers; %d retries\n", total / 2, total, retries.load());
  ::kill(again.pid, SIGTERM);
  ::waitpid(again.pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

// A graceful stop during a stream of POSTs: SIGTERM, and every case the
// server answered 201 is in the journal when it starts again, each once;
// the server exits 0.
TEST(ServiceWire, SigtermDuringPostsLosesNoAnsweredCase) {
  auto& f = fixture();
  const std::string dir = kWork + "/term";
  std::filesystem::create_directories(dir);
  const std::string dataset = dir + "/district.gpkg";
  std::filesystem::copy_file(kDistrict, dataset, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::remove(dataset + ".cases.jsonl");
  const std::string tokens = dir + "/tokens.txt";
  std::ofstream(tokens) << "DISTRICT district\n";
  Child child = startServe(dataset, tokens);
  ASSERT_GT(child.port, 0);
  std::mutex mutex;
  std::set<std::string> answered;
  std::atomic<int> count{0};
  std::vector<std::thread> posters;
  for (int t = 0; t < 4; ++t) {
    posters.emplace_back([&, t] {
      HttpClient c(child.port);
      for (int i = 0; i < 2000; ++i) {
        const std::string id = "t-" + std::to_string(t) + "-" + std::to_string(i);
        auto r = c.request("POST", "/cases", caseBody(id, f.headPoint), bearer("DISTRICT"));
        if (r.status != 201) return;  // the server is going: nothing more is sent
        std::lock_guard lock(mutex);
        answered.insert(id);
        ++count;
      }
    });
  }
  while (count.load() < 200) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ::kill(child.pid, SIGTERM);
  for (auto& p : posters) p.join();
  int status = 0;
  ::waitpid(child.pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  ASSERT_LT(answered.size(), 8000u) << "the stop came after every POST";
  Child again = startServe(dataset, tokens);
  ASSERT_GT(again.port, 0);
  HttpClient c(again.port);
  auto list = c.get("/cases", bearer("DISTRICT"));
  ASSERT_EQ(list.status, 200);
  std::map<std::string, int> stored;
  const auto listed = json::parse(list.body);
  for (const auto& k : listed["cases"]) ++stored[k["external_id"].get<std::string>()];
  for (const auto& id : answered)
    EXPECT_EQ(stored[id], 1) << id << " answered 201, stored " << stored[id];
  for (const auto& [id, n] : stored) EXPECT_EQ(n, 1) << id;
  std::printf("SIGTERM after %zu answered cases; %zu stored\n", answered.size(), stored.size());
  ::kill(again.pid, SIGTERM);
  ::waitpid(again.pid, &status, 0);
}

}  // namespace
