#pragma once
// CJK labels that never overlap: osgText (FreeType, a real CJK font) in
// screen-sized characters, laid out each frame in screen space by priority
// (streets, then communities, then roads, then grids): a label whose box
// meets one already placed is not drawn this frame. A label also needs its
// feature to be big enough on screen (minSpanPx) so grid names appear only
// when zoomed in.
//
// Cost per frame: O(n) projections plus a bucket test per visible label
// (screen cells of kCellPx), ~0.1 ms for the ~2,600 labels of the district.
#include <osg/Group>

#include <string>

namespace gridtwin::scene {

// Labels drawn per frame at most (osgEarth's max-objects limit, for the
// draw-call budget): the highest priorities win.
inline constexpr std::size_t kMaxLabelsPerFrame = 120;

struct LabelSpec {
  std::string text;  // UTF-8
  osg::Vec3 position;
  float sizePx = 14;
  int priority = 0;     // higher first
  float spanM = 0;      // the feature's size in metres (0: always eligible)
  float minSpanPx = 0;  // shown only when spanM covers at least this many pixels
  osg::Vec4 colour{0.1f, 0.1f, 0.1f, 1};
};

// A group of labels with the declutter cull callback. `font`: a font file.
osg::ref_ptr<osg::Group> makeLabelLayer(std::vector<LabelSpec> labels, const std::string& font);

}  // namespace gridtwin::scene
