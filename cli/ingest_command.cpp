// gridtwin ingest --to postgresql://... <dataset or any GDAL vector source>
//                 [--format text|json] [--quiet]
//
// Loads the source into PostGIS in one transaction (engine/pgstore/ingest.h):
// the dataset already there is replaced only when everything loaded, with
// keys, links and GiST indexes rebuilt. Prints rows, tables, views and
// rows/s. The URL is handed to libpq as a connection string; every value
// from the source reaches SQL through COPY or bound parameters.
//
// Exit codes: 0 ok; 1 bad input or database error (the message names the
// source, layer and, for a refused row, the COPY line); 2 usage.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "commands.h"
#include "pgstore/ingest.h"

namespace gridtwin::cli {

void addIngestCommand(CLI::App& app, int& exitCode) {
  struct Options {
    std::string to;
    std::string source;
    std::string format = "text";
    bool quiet = false;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("ingest", "Load a dataset (any GDAL vector source) into PostGIS");
  cmd->add_option("source", opts->source, "GeoPackage or other GDAL vector source")->required();
  cmd->add_option("--to", opts->to, "PostgreSQL URL (postgresql://...)")->required();
  cmd->add_option("--format", opts->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->add_flag("--quiet,-q", opts->quiet, "No progress on stderr");
  cmd->callback([opts, &exitCode]() {
    pgstore::IngestOptions options;
    if (!opts->quiet) {
      options.progress = [](std::string_view layer, std::int64_t rows) {
        std::cerr << "  " << layer << ": " << rows << " rows\n";
      };
    }
    auto r = pgstore::ingest(opts->to, opts->source, options);
    if (!r) {
      std::cerr << "gridtwin ingest: " << r.error().toString() << "\n";
      exitCode = 1;
      return;
    }
    const double rate = r->seconds > 0 ? static_cast<double>(r->rows) / r->seconds : 0;
    if (opts->format == "json") {
      std::printf(
          "{\"rows\": %lld, \"tables\": %lld, \"views\": %lld, \"copy_seconds\": %.3f, "
          "\"index_seconds\": %.3f, \"seconds\": %.3f, \"rows_per_second\": %.0f}\n",
          static_cast<long long>(r->rows), static_cast<long long>(r->tables),
          static_cast<long long>(r->views), r->copySeconds, r->indexSeconds, r->seconds, rate);
    } else {
      std::printf(
          "ingested %lld rows in %lld tables (+%lld views) in %.2f s (load %.2f s, keys and "
          "indexes %.2f s): %.0f rows/s\n",
          static_cast<long long>(r->rows), static_cast<long long>(r->tables),
          static_cast<long long>(r->views), r->seconds, r->copySeconds, r->indexSeconds, rate);
    }
    exitCode = 0;
  });
}

}  // namespace gridtwin::cli
