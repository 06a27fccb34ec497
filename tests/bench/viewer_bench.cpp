// viewer.*: the 3D scene of the whole district, rendered offscreen by
// gridtwin-viewer --snapshot --stats under xvfb-run (Mesa llvmpipe here: the
// frame times measure the CPU rasterizer; the renderer string is in each
// note). Anchor: the same buildings as one drawable each (--naive), the scene
// the field notes measured at ~26 ms of cull a frame. Anchor of the 2D top
// view: QGIS 3.22 rendering the GeoPackage's grids, roads and buildings to an
// image of the same size (tests/bench/qgis_2d.py, QgsMapRendererParallelJob,
// through Debian's python3-qgis).
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "bench.h"

namespace gridtwin::bench {
namespace {

// `auto var = *expr`, or the error of expr returned.
#define GT_ASSIGN(var, expr)                  \
  auto var##_r_ = (expr);                     \
  if (!var##_r_) return var##_r_.takeError(); \
  auto var = *var##_r_

std::string binDir() {
  std::array<char, 4096> buf{};
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  return std::filesystem::path(std::string(buf.data(), n > 0 ? static_cast<std::size_t>(n) : 0))
      .parent_path()
      .string();
}

// The standard output of shell command `cmd`, or an error saying `failed`
// with what it printed.
core::Result<std::string> output(const std::string& cmd, const std::string& failed) {
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return core::makeError(core::ErrorCode::kIo, "cannot start: " + failed, cmd);
  std::string text;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p)) text += buf.data();
  if (::pclose(p) != 0) return core::makeError(core::ErrorCode::kIo, failed + ": " + text, cmd);
  return text;
}

// One run of the viewer's --stats: its JSON line.
core::Result<nlohmann::json> viewerStats(const Context& ctx, int w, int h, bool naive,
                                         const std::string& view = "overview",
                                         const std::string& extra = "") {
  const std::string out = ctx.workDir + "/viewer-bench.png";
  const std::string cmd = "xvfb-run -a -s '-screen 0 " + std::to_string(w) + "x" +
                          std::to_string(h) + "x24' '" + binDir() + "/gridtwin-viewer' '" +
                          ctx.dataset + "' --snapshot '" + out + "' --view " + view + " --size " +
                          std::to_string(w) + "x" + std::to_string(h) + " --stats --frames 12" +
                          (naive ? " --naive" : "") + extra + " 2>/dev/null";
  auto run = output(cmd, "gridtwin-viewer --stats failed");
  std::filesystem::remove(out);
  if (!run) return run.takeError();
  std::string text = std::move(*run);
  // OSG reports Xvfb's X11 errors (harmless BadMatch) on stdout: the figures
  // are the last line that is a JSON object.
  if (const auto at = text.rfind("\n{"); at != std::string::npos) text.erase(0, at + 1);
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return core::makeError(core::ErrorCode::kParse, "not JSON: " + text, cmd);
  return j;
}

// One run of tests/bench/qgis_2d.py: its JSON line.
core::Result<nlohmann::json> qgisStats(const Context& ctx, int w, int h) {
  const std::string cmd = "QT_QPA_PLATFORM=offscreen /usr/bin/python3 '" GRIDTWIN_SOURCE_DIR
                          "/tests/bench/qgis_2d.py' '" +
                          ctx.dataset + "' " + std::to_string(w) + " " + std::to_string(h) +
                          " 6 2>/dev/null";
  GT_ASSIGN(text,
            output(cmd, "qgis_2d.py failed (python3-qgis missing? scripts/setup installs it)"));
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return core::makeError(core::ErrorCode::kParse, "not JSON: " + text, cmd);
  return j;
}

// One run of gridtwin-viewer --measure-startup in a 1920x1080 window under
// Xvfb (app/startup_probe.h): its JSON line, plus "start_to_first_frame_ms"
// from the exec of the viewer (the shell's clock just before it) to its first
// full frame.
core::Result<nlohmann::json> viewerStartup(const Context& ctx) {
  const std::string cmd =
      "xvfb-run -a -s '-screen 0 1920x1080x24' sh -c 'date +%s%N; exec \"$0\" \"$1\" "
      "--measure-startup --size 1920x1080' '" +
      binDir() + "/gridtwin-viewer' '" + ctx.dataset + "' 2>/dev/null";
  auto run = output(cmd, "gridtwin-viewer --measure-startup failed");
  if (!run) return run.takeError();
  std::string text = std::move(*run);
  const double startNs = std::atof(text.c_str());
  if (const auto at = text.rfind("\n{"); at != std::string::npos) text.erase(0, at + 1);
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.value("opened", false) || startNs <= 0) {
    return core::makeError(core::ErrorCode::kParse, "not the probe's figures: " + text, cmd);
  }
  j["start_to_first_frame_ms"] = j["first_frame_epoch_ms"].get<double>() - startNs / 1e6;
  return j;
}

}  // namespace

core::Result<std::vector<Figure>> runViewer(Context& ctx) {
  GT_ASSIGN(hd, viewerStats(ctx, 1920, 1080, false));
  GT_ASSIGN(naive, viewerStats(ctx, 1920, 1080, true));
  GT_ASSIGN(uhd, viewerStats(ctx, 3840, 2160, false));
  const std::string renderer = hd.value("renderer", std::string("?"));
  std::vector<Figure> f;
  f.push_back({"viewer.scene_build_ms", hd["scene_build_ms"].get<double>(), "ms", false,
               "the naive scene (one drawable per building)", naive["scene_build_ms"].get<double>(),
               ""});
  f.push_back({"viewer.draw_calls", hd["drawn"].get<double>(), "drawables", false,
               "the naive scene", naive["drawn"].get<double>(),
               std::to_string(hd["buildings"].get<int>()) + " buildings, " +
                   std::to_string(hd["labels"].get<int>()) + " labels (at most 120 drawn)"});
  f.push_back({"viewer.cull_ms_1080p", hd["cull_ms"].get<double>(), "ms", false, "the naive scene",
               naive["cull_ms"].get<double>(), renderer});
  f.push_back({"viewer.frame_ms_1080p", hd["frame_ms"].get<double>(), "ms", false,
               "the naive scene", naive["frame_ms"].get<double>(), renderer});
  f.push_back({"viewer.frame_ms_2160p", uhd["frame_ms"].get<double>(), "ms", false, std::nullopt,
               std::nullopt,
               renderer + "; no anchor: the QGIS anchor is the 2D view's (viewer.qgis_2d_ms)"});
  // The 2D top view beside QGIS drawing the same layers at the same size.
  GT_ASSIGN(top, viewerStats(ctx, 1920, 1080, false, "top"));
  auto qgis = qgisStats(ctx, 1920, 1080);
  if (qgis) {
    f.push_back({"viewer.qgis_2d_ms", top["frame_ms"].get<double>(), "ms", false,
                 "QGIS " + (*qgis)["version"].get<std::string>() +
                     " QgsMapRendererParallelJob: grids, roads, buildings in EPSG:4547, 1920x1080",
                 (*qgis)["qgis_2d_ms"].get<double>(),
                 "ours: the --view top frame (buildings extruded, labels, events) on " + renderer +
                     "; QGIS: a full render job per frame, mean of 6 after the first"});
  } else {
    f.push_back({"viewer.qgis_2d_ms", top["frame_ms"].get<double>(), "ms", false, std::nullopt,
                 std::nullopt, "no anchor: " + qgis.error().message});
  }
  // The building models (issue 14): every model drawn at once (LOD ranges
  // lifted) beside the same view without them.
  GT_ASSIGN(models, viewerStats(ctx, 1920, 1080, false, "overview", " --all-models"));
  f.push_back({"viewer.bim_added_draw_calls",
               models["drawn"].get<double>() - hd["drawn"].get<double>(), "drawables", false,
               "one drawable per model and material", models["bim_meshes"].get<double>(),
               std::to_string(models["bim_models"].get<int>()) + " models, " +
                   std::to_string(models["bim_triangles"].get<int>()) +
                   " triangles drawn; target <= 60"});
  f.push_back({"viewer.bim_load_ms", models["bim_load_ms"].get<double>(), "ms", false, std::nullopt,
               std::nullopt,
               "every model read, tessellated, linked to its rooms and built into the scene "
               "(rooms::loadModels + BimModels::build), the viewer's worker threads"});
  f.push_back({"viewer.area_query_ms", hd["area_query_ms"].get<double>(), "ms", false, std::nullopt,
               std::nullopt,
               "polygon closed → counts: a 24-gon of 2 km radius at the district centre "
               "(select + aggregate + panel rows + hit marks + building highlight), median of 5; "
               "target <= 50 ms"});
  // The window's own start, twice: the second is the reopen path (the
  // twin's snapshot written by the first, files in the page cache).
  GT_ASSIGN(cold, viewerStartup(ctx));
  GT_ASSIGN(warm, viewerStartup(ctx));
  char note[512];
  std::snprintf(
      note, sizeof note,
      "target <= 3000 (reopen); exec of gridtwin-viewer → first full frame in a "
      "1920x1080 window: %.0f ms to the open, %.0f ms open (twin + scene), the rest "
      "the first frame on %s (GL objects built); first open %.0f ms",
      warm["open_start_epoch_ms"].get<double>() - (warm["first_frame_epoch_ms"].get<double>() -
                                                   warm["start_to_first_frame_ms"].get<double>()),
      warm["open_ms"].get<double>(), renderer.c_str(),
      cold["start_to_first_frame_ms"].get<double>());
  f.push_back({"viewer.start_to_first_frame_ms", warm["start_to_first_frame_ms"].get<double>(),
               "ms", false, std::nullopt, std::nullopt, note});
  std::snprintf(note, sizeof note,
                "target <= 20; press → identify panel filled and drawn (offscreen), median of "
                "%d clicks on the tallest roofs (%d named the building, %d a facility drawn over "
                "it), worst %.1f ms",
                warm["clicks"].get<int>(), warm["identified"].get<int>(),
                warm["facilities"].get<int>(), warm["identify_max_ms"].get<double>());
  f.push_back({"viewer.identify_ms", warm["identify_median_ms"].get<double>(), "ms", false,
               std::nullopt, std::nullopt, note});
  std::snprintf(note, sizeof note,
                "target <= 1500; peak resident memory of the window (VmHWM) after the open, the "
                "first frame, the clicks and every building model: %.0f MB once open, %.0f MB "
                "after the first frame (%s keeps its own copy of the vertex buffers)",
                warm["opened_rss_mb"].get<double>(), warm["first_frame_rss_mb"].get<double>(),
                renderer.c_str());
  f.push_back({"viewer.rss_mb", warm["peak_rss_mb"].get<double>(), "MB", false, std::nullopt,
               std::nullopt, note});
  return f;
}

}  // namespace gridtwin::bench
