// gridtwin near <dataset> --point x,y --kind facilities [--k 5] [--crs CRS]
//               [--window ...] [--format json|jsonl|csv] [--role R] [--scope S]
//
// The k nearest records of one kind to a point, closest first, within the
// caller's scope (live events included for --kind events), with their
// distance in metres and personal fields masked per role. A point far
// outside the district (the wrong CRS) still has nearest records: they are
// reported with their (large) distances, and a note on stderr says the point
// lies in no grid.
//
// Exit codes: 0 ok; 1 bad input (NaN, a point PROJ rejects); 2 usage.
#include <CLI/CLI.hpp>
#include <charconv>
#include <iostream>
#include <memory>

#include "commands.h"
#include "query_support.h"

namespace gridtwin::cli {
namespace {

struct NearOptions {
  std::string dataset;
  std::string point;
  std::string kind = "facilities";
  std::string k = "5";
  std::string crs = "EPSG:4490";
  std::string format = "json";
  qs::EventOptions events;
  qs::AccessOptions access;
};

int runNear(const NearOptions& o) {
  auto kinds = query::parseKinds(o.kind);
  if (!kinds) return qs::fail("near", {2, "--kind: " + kinds.error().toString()});
  std::optional<model::Kind> kind;
  for (model::Kind k : query::kQueryKinds) {
    if (kinds->has(k)) {
      if (kind) return qs::fail("near", {2, "--kind: give one kind"});
      kind = k;
    }
  }
  // A whole number 1..kMaxK: -1 must not wrap round to "every record".
  constexpr std::size_t kMaxK = 100000;
  std::size_t k = 0;
  {
    const std::string_view text = qs::trim(o.k);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), k);
    if (text.empty() || text.front() == '-' || text.front() == '+' || ec != std::errc() ||
        end != text.data() + text.size() || k < 1 || k > kMaxK) {
      return qs::fail("near", {2, "--k: expected a whole number from 1 to " +
                                      std::to_string(kMaxK) + ", got '" + o.k + "'"});
    }
  }
  qs::ToMetric toMetric;
  if (auto f = toMetric.init(o.crs)) return qs::fail("near", *f);
  std::vector<double> v;
  if (!qs::parseNumbers(o.point, 2, v)) {
    return qs::fail("near",
                    {1, "--point: expected 'x,y' (finite numbers), got " + quoteInput(o.point)});
  }
  auto xy = toMetric({v[0], v[1]});
  if (!xy) return qs::fail("near", {1, "--point: " + xy.error().toString()});
  qs::Opened opened;
  if (auto f = qs::openTwin(o.dataset, o.access, opened)) return qs::fail("near", *f);
  query::EventFilter filter;
  std::int64_t now = 0;
  if (auto f = qs::parseEvents(o.events, *opened.twin, filter, now)) return qs::fail("near", *f);
  if (query::place(*opened.twin, *xy).grid < 0) {
    std::cerr << "gridtwin near: note: the point " << o.point << " (" << o.crs
              << ") lies in no grid of the district\n";
  }
  auto found = query::nearest(*opened.twin, opened.access, *kind, *xy, k, filter);
  if (!found) return qs::fail("near", {1, found.error().toString()});
  // Records through the selection machinery, so masking is the same as query's.
  query::Selection sel;
  sel.liveSeen = opened.twin->liveEvents().size();
  std::map<std::pair<bool, std::uint64_t>, double> distance;
  for (const auto& n : *found) {
    if (n.live) {
      sel.live.push_back(n.row);
    } else {
      sel.rows[static_cast<std::size_t>(*kind)].push_back(n.row);
    }
    distance[{n.live, n.row}] = n.distance;
  }
  std::vector<std::pair<double, std::string>> lines;
  std::vector<std::string> header;
  query::forEachRecord(
      *opened.twin, opened.access, sel,
      [&](const query::Record& r) {
        const double d = distance[{r.live, r.row}];
        char ds[32];
        std::snprintf(ds, sizeof ds, "%.2f", d);
        std::string line;
        if (o.format == "csv") {
          line = std::string(model::kindTable(r.kind)) + "," + std::to_string(r.id) + "," +
                 std::string(opened.twin->district().grids().code[r.grid]) + "," + ds + "," +
                 qs::coord(r.lonlat.x) + "," + qs::coord(r.lonlat.y);
          for (const auto& val : r.values) line += "," + qs::csv(val);
        } else {
          line = qs::recordJson(*opened.twin, r);
          line.insert(line.size() - 1, std::string(", \"distance_m\": ") + ds);
        }
        lines.emplace_back(d, std::move(line));
      },
      now);
  std::stable_sort(lines.begin(), lines.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  if (o.format == "csv") {
    std::cout << "kind,id,grid,distance_m,lon,lat";
    for (auto n : query::fieldNames(*kind)) std::cout << ',' << n;
    std::cout << '\n';
    for (const auto& [d, line] : lines) std::cout << line << '\n';
  } else if (o.format == "jsonl") {
    for (const auto& [d, line] : lines) std::cout << line << '\n';
  } else {
    std::cout << "[";
    for (std::size_t i = 0; i < lines.size(); ++i) {
      std::cout << (i ? ",\n  " : "\n  ") << lines[i].second;
    }
    std::cout << (lines.empty() ? "]\n" : "\n]\n");
  }
  return 0;
}

}  // namespace

void addNearCommand(CLI::App& app, int& exitCode) {
  auto o = std::make_shared<NearOptions>();
  auto* cmd = app.add_subcommand("near", "The k nearest records of one kind to a point");
  cmd->add_option("dataset", o->dataset, "Dataset GeoPackage")->required();
  cmd->add_option("--point", o->point, "x,y in --crs")->required();
  cmd->add_option("--kind", o->kind,
                  "one of buildings, addresses, houses, people, entities, "
                  "facilities (default), events");
  cmd->add_option("--k", o->k, "how many, 1 to 100000 (default 5)");
  cmd->add_option("--crs", o->crs,
                  "CRS of --point: EPSG:4490 (default), EPSG:4326, EPSG:4547, "
                  "GCJ02, BD09");
  cmd->add_option("--format", o->format, "json (default), jsonl or csv")
      ->check(CLI::IsMember({"json", "jsonl", "csv"}));
  qs::addEventOptions(cmd, o->events);
  qs::addAccessOptions(cmd, o->access);
  cmd->callback([o, &exitCode] { exitCode = runNear(*o); });
}

}  // namespace gridtwin::cli
