// gridtwin info <dataset.gpkg> [--format text|json] [--no-snapshot]
//
// Opens a dataset into the engine's columnar model and prints what it holds:
// counts per kind, per street and per community (grids, buildings, houses,
// people, entities, facilities, events), the model's bytes and the process's
// resident memory, and how long opening took and whether it came from the
// snapshot beside the GeoPackage (<dataset>.snap, written after a load; see
// engine/model/README.md). --no-snapshot loads the GeoPackage and neither
// reads nor writes a snapshot.
//
// Exit codes: 0 ok; 1 bad input (missing file, not a GeoPackage, a bad row:
// the message names file, table, fid and column); 2 usage.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "commands.h"
#include "io.h"
#include "model/summary.h"
#include "store/gpkg_reader.h"

namespace gridtwin::cli {
namespace {

struct InfoOptions {
  std::string dataset;
  std::string format = "text";
  bool noSnapshot = false;
};

// Kilobytes of a "VmRSS:"-style line of /proc/self/status; 0 when absent.
std::uint64_t procStatusKb(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      std::istringstream fields(line.substr(key.size() + 1));
      std::uint64_t kb = 0;
      fields >> kb;
      return kb;
    }
  }
  return 0;
}

std::string mib(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

struct Memory {
  std::uint64_t modelBytes = 0;
  std::uint64_t rssBytes = 0;
  std::uint64_t peakRssBytes = 0;
};

void printAreasJson(std::ostream& out, const std::vector<model::AreaCounts>& areas) {
  out << "[";
  for (std::size_t i = 0; i < areas.size(); ++i) {
    const auto& a = areas[i];
    out << (i ? ",\n    " : "\n    ") << "{\"code\": " << jsonQuote(a.code)
        << ", \"name\": " << jsonQuote(a.name) << ", \"grids\": " << a.grids
        << ", \"buildings\": " << a.buildings << ", \"houses\": " << a.houses
        << ", \"people\": " << a.people << ", \"entities\": " << a.entities
        << ", \"facilities\": " << a.facilities << ", \"events\": " << a.events << "}";
  }
  out << (areas.empty() ? "]" : "\n  ]");
}

void printJson(std::ostream& out, const InfoOptions& o, const store::OpenReport& report,
               const model::DistrictSummary& s, const Memory& m) {
  out << "{\n  \"dataset\": " << jsonQuote(o.dataset) << ",\n  \"counts\": {";
  for (std::size_t k = 0; k < model::kKindCount; ++k) {
    out << (k ? ", " : "") << jsonQuote(model::kindTable(static_cast<model::Kind>(k))) << ": "
        << s.kinds[k];
  }
  out << "},\n  \"load\": {\"seconds\": " << report.seconds
      << ", \"from_snapshot\": " << (report.fromSnapshot ? "true" : "false")
      << ", \"snapshot_path\": " << jsonQuote(report.snapshotPath)
      << ", \"snapshot_written\": " << (report.snapshotWritten ? "true" : "false")
      << ", \"note\": " << jsonQuote(report.snapshotNote) << "},\n";
  out << "  \"memory\": {\"model_bytes\": " << m.modelBytes << ", \"rss_bytes\": " << m.rssBytes
      << ", \"peak_rss_bytes\": " << m.peakRssBytes << "},\n";
  out << "  \"streets\": ";
  printAreasJson(out, s.streets);
  out << ",\n  \"communities\": ";
  printAreasJson(out, s.communities);
  out << "\n}\n";
}

// Numbers first in fixed columns, the (CJK, variable-width) name last.
void printAreasText(std::ostream& out, const char* title,
                    const std::vector<model::AreaCounts>& areas) {
  char line[256];
  std::snprintf(line, sizeof line, "\n%s (%zu)\n%-15s %6s %9s %8s %8s %8s %10s %8s  %s\n", title,
                areas.size(), "code", "grids", "buildings", "houses", "people", "entities",
                "facilities", "events", "name");
  out << line;
  for (const auto& a : areas) {
    std::snprintf(
        line, sizeof line, "%-15s %6llu %9llu %8llu %8llu %8llu %10llu %8llu  ", a.code.c_str(),
        static_cast<unsigned long long>(a.grids), static_cast<unsigned long long>(a.buildings),
        static_cast<unsigned long long>(a.houses), static_cast<unsigned long long>(a.people),
        static_cast<unsigned long long>(a.entities), static_cast<unsigned long long>(a.facilities),
        static_cast<unsigned long long>(a.events));
    out << line << a.name << "\n";
  }
}

void printText(std::ostream& out, const InfoOptions& o, const store::OpenReport& report,
               const model::DistrictSummary& s, const Memory& m) {
  char line[256];
  out << "dataset   " << o.dataset << "\n";
  std::snprintf(line, sizeof line, "%.3f s", report.seconds);
  out << "opened    in " << line
      << (report.fromSnapshot ? " from the snapshot " + report.snapshotPath
                              : std::string(" from the GeoPackage"))
      << (report.snapshotWritten ? " (snapshot written to " + report.snapshotPath + ")"
                                 : std::string())
      << "\n";
  if (!report.snapshotNote.empty()) out << "note      " << report.snapshotNote << "\n";
  out << "memory    model " << mib(m.modelBytes) << ", process resident " << mib(m.rssBytes)
      << " (peak " << mib(m.peakRssBytes) << ")\n\ncounts\n";
  for (std::size_t k = 0; k < model::kKindCount; ++k) {
    std::snprintf(line, sizeof line, "  %-14s %10llu\n",
                  std::string(model::kindTable(static_cast<model::Kind>(k))).c_str(),
                  static_cast<unsigned long long>(s.kinds[k]));
    out << line;
  }
  printAreasText(out, "streets", s.streets);
  printAreasText(out, "communities", s.communities);
}

}  // namespace

void addInfoCommand(CLI::App& app, int& exitCode) {
  auto* cmd =
      app.add_subcommand("info", "Open a dataset and print its counts, memory and load time");
  auto opts = std::make_shared<InfoOptions>();
  cmd->add_option("dataset", opts->dataset, "Dataset GeoPackage (as written by gridtwin generate)")
      ->required();
  cmd->add_option("--format", opts->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_flag("--no-snapshot", opts->noSnapshot,
                "Load the GeoPackage; neither read nor write <dataset>.snap");
  cmd->callback([opts, &exitCode]() {
    store::OpenOptions options;
    options.useSnapshot = !opts->noSnapshot;
    options.writeSnapshot = !opts->noSnapshot;
    auto dataset = store::openDataset(opts->dataset, options);
    if (!dataset) {
      std::cerr << "gridtwin info: " << dataset.error().toString() << "\n";
      exitCode = 1;
      return;
    }
    const model::DistrictSummary summary = model::summarize(dataset->district);
    Memory m;
    m.modelBytes = dataset->district.memoryBytes();
    m.rssBytes = procStatusKb("VmRSS") * 1024;
    m.peakRssBytes = procStatusKb("VmHWM") * 1024;
    if (opts->format == "json") {
      printJson(std::cout, *opts, dataset->report, summary, m);
    } else {
      printText(std::cout, *opts, dataset->report, summary, m);
    }
    exitCode = 0;
  });
}

}  // namespace gridtwin::cli
