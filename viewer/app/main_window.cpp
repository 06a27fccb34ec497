#include "app/main_window.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QProgressBar>
#include <QStatusBar>
#include <QTextBrowser>
#include <QToolBar>
#include <QTreeWidget>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "app/area_query.h"
#include "app/area_tools.h"
#include "app/bim_panel.h"
#include "app/edit_preview.h"
#include "app/layer_tree.h"
#include "app/open_twin.h"
#include "app/osg_widget.h"
#include "query/query.h"
#include "query/records.h"

namespace gridtwin::viewer {
namespace {

QString q(std::string_view s) {
  return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}
QString esc(std::string_view s) { return q(s).toHtmlEscaped(); }

constexpr std::size_t kListMax = 50;  // rows listed per kind in the identify panel
constexpr double kPickRadiusPx = 8;   // a click this close to a marker picks it

struct LayerEntry {
  scene::Layer layer;
  const char* name;
};
const LayerEntry kLayers[] = {
    {scene::Layer::kGridFill, "网格 Grids (fill)"},
    {scene::Layer::kGridLines, "网格边界 Grid boundaries"},
    {scene::Layer::kCommunityLines, "社区边界 Community boundaries"},
    {scene::Layer::kStreetLines, "镇街边界 Street boundaries"},
    {scene::Layer::kRoads, "道路 Roads"},
    {scene::Layer::kBuildings, "建筑 Buildings"},
    {scene::Layer::kFacilities, "实有设施 Facilities"},
    {scene::Layer::kEvents, "事件 Events"},
    {scene::Layer::kLabels, "注记 Labels"},
};

}  // namespace

MainWindow::MainWindow(ViewerOptions options) : m_options(std::move(options)) {
  if (m_options.sharedData.empty()) m_options.sharedData = GRIDTWIN_SHARED_DATA;
  buildUi();
  if (!m_options.dataset.empty()) openDataset(QString::fromStdString(m_options.dataset));
}

MainWindow::~MainWindow() = default;

void MainWindow::buildUi() {
  setWindowTitle("gridtwin — 禅城区 digital twin");
  resize(1280, 800);
  m_view = new OsgWidget(this);
  setCentralWidget(m_view);
  connect(m_view, &OsgWidget::clicked, this, &MainWindow::identifyAt);

  auto* file = menuBar()->addMenu("&File");
  file->addAction("&Open district…", this, [this] {
    const QString path =
        QFileDialog::getOpenFileName(this, "Open a district", QString(), "GeoPackage (*.gpkg)");
    if (!path.isEmpty()) openDataset(path);
  });
  file->addAction("&Add layer…", this, &MainWindow::addLayerDialog);
  file->addSeparator();
  file->addAction("&Quit", QKeySequence::Quit, this, &QWidget::close);

  auto* tools = addToolBar("View");
  tools->setObjectName("view_tools");
  tools->addAction("Home", m_view, &OsgWidget::home);
  // 2D: a map (orthographic, straight down) of where the view is; 3D: back
  // to the tilted perspective there.
  tools->addAction("2D", m_view, [this] { m_view->setFlat(true); });
  tools->addAction("3D", m_view, [this] { m_view->setFlat(false); });
  tools->addSeparator();
  m_search = new QLineEdit;
  m_search->setPlaceholderText("grid / community / street, entity name or address");
  m_search->setMaximumWidth(320);
  tools->addWidget(m_search);
  connect(m_search, &QLineEdit::returnPressed, this, &MainWindow::search);

  m_layers = new QTreeWidget;
  m_layers->setHeaderHidden(true);
  auto* district = new QTreeWidgetItem(m_layers, {"District 区"});
  for (const auto& e : kLayers) {
    auto* item = new QTreeWidgetItem(district, {QString::fromUtf8(e.name)});
    item->setData(0, Qt::UserRole, static_cast<int>(e.layer));
    item->setCheckState(0, Qt::Checked);
  }
  m_layers->expandAll();
  m_layerTree = new LayerTree(m_layers, layerCatalogPath());
  connect(m_layerTree, &LayerTree::problem, this, &MainWindow::showProblem);
  connect(m_layerTree, &LayerTree::changed, m_view, qOverload<>(&QWidget::update));
  connect(m_layers, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem* item, int) {
    const QVariant layer = item->data(0, Qt::UserRole);
    if (!layer.isValid() || !m_view->districtScene()) return;
    m_view->districtScene()->setVisible(static_cast<scene::Layer>(layer.toInt()),
                                        item->checkState(0) == Qt::Checked);
    m_view->update();
  });
  auto* layersDock = new QDockWidget("Layers 图层", this);
  layersDock->setObjectName("layers");
  layersDock->setWidget(m_layers);
  addDockWidget(Qt::LeftDockWidgetArea, layersDock);

  m_identify = new QTextBrowser;
  m_identify->setOpenLinks(false);
  m_identify->setHtml("<p>Click a building or a grid.</p>");
  auto* identifyDock = new QDockWidget("Identify 查询", this);
  identifyDock->setObjectName("identify");
  identifyDock->setWidget(m_identify);
  addDockWidget(Qt::RightDockWidgetArea, identifyDock);

  m_bimPanel = new BimPanel;
  connect(m_bimPanel, &BimPanel::sceneChanged, m_view, qOverload<>(&QWidget::update));
  auto* bimDock = new QDockWidget("BIM 建筑模型", this);
  bimDock->setObjectName("bim");
  bimDock->setWidget(m_bimPanel);
  addDockWidget(Qt::RightDockWidgetArea, bimDock);

  m_status = new QLabel;
  m_progress = new QProgressBar;
  m_progress->setRange(0, 0);  // busy: the open has no meaningful fraction
  m_progress->setMaximumWidth(160);
  m_progress->hide();
  statusBar()->addWidget(m_status, 1);
  statusBar()->addPermanentWidget(m_progress);
  m_areaTools = new AreaTools(this, m_view);
  m_editPreview = new EditPreviewPanel(this, m_areaTools);
}

void MainWindow::openDataset(const QString& path) {
  if (m_loading) return;
  m_loading = true;
  m_datasetPath = path;
  m_progress->show();
  m_status->setText("Opening " + path + " …");
  const ViewerOptions o = m_options;
  const std::string file = path.toStdString();
  m_openedPath = file;
  // The worker owns nothing of the window; it hands its results back through
  // a queued call, which Qt drops if the window is gone.
  QPointer<MainWindow> self(this);
  std::thread([self, o, file] {
    std::shared_ptr<query::Twin> twin;
    std::shared_ptr<scene::DistrictScene> sc;
    std::optional<query::Access> access;
    QString error;
    auto t = openTwin(file);
    if (!t) {
      error = QString::fromStdString(t.error().toString());
    } else {
      twin = std::shared_ptr<query::Twin>(std::move(*t));
      query::Role role{};
      if (!query::parseRole(o.role, role)) {
        error = QString::fromStdString("unknown role '" + o.role + "'");
      } else if (auto a = query::makeAccess(twin->district(), role, o.scope); !a) {
        error = QString::fromStdString(a.error().toString());
      } else {
        access = *a;
        scene::SceneOptions so;
        if (!a->scope.isAll()) so.scope = a->scope.grids();
        so.now = o.now;
        so.eventHours = o.hours;
        // Buildings with a model get their own slot (scene/bim.h); the
        // models themselves load after the open (startBim).
        if (file.rfind("postgresql:", 0) != 0) {
          if (auto rows = rooms::modelBuildings(file, *twin)) so.modelBuildings = *rows;
        }
        sc = scene::DistrictScene::build(twin->district(), so);
      }
    }
    QMetaObject::invokeMethod(
        qApp,
        [self, twin, sc, access, error] {
          if (self) self->onLoaded(twin, sc, access, error);
        },
        Qt::QueuedConnection);
  }).detach();
}

void MainWindow::onLoaded(std::shared_ptr<query::Twin> twin,
                          std::shared_ptr<scene::DistrictScene> sc,
                          std::optional<query::Access> access, QString error) {
  m_loading = false;
  m_progress->hide();
  if (!error.isEmpty()) {
    // Status bar, stderr and a box that does not block: the window (and a
    // --measure-startup run, which has no one to close a box) goes on.
    showProblem("Could not open the district: " + error);
    emit datasetOpened(false);
    return;
  }
  m_twin = std::move(twin);
  m_access = std::move(access);
  m_scene = sc;
  m_view->setScene(sc);
  m_areaTools->setDistrict(m_twin, *m_access, sc, m_options.now, m_options.hours,
                           m_datasetPath.toStdString());
  m_editPreview->setDistrict(m_twin, *m_access, sc, m_datasetPath.toStdString());
  startFinder();
  {
    // Extruded catalogue layers (buildings by floors) stand as tall as the
    // district's own buildings: heights by building id, indexed on the first
    // extruded layer's worker (never on the GUI thread, never when no such
    // layer is shown).
    struct Heights {
      std::shared_ptr<const query::Twin> twin;
      std::once_flag once;
      std::unordered_map<std::int64_t, float> byId;
    };
    auto heights = std::make_shared<Heights>();
    heights->twin = m_twin;
    m_layerTree->setHeights([heights](std::string_view ref) {
      std::call_once(heights->once, [&h = *heights] {
        const auto& b = h.twin->district().buildings();
        h.byId.reserve(b.size());
        for (std::size_t i = 0; i < b.size(); ++i) h.byId[b.id[i]] = b.heightM[i];
      });
      std::int64_t id = 0;
      const auto [end, ec] = std::from_chars(ref.data(), ref.data() + ref.size(), id);
      if (ec != std::errc() || end != ref.data() + ref.size()) return 0.f;
      const auto it = heights->byId.find(id);
      return it == heights->byId.end() ? 0.f : it->second;
    });
  }
  m_layerTree->setScene(sc, m_openedPath);
  addPendingLayers();
  startBim();
  const auto& st = sc->stats();
  m_status->setText(QString("%1 buildings, %2 facilities, %3 events in %4 drawables — role %5")
                        .arg(st.buildings)
                        .arg(st.facilities)
                        .arg(st.events)
                        .arg(st.drawables)
                        .arg(q(query::name(m_access->role))));
  emit datasetOpened(true);
}

void MainWindow::identifyAt(QPoint p) {
  auto* sc = m_view->districtScene();
  if (!sc || !m_twin) return;
  if (auto* overlay = m_areaTools->overlay()) overlay->setLabel({}, {});
  const double scale = m_view->devicePixelRatioF();
  const auto hit =
      sc->pick(m_view->osgView()->getCamera(), p.x() * scale, (m_view->height() - p.y()) * scale);
  if (!hit) {
    sc->clearHighlight();
    m_identify->setHtml("<p>Nothing here.</p>");
    m_view->update();
    return;
  }
  // Events and facilities are points: the nearest drawn one within
  // kPickRadiusPx of the ground hit wins over the grid under it.
  if (hit->kind == model::Kind::kGrid) {
    osg::Vec3d eye, center, up;
    m_view->osgView()->getCamera()->getViewMatrixAsLookAt(eye, center, up);
    double fovy = 30, aspect = 1, zn = 1, zf = 1, left, right, bottom, top;
    const auto* camera = m_view->osgView()->getCamera();
    const double dist = (eye - sc->toLocal(hit->x, hit->y, hit->z)).length();
    double metresPerPixel = 0;
    if (camera->getProjectionMatrixAsOrtho(left, right, bottom, top, zn, zf)) {  // 2D
      metresPerPixel = (top - bottom) / (m_view->height() * scale);
    } else {
      camera->getProjectionMatrixAsPerspective(fovy, aspect, zn, zf);
      metresPerPixel =
          dist * 2 * std::tan(osg::DegreesToRadians(fovy) / 2) / (m_view->height() * scale);
    }
    const double r = kPickRadiusPx * scale * metresPerPixel;
    if (auto e = nearestShown(model::Kind::kEvent, {hit->x, hit->y}, r)) {
      sc->clearHighlight();
      showEvent(*e);
      m_view->update();
      return;
    }
    if (auto f = nearestShown(model::Kind::kFacility, {hit->x, hit->y}, r)) {
      sc->clearHighlight();
      showFacility(*f);
      m_view->update();
      return;
    }
  }
  sc->highlight(hit->kind, hit->row);
  QString room;
  if (m_bim) {
    m_bim->clearRoom();
    if (hit->kind == model::Kind::kBuilding && hit->model >= 0) {
      m_bim->highlightRoom(static_cast<std::size_t>(hit->model), hit->space);
      m_bimPanel->select(hit->model);
      room = roomHtml(hit->model, hit->space, hit->storey);
    }
  }
  if (auto* overlay = m_areaTools->overlay(); overlay && hit->kind == model::Kind::kBuilding) {
    // The picked building's label, masked by scope like the panel.
    overlay->setLabel(buildingLabel(*m_twin, *m_access, hit->row),
                      sc->toLocal(hit->x, hit->y, hit->z + 2));
  }
  if (hit->kind == model::Kind::kBuilding) showBuilding(hit->row, room);
  if (hit->kind == model::Kind::kGrid) showGrid(hit->row);
  m_view->update();
}

void MainWindow::startBim() {
  m_bim.reset();
  m_bimLoaded.reset();
  m_bimReady = false;
  m_bimPanel->setModels(nullptr, nullptr);
  const std::string path = m_datasetPath.toStdString();
  if (path.rfind("postgresql:", 0) == 0) {
    m_bimReady = true;
    emit bimReadyChanged();
    return;
  }
  QPointer<MainWindow> self(this);
  std::shared_ptr<const query::Twin> twin = m_twin;
  std::shared_ptr<scene::DistrictScene> sc = m_scene;
  const std::string shared = m_options.sharedData;
  std::thread([self, twin, sc, path, shared] {
    rooms::LoadOptions lo;
    lo.sharedData = shared;
    std::shared_ptr<rooms::Loaded> loaded;
    std::shared_ptr<scene::BimModels> models;
    QString problem;
    if (auto l = rooms::loadModels(path, *twin, lo)) {
      loaded = std::make_shared<rooms::Loaded>(std::move(*l));
      std::vector<scene::ModelInput> inputs;
      for (const auto& m : loaded->models) inputs.push_back({m.building, &m.model, m.anchor});
      models = scene::BimModels::build(*sc, inputs);
      for (const auto& p : loaded->problems) problem += QString::fromStdString(p) + "\n";
    } else {
      problem = QString::fromStdString(l.error().toString());
    }
    QMetaObject::invokeMethod(
        qApp,
        [self, sc, loaded, models, problem] {
          if (!self || self->m_scene != sc) return;  // another district opened meanwhile
          if (!problem.isEmpty()) {
            std::fprintf(stderr, "gridtwin-viewer: building models: %s\n",
                         problem.trimmed().toUtf8().constData());
          }
          if (models && models->size() > 0) {
            models->attach(*sc);
            self->m_bim = models;
            self->m_bimLoaded = loaded;
            self->m_bimPanel->setModels(models, loaded);
            self->m_status->setText(self->m_status->text() +
                                    QString(" · %1 building models").arg(models->size()));
            self->m_view->update();
          }
          self->m_bimReady = true;
          emit self->bimReadyChanged();
        },
        Qt::QueuedConnection);
  }).detach();
}

QString MainWindow::roomHtml(std::int32_t model, std::int32_t space, std::int32_t storey) const {
  if (!m_bim || !m_bimLoaded || model < 0) return {};
  const rooms::BuildingModel& bm =
      m_bimLoaded->models[m_bim->input(static_cast<std::size_t>(model))];
  QString h = QString("<p><i>BIM: %1 (%2)</i></p>").arg(esc(bm.file), q(bm.model.schema));
  if (space < 0) {
    if (storey >= 0 && static_cast<std::size_t>(storey) < bm.model.storeys.size()) {
      h += "<p>storey " + esc(bm.model.storeys[static_cast<std::size_t>(storey)].name) + "</p>";
    }
    return h;
  }
  const rooms::Room r = rooms::room(*m_twin, *m_access, bm, static_cast<std::size_t>(space));
  h += "<h3>房间 Room " + esc(r.number) + (r.name.empty() ? "" : " " + esc(r.name)) + "</h3>";
  h += "<p>storey " + esc(r.storey) +
       (r.floor > 0 ? QString(" → floor %1").arg(r.floor) : QString(" (no floor matched)")) +
       "</p>";
  if (!r.matched) return h + "<p>No room address matches this space: " + esc(r.problem) + "</p>";
  h += "<p>" + esc(r.address) + QString(" · house %1</p>").arg(r.houseId);
  if (!r.inScope) return h + "<p>Residents: outside your scope.</p>";
  h += QString("<p>%1 residents").arg(r.residents.size());
  for (const auto& p : r.residents) {
    h += "<br>" + esc(p.name) + " · " + esc(p.phone) + " · " + esc(p.idNumber);
  }
  return h + "</p><hr>";
}

std::optional<std::uint32_t> MainWindow::nearestShown(model::Kind kind, geo::Point at,
                                                      double radiusM) const {
  const auto layer =
      kind == model::Kind::kEvent ? scene::Layer::kEvents : scene::Layer::kFacilities;
  if (!m_view->districtScene()->visible(layer)) return std::nullopt;
  std::vector<std::uint32_t> hits;
  m_twin->search(kind).radius(at, radiusM, hits);
  const auto& d = m_twin->district();
  const auto points = m_twin->points(kind);
  std::optional<std::uint32_t> best;
  double bestD2 = radiusM * radiusM;
  for (auto row : hits) {
    if (!m_access->scope.contains(m_twin->gridOf(kind, row))) continue;
    if (kind == model::Kind::kEvent) {
      const auto t = d.events().reportedAt[row];
      if (t <= m_options.now - std::int64_t{m_options.hours} * 3600 || t > m_options.now) continue;
    }
    const double dx = points[row].x - at.x, dy = points[row].y - at.y;
    if (dx * dx + dy * dy <= bestD2) {
      bestD2 = dx * dx + dy * dy;
      best = row;
    }
  }
  return best;
}

void MainWindow::showEvent(std::uint32_t e) {
  const auto& d = m_twin->district();
  const auto& ev = d.events();
  const auto grid = ev.grid[e];
  QString h = QString("<h3>事件 Event %1</h3><p>%2 %3</p><p>%4 · %5 · reported %6</p>")
                  .arg(ev.id[e])
                  .arg(q(d.columns().categoryCodes[ev.category[e]]),
                       esc(d.columns().categoryNames[ev.category[e]]), q(model::name(ev.status[e])),
                       q(model::name(ev.source[e])), q(query::formatTime(ev.reportedAt[e])));
  h += QString("<p>grid %1 %2 · dispatch level %3</p>")
           .arg(q(d.grids().code[grid]), esc(d.grids().name[grid]), q(model::name(ev.level[e])));
  const std::int32_t head = m_twin->stationHeadOf(grid);
  if (head >= 0) {
    const auto s = query::viewStaff(*m_twin, *m_access, static_cast<std::uint32_t>(head));
    h += "<p>Station head (网格站长): " + esc(s.name) + " " + esc(s.phone) + "</p>";
  }
  m_identify->setHtml(h);
}

void MainWindow::showFacility(std::uint32_t f) {
  const auto& d = m_twin->district();
  const auto& fs = d.facilities();
  const auto owner = fs.owner[f];
  QString h = QString("<h3>设施 Facility %1</h3><p>%2</p><p>owner: %3</p><p>grid %4</p>")
                  .arg(fs.id[f])
                  .arg(esc(d.columns().facilityTypeNames[fs.type[f]]),
                       owner >= 0 ? esc(d.columns().departments[static_cast<std::size_t>(owner)])
                                  : QString("无主部件 (no owner)"),
                       q(d.grids().code[fs.grid[f]]));
  m_identify->setHtml(h);
}

void MainWindow::showBuilding(std::uint32_t b, const QString& room) {
  const auto& d = m_twin->district();
  const auto& bs = d.buildings();
  const std::uint32_t grid = bs.grid[b];
  if (!m_access->scope.contains(grid)) {
    m_identify->setHtml("<p>This building is outside your scope.</p>");
    return;
  }
  const auto dis = m_access->disclosure();
  QString h = room;
  h += QString("<h3>建筑 Building %1</h3>").arg(bs.id[b]);
  if (bs.address[b] >= 0) {
    h += "<p>" + esc(d.addresses().fullText[static_cast<std::size_t>(bs.address[b])]) + "</p>";
  }
  h += QString("<p>%1 · %2 floors · %3 m · grid %4 %5</p>")
           .arg(q(model::name(bs.use[b])))
           .arg(bs.floors[b])
           .arg(static_cast<double>(bs.heightM[b]), 0, 'f', 1)
           .arg(q(d.grids().code[grid]), esc(d.grids().name[grid]));
  const auto houses = m_twin->housesOfBuilding(b);
  std::size_t people = 0;
  for (auto hs : houses) people += m_twin->peopleOfHouse(hs).size();
  h += QString("<p>%1 houses (实有房屋), %2 people (实有人口)</p>").arg(houses.size()).arg(people);
  // One line per resident: a QTextDocument table of 50 rows costs ~100 ms to
  // lay out, lines a few (the panel is filled within the 20 ms).
  h += "<p><b>room · name · phone · ID</b>";
  std::size_t listed = 0;
  const auto& ps = d.people();
  for (auto hs : houses) {
    for (auto person : m_twin->peopleOfHouse(hs)) {
      if (listed++ == kListMax) break;
      h +=
          "<br>" + esc(d.houses().room[hs]) + " · " + esc(query::shownName(dis, ps.name[person])) +
          " · " + esc(query::shownPhone(dis, ps.phone[person])) + " · " +
          esc(query::shownIdNumber(dis, model::fixedAt<model::kIdNumberSize>(ps.idNumber, person)));
    }
  }
  h += "</p>";
  if (people > kListMax) h += QString("<p>… and %1 more</p>").arg(people - kListMax);
  const auto entities = m_twin->entitiesOfBuilding(b);
  if (!entities.empty()) {
    h += QString("<p><b>%1 legal entities (实有法人)</b></p><ul>").arg(entities.size());
    for (std::size_t i = 0; i < entities.size() && i < kListMax; ++i) {
      h += "<li>" + esc(d.entities().name[entities[i]]) + "</li>";
    }
    h += "</ul>";
  }
  m_identify->setHtml(h);
}

void MainWindow::showGrid(std::uint32_t g) {
  const auto& d = m_twin->district();
  const auto& grids = d.grids();
  const auto community = grids.community[g];
  QString h = QString("<h3>网格 Grid %1</h3><p>%2</p><p>%3 · %4</p>")
                  .arg(q(grids.code[g]), esc(grids.name[g]), esc(d.communities().name[community]),
                       esc(d.streets().name[d.streetOfGrid(g)]));
  if (!m_access->scope.contains(g)) {
    h += "<p>Outside your scope: no records shown.</p>";
    m_identify->setHtml(h);
    return;
  }
  const std::int32_t head = m_twin->stationHeadOf(g);
  if (head >= 0) {
    const auto s = query::viewStaff(*m_twin, *m_access, static_cast<std::uint32_t>(head));
    h += "<p>Station head (网格站长): " + esc(s.name) + " " + esc(s.phone) + "</p>";
  }
  const auto workers = m_twin->workersOf(g);
  if (!workers.empty()) {
    h += "<p>Grid workers (网格员):";
    for (auto w : workers) {
      const auto s = query::viewStaff(*m_twin, *m_access, w);
      h += " " + esc(s.name) + " " + esc(s.phone) + ";";
    }
    h += "</p>";
  }
  h += QString(
           "<p>%1 buildings · %2 houses · %3 people · %4 entities · %5 facilities · %6 "
           "events</p>")
           .arg(m_twin->rowsInGrid(model::Kind::kBuilding, g).size())
           .arg(m_twin->rowsInGrid(model::Kind::kHouse, g).size())
           .arg(m_twin->rowsInGrid(model::Kind::kPerson, g).size())
           .arg(m_twin->rowsInGrid(model::Kind::kEntity, g).size())
           .arg(m_twin->rowsInGrid(model::Kind::kFacility, g).size())
           .arg(m_twin->rowsInGrid(model::Kind::kEvent, g).size());
  m_identify->setHtml(h);
}

void MainWindow::search() {
  auto* sc = m_view->districtScene();
  if (!sc || !m_twin) return;
  const std::string text = m_search->text().trimmed().toStdString();
  if (text.empty()) return;
  const auto& d = m_twin->district();
  // Codes and names of the three admin levels; the whole matching area is
  // framed from above.
  auto frame = [&](const auto& shape, std::uint32_t f) {
    osg::BoundingBox box;
    for (auto part = shape.partStart[f]; part < shape.partStart[f + 1]; ++part) {
      for (auto i = shape.pointStart[shape.ringStart[part]];
           i < shape.pointStart[shape.ringStart[part + 1]]; ++i) {
        box.expandBy(sc->toLocal(shape.xy[i].x, shape.xy[i].y));
      }
    }
    m_view->flyTo(scene::topView(box, double(m_view->width()) / std::max(1, m_view->height())));
  };
  auto find = [&](const auto& kind, model::Kind k) {
    for (std::uint32_t i = 0; i < kind.size(); ++i) {
      if (kind.code[i] == text || kind.name[i] == text) {
        frame(kind.shape, i);
        if (k == model::Kind::kGrid) {
          sc->highlight(k, i);
          showGrid(i);
        }
        m_status->setText(QString("%1 %2").arg(q(kind.code[i]), q(kind.name[i])));
        return true;
      }
    }
    return false;
  };
  if (find(d.grids(), model::Kind::kGrid) || find(d.communities(), model::Kind::kCommunity) ||
      find(d.streets(), model::Kind::kStreet)) {
    return;
  }
  if (searchFurther(m_search->text().trimmed())) return;
  m_status->setText("No grid, community or street is called '" + m_search->text() + "'");
}

}  // namespace gridtwin::viewer
