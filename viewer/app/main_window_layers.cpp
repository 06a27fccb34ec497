// MainWindow's extra layers: File → Add layer… with its CRS choice, --layer
// files, and the messages of layers that fail (kept apart from
// main_window.cpp so the two grow independently).
#include <QFileDialog>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QStatusBar>

#include <cstdio>

#include "app/layer_tree.h"
#include "app/main_window.h"
#include "scene/vector_data.h"

namespace gridtwin::viewer {

void MainWindow::showProblem(const QString& message) {
  m_status->setText(message);
  std::fprintf(stderr, "gridtwin-viewer: %s\n", message.toUtf8().constData());
  // Window-modal but not blocking: the GUI thread goes on (open(), not exec()).
  auto* box = new QMessageBox(QMessageBox::Warning, "gridtwin", message, QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->setObjectName("layer_problem");
  box->open();
}

QString MainWindow::statusText() const { return m_status->text(); }

void MainWindow::addLayer(const QString& argument) {
  auto a = scene::parseLayerArgument(argument.toStdString());
  if (!a) {
    showProblem("Could not add a layer: " + QString::fromStdString(a.error().toString()));
    emit m_layerTree->fileAdded(argument, false);
    return;
  }
  m_status->setText("Adding layer " + QString::fromStdString(a->path) + " …");
  m_layerTree->addFile(QString::fromStdString(a->path), a->crs);
}

void MainWindow::addLayerDialog() {
  const QString path = QFileDialog::getOpenFileName(
      this, "Add a layer", QString(),
      "Vector files (*.shp *.geojson *.json *.gpkg *.kml *.csv *.gml *.tab *.mif);;All files (*)");
  if (path.isEmpty()) return;
  // The CRS box: the file's own, or one stated when the file has none or is
  // in one of the Chinese web-map systems (GCJ-02, BD-09), or any EPSG code
  // typed in.
  const QStringList crsChoices = {
      "from the file",         "EPSG:4326 (WGS 84)", "EPSG:4490 (CGCS2000)",
      "GCJ02 (AMap, Tencent)", "BD09 (Baidu)",       "EPSG:4547 (CGCS2000 / 3-degree GK CM 114E)"};
  bool ok = false;
  const QString choice = QInputDialog::getItem(
      this, "Add a layer", "Coordinates of " + path + " are in:", crsChoices, 0, true, &ok);
  if (!ok) return;
  if (choice == crsChoices.front()) {
    addLayer(path);
  } else {
    addLayer(path + "@" + choice.section(' ', 0, 0));
  }
}

void MainWindow::addPendingLayers() {
  const auto files = std::move(m_options.layers);
  m_options.layers.clear();
  for (const auto& f : files) addLayer(QString::fromStdString(f));
}

}  // namespace gridtwin::viewer
