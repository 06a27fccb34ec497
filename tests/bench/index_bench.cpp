// locator.* and index.*: the grid locator and the entity index
// (engine/index) on the district's own data, each beside GEOS measured in
// the same run on the same polygons, points and queries (answers must agree,
// or the group fails):
//
//  - locator.points_per_second_{uniform,clustered}: 2M points (uniform in the
//    grids' box; or address points jittered by ~20 m) → grid, 1 thread.
//    Anchor: GEOS 3.11 STRtree over the grids + prepared covers on every
//    candidate (all candidates, so that the tie rule — lowest code — holds).
//  - index.build_ms: EntityIndex over the 1.4M people at their house's
//    address point, grid lists included. Anchor: GEOS STRtree over the same
//    points (inserts + the first query, which packs it), point geometries
//    made beforehand and not timed.
//  - index.box_count_us: count in a random 500 m box. Anchor: STRtree query.
//  - index.polygon_hits_p50_ms: 32-vertex star polygons of radius
//    300-1,500 m around random people; median time. Anchor: STRtree query on
//    the polygon's box + prepared covers per candidate.
//  - index.knn5_us / index.knn1_us over the 500k facilities. The GEOS C API
//    has no k-nearest: knn1 is set against GEOSSTRtree_nearest_r; knn5 has
//    no anchor (FIELD-NOTES: Boost rtree 1.0 µs, PostGIS 42 µs).
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <random>

#include "bench.h"
#include "geo/geos.h"
#include "index/entity_index.h"
#include "index/grid_locator.h"
#include "store/gpkg_reader.h"
#include "workloads.h"

namespace gridtwin::bench {
namespace {

constexpr std::size_t kLocatorPoints = 2'000'000;
constexpr int kReps = 3;

using GeosHandle = GEOSContextHandle_t;

// One GEOS point geometry per input point, owned; destroyed with the handle's
// context on this thread.
struct GeosPoints {
  GeosHandle h;
  std::vector<GEOSGeometry*> geoms;
  GeosPoints(GeosHandle handle, std::span<const geo::Point> pts) : h(handle) {
    geoms.reserve(pts.size());
    for (const auto& p : pts) geoms.push_back(GEOSGeom_createPointFromXY_r(h, p.x, p.y));
  }
  ~GeosPoints() {
    for (auto* g : geoms) GEOSGeom_destroy_r(h, g);
  }
  GeosPoints(const GeosPoints&) = delete;
  GeosPoints& operator=(const GeosPoints&) = delete;
};

struct TreeDeleter {
  GeosHandle h;
  void operator()(GEOSSTRtree* t) const { GEOSSTRtree_destroy_r(h, t); }
};
using TreePtr = std::unique_ptr<GEOSSTRtree, TreeDeleter>;

// Wall and thread-CPU seconds of the best of `reps` runs (best by CPU time).
// The CPU time is what one core spent on this thread: on this shared 2-core
// machine it is the "per core" figure, the wall time what a caller waited.
struct Times {
  double wall = 1e300;
  double cpu = 1e300;
};
double threadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
template <class F>
Times bestTimes(int reps, F&& f) {
  Times best;
  for (int i = 0; i < reps; ++i) {
    const double c0 = threadCpuSeconds();
    const auto t0 = Clock::now();
    f();
    const double wall = secondsSince(t0), cpu = threadCpuSeconds() - c0;
    best.wall = std::min(best.wall, wall);
    best.cpu = std::min(best.cpu, cpu);
  }
  return best;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

core::Result<nlohmann::json> measure(const std::string& dataset) {
  store::OpenOptions open;
  open.writeSnapshot = false;
  auto ds = store::openDataset(dataset, open);
  if (!ds) return ds.takeError();
  const model::District& district = ds->district;
  nlohmann::json out;

  // ---- locator
  auto locator = index::GridLocator::build(district);
  if (!locator) return locator.takeError();
  const auto& ls = locator->stats();
  out["locator_stats"] = {{"grids", ls.grids},
                          {"edges", ls.edges},
                          {"nx", ls.nx},
                          {"ny", ls.ny},
                          {"cell_m", ls.cellSize},
                          {"boundary_cells", ls.boundaryCells},
                          {"candidates", ls.candidates},
                          {"band_edges", ls.bandEdges},
                          {"cell_bytes", ls.cellBytes},
                          {"memory_mb", ls.memoryBytes / 1048576.0},
                          {"build_ms", ls.buildSeconds * 1e3}};
  geo::Box box;
  for (const auto& p : district.grids().shape.xy) box.expand(p);
  std::mt19937_64 rng(20261201);
  std::vector<geo::Point> uniform(kLocatorPoints), clustered(kLocatorPoints);
  std::uniform_real_distribution<double> ux(box.minx, box.maxx), uy(box.miny, box.maxy);
  for (auto& p : uniform) p = {ux(rng), uy(rng)};
  const auto& addr = district.addresses().point.xy;
  std::uniform_int_distribution<std::size_t> pickAddr(0, addr.size() - 1);
  std::normal_distribution<double> jitter(0, 20);
  for (auto& p : clustered) {
    const geo::Point a = addr[pickAddr(rng)];
    p = {a.x + jitter(rng), a.y + jitter(rng)};
  }

  GeosHandle h = geo::threadContext().handle();
  std::vector<geo::Prepared> prepared;
  std::vector<std::uint32_t> rank(locator->gridCount());
  {
    std::vector<std::uint32_t> order(rank.size());
    for (std::uint32_t g = 0; g < order.size(); ++g) order[g] = g;
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return district.grids().code[a] < district.grids().code[b];
    });
    for (std::uint32_t k = 0; k < order.size(); ++k) rank[order[k]] = k;
  }
  TreePtr gridTree(GEOSSTRtree_create_r(h, 10), TreeDeleter{h});
  {
    const auto& shape = district.grids().shape;
    for (std::size_t g = 0; g < district.grids().size(); ++g) {
      geo::MultiPolygon mp;
      for (auto part = shape.partStart[g]; part < shape.partStart[g + 1]; ++part) {
        geo::Polygon poly;
        for (auto r = shape.ringStart[part]; r < shape.ringStart[part + 1]; ++r) {
          geo::Ring ring(shape.xy.begin() + shape.pointStart[r],
                         shape.xy.begin() + shape.pointStart[r + 1]);
          if (r == shape.ringStart[part])
            poly.outer = ring;
          else
            poly.holes.push_back(ring);
        }
        mp.polygons.push_back(poly);
      }
      auto p = geo::Prepared::make(geo::Geometry(mp));
      if (!p) return p.takeError();
      prepared.push_back(std::move(*p));
    }
    for (std::size_t g = 0; g < prepared.size(); ++g) {
      GEOSSTRtree_insert_r(h, gridTree.get(), prepared[g].base(), reinterpret_cast<void*>(g));
    }
  }
  struct GridQuery {
    GeosHandle h;
    const std::vector<geo::Prepared>* prepared;
    const std::vector<std::uint32_t>* rank;
    const GEOSGeometry* point;
    std::int32_t best;
  };
  auto geosLocate = [&](const geo::Point& p) {
    GEOSGeometry* pt = GEOSGeom_createPointFromXY_r(h, p.x, p.y);
    GridQuery q{h, &prepared, &rank, pt, -1};
    GEOSSTRtree_query_r(
        h, gridTree.get(), pt,
        [](void* item, void* data) {
          auto* query = static_cast<GridQuery*>(data);
          const auto g = static_cast<std::int32_t>(reinterpret_cast<std::uintptr_t>(item));
          if (query->best >= 0 && (*query->rank)[static_cast<std::size_t>(g)] >
                                      (*query->rank)[static_cast<std::size_t>(query->best)]) {
            return;
          }
          if (GEOSPreparedCovers_r(query->h,
                                   (*query->prepared)[static_cast<std::size_t>(g)].prepared(),
                                   query->point) == 1) {
            query->best = g;
          }
        },
        &q);
    GEOSGeom_destroy_r(h, pt);
    return q.best;
  };
  for (const auto& [name, pts] : {std::pair{"uniform", &uniform}, {"clustered", &clustered}}) {
    std::vector<std::int32_t> ours(pts->size()), theirs(pts->size());
    const Times oursTimes =
        bestTimes(kReps, [&] { (void)locator->locate(*pts, std::span<std::int32_t>(ours)); });
    const Times geosTimes = bestTimes(1, [&] {
      for (std::size_t i = 0; i < pts->size(); ++i) theirs[i] = geosLocate((*pts)[i]);
    });
    const double oursSeconds = oursTimes.wall, geosSeconds = geosTimes.wall;
    std::size_t inside = 0;
    for (std::size_t i = 0; i < pts->size(); ++i) {
      if (ours[i] != theirs[i]) {
        char what[160];
        std::snprintf(what, sizeof what, "%s point %zu (%.17g %.17g): ours %d, GEOS %d", name, i,
                      (*pts)[i].x, (*pts)[i].y, ours[i], theirs[i]);
        return core::makeError(core::ErrorCode::kInvalidArgument,
                               std::string("answers differ: ") + what);
      }
      inside += ours[i] >= 0 ? 1 : 0;
    }
    std::vector<std::int32_t> threaded(pts->size());
    const double twoThreads = bestSeconds(
        kReps, [&] { (void)locator->locate(*pts, std::span<std::int32_t>(threaded), 2); });
    out[std::string("locator_") + name] = {
        {"ours", oursSeconds},       {"geos", geosSeconds}, {"ours_cpu", oursTimes.cpu},
        {"geos_cpu", geosTimes.cpu}, {"inside", inside},    {"two_threads", twoThreads}};
  }

  // ---- entity index over people
  const std::vector<geo::Point> people = peoplePoints(district);
  std::optional<index::EntityIndex> peopleIndex;
  const double buildSeconds = bestSeconds(kReps, [&] {
    peopleIndex.reset();
    auto built = index::EntityIndex::build(people, &*locator);
    if (built) peopleIndex = std::move(*built);
  });
  if (!peopleIndex)
    return core::makeError(core::ErrorCode::kInvalidArgument, "people index failed");
  const auto& es = peopleIndex->stats();
  out["index_stats"] = {{"points", es.points},
                        {"nx", es.nx},
                        {"ny", es.ny},
                        {"cell_m", es.cellSize},
                        {"memory_mb", es.memoryBytes / 1048576.0},
                        {"grid_assign_ms", es.gridAssignSeconds * 1e3}};
  GeosPoints peopleGeoms(h, people);
  TreePtr peopleTree(nullptr, TreeDeleter{h});
  const double geosBuild = bestSeconds(1, [&] {
    peopleTree.reset(GEOSSTRtree_create_r(h, 10));
    for (std::size_t i = 0; i < people.size(); ++i) {
      GEOSSTRtree_insert_r(h, peopleTree.get(), peopleGeoms.geoms[i], reinterpret_cast<void*>(i));
    }
    GEOSSTRtree_query_r(
        h, peopleTree.get(), peopleGeoms.geoms[0], [](void*, void*) {}, nullptr);
  });
  out["build"] = {{"ours", buildSeconds}, {"geos", geosBuild}};

  // Box counts.
  std::uniform_int_distribution<std::size_t> pickPerson(0, people.size() - 1);
  std::vector<geo::Box> boxes;
  while (boxes.size() < 2000) {
    const geo::Point c = people[pickPerson(rng)];
    if (!std::isfinite(c.x)) continue;
    boxes.push_back({c.x - 250, c.y - 250, c.x + 250, c.y + 250});
  }
  std::vector<std::size_t> oursCounts(boxes.size()), geosCounts(boxes.size());
  const double boxOurs = bestSeconds(kReps, [&] {
    for (std::size_t q = 0; q < boxes.size(); ++q) oursCounts[q] = *peopleIndex->countBox(boxes[q]);
  });
  const double boxGeos = bestSeconds(1, [&] {
    for (std::size_t q = 0; q < boxes.size(); ++q) {
      GEOSGeometry* env =
          GEOSGeom_createRectangle_r(h, boxes[q].minx, boxes[q].miny, boxes[q].maxx, boxes[q].maxy);
      std::size_t n = 0;
      GEOSSTRtree_query_r(
          h, peopleTree.get(), env, [](void*, void* data) { ++*static_cast<std::size_t*>(data); },
          &n);
      GEOSGeom_destroy_r(h, env);
      geosCounts[q] = n;
    }
  });
  if (oursCounts != geosCounts) {
    return core::makeError(core::ErrorCode::kInvalidArgument, "box counts differ from GEOS");
  }
  out["box"] = {{"ours_us", boxOurs / boxes.size() * 1e6},
                {"geos_us", boxGeos / boxes.size() * 1e6}};

  // Polygon hits.
  std::vector<geo::Polygon> polys;
  while (polys.size() < 100) {
    const geo::Point c = people[pickPerson(rng)];
    if (std::isfinite(c.x)) polys.push_back(star(rng, c));
  }
  std::vector<double> oursMs, geosMs;
  std::size_t hitsTotal = 0;
  std::vector<std::uint32_t> hits;
  for (const auto& poly : polys) {
    double best = 1e300;
    for (int r = 0; r < kReps; ++r) {
      hits.clear();
      const auto t0 = Clock::now();
      auto ok = peopleIndex->polygon(poly, hits);
      best = std::min(best, secondsSince(t0));
      if (!ok) return ok.takeError();
    }
    oursMs.push_back(best * 1e3);
    hitsTotal += hits.size();
    const auto t0 = Clock::now();
    auto gp = geo::Prepared::make(geo::Geometry(poly));
    if (!gp) return gp.takeError();
    struct PolyQuery {
      GeosHandle h;
      const GEOSPreparedGeometry* prep;
      const std::vector<GEOSGeometry*>* geoms;
      std::size_t n;
    } pq{h, gp->prepared(), &peopleGeoms.geoms, 0};
    const auto t1 = Clock::now();
    GEOSSTRtree_query_r(
        h, peopleTree.get(), gp->base(),
        [](void* item, void* data) {
          auto* q = static_cast<PolyQuery*>(data);
          const auto i = reinterpret_cast<std::uintptr_t>(item);
          if (GEOSPreparedCovers_r(q->h, q->prep, (*q->geoms)[i]) == 1) ++q->n;
        },
        &pq);
    const double prepSeconds = std::chrono::duration<double>(t1 - t0).count();
    geosMs.push_back((secondsSince(t1) + prepSeconds) * 1e3);
    if (pq.n != hits.size()) {
      return core::makeError(core::ErrorCode::kInvalidArgument,
                             "polygon hits differ from GEOS: " + std::to_string(hits.size()) +
                                 " vs " + std::to_string(pq.n));
    }
  }
  out["polygon"] = {{"ours_p50_ms", median(oursMs)},
                    {"geos_p50_ms", median(geosMs)},
                    {"mean_hits", static_cast<double>(hitsTotal) / polys.size()}};

  // kNN over facilities.
  const auto& fac = district.facilities().point.xy;
  auto facIndex = index::EntityIndex::build(fac);
  if (!facIndex) return facIndex.takeError();
  // Queries where they come from: event locations ("the cameras nearest
  // to this event").
  const auto& events = district.events().point.xy;
  std::uniform_int_distribution<std::size_t> pickEvent(0, events.size() - 1);
  std::vector<geo::Point> queries;
  while (queries.size() < 20000) {
    const geo::Point e = events[pickEvent(rng)];
    if (std::isfinite(e.x) && std::isfinite(e.y)) queries.push_back(e);
  }
  std::vector<index::EntityIndex::Neighbour> nn;
  double sink = 0;
  auto knn = [&](std::size_t k) {
    return bestTimes(kReps, [&] {
      for (const auto& q : queries) {
        nn.clear();
        (void)facIndex->nearest(q, k, nn);
        sink += nn.front().distance;
      }
    });
  };
  const Times knn5 = knn(5), knn1 = knn(1);
  GeosPoints facGeoms(h, fac);
  TreePtr facTree(GEOSSTRtree_create_r(h, 10), TreeDeleter{h});
  for (std::size_t i = 0; i < fac.size(); ++i) {
    GEOSSTRtree_insert_r(h, facTree.get(), facGeoms.geoms[i], facGeoms.geoms[i]);
  }
  GeosPoints queryGeoms(h, queries);
  std::size_t disagree = 0;
  const Times knn1Geos = bestTimes(1, [&] {
    for (std::size_t i = 0; i < queries.size(); ++i) {
      const GEOSGeometry* g = GEOSSTRtree_nearest_r(h, facTree.get(), queryGeoms.geoms[i]);
      double d = 0;
      GEOSDistance_r(h, g, queryGeoms.geoms[i], &d);
      sink += d;
    }
  });
  for (std::size_t i = 0; i < queries.size(); i += 97) {
    nn.clear();
    (void)facIndex->nearest(queries[i], 1, nn);
    const GEOSGeometry* g = GEOSSTRtree_nearest_r(h, facTree.get(), queryGeoms.geoms[i]);
    double d = 0;
    GEOSDistance_r(h, g, queryGeoms.geoms[i], &d);
    disagree += std::fabs(d - nn.front().distance) > 1e-9 ? 1 : 0;
  }
  keep(sink);
  if (disagree) {
    return core::makeError(core::ErrorCode::kInvalidArgument,
                           std::to_string(disagree) + " nearest distances differ from GEOS");
  }
  const double perQuery = 1e6 / static_cast<double>(queries.size());
  out["knn"] = {{"k5_us", knn5.wall * perQuery},
                {"k1_us", knn1.wall * perQuery},
                {"geos_k1_us", knn1Geos.wall * perQuery},
                {"k5_cpu_us", knn5.cpu * perQuery},
                {"k1_cpu_us", knn1.cpu * perQuery},
                {"geos_k1_cpu_us", knn1Geos.cpu * perQuery},
                {"facilities", fac.size()},
                {"memory_mb", facIndex->memoryBytes() / 1048576.0}};
  return out;
}

}  // namespace

core::Result<std::vector<Figure>> runIndex(Context& ctx) {
  auto reply = inChild("index figures on " + ctx.dataset,
                       [&]() -> core::Result<nlohmann::json> { return measure(ctx.dataset); });
  if (!reply) return reply.takeError();
  const auto& r = *reply;
  std::printf("  index: %s\n", r.dump().c_str());
  const double n = static_cast<double>(kLocatorPoints);
  const std::string geosGrids =
      "GEOS STRtree over the grids + prepared covers per candidate (lowest code), same points";
  const auto& st = r["locator_stats"];
  char note[600];
  std::vector<Figure> figures;
  for (const char* kind : {"uniform", "clustered"}) {
    const auto& l = r[std::string("locator_") + kind];
    const double cpuOurs = n / l["ours_cpu"].get<double>(),
                 cpuGeos = n / l["geos_cpu"].get<double>();
    std::snprintf(
        note, sizeof note,
        "%zu %s points, %lld in a grid, every answer equal to GEOS; 1 thread, wall "
        "time (per core, thread CPU time: %.3g M/s vs GEOS %.3g M/s, %.1fx; 2 "
        "threads: %.3g M/s); raster %lldx%lld of %.1f m, %lld boundary cells, "
        "%d-byte cells, %.2f MiB, built in %.0f ms",
        kLocatorPoints, kind, static_cast<long long>(l["inside"].get<std::int64_t>()),
        cpuOurs / 1e6, cpuGeos / 1e6, cpuOurs / cpuGeos, n / l["two_threads"].get<double>() / 1e6,
        static_cast<long long>(st["nx"].get<std::int64_t>()),
        static_cast<long long>(st["ny"].get<std::int64_t>()), st["cell_m"].get<double>(),
        static_cast<long long>(st["boundary_cells"].get<std::int64_t>()),
        st["cell_bytes"].get<int>(), st["memory_mb"].get<double>(), st["build_ms"].get<double>());
    figures.push_back({std::string("locator.points_per_second_") + kind,
                       n / l["ours"].get<double>(), "points/s", true, geosGrids,
                       n / l["geos"].get<double>(), note});
  }
  const auto& is = r["index_stats"];
  std::snprintf(note, sizeof note,
                "%lld people at their address point, grid lists included (grid assignment %.1f "
                "ms); raster %lldx%lld of %.1f m; %.1f MiB",
                static_cast<long long>(is["points"].get<std::int64_t>()),
                is["grid_assign_ms"].get<double>(),
                static_cast<long long>(is["nx"].get<std::int64_t>()),
                static_cast<long long>(is["ny"].get<std::int64_t>()), is["cell_m"].get<double>(),
                is["memory_mb"].get<double>());
  figures.push_back({"index.build_ms", r["build"]["ours"].get<double>() * 1e3, "ms", false,
                     "GEOS STRtree insert + pack over the same points (geometries made beforehand)",
                     r["build"]["geos"].get<double>() * 1e3, note});
  figures.push_back({"index.box_count_us", r["box"]["ours_us"].get<double>(), "us", false,
                     "GEOS STRtree query counting, same 500 m boxes",
                     r["box"]["geos_us"].get<double>(),
                     "2000 boxes 500x500 m around random people; counts equal to GEOS"});
  std::snprintf(note, sizeof note,
                "100 star polygons, 32 vertices, radius 300-1500 m, %.0f people hit on average; "
                "hits equal to GEOS",
                r["polygon"]["mean_hits"].get<double>());
  figures.push_back({"index.polygon_hits_p50_ms", r["polygon"]["ours_p50_ms"].get<double>(), "ms",
                     false, "GEOS STRtree query + prepared covers per candidate",
                     r["polygon"]["geos_p50_ms"].get<double>(), note});
  const auto& kn = r["knn"];
  std::snprintf(note, sizeof note,
                "%lld facilities, 20000 queries at random event locations, wall time (per core, "
                "thread CPU time: %.3g us); the GEOS C API has no k-nearest (see index.knn1_us)",
                static_cast<long long>(kn["facilities"].get<std::int64_t>()),
                kn["k5_cpu_us"].get<double>());
  figures.push_back(
      {"index.knn5_us", kn["k5_us"].get<double>(), "us", false, std::nullopt, std::nullopt, note});
  std::snprintf(note, sizeof note,
                "nearest distance equal to GEOS on every 97th query; wall time (per core, thread "
                "CPU time: %.3g us vs GEOS %.3g us)",
                kn["k1_cpu_us"].get<double>(), kn["geos_k1_cpu_us"].get<double>());
  figures.push_back({"index.knn1_us", kn["k1_us"].get<double>(), "us", false,
                     "GEOS STRtree nearest (GEOSSTRtree_nearest_r), same queries",
                     kn["geos_k1_us"].get<double>(), note});
  return figures;
}

}  // namespace gridtwin::bench
