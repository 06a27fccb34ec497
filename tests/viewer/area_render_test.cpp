// An area query's picture: the small district from above with a box drawn
// (the overlay's rubber band), its buildings highlighted and its facilities
// and events marked, compared with tests/viewer/control/area_query.png under
// the tolerance control_image.h states (a pixel differs beyond 24 levels in a
// channel; at most 1 % may differ). GRIDTWIN_UPDATE_CONTROL_IMAGES=1 writes
// the control image instead (scripts/update-control-images).
#include <gtest/gtest.h>
#include <osgDB/ReadFile>

#include <cstdlib>
#include <fstream>

#include "app/area_query.h"
#include "control_image.h"
#include "query/access.h"
#include "query/twin.h"
#include "scene/offscreen.h"
#include "scene/overlay.h"
#include "scene/scene.h"

namespace gq = gridtwin::query;
namespace gs = gridtwin::scene;
namespace gm = gridtwin::model;
using gridtwin::testing::differingPixels;
using gridtwin::testing::expectMatchesControl;
namespace gv = gridtwin::viewer;

namespace {

constexpr int kW = 320;
constexpr int kH = 240;
constexpr std::int64_t kNow = 1782835200;
constexpr double kHalfM = 500;  // the box: 1 km square at the district's centre

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
  EXPECT_GT(differingPixels(**before, **image), static_cast<std::size_t>(kW * kH / 50));

  expectMatchesControl(**image, "area_query");

  // Cleared, the picture is the district's own again.
  sc->highlightBuildings({});
  overlay.clear();
  auto after = (*off)->render(sc->root(), view);
  ASSERT_TRUE(after);
  EXPECT_EQ(differingPixels(**before, **after), 0u);
}
