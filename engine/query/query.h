#pragma once
// Queries over a Twin under an Access: what is in an area (box, polygon,
// circle, grids, the whole scope), the k nearest of a kind, and where a
// point is. Every answer is already cut to the caller's scope: a record
// whose grid (its register's grid column) is outside the scope is never
// returned, counted or exported.
//
// Area semantics are the spatial services' (spatial.h): closed box, covering
// polygon, distance <= r; a record is in the area when its point is (twin.h
// says which point each kind has). A grid area is the linkage, not the
// geometry: the records whose grid column names the grid.
//
// Live events: a query reads the event log's published size once, at its
// start, and sees exactly that prefix (Selection::liveSeen): an answer is
// always consistent with some prefix of the appended events. Within it each
// live event counts once, with its latest status (EventLog::current: a
// status change supersedes the event's earlier entry).
//
// Bad input: NaN/infinite coordinates → kNonFinite; an invalid polygon
// (self-intersection, unclosed ring...) → kInvalidGeometry with GEOS's reason
// and place; a negative or NaN radius → kInvalidArgument. An area far from
// the district (a point in the wrong CRS), or a huge radius, is not an
// error: the answer is simply empty, or everything in scope.
//
// Thread-safety: pure functions of their arguments; any number of threads.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "geo/types.h"
#include "query/access.h"
#include "query/twin.h"

namespace gridtwin::query {

// The dataset's reference "now": 2026-07-01T00:00:00+08:00, the end of the
// generated data's last day (2026-06-30).
inline constexpr std::int64_t kReferenceNow = 1782835200;

// [from, to) in Unix seconds.
struct TimeWindow {
  std::int64_t from = std::numeric_limits<std::int64_t>::min();
  std::int64_t to = std::numeric_limits<std::int64_t>::max();
  bool contains(std::int64_t t) const { return t >= from && t < to; }
  static TimeWindow last(std::int64_t now, std::int64_t seconds) { return {now - seconds, now}; }
  static TimeWindow lastHours(std::int64_t now, int hours) { return last(now, 3600LL * hours); }
  static TimeWindow lastDays(std::int64_t now, int days) { return last(now, 86400LL * days); }
};

// "24h", "7d", "30d", "12h", "90d" (relative to now), or "FROM/TO" with ISO
// 8601 times ("2026-06-01T00:00:00+08:00", "2026-06-01" = local midnight
// +08:00). Errors: kSyntax naming the text.
core::Result<TimeWindow> parseTimeWindow(std::string_view text, std::int64_t now);
// ISO 8601 with an offset ("Z", "+08:00"), or a date (local +08:00). Errors:
// kSyntax naming the text.
core::Result<std::int64_t> parseTime(std::string_view text);
// "2026-06-30T12:00:00+08:00" (the district's local time).
std::string formatTime(std::int64_t unixSeconds);

// A set of query kinds.
class KindSet {
 public:
  KindSet() = default;
  static KindSet all();
  KindSet& add(model::Kind k) {
    m_bits |= 1u << static_cast<unsigned>(k);
    return *this;
  }
  bool has(model::Kind k) const { return (m_bits >> static_cast<unsigned>(k)) & 1u; }
  bool empty() const { return m_bits == 0; }

 private:
  std::uint32_t m_bits = 0;
};
// Comma-separated table names ("people,entities,events"; singular "person",
// "building"... accepted). Errors: kInvalidArgument naming the unknown kind.
core::Result<KindSet> parseKinds(std::string_view text);

// An area in EPSG:4547 metres.
struct Area {
  enum class Type : std::uint8_t { kScope, kBox, kPolygon, kCircle, kGrids };
  Type type = Type::kScope;
  geo::Box box;
  geo::Polygon polygon;
  geo::Point centre;
  double radius = 0;
  std::vector<std::uint32_t> grids;

  static Area wholeScope() { return {}; }
  static Area ofBox(const geo::Box& b);
  static Area ofPolygon(geo::Polygon p);
  static Area ofCircle(const geo::Point& c, double r);
  static Area ofGrids(std::vector<std::uint32_t> g);
};

// Extra filters on events (base and live alike).
struct EventFilter {
  std::optional<TimeWindow> window;
  std::vector<std::uint16_t> categories;  // empty: any
  std::optional<model::EventStatus> status;
  bool accepts(std::uint16_t category, model::EventStatus s, std::int64_t t) const;
  bool empty() const { return !window && categories.empty() && !status; }  // accepts every event
};

struct Selection {
  // Rows per kind (indexed by model::Kind), ascending, all in scope.
  std::array<std::vector<std::uint32_t>, model::kKindCount> rows;
  // Live events (indexes into Twin::liveEvents()), ascending, all in scope,
  // all below liveSeen, each current in that prefix (one per event id).
  std::vector<std::uint64_t> live;
  std::uint64_t liveSeen = 0;  // the log prefix this answer saw

  const std::vector<std::uint32_t>& of(model::Kind k) const {
    return rows[static_cast<std::size_t>(k)];
  }
  // Records of kind k, live events included for kEvent.
  std::size_t count(model::Kind k) const;
};

// Checks an area: finite coordinates, a polygon that is not empty or
// degenerate (kInvalidArgument) and is valid, sane radius. select()
// calls it; callers may call it first to report errors early.
core::Result<void> checkArea(const Area& area);

core::Result<Selection> select(const Twin& twin, const Access& access, const Area& area,
                               const KindSet& kinds, const EventFilter& events = {});

// A page of the whole scope: rows [offset, offset + limit) of
// select(twin, access, Area::wholeScope(), {kind}, events) in its order
// (base rows, then live events), and how many records that selection
// holds, without gathering the rest (an OGC API items page of the
// district's 2 M events). page.rows / page.live hold the page;
// page.liveSeen is the prefix it saw.
struct ScopePage {
  Selection page;
  std::size_t total = 0;  // select(...).count(kind)
};
ScopePage selectPage(const Twin& twin, const Access& access, model::Kind kind, std::size_t offset,
                     std::size_t limit, const EventFilter& events = {});

// The k nearest records of `kind` to `q` that are in scope (and pass the
// event filter for events; live events included), closest first, ties by
// row with live events after base rows. Errors: kNonFinite for q;
// kInvalidArgument for a kind that is not a query kind.
struct Nearby {
  std::uint32_t row = 0;  // base row, or live index when live
  bool live = false;
  double distance = 0;  // metres
};
core::Result<std::vector<Nearby>> nearest(const Twin& twin, const Access& access, model::Kind kind,
                                          const geo::Point& q, std::size_t k,
                                          const EventFilter& events = {});

// Where a point is: its grid, community and street (rows; -1 outside) and the
// grid's station head (-1 when unknown). Not scoped: the admin geography is
// public; the head's phone is masked by records.h for roles that may not see
// it.
struct Placement {
  std::int32_t grid = -1;
  std::int32_t community = -1;
  std::int32_t street = -1;
  std::int32_t stationHead = -1;
};
Placement place(const Twin& twin, const geo::Point& xy);
// The same for a grid already found (a row, or -1: outside).
Placement placeGrid(const Twin& twin, std::int32_t grid);

}  // namespace gridtwin::query
