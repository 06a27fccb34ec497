// gridtwin query <dataset> [--bbox|--wkt|--radius|--grid ...] [--crs CRS]
//                [--kinds people,entities,...] [--window 7d] [--now T]
//                [--category C] [--status S] [--stats]
//                [--format json|jsonl|csv|gpkg] [--out FILE] [--role R] [--scope S]
// gridtwin stats <dataset> [the same area, event and access options]
//                [--format json|csv]
//
// What is in an area (no area: the whole scope), cut to the caller's scope,
// personal fields masked per role (engine/query/README.md). `query` lists
// the records (or, with --stats, counts them); `stats` counts by kind, tag,
// credit colour, facility type and owner, event status/source/level/category.
//
// Exit codes: 0 ok (an empty answer included); 1 bad input (a bad WKT, a
// self-intersecting polygon, NaN, a dataset that will not open: the message
// names it); 2 usage (unknown role/kind/format, a scope that breaks the role's
// rule, two areas at once).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "commands.h"
#include "query_support.h"

namespace gridtwin::cli {
namespace {

struct QueryOptions {
  std::string dataset;
  qs::AreaOptions area;
  qs::EventOptions events;
  qs::AccessOptions access;
  std::string kinds = "all";
  std::string format = "json";
  std::string out;
  bool stats = false;
};

int runQuery(const char* command, const QueryOptions& o) {
  auto kinds = query::parseKinds(o.kinds);
  if (!kinds) return qs::fail(command, {2, "--kinds: " + kinds.error().toString()});
  if (o.stats && (o.format == "gpkg" || o.format == "jsonl")) {
    return qs::fail(command, {2, "counts come as json or csv"});
  }
  if (!o.out.empty()) {
    if (auto c = checkOutput(o.out, {o.dataset}); !c) {
      return qs::fail(command, {refusalExitCode(c.error()), c.error().toString()});
    }
  }
  qs::Opened opened;
  if (auto f = qs::openTwin(o.dataset, o.access, opened)) return qs::fail(command, *f);
  query::Area area;
  if (auto f = qs::parseArea(o.area, *opened.twin, area)) return qs::fail(command, *f);
  query::EventFilter filter;
  std::int64_t now = 0;
  if (auto f = qs::parseEvents(o.events, *opened.twin, filter, now)) return qs::fail(command, *f);
  auto sel = query::select(*opened.twin, opened.access, area, *kinds, filter);
  if (!sel) return qs::fail(command, {1, sel.error().toString()});
  if (o.stats) {
    const std::string scopeText =
        std::string(query::name(opened.access.role)) + ": " +
        (opened.access.scope.isAll() ? std::string("all")
                                     : std::to_string(opened.access.scope.count()) + " grids");
    TextOutput text;
    if (auto r = text.open(o.out, "." + o.format); !r)
      return qs::fail(command, {1, r.error().toString()});
    qs::writeStats(*opened.twin, query::aggregate(*opened.twin, *sel, now), o.format, scopeText,
                   text.stream());
    if (auto r = text.commit(); !r) return qs::fail(command, {1, r.error().toString()});
    return 0;
  }
  if (auto f = qs::writeRecords(*opened.twin, opened.access, *sel, *kinds, o.format, o.out, now)) {
    return qs::fail(command, *f);
  }
  return 0;
}

CLI::App* addCommon(CLI::App* cmd, QueryOptions& o) {
  cmd->add_option("dataset", o.dataset, "Dataset GeoPackage")->required();
  qs::addAreaOptions(cmd, o.area);
  qs::addEventOptions(cmd, o.events);
  qs::addAccessOptions(cmd, o.access);
  cmd->add_option("--kinds", o.kinds,
                  "buildings,addresses,houses,people,entities,facilities,events or all (default)");
  return cmd;
}

}  // namespace

void addQueryCommand(CLI::App& app, int& exitCode) {
  auto o = std::make_shared<QueryOptions>();
  auto* cmd = addCommon(
      app.add_subcommand("query", "List (or count) what is in an area, within the caller's scope"),
      *o);
  cmd->add_option("--format", o->format, "json (default), jsonl, csv or gpkg (with --out)")
      ->check(CLI::IsMember({"json", "jsonl", "csv", "gpkg"}));
  cmd->add_option("--out", o->out,
                  "write to this file instead of stdout (needed for --format gpkg)");
  cmd->add_flag("--stats", o->stats, "counts instead of records");
  cmd->callback([o, &exitCode] { exitCode = runQuery("query", *o); });
}

void addStatsCommand(CLI::App& app, int& exitCode) {
  auto o = std::make_shared<QueryOptions>();
  o->stats = true;
  auto* cmd = addCommon(
      app.add_subcommand("stats", "Counts by kind and category for an area or the whole scope"),
      *o);
  cmd->add_option("--format", o->format, "json (default) or csv")
      ->check(CLI::IsMember({"json", "csv"}));
  cmd->callback([o, &exitCode] { exitCode = runQuery("stats", *o); });
}

}  // namespace gridtwin::cli
