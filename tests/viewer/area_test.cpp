// The viewer's area tools under Xvfb, driven with QTest as a user would: a
// box drawn over a known area shows the engine's own counts for that box
// (query::select + aggregate, what `gridtwin stats` prints), the exported hits
// read back equal the engine's masked rows in all three formats, a grid
// head's areas and exports never hold another grid's row, a known segment
// and square measure what they are, and the GUI thread's longest stretch of
// work while queries run stays under 50 ms (its own CPU time, as the open
// test measures it).
#include <gtest/gtest.h>
#include <QAbstractItemModel>
#include <QApplication>
#include <QCompleter>
#include <QKeyEvent>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QTextBrowser>
#include <QTimer>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <osgGA/OrbitManipulator>
#include <random>
#include <set>
#include <sstream>

#include "app/area_query.h"
#include "app/area_tools.h"
#include "app/edit_preview.h"
#include "app/main_window.h"
#include "app/osg_widget.h"

#include "model/district.h"
#include "query/records.h"
#include "scene/overlay.h"
#include "store/vector_file.h"

namespace gv = gridtwin::viewer;
namespace gm = gridtwin::model;
namespace gq = gridtwin::query;
namespace gs = gridtwin::scene;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kNow = 1782835200;  // the dataset's reference now
constexpr int kHours = 24 * 7;
constexpr double kMaxGuiStretchMs = 50;

double threadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

std::unique_ptr<gv::MainWindow> openWindow(const std::string& role, const std::string& scope,
                                           int width = 0, int height = 0) {
  gv::ViewerOptions o;
  o.role = role;
  o.scope = scope;
  o.now = kNow;
  o.hours = kHours;
  auto w = std::make_unique<gv::MainWindow>(o);
  QSignalSpy opened(w.get(), &gv::MainWindow::datasetOpened);
  if (width > 0) w->resize(width, height);
  w->show();
  EXPECT_TRUE(QTest::qWaitForWindowExposed(w.get()));
  w->openDataset(GRIDTWIN_SMALL_DISTRICT);
  EXPECT_TRUE(opened.wait(120000)) << "the district did not open";
  EXPECT_TRUE(!opened.isEmpty() && opened.first().first().toBool());
  auto* view = w->view();
  view->setView(gs::topView(*view->districtScene(), double(view->width()) / view->height()));
  view->grabFramebuffer();  // one frame so the camera holds the view
  return w;
}

QPoint widgetPosition(gv::OsgWidget* view, const osg::Vec3d& p) { return view->widgetPosition(p); }

// Metres one widget pixel spans on the ground at the view's centre.
double metresPerPixel(gv::OsgWidget* view) {
  osg::Camera* c = view->osgView()->getCamera();
  const double scale = view->devicePixelRatioF();
  const double cx = view->width() * scale / 2, cy = view->height() * scale / 2;
  const auto a = gs::groundPoint(c, cx, cy), b = gs::groundPoint(c, cx + scale, cy);
  return (a && b) ? (*b - *a).length() : 1e9;
}

bool waitAnswer(gv::AreaTools* tools) {
  QSignalSpy answered(tools, &gv::AreaTools::answered);
  if (!tools->busy()) return tools->answer().has_value();
  return answered.wait(60000) && answered.first().first().toBool();
}

gq::Stats engineStats(const gq::Twin& twin, const gq::Access& access, const gq::Area& area) {
  auto sel = gq::select(twin, access, area, gq::KindSet::all(), gv::viewerEvents(kNow, kHours));
  EXPECT_TRUE(sel) << sel.error().toString();
  return sel ? gq::aggregate(twin, *sel, kNow) : gq::Stats{};
}

// The expected export: every record of the selection as the engine masks it.
struct Row {
  std::string kind, id, grid;
  std::vector<std::string> values;
  auto operator<=>(const Row&) const = default;
};
std::vector<Row> engineRows(const gq::Twin& twin, const gq::Access& access,
                            const gq::Selection& sel) {
  std::vector<Row> rows;
  gq::forEachRecord(
      twin, access, sel,
      [&](const gq::Record& r) {
        rows.push_back({std::string(gm::kindTable(r.kind)), std::to_string(r.id),
                        std::string(twin.district().grids().code[r.grid]), r.values});
      },
      kNow);
  return rows;
}

std::vector<std::string> parseCsvLine(std::istream& in, bool& ok) {
  std::vector<std::string> out;
  std::string field;
  bool quoted = false;
  ok = false;
  for (int ch; (ch = in.get()) != EOF;) {
    const char c = static_cast<char>(ch);
    if (quoted) {
      if (c == '"') {
        if (in.peek() == '"') {
          field += '"';
          in.get();
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(field);
      field.clear();
    } else if (c == '\n') {
      out.push_back(field);
      ok = true;
      return out;
    } else {
      field += c;
    }
  }
  return out;
}

// The rows of an export, as the engine's rows (kind, id, grid, fields).
std::vector<Row> readCsv(const std::string& path) {
  std::ifstream in(path);
  bool ok = false;
  const auto header = parseCsvLine(in, ok);
  EXPECT_TRUE(ok) << path;
  std::vector<Row> rows;
  while (true) {
    const auto f = parseCsvLine(in, ok);
    if (!ok) break;
    Row r{f[0], f[1], f[2], {}};
    gm::Kind kind{};
    for (auto k : gq::kQueryKinds) {
      if (gm::kindTable(k) == f[0]) kind = k;
    }
    // The kinds' column blocks follow one another in kQueryKinds order.
    std::size_t first = 5;
    for (auto k : gq::kQueryKinds) {
      if (k == kind) break;
      first += gq::fieldNames(k).size();
    }
    for (std::size_t i = 0; i < gq::fieldNames(kind).size(); ++i) {
      EXPECT_EQ(header[first + i], gq::fieldNames(kind)[i]);
      r.values.push_back(f[first + i]);
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<Row> readGeoJson(const std::string& path) {
  std::ifstream in(path);
  const auto j = nlohmann::json::parse(in);
  std::vector<Row> rows;
  for (const auto& f : j.at("features")) {
    const auto& p = f.at("properties");
    Row r{p.at("table").get<std::string>(),
          std::to_string(p.at("id").get<std::int64_t>()),
          p.at("grid").get<std::string>(),
          {}};
    for (auto k : gq::kQueryKinds) {
      if (gm::kindTable(k) != r.kind) continue;
      for (auto n : gq::fieldNames(k)) r.values.push_back(p.at(std::string(n)).get<std::string>());
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<Row> readGpkg(const std::string& path) {
  auto file = gridtwin::store::VectorFile::open(path);
  EXPECT_TRUE(file) << file.error().toString();
  std::vector<Row> rows;
  if (!file) return rows;
  for (auto k : gq::kQueryKinds) {
    auto layer = file->layer(std::string(gm::kindTable(k)));
    EXPECT_TRUE(layer) << "no table " << gm::kindTable(k) << " in " << path;
    if (!layer) continue;
    const auto names = gq::fieldNames(k);
    (void)layer->forEachFeature([&](const gridtwin::store::VectorFeature& f) {
      Row r{std::string(gm::kindTable(k)),
            std::to_string(f.integer(layer->fieldIndex("id"))),
            std::string(f.text(layer->fieldIndex("grid_code"))),
            {}};
      for (auto n : names) r.values.emplace_back(f.text(layer->fieldIndex(std::string(n))));
      rows.push_back(std::move(r));
      return gridtwin::core::Result<void>{};
    });
  }
  return rows;
}

fs::path tempDir() {
  const fs::path d = fs::temp_directory_path() / ("gridtwin-area-test-" + std::to_string(getpid()));
  fs::create_directories(d);
  return d;
}

// A box of half-size `half` metres around the tallest building, local.
std::pair<osg::Vec3d, osg::Vec3d> boxAroundTallest(const gv::MainWindow& w, double half) {
  const auto& b = w.twin()->district().buildings();
  std::uint32_t tallest = 0;
  for (std::uint32_t i = 1; i < b.size(); ++i) {
    if (b.heightM[i] > b.heightM[tallest]) tallest = i;
  }
  const auto c = w.twin()->points(gm::Kind::kBuilding)[tallest];
  auto* sc = w.view()->districtScene();
  return {sc->toLocal(c.x - half, c.y - half), sc->toLocal(c.x + half, c.y + half)};
}

}  // namespace

TEST(ViewerArea, ABoxDrawnOverAKnownAreaShowsTheEnginesCounts) {
  auto w = openWindow("district", "");
  auto* tools = w->areaTools();
  auto* view = w->view();
  const auto [a, b] = boxAroundTallest(*w, 400);
  tools->setMode(gv::AreaTools::Mode::kBox);
  QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, widgetPosition(view, a));
  QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, widgetPosition(view, b));
  ASSERT_TRUE(waitAnswer(tools)) << tools->panelText().toStdString();
  const auto& answer = *tools->answer();
  ASSERT_EQ(answer.area.type, gq::Area::Type::kBox);
  // The box drawn is the box meant, to the pixel.
  const double tol = 2 * metresPerPixel(view);
  const osg::Vec3d o = view->districtScene()->origin();
  EXPECT_NEAR(answer.area.box.minx, a.x() + o.x(), tol);
  EXPECT_NEAR(answer.area.box.miny, a.y() + o.y(), tol);
  EXPECT_NEAR(answer.area.box.maxx, b.x() + o.x(), tol);
  EXPECT_NEAR(answer.area.box.maxy, b.y() + o.y(), tol);
  // The panel's counts are the engine's for that box.
  const auto access = gq::makeAccess(w->twin()->district(), gq::Role::kDistrict, "");
  ASSERT_TRUE(access);
  const gq::Stats want = engineStats(*w->twin(), *access, answer.area);
  EXPECT_GT(want.count(gm::Kind::kBuilding), 0u);
  EXPECT_EQ(answer.stats.counts, want.counts);
  EXPECT_EQ(answer.stats.peopleByTag, want.peopleByTag);
  EXPECT_EQ(answer.stats.eventsByCategory, want.eventsByCategory);
  EXPECT_EQ(answer.stats.facilitiesByType, want.facilitiesByType);
  const QString text = tools->panelText();
  for (auto k : gq::kQueryKinds) {
    const QRegularExpression line("\t" + QString::fromUtf8(gm::kindTable(k).data()) + "\t" +
                                  QString::number(want.count(k)) + "\n");
    EXPECT_TRUE(text.contains(line)) << gm::kindTable(k) << " " << want.count(k) << " not in\n"
                                     << text.toStdString();
  }
  // The hits are highlighted: the scene's building set is the selection's.
  EXPECT_EQ(view->districtScene()->highlightedBuildings().size(), want.count(gm::Kind::kBuilding));
  EXPECT_EQ(tools->overlay()->markCount(gs::Overlay::Marks::kHits),
            want.count(gm::Kind::kFacility) + want.count(gm::Kind::kEvent));
  // A click with the tool off identifies again (the tool took none of them).
  tools->setMode(gv::AreaTools::Mode::kNone);
}

TEST(ViewerArea, ExportedHitsReadBackAsTheEnginesMaskedRows) {
  auto w = openWindow("planner", "");  // planner: names, phones and IDs masked
  auto* tools = w->areaTools();
  auto* view = w->view();
  const auto [a, b] = boxAroundTallest(*w, 250);
  tools->setMode(gv::AreaTools::Mode::kPolygon);
  for (const auto& p : {a, osg::Vec3d(b.x(), a.y(), 0), b, osg::Vec3d(a.x(), b.y(), 0)}) {
    QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, widgetPosition(view, p));
  }
  QTest::keyClick(view, Qt::Key_Return);
  ASSERT_TRUE(waitAnswer(tools)) << tools->panelText().toStdString();
  const auto& answer = *tools->answer();
  ASSERT_EQ(answer.area.type, gq::Area::Type::kPolygon);
  const auto access = gq::makeAccess(w->twin()->district(), gq::Role::kPlanner, "");
  ASSERT_TRUE(access);
  const auto want = engineRows(*w->twin(), *access, answer.selection);
  ASSERT_GT(want.size(), 0u);
  bool masked = false;
  const auto& people = w->twin()->district().people();
  for (auto p : answer.selection.of(gm::Kind::kPerson)) {
    for (const auto& r : want) {
      if (r.kind == "people" && r.values[0] != people.name[p]) masked = true;
    }
    break;
  }
  EXPECT_TRUE(masked || answer.selection.of(gm::Kind::kPerson).empty())
      << "a planner's export shows a person's name unmasked";
  const fs::path dir = tempDir();
  for (const char* name : {"hits.csv", "hits.geojson", "hits.gpkg"}) {
    const std::string path = (dir / name).string();
    const auto r = tools->exportHits(path);
    ASSERT_TRUE(r) << r.error().toString();
    const std::string ext = fs::path(path).extension().string();
    const auto got = ext == ".csv"       ? readCsv(path)
                     : ext == ".geojson" ? readGeoJson(path)
                                         : readGpkg(path);
    auto sortedWant = want, sortedGot = got;
    std::sort(sortedWant.begin(), sortedWant.end());
    std::sort(sortedGot.begin(), sortedGot.end());
    EXPECT_EQ(sortedGot.size(), sortedWant.size()) << path;
    EXPECT_TRUE(sortedGot == sortedWant) << path << " differs from the engine's rows";
    for (std::size_t i = 0; i < sortedGot.size() && i < sortedWant.size(); ++i) {
      if (!(sortedGot[i] == sortedWant[i])) {
        std::string g, x;
        for (auto& v : sortedGot[i].values) g += v + "|";
        for (auto& v : sortedWant[i].values) x += v + "|";
        ADD_FAILURE() << "first difference: got " << sortedGot[i].kind << " " << sortedGot[i].id
                      << " " << sortedGot[i].grid << " " << g << "\n want " << sortedWant[i].kind
                      << " " << sortedWant[i].id << " " << sortedWant[i].grid << " " << x;
        break;
      }
    }
  }
  // The dataset itself is never an export's target.
  EXPECT_FALSE(tools->exportHits(GRIDTWIN_SMALL_DISTRICT ".csv").ok() &&
               fs::path(GRIDTWIN_SMALL_DISTRICT).extension() == ".csv");
  fs::remove_all(dir);
}

TEST(ViewerArea, AGridHeadsAreasAndExportsNeverHoldAnotherGridsRow) {
  std::string ownCode;
  std::uint32_t own = 0;
  {
    auto t = gq::Twin::open(GRIDTWIN_SMALL_DISTRICT, {});
    ASSERT_TRUE(t);
    std::vector<std::size_t> perGrid((*t)->district().grids().size());
    for (auto g : (*t)->district().buildings().grid) ++perGrid[g];
    own = static_cast<std::uint32_t>(std::max_element(perGrid.begin(), perGrid.end()) -
                                     perGrid.begin());
    ownCode = std::string((*t)->district().grids().code[own]);
  }
  auto w = openWindow("grid_head", ownCode);
  auto* tools = w->areaTools();
  auto* view = w->view();
  std::mt19937 rng(12);
  const fs::path dir = tempDir();
  std::size_t ownRows = 0;
  const gv::AreaTools::Mode modes[] = {gv::AreaTools::Mode::kBox, gv::AreaTools::Mode::kCircle};
  for (int k = 0; k < 24; ++k) {
    tools->setMode(modes[k % 2]);
    const QPoint p(static_cast<int>(rng() % view->width()),
                   static_cast<int>(rng() % view->height()));
    const QPoint q(static_cast<int>(rng() % view->width()),
                   static_cast<int>(rng() % view->height()));
    QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, p);
    QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, q);
    if ((p - q).manhattanLength() <= 4) continue;
    ASSERT_TRUE(waitAnswer(tools)) << tools->panelText().toStdString();
    const auto& sel = tools->answer()->selection;
    for (auto kind : gq::kQueryKinds) {
      for (auto row : sel.of(kind)) {
        ASSERT_EQ(w->twin()->gridOf(kind, row), own)
            << gm::kindTable(kind) << " row " << row << " outside grid " << ownCode;
        ++ownRows;
      }
    }
    for (auto b : view->districtScene()->highlightedBuildings()) {
      ASSERT_EQ(w->twin()->district().buildings().grid[b], own);
    }
    if (k % 4 == 0) {
      const std::string path = (dir / ("hits" + std::to_string(k) + ".csv")).string();
      ASSERT_TRUE(tools->exportHits(path));
      for (const auto& r : readCsv(path)) ASSERT_EQ(r.grid, ownCode) << path;
    }
  }
  // The whole district as one box: only the own grid's rows, and all of them.
  tools->runQuery(gq::Area::ofBox({-1e9, -1e9, 1e9, 1e9}), "all");
  ASSERT_TRUE(waitAnswer(tools));
  EXPECT_EQ(tools->answer()->selection.of(gm::Kind::kBuilding).size(),
            w->twin()->rowsInGrid(gm::Kind::kBuilding, own).size());
  const std::string path = (dir / "all.gpkg").string();
  ASSERT_TRUE(tools->exportHits(path));
  const auto rows = readGpkg(path);
  EXPECT_GT(rows.size(), 0u);
  for (const auto& r : rows) ASSERT_EQ(r.grid, ownCode);
  std::printf("%zu own rows over the random areas\n", ownRows);
  fs::remove_all(dir);
}

TEST(ViewerArea, MeasuringAKnownSegmentAndSquare) {
  auto w = openWindow("district", "");
  auto* tools = w->areaTools();
  auto* view = w->view();
  const double mpp = metresPerPixel(view);
  const osg::Vec3d c = view->districtScene()->extent().center();
  const osg::Vec3d a(c.x() - 600, c.y(), 0), b(c.x() + 600, c.y(), 0);
  tools->setMode(gv::AreaTools::Mode::kMeasureLine);
  QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, widgetPosition(view, a));
  QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, widgetPosition(view, b));
  // Live: the length shows before the line is ended.
  const double live = gv::polylineLengthM(tools->points());
  EXPECT_NEAR(live, 1200, 2 * mpp);
  EXPECT_EQ(tools->measureText().toStdString(), gv::formatLength(live));
  QTest::keyClick(view, Qt::Key_Return);
  EXPECT_EQ(tools->measureText().toStdString(), gv::formatLength(live));
  EXPECT_TRUE(tools->measureText().endsWith(" km"));

  tools->setMode(gv::AreaTools::Mode::kMeasureArea);
  const double s = 400;
  std::vector<osg::Vec3d> square = {c, c + osg::Vec3d(s, 0, 0), c + osg::Vec3d(s, s, 0),
                                    c + osg::Vec3d(0, s, 0)};
  for (auto& p : square) {
    p.z() = 0;
    QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, widgetPosition(view, p));
  }
  const double area = gv::polygonAreaM2(tools->points());
  EXPECT_NEAR(area, s * s, 4 * s * 2 * mpp);
  EXPECT_TRUE(tools->measureText().startsWith(QString::fromStdString(gv::formatArea(area))))
      << tools->measureText().toStdString();
  EXPECT_EQ(gv::formatArea(160000), "0.160 km²");
  EXPECT_EQ(gv::formatLength(325.4), "325 m");
}

TEST(ViewerArea, QueriesKeepTheGuiThreadResponsive) {
  // An 800×600 window: under Mesa llvmpipe a frame of the default 1280×800
  // window costs the GUI thread 20-30 ms here whatever the tools do, and two
  // frames can meet in one stretch; the query's own share (the close, the
  // panel, the highlight) is what this test is about.
  auto w = openWindow("district", "", 800, 600);
  auto* tools = w->areaTools();
  auto* view = w->view();
  double last = threadCpuMs(), longest = 0;
  QTimer ticker;
  QObject::connect(&ticker, &QTimer::timeout, [&] {
    const double now = threadCpuMs();
    longest = std::max(longest, now - last);
    last = now;
  });
  ticker.start(5);
  // A user's clicks come over a hundred milliseconds apart: the event loop runs
  // between them (QTest's clicks back to back would be one stretch of the
  // test's own making).
  auto click = [view](const osg::Vec3d& p) {
    QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, widgetPosition(view, p));
    QTest::qWait(150);
  };
  const osg::BoundingBox e = view->districtScene()->extent();
  // The whole district, a half and a polygon: the biggest answers there are.
  tools->setMode(gv::AreaTools::Mode::kBox);
  click(osg::Vec3d(e.xMin(), e.yMin(), 0));
  click(osg::Vec3d(e.xMax(), e.yMax(), 0));
  ASSERT_TRUE(waitAnswer(tools));
  tools->setMode(gv::AreaTools::Mode::kCircle);
  click(osg::Vec3d(e.center().x(), e.center().y(), 0));
  click(osg::Vec3d(e.xMax(), e.center().y(), 0));
  ASSERT_TRUE(waitAnswer(tools));
  tools->setMode(gv::AreaTools::Mode::kPolygon);
  for (const auto& p : {osg::Vec3d(e.xMin(), e.yMin(), 0), osg::Vec3d(e.xMax(), e.yMin(), 0),
                        osg::Vec3d(e.center().x(), e.yMax(), 0)}) {
    click(p);
  }
  QTest::keyClick(view, Qt::Key_Return);
  ASSERT_TRUE(waitAnswer(tools));
  QTest::qWait(100);  // the highlighted frame
  ticker.stop();
  std::printf(
      "longest GUI-thread stretch during the queries: %.1f ms (last close → counts %.1f "
      "ms)\n",
      longest, tools->lastLatencyMs());
  EXPECT_LT(longest, kMaxGuiStretchMs)
      << "the GUI thread worked " << longest << " ms at a stretch during an area query";
  EXPECT_GT(tools->answer()->stats.count(gm::Kind::kBuilding), 0u);
}

TEST(ViewerArea, ASelfIntersectingPolygonIsAMessageNotACrash) {
  auto w = openWindow("district", "");
  auto* tools = w->areaTools();
  auto* view = w->view();
  const osg::Vec3d c = view->districtScene()->extent().center();
  tools->setMode(gv::AreaTools::Mode::kPolygon);
  // A bow tie.
  for (const auto& d : {osg::Vec3d(-300, -300, 0), osg::Vec3d(300, 300, 0),
                        osg::Vec3d(300, -300, 0), osg::Vec3d(-300, 300, 0)}) {
    QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier,
                      widgetPosition(view, osg::Vec3d(c.x(), c.y(), 0) + d));
  }
  QSignalSpy answered(tools, &gv::AreaTools::answered);
  QTest::keyClick(view, Qt::Key_Return);
  ASSERT_TRUE(answered.wait(60000));
  EXPECT_FALSE(answered.first().first().toBool());
  EXPECT_TRUE(tools->panelText().contains("cannot be queried")) << tools->panelText().toStdString();
  EXPECT_FALSE(tools->exportHits("/tmp/never.csv").ok());
}

namespace {

// Waits for the search's geocoder, then searches `text` as a user would.
void searchFor(gv::MainWindow& w, const QString& text) {
  if (!w.searchReady()) {
    QSignalSpy ready(&w, &gv::MainWindow::searchReadyChanged);
    ASSERT_TRUE(ready.wait(120000)) << "the address search never became ready";
  }
  w.searchBox()->setText(text);
  QTest::keyClick(w.searchBox(), Qt::Key_Return);
  QTest::qWait(900);  // the fly-to's animation (500 ms) is over
}

osg::Vec3d cameraTarget(gv::OsgWidget* view) {
  osg::Vec3d eye, centre, up;
  static_cast<osgGA::OrbitManipulator*>(view->osgView()->getCameraManipulator())
      ->getTransformation(eye, centre, up);
  return centre;
}

}  // namespace

TEST(ViewerSearch, AKnownAddressFliesThereAndIdentifiesItsBuilding) {
  auto w = openWindow("district", "");
  const auto& d = w->twin()->district();
  // A door plate of a building, far from the district's centre (where the
  // camera already looks).
  const auto points = w->twin()->points(gm::Kind::kAddress);
  auto* sc = w->view()->districtScene();
  std::int64_t pick = -1;
  double farthest = 0;
  for (std::uint32_t a = 0; a < d.addresses().size(); a += 37) {
    if (w->twin()->buildingOf(gm::Kind::kAddress, a) < 0) continue;
    const double r = sc->toLocal(points[a].x, points[a].y).length();
    if (r > farthest) {
      farthest = r;
      pick = a;
    }
  }
  ASSERT_GE(pick, 0);
  const auto row = static_cast<std::uint32_t>(pick);
  searchFor(*w, QString::fromUtf8(d.addresses().fullText[row].data(),
                                  static_cast<qsizetype>(d.addresses().fullText[row].size())));
  const osg::Vec3d want = sc->toLocal(points[row].x, points[row].y);
  const osg::Vec3d got = cameraTarget(w->view());
  EXPECT_LT(std::hypot(got.x() - want.x(), got.y() - want.y()), 5.0)
      << "the camera looks at " << got.x() << "," << got.y() << ", the address is at " << want.x()
      << "," << want.y();
  const auto b = w->twin()->buildingOf(gm::Kind::kAddress, row);
  EXPECT_TRUE(w->identifyPanel()->toPlainText().contains(
      QString("Building %1").arg(d.buildings().id[static_cast<std::uint32_t>(b)])))
      << w->identifyPanel()->toPlainText().toStdString();
}

TEST(ViewerSearch, AnEntityByNameAndAGridHeadsScope) {
  std::string ownCode;
  std::string outsideName, insideName;
  {
    auto t = gq::Twin::open(GRIDTWIN_SMALL_DISTRICT, {});
    ASSERT_TRUE(t);
    const auto& d = (*t)->district();
    const auto e0 = (*t)->gridOf(gm::Kind::kEntity, 0);
    ownCode = std::string(d.grids().code[e0]);
    insideName = std::string(d.entities().name[0]);
    for (std::uint32_t e = 1; e < d.entities().size() && outsideName.empty(); ++e) {
      if ((*t)->gridOf(gm::Kind::kEntity, e) != e0) outsideName = std::string(d.entities().name[e]);
    }
    ASSERT_FALSE(outsideName.empty());
  }
  auto w = openWindow("grid_head", ownCode);
  searchFor(*w, QString::fromStdString(insideName));
  const auto& d = w->twin()->district();
  const auto want = w->view()->districtScene()->toLocal(w->twin()->points(gm::Kind::kEntity)[0].x,
                                                        w->twin()->points(gm::Kind::kEntity)[0].y);
  const auto got = cameraTarget(w->view());
  EXPECT_LT(std::hypot(got.x() - want.x(), got.y() - want.y()), 5.0);
  EXPECT_EQ(w->areaTools()->overlay()->labelText(), insideName);
  // The completion list offers the own grid's entities, not another grid's.
  auto* completer = w->searchBox()->completer();
  ASSERT_NE(completer, nullptr);
  EXPECT_GE(completer->model()
                ->match(completer->model()->index(0, 0), Qt::DisplayRole,
                        QString::fromStdString(insideName), -1, Qt::MatchExactly)
                .size(),
            1);
  bool outsideNameAlsoInside = false;
  for (std::uint32_t e = 0; e < d.entities().size(); ++e) {
    if (w->twin()->gridOf(gm::Kind::kEntity, e) == w->twin()->gridOf(gm::Kind::kEntity, 0) &&
        d.entities().name[e] == outsideName) {
      outsideNameAlsoInside = true;
    }
  }
  if (!outsideNameAlsoInside) {
    EXPECT_TRUE(completer->model()
                    ->match(completer->model()->index(0, 0), Qt::DisplayRole,
                            QString::fromStdString(outsideName), -1, Qt::MatchExactly)
                    .isEmpty())
        << outsideName << " is offered to the head of " << ownCode;
  }
  // Another grid's entity: found, but shown as outside the scope, and the
  // camera does not move there.
  searchFor(*w, QString::fromStdString(outsideName));
  EXPECT_TRUE(w->identifyPanel()->toPlainText().contains("outside your scope"))
      << w->identifyPanel()->toPlainText().toStdString();
  const auto still = cameraTarget(w->view());
  EXPECT_LT((still - got).length(), 1e-6);
}

TEST(ViewerLabels, APickedBuildingIsLabelledByItsAddress) {
  auto w = openWindow("district", "");
  const auto& b = w->twin()->district().buildings();
  std::uint32_t tallest = 0;
  for (std::uint32_t i = 1; i < b.size(); ++i) {
    if (b.heightM[i] > b.heightM[tallest]) tallest = i;
  }
  const auto c = w->twin()->points(gm::Kind::kBuilding)[tallest];
  auto* sc = w->view()->districtScene();
  QTest::mouseClick(w->view(), Qt::LeftButton, Qt::NoModifier,
                    widgetPosition(w->view(), sc->toLocal(c.x, c.y, b.heightM[tallest])));
  ASSERT_TRUE(w->identifyPanel()->toPlainText().contains(QString("Building %1").arg(b.id[tallest])))
      << w->identifyPanel()->toPlainText().toStdString();
  const auto access = gq::makeAccess(w->twin()->district(), gq::Role::kDistrict, "");
  ASSERT_TRUE(access);
  const std::string label = gv::buildingLabel(*w->twin(), *access, tallest);
  EXPECT_FALSE(label.empty());
  EXPECT_EQ(w->areaTools()->overlay()->labelText(), label);
  if (b.address[tallest] >= 0) {
    EXPECT_NE(
        label.find(std::string(w->twin()->district().addresses().fullText[static_cast<std::size_t>(
            b.address[tallest])])),
        std::string::npos);
  }
  // Masked like the panel: a grid head of another grid gets no label for it.
  const auto other = (b.grid[tallest] + 1) % w->twin()->district().grids().size();
  const auto head = gq::makeAccess(w->twin()->district(), gq::Role::kGridHead,
                                   std::string(w->twin()->district().grids().code[other]));
  ASSERT_TRUE(head) << head.error().toString();
  EXPECT_EQ(gv::buildingLabel(*w->twin(), *head, tallest), "");
}

TEST(ViewerGridHead, ADrawnBoundaryIsPreviewedBeforeAnythingIsSaved) {
  std::string ownCode;
  std::uint32_t own = 0;
  {
    auto t = gq::Twin::open(GRIDTWIN_SMALL_DISTRICT, {});
    ASSERT_TRUE(t);
    std::vector<std::size_t> perGrid((*t)->district().grids().size());
    for (auto g : (*t)->district().buildings().grid) ++perGrid[g];
    own = static_cast<std::uint32_t>(std::max_element(perGrid.begin(), perGrid.end()) -
                                     perGrid.begin());
    ownCode = std::string((*t)->district().grids().code[own]);
  }
  const auto before = fs::last_write_time(GRIDTWIN_SMALL_DISTRICT);
  auto w = openWindow("grid_head", ownCode);
  auto* preview = w->editPreview();
  if (preview->findings().empty()) {
    QSignalSpy shown(preview, &gv::EditPreviewPanel::findingsShown);
    shown.wait(120000);
  }
  // The grid's box, widened by 40 %: it takes parts of its neighbours.
  auto* sc = w->view()->districtScene();
  const auto shape = gm::xyShape(w->twin()->district().grids().shape, own);
  osg::BoundingBox box;
  for (const auto& pl : shape.polygons) {
    for (const auto& p : pl.outer) box.expandBy(sc->toLocal(p.x, p.y));
  }
  w->view()->setView(gs::topView(box, double(w->view()->width()) / w->view()->height() * 0.6));
  w->view()->grabFramebuffer();
  const osg::Vec3d c = box.center(), h = (box._max - box._min) * 0.7;
  auto* tools = w->areaTools();
  ASSERT_TRUE(tools->action(gv::AreaTools::Mode::kBoundary)->isVisible());
  tools->setMode(gv::AreaTools::Mode::kBoundary);
  for (const auto& p :
       {osg::Vec3d(c.x() - h.x(), c.y() - h.y(), 0), osg::Vec3d(c.x() + h.x(), c.y() - h.y(), 0),
        osg::Vec3d(c.x() + h.x(), c.y() + h.y(), 0), osg::Vec3d(c.x() - h.x(), c.y() + h.y(), 0)}) {
    QTest::mouseClick(w->view(), Qt::LeftButton, Qt::NoModifier, widgetPosition(w->view(), p));
  }
  QSignalSpy shown(preview, &gv::EditPreviewPanel::previewShown);
  QTest::keyClick(w->view(), Qt::Key_Return);
  ASSERT_TRUE(shown.wait(120000));
  const QString text = preview->panel()->toPlainText();
  EXPECT_TRUE(shown.first().first().toBool()) << text.toStdString();
  EXPECT_TRUE(text.contains(QString::fromStdString(ownCode))) << text.toStdString();
  EXPECT_TRUE(text.contains("Nothing is saved")) << text.toStdString();
  EXPECT_GT(preview->movedMarks(), 0u) << text.toStdString();
  EXPECT_EQ(tools->overlay()->markCount(gs::Overlay::Marks::kMoved), preview->movedMarks());
  EXPECT_EQ(fs::last_write_time(GRIDTWIN_SMALL_DISTRICT), before);  // nothing was written
}

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
