// gridtwin locate <dataset> [file] [--crs CRS] [--format json|jsonl|csv]
//                 [--role R] [--scope S]
//
// Reads one "x,y" point per line (as gridtwin transform does; blank lines and
// '#' lines are skipped) in --crs (default EPSG:4490) and answers, per point,
// the grid that owns it (the lowest-code rule on shared edges), its community
// and street, and the grid's station head. A point covered by no grid gets
// null fields, not an error; a point outside its CRS's domain (a longitude
// of 473.1, degrees read as EPSG:4547 metres) is bad input, never wrapped.
// The admin geography is public; the station head's phone is masked for
// roles that may not see staff phones (engine/query/access.h).
//
// Exit codes: 0 ok; 1 bad input (the message names the input and line:
// "stdin:3: expected 'x,y', got 'nan,1'"); 2 usage.
//
// Streaming (point_stream.h): the input in big chunks, one worker per core
// parsing, transforming (Transformer::transformStream: a batch at a time)
// and answering its chunk into a buffer; the buffers written in input order.
// CGCS2000/WGS84 points that a lon/lat raster cell decides whole skip the
// transform (query::SourceLocator, index/source_shortcut.h).
// A grid's answer after "x", "y" is formatted once per worker; "x" and "y"
// are the user's own digits when they are already the shortest text of the
// number (stream::appendEcho), so no number is formatted per point. The dataset
// is opened for the grids alone: from a valid snapshot only the admin
// geography and the staff are read (Twin::Options::adminOnly).
#include <CLI/CLI.hpp>
#include <memory>

#include "commands.h"
#include "locate_stream.h"
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
  // Only the grids, their links and their heads: the registers of records
  // stay unread (Twin::Options::adminOnly).
  query::Twin::Options twinOptions;
  twinOptions.adminOnly = true;
  qs::Opened opened;
  if (auto f = qs::openTwin(o.dataset, o.access, opened, twinOptions)) {
    return qs::fail("locate", *f);
  }
  return streamLocate(*opened.twin, opened.access, toMetric.transformer(), o.format, o.input);
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
