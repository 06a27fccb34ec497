// gridtwin bim rooms DATASET BUILDING_ID [--role R --scope S] [--format text|json]
//
// The building's model (the dataset's bim_models table) linked to its floors
// and room addresses (engine/bim/links.h): each space with its room address,
// residents and the building's entities, masked as the role may see them
// (engine/query/access.h); spaces that match no room are listed with the
// reason, never guessed.
#include <CLI/CLI.hpp>
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
#include "rooms/rooms.h"
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
    // The links and the masked room records are engine/rooms' (the viewer
    // shows the same).
    const rooms::BuildingModel linked =
        rooms::linkModel(*opened.twin, static_cast<std::uint32_t>(row), std::move(*model),
                         bim::Anchor{m.anchorX, m.anchorY, m.anchorZ, m.rotationDeg, m.scale});
    const bim::Links& links = linked.links;
    const bim::Model& md = linked.model;
    const auto entityList = rooms::entities(*opened.twin, opened.access, linked);
    const bool json = o->format == "json";
    std::ostream& out = std::cout;
    if (json) {
      out << "{\"building\": " << o->building << ", \"model\": " << jsonQuote(m.file)
          << ", \"storeys\": [";
      for (std::size_t i = 0; i < links.storeys.size(); ++i) {
        out << (i ? ", " : "") << "{\"name\": " << jsonQuote(md.storeys[i].name)
            << ", \"floor\": " << links.storeys[i].floor
            << ", \"note\": " << jsonQuote(links.storeys[i].problem) << "}";
      }
      out << "],\n \"spaces\": [";
    } else {
      out << "building " << o->building << "  model " << m.file << " (" << md.schema
          << ")\nstoreys\n";
      for (std::size_t i = 0; i < links.storeys.size(); ++i) {
        out << "  " << md.storeys[i].name << " -> "
            << (links.storeys[i].floor > 0 ? "floor " + std::to_string(links.storeys[i].floor)
                                           : std::string("unmatched"))
            << (links.storeys[i].problem.empty() ? "" : " (" + links.storeys[i].problem + ")")
            << "\n";
      }
      out << "spaces\n";
    }
    for (std::size_t i = 0; i < md.spaces.size(); ++i) {
      const rooms::Room r = rooms::room(*opened.twin, opened.access, linked, i);
      if (json) out << (i ? ",\n  " : "\n  ") << "{\"number\": " << jsonQuote(r.number);
      if (!r.matched) {
        if (json) {
          out << ", \"house\": null, \"unmatched\": " << jsonQuote(r.problem) << "}";
        } else {
          out << "  " << r.number << "  unmatched: " << r.problem << "\n";
        }
        continue;
      }
      if (json) {
        out << ", \"house\": " << r.houseId << ", \"address_code\": " << jsonQuote(r.addressCode)
            << ", \"address\": " << jsonQuote(r.address)
            << ", \"in_scope\": " << (r.inScope ? "true" : "false") << ", \"residents\": [";
      } else {
        out << "  " << r.number << "  house " << r.houseId << "  " << r.address << "\n";
      }
      if (!r.inScope) {
        if (json) {
          out << "]}";
        } else {
          out << "      (outside your scope: residents not shown)\n";
        }
        continue;
      }
      bool first = true;
      for (const rooms::Resident& p : r.residents) {
        if (json) {
          out << (first ? "" : ", ") << "{\"name\": " << jsonQuote(p.name)
              << ", \"phone\": " << jsonQuote(p.phone)
              << ", \"id_number\": " << jsonQuote(p.idNumber) << "}";
        } else {
          out << "      resident " << p.name << "  " << p.idNumber << "  " << p.phone << "\n";
        }
        first = false;
      }
      if (json) out << "]}";
    }
    if (json) {
      out << "],\n \"entities\": [";
      for (std::size_t k = 0; k < entityList.size(); ++k) {
        out << (k ? ", " : "") << "{\"name\": " << jsonQuote(entityList[k].name)
            << ", \"credit_code\": " << jsonQuote(entityList[k].creditCode) << "}";
      }
      out << "],\n \"unmatched_spaces\": " << links.unmatchedSpaces.size()
          << ", \"rooms_without_space\": " << links.housesWithoutSpace.size() << "}\n";
    } else {
      out << "entities in the building (" << entityList.size() << ")\n";
      for (const rooms::Entity& e : entityList) {
        out << "  " << e.name << "  " << e.creditCode << "\n";
      }
      out << "unmatched spaces " << links.unmatchedSpaces.size() << ", rooms without a space "
          << links.housesWithoutSpace.size() << "\n";
    }
    exitCode = 0;
  });
}

}  // namespace gridtwin::cli
