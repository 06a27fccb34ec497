// Grid boundaries on the generated small district (fixture small_district):
// the reference coverage has no findings; copies with one injected defect
// each (a moved vertex making a 30 m2 overlap, a 5 m wide gap, a
// self-intersection, a sliver, a grid poking out of its community) report
// exactly that defect, with the right kind, codes and place (within 1 m).
// The CLI reads a shapefile of the grids as a grid head would bring one.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "boundary/coverage.h"
#include "boundary/output.h"
#include "boundary/ownership.h"
#include "boundary/preview.h"
#include "boundary/source.h"
#include "geo/algorithms.h"
#include "geo/geos.h"
#include "geo/wkt.h"
#include "query/twin.h"
#include "store/gpkg_reader.h"

namespace gridtwin::boundary {
namespace {

const std::string kDataset = GRIDTWIN_SMALL_DISTRICT;

const Coverage& reference() {
  static const Coverage c = [] {
    auto r = readCoverage(kDataset, {});
    if (!r) throw std::runtime_error(r.error().toString());
    return *r;
  }();
  return c;
}

geo::MultiPolygon multi(const geo::Geometry& g) {
  if (auto* p = std::get_if<geo::Polygon>(&g)) return {{*p}};
  if (auto* mp = std::get_if<geo::MultiPolygon>(&g)) return *mp;
  ADD_FAILURE() << "not polygonal: " << geo::typeName(g);
  return {};
}

geo::MultiPolygon op(core::Result<geo::Geometry> r) {
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().toString());
  return r.ok() ? multi(*r) : geo::MultiPolygon{};
}

struct Edge {
  std::size_t a = 0, b = 0;  // units: the edge p→q is on a's outer ring, reversed on b's
  std::size_t index = 0;     // of p in a's first polygon's outer ring
  geo::Point p, q;
  geo::Point t;    // unit vector p→q
  geo::Point out;  // unit normal pointing out of a (into b)
  double length = 0;
};

std::string community(const Coverage& c, std::size_t u) { return c.units[u].parentCode; }

// The first edge (units in code order) shared by two units that passes `ok`.
std::optional<Edge> sharedEdge(const Coverage& c, const std::function<bool(const Edge&)>& ok) {
  std::map<std::pair<std::pair<double, double>, std::pair<double, double>>, std::size_t> owner;
  for (std::size_t u = 0; u < c.units.size(); ++u) {
    for (const auto& poly : c.units[u].shape.polygons) {
      for (std::size_t i = 0; i + 1 < poly.outer.size(); ++i) {
        const auto& p = poly.outer[i];
        const auto& q = poly.outer[i + 1];
        owner[{{p.x, p.y}, {q.x, q.y}}] = u;
      }
    }
  }
  std::vector<std::size_t> order(c.units.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t x, std::size_t y) { return c.units[x].code < c.units[y].code; });
  for (std::size_t a : order) {
    const geo::Ring& ring = c.units[a].shape.polygons.front().outer;
    for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
      const geo::Point p = ring[i], q = ring[i + 1];
      auto it = owner.find({{q.x, q.y}, {p.x, p.y}});
      if (it == owner.end() || it->second == a) continue;
      Edge e;
      e.a = a;
      e.b = it->second;
      e.index = i;
      e.p = p;
      e.q = q;
      e.length = std::hypot(q.x - p.x, q.y - p.y);
      e.t = {(q.x - p.x) / e.length, (q.y - p.y) / e.length};
      const geo::Point left{-e.t.y, e.t.x};
      const geo::Point probe{(p.x + q.x) / 2 + 0.01 * left.x, (p.y + q.y) / 2 + 0.01 * left.y};
      e.out = geo::covers(c.units[a].shape, probe) ? geo::Point{-left.x, -left.y} : left;
      if (ok(e)) return e;
    }
  }
  return std::nullopt;
}

geo::Point at(const Edge& e, double along, double outward) {
  return {e.p.x + along * e.t.x + outward * e.out.x, e.p.y + along * e.t.y + outward * e.out.y};
}

// The rectangle from 10 m after p to 10 m before q, from `from` to `to`
// metres outward (negative: into a).
geo::MultiPolygon strip(const Edge& e, double from, double to) {
  geo::Ring r = {at(e, 10, from), at(e, e.length - 10, from), at(e, e.length - 10, to),
                 at(e, 10, to)};
  r.push_back(r.front());
  if (geo::signedArea(r) < 0) std::reverse(r.begin(), r.end());
  return {{geo::Polygon{r, {}}}};
}

// Whether a covers b up to rounding (b's edge on a's boundary is computed,
// so it may stray by an ulp).
bool covers(const geo::MultiPolygon& a, const geo::MultiPolygon& b) {
  auto rest = geo::difference(geo::Geometry{b}, geo::Geometry{a});
  return rest.ok() && geo::geosArea(*rest) <= 1e-6;
}

std::vector<Finding> check(const Coverage& c) {
  auto f = validate(c);
  EXPECT_TRUE(f.ok()) << (f.ok() ? "" : f.error().toString());
  return f.ok() ? *f : std::vector<Finding>{};
}

double distance(const geo::Point& a, const geo::Point& b) {
  return std::hypot(a.x - b.x, a.y - b.y);
}

TEST(BoundaryIntegration, ReferenceCoverageHasNoFindingsAtAnyLevel) {
  EXPECT_EQ(reference().units.size(), 478u);
  EXPECT_EQ(reference().parents.size(), 147u);
  ASSERT_TRUE(reference().outline.has_value());
  const auto f = check(reference());
  EXPECT_TRUE(f.empty()) << findingsText(f);
  for (Level level : {Level::kCommunity, Level::kStreet}) {
    SourceOptions o;
    o.level = level;
    auto c = readCoverage(kDataset, o);
    ASSERT_TRUE(c.ok()) << c.error().toString();
    const auto g = check(*c);
    EXPECT_TRUE(g.empty()) << name(level) << ":\n" << findingsText(g);
  }
}

TEST(BoundaryIntegration, MovedVertexMaking30SquareMetresOfOverlap) {
  Coverage c = reference();
  auto e = sharedEdge(c, [&](const Edge& x) {
    return x.length >= 15 && x.length <= 30 && community(c, x.a) == community(c, x.b);
  });
  ASSERT_TRUE(e);
  const double h = 2 * 30.0 / e->length;  // triangle of 30 m2
  const geo::Point apex = at(*e, e->length / 2, h);
  ASSERT_TRUE(geo::within(apex, c.units[e->b].shape));
  geo::Ring& ring = c.units[e->a].shape.polygons.front().outer;
  ring.insert(ring.begin() + static_cast<std::ptrdiff_t>(e->index) + 1, apex);
  const auto f = check(c);
  ASSERT_EQ(f.size(), 1u) << findingsText(f);
  EXPECT_EQ(f[0].kind, FindingKind::kOverlap);
  std::vector<std::string> codes = {c.units[e->a].code, c.units[e->b].code};
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(f[0].codes, codes);
  EXPECT_NEAR(f[0].measure, 30.0, 0.01);
  EXPECT_LE(distance(f[0].xy, at(*e, e->length / 2, h / 3)), 1.0);
}

TEST(BoundaryIntegration, FiveMetreWideGap) {
  Coverage c = reference();
  auto e = sharedEdge(c, [&](const Edge& x) {
    return x.length >= 40 && community(c, x.a) == community(c, x.b) &&
           covers(c.units[x.a].shape, strip(x, -5, 0));
  });
  ASSERT_TRUE(e);
  const geo::MultiPolygon gap = strip(*e, -5, 0);
  c.units[e->a].shape = op(geo::difference(geo::Geometry{c.units[e->a].shape}, geo::Geometry{gap}));
  const auto f = check(c);
  ASSERT_EQ(f.size(), 1u) << findingsText(f);
  EXPECT_EQ(f[0].kind, FindingKind::kGap);
  std::vector<std::string> codes = {c.units[e->a].code, c.units[e->b].code};
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(f[0].codes, codes);
  EXPECT_NEAR(f[0].measure, 5 * (e->length - 20), 0.01);
  EXPECT_LE(distance(f[0].xy, at(*e, e->length / 2, -2.5)), 1.0);
}

TEST(BoundaryIntegration, SelfIntersection) {
  Coverage c = reference();
  auto e = sharedEdge(c, [&](const Edge& x) {
    return x.length >= 20 && covers(c.units[x.a].shape, strip(x, -10, 0));
  });
  ASSERT_TRUE(e);
  // A 10 m spike into the grid and back: a digitising slip.
  const geo::Point m = at(*e, e->length / 2, 0), tip = at(*e, e->length / 2, -10);
  geo::Ring& ring = c.units[e->a].shape.polygons.front().outer;
  ring.insert(ring.begin() + static_cast<std::ptrdiff_t>(e->index) + 1, {m, tip, m});
  const auto f = check(c);
  ASSERT_EQ(f.size(), 1u) << findingsText(f);
  EXPECT_EQ(f[0].kind, FindingKind::kInvalid);
  EXPECT_EQ(f[0].codes, std::vector<std::string>{c.units[e->a].code});
  EXPECT_FALSE(f[0].detail.empty());
  // Within 1 m of the spike (the segment m–tip).
  const double s = std::clamp((f[0].xy.x - m.x) * (tip.x - m.x) + (f[0].xy.y - m.y) * (tip.y - m.y),
                              0.0, 100.0) /
                   100.0;
  EXPECT_LE(distance(f[0].xy, {m.x + s * (tip.x - m.x), m.y + s * (tip.y - m.y)}), 1.0);
}

TEST(BoundaryIntegration, Sliver) {
  Coverage c = reference();
  auto e = sharedEdge(c, [&](const Edge& x) {
    return x.length >= 40 && community(c, x.a) == community(c, x.b) &&
           covers(c.units[x.b].shape, strip(x, 0, 6));
  });
  ASSERT_TRUE(e);
  // A 0.5 m wide strip of b, 3 m from the edge, handed to a as a part of its
  // own: the kind of sliver a careless edit leaves behind.
  const geo::MultiPolygon piece = strip(*e, 3, 3.5);
  c.units[e->a].shape.polygons.push_back(piece.polygons.front());
  c.units[e->b].shape =
      op(geo::difference(geo::Geometry{c.units[e->b].shape}, geo::Geometry{piece}));
  const auto f = check(c);
  ASSERT_EQ(f.size(), 1u) << findingsText(f);
  EXPECT_EQ(f[0].kind, FindingKind::kSliver);
  EXPECT_EQ(f[0].codes, std::vector<std::string>{c.units[e->a].code});
  EXPECT_NEAR(f[0].measure, 0.5, 0.05);
  EXPECT_LE(distance(f[0].xy, at(*e, e->length / 2, 3.25)), 1.0);
}

TEST(BoundaryIntegration, GridPokingOutOfItsCommunity) {
  Coverage c = reference();
  auto e = sharedEdge(c, [&](const Edge& x) {
    return x.length >= 40 && community(c, x.a) != community(c, x.b) &&
           covers(c.units[x.b].shape, strip(x, 0, 3));
  });
  ASSERT_TRUE(e);
  const geo::MultiPolygon bump = strip(*e, 0, 3);
  c.units[e->a].shape =
      op(geo::unionAll({geo::Geometry{c.units[e->a].shape}, geo::Geometry{bump}}));
  c.units[e->b].shape =
      op(geo::difference(geo::Geometry{c.units[e->b].shape}, geo::Geometry{bump}));
  const auto f = check(c);
  ASSERT_EQ(f.size(), 1u) << findingsText(f);
  EXPECT_EQ(f[0].kind, FindingKind::kOutsideParent);
  std::vector<std::string> codes = {c.units[e->a].code, community(c, e->a)};
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(f[0].codes, codes);
  EXPECT_NEAR(f[0].measure, 3 * (e->length - 20), 0.01);
  EXPECT_LE(distance(f[0].xy, at(*e, e->length / 2, 1.5)), 1.0);
}

TEST(BoundaryIntegration, OwnershipFindsACutBuildingAndOnlyRealMismatches) {
  auto ds = store::openDataset(kDataset);
  ASSERT_TRUE(ds.ok()) << ds.error().toString();
  const model::District& d = ds->district;
  std::vector<Unit> grids = unitsOf(d, Level::kGrid);
  auto clean = checkOwnership(d, grids);
  ASSERT_TRUE(clean.ok()) << clean.error().toString();
  // The generator reports events up to 35 m from their address's building,
  // so some land in another grid than the one they were dispatched to (or
  // just outside the district): those, and only those, are findings.
  std::size_t mismatches = 0;
  for (const Finding& f : *clean) {
    ASSERT_EQ(f.detail.rfind("event ", 0), 0u) << name(f.kind) << " " << f.detail;
    ASSERT_TRUE(f.kind == FindingKind::kGridMismatch || f.kind == FindingKind::kUnassigned);
    if (f.kind == FindingKind::kGridMismatch) {
      ++mismatches;
      ASSERT_EQ(f.codes.size(), 2u);
      // The stored grid really does not cover the point.
      const std::string stored = f.detail.substr(f.detail.rfind(' ') + 1);
      for (const Unit& u : grids) {
        if (u.code == stored) {
          EXPECT_FALSE(geo::covers(u.shape, f.xy)) << f.detail;
        }
      }
    }
  }
  EXPECT_GT(mismatches, 0u);

  // Cut the first building in half with a new grid Z taking its east half.
  const geo::MultiPolygon fp = model::xyShape(d.buildings().footprint, 0);
  const geo::Box b = geo::bbox(fp);
  const double midx = (b.minx + b.maxx) / 2;
  geo::Ring half = {{midx, b.miny - 1},
                    {b.maxx + 1, b.miny - 1},
                    {b.maxx + 1, b.maxy + 1},
                    {midx, b.maxy + 1},
                    {midx, b.miny - 1}};
  const geo::MultiPolygon east{{geo::Polygon{half, {}}}};
  const std::size_t owner = d.buildings().grid[0];
  grids[owner].shape = op(geo::difference(geo::Geometry{grids[owner].shape}, geo::Geometry{east}));
  grids.push_back({"440604999999999", "",
                   op(geo::intersection(geo::Geometry{east},
                                        geo::Geometry{unitsOf(d, Level::kGrid)[owner].shape}))});
  // A building of another grid that a neighbour's boundary now also covers
  // (the grids overlap over it): in two grids at once.
  {
    std::vector<Unit> twice = unitsOf(d, Level::kGrid);
    std::size_t b2 = 1;
    const std::size_t home = d.buildings().grid[b2];
    const std::size_t other = home == 0 ? 1 : 0;
    const geo::MultiPolygon fp2 = model::xyShape(d.buildings().footprint, b2);
    twice[other].shape = op(geo::unionAll({geo::Geometry{twice[other].shape}, geo::Geometry{fp2}}));
    auto both = checkOwnership(d, twice);
    ASSERT_TRUE(both.ok()) << both.error().toString();
    const std::string id2 = "building " + std::to_string(d.buildings().id[b2]);
    int seen = 0;
    for (const Finding& f : *both) {
      if (f.detail != id2) continue;
      ++seen;
      EXPECT_EQ(f.kind, FindingKind::kDoubleAssigned);
      std::vector<std::string> codes = {twice[home].code, twice[other].code};
      std::sort(codes.begin(), codes.end());
      EXPECT_EQ(f.codes, codes);
      EXPECT_EQ(f.storedGrid, twice[home].code);
    }
    EXPECT_EQ(seen, 1);
  }

  auto cut = checkOwnership(d, grids);
  ASSERT_TRUE(cut.ok()) << cut.error().toString();
  const std::string id = "building " + std::to_string(d.buildings().id[0]);
  int found = 0;
  for (const Finding& f : *cut) {
    if (f.kind != FindingKind::kBuildingCut) continue;
    ++found;
    EXPECT_EQ(f.detail, id);
    std::vector<std::string> codes = {grids[owner].code, "440604999999999"};
    std::sort(codes.begin(), codes.end());
    EXPECT_EQ(f.codes, codes);
    EXPECT_GT(f.measure, 0.5);
  }
  EXPECT_EQ(found, 1);
}

// The grid owning p by brute force: GEOS-semantics covers on every grid,
// lowest code on ties; "" when none.
std::string owner(const std::vector<Unit>& units, const geo::Point& p) {
  std::string best;
  for (const Unit& u : units) {
    if (!geo::bbox(u.shape).contains(p)) continue;
    if (geo::covers(u.shape, p) && (best.empty() || u.code < best)) best = u.code;
  }
  return best;
}

using FlowMap = std::map<std::pair<std::string, std::string>, std::array<std::uint64_t, 6>>;

// Every record placed from scratch before and after the edit.
FlowMap recompute(const query::Twin& twin, const std::vector<Unit>& before,
                  const std::vector<Unit>& after) {
  FlowMap flows;
  for (std::size_t k = 0; k < kMovedKinds.size(); ++k) {
    const auto points = twin.points(kMovedKinds[k]);
    for (std::size_t row = 0; row < points.size(); ++row) {
      if (std::isnan(points[row].x)) continue;
      if (kMovedKinds[k] == model::Kind::kEvent &&
          twin.district().events().status[row] == model::EventStatus::kClosed) {
        continue;
      }
      const std::string b = owner(before, points[row]), a = owner(after, points[row]);
      if (a != b) ++flows[{b, a}][k];
    }
  }
  return flows;
}

FlowMap flowsOf(const EditPreview& p) {
  FlowMap flows;
  for (const Flow& f : p.flows) flows[{f.from, f.to}] = f.counts;
  return flows;
}

TEST(BoundaryIntegration, EditPreviewCountsEqualARecomputationFromScratch) {
  auto twin = query::Twin::open(kDataset, {});
  ASSERT_TRUE(twin.ok()) << twin.error().toString();
  const Coverage& c = reference();
  auto e = sharedEdge(c, [&](const Edge& x) {
    return x.length >= 60 && community(c, x.a) == community(c, x.b) &&
           covers(c.units[x.b].shape, strip(x, 0, 80)) &&
           covers(c.units[x.a].shape, strip(x, -40, 0));
  });
  ASSERT_TRUE(e);
  const std::string a = c.units[e->a].code, b = c.units[e->b].code;

  // Grow: a takes an 80 m deep strip of b.
  const geo::MultiPolygon grown =
      op(geo::unionAll({geo::Geometry{c.units[e->a].shape}, geo::Geometry{strip(*e, 0, 80)}}));
  auto p = previewEdit(**twin, c, a, grown);
  ASSERT_TRUE(p.ok()) << p.error().toString();
  EXPECT_EQ(p->changed, (std::vector<std::string>{a, b}));
  EXPECT_TRUE(p->newFindings.empty()) << findingsText(p->newFindings);
  EXPECT_NEAR(p->areaAfterM2 - p->areaBeforeM2, 80 * (e->length - 20), 0.01);
  // The coverage after the edit, built here on its own: a takes the
  // proposal, b loses the strip, the rest stay.
  std::vector<Unit> after = c.units;
  after[e->a].shape = grown;
  after[e->b].shape =
      op(geo::difference(geo::Geometry{c.units[e->b].shape}, geo::Geometry{strip(*e, 0, 80)}));
  EXPECT_NEAR(geo::area(p->grids[e->b].shape), geo::area(after[e->b].shape), 0.01);
  const FlowMap expected = recompute(**twin, c.units, after);
  EXPECT_EQ(flowsOf(*p), expected);
  std::uint64_t moved = 0;
  for (auto n : p->moved) moved += n;
  EXPECT_GT(moved, 0u) << "the strip should hold some records";
  for (const Flow& f : p->flows) {
    EXPECT_EQ(f.from, b);
    EXPECT_EQ(f.to, a);
  }

  // Shrink: a gives a 40 m strip on its side of the edge back to b (a moved
  // shared edge).
  const geo::MultiPolygon shrunk =
      op(geo::difference(geo::Geometry{c.units[e->a].shape}, geo::Geometry{strip(*e, -40, 0)}));
  p = previewEdit(**twin, c, a, shrunk);
  ASSERT_TRUE(p.ok()) << p.error().toString();
  EXPECT_EQ(p->changed, (std::vector<std::string>{a, b}));
  EXPECT_TRUE(p->newFindings.empty()) << findingsText(p->newFindings);
  after = c.units;
  after[e->a].shape = shrunk;
  after[e->b].shape =
      op(geo::unionAll({geo::Geometry{c.units[e->b].shape}, geo::Geometry{strip(*e, -40, 0)}}));
  EXPECT_NEAR(geo::area(p->grids[e->b].shape), geo::area(after[e->b].shape), 0.01);
  EXPECT_EQ(flowsOf(*p), recompute(**twin, c.units, after));
  for (const Flow& f : p->flows) {
    EXPECT_EQ(f.from, a);
    EXPECT_EQ(f.to, b);
  }

  // Pushing into the next community: the new finding says so.
  auto e2 = sharedEdge(c, [&](const Edge& x) {
    return x.length >= 40 && community(c, x.a) != community(c, x.b) &&
           covers(c.units[x.b].shape, strip(x, 0, 10));
  });
  ASSERT_TRUE(e2);
  p = previewEdit(
      **twin, c, c.units[e2->a].code,
      op(geo::unionAll({geo::Geometry{c.units[e2->a].shape}, geo::Geometry{strip(*e2, 0, 10)}})));
  ASSERT_TRUE(p.ok()) << p.error().toString();
  ASSERT_EQ(p->newFindings.size(), 1u) << findingsText(p->newFindings);
  EXPECT_EQ(p->newFindings[0].kind, FindingKind::kOutsideParent);
  EXPECT_EQ(flowsOf(*p), recompute(**twin, c.units, p->grids));

  // Bad input.
  EXPECT_FALSE(previewEdit(**twin, c, "440604999999999", grown).ok());
  const geo::MultiPolygon bowtie{{geo::Polygon{{{0, 0}, {10, 10}, {10, 0}, {0, 10}, {0, 0}}, {}}}};
  auto bad = previewEdit(**twin, c, a, bowtie);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("invalid"), std::string::npos) << bad.error().message;
}

// Runs a shell command; its stdout (and stderr, unless `withStderr` is
// false: a JSON reader wants stdout alone) and exit code.
std::string run(const std::string& command, int& exitCode, bool withStderr = true) {
  std::string out;
  FILE* p = popen((command + (withStderr ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = pclose(p);
  exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

TEST(BoundaryIntegration, CliChecksAShapefileAgainstTheDataset) {
  const auto dir = std::filesystem::path(GRIDTWIN_WORK_DIR) / "boundary";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string shp = (dir / "grids.shp").string();
  int rc = -1;
  // As a grid head would export it: a shapefile (field names cut to 10 characters).
  std::string out = run("ogr2ogr -f 'ESRI Shapefile' " + shp + " " + kDataset + " grids", rc);
  ASSERT_EQ(rc, 0) << out;
  // The parent field is found under its cut name, community_.
  out = run(std::string(GRIDTWIN_CLI) + " validate --dataset " + kDataset + " " + shp, rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("0 findings"), std::string::npos) << out;
  {
    SourceOptions o;
    o.dataset = kDataset;
    auto fromShp = readCoverage(shp, o);
    ASSERT_TRUE(fromShp.ok()) << fromShp.error().toString();
    ASSERT_EQ(fromShp->units.size(), 478u);
    for (const Unit& u : fromShp->units) ASSERT_EQ(u.parentCode, u.code.substr(0, 12));
  }
  // Without the parent field, checking against the dataset's parents is refused.
  out = run(std::string(GRIDTWIN_CLI) + " validate --dataset " + kDataset +
                " --parent-field parent " + shp,
            rc);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("no field 'parent'"), std::string::npos) << out;

  // One grid grown by ~10 m: overlaps with its neighbours, reported as JSON.
  const std::string grown = (dir / "grown.geojson").string();
  auto c = readCoverage(kDataset, {});
  ASSERT_TRUE(c.ok());
  const std::string victim = c->units[0].code;
  out = run("ogr2ogr -f GeoJSON " + grown + " " + kDataset +
                " -dialect SQLite -sql \"SELECT code, "
                "community_code, CASE WHEN code = '" +
                victim +
                "' THEN ST_Buffer(geom, 0.0001) ELSE "
                "geom END AS geom FROM grids\"",
            rc);
  ASSERT_EQ(rc, 0) << out;
  const std::string gpkgOut = (dir / "findings.gpkg").string();
  out = run(std::string(GRIDTWIN_CLI) + " validate --format json --dataset " + kDataset +
                " --out " + gpkgOut + " " + grown,
            rc, false);
  EXPECT_EQ(rc, 3) << out;
  const auto j = nlohmann::json::parse(out);
  ASSERT_GT(j["findings"].size(), 1u);
  int overlaps = 0;
  for (const auto& f : j["findings"]) {
    const auto codes = f["codes"].get<std::vector<std::string>>();
    EXPECT_NE(std::find(codes.begin(), codes.end(), victim), codes.end()) << f.dump();
    overlaps += f["kind"] == "overlap";
  }
  EXPECT_GE(overlaps, 2);
  EXPECT_TRUE(std::filesystem::exists(gpkgOut));

  // Bad input names the file.
  out = run(std::string(GRIDTWIN_CLI) + " validate " + (dir / "missing.shp").string(), rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("missing.shp"), std::string::npos) << out;
  out = run(std::string(GRIDTWIN_CLI) + " validate --code-field nope " + shp, rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("no field 'nope'"), std::string::npos) << out;
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(BoundaryIntegration, CliGridReportAndEditPreview) {
  const auto dir = std::filesystem::path(GRIDTWIN_WORK_DIR) / "grid_report";
  std::filesystem::remove_all(dir);
  const Coverage& c = reference();
  const std::string code = c.units[5].code;
  int rc = -1;
  // One report on stdout, as the grid's head.
  std::string out = run(std::string(GRIDTWIN_CLI) + " grid-report " + kDataset + " " + code, rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("# 网格体检表 Grid report"), std::string::npos) << out;
  EXPECT_NE(out.find("(" + code + ")"), std::string::npos);
  EXPECT_NE(out.find("## 邻接网格 Neighbours"), std::string::npos);
  EXPECT_NE(out.find("80岁以上老人"), std::string::npos);
  EXPECT_NE(out.find("## 边界问题 Boundary findings\n\n无 None"), std::string::npos)
      << "the reference grid's boundary has no findings";
  // Every format, with the map picture (PDF when built with Qt).
#ifdef GRIDTWIN_HAVE_PDF
  const bool pdfBuilt = true;
#else
  const bool pdfBuilt = false;
#endif
  if (!pdfBuilt) {
    // A build without Qt cannot draw: it says so, and writes the text with --no-map.
    out = run(std::string(GRIDTWIN_CLI) + " grid-report " + kDataset + " " + code + " --out-dir " +
                  dir.string() + " --format html",
              rc);
    EXPECT_EQ(rc, 2) << out;
    EXPECT_NE(out.find("without Qt"), std::string::npos) << out;
    EXPECT_NE(out.find("--no-map"), std::string::npos) << out;
    out = run(std::string(GRIDTWIN_CLI) + " grid-report " + kDataset + " " + code + " --out-dir " +
                  dir.string() + " --format md --no-map",
              rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(slurp(dir / (code + ".md")).find("# 网格体检表"), std::string::npos);
  } else {
    out = run(std::string(GRIDTWIN_CLI) + " grid-report " + kDataset + " " + code + " --out-dir " +
                  dir.string() + " --format all",
              rc);
    ASSERT_EQ(rc, 0) << out;
    const std::string png = slurp(dir / (code + ".png"));
    ASSERT_GT(png.size(), 1000u);
    EXPECT_EQ(png.substr(1, 3), "PNG");
    const std::string html = slurp(dir / (code + ".html"));
    EXPECT_NE(html.find("<img src=\"" + code + ".png\""), std::string::npos);
    EXPECT_NE(slurp(dir / (code + ".md")).find("](" + code + ".png)"), std::string::npos);
    const std::string pdf = slurp(dir / (code + ".pdf"));
    ASSERT_GT(pdf.size(), 1000u);
    EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
    EXPECT_NE(pdf.find("WenQuanYi"), std::string::npos) << "the CJK font is embedded";
  }
  // A grid head may not read another grid's report.
  out = run(std::string(GRIDTWIN_CLI) + " grid-report " + kDataset + " " + code +
                " --role grid_head --scope " + c.units[6].code,
            rc);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("outside the scope"), std::string::npos) << out;
  out = run(std::string(GRIDTWIN_CLI) + " grid-report " + kDataset + " 440604999999999", rc);
  EXPECT_NE(rc, 0) << out;
  EXPECT_NE(out.find("440604999999999"), std::string::npos) << out;

  // Edit preview: a 20 m square in EPSG:4547 around a vertex of the grid.
  const geo::Point v = c.units[5].shape.polygons.front().outer.front();
  char wkt[256];
  std::snprintf(wkt, sizeof wkt, "POLYGON((%.3f %.3f,%.3f %.3f,%.3f %.3f,%.3f %.3f,%.3f %.3f))",
                v.x - 10, v.y - 10, v.x + 10, v.y - 10, v.x + 10, v.y + 10, v.x - 10, v.y + 10,
                v.x - 10, v.y - 10);
  const geo::MultiPolygon grown =
      op(geo::unionAll({geo::Geometry{c.units[5].shape}, *geo::readWkt(wkt)}));
  const std::string grownWkt = geo::writeWkt(geo::Geometry{grown}, 6);
  out = run(std::string(GRIDTWIN_CLI) + " edit-preview " + kDataset + " " + code +
                " --crs EPSG:4547 --format json --wkt '" + grownWkt + "'",
            rc, false);
  ASSERT_EQ(rc, 0) << out;
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["grid"], code);
  EXPECT_GE(j["changed"].size(), 2u);
  EXPECT_NEAR(j["area_after_m2"].get<double>() - j["area_before_m2"].get<double>(),
              geo::area(grown) - geo::area(c.units[5].shape), 0.01);
  out = run(std::string(GRIDTWIN_CLI) + " edit-preview " + kDataset + " " + code +
                " --wkt 'POLYGON((0 0,1 1,1 0,0 1,0 0))'",
            rc);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("invalid"), std::string::npos) << out;
}

TEST(BoundaryIntegration, CliRendersTheTwin) {
  const auto path = std::filesystem::path(GRIDTWIN_WORK_DIR) / "twin.png";
  std::filesystem::remove(path);
  int rc = -1;
  std::string out = run(
      std::string(GRIDTWIN_CLI) + " render " + kDataset + " --size 400 --out " + path.string(), rc);
#ifndef GRIDTWIN_HAVE_PDF
  // A build without Qt cannot draw, and says so.
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("without Qt"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(path));
  return;
#endif
  ASSERT_EQ(rc, 0) << out;
  const std::string png = slurp(path);
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(1, 3), "PNG");
  // 400 x 400, as asked (the IHDR chunk: width and height, big-endian).
  auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned>(static_cast<unsigned char>(png[at])) << 24) |
           (static_cast<unsigned>(static_cast<unsigned char>(png[at + 1])) << 16) |
           (static_cast<unsigned>(static_cast<unsigned char>(png[at + 2])) << 8) |
           static_cast<unsigned>(static_cast<unsigned char>(png[at + 3]));
  };
  EXPECT_EQ(be32(16), 400u);
  EXPECT_EQ(be32(20), 400u);
  out =
      run(std::string(GRIDTWIN_CLI) + " render " + kDataset + " --out /nonexistent/dir/t.png", rc);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("/nonexistent/dir/t.png"), std::string::npos) << out;
}

}  // namespace
}  // namespace gridtwin::boundary
