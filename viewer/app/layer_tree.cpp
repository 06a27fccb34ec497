#include "app/layer_tree.h"

#include <QApplication>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPointer>
#include <QSlider>
#include <QTimer>
#include <QTreeWidget>
#include <QWidgetAction>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <thread>

namespace gridtwin::viewer {
namespace {

constexpr int kEntryRole = Qt::UserRole + 1;  // entry index + 1 (the district's items use UserRole)

QString q(const std::string& s) {
  return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

QString scaleText(const scene::LayerLook& l) {
  auto one = [](int d) { return QString("1:%L1").arg(d); };
  if (l.minScale == 0 && l.maxScale == 0) return "shown at every scale";
  if (l.maxScale == 0) return "shown from " + one(l.minScale) + " inwards";
  if (l.minScale == 0) return "shown up to " + one(l.maxScale);
  return "shown between " + one(l.minScale) + " and " + one(l.maxScale);
}

// Colours for added files (ColorBrewer Set1), one per layer in turn.
const char* const kAddedColours[] = {"#e41a1c", "#377eb8", "#4daf4a", "#984ea3",
                                     "#ff7f00", "#a65628", "#f781bf"};

}  // namespace

struct LayerTree::Entry {
  QTreeWidgetItem* item = nullptr;
  std::string name;
  std::string table;  // catalogue: the dataset's table; empty for an added file
  scene::LayerLook look;
  std::shared_ptr<const scene::VectorData> data;  // an added file's features
  float opacity = 1;
  bool loading = false;
};

std::string layerCatalogPath() {
  if (const char* env = std::getenv("GRIDTWIN_LAYER_CATALOG"); env != nullptr && *env != 0) {
    return env;
  }
  return std::string(GRIDTWIN_SOURCE_DIR) + "/layers/catalog.csv";
}

const std::vector<std::string>& LayerTree::defaultLayers() {
  static const std::vector<std::string> ids = {"L002", "L003"};
  return ids;
}

LayerTree::LayerTree(QTreeWidget* tree, const std::string& catalogPath)
    : QObject(tree), m_tree(tree) {
  m_catalogueItem = new QTreeWidgetItem(m_tree, {"图层目录 Catalogue"});
  m_addedItem = new QTreeWidgetItem(m_tree, {"添加的图层 Added layers"});
  auto catalogue = layers::loadLayerCatalog(catalogPath);
  if (!catalogue) {
    // Reported once the window listens (queued).
    const QString why = q(catalogue.error().toString());
    QMetaObject::invokeMethod(
        this, [this, why] { emit problem("The layer catalogue did not load: " + why); },
        Qt::QueuedConnection);
  } else {
    m_catalogue = std::move(*catalogue);
  }
  std::map<std::string, QTreeWidgetItem*> categories;
  const QSignalBlocker blocker(m_tree);
  for (const auto& spec : m_catalogue) {
    auto [it, added] = categories.try_emplace(spec.category, nullptr);
    if (added) {
      it->second = new QTreeWidgetItem(m_catalogueItem, {q(spec.category)});
      it->second->setFlags(it->second->flags() | Qt::ItemIsUserCheckable | Qt::ItemIsAutoTristate);
      it->second->setCheckState(0, Qt::Unchecked);
    }
    auto e = std::make_unique<Entry>();
    e->name = spec.name;
    e->table = spec.table;
    e->look = scene::lookOf(spec);
    e->item = new QTreeWidgetItem(it->second, {q(spec.id + " " + spec.name)});
    e->item->setData(0, kEntryRole, static_cast<int>(m_entries.size()) + 1);
    e->item->setToolTip(0, q(spec.name + " — " + spec.source.text + " — " + spec.ownerDepartment) +
                               "\n" + scaleText(e->look));
    const bool on =
        std::find(defaultLayers().begin(), defaultLayers().end(), spec.id) != defaultLayers().end();
    e->item->setCheckState(0, on ? Qt::Checked : Qt::Unchecked);
    m_entries.push_back(std::move(e));
  }
  m_catalogueItem->setExpanded(true);
  m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
  connect(m_tree, &QTreeWidget::itemChanged, this,
          [this](QTreeWidgetItem* item, int) { onItemChanged(item); });
  connect(m_tree, &QTreeWidget::customContextMenuRequested, this, &LayerTree::contextMenu);
}

LayerTree::~LayerTree() {
  if (m_scene && m_overlay) m_scene->root()->removeChild(m_overlay->root());
}

QTreeWidgetItem* LayerTree::itemOf(const QString& id) const {
  for (std::size_t i = 0; i < m_catalogue.size(); ++i) {
    if (q(m_catalogue[i].id) == id) return m_entries[i]->item;
  }
  return nullptr;
}

void LayerTree::setScene(std::shared_ptr<scene::DistrictScene> sc, const std::string& dataset) {
  if (m_scene && m_overlay) m_scene->root()->removeChild(m_overlay->root());
  ++m_generation;
  m_pending = 0;
  m_queue.clear();
  m_scene = std::move(sc);
  m_dataset = dataset;
  m_overlay.reset();
  if (!m_scene) return;
  m_overlay = std::make_unique<scene::LayerOverlay>(m_scene->origin());
  for (auto& e : m_entries) {
    m_overlay->add(e->name, e->look);
    e->loading = false;
  }
  m_scene->root()->addChild(m_overlay->root());
  for (std::size_t i = 0; i < m_entries.size(); ++i) {
    m_overlay->setOpacity(i, m_entries[i]->opacity);
    if (m_entries[i]->item->checkState(0) == Qt::Checked) {
      m_overlay->setVisible(i, true);
      load(i);
    }
  }
  emit changed();
}

void LayerTree::onItemChanged(QTreeWidgetItem* item) {
  const int tag = item->data(0, kEntryRole).toInt();
  if (tag <= 0) return;
  const auto i = static_cast<std::size_t>(tag - 1);
  if (!m_overlay) return;  // applied when a district opens
  const bool on = item->checkState(0) == Qt::Checked;
  m_overlay->setVisible(i, on);
  if (on) load(i);
  emit changed();
}

void LayerTree::load(std::size_t i) {
  Entry& e = *m_entries[i];
  if (!m_overlay || m_overlay->loaded(i) || e.loading) return;
  const bool catalogue = !e.table.empty();
  if (catalogue && m_dataset.empty()) {
    e.item->setToolTip(0, e.item->toolTip(0).section('\n', 0, 1) + "\nno district is open");
    return;
  }
  e.loading = true;
  ++m_pending;
  m_queue.push_back(i);
  // Layers checked in one go (a category) load together: the GeoPackage,
  // hundreds of tables and views, is opened once per batch.
  if (m_queue.size() == 1) QTimer::singleShot(0, this, &LayerTree::flush);
}

void LayerTree::flush() {
  if (m_queue.empty() || !m_overlay) return;
  struct Job {
    std::size_t entry;
    std::string name, table;
    scene::LayerLook look;
    std::shared_ptr<const scene::VectorData> data;
  };
  std::vector<Job> jobs;
  for (auto i : m_queue) {
    const Entry& e = *m_entries[i];
    jobs.push_back({i, e.name, e.table, e.look, e.data});
  }
  m_queue.clear();
  QPointer<LayerTree> self(this);
  const int generation = m_generation;
  const osg::Vec3d origin = m_scene->origin();
  const std::string dataset = m_dataset;
  const auto heightOf = m_heightOf;
  std::thread([self, generation, origin, dataset, jobs, heightOf] {
    std::vector<std::string> tables;
    for (const auto& j : jobs) {
      if (!j.data) tables.push_back(j.table);
    }
    auto read = tables.empty() ? std::vector<core::Result<scene::VectorData>>{}
                               : scene::readVectorLayers(dataset, tables);
    std::size_t next = 0;
    for (const auto& j : jobs) {
      std::shared_ptr<const scene::PreparedLayer> prepared;
      QString error;
      if (j.data) {
        prepared = scene::LayerOverlay::prepare(*j.data, j.look, origin);
      } else if (auto& r = read[next++]; !r) {
        error = q(r.error().toString());
      } else {
        prepared = scene::LayerOverlay::prepare(*r, j.look, origin, heightOf);
      }
      const std::size_t i = j.entry;
      const QString name = q(j.name);
      QMetaObject::invokeMethod(
          qApp,
          [self, generation, prepared, error, i, name] {
            if (!self || generation != self->m_generation) return;
            --self->m_pending;
            self->m_entries[i]->loading = false;
            if (!prepared) {
              emit self->problem("Could not load layer " + name + ": " + error);
              emit self->layerLoaded(name, false);
              return;
            }
            self->m_overlay->attach(i, *prepared);
            emit self->layerLoaded(name, true);
            emit self->changed();
          },
          Qt::QueuedConnection);
    }
  }).detach();
}

void LayerTree::addFile(const QString& path, std::optional<crs::Crs> crs) {
  QPointer<LayerTree> self(this);
  const std::string file = path.toStdString();
  std::thread([self, file, crs, path] {
    auto read = scene::readVectorFile(file, crs);
    std::shared_ptr<std::vector<scene::VectorLayerData>> layers;
    QString error;
    if (!read) {
      error = q(read.error().toString());
    } else {
      layers = std::make_shared<std::vector<scene::VectorLayerData>>(std::move(*read));
    }
    QMetaObject::invokeMethod(
        qApp,
        [self, layers, error, path] {
          if (!self) return;
          if (!layers) {
            emit self->problem("Could not add a layer: " + error);
            emit self->fileAdded(path, false);
            return;
          }
          const QString base = QFileInfo(path).fileName();
          for (auto& l : *layers) {
            auto e = std::make_unique<Entry>();
            e->name = base.toStdString() + (layers->size() > 1 ? ": " + l.name : std::string());
            const std::size_t n = self->m_entries.size() - self->m_catalogue.size();
            const osg::Vec4 colour = scene::parseColour(kAddedColours[n % std::size(kAddedColours)],
                                                        osg::Vec4(1, 0, 0, 1));
            e->look.fill = colour;
            e->look.stroke = colour * 0.7f;
            e->look.stroke.a() = 1;
            e->look.opacity = 0.6f;
            e->look.width = 2;
            e->data = std::make_shared<const scene::VectorData>(std::move(l.data));
            const std::size_t i = self->m_entries.size();
            {
              const QSignalBlocker blocker(self->m_tree);
              e->item = new QTreeWidgetItem(self->m_addedItem, {q(e->name)});
              e->item->setData(0, kEntryRole, static_cast<int>(i) + 1);
              e->item->setCheckState(0, Qt::Checked);
              e->item->setToolTip(0, path + "\ncoordinates read as " + q(l.crsName) + ", " +
                                         QString::number(e->data->features) + " features");
            }
            self->m_addedItem->setExpanded(true);
            const std::string name = e->name;
            const scene::LayerLook look = e->look;
            self->m_entries.push_back(std::move(e));
            if (self->m_overlay) {
              self->m_overlay->add(name, look);
              self->m_overlay->setVisible(i, true);
              self->load(i);
            }
          }
          emit self->fileAdded(path, true);
        },
        Qt::QueuedConnection);
  }).detach();
}

void LayerTree::contextMenu(const QPoint& at) {
  QTreeWidgetItem* item = m_tree->itemAt(at);
  if (!item) return;
  const int tag = item->data(0, kEntryRole).toInt();
  if (tag <= 0) return;
  const auto i = static_cast<std::size_t>(tag - 1);
  Entry& e = *m_entries[i];
  QMenu menu;
  menu.addAction(scaleText(e.look))->setEnabled(false);
  auto* row = new QWidget;
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(8, 2, 8, 2);
  layout->addWidget(new QLabel("Opacity"));
  auto* slider = new QSlider(Qt::Horizontal);
  slider->setRange(0, 100);
  slider->setValue(static_cast<int>(std::lround(e.opacity * 100)));
  layout->addWidget(slider);
  connect(slider, &QSlider::valueChanged, this, [this, i](int v) {
    m_entries[i]->opacity = static_cast<float>(v) / 100.f;
    if (m_overlay) m_overlay->setOpacity(i, m_entries[i]->opacity);
    emit changed();
  });
  auto* action = new QWidgetAction(&menu);
  action->setDefaultWidget(row);
  menu.addAction(action);
  menu.exec(m_tree->viewport()->mapToGlobal(at));
}

void LayerTree::setOpacity(std::size_t entry, float opacity) {
  m_entries.at(entry)->opacity = std::clamp(opacity, 0.f, 1.f);
  if (m_overlay) m_overlay->setOpacity(entry, m_entries[entry]->opacity);
  emit changed();
}

}  // namespace gridtwin::viewer
