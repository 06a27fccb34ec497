// load.* and reopen.*: the dataset GeoPackage into the columnar district
// (store::loadGeoPackage), and the fast reopen through its snapshot
// (store::openDataset), each in a child process of its own. twin.rss_mb: the
// whole district ready for queries (query::Twin: the snapshot's columns, the
// grid locator, an entity index per query kind, the linkage tables), held
// against issue 4's "the whole district in the engine <= 2 GB resident".
//
// Anchor: GDAL/OGR reading the same base tables in the same run (GDALOpenEx,
// then every feature of every table, geometry and fields decoded by OGR), on
// one thread, as any GDAL-based tool would. Row counts must agree with ours.
// The page cache is warmed before each side, so that neither pays for the
// disk and the order does not matter.
#include <gdal.h>
#include <ogr_api.h>

#include <cstdio>
#include <filesystem>
#include <thread>

#include "bench.h"
#include "model/district.h"
#include "model/snapshot.h"
#include "query/twin.h"
#include "store/gpkg_reader.h"
#include "store/staff_reader.h"

namespace gridtwin::bench {
namespace {

// The base tables, in model::Kind order (layer_catalog, read by us too, is
// tiny and left out of both sides' comparison).
constexpr model::Kind kBaseKinds[] = {
    model::Kind::kStreet,   model::Kind::kCommunity, model::Kind::kGrid,  model::Kind::kRoad,
    model::Kind::kBuilding, model::Kind::kAddress,   model::Kind::kHouse, model::Kind::kPerson,
    model::Kind::kEntity,   model::Kind::kFacility,  model::Kind::kEvent};

std::string ogrAnchorName() {
  return std::string("GDAL/OGR ") + GDALVersionInfo("RELEASE_NAME") +
         " read of the same 11 base tables (GDALOpenEx + every feature), 1 thread";
}

core::Result<void> measureOgr(Context& ctx) {
  if (ctx.ogrSeconds) return {};
  if (auto warm = warmPageCache(ctx.dataset); !warm) return warm.takeError();
  auto reply = inChild("GDAL/OGR read of " + ctx.dataset, [&]() -> core::Result<nlohmann::json> {
    GDALAllRegister();
    const auto t0 = Clock::now();
    GDALDatasetH ds = GDALOpenEx(ctx.dataset.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr,
                                 nullptr, nullptr);
    if (!ds) {
      const std::string why = CPLGetLastErrorMsg();
      return core::makeError(core::ErrorCode::kStore,
                             why.empty() ? "GDAL cannot open it as a vector dataset" : why,
                             ctx.dataset);
    }
    nlohmann::json rows = nlohmann::json::object();
    for (const auto kind : kBaseKinds) {
      const std::string table(model::kindTable(kind));
      OGRLayerH layer = GDALDatasetGetLayerByName(ds, table.c_str());
      if (!layer) {
        GDALClose(ds);
        return core::makeError(core::ErrorCode::kStore, "no table " + table, ctx.dataset);
      }
      OGR_L_ResetReading(layer);
      std::int64_t n = 0;
      while (OGRFeatureH f = OGR_L_GetNextFeature(layer)) {
        ++n;
        OGR_F_Destroy(f);
      }
      rows[table] = n;
    }
    GDALClose(ds);
    return nlohmann::json{{"seconds", secondsSince(t0)}, {"rows", rows}};
  });
  if (!reply) return reply.takeError();
  ctx.ogrSeconds = (*reply)["seconds"].get<double>();
  ctx.ogrRows = (*reply)["rows"];
  std::printf("  anchor: GDAL/OGR read %.3f s\n", *ctx.ogrSeconds);
  return {};
}

}  // namespace

core::Result<std::vector<Figure>> runLoad(Context& ctx) {
  if (auto ogr = measureOgr(ctx); !ogr) return ogr.takeError();
  if (auto warm = warmPageCache(ctx.dataset); !warm) return warm.takeError();
  auto reply = inChild("loadGeoPackage " + ctx.dataset, [&]() -> core::Result<nlohmann::json> {
    const double baselineMb = currentRssMb();
    const auto t0 = Clock::now();
    auto district = store::loadGeoPackage(ctx.dataset);
    const double seconds = secondsSince(t0);
    if (!district) return district.takeError();
    const double peakMb = peakRssMb();
    nlohmann::json rows = nlohmann::json::object();
    for (const auto kind : kBaseKinds) {
      rows[std::string(model::kindTable(kind))] = district->count(kind);
    }
    // Leave a valid snapshot beside the dataset for reopen.*, so that it need
    // not load the GeoPackage once more to make one. Not timed.
    std::string snapshot = "kept";
    auto stamp = model::stampOf(ctx.dataset);
    if (!stamp) return stamp.takeError();
    const std::string snapPath = store::snapshotPathFor(ctx.dataset);
    if (!model::openSnapshot(snapPath, *stamp, model::SnapshotCheck::kHeaderOnly)) {
      auto written = model::writeSnapshot(*district, *stamp, snapPath);
      snapshot = written ? "written" : "not written: " + written.error().toString();
    }
    return nlohmann::json{{"seconds", seconds},
                          {"peak_mb", peakMb},
                          {"baseline_mb", baselineMb},
                          {"rows", rows},
                          {"memory_bytes", district->memoryBytes()},
                          {"snapshot", snapshot}};
  });
  if (!reply) return reply.takeError();
  const auto& r = *reply;
  if (r["rows"] != ctx.ogrRows) {
    return core::makeError(
        core::ErrorCode::kStore,
        "row counts differ: gridtwin " + r["rows"].dump() + ", GDAL/OGR " + ctx.ogrRows.dump(),
        ctx.dataset);
  }
  std::int64_t rows = 0;
  for (const auto& [table, n] : r["rows"].items()) rows += n.get<std::int64_t>();
  std::error_code ec;
  const double fileMb =
      static_cast<double>(std::filesystem::file_size(ctx.dataset, ec)) / 1048576.0;
  const double seconds = r["seconds"];
  char note[300];
  std::snprintf(note, sizeof note,
                "%lld rows of the 11 base tables (+ layer_catalog), counts equal to OGR's; "
                "gridtwin reads tables on up to 4 threads (%u cores here); page cache warm",
                static_cast<long long>(rows), std::thread::hardware_concurrency());
  std::vector<Figure> figures;
  figures.push_back({"load.seconds", seconds, "s", false, ogrAnchorName(), *ctx.ogrSeconds, note});
  std::snprintf(note, sizeof note,
                "no anchor: OGR streams and keeps nothing; peak VmHWM of the loading process "
                "(%.0f MiB before loading), columns %.0f MiB, GeoPackage %.0f MiB",
                r["baseline_mb"].get<double>(), r["memory_bytes"].get<double>() / 1048576.0,
                fileMb);
  figures.push_back({"load.rss_mb", r["peak_mb"], "MiB", false, std::nullopt, std::nullopt, note});
  std::printf("  snapshot: %s\n", r["snapshot"].get<std::string>().c_str());
  return figures;
}

core::Result<std::vector<Figure>> runReopen(Context& ctx) {
  if (auto ogr = measureOgr(ctx); !ogr) return ogr.takeError();
  // Make sure a valid snapshot exists (runLoad leaves one; otherwise this
  // loads the GeoPackage and writes it). Not timed.
  auto prepared = inChild("openDataset " + ctx.dataset, [&]() -> core::Result<nlohmann::json> {
    auto ds = store::openDataset(ctx.dataset);
    if (!ds) return ds.takeError();
    const auto& report = ds->report;
    if (!report.fromSnapshot && !report.snapshotWritten) {
      return core::makeError(core::ErrorCode::kStore,
                             "no snapshot could be written: " + report.snapshotNote,
                             report.snapshotPath);
    }
    return nlohmann::json{{"path", report.snapshotPath}};
  });
  if (!prepared) return prepared.takeError();
  const std::string snapPath = (*prepared)["path"];
  if (auto warm = warmPageCache(snapPath); !warm) return warm.takeError();
  auto reply = inChild("openDataset " + snapPath, [&]() -> core::Result<nlohmann::json> {
    store::OpenOptions options;
    options.writeSnapshot = false;
    const auto t0 = Clock::now();
    auto ds = store::openDataset(ctx.dataset, options);
    if (!ds) return ds.takeError();
    // The first query: how many people live in the grid of the first person.
    const auto& d = ds->district;
    const auto grids = d.people().grid;
    const std::uint32_t grid = grids.empty() ? 0 : grids[0];
    std::size_t people = 0;
    for (const std::uint32_t g : grids) people += g == grid ? 1 : 0;
    const double seconds = secondsSince(t0);
    if (!ds->report.fromSnapshot) {
      return core::makeError(core::ErrorCode::kStore,
                             "the snapshot was not used: " + ds->report.snapshotNote, snapPath);
    }
    const std::string code = d.grids().size() ? std::string(d.grids().code[grid]) : "";
    return nlohmann::json{{"seconds", seconds}, {"grid", code}, {"people", people}};
  });
  if (!reply) return reply.takeError();
  const auto& r = *reply;
  std::error_code ec;
  const double snapMb = static_cast<double>(std::filesystem::file_size(snapPath, ec)) / 1048576.0;
  char note[300];
  std::snprintf(note, sizeof note,
                "openDataset() from the %.0f MiB .snap (full checksum check) + first query "
                "(people of grid %s: %lld); page cache warm; anchor: the OGR read of load.seconds",
                snapMb, r["grid"].get<std::string>().c_str(),
                static_cast<long long>(r["people"].get<std::int64_t>()));
  return std::vector<Figure>{
      {"reopen.seconds", r["seconds"], "s", false, ogrAnchorName(), *ctx.ogrSeconds, note}};
}

namespace {

// Opens the district (from its snapshot, or from the GeoPackage with
// `fromSnapshot` false), builds the query twin on it and reports the memory
// of this process. Run in a child.
core::Result<nlohmann::json> measureTwin(const std::string& dataset, bool fromSnapshot) {
  const double baselineMb = currentRssMb();
  const auto t0 = Clock::now();
  store::OpenOptions open;
  open.useSnapshot = fromSnapshot;
  open.writeSnapshot = false;
  auto ds = store::openDataset(dataset, open);
  if (!ds) return ds.takeError();
  if (ds->report.fromSnapshot != fromSnapshot) {
    return core::makeError(core::ErrorCode::kStore,
                           "the snapshot was not used: " + ds->report.snapshotNote, dataset);
  }
  std::vector<store::StaffRow> staff;
  auto has = store::hasStaffTable(dataset);
  if (!has) return has.takeError();
  if (*has) {
    auto rows = store::readStaff(dataset);
    if (!rows) return rows.takeError();
    staff = std::move(*rows);
  }
  auto twin = query::Twin::build(std::move(ds->district), std::move(staff), {true});
  const double seconds = secondsSince(t0);
  if (!twin) return twin.takeError();
  if (!(*twin)->indexed()) {
    return core::makeError(core::ErrorCode::kUnsupported, "the twin is not indexed", dataset);
  }
  // Touch every kind once through its index, as the first queries would.
  const auto& d = (*twin)->district();
  std::size_t points = 0;
  for (const auto kind : query::kQueryKinds) {
    points += (*twin)->points(kind).size();
    std::vector<query::Neighbour> nn;
    const geo::Point p = d.grids().shape.xy.empty() ? geo::Point{} : d.grids().shape.xy[0];
    (*twin)->search(kind).nearest(p, 1, nn);
  }
  return nlohmann::json{{"seconds", seconds},
                        {"peak_mb", peakRssMb()},
                        {"current_mb", currentRssMb()},
                        {"baseline_mb", baselineMb},
                        {"columns_mb", d.memoryBytes() / 1048576.0},
                        {"points", points}};
}

}  // namespace

core::Result<std::vector<Figure>> runTwin(Context& ctx) {
  // load.rss_mb is the GeoPackage load alone (columns, no index). Here: what
  // `gridtwin query` and the viewer hold — the district opened, then every
  // index and link table of query::Twin built — on both ways in: the
  // snapshot (the usual one; written first when missing, not measured) and
  // the GeoPackage itself (the first open of a new dataset).
  auto prepared = inChild("openDataset " + ctx.dataset, [&]() -> core::Result<nlohmann::json> {
    auto ds = store::openDataset(ctx.dataset);
    if (!ds) return ds.takeError();
    return nlohmann::json{{"path", ds->report.snapshotPath}};
  });
  if (!prepared) return prepared.takeError();
  const std::string snapPath = (*prepared)["path"];
  std::vector<Figure> figures;
  for (const bool fromSnapshot : {true, false}) {
    if (auto warm = warmPageCache(fromSnapshot ? snapPath : ctx.dataset); !warm) {
      return warm.takeError();
    }
    auto reply = inChild("query::Twin on " + ctx.dataset, [&]() -> core::Result<nlohmann::json> {
      return measureTwin(ctx.dataset, fromSnapshot);
    });
    if (!reply) return reply.takeError();
    const auto& r = *reply;
    char note[450];
    std::snprintf(note, sizeof note,
                  "target <= 2048 MiB (issue 4); peak VmHWM of a process that opens the district "
                  "from its %s and builds the query twin: locator + entity "
                  "indexes and link tables of %zu points over the 7 query kinds, in %.2f s in "
                  "all; %.0f MiB resident afterwards, %.0f MiB before; columns %.0f MiB",
                  fromSnapshot ? "snapshot (mapped, full checksum check, page cache warm)"
                               : "GeoPackage (page cache warm)",
                  r["points"].get<std::size_t>(), r["seconds"].get<double>(),
                  r["current_mb"].get<double>(), r["baseline_mb"].get<double>(),
                  r["columns_mb"].get<double>());
    figures.push_back({fromSnapshot ? "twin.rss_mb" : "twin.rss_mb_from_gpkg", r["peak_mb"], "MiB",
                       false, std::nullopt, std::nullopt, note});
  }
  return figures;
}

}  // namespace gridtwin::bench
