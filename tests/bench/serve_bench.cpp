// serve.*: gridtwin serve under load on loopback (issue 13's targets), the
// server on one thread, load from wrk (the figures need it installed):
//   serve.locate_requests_per_second  GET /locate, keep-alive, 64 connections (the
//                                     server pinned to CPU 0, wrk to CPU 1)
//   serve.items_1000_p50_ms           GET /collections/buildings/items?limit=1000
// and, as a group of its own (serve_stats, so the figure can be rerun alone):
//   serve.stats_p99_ms                GET /stats?bbox=... (a fixed box)
// Anchor of the items page: PostGIS's own SELECT ... ST_AsGeoJSON of the same
// 1,000 buildings through libpq (pg_featureserv is not packaged), p50 of 50.
#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "bench.h"
#include "pgstore/connection.h"
#include "serve_child.h"
#include "store/gpkg_reader.h"
#include "workloads.h"

namespace gridtwin::bench {

core::Result<std::vector<Figure>> runServe(Context& ctx) {
  if (!shell("command -v wrk")) {
    return core::makeError(core::ErrorCode::kUnsupported, "serve.* needs wrk (apt install wrk)");
  }
  auto server = startServe(ctx.dataset, {"--threads", "1"});
  if (!server) return server.takeError();
  const std::string base = server->base;
  // The server builds its tile source beside its start (~3 s of one core at
  // full scale: every zoom's clusters); a tile request waits for it, so
  // the figures below do not share the core with it.
  (void)shell("curl -s -o /dev/null " + base + "/tiles/14/13339/7114.mvt");
  (void)shell("curl -s -o /dev/null " + base + "/collections/buildings/items?limit=1000");
  const std::string locateRun =
      "wrk -t1 -c64 -d5s --latency '" + base + "/locate?lon=113.1&lat=23.02'";
  // Shared: the server's thread and wrk's wherever the scheduler puts them.
  auto shared = shell(locateRun);
  // The "on one core": every thread of the server pinned to CPU 0
  // and wrk to CPU 1, so neither preempts the other (where there are two
  // cores and taskset). The figure is this run; the note gives both.
  const bool pinned = pinServer(*server);
  auto locate = pinned ? shell(loadPrefix(true) + locateRun) : shared;
  auto items = shell("wrk -t1 -c1 -d5s --latency '" + base +
                     "/collections/buildings/items?limit=1000&offset=0'");
  stopServe(*server);
  if (!shared) return shared.takeError();
  if (!locate) return locate.takeError();
  if (!items) return items.takeError();

  // The anchor: the same page from PostGIS through libpq.
  std::optional<double> anchorMs;
  std::string anchorNote = "PostGIS anchor not measured";
  const std::string state = ctx.workDir + "/pg-serve";
  const std::string script = postgisScript(state);
  if (auto url = shell(script + "start")) {
    const std::string load = "ogr2ogr -overwrite -f PostgreSQL 'PG:" + *url + "' " + ctx.dataset +
                             " buildings -nln serve_buildings -lco GEOMETRY_NAME=geom";
    if (shell(load)) {
      if (auto c = pgstore::Connection::open(*url)) {
        std::vector<double> ms;
        for (int i = 0; i < 50; ++i) {
          const auto t0 = Clock::now();
          auto r = c->query(
              "SELECT building_id, use, floors, ST_AsGeoJSON(geom, 17) FROM serve_buildings "
              "ORDER BY fid LIMIT 1000 OFFSET 0");
          ms.push_back(secondsSince(t0) * 1000);
          if (!r) break;
        }
        if (ms.size() == 50) {
          std::sort(ms.begin(), ms.end());
          anchorMs = ms[25];
          anchorNote =
              "libpq SELECT building_id, use, floors, ST_AsGeoJSON(geom, 17) ... LIMIT 1000, p50 "
              "of 50";
        }
      }
    }
    (void)shell(script + "purge");
  }
  const unsigned cores = std::thread::hardware_concurrency();
  std::vector<Figure> figures;
  figures.push_back({"serve.locate_requests_per_second", wrkNumber(*locate, "Requests/sec:"),
                     "requests/s", true, std::nullopt, std::nullopt,
                     "target >= 20000 on one core, p99 <= 2 ms at 64 connections; server 1 thread" +
                         std::string(pinned ? " pinned to CPU 0, wrk -t1 -c64 -d5s pinned to CPU 1"
                                            : ", wrk -t1 -c64 -d5s, unpinned") +
                         " on a " + std::to_string(cores) + "-core machine: p99 " +
                         fixed(wrkNumber(*locate, "99%"), 2) + " ms" +
                         (pinned ? "; unpinned (both on both cores) " +
                                       fixed(wrkNumber(*shared, "Requests/sec:"), 0) +
                                       " req/s, p99 " + fixed(wrkNumber(*shared, "99%"), 2) + " ms"
                                 : std::string()) +
                         "; no anchor (no packaged OGC/locate server)"});
  Figure it{"serve.items_1000_p50_ms",
            wrkNumber(*items, "50%"),
            "ms",
            false,
            std::nullopt,
            std::nullopt,
            "target <= 10 ms; GET /collections/buildings/items?limit=1000 (footprints, CRS84), "
            "server 1 thread, wrk -c1 -d5s; anchor: " +
                anchorNote};
  if (anchorMs) {
    it.anchor = "PostGIS ST_AsGeoJSON page through libpq";
    it.anchorValue = *anchorMs;
  }
  figures.push_back(it);
  return figures;
}

core::Result<std::vector<Figure>> runServeStats(Context& ctx) {
  if (!shell("command -v wrk")) {
    return core::makeError(core::ErrorCode::kUnsupported, "serve.* needs wrk (apt install wrk)");
  }
  auto server = startServe(ctx.dataset, {"--threads", "1"});
  if (!server) return server.takeError();
  const std::string url = server->base + "/stats?bbox=113.08,23.00,113.12,23.04";
  // 5 s unmeasured first: the server's start-up work (the tile clusters)
  // runs on after it listens, and shares the cores with the first seconds.
  auto warm = shell("wrk -t1 -c1 -d5s '" + url + "'");
  // Unpinned, then the server on CPU 0 and wrk on CPU 1 (the figure).
  auto shared = shell("wrk -t1 -c1 -d5s --latency '" + url + "'");
  const bool pinned = pinServer(*server);
  auto stats =
      pinned ? shell(loadPrefix(true) + "wrk -t1 -c1 -d5s --latency '" + url + "'") : shared;
  stopServe(*server);
  if (!warm) return warm.takeError();
  if (!shared) return shared.takeError();
  if (!stats) return stats.takeError();
  return std::vector<Figure>{
      {"serve.stats_p99_ms", wrkNumber(*stats, "99%"), "ms", false, std::nullopt, std::nullopt,
       "target <= 5 ms; GET /stats?bbox=113.08,23.00,113.12,23.04 (CGCS2000), server 1 thread" +
           std::string(pinned ? " pinned to CPU 0, wrk -c1 -d5s pinned to CPU 1"
                              : ", wrk -c1 -d5s, unpinned") +
           ", after 5 s of warm-up: p50 " + fixed(wrkNumber(*stats, "50%"), 2) + " ms" +
           (pinned ? "; unpinned p50 " + fixed(wrkNumber(*shared, "50%"), 2) + " ms, p99 " +
                         fixed(wrkNumber(*shared, "99%"), 2) + " ms"
                   : std::string()) +
           "; no anchor"}};
}

}  // namespace gridtwin::bench
