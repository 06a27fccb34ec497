#pragma once
// The map tools of the viewer's "Area" tool bar: draw a box, a circle or a
// polygon on the ground → the engine's counts by kind and category in the
// "Area query" panel (computed on a worker thread), the hits highlighted
// (buildings recoloured in the scene, facilities and events as marks) and
// exported (GeoPackage, CSV, GeoJSON; masked, cut to scope); measure a
// distance (polyline) or an area (polygon) live in EPSG:4547; and draw a
// grid's proposed boundary (grid-head mode, handed to the edit preview).
//
// Drawing: while a tool is on, left clicks on the view place vertices (ray to
// the ground plane), a left drag draws a box or a circle in one stroke, a
// double click or Enter closes a polygon or ends a measure, Backspace removes
// the last vertex, Escape cancels; middle drag and the wheel still navigate.
// With no tool on, clicks identify as before.
#include <QObject>
#include <QPoint>
#include <QString>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/area_query.h"
#include "query/access.h"
#include "query/twin.h"
#include "scene/overlay.h"
#include "scene/scene.h"

class QAction;
class QActionGroup;
class QLabel;
class QMainWindow;
class QToolBar;
class QTreeWidget;

namespace gridtwin::viewer {

class OsgWidget;

class AreaTools : public QObject {
  Q_OBJECT
 public:
  enum class Mode : unsigned char {
    kNone,
    kBox,
    kCircle,
    kPolygon,
    kMeasureLine,
    kMeasureArea,
    kBoundary
  };

  AreaTools(QMainWindow* window, OsgWidget* view);
  ~AreaTools() override;

  // A district is open (dataset: its path, which exports never overwrite).
  void setDistrict(std::shared_ptr<const query::Twin> twin, const query::Access& access,
                   std::shared_ptr<scene::DistrictScene> scene, std::int64_t now, int hours,
                   std::string dataset);

  void setMode(Mode mode);
  Mode mode() const { return m_mode; }
  // A vertex at widget position `p` of the view (what a click does); false
  // when the ray misses the ground.
  bool addPoint(QPoint p);
  // Closes the polygon / ends the measure (what a double click or Enter does).
  void finish();
  void cancel();

  // Counts `area` (EPSG:4547) on a worker thread; answered() when shown.
  void runQuery(const query::Area& area, const QString& title);
  bool busy() const { return m_busy; }
  const std::optional<AreaAnswer>& answer() const { return m_answer; }
  // Milliseconds from the shape's close to the counts in the panel.
  double lastLatencyMs() const { return m_latencyMs; }
  QTreeWidget* panel() const { return m_panel; }
  // The panel as text: its headline, then "group<TAB>key<TAB>count" lines.
  QString panelText() const;
  QString measureText() const;
  // Writes the last answer's hits (the format by the extension).
  core::Result<void> exportHits(const std::string& path) const;
  scene::Overlay* overlay() const { return m_overlay.get(); }
  QToolBar* toolBar() const { return m_toolBar; }
  QAction* action(Mode mode) const;
  // The vertices placed so far (local coordinates).
  const std::vector<osg::Vec3d>& points() const { return m_points; }

 signals:
  void answered(bool ok);
  void measured(QString text);
  // A proposed boundary for the grid-head edit preview (EPSG:4547, closed).
  void boundaryDrawn(geo::Polygon polygon);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  std::optional<osg::Vec3d> ground(QPoint p) const;
  void redraw();  // the shape so far plus the hover point; the measure text
  void onAnswer(std::uint64_t generation, core::Result<AreaAnswer> answer, QString title);
  void exportDialog();

  QMainWindow* m_window;
  OsgWidget* m_view;
  QToolBar* m_toolBar = nullptr;
  QActionGroup* m_group = nullptr;
  QLabel* m_measure = nullptr;
  QLabel* m_headline = nullptr;
  QTreeWidget* m_panel = nullptr;
  QAction* m_export = nullptr;

  std::shared_ptr<const query::Twin> m_twin;
  std::optional<query::Access> m_access;
  std::shared_ptr<scene::DistrictScene> m_scene;
  std::unique_ptr<scene::Overlay> m_overlay;
  std::int64_t m_now = 0;
  int m_hours = 24 * 7;
  std::string m_dataset;

  Mode m_mode = Mode::kNone;
  std::vector<osg::Vec3d> m_points;  // placed vertices
  std::vector<QPoint> m_screen;      // where they were placed
  std::optional<osg::Vec3d> m_hover;
  std::vector<osg::Vec3d> m_finished;  // the last closed shape (for the measure)
  bool m_finishedClosed = false;
  QPoint m_pressAt;
  bool m_pressed = false;

  std::uint64_t m_generation = 0;
  bool m_busy = false;
  std::optional<AreaAnswer> m_answer;
  std::chrono::steady_clock::time_point m_closedAt;
  double m_latencyMs = 0;
};

}  // namespace gridtwin::viewer
