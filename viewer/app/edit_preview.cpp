#include "app/edit_preview.h"

#include <QApplication>
#include <QDockWidget>
#include <QMainWindow>
#include <QPointer>
#include <QTextBrowser>

#include <algorithm>
#include <cmath>
#include <thread>

#include "app/area_tools.h"
#include "boundary/preview.h"
#include "boundary/source.h"
#include "query/query.h"

namespace gridtwin::viewer {
namespace {

QString q(std::string_view s) {
  return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

bool namesOneOf(const boundary::Finding& f, const std::vector<std::string>& codes) {
  return std::any_of(f.codes.begin(), f.codes.end(), [&](const std::string& c) {
    return std::find(codes.begin(), codes.end(), c) != codes.end();
  });
}

std::vector<osg::Vec3d> findingPoints(const std::vector<boundary::Finding>& findings,
                                      const osg::Vec3d& origin) {
  std::vector<osg::Vec3d> out;
  for (const auto& f : findings) out.emplace_back(f.xy.x - origin.x(), f.xy.y - origin.y(), 0);
  return out;
}

}  // namespace

EditPreviewPanel::EditPreviewPanel(QMainWindow* window, AreaTools* tools)
    : QObject(window), m_window(window), m_tools(tools) {
  m_panel = new QTextBrowser;
  m_panel->setOpenLinks(false);
  m_dock = new QDockWidget("Edit preview 边界调整预览", window);
  m_dock->setObjectName("edit_preview");
  m_dock->setWidget(m_panel);
  window->addDockWidget(Qt::RightDockWidgetArea, m_dock);
  m_dock->hide();  // grid-head mode only
  connect(tools, &AreaTools::boundaryDrawn, this, &EditPreviewPanel::preview);
}

EditPreviewPanel::~EditPreviewPanel() = default;

void EditPreviewPanel::setDistrict(std::shared_ptr<const query::Twin> twin,
                                   const query::Access& access,
                                   std::shared_ptr<scene::DistrictScene> scene,
                                   std::string dataset) {
  const std::uint64_t generation = ++m_generation;
  m_twin = std::move(twin);
  m_access = access;
  m_scene = std::move(scene);
  m_dataset = std::move(dataset);
  m_coverage.reset();
  m_findings.clear();
  m_moved = 0;
  const bool head = access.role == query::Role::kGridHead;
  m_dock->setVisible(head);
  if (!head) return;
  m_panel->setHtml("<p>Checking the grid boundaries…</p>");
  std::vector<std::string> codes;
  for (auto g : access.scope.grids()) codes.emplace_back(m_twin->district().grids().code[g]);
  QPointer<EditPreviewPanel> self(this);
  std::thread([self, generation, path = m_dataset, codes] {
    std::shared_ptr<const boundary::Coverage> coverage;
    std::vector<boundary::Finding> mine;
    QString error;
    auto c = boundary::readCoverage(path, {});
    if (!c) {
      error = q(c.error().toString());
    } else {
      coverage = std::make_shared<const boundary::Coverage>(std::move(*c));
      auto found = boundary::validate(*coverage);
      if (!found) {
        error = q(found.error().toString());
      } else {
        for (auto& f : *found) {
          if (namesOneOf(f, codes)) mine.push_back(std::move(f));
        }
      }
    }
    QMetaObject::invokeMethod(
        qApp,
        [self, generation, coverage, mine = std::move(mine), error]() mutable {
          if (!self || self->m_generation != generation) return;
          self->m_coverage = coverage;
          self->m_findings = std::move(mine);
          if (!error.isEmpty()) {
            self->m_panel->setHtml("<p>The boundary check failed: " + error.toHtmlEscaped() +
                                   "</p>");
          } else {
            QString h = QString(
                            "<p>Boundary check: %1 finding(s) for your grid(s), marked red "
                            "on the map.</p><ul>")
                            .arg(self->m_findings.size());
            for (const auto& f : self->m_findings) {
              h += "<li>" + q(boundary::name(f.kind)) + " " +
                   q(f.codes.empty() ? std::string() : f.codes.front()) + " " +
                   q(f.detail).toHtmlEscaped() + "</li>";
            }
            h += "</ul><p>Draw a new boundary with the Boundary… tool to preview an edit.</p>";
            self->m_panel->setHtml(h);
          }
          if (auto* o = self->m_tools->overlay()) {
            o->setMarks(scene::Overlay::Marks::kFindings,
                        findingPoints(self->m_findings, self->m_scene->origin()));
          }
          emit self->findingsShown();
        },
        Qt::QueuedConnection);
  }).detach();
}

void EditPreviewPanel::preview(const geo::Polygon& polygon) {
  if (!m_twin || !m_access || m_access->scope.grids().empty()) return;
  if (!m_coverage) {
    m_panel->setHtml(
        "<p>The boundary check is still running; draw the boundary again in a "
        "moment.</p>");
    emit previewShown(false);
    return;
  }
  const std::uint64_t generation = ++m_generation;
  const std::uint32_t grid = m_access->scope.grids().front();
  const std::string code(m_twin->district().grids().code[grid]);
  m_panel->setHtml("<p>Previewing the edit of " + q(code) + " …</p>");
  QPointer<EditPreviewPanel> self(this);
  std::thread([self, generation, twin = m_twin, coverage = m_coverage, code, grid, polygon,
               origin = m_scene->origin()] {
    geo::MultiPolygon proposed;
    proposed.polygons.push_back(polygon);
    auto p = boundary::previewEdit(*twin, *coverage, code, proposed);
    // The records whose grid would change, for the map (see the header).
    std::vector<osg::Vec3d> moved;
    std::vector<osg::Vec3d> newFindings;
    if (p) {
      auto all = query::makeAccess(twin->district(), query::Role::kDistrict, "");
      query::KindSet kinds;
      for (auto k : boundary::kMovedKinds) kinds.add(k);
      auto inside = all ? query::select(*twin, *all, query::Area::ofPolygon(polygon), kinds)
                        : core::Result<query::Selection>(all.error());
      if (inside) {
        for (auto k : boundary::kMovedKinds) {
          const auto points = twin->points(k);
          const auto& in = inside->of(k);
          for (auto row : in) {
            if (twin->gridOf(k, row) != grid) {
              moved.emplace_back(points[row].x - origin.x(), points[row].y - origin.y(), 0);
            }
          }
          for (auto row : twin->rowsInGrid(k, grid)) {
            if (!std::binary_search(in.begin(), in.end(), row) && std::isfinite(points[row].x)) {
              moved.emplace_back(points[row].x - origin.x(), points[row].y - origin.y(), 0);
            }
          }
        }
      }
      newFindings = findingPoints(p->newFindings, origin);
    }
    QString text = p ? q(boundary::previewText(*p)) : q(p.error().toString());
    const bool ok = p.ok();
    QMetaObject::invokeMethod(
        qApp,
        [self, generation, text, ok, moved = std::move(moved),
         newFindings = std::move(newFindings)] {
          if (!self || self->m_generation != generation) return;
          self->m_panel->setHtml((ok ? QString("<p><b>Nothing is saved: a preview.</b></p><pre>")
                                     : QString("<p>This boundary cannot be previewed:</p><pre>")) +
                                 text.toHtmlEscaped() + "</pre>");
          self->m_moved = moved.size();
          if (auto* o = self->m_tools->overlay()) {
            o->setMarks(scene::Overlay::Marks::kMoved, moved);
            if (ok) o->setMarks(scene::Overlay::Marks::kFindings, newFindings);
          }
          emit self->previewShown(ok);
        },
        Qt::QueuedConnection);
  }).detach();
}

}  // namespace gridtwin::viewer
