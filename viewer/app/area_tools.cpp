#include "app/area_tools.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QDockWidget>
#include <QFileDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QMainWindow>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPointer>
#include <QToolBar>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>
#include <cstdio>
#include <thread>

#include "app/osg_widget.h"

namespace gridtwin::viewer {
namespace {

constexpr int kSamePointPx = 4;  // a vertex this close to the last one is the same vertex

QString q(std::string_view s) {
  return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

struct ToolEntry {
  AreaTools::Mode mode;
  const char* text;
  const char* tip;
};
const ToolEntry kTools[] = {
    {AreaTools::Mode::kBox, "▭ Box", "Area query: a box (drag, or click two corners)"},
    {AreaTools::Mode::kCircle, "◯ Circle", "Area query: a circle (drag, or click centre and rim)"},
    {AreaTools::Mode::kPolygon, "⬠ Polygon",
     "Area query: a polygon (click vertices; double click or Enter closes)"},
    {AreaTools::Mode::kMeasureLine, "📏 Distance",
     "Measure a distance along a polyline (double click or Enter ends)"},
    {AreaTools::Mode::kMeasureArea, "Area m²",
     "Measure an area (click vertices; double click or Enter closes)"},
    {AreaTools::Mode::kBoundary, "Boundary…",
     "Grid-head mode: draw the grid's new boundary and preview the edit"},
};

}  // namespace

AreaTools::AreaTools(QMainWindow* window, OsgWidget* view)
    : QObject(window), m_window(window), m_view(view) {
  m_toolBar = window->addToolBar("Area");
  m_toolBar->setObjectName("area_tools");
  m_group = new QActionGroup(this);
  m_group->setExclusionPolicy(QActionGroup::ExclusionPolicy::ExclusiveOptional);
  for (const auto& t : kTools) {
    auto* a = m_toolBar->addAction(QString::fromUtf8(t.text));
    a->setToolTip(QString::fromUtf8(t.tip));
    a->setCheckable(true);
    a->setData(static_cast<int>(t.mode));
    m_group->addAction(a);
    if (t.mode == Mode::kBoundary) a->setVisible(false);  // grid-head mode only
  }
  connect(m_group, &QActionGroup::triggered, this, [this](QAction* a) {
    setMode(a->isChecked() ? static_cast<Mode>(a->data().toInt()) : Mode::kNone);
  });
  m_measure = new QLabel;
  m_measure->setMinimumWidth(160);
  m_toolBar->addWidget(m_measure);

  // A tree, not HTML: laying out a rich-text table of CJK rows took the GUI
  // thread 30-90 ms, a tree of the same rows a few.
  m_headline = new QLabel("Draw a box, a circle or a polygon with the Area tools.");
  m_headline->setWordWrap(true);
  m_panel = new QTreeWidget;
  m_panel->setColumnCount(2);
  m_panel->setHeaderLabels({"", "count"});
  m_panel->setUniformRowHeights(true);
  auto* box = new QWidget;
  auto* layout = new QVBoxLayout(box);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_headline);
  layout->addWidget(m_panel);
  auto* bar = new QToolBar;
  m_export = bar->addAction("Export hits… 导出", this, &AreaTools::exportDialog);
  m_export->setEnabled(false);
  layout->addWidget(bar);
  auto* dock = new QDockWidget("Area query 区域查询", window);
  dock->setObjectName("area_query");
  dock->setWidget(box);
  window->addDockWidget(Qt::RightDockWidgetArea, dock);

  m_view->installEventFilter(this);
}

AreaTools::~AreaTools() = default;

void AreaTools::setDistrict(std::shared_ptr<const query::Twin> twin, const query::Access& access,
                            std::shared_ptr<scene::DistrictScene> sc, std::int64_t now, int hours,
                            std::string dataset) {
  ++m_generation;  // answers for the previous district are dropped
  m_busy = false;
  m_answer.reset();
  m_overlay.reset();
  m_twin = std::move(twin);
  m_access = access;
  m_scene = std::move(sc);
  m_now = now;
  m_hours = hours;
  m_dataset = std::move(dataset);
  if (m_scene) m_overlay = std::make_unique<scene::Overlay>(m_scene->root());
  action(Mode::kBoundary)->setVisible(m_access->role == query::Role::kGridHead);
  m_points.clear();
  m_screen.clear();
  m_finished.clear();
  m_export->setEnabled(false);
}

QAction* AreaTools::action(Mode mode) const {
  for (auto* a : m_group->actions()) {
    if (a->data().toInt() == static_cast<int>(mode)) return a;
  }
  return nullptr;
}

void AreaTools::setMode(Mode mode) {
  m_mode = mode;
  for (auto* a : m_group->actions()) {
    a->setChecked(mode != Mode::kNone && a->data().toInt() == static_cast<int>(mode));
  }
  m_points.clear();
  m_screen.clear();
  m_hover.reset();
  m_view->setMouseTracking(mode != Mode::kNone);
  m_view->setCursor(mode == Mode::kNone ? Qt::ArrowCursor : Qt::CrossCursor);
  redraw();
}

std::optional<osg::Vec3d> AreaTools::ground(QPoint p) const {
  if (!m_scene) return std::nullopt;
  const double scale = m_view->devicePixelRatioF();
  return scene::groundPoint(m_view->osgView()->getCamera(), p.x() * scale,
                            (m_view->height() - p.y()) * scale);
}

bool AreaTools::addPoint(QPoint p) {
  if (m_mode == Mode::kNone || !m_scene) return false;
  if (!m_screen.empty() && (p - m_screen.back()).manhattanLength() <= kSamePointPx) return true;
  const auto g = ground(p);
  if (!g) return false;
  m_points.push_back(*g);
  m_screen.push_back(p);
  m_hover.reset();
  if ((m_mode == Mode::kBox || m_mode == Mode::kCircle) && m_points.size() == 2) {
    finish();
    return true;
  }
  redraw();
  return true;
}

void AreaTools::cancel() {
  m_points.clear();
  m_screen.clear();
  m_hover.reset();
  m_finished.clear();
  redraw();
}

namespace {
std::vector<osg::Vec3d> boxRing(const osg::Vec3d& a, const osg::Vec3d& b) {
  return {a, osg::Vec3d(b.x(), a.y(), 0), b, osg::Vec3d(a.x(), b.y(), 0)};
}
}  // namespace

void AreaTools::redraw() {
  if (!m_overlay) {
    m_measure->clear();
    return;
  }
  std::vector<osg::Vec3d> pts = m_points.empty() ? m_finished : m_points;
  const bool drawing = !m_points.empty();
  if (drawing && m_hover) pts.push_back(*m_hover);
  bool closed = drawing ? false : m_finishedClosed;
  bool filled = false;
  std::vector<osg::Vec3d> shape = pts;
  QString text;
  switch (m_mode) {
    case Mode::kBox:
      if (drawing && pts.size() >= 2) shape = boxRing(pts[0], pts[1]);
      closed = true;
      filled = true;
      break;
    case Mode::kCircle:
      if (drawing && pts.size() >= 2) {
        const double r = std::hypot(pts[1].x() - pts[0].x(), pts[1].y() - pts[0].y());
        shape = scene::circleRing(pts[0], r);
        text = "r " + q(formatLength(r)) + " · " + q(formatArea(osg::PI * r * r));
      }
      closed = true;
      filled = true;
      break;
    case Mode::kPolygon:
    case Mode::kMeasureArea:
    case Mode::kBoundary:
      closed = true;
      filled = m_mode != Mode::kBoundary;
      text = q(formatArea(polygonAreaM2(shape))) + " · perimeter " +
             q(formatLength(polylineLengthM(shape) +
                            (shape.size() > 2 ? (shape.back() - shape.front()).length() : 0)));
      break;
    case Mode::kMeasureLine:
      closed = false;
      text = q(formatLength(polylineLengthM(shape)));
      break;
    case Mode::kNone:
      break;
  }
  if (m_mode == Mode::kBox && shape.size() == 4) {
    text = q(formatLength(std::abs(shape[1].x() - shape[0].x()))) + " × " +
           q(formatLength(std::abs(shape[3].y() - shape[0].y()))) + " · " +
           q(formatArea(polygonAreaM2(shape)));
  }
  if (m_mode == Mode::kNone) shape.clear();
  m_overlay->setShape(shape, closed, filled);
  m_measure->setText(shape.size() >= 2 ? text : QString());
  if (shape.size() >= 2) emit measured(text);
  m_view->update();
}

void AreaTools::finish() {
  if (m_mode == Mode::kNone) return;
  m_hover.reset();
  const std::vector<osg::Vec3d> pts = m_points;
  const std::size_t need =
      (m_mode == Mode::kMeasureLine || m_mode == Mode::kBox || m_mode == Mode::kCircle) ? 2 : 3;
  if (pts.size() < need) return;  // keep drawing
  m_closedAt = std::chrono::steady_clock::now();
  m_points.clear();
  m_screen.clear();
  const osg::Vec3d origin = m_scene->origin();
  switch (m_mode) {
    case Mode::kBox:
      m_finished = boxRing(pts[0], pts[1]);
      m_finishedClosed = true;
      runQuery(boxAreaOf(pts[0], pts[1], origin), "区域查询 Box");
      break;
    case Mode::kCircle: {
      const double r = std::hypot(pts[1].x() - pts[0].x(), pts[1].y() - pts[0].y());
      m_finished = scene::circleRing(pts[0], r);
      m_finishedClosed = true;
      runQuery(circleAreaOf(pts[0], r, origin), "区域查询 Circle");
      break;
    }
    case Mode::kPolygon:
      m_finished = pts;
      m_finishedClosed = true;
      runQuery(polygonAreaOf(pts, origin), "区域查询 Polygon");
      break;
    case Mode::kMeasureLine:
      m_finished = pts;
      m_finishedClosed = false;
      break;
    case Mode::kMeasureArea:
      m_finished = pts;
      m_finishedClosed = true;
      break;
    case Mode::kBoundary: {
      m_finished = pts;
      m_finishedClosed = true;
      emit boundaryDrawn(polygonAreaOf(pts, origin).polygon);
      break;
    }
    case Mode::kNone:
      break;
  }
  // The finished shape stays drawn, with its measure, until the next one.
  redraw();
}

QString AreaTools::measureText() const { return m_measure->text(); }

QString AreaTools::panelText() const {
  QString text = m_headline->text() + "\n";
  for (int i = 0; i < m_panel->topLevelItemCount(); ++i) {
    const auto* g = m_panel->topLevelItem(i);
    for (int j = 0; j < g->childCount(); ++j) {
      text += g->text(0) + "\t" + g->child(j)->text(0) + "\t" + g->child(j)->text(1) + "\n";
    }
  }
  return text;
}

void AreaTools::runQuery(const query::Area& area, const QString& title) {
  if (!m_twin || !m_access) return;
  const std::uint64_t generation = ++m_generation;
  m_busy = true;
  m_headline->setText("Counting…");
  QPointer<AreaTools> self(this);
  auto twin = m_twin;
  std::thread([self, twin, access = *m_access, area, now = m_now, hours = m_hours, generation,
               title, origin = m_scene->origin()] {
    auto answer = runAreaQuery(*twin, access, area, now, hours);
    if (answer) answer->hitMarks = hitPoints(*twin, answer->selection, origin);
    QMetaObject::invokeMethod(
        qApp,
        [self, generation, answer = std::move(answer), title]() mutable {
          if (self) self->onAnswer(generation, std::move(answer), title);
        },
        Qt::QueuedConnection);
  }).detach();
}

void AreaTools::onAnswer(std::uint64_t generation, core::Result<AreaAnswer> answer, QString title) {
  if (generation != m_generation) return;  // a newer shape, or another district
  m_busy = false;
  if (!answer) {
    m_answer.reset();
    m_export->setEnabled(false);
    const QString why = q(answer.error().toString());
    m_panel->clear();
    m_headline->setText("This shape cannot be queried: " + why);
    std::fprintf(stderr, "gridtwin-viewer: area query: %s\n", why.toUtf8().constData());
    emit answered(false);
    return;
  }
  m_answer = std::move(*answer);
  const std::string scope = m_access->scope.isAll()
                                ? std::string("all")
                                : std::to_string(m_access->scope.count()) + " grid(s)";
  m_headline->setText(title +
                      QString::fromStdString(" — role " + std::string(query::name(m_access->role)) +
                                             ", scope " + scope + "; events of the last " +
                                             std::to_string(m_hours) + " h"));
  m_panel->setUpdatesEnabled(false);
  m_panel->clear();
  QTreeWidgetItem* group = nullptr;
  for (const auto& r : answerRows(*m_twin, *m_answer)) {
    if (!group || group->text(0) != q(r.group)) {
      group = new QTreeWidgetItem(m_panel, {q(r.group)});
      group->setExpanded(true);
    }
    auto* item = new QTreeWidgetItem(group, {q(r.key), QString::number(r.count)});
    item->setTextAlignment(1, Qt::AlignRight);
  }
  m_panel->setUpdatesEnabled(true);
  if (m_scene) m_scene->highlightBuildings(m_answer->selection.of(model::Kind::kBuilding));
  if (m_overlay) {
    m_overlay->setMarks(scene::Overlay::Marks::kHits, m_answer->hitMarks);
  }
  m_export->setEnabled(true);
  m_view->update();
  m_latencyMs =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - m_closedAt)
          .count();
  emit answered(true);
}

core::Result<void> AreaTools::exportHits(const std::string& path) const {
  if (!m_answer || !m_twin) {
    return core::makeError(core::ErrorCode::kInvalidArgument,
                           "no area query to export: draw a box, a circle or a polygon first",
                           path);
  }
  ExportFormat format;
  if (!exportFormatOf(path, format)) {
    return core::makeError(core::ErrorCode::kInvalidArgument,
                           "give the export a .gpkg, .csv or .geojson name", path);
  }
  return viewer::exportHits(*m_twin, *m_access, m_answer->selection, format, path, {m_dataset},
                            m_now);
}

void AreaTools::exportDialog() {
  const QString path =
      QFileDialog::getSaveFileName(m_window, "Export the hits", QString(),
                                   "GeoPackage (*.gpkg);;CSV (*.csv);;GeoJSON (*.geojson)");
  if (path.isEmpty()) return;
  QApplication::setOverrideCursor(Qt::WaitCursor);
  const auto r = exportHits(path.toStdString());
  QApplication::restoreOverrideCursor();
  if (!r) {
    QMessageBox::warning(m_window, "gridtwin",
                         "Could not export the hits:\n" + q(r.error().toString()));
  }
}

bool AreaTools::eventFilter(QObject* watched, QEvent* event) {
  if (watched != m_view || m_mode == Mode::kNone || !m_scene) return false;
  switch (event->type()) {
    case QEvent::MouseButtonPress: {
      auto* e = static_cast<QMouseEvent*>(event);
      if (e->button() != Qt::LeftButton || (e->modifiers() & Qt::ShiftModifier)) return false;
      m_pressAt = e->position().toPoint();
      m_pressed = true;
      if ((m_mode == Mode::kBox || m_mode == Mode::kCircle) && m_points.empty()) {
        addPoint(m_pressAt);  // the first corner or the centre; a drag ends the shape
      }
      return true;
    }
    case QEvent::MouseButtonRelease: {
      auto* e = static_cast<QMouseEvent*>(event);
      if (e->button() != Qt::LeftButton) return false;
      // A release whose press ended a shape (a double click) adds nothing.
      if (m_pressed) addPoint(e->position().toPoint());  // the press's point is skipped
      m_pressed = false;
      return true;
    }
    case QEvent::MouseButtonDblClick: {
      auto* e = static_cast<QMouseEvent*>(event);
      if (e->button() != Qt::LeftButton) return false;
      finish();
      m_pressed = false;
      return true;
    }
    case QEvent::MouseMove: {
      auto* e = static_cast<QMouseEvent*>(event);
      if (!m_points.empty()) {
        m_hover = ground(e->position().toPoint());
        redraw();
      }
      return m_pressed;  // a drag draws; it does not orbit
    }
    case QEvent::KeyPress: {
      auto* e = static_cast<QKeyEvent*>(event);
      if (e->key() == Qt::Key_Return || e->key() == Qt::Key_Enter) {
        finish();
        return true;
      }
      if (e->key() == Qt::Key_Escape) {
        cancel();
        return true;
      }
      if (e->key() == Qt::Key_Backspace && !m_points.empty()) {
        m_points.pop_back();
        m_screen.pop_back();
        redraw();
        return true;
      }
      return false;
    }
    default:
      return false;
  }
}

}  // namespace gridtwin::viewer
