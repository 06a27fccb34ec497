#include "scene/icons.h"

#include <osg/BlendFunc>
#include <osg/Image>
#include <osg/Point>
#include <osg/PointSprite>
#include <osg/Program>
#include <osg/Texture2D>
#include <osgText/Font>
#include <osgText/Glyph>

#include <algorithm>
#include <array>
#include <cmath>
#include <mutex>

#include "scene/scene.h"

namespace gridtwin::scene {
namespace {

struct Icon {
  std::string_view name;
  char32_t glyph;
};

// Every icon name of layers/catalog.csv and the character that names it.
constexpr std::array kIcons = {
    Icon{"address", U'址'},       Icon{"aed", U'心'},           Icon{"ai", U'智'},
    Icon{"air", U'气'},           Icon{"antenna", U'塔'},       Icon{"baby", U'婴'},
    Icon{"bank", U'银'},          Icon{"bench", U'椅'},         Icon{"billboard", U'牌'},
    Icon{"bin", U'桶'},           Icon{"bridge", U'桥'},        Icon{"bus", U'公'},
    Icon{"bus_terminal", U'站'},  Icon{"camera", U'摄'},        Icon{"canteen", U'餐'},
    Icon{"charging", U'充'},      Icon{"child", U'童'},         Icon{"clinic", U'诊'},
    Icon{"college", U'专'},       Icon{"community", U'社'},     Icon{"company", U'企'},
    Icon{"component", U'件'},     Icon{"culture", U'文'},       Icon{"depot", U'库'},
    Icon{"doorplate", U'门'},     Icon{"dot", U'点'},           Icon{"elderly", U'老'},
    Icon{"entity", U'法'},        Icon{"entrance", U'入'},      Icon{"event", U'事'},
    Icon{"event_closed", U'结'},  Icon{"event_open", U'办'},    Icon{"factory", U'厂'},
    Icon{"fire_lane", U'道'},     Icon{"fire_station", U'消'},  Icon{"fitness", U'健'},
    Icon{"flag", U'旗'},          Icon{"flood", U'涝'},         Icon{"footbridge", U'天'},
    Icon{"fuel", U'油'},          Icon{"garbage", U'垃'},       Icon{"gauge", U'表'},
    Icon{"government", U'政'},    Icon{"grid", U'格'},          Icon{"grid_station", U'网'},
    Icon{"hazard", U'危'},        Icon{"health", U'卫'},        Icon{"heritage", U'古'},
    Icon{"hospital", U'医'},      Icon{"house", U'房'},         Icon{"hydrant", U'栓'},
    Icon{"justice", U'司'},       Icon{"kindergarten", U'幼'},  Icon{"label", U'名'},
    Icon{"library", U'书'},       Icon{"manhole", U'井'},       Icon{"market", U'市'},
    Icon{"metro", U'铁'},         Icon{"museum", U'馆'},        Icon{"noise", U'噪'},
    Icon{"outfall", U'排'},       Icon{"parking", U'停'},       Icon{"person", U'人'},
    Icon{"pharmacy", U'药'},      Icon{"police", U'警'},        Icon{"police_box", U'岗'},
    Icon{"power_box", U'电'},     Icon{"pump", U'泵'},          Icon{"question", U'问'},
    Icon{"recycle", U'回'},       Icon{"rental", U'租'},        Icon{"room", U'室'},
    Icon{"school", U'学'},        Icon{"service", U'服'},       Icon{"sewage", U'污'},
    Icon{"shelter", U'避'},       Icon{"shop", U'店'},          Icon{"sign", U'标'},
    Icon{"sluice", U'闸'},        Icon{"small_venue", U'小'},   Icon{"speaker", U'广'},
    Icon{"stadium", U'体'},       Icon{"streetlight", U'灯'},   Icon{"telecom_box", U'通'},
    Icon{"toilet", U'厕'},        Icon{"traffic_light", U'信'}, Icon{"training", U'培'},
    Icon{"transformer", U'变'},   Icon{"tree", U'树'},          Icon{"university", U'大'},
    Icon{"vacant", U'空'},        Icon{"vaccine", U'疫'},       Icon{"water_intake", U'取'},
    Icon{"water_quality", U'质'}, Icon{"waterworks", U'水'},
};

// Cells after the named icons: A..Z (an unknown name's first letter), '?'.
constexpr int kLetters = 26;
constexpr int kCells = static_cast<int>(kIcons.size()) + kLetters + 1;
constexpr int kCellPx = 32;
constexpr int kGrid = 16;  // cells per atlas row and column
static_assert(kCells <= kGrid * kGrid);

char32_t glyphOfCell(int cell) {
  const int named = static_cast<int>(kIcons.size());
  if (cell < named) return kIcons[static_cast<std::size_t>(cell)].glyph;
  if (cell < named + kLetters) return U'A' + static_cast<char32_t>(cell - named);
  return U'?';
}

// R: the glyph, G: the ring, A: the disc (each a coverage 0..255), rows
// from the bottom as OSG keeps images.
osg::ref_ptr<osg::Image> buildAtlas() {
  const int side = kGrid * kCellPx;
  osg::ref_ptr<osg::Image> atlas = new osg::Image;
  atlas->allocateImage(side, side, 1, GL_RGBA, GL_UNSIGNED_BYTE);
  std::fill(atlas->data(), atlas->data() + atlas->getTotalSizeInBytes(), 0);
  osg::ref_ptr<osgText::Font> font = osgText::readRefFontFile(kLabelFont);
  const float c = kCellPx / 2.f;
  for (int cell = 0; cell < kCells; ++cell) {
    const int x0 = (cell % kGrid) * kCellPx, y0 = (cell / kGrid) * kCellPx;
    for (int y = 0; y < kCellPx; ++y) {
      for (int x = 0; x < kCellPx; ++x) {
        const float d = std::hypot(x + 0.5f - c, y + 0.5f - c);
        const float disc = std::clamp(c - 0.5f - d, 0.f, 1.f);
        const float ring = std::clamp(d - (c - 3.5f), 0.f, 1.f) * disc;
        unsigned char* px = atlas->data(x0 + x, y0 + y);
        px[1] = static_cast<unsigned char>(std::lround(ring * 255));
        px[3] = static_cast<unsigned char>(std::lround(disc * 255));
      }
    }
    if (!font) continue;  // discs and rings only: the font is missing
    osgText::Glyph* g = font->getGlyph(osgText::FontResolution(20, 20), glyphOfCell(cell));
    if (!g || g->s() <= 0 || g->t() <= 0) continue;
    const int gx = x0 + (kCellPx - g->s()) / 2, gy = y0 + (kCellPx - g->t()) / 2;
    for (int y = 0; y < g->t(); ++y) {
      for (int x = 0; x < g->s(); ++x) {
        const int ax = gx + x, ay = gy + y;
        if (ax < x0 || ay < y0 || ax >= x0 + kCellPx || ay >= y0 + kCellPx) continue;
        const osg::Vec4 v = g->getColor(static_cast<unsigned>(x), static_cast<unsigned>(y));
        const float cover = std::min(v.r(), v.a());
        unsigned char* px = atlas->data(ax, ay);
        px[0] = std::max(px[0], static_cast<unsigned char>(std::lround(cover * 255)));
      }
    }
  }
  return atlas;
}

constexpr const char* kVertexShader = R"(#version 120
attribute float iconCell;
varying float vCell;
void main() {
  gl_Position = ftransform();
  gl_FrontColor = gl_Color;
  vCell = iconCell;
}
)";

// The cell's texel: the disc in the vertex colour (the layer's fill and
// opacity), the ring and the glyph in white.
constexpr const char* kFragmentShader = R"(#version 120
uniform sampler2D atlas;
varying float vCell;
void main() {
  float cell = floor(vCell + 0.5);
  vec2 origin = vec2(mod(cell, 16.0), floor(cell / 16.0));
  vec2 uv = (origin + vec2(gl_PointCoord.x, 1.0 - gl_PointCoord.y)) / 16.0;
  vec4 t = texture2D(atlas, uv);
  if (t.a < 0.02) discard;
  gl_FragColor = vec4(mix(gl_Color.rgb, vec3(1.0), max(t.r, t.g)), t.a * gl_Color.a);
}
)";

struct Shared {
  osg::ref_ptr<osg::Texture2D> texture;
  osg::ref_ptr<osg::Program> program;
};

const Shared& shared() {
  static std::once_flag once;
  static Shared s;
  std::call_once(once, [] {
    s.texture = new osg::Texture2D(buildAtlas());
    s.texture->setFilter(osg::Texture::MIN_FILTER, osg::Texture::LINEAR);
    s.texture->setFilter(osg::Texture::MAG_FILTER, osg::Texture::LINEAR);
    s.texture->setWrap(osg::Texture::WRAP_S, osg::Texture::CLAMP_TO_EDGE);
    s.texture->setWrap(osg::Texture::WRAP_T, osg::Texture::CLAMP_TO_EDGE);
    s.texture->setResizeNonPowerOfTwoHint(false);
    s.program = new osg::Program;
    s.program->setName("catalogue_icons");
    s.program->addShader(new osg::Shader(osg::Shader::VERTEX, kVertexShader));
    s.program->addShader(new osg::Shader(osg::Shader::FRAGMENT, kFragmentShader));
    s.program->addBindAttribLocation("iconCell", kIconAttribute);
  });
  return s;
}

}  // namespace

int iconIndex(std::string_view name) {
  if (name.empty()) return -1;
  for (std::size_t i = 0; i < kIcons.size(); ++i) {
    if (kIcons[i].name == name) return static_cast<int>(i);
  }
  const char first = name.front();
  if (first >= 'a' && first <= 'z') return static_cast<int>(kIcons.size()) + (first - 'a');
  if (first >= 'A' && first <= 'Z') return static_cast<int>(kIcons.size()) + (first - 'A');
  return kCells - 1;
}

char32_t iconGlyph(std::string_view name) {
  const int cell = iconIndex(name);
  return cell < 0 ? U'\0' : glyphOfCell(cell);
}

osg::StateSet* iconState(float sizePx) {
  const Shared& s = shared();
  auto* ss = new osg::StateSet;
  ss->setTextureAttributeAndModes(0, s.texture.get(), osg::StateAttribute::ON);
  ss->setTextureAttributeAndModes(0, new osg::PointSprite, osg::StateAttribute::ON);
  ss->setAttributeAndModes(s.program.get(), osg::StateAttribute::ON);
  ss->addUniform(new osg::Uniform("atlas", 0));
  ss->setAttributeAndModes(new osg::Point(sizePx));
  return ss;
}

}  // namespace gridtwin::scene
