#include "app/bim_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace gridtwin::viewer {
namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

}  // namespace

BimPanel::BimPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  m_title = new QLabel("Building models load after the district opens.");
  m_title->setWordWrap(true);
  m_title->setTextFormat(Qt::RichText);
  layout->addWidget(m_title);
  auto* form = new QFormLayout;
  m_storey = new QComboBox;
  m_storey->setToolTip("Show one storey only (the others hidden)");
  form->addRow("Storey 楼层", m_storey);
  m_explode = new QDoubleSpinBox;
  m_explode->setRange(0, 30);
  m_explode->setSingleStep(1);
  m_explode->setSuffix(" m");
  m_explode->setToolTip("Lift each storey by this gap above the one below (explode)");
  form->addRow("Explode 分解", m_explode);
  layout->addLayout(form);
  layout->addStretch(1);
  connect(m_storey, &QComboBox::currentIndexChanged, this, [this] { apply(); });
  connect(m_explode, &QDoubleSpinBox::valueChanged, this, [this] { apply(); });
  select(-1);
}

void BimPanel::setModels(std::shared_ptr<scene::BimModels> models,
                         std::shared_ptr<const rooms::Loaded> loaded) {
  m_models = std::move(models);
  m_loaded = std::move(loaded);
  select(-1);
}

void BimPanel::select(std::int32_t i) {
  if (!m_models || i < 0 || static_cast<std::size_t>(i) >= m_models->size()) i = -1;
  m_selected = i;
  m_filling = true;
  m_storey->clear();
  m_storey->setEnabled(i >= 0);
  m_explode->setEnabled(i >= 0);
  if (i < 0) {
    m_title->setText(m_models ? QString("%1 building models in the district. Click one (near "
                                        "enough to see it) to isolate or explode its storeys.")
                                    .arg(m_models->size())
                              : QString("No building model loaded."));
    m_explode->setValue(0);
    m_filling = false;
    return;
  }
  const auto idx = static_cast<std::size_t>(i);
  const rooms::BuildingModel& bm = m_loaded->models[m_models->input(idx)];
  m_title->setText(QString("<b>Building %1</b><br>%2 (%3)<br>%4 storeys, %5 rooms (spaces), %6 "
                           "unmatched")
                       .arg(bm.buildingId)
                       .arg(q(bm.file).toHtmlEscaped(), q(bm.model.schema))
                       .arg(bm.model.storeys.size())
                       .arg(bm.model.spaces.size())
                       .arg(bm.links.unmatchedSpaces.size()));
  m_storey->addItem("All storeys 全部");
  for (const auto& name : m_models->storeys(idx)) m_storey->addItem(q(name));
  const std::int32_t isolated = m_models->isolated(idx);
  for (std::size_t r = 0; isolated >= 0 && r < m_models->storeys(idx).size(); ++r) {
    if (m_models->storeyAtRank(idx, r) == isolated) m_storey->setCurrentIndex(int(r) + 1);
  }
  m_explode->setValue(m_models->exploded(idx));
  m_filling = false;
}

void BimPanel::apply() {
  if (m_filling || !m_models || m_selected < 0) return;
  const auto idx = static_cast<std::size_t>(m_selected);
  const int item = m_storey->currentIndex();
  const std::int32_t storey =
      item <= 0 ? -1 : m_models->storeyAtRank(idx, static_cast<std::size_t>(item - 1));
  m_models->setStoreyView(idx, storey, static_cast<float>(m_explode->value()));
  emit sceneChanged();
}

}  // namespace gridtwin::viewer
