#pragma once
// gridtwin-viewer --snapshot: the scene rendered offscreen to a PNG, with a
// one-line summary (and --stats: the scene's drawables and frame timings as
// JSON) — for machines without a desktop, scripts/run and the render tests.
#include <string>
#include <vector>

#include "query/access.h"
#include "query/twin.h"

namespace gridtwin::viewer {

struct SnapshotOptions {
  std::string out;           // PNG path
  std::string view = "top";  // top | overview | grid | bim
  std::string dataset;       // the GeoPackage (its bim_models table, for --view bim)
  std::string sharedData;    // folder of the real IFC files (empty: the build's default)
  std::int64_t model = 0;    // --view bim: the building_id whose model is shown (0: the first)
  int storey = -1;           // --view bim: isolate this storey, 0 = lowest (-1: all)
  float explode = 0;         // --view bim: metres between exploded storeys
  bool allModels = false;    // every model of the dataset, drawn at any distance (the bench)
  int width = 1280;
  int height = 720;
  int hours = 24 * 7;
  std::int64_t now = 0;
  std::string choropleth;           // "" | events7d
  bool stats = false;               // print {"drawables",...,"frame_ms"} on stdout
  int frames = 0;                   // frames to time with --stats
  bool naive = false;               // one drawable per building (the bench's anchor)
  std::vector<std::string> layers;  // vector files drawn over the scene, FILE or FILE@CRS
};

// Exit code convention of the CLI: 0 ok, 1 bad input or output failure.
int runSnapshot(const query::Twin& twin, const query::Access& access, const SnapshotOptions& o);

}  // namespace gridtwin::viewer
