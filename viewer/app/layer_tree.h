#pragma once
// The layer tree's extra layers: the 244 catalogue layers (layers/catalog.csv)
// grouped by category under "图层目录 Catalogue", and the vector files the user
// adds under "添加的图层 Added layers". Each layer has a check box
// (visibility), an opacity slider and its scale range in the context menu
// (the range also in its tooltip). A layer's features load on a worker
// thread the first time it is shown (the catalogue's from the dataset's
// lyr_* tables), then attach to the scene's LayerOverlay on the GUI thread.
//
// Errors (a broken file, an unknown CRS, coordinates outside the CRS's
// domain, a missing table) are reported through problem(); the window shows
// them in the status bar, a message box and on stderr.
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crs/crs.h"
#include "layers/catalog.h"
#include "scene/catalog_layers.h"
#include "scene/scene.h"

class QTreeWidget;
class QTreeWidgetItem;
class QPoint;

namespace gridtwin::viewer {

// Where the catalogue is: $GRIDTWIN_LAYER_CATALOG, else the source tree's
// layers/catalog.csv (as the CLI's generate finds it).
std::string layerCatalogPath();

class LayerTree : public QObject {
  Q_OBJECT
 public:
  // Fills `tree` with the catalogue from `catalogPath` (layers/catalog.csv);
  // a catalogue that does not load is one problem() and an empty section.
  LayerTree(QTreeWidget* tree, const std::string& catalogPath);
  ~LayerTree() override;

  // After a district opened: the overlay joins `scene` (its root), the
  // catalogue layers read from `dataset` (a GeoPackage path; empty or a
  // PostgreSQL URL: the catalogue layers have no tables to read). Layers
  // already checked start loading.
  void setScene(std::shared_ptr<scene::DistrictScene> scene, const std::string& dataset);
  // The height in metres of a catalogue feature by its `ref` (a building's
  // id), for the layers the catalogue extrudes; set before setScene.
  void setHeights(std::function<float(std::string_view ref)> heightOf) {
    m_heightOf = std::move(heightOf);
  }

  // Adds every layer of a vector file in the background; fileAdded() tells
  // how it went.
  void addFile(const QString& path, std::optional<crs::Crs> crs);

  scene::LayerOverlay* overlay() const { return m_overlay.get(); }
  const std::vector<layers::LayerSpec>& catalogue() const { return m_catalogue; }
  QTreeWidgetItem* catalogueItem() const { return m_catalogueItem; }
  QTreeWidgetItem* addedItem() const { return m_addedItem; }
  // The tree item of catalogue layer `id` ("L002"), or null.
  QTreeWidgetItem* itemOf(const QString& id) const;
  // The user's opacity (0..1) of entry `entry` (catalogue rows first, then
  // added layers in order), as the context menu's slider sets it.
  void setOpacity(std::size_t entry, float opacity);
  // Layers being loaded now.
  int pending() const { return m_pending; }

  // Catalogue ids shown by default (a light base map: water and green).
  static const std::vector<std::string>& defaultLayers();

 signals:
  void problem(QString message);
  void layerLoaded(QString name, bool ok);
  void fileAdded(QString path, bool ok);
  void changed();  // the picture needs a redraw

 private:
  struct Entry;
  void onItemChanged(QTreeWidgetItem* item);
  void contextMenu(const QPoint& at);
  void load(std::size_t entry);
  void flush();  // loads the queued layers on one worker thread

  QTreeWidget* m_tree;
  QTreeWidgetItem* m_catalogueItem = nullptr;
  QTreeWidgetItem* m_addedItem = nullptr;
  std::vector<layers::LayerSpec> m_catalogue;
  std::vector<std::unique_ptr<Entry>> m_entries;  // catalogue first, then added
  std::shared_ptr<scene::DistrictScene> m_scene;
  std::function<float(std::string_view)> m_heightOf;
  std::unique_ptr<scene::LayerOverlay> m_overlay;
  std::string m_dataset;
  std::vector<std::size_t> m_queue;  // entries to load in the next batch
  int m_pending = 0;
  int m_generation = 0;  // bumped per scene: late results of an older one are dropped
};

}  // namespace gridtwin::viewer
