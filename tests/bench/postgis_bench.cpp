// postgis.*: the PostGIS store (engine/pgstore) on the same dataset.
//
//   postgis.ingest_rows_per_second  gridtwin ingest of the whole dataset (every
//       table and layer; keys, links, GiST indexes and the registers' ANALYZE included), one
//       transaction. No anchor measured: the figure is held against the
//       target of issue 6 (>= 100,000 rows/s), given in the note.
//   postgis.load_seconds  the engine's snapshot loaded from PostGIS
//       (pgstore::loadPostgis); anchor: the GeoPackage load
//       (store::loadGeoPackage) of the same dataset in the same run. Target:
//       ratio >= 1/3 (PostGIS at most 3x the GeoPackage time).
// The cluster is a private one (scripts/postgis, state in <work>/pg), purged
// afterwards; each side runs in a child process of its own.
#include <cstdio>
#include <string>
#include <thread>

#include "bench.h"
#include "pgstore/connection.h"
#include "pgstore/ingest.h"
#include "pgstore/loader.h"
#include "store/gpkg_reader.h"
#include "workloads.h"

namespace gridtwin::bench {
namespace {}  // namespace

core::Result<std::vector<Figure>> runPostgis(Context& ctx) {
  const std::string state = ctx.workDir + "/pg";
  const std::string script = postgisScript(state);
  auto url = shell(script + "start");
  if (!url) return url.takeError();
  std::printf("  cluster: %s\n", url->c_str());
  {
    auto c = pgstore::Connection::open(*url);
    if (!c) return c.takeError();
    // A fresh dataset each run: drop the schema the previous run left.
    if (auto r = c->execute("DROP SCHEMA IF EXISTS gridtwin CASCADE"); !r) return r.takeError();
  }
  if (auto warm = warmPageCache(ctx.dataset); !warm) return warm.takeError();
  auto ingested = inChild("gridtwin ingest " + ctx.dataset, [&]() -> core::Result<nlohmann::json> {
    auto r = pgstore::ingest(*url, ctx.dataset);
    if (!r) return r.takeError();
    return nlohmann::json{{"rows", r->rows},        {"seconds", r->seconds},
                          {"copy", r->copySeconds}, {"index", r->indexSeconds},
                          {"tables", r->tables},    {"views", r->views}};
  });
  if (!ingested) return ingested.takeError();
  auto pgLoad = inChild("loadPostgis", [&]() -> core::Result<nlohmann::json> {
    const auto t0 = Clock::now();
    auto d = pgstore::loadPostgis(*url);
    if (!d) return d.takeError();
    return nlohmann::json{{"seconds", secondsSince(t0)},
                          {"people", d->count(model::Kind::kPerson)}};
  });
  if (!pgLoad) return pgLoad.takeError();
  if (auto warm = warmPageCache(ctx.dataset); !warm) return warm.takeError();
  auto gpkgLoad = inChild("loadGeoPackage", [&]() -> core::Result<nlohmann::json> {
    const auto t0 = Clock::now();
    auto d = store::loadGeoPackage(ctx.dataset);
    if (!d) return d.takeError();
    return nlohmann::json{{"seconds", secondsSince(t0)},
                          {"people", d->count(model::Kind::kPerson)}};
  });
  if (!gpkgLoad) return gpkgLoad.takeError();
  (void)shell(script + "purge");

  const auto& in = *ingested;
  const double rows = in["rows"].get<double>();
  const double seconds = in["seconds"].get<double>();
  char note[400];
  std::snprintf(note, sizeof note,
                "target >= 100,000 rows/s (issue 6); %.0f rows in %lld tables (+%lld views) in "
                "%.1f s: COPY %.1f s, keys/links/GiST/ANALYZE %.1f s; %u cores shared with the "
                "server",
                rows, in["tables"].get<long long>(), in["views"].get<long long>(), seconds,
                in["copy"].get<double>(), in["index"].get<double>(),
                std::thread::hardware_concurrency());
  std::vector<Figure> figures;
  figures.push_back({"postgis.ingest_rows_per_second", seconds > 0 ? rows / seconds : 0, "rows/s",
                     true, std::nullopt, std::nullopt, note});
  std::snprintf(note, sizeof note,
                "target ratio >= 0.33 (PostGIS load at most 3x the GeoPackage load); both load "
                "%lld people; tables on up to 4 connections sharing one snapshot",
                (*pgLoad)["people"].get<long long>());
  figures.push_back({"postgis.load_seconds", (*pgLoad)["seconds"].get<double>(), "s", false,
                     "store::loadGeoPackage of the same dataset, same run",
                     (*gpkgLoad)["seconds"].get<double>(), note});
  return figures;
}

}  // namespace gridtwin::bench
