// gridtwin validate [--level grid|community|street] <polygons> [--dataset D]
//                   [--layer L] [--code-field F] [--parent-field F]
//                   [--sliver-width M] [--min-area M2] [--ownership]
//                   [--format text|json] [--out findings.gpkg]
//
// Checks a coverage: invalid polygons, overlaps, gaps inside the district,
// slivers, units outside their parent or the district (engine/boundary). The
// polygons are a gridtwin dataset (its grids, communities or streets, checked
// against its own parents and outline) or any polygon file GDAL reads (a
// shapefile, GeoJSON...), checked against --dataset's parents and outline.
// --ownership (datasets only) adds the records' checks: buildings cut by a
// grid boundary, records in no grid or two, stored grid ≠ located grid.
//
// Exit codes: 0 no findings; 3 findings reported; 1 bad input (the message
// names the file, layer, feature or field); 2 usage.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <memory>

#include "boundary/coverage.h"
#include "boundary/output.h"
#include "boundary/ownership.h"
#include "boundary/source.h"
#include "commands.h"
#include "io.h"
#include "store/gpkg_reader.h"

namespace gridtwin::cli {
namespace {

struct ValidateOptions {
  std::string input;
  std::string level = "grid";
  std::string dataset;
  boundary::SourceOptions source;
  boundary::CoverageOptions coverage;
  bool ownership = false;
  std::string format = "text";
  std::string out;
};

int failWith(const core::Error& e) {
  std::cerr << "gridtwin validate: " << e.toString() << '\n';
  return 1;
}

int runValidate(ValidateOptions& o) {
  if (!boundary::parseLevel(o.level, o.source.level)) {
    std::cerr << "gridtwin validate: --level must be grid, community or street\n";
    return 2;
  }
  if (!o.out.empty()) {
    if (auto c = checkOutput(o.out, {o.input, o.dataset}); !c) {
      std::cerr << "gridtwin validate: " << c.error().toString() << '\n';
      return refusalExitCode(c.error());
    }
  }
  o.source.dataset = o.dataset;
  auto coverage = boundary::readCoverage(o.input, o.source);
  if (!coverage) return failWith(coverage.error());
  auto findings = boundary::validate(*coverage, o.coverage);
  if (!findings) return failWith(findings.takeError().withContext(o.input));
  if (o.ownership) {
    const std::string dataset = o.dataset.empty() ? o.input : o.dataset;
    auto opened = store::openDataset(dataset);
    if (!opened) return failWith(opened.error());
    std::vector<boundary::Unit> grids =
        o.source.level == boundary::Level::kGrid
            ? coverage->units
            : boundary::unitsOf(opened->district, boundary::Level::kGrid);
    auto owned = boundary::checkOwnership(opened->district, grids, {});
    if (!owned) return failWith(owned.takeError().withContext(dataset));
    findings->insert(findings->end(), owned->begin(), owned->end());
    boundary::sortFindings(*findings);
  }
  if (!o.out.empty()) {
    if (auto w = boundary::writeFindingsGpkg(o.out, *findings); !w) return failWith(w.error());
  }
  std::cout << (o.format == "json" ? boundary::findingsJson(*findings)
                                   : boundary::findingsText(*findings));
  if (o.format == "text") {
    std::cout << findings->size() << (findings->size() == 1 ? " finding\n" : " findings\n");
  }
  std::cout.flush();
  return findings->empty() ? 0 : 3;
}

}  // namespace

void addValidateCommand(CLI::App& app, int& exitCode) {
  auto* cmd = app.add_subcommand(
      "validate",
      "Check a coverage of grids, communities or streets: gaps, overlaps, slivers, "
      "units outside their parent or the district; exit 3 when anything is found");
  auto o = std::make_shared<ValidateOptions>();
  cmd->add_option("polygons", o->input, "a gridtwin dataset, or any polygon file GDAL reads")
      ->required();
  cmd->add_option("--level", o->level, "grid (default), community or street")
      ->check(CLI::IsMember({"grid", "community", "street"}));
  cmd->add_option("--dataset", o->dataset,
                  "the dataset whose parents and outline a foreign file is checked against");
  cmd->add_option("--layer", o->source.layer,
                  "layer of the polygon file (default: the level's "
                  "table, or the file's only layer)");
  cmd->add_option("--code-field", o->source.codeField, "field holding the code (default: code)");
  cmd->add_option("--parent-field", o->source.parentField,
                  "field holding the parent's code (default: community_code for grids, "
                  "street_code for communities)");
  cmd->add_option("--sliver-width", o->coverage.sliverWidthM,
                  "parts narrower than this many metres are slivers (default 1)");
  cmd->add_option("--min-area", o->coverage.minAreaM2,
                  "overlaps, gaps and stray parts smaller than this many m2 are rounding "
                  "(default 1)");
  cmd->add_flag("--ownership", o->ownership,
                "also check the dataset's records against the grids (buildings cut by a "
                "boundary, records in no grid or two, stored grid != located grid)");
  cmd->add_option("--format", o->format, "text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--out", o->out, "also write the findings to this GeoPackage");
  cmd->callback([o, &exitCode] { exitCode = runValidate(*o); });
}

}  // namespace gridtwin::cli
