#include "app/snapshot.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <limits>

#include "app/area_query.h"
#include "core/output_file.h"
#include "rooms/rooms.h"
#include "scene/bim.h"
#include "scene/catalog_layers.h"
#include "scene/offscreen.h"
#include "scene/overlay.h"
#include "scene/scene.h"
#include "store/bim_table.h"

namespace gridtwin::viewer {
namespace {

// Events per grid reported in the last 7 days before `now` (NaN for grids
// outside the reader's scope: their counts are not the reader's to see).
std::vector<double> eventsLast7Days(const model::District& d, const query::Scope& scope,
                                    std::int64_t now) {
  std::vector<double> v(d.grids().size(), 0.0);
  for (std::uint32_t g = 0; g < v.size(); ++g) {
    if (!scope.contains(g)) v[g] = NAN;
  }
  const auto& e = d.events();
  const std::int64_t from = now - 7 * 24 * 3600;
  for (std::size_t i = 0; i < e.size(); ++i) {
    if (e.reportedAt[i] > from && e.reportedAt[i] <= now && scope.contains(e.grid[i])) {
      v[e.grid[i]] += 1;
    }
  }
  return v;
}

// The picture through the one output helper (core/output_file.h): all or
// nothing, never over an input, a link written through, a FIFO streamed to.
core::Result<void> writePicture(const std::string& path, const std::vector<unsigned char>& bytes) {
  auto output = core::OutputFile::begin(path, ".png");
  if (!output) return output.takeError();
  std::FILE* f = std::fopen(output->temporaryPath().c_str(), "wb");
  if (!f) {
    return core::makeError(core::ErrorCode::kWriteFailed,
                           std::string("cannot write the picture: ") + std::strerror(errno), path);
  }
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  if (std::fclose(f) != 0 || !written) {
    return core::makeError(core::ErrorCode::kWriteFailed, "cannot write the picture", path);
  }
  return output->commit();
}

// "Polygon closed → counts shown" without the widgets: the engine's counts
// for a 24-gon of radius kBenchAreaRadiusM at the district's centre, the
// panel's rows, the hit marks and the buildings' highlight; the median of
// five runs (ms).
constexpr double kBenchAreaRadiusM = 2000;
double areaQueryMs(const query::Twin& twin, const query::Access& access, scene::DistrictScene& sc,
                   std::int64_t now, int hours) {
  const osg::Vec3d c = sc.extent().center();
  const auto ring = scene::circleRing(osg::Vec3d(c.x(), c.y(), 0), kBenchAreaRadiusM, 24);
  std::vector<double> ms;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto a = runAreaQuery(twin, access, polygonAreaOf(ring, sc.origin()), now, hours);
    if (!a) return -1;
    a->hitMarks = hitPoints(twin, a->selection, sc.origin());
    const auto rows = answerRows(twin, *a);
    sc.highlightBuildings(a->selection.of(model::Kind::kBuilding));
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (rows.empty()) return -1;
  }
  sc.highlightBuildings({});
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int runSnapshot(const query::Twin& twin, const query::Access& access, const SnapshotOptions& o) {
  const model::District& d = twin.district();
  scene::SceneOptions so;
  if (!access.scope.isAll()) so.scope = access.scope.grids();
  so.now = o.now;
  so.eventHours = o.hours;
  so.oneDrawablePerBuilding = o.naive;
  if (o.choropleth == "events7d") so.gridValues = eventsLast7Days(d, access.scope, o.now);
  // Buildings with a model get their own slot, as in the window (their
  // footprints drawn apart from the tiles); a PostGIS URL has no models.
  const bool bimView = o.view == "bim";
  if (!o.dataset.empty() && o.dataset.rfind("postgresql:", 0) != 0) {
    auto rows = rooms::modelBuildings(o.dataset, twin);
    if (!rows) {
      std::cerr << "gridtwin-viewer: " << rows.error().toString() << "\n";
      return 1;
    }
    so.modelBuildings = *rows;
  }

  const auto t0 = std::chrono::steady_clock::now();
  auto sc = scene::DistrictScene::build(d, so);
  const double buildMs =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  // --layer files over the scene (as the window's Added layers).
  scene::LayerOverlay overlay(sc->origin());
  sc->root()->addChild(overlay.root());
  for (const auto& argument : o.layers) {
    auto a = scene::parseLayerArgument(argument);
    if (!a) {
      std::cerr << "gridtwin-viewer: --layer: " << a.error().toString() << "\n";
      return 1;
    }
    auto read = scene::readVectorFile(a->path, a->crs);
    if (!read) {
      std::cerr << "gridtwin-viewer: --layer: " << read.error().toString() << "\n";
      return 1;
    }
    for (const auto& l : *read) {
      scene::LayerLook look;
      look.fill = look.stroke = osg::Vec4(0.89f, 0.1f, 0.11f, 1);
      look.opacity = 0.6f;
      look.width = 2;
      const auto i = overlay.add(l.name, look);
      overlay.attach(i, *scene::LayerOverlay::prepare(l.data, look, sc->origin()));
      overlay.setVisible(i, true);
    }
  }

  // --view bim: one building's model in its slot, seen from near.
  // --all-models: every model of the dataset, each drawn at any distance (the
  // bench's count of the draw calls the models add, and their load time).
  std::unique_ptr<scene::BimModels> bim;
  rooms::Loaded loaded;
  double bimLoadMs = 0;
  if (bimView || o.allModels) {
    const auto tb = std::chrono::steady_clock::now();
    rooms::LoadOptions lo;
    lo.sharedData = o.sharedData.empty() ? std::string(GRIDTWIN_SHARED_DATA) : o.sharedData;
    if (o.allModels) {
      // every model
    } else if (o.model != 0) {
      lo.buildingId = o.model;
    } else if (auto first = store::readBimModels(o.dataset, std::nullopt, /*withIfc=*/false);
               first && !first->empty()) {
      lo.buildingId = first->front().buildingId;
    }
    auto l = rooms::loadModels(o.dataset, twin, lo);
    if (!l) {
      std::cerr << "gridtwin-viewer: " << l.error().toString() << "\n";
      return 1;
    }
    for (const auto& p : l->problems) std::cerr << "gridtwin-viewer: " << p << "\n";
    loaded = std::move(*l);
    std::vector<scene::ModelInput> inputs;
    for (const auto& m : loaded.models) inputs.push_back({m.building, &m.model, m.anchor});
    bim = scene::BimModels::build(
        *sc, inputs, o.allModels ? std::numeric_limits<float>::max() : scene::kModelNearM);
    bimLoadMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - tb).count();
    if (bim->size() == 0) {
      std::cerr << "gridtwin-viewer: --view bim: "
                << (o.model ? "building " + std::to_string(o.model) + " has no model in scope"
                            : std::string("the dataset has no building model in scope"))
                << " (" << o.dataset << ")\n";
      return 1;
    }
    bim->attach(*sc);
    if (o.storey >= static_cast<int>(bim->storeys(0).size())) {
      std::cerr << "gridtwin-viewer: --storey " << o.storey << ": the model has "
                << bim->storeys(0).size() << " storeys (0 = the lowest)\n";
      return 2;
    }
    bim->setStoreyView(
        0, o.storey < 0 ? -1 : bim->storeyAtRank(0, static_cast<std::size_t>(o.storey)), o.explode);
  }

  auto off = scene::Offscreen::open(o.width, o.height);
  if (!off) {
    std::cerr << "gridtwin-viewer: " << off.error().message << "\n";
    return 1;
  }
  const double aspect = double(o.width) / o.height;
  scene::View view = scene::topView(*sc, aspect);
  if (bimView) {
    const osg::BoundingSphere b = sc->modelSlot(bim->building(0))->getChild(1)->getBound();
    view = scene::obliqueView(osg::Vec3d(b.center()), std::max(40.0, 4.4 * b.radius()), 55, 30);
  } else if (o.view == "overview") {
    view = scene::overviewView(*sc, aspect);
  } else if (o.view == "map") {
    view = scene::mapView(*sc, aspect);
  } else if (o.view == "grid" && !so.scope.empty()) {
    osg::BoundingBox box;
    const auto& shape = d.grids().shape;
    for (auto g : so.scope) {
      const auto p0 = shape.pointStart[shape.ringStart[shape.partStart[g]]];
      const auto p1 = shape.pointStart[shape.ringStart[shape.partStart[g + 1]]];
      for (auto i = p0; i < p1; ++i) {
        box.expandBy(sc->toLocal(shape.xy[i].x, shape.xy[i].y));
      }
    }
    view = scene::topView(box, aspect);
  }
  auto image = (*off)->render(sc->root(), view);
  if (!image) {
    std::cerr << "gridtwin-viewer: " << image.error().message << "\n";
    return 1;
  }
  auto png = scene::encodePng(**image);
  if (!png) {
    std::cerr << "gridtwin-viewer: " << png.error().message << "\n";
    return 1;
  }
  if (auto w = writePicture(o.out, *png); !w) {
    std::cerr << "gridtwin-viewer: " << w.error().message << "\n";
    return 1;
  }
  const auto& st = sc->stats();
  // Per model and material: the draw calls the models would cost unmerged.
  std::size_t bimMeshes = 0;
  for (std::size_t i = 0; bim && i < bim->size(); ++i) {
    bimMeshes += loaded.models[bim->input(i)].model.meshes.size();
  }
  if (o.stats) {
    const auto t = (*off)->time(sc->root(), view, std::max(2, o.frames));
    const double areaMs = areaQueryMs(twin, access, *sc, o.now, o.hours);
    std::printf(
        "{\"drawables\": %zu, \"triangles\": %zu, \"buildings\": %zu, \"facilities\": %zu, "
        "\"events\": %zu, \"scene_build_ms\": %.1f, \"cull_ms\": %.3f, \"draw_ms\": %.3f, "
        "\"frame_ms\": %.3f, \"drawn\": %zu, \"labels\": %zu, \"width\": %d, \"height\": %d, "
        "\"renderer\": \"%s\", \"area_query_ms\": %.2f, \"bim_models\": %zu, "
        "\"bim_triangles\": %zu, \"bim_meshes\": %zu, \"bim_load_ms\": %.1f}\n",
        st.drawables, st.triangles, st.buildings, st.facilities, st.events, buildMs, t.cullMs,
        t.drawMs, t.frameMs, t.drawables, st.labels, o.width, o.height, (*off)->renderer().c_str(),
        areaMs, bim ? bim->stats().models : 0, bim ? bim->stats().triangles : 0, bimMeshes,
        bimLoadMs);
  } else {
    std::printf(
        "wrote %s (%dx%d, %s view): %zu buildings, %zu facilities, %zu events in %zu "
        "drawables\n",
        o.out.c_str(), o.width, o.height, o.view.c_str(), st.buildings, st.facilities, st.events,
        st.drawables);
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::cerr << "gridtwin-viewer: cannot write to standard output\n";
    return 1;
  }
  return 0;
}

}  // namespace gridtwin::viewer
