#include "query/area_stats.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "geo/algorithms.h"

#include "query/detail/calendar.h"
#include "query/detail/select_parts.h"

namespace gridtwin::query {
namespace {

using model::Kind;

bool finite(const geo::Point& p) { return std::isfinite(p.x) && std::isfinite(p.y); }

int yearOf(std::int64_t now) {
  int y;
  unsigned m, d;
  detail::civilFromDays(detail::localDay(now), y, m, d);
  return y;
}

template <class T, std::size_t N>
void addTo(std::array<T, N>& a, const std::array<T, N>& b) {
  for (std::size_t i = 0; i < N; ++i) a[i] += b[i];
}
void addTo(std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  assert(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) a[i] += b[i];
}
void addTo(Stats& s, const Stats& t) {
  addTo(s.counts, t.counts);
  addTo(s.peopleByTag, t.peopleByTag);
  addTo(s.peopleBySex, t.peopleBySex);
  addTo(s.peopleByAge, t.peopleByAge);
  addTo(s.entitiesByColour, t.entitiesByColour);
  addTo(s.entitiesByKind, t.entitiesByKind);
  addTo(s.entitiesByIndustry, t.entitiesByIndustry);
  addTo(s.facilitiesByType, t.facilitiesByType);
  s.ownerlessFacilities += t.ownerlessFacilities;
  addTo(s.buildingsByUse, t.buildingsByUse);
  addTo(s.eventsByStatus, t.eventsByStatus);
  addTo(s.eventsBySource, t.eventsBySource);
  addTo(s.eventsByLevel, t.eventsByLevel);
  addTo(s.eventsByCategory, t.eventsByCategory);
  s.liveEvents += t.liveEvents;
}

enum class Cover { kNone, kPart, kWhole };

// Whether segment ab may meet the closed box r: false only when it surely
// does not (boxes apart, or r's corners all strictly on one side of the line,
// by the exact orientation test). True is the safe answer.
bool mayMeet(const geo::Point& a, const geo::Point& b, const geo::Box& r) {
  if (std::max(a.x, b.x) < r.minx || std::min(a.x, b.x) > r.maxx || std::max(a.y, b.y) < r.miny ||
      std::min(a.y, b.y) > r.maxy) {
    return false;
  }
  if (a == b) return true;  // a point, inside r by the test above
  int sides = 0;
  for (const geo::Point& c : {geo::Point{r.minx, r.miny}, geo::Point{r.maxx, r.miny},
                              geo::Point{r.minx, r.maxy}, geo::Point{r.maxx, r.maxy}}) {
    sides |= 1 << (geo::orientation(a, b, c) + 1);  // bit 0: right, 1: on, 2: left
  }
  return sides != 1 && sides != 4;
}

// The closed box r against a valid polygon with closed rings, exactly: kWhole
// only when every point of r is covered (interior or boundary), kNone only
// when none is. When no ring segment meets r, r (connected) lies in one face
// of the polygon, and any of its points tells which.
Cover polygonCover(const geo::Polygon& polygon, const geo::Box& bounds, const geo::Box& r) {
  if (!bounds.intersects(r)) return Cover::kNone;
  const auto ringMeets = [&](const geo::Ring& ring) {
    for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
      if (mayMeet(ring[i], ring[i + 1], r)) return true;
    }
    return false;
  };
  if (ringMeets(polygon.outer)) return Cover::kPart;
  for (const auto& hole : polygon.holes) {
    if (ringMeets(hole)) return Cover::kPart;
  }
  return geo::locate({r.minx, r.miny}, polygon) == geo::Location::kExterior ? Cover::kNone
                                                                            : Cover::kWhole;
}

// A box inside the polygon (proved by polygonCover), to decide most points
// of a cut grid without walking the rings: the polygon's box shrunk by the
// first fraction that fits (a lon/lat box projected to EPSG:4547 is a
// slightly turned and curved rectangle: about 0.6 % of its side near
// 113.1E, hence steps from 0.1 % to 20 %). Empty when none fits.
geo::Box innerBox(const geo::Polygon& polygon, const geo::Box& bounds) {
  for (double f : {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2}) {
    const double dx = bounds.width() * f, dy = bounds.height() * f;
    const geo::Box b{bounds.minx + dx, bounds.miny + dy, bounds.maxx - dx, bounds.maxy - dy};
    if (!b.empty() && polygonCover(polygon, bounds, b) == Cover::kWhole) return b;
  }
  return {};
}

bool closedRings(const geo::Polygon& p) {
  const auto closed = [](const geo::Ring& r) { return r.size() >= 4 && r.front() == r.back(); };
  return closed(p.outer) && std::all_of(p.holes.begin(), p.holes.end(), closed);
}

}  // namespace

GridStats GridStats::build(const Twin& twin) {
  GridStats gs;
  gs.m_year = yearOf(kReferenceNow);
  const std::size_t grids = twin.district().grids().size();
  gs.m_all.reserve(grids);
  gs.m_located.reserve(grids);
  gs.m_box.resize(grids);
  Selection all, located;
  for (std::uint32_t g = 0; g < grids; ++g) {
    for (const Kind kind : kQueryKinds) {
      auto& a = all.rows[static_cast<std::size_t>(kind)];
      auto& l = located.rows[static_cast<std::size_t>(kind)];
      a.clear();
      l.clear();
      const auto pts = twin.points(kind);
      for (std::uint32_t row : twin.rowsInGrid(kind, g)) {
        a.push_back(row);
        if (!finite(pts[row])) continue;
        l.push_back(row);
        gs.m_box[g].expand(pts[row]);
      }
    }
    gs.m_all.push_back(aggregate(twin, all, kReferenceNow));
    gs.m_located.push_back(aggregate(twin, located, kReferenceNow));
  }
  return gs;
}

core::Result<Stats> areaStats(const Twin& twin, const GridStats& grids, const Access& access,
                              const Area& area, std::int64_t now, const EventFilter& events) {
  const bool filtered = events.window || !events.categories.empty() || events.status;
  const bool oddPolygon = area.type == Area::Type::kPolygon && !closedRings(area.polygon);
  if (oddPolygon || filtered || yearOf(now) != grids.m_year) {
    auto sel = select(twin, access, area, KindSet::all(), events);
    if (!sel) return sel.takeError();
    return aggregate(twin, *sel, now);
  }
  if (auto r = checkArea(area); !r) return r.takeError();
  assert(grids.gridCount() == twin.district().grids().size());

  // The live prefix first, as select() reads it.
  Selection rest;  // the rows of the grids the area cuts, and the live events
  rest.liveSeen = twin.liveEvents().size();
  const Scope& scope = access.scope;
  std::vector<const Stats*> whole;

  const bool isPolygon = area.type == Area::Type::kPolygon;
  const geo::Box bounds = isPolygon ? geo::bbox(area.polygon) : geo::Box{};
  const geo::Box inner = isPolygon ? innerBox(area.polygon, bounds) : geo::Box{};

  const auto cover = [&](std::uint32_t g) {
    const geo::Box& b = grids.m_box[g];
    if (b.empty()) return Cover::kNone;  // no row with a point: in no area's geometry
    if (isPolygon) return polygonCover(area.polygon, bounds, b);
    if (area.type == Area::Type::kBox) {
      if (!area.box.intersects(b)) return Cover::kNone;
      return area.box.contains({b.minx, b.miny}) && area.box.contains({b.maxx, b.maxy})
                 ? Cover::kWhole
                 : Cover::kPart;
    }
    // Circle. The box's point nearest the centre, and its corners, are
    // doubles: the search's own test decides them exactly as it would a
    // row's point, and it is monotone in the distance.
    const geo::Point& c = area.centre;
    const geo::Point near{std::clamp(c.x, b.minx, b.maxx), std::clamp(c.y, b.miny, b.maxy)};
    if (!detail::searchWithinRadius(twin, c, area.radius, near)) return Cover::kNone;
    for (const geo::Point& corner : {geo::Point{b.minx, b.miny}, geo::Point{b.maxx, b.miny},
                                     geo::Point{b.minx, b.maxy}, geo::Point{b.maxx, b.maxy}}) {
      if (!detail::searchWithinRadius(twin, c, area.radius, corner)) return Cover::kPart;
    }
    return Cover::kWhole;
  };
  const auto inArea = [&](const geo::Point& p) {
    if (!finite(p)) return false;
    if (isPolygon) {
      // The index's test (locate != exterior) and the brute-force search's
      // (bounds, then covers) are the same decision.
      if (!bounds.contains(p)) return false;
      return inner.contains(p) || geo::locate(p, area.polygon) != geo::Location::kExterior;
    }
    return area.type == Area::Type::kBox
               ? area.box.contains(p)
               : detail::searchWithinRadius(twin, area.centre, area.radius, p);
  };

  switch (area.type) {
    case Area::Type::kScope:
      for (std::uint32_t g : scope.grids()) {
        if (g < grids.gridCount()) whole.push_back(&grids.m_all[g]);
      }
      break;
    case Area::Type::kGrids:
      for (std::uint32_t g : area.grids) {
        if (g >= scope.gridCount() || !scope.contains(g) || g >= grids.gridCount()) continue;
        whole.push_back(&grids.m_all[g]);
      }
      break;
    case Area::Type::kBox:
    case Area::Type::kCircle:
    case Area::Type::kPolygon:
      for (std::uint32_t g : scope.grids()) {
        if (g >= grids.gridCount()) continue;
        switch (cover(g)) {
          case Cover::kNone:
            break;
          case Cover::kWhole:
            whole.push_back(&grids.m_located[g]);
            break;
          case Cover::kPart:
            for (const Kind kind : kQueryKinds) {
              const auto pts = twin.points(kind);
              auto& out = rest.rows[static_cast<std::size_t>(kind)];
              for (std::uint32_t row : twin.rowsInGrid(kind, g)) {
                if (inArea(pts[row])) out.push_back(row);
              }
            }
            break;
        }
      }
      break;
  }
  detail::selectLive(twin, scope, area, events, rest);
  Stats s = aggregate(twin, rest, now);
  for (const Stats* w : whole) addTo(s, *w);
  return s;
}

}  // namespace gridtwin::query
