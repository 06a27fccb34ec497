// The engine's spatial answers (engine/index: GridLocator, EntityIndex)
// against PostGIS on the same rows: the small district of fixture `postgis`
// ingested by pgstore::ingest into a database of its own, and loaded by the
// engine from the same GeoPackage.
//
// One planar CRS on both sides. The engine works in EPSG:4547 metres (CGCS2000
// 3-degree Gauss-Kruger CM 114E, DESIGN "Coordinates"); PostGIS stores EPSG:4490
// lon/lat. The oracle tables below hold ST_Transform(geom, 4547) of every row,
// and the first test checks that PostGIS's transform and the engine's (both
// PROJ) give the same doubles, so the comparisons that follow are exact.
//
// Predicates. The engine's area semantics is "covers: boundary counts" (a
// point on the query polygon's edge, a box's side or exactly at the radius is
// in). For a point and a polygon, PostGIS's ST_Intersects(poly, pt) and
// ST_Covers(poly, pt) are the same predicate and match it; ST_Contains /
// ST_Within do NOT (they leave boundary points out): a test shows both on
// shapes built through data points. A radius is ST_DWithin(xy, centre, r)
// (planar distance <= r, geometry not geography). k-nearest is
// ORDER BY xy <-> q (planar distance in 4547), ties broken by fid, as the
// engine breaks them by row (rows are in fid order).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "geo/algorithms.h"
#include "geo/geometry.h"
#include "geo/wkb.h"
#include "index/entity_index.h"
#include "index/grid_locator.h"
#include "model/district.h"
#include "pg_support.h"
#include "pgstore/connection.h"
#include "pgstore/ingest.h"
#include "store/gpkg_reader.h"

namespace gridtwin {
namespace {

const std::string kSmall = std::string(GRIDTWIN_PG_WORK) + "/small.gpkg";

using pgtest::urlFor;

std::string hex(const std::vector<std::uint8_t>& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}
// The query geometry as a bound parameter: WKB, so no digit is lost.
std::string wkbHex(const geo::Geometry& g) { return hex(geo::writeWkb(g)); }

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// The kinds compared, each with its PostGIS table and the engine's column.
struct KindCase {
  model::Kind kind;
  const char* table;
};
constexpr KindCase kKinds[] = {{model::Kind::kFacility, "facilities"},
                               {model::Kind::kEntity, "entities"},
                               {model::Kind::kAddress, "addresses"},
                               {model::Kind::kEvent, "events"}};

std::span<const geo::Point> xyOf(const model::District& d, model::Kind kind) {
  switch (kind) {
    case model::Kind::kFacility:
      return d.facilities().point.xy;
    case model::Kind::kEntity:
      return d.entities().point.xy;
    case model::Kind::kAddress:
      return d.addresses().point.xy;
    default:
      return d.events().point.xy;
  }
}

// Everything the tests share: built once (ingest ~3 s, indexes ~0.1 s).
struct World {
  std::optional<pgstore::Connection> db;
  model::District district;
  std::optional<index::GridLocator> locator;
  std::map<model::Kind, index::EntityIndex> indexes;
  std::string error;  // why the world could not be built
};

// Fills w; returns why it could not (empty on success).
std::string buildWorld(World& w) {
  // One database per test process: ctest runs each test in a process of its
  // own, two at a time, and a shared name would have one drop the other's.
  const std::string name = "t_engine_vs_postgis_" + std::to_string(::getpid());
  auto admin = pgstore::Connection::open(urlFor("postgres"));
  if (!admin) return admin.error().toString();
  const std::string q = pgstore::Connection::quoteIdentifier(name);
  if (auto r = admin->execute("DROP DATABASE IF EXISTS " + q + " WITH (FORCE)"); !r)
    return r.error().toString();
  if (auto r = admin->execute("CREATE DATABASE " + q); !r) return r.error().toString();
  const std::string url = urlFor(name);
  if (auto r = pgstore::ingest(url, kSmall); !r) return r.error().toString();
  auto c = pgstore::Connection::open(url);
  if (!c) return c.error().toString();
  // Oracle tables: each row's point in EPSG:4547, keyed by the engine's row
  // (the engine loads rows in fid order), with a GiST index as a user would.
  std::string sql = "CREATE TABLE oracle_points AS ";
  for (std::size_t k = 0; k < std::size(kKinds); ++k) {
    sql += std::string(k ? " UNION ALL " : "") + "SELECT " +
           std::to_string(static_cast<int>(kKinds[k].kind)) + " AS kind, row, fid, " +
           (kKinds[k].kind == model::Kind::kFacility ? "type" : "NULL::text AS type") +
           ", ST_Transform(geom, 4547) AS xy FROM (SELECT *, (row_number() OVER (ORDER BY fid) "
           "- 1)::int AS row FROM gridtwin." +
           kKinds[k].table + ") t WHERE geom IS NOT NULL";
  }
  sql +=
      "; CREATE INDEX ON oracle_points USING gist (xy); ANALYZE oracle_points;"
      " CREATE TABLE oracle_grids AS SELECT (row_number() OVER (ORDER BY fid) - 1)::int AS row,"
      " code, ST_Transform(geom, 4547) AS xy FROM gridtwin.grids;"
      " CREATE INDEX ON oracle_grids USING gist (xy); ANALYZE oracle_grids;";
  if (auto r = c->execute(sql, "oracle tables"); !r) return r.error().toString();
  w.db = std::move(*c);

  store::OpenOptions open;
  open.writeSnapshot = false;
  auto ds = store::openDataset(kSmall, open);
  if (!ds) return ds.error().toString();
  w.district = std::move(ds->district);
  auto locator = index::GridLocator::build(w.district);
  if (!locator) return locator.error().toString();
  w.locator = std::move(*locator);
  for (const auto& kc : kKinds) {
    auto built = index::EntityIndex::build(xyOf(w.district, kc.kind));
    if (!built) return built.error().toString();
    w.indexes.emplace(kc.kind, std::move(*built));
  }
  return {};
}

World& world() {
  static World w;
  static const bool built = [] {
    w.error = buildWorld(w);
    return true;
  }();
  (void)built;
  return w;
}

#define REQUIRE_WORLD()                    \
  World& w = world();                      \
  ASSERT_TRUE(w.error.empty()) << w.error; \
  ASSERT_TRUE(w.db.has_value());           \
  pgstore::Connection& db = *w.db

// Rows of one int column, ascending as PostGIS returned them.
std::vector<std::uint32_t> rowsOf(pgstore::Connection& db, const std::string& sql,
                                  const std::vector<std::optional<std::string>>& params) {
  auto r = db.query(sql, params);
  EXPECT_TRUE(r) << (r ? "" : r.error().toString());
  std::vector<std::uint32_t> out;
  if (!r) return out;
  for (int i = 0; i < r->rows(); ++i) out.push_back(std::stoul(std::string(r->text(i, 0))));
  return out;
}

// A 32-vertex star around c, radius r (each vertex 0.7..1 r); clockwise
// when `clockwise` (holes).
geo::Ring star(std::mt19937_64& rng, geo::Point c, double r, bool clockwise = false) {
  std::uniform_real_distribution<double> wobble(0.7, 1.0);
  geo::Ring ring;
  for (int k = 0; k < 32; ++k) {
    const double a = (clockwise ? -1 : 1) * 2 * M_PI * k / 32, rr = r * wobble(rng);
    ring.push_back({c.x + rr * std::cos(a), c.y + rr * std::sin(a)});
  }
  ring.push_back(ring.front());
  return ring;
}

// The engine's hits for a polygon, sorted (EntityIndex answers in cell order).
std::vector<std::uint32_t> enginePolygon(const index::EntityIndex& index, const geo::Polygon& p) {
  std::vector<std::uint32_t> hits;
  auto r = index.polygon(p, hits);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().toString());
  std::sort(hits.begin(), hits.end());
  return hits;
}

const std::string kByPredicate =
    "SELECT row FROM oracle_points WHERE kind = $1::int AND %s ORDER BY row";
std::string where(const std::string& predicate) {
  std::string s = kByPredicate;
  s.replace(s.find("%s"), 2, predicate);
  return s;
}
const std::string kQueryGeom = "ST_GeomFromWKB(decode($2, 'hex'), 4547)";

TEST(EngineVsPostgis, PostgisTransformGivesTheEnginesCoordinates) {
  REQUIRE_WORLD();
  for (const auto& kc : kKinds) {
    const auto xy = xyOf(w.district, kc.kind);
    auto r = db.query("SELECT row, ST_X(xy), ST_Y(xy) FROM oracle_points WHERE kind = $1::int",
                      {std::to_string(static_cast<int>(kc.kind))});
    ASSERT_TRUE(r) << r.error().toString();
    std::size_t finite = 0;
    for (const auto& p : xy) finite += std::isfinite(p.x) ? 1 : 0;
    ASSERT_EQ(static_cast<std::size_t>(r->rows()), finite) << kc.table;
    ASSERT_GT(finite, 100u) << kc.table;
    for (int i = 0; i < r->rows(); ++i) {
      const std::size_t row = std::stoul(std::string(r->text(i, 0)));
      ASSERT_LT(row, xy.size());
      const double x = std::stod(std::string(r->text(i, 1)));
      const double y = std::stod(std::string(r->text(i, 2)));
      ASSERT_EQ(x, xy[row].x) << kc.table << " row " << row;
      ASSERT_EQ(y, xy[row].y) << kc.table << " row " << row;
    }
  }
}

TEST(EngineVsPostgis, PolygonsWithAndWithoutHolesEqualIntersectsAndCovers) {
  REQUIRE_WORLD();
  std::mt19937_64 rng(41);
  for (const auto& kc : kKinds) {
    const auto xy = xyOf(w.district, kc.kind);
    const index::EntityIndex& index = w.indexes.at(kc.kind);
    std::uniform_int_distribution<std::size_t> pick(0, xy.size() - 1);
    std::uniform_real_distribution<double> radius(300, 1500);
    std::size_t hitsSeen = 0;
    for (int q = 0; q < 25; ++q) {
      geo::Point c = xy[pick(rng)];
      while (!std::isfinite(c.x)) c = xy[pick(rng)];
      const double r = radius(rng);
      geo::Polygon poly{star(rng, c, r), {}};
      if (q % 5 == 0) poly.holes.push_back(star(rng, c, r * 0.4, true));  // a hole
      const auto ours = enginePolygon(index, poly);
      const std::string kind = std::to_string(static_cast<int>(kc.kind));
      const std::string g = wkbHex(poly);
      EXPECT_EQ(ours, rowsOf(db, where("ST_Intersects(xy, " + kQueryGeom + ")"), {kind, g}))
          << kc.table << " polygon " << q;
      EXPECT_EQ(ours, rowsOf(db, where("ST_Covers(" + kQueryGeom + ", xy)"), {kind, g}))
          << kc.table << " polygon " << q;
      hitsSeen += ours.size();
    }
    EXPECT_GT(hitsSeen, 100u) << kc.table << ": the polygons must find something";
  }
}

TEST(EngineVsPostgis, BoundaryPointsCountAsIntersectsAndCoversSayNotContains) {
  REQUIRE_WORLD();
  std::mt19937_64 rng(43);
  const auto xy = xyOf(w.district, model::Kind::kFacility);
  const index::EntityIndex& index = w.indexes.at(model::Kind::kFacility);
  const std::string kind = std::to_string(static_cast<int>(model::Kind::kFacility));
  std::uniform_int_distribution<std::size_t> pick(0, xy.size() - 1);
  std::size_t onBoundary = 0;
  for (int q = 0; q < 20; ++q) {
    // A triangle through three facilities (each exactly on its boundary)
    // and a box whose sides pass through two of them.
    const geo::Point a = xy[pick(rng)];
    geo::Point b = a, c = a;
    while (std::hypot(b.x - a.x, b.y - a.y) < 500 || std::hypot(b.x - a.x, b.y - a.y) > 3000)
      b = xy[pick(rng)];
    while (geo::orientation(a, b, c) == 0) c = xy[pick(rng)];
    geo::Polygon tri{{a, b, c, a}, {}};
    const auto ours = enginePolygon(index, tri);
    const std::string g = wkbHex(tri);
    EXPECT_EQ(ours, rowsOf(db, where("ST_Intersects(xy, " + kQueryGeom + ")"), {kind, g}));
    EXPECT_EQ(ours, rowsOf(db, where("ST_Covers(" + kQueryGeom + ", xy)"), {kind, g}));
    const auto contains = rowsOf(db, where("ST_Contains(" + kQueryGeom + ", xy)"), {kind, g});
    EXPECT_GE(ours.size(), contains.size() + 3) << "the three corners are in, not contained";
    onBoundary += ours.size() - contains.size();

    const geo::Box box{std::min(a.x, b.x), std::min(a.y, b.y), std::max(a.x, b.x),
                       std::max(a.y, b.y)};
    std::vector<std::uint32_t> boxHits;
    ASSERT_TRUE(index.box(box, boxHits).ok());
    std::sort(boxHits.begin(), boxHits.end());
    const std::string envelope =
        "ST_MakeEnvelope($2::float8, $3::float8, $4::float8, $5::float8, 4547)";
    const std::vector<std::optional<std::string>> params{kind, num(box.minx), num(box.miny),
                                                         num(box.maxx), num(box.maxy)};
    EXPECT_EQ(boxHits, rowsOf(db, where("ST_Intersects(xy, " + envelope + ")"), params));
    EXPECT_EQ(boxHits, rowsOf(db, where("ST_Covers(" + envelope + ", xy)"), params));
    EXPECT_GE(boxHits.size(), 2u) << "both corners lie on the box";
  }
  EXPECT_GE(onBoundary, 60u);
}

TEST(EngineVsPostgis, BoxesAndRadiiEqualIntersectsAndDWithin) {
  REQUIRE_WORLD();
  std::mt19937_64 rng(47);
  for (const auto& kc : kKinds) {
    const auto xy = xyOf(w.district, kc.kind);
    const index::EntityIndex& index = w.indexes.at(kc.kind);
    const std::string kind = std::to_string(static_cast<int>(kc.kind));
    std::uniform_int_distribution<std::size_t> pick(0, xy.size() - 1);
    std::uniform_real_distribution<double> size(100, 3000);
    std::size_t seen = 0;
    for (int q = 0; q < 25; ++q) {
      geo::Point c = xy[pick(rng)];
      while (!std::isfinite(c.x)) c = xy[pick(rng)];
      const double hw = size(rng), hh = size(rng);
      const geo::Box box{c.x - hw, c.y - hh, c.x + hw / 2, c.y + hh / 3};
      std::vector<std::uint32_t> hits;
      ASSERT_TRUE(index.box(box, hits).ok());
      std::sort(hits.begin(), hits.end());
      EXPECT_EQ(hits, rowsOf(db,
                             where("ST_Intersects(xy, ST_MakeEnvelope($2::float8, $3::float8, "
                                   "$4::float8, $5::float8, 4547))"),
                             {kind, num(box.minx), num(box.miny), num(box.maxx), num(box.maxy)}))
          << kc.table << " box " << q;
      seen += hits.size();

      // A radius around a data point (distance 0 is in). PostGIS decides
      // ST_DWithin in doubles, the engine exactly: they can only differ for a
      // point within rounding of the circle, so such radii are skipped.
      double r = size(rng);
      bool clear = true;
      for (const auto& p : xy) {
        if (std::isfinite(p.x) && std::fabs(std::hypot(p.x - c.x, p.y - c.y) - r) < 1e-6)
          clear = false;
      }
      if (!clear) r += 0.5;
      hits.clear();
      ASSERT_TRUE(index.radius(c, r, hits).ok());
      std::sort(hits.begin(), hits.end());
      EXPECT_EQ(hits, rowsOf(db,
                             where("ST_DWithin(xy, ST_SetSRID(ST_MakePoint($2::float8, "
                                   "$3::float8), 4547), $4::float8)"),
                             {kind, num(c.x), num(c.y), num(r)}))
          << kc.table << " radius " << q;
      EXPECT_FALSE(hits.empty());
      seen += hits.size();
    }
    EXPECT_GT(seen, 100u) << kc.table;
  }
}

TEST(EngineVsPostgis, FiveNearestCamerasAndHydrantsEqualKnnOrderBy) {
  REQUIRE_WORLD();
  const auto& d = w.district;
  const auto& fac = d.facilities();
  const auto& events = d.events().point.xy;
  std::mt19937_64 rng(53);
  std::uniform_int_distribution<std::size_t> pickEvent(0, events.size() - 1);
  for (const char* type : {"camera", "hydrant"}) {
    // The engine's index over this type's facilities; position → row.
    std::vector<geo::Point> pts;
    std::vector<std::uint32_t> rowOf;
    for (std::size_t i = 0; i < fac.size(); ++i) {
      if (d.columns().facilityTypeCodes[fac.type[i]] == type) {
        pts.push_back(fac.point.xy[i]);
        rowOf.push_back(static_cast<std::uint32_t>(i));
      }
    }
    ASSERT_GT(pts.size(), 20u) << type;
    auto index = index::EntityIndex::build(pts);
    ASSERT_TRUE(index.ok()) << index.error().toString();
    std::size_t ties = 0;
    for (int q = 0; q < 200; ++q) {
      geo::Point e = events[pickEvent(rng)];
      while (!std::isfinite(e.x)) e = events[pickEvent(rng)];
      std::vector<index::EntityIndex::Neighbour> nn;
      ASSERT_TRUE(index->nearest(e, 5, nn).ok());
      ASSERT_EQ(nn.size(), 5u);
      auto r = db.query(
          "SELECT row, xy <-> q FROM oracle_points, ST_SetSRID(ST_MakePoint($2::float8, "
          "$3::float8), 4547) AS q WHERE kind = $1::int AND type = $4 ORDER BY xy <-> q, row "
          "LIMIT 5",
          {std::to_string(static_cast<int>(model::Kind::kFacility)), num(e.x), num(e.y),
           std::string(type)});
      ASSERT_TRUE(r) << r.error().toString();
      ASSERT_EQ(r->rows(), 5);
      for (int k = 0; k < 5; ++k) {
        const auto pgRow = static_cast<std::uint32_t>(std::stoul(std::string(r->text(k, 0))));
        const double pgDistance = std::stod(std::string(r->text(k, 1)));
        EXPECT_EQ(rowOf[nn[k].row], pgRow) << type << " query " << q << " rank " << k;
        EXPECT_NEAR(nn[k].distance, pgDistance, 1e-9 * (1 + pgDistance))
            << type << " query " << q << " rank " << k;
        if (k > 0 && nn[k].distance == nn[k - 1].distance) ++ties;
      }
    }
    std::printf("  %s: %zu facilities, %zu tied neighbours in 200 queries\n", type, pts.size(),
                ties);
  }
}

TEST(EngineVsPostgis, LocatorEqualsCoversWithLowestCodeOnRandomPointsAndVertices) {
  REQUIRE_WORLD();
  const auto& grids = w.district.grids();
  geo::Box box;
  for (const auto& p : grids.shape.xy) box.expand(p);
  std::mt19937_64 rng(59);
  std::uniform_real_distribution<double> ux(box.minx, box.maxx), uy(box.miny, box.maxy);
  std::vector<geo::Point> points;
  for (int i = 0; i < 20000; ++i) points.push_back({ux(rng), uy(rng)});
  // Grid vertices: ties between neighbouring grids, decided by code.
  for (std::size_t i = 0; i < grids.shape.xy.size(); i += 7) points.push_back(grids.shape.xy[i]);
  std::string xs = "{", ys = "{";
  for (std::size_t i = 0; i < points.size(); ++i) {
    xs += (i ? "," : "") + num(points[i].x);
    ys += (i ? "," : "") + num(points[i].y);
  }
  xs += "}";
  ys += "}";
  auto r = db.query(
      "SELECT (SELECT g.row FROM oracle_grids g WHERE ST_Covers(g.xy, p.pt) ORDER BY g.code "
      "LIMIT 1) FROM (SELECT i, ST_SetSRID(ST_MakePoint(x, y), 4547) AS pt FROM "
      "unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS u(x, y, i)) p ORDER BY i",
      {xs, ys});
  ASSERT_TRUE(r) << r.error().toString();
  ASSERT_EQ(static_cast<std::size_t>(r->rows()), points.size());
  std::size_t inside = 0, differ = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const int row = static_cast<int>(i);
    const std::int32_t pg =
        r->isNull(row, 0) ? index::GridLocator::kOutside : std::stoi(std::string(r->text(row, 0)));
    const std::int32_t ours = w.locator->find(points[i]);
    if (ours != pg && differ++ < 5) {
      ADD_FAILURE() << "point " << num(points[i].x) << " " << num(points[i].y) << ": engine "
                    << ours << ", PostGIS " << pg;
    }
    inside += pg >= 0 ? 1 : 0;
  }
  EXPECT_EQ(differ, 0u);
  EXPECT_GT(inside, points.size() / 3);
}

}  // namespace
}  // namespace gridtwin
