#include "app/startup_probe.h"

#include <QApplication>
#include <QMouseEvent>
#include <QTextBrowser>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "app/main_window.h"
#include "app/osg_widget.h"
#include "geo/algorithms.h"
#include "model/columns.h"

namespace gridtwin::viewer {
namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double epochMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A line of /proc/self/status in MB ("VmHWM:" the peak resident set,
// "VmRSS:" the current one); 0 where /proc has none.
double statusMb(const std::string& key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(key, 0) == 0) return std::stod(line.substr(key.size())) / 1024.0;
  }
  return 0;
}

// A left click at widget position p, as the window system delivers it.
void click(QWidget* w, QPoint p) {
  const QPointF at(p), global(w->mapToGlobal(p));
  QMouseEvent press(QEvent::MouseButtonPress, at, global, Qt::LeftButton, Qt::LeftButton,
                    Qt::NoModifier);
  QMouseEvent release(QEvent::MouseButtonRelease, at, global, Qt::LeftButton, Qt::NoButton,
                      Qt::NoModifier);
  QApplication::sendEvent(w, &press);
  QApplication::sendEvent(w, &release);
}

// Clicks the `count` tallest buildings whose roof centre is in the view.
void clickBuildings(MainWindow& window, int count, StartupFigures& f) {
  auto* view = window.view();
  const auto* sc = view->districtScene();
  const auto& b = window.twin()->district().buildings();
  std::vector<std::uint32_t> order(b.size());
  std::iota(order.begin(), order.end(), 0u);
  const auto n = std::min<std::size_t>(order.size(), static_cast<std::size_t>(count) * 4);
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), order.end(),
                    [&](auto x, auto y) { return b.heightM[x] > b.heightM[y]; });
  std::vector<double> ms;
  for (std::size_t k = 0; k < n && static_cast<int>(ms.size()) < count; ++k) {
    const auto i = order[k];
    const auto shape = model::xyShape(b.footprint, i);
    if (shape.polygons.empty()) continue;
    const auto c = geo::centroid(shape.polygons.front());
    const QPoint at = view->widgetPosition(sc->toLocal(c.x, c.y, b.heightM[i]));
    if (!view->rect().contains(at)) continue;
    const auto t0 = Clock::now();
    click(view, at);
    // The panel drawn offscreen: its own layout and paint, without the 3D
    // view's next frame (viewer.frame_ms_* measures that).
    (void)window.identifyPanel()->grab();
    ms.push_back(msSince(t0));
    if (window.identifyPanel()->toPlainText().contains(QString("Building %1").arg(b.id[i]))) {
      ++f.identified;
    } else if (window.identifyPanel()->toPlainText().startsWith(QString::fromUtf8("设施"))) {
      ++f.facilities;  // a facility's symbol drawn over the roof: picked first, as meant
    }
  }
  f.clicks = static_cast<int>(ms.size());
  if (ms.empty()) return;
  std::sort(ms.begin(), ms.end());
  f.identifyMedianMs = ms[ms.size() / 2];
  f.identifyMaxMs = ms.back();
}

}  // namespace

void probeStartup(MainWindow& window, const QString& dataset, int clicks,
                  std::function<void(const StartupFigures&)> done) {
  auto f = std::make_shared<StartupFigures>();
  const auto t0 = Clock::now();
  f->openStartEpochMs = epochMs();
  auto finish = [&window, f, done] {
    f->modelsLoaded = window.bimModels() != nullptr;
    f->peakRssMb = statusMb("VmHWM:");
    done(*f);
  };
  QObject::connect(
      &window, &MainWindow::datasetOpened, &window,
      [&window, f, t0, clicks, done, finish](bool ok) {
        f->openMs = msSince(t0);
        f->opened = ok;
        f->openedRssMb = statusMb("VmRSS:");
        if (!ok) {
          done(*f);
          return;
        }
        // The first frame with the whole district: drawn now,
        // as the window would on its next paint.
        window.view()->grabFramebuffer();
        f->firstFrameEpochMs = epochMs();
        f->firstFrameRssMb = statusMb("VmRSS:");
        clickBuildings(window, clicks, *f);
        if (window.bimReady()) {
          finish();
        } else {
          QObject::connect(&window, &MainWindow::bimReadyChanged, &window, finish,
                           Qt::SingleShotConnection);
        }
      },
      Qt::SingleShotConnection);
  window.openDataset(dataset);
}

}  // namespace gridtwin::viewer
