#include "scene/catalog_layers.h"

#include <osg/BlendFunc>
#include <osg/Depth>
#include <osg/Geometry>
#include <osg/LineStipple>
#include <osg/LineWidth>
#include <osg/Point>
#include <osg/PrimitiveSet>
#include <osgUtil/CullVisitor>

#include <algorithm>
#include <cmath>

#include "geo/triangulate.h"
#include "layers/catalog.h"
#include "scene/icons.h"

namespace gridtwin::scene {

// Heights above the ground (metres) so that fills lie over the district's
// grid fill, lines over fills and symbols over lines.
constexpr float kFillZ = 0.2f;
constexpr float kLineZ = 0.6f;
constexpr float kPointZ = 2.0f;
constexpr double kMetresPerPixel = 0.00028;  // OGC's standard pixel

struct PreparedLayer {
  struct Part {
    unsigned mode = GL_TRIANGLES;
    float size = 1;
    bool dashed = false;
    bool solid = false;  // prisms: drawn with depth writes
    int icon = -1;       // points: the icon's atlas cell (scene/icons.h)
    osg::Vec4 colour;
    std::vector<osg::Vec3> vertices;
  };
  std::vector<Part> parts;
  std::size_t features = 0;
};

struct LayerOverlay::Bucket {
  unsigned mode = GL_TRIANGLES;
  float size = 1;
  bool dashed = false;
  bool solid = false;
  bool icons = false;
  osg::ref_ptr<osg::FloatArray> cells;  // icons: each vertex's atlas cell
  osg::ref_ptr<osg::Geometry> geometry;
  osg::ref_ptr<osg::Vec3Array> vertices;
  osg::ref_ptr<osg::Vec4Array> colours;
  osg::ref_ptr<osg::MultiDrawArrays> draws;
};

struct LayerOverlay::Layer {
  struct Span {
    std::size_t bucket = 0;
    GLint first = 0;
    GLsizei count = 0;
    osg::Vec4 colour;
  };
  std::string name;
  LayerLook look;
  bool loaded = false;
  bool visible = false;
  float opacity = 1;
  std::size_t features = 0;
  std::vector<Span> spans;
};

namespace {

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Brings the overlay's range lists up to date before each frame is culled.
class ScaleCallback : public osg::NodeCallback {
 public:
  explicit ScaleCallback(LayerOverlay* overlay) : m_overlay(overlay) {}
  void operator()(osg::Node* node, osg::NodeVisitor* nv) override {
    if (auto* cv = dynamic_cast<osgUtil::CullVisitor*>(nv)) {
      const osg::Vec3d eye = cv->getEyePoint();
      // The distance to where the view's centre meets the ground.
      const osg::Matrixd inverse = osg::Matrixd::inverse(*cv->getModelViewMatrix());
      const osg::Vec3d forward = osg::Vec3d(0, 0, -1) * inverse - osg::Vec3d(0, 0, 0) * inverse;
      double distance = std::max(1.0, std::abs(eye.z()));
      if (forward.z() < -1e-3) {
        distance = std::min((eye.z() / -forward.z()) * forward.length(), 8 * distance);
      }
      const osg::Viewport* vp = cv->getViewport();
      m_overlay->refresh(scaleDenominator(*cv->getProjectionMatrix(), vp ? vp->height() : 1000,
                                          std::max(1.0, distance)));
    }
    traverse(node, nv);
  }

 private:
  LayerOverlay* m_overlay;
};

}  // namespace

osg::Vec4 parseColour(const std::string& hex, const osg::Vec4& fallback) {
  if (hex.size() != 7 || hex[0] != '#') return fallback;
  int v[6];
  for (int i = 0; i < 6; ++i) {
    v[i] = hexDigit(hex[static_cast<std::size_t>(i) + 1]);
    if (v[i] < 0) return fallback;
  }
  return {(v[0] * 16 + v[1]) / 255.f, (v[2] * 16 + v[3]) / 255.f, (v[4] * 16 + v[5]) / 255.f, 1};
}

LayerLook lookOf(const layers::LayerSpec& spec) {
  LayerLook l;
  const auto& s = spec.style;
  l.stroke = parseColour(s.stroke, parseColour(s.fill, l.stroke));
  l.fill = parseColour(s.fill, l.stroke);
  l.hasFill = !s.fill.empty();
  l.width = static_cast<float>(std::clamp(s.width, 0.5, 10.0));
  l.pointSize = s.size > 0 ? static_cast<float>(std::min(s.size, 32.0)) : 8.f;
  l.dashed = !s.dash.empty();
  l.opacity = static_cast<float>(std::clamp(s.opacity, 0.0, 1.0));
  l.minScale = spec.minScale;
  l.maxScale = spec.maxScale;
  l.extrude = !s.extrude.empty();
  l.icon = iconIndex(s.icon);
  // A character needs ~20 px to be read: icons are drawn 2.5 times the
  // symbol size (the catalogue's 8 → 20 px).
  if (l.icon >= 0) l.pointSize = std::clamp(l.pointSize * 2.5f, 16.f, 48.f);
  return l;
}

double scaleDenominator(const osg::Matrixd& p, double viewportHeightPx, double distanceM) {
  const bool ortho = p(3, 3) == 1.0;
  // Perspective: p(1,1) = 1 / tan(fovy/2); ortho: p(1,1) = 2 / (top - bottom).
  const double visibleHeightM = ortho ? 2 / p(1, 1) : 2 * distanceM / p(1, 1);
  return visibleHeightM / std::max(1.0, viewportHeightPx) / kMetresPerPixel;
}

LayerOverlay::LayerOverlay(const osg::Vec3d& origin) : m_root(new osg::Group), m_origin(origin) {
  m_root->setName("layer_overlay");
  m_root->setCullCallback(new ScaleCallback(this));
  auto* ss = m_root->getOrCreateStateSet();
  ss->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  ss->setMode(GL_BLEND, osg::StateAttribute::ON);
  ss->setAttributeAndModes(new osg::BlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA));
  // Painted in catalogue order over what is opaque; hidden behind buildings.
  // The depth range pulled a little towards the eye: from afar the depth
  // buffer cannot tell a fill 0.2 m above the grid fill from it (a district
  // view put the layers under the grid fill), yet buildings still hide them.
  ss->setAttributeAndModes(new osg::Depth(osg::Depth::LEQUAL, 0, 0.99999, false));
}

LayerOverlay::~LayerOverlay() {
  if (m_root) m_root->setCullCallback(nullptr);
}

std::size_t LayerOverlay::add(std::string name, const LayerLook& look) {
  Layer l;
  l.name = std::move(name);
  l.look = look;
  m_layers.push_back(std::move(l));
  m_shown.push_back(false);
  return m_layers.size() - 1;
}

const std::string& LayerOverlay::name(std::size_t layer) const { return m_layers.at(layer).name; }
const LayerLook& LayerOverlay::look(std::size_t layer) const { return m_layers.at(layer).look; }
bool LayerOverlay::loaded(std::size_t layer) const { return m_layers.at(layer).loaded; }
std::size_t LayerOverlay::features(std::size_t layer) const { return m_layers.at(layer).features; }
bool LayerOverlay::visible(std::size_t layer) const { return m_layers.at(layer).visible; }
float LayerOverlay::opacity(std::size_t layer) const { return m_layers.at(layer).opacity; }

std::shared_ptr<const PreparedLayer> LayerOverlay::prepare(
    const VectorData& data, const LayerLook& look, const osg::Vec3d& origin,
    const std::function<float(std::string_view ref)>& heightOf) {
  auto p = std::make_shared<PreparedLayer>();
  p->features = data.features;
  auto local = [&](const geo::Point& q, float z) {
    return osg::Vec3(static_cast<float>(q.x - origin.x()), static_cast<float>(q.y - origin.y()), z);
  };
  PreparedLayer::Part fill{GL_TRIANGLES, 1, false, false, -1, look.fill, {}};
  PreparedLayer::Part lines{GL_LINES, look.width, look.dashed, false, -1, look.stroke, {}};
  PreparedLayer::Part points{GL_POINTS, look.pointSize, false, false, look.icon, look.fill, {}};
  // Prisms: roofs in the fill colour, walls a shade darker (the overlay is
  // unlit), both writing depth so that near walls hide far ones.
  PreparedLayer::Part roofs{GL_TRIANGLES, 1, false, true, -1, look.fill, {}};
  const osg::Vec4 wall(look.fill.r() * 0.72f, look.fill.g() * 0.72f, look.fill.b() * 0.72f,
                       look.fill.a());
  PreparedLayer::Part walls{GL_TRIANGLES, 1, false, true, -1, wall, {}};
  const bool prisms = look.extrude && heightOf && data.polygonRef.size() == data.polygons.size();
  auto ring = [&](const std::vector<geo::Point>& r) {
    for (std::size_t i = 0; i + 1 < r.size(); ++i) {
      lines.vertices.push_back(local(r[i], kLineZ));
      lines.vertices.push_back(local(r[i + 1], kLineZ));
    }
  };
  auto prism = [&](const geo::Polygon& polygon, float h) {
    const auto vs = geo::triangulationVertices(polygon);
    for (auto i : geo::triangulate(polygon)) roofs.vertices.push_back(local(vs[i], h));
    auto side = [&](const std::vector<geo::Point>& r) {
      for (std::size_t i = 0; i + 1 < r.size(); ++i) {
        const auto a0 = local(r[i], kFillZ), b0 = local(r[i + 1], kFillZ);
        const auto a1 = local(r[i], h), b1 = local(r[i + 1], h);
        walls.vertices.insert(walls.vertices.end(), {a0, b0, b1, a0, b1, a1});
        lines.vertices.push_back(a1);  // the roof's outline
        lines.vertices.push_back(b1);
      }
    };
    side(polygon.outer);
    for (const auto& hole : polygon.holes) side(hole);
  };
  for (std::size_t k = 0; k < data.polygons.size(); ++k) {
    const auto& polygon = data.polygons[k];
    if (prisms) {
      if (const float h = heightOf(data.polygonRef[k]); h > 0) {
        prism(polygon, h);
        continue;
      }
    }
    if (look.hasFill) {
      const auto vs = geo::triangulationVertices(polygon);
      for (auto i : geo::triangulate(polygon)) fill.vertices.push_back(local(vs[i], kFillZ));
    }
    ring(polygon.outer);
    for (const auto& h : polygon.holes) ring(h);
  }
  for (const auto& l : data.lines) ring(l);
  for (const auto& q : data.points) points.vertices.push_back(local(q, kPointZ));
  for (auto* part : {&fill, &roofs, &walls, &lines, &points}) {
    if (!part->vertices.empty()) p->parts.push_back(std::move(*part));
  }
  return p;
}

LayerOverlay::Bucket& LayerOverlay::bucket(unsigned mode, float size, bool dashed, bool solid,
                                           bool icons) {
  for (auto& b : m_buckets) {
    if (b->mode == mode && b->size == size && b->dashed == dashed && b->solid == solid &&
        b->icons == icons) {
      return *b;
    }
  }
  auto b = std::make_unique<Bucket>();
  b->mode = mode;
  b->size = size;
  b->dashed = dashed;
  b->solid = solid;
  b->icons = icons;
  b->geometry = new osg::Geometry;
  b->geometry->setName(mode == GL_TRIANGLES && solid ? "overlay_prisms"
                       : mode == GL_TRIANGLES        ? "overlay_fill"
                       : mode == GL_LINES            ? "overlay_lines"
                       : icons                       ? "overlay_icons"
                                                     : "overlay_points");
  b->geometry->setUseDisplayList(false);
  b->geometry->setUseVertexBufferObjects(true);
  b->geometry->setDataVariance(osg::Object::DYNAMIC);
  b->vertices = new osg::Vec3Array;
  b->colours = new osg::Vec4Array;
  b->geometry->setVertexArray(b->vertices.get());
  b->geometry->setColorArray(b->colours.get(), osg::Array::BIND_PER_VERTEX);
  b->draws = new osg::MultiDrawArrays(mode);
  b->geometry->addPrimitiveSet(b->draws.get());
  if (icons) {
    b->cells = new osg::FloatArray;
    b->geometry->setVertexAttribArray(kIconAttribute, b->cells.get(), osg::Array::BIND_PER_VERTEX);
    b->geometry->setStateSet(iconState(size));
  }
  auto* ss = b->geometry->getOrCreateStateSet();
  // Fills first, then lines, then symbols, after the district's opaque
  // geometry and before its labels (bin 100).
  if (mode == GL_TRIANGLES && solid) {
    ss->setAttributeAndModes(new osg::Depth(osg::Depth::LEQUAL, 0, 0.99999, true));
    ss->setRenderBinDetails(20, "RenderBin");
  } else if (mode == GL_TRIANGLES) {
    ss->setRenderBinDetails(20, "RenderBin");
  } else if (mode == GL_LINES) {
    ss->setAttributeAndModes(new osg::LineWidth(size));
    if (dashed) ss->setAttributeAndModes(new osg::LineStipple(2, 0x0F0F));
    ss->setRenderBinDetails(21, "RenderBin");
  } else if (icons) {
    ss->setRenderBinDetails(22, "RenderBin");
  } else {
    ss->setAttributeAndModes(new osg::Point(size));
    ss->setMode(GL_POINT_SMOOTH, osg::StateAttribute::ON);  // round symbols
    ss->setRenderBinDetails(22, "RenderBin");
  }
  b->geometry->setNodeMask(0);  // nothing to draw yet
  m_root->addChild(b->geometry.get());
  m_buckets.push_back(std::move(b));
  return *m_buckets.back();
}

void LayerOverlay::attach(std::size_t index, const PreparedLayer& prepared) {
  Layer& layer = m_layers.at(index);
  if (layer.loaded) return;
  for (const auto& part : prepared.parts) {
    Bucket& b = bucket(part.mode, part.size, part.dashed, part.solid, part.icon >= 0);
    std::size_t which = 0;
    for (; which < m_buckets.size(); ++which) {
      if (m_buckets[which].get() == &b) break;
    }
    Layer::Span span;
    span.bucket = which;
    span.first = static_cast<GLint>(b.vertices->size());
    span.count = static_cast<GLsizei>(part.vertices.size());
    span.colour = part.colour;
    b.vertices->insert(b.vertices->end(), part.vertices.begin(), part.vertices.end());
    b.colours->resize(b.vertices->size());
    if (b.cells) {
      b.cells->resize(b.vertices->size(), static_cast<float>(part.icon));
      b.cells->dirty();
    }
    b.vertices->dirty();
    b.geometry->dirtyBound();
    layer.spans.push_back(span);
  }
  layer.features = prepared.features;
  layer.loaded = true;
  recolour(layer);
  m_dirty = true;
}

void LayerOverlay::recolour(Layer& layer) {
  const float alpha = layer.look.opacity * layer.opacity;
  for (const auto& s : layer.spans) {
    Bucket& b = *m_buckets[s.bucket];
    osg::Vec4 c = s.colour;
    c.a() = alpha;
    std::fill(b.colours->begin() + s.first, b.colours->begin() + s.first + s.count, c);
    b.colours->dirty();
  }
}

void LayerOverlay::setVisible(std::size_t layer, bool visible) {
  if (m_layers.at(layer).visible == visible) return;
  m_layers[layer].visible = visible;
  m_dirty = true;
}

void LayerOverlay::setOpacity(std::size_t layer, float opacity) {
  Layer& l = m_layers.at(layer);
  l.opacity = std::clamp(opacity, 0.f, 1.f);
  recolour(l);
}

bool LayerOverlay::inScale(std::size_t layer, double denominator) const {
  const LayerLook& l = m_layers.at(layer).look;
  if (l.minScale > 0 && denominator > l.minScale) return false;
  if (l.maxScale > 0 && denominator < l.maxScale) return false;
  return true;
}

std::size_t LayerOverlay::drawables() const { return m_buckets.size(); }
std::size_t LayerOverlay::size() const { return m_layers.size(); }

void LayerOverlay::refresh(double denominator) {
  m_lastScale = denominator;
  bool changed = m_dirty;
  for (std::size_t i = 0; i < m_layers.size(); ++i) {
    const bool shown = m_layers[i].loaded && m_layers[i].visible && inScale(i, denominator);
    if (shown != m_shown[i]) {
      m_shown[i] = shown;
      changed = true;
    }
  }
  if (!changed) return;
  m_dirty = false;
  for (auto& b : m_buckets) {
    b->draws->getFirsts().clear();
    b->draws->getCounts().clear();
  }
  for (std::size_t i = 0; i < m_layers.size(); ++i) {
    if (!m_shown[i]) continue;
    for (const auto& s : m_layers[i].spans) m_buckets[s.bucket]->draws->add(s.first, s.count);
  }
  for (auto& b : m_buckets) {
    b->draws->dirty();
    b->geometry->dirtyBound();
    b->geometry->setNodeMask(b->draws->getFirsts().empty() ? 0u : ~0u);
  }
}

}  // namespace gridtwin::scene
