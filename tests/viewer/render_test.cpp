// The viewer's scene on the small generated district, rendered offscreen
// (Mesa under Xvfb): pictures compared with committed control images, picks
// at projected positions, and the grid-head scope.
//
// Picture tolerance and the control images: control_image.h.
#include <gtest/gtest.h>
#include <osg/ComputeBoundsVisitor>
#include <osgDB/ReadFile>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <random>
#include <set>

#include "control_image.h"
#include "geo/algorithms.h"
#include "query/access.h"
#include "query/twin.h"
#include "rooms/rooms.h"
#include "scene/bim.h"
#include "scene/labels.h"
#include "scene/offscreen.h"
#include "scene/scene.h"

namespace gq = gridtwin::query;
namespace gs = gridtwin::scene;
namespace gm = gridtwin::model;
using gridtwin::testing::differingPixels;
using gridtwin::testing::expectMatchesControl;

namespace {

constexpr int kW = 320;
constexpr int kH = 240;
constexpr std::int64_t kNow = 1782835200;  // the dataset's reference now

class ViewerRender : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto t = gq::Twin::open(GRIDTWIN_SMALL_DISTRICT, {});
    ASSERT_TRUE(t) << t.error().toString();
    s_twin = std::move(*t);
    auto o = gs::Offscreen::open(kW, kH);
    ASSERT_TRUE(o) << o.error().message;
    s_off = std::move(*o);
    std::printf("renderer: %s\n", s_off->renderer().c_str());
  }
  static void TearDownTestSuite() {
    s_off.reset();
    s_twin.reset();
  }
  void SetUp() override {
    ASSERT_TRUE(s_twin);
    ASSERT_TRUE(s_off);
  }
  static const gm::District& district() { return s_twin->district(); }
  static std::unique_ptr<gs::DistrictScene> scene(gs::SceneOptions o = {}) {
    o.now = kNow;
    return gs::DistrictScene::build(district(), o);
  }

  static std::unique_ptr<gq::Twin> s_twin;
  static std::unique_ptr<gs::Offscreen> s_off;
};
std::unique_ptr<gq::Twin> ViewerRender::s_twin;
std::unique_ptr<gs::Offscreen> ViewerRender::s_off;

// Window position (OSG: origin bottom-left) of local point p.
osg::Vec3d project(osg::Camera* camera, const osg::Vec3d& p) {
  const osg::Matrixd m = camera->getViewMatrix() * camera->getProjectionMatrix() *
                         camera->getViewport()->computeWindowMatrix();
  return p * m;
}

std::size_t distinctColours(const osg::Image& image) {
  std::set<std::uint32_t> colours;
  for (int y = 0; y < image.t(); ++y) {
    for (int x = 0; x < image.s(); ++x) {
      const unsigned char* p = image.data(x, y);
      colours.insert((p[0] >> 4) << 8 | (p[1] >> 4) << 4 | (p[2] >> 4));
    }
  }
  return colours.size();
}

}  // namespace

TEST_F(ViewerRender, EveryBuildingIsDrawnInFewDrawables) {
  auto sc = scene();
  const auto& st = sc->stats();
  EXPECT_EQ(st.buildings, district().buildings().size());
  // Tiles of kTileM over the district plus one drawable per other layer,
  // and at most kMaxLabelsPerFrame labels: the 300-draw-call budget of the
  // issue, with every building, label and event shown.
  EXPECT_LE(st.drawables + gs::kMaxLabelsPerFrame, 300u);
  EXPECT_GT(st.labels, district().grids().size());
  ASSERT_TRUE(s_off->render(sc->root(), gs::overviewView(*sc, double(kW) / kH)));
  EXPECT_LE(s_off->drawnDrawables(), 300u);
  EXPECT_GT(s_off->drawnDrawables(), st.drawables / 2);
  EXPECT_GT(st.triangles, 2 * st.buildings);
  std::size_t facilities = 0;
  for (const auto& p : district().facilities().point.xy) facilities += gm::isMissing(p) ? 0 : 1;
  EXPECT_EQ(st.facilities, facilities);
  std::size_t events = 0;
  const auto& e = district().events();
  for (std::size_t i = 0; i < e.size(); ++i) {
    if (!gm::isMissing(e.point.xy[i]) && e.reportedAt[i] > kNow - 7 * 24 * 3600 &&
        e.reportedAt[i] <= kNow) {
      ++events;
    }
  }
  EXPECT_EQ(st.events, events);
}

TEST_F(ViewerRender, TopViewMatchesControl) {
  auto sc = scene();
  auto image = s_off->render(sc->root(), gs::topView(*sc, double(kW) / kH));
  ASSERT_TRUE(image);
  EXPECT_GT(distinctColours(**image), 8u) << "a blank or one-colour picture";
  expectMatchesControl(**image, "top");
}

// The 2D map: orthographic, so every roof is drawn over its own foot
// (the perspective top view leans tall roofs away from the centre).
TEST_F(ViewerRender, MapViewIsOrthographicAndMatchesControl) {
  auto sc = scene();
  const auto map = gs::mapView(*sc, double(kW) / kH);
  auto image = s_off->render(sc->root(), map);
  ASSERT_TRUE(image);
  EXPECT_GT(distinctColours(**image), 8u) << "a blank or one-colour picture";
  expectMatchesControl(**image, "map");
  const auto& b = district().buildings();
  std::uint32_t tallest = 0;
  for (std::uint32_t i = 1; i < b.size(); ++i) {
    if (b.heightM[i] > b.heightM[tallest]) tallest = i;
  }
  const auto c = gridtwin::geo::centroid(gm::xyShape(b.footprint, tallest).polygons.front());
  const osg::Vec3d foot = sc->toLocal(c.x, c.y, 0),
                   roof = sc->toLocal(c.x, c.y, b.heightM[tallest]);
  const auto lean = [&] {
    return (project(s_off->camera(), roof) - project(s_off->camera(), foot)).length();
  };
  // Close by, the building off the frame's centre: the perspective top view
  // leans its roof away; the same view as a map draws it over its foot.
  osg::BoundingBox box(foot + osg::Vec3d(-50, -150, 0), foot + osg::Vec3d(250, 150, 0));
  auto near = gs::topView(box, double(kW) / kH);
  ASSERT_TRUE(s_off->render(sc->root(), near));
  EXPECT_GT(lean(), 3) << "the perspective view should lean a tall roof off centre";
  near.ortho = true;
  ASSERT_TRUE(s_off->render(sc->root(), near));
  EXPECT_LT(lean(), 0.5) << "a roof drawn away from its foot on a map";
}

TEST_F(ViewerRender, OverviewMatchesControl) {
  auto sc = scene();
  auto image = s_off->render(sc->root(), gs::overviewView(*sc, double(kW) / kH));
  ASSERT_TRUE(image);
  expectMatchesControl(**image, "overview");
}

TEST_F(ViewerRender, ChoroplethMatchesControl) {
  gs::SceneOptions o;
  o.gridValues.resize(district().grids().size());
  for (std::size_t g = 0; g < o.gridValues.size(); ++g) o.gridValues[g] = double(g % 7);
  auto sc = scene(o);
  auto image = s_off->render(sc->root(), gs::topView(*sc, double(kW) / kH));
  ASSERT_TRUE(image);
  expectMatchesControl(**image, "choropleth");
}

TEST_F(ViewerRender, HiddenLayersLeaveThePicture) {
  auto sc = scene();
  const auto view = gs::topView(*sc, double(kW) / kH);
  auto all = s_off->render(sc->root(), view);
  ASSERT_TRUE(all);
  for (std::size_t l = 0; l < gs::kLayerCount; ++l) sc->setVisible(gs::Layer(l), false);
  auto none = s_off->render(sc->root(), view);
  ASSERT_TRUE(none);
  EXPECT_EQ(distinctColours(**none), 1u) << "only the background is left";
  EXPECT_GT(differingPixels(**all, **none), std::size_t(kW * kH / 4));
}

TEST_F(ViewerRender, APickAtABuildingsRoofGivesThatBuilding) {
  auto sc = scene();
  const auto view = gs::topView(*sc, double(kW) / kH);
  ASSERT_TRUE(s_off->render(sc->root(), view));
  const auto& b = district().buildings();
  std::mt19937 rng(5);
  int tried = 0, found = 0;
  for (int k = 0; k < 400 && tried < 40; ++k) {
    const std::uint32_t row = rng() % b.size();
    const auto shape = gm::xyShape(b.footprint, row);
    const auto& outer = shape.polygons.front().outer;
    // The middle of the footprint's first triangle-fan diagonal lies inside
    // a convex or mildly concave footprint; skip the others.
    const double cx = (outer[0].x + outer[1].x + outer[2].x) / 3;
    const double cy = (outer[0].y + outer[1].y + outer[2].y) / 3;
    const float h = b.heightM[row] > 0 ? b.heightM[row] : 3.f * b.floors[row];
    const osg::Vec3d w = project(s_off->camera(), sc->toLocal(cx, cy, h));
    if (w.x() < 2 || w.y() < 2 || w.x() > kW - 2 || w.y() > kH - 2) continue;
    ++tried;
    const auto hit = sc->pick(s_off->camera(), w.x(), w.y());
    ASSERT_TRUE(hit) << "building " << row;
    if (hit->kind == gm::Kind::kBuilding && hit->row == row) ++found;
  }
  ASSERT_GE(tried, 20);
  // A taller neighbour may stand in front of a low roof in perspective; the
  // rest must be exact.
  EXPECT_GE(found, tried * 9 / 10) << found << " of " << tried;
}

TEST_F(ViewerRender, HighlightRecoloursOnlyThePickedBuilding) {
  auto sc = scene();
  sc->setVisible(gs::Layer::kLabels, false);
  // The tallest building, framed with 150 m around it.
  const auto& b = district().buildings();
  std::uint32_t tallest = 0;
  for (std::uint32_t i = 1; i < b.size(); ++i) {
    if (b.heightM[i] > b.heightM[tallest]) tallest = i;
  }
  osg::BoundingBox box;
  const auto shape = gm::xyShape(b.footprint, tallest);
  for (const auto& p : shape.polygons.front().outer) {
    box.expandBy(sc->toLocal(p.x - 150, p.y - 150));
    box.expandBy(sc->toLocal(p.x + 150, p.y + 150));
  }
  const auto view = gs::topView(box, double(kW) / kH);
  auto before = s_off->render(sc->root(), view);
  ASSERT_TRUE(before);
  sc->highlight(gm::Kind::kBuilding, tallest);
  auto lit = s_off->render(sc->root(), view);
  ASSERT_TRUE(lit);
  // The roof alone covers hundreds of pixels at this zoom.
  EXPECT_GT(differingPixels(**before, **lit), 100u);
  sc->clearHighlight();
  auto after = s_off->render(sc->root(), view);
  ASSERT_TRUE(after);
  EXPECT_EQ(differingPixels(**before, **after), 0u);
}

TEST_F(ViewerRender, GridHeadSeesOnlyTheirGridsRecords) {
  const std::uint32_t own = static_cast<std::uint32_t>(district().grids().size() / 2);
  auto access =
      gq::makeAccess(district(), gq::Role::kGridHead, std::string(district().grids().code[own]));
  ASSERT_TRUE(access) << access.error().toString();
  gs::SceneOptions o;
  o.scope = access->scope.grids();
  auto sc = scene(o);
  std::size_t ownBuildings = 0;
  for (auto g : district().buildings().grid) ownBuildings += g == own ? 1 : 0;
  EXPECT_EQ(sc->stats().buildings, ownBuildings);
  std::size_t ownFacilities = 0;
  const auto& f = district().facilities();
  for (std::size_t i = 0; i < f.size(); ++i) {
    ownFacilities += f.grid[i] == own && !gm::isMissing(f.point.xy[i]) ? 1 : 0;
  }
  EXPECT_EQ(sc->stats().facilities, ownFacilities);
  // Random clicks over the whole district never reach another grid's record.
  const auto view = gs::topView(*sc, double(kW) / kH);
  ASSERT_TRUE(s_off->render(sc->root(), view));
  std::mt19937 rng(9);
  int buildingHits = 0;
  for (int k = 0; k < 2000; ++k) {
    const auto hit = sc->pick(s_off->camera(), rng() % kW, rng() % kH);
    if (hit && hit->kind == gm::Kind::kBuilding) {
      ++buildingHits;
      EXPECT_EQ(district().buildings().grid[hit->row], own);
    }
  }
  auto image = s_off->render(sc->root(), view);
  ASSERT_TRUE(image);
  expectMatchesControl(**image, "grid_head");
}

// Building models (issue 14): the small district's models in their
// buildings' slots — the model near, the footprint far — one drawable each,
// a pick through a model naming the room behind the face it hits, storeys
// isolated and exploded, a grid head's scope.
class ViewerBim : public ViewerRender {
 protected:
  static void SetUpTestSuite() {
    ViewerRender::SetUpTestSuite();
    gridtwin::rooms::LoadOptions lo;
    lo.sharedData = GRIDTWIN_SHARED_DATA;
    auto l = gridtwin::rooms::loadModels(GRIDTWIN_SMALL_DISTRICT, *s_twin, lo);
    ASSERT_TRUE(l) << l.error().toString();
    s_loaded = std::make_unique<gridtwin::rooms::Loaded>(std::move(*l));
  }
  static void TearDownTestSuite() {
    s_loaded.reset();
    ViewerRender::TearDownTestSuite();
  }
  void SetUp() override {
    ViewerRender::SetUp();
    ASSERT_TRUE(s_loaded);
    ASSERT_TRUE(s_loaded->problems.empty()) << s_loaded->problems.front();
    ASSERT_FALSE(s_loaded->models.empty()) << "the small district has no building model";
  }
  // The scene with every model's slot, and the models hung in them.
  struct WithModels {
    std::unique_ptr<gs::DistrictScene> sc;
    std::unique_ptr<gs::BimModels> bim;
  };
  static WithModels withModels(gs::SceneOptions o = {}) {
    for (const auto& m : s_loaded->models) o.modelBuildings.push_back(m.building);
    WithModels w;
    w.sc = scene(o);
    std::vector<gs::ModelInput> inputs;
    for (const auto& m : s_loaded->models) inputs.push_back({m.building, &m.model, m.anchor});
    w.bim = gs::BimModels::build(*w.sc, inputs);
    w.bim->attach(*w.sc);
    return w;
  }
  // The first generated model with at least two storeys (its index among
  // the loaded ones).
  static std::size_t generatedModel() {
    for (std::size_t i = 0; i < s_loaded->models.size(); ++i) {
      const auto& m = s_loaded->models[i];
      if (m.source == "generated" && m.model.storeys.size() >= 2) return i;
    }
    ADD_FAILURE() << "no generated model of two storeys or more";
    return 0;
  }
  // The local position of the plan centre of a matched space on `floor`, at
  // the model's top; none when the floor has no matched space.
  static std::optional<osg::Vec3d> aboveRoomOnFloor(const WithModels& w,
                                                    const gridtwin::rooms::BuildingModel& bm,
                                                    int floor) {
    for (std::size_t s = 0; s < bm.model.spaces.size(); ++s) {
      const auto& sp = bm.model.spaces[s];
      if (bm.links.spaces[s].house < 0 || sp.bounds.empty() || sp.storey < 0) continue;
      if (bm.links.storeys[static_cast<std::size_t>(sp.storey)].floor != floor) continue;
      const auto c =
          gridtwin::bim::place(bm.anchor, bm.model.bounds,
                               {(sp.bounds.min.x + sp.bounds.max.x) / 2,
                                (sp.bounds.min.y + sp.bounds.max.y) / 2, bm.model.bounds.max.z});
      return w.sc->toLocal(c.x, c.y, c.z);
    }
    return std::nullopt;
  }
  static osg::Node* modelNode(const WithModels& w, std::size_t bimIndex) {
    return w.sc->modelSlot(w.bim->building(bimIndex))->getChild(1);
  }
  static std::unique_ptr<gridtwin::rooms::Loaded> s_loaded;
};
std::unique_ptr<gridtwin::rooms::Loaded> ViewerBim::s_loaded;

TEST_F(ViewerBim, EveryModelHangsInItsSlotAsOneDrawable) {
  const auto w = withModels();
  ASSERT_EQ(w.bim->size(), s_loaded->models.size());
  EXPECT_EQ(w.bim->stats().drawables, w.bim->size());
  std::size_t triangles = 0;
  for (std::size_t i = 0; i < w.bim->size(); ++i) {
    osg::LOD* slot = w.sc->modelSlot(w.bim->building(i));
    ASSERT_TRUE(slot);
    ASSERT_EQ(slot->getNumChildren(), 2u);
    // The footprint far, the model near.
    EXPECT_EQ(slot->getMinRange(0), gs::kModelNearM);
    EXPECT_EQ(slot->getMaxRange(1), gs::kModelNearM);
    EXPECT_EQ(slot->getMinRange(1), 0.f);
    // The model sits on its building: its centre within the footprint's box.
    const osg::BoundingBox footprint = slot->getChild(0)->asGeometry()->getBoundingBox();
    const osg::Vec3 c = w.bim->centre(i);
    EXPECT_TRUE(c.x() > footprint.xMin() && c.x() < footprint.xMax() && c.y() > footprint.yMin() &&
                c.y() < footprint.yMax())
        << "model " << i << " of building " << w.bim->building(i);
    triangles += s_loaded->models[w.bim->input(i)].model.triangleCount();
  }
  // Room volumes are not drawn; every other triangle is.
  EXPECT_GT(w.bim->stats().triangles, 0u);
  EXPECT_LE(w.bim->stats().triangles, triangles);
}

TEST_F(ViewerBim, NearTheModelIsDrawnAndFarItsFootprint) {
  const auto w = withModels();
  const std::size_t i =
      static_cast<std::size_t>(w.bim->modelOf(s_loaded->models[generatedModel()].building));
  const osg::Vec3d c = w.bim->centre(i);
  // Straight down from 150 m: the ray at the centre meets the model.
  auto near = gs::obliqueView(c, 150, 0, 0);
  ASSERT_TRUE(s_off->render(w.sc->root(), near));
  osg::Vec3d p = project(s_off->camera(), c);
  auto hit = w.sc->pick(s_off->camera(), p.x(), p.y());
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->kind, gm::Kind::kBuilding);
  EXPECT_EQ(hit->row, w.bim->building(i));
  EXPECT_EQ(hit->model, static_cast<std::int32_t>(i));
  // From 3 km the footprint: the same building, no model.
  auto far = gs::obliqueView(c, 3000, 0, 0);
  ASSERT_TRUE(s_off->render(w.sc->root(), far));
  p = project(s_off->camera(), c);
  hit = w.sc->pick(s_off->camera(), p.x(), p.y());
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->row, w.bim->building(i));
  EXPECT_EQ(hit->model, -1);
}

TEST_F(ViewerBim, APickThroughTheRoofNamesTheRoomBelowAndItsAddress) {
  const auto w = withModels();
  const std::size_t k = generatedModel();
  const auto& bm = s_loaded->models[k];
  const std::size_t i = static_cast<std::size_t>(w.bim->modelOf(bm.building));
  // Straight down over a room of the highest floor that has room addresses
  // (the small district's upper floors may have none).
  int highest = 0;
  for (std::size_t s = 0; s < bm.model.spaces.size(); ++s) {
    const auto storey = bm.model.spaces[s].storey;
    if (bm.links.spaces[s].house >= 0 && storey >= 0) {
      highest = std::max(highest, bm.links.storeys[static_cast<std::size_t>(storey)].floor);
    }
  }
  ASSERT_GT(highest, 1);
  const auto above = aboveRoomOnFloor(w, bm, highest);
  ASSERT_TRUE(above) << "no matched room on floor " << highest;
  ASSERT_TRUE(s_off->render(w.sc->root(), gs::obliqueView(*above, 150, 0, 0)));
  const osg::Vec3d p = project(s_off->camera(), *above);
  const auto hit = w.sc->pick(s_off->camera(), p.x(), p.y());
  ASSERT_TRUE(hit);
  ASSERT_EQ(hit->model, static_cast<std::int32_t>(i));
  ASSERT_GE(hit->space, 0) << "no room behind the roof";
  // The first room the ray meets below the roof: on that floor (the floors
  // above it have no room volumes there).
  const auto& space = bm.model.spaces[static_cast<std::size_t>(hit->space)];
  EXPECT_EQ(bm.links.storeys[static_cast<std::size_t>(space.storey)].floor, highest);
  // Its record: the room address of the top floor, residents masked for a
  // grid head of another grid and shown to the district.
  auto whole = gq::makeAccess(district(), gq::Role::kDistrict, "");
  ASSERT_TRUE(whole);
  const auto room =
      gridtwin::rooms::room(*s_twin, *whole, bm, static_cast<std::size_t>(hit->space));
  ASSERT_TRUE(room.matched) << room.problem;
  EXPECT_EQ(room.floor, highest);
  EXPECT_FALSE(room.address.empty());
  EXPECT_TRUE(room.inScope);
  const auto& grids = district().grids();
  const std::uint32_t own = district().buildings().grid[bm.building];
  const std::uint32_t other = own == 0 ? 1 : 0;
  auto head = gq::makeAccess(district(), gq::Role::kGridHead, std::string(grids.code[other]));
  ASSERT_TRUE(head) << head.error().toString();
  const auto hidden =
      gridtwin::rooms::room(*s_twin, *head, bm, static_cast<std::size_t>(hit->space));
  EXPECT_FALSE(hidden.inScope);
  EXPECT_TRUE(hidden.residents.empty());
}

TEST_F(ViewerBim, IsolateShowsOneStoreyAndExplodeLiftsEach) {
  const auto w = withModels();
  const std::size_t i =
      static_cast<std::size_t>(w.bim->modelOf(s_loaded->models[generatedModel()].building));
  const auto& bm = s_loaded->models[w.bim->input(i)].model;
  osg::Node* node = modelNode(w, i);
  auto top = [&] {
    osg::ComputeBoundsVisitor v;
    node->accept(v);
    return v.getBoundingBox().zMax();
  };
  const float built = top();
  const std::size_t n = w.bim->storeys(i).size();
  // Only the lowest storey: nothing above its storey height.
  w.bim->setStoreyView(i, w.bim->storeyAtRank(i, 0), 0);
  const float storeyHeight = built / static_cast<float>(n);
  EXPECT_LT(top(), built - 0.5f * storeyHeight) << n << " storeys";
  // All storeys 5 m apart: the top lifted by (n - 1) × 5 m.
  w.bim->setStoreyView(i, -1, 5);
  EXPECT_NEAR(top(), built + 5.f * static_cast<float>(n - 1), 0.5f);
  // Back as built.
  w.bim->setStoreyView(i, -1, 0);
  EXPECT_NEAR(top(), built, 0.01f);
  EXPECT_GE(bm.storeys.size(), 2u);
}

TEST_F(ViewerBim, ExplodedModelMatchesControl) {
  const auto w = withModels();
  const std::size_t i =
      static_cast<std::size_t>(w.bim->modelOf(s_loaded->models[generatedModel()].building));
  w.bim->setStoreyView(i, -1, 4);
  const osg::BoundingSphere b = modelNode(w, i)->getBound();
  auto image = s_off->render(w.sc->root(),
                             gs::obliqueView(osg::Vec3d(b.center()), 4.4 * b.radius(), 55, 30));
  ASSERT_TRUE(image);
  expectMatchesControl(**image, "bim_exploded");
}

TEST_F(ViewerBim, AGridHeadGetsNoModelOfAnotherGrid) {
  const auto& bm = s_loaded->models.front();
  const std::uint32_t own = district().buildings().grid[bm.building];
  const std::uint32_t other = own == 0 ? 1 : 0;
  gs::SceneOptions o;
  o.scope = {other};
  const auto w = withModels(o);
  EXPECT_EQ(w.bim->modelOf(bm.building), -1);
  for (std::size_t i = 0; i < w.bim->size(); ++i) {
    EXPECT_EQ(district().buildings().grid[w.bim->building(i)], other);
  }
}
