#pragma once
// Aggregations over a Selection (already cut to the caller's scope, so every
// count here is a scoped count): records by kind, and by the categories the
// grid stations report on — people by tag (elderly 80+, living alone, ...),
// sex and age band; entities by credit colour, kind and industry; facilities
// by type and ownerless (无主部件); buildings by use; events by status,
// source, dispatch level, category and category group (the event window is
// the Selection's EventFilter).
//
// Counts keyed by a lookup table (industry, facility type, event category)
// are vectors indexed like the district's lookup columns; the names are in
// District::columns() (industries, facilityTypeCodes, categoryCodes, ...).
// Thread-safety: pure function.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/district.h"
#include "query/query.h"
#include "query/twin.h"

namespace gridtwin::query {

// Age bands, by the age reached in the year of `now` (that year minus the
// birth year). Not by birthdays: aggregate() serves every role, and a band
// count that changed on a birthday would tell, over a choice of `now` and a
// small area, the birth date of a person whose ID the role sees masked.
inline constexpr std::array<const char*, 5> kAgeBands = {"0-5", "6-17", "18-59", "60-79", "80+"};

struct Stats {
  std::array<std::uint64_t, model::kKindCount> counts{};  // indexed by model::Kind

  std::array<std::uint64_t, model::kPersonTagCount> peopleByTag{};
  std::array<std::uint64_t, 2> peopleBySex{};
  std::array<std::uint64_t, kAgeBands.size()> peopleByAge{};

  std::array<std::uint64_t, 3> entitiesByColour{};  // model::CreditColour
  std::array<std::uint64_t, 4> entitiesByKind{};    // model::EntityKind
  std::vector<std::uint64_t> entitiesByIndustry;    // into industries

  std::vector<std::uint64_t> facilitiesByType;  // into facilityTypeCodes
  std::uint64_t ownerlessFacilities = 0;

  std::array<std::uint64_t, 4> buildingsByUse{};  // model::BuildingUse

  std::array<std::uint64_t, 5> eventsByStatus{};  // model::EventStatus
  std::array<std::uint64_t, 6> eventsBySource{};  // model::EventSource
  std::array<std::uint64_t, 4> eventsByLevel{};   // model::DispatchLevel
  std::vector<std::uint64_t> eventsByCategory;    // into categoryCodes
  std::uint64_t liveEvents = 0;                   // of counts[kEvent]

  std::uint64_t count(model::Kind k) const { return counts[static_cast<std::size_t>(k)]; }
};

// `now` (Unix seconds) dates the age bands.
Stats aggregate(const Twin& twin, const Selection& selection, std::int64_t now = kReferenceNow);

// The stats as rows (group, key, count) in the order every answer gives
// them: counts per kind; people by tag, sex and age band; entities by credit
// colour, kind and industry; facilities by type, ownerless; buildings by use;
// events by status, source, level, category and category group; live
// events. The one shape of `gridtwin stats` and the service's /stats.
struct StatsRow {
  std::string group;
  std::string key;
  std::uint64_t count = 0;
};
std::vector<StatsRow> statsRows(const model::District& district, const Stats& s);
// {"<headKey>": "<headValue>", "<group>": {"<key>": count, ...}, ...} and a
// newline; one group a line when `pretty`.
std::string statsJson(const std::vector<StatsRow>& rows, std::string_view headKey,
                      std::string_view headValue, bool pretty);

}  // namespace gridtwin::query
