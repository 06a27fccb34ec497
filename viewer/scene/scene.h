#pragma once
// The district as an OpenSceneGraph scene graph — no Qt, so the desktop
// viewer, the offscreen snapshots and the command center's wall nodes all
// share it.
//
// Layout (why it is fast): every kind is merged into a few drawables — the
// grids into one filled mesh plus one outline per admin level, the roads into
// one line set per class, the 100,000 buildings into one extruded mesh per
// square tile (kTileM), facilities and events into one point set each. A
// per-triangle owner table on each merged mesh maps a ray hit back to its
// building or grid row, and a building's vertex range lets highlight()
// recolour it without rebuilding anything. At full scale this is ~100
// drawables plus at most kMaxLabelsPerFrame labels (FIELD-NOTES: one node per building costs ~26 ms
// of cull a frame; merged per tile, 0.04-0.4 ms).
//
// Coordinates: EPSG:4547 metres minus origin() (the centre of the district's
// extent), so float vertices keep centimetre precision; z is up, metres.
//
// Thread-safety: build() may run on any thread (it touches no GL state); the
// returned scene is then owned by the render thread (OSG's update/draw).
#include <osg/Camera>
#include <osg/Geometry>
#include <osg/Group>
#include <osg/LOD>
#include <osg/Switch>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "model/district.h"

namespace gridtwin::scene {

inline constexpr double kTileM = 1500;  // building tile edge: ~90 tiles at full scale

enum class Layer : std::uint8_t {
  kGridFill,
  kGridLines,
  kCommunityLines,
  kStreetLines,
  kRoads,
  kBuildings,
  kFacilities,
  kEvents,
  kLabels,
};
inline constexpr std::size_t kLayerCount = 9;

// The CJK font labels use (WenQuanYi Micro Hei, Debian's fonts-wqy-microhei).
inline constexpr const char* kLabelFont = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

struct SceneOptions {
  // Grid rows a grid head owns: only their buildings, facilities and events
  // are drawn; other grids are outlines only. Empty: the whole district.
  std::vector<std::uint32_t> scope;
  // Events reported in (now - eventHours, now] are drawn, by status.
  std::int64_t now = 0;
  int eventHours = 24 * 7;
  // A choropleth value per grid row (NaN: no value); empty: grids tinted by
  // street. Colours run from pale yellow (min) to deep red (max).
  std::vector<double> gridValues;
  // The naive scene, for the benchmark's anchor only: one drawable per
  // building instead of one per tile.
  bool oneDrawablePerBuilding = false;
  // Building rows that carry a BIM model (the dataset's bim_models table):
  // each gets its own footprint mesh under an osg::LOD (modelSlot()) that
  // scene::BimModels later fills with the model for near views (bim.h).
  std::vector<std::uint32_t> modelBuildings;
};

// What a ray hit: the kind and row, and where (EPSG:4547 metres).
struct Hit {
  model::Kind kind = model::Kind::kGrid;
  std::uint32_t row = 0;
  double x = 0;
  double y = 0;
  double z = 0;
  // A building model's triangle (scene::BimModels): the model's index among
  // the attached ones, the storey and the space (room) hit, -1 for none. The
  // space is the first room along the ray inside the model hit first.
  std::int32_t model = -1;
  std::int32_t storey = -1;
  std::int32_t space = -1;
};

struct SceneStats {
  std::size_t drawables = 0;  // without the labels (at most kMaxLabelsPerFrame drawn a frame)
  std::size_t triangles = 0;
  std::size_t buildings = 0;
  std::size_t facilities = 0;
  std::size_t events = 0;
  std::size_t labels = 0;
};

class DistrictScene {
 public:
  static std::unique_ptr<DistrictScene> build(const model::District& district,
                                              const SceneOptions& options);

  osg::Group* root() const { return m_root.get(); }
  // EPSG:4547 metres subtracted from every vertex.
  osg::Vec3d origin() const { return m_origin; }
  // The district's extent in local coordinates (z from 0 to the tallest roof).
  const osg::BoundingBox& extent() const { return m_extent; }
  const SceneStats& stats() const { return m_stats; }

  void setVisible(Layer layer, bool visible);
  bool visible(Layer layer) const;

  // The nearest building or grid under the window position (x, y) of
  // `camera` (pixels, origin bottom-left as OSG counts them), or none.
  std::optional<Hit> pick(osg::Camera* camera, double x, double y) const;

  // Draws building `row` (or grid `row`) in the highlight colour; the
  // previous highlight returns to its own colour. kNone-like: clear().
  void highlight(model::Kind kind, std::uint32_t row);
  void clearHighlight();
  // Draws every building of `rows` in the area-query colour (the hits of an
  // area query); the previous set returns to its own colours. Rows the scene
  // does not draw (outside a grid head's scope) are skipped.
  void highlightBuildings(const std::vector<std::uint32_t>& rows);
  const std::vector<std::uint32_t>& highlightedBuildings() const { return m_areaHighlight; }

  // The LOD of a building with a model (SceneOptions::modelBuildings): child 0
  // is its extruded footprint; null for other buildings and out of scope.
  osg::LOD* modelSlot(std::uint32_t building) const {
    const auto it = m_modelSlots.find(building);
    return it == m_modelSlots.end() ? nullptr : it->second.get();
  }

  // Local ↔ EPSG:4547.
  osg::Vec3d toLocal(double x, double y, double z = 0) const {
    return osg::Vec3d(x, y, z) - m_origin;
  }

 private:
  DistrictScene() = default;
  struct Range {
    std::uint32_t geometry = 0;  // into m_meshes
    std::uint32_t first = 0;
    std::uint32_t count = 0;
  };
  void recolour(const Range& range, const osg::Vec4& colour);

  osg::ref_ptr<osg::Group> m_root;
  osg::ref_ptr<osg::Switch> m_layers;
  osg::Vec3d m_origin;
  osg::BoundingBox m_extent;
  SceneStats m_stats;
  std::vector<osg::ref_ptr<osg::Geometry>> m_meshes;  // building tiles, then the grid fill
  std::vector<Range> m_buildingRanges;                // per building row (count 0: not drawn)
  std::vector<osg::Vec4> m_buildingColours;
  std::vector<Range> m_gridRanges;  // per grid row, in the grid fill mesh
  std::vector<osg::Vec4> m_gridColours;
  std::optional<std::pair<model::Kind, std::uint32_t>> m_highlight;
  std::vector<std::uint32_t> m_areaHighlight;
  std::map<std::uint32_t, osg::ref_ptr<osg::LOD>> m_modelSlots;
};

// A camera placement in local coordinates.
struct View {
  osg::Vec3d eye;
  osg::Vec3d center;
  osg::Vec3d up;
  double fovyDeg = 30;
  // A map: orthographic, at the scale a perspective of fovyDeg has at the
  // centre (so switching keeps the centre's scale).
  bool ortho = false;
};
// The metres a view shows from the bottom to the top of the frame at its
// centre: what an orthographic view shows everywhere.
double visibleHeightM(const View& view);

// Looking straight down at the whole district, which fills the frame.
View topView(const DistrictScene& scene, double aspect);
// Looking straight down at `box` (local coordinates), which fills the frame.
View topView(const osg::BoundingBox& box, double aspect);
// Looking at `center` (local) from `distanceM` away, tilted `tiltDeg` from
// straight down and turned `headingDeg` clockwise from north.
View obliqueView(const osg::Vec3d& center, double distanceM, double tiltDeg, double headingDeg);
// The whole district at a 50° tilt from the south-west.
View overviewView(const DistrictScene& scene, double aspect);
// The whole district as a map: straight down, north up, orthographic.
View mapView(const DistrictScene& scene, double aspect);

}  // namespace gridtwin::scene
