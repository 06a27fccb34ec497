#include "scene/labels.h"

#include <osg/Depth>
#include <osgText/Text>
#include <osgUtil/CullVisitor>

#include <algorithm>
#include <cmath>

namespace gridtwin::scene {
namespace {

constexpr double kCellPx = 64;  // bucket size of the overlap test
constexpr double kPadPx = 3;    // air between two labels

struct Meta {
  osg::Vec3 position;
  float widthPx = 0;
  float heightPx = 0;
  float spanM = 0;
  float minSpanPx = 0;
};

struct Rect {
  double x0, y0, x1, y1;
  bool meets(const Rect& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

// Width of a UTF-8 text in em: CJK and other wide characters 1, ASCII ~0.55.
float emWidth(const std::string& s) {
  float w = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    w += n >= 3 ? 1.f : 0.55f;
    i += n;
  }
  return w;
}

class Declutter : public osg::NodeCallback {
 public:
  std::vector<Meta> meta;  // parallel to the group's children, by priority

  void operator()(osg::Node* node, osg::NodeVisitor* nv) override {
    auto* cv = dynamic_cast<osgUtil::CullVisitor*>(nv);
    const osg::Viewport* vp = cv ? cv->getViewport() : nullptr;
    if (!cv || !vp) {
      traverse(node, nv);
      return;
    }
    const osg::Matrixd mv = *cv->getModelViewMatrix();
    const osg::Matrixd p = *cv->getProjectionMatrix();
    const osg::Matrixd mvpw = mv * p * vp->computeWindowMatrix();
    const double w = vp->width(), h = vp->height();
    const int cols = static_cast<int>(std::ceil(w / kCellPx)) + 1;
    const int rows = static_cast<int>(std::ceil(h / kCellPx)) + 1;
    std::vector<std::vector<Rect>> cells(static_cast<std::size_t>(cols * rows));
    osg::Group* group = node->asGroup();
    std::size_t placed = 0;
    for (unsigned i = 0; i < group->getNumChildren() && i < meta.size(); ++i) {
      if (placed == kMaxLabelsPerFrame) break;
      const Meta& m = meta[i];
      const osg::Vec3d eye = osg::Vec3d(m.position) * mv;
      if (eye.z() >= 0) continue;  // behind the camera
      if (m.minSpanPx > 0) {
        const double pixelsPerMetre = p(1, 1) * h / 2 / -eye.z();
        if (m.spanM * pixelsPerMetre < m.minSpanPx) continue;
      }
      const osg::Vec3d s = osg::Vec3d(m.position) * mvpw;
      const Rect r{s.x() - m.widthPx / 2 - kPadPx, s.y() - m.heightPx / 2 - kPadPx,
                   s.x() + m.widthPx / 2 + kPadPx, s.y() + m.heightPx / 2 + kPadPx};
      if (r.x1 < 0 || r.y1 < 0 || r.x0 > w || r.y0 > h) continue;
      const int cx0 = std::clamp(static_cast<int>(r.x0 / kCellPx), 0, cols - 1);
      const int cx1 = std::clamp(static_cast<int>(r.x1 / kCellPx), 0, cols - 1);
      const int cy0 = std::clamp(static_cast<int>(r.y0 / kCellPx), 0, rows - 1);
      const int cy1 = std::clamp(static_cast<int>(r.y1 / kCellPx), 0, rows - 1);
      bool free = true;
      for (int y = cy0; y <= cy1 && free; ++y) {
        for (int x = cx0; x <= cx1 && free; ++x) {
          for (const Rect& o : cells[static_cast<std::size_t>(y * cols + x)]) {
            if (r.meets(o)) {
              free = false;
              break;
            }
          }
        }
      }
      if (!free) continue;
      for (int y = cy0; y <= cy1; ++y) {
        for (int x = cx0; x <= cx1; ++x) cells[static_cast<std::size_t>(y * cols + x)].push_back(r);
      }
      group->getChild(i)->accept(*nv);
      ++placed;
    }
  }
};

}  // namespace

osg::ref_ptr<osg::Group> makeLabelLayer(std::vector<LabelSpec> labels, const std::string& font) {
  std::stable_sort(labels.begin(), labels.end(),
                   [](const LabelSpec& a, const LabelSpec& b) { return a.priority > b.priority; });
  osg::ref_ptr<osg::Group> group = new osg::Group;
  group->setName("labels");
  osg::ref_ptr<osgText::Font> face = osgText::readRefFontFile(font);
  osg::ref_ptr<Declutter> declutter = new Declutter;
  for (const auto& l : labels) {
    osg::ref_ptr<osgText::Text> t = new osgText::Text;
    if (face) t->setFont(face.get());
    t->setCharacterSizeMode(osgText::Text::SCREEN_COORDS);
    t->setCharacterSize(l.sizePx);
    t->setAxisAlignment(osgText::Text::SCREEN);
    t->setAlignment(osgText::Text::CENTER_CENTER);
    t->setColor(l.colour);
    t->setBackdropType(osgText::Text::OUTLINE);
    t->setBackdropColor(osg::Vec4(1, 1, 1, 0.85f));
    t->setPosition(l.position);
    t->setText(l.text, osgText::String::ENCODING_UTF8);
    group->addChild(t.get());
    declutter->meta.push_back(
        {l.position, l.sizePx * emWidth(l.text), l.sizePx * 1.2f, l.spanM, l.minSpanPx});
  }
  group->setCullCallback(declutter.get());
  // Labels are drawn last and over everything (they are placed so they never
  // hide each other; hiding a roof edge is the lesser harm).
  auto* ss = group->getOrCreateStateSet();
  ss->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  ss->setAttributeAndModes(new osg::Depth(osg::Depth::ALWAYS, 0, 1, false));
  ss->setRenderBinDetails(100, "RenderBin");
  return group;
}

}  // namespace gridtwin::scene
