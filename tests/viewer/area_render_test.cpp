// An area query's picture: the small district from above with a box drawn
// (the overlay's rubber band), its buildings highlighted and its facilities
// and events marked, compared with tests/viewer/control/area_query.png under
// the tolerance render_test.cpp states (a pixel differs beyond 24 levels in a
// channel; at most 1 % may differ). GRIDTWIN_UPDATE_CONTROL_IMAGES=1 writes
// the control image instead (scripts/update-control-images).
#include <gtest/gtest.h>
#include <osgDB/ReadFile>

#include <cstdlib>
#include <fstream>

#include "app/area_query.h"
#include "query/access.h"
#include "query/twin.h"
#include "scene/offscreen.h"
#include "scene/overlay.h"
#include "scene/scene.h"

namespace gq = gridtwin::query;
namespace gs = gridtwin::scene;
namespace gm = gridtwin::model;
namespace gv = gridtwin::viewer;

namespace {

constexpr int kChannelTolerance = 24;
constexpr double kDifferingShare = 0.01;
constexpr int kW = 320;
constexpr int kH = 240;
constexpr std::int64_t kNow = 1782835200;
constexpr double kHalfM = 500;  // the box: 1 km square at the district's centre

std::size_t differing(const osg::Image& a, const osg::Image& b) {
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

}  // namespace

TEST(ViewerAreaRender, AnAreaQueryWithItsHighlightMatchesItsControlImage) {
  auto t = gq::Twin::open(GRIDTWIN_SMALL_DISTRICT, {});
  ASSERT_TRUE(t) << t.error().toString();
  auto off = gs::Offscreen::open(kW, kH);
  ASSERT_TRUE(off) << off.error().message;
  gs::SceneOptions so;
  so.now = kNow;
  auto sc = gs::DistrictScene::build((*t)->district(), so);
  const osg::Vec3d c = sc->extent().center();
  const osg::Vec3d a(c.x() - kHalfM, c.y() - kHalfM, 0), b(c.x() + kHalfM, c.y() + kHalfM, 0);
  osg::BoundingBox frame(a - osg::Vec3d(200, 200, 0), b + osg::Vec3d(200, 200, 0));
  const gs::View view = gs::topView(frame, double(kW) / kH);
  auto before = (*off)->render(sc->root(), view);
  ASSERT_TRUE(before);

  const auto access = gq::makeAccess((*t)->district(), gq::Role::kDistrict, "");
  ASSERT_TRUE(access);
  auto answer = gv::runAreaQuery(**t, *access, gv::boxAreaOf(a, b, sc->origin()), kNow, 24 * 7);
  ASSERT_TRUE(answer) << answer.error().toString();
  ASSERT_GT(answer->selection.of(gm::Kind::kBuilding).size(), 0u);
  gs::Overlay overlay(sc->root());
  overlay.setShape({a, osg::Vec3d(b.x(), a.y(), 0), b, osg::Vec3d(a.x(), b.y(), 0)}, true, true);
  sc->highlightBuildings(answer->selection.of(gm::Kind::kBuilding));
  overlay.setMarks(gs::Overlay::Marks::kHits, gv::hitPoints(**t, answer->selection, sc->origin()));
  auto image = (*off)->render(sc->root(), view);
  ASSERT_TRUE(image);
  // The highlight is visible: a good part of the picture changed.
  EXPECT_GT(differing(**before, **image), static_cast<std::size_t>(kW * kH / 50));

  const std::string path =
      std::string(GRIDTWIN_SOURCE_DIR) + "/tests/viewer/control/area_query.png";
  if (std::getenv("GRIDTWIN_UPDATE_CONTROL_IMAGES")) {
    auto png = gs::encodePng(**image);
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
  ASSERT_EQ(control->s(), kW);
  ASSERT_EQ(control->t(), kH);
  const std::size_t n = differing(**image, *control);
  EXPECT_LE(n, static_cast<std::size_t>(kDifferingShare * kW * kH))
      << n << " of " << kW * kH << " pixels differ by more than " << kChannelTolerance
      << " levels from " << path;

  // Cleared, the picture is the district's own again.
  sc->highlightBuildings({});
  overlay.clear();
  auto after = (*off)->render(sc->root(), view);
  ASSERT_TRUE(after);
  EXPECT_EQ(differing(**before, **after), 0u);
}
