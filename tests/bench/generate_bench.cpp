// generate.*: `gridtwin generate` at --scale, in a child process. No anchor:
// nothing else builds this district. The target of the issue is <= 180 s at
// full scale on the 2-core development machine.
#include <cstdio>
#include <filesystem>

#include "bench.h"
#include "generate.h"

namespace gridtwin::bench {

core::Result<std::vector<Figure>> generateDataset(Context& ctx) {
  const std::string out = ctx.workDir + "/chancheng-" + scaleText(ctx.scale) + ".gpkg";
  std::error_code ec;
  std::filesystem::create_directories(ctx.workDir, ec);
  std::printf("generating the district at scale %s into %s ...\n", scaleText(ctx.scale).c_str(),
              out.c_str());
  auto reply = inChild("generate " + out, [&]() -> core::Result<nlohmann::json> {
    generator::GenerateOptions options;
    options.out = out;
    options.scale = ctx.scale;
    options.sharedData = GRIDTWIN_SHARED_DATA;
    options.catalogDir = std::string(GRIDTWIN_SOURCE_DIR) + "/data/catalog";
    options.layerCatalog = std::string(GRIDTWIN_SOURCE_DIR) + "/layers/catalog.csv";
    std::string lastStage;
    auto progress = [&](const std::string& stage, double fraction) {
      if (stage == lastStage) return;
      lastStage = stage;
      std::fprintf(stderr, "  generate: %3d%% %s\n", static_cast<int>(fraction * 100),
                   stage.c_str());
    };
    const auto t0 = Clock::now();
    auto summary = generator::generate(options, progress);
    const double seconds = secondsSince(t0);
    if (!summary) return summary.takeError();
    const auto& s = *summary;
    const std::int64_t rows = s.streets + s.communities + s.grids + s.staff + s.roads +
                              s.buildings + s.addresses + s.houses + s.people + s.entities +
                              s.facilities + s.events + s.layers + s.layerFeatures;
    return nlohmann::json{{"seconds", seconds}, {"rows", rows}, {"rss_mb", peakRssMb()}};
  });
  if (!reply) return reply.takeError();
  if (!ctx.datasetGiven) ctx.dataset = out;
  const double seconds = (*reply)["seconds"];
  const double rows = (*reply)["rows"];
  const double rssMb = (*reply)["rss_mb"];
  char note[200];
  std::snprintf(note, sizeof note,
                "no anchor: nothing else builds this district; issue target <= 180 s at full "
                "scale on the 2-core machine; scale %s, %.0f rows, peak RSS %.0f MiB",
                scaleText(ctx.scale).c_str(), rows, rssMb);
  std::vector<Figure> figures;
  figures.push_back({"generate.seconds", seconds, "s", false, std::nullopt, std::nullopt, note});
  figures.push_back({"generate.rows_per_second", seconds > 0 ? rows / seconds : 0, "rows/s", true,
                     std::nullopt, std::nullopt, note});
  return figures;
}

core::Result<std::vector<Figure>> runGenerate(Context& ctx) { return generateDataset(ctx); }

}  // namespace gridtwin::bench
