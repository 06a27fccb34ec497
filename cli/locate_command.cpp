// gridtwin locate <dataset> [file] [--crs CRS] [--format json|jsonl|csv]
//                 [--role R] [--scope S]
//
// Reads one "x,y" point per line (as gridtwin transform does; blank lines and
// '#' lines are skipped) in --crs (default EPSG:4490) and answers, per point,
// the grid that owns it (the lowest-code rule on shared edges), its community
// and street, and the grid's station head. A point covered by no grid (a
// point in the wrong CRS lands far away) gets null fields, not an error.
// The admin geography is public; the station head's phone is masked for
// roles that may not see staff phones (engine/query/access.h).
//
// Exit codes: 0 ok; 1 bad input (the message names the input and line:
// "stdin:3: expected 'x,y', got 'nan,1'"); 2 usage.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "commands.h"
#include "io.h"
#include "query_support.h"

namespace gridtwin::cli {
namespace {

struct LocateOptions {
  std::string dataset;
  std::string input;
  std::string crs = "EPSG:4490";
  std::string format = "json";
  qs::AccessOptions access;
};

int runLocate(const LocateOptions& o) {
  qs::ToMetric toMetric;
  if (auto f = toMetric.init(o.crs)) return qs::fail("locate", *f);
  qs::Opened opened;
  if (auto f = qs::openTwin(o.dataset, o.access, opened)) return qs::fail("locate", *f);
  const query::Twin& twin = *opened.twin;
  const auto& c = twin.district().columns();
  if (o.format == "csv") {
    std::cout << "line,x,y,grid,grid_name,community,community_name,street,street_name,"
                 "station_head,station_head_phone\n";
  } else if (o.format == "json") {
    std::cout << "[";
  }
  bool first = true;
  auto r = forEachLine(o.input, [&](std::string_view line, long number) -> core::Result<void> {
    const std::string_view content = qs::trim(line);
    if (content.empty() || content.front() == '#') return {};
    std::vector<double> v;
    if (!qs::parseNumbers(content, 2, v)) {
      return core::makeError(core::ErrorCode::kSyntax,
                             "expected 'x,y' (finite numbers), got " + quoteInput(line));
    }
    auto xy = toMetric({v[0], v[1]});
    if (!xy) return xy.takeError();
    const query::Placement p = query::place(twin, *xy);
    std::string grid, gridName, community, communityName, street, streetName, head, phone;
    if (p.grid >= 0) {
      const auto g = static_cast<std::size_t>(p.grid);
      grid = c.grids.code[g];
      gridName = c.grids.name[g];
      community = c.communities.code[static_cast<std::size_t>(p.community)];
      communityName = c.communities.name[static_cast<std::size_t>(p.community)];
      street = c.streets.code[static_cast<std::size_t>(p.street)];
      streetName = c.streets.name[static_cast<std::size_t>(p.street)];
      if (p.stationHead >= 0) {
        const auto s =
            query::viewStaff(twin, opened.access, static_cast<std::uint32_t>(p.stationHead));
        head = s.name;
        phone = s.phone;
      }
    }
    const std::string xs = formatCoordinate(v[0]), ys = formatCoordinate(v[1]);  // round-trip
    if (o.format == "csv") {
      std::cout << number << ',' << xs << ',' << ys << ',' << grid << ',' << qs::csv(gridName)
                << ',' << community << ',' << qs::csv(communityName) << ',' << street << ','
                << qs::csv(streetName) << ',' << qs::csv(head) << ',' << phone << '\n';
      return {};
    }
    auto opt = [](const std::string& s) { return s.empty() ? std::string("null") : qs::json(s); };
    const std::string obj =
        "{\"line\": " + std::to_string(number) + ", \"x\": " + xs + ", \"y\": " + ys +
        ", \"grid\": " + opt(grid) + ", \"grid_name\": " + opt(gridName) +
        ", \"community\": " + opt(community) + ", \"community_name\": " + opt(communityName) +
        ", \"street\": " + opt(street) + ", \"street_name\": " + opt(streetName) +
        ", \"station_head\": " + opt(head) + ", \"station_head_phone\": " + opt(phone) + "}";
    if (o.format == "jsonl") {
      std::cout << obj << '\n';
    } else {
      std::cout << (first ? "\n  " : ",\n  ") << obj;
    }
    first = false;
    return {};
  });
  if (o.format == "json") std::cout << (first ? "]\n" : "\n]\n");
  std::cout.flush();
  if (!r) return qs::fail("locate", {1, r.error().toString()});
  return 0;
}

}  // namespace

void addLocateCommand(CLI::App& app, int& exitCode) {
  auto* cmd = app.add_subcommand(
      "locate", "Which grid, community and street own each x,y point (one per line)");
  auto o = std::make_shared<LocateOptions>();
  cmd->add_option("dataset", o->dataset, "Dataset GeoPackage")->required();
  cmd->add_option("file", o->input, "input file of x,y lines (default or '-': stdin)");
  cmd->add_option("--crs", o->crs,
                  "CRS of the points: EPSG:4490 (default), EPSG:4326, "
                  "EPSG:4547, GCJ02, BD09");
  cmd->add_option("--format", o->format, "json (default), jsonl or csv")
      ->check(CLI::IsMember({"json", "jsonl", "csv"}));
  qs::addAccessOptions(cmd, o->access);
  cmd->callback([o, &exitCode] { exitCode = runLocate(*o); });
}

}  // namespace gridtwin::cli
