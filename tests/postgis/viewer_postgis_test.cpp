// gridtwin-viewer opening a district from PostGIS (a postgresql:// URL
// through engine/pgstore's loader, in the background like a GeoPackage): the
// window shows the same district as the GeoPackage that was ingested. Runs
// under xvfb-run on the fixture cluster (labels postgis and viewer).
#include <gtest/gtest.h>
#include <unistd.h>
#include <QApplication>
#include <QSignalSpy>
#include <QTest>
#include <QTreeWidgetItem>

#include "app/layer_tree.h"
#include "app/main_window.h"
#include "pg_support.h"
#include "pgstore/ingest.h"
#include "query/twin.h"
#include "scene/catalog_layers.h"
#include "scene/vector_data.h"

namespace gv = gridtwin::viewer;
using gridtwin::pgtest::urlFor;

namespace {
const std::string kSmall = std::string(GRIDTWIN_PG_WORK) + "/small.gpkg";
}

TEST(ViewerPostgis, APostgresqlUrlOpensTheDistrict) {
  auto admin = gridtwin::pgstore::Connection::open(urlFor("postgres"));
  ASSERT_TRUE(admin) << admin.error().toString();
  const std::string name = "t_viewer_postgis_" + std::to_string(::getpid());
  ASSERT_TRUE(admin->execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"));
  ASSERT_TRUE(admin->execute("CREATE DATABASE " + name));
  const std::string url = urlFor(name);
  auto ingested = gridtwin::pgstore::ingest(url, kSmall);
  ASSERT_TRUE(ingested) << ingested.error().toString();
  auto file = gridtwin::query::Twin::open(kSmall, {});
  ASSERT_TRUE(file) << file.error().toString();

  gv::ViewerOptions o;
  o.role = "district";
  o.dataset = url;
  gv::MainWindow w(o);
  w.show();
  QSignalSpy opened(&w, &gv::MainWindow::datasetOpened);
  ASSERT_TRUE(opened.wait(300000)) << "the district did not open from " << url;
  ASSERT_TRUE(opened.first().first().toBool()) << w.statusText().toStdString();
  ASSERT_NE(w.twin(), nullptr);
  const auto& a = w.twin()->district();
  const auto& b = (*file)->district();
  EXPECT_EQ(a.grids().size(), b.grids().size());
  EXPECT_EQ(a.buildings().size(), b.buildings().size());
  EXPECT_EQ(a.events().size(), b.events().size());
  EXPECT_TRUE(w.statusText().contains("buildings")) << w.statusText().toStdString();

  // The catalogue layers come from the database too (the ingested lyr_*
  // tables and views), with the GeoPackage's features.
  auto* tree = w.layerTree();
  ASSERT_NE(tree->overlay(), nullptr);
  const auto& catalogue = tree->catalogue();
  for (const char* id : {"L002", "L214"}) {
    std::size_t entry = catalogue.size();
    for (std::size_t i = 0; i < catalogue.size(); ++i) {
      if (catalogue[i].id == id) entry = i;
    }
    ASSERT_LT(entry, catalogue.size()) << id;
    if (!tree->overlay()->loaded(entry)) {
      tree->itemOf(id)->setCheckState(0, Qt::Checked);
      for (int k = 0; k < 1200 && tree->pending() > 0; ++k) QTest::qWait(50);
    }
    ASSERT_TRUE(tree->overlay()->loaded(entry)) << id << " did not load from " << url;
    auto fromFile = gridtwin::scene::readVectorLayer(kSmall, catalogue[entry].table);
    ASSERT_TRUE(fromFile) << fromFile.error().toString();
    EXPECT_GT(tree->overlay()->features(entry), 0u) << id;
    EXPECT_EQ(tree->overlay()->features(entry), fromFile->features) << id;
  }
  (void)admin->execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
}

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
