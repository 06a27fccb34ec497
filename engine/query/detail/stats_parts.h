#pragma once
// aggregate()'s counting of snapshot rows (stats.cpp), shared with the fast
// path beside it (area_stats.cpp), which must count a row exactly as
// aggregate() does. Internal to gridtwin::query.
// Ownership: a RowCounter points into the district's columns and the Stats
// it fills; both must outlive it. Thread-safety: one RowCounter per thread.
#include <cstdint>
#include <span>

#include "query/detail/calendar.h"
#include "query/stats.h"

namespace gridtwin::query::detail {

// A Stats with its lookup-keyed vectors sized for the district, all zero.
inline Stats emptyStats(const model::District& district) {
  const auto& c = district.columns();
  Stats s;
  s.entitiesByIndustry.assign(c.industries.size(), 0);
  s.facilitiesByType.assign(c.facilityTypeCodes.size(), 0);
  s.eventsByCategory.assign(c.categoryCodes.size(), 0);
  return s;
}

class RowCounter {
 public:
  // `now` dates the age bands. `s` must come from emptyStats (or have its
  // vectors sized the same way).
  RowCounter(const model::District& district, std::int64_t now, Stats& s)
      : m_c(district.columns()), m_today(localDay(now)), m_s(s) {}

  // Counts the snapshot rows of `kind` (counts[] included).
  void add(model::Kind kind, std::span<const std::uint32_t> rows) {
    m_s.counts[static_cast<std::size_t>(kind)] += rows.size();
    const auto& c = m_c;
    switch (kind) {
      case model::Kind::kBuilding:
        each(
            rows, [&](std::uint32_t b) { ++m_s.buildingsByUse[index(c.buildings.use[b])]; },
            c.buildings.use);
        break;
      case model::Kind::kPerson:
        each(
            rows, [&](std::uint32_t p) { person(p); }, c.people.tags, c.people.sex,
            c.people.birthDay);
        break;
      case model::Kind::kEntity:
        each(
            rows,
            [&](std::uint32_t e) {
              ++m_s.entitiesByColour[index(c.entities.colour[e])];
              ++m_s.entitiesByKind[index(c.entities.kind[e])];
              ++m_s.entitiesByIndustry[c.entities.industry[e]];
            },
            c.entities.colour, c.entities.kind, c.entities.industry);
        break;
      case model::Kind::kFacility:
        each(
            rows,
            [&](std::uint32_t f) {
              ++m_s.facilitiesByType[c.facilities.type[f]];
              if (c.facilities.owner[f] == model::kNone) ++m_s.ownerlessFacilities;
            },
            c.facilities.type, c.facilities.owner);
        break;
      case model::Kind::kEvent:
        each(
            rows,
            [&](std::uint32_t e) {
              event(c.events.category[e], c.events.source[e], c.events.status[e],
                    c.events.level[e]);
            },
            c.events.category, c.events.source, c.events.status, c.events.level);
        break;
      default:
        break;  // addresses, houses: counted only
    }
  }

  // A key for a snapshot row of `kind`, equal for two rows of that kind
  // whenever add() counts them into the same counters for a `now` in one
  // calendar year: every column add() reads, the birth day by its year
  // (ageInCalendarYear depends on nothing else). Keep it beside add(): a
  // column read there and left out here would merge rows add() tells apart.
  std::uint64_t key(model::Kind kind, std::uint32_t row) const {
    const auto& c = m_c;
    switch (kind) {
      case model::Kind::kBuilding:
        return index(c.buildings.use[row]);
      case model::Kind::kPerson: {
        int year;
        unsigned month, day;
        civilFromDays(c.people.birthDay[row], year, month, day);
        return std::uint64_t{c.people.tags[row]} << 32 | index(c.people.sex[row]) << 24 |
               (static_cast<std::uint32_t>(year) & 0xffffffu);  // |year| < 2^23: int32 days
      }
      case model::Kind::kEntity:
        return index(c.entities.colour[row]) | index(c.entities.kind[row]) << 8 |
               std::uint64_t{c.entities.industry[row]} << 16;
      case model::Kind::kFacility:
        return std::uint64_t{c.facilities.type[row]} |
               std::uint64_t{c.facilities.owner[row] == model::kNone} << 16;
      case model::Kind::kEvent:
        return std::uint64_t{c.events.category[row]} | index(c.events.source[row]) << 16 |
               index(c.events.status[row]) << 24 | std::uint64_t{index(c.events.level[row])} << 32;
      default:
        return 0;  // addresses, houses: counted only
    }
  }

  // One event's categories (not counts[]): snapshot rows and live entries alike.
  void event(std::uint16_t category, model::EventSource source, model::EventStatus status,
             model::DispatchLevel level) {
    ++m_s.eventsByStatus[static_cast<std::size_t>(status)];
    ++m_s.eventsBySource[static_cast<std::size_t>(source)];
    ++m_s.eventsByLevel[static_cast<std::size_t>(level)];
    ++m_s.eventsByCategory[category];
  }

 private:
  // Rows a scan fetches ahead in the columns it reads: a selection's rows
  // are seldom neighbours in a column (events are stored by time, not by
  // place), so each read is a cache miss; about the misses a core keeps in
  // flight.
  static constexpr std::size_t kAhead = 16;

  template <class E>
  static std::uint64_t index(E e) {
    return static_cast<std::uint64_t>(e);
  }
  template <class F, class... Columns>
  static void each(std::span<const std::uint32_t> rows, F f, const Columns&... columns) {
    const std::size_t n = rows.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) (__builtin_prefetch(&columns[rows[i + kAhead]]), ...);
      f(rows[i]);
    }
  }

  void person(std::uint32_t p) {
    const std::uint32_t tags = m_c.people.tags[p];
    for (std::size_t t = 0; t < model::kPersonTagCount; ++t) m_s.peopleByTag[t] += (tags >> t) & 1u;
    ++m_s.peopleBySex[static_cast<std::size_t>(m_c.people.sex[p])];
    // By birth year (stats.h): a birthday moves no one between bands.
    const int age = ageInCalendarYear(m_c.people.birthDay[p], m_today);
    const std::size_t band = age < 6 ? 0 : age < 18 ? 1 : age < 60 ? 2 : age < 80 ? 3 : 4;
    ++m_s.peopleByAge[band];
  }

  const model::DistrictColumns<model::Viewed>& m_c;
  std::int64_t m_today;
  Stats& m_s;
};

}  // namespace gridtwin::query::detail
