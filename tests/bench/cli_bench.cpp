// cli.*: the streaming commands end to end, as a user runs them, beside
// PostGIS doing the same with the same points in the same run (issue 11,
// "Targets": >= 5 million points/s for locate).
//
//  - cli.locate_points_per_second: 1,000,000 "lon,lat" lines (EPSG:4490,
//    uniform over the grids' box, 7 decimals) through
//    `gridtwin locate <dataset> --crs EPSG:4490 < points.csv > /dev/null`
//    (JSON, every field), wall time of the whole process: start, opening the
//    twin (from its snapshot), reading, transforming, locating, writing.
//    Anchor: `psql` running COPY of the same CSV into a table, then
//    `SELECT p.n, g.code FROM pts p LEFT JOIN grids g ON ST_Intersects(g.xy,
//    ST_Transform(ST_SetSRID(ST_MakePoint(p.x, p.y), 4490), 4547))` with a
//    GiST index on the same 478 grids (EPSG:4547), rows printed unaligned to
//    /dev/null; one PostgreSQL core (no parallel workers), jit off.
//  - cli.transform_points_per_second: the same file through
//    `gridtwin transform --from EPSG:4490 --to EPSG:4547`. Anchor: psql COPY
//    then `SELECT ST_X(q), ST_Y(q)` of the ST_Transform of each point.
//
// Both sides count the points inside a grid (gridtwin's CSV output, once,
// untimed; PostGIS's join) and must agree. The cluster is a private one
// (scripts/postgis, state in <work>/pg-cli), purged afterwards.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include "bench.h"
#include "crs/transformer.h"
#include "geo/geometry.h"
#include "geo/wkb.h"
#include "pgstore/connection.h"
#include "store/gpkg_reader.h"
#include "workloads.h"

namespace gridtwin::bench {
namespace {

constexpr std::size_t kPoints = 1'000'000;
constexpr int kReps = 3;
constexpr int kAnchorReps = 2;

std::string quote(const std::string& s) { return "'" + s + "'"; }

// Runs a shell command line; its wall time in seconds, or an error naming it.
core::Result<double> timed(const std::string& command) {
  const auto t0 = Clock::now();
  const int status = std::system(command.c_str());
  const double seconds = secondsSince(t0);
  if (status != 0) {
    return core::makeError(core::ErrorCode::kIo, "exited with status " + std::to_string(status),
                           command);
  }
  return seconds;
}

core::Result<double> best(int reps, const std::string& command) {
  double out = 1e300;
  for (int i = 0; i < reps; ++i) {
    auto s = timed(command);
    if (!s) return s.takeError();
    out = std::min(out, *s);
  }
  return out;
}

// The grids' points: uniform over their EPSG:4547 box, written as
// CGCS2000 lon,lat with 7 decimals (~1 cm).
core::Result<void> writePoints(const model::District& d, const std::string& path) {
  geo::Box box;
  for (const auto& p : d.grids().shape.xy) box.expand(p);
  std::mt19937_64 rng(20261207);
  std::uniform_real_distribution<double> ux(box.minx, box.maxx), uy(box.miny, box.maxy);
  std::vector<geo::Point> points(kPoints);
  for (auto& p : points) p = {ux(rng), uy(rng)};
  auto back = crs::Transformer::create(crs::kGaussKruger114, crs::kCgcs2000);
  if (!back) return back.takeError();
  GRIDTWIN_TRY(back->transform(std::span<geo::Point>(points)));
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return core::makeError(core::ErrorCode::kIo, "cannot write", path);
  for (const auto& p : points) std::fprintf(f, "%.7f,%.7f\n", p.x, p.y);
  if (std::fclose(f) != 0) return core::makeError(core::ErrorCode::kIo, "cannot write", path);
  return {};
}

core::Result<void> copyGrids(pgstore::Connection& c, const model::District& district) {
  const auto& grids = district.grids();
  const auto& shape = grids.shape;
  GRIDTWIN_TRY(
      c.execute("DROP TABLE IF EXISTS cli_grids; "
                "CREATE TABLE cli_grids (row int, code text, xy geometry(MultiPolygon, 4547))"));
  auto copied = c.copyIn(
      "COPY cli_grids (row, code, xy) FROM STDIN",
      [&](pgstore::Connection::CopyIn& in) -> core::Result<void> {
        for (std::size_t g = 0; g < grids.size(); ++g) {
          geo::MultiPolygon mp;
          for (auto part = shape.partStart[g]; part < shape.partStart[g + 1]; ++part) {
            geo::Polygon poly;
            for (auto r = shape.ringStart[part]; r < shape.ringStart[part + 1]; ++r) {
              geo::Ring ring(shape.xy.begin() + shape.pointStart[r],
                             shape.xy.begin() + shape.pointStart[r + 1]);
              (r == shape.ringStart[part] ? poly.outer : poly.holes.emplace_back()) =
                  std::move(ring);
            }
            mp.polygons.push_back(std::move(poly));
          }
          in.integer(static_cast<std::int64_t>(g));
          in.text(grids.code[g]);
          in.geometry(geo::writeWkb(geo::Geometry(mp)), 4547);
          GRIDTWIN_TRY(in.endRow());
        }
        return {};
      },
      "cli_grids");
  if (!copied) return copied.takeError();
  return c.execute("CREATE INDEX ON cli_grids USING gist (xy); ANALYZE cli_grids");
}

core::Result<void> writeText(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::trunc);
  f << text;
  if (!f.flush()) return core::makeError(core::ErrorCode::kIo, "cannot write", path);
  return {};
}

core::Result<nlohmann::json> measure(const std::string& dataset, const std::string& work,
                                     const std::string& url) {
  store::OpenOptions open;
  open.writeSnapshot = false;
  auto ds = store::openDataset(dataset, open);
  if (!ds) return ds.takeError();
  const std::string points = work + "/cli-points.csv";
  GRIDTWIN_TRY(writePoints(ds->district, points));
  GRIDTWIN_TRY(warmPageCache(points));
  auto conn = pgstore::Connection::open(url);
  if (!conn) return conn.takeError();
  GRIDTWIN_TRY(copyGrids(*conn, ds->district));

  const std::string cli = quote(GRIDTWIN_CLI);
  const std::string locate = cli + " locate " + quote(dataset) + " --crs EPSG:4490";
  const std::string transform = cli + " transform --from EPSG:4490 --to EPSG:4547";
  // Untimed: the first run writes the twin's snapshot; its CSV says how many
  // points are inside a grid.
  const std::string csv = work + "/cli-locate.csv";
  GRIDTWIN_TRY(timed(locate + " --format csv < " + quote(points) + " > " + quote(csv)));
  std::int64_t oursInside = 0;
  {
    std::ifstream in(csv);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      // line,x,y,grid,...: the grid field is empty outside.
      std::size_t comma = 0;
      for (int i = 0; i < 3 && comma != std::string::npos; ++i) comma = line.find(',', comma + 1);
      if (comma != std::string::npos && comma + 1 < line.size() && line[comma + 1] != ',') {
        ++oursInside;
      }
    }
  }
  std::remove(csv.c_str());

  auto startup = best(kReps, locate + " < /dev/null > /dev/null");
  if (!startup) return startup.takeError();
  auto ours = best(kReps, locate + " < " + quote(points) + " > /dev/null");
  if (!ours) return ours.takeError();
  auto oursTransform = best(kReps, transform + " < " + quote(points) + " > /dev/null");
  if (!oursTransform) return oursTransform.takeError();

  const std::string psql = "psql " + quote(url) + " -X -q -A -t -v ON_ERROR_STOP=1 -f ";
  const std::string copy =
      "SET max_parallel_workers_per_gather = 0;\nSET jit = off;\n"
      "CREATE TEMP TABLE pts (n bigint GENERATED ALWAYS AS IDENTITY, x float8, y float8);\n"
      "\\copy pts (x, y) FROM " +
      quote(points) + " WITH (FORMAT csv)\n";
  const std::string point = "ST_Transform(ST_SetSRID(ST_MakePoint(p.x, p.y), 4490), 4547)";
  const std::string joinSql = work + "/cli-join.sql", transformSql = work + "/cli-transform.sql",
                    countSql = work + "/cli-count.sql";
  GRIDTWIN_TRY(writeText(joinSql, copy +
                                      "SELECT p.n, g.code FROM pts p LEFT JOIN cli_grids g ON "
                                      "ST_Intersects(g.xy, " +
                                      point + ");\n"));
  GRIDTWIN_TRY(writeText(transformSql, copy + "SELECT ST_X(q), ST_Y(q) FROM (SELECT " + point +
                                           " AS q FROM pts p) s;\n"));
  GRIDTWIN_TRY(writeText(countSql, copy +
                                       "SELECT count(DISTINCT p.n) FROM pts p JOIN cli_grids g "
                                       "ON ST_Intersects(g.xy, " +
                                       point + ");\n"));
  auto pgInside = shell(psql + quote(countSql));
  if (!pgInside) return pgInside.takeError();
  if (std::to_string(oursInside) != *pgInside) {
    return core::makeError(core::ErrorCode::kInvalidArgument,
                           "answers differ: gridtwin locate puts " + std::to_string(oursInside) +
                               " points in a grid, PostGIS " + *pgInside);
  }
  auto pg = best(kAnchorReps, psql + quote(joinSql) + " > /dev/null");
  if (!pg) return pg.takeError();
  auto pgTransform = best(kAnchorReps, psql + quote(transformSql) + " > /dev/null");
  if (!pgTransform) return pgTransform.takeError();
  GRIDTWIN_TRY(conn->execute("DROP TABLE cli_grids"));
  for (const auto& f : {points, joinSql, transformSql, countSql}) std::remove(f.c_str());
  return nlohmann::json{{"ours", *ours},
                        {"startup", *startup},
                        {"ours_transform", *oursTransform},
                        {"postgis", *pg},
                        {"postgis_transform", *pgTransform},
                        {"inside", oursInside}};
}

}  // namespace

core::Result<std::vector<Figure>> runCli(Context& ctx) {
  const std::string state = ctx.workDir + "/pg-cli";
  const std::string script = postgisScript(state);
  auto url = shell(script + "start");
  if (!url) return url.takeError();
  auto version = [&]() -> std::string {
    auto c = pgstore::Connection::open(*url);
    if (!c) return "PostGIS";
    auto r = c->query(
        "SELECT 'PostgreSQL ' || current_setting('server_version') || ', PostGIS ' "
        "|| postgis_lib_version()");
    return r && r->rows() ? std::string(r->text(0, 0)) : "PostGIS";
  }();
  auto reply = inChild(
      "gridtwin locate/transform end to end on " + ctx.dataset,
      [&]() -> core::Result<nlohmann::json> { return measure(ctx.dataset, ctx.workDir, *url); });
  (void)shell(script + "purge");
  if (!reply) return reply.takeError();
  const auto& r = *reply;
  std::printf("  cli: %s\n", r.dump().c_str());
  const double n = static_cast<double>(kPoints);
  const double ours = r["ours"].get<double>(), startup = r["startup"].get<double>();
  const double transform = r["ours_transform"].get<double>();
  std::vector<Figure> figures;
  char note[600];
  std::snprintf(note, sizeof note,
                "target >= 5e6 (issue 11); %zu CGCS2000 lon,lat lines (%lld in a grid, the same "
                "count as PostGIS), JSON to /dev/null, whole process, best of %d; of it %.3f s "
                "start and twin open (empty input): %.3g points/s after that; %u cores; PostGIS: "
                "psql COPY + LEFT JOIN ST_Intersects(ST_Transform) with GiST, 1 core, rows "
                "printed, best of %d",
                kPoints, static_cast<long long>(r["inside"].get<std::int64_t>()), kReps, startup,
                n / std::max(ours - startup, 1e-9), std::thread::hardware_concurrency(),
                kAnchorReps);
  figures.push_back({"cli.locate_points_per_second", n / ours, "points/s", true,
                     version + ": psql COPY + JOIN grids ON ST_Intersects, same points",
                     n / r["postgis"].get<double>(), note});
  std::snprintf(note, sizeof note,
                "%zu CGCS2000 lon,lat lines to EPSG:4547 (4 decimals) to /dev/null, whole "
                "process, best of %d; %u cores; PostGIS: psql COPY + SELECT ST_X, ST_Y of "
                "ST_Transform, 1 core, rows printed, best of %d",
                kPoints, kReps, std::thread::hardware_concurrency(), kAnchorReps);
  figures.push_back({"cli.transform_points_per_second", n / transform, "points/s", true,
                     version + ": psql COPY + SELECT ST_Transform, same points",
                     n / r["postgis_transform"].get<double>(), note});
  return figures;
}

}  // namespace gridtwin::bench
