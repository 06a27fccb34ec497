#include "query/stats.h"

#include <map>

#include "core/json.h"
#include "query/detail/stats_parts.h"

namespace gridtwin::query {

using model::Kind;

Stats aggregate(const Twin& twin, const Selection& sel, std::int64_t now) {
  Stats s = detail::emptyStats(twin.district());
  detail::RowCounter counter(twin.district(), now, s);
  for (Kind k : kQueryKinds) counter.add(k, sel.of(k));
  const EventLog& log = twin.liveEvents();
  for (std::uint64_t i : sel.live) {
    const LiveEvent& e = log[i];
    counter.event(e.category, e.source, e.status, e.level);
  }
  s.counts[static_cast<std::size_t>(Kind::kEvent)] += sel.live.size();
  s.liveEvents = sel.live.size();
  return s;
}

std::vector<StatsRow> statsRows(const model::District& district, const Stats& s) {
  const auto& c = district.columns();
  std::vector<StatsRow> rows;
  const auto add = [&rows](const char* group, std::string_view key, std::uint64_t n) {
    rows.push_back({group, std::string(key), n});
  };
  for (model::Kind k : kQueryKinds) add("counts", model::kindTable(k), s.count(k));
  for (std::size_t t = 0; t < model::kPersonTagCount; ++t) {
    add("people_by_tag", model::name(static_cast<model::PersonTag>(t)), s.peopleByTag[t]);
  }
  for (std::size_t i = 0; i < 2; ++i) {
    add("people_by_sex", model::name(static_cast<model::Sex>(i)), s.peopleBySex[i]);
  }
  for (std::size_t i = 0; i < kAgeBands.size(); ++i) {
    add("people_by_age", kAgeBands[i], s.peopleByAge[i]);
  }
  for (std::size_t i = 0; i < 3; ++i) {
    add("entities_by_credit_colour", model::name(static_cast<model::CreditColour>(i)),
        s.entitiesByColour[i]);
  }
  for (std::size_t i = 0; i < 4; ++i) {
    add("entities_by_kind", model::name(static_cast<model::EntityKind>(i)), s.entitiesByKind[i]);
  }
  for (std::size_t i = 0; i < s.entitiesByIndustry.size(); ++i) {
    if (s.entitiesByIndustry[i])
      add("entities_by_industry", c.industries[i], s.entitiesByIndustry[i]);
  }
  for (std::size_t i = 0; i < s.facilitiesByType.size(); ++i) {
    if (s.facilitiesByType[i])
      add("facilities_by_type", c.facilityTypeCodes[i], s.facilitiesByType[i]);
  }
  add("facilities", "ownerless", s.ownerlessFacilities);
  for (std::size_t i = 0; i < 4; ++i) {
    add("buildings_by_use", model::name(static_cast<model::BuildingUse>(i)), s.buildingsByUse[i]);
  }
  for (std::size_t i = 0; i < 5; ++i) {
    add("events_by_status", model::name(static_cast<model::EventStatus>(i)), s.eventsByStatus[i]);
  }
  for (std::size_t i = 0; i < 6; ++i) {
    add("events_by_source", model::name(static_cast<model::EventSource>(i)), s.eventsBySource[i]);
  }
  for (std::size_t i = 0; i < 4; ++i) {
    add("events_by_level", model::name(static_cast<model::DispatchLevel>(i)), s.eventsByLevel[i]);
  }
  std::map<std::string, std::uint64_t> groups;
  for (std::size_t i = 0; i < s.eventsByCategory.size(); ++i) {
    if (!s.eventsByCategory[i]) continue;
    add("events_by_category", c.categoryCodes[i], s.eventsByCategory[i]);
    groups[std::string(c.categoryGroups[i])] += s.eventsByCategory[i];
  }
  for (const auto& [g, n] : groups) add("events_by_group", g, n);
  add("events", "live", s.liveEvents);
  return rows;
}

std::string statsJson(const std::vector<StatsRow>& rows, std::string_view headKey,
                      std::string_view headValue, bool pretty) {
  const char* between = pretty ? ",\n  " : ", ";
  std::string out = pretty ? "{\n  " : "{";
  core::appendJsonString(out, headKey);
  out += ": ";
  core::appendJsonString(out, headValue);
  const std::string* group = nullptr;
  for (const auto& r : rows) {
    if (!group || r.group != *group) {
      out += group ? "}" : "";
      out += between;
      core::appendJsonString(out, r.group);
      out += ": {";
      group = &r.group;
    } else {
      out += ", ";
    }
    core::appendJsonString(out, r.key);
    out += ": " + std::to_string(r.count);
  }
  out += group ? "}" : "";
  out += pretty ? "\n}\n" : "}\n";
  return out;
}

}  // namespace gridtwin::query
