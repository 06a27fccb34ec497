// gridtwin-viewer's window under Xvfb, driven as a user would (QTest clicks):
// opening stays responsive, a click identifies the building, grid or event
// under the cursor, and a grid head never sees another grid's records.
#include <gtest/gtest.h>
#include <QApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QTextBrowser>
#include <QTimer>
#include <QWheelEvent>

#include <ctime>
#include <random>

#include <QComboBox>
#include <QDoubleSpinBox>

#include "app/bim_panel.h"
#include "app/main_window.h"
#include "app/osg_widget.h"
#include "app/startup_probe.h"
#include "geo/algorithms.h"
#include "rooms/rooms.h"

namespace gv = gridtwin::viewer;
namespace gm = gridtwin::model;
namespace gs = gridtwin::scene;

namespace {

constexpr std::int64_t kNow = 1782835200;  // the dataset's reference now
// The bound: the GUI thread never works more than this at a stretch.
constexpr double kMaxGuiStretchMs = 50;

double threadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

std::unique_ptr<gv::MainWindow> openWindow(const std::string& role, const std::string& scope,
                                           double* longestStretchMs = nullptr) {
  gv::ViewerOptions o;
  o.role = role;
  o.scope = scope;
  o.now = kNow;
  auto w = std::make_unique<gv::MainWindow>(o);
  QSignalSpy opened(w.get(), &gv::MainWindow::datasetOpened);
  // The window first appears empty (creating its GL context is start-up,
  // not opening); then the district opens as from the File menu.
  w->show();
  EXPECT_TRUE(QTest::qWaitForWindowExposed(w.get()));
  QTest::qWait(200);
  // A 5 ms ticker: the GUI thread's own CPU time between two ticks is the
  // longest stretch it could not answer events (scheduling delays of a
  // loaded machine are not counted: they are not the viewer's doing).
  double last = threadCpuMs(), longest = 0;
  QTimer ticker;
  QObject::connect(&ticker, &QTimer::timeout, [&] {
    const double now = threadCpuMs();
    longest = std::max(longest, now - last);
    last = now;
  });
  ticker.start(5);
  w->openDataset(GRIDTWIN_SMALL_DISTRICT);
  EXPECT_TRUE(opened.wait(120000)) << "the district did not open";
  ticker.stop();
  if (longestStretchMs) *longestStretchMs = longest;
  EXPECT_EQ(opened.count(), 1);
  if (!opened.isEmpty()) {
    EXPECT_TRUE(opened.first().first().toBool());
  }
  return w;
}

QPoint widgetPosition(gv::OsgWidget* view, const osg::Vec3d& p) { return view->widgetPosition(p); }

void showTop(gv::MainWindow& w) {
  auto* view = w.view();
  view->setView(gs::topView(*view->districtScene(), double(view->width()) / view->height()));
  view->grabFramebuffer();  // renders one frame so the camera holds the view
}

}  // namespace

TEST(ViewerApp, OpeningKeepsTheWindowResponsive) {
  double longest = 0;
  auto w = openWindow("planner", "", &longest);
  std::printf("longest GUI-thread stretch while opening: %.1f ms\n", longest);
  EXPECT_LT(longest, kMaxGuiStretchMs)
      << "the GUI thread worked " << longest << " ms at a stretch while the district opened";
  EXPECT_FALSE(w->loading());
}

TEST(ViewerApp, ABrokenDatasetIsAClearMessageAndTheViewerKeepsRunning) {
  gv::ViewerOptions o;
  o.dataset = "/nonexistent/district.gpkg";
  gv::MainWindow w(o);
  QSignalSpy opened(&w, &gv::MainWindow::datasetOpened);
  // The message box is modal: close it as a user would.
  QTimer closer;
  QObject::connect(&closer, &QTimer::timeout, [] {
    if (auto* box = QApplication::activeModalWidget()) box->close();
  });
  closer.start(50);
  ASSERT_TRUE(opened.wait(60000));
  EXPECT_FALSE(opened.first().first().toBool());
  EXPECT_FALSE(w.loading());
  EXPECT_EQ(w.twin(), nullptr);
}

TEST(ViewerApp, ClickingABuildingIdentifiesIt) {
  auto w = openWindow("district", "");
  showTop(*w);
  const auto& d = w->twin()->district();
  const auto& b = d.buildings();
  std::uint32_t tallest = 0;
  for (std::uint32_t i = 1; i < b.size(); ++i) {
    if (b.heightM[i] > b.heightM[tallest]) tallest = i;
  }
  const auto shape = gm::xyShape(b.footprint, tallest);
  const auto c = gridtwin::geo::centroid(shape.polygons.front());
  auto* sc = w->view()->districtScene();
  const QPoint at = widgetPosition(w->view(), sc->toLocal(c.x, c.y, b.heightM[tallest]));
  QTest::mouseClick(w->view(), Qt::LeftButton, Qt::NoModifier, at);
  const QString html = w->identifyPanel()->toPlainText();
  EXPECT_TRUE(html.contains(QString("Building %1").arg(b.id[tallest]))) << html.toStdString();
  EXPECT_TRUE(html.contains(QString::fromUtf8(d.grids().code[b.grid[tallest]].data(), 15)))
      << html.toStdString();
}

// A mouse event as the window system delivers it.
void sendMouse(QWidget* w, QEvent::Type type, QPoint p, Qt::MouseButton button,
               Qt::MouseButtons held) {
  QMouseEvent e(type, QPointF(p), QPointF(w->mapToGlobal(p)), button, held, Qt::NoModifier);
  QApplication::sendEvent(w, &e);
}

bool isOrtho(gv::OsgWidget* view) {
  double l, r, b, t, n, f;
  return view->osgView()->getCamera()->getProjectionMatrixAsOrtho(l, r, b, t, n, f);
}

TEST(ViewerApp, TwoDIsAMapStraightDownThatFollowsTheCursor) {
  auto w = openWindow("district", "");
  auto* view = w->view();
  auto* sc = view->districtScene();
  const auto& b = w->twin()->district().buildings();
  std::uint32_t tallest = 0;
  for (std::uint32_t i = 1; i < b.size(); ++i) {
    if (b.heightM[i] > b.heightM[tallest]) tallest = i;
  }
  const auto c = gridtwin::geo::centroid(gm::xyShape(b.footprint, tallest).polygons.front());
  const osg::Vec3d foot = sc->toLocal(c.x, c.y, 0),
                   roof = sc->toLocal(c.x, c.y, b.heightM[tallest]);
  view->setView(gs::obliqueView(foot, 1500, 50, 20));
  view->grabFramebuffer();
  ASSERT_FALSE(isOrtho(view));
  EXPECT_GT((widgetPosition(view, roof) - widgetPosition(view, foot)).manhattanLength(), 10)
      << "3D: a tall roof is drawn away from its foot";

  view->setFlat(true);
  QTest::qWait(900);  // the fly-to takes 500 ms
  view->grabFramebuffer();
  ASSERT_TRUE(view->flat());
  EXPECT_TRUE(isOrtho(view));
  // Straight down, without perspective: the roof over its foot.
  const QPoint at = widgetPosition(view, foot);
  EXPECT_LE((widgetPosition(view, roof) - at).manhattanLength(), 1);
  EXPECT_LE((at - view->rect().center()).manhattanLength(), 2) << "2D keeps the view's centre";
  // North up: a point 100 m north is straight above on screen.
  const QPoint north = widgetPosition(view, foot + osg::Vec3d(0, 100, 0));
  EXPECT_LE(std::abs(north.x() - at.x()), 1);
  EXPECT_LT(north.y(), at.y() - 5);

  // A left drag moves the map with the cursor: the ground point pressed on
  // ends under the cursor, and nothing tilts.
  const QPoint to = at + QPoint(140, -90);
  sendMouse(view, QEvent::MouseButtonPress, at, Qt::LeftButton, Qt::LeftButton);
  sendMouse(view, QEvent::MouseMove, at + QPoint(70, -45), Qt::NoButton, Qt::LeftButton);
  sendMouse(view, QEvent::MouseMove, to, Qt::NoButton, Qt::LeftButton);
  sendMouse(view, QEvent::MouseButtonRelease, to, Qt::LeftButton, Qt::NoButton);
  view->grabFramebuffer();
  EXPECT_LE((widgetPosition(view, foot) - to).manhattanLength(), 2);
  EXPECT_LE((widgetPosition(view, roof) - to).manhattanLength(), 2);

  // The wheel zooms the map in; it stays a map.
  const double before = (widgetPosition(view, foot + osg::Vec3d(100, 0, 0)) - to).manhattanLength();
  QWheelEvent wheel(QPointF(to), QPointF(view->mapToGlobal(to)), QPoint(), QPoint(0, 120),
                    Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
  QApplication::sendEvent(view, &wheel);
  view->grabFramebuffer();
  view->grabFramebuffer();
  EXPECT_TRUE(isOrtho(view));
  const QPoint zoomedFoot = widgetPosition(view, foot);
  const double after =
      (widgetPosition(view, foot + osg::Vec3d(100, 0, 0)) - zoomedFoot).manhattanLength();
  EXPECT_GT(after, before * 1.05) << "100 m on the ground: " << before << " px, then " << after;
  EXPECT_LE((widgetPosition(view, roof) - zoomedFoot).manhattanLength(), 1);

  // 3D again: perspective, tilted over the same place.
  view->setFlat(false);
  QTest::qWait(900);
  view->grabFramebuffer();
  EXPECT_FALSE(isOrtho(view));
  EXPECT_GT((widgetPosition(view, roof) - widgetPosition(view, foot)).manhattanLength(), 10);
}

TEST(ViewerApp, ClickingAGridIdentifiesItAndItsStationHead) {
  auto w = openWindow("district", "");
  auto* sc = w->view()->districtScene();
  for (auto l : {gs::Layer::kBuildings, gs::Layer::kFacilities, gs::Layer::kEvents}) {
    sc->setVisible(l, false);
  }
  showTop(*w);
  const auto& d = w->twin()->district();
  int checked = 0;
  for (std::uint32_t g = 0; g < d.grids().size() && checked < 10; g += 7) {
    const auto shape = gm::xyShape(d.grids().shape, g);
    const auto c = gridtwin::geo::centroid(shape.polygons.front());
    if (!gridtwin::geo::within(c, shape)) continue;  // a concave grid: its centroid is outside
    QTest::mouseClick(w->view(), Qt::LeftButton, Qt::NoModifier,
                      widgetPosition(w->view(), sc->toLocal(c.x, c.y)));
    const QString text = w->identifyPanel()->toPlainText();
    EXPECT_TRUE(text.contains(QString::fromUtf8(d.grids().code[g].data(), 15)))
        << "grid " << d.grids().code[g] << ": " << text.toStdString();
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

TEST(ViewerApp, ClickingAnEventIdentifiesIt) {
  auto w = openWindow("district", "");
  auto* sc = w->view()->districtScene();
  sc->setVisible(gs::Layer::kBuildings, false);
  sc->setVisible(gs::Layer::kFacilities, false);
  showTop(*w);
  const auto& e = w->twin()->district().events();
  // An event of the shown week that has no other shown event within 300 m.
  std::vector<std::uint32_t> shown;
  for (std::uint32_t i = 0; i < e.size(); ++i) {
    if (!gm::isMissing(e.point.xy[i]) && e.reportedAt[i] > kNow - 7 * 24 * 3600 &&
        e.reportedAt[i] <= kNow) {
      shown.push_back(i);
    }
  }
  ASSERT_FALSE(shown.empty());
  std::optional<std::uint32_t> lonely;
  for (auto i : shown) {
    bool alone = true;
    for (auto j : shown) {
      const double dx = e.point.xy[i].x - e.point.xy[j].x, dy = e.point.xy[i].y - e.point.xy[j].y;
      if (i != j && dx * dx + dy * dy < 300.0 * 300.0) alone = false;
    }
    if (alone) {
      lonely = i;
      break;
    }
  }
  ASSERT_TRUE(lonely) << "no isolated event in the small district";
  const auto& p = e.point.xy[*lonely];
  QTest::mouseClick(w->view(), Qt::LeftButton, Qt::NoModifier,
                    widgetPosition(w->view(), sc->toLocal(p.x, p.y, 3)));
  const QString text = w->identifyPanel()->toPlainText();
  EXPECT_TRUE(text.contains(QString("Event %1").arg(e.id[*lonely]))) << text.toStdString();
}

TEST(ViewerApp, AGridHeadNeverSeesAnotherGridsRecords) {
  // The grid with the most buildings, so clicks land on its records too.
  auto w0 = openWindow("district", "");
  const auto& d0 = w0->twin()->district();
  std::vector<std::size_t> perGrid(d0.grids().size());
  for (auto g : d0.buildings().grid) ++perGrid[g];
  const auto own = static_cast<std::uint32_t>(std::max_element(perGrid.begin(), perGrid.end()) -
                                              perGrid.begin());
  const std::string ownCode(d0.grids().code[own]);
  w0.reset();

  auto w = openWindow("grid_head", ownCode);
  showTop(*w);
  std::mt19937 rng(3);
  int records = 0;
  for (int k = 0; k < 300; ++k) {
    const QPoint at(static_cast<int>(rng() % w->view()->width()),
                    static_cast<int>(rng() % w->view()->height()));
    QTest::mouseClick(w->view(), Qt::LeftButton, Qt::NoModifier, at);
    const QString text = w->identifyPanel()->toPlainText();
    const bool record = text.contains("Building") || text.contains("Event") ||
                        text.contains("Facility") || text.contains("Station head");
    if (!record) continue;
    ++records;
    EXPECT_TRUE(text.contains(QString::fromStdString(ownCode)))
        << "a record outside grid " << ownCode << ": " << text.toStdString();
  }
  // Zoomed on the own grid, clicks must reach its records.
  auto* sc = w->view()->districtScene();
  const auto shape = gm::xyShape(w->twin()->district().grids().shape, own);
  osg::BoundingBox box;
  for (const auto& pl : shape.polygons) {
    for (const auto& p : pl.outer) box.expandBy(sc->toLocal(p.x, p.y));
  }
  w->view()->setView(gs::topView(box, double(w->view()->width()) / w->view()->height()));
  w->view()->grabFramebuffer();
  for (int k = 0; k < 200; ++k) {
    const QPoint at(static_cast<int>(rng() % w->view()->width()),
                    static_cast<int>(rng() % w->view()->height()));
    QTest::mouseClick(w->view(), Qt::LeftButton, Qt::NoModifier, at);
    const QString text = w->identifyPanel()->toPlainText();
    if (text.contains("Building") || text.contains("Event") || text.contains("Facility") ||
        text.contains("Station head")) {
      ++records;
      EXPECT_TRUE(text.contains(QString::fromStdString(ownCode))) << text.toStdString();
    } else if (text.contains("网格 Grid") && !text.contains(QString::fromStdString(ownCode))) {
      EXPECT_TRUE(text.contains("Outside your scope")) << text.toStdString();
    }
  }
  // And every own building, clicked on its roof, is identified.
  const auto& b = w->twin()->district().buildings();
  int ownBuildings = 0;
  for (std::uint32_t i = 0; i < b.size(); ++i) {
    if (b.grid[i] != own) continue;
    const auto footprint = gm::xyShape(b.footprint, i);
    const auto c = gridtwin::geo::centroid(footprint.polygons.front());
    if (!gridtwin::geo::within(c, footprint)) continue;
    QTest::mouseClick(w->view(), Qt::LeftButton, Qt::NoModifier,
                      widgetPosition(w->view(), sc->toLocal(c.x, c.y, b.heightM[i])));
    const QString text = w->identifyPanel()->toPlainText();
    EXPECT_TRUE(text.contains(QString("Building %1").arg(b.id[i]))) << text.toStdString();
    ++ownBuildings;
  }
  EXPECT_GT(ownBuildings, 0);
  EXPECT_GT(records, 0);
}

// Issue 14's room picking: near a building model, a click names the room
// under the cursor with its room address; the BIM panel isolates a storey and
// the next click finds that storey's room.
TEST(ViewerApp, ClickingABuildingModelNamesTheRoomAndIsolatesItsStorey) {
  auto w = openWindow("district", "");
  if (!w->bimReady()) {
    QSignalSpy ready(w.get(), &gv::MainWindow::bimReadyChanged);
    ASSERT_TRUE(ready.wait(120000)) << "the building models did not load";
  }
  auto* bim = w->bimModels();
  ASSERT_NE(bim, nullptr) << "the small district's models did not load";
  const gridtwin::rooms::Loaded& loaded = *w->bimLoaded();
  std::int32_t i = -1;
  for (std::size_t k = 0; k < bim->size() && i < 0; ++k) {
    const auto& m = loaded.models[bim->input(k)];
    if (m.source == "generated" && m.model.storeys.size() >= 2) i = static_cast<std::int32_t>(k);
  }
  ASSERT_GE(i, 0) << "no generated model of two storeys or more";
  const auto& bm = loaded.models[bim->input(static_cast<std::size_t>(i))];
  // Straight down over the plan centre of a matched room of `floor`.
  auto aboveRoom = [&](int floor) {
    for (std::size_t s = 0; s < bm.model.spaces.size(); ++s) {
      const auto& sp = bm.model.spaces[s];
      if (bm.links.spaces[s].house < 0 || sp.bounds.empty() || sp.storey < 0) continue;
      if (bm.links.storeys[static_cast<std::size_t>(sp.storey)].floor != floor) continue;
      const auto c =
          gridtwin::bim::place(bm.anchor, bm.model.bounds,
                               {(sp.bounds.min.x + sp.bounds.max.x) / 2,
                                (sp.bounds.min.y + sp.bounds.max.y) / 2, bm.model.bounds.max.z});
      const osg::Vec3d local = w->view()->districtScene()->toLocal(c.x, c.y, c.z);
      w->view()->setView(gs::obliqueView(local, 150, 0, 0));
      w->view()->grabFramebuffer();
      return widgetPosition(w->view(), local);
    }
    ADD_FAILURE() << "no matched room on floor " << floor;
    return QPoint();
  };
  auto access =
      gridtwin::query::makeAccess(w->twin()->district(), gridtwin::query::Role::kDistrict, "");
  ASSERT_TRUE(access);
  // The room and its address as engine/rooms gives them, for the floor.
  auto expectRoomOnFloor = [&](int floor) {
    const QString text = w->identifyPanel()->toPlainText();
    EXPECT_TRUE(text.contains(QString("Building %1").arg(bm.buildingId))) << text.toStdString();
    bool found = false;
    for (std::size_t s = 0; s < bm.model.spaces.size() && !found; ++s) {
      const auto r = gridtwin::rooms::room(*w->twin(), *access, bm, s);
      if (!r.matched || r.floor != floor) continue;
      found = text.contains(QString::fromStdString("Room " + r.number)) &&
              text.contains(QString::fromStdString(r.address));
    }
    EXPECT_TRUE(found) << "no room of floor " << floor << " in: " << text.toStdString();
  };
  // The highest floor with room addresses (the small district's upper
  // floors may have none): the first room under the roof there.
  int highest = 0;
  for (std::size_t s = 0; s < bm.model.spaces.size(); ++s) {
    const auto storey = bm.model.spaces[s].storey;
    if (bm.links.spaces[s].house >= 0 && storey >= 0) {
      highest = std::max(highest, bm.links.storeys[static_cast<std::size_t>(storey)].floor);
    }
  }
  ASSERT_GT(highest, 1);
  QTest::mouseClick(w->view(), Qt::LeftButton, Qt::NoModifier, aboveRoom(highest));
  EXPECT_EQ(w->bimPanel()->selected(), i);
  expectRoomOnFloor(highest);
  // Only the lowest storey: the click reaches its room.
  w->bimPanel()->storeyBox()->setCurrentIndex(1);
  EXPECT_EQ(bim->isolated(static_cast<std::size_t>(i)),
            bim->storeyAtRank(static_cast<std::size_t>(i), 0));
  QTest::mouseClick(w->view(), Qt::LeftButton, Qt::NoModifier, aboveRoom(1));
  expectRoomOnFloor(1);
  w->bimPanel()->explodeBox()->setValue(3);
  EXPECT_FLOAT_EQ(bim->exploded(static_cast<std::size_t>(i)), 3.f);
}

// gridtwin-viewer --measure-startup (scripts/bench's start, identify and
// memory figures): every click it times lands on the building it aims at (or
// a facility symbol drawn over that roof), and its figures are in order.
TEST(ViewerApp, TheStartupProbeClicksTheBuildingsItTimes) {
  gv::ViewerOptions o;
  o.role = "district";
  o.now = kNow;
  gv::MainWindow w(o);
  w.resize(1280, 900);
  w.show();
  std::optional<gv::StartupFigures> got;
  gv::probeStartup(w, GRIDTWIN_SMALL_DISTRICT, 8, [&](const gv::StartupFigures& f) { got = f; });
  QElapsedTimer waited;
  waited.start();
  while (!got && waited.elapsed() < 180000)
    QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
  ASSERT_TRUE(got.has_value()) << "the probe never finished";
  EXPECT_TRUE(got->opened);
  EXPECT_EQ(got->clicks, 8);
  EXPECT_EQ(got->identified + got->facilities, got->clicks);
  EXPECT_GT(got->identified, 0);
  EXPECT_GE(got->firstFrameEpochMs, got->openStartEpochMs);
  EXPECT_GT(got->openedRssMb, 0);
  EXPECT_GE(got->peakRssMb, got->firstFrameRssMb);
  EXPECT_TRUE(got->modelsLoaded);
  EXPECT_LE(got->identifyMedianMs, got->identifyMaxMs);
}

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
