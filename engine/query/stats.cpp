#include "query/stats.h"

#include "query/detail/calendar.h"

namespace gridtwin::query {

using model::Kind;

Stats aggregate(const Twin& twin, const Selection& sel, std::int64_t now) {
  const auto& c = twin.district().columns();
  Stats s;
  s.entitiesByIndustry.assign(c.industries.size(), 0);
  s.facilitiesByType.assign(c.facilityTypeCodes.size(), 0);
  s.eventsByCategory.assign(c.categoryCodes.size(), 0);
  for (Kind k : kQueryKinds) s.counts[static_cast<std::size_t>(k)] = sel.count(k);

  for (std::uint32_t b : sel.of(Kind::kBuilding)) {
    ++s.buildingsByUse[static_cast<std::size_t>(c.buildings.use[b])];
  }
  const std::int64_t today = detail::localDay(now);
  for (std::uint32_t p : sel.of(Kind::kPerson)) {
    const std::uint32_t tags = c.people.tags[p];
    for (std::size_t t = 0; t < model::kPersonTagCount; ++t) s.peopleByTag[t] += (tags >> t) & 1u;
    ++s.peopleBySex[static_cast<std::size_t>(c.people.sex[p])];
    // By birth year (stats.h): a birthday moves no one between bands.
    const int age = detail::ageInCalendarYear(c.people.birthDay[p], today);
    const std::size_t band = age < 6 ? 0 : age < 18 ? 1 : age < 60 ? 2 : age < 80 ? 3 : 4;
    ++s.peopleByAge[band];
  }
  for (std::uint32_t e : sel.of(Kind::kEntity)) {
    ++s.entitiesByColour[static_cast<std::size_t>(c.entities.colour[e])];
    ++s.entitiesByKind[static_cast<std::size_t>(c.entities.kind[e])];
    ++s.entitiesByIndustry[c.entities.industry[e]];
  }
  for (std::uint32_t f : sel.of(Kind::kFacility)) {
    ++s.facilitiesByType[c.facilities.type[f]];
    if (c.facilities.owner[f] == model::kNone) ++s.ownerlessFacilities;
  }
  auto event = [&](std::uint16_t category, model::EventSource source, model::EventStatus status,
                   model::DispatchLevel level) {
    ++s.eventsByStatus[static_cast<std::size_t>(status)];
    ++s.eventsBySource[static_cast<std::size_t>(source)];
    ++s.eventsByLevel[static_cast<std::size_t>(level)];
    ++s.eventsByCategory[category];
  };
  for (std::uint32_t e : sel.of(Kind::kEvent)) {
    event(c.events.category[e], c.events.source[e], c.events.status[e], c.events.level[e]);
  }
  const EventLog& log = twin.liveEvents();
  for (std::uint64_t i : sel.live) {
    const LiveEvent& e = log[i];
    event(e.category, e.source, e.status, e.level);
  }
  s.liveEvents = sel.live.size();
  return s;
}

}  // namespace gridtwin::query
