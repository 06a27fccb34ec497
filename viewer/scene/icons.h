#pragma once
// The catalogue's point icons as pictures (layers/catalog.csv's style "icon":
// "school", "police", "camera", ...): a disc in the layer's fill colour, a
// ring in its stroke colour and, inside, one CJK character naming the kind
// (学 school, 警 police, 摄 camera), the marker convention of Chinese
// government maps. The characters are rasterised once by FreeType (through
// osgText, the labels' font) into one texture atlas; every icon layer's
// points are point sprites over it, so all icons together stay a few draw
// calls.
#include <osg/StateSet>
#include <osg/ref_ptr>

#include <string_view>

namespace gridtwin::scene {

// Cells of the atlas: the catalogue's icon names, then one per unknown name's
// first letter. -1 for an empty name.
int iconIndex(std::string_view name);
// The character drawn for `name` (UTF-32), as iconIndex maps it.
char32_t iconGlyph(std::string_view name);

// The state of a drawable of icon sprites: the atlas, the shader that picks
// each vertex's cell (vertex attribute kIconAttribute: the cell as a float)
// and mixes fill, ring and glyph. Built once, on first use (any thread that
// may touch OSG state: the GUI or render thread).
osg::StateSet* iconState(float sizePx);
inline constexpr unsigned kIconAttribute = 6;

}  // namespace gridtwin::scene
