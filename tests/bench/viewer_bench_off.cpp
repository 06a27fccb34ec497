// viewer.* in a build without the viewer (-DGRIDTWIN_VIEWER=OFF): a clear
// error instead of figures.
#include "bench.h"

namespace gridtwin::bench {

core::Result<std::vector<Figure>> runViewer(Context&) {
  return core::makeError(core::ErrorCode::kUnsupported,
                         "this build has no viewer (-DGRIDTWIN_VIEWER=OFF): no viewer.* figures");
}

}  // namespace gridtwin::bench
