#include "rooms/rooms.h"

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "bim/ifc_writer.h"
#include "core/workers.h"
#include "model/columns.h"
#include "query/records.h"
#include "store/bim_table.h"

namespace gridtwin::rooms {

BuildingModel linkModel(const query::Twin& twin, std::uint32_t building, bim::Model model,
                        const bim::Anchor& anchor) {
  const auto& d = twin.district();
  const auto& buildings = d.buildings();
  const auto& houses = d.houses();
  const auto& addresses = d.addresses();
  BuildingModel out;
  out.building = building;
  out.buildingId = buildings.id[building];
  out.anchor = anchor;
  out.model = std::move(model);
  out.input.floors = buildings.floors[building];
  out.input.storeyHeight =
      buildings.heightM[building] / std::max<int>(1, buildings.floors[building]);
  // The district's order of the building's houses (house rows ascending).
  std::vector<std::uint32_t> rows(twin.housesOfBuilding(building).begin(),
                                  twin.housesOfBuilding(building).end());
  std::sort(rows.begin(), rows.end());
  for (const std::uint32_t h : rows) {
    bim::HouseRef ref;
    ref.houseId = houses.id[h];
    ref.unit = houses.unit[h];
    ref.floor = houses.floor[h];
    const std::string_view number = houses.room[h];
    std::from_chars(number.data(), number.data() + number.size(), ref.room);
    if (houses.address[h] != model::kNone) {
      ref.addressCode = std::string(addresses.code[static_cast<std::size_t>(houses.address[h])]);
    }
    out.input.multiUnit = out.input.multiUnit || ref.unit > 1;
    out.input.houses.push_back(std::move(ref));
    out.houseRows.push_back(h);
  }
  out.links = bim::linkRooms(out.model, out.input);
  return out;
}

core::Result<Loaded> loadModels(const std::string& gpkgPath, const query::Twin& twin,
                                const LoadOptions& options) {
  auto rows = store::readBimModels(gpkgPath, options.buildingId);
  if (!rows) return rows.error();
  const auto& buildings = twin.district().buildings();
  std::unordered_map<std::int64_t, std::uint32_t> rowOfId;
  rowOfId.reserve(buildings.size());
  for (std::uint32_t b = 0; b < buildings.size(); ++b) rowOfId.emplace(buildings.id[b], b);

  const std::size_t n = rows->size();
  std::vector<std::optional<BuildingModel>> models(n);
  std::vector<std::string> problems(n);
  bim::ReadOptions read;
  read.geometry = options.geometry;
  core::TaskQueue tasks(n);
  core::runWorkers(core::workerCount(options.workers, n), [&](unsigned) {
    std::size_t i = 0;
    while (tasks.take(i)) {
      const store::BimModelRow& r = (*rows)[i];
      const std::string who = "building " + std::to_string(r.buildingId);
      const auto it = rowOfId.find(r.buildingId);
      if (it == rowOfId.end()) {
        problems[i] =
            who + ": not a building of " + gpkgPath + " (its model " + r.file + " is not drawn)";
        continue;
      }
      auto m = r.source == "shared" ? bim::readModel(options.sharedData + "/" + r.file, read)
                                    : bim::parseIfc(r.ifc, gpkgPath + ": " + who + " model", read);
      if (!m) {
        problems[i] = who + ": " + m.error().toString();
        continue;
      }
      const bim::Anchor anchor{r.anchorX, r.anchorY, r.anchorZ, r.rotationDeg, r.scale};
      models[i] = linkModel(twin, it->second, std::move(*m), anchor);
      models[i]->file = r.file;
      models[i]->source = r.source;
    }
  });
  Loaded out;
  for (std::size_t i = 0; i < n; ++i) {
    if (models[i]) out.models.push_back(std::move(*models[i]));
    if (!problems[i].empty()) out.problems.push_back(std::move(problems[i]));
  }
  return out;
}

core::Result<std::vector<std::uint32_t>> modelBuildings(const std::string& gpkgPath,
                                                        const query::Twin& twin) {
  auto rows = store::readBimModels(gpkgPath, std::nullopt, /*withIfc=*/false);
  if (!rows) return rows.error();
  const auto& buildings = twin.district().buildings();
  std::unordered_map<std::int64_t, std::uint32_t> rowOfId;
  rowOfId.reserve(buildings.size());
  for (std::uint32_t b = 0; b < buildings.size(); ++b) rowOfId.emplace(buildings.id[b], b);
  std::vector<std::uint32_t> out;
  for (const auto& r : *rows) {
    if (const auto it = rowOfId.find(r.buildingId); it != rowOfId.end()) out.push_back(it->second);
  }
  return out;
}

Room room(const query::Twin& twin, const query::Access& access, const BuildingModel& m,
          std::size_t space) {
  Room r;
  if (space >= m.model.spaces.size()) return r;
  const bim::Space& sp = m.model.spaces[space];
  r.number = sp.number;
  r.name = sp.name;
  if (sp.storey >= 0 && static_cast<std::size_t>(sp.storey) < m.model.storeys.size()) {
    const auto s = static_cast<std::size_t>(sp.storey);
    r.storey = m.model.storeys[s].name;
    if (s < m.links.storeys.size()) r.floor = m.links.storeys[s].floor;
  }
  const bim::SpaceLink& link = m.links.spaces[space];
  if (link.house < 0) {
    r.problem = link.problem;
    return r;
  }
  const auto k = static_cast<std::size_t>(link.house);
  const std::uint32_t h = m.houseRows[k];
  const auto& d = twin.district();
  const auto& houses = d.houses();
  r.matched = true;
  r.houseId = m.input.houses[k].houseId;
  r.addressCode = m.input.houses[k].addressCode;
  if (houses.address[h] != model::kNone) {
    r.address = std::string(d.addresses().fullText[static_cast<std::size_t>(houses.address[h])]);
  }
  r.inScope = access.scope.contains(houses.grid[h]);
  if (!r.inScope) return r;
  const auto disclosure = access.disclosure();
  const auto& people = d.people();
  std::vector<std::uint32_t> residents(twin.peopleOfHouse(h).begin(), twin.peopleOfHouse(h).end());
  std::sort(residents.begin(), residents.end());
  for (const std::uint32_t p : residents) {
    r.residents.push_back({query::shownName(disclosure, people.name[p]),
                           query::shownPhone(disclosure, people.phone[p]),
                           query::shownIdNumber(disclosure, model::fixedAt<model::kIdNumberSize>(
                                                                people.idNumber, p))});
  }
  return r;
}

std::vector<Entity> entities(const query::Twin& twin, const query::Access& access,
                             const BuildingModel& m) {
  const auto& es = twin.district().entities();
  std::vector<std::uint32_t> rows(twin.entitiesOfBuilding(m.building).begin(),
                                  twin.entitiesOfBuilding(m.building).end());
  std::sort(rows.begin(), rows.end());
  std::vector<Entity> out;
  for (const std::uint32_t e : rows) {
    if (!access.scope.contains(es.grid[e])) continue;
    out.push_back({std::string(es.name[e]),
                   std::string(model::fixedAt<model::kCreditCodeSize>(es.creditCode, e))});
  }
  return out;
}

}  // namespace gridtwin::rooms
