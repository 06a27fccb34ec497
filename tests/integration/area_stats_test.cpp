// query::areaStats (summaries per grid and per lattice cell, row profiles,
// only cut blocks' rows tested) against the oracle aggregate(select(...)),
// every field, over random boxes, circles and polygons, grids and the whole
// scope, with areas that cover whole grids, cells and blocks, cut them, sit
// on their points' own boxes or on the lattice's lines, and hold nothing;
// for the district, a street and a grid head; on the shared small generated
// district (ctest fixture small_district) and the synthetic one (events
// without a point), each with the indexed and the brute-force twin, with
// the default cells and with cells small enough for one-row blocks, one
// block a cell, one cell a grid, and rows escaping their profiles; and with
// live events reported and changed.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "integration/private_district.h"
#include "query/access.h"
#include "query/area_input.h"
#include "query/area_stats.h"
#include "query/query.h"
#include "query/stats.h"
#include "unit/query/synthetic_district.h"

namespace gridtwin::query {
namespace {

using model::Kind;

// A private copy of the fixture, so the snapshot our loads write lands there.
const std::string& dataset() {
  return testsupport::privateDistrict(testsupport::privateWorkDir("area_stats"),
                                      GRIDTWIN_SMALL_DISTRICT);
}

std::unique_ptr<Twin> openSmall(bool indexed) {
  return std::move(Twin::open(dataset(), {indexed}).value());
}
std::unique_ptr<Twin> buildSynthetic(bool indexed) {
  auto s = test::syntheticDistrict(23);
  return std::move(Twin::build(std::move(s.district), s.staff, {indexed}).value());
}

void expectSame(const Stats& want, const Stats& got, const std::string& what) {
  EXPECT_EQ(want.counts, got.counts) << what;
  EXPECT_EQ(want.peopleByTag, got.peopleByTag) << what;
  EXPECT_EQ(want.peopleBySex, got.peopleBySex) << what;
  EXPECT_EQ(want.peopleByAge, got.peopleByAge) << what;
  EXPECT_EQ(want.entitiesByColour, got.entitiesByColour) << what;
  EXPECT_EQ(want.entitiesByKind, got.entitiesByKind) << what;
  EXPECT_EQ(want.entitiesByIndustry, got.entitiesByIndustry) << what;
  EXPECT_EQ(want.facilitiesByType, got.facilitiesByType) << what;
  EXPECT_EQ(want.ownerlessFacilities, got.ownerlessFacilities) << what;
  EXPECT_EQ(want.buildingsByUse, got.buildingsByUse) << what;
  EXPECT_EQ(want.eventsByStatus, got.eventsByStatus) << what;
  EXPECT_EQ(want.eventsBySource, got.eventsBySource) << what;
  EXPECT_EQ(want.eventsByLevel, got.eventsByLevel) << what;
  EXPECT_EQ(want.eventsByCategory, got.eventsByCategory) << what;
  EXPECT_EQ(want.liveEvents, got.liveEvents) << what;
}

std::string describe(const Area& a) {
  switch (a.type) {
    case Area::Type::kScope:
      return "scope";
    case Area::Type::kGrids:
      return "grids x" + std::to_string(a.grids.size());
    case Area::Type::kBox:
      return "box " + std::to_string(a.box.minx) + "," + std::to_string(a.box.miny) + "," +
             std::to_string(a.box.maxx) + "," + std::to_string(a.box.maxy);
    case Area::Type::kCircle:
      return "circle " + std::to_string(a.centre.x) + "," + std::to_string(a.centre.y) + " r " +
             std::to_string(a.radius);
    case Area::Type::kPolygon:
      return "polygon of " + std::to_string(a.polygon.outer.size());
  }
  return "?";
}

// Returns how many areas had a non-empty answer (so a test that only ever
// compared empty answers fails).
std::size_t compare(const Twin& t, const GridStats& gs, const Access& access, const Area& area,
                    std::int64_t now, const EventFilter& filter, const std::string& what) {
  auto sel = select(t, access, area, KindSet::all(), filter);
  auto fast = areaStats(t, gs, access, area, now, filter);
  EXPECT_EQ(sel.ok(), fast.ok()) << what << " " << describe(area);
  if (!sel || !fast) return 0;
  const Stats want = aggregate(t, *sel, now);
  expectSame(want, *fast, what + " " + describe(area));
  std::uint64_t n = 0;
  for (auto c : want.counts) n += c;
  return n > 0 ? 1 : 0;
}

struct Scopes {
  std::vector<std::pair<std::string, Access>> list;
};
Scopes scopesOf(const model::District& d) {
  const std::size_t n = d.grids().size();
  Scopes s;
  s.list.push_back({"district", Access{Role::kDistrict, Scope::all(n)}});
  s.list.push_back(
      {"street", makeAccess(d, Role::kStreet, std::string(d.streets().code[0])).value()});
  s.list.push_back(
      {"grid head", makeAccess(d, Role::kGridHead, std::string(d.grids().code[n / 2])).value()});
  return s;
}

// The boxes of each grid's finite points (what the summaries decide on), to
// aim areas exactly at them.
std::vector<geo::Box> pointBoxes(const Twin& t) {
  std::vector<geo::Box> boxes(t.district().grids().size());
  for (Kind k : kQueryKinds) {
    const auto pts = t.points(k);
    for (std::uint32_t g = 0; g < boxes.size(); ++g) {
      for (std::uint32_t r : t.rowsInGrid(k, g)) {
        if (std::isfinite(pts[r].x) && std::isfinite(pts[r].y)) boxes[g].expand(pts[r]);
      }
    }
  }
  return boxes;
}

// Areas aimed at a box the summaries decide on (a grid's, a cell's or a
// block's points' box): exactly on it, a hair inside, touching it from
// outside, a circle with a corner on it, the box as a polygon.
void aimAt(const geo::Box& b, double reach, std::vector<Area>& areas) {
  areas.push_back(Area::ofBox(b));
  areas.push_back(Area::ofBox({std::nextafter(b.minx, b.maxx + 1), b.miny, b.maxx, b.maxy}));
  areas.push_back(Area::ofBox({b.minx, b.miny, b.maxx, std::nextafter(b.maxy, b.miny - 1)}));
  areas.push_back(Area::ofBox({b.minx - reach, b.miny, b.minx, b.maxy}));
  areas.push_back(Area::ofBox({b.minx - reach, b.miny - reach, b.maxx, b.maxy + reach}));
  areas.push_back(Area::ofCircle({b.minx, b.miny}, std::hypot(b.width(), b.height())));
  areas.push_back(Area::ofCircle({b.maxx + reach, b.maxy}, reach));
  if (b.width() > 0 && b.height() > 0) {
    const geo::Ring ring{
        {b.minx, b.miny}, {b.maxx, b.miny}, {b.maxx, b.maxy}, {b.minx, b.maxy}, {b.minx, b.miny}};
    areas.push_back(Area::ofPolygon({ring, {}}));
    // A triangle with the box's diagonal as its edge: cuts it corner to corner.
    areas.push_back(Area::ofPolygon(
        {{{b.minx, b.miny}, {b.maxx, b.maxy}, {b.minx, b.maxy}, {b.minx, b.miny}}, {}}));
  }
}

std::vector<Area> randomAreas(const Twin& t, std::uint64_t seed, int count,
                              const GridStats* gs = nullptr, double cellMetres = 0) {
  const auto boxes = pointBoxes(t);
  geo::Box all;
  for (const auto& b : boxes) {
    if (!b.empty()) all.expand(b);
  }
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  const double w = all.width(), h = all.height();
  const auto at = [&](double fx, double fy) {
    return geo::Point{all.minx + fx * w, all.miny + fy * h};
  };
  std::vector<Area> areas;
  areas.push_back(Area::wholeScope());
  areas.push_back(Area::ofBox(all));  // everything
  areas.push_back(Area::ofBox({all.maxx + 10, all.maxy + 10, all.maxx + 99, all.maxy + 99}));
  areas.push_back(Area::ofBox({all.maxx, all.miny, all.minx, all.maxy}));  // inverted: nothing
  areas.push_back(Area::ofCircle(at(0.5, 0.5), std::numeric_limits<double>::infinity()));
  areas.push_back(Area::ofCircle(at(0.5, 0.5), 0));
  areas.push_back(Area::ofCircle({all.minx - 1e5, all.miny - 1e5}, 10));  // nothing
  // A polygon around everything, and one with a hole in the middle.
  const geo::Point sw = at(-0.1, -0.1), ne = at(1.1, 1.1), hs = at(0.3, 0.3), hn = at(0.7, 0.6);
  const geo::Ring around{{sw.x, sw.y}, {ne.x, sw.y}, {ne.x, ne.y}, {sw.x, ne.y}, {sw.x, sw.y}};
  areas.push_back(Area::ofPolygon({around, {}}));
  areas.push_back(Area::ofPolygon(
      {around, {{{hs.x, hs.y}, {hs.x, hn.y}, {hn.x, hn.y}, {hn.x, hs.y}, {hs.x, hs.y}}}}));
  // The service's own areas: a lon/lat box is a densified, projected ring.
  for (const geo::Box& ll : {geo::Box{113.08, 23.00, 113.12, 23.04},
                             geo::Box{113.05, 22.98, 113.10, 23.02}, geo::Box{112, 22, 115, 25}}) {
    if (auto a = boxArea(t, crs::kCgcs2000, ll)) areas.push_back(std::move(*a));
  }
  std::vector<std::uint32_t> someGrids;
  for (std::uint32_t g = 0; g < boxes.size(); g += 3) someGrids.push_back(g);
  areas.push_back(Area::ofGrids(someGrids));
  if (gs) {
    // Cells' and blocks' own boxes, and boxes, circles and polygons whose
    // edges lie on the lattice's lines (its origin is the lowest point's
    // x and y), a cell or a few wide.
    for (const auto* list : {&gs->cellBoxes(), &gs->blockBoxes()}) {
      for (int i = 0; i < count / 2 && !list->empty(); ++i) {
        aimAt((*list)[rng() % list->size()], cellMetres * u(rng), areas);
      }
    }
    for (int i = 0; i < count / 2; ++i) {
      const double x = all.minx + cellMetres * static_cast<double>(rng() % 40);
      const double y = all.miny + cellMetres * static_cast<double>(rng() % 40);
      const double n = 1 + static_cast<double>(rng() % 4);
      const double q = cellMetres / GridStats::kBlocksPerSide;
      areas.push_back(Area::ofBox({x, y, x + n * cellMetres, y + n * cellMetres}));
      areas.push_back(Area::ofBox({x + q, y, x + 3 * q, y + n * q}));
      areas.push_back(Area::ofCircle({x, y}, n * cellMetres));
      areas.push_back(Area::ofPolygon({{{x, y},
                                        {x + n * cellMetres, y},
                                        {x + n * cellMetres, y + q},
                                        {x, y + n * cellMetres},
                                        {x, y}},
                                       {}}));
    }
  }
  for (int i = 0; i < count; ++i) {
    // Random boxes and circles, small to half the district.
    const double s = u(rng) * u(rng) * 0.6;
    const geo::Point c = at(u(rng) * 1.2 - 0.1, u(rng) * 1.2 - 0.1);
    areas.push_back(Area::ofBox({c.x - s * w, c.y - s * h, c.x + s * w, c.y + s * h}));
    areas.push_back(Area::ofCircle(c, s * std::max(w, h)));
    // Exactly on a grid's point box (its corners on the boundary), a hair
    // inside it (cuts it), and grown around a few grids.
    const std::uint32_t g = static_cast<std::uint32_t>(rng() % boxes.size());
    const geo::Box& b = boxes[g];
    if (!b.empty()) {
      // A circle from outside with the grid's westmost point exactly on it
      // (p.x - c.x is exact here: Sterbenz), so only the nearest corner of
      // the point box decides that the grid is not out.
      for (Kind k : kQueryKinds) {
        for (std::uint32_t r : t.rowsInGrid(k, g)) {
          const geo::Point p = t.points(k)[r];
          if (p.x != b.minx) continue;
          const geo::Point from{p.x - (1 + u(rng) * 50), p.y};
          areas.push_back(Area::ofCircle(from, p.x - from.x));
          break;
        }
      }
      areas.push_back(Area::ofBox(b));
      areas.push_back(Area::ofBox({std::nextafter(b.minx, b.maxx), b.miny, b.maxx, b.maxy}));
      areas.push_back(Area::ofBox({b.minx - s * w, b.miny - s * h, b.maxx + s * w, b.maxy}));
      // Touching the box from outside: only its edge's points are in.
      areas.push_back(Area::ofBox({b.minx - s * w - 1, b.miny, b.minx, b.maxy}));
      const double d = s * w + 1;
      areas.push_back(Area::ofCircle({b.minx - d, (b.miny + b.maxy) / 2}, d));
      // A circle through a corner of the box, centred on the opposite one.
      const geo::Point corner{b.minx, b.miny};
      areas.push_back(Area::ofCircle(corner, std::hypot(b.width(), b.height())));
      const geo::Point mid{(b.minx + b.maxx) / 2, (b.miny + b.maxy) / 2};
      areas.push_back(Area::ofCircle(mid, std::hypot(b.width(), b.height()) / 2));
    }
    // A point of a row as a zero circle.
    const auto pts = t.points(Kind::kPerson);
    if (!pts.empty()) areas.push_back(Area::ofCircle(pts[rng() % pts.size()], 0));
    // A lon/lat box as the service makes it, and a star-shaped polygon
    // (points around a centre in angle order).
    if (i % 2 == 0) {
      const double lon = 113.0 + u(rng) * 0.2, lat = 22.93 + u(rng) * 0.15, d = u(rng) * 0.05;
      if (auto a = boxArea(t, crs::kCgcs2000, {lon, lat, lon + d, lat + d * u(rng)})) {
        areas.push_back(std::move(*a));
      }
    }
    if (i % 2 == 1) {
      geo::Ring ring;
      const int corners = 3 + static_cast<int>(rng() % 5);
      for (int k = 0; k < corners; ++k) {
        const double a = 2 * M_PI * (k + u(rng) * 0.5) / corners;
        const double r = (0.3 + 0.7 * u(rng)) * s * std::max(w, h) + 1;
        ring.push_back({c.x + r * std::cos(a), c.y + r * std::sin(a)});
      }
      ring.push_back(ring.front());
      areas.push_back(Area::ofPolygon({ring, {}}));
    }
  }
  return areas;
}

void sweep(const Twin& t, std::uint64_t seed, const std::string& name,
           const GridStats::Options& options = {}) {
  const GridStats gs = GridStats::build(t, options);
  const auto scopes = scopesOf(t.district());
  const auto areas = randomAreas(t, seed, 60, &gs, options.cellMetres);
  std::size_t nonEmpty = 0, compared = 0;
  for (const auto& [scopeName, access] : scopes.list) {
    for (const Area& area : areas) {
      nonEmpty += compare(t, gs, access, area, kReferenceNow, {}, name + " " + scopeName);
      ++compared;
    }
  }
  EXPECT_GT(nonEmpty, compared / 4) << name;
  // The fallbacks: an event filter, and a `now` in another year.
  const Access& all = scopes.list[0].second;
  for (std::size_t i = 0; i < 20 && i < areas.size(); ++i) {
    EventFilter f;
    f.window = TimeWindow::lastDays(kReferenceNow, 30);
    compare(t, gs, all, areas[i], kReferenceNow, f, name + " 30d");
    compare(t, gs, all, areas[i], kReferenceNow + 365LL * 86400, {}, name + " next year");
  }
  // Another day of the same year keeps the summaries (bands by birth year).
  for (std::size_t i = 0; i < 20 && i < areas.size(); ++i) {
    compare(t, gs, all, areas[i], kReferenceNow - 100LL * 86400, {}, name + " earlier day");
  }
}

TEST(AreaStats, EqualsAggregateOfSelectOnTheSmallDistrictIndexed) {
  sweep(*openSmall(true), 1, "small indexed");
}
TEST(AreaStats, EqualsAggregateOfSelectOnTheSmallDistrictBruteForce) {
  sweep(*openSmall(false), 2, "small brute");
}
TEST(AreaStats, EqualsAggregateOfSelectOnTheSyntheticDistrict) {
  sweep(*buildSynthetic(true), 3, "synthetic indexed");
  sweep(*buildSynthetic(false), 4, "synthetic brute");
}

// The summaries' shape on the small district: cells with and without a
// summary, blocks of one point, rows escaping their profiles — each of the
// paths areaStats takes — and the answers still aggregate(select()).
TEST(AreaStats, EqualsAggregateOfSelectWhateverTheCellsAndProfiles) {
  auto t = openSmall(true);
  struct Case {
    std::string name;
    GridStats::Options options;
  };
  const std::vector<Case> cases = {
      {"8 m cells", {8, GridStats::kBlocksPerSide, 0xffff}},
      {"30 m cells, one block each", {30, 1, 0xffff}},
      {"a cell a grid", {1e6, 2, 0xffff}},
      {"three profiles a kind", {GridStats::kCellMetres, GridStats::kBlocksPerSide, 3}},
      {"no profiles", {20, 3, 0}},
  };
  bool oneRowBlocks = false, summarised = false, unsummarised = false, escaped = false;
  std::uint64_t seed = 10;
  for (const auto& [name, options] : cases) {
    const GridStats gs = GridStats::build(*t, options);
    const auto f = gs.footprint();
    EXPECT_GE(f.blocks, f.cells) << name;
    summarised = summarised || f.summarisedCells > 0;
    unsummarised = unsummarised || f.summarisedCells < f.cells;
    escaped = escaped || f.escapedRows > 0;
    for (const geo::Box& b : gs.blockBoxes()) {
      oneRowBlocks = oneRowBlocks || (b.width() == 0 && b.height() == 0);
    }
    sweep(*t, seed++, "small " + name, options);
  }
  EXPECT_TRUE(oneRowBlocks);
  EXPECT_TRUE(summarised);
  EXPECT_TRUE(unsummarised);
  EXPECT_TRUE(escaped);
}

TEST(AreaStats, BadAreasAreSelectsErrors) {
  auto t = openSmall(true);
  const GridStats gs = GridStats::build(*t);
  const Access all{Role::kDistrict, Scope::all(t->district().grids().size())};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const Area& a :
       {Area::ofBox({nan, 0, 1, 1}), Area::ofCircle({0, 0}, -1), Area::ofCircle({nan, 0}, 1),
        Area::ofPolygon({{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}, {}})}) {
    EXPECT_FALSE(areaStats(*t, gs, all, a).ok()) << describe(a);
    EXPECT_FALSE(select(*t, all, a, KindSet::all()).ok()) << describe(a);
  }
}

TEST(AreaStats, LiveEventsReportedAndChangedAreCountedAsSelectCountsThem) {
  for (bool indexed : {true, false}) {
    auto t = openSmall(indexed);
    const GridStats gs = GridStats::build(*t);  // before the live events: never in it
    const auto& ev = t->district().columns().events;
    std::mt19937_64 rng(5);
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 300; ++i) {
      NewEvent e;
      e.category = static_cast<std::uint16_t>(rng() % t->district().columns().categoryCodes.size());
      e.reportedAt = kReferenceNow - static_cast<std::int64_t>(rng() % (40 * 86400));
      e.status = static_cast<model::EventStatus>(rng() % 5);
      if (i % 5 == 0) {
        e.grid = static_cast<std::uint32_t>(rng() % t->district().grids().size());
      } else {
        const geo::Point ll = ev.point.lonlat[rng() % ev.size()];
        if (!std::isfinite(ll.x) || !std::isfinite(ll.y)) continue;
        e.lonlat = geo::Point{ll.x + 1e-4 * (static_cast<double>(rng() % 21) - 10),
                              ll.y + 1e-4 * (static_cast<double>(rng() % 21) - 10)};
      }
      auto index = t->reportEvent(e);
      if (!index) continue;  // jittered outside the district
      ids.push_back(t->liveEvents()[*index].id);
      if (i % 3 == 0) {
        ASSERT_TRUE(t->changeEventStatus(ids[rng() % ids.size()],
                                         static_cast<model::EventStatus>(rng() % 5))
                        .ok());
      }
    }
    ASSERT_GT(ids.size(), 100u);
    const auto scopes = scopesOf(t->district());
    std::uint64_t live = 0;
    for (const auto& [scopeName, access] : scopes.list) {
      for (const Area& area : randomAreas(*t, 6, 25, &gs, GridStats::kCellMetres)) {
        compare(*t, gs, access, area, kReferenceNow, {}, "live " + scopeName);
        live += areaStats(*t, gs, access, area).value().liveEvents;
      }
    }
    EXPECT_GT(live, 0u);
  }
}

}  // namespace
}  // namespace gridtwin::query
