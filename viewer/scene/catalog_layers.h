#pragma once
// The extra map layers drawn over the district: the 244 catalogue layers
// (layers/catalog.csv, their features in the dataset's lyr_* tables) and any
// vector file the user adds. OSG only, no Qt.
//
// Why it stays cheap: every layer's geometry goes into a few shared
// drawables merged by style class — one fill mesh for all polygon layers,
// one GL_LINES set per (line width, dashed) and one GL_POINTS set per symbol
// size — and each drawable draws the visible layers' vertex ranges with one
// glMultiDrawArrays. So all 244 layers visible cost about a dozen draw calls,
// and toggling a layer only rewrites the range lists. Colour (with the
// layer's opacity in alpha) is per vertex, so an opacity change rewrites the
// layer's range of the colour array.
//
// Scale ranges (QGIS convention, the catalogue's min_scale/max_scale): each
// frame the cull callback computes the view's scale denominator (metres per
// pixel at the point the camera looks at / 0.28 mm) and leaves out the
// layers outside their range.
//
// Laziness and threads: add() only registers a layer (nothing loaded);
// prepare() turns VectorData into vertex arrays on any thread (no GL, no
// shared state); attach() appends them on the thread that renders (the GUI
// thread of the single-threaded viewer) between frames.
#include <osg/Group>
#include <osg/Matrixd>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scene/vector_data.h"

namespace gridtwin::layers {
struct LayerSpec;
}

namespace gridtwin::scene {

// How a layer is drawn.
struct LayerLook {
  osg::Vec4 fill{0.8f, 0.8f, 0.8f, 1};  // polygons' fill and point symbols
  osg::Vec4 stroke{0.3f, 0.3f, 0.3f, 1};
  bool hasFill = true;  // polygons filled (else outlines only)
  float width = 1;      // line width, pixels
  float pointSize = 8;  // symbol size, pixels
  bool dashed = false;  // lines drawn dashed
  float opacity = 1;    // the style's own opacity (0..1)
  int minScale = 0;     // shown while maxScale <= denominator <= minScale; 0: no limit
  int maxScale = 0;
  // Polygons drawn as prisms (the style's "extrude"): each feature's height
  // comes from prepare()'s heightOf, by the feature's `ref`.
  bool extrude = false;
  // Points drawn as the style's icon (scene/icons.h: its atlas cell), or
  // round symbols (-1).
  int icon = -1;
};

// The look a catalogue row asks for (its style JSON and scale columns).
LayerLook lookOf(const layers::LayerSpec& spec);

// "#rrggbb" → colour; `fallback` when malformed or empty.
osg::Vec4 parseColour(const std::string& hex, const osg::Vec4& fallback);

// The scale denominator of a view: metres per pixel at `distanceM` from the
// eye (perspective) or of the ortho volume, over 0.28 mm per pixel (OGC).
double scaleDenominator(const osg::Matrixd& projection, double viewportHeightPx, double distanceM);

// A layer's vertices, ready to attach (built by prepare() on any thread).
struct PreparedLayer;

class LayerOverlay {
 public:
  // `origin`: EPSG:4547 metres subtracted from every vertex (the scene's).
  explicit LayerOverlay(const osg::Vec3d& origin);
  ~LayerOverlay();
  LayerOverlay(const LayerOverlay&) = delete;
  LayerOverlay& operator=(const LayerOverlay&) = delete;

  // The node to add under the scene's root.
  osg::Group* root() const { return m_root.get(); }

  // Registers a layer (hidden, not loaded); returns its index.
  std::size_t add(std::string name, const LayerLook& look);
  std::size_t size() const;
  const std::string& name(std::size_t layer) const;
  const LayerLook& look(std::size_t layer) const;

  // Any thread.
  // `heightOf`: an extruded layer's height in metres for a polygon's `ref`
  // (VectorData::polygonRef; 0 or less, or no function: drawn flat).
  static std::shared_ptr<const PreparedLayer> prepare(
      const VectorData& data, const LayerLook& look, const osg::Vec3d& origin,
      const std::function<float(std::string_view ref)>& heightOf = {});
  // Render thread: appends the prepared vertices to the shared drawables.
  // A layer attaches once; a second attach is ignored.
  void attach(std::size_t layer, const PreparedLayer& prepared);
  bool loaded(std::size_t layer) const;
  // Features and vertices of an attached layer.
  std::size_t features(std::size_t layer) const;

  void setVisible(std::size_t layer, bool visible);
  bool visible(std::size_t layer) const;
  // The user's opacity (0..1), multiplied with the style's own.
  void setOpacity(std::size_t layer, float opacity);
  float opacity(std::size_t layer) const;
  // Whether `layer` is drawn at scale denominator `denominator`.
  bool inScale(std::size_t layer, double denominator) const;
  // The denominator of the last frame culled (0 before the first).
  double lastScale() const { return m_lastScale; }

  // The shared drawables (draw calls when all have something to draw).
  std::size_t drawables() const;
  // Brings the range lists up to date for `denominator` (the cull callback
  // calls it every frame; tests may call it directly).
  void refresh(double denominator);

 private:
  struct Bucket;
  struct Layer;
  Bucket& bucket(unsigned mode, float size, bool dashed, bool solid, bool icons);
  void recolour(Layer& layer);

  osg::ref_ptr<osg::Group> m_root;
  osg::Vec3d m_origin;
  std::vector<std::unique_ptr<Bucket>> m_buckets;
  std::vector<Layer> m_layers;
  std::vector<bool> m_shown;  // per layer, as the range lists hold it
  bool m_dirty = true;
  double m_lastScale = 0;
};

}  // namespace gridtwin::scene
