// The viewer's extra layers on the small generated district, rendered
// offscreen (Mesa under Xvfb): the 244 catalogue layers read from the
// dataset's lyr_* tables and merged by style class (the draw-call budget with
// all of them shown), a toggled layer changes the picture (against a control
// image), scale ranges and opacity, and added vector files reprojected from
// their own CRS (a GCJ-02 GeoJSON lands where its WGS84 twin lands) or
// refused with a message that names the file and the reason.
//
// Picture tolerance as render_test.cpp: a pixel differs when a channel
// differs by more than 24 levels; at most 1 % may differ from the control.
#include <gtest/gtest.h>
#include <osgDB/ReadFile>

#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <span>

#include "control_image.h"
#include "crs/transformer.h"
#include "geo/algorithms.h"
#include "layers/catalog.h"
#include "query/twin.h"
#include "scene/catalog_layers.h"
#include "scene/icons.h"
#include "scene/labels.h"
#include "scene/offscreen.h"
#include "scene/scene.h"
#include "scene/vector_data.h"
#include "tests/integration/private_district.h"

namespace gq = gridtwin::query;
namespace gs = gridtwin::scene;
namespace gm = gridtwin::model;
using gridtwin::testing::differingPixels;
using gridtwin::testing::expectMatchesControl;
namespace gc = gridtwin::crs;

namespace {

constexpr int kW = 320;
constexpr int kH = 240;
constexpr std::int64_t kNow = 1782835200;

const std::string kCatalog = std::string(GRIDTWIN_SOURCE_DIR) + "/layers/catalog.csv";

std::filesystem::path tempDir() { return gridtwin::testsupport::privateWorkDir("viewer_layers"); }

std::string writeFile(const std::string& name, const std::string& text) {
  const auto path = (tempDir() / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

class ViewerLayers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto t = gq::Twin::open(GRIDTWIN_SMALL_DISTRICT, {});
    ASSERT_TRUE(t) << t.error().toString();
    s_twin = std::move(*t);
    auto o = gs::Offscreen::open(kW, kH);
    ASSERT_TRUE(o) << o.error().message;
    s_off = std::move(*o);
    auto c = gridtwin::layers::loadLayerCatalog(kCatalog);
    ASSERT_TRUE(c) << c.error().toString();
    s_catalog = std::move(*c);
  }
  static void TearDownTestSuite() {
    s_off.reset();
    s_twin.reset();
    std::filesystem::remove_all(tempDir());
  }
  void SetUp() override {
    ASSERT_TRUE(s_twin);
    ASSERT_TRUE(s_off);
  }
  static const gm::District& district() { return s_twin->district(); }
  static std::unique_ptr<gs::DistrictScene> scene() {
    gs::SceneOptions o;
    o.now = kNow;
    return gs::DistrictScene::build(district(), o);
  }
  // The overlay of `sc` with catalogue layer `id` loaded (hidden).
  static std::size_t loadCatalogLayer(gs::LayerOverlay& overlay, const gs::DistrictScene& sc,
                                      const std::string& id) {
    for (const auto& spec : s_catalog) {
      if (spec.id != id) continue;
      const auto i = overlay.add(spec.name, gs::lookOf(spec));
      auto data = gs::readVectorLayer(GRIDTWIN_SMALL_DISTRICT, spec.table);
      EXPECT_TRUE(data) << data.error().toString();
      if (data) overlay.attach(i, *gs::LayerOverlay::prepare(*data, overlay.look(i), sc.origin()));
      return i;
    }
    ADD_FAILURE() << "no catalogue layer " << id;
    return 0;
  }

  // `sc` with `overlay` over it, rendered from `view` (the overlay taken
  // off again).
  static auto renderWith(gs::DistrictScene& sc, gs::LayerOverlay& overlay, const gs::View& view) {
    sc.root()->addChild(overlay.root());
    auto image = s_off->render(sc.root(), view);
    sc.root()->removeChild(overlay.root());
    return image;
  }

  static std::unique_ptr<gq::Twin> s_twin;
  static std::unique_ptr<gs::Offscreen> s_off;
  static std::vector<gridtwin::layers::LayerSpec> s_catalog;
};
std::unique_ptr<gq::Twin> ViewerLayers::s_twin;
std::unique_ptr<gs::Offscreen> ViewerLayers::s_off;
std::vector<gridtwin::layers::LayerSpec> ViewerLayers::s_catalog;

// A GeoJSON FeatureCollection of points (x, y as given).
std::string pointsGeoJson(const std::vector<gridtwin::geo::Point>& points) {
  std::string s = R"({"type":"FeatureCollection","features":[)";
  char buf[160];
  for (std::size_t i = 0; i < points.size(); ++i) {
    std::snprintf(
        buf, sizeof buf,
        R"(%s{"type":"Feature","properties":{"n":%zu},"geometry":{"type":"Point","coordinates":[%.9f,%.9f]}})",
        i ? "," : "", i, points[i].x, points[i].y);
    s += buf;
  }
  return s + "]}";
}

}  // namespace

TEST_F(ViewerLayers, TheCatalogueHas244LayersInCategoriesAndEveryTableReads) {
  ASSERT_EQ(s_catalog.size(), 244u);
  std::set<std::string> categories;
  for (const auto& spec : s_catalog) categories.insert(spec.category);
  EXPECT_GE(categories.size(), 10u);
  // The dataset's layer_catalog names the same tables.
  const auto& layers = district().layers();
  std::set<std::string> tables;
  for (std::size_t i = 0; i < layers.size(); ++i) tables.insert(std::string(layers.table[i]));
  for (const auto& spec : s_catalog) EXPECT_TRUE(tables.count(spec.table)) << spec.table;
}

TEST_F(ViewerLayers, AllCatalogueLayersShownStayWithinTheDrawCallBudget) {
  auto sc = scene();
  gs::LayerOverlay overlay(sc->origin());
  sc->root()->addChild(overlay.root());
  std::size_t features = 0;
  std::vector<std::string> tables;
  for (const auto& spec : s_catalog) tables.push_back(spec.table);
  auto all = gs::readVectorLayers(GRIDTWIN_SMALL_DISTRICT, tables);
  ASSERT_EQ(all.size(), s_catalog.size());
  for (std::size_t k = 0; k < s_catalog.size(); ++k) {
    const auto& spec = s_catalog[k];
    const auto i = overlay.add(spec.name, gs::lookOf(spec));
    ASSERT_TRUE(all[k]) << spec.id << ": " << all[k].error().toString();
    overlay.attach(i, *gs::LayerOverlay::prepare(*all[k], overlay.look(i), sc->origin()));
    overlay.setVisible(i, true);
    features += overlay.features(i);
  }
  EXPECT_GT(features, district().buildings().size());
  std::printf("244 layers, %zu features in %zu drawables\n", features, overlay.drawables());
  // Merged by style class: a handful of drawables for 244 layers.
  EXPECT_LE(overlay.drawables(), 24u);
  EXPECT_LE(sc->stats().drawables + overlay.drawables() + gs::kMaxLabelsPerFrame, 300u);
  // Drawn: from afar (the layers with a scale limit drop out) and close up
  // (all of them in range).
  ASSERT_TRUE(s_off->render(sc->root(), gs::overviewView(*sc, double(kW) / kH)));
  EXPECT_LE(s_off->drawnDrawables(), 300u);
  const osg::Vec3d c = sc->extent().center();
  osg::BoundingBox close(c - osg::Vec3d(60, 60, 0), c + osg::Vec3d(60, 60, 0));
  ASSERT_TRUE(s_off->render(sc->root(), gs::topView(close, double(kW) / kH)));
  EXPECT_LT(overlay.lastScale(), 2000.0) << "120 m across 240 px is about 1:1,800";
  for (std::size_t i = 0; i < overlay.size(); ++i) {
    EXPECT_TRUE(overlay.inScale(i, overlay.lastScale())) << overlay.name(i);
  }
  EXPECT_LE(s_off->drawnDrawables(), 300u);
  EXPECT_GE(s_off->drawnDrawables(), overlay.drawables() / 2);
}

TEST_F(ViewerLayers, TogglingALayerChangesThePicture) {
  auto sc = scene();
  sc->setVisible(gs::Layer::kLabels, false);
  gs::LayerOverlay overlay(sc->origin());
  sc->root()->addChild(overlay.root());
  // 社区人口密度: every community filled (orange, opacity 0.6), shown from
  // 1:250,000 inwards; the middle of the district is well inside that.
  const auto streets = loadCatalogLayer(overlay, *sc, "L214");
  const osg::BoundingBox& e = sc->extent();
  const osg::Vec3d half((e.xMax() - e.xMin()) / 4, (e.yMax() - e.yMin()) / 4, 0);
  const auto view =
      gs::topView(osg::BoundingBox(e.center() - half, e.center() + half), double(kW) / kH);
  auto hidden = s_off->render(sc->root(), view);
  ASSERT_TRUE(hidden);
  overlay.setVisible(streets, true);
  auto shown = s_off->render(sc->root(), view);
  ASSERT_TRUE(shown);
  EXPECT_TRUE(overlay.inScale(streets, overlay.lastScale())) << overlay.lastScale();
  EXPECT_GT(differingPixels(**hidden, **shown), std::size_t(kW * kH / 4))
      << "the communities' fill";
  expectMatchesControl(**shown, "catalog_population");
  // Opacity 0 is the same as hidden; back to 1 the same as shown.
  overlay.setOpacity(streets, 0);
  auto clear = s_off->render(sc->root(), view);
  ASSERT_TRUE(clear);
  EXPECT_LE(differingPixels(**hidden, **clear), std::size_t(kW * kH / 100));
  overlay.setOpacity(streets, 1);
  overlay.setVisible(streets, false);
  auto again = s_off->render(sc->root(), view);
  ASSERT_TRUE(again);
  EXPECT_EQ(differingPixels(**hidden, **again), 0u);
}

TEST_F(ViewerLayers, ALayerIsHiddenOutsideItsScaleRange) {
  auto sc = scene();
  sc->setVisible(gs::Layer::kLabels, false);
  sc->setVisible(gs::Layer::kEvents, false);
  gs::LayerOverlay overlay(sc->origin());
  sc->root()->addChild(overlay.root());
  gs::LayerLook look;
  look.fill = osg::Vec4(1, 0, 0, 1);
  look.minScale = 10000;  // shown from 1:10,000 inwards
  const auto i = overlay.add("a red square", look);
  const osg::Vec3d o = sc->origin() + sc->extent().center();
  gs::VectorData square;
  square.polygons.push_back({{{o.x() - 40, o.y() - 40},
                              {o.x() + 40, o.y() - 40},
                              {o.x() + 40, o.y() + 40},
                              {o.x() - 40, o.y() + 40},
                              {o.x() - 40, o.y() - 40}},
                             {}});
  square.features = 1;
  overlay.attach(i, *gs::LayerOverlay::prepare(square, look, sc->origin()));
  overlay.setVisible(i, true);
  auto redPixels = [](const osg::Image& image) {
    std::size_t n = 0;
    for (int y = 0; y < image.t(); ++y) {
      for (int x = 0; x < image.s(); ++x) {
        const unsigned char* p = image.data(x, y);
        n += p[0] > 240 && p[1] < 20 && p[2] < 20 ? 1 : 0;
      }
    }
    return n;
  };
  // The whole district: far beyond 1:10,000.
  auto far = s_off->render(sc->root(), gs::topView(*sc, double(kW) / kH));
  ASSERT_TRUE(far);
  EXPECT_GT(overlay.lastScale(), 10000.0);
  EXPECT_EQ(redPixels(**far), 0u);
  // 300 m across: about 1:4,000.
  const osg::Vec3d c = sc->extent().center();
  auto nearImage = s_off->render(
      sc->root(),
      gs::topView(osg::BoundingBox(c - osg::Vec3d(150, 150, 0), c + osg::Vec3d(150, 150, 0)),
                  double(kW) / kH));
  ASSERT_TRUE(nearImage);
  EXPECT_LT(overlay.lastScale(), 10000.0);
  EXPECT_GT(redPixels(**nearImage), 1000u);
}

TEST_F(ViewerLayers, ScaleDenominatorOfAPerspectiveView) {
  // fovy 30°, 1000 px high, 1000 m away: 2·1000·tan(15°) = 535.9 m in
  // 1000 px, 0.536 m/px = 1:1,914.
  const osg::Matrixd p = osg::Matrixd::perspective(30, 1.5, 1, 10000);
  EXPECT_NEAR(gs::scaleDenominator(p, 1000, 1000), 1914, 2);
  const osg::Matrixd ortho = osg::Matrixd::ortho(-500, 500, -250, 250, -1, 1);
  EXPECT_NEAR(gs::scaleDenominator(ortho, 1000, 1), 500.0 / 1000 / 0.00028, 1);
}

TEST_F(ViewerLayers, AGcj02GeoJsonLandsWhereItsWgs84TwinLands) {
  // Facilities of the district, written once in WGS84 and once in GCJ-02
  // (the offset there is several hundred metres).
  std::vector<gridtwin::geo::Point> xy;
  const auto& f = district().facilities();
  for (std::size_t i = 0; i < f.size() && xy.size() < 30; i += 7) {
    if (!gm::isMissing(f.point.xy[i])) xy.push_back(f.point.xy[i]);
  }
  ASSERT_GE(xy.size(), 10u);
  auto toWgs = gc::Transformer::create(gc::kGaussKruger114, gc::kWgs84);
  auto toGcj = gc::Transformer::create(gc::kGaussKruger114, gc::kGcj02);
  ASSERT_TRUE(toWgs && toGcj);
  auto wgs = xy, gcj = xy;
  ASSERT_TRUE(toWgs->transform(std::span(wgs)));
  ASSERT_TRUE(toGcj->transform(std::span(gcj)));
  const auto wgsFile = writeFile("twin_wgs84.geojson", pointsGeoJson(wgs));
  const auto gcjFile = writeFile("twin_gcj02.geojson", pointsGeoJson(gcj));

  auto a = gs::parseLayerArgument(gcjFile + "@GCJ02");
  ASSERT_TRUE(a) << a.error().toString();
  EXPECT_EQ(a->path, gcjFile);
  ASSERT_TRUE(a->crs);
  EXPECT_EQ(*a->crs, gc::kGcj02);

  auto fromWgs = gs::readVectorFile(wgsFile);
  auto fromGcj = gs::readVectorFile(a->path, a->crs);
  ASSERT_TRUE(fromWgs) << fromWgs.error().toString();
  ASSERT_TRUE(fromGcj) << fromGcj.error().toString();
  EXPECT_EQ(fromWgs->front().crsName, "EPSG:4326");
  EXPECT_EQ(fromGcj->front().crsName, "GCJ02");
  const auto& p = fromWgs->front().data.points;
  const auto& q = fromGcj->front().data.points;
  ASSERT_EQ(p.size(), xy.size());
  ASSERT_EQ(q.size(), xy.size());
  for (std::size_t i = 0; i < xy.size(); ++i) {
    EXPECT_NEAR(p[i].x, xy[i].x, 0.05);
    EXPECT_NEAR(p[i].y, xy[i].y, 0.05);
    EXPECT_NEAR(q[i].x, p[i].x, 0.5) << "point " << i;
    EXPECT_NEAR(q[i].y, p[i].y, 0.5) << "point " << i;
  }
  // Read as the file claims (GeoJSON: WGS84) the GCJ-02 points are off.
  auto naive = gs::readVectorFile(gcjFile);
  ASSERT_TRUE(naive);
  const auto& r = naive->front().data.points;
  EXPECT_GT(std::hypot(r[0].x - xy[0].x, r[0].y - xy[0].y), 100.0);

  // And in the picture: both layers cover the same pixels.
  auto sc = scene();
  for (std::size_t l = 0; l < gs::kLayerCount; ++l) sc->setVisible(gs::Layer(l), false);
  gs::LayerOverlay overlay(sc->origin());
  sc->root()->addChild(overlay.root());
  gs::LayerLook look;
  look.pointSize = 6;
  const auto iw = overlay.add("wgs84", look);
  const auto ig = overlay.add("gcj02", look);
  overlay.attach(iw, *gs::LayerOverlay::prepare(fromWgs->front().data, look, sc->origin()));
  overlay.attach(ig, *gs::LayerOverlay::prepare(fromGcj->front().data, look, sc->origin()));
  const auto view = gs::topView(*sc, double(kW) / kH);
  auto none = s_off->render(sc->root(), view);
  overlay.setVisible(iw, true);
  auto one = s_off->render(sc->root(), view);
  ASSERT_TRUE(none && one);
  EXPECT_GE(differingPixels(**none, **one), xy.size()) << "the points are drawn";
  overlay.setVisible(iw, false);
  overlay.setVisible(ig, true);
  auto other = s_off->render(sc->root(), view);
  ASSERT_TRUE(one && other);
  EXPECT_EQ(differingPixels(**one, **other), 0u);
}

TEST_F(ViewerLayers, KmlAndCsvFilesAreLayersToo) {
  const auto kml = writeFile("places.kml", R"(<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark><name>祖庙</name><Point><coordinates>113.1145,23.0338</coordinates></Point></Placemark>
<Placemark><name>河</name><LineString><coordinates>113.10,23.02 113.12,23.03</coordinates></LineString></Placemark>
</Document></kml>)");
  auto k = gs::readVectorFile(kml);
  ASSERT_TRUE(k) << k.error().toString();
  std::size_t points = 0, lines = 0;
  for (const auto& l : *k) {
    points += l.data.points.size();
    lines += l.data.lines.size();
  }
  EXPECT_EQ(points, 1u);
  EXPECT_EQ(lines, 1u);
  // EPSG:4547 easting of 113.1145°E: west of the 114°E meridian's 500 km.
  const auto& p = k->front().data.points.empty() ? k->back().data.points : k->front().data.points;
  ASSERT_FALSE(p.empty());
  EXPECT_LT(p[0].x, 500000);
  EXPECT_GT(p[0].x, 380000);

  const auto csv = writeFile("cameras.csv", "name,lon,lat\nA,113.11,23.02\nB,113.12,23.03\n");
  auto noCrs = gs::readVectorFile(csv);
  ASSERT_FALSE(noCrs);
  EXPECT_NE(noCrs.error().toString().find("cameras.csv"), std::string::npos)
      << noCrs.error().toString();
  EXPECT_NE(noCrs.error().toString().find("states no CRS"), std::string::npos)
      << noCrs.error().toString();
  auto withCrs = gs::readVectorFile(csv, gc::kWgs84);
  ASSERT_TRUE(withCrs) << withCrs.error().toString();
  EXPECT_EQ(withCrs->front().data.points.size(), 2u);
}

// A layer the catalogue extrudes (L061 高层建筑, "extrude": "floors") stands
// as prisms as tall as the district's buildings of the same ids; without
// heights it lies flat.
TEST_F(ViewerLayers, ExtrudedLayersStandAsTallAsTheirBuildings) {
  const gridtwin::layers::LayerSpec* spec = nullptr;
  for (const auto& s : s_catalog) {
    if (s.id == "L061") spec = &s;
  }
  ASSERT_NE(spec, nullptr);
  const auto look = gs::lookOf(*spec);
  ASSERT_TRUE(look.extrude);
  auto data = gs::readVectorLayer(GRIDTWIN_SMALL_DISTRICT, spec->table);
  ASSERT_TRUE(data) << data.error().toString();
  ASSERT_GT(data->polygons.size(), 0u);
  ASSERT_EQ(data->polygonRef.size(), data->polygons.size());
  const auto& b = district().buildings();
  std::map<std::string, float> heights;
  for (std::size_t i = 0; i < b.size(); ++i) heights[std::to_string(b.id[i])] = b.heightM[i];
  float tallest = 0;
  std::size_t tallestPolygon = 0;
  for (std::size_t k = 0; k < data->polygonRef.size(); ++k) {
    const auto& ref = data->polygonRef[k];
    ASSERT_TRUE(heights.count(ref)) << "no building " << ref;
    if (heights[ref] > tallest) {
      tallest = heights[ref];
      tallestPolygon = k;
    }
  }
  auto heightOf = [&](std::string_view ref) {
    const auto it = heights.find(std::string(ref));
    return it == heights.end() ? 0.f : it->second;
  };
  auto sc = scene();
  sc->setVisible(gs::Layer::kLabels, false);
  sc->setVisible(gs::Layer::kBuildings, false);
  gs::LayerOverlay flatOverlay(sc->origin()), tallOverlay(sc->origin());
  const auto flat = flatOverlay.add(spec->name, look);
  flatOverlay.attach(flat, *gs::LayerOverlay::prepare(*data, look, sc->origin()));
  const auto tall = tallOverlay.add(spec->name, look);
  tallOverlay.attach(tall, *gs::LayerOverlay::prepare(*data, look, sc->origin(), heightOf));
  flatOverlay.setVisible(flat, true);
  tallOverlay.setVisible(tall, true);
  // The highest vertex the overlay holds (its drawables' vertex arrays).
  auto top = [](gs::LayerOverlay& o) {
    float z = -1;
    std::size_t vertices = 0;
    for (unsigned i = 0; i < o.root()->getNumChildren(); ++i) {
      auto* g = o.root()->getChild(i)->asGeometry();
      const auto* v = g ? dynamic_cast<const osg::Vec3Array*>(g->getVertexArray()) : nullptr;
      for (std::size_t k = 0; v && k < v->size(); ++k, ++vertices) z = std::max(z, (*v)[k].z());
    }
    EXPECT_GT(vertices, 0u);
    return z;
  };
  const float flatTop = top(flatOverlay);
  EXPECT_GE(flatTop, 0.f);
  EXPECT_LT(flatTop, 1.f) << "drawn flat without heights";
  EXPECT_NEAR(top(tallOverlay), tallest, 0.01f) << "the tallest prism's roof";
  EXPECT_EQ(tallOverlay.features(tall), data->features);
  // Seen from the side, close enough for the layer's scale range (from
  // 1:25,000 inwards), the prisms cover far more of the picture.
  const auto c = gridtwin::geo::centroid(data->polygons[tallestPolygon]);
  const auto view = gs::obliqueView(sc->toLocal(c.x, c.y), 400, 60, 30);
  auto flatImage = renderWith(*sc, flatOverlay, view);
  ASSERT_TRUE(flatImage);
  auto tallImage = renderWith(*sc, tallOverlay, view);
  ASSERT_TRUE(tallImage);
  EXPECT_GT(differingPixels(**flatImage, **tallImage), std::size_t(kW * kH / 50));
  expectMatchesControl(**tallImage, "catalog_extruded");
}

// The catalogue's icons are pictures: every icon name has its own character
// (no fallback letter), and an icon layer (L014 镇街驻地, "government": 政 on
// a purple disc) draws a disc of its fill with white strokes inside, unlike
// the round symbol it was before.
TEST_F(ViewerLayers, IconLayersDrawTheirCharacterOnADisc) {
  std::size_t icons = 0;
  for (const auto& spec : s_catalog) {
    if (spec.style.icon.empty()) continue;
    ++icons;
    EXPECT_GE(gs::lookOf(spec).icon, 0) << spec.id;
    EXPECT_GE(static_cast<std::uint32_t>(gs::iconGlyph(spec.style.icon)), 0x4E00u)
        << spec.id << ": icon '" << spec.style.icon << "' has no character of its own";
  }
  EXPECT_EQ(icons, 146u);
  EXPECT_EQ(gs::iconIndex(""), -1);
  EXPECT_EQ(gs::iconGlyph("zebra"), U'Z') << "an unknown name: its first letter";

  const gridtwin::layers::LayerSpec* spec = nullptr;
  for (const auto& s : s_catalog) {
    if (s.id == "L014") spec = &s;
  }
  ASSERT_NE(spec, nullptr);
  auto data = gs::readVectorLayer(GRIDTWIN_SMALL_DISTRICT, spec->table);
  ASSERT_TRUE(data) << data.error().toString();
  ASSERT_FALSE(data->points.empty());
  auto sc = scene();
  for (auto l :
       {gs::Layer::kLabels, gs::Layer::kFacilities, gs::Layer::kEvents, gs::Layer::kBuildings}) {
    sc->setVisible(l, false);
  }
  auto look = gs::lookOf(*spec);
  auto round = look;
  round.icon = -1;
  gs::LayerOverlay iconOverlay(sc->origin()), roundOverlay(sc->origin());
  const auto i = iconOverlay.add(spec->name, look);
  iconOverlay.attach(i, *gs::LayerOverlay::prepare(*data, look, sc->origin()));
  iconOverlay.setVisible(i, true);
  const auto r = roundOverlay.add(spec->name, round);
  roundOverlay.attach(r, *gs::LayerOverlay::prepare(*data, round, sc->origin()));
  roundOverlay.setVisible(r, true);
  const osg::Vec3d at = sc->toLocal(data->points.front().x, data->points.front().y);
  const osg::Vec3d half(150, 150, 0);
  const auto view = gs::topView(osg::BoundingBox(at - half, at + half), double(kW) / kH);
  auto withIcon = renderWith(*sc, iconOverlay, view);
  ASSERT_TRUE(withIcon);
  auto withRound = renderWith(*sc, roundOverlay, view);
  ASSERT_TRUE(withRound);
  // Pixels within 40 px of the centre: the disc's purple, and white ones.
  auto count = [&](const osg::Image& image, auto&& match) {
    std::size_t n = 0;
    for (int y = kH / 2 - 40; y < kH / 2 + 40; ++y) {
      for (int x = kW / 2 - 40; x < kW / 2 + 40; ++x) {
        const unsigned char* p = image.data(x, y);
        if (match(p[0], p[1], p[2])) ++n;
      }
    }
    return n;
  };
  auto purple = [](int red, int green, int blue) {
    return std::abs(red - 0x98) < 40 && std::abs(green - 0x4e) < 40 && std::abs(blue - 0xa3) < 40;
  };
  auto white = [](int red, int green, int blue) { return red > 235 && green > 235 && blue > 235; };
  EXPECT_GT(count(**withIcon, purple), 60u) << "the disc";
  // The grid lines are white too: the icon adds white over the round symbol.
  const auto iconWhite = count(**withIcon, white), roundWhite = count(**withRound, white);
  EXPECT_GT(iconWhite, roundWhite + 25) << "the ring and 政";
  EXPECT_GT(count(**withRound, purple), 20u) << "the round symbol";
  expectMatchesControl(**withIcon, "catalog_icon");
}

TEST_F(ViewerLayers, BrokenFilesAreClearErrors) {
  const auto broken = writeFile("broken.geojson", R"({"type":"FeatureCollection","features":[{)");
  auto b = gs::readVectorFile(broken);
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().toString().find("broken.geojson"), std::string::npos) << b.error().toString();
  EXPECT_NE(b.error().toString().find("GDAL cannot open it"), std::string::npos)
      << b.error().toString();

  auto missing = gs::readVectorFile((tempDir() / "nothing_here.shp").string());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().toString().find("nothing_here.shp"), std::string::npos);

  // Coordinates outside the CRS's domain name the feature.
  const auto outside = writeFile("outside.geojson", pointsGeoJson({{113.1, 23.0}, {500, 95}}));
  auto o = gs::readVectorFile(outside);
  ASSERT_FALSE(o);
  EXPECT_NE(o.error().toString().find("outside.geojson"), std::string::npos);
  EXPECT_NE(o.error().toString().find("feature 1"), std::string::npos) << o.error().toString();
  // GCJ-02 is only defined in and near China.
  const auto paris = writeFile("paris.geojson", pointsGeoJson({{2.35, 48.85}}));
  auto g = gs::readVectorFile(paris, gc::kGcj02);
  ASSERT_FALSE(g);
  EXPECT_NE(g.error().toString().find("GCJ02"), std::string::npos) << g.error().toString();

  // An unknown CRS after '@'.
  auto u = gs::parseLayerArgument(outside + "@EPSG:999999");
  ASSERT_FALSE(u);
  EXPECT_NE(u.error().toString().find("999999"), std::string::npos) << u.error().toString();
}
