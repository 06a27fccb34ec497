#include "index/source_shortcut.h"

#include <algorithm>
#include <cmath>

namespace gridtwin::index {

core::Result<SourceShortcut> SourceShortcut::build(const GridLocator& locator,
                                                   const crs::Transformer& toMetric,
                                                   const geo::Box& sourceBox, double targetCells) {
  if (!(toMetric.to() == crs::kGaussKruger114)) {
    return core::makeError(core::ErrorCode::kInvalidArgument,
                           "the transformer's target must be EPSG:4547", "SourceShortcut");
  }
  if (sourceBox.empty() || !std::isfinite(sourceBox.minx) || !std::isfinite(sourceBox.maxx) ||
      !std::isfinite(sourceBox.miny) || !std::isfinite(sourceBox.maxy)) {
    return core::makeError(core::ErrorCode::kEmptyInput, "empty or non-finite box",
                           "SourceShortcut");
  }
  SourceShortcut s;
  s.m_raster = detail::Raster::cover(sourceBox, targetCells, false);
  const detail::Raster& R = s.m_raster;
  s.m_nxd = R.nx;
  s.m_nyd = R.ny;
  s.m_cells.assign(R.cells(), kUndecided);
  // The corners, exactly as find()'s cell bounds: x = ox + i * cellSize is
  // the nominal edge; a point of cell i has fx in [i, i + 1), so its x lies
  // within the nominal interval up to ulps (raster.h), far below the margin.
  const std::size_t cx = std::size_t{R.nx} + 1, cy = std::size_t{R.ny} + 1;
  std::vector<geo::Point> corners(cx * cy), images(cx * cy);
  for (std::size_t j = 0; j < cy; ++j) {
    for (std::size_t i = 0; i < cx; ++i) {
      corners[j * cx + i] = {R.ox + static_cast<double>(i) * R.cellSize,
                             R.oy + static_cast<double>(j) * R.cellSize};
    }
  }
  // Corners that fail (outside a domain) leave their cells undecided.
  std::vector<char> ok(corners.size(), 0);
  std::size_t from = 0;
  while (from < corners.size()) {
    std::size_t done = 0;
    const std::span<const geo::Point> in(corners.data() + from, corners.size() - from);
    const std::span<geo::Point> out(images.data() + from, corners.size() - from);
    const bool good = static_cast<bool>(toMetric.transformStream(in, out, done));
    std::fill(ok.begin() + static_cast<std::ptrdiff_t>(from),
              ok.begin() + static_cast<std::ptrdiff_t>(from + done), 1);
    from += done + (good ? 0 : 1);
  }
  for (std::uint32_t j = 0; j < R.ny; ++j) {
    for (std::uint32_t i = 0; i < R.nx; ++i) {
      const std::size_t c[4] = {j * cx + i, j * cx + i + 1, (j + 1) * cx + i, (j + 1) * cx + i + 1};
      geo::Box box;
      bool all = true;
      for (const std::size_t k : c) {
        all = all && ok[k];
        box.expand(images[k]);
      }
      if (!all) continue;
      // A centimetre and a thousandth of the box: thousands of times the
      // curvature over one cell and the series' error (see the header).
      const double m = 0.01 + 1e-3 * (box.width() + box.height());
      box = {box.minx - m, box.miny - m, box.maxx + m, box.maxy + m};
      s.m_cells[std::size_t{j} * R.nx + i] = locator.boxAnswer(box);
    }
  }
  return s;
}

double SourceShortcut::decidedShare() const {
  if (m_cells.empty()) return 0.0;
  const auto n =
      std::count_if(m_cells.begin(), m_cells.end(), [](std::int32_t v) { return v != kUndecided; });
  return static_cast<double>(n) / static_cast<double>(m_cells.size());
}

}  // namespace gridtwin::index
