// gridtwin tile <dataset> <z> <x> <y> --out tile.mvt [--layers a,b,...]
//               [--role R --scope S]
//
// One Web Mercator vector tile (MVT 2.1) of the twin, as the service's
// /tiles/{z}/{x}/{y}.mvt serves it (engine/tiles/render.h): the base layers
// (grids, roads, buildings, facilities, events by status; below z16 the
// facilities and closed events as clusters with a count) or the --layers
// named (base names, "events", "base", or catalogue tables lyr_...), with the
// role's scope applied. An empty tile is written as an empty file and said so.
//
// Exit codes: 0 ok (an empty tile included); 1 bad input (a tile out of
// range, an unreadable dataset, an unwritable --out); 2 usage (an unknown
// layer, role or scope form, --out naming the dataset).
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <memory>

#include "commands.h"
#include "core/output_file.h"
#include "query_support.h"
#include "tiles/render.h"

namespace gridtwin::cli {
namespace {

struct TileOptions {
  std::string dataset;
  int z = 0, x = 0, y = 0;
  std::string out;
  std::string layers;
  qs::AccessOptions access;
};

std::vector<std::string> splitLayers(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto item = qs::trim(std::string_view(text).substr(
        start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

int runTile(const TileOptions& o) {
  if (auto c = checkOutput(o.out, {o.dataset}); !c) {
    return qs::fail("tile", {refusalExitCode(c.error()), c.error().toString()});
  }
  if (auto t = tiles::checkTile(o.z, o.x, o.y); !t) {
    return qs::fail("tile", {1, t.error().toString()});
  }
  qs::Opened opened;
  if (auto f = qs::openTwin(o.dataset, o.access, opened)) return qs::fail("tile", *f);
  auto source = tiles::TileSource::create(*opened.twin, o.dataset);
  if (!source) return qs::fail("tile", {1, source.error().toString()});
  const std::vector<std::string> layers = splitLayers(o.layers);
  auto tile = (*source)->render(opened.access, o.z, o.x, o.y, layers);
  if (!tile) {
    const int code = tile.error().code == core::ErrorCode::kInvalidArgument ? 2 : 1;
    return qs::fail("tile", {code, "--layers: " + tile.error().toString()});
  }
  auto output = core::OutputFile::begin(o.out, ".mvt");
  if (!output) return qs::fail("tile", {1, output.error().toString()});
  {
    std::ofstream file(output->temporaryPath(), std::ios::binary);
    file.write(tile->mvt.data(), static_cast<std::streamsize>(tile->mvt.size()));
    if (!file.flush()) return qs::fail("tile", {1, o.out + ": cannot write"});
  }
  if (auto c = output->commit(); !c) return qs::fail("tile", {1, c.error().toString()});
  const std::string name =
      std::to_string(o.z) + "/" + std::to_string(o.x) + "/" + std::to_string(o.y);
  if (tile->empty()) {
    std::cout << "wrote " << o.out << ": tile " << name << " is empty (no feature in scope)\n";
    return 0;
  }
  std::cout << "wrote " << o.out << ": tile " << name << ", " << tile->mvt.size() << " bytes";
  for (const auto& [layer, count] : tile->counts) std::cout << ", " << layer << " " << count;
  std::cout << "\n";
  return 0;
}

}  // namespace

void addTileCommand(CLI::App& app, int& exitCode) {
  auto* cmd = app.add_subcommand("tile", "One vector tile (MVT, Web Mercator z/x/y) of the twin");
  auto o = std::make_shared<TileOptions>();
  cmd->add_option("dataset", o->dataset, "Dataset GeoPackage")->required();
  cmd->add_option("z", o->z, "zoom (0-24)")->required();
  cmd->add_option("x", o->x, "column, 0 at the west")->required();
  cmd->add_option("y", o->y, "row, 0 at the north")->required();
  cmd->add_option("--out", o->out, "the .mvt file to write")->required();
  cmd->add_option("--layers", o->layers,
                  "comma-separated layers: grids, roads, buildings, facilities, "
                  "facilities_clusters, events, events_<status>, events_closed_clusters, base, "
                  "or catalogue tables lyr_... (default: base; facilities and events_closed "
                  "from z16, their clusters up to z15)");
  qs::addAccessOptions(cmd, o->access);
  cmd->callback([o, &exitCode] { exitCode = runTile(*o); });
}

}  // namespace gridtwin::cli
