// gridtwin-bench: runs the figure groups that --only selects, prints a table
// and writes results.json (DESIGN.md, "Interfaces": a list of {"name",
// "value", "unit", "higher_is_better", "anchor", "anchor_value", "ratio"},
// plus "note" where there is something to say).
//
// To add figures: write runX(Context&) in x_bench.cpp, declare it in bench.h
// and add a row to kGroups below.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "bench.h"

namespace gridtwin::bench {
namespace {

const std::vector<Group>& groups() {
  static const std::vector<Group> kGroups = {
      {"generate", {"generate.seconds", "generate.rows_per_second"}, false, runGenerate},
      {"load", {"load.seconds", "load.rss_mb"}, true, runLoad},
      {"reopen", {"reopen.seconds"}, true, runReopen},
      {"locate", {"locate.outline_points_per_second"}, false, runLocate},
      {"crs", {"crs.gcj02_to_wgs84_points_per_second"}, false, runCrs},
      {"index",
       {"locator.points_per_second_uniform", "locator.points_per_second_clustered",
        "index.build_ms", "index.box_count_us", "index.polygon_hits_p50_ms", "index.knn5_us",
        "index.knn1_us"},
       true,
       runIndex},
      {"postgis", {"postgis.ingest_rows_per_second", "postgis.load_seconds"}, true, runPostgis},
      {"address",
       {"address.match_per_second", "address.right_share", "address.wrong_share",
        "address.standard_right_share", "address.standard_wrong_share",
        "address.foreign_right_share", "address.wrong_level_right_share"},
       true,
       runAddress},
      {"postgis_anchor",
       {"postgis_anchor.locator_points_per_second", "postgis_anchor.polygon_hits_p50_ms",
        "postgis_anchor.knn5_us", "postgis_anchor.index_build_ms"},
       true,
       runPostgisAnchor},
      {"twin", {"twin.rss_mb", "twin.rss_mb_from_gpkg"}, true, runTwin},
      {"boundary",
       {"boundary.validate_seconds", "boundary.all_reports_seconds"},
       true,
       runBoundary},
      {"viewer",
       {"viewer.scene_build_ms", "viewer.draw_calls", "viewer.cull_ms_1080p",
        "viewer.frame_ms_1080p", "viewer.frame_ms_2160p", "viewer.qgis_2d_ms",
        "viewer.bim_added_draw_calls", "viewer.bim_load_ms", "viewer.area_query_ms",
        "viewer.start_to_first_frame_ms", "viewer.identify_ms", "viewer.rss_mb"},
       true,
       runViewer},
      {"cli", {"cli.locate_points_per_second", "cli.transform_points_per_second"}, true, runCli},
      {"cases", {"cases.intake_per_second"}, true, runCases},
      {"serve", {"serve.locate_requests_per_second", "serve.items_1000_p50_ms"}, true, runServe},
      {"serve_stats", {"serve.stats_p99_ms"}, true, runServeStats},
      {"serve_tile",
       {"serve.tile_z14_p50_ms", "serve.tile_z14_cold_p50_ms", "serve.tile_z14_after_case_p50_ms"},
       true,
       runServeTile},
      {"serve_stream", {"serve.stream_1000_clients_max_ms"}, true, runServeStream},
      {"serve_idle", {"serve.idle_10000_locate_p50_ms"}, true, runServeIdle},
      {"serve_cases", {"serve.cases_pg_per_second"}, true, runServeCasesPg},
      {"serve_kill", {"serve.kill9_10000_posts_per_second"}, true, runServeKill},
      {"bim",
       {"bim.all_models_seconds", "bim.all_models_rss_mb", "bim.info_seconds"},
       true,
       runBim},
  };
  return kGroups;
}

constexpr const char* kUsage =
    "usage: gridtwin-bench --out FILE [--scale S] [--only NAME]... [--dataset PATH] [--work DIR]\n"
    "  --out FILE      results.json to write\n"
    "  --scale S       district scale for generated data (default 1 = full)\n"
    "  --only NAME     only the figures whose name starts with NAME (repeat it, or\n"
    "                  give NAME,NAME,... for several)\n"
    "  --dataset PATH  an existing dataset GeoPackage for load/reopen (no generation\n"
    "                  unless generate figures are selected)\n"
    "  --work DIR      where generated datasets go (default: the folder of --out)\n";

// "load average 1.23 on 2 cores" (1-minute, from /proc/loadavg).
std::string loadText() {
  double avg = -1;
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &avg) != 1) avg = -1;
    std::fclose(f);
  }
  char buf[80];
  std::snprintf(buf, sizeof buf, "load average %.2f on %u cores", avg,
                std::thread::hardware_concurrency());
  return buf;
}

int usage(const std::string& message) {
  std::fprintf(stderr, "gridtwin-bench: %s\n%s", message.c_str(), kUsage);
  return 2;
}

std::string valueText(double v) {
  char buf[64];
  if (v != 0 && (std::abs(v) >= 1e6 || std::abs(v) < 1e-3)) {
    std::snprintf(buf, sizeof buf, "%.3e", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.4g", v);
  }
  return buf;
}

void printTable(const std::vector<Figure>& figures) {
  std::printf("\n%-40s %12s %-9s %12s %9s  %s\n", "figure", "value", "unit", "anchor value",
              "ratio", "anchor");
  for (const auto& f : figures) {
    const auto ratio = f.ratio();
    std::printf("%-40s %12s %-9s %12s %9s  %s\n", f.name.c_str(), valueText(f.value).c_str(),
                f.unit.c_str(), f.anchorValue ? valueText(*f.anchorValue).c_str() : "-",
                ratio ? (valueText(*ratio) + "x").c_str() : "-",
                f.anchor ? f.anchor->c_str() : "(none)");
  }
  std::printf("\n");
  for (const auto& f : figures) {
    if (!f.note.empty()) std::printf("  %s: %s\n", f.name.c_str(), f.note.c_str());
  }
}

bool writeResults(const std::string& path, const std::vector<Figure>& figures) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& f : figures) out.push_back(f.toJson());
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream file(tmp, std::ios::trunc);
    file << out.dump(2) << "\n";
    if (!file.flush()) return false;
  }
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

int run(int argc, char** argv) {
  Context ctx;
  std::string out;
  std::string work;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&](std::string& into) {
      if (i + 1 >= argc) return false;
      into = argv[++i];
      return true;
    };
    std::string value;
    if (arg == "-h" || arg == "--help") {
      std::printf("%s", kUsage);
      return 0;
    } else if (arg == "--out") {
      if (!next(out)) return usage("--out needs a file");
    } else if (arg == "--only") {
      if (!next(value) || value.empty()) return usage("--only needs a name");
      for (std::size_t start = 0; start <= value.size();) {
        const std::size_t comma = std::min(value.find(',', start), value.size());
        if (comma > start) ctx.only.push_back(value.substr(start, comma - start));
        start = comma + 1;
      }
    } else if (arg == "--dataset") {
      if (!next(ctx.dataset)) return usage("--dataset needs a path");
      ctx.datasetGiven = true;
    } else if (arg == "--work") {
      if (!next(work)) return usage("--work needs a folder");
    } else if (arg == "--scale") {
      if (!next(value)) return usage("--scale needs a number");
      char* end = nullptr;
      ctx.scale = std::strtod(value.c_str(), &end);
      if (end == value.c_str() || *end != '\0' || !(ctx.scale > 0)) {
        return usage("--scale: not a positive number: " + value);
      }
    } else {
      return usage("unknown argument: " + arg);
    }
  }
  if (out.empty()) return usage("--out is required");
  if (ctx.datasetGiven && !std::filesystem::is_regular_file(ctx.dataset)) {
    std::fprintf(stderr, "gridtwin-bench: --dataset %s: no such file\n", ctx.dataset.c_str());
    return 1;
  }
  if (work.empty()) work = std::filesystem::path(out).parent_path().string();
  ctx.workDir = work.empty() ? "." : work;

  std::vector<const Group*> selected;
  for (const auto& g : groups()) {
    for (const auto& name : g.figures) {
      if (ctx.wants(name)) {
        selected.push_back(&g);
        break;
      }
    }
  }
  if (selected.empty()) {
    std::string names;
    for (const auto& g : groups()) {
      for (const auto& name : g.figures) names += "\n  " + name;
    }
    return usage("--only selects no figure; figures:" + names);
  }

  std::vector<Figure> figures;
  int failures = 0;
  for (const Group* g : selected) {
    std::printf("== %s\n", g->name);
    if (g->needsDataset && ctx.dataset.empty()) {
      // Generation is timed whenever it happens; its figures are kept when selected.
      auto generated = generateDataset(ctx);
      if (!generated) {
        std::fprintf(stderr, "gridtwin-bench: %s: %s\n", g->name,
                     generated.error().toString().c_str());
        ++failures;
        continue;
      }
    }
    // On a shared machine the figures mean little without the load they ran under.
    const std::string load = loadText();
    std::printf("  %s\n", load.c_str());
    auto result = g->run(ctx);
    if (!result) {
      std::fprintf(stderr, "gridtwin-bench: %s: %s\n", g->name, result.error().toString().c_str());
      ++failures;
      continue;
    }
    for (auto& f : *result) {
      if (!ctx.wants(f.name)) continue;
      f.note += (f.note.empty() ? "" : "; ") + load;
      const auto ratio = f.ratio();
      std::printf("  %-40s %12s %s%s\n", f.name.c_str(), valueText(f.value).c_str(), f.unit.c_str(),
                  ratio ? ("  (" + valueText(*ratio) + "x its anchor)").c_str() : "");
      figures.push_back(std::move(f));
    }
  }

  printTable(figures);
  if (!writeResults(out, figures)) {
    std::fprintf(stderr, "gridtwin-bench: cannot write %s\n", out.c_str());
    return 1;
  }
  std::printf("wrote %s (%zu figures)%s\n", out.c_str(), figures.size(),
              failures ? "; some groups FAILED, see above" : "");
  return failures ? 1 : 0;
}

}  // namespace
}  // namespace gridtwin::bench

int main(int argc, char** argv) { return gridtwin::bench::run(argc, argv); }
