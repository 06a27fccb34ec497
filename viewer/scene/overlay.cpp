#include "scene/overlay.h"

#include <osg/BlendFunc>
#include <osg/LineWidth>
#include <osg/Point>

#include <cmath>

#include "scene/labels.h"
#include "scene/scene.h"

namespace gridtwin::scene {
namespace {

constexpr int kOverlayBin = 1000;  // drawn after the scene and its labels
constexpr float kLiftM = 0.5f;     // lines just above the ground plane

osg::ref_ptr<osg::Geometry> newDrawable(const char* name, const osg::Vec4& colour) {
  osg::ref_ptr<osg::Geometry> g = new osg::Geometry;
  g->setName(name);
  g->setUseDisplayList(false);
  g->setUseVertexBufferObjects(true);
  g->setDataVariance(osg::Object::DYNAMIC);
  g->setVertexArray(new osg::Vec3Array);
  auto* c = new osg::Vec4Array;
  c->push_back(colour);
  g->setColorArray(c, osg::Array::BIND_OVERALL);
  auto* ss = g->getOrCreateStateSet();
  ss->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  ss->setMode(GL_DEPTH_TEST, osg::StateAttribute::OFF);
  ss->setRenderBinDetails(kOverlayBin, "RenderBin");
  return g;
}

void setVertices(osg::Geometry* g, const std::vector<osg::Vec3d>& points, GLenum mode, float lift) {
  auto* v = static_cast<osg::Vec3Array*>(g->getVertexArray());
  v->clear();
  for (const auto& p : points) v->push_back(osg::Vec3(p.x(), p.y(), p.z() + lift));
  v->dirty();
  g->removePrimitiveSet(0, g->getNumPrimitiveSets());
  if (!v->empty())
    g->addPrimitiveSet(new osg::DrawArrays(mode, 0, static_cast<GLsizei>(v->size())));
  g->dirtyBound();
}

}  // namespace

std::optional<osg::Vec3d> groundPoint(const osg::Camera* camera, double x, double y,
                                      double groundZ) {
  if (!camera || !camera->getViewport()) return std::nullopt;
  const osg::Matrixd vpw = camera->getViewMatrix() * camera->getProjectionMatrix() *
                           camera->getViewport()->computeWindowMatrix();
  osg::Matrixd inverse;
  if (!inverse.invert(vpw)) return std::nullopt;
  const osg::Vec3d near = osg::Vec3d(x, y, 0) * inverse;
  const osg::Vec3d far = osg::Vec3d(x, y, 1) * inverse;
  const osg::Vec3d dir = far - near;
  if (std::abs(dir.z()) < 1e-12) return std::nullopt;
  const double t = (groundZ - near.z()) / dir.z();
  if (t < 0) return std::nullopt;
  return near + dir * t;
}

std::vector<osg::Vec3d> circleRing(const osg::Vec3d& centre, double radius, int segments) {
  std::vector<osg::Vec3d> ring;
  ring.reserve(static_cast<std::size_t>(segments));
  for (int i = 0; i < segments; ++i) {
    const double a = 2 * osg::PI * i / segments;
    ring.push_back(centre + osg::Vec3d(std::cos(a), std::sin(a), 0) * radius);
  }
  return ring;
}

Overlay::Overlay(osg::Group* parent) : m_parent(parent) {
  m_group = new osg::Group;
  m_group->setName("overlay");
  m_fill = newDrawable("overlay-fill", osg::Vec4(0.f, 0.55f, 1.f, 0.18f));
  auto* fs = m_fill->getOrCreateStateSet();
  fs->setMode(GL_BLEND, osg::StateAttribute::ON);
  fs->setAttributeAndModes(new osg::BlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA));
  fs->setRenderingHint(osg::StateSet::TRANSPARENT_BIN);
  fs->setRenderBinDetails(kOverlayBin, "RenderBin");
  m_line = newDrawable("overlay-shape", osg::Vec4(0.f, 0.35f, 0.9f, 1.f));
  m_line->getOrCreateStateSet()->setAttributeAndModes(new osg::LineWidth(3.f));
  m_reference = newDrawable("overlay-reference", osg::Vec4(0.3f, 0.3f, 0.3f, 1.f));
  m_reference->getOrCreateStateSet()->setAttributeAndModes(new osg::LineWidth(2.f));
  const osg::Vec4 markColours[] = {osg::Vec4(0.f, 0.78f, 1.f, 1.f),
                                   osg::Vec4(0.9f, 0.05f, 0.05f, 1.f),
                                   osg::Vec4(1.f, 0.55f, 0.f, 1.f)};
  const float markSizes[] = {6.f, 12.f, 7.f};
  const char* markNames[] = {"overlay-hits", "overlay-findings", "overlay-moved"};
  for (int i = 0; i < 3; ++i) {
    m_marks[i] = newDrawable(markNames[i], markColours[i]);
    m_marks[i]->getOrCreateStateSet()->setAttributeAndModes(new osg::Point(markSizes[i]));
  }
  for (auto* g : {m_fill.get(), m_reference.get(), m_line.get(), m_marks[0].get(), m_marks[2].get(),
                  m_marks[1].get()}) {
    m_group->addChild(g);
  }
  m_label = new osg::Group;
  m_group->addChild(m_label.get());
  if (m_parent) m_parent->addChild(m_group.get());
}

Overlay::~Overlay() {
  if (m_parent) m_parent->removeChild(m_group.get());
}

void Overlay::setShape(const std::vector<osg::Vec3d>& points, bool closed, bool filled) {
  setVertices(m_line.get(), points, closed && points.size() > 2 ? GL_LINE_LOOP : GL_LINE_STRIP,
              kLiftM);
  setVertices(m_fill.get(), filled && points.size() > 2 ? points : std::vector<osg::Vec3d>{},
              GL_TRIANGLE_FAN, kLiftM);
}

void Overlay::setReference(const std::vector<osg::Vec3d>& points) {
  setVertices(m_reference.get(), points, GL_LINE_LOOP, kLiftM);
}

void Overlay::setMarks(Marks kind, const std::vector<osg::Vec3d>& points) {
  setVertices(m_marks[static_cast<int>(kind)].get(), points, GL_POINTS, 2.f);
}

std::size_t Overlay::markCount(Marks kind) const {
  return static_cast<const osg::Vec3Array*>(m_marks[static_cast<int>(kind)]->getVertexArray())
      ->size();
}

void Overlay::setLabel(const std::string& text, const osg::Vec3d& at) {
  m_label->removeChildren(0, m_label->getNumChildren());
  m_labelText = text;
  if (text.empty()) return;
  LabelSpec spec;
  spec.text = text;
  spec.position = osg::Vec3(at);
  spec.sizePx = 16;
  spec.priority = 1000;
  spec.colour = osg::Vec4(0.55f, 0.f, 0.4f, 1.f);
  auto layer = makeLabelLayer({spec}, kLabelFont);
  layer->getOrCreateStateSet()->setRenderBinDetails(kOverlayBin + 1, "RenderBin");
  m_label->addChild(layer.get());
}

void Overlay::clear() {
  setShape({}, false);
  setReference({});
  for (auto& m : m_marks) setVertices(m.get(), {}, GL_POINTS, 0);
  setLabel({}, {});
}

}  // namespace gridtwin::scene
