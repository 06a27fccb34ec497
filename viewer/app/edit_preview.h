#pragma once
// Grid-head mode's boundary tools: the boundary check's findings for the
// head's grids marked on the map once the district opens (boundary::validate
// on the dataset's coverage, kept where a finding names one of their grids),
// and the edit preview of a drawn boundary (AreaTools' "Boundary…" tool →
// boundary::previewEdit, as `gridtwin edit-preview` computes it) in the
// "Edit preview" panel, its new findings marked red and the records whose
// grid would change marked orange, before anything is saved (nothing is).
// Both run on worker threads.
//
// The orange marks are the records (addresses, houses, people, entities,
// facilities, events) whose point falls inside the proposed polygon but
// whose grid is another, or that are the grid's own and fall outside it: the
// preview's own counts (by its locator's tie rule) are the panel's numbers.
#include <QObject>
#include <QString>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "boundary/coverage.h"
#include "geo/types.h"
#include "query/access.h"
#include "query/twin.h"
#include "scene/scene.h"

class QDockWidget;
class QMainWindow;
class QTextBrowser;

namespace gridtwin::viewer {

class AreaTools;

class EditPreviewPanel : public QObject {
  Q_OBJECT
 public:
  EditPreviewPanel(QMainWindow* window, AreaTools* tools);
  ~EditPreviewPanel() override;

  void setDistrict(std::shared_ptr<const query::Twin> twin, const query::Access& access,
                   std::shared_ptr<scene::DistrictScene> scene, std::string dataset);
  QTextBrowser* panel() const { return m_panel; }
  // The findings of the head's grids (after findingsShown()).
  const std::vector<boundary::Finding>& findings() const { return m_findings; }
  std::size_t movedMarks() const { return m_moved; }

 signals:
  void findingsShown();
  void previewShown(bool ok);

 private:
  void preview(const geo::Polygon& polygon);

  QMainWindow* m_window;
  AreaTools* m_tools;
  QDockWidget* m_dock = nullptr;
  QTextBrowser* m_panel = nullptr;
  std::shared_ptr<const query::Twin> m_twin;
  std::optional<query::Access> m_access;
  std::shared_ptr<scene::DistrictScene> m_scene;
  std::string m_dataset;
  std::shared_ptr<const boundary::Coverage> m_coverage;
  std::vector<boundary::Finding> m_findings;
  std::size_t m_moved = 0;
  std::uint64_t m_generation = 0;
};

}  // namespace gridtwin::viewer
