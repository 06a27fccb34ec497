#pragma once
// The viewer's own start, measured as a user meets it (gridtwin-viewer
// --measure-startup, read by scripts/bench's viewer.start_to_first_frame_ms,
// viewer.identify_ms and viewer.rss_mb): the window opens the district, the
// first full frame is drawn, the tallest buildings are clicked one by one
// (click → identify panel filled and repainted), the building models finish
// loading, and the process's peak resident memory is read.
#include <QString>

#include <functional>

namespace gridtwin::viewer {

class MainWindow;

struct StartupFigures {
  bool opened = false;
  // When the first frame with the whole district was drawn: milliseconds
  // since the Unix epoch (the caller subtracts its own start time).
  double firstFrameEpochMs = 0;
  double openStartEpochMs = 0;  // when the window started opening the district
  double openMs = 0;            // openDataset → datasetOpened, in this process
  int clicks = 0;               // buildings clicked
  int identified = 0;           // clicks whose panel named the clicked building
  int facilities = 0;           // clicks on a facility symbol drawn over the roof
  double identifyMedianMs = 0;  // press → panel filled and repainted
  double identifyMaxMs = 0;
  bool modelsLoaded = false;
  double openedRssMb = 0;      // VmRSS when the district is open (twin and scene)
  double firstFrameRssMb = 0;  // VmRSS after the first frame (the GL driver's copies)
  double peakRssMb = 0;        // VmHWM, after the models loaded
};

// Opens `dataset` in `window` (shown) and calls `done` once every figure is
// taken, on the GUI thread. `clicks` buildings are clicked, tallest first.
void probeStartup(MainWindow& window, const QString& dataset, int clicks,
                  std::function<void(const StartupFigures&)> done);

}  // namespace gridtwin::viewer
