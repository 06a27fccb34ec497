// gridtwin export --from postgresql://... --to file.gpkg
//
// Writes the dataset in PostGIS back to a GeoPackage (engine/pgstore/
// gpkg_export.h): the same tables, fields, geometries and views that were
// ingested; the file appears only when complete. Rows the connecting role
// may not see (row-level security) are not exported.
//
// Exit codes: 0 ok; 1 bad input or database error; 2 usage.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "commands.h"
#include "io.h"
#include "pgstore/gpkg_export.h"

namespace gridtwin::cli {

void addExportCommand(CLI::App& app, int& exitCode) {
  struct Options {
    std::string from;
    std::string to;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("export", "Write the dataset in PostGIS to a GeoPackage");
  cmd->add_option("--from", opts->from, "PostgreSQL URL (postgresql://...)")->required();
  cmd->add_option("--to", opts->to, "GeoPackage to write (replaced only when complete)")
      ->required();
  cmd->callback([opts, &exitCode]() {
    if (auto c = checkOutput(opts->to, {}, "--to"); !c) {
      std::cerr << "gridtwin export: " << c.error().toString() << "\n";
      exitCode = refusalExitCode(c.error());
      return;
    }
    auto r = pgstore::exportGeoPackage(opts->from, opts->to);
    if (!r) {
      std::cerr << "gridtwin export: " << r.error().toString() << "\n";
      exitCode = 1;
      return;
    }
    std::printf("exported %lld rows in %lld tables (+%lld views) to %s in %.2f s\n",
                static_cast<long long>(r->rows), static_cast<long long>(r->tables),
                static_cast<long long>(r->views), opts->to.c_str(), r->seconds);
    exitCode = 0;
  });
}

}  // namespace gridtwin::cli
