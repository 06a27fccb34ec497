#pragma once
// Pictures tested as pictures: the viewer's render tests compare a rendered
// image with a committed control image in tests/viewer/control/.
//
// Tolerance: a pixel differs when any channel differs by more than
// kChannelTolerance levels (antialiased edges and llvmpipe's rounding move a
// few); at most kDifferingShare of the pixels may differ. A missing layer, a
// wrong colour or a moved camera changes far more than that.
//
// GRIDTWIN_UPDATE_CONTROL_IMAGES=1 writes the control images instead of
// comparing (scripts/update-control-images); look at them before committing.
#include <gtest/gtest.h>
#include <osg/Image>
#include <osgDB/ReadFile>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "scene/offscreen.h"

namespace gridtwin::testing {

inline constexpr int kChannelTolerance = 24;
inline constexpr double kDifferingShare = 0.01;

// Pixels of `a` and `b` (same size) that differ beyond the tolerance.
inline std::size_t differingPixels(const osg::Image& a, const osg::Image& b) {
  std::size_t n = 0;
  for (int y = 0; y < a.t(); ++y) {
    for (int x = 0; x < a.s(); ++x) {
      const unsigned char* p = a.data(x, y);
      const unsigned char* q = b.data(x, y);
      for (int c = 0; c < 3; ++c) {
        if (std::abs(int(p[c]) - int(q[c])) > kChannelTolerance) {
          ++n;
          break;
        }
      }
    }
  }
  return n;
}

// `image` against tests/viewer/control/NAME.png.
inline void expectMatchesControl(const osg::Image& image, const std::string& name) {
  const std::string path =
      std::string(GRIDTWIN_SOURCE_DIR) + "/tests/viewer/control/" + name + ".png";
  if (std::getenv("GRIDTWIN_UPDATE_CONTROL_IMAGES")) {
    auto png = scene::encodePng(image);
    ASSERT_TRUE(png);
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(png->data()),
               static_cast<std::streamsize>(png->size()));
    std::printf("wrote control image %s\n", path.c_str());
    return;
  }
  osg::ref_ptr<osg::Image> control = osgDB::readImageFile(path);
  ASSERT_TRUE(control) << "no control image " << path
                       << " (scripts/update-control-images writes it)";
  ASSERT_EQ(control->s(), image.s());
  ASSERT_EQ(control->t(), image.t());
  ASSERT_EQ(control->getPixelFormat(), static_cast<GLenum>(GL_RGB)) << path;
  const std::size_t total = static_cast<std::size_t>(image.s()) * image.t();
  const std::size_t d = differingPixels(image, *control);
  EXPECT_LE(d, static_cast<std::size_t>(kDifferingShare * total))
      << name << ": " << d << " of " << total << " pixels differ by more than " << kChannelTolerance
      << " levels from " << path;
}

}  // namespace gridtwin::testing
