// gridtwin bim rooms DATASET BUILDING_ID [--role R --scope S] [--format text|json]
//
// The building's model (the dataset's bim_models table) linked to its floors
// and room addresses (engine/bim/links.h): each space with its room address,
// residents and the building's entities, masked as the role may see them
// (engine/query/access.h); spaces that match no room are listed with the
// reason, never guessed.
#include <CLI/CLI.hpp>
#include <charconv>
#include <iostream>
#include <memory>
#include <string>

#include "bim/ifc_writer.h"
#include "bim/links.h"
#include "bim/model.h"
#include "commands.h"
#include "io.h"
#include "model/columns.h"
#include "query_support.h"
#include "store/bim_table.h"

namespace gridtwin::cli {

void addBimRoomsCommand(CLI::App& bim, int& exitCode) {
  struct Options {
    std::string dataset;
    std::int64_t building = 0;
    std::string format = "text";
    std::string sharedData = GRIDTWIN_SHARED_DATA;
    qs::AccessOptions access;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = bim.add_subcommand(
      "rooms", "A building's model linked to its room addresses, residents and entities");
  cmd->add_option("dataset", o->dataset, "Dataset GeoPackage (gridtwin generate)")->required();
  cmd->add_option("building", o->building, "building_id")->required();
  cmd->add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--shared-data", o->sharedData,
                  "Folder of the shared real data the real IFC files are read from");
  qs::addAccessOptions(cmd, o->access);
  cmd->callback([o, &exitCode]() {
    const std::string cmdName = "bim rooms";
    qs::Opened opened;
    if (auto f = qs::openTwin(o->dataset, o->access, opened)) {
      exitCode = qs::fail(cmdName, *f);
      return;
    }
    const auto& d = opened.twin->district();
    const auto& buildings = d.buildings();
    std::size_t row = buildings.size();
    for (std::size_t i = 0; i < buildings.size(); ++i) {
      if (buildings.id[i] == o->building) row = i;
    }
    if (row == buildings.size()) {
      exitCode = qs::fail(cmdName, {1, "building: " + std::to_string(o->building) +
                                           " is not a building of " + o->dataset});
      return;
    }
    auto rows = store::readBimModels(o->dataset, o->building);
    if (!rows) {
      exitCode = qs::fail(cmdName, {1, rows.error().toString()});
      return;
    }
    if (rows->empty()) {
      exitCode = qs::fail(cmdName, {1, "building: " + std::to_string(o->building) +
                                           " has no building model in " + o->dataset});
      return;
    }
    const store::BimModelRow& m = rows->front();
    auto model = m.source == "shared"
                     ? bim::readModel(o->sharedData + "/" + m.file)
                     : bim::parseIfc(m.ifc, o->dataset + ": building " +
                                                std::to_string(o->building) + " model");
    if (!model) {
      exitCode = qs::fail(cmdName, {1, model.error().toString()});
      return;
    }
    // The building's room addresses.
    const auto& houses = d.houses();
    const auto& addresses = d.addresses();
    bim::LinkInput in;
    in.floors = buildings.floors[row];
    in.storeyHeight = buildings.heightM[row] / std::max<int>(1, buildings.floors[row]);
    std::vector<std::size_t> houseRow;
    for (std::size_t h = 0; h < houses.size(); ++h) {
      if (houses.building[h] != row) continue;
      bim::HouseRef ref;
      ref.houseId = houses.id[h];
      ref.unit = houses.unit[h];
      ref.floor = houses.floor[h];
      const std::string_view room = houses.room[h];
      std::from_chars(room.data(), room.data() + room.size(), ref.room);
      if (houses.address[h] != model::kNone) {
        ref.addressCode = std::string(addresses.code[static_cast<std::size_t>(houses.address[h])]);
      }
      in.multiUnit = in.multiUnit || ref.unit > 1;
      in.houses.push_back(ref);
      houseRow.push_back(h);
    }
    const bim::Links links = bim::linkRooms(*model, in);
    const auto disclosure = opened.access.disclosure();
    const auto& people = d.people();
    std::vector<std::vector<std::size_t>> residents(in.houses.size());
    std::vector<int> linkOfRow(houses.size(), -1);
    for (std::size_t k = 0; k < houseRow.size(); ++k) linkOfRow[houseRow[k]] = static_cast<int>(k);
    for (std::size_t p = 0; p < people.size(); ++p) {
      const int k = linkOfRow[people.house[p]];
      if (k >= 0) residents[static_cast<std::size_t>(k)].push_back(p);
    }
    const auto& entities = d.entities();
    std::vector<std::size_t> entityRows;
    for (std::size_t e = 0; e < entities.size(); ++e) {
      if (entities.building[e] == row && opened.access.scope.contains(entities.grid[e])) {
        entityRows.push_back(e);
      }
    }
    const bool json = o->format == "json";
    std::ostream& out = std::cout;
    if (json) {
      out << "{\"building\": " << o->building << ", \"model\": " << jsonQuote(m.file)
          << ", \"storeys\": [";
      for (std::size_t i = 0; i < links.storeys.size(); ++i) {
        out << (i ? ", " : "") << "{\"name\": " << jsonQuote(model->storeys[i].name)
            << ", \"floor\": " << links.storeys[i].floor
            << ", \"note\": " << jsonQuote(links.storeys[i].problem) << "}";
      }
      out << "],\n \"spaces\": [";
    } else {
      out << "building " << o->building << "  model " << m.file << " (" << model->schema
          << ")\nstoreys\n";
      for (std::size_t i = 0; i < links.storeys.size(); ++i) {
        out << "  " << model->storeys[i].name << " -> "
            << (links.storeys[i].floor > 0 ? "floor " + std::to_string(links.storeys[i].floor)
                                           : std::string("unmatched"))
            << (links.storeys[i].problem.empty() ? "" : " (" + links.storeys[i].problem + ")")
            << "\n";
      }
      out << "spaces\n";
    }
    for (std::size_t i = 0; i < model->spaces.size(); ++i) {
      const bim::Space& sp = model->spaces[i];
      const bim::SpaceLink& link = links.spaces[i];
      if (json) out << (i ? ",\n  " : "\n  ") << "{\"number\": " << jsonQuote(sp.number);
      if (link.house < 0) {
        if (json) {
          out << ", \"house\": null, \"unmatched\": " << jsonQuote(link.problem) << "}";
        } else {
          out << "  " << sp.number << "  unmatched: " << link.problem << "\n";
        }
        continue;
      }
      const auto k = static_cast<std::size_t>(link.house);
      const std::size_t h = houseRow[k];
      const bool visible = opened.access.scope.contains(houses.grid[h]);
      std::string address;
      if (houses.address[h] != model::kNone) {
        address = std::string(addresses.fullText[static_cast<std::size_t>(houses.address[h])]);
      }
      if (json) {
        out << ", \"house\": " << in.houses[k].houseId
            << ", \"address_code\": " << jsonQuote(in.houses[k].addressCode)
            << ", \"address\": " << jsonQuote(address)
            << ", \"in_scope\": " << (visible ? "true" : "false") << ", \"residents\": [";
      } else {
        out << "  " << sp.number << "  house " << in.houses[k].houseId << "  " << address << "\n";
      }
      if (!visible) {
        if (json) {
          out << "]}";
        } else {
          out << "      (outside your scope: residents not shown)\n";
        }
        continue;
      }
      bool first = true;
      for (std::size_t p : residents[k]) {
        const std::string name = query::shownName(disclosure, people.name[p]);
        const std::string phone = query::shownPhone(disclosure, people.phone[p]);
        const std::string idn =
            query::shownIdNumber(disclosure, model::fixedAt<18>(people.idNumber, p));
        if (json) {
          out << (first ? "" : ", ") << "{\"name\": " << jsonQuote(name)
              << ", \"phone\": " << jsonQuote(phone) << ", \"id_number\": " << jsonQuote(idn)
              << "}";
        } else {
          out << "      resident " << name << "  " << idn << "  " << phone << "\n";
        }
        first = false;
      }
      if (json) out << "]}";
    }
    if (json) {
      out << "],\n \"entities\": [";
      for (std::size_t k = 0; k < entityRows.size(); ++k) {
        const std::size_t e = entityRows[k];
        out << (k ? ", " : "") << "{\"name\": " << jsonQuote(entities.name[e])
            << ", \"credit_code\": " << jsonQuote(model::fixedAt<18>(entities.creditCode, e))
            << "}";
      }
      out << "],\n \"unmatched_spaces\": " << links.unmatchedSpaces.size()
          << ", \"rooms_without_space\": " << links.housesWithoutSpace.size() << "}\n";
    } else {
      out << "entities in the building (" << entityRows.size() << ")\n";
      for (std::size_t e : entityRows) {
        out << "  " << entities.name[e] << "  " << model::fixedAt<18>(entities.creditCode, e)
            << "\n";
      }
      out << "unmatched spaces " << links.unmatchedSpaces.size() << ", rooms without a space "
          << links.housesWithoutSpace.size() << "\n";
    }
    exitCode = 0;
  });
}

}  // namespace gridtwin::cli
