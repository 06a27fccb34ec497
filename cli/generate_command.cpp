// gridtwin generate: the deterministic reference district.
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "generate.h"
#include "io.h"

namespace gridtwin::cli {

void addGenerateCommand(CLI::App& app, int& exitCode) {
  auto* cmd = app.add_subcommand("generate", "Generate the reference district as a GeoPackage");
  auto opts = std::make_shared<generator::GenerateOptions>();
  opts->sharedData = GRIDTWIN_SHARED_DATA;
  opts->catalogDir = std::string(GRIDTWIN_SOURCE_DIR) + "/data/catalog";
  opts->layerCatalog = std::string(GRIDTWIN_SOURCE_DIR) + "/layers/catalog.csv";
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("--out,-o", opts->out, "GeoPackage to write (replaced only when complete)")
      ->required();
  cmd->add_option("--scale", opts->scale,
                  "Records scale (1 = full district; structure is whole at any scale)");
  cmd->add_option("--seed", opts->seed, "Seed: the same seed and scale give the same bytes");
  cmd->add_option("--shared-data", opts->sharedData, "Folder of the shared real data");
  cmd->add_option("--catalog-dir", opts->catalogDir, "Folder of event/facility catalogues");
  cmd->add_option("--layer-catalog", opts->layerCatalog, "The 244-layer catalogue (CSV)");
  cmd->add_option("--outline", opts->outline, "District outline (GeoJSON)");
  cmd->add_option("--outline-crs", opts->outlineCrs, "CRS of the outline file (default GCJ02)");
  cmd->add_option("--streets", opts->streets, "Streets CSV (code,name)");
  cmd->add_option("--communities", opts->communities, "Communities CSV (code,name,streetCode)");
  cmd->add_option("--anchors", opts->anchors, "Street centres and area shares CSV");
  cmd->add_flag("--quiet,-q", *quiet, "No progress output");
  cmd->callback([opts, quiet, &exitCode]() {
    const bool tty = ::isatty(STDERR_FILENO) != 0;
    std::string lastStage;
    auto progress = [&](const std::string& stage, double f) {
      if (*quiet) return;
      if (tty) {
        const int width = 30, filled = static_cast<int>(f * width);
        std::fprintf(stderr, "\r[%s%s] %3d%% %-24s",
                     std::string(static_cast<std::size_t>(filled), '#').c_str(),
                     std::string(static_cast<std::size_t>(width - filled), '.').c_str(),
                     static_cast<int>(f * 100), stage.c_str());
        if (f >= 1.0) std::fputc('\n', stderr);
      } else if (stage != lastStage) {
        std::fprintf(stderr, "generate: %3d%% %s\n", static_cast<int>(f * 100), stage.c_str());
      }
      lastStage = stage;
    };
    // The inputs it reads: the output must be none of them.
    const std::vector<std::string> inputs = {opts->outline, opts->streets, opts->communities,
                                             opts->anchors, opts->layerCatalog};
    if (auto c = checkOutput(opts->out, inputs); !c) {
      std::cerr << "gridtwin generate: " << c.error().toString() << "\n";
      exitCode = refusalExitCode(c.error());
      return;
    }
    auto result = generator::generate(*opts, progress);
    if (!result) {
      if (tty && !*quiet) std::fputc('\n', stderr);
      std::cerr << "gridtwin generate: " << result.error().toString() << "\n";
      exitCode = 1;
      return;
    }
    const auto& s = *result;
    std::printf(
        "wrote %s in %.1f s: %lld streets, %lld communities, %lld grids, %lld staff, %lld roads, "
        "%lld buildings, "
        "%lld addresses, %lld houses, %lld people, %lld entities, %lld facilities, %lld events, "
        "%lld layers "
        "(%lld features)\n",
        opts->out.c_str(), s.seconds, static_cast<long long>(s.streets),
        static_cast<long long>(s.communities), static_cast<long long>(s.grids),
        static_cast<long long>(s.staff), static_cast<long long>(s.roads),
        static_cast<long long>(s.buildings), static_cast<long long>(s.addresses),
        static_cast<long long>(s.houses), static_cast<long long>(s.people),
        static_cast<long long>(s.entities), static_cast<long long>(s.facilities),
        static_cast<long long>(s.events), static_cast<long long>(s.layers),
        static_cast<long long>(s.layerFeatures));
  });
}

}  // namespace gridtwin::cli
