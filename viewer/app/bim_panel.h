#pragma once
// The "BIM 建筑模型" dock: the building model picked last (its file, schema,
// storeys and rooms), the storey to isolate and the explode gap. The models
// themselves are scene::BimModels (viewer/scene/bim.h), loaded after the
// district opens (MainWindow::startBim); the room records are engine/rooms'.
#include <QWidget>

#include <memory>

#include "rooms/rooms.h"
#include "scene/bim.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;

namespace gridtwin::viewer {

class BimPanel : public QWidget {
  Q_OBJECT
 public:
  explicit BimPanel(QWidget* parent = nullptr);

  // The district's models (both null: none loaded).
  void setModels(std::shared_ptr<scene::BimModels> models,
                 std::shared_ptr<const rooms::Loaded> loaded);
  // Shows model `i` (index among BimModels'), -1: none.
  void select(std::int32_t i);
  std::int32_t selected() const { return m_selected; }

  QComboBox* storeyBox() const { return m_storey; }
  QDoubleSpinBox* explodeBox() const { return m_explode; }

 signals:
  // The scene changed (storey view): redraw.
  void sceneChanged();

 private:
  void apply();
  std::shared_ptr<scene::BimModels> m_models;
  std::shared_ptr<const rooms::Loaded> m_loaded;
  std::int32_t m_selected = -1;
  QLabel* m_title = nullptr;
  QComboBox* m_storey = nullptr;
  QDoubleSpinBox* m_explode = nullptr;
  bool m_filling = false;
};

}  // namespace gridtwin::viewer
