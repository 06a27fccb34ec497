// gridtwin-viewer: the digital twin on the desktop (Qt 6 + OpenSceneGraph).
//
//   gridtwin-viewer [DATASET] [--role R --scope CODES] [--now TIME] [--hours H]
//                   [--layer FILE[@CRS][,FILE...]]
//   DATASET: a GeoPackage or a postgresql:// URL (the PostGIS loader)
//   gridtwin-viewer DATASET --snapshot out.png [--view top|overview|grid|bim]
//                   [--size 1280x720] [--choropleth events7d] [--stats [--frames N]]
//                   [--model BUILDING_ID --storey N --explode M]   (--view bim)
//   gridtwin-viewer DATASET --measure-startup [--size WxH]
//
// --measure-startup opens the window, measures the start (first full frame,
// clicks to identify, peak memory; app/startup_probe.h), prints them as one
// JSON line and exits: scripts/bench's viewer.start_to_first_frame_ms.
//
// --snapshot renders offscreen (no window; needs an X display such as
// xvfb-run's) and exits. Exit codes as the gridtwin CLI: 0 ok, 1 bad input,
// 2 usage.
#include <QApplication>
#include <QSurfaceFormat>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "app/main_window.h"
#include "app/open_twin.h"
#include "app/snapshot.h"
#include "app/startup_probe.h"
#include "core/output_file.h"
#include "query/query.h"

namespace {

bool parseSize(const std::string& s, int& w, int& h) {
  return std::sscanf(s.c_str(), "%dx%d", &w, &h) == 2 && w >= 16 && h >= 16 && w <= 16384 &&
         h <= 16384;
}

}  // namespace

int main(int argc, char** argv) {
  namespace gv = gridtwin::viewer;
  namespace gq = gridtwin::query;
  CLI::App app{"gridtwin-viewer: the digital twin of the district on the desktop"};
  std::string dataset, role = "planner", scope, now, snapshot, view = "top", size = "1280x720",
                       choropleth;
  std::vector<std::string> layerFiles;
  std::string sharedData;
  std::int64_t modelBuilding = 0;
  int storey = -1;
  float explode = 0;
  int hours = 24 * 7, frames = 0;
  bool stats = false, naive = false, allModels = false, measureStartup = false;
  app.add_option("dataset", dataset, "District GeoPackage or postgresql:// URL");
  app.add_option("--layer", layerFiles,
                 "vector files to add as layers, FILE or FILE@CRS (EPSG:4326, GCJ02, BD09, …)")
      ->delimiter(',');
  app.add_option("--role", role, "district | street | community | grid_head | planner")
      ->capture_default_str();
  app.add_option("--scope", scope, "grid, community or street codes (comma-separated)");
  app.add_option("--now", now, "ISO 8601 (default: the dataset's reference now)");
  app.add_option("--hours", hours, "events of the last this many hours")
      ->check(CLI::Range(0, 24 * 3650));
  app.add_option("--snapshot", snapshot, "render offscreen to this PNG and exit");
  app.add_option("--view", view,
                 "top | map (2D, orthographic) | overview | grid (the scope's grids) | bim (a "
                 "building model, near)")
      ->check(CLI::IsMember({"top", "map", "overview", "grid", "bim"}));
  app.add_option("--model", modelBuilding, "--view bim: the building_id whose model is shown")
      ->check(CLI::Validator(
          [](const std::string& s) {
            return !s.empty() && s.front() != '-' && s.front() != '0' &&
                           s.find_first_not_of("0123456789") == std::string::npos
                       ? std::string()
                       : "'" + s + "' is not a building_id (a positive whole number)";
          },
          "BUILDING_ID"));
  app.add_option("--storey", storey, "--view bim: show only this storey (0 = the lowest)")
      ->check(CLI::Range(0, 500));
  app.add_option("--explode", explode, "--view bim: metres between exploded storeys")
      ->check(CLI::Validator(
          [](const std::string& s) {
            char* end = nullptr;
            const double v = std::strtod(s.c_str(), &end);
            return end != s.c_str() && *end == '\0' && std::isfinite(v) && v >= 0 && v <= 100
                       ? std::string()
                       : "'" + s + "' is not a gap in metres from 0 to 100";
          },
          "METRES"));
  app.add_flag("--all-models", allModels,
               "with --snapshot: every building model drawn at any distance (the benchmark)");
  app.add_option("--shared-data", sharedData,
                 "folder the real IFC files of the district's models are read from");
  app.add_option("--size", size, "WIDTHxHEIGHT pixels (default 1280x720)");
  app.add_option("--choropleth", choropleth, "events7d: grids by events of the last 7 days")
      ->check(CLI::IsMember({"events7d"}));
  app.add_flag("--stats", stats, "with --snapshot: scene and frame figures as JSON");
  app.add_flag("--naive", naive, "one drawable per building (the benchmark's anchor scene)");
  app.add_flag("--measure-startup", measureStartup,
               "open the window, print the start's figures as JSON and exit (the benchmark)");
  app.add_option("--frames", frames, "frames to time with --stats")->check(CLI::Range(2, 10000));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  std::int64_t nowValue = gq::kReferenceNow;
  if (!now.empty()) {
    auto t = gq::parseTime(now);
    if (!t) {
      std::cerr << "gridtwin-viewer: --now '" << now << "': " << t.error().message << "\n";
      return 2;
    }
    nowValue = *t;
  }
  gq::Role roleValue{};
  if (!gq::parseRole(role, roleValue)) {
    std::cerr << "gridtwin-viewer: --role '" << role
              << "' is not one of district, street, community, grid_head, planner\n";
    return 2;
  }

  if (!snapshot.empty()) {
    gv::SnapshotOptions o;
    o.out = snapshot;
    o.view = view;
    o.hours = hours;
    o.now = nowValue;
    o.choropleth = choropleth;
    o.stats = stats;
    o.frames = frames;
    o.naive = naive;
    o.layers = layerFiles;
    o.dataset = dataset;
    o.sharedData = sharedData;
    o.model = modelBuilding;
    o.storey = storey;
    o.explode = explode;
    o.allModels = allModels;
    if (!parseSize(size, o.width, o.height)) {
      std::cerr << "gridtwin-viewer: --size '" << size << "' is not WIDTHxHEIGHT in 16..16384\n";
      return 2;
    }
    if (dataset.empty()) {
      std::cerr << "gridtwin-viewer: --snapshot needs a dataset\n";
      return 2;
    }
    // Refused before any work: the picture over the dataset itself, a
    // read-only target (core/output_file.h).
    if (auto ok = gridtwin::core::checkOutput(snapshot, {dataset}, "--snapshot"); !ok) {
      std::cerr << "gridtwin-viewer: " << ok.error().toString() << "\n";
      return ok.error().code == gridtwin::core::ErrorCode::kInvalidArgument ? 2 : 1;
    }
    auto twin = gv::openTwin(dataset);
    if (!twin) {
      std::cerr << "gridtwin-viewer: " << twin.error().toString() << "\n";
      return 1;
    }
    auto access = gq::makeAccess((*twin)->district(), roleValue, scope);
    if (!access) {
      std::cerr << "gridtwin-viewer: " << access.error().toString() << "\n";
      return 2;
    }
    return gv::runSnapshot(**twin, *access, o);
  }

  // Usage errors before any display is needed.
  int w = 0, h = 0;
  if (measureStartup && (dataset.empty() || !parseSize(size, w, h))) {
    std::cerr << "gridtwin-viewer: --measure-startup needs a dataset and a valid --size\n";
    return 2;
  }
  QSurfaceFormat format;
  format.setDepthBufferSize(24);
  format.setSamples(4);
  QSurfaceFormat::setDefaultFormat(format);
  QApplication qt(argc, argv);
  gv::ViewerOptions vo;
  vo.dataset = dataset;
  vo.role = role;
  vo.scope = scope;
  vo.now = nowValue;
  vo.hours = hours;
  vo.layers = layerFiles;
  vo.sharedData = sharedData;
  if (measureStartup) {
    vo.dataset.clear();  // opened by the probe, which times it
    gv::MainWindow window(vo);
    window.resize(w, h);
    window.show();
    int rc = 0;
    gv::probeStartup(
        window, QString::fromStdString(dataset), 20, [&rc](const gv::StartupFigures& f) {
          std::printf(
              "{\"opened\": %s, \"open_start_epoch_ms\": %.3f, \"first_frame_epoch_ms\": %.3f, "
              "\"open_ms\": %.1f, "
              "\"clicks\": %d, \"identified\": %d, \"facilities\": %d, \"identify_median_ms\": "
              "%.3f, "
              "\"identify_max_ms\": %.3f, \"models_loaded\": %s, "
              "\"opened_rss_mb\": %.1f, \"first_frame_rss_mb\": %.1f, \"peak_rss_mb\": %.1f}\n",
              f.opened ? "true" : "false", f.openStartEpochMs, f.firstFrameEpochMs, f.openMs,
              f.clicks, f.identified, f.facilities, f.identifyMedianMs, f.identifyMaxMs,
              f.modelsLoaded ? "true" : "false", f.openedRssMb, f.firstFrameRssMb, f.peakRssMb);
          rc = f.opened && std::fflush(stdout) == 0 ? 0 : 1;
          QApplication::exit(rc);
        });
    QApplication::exec();
    return rc;
  }
  gv::MainWindow window(vo);
  window.show();
  return QApplication::exec();
}
