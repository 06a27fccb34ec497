#pragma once
// The viewer's main window: the 3D view in the middle, the layer tree on the
// left, the identify panel on the right, a search box and the view tools in
// the tool bar. Opening a district runs on a worker thread (the engine's
// Twin and the scene are built there); the window stays responsive and shows
// progress, then takes the finished scene on the GUI thread.
#include <QMainWindow>

#include <memory>
#include <optional>
#include <string>

#include "query/access.h"
#include "query/twin.h"
#include "scene/scene.h"

class QLabel;
class QLineEdit;
class QProgressBar;
class QTextBrowser;
class QTreeWidget;
class QTreeWidgetItem;

namespace gridtwin::viewer {

class OsgWidget;

struct ViewerOptions {
  std::string dataset;
  std::string role = "planner";
  std::string scope;
  std::int64_t now = 0;
  int hours = 24 * 7;
};

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(ViewerOptions options);
  ~MainWindow() override;

  // Starts loading `path` in the background (a GeoPackage district).
  void openDataset(const QString& path);
  bool loading() const { return m_loading; }
  OsgWidget* view() const { return m_view; }
  QTextBrowser* identifyPanel() const { return m_identify; }
  const query::Twin* twin() const { return m_twin.get(); }
  // Identifies what is under widget position `p` of the view and shows it.
  void identifyAt(QPoint p);

 signals:
  void datasetOpened(bool ok);

 private:
  void buildUi();
  void onLoaded(std::shared_ptr<query::Twin> twin, std::shared_ptr<scene::DistrictScene> scene,
                std::optional<query::Access> access, QString error);
  void search();
  void showBuilding(std::uint32_t row);
  void showGrid(std::uint32_t row);
  void showEvent(std::uint32_t row);
  void showFacility(std::uint32_t row);
  // The nearest point of `kind` that the scene draws (in scope; events in the
  // time window) within radiusM of `at` (EPSG:4547).
  std::optional<std::uint32_t> nearestShown(model::Kind kind, geo::Point at, double radiusM) const;

  ViewerOptions m_options;
  OsgWidget* m_view = nullptr;
  QTreeWidget* m_layers = nullptr;
  QTextBrowser* m_identify = nullptr;
  QLineEdit* m_search = nullptr;
  QProgressBar* m_progress = nullptr;
  QLabel* m_status = nullptr;
  bool m_loading = false;
  std::shared_ptr<query::Twin> m_twin;
  std::shared_ptr<scene::DistrictScene> m_scene;
  std::optional<query::Access> m_access;
};

}  // namespace gridtwin::viewer
