#pragma once
// The bench harness: figures, the run's context, the group table's row type,
// and the helpers every group uses (timing, forked children, peak RSS).
//
// A figure is one entry of results.json. Its anchor is measured in the same
// run; ratio() says how many times better gridtwin is (> 1: ahead).
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace gridtwin::bench {

struct Figure {
  std::string name;  // "load.seconds": group, dot, what and unit
  double value = 0;
  std::string unit;
  bool higherIsBetter = false;
  std::optional<std::string> anchor;  // what the anchor is; nullopt: none (say why in note)
  std::optional<double> anchorValue;
  std::string note;  // written as "note" when not empty

  // anchor/value for lower-is-better figures, value/anchor otherwise;
  // nullopt without an anchor or with a zero on either side.
  std::optional<double> ratio() const;
  nlohmann::ordered_json toJson() const;  // keys in the order of DESIGN.md
};

// What one run shares between groups. Groups run in table order, in the
// parent process; what they learn (the dataset's path, the OGR read time)
// is kept here so that it is measured once per run.
struct Context {
  double scale = 1.0;
  std::string workDir;            // generated datasets go here
  std::vector<std::string> only;  // figure name prefixes (any matches); empty: all
  std::string dataset;            // the GeoPackage for load/reopen; empty until known
  bool datasetGiven = false;
  // The GDAL/OGR read of the dataset's base tables (the anchor of load and
  // reopen): seconds and rows per table, once measured.
  std::optional<double> ogrSeconds;
  nlohmann::json ogrRows;

  bool wants(const std::string& figureName) const {
    if (only.empty()) return true;
    for (const auto& prefix : only) {
      if (figureName.compare(0, prefix.size(), prefix) == 0) return true;
    }
    return false;
  }
};

// One row of the group table (main.cpp). `run` returns the group's figures;
// main keeps those that --only selects. An Error fails the group (it is
// printed and the run exits 1) without stopping the other groups.
struct Group {
  const char* name;
  std::vector<std::string> figures;  // the names `run` produces, for --only
  bool needsDataset;                 // main generates (or takes --dataset) first
  std::function<core::Result<std::vector<Figure>>(Context&)> run;
};

// The groups (one file each).
core::Result<std::vector<Figure>> runGenerate(Context& ctx);
core::Result<std::vector<Figure>> runLoad(Context& ctx);
core::Result<std::vector<Figure>> runReopen(Context& ctx);
core::Result<std::vector<Figure>> runLocate(Context& ctx);
core::Result<std::vector<Figure>> runCrs(Context& ctx);
core::Result<std::vector<Figure>> runIndex(Context& ctx);    // locator.* and index.*
core::Result<std::vector<Figure>> runPostgis(Context& ctx);  // postgis.*
core::Result<std::vector<Figure>> runAddress(Context& ctx);  // address.*

core::Result<std::vector<Figure>> runPostgisAnchor(Context& ctx);  // postgis_anchor.*
core::Result<std::vector<Figure>> runTwin(Context& ctx);           // twin.*
core::Result<std::vector<Figure>> runBoundary(Context& ctx);       // boundary.*
core::Result<std::vector<Figure>> runViewer(Context& ctx);         // viewer.*
core::Result<std::vector<Figure>> runCases(Context& ctx);          // cases.*
core::Result<std::vector<Figure>> runCli(Context& ctx);            // cli.*
core::Result<std::vector<Figure>> runServe(Context& ctx);          // serve.* (wrk)
core::Result<std::vector<Figure>> runServeStats(Context& ctx);     // serve.stats_p99_ms
core::Result<std::vector<Figure>> runServeTile(Context& ctx);      // serve.tile_*
core::Result<std::vector<Figure>> runServeStream(Context& ctx);    // serve.stream_*
core::Result<std::vector<Figure>> runServeIdle(Context& ctx);      // serve.idle_*
core::Result<std::vector<Figure>> runServeCasesPg(Context& ctx);   // serve.cases_pg_*
core::Result<std::vector<Figure>> runServeKill(Context& ctx);      // serve.kill9_*
core::Result<std::vector<Figure>> runBim(Context& ctx);            // bim.*

// Generates the district at ctx.scale into ctx.workDir and sets ctx.dataset;
// returns the figures of the generate group. Called by main when a group
// needs a dataset and none was given, so that generation happens once.
core::Result<std::vector<Figure>> generateDataset(Context& ctx);

// --- helpers (harness.cpp) ---

using Clock = std::chrono::steady_clock;
inline double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs f `reps` times and returns the best wall time (the least disturbed by
// the other users of this shared machine).
template <class F>
double bestSeconds(int reps, F&& f) {
  double best = 1e300;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = Clock::now();
    f();
    best = std::min(best, secondsSince(t0));
  }
  return best;
}

// Runs `work` in a forked child and returns what it returned. The child
// starts with the parent's memory (keep the parent small: it only
// orchestrates) and its peak RSS is its own. A crash, an abort or an Error in
// the child comes back as an Error naming `what`. Call from a single-threaded
// parent only.
core::Result<nlohmann::json> inChild(const std::string& what,
                                     const std::function<core::Result<nlohmann::json>()>& work);

// Peak and current resident set of this process, MiB (/proc/self/status
// VmHWM, VmRSS); 0 when unreadable.
double peakRssMb();
double currentRssMb();

// Reads the file once, so that a measurement after it finds it in the page
// cache whatever ran before. Errors: kIo naming the path.
core::Result<void> warmPageCache(const std::string& path);

// "1", "0.02": the scale as it appears in file names.
std::string scaleText(double scale);

// Blocks a compiler from dropping a computation whose result is unused.
void keep(double value);

}  // namespace gridtwin::bench
