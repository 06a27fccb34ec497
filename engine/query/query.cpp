#include "query/query.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "core/time.h"
#include "geo/algorithms.h"
#include "geo/geos.h"
#include "query/area_input.h"
#include "query/detail/calendar.h"
#include "query/detail/select_parts.h"

namespace gridtwin::query {
namespace {

using core::ErrorCode;
using core::makeError;
using model::Kind;

constexpr std::int64_t kLocalOffset = core::kChinaStandardTime;  // the district keeps UTC+8

bool finite(const geo::Point& p) { return std::isfinite(p.x) && std::isfinite(p.y); }

core::Error nonFinite(const std::string& what) {
  return makeError(ErrorCode::kNonFinite, what + " has a NaN or infinite coordinate", "area");
}

bool inArea(const Area& area, const geo::Point& p, std::uint32_t grid) {
  switch (area.type) {
    case Area::Type::kScope:
      return true;
    case Area::Type::kBox:
      return area.box.contains(p);
    case Area::Type::kPolygon:
      return finite(p) && coversPoint(area.polygon, p);
    case Area::Type::kCircle:
      return withinRadius(area.centre, area.radius, p);
    case Area::Type::kGrids:
      return std::binary_search(area.grids.begin(), area.grids.end(), grid);
  }
  return false;
}

}  // namespace

core::Result<std::int64_t> parseTime(std::string_view text) {
  return core::parseIsoTime(text, kLocalOffset);
}

std::string formatTime(std::int64_t t) { return core::formatIsoTime(t, kLocalOffset); }

core::Result<TimeWindow> parseTimeWindow(std::string_view text, std::int64_t now) {
  const auto slash = text.find('/');
  if (slash != std::string_view::npos) {
    auto from = parseTime(text.substr(0, slash));
    if (!from) return from.takeError();
    auto to = parseTime(text.substr(slash + 1));
    if (!to) return to.takeError();
    if (*to < *from) {
      return makeError(ErrorCode::kInvalidArgument,
                       "time window ends before it starts: '" + std::string(text) + "'");
    }
    return TimeWindow{*from, *to};
  }
  if (text.size() >= 2) {
    std::int64_t n = 0;
    const char* end = text.data() + text.size() - 1;
    const auto [ptr, ec] = std::from_chars(text.data(), end, n);
    if (ec == std::errc() && ptr == end && n >= 0 && n < 100000) {
      if (text.back() == 'h') return TimeWindow::last(now, n * 3600);
      if (text.back() == 'd') return TimeWindow::last(now, n * 86400);
    }
  }
  return makeError(ErrorCode::kSyntax, "expected a window like 24h, 7d, 30d or FROM/TO, got '" +
                                           std::string(text) + "'");
}

KindSet KindSet::all() {
  KindSet s;
  for (Kind k : kQueryKinds) s.add(k);
  return s;
}

core::Result<KindSet> parseKinds(std::string_view text) {
  static constexpr std::pair<std::string_view, Kind> kNames[] = {
      {"buildings", Kind::kBuilding},  {"building", Kind::kBuilding},
      {"addresses", Kind::kAddress},   {"address", Kind::kAddress},
      {"houses", Kind::kHouse},        {"house", Kind::kHouse},
      {"people", Kind::kPerson},       {"person", Kind::kPerson},
      {"entities", Kind::kEntity},     {"entity", Kind::kEntity},
      {"facilities", Kind::kFacility}, {"facility", Kind::kFacility},
      {"events", Kind::kEvent},        {"event", Kind::kEvent}};
  KindSet set;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::size_t end = comma == std::string_view::npos ? text.size() : comma;
    std::string_view item = text.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "all") {
      set = KindSet::all();
    } else if (!item.empty()) {
      bool found = false;
      for (const auto& [n, k] : kNames) {
        if (n == item) {
          set.add(k);
          found = true;
        }
      }
      if (!found) {
        return makeError(ErrorCode::kInvalidArgument,
                         "unknown kind '" + std::string(item) +
                             "' (buildings, addresses, houses, people, entities, facilities, "
                             "events, all)",
                         "kinds");
      }
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (set.empty()) return makeError(ErrorCode::kInvalidArgument, "no kinds given", "kinds");
  return set;
}

Area Area::ofBox(const geo::Box& b) {
  Area a;
  a.type = Type::kBox;
  a.box = b;
  return a;
}
Area Area::ofPolygon(geo::Polygon p) {
  Area a;
  a.type = Type::kPolygon;
  a.polygon = std::move(p);
  return a;
}
Area Area::ofCircle(const geo::Point& c, double r) {
  Area a;
  a.type = Type::kCircle;
  a.centre = c;
  a.radius = r;
  return a;
}
Area Area::ofGrids(std::vector<std::uint32_t> g) {
  Area a;
  a.type = Type::kGrids;
  std::sort(g.begin(), g.end());
  g.erase(std::unique(g.begin(), g.end()), g.end());
  a.grids = std::move(g);
  return a;
}

bool EventFilter::accepts(std::uint16_t category, model::EventStatus s, std::int64_t t) const {
  if (window && !window->contains(t)) return false;
  if (status && *status != s) return false;
  return categories.empty() ||
         std::find(categories.begin(), categories.end(), category) != categories.end();
}

std::size_t Selection::count(Kind k) const {
  return of(k).size() + (k == Kind::kEvent ? live.size() : 0);
}

core::Result<void> checkArea(const Area& area) {
  switch (area.type) {
    case Area::Type::kScope:
    case Area::Type::kGrids:
      return {};
    case Area::Type::kBox:
      if (!std::isfinite(area.box.minx) || !std::isfinite(area.box.miny) ||
          !std::isfinite(area.box.maxx) || !std::isfinite(area.box.maxy)) {
        return nonFinite("the box");
      }
      return {};
    case Area::Type::kCircle:
      if (!finite(area.centre)) return nonFinite("the circle's centre");
      if (std::isnan(area.radius) || area.radius < 0) {
        return makeError(ErrorCode::kInvalidArgument,
                         "radius must be >= 0, got " + std::to_string(area.radius), "area");
      }
      return {};
    case Area::Type::kPolygon: {
      const auto allFinite = [](const geo::Ring& r) {
        return std::all_of(r.begin(), r.end(), [](const geo::Point& p) { return finite(p); });
      };
      if (!allFinite(area.polygon.outer) ||
          !std::all_of(area.polygon.holes.begin(), area.polygon.holes.end(), allFinite)) {
        return nonFinite("the polygon");
      }
      if (area.polygon.outer.empty()) {
        return makeError(ErrorCode::kInvalidArgument, "the polygon is empty", "area");
      }
      if (isDegenerate(area.polygon)) {
        return makeError(ErrorCode::kInvalidArgument,
                         "the polygon is degenerate (no area: its corners are on one line or "
                         "one point)",
                         "area");
      }
      const geo::Geometry g(area.polygon);
      auto valid = geo::isValid(g);
      if (!valid) return std::move(valid.takeError()).withContext("area");
      if (!*valid) {
        return makeError(ErrorCode::kInvalidGeometry,
                         "invalid query polygon: " + geo::validityReason(g), "area");
      }
      return {};
    }
  }
  return {};
}

namespace {

// The rows of `kind` in a scope's grids: how many of the register's n, and
// whether reading the register in row order beats gathering the grids' rows
// (each grid's ascending, their union not) and sorting them: it does for a
// scope holding much of the register (the district's 2 M events: ~200 ms
// gathered and sorted).
struct ScopeRows {
  std::vector<std::uint32_t> grids;
  std::size_t inScope = 0;
  std::size_t n = 0;
  bool rowOrder() const { return inScope * 8 >= n; }

  static ScopeRows of(const Twin& twin, const Scope& scope, Kind kind) {
    ScopeRows r{scope.grids(), 0, twin.points(kind).size()};
    for (std::uint32_t g : r.grids) r.inScope += twin.rowsInGrid(kind, g).size();
    return r;
  }
};

// Appends the scope's rows of `kind` that `keep` accepts, ascending.
template <class Keep>
void appendScopeRows(const Twin& twin, const Scope& scope, Kind kind, const ScopeRows& in,
                     Keep keep, std::vector<std::uint32_t>& out) {
  const std::size_t first = out.size();
  out.reserve(first + in.inScope);
  if (in.rowOrder()) {
    for (std::uint32_t row = 0; row < in.n; ++row) {
      if (scope.contains(twin.gridOf(kind, row)) && keep(row)) out.push_back(row);
    }
    return;
  }
  for (std::uint32_t g : in.grids) {
    for (std::uint32_t row : twin.rowsInGrid(kind, g)) {
      if (keep(row)) out.push_back(row);
    }
  }
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
}

}  // namespace

core::Result<Selection> select(const Twin& twin, const Access& access, const Area& area,
                               const KindSet& kinds, const EventFilter& events) {
  if (auto r = checkArea(area); !r) return r.takeError();
  Selection sel;
  // The live prefix first: everything published by now, nothing later.
  sel.liveSeen = twin.liveEvents().size();
  const Scope& scope = access.scope;
  const auto& ev = twin.district().events();
  for (const Kind kind : kQueryKinds) {
    if (!kinds.has(kind)) continue;
    std::vector<std::uint32_t>& out = sel.rows[static_cast<std::size_t>(kind)];
    bool ascending = false;  // out is already in row order
    switch (area.type) {
      case Area::Type::kScope:
        appendScopeRows(
            twin, scope, kind, ScopeRows::of(twin, scope, kind), [](std::uint32_t) { return true; },
            out);
        ascending = true;
        break;
      case Area::Type::kGrids:
        for (std::uint32_t g : area.grids) {
          if (g >= scope.gridCount() || !scope.contains(g)) continue;
          const auto rows = twin.rowsInGrid(kind, g);
          out.insert(out.end(), rows.begin(), rows.end());
        }
        break;
      case Area::Type::kBox:
        twin.search(kind).box(area.box, out);
        break;
      case Area::Type::kPolygon:
        if (auto r = twin.search(kind).polygon(area.polygon, out); !r) return r.takeError();
        break;
      case Area::Type::kCircle:
        twin.search(kind).radius(area.centre, area.radius, out);
        break;
    }
    // The scope decides by the register's grid column, for every area type.
    std::erase_if(out, [&](std::uint32_t row) {
      if (!scope.contains(twin.gridOf(kind, row))) return true;
      return kind == Kind::kEvent &&
             !events.accepts(ev.category[row], ev.status[row], ev.reportedAt[row]);
    });
    if (!ascending) std::sort(out.begin(), out.end());
  }
  if (kinds.has(Kind::kEvent)) detail::selectLive(twin, scope, area, events, sel);
  return sel;
}

ScopePage selectPage(const Twin& twin, const Access& access, Kind kind, std::size_t offset,
                     std::size_t limit, const EventFilter& events) {
  ScopePage out;
  Selection& page = out.page;
  page.liveSeen = twin.liveEvents().size();
  const Scope& scope = access.scope;
  const auto& ev = twin.district().events();
  const auto accepted = [&](std::uint32_t row) {
    return kind != Kind::kEvent ||
           events.accepts(ev.category[row], ev.status[row], ev.reportedAt[row]);
  };
  const bool filtered = kind == Kind::kEvent && !events.empty();
  std::vector<std::uint32_t>& rows = page.rows[static_cast<std::size_t>(kind)];
  const std::size_t end = limit > SIZE_MAX - offset ? SIZE_MAX : offset + limit;
  std::size_t base = 0;  // base rows of the selection
  const ScopeRows in = ScopeRows::of(twin, scope, kind);
  if (!filtered && in.inScope == in.n) {
    // Every row is in scope: the page is rows offset.. themselves.
    for (std::size_t row = offset; row < in.n && row < end; ++row) {
      rows.push_back(static_cast<std::uint32_t>(row));
    }
    base = in.n;
  } else if (!filtered && in.rowOrder()) {
    // In row order, the count known: the scan stops at the page's end.
    for (std::uint32_t row = 0; row < in.n && base < end; ++row) {
      if (!scope.contains(twin.gridOf(kind, row))) continue;
      if (base >= offset) rows.push_back(row);
      ++base;
    }
    base = in.inScope;
  } else {
    std::vector<std::uint32_t> all;
    appendScopeRows(twin, scope, kind, in, accepted, all);
    base = all.size();
    for (std::size_t i = offset; i < all.size() && i < end; ++i) rows.push_back(all[i]);
  }
  out.total = base;
  if (kind == Kind::kEvent) {
    Selection live;
    live.liveSeen = page.liveSeen;
    detail::selectLive(twin, scope, Area::wholeScope(), events, live);
    out.total += live.live.size();
    const std::size_t from = offset > base ? offset - base : 0;
    for (std::size_t i = from; i < live.live.size() && rows.size() + page.live.size() < limit;
         ++i) {
      page.live.push_back(live.live[i]);
    }
  }
  return out;
}

void detail::selectLive(const Twin& twin, const Scope& scope, const Area& area,
                        const EventFilter& events, Selection& sel) {
  const EventLog& log = twin.liveEvents();
  for (std::uint64_t i = 0; i < sel.liveSeen; ++i) {
    if (!log.current(i, sel.liveSeen)) continue;  // a later status of the event is in the prefix
    const LiveEvent& e = log[i];
    if (!scope.contains(e.grid) || !events.accepts(e.category, e.status, e.reportedAt)) continue;
    if (inArea(area, e.xy, e.grid)) sel.live.push_back(i);
  }
}

core::Result<std::vector<Nearby>> nearest(const Twin& twin, const Access& access, Kind kind,
                                          const geo::Point& q, std::size_t k,
                                          const EventFilter& events) {
  if (!isQueryKind(kind)) {
    return makeError(ErrorCode::kInvalidArgument,
                     "cannot search for nearest " + std::string(model::kindTable(kind)));
  }
  if (!finite(q)) return nonFinite("the query point");
  std::vector<Nearby> out;
  if (k == 0) return out;
  const std::uint64_t liveSeen = kind == Kind::kEvent ? twin.liveEvents().size() : 0;
  const Scope& scope = access.scope;
  const auto& ev = twin.district().events();
  const auto pts = twin.points(kind);
  auto accepted = [&](std::uint32_t row) {
    if (!scope.contains(twin.gridOf(kind, row))) return false;
    return kind != Kind::kEvent ||
           events.accepts(ev.category[row], ev.status[row], ev.reportedAt[row]);
  };
  // Ask for more until k survive the scope filter or the kind is exhausted.
  std::vector<Neighbour> found;
  std::vector<Nearby> base;
  for (std::size_t want = k;; want = std::min(want * 4, pts.size())) {
    found.clear();
    base.clear();
    twin.search(kind).nearest(q, want, found);
    for (const Neighbour& n : found) {
      if (accepted(n.row)) base.push_back({n.row, false, n.distance});
      if (base.size() == k) break;
    }
    if (base.size() == k || found.size() < want || want >= pts.size()) break;
  }
  auto d2 = [&](const geo::Point& p) {
    const double dx = p.x - q.x, dy = p.y - q.y;
    return dx * dx + dy * dy;
  };
  struct LiveCand {
    double d2;
    std::uint64_t index;
  };
  std::vector<LiveCand> live;
  const EventLog& log = twin.liveEvents();
  for (std::uint64_t i = 0; i < liveSeen; ++i) {
    if (!log.current(i, liveSeen)) continue;
    const LiveEvent& e = log[i];
    if (!finite(e.xy) || !scope.contains(e.grid) ||
        !events.accepts(e.category, e.status, e.reportedAt)) {
      continue;
    }
    live.push_back({d2(e.xy), i});
  }
  std::sort(live.begin(), live.end(), [](const LiveCand& a, const LiveCand& b) {
    return a.d2 < b.d2 || (a.d2 == b.d2 && a.index < b.index);
  });
  // Merge by d², base rows first on ties.
  std::size_t bi = 0, li = 0;
  while (out.size() < k && (bi < base.size() || li < live.size())) {
    const bool takeBase =
        li >= live.size() || (bi < base.size() && d2(pts[base[bi].row]) <= live[li].d2);
    if (takeBase) {
      out.push_back(base[bi++]);
    } else {
      const LiveEvent& e = log[live[li].index];
      out.push_back({static_cast<std::uint32_t>(live[li].index), true,
                     std::hypot(e.xy.x - q.x, e.xy.y - q.y)});
      ++li;
    }
  }
  return out;
}

Placement place(const Twin& twin, const geo::Point& xy) {
  return placeGrid(twin, twin.locator().find(xy));
}

}  // namespace gridtwin::query
