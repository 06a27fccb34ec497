// gridtwin-viewer's layer tree under Xvfb: the 244 catalogue layers grouped
// by category, loaded lazily when checked; vector files added from the
// command line (GCJ-02 stated with @GCJ02) or refused with a message while
// the window lives on; an unreachable PostGIS URL is a message too.
#include <gtest/gtest.h>
#include <QApplication>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "app/layer_tree.h"
#include "app/main_window.h"
#include "app/osg_widget.h"
#include "crs/transformer.h"
#include "scene/catalog_layers.h"
#include "tests/integration/private_district.h"

namespace gv = gridtwin::viewer;
namespace gm = gridtwin::model;

namespace {

constexpr std::int64_t kNow = 1782835200;

std::string writeFile(const std::string& name, const std::string& text) {
  const auto& dir = gridtwin::testsupport::privateWorkDir("viewer_layers_app");
  const auto path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// Closes modal message boxes as a user would.
struct BoxCloser {
  BoxCloser() {
    QObject::connect(&timer, &QTimer::timeout, [] {
      if (auto* box = QApplication::activeModalWidget()) box->close();
    });
    timer.start(50);
  }
  QTimer timer;
};

std::unique_ptr<gv::MainWindow> openWindow(gv::ViewerOptions o = {}) {
  o.now = kNow;
  o.role = "district";
  o.dataset = GRIDTWIN_SMALL_DISTRICT;
  auto w = std::make_unique<gv::MainWindow>(o);
  QSignalSpy opened(w.get(), &gv::MainWindow::datasetOpened);
  w->show();
  EXPECT_TRUE(QTest::qWaitForWindowExposed(w.get()));
  EXPECT_TRUE(opened.count() > 0 || opened.wait(120000)) << "the district did not open";
  return w;
}

bool waitIdle(gv::LayerTree* tree) {
  for (int k = 0; k < 1200 && tree->pending() > 0; ++k) QTest::qWait(50);
  return tree->pending() == 0;
}

std::size_t entryOf(gv::LayerTree* tree, const std::string& id) {
  const auto& c = tree->catalogue();
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (c[i].id == id) return i;
  }
  ADD_FAILURE() << "no layer " << id;
  return 0;
}

}  // namespace

TEST(ViewerLayersApp, TheCatalogueTreeHoldsThe244LayersByCategory) {
  gv::MainWindow w(gv::ViewerOptions{});
  w.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&w));
  auto* tree = w.layerTree();
  ASSERT_NE(tree, nullptr);
  ASSERT_EQ(tree->catalogue().size(), 244u);
  std::map<QString, int> perCategory;
  for (const auto& spec : tree->catalogue()) ++perCategory[QString::fromStdString(spec.category)];
  QTreeWidgetItem* root = tree->catalogueItem();
  ASSERT_EQ(root->childCount(), static_cast<int>(perCategory.size()));
  int layers = 0;
  for (int c = 0; c < root->childCount(); ++c) {
    QTreeWidgetItem* category = root->child(c);
    EXPECT_EQ(category->childCount(), perCategory[category->text(0)])
        << category->text(0).toStdString();
    layers += category->childCount();
  }
  EXPECT_EQ(layers, 244);
  // Each layer sits under its own category, with its scale range in the tooltip.
  for (const auto& spec : tree->catalogue()) {
    QTreeWidgetItem* item = tree->itemOf(QString::fromStdString(spec.id));
    ASSERT_NE(item, nullptr) << spec.id;
    EXPECT_EQ(item->parent()->text(0), QString::fromStdString(spec.category));
    EXPECT_TRUE(item->toolTip(0).contains("shown")) << item->toolTip(0).toStdString();
  }
  // Off by default except a light base map.
  int checked = 0;
  for (const auto& spec : tree->catalogue()) {
    checked += tree->itemOf(QString::fromStdString(spec.id))->checkState(0) == Qt::Checked;
  }
  EXPECT_EQ(checked, static_cast<int>(gv::LayerTree::defaultLayers().size()));
}

TEST(ViewerLayersApp, ALayerLoadsWhenFirstCheckedAndHidesWhenUnchecked) {
  auto w = openWindow();
  auto* tree = w->layerTree();
  ASSERT_NE(tree->overlay(), nullptr);
  ASSERT_TRUE(waitIdle(tree));
  for (const auto& id : gv::LayerTree::defaultLayers()) {
    EXPECT_TRUE(tree->overlay()->loaded(entryOf(tree, id))) << id;
  }
  const std::size_t population = entryOf(tree, "L214");
  EXPECT_FALSE(tree->overlay()->loaded(population)) << "loaded before anyone asked";
  QSignalSpy loaded(tree, &gv::LayerTree::layerLoaded);
  tree->itemOf("L214")->setCheckState(0, Qt::Checked);
  ASSERT_TRUE(loaded.wait(60000));
  EXPECT_TRUE(loaded.first().at(1).toBool());
  EXPECT_TRUE(tree->overlay()->loaded(population));
  EXPECT_TRUE(tree->overlay()->visible(population));
  EXPECT_GT(tree->overlay()->features(population), 0u);
  // Drawn: the frame's scale decides, the layer's range allows the district.
  w->view()->topDown();
  w->view()->grabFramebuffer();
  tree->itemOf("L214")->setCheckState(0, Qt::Unchecked);
  EXPECT_FALSE(tree->overlay()->visible(population));
  // A whole category at once.
  QTreeWidgetItem* category = tree->itemOf("L214")->parent();
  category->setCheckState(0, Qt::Checked);
  ASSERT_TRUE(waitIdle(tree));
  for (int c = 0; c < category->childCount(); ++c) {
    EXPECT_EQ(category->child(c)->checkState(0), Qt::Checked);
  }
  EXPECT_TRUE(tree->overlay()->visible(population));
  tree->setOpacity(population, 0.25f);
  EXPECT_FLOAT_EQ(tree->overlay()->opacity(population), 0.25f);
}

// The window gives extruded layers the district's heights: L061 (high-rise,
// "extrude": "floors") stands as tall as its tallest building.
TEST(ViewerLayersApp, AnExtrudedLayerStandsAsTallAsItsBuildings) {
  auto w = openWindow();
  auto* tree = w->layerTree();
  ASSERT_TRUE(waitIdle(tree));
  const std::size_t highrise = entryOf(tree, "L061");
  tree->itemOf("L061")->setCheckState(0, Qt::Checked);
  ASSERT_TRUE(waitIdle(tree));
  ASSERT_TRUE(tree->overlay()->loaded(highrise));
  const auto& b = w->twin()->district().buildings();
  float tallest = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (b.floors[i] >= 10) tallest = std::max(tallest, b.heightM[i]);
  }
  ASSERT_GT(tallest, 0.f);
  float top = -1;
  for (unsigned i = 0; i < tree->overlay()->root()->getNumChildren(); ++i) {
    auto* g = tree->overlay()->root()->getChild(i)->asGeometry();
    const auto* v = g ? dynamic_cast<const osg::Vec3Array*>(g->getVertexArray()) : nullptr;
    for (std::size_t k = 0; v && k < v->size(); ++k) top = std::max(top, (*v)[k].z());
  }
  EXPECT_NEAR(top, tallest, 0.01f);
}

TEST(ViewerLayersApp, AGcj02FileFromTheCommandLineBecomesALayer) {
  // Three facilities of the district in GCJ-02.
  auto probe = openWindow();
  const auto& f = probe->twin()->district().facilities();
  auto toGcj =
      gridtwin::crs::Transformer::create(gridtwin::crs::kGaussKruger114, gridtwin::crs::kGcj02);
  ASSERT_TRUE(toGcj);
  std::string json = R"({"type":"FeatureCollection","features":[)";
  int n = 0;
  for (std::size_t i = 0; i < f.size() && n < 3; ++i) {
    if (gm::isMissing(f.point.xy[i])) continue;
    auto p = toGcj->transform(f.point.xy[i]);
    ASSERT_TRUE(p);
    char buf[200];
    std::snprintf(
        buf, sizeof buf,
        R"(%s{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[%.9f,%.9f]}})",
        n ? "," : "", p->x, p->y);
    json += buf;
    ++n;
  }
  json += "]}";
  probe.reset();
  const std::string file = writeFile("facilities_gcj02.geojson", json);

  gv::ViewerOptions o;
  o.layers = {file + "@GCJ02"};
  auto w = std::make_unique<gv::MainWindow>(o);
  QSignalSpy added(w->layerTree(), &gv::LayerTree::fileAdded);
  o.now = kNow;
  w->show();
  w->openDataset(GRIDTWIN_SMALL_DISTRICT);
  ASSERT_TRUE(added.wait(120000));
  EXPECT_TRUE(added.first().at(1).toBool());
  ASSERT_EQ(w->layerTree()->addedItem()->childCount(), 1);
  QTreeWidgetItem* item = w->layerTree()->addedItem()->child(0);
  EXPECT_TRUE(item->toolTip(0).contains("GCJ02")) << item->toolTip(0).toStdString();
  ASSERT_TRUE(waitIdle(w->layerTree()));
  const std::size_t entry = w->layerTree()->catalogue().size();
  EXPECT_TRUE(w->layerTree()->overlay()->loaded(entry));
  EXPECT_EQ(w->layerTree()->overlay()->features(entry), 3u);
}

TEST(ViewerLayersApp, ABrokenLayerFileIsAMessageAndTheViewerLivesOn) {
  auto w = openWindow();
  BoxCloser closer;
  const std::string broken = writeFile("broken_layer.geojson", R"({"type":"Feature)");
  QSignalSpy added(w->layerTree(), &gv::LayerTree::fileAdded);
  w->addLayer(QString::fromStdString(broken));
  ASSERT_TRUE(added.wait(30000));
  EXPECT_FALSE(added.first().at(1).toBool());
  EXPECT_TRUE(w->statusText().contains("broken_layer.geojson")) << w->statusText().toStdString();
  EXPECT_TRUE(w->statusText().contains("GDAL cannot open it")) << w->statusText().toStdString();
  // An unknown CRS, a file without one.
  added.clear();
  w->addLayer(QString::fromStdString(broken) + "@EPSG:999999");
  ASSERT_TRUE(added.count() > 0 || added.wait(30000));
  EXPECT_FALSE(added.first().at(1).toBool());
  EXPECT_TRUE(w->statusText().contains("999999")) << w->statusText().toStdString();
  added.clear();
  const std::string csv = writeFile("no_crs.csv", "lon,lat\n113.1,23.0\n");
  w->addLayer(QString::fromStdString(csv));
  ASSERT_TRUE(added.wait(30000));
  EXPECT_FALSE(added.first().at(1).toBool());
  EXPECT_TRUE(w->statusText().contains("no CRS")) << w->statusText().toStdString();
  // Still working: the same file with its CRS stated is a layer.
  added.clear();
  w->addLayer(QString::fromStdString(csv) + "@EPSG:4326");
  ASSERT_TRUE(added.wait(30000));
  EXPECT_TRUE(added.first().at(1).toBool()) << w->statusText().toStdString();
  EXPECT_NE(w->twin(), nullptr);
}

TEST(ViewerLayersApp, AnUnreachablePostgisUrlIsAMessageAndTheViewerLivesOn) {
  gv::ViewerOptions o;
  o.dataset = "postgresql://gridtwin@127.0.0.1:1/gridtwin?connect_timeout=5";
  gv::MainWindow w(o);
  BoxCloser closer;
  QSignalSpy opened(&w, &gv::MainWindow::datasetOpened);
  ASSERT_TRUE(opened.wait(60000));
  EXPECT_FALSE(opened.first().first().toBool());
  EXPECT_FALSE(w.loading());
  EXPECT_EQ(w.twin(), nullptr);
  EXPECT_TRUE(w.statusText().contains("127.0.0.1")) << w.statusText().toStdString();
  // The same window opens a good district afterwards.
  opened.clear();
  w.openDataset(GRIDTWIN_SMALL_DISTRICT);
  ASSERT_TRUE(opened.wait(120000));
  EXPECT_TRUE(opened.first().first().toBool());
}

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
