// serve.tile_z14_p50_ms: GET /tiles/14/{x}/{y}.mvt (the base layers) of the
// densest z14 tile of the district from `gridtwin serve` on one thread, wrk
// -c1 on loopback, p50, served from the tile cache (warm);
// serve.tile_z14_cold_p50_ms: the same with --tile-cache-mb 0 (every request
// rendered and encoded); beside it, in the same run, PostGIS's own ST_AsMVT of
// the same tile, the same layers, properties and buffer, over the same
// tables (EPSG:3857 columns with GiST indexes, as our TileSource projects
// once), through libpq, p50 of 50 (pg_tileserv is not packaged).
//
// The densest tile: the z14 tile holding most building, facility and event
// features (a building counted at its footprint's first vertex).
//
// What the tile carries (engine/tiles/render.h): below z16 the facilities
// and the closed events are counted per grid and cell (facilities_clusters,
// events_closed_clusters; cluster.h), the open events are points. The anchor
// does the same aggregation in SQL, once before it is timed
// (mvt_facility_clusters, mvt_event_clusters, for z14: our server builds its
// clusters once when its TileSource is made), so both tiles hold the same
// layers, features and properties. The open events have a table of their own
// (mvt_open_events), as our TileSource keeps them apart from the closed ones:
// with one events table the anchor's four open layers each searched the
// ~300,000 closed events of the tile (1.3 s; 98 ms apart).
#include <unistd.h>
#include <algorithm>
#include <cmath>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bench.h"
#include "pgstore/connection.h"
#include "query/access.h"
#include "query/twin.h"
#include "serve_child.h"
#include "tiles/render.h"
#include "tiles/tile_math.h"
#include "workloads.h"

namespace gridtwin::bench {
namespace {

constexpr int kZoom = 14;

std::string msText(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", ms);
  return buf;
}
constexpr int kAnchorRuns = 50;
// serve.tile_z14_after_case_p50_ms: cases posted into the tile, each followed
// by one timed GET of it.
constexpr int kAfterCaseRuns = 40;

// The densest z14 tile and what our renderer puts in it (for the note and
// for comparing with PostGIS's tile): {"x","y","counted","layers":{..},"bytes"}.
core::Result<nlohmann::json> densestTile(const std::string& dataset) {
  auto twin = query::Twin::open(dataset, {});
  if (!twin) return twin.takeError();
  const model::District& d = (*twin)->district();
  std::map<std::pair<int, int>, std::size_t> count;
  const auto add = [&](const geo::Point& lonlat) {
    if (!std::isfinite(lonlat.x) || !std::isfinite(lonlat.y)) return;
    const auto t = tiles::tileAt(lonlat, kZoom);
    ++count[{t.x, t.y}];
  };
  const auto& fp = d.buildings().footprint;
  for (std::size_t f = 0; f < fp.size(); ++f) {
    add(fp.lonlat[fp.pointStart[fp.ringStart[fp.partStart[f]]]]);
  }
  for (const auto& p : d.facilities().point.lonlat) add(p);
  for (const auto& p : d.events().point.lonlat) add(p);
  if (count.empty()) return core::makeError(core::ErrorCode::kNotFound, "no features", dataset);
  const auto best = std::max_element(
      count.begin(), count.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  auto access = query::makeAccess(d, query::Role::kPlanner, "");
  if (!access) return access.takeError();
  auto tile = tiles::render(**twin, *access, kZoom, best->first.first, best->first.second);
  if (!tile) return tile.takeError();
  nlohmann::json out = {{"x", best->first.first},
                        {"y", best->first.second},
                        {"counted", best->second},
                        {"bytes", tile->mvt.size()}};
  out["layers"] = nlohmann::json::object();
  for (const auto& [name, n] : tile->counts) out["layers"][name] = n;
  return out;
}

// The base layers as tables of EPSG:3857 geometry and the tile's properties
// (render.h), from the dataset's own tables loaded by ogr2ogr into "src".
constexpr const char* kPrepare = R"SQL(
DROP TABLE IF EXISTS mvt_grids, mvt_roads, mvt_buildings, mvt_facilities, mvt_events,
  mvt_open_events, mvt_event_clusters, mvt_facility_clusters;
CREATE TABLE mvt_grids AS SELECT ST_Transform(geom, 3857) AS geom, code, name,
  community_code AS community, street_code AS street FROM src.grids;
CREATE TABLE mvt_roads AS SELECT ST_Transform(geom, 3857) AS geom, road_id AS id, name, class,
  width_m FROM src.roads;
CREATE TABLE mvt_buildings AS SELECT ST_Transform(geom, 3857) AS geom, building_id AS id, use,
  floors, height_m, grid_code AS grid FROM src.buildings;
CREATE TABLE mvt_facilities AS SELECT ST_Transform(geom, 3857) AS geom, facility_id AS id, type,
  type_name, owner_department AS owner, grid_code AS grid FROM src.facilities;
CREATE TABLE mvt_events AS SELECT ST_Transform(geom, 3857) AS geom, event_id AS id,
  category_code AS category, category_name, source,
  extract(epoch FROM reported_at::timestamptz)::bigint AS reported_at,
  CASE status WHEN '发现上报' THEN 'reported' WHEN '分类推送' THEN 'classified'
    WHEN '协同处理' THEN 'handling' WHEN '跟踪回访' THEN 'follow_up' ELSE 'closed' END AS status,
  status AS status_name, dispatch_level AS level, grid_code AS grid
  FROM src.events WHERE geom IS NOT NULL;
CREATE TABLE mvt_event_clusters AS
WITH e AS (
  SELECT ST_X(geom) AS x, ST_Y(geom) AS y, grid, category, category_name, reported_at,
    floor((ST_X(geom) + 20037508.342789244) / (40075016.685578488 / 524288))::bigint AS cx,
    floor((20037508.342789244 - ST_Y(geom)) / (40075016.685578488 / 524288))::bigint AS cy
  FROM mvt_events WHERE status = 'closed'),
per_category AS (SELECT cx, cy, grid, category, category_name, count(*) AS n FROM e
  GROUP BY cx, cy, grid, category, category_name),
top AS (SELECT DISTINCT ON (cx, cy, grid) cx, cy, grid, category, category_name, n
  FROM per_category ORDER BY cx, cy, grid, n DESC, category),
agg AS (SELECT cx, cy, grid, count(*) AS count, avg(x) AS x, avg(y) AS y,
  count(DISTINCT category) AS categories, min(reported_at) AS reported_from,
  max(reported_at) AS reported_to FROM e GROUP BY cx, cy, grid)
SELECT ST_SetSRID(ST_MakePoint(agg.x, agg.y), 3857) AS geom, agg.count, agg.grid, top.category,
  top.category_name, top.n AS category_count, agg.categories, agg.reported_from, agg.reported_to
FROM agg JOIN top USING (cx, cy, grid);
CREATE TABLE mvt_facility_clusters AS
WITH f AS (
  SELECT ST_X(geom) AS x, ST_Y(geom) AS y, grid, type, type_name,
    floor((ST_X(geom) + 20037508.342789244) / (40075016.685578488 / 524288))::bigint AS cx,
    floor((20037508.342789244 - ST_Y(geom)) / (40075016.685578488 / 524288))::bigint AS cy
  FROM mvt_facilities),
per_type AS (SELECT cx, cy, grid, type, type_name, count(*) AS n FROM f
  GROUP BY cx, cy, grid, type, type_name),
top AS (SELECT DISTINCT ON (cx, cy, grid) cx, cy, grid, type, type_name, n
  FROM per_type ORDER BY cx, cy, grid, n DESC, type),
agg AS (SELECT cx, cy, grid, count(*) AS count, avg(x) AS x, avg(y) AS y,
  count(DISTINCT type) AS types FROM f GROUP BY cx, cy, grid)
SELECT ST_SetSRID(ST_MakePoint(agg.x, agg.y), 3857) AS geom, agg.count, agg.grid, top.type,
  top.type_name, top.n AS type_count, agg.types
FROM agg JOIN top USING (cx, cy, grid);
CREATE INDEX ON mvt_event_clusters USING gist (geom);
CREATE INDEX ON mvt_facility_clusters USING gist (geom);
CREATE INDEX ON mvt_grids USING gist (geom);
CREATE INDEX ON mvt_roads USING gist (geom);
CREATE INDEX ON mvt_buildings USING gist (geom);
CREATE INDEX ON mvt_facilities USING gist (geom);
CREATE INDEX ON mvt_events USING gist (geom);
CREATE TABLE mvt_open_events AS SELECT * FROM mvt_events WHERE status <> 'closed';
CREATE INDEX ON mvt_open_events USING gist (geom);
ANALYZE mvt_grids, mvt_roads, mvt_buildings, mvt_facilities, mvt_events, mvt_open_events,
  mvt_event_clusters,
  mvt_facility_clusters;
)SQL";

struct AnchorLayer {
  std::string name, table, columns, where;
  bool buffered = true;  // false: features in the tile proper only (clusters)
};

std::vector<AnchorLayer> anchorLayers() {
  std::vector<AnchorLayer> out = {
      {"grids", "mvt_grids", "code, name, community, street", ""},
      {"roads", "mvt_roads", "id, name, class, width_m", ""},
      {"buildings", "mvt_buildings", "id, use, floors, height_m, grid", ""},
      {"facilities_clusters", "mvt_facility_clusters",
       "count, grid, type, type_name, type_count, types", "", false},
  };
  // z14: the facilities and closed events as clusters (render.h), the open
  // events as points.
  for (const char* st : {"reported", "classified", "handling", "follow_up"}) {
    // The open events apart from the closed ones, as our TileSource keeps
    // them: the tile's index search does not wade through 300,000 closed
    // events four times.
    out.push_back({std::string("events_") + st, "mvt_open_events",
                   "id, category, category_name, source, reported_at, status, status_name, level, "
                   "grid",
                   std::string(" AND status = '") + st + "'"});
  }
  out.push_back({"events_closed_clusters", "mvt_event_clusters",
                 "count, grid, category, category_name, category_count, categories, "
                 "reported_from, reported_to",
                 "", false});
  return out;
}

// The tile as one bytea (the layers concatenated, as MVT allows), buffer 64
// of 4096 as render.h's RenderOptions; `what`: "length(...)" or the counts.
std::string anchorSql(int x, int y) {
  const std::string env = "ST_TileEnvelope(" + std::to_string(kZoom) + ", " + std::to_string(x) +
                          ", " + std::to_string(y) + ")";
  std::string sql = "WITH b AS (SELECT " + env + " AS env, ST_Expand(" + env + ", " +
                    std::to_string(tiles::tileSize(kZoom) * 64 / 4096) +
                    ") AS clip) SELECT length(";
  bool first = true;
  for (const auto& l : anchorLayers()) {
    if (!first) sql += " || ";
    first = false;
    sql += "COALESCE((SELECT ST_AsMVT(t, '" + l.name +
           "', 4096, 'geom') FROM (SELECT ST_AsMVTGeom(s.geom, b.env, 4096, 64, true) AS geom, " +
           l.columns + " FROM " + l.table + " s, b WHERE s.geom && " +
           (l.buffered ? "b.clip" : "b.env") + l.where + ") t), ''::bytea)";
  }
  return sql + ") FROM b";
}

// Features per layer PostGIS writes into the tile (ST_AsMVTGeom not null).
std::string anchorCountSql(int x, int y) {
  const std::string env = "ST_TileEnvelope(" + std::to_string(kZoom) + ", " + std::to_string(x) +
                          ", " + std::to_string(y) + ")";
  std::string sql;
  for (const auto& l : anchorLayers()) {
    if (!sql.empty()) sql += " UNION ALL ";
    const std::string box =
        l.buffered
            ? "ST_Expand(" + env + ", " + std::to_string(tiles::tileSize(kZoom) * 64 / 4096) + ")"
            : env;
    sql += "SELECT '" + l.name + "', count(*) FROM " + l.table + " s WHERE s.geom && " + box +
           l.where + " AND ST_AsMVTGeom(s.geom, " + env + ", 4096, 64, true) IS NOT NULL";
  }
  return sql;
}

}  // namespace

core::Result<std::vector<Figure>> runServeTile(Context& ctx) {
  if (!shell("command -v wrk")) {
    return core::makeError(core::ErrorCode::kUnsupported, "serve.tile_* needs wrk");
  }
  auto densest =
      inChild("the densest z14 tile of " + ctx.dataset,
              [&]() -> core::Result<nlohmann::json> { return densestTile(ctx.dataset); });
  if (!densest) return densest.takeError();
  const int x = (*densest)["x"].get<int>(), y = (*densest)["y"].get<int>();
  const std::string path = "/tiles/" + std::to_string(kZoom) + "/" + std::to_string(x) + "/" +
                           std::to_string(y) + ".mvt";
  std::printf("  serve.tile: densest z14 tile %s: %s\n", path.c_str(), densest->dump().c_str());

  // Warm: the server's tile cache (service/tile_cache.h, default bound)
  // holds the tile after the first GET, so wrk measures a cache hit. Cold:
  // --tile-cache-mb 0, every request rendered and encoded (the encoder's own
  // cost). The cache's hit count from /metrics says what the warm run was.
  struct Run {
    std::string first, wrk, hits;
  };
  // Every server of the group reads a link to the dataset in the work
  // folder, so that the case journal each one opens (DATASET.cases.jsonl,
  // and the after-case run's cases) is written there, never beside the
  // caller's dataset.
  const std::string dir = ctx.workDir + "/serve-tile";
  auto linked = linkedDataset(ctx.dataset, dir);
  if (!linked) return linked.takeError();
  const auto serveRun = [&](const std::vector<std::string>& args) -> core::Result<Run> {
    auto server = startServe(*linked, args);
    if (!server) return server.takeError();
    // The first tile waits for the TileSource (projection, indexes): not timed.
    auto first = shell("curl -s -o /dev/null -w '%{http_code} %{size_download}' '" + server->base +
                       path + "'");
    auto wrk = shell("wrk -t1 -c1 -d5s --latency '" + server->base + path + "'");
    auto hits = shell("curl -s '" + server->base +
                      "/metrics' | sed -n 's/^gridtwin_tile_cache_hits_total //p'");
    stopServe(*server);
    if (!first) return first.takeError();
    if (!wrk) return wrk.takeError();
    if (first->compare(0, 3, "200") != 0) {
      return core::makeError(core::ErrorCode::kIo, "GET " + path + " answered " + *first);
    }
    Run r{*first, *wrk, hits ? *hits : std::string("?")};
    while (!r.hits.empty() && (r.hits.back() == '\n' || r.hits.back() == ' ')) r.hits.pop_back();
    return r;
  };
  auto warm = serveRun({"--threads", "1"});
  if (!warm) return warm.takeError();
  auto cold = serveRun({"--threads", "1", "--tile-cache-mb", "0"});
  if (!cold) return cold.takeError();

  // After a case: what a user sees when a case lands in the tile's block.
  // The tile cache drops the tile (service/tile_cache.h); its static
  // layers' bytes are kept (service/static_layer_cache.h), so only the
  // event layers are drawn again. Default cache bound; the tile asked for
  // once first (a user has seen it before), then kAfterCaseRuns times: POST
  // a case at the tile's centre (not timed), GET the tile (timed: curl's
  // time_total, a new loopback connection each). The server's own counters
  // say that every GET was a cache miss drawn with held static layers.
  struct AfterCase {
    std::vector<double> ms;
    std::vector<double> hitMs;  // the same curl GET answered from the tile cache: curl's share
    std::string invalidated, staticHits, bytes;
  };
  const auto afterCaseRun = [&]() -> core::Result<AfterCase> {
    std::ofstream(dir + "/tokens.txt") << "BENCH district\n";
    auto server = startServe(
        *linked, {"--threads", "1", "--tokens", dir + "/tokens.txt", "--no-geocode-cases"});
    if (!server) return server.takeError();
    const auto b = tiles::tileLonLatBounds({kZoom, x, y});
    char point[96];
    std::snprintf(point, sizeof point, "[%.9f, %.9f]", (b.minx + b.maxx) / 2,
                  (b.miny + b.maxy) / 2);
    const std::string auth = " -H 'Authorization: Bearer BENCH' ";
    const std::string tag = "tile-after-case-" + std::to_string(::getpid());
    const std::string script =
        "curl -s -o /dev/null -w '%{http_code} %{size_download}\\n'" + auth + "'" + server->base +
        path + "' && for i in $(seq 1 " + std::to_string(kAfterCaseRuns) +
        "); do curl -s -o /dev/null -w '%{http_code} '" + auth +
        "-H 'Content-Type: application/json' --data '{\"source\": \"12345\", "
        "\"external_id\": \"" +
        tag + "-'$i'\", \"point\": " + point + ", \"category\": \"1\", \"text\": \"bench\"}' '" +
        server->base + "/cases' && curl -s -o /dev/null -w '%{http_code} %{time_total}\\n'" + auth +
        "'" + server->base + path + "'; done; for i in $(seq 1 " + std::to_string(kAfterCaseRuns) +
        "); do curl -s -o /dev/null -w 'hit %{http_code} %{time_total}\\n'" + auth + "'" +
        server->base + path + "'; done";
    auto out = shell(script);
    auto metrics = shell("curl -s '" + server->base + "/metrics'");
    stopServe(*server);
    if (!out) return out.takeError();
    AfterCase r;
    std::istringstream lines(*out);
    std::string line;
    std::getline(lines, line);
    r.bytes = line.substr(line.find(' ') + 1);
    while (std::getline(lines, line)) {
      if (line.compare(0, 8, "hit 200 ") == 0) {
        r.hitMs.push_back(std::atof(line.c_str() + 8) * 1000);
        continue;
      }
      // "201 200 0.004321": the POST's status, the GET's status and time.
      if (line.compare(0, 8, "201 200 ") != 0) {
        return core::makeError(core::ErrorCode::kIo, "POST /cases then GET " + path + ": " + line);
      }
      r.ms.push_back(std::atof(line.c_str() + 8) * 1000);
    }
    const auto counter = [&](const std::string& name) -> std::string {
      if (!metrics) return "?";
      const auto at = metrics->find("\n" + name + " ");
      if (at == std::string::npos) return "?";
      const auto from = at + name.size() + 2;
      return metrics->substr(from, metrics->find('\n', from) - from);
    };
    r.invalidated = counter("gridtwin_tile_cache_invalidated_total");
    r.staticHits = counter("gridtwin_tile_static_hits_total");
    if (r.ms.size() != static_cast<std::size_t>(kAfterCaseRuns)) {
      return core::makeError(core::ErrorCode::kIo, "POST /cases then GET " + path + ": " +
                                                       std::to_string(r.ms.size()) + " runs");
    }
    std::sort(r.ms.begin(), r.ms.end());
    std::sort(r.hitMs.begin(), r.hitMs.end());
    if (r.hitMs.empty()) r.hitMs.push_back(0);
    return r;
  };
  auto afterCase = afterCaseRun();
  if (!afterCase) return afterCase.takeError();

  std::optional<double> anchorMs;
  std::string anchorNote = "PostGIS anchor not measured";
  const std::string state = ctx.workDir + "/pg-serve-tile";
  const std::string script = postgisScript(state);
  if (auto url = shell(script + "start")) {
    auto c = pgstore::Connection::open(*url);
    if (c && c->execute("CREATE SCHEMA IF NOT EXISTS src")) {
      const std::string load = "ogr2ogr -overwrite -f PostgreSQL 'PG:" + *url + "' '" +
                               ctx.dataset +
                               "' grids roads buildings facilities events -lco SCHEMA=src "
                               "-lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=NONE";
      if (auto loaded = shell(load); !loaded) {
        anchorNote = "PostGIS anchor: ogr2ogr failed: " + loaded.error().toString();
      } else if (auto prep = c->execute(kPrepare); !prep) {
        anchorNote = "PostGIS anchor: " + prep.error().toString();
      } else {
        const std::string sql = anchorSql(x, y);
        std::string bytes = "?";
        if (auto r = c->query(sql); r && r->rows() == 1) bytes = std::string(r->text(0, 0));
        std::vector<double> ms;
        for (int i = 0; i < kAnchorRuns; ++i) {
          const auto t0 = Clock::now();
          auto r = c->query(sql);
          ms.push_back(secondsSince(t0) * 1000);
          if (!r) {
            anchorNote = "PostGIS anchor: " + r.error().toString();
            break;
          }
        }
        std::string counts;
        if (auto r = c->query(anchorCountSql(x, y))) {
          for (int i = 0; i < r->rows(); ++i) {
            if (r->text(i, 1) == "0") continue;
            counts += (counts.empty() ? "" : ", ") + std::string(r->text(i, 0)) + " " +
                      std::string(r->text(i, 1));
          }
        }
        if (ms.size() == static_cast<std::size_t>(kAnchorRuns)) {
          std::sort(ms.begin(), ms.end());
          anchorMs = ms[ms.size() / 2];
          anchorNote =
              "PostGIS ST_AsMVT(ST_AsMVTGeom(geom 3857 with GiST, env, 4096, 64)) of the "
              "9 layers (facilities and closed events from mvt_facility_clusters and "
              "mvt_event_clusters, the same aggregation in SQL made once before timing; the "
              "open events from mvt_open_events) through libpq, p50 of " +
              std::to_string(kAnchorRuns) + ", " + bytes +
              " bytes (computed, not sent: length()); its features: " + counts;
        }
      }
    } else {
      anchorNote = "PostGIS anchor: cannot connect to " + *url;
    }
    (void)shell(script + "purge");
  }

  std::string ours;
  for (const auto& [name, n] : (*densest)["layers"].items()) {
    ours += (ours.empty() ? "" : ", ") + name + " " + std::to_string(n.get<std::size_t>());
  }
  const std::string what =
      "GET " + path + " (the densest z14 tile, " +
      std::to_string((*densest)["counted"].get<std::size_t>()) +
      " building/facility/event points; base layers, anonymous: facilities and closed "
      "events as clusters per grid and 1/32-tile cell below z16, engine/tiles/cluster.h), "
      "server 1 thread, wrk -t1 -c1 -d5s, ";
  Figure warmFigure{
      "serve.tile_z14_p50_ms",
      wrkNumber(warm->wrk, "50%"),
      "ms",
      false,
      std::nullopt,
      std::nullopt,
      "target <= 5 ms; WARM: served from the tile cache (default bound; " + warm->hits +
          " cache hits in the run), the encoder's cost is serve.tile_z14_cold_p50_ms (" +
          msText(wrkNumber(cold->wrk, "50%")) +
          " ms); the anchor caches nothing: its like-for-like figure is the cold one; " + what +
          "p99 " + msText(wrkNumber(warm->wrk, "99%")) + " ms, " +
          warm->first.substr(warm->first.find(' ') + 1) + " bytes; our features: " + ours +
          "; anchor: " + anchorNote};
  Figure coldFigure{"serve.tile_z14_cold_p50_ms",
                    wrkNumber(cold->wrk, "50%"),
                    "ms",
                    false,
                    std::nullopt,
                    std::nullopt,
                    "COLD: --tile-cache-mb 0, every request rendered and encoded (" + cold->hits +
                        " cache hits); " + what + "p99 " + msText(wrkNumber(cold->wrk, "99%")) +
                        " ms, " + cold->first.substr(cold->first.find(' ') + 1) +
                        " bytes; anchor: as serve.tile_z14_p50_ms"};
  const auto& ac = afterCase->ms;
  Figure afterCaseFigure{
      "serve.tile_z14_after_case_p50_ms",
      ac[ac.size() / 2],
      "ms",
      false,
      std::nullopt,
      std::nullopt,
      "AFTER A CASE: what a user sees when a case lands in the tile: " +
          std::to_string(kAfterCaseRuns) +
          " times POST /cases at the tile's centre (not timed), then GET " + path +
          " (timed, curl time_total, a new connection each; default cache bound, the tile asked "
          "for once before): the tile cache drops the tile, its static layers' bytes are kept "
          "(service/static_layer_cache.h), the event layers drawn again; the server's counters: " +
          afterCase->invalidated + " tiles invalidated, " + afterCase->staticHits +
          " renders with held static layers; p90 " + msText(ac[ac.size() * 9 / 10]) + " ms, max " +
          msText(ac.back()) +
          " ms; the same curl GET answered from the tile cache right after (curl's and the "
          "transfer's share): p50 " +
          msText(afterCase->hitMs[afterCase->hitMs.size() / 2]) + " ms; " + afterCase->bytes +
          " bytes at first; server 1 thread; anchor: as serve.tile_z14_p50_ms (it caches nothing: "
          "every request is its cold figure)"};
  if (anchorMs) {
    for (Figure* f : {&warmFigure, &coldFigure, &afterCaseFigure}) {
      f->anchor = "PostGIS ST_AsMVT of the same tile through libpq";
      f->anchorValue = *anchorMs;
    }
  }
  return std::vector<Figure>{warmFigure, coldFigure, afterCaseFigure};
}

}  // namespace gridtwin::bench
