// MainWindow's search beyond codes: legal entities by name and addresses
// through the geocoder (finder.h), with a completion list; the hit is flown
// to, highlighted and identified. Kept apart from main_window.cpp.
#include <QApplication>
#include <QCompleter>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QStringListModel>
#include <QTextBrowser>

#include <cstdio>
#include <thread>

#include "app/area_tools.h"
#include "app/finder.h"
#include "app/main_window.h"
#include "app/osg_widget.h"

namespace gridtwin::viewer {
namespace {

constexpr double kFlyFrameM = 120;  // a found place is framed this far around

QString q(std::string_view s) {
  return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

}  // namespace

void MainWindow::startFinder() {
  m_finder.reset();
  QPointer<MainWindow> self(this);
  std::shared_ptr<const query::Twin> twin = m_twin;
  const query::Access access = *m_access;
  std::thread([self, twin, access] {
    auto f = Finder::build(twin);
    QStringList names;
    if (f) {
      const auto& d = twin->district();
      for (const auto* kind : {&d.grids().name, &d.communities().name, &d.streets().name}) {
        for (std::size_t i = 0; i < kind->size(); ++i) names << q((*kind)[i]);
      }
      for (const auto& n : (*f)->completions(access)) names << q(n);
      names.removeDuplicates();
    }
    QMetaObject::invokeMethod(
        qApp,
        [self, twin, f = std::move(f), names] {
          if (!self || self->m_twin != twin) return;  // another district since
          if (!f) {
            std::fprintf(stderr, "gridtwin-viewer: address search unavailable: %s\n",
                         f.error().toString().c_str());
            return;
          }
          self->m_finder = *f;
          auto* completer = new QCompleter(new QStringListModel(names), self->m_search);
          completer->setFilterMode(Qt::MatchContains);
          completer->setCaseSensitivity(Qt::CaseInsensitive);
          completer->setMaxVisibleItems(12);
          self->m_search->setCompleter(completer);
          emit self->searchReadyChanged();
        },
        Qt::QueuedConnection);
  }).detach();
}

bool MainWindow::searchFurther(const QString& text) {
  auto* sc = m_view->districtScene();
  if (!sc || !m_finder) return false;
  const auto found = m_finder->find(text.toStdString(), *m_access);
  if (!found) {
    m_status->setText(q(found.error().message));
    return true;
  }
  const char* kind = found->what == Found::What::kEntity ? "法人 Entity" : "地址 Address";
  if (found->outsideScope) {
    m_identify->setHtml(
        QString("<p>%1 '%2' is outside your scope.</p>").arg(kind, text.toHtmlEscaped()));
    m_status->setText(QString("'%1' is outside your scope").arg(text));
    return true;
  }
  const osg::Vec3d at = sc->toLocal(found->at.x, found->at.y);
  osg::BoundingBox box(at - osg::Vec3d(kFlyFrameM, kFlyFrameM, 0),
                       at + osg::Vec3d(kFlyFrameM, kFlyFrameM, 0));
  m_view->flyTo(scene::topView(box, double(m_view->width()) / std::max(1, m_view->height())));
  if (found->building >= 0) {
    const auto b = static_cast<std::uint32_t>(found->building);
    sc->highlight(model::Kind::kBuilding, b);
    showBuilding(b);
  } else {
    sc->clearHighlight();
  }
  if (auto* overlay = m_areaTools->overlay()) {
    overlay->setLabel(found->label, at + osg::Vec3d(0, 0, 10));
    overlay->setMarks(scene::Overlay::Marks::kFindings, {});
  }
  m_status->setText(QString("%1: %2").arg(kind, q(found->label)));
  m_view->update();
  return true;
}

}  // namespace gridtwin::viewer
