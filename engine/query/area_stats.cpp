#include "query/area_stats.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <optional>
#include <span>
#include <utility>

#include "geo/algorithms.h"
#include "geo/banded_polygon.h"

#include "query/detail/calendar.h"
#include "query/detail/select_parts.h"
#include "query/detail/stats_parts.h"

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

// Every counter of a Stats, in one fixed order: a cell summary's counter
// numbers index this list (liveEvents is never summarised).
std::vector<std::uint64_t*> counters(Stats& s) {
  std::vector<std::uint64_t*> out;
  const auto add = [&out](auto& field) {
    for (auto& c : field) out.push_back(&c);
  };
  add(s.counts);
  add(s.peopleByTag);
  add(s.peopleBySex);
  add(s.peopleByAge);
  add(s.entitiesByColour);
  add(s.entitiesByKind);
  add(s.entitiesByIndustry);
  add(s.facilitiesByType);
  out.push_back(&s.ownerlessFacilities);
  add(s.buildingsByUse);
  add(s.eventsByStatus);
  add(s.eventsBySource);
  add(s.eventsByLevel);
  add(s.eventsByCategory);
  return out;
}

// Bits for a counter number up to n - 1.
unsigned bitsFor(std::size_t n) {
  unsigned b = 1;
  while ((std::size_t{1} << b) < n) ++b;
  return b;
}

enum class Cover { kNone, kPart, kWhole };

// Rows a cut cell's scan fetches ahead: about the misses a core keeps in
// flight (10-12 line fill buffers), with room for the test's own work.
constexpr std::size_t kAhead = 16;

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
// of the polygon, and any of its points tells which. `banded` is the
// polygon's; it offers every segment whose y-range meets r's.
Cover polygonCover(const geo::BandedPolygon& banded, const geo::Box& bounds, const geo::Box& r) {
  if (!bounds.intersects(r)) return Cover::kNone;
  if (banded.anySegment(r.miny, r.maxy, [&r](const geo::Point& a, const geo::Point& b) {
        return mayMeet(a, b, r);
      })) {
    return Cover::kPart;
  }
  return banded.locate({r.minx, r.miny}) == geo::Location::kExterior ? Cover::kNone : Cover::kWhole;
}

// A box inside the polygon (proved by polygonCover), to decide most points
// of a cut grid without walking the rings: the polygon's box shrunk by the
// first fraction that fits (a lon/lat box projected to EPSG:4547 is a
// slightly turned and curved rectangle: about 0.6 % of its side near
// 113.1E, hence steps from 0.1 % to 20 %). Empty when none fits.
geo::Box innerBox(const geo::BandedPolygon& banded, const geo::Box& bounds) {
  for (double f : {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2}) {
    const double dx = bounds.width() * f, dy = bounds.height() * f;
    const geo::Box b{bounds.minx + dx, bounds.miny + dy, bounds.maxx - dx, bounds.maxy - dy};
    if (!b.empty() && polygonCover(banded, bounds, b) == Cover::kWhole) return b;
  }
  return {};
}

bool closedRings(const geo::Polygon& p) {
  const auto closed = [](const geo::Ring& r) { return r.size() >= 4 && r.front() == r.back(); };
  return closed(p.outer) && std::all_of(p.holes.begin(), p.holes.end(), closed);
}

}  // namespace

GridStats GridStats::build(const Twin& twin) { return build(twin, Options{}); }

GridStats GridStats::build(const Twin& twin, const Options& options) {
  const double cellMetres = options.cellMetres;
  assert(cellMetres > 0 && options.blocksPerSide >= 1 && options.profiles <= kEscape);
  GridStats gs;
  gs.m_year = yearOf(kReferenceNow);
  const std::size_t grids = twin.district().grids().size();
  gs.m_all.reserve(grids);
  gs.m_located.reserve(grids);
  gs.m_box.resize(grids);
  geo::Box all;  // every finite point: the lattice's origin
  // Rows with no finite point, in no cell: m_all adds them to m_located.
  std::vector<Selection> pointless(grids);
  for (std::uint32_t g = 0; g < grids; ++g) {
    for (const Kind kind : kQueryKinds) {
      const auto pts = twin.points(kind);
      const auto rows = twin.rowsInGrid(kind, g);
      for (std::size_t i = 0; i < rows.size(); ++i) {
        if (i + kAhead < rows.size()) __builtin_prefetch(&pts[rows[i + kAhead]]);
        if (finite(pts[rows[i]])) {
          gs.m_box[g].expand(pts[rows[i]]);
        } else {
          pointless[g].rows[static_cast<std::size_t>(kind)].push_back(rows[i]);
        }
      }
    }
    if (!gs.m_box[g].empty()) all.expand(gs.m_box[g]);
  }
  // The cells and blocks. A row's cell and block only group it: every
  // decision is on their points' boxes, so where floor() puts a point on a
  // lattice line does not matter. Lattice numbers are clamped to 32 bits (a
  // stray point far away shares an edge block).
  const unsigned side = options.blocksPerSide;
  const double blockMetres = cellMetres / side;
  const auto lattice = [&](double v, double origin) {
    const double k = std::floor((v - origin) / blockMetres);
    return static_cast<std::uint32_t>(std::clamp(k, 0.0, 4294967295.0));
  };
  Stats counted = detail::emptyStats(twin.district());
  const std::vector<std::uint64_t*> slots = counters(counted);
  gs.m_countBits = 32 - bitsFor(slots.size());
  assert(gs.m_countBits >= 8);  // lookup tables are 16-bit: at most 3 x 65536 + ~50 counters
  const std::uint32_t maxCount = (std::uint32_t{1} << gs.m_countBits) - 1;

  // Each grid's entries grouped by place (cell, then block), each place's
  // in (kind, row) order: a stable counting sort, as a grid's rows fall in
  // a few hundred places (std::sort of the entries took 0.4 s at full
  // scale). Places are numbered through a small open-addressing table.
  struct Place {
    std::uint64_t cell;   // lattice row << 32 | column, of the cell
    std::uint32_t block;  // within the cell
    auto operator<=>(const Place&) const = default;
  };
  struct Entry {
    Place place;
    std::uint32_t kind;  // slot in kQueryKinds
    std::uint32_t row;
    geo::Point point;
  };
  std::vector<Entry> entries, sorted;
  std::vector<Place> places;          // distinct, by number
  std::vector<std::uint32_t> table;   // place number + 1; 0: free
  std::vector<std::uint32_t> number;  // each entry's place's
  std::vector<std::uint32_t> order;   // place numbers by place
  std::vector<std::uint32_t> at;      // by place number: where its entries go
  gs.m_firstCell.reserve(grids + 1);
  gs.m_firstCell.push_back(0);
  gs.m_firstBlock.push_back(0);
  gs.m_blockRows.push_back({});
  for (std::uint32_t g = 0; g < grids; ++g) {
    entries.clear();
    for (std::size_t k = 0; k < kQueryKinds.size(); ++k) {
      const auto pts = twin.points(kQueryKinds[k]);
      const auto rows = twin.rowsInGrid(kQueryKinds[k], g);
      for (std::size_t i = 0; i < rows.size(); ++i) {
        if (i + kAhead < rows.size()) __builtin_prefetch(&pts[rows[i + kAhead]]);
        const geo::Point& p = pts[rows[i]];
        if (!finite(p)) continue;
        const std::uint32_t x = lattice(p.x, all.minx), y = lattice(p.y, all.miny);
        entries.push_back({{std::uint64_t{y / side} << 32 | x / side, y % side * side + x % side},
                           static_cast<std::uint32_t>(k),
                           rows[i],
                           p});
      }
    }
    const unsigned tableBits = bitsFor(2 * entries.size() + 2);
    table.assign(std::size_t{1} << tableBits, 0);
    places.clear();
    number.resize(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const Place& p = entries[i].place;
      std::size_t h =
          ((p.cell * 0x9E3779B97F4A7C15ull + p.block) * 0xBF58476D1CE4E5B9ull) >> (64 - tableBits);
      while (table[h] != 0 && places[table[h] - 1] != p) h = (h + 1) & (table.size() - 1);
      if (table[h] == 0) {
        places.push_back(p);
        table[h] = static_cast<std::uint32_t>(places.size());
      }
      number[i] = table[h] - 1;
    }
    order.resize(places.size());
    for (std::uint32_t n = 0; n < order.size(); ++n) order[n] = n;
    std::sort(order.begin(), order.end(),
              [&](std::uint32_t a, std::uint32_t b) { return places[a] < places[b]; });
    at.assign(places.size() + 1, 0);
    for (std::uint32_t n : number) ++at[n + 1];
    std::vector<std::uint32_t> count(at.begin() + 1, at.end());
    for (std::size_t r = 0, sum = 0; r < order.size(); ++r) {
      at[order[r]] = static_cast<std::uint32_t>(sum);
      sum += count[order[r]];
    }
    sorted.resize(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) sorted[at[number[i]]++] = entries[i];

    for (std::size_t i = 0; i < sorted.size();) {  // a cell
      const std::uint64_t cell = sorted[i].place.cell;
      geo::Box cellBox;
      while (i < sorted.size() && sorted[i].place.cell == cell) {  // a block
        const Place place = sorted[i].place;
        geo::Box blockBox;
        for (; i < sorted.size() && sorted[i].place == place; ++i) {
          gs.m_rows[sorted[i].kind].push_back(sorted[i].row);
          blockBox.expand(sorted[i].point);
        }
        KindStarts starts;
        for (std::size_t k = 0; k < starts.size(); ++k) {
          starts[k] = static_cast<std::uint32_t>(gs.m_rows[k].size());
        }
        gs.m_blockRows.push_back(starts);
        gs.m_blockBox.push_back(blockBox);
        cellBox.expand(blockBox);
      }
      gs.m_firstBlock.push_back(static_cast<std::uint32_t>(gs.m_blockBox.size()));
      gs.m_cellBox.push_back(cellBox);
    }
    gs.m_firstCell.push_back(static_cast<std::uint32_t>(gs.m_cellBox.size()));
  }

  // The profiles: each kind's distinct keys in the order rows meet them,
  // each counted once by RowCounter from its first row.
  const detail::RowCounter keys(twin.district(), kReferenceNow, counted);
  // Keys to ids through an open-addressing table at most half full (only
  // keys with an id go in).
  const unsigned idBits = bitsFor(2 * std::size_t{options.profiles} + 2);
  std::vector<std::pair<std::uint64_t, std::uint16_t>> ids;
  std::vector<std::uint32_t> first;  // a row of each profile
  for (std::size_t k = 0; k < kQueryKinds.size(); ++k) {
    const Kind kind = kQueryKinds[k];
    ids.assign(std::size_t{1} << idBits, {0, kEscape});
    first.clear();
    auto& profile = gs.m_profile[k];
    profile.resize(gs.m_rows[k].size());
    for (std::size_t i = 0; i < profile.size(); ++i) {
      const std::uint32_t row = gs.m_rows[k][i];
      const std::uint64_t key = keys.key(kind, row);
      std::size_t h = (key * 0x9E3779B97F4A7C15ull) >> (64 - idBits);
      while (ids[h].second != kEscape && ids[h].first != key) h = (h + 1) & (ids.size() - 1);
      if (ids[h].second == kEscape && first.size() < options.profiles) {
        ids[h] = {key, static_cast<std::uint16_t>(first.size())};
        first.push_back(row);
      }
      profile[i] = ids[h].second;
    }
    auto& start = gs.m_profileStart[k];
    auto& counts = gs.m_profileCounts[k];
    start.assign(1, 0);
    for (const std::uint32_t row : first) {
      detail::RowCounter counter(twin.district(), kReferenceNow, counted);
      counter.add(kind, std::span<const std::uint32_t>(&row, 1));
      for (std::size_t c = 0; c < slots.size(); ++c) {
        if (*slots[c] == 0) continue;
        assert(*slots[c] <= maxCount);
        counts.push_back(static_cast<std::uint32_t>(c) << gs.m_countBits |
                         static_cast<std::uint32_t>(*slots[c]));
        *slots[c] = 0;
      }
      start.push_back(static_cast<std::uint32_t>(counts.size()));
    }
  }

  // The cells' summaries, from their rows' profiles (escaped rows from
  // their columns), kept unless no smaller than the rows; a grid's
  // m_located is its cells' counters added up, m_all that and its rows
  // without a point.
  const std::uint32_t mask = maxCount;
  gs.m_cellSummary.reserve(gs.m_cellBox.size() + 1);
  gs.m_cellSummary.push_back(0);
  std::vector<std::uint64_t> grid(slots.size());
  for (std::uint32_t g = 0; g < grids; ++g) {
    for (std::size_t c = gs.m_firstCell[g]; c < gs.m_firstCell[g + 1]; ++c) {
      detail::RowCounter counter(twin.district(), kReferenceNow, counted);
      std::size_t rowCount = 0;
      for (std::size_t k = 0; k < kQueryKinds.size(); ++k) {
        const std::uint32_t from = gs.m_blockRows[gs.m_firstBlock[c]][k];
        const std::uint32_t to = gs.m_blockRows[gs.m_firstBlock[c + 1]][k];
        rowCount += to - from;
        const auto& start = gs.m_profileStart[k];
        const auto& counts = gs.m_profileCounts[k];
        for (std::uint32_t i = from; i < to; ++i) {
          const std::uint16_t p = gs.m_profile[k][i];
          if (p == kEscape) {
            counter.add(kQueryKinds[k], std::span<const std::uint32_t>(&gs.m_rows[k][i], 1));
            continue;
          }
          for (std::uint32_t e = start[p]; e < start[p + 1]; ++e) {
            *slots[counts[e] >> gs.m_countBits] += counts[e] & mask;
          }
        }
      }
      // The counters go back to zero either way.
      const std::size_t before = gs.m_summaries.size();
      for (std::size_t n = 0; n < slots.size(); ++n) {
        grid[n] += *slots[n];
        for (std::uint64_t left = *slots[n]; left > 0;) {
          const auto part = static_cast<std::uint32_t>(std::min<std::uint64_t>(left, maxCount));
          gs.m_summaries.push_back(static_cast<std::uint32_t>(n) << gs.m_countBits | part);
          left -= part;
        }
        *slots[n] = 0;
      }
      if (gs.m_summaries.size() - before >= rowCount) gs.m_summaries.resize(before);
      gs.m_cellSummary.push_back(static_cast<std::uint32_t>(gs.m_summaries.size()));
    }
    Stats located = detail::emptyStats(twin.district());
    const std::vector<std::uint64_t*> to = counters(located);
    for (std::size_t n = 0; n < slots.size(); ++n) *to[n] = std::exchange(grid[n], 0);
    Stats every = aggregate(twin, pointless[g], kReferenceNow);
    addTo(every, located);
    gs.m_located.push_back(std::move(located));
    gs.m_all.push_back(std::move(every));
  }
  return gs;
}

GridStats::Footprint GridStats::footprint() const {
  Footprint f;
  f.cells = m_cellBox.size();
  f.blocks = m_blockBox.size();
  for (std::size_t c = 0; c < f.cells; ++c) {
    f.summarisedCells += m_cellSummary[c + 1] > m_cellSummary[c] ? 1 : 0;
  }
  const auto bytes = [](const auto& v) { return v.size() * sizeof(v[0]); };
  f.bytes = bytes(m_firstCell) + bytes(m_cellBox) + bytes(m_firstBlock) + bytes(m_blockBox) +
            bytes(m_blockRows) + bytes(m_cellSummary) + bytes(m_summaries);
  for (std::size_t k = 0; k < kQueryKinds.size(); ++k) {
    f.bytes += bytes(m_rows[k]) + bytes(m_profile[k]) + bytes(m_profileStart[k]) +
               bytes(m_profileCounts[k]);
    f.profiles += m_profileStart[k].size() - 1;
    for (std::uint16_t p : m_profile[k]) f.escapedRows += p == kEscape ? 1 : 0;
  }
  return f;
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
  Selection live;
  live.liveSeen = twin.liveEvents().size();
  const Scope& scope = access.scope;
  Stats s = detail::emptyStats(twin.district());

  const bool isPolygon = area.type == Area::Type::kPolygon;
  const geo::Box bounds = isPolygon ? geo::bbox(area.polygon) : geo::Box{};
  std::optional<geo::BandedPolygon> banded;
  if (isPolygon) banded.emplace(area.polygon);
  const geo::Box inner = isPolygon ? innerBox(*banded, bounds) : geo::Box{};

  // A grid's or a cell's points' box against the area.
  const auto cover = [&](const geo::Box& b) {
    if (b.empty()) return Cover::kNone;  // no row with a point: in no area's geometry
    if (isPolygon) return polygonCover(*banded, bounds, b);
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
    if (isPolygon) {
      // The index's test (locate != exterior) and the brute-force search's
      // (bounds, then covers) are the same decision; the banded walk is
      // locate's.
      if (!bounds.contains(p)) return false;
      return inner.contains(p) || banded->locate(p) != geo::Location::kExterior;
    }
    return area.type == Area::Type::kBox
               ? area.box.contains(p)
               : detail::searchWithinRadius(twin, area.centre, area.radius, p);
  };

  // Summaries and profiles add into one flat array of counters (numbered
  // as counters() lists them), added to s at the end.
  const std::vector<std::uint64_t*> slots = counters(s);
  std::vector<std::uint64_t> flat(slots.size());
  const unsigned bits = grids.m_countBits;
  const std::uint32_t mask = (std::uint32_t{1} << bits) - 1;
  // Rows counted by profile (hist, sized at a kind's first row), or from
  // their columns (escaped).
  std::array<std::vector<std::uint32_t>, kQueryKinds.size()> hist, escaped;
  const auto tally = [&](std::size_t k, std::uint16_t profile, std::uint32_t row) {
    if (profile == GridStats::kEscape) {
      escaped[k].push_back(row);
      return;
    }
    if (hist[k].empty()) hist[k].assign(grids.m_profileStart[k].size() - 1, 0);
    ++hist[k][profile];
  };
  const auto wholeBlock = [&](std::uint32_t b) {
    for (std::size_t k = 0; k < kQueryKinds.size(); ++k) {
      for (std::uint32_t i = grids.m_blockRows[b][k]; i < grids.m_blockRows[b + 1][k]; ++i) {
        tally(k, grids.m_profile[k][i], grids.m_rows[k][i]);
      }
    }
  };
  // Rows of cut blocks, tested after the walk, in one run per kind: blocks
  // hold a few rows of a kind each, and the rows' points are the twin's, in
  // row order, each a cache miss (events, entities, facilities are not
  // stored by place); fetched kAhead rows ahead across blocks, they overlap.
  struct CutRow {
    std::uint32_t row;
    std::uint16_t profile;
  };
  std::array<std::vector<CutRow>, kQueryKinds.size()> cut;
  const auto cutBlock = [&](std::uint32_t b) {
    for (std::size_t k = 0; k < kQueryKinds.size(); ++k) {
      for (std::uint32_t i = grids.m_blockRows[b][k]; i < grids.m_blockRows[b + 1][k]; ++i) {
        cut[k].push_back({grids.m_rows[k][i], grids.m_profile[k][i]});
      }
    }
  };
  const auto wholeCell = [&](std::uint32_t c) {
    const std::uint32_t from = grids.m_cellSummary[c], to = grids.m_cellSummary[c + 1];
    for (std::uint32_t i = from; i < to; ++i) {
      const std::uint32_t e = grids.m_summaries[i];
      flat[e >> bits] += e & mask;
    }
    if (from < to) return;
    for (std::uint32_t b = grids.m_firstBlock[c]; b < grids.m_firstBlock[c + 1]; ++b) wholeBlock(b);
  };
  const auto cutCell = [&](std::uint32_t c) {
    for (std::uint32_t b = grids.m_firstBlock[c]; b < grids.m_firstBlock[c + 1]; ++b) {
      switch (cover(grids.m_blockBox[b])) {
        case Cover::kNone:
          break;
        case Cover::kWhole:
          wholeBlock(b);
          break;
        case Cover::kPart:
          cutBlock(b);
          break;
      }
    }
  };

  switch (area.type) {
    case Area::Type::kScope:
      for (std::uint32_t g : scope.grids()) {
        if (g < grids.gridCount()) addTo(s, grids.m_all[g]);
      }
      break;
    case Area::Type::kGrids:
      for (std::uint32_t g : area.grids) {
        if (g >= scope.gridCount() || !scope.contains(g) || g >= grids.gridCount()) continue;
        addTo(s, grids.m_all[g]);
      }
      break;
    case Area::Type::kBox:
    case Area::Type::kCircle:
    case Area::Type::kPolygon:
      for (std::uint32_t g : scope.grids()) {
        if (g >= grids.gridCount()) continue;
        switch (cover(grids.m_box[g])) {
          case Cover::kNone:
            break;
          case Cover::kWhole:
            addTo(s, grids.m_located[g]);
            break;
          case Cover::kPart:
            for (std::uint32_t c = grids.m_firstCell[g]; c < grids.m_firstCell[g + 1]; ++c) {
              switch (cover(grids.m_cellBox[c])) {
                case Cover::kNone:
                  break;
                case Cover::kWhole:
                  wholeCell(c);
                  break;
                case Cover::kPart:
                  cutCell(c);
                  break;
              }
            }
            break;
        }
      }
      break;
  }
  detail::RowCounter counter(twin.district(), now, s);
  for (std::size_t k = 0; k < kQueryKinds.size(); ++k) {
    const geo::Point* pts = twin.points(kQueryKinds[k]).data();
    const std::vector<CutRow>& rows = cut[k];
    for (std::size_t j = 0; j < rows.size(); ++j) {
      if (j + kAhead < rows.size()) __builtin_prefetch(&pts[rows[j + kAhead].row]);
      if (inArea(pts[rows[j].row])) tally(k, rows[j].profile, rows[j].row);
    }
    counter.add(kQueryKinds[k], escaped[k]);
    const auto& start = grids.m_profileStart[k];
    const auto& entries = grids.m_profileCounts[k];
    for (std::size_t p = 0; p < hist[k].size(); ++p) {
      if (hist[k][p] == 0) continue;
      for (std::uint32_t i = start[p]; i < start[p + 1]; ++i) {
        flat[entries[i] >> bits] += std::uint64_t{entries[i] & mask} * hist[k][p];
      }
    }
  }
  for (std::size_t c = 0; c < slots.size(); ++c) *slots[c] += flat[c];
  detail::selectLive(twin, scope, area, events, live);
  addTo(s, aggregate(twin, live, now));
  return s;
}

}  // namespace gridtwin::query
