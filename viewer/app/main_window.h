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
#include <vector>

#include "query/access.h"
#include "query/twin.h"
#include "rooms/rooms.h"
#include "scene/bim.h"
#include "scene/scene.h"

class QLabel;
class QLineEdit;
class QProgressBar;
class QTextBrowser;
class QTreeWidget;
class QTreeWidgetItem;

namespace gridtwin::viewer {

class AreaTools;
class BimPanel;
class EditPreviewPanel;
class Finder;
class OsgWidget;
class LayerTree;

struct ViewerOptions {
  std::string dataset;
  std::string role = "planner";
  std::string scope;
  std::int64_t now = 0;
  int hours = 24 * 7;
  // Vector files to add as layers once the district is open: FILE or
  // FILE@CRS (--layer).
  std::vector<std::string> layers;
  // Folder the dataset's real IFC files are read from (bim_models rows of
  // source "shared"); the build's ../shared/data by default (--shared-data).
  std::string sharedData;
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
  AreaTools* areaTools() const { return m_areaTools; }
  QLineEdit* searchBox() const { return m_search; }
  EditPreviewPanel* editPreview() const { return m_editPreview; }
  // The entity and address search is ready (its geocoder is built).
  bool searchReady() const { return m_finder != nullptr; }
  // Identifies what is under widget position `p` of the view and shows it.
  void identifyAt(QPoint p);
  // The building models (BIM), once loaded after the open: null before, and
  // for a district without models (a PostGIS URL has none either).
  scene::BimModels* bimModels() const { return m_bim.get(); }
  const rooms::Loaded* bimLoaded() const { return m_bimLoaded.get(); }
  bool bimReady() const { return m_bimReady; }
  BimPanel* bimPanel() const { return m_bimPanel; }
  // The catalogue and added layers (layer_tree.h).
  LayerTree* layerTree() const { return m_layerTree; }
  // Adds a vector file as a layer: "FILE" or "FILE@CRS" (main_window_layers.cpp).
  void addLayer(const QString& argument);
  // File → Add layer…: a file dialog, then the CRS to read it in.
  void addLayerDialog();
  // The status bar's text.
  QString statusText() const;

 signals:
  void datasetOpened(bool ok);
  void searchReadyChanged();
  // The building models finished loading (bimReady(); none is fine).
  void bimReadyChanged();

 private:
  void buildUi();
  // A problem the user must see: status bar, stderr, and a message box that
  // does not block the GUI thread.
  void showProblem(const QString& message);
  // Adds the --layer files once the first district is open.
  void addPendingLayers();
  void onLoaded(std::shared_ptr<query::Twin> twin, std::shared_ptr<scene::DistrictScene> scene,
                std::optional<query::Access> access, QString error);
  void search();
  // main_window_search.cpp: entities and addresses (Finder) after the codes.
  void startFinder();
  bool searchFurther(const QString& text);
  // `room`: the picked room's section (showRoom), shown above the building.
  void showBuilding(std::uint32_t row, const QString& room = {});
  // The room `space` of BIM model `model` (engine/rooms: address, residents
  // masked by role), as HTML for the identify panel.
  QString roomHtml(std::int32_t model, std::int32_t space, std::int32_t storey) const;
  // After the open: reads, links and builds the district's building models
  // on a worker, then hangs them in the scene on the GUI thread.
  void startBim();
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
  LayerTree* m_layerTree = nullptr;
  std::string m_openedPath;  // the dataset being opened or open
  bool m_loading = false;
  std::shared_ptr<query::Twin> m_twin;
  std::shared_ptr<scene::DistrictScene> m_scene;
  std::optional<query::Access> m_access;
  AreaTools* m_areaTools = nullptr;  // area query, measure, boundary drawing (area_tools.h)
  QString m_datasetPath;
  std::shared_ptr<const Finder> m_finder;
  EditPreviewPanel* m_editPreview = nullptr;  // grid-head mode (edit_preview.h)
  std::shared_ptr<scene::BimModels> m_bim;
  std::shared_ptr<const rooms::Loaded> m_bimLoaded;
  bool m_bimReady = false;
  BimPanel* m_bimPanel = nullptr;
};

}  // namespace gridtwin::viewer
