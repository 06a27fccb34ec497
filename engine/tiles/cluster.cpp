#include "tiles/cluster.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>

namespace gridtwin::tiles {

namespace {

// The finest cells: tiles of zoom kMaxZoom + kCellBits (20: 2^20 a side, so
// a cell's x and y interleave into 40 bits, and a grid row fits above them).
constexpr int kLeaf = PointClusters::kMaxZoom + PointClusters::kCellBits;
static_assert(kLeaf <= 20, "cell x and y must fit 20 bits each");
constexpr int kGridShift = 2 * kLeaf;

// Interleaves the bits of x (even) and y (odd): cells of one tile are then
// one run of keys at any coarser zoom (key >> 2 * (kLeaf - z)).
std::uint64_t morton(std::uint32_t x, std::uint32_t y) {
  auto spread = [](std::uint64_t v) {
    v &= 0xFFFFF;
    v = (v | (v << 16)) & 0x0000FFFF0000FFFFull;
    v = (v | (v << 8)) & 0x00FF00FF00FF00FFull;
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0Full;
    v = (v | (v << 2)) & 0x3333333333333333ull;
    v = (v | (v << 1)) & 0x5555555555555555ull;
    return v;
  };
  return spread(x) | (spread(y) << 1);
}

}  // namespace

PointClusters PointClusters::build(std::span<const geo::Point> lonlat,
                                   std::span<const std::uint32_t> grid,
                                   std::span<const std::uint16_t> value,
                                   std::span<const std::int64_t> time,
                                   std::span<const std::uint32_t> rows) {
  // Points sorted by (grid, leaf cell in Morton order): the points of one
  // grid in one cell of any zoom are then one run.
  struct Entry {
    std::uint64_t key;
    std::uint32_t row;
    geo::Point xy;
  };
  std::vector<Entry> entries;
  entries.reserve(rows.size());
  for (std::uint32_t r : rows) {
    const geo::Point ll = lonlat[r];
    if (!std::isfinite(ll.x) || !std::isfinite(ll.y)) continue;
    assert(grid[r] < (1u << (64 - kGridShift)));
    const TileId cell = tileAt(ll, kLeaf);
    entries.push_back(
        {(std::uint64_t{grid[r]} << kGridShift) |
             morton(static_cast<std::uint32_t>(cell.x), static_cast<std::uint32_t>(cell.y)),
         r, lonLatToMercator(ll)});
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.key < b.key; });

  PointClusters out;
  out.m_levels.resize(kMaxZoom + 1);
  std::vector<std::uint32_t> valueCount(65536, 0);
  std::vector<std::uint16_t> touched;
  std::vector<std::uint64_t> cellKeys;
  std::vector<std::uint32_t> order;
  for (int z = 0; z <= kMaxZoom; ++z) {
    const int cellShift = 2 * (kLeaf - (z + kCellBits));
    const int tileShift = 2 * (kLeaf - z);
    const std::uint64_t cellMask = (std::uint64_t{1} << kGridShift) - 1;
    std::vector<PointCluster> clusters;
    cellKeys.clear();
    for (std::size_t i = 0; i < entries.size();) {
      const std::uint64_t runKey = entries[i].key >> cellShift;
      PointCluster c;
      c.grid = static_cast<std::uint32_t>(entries[i].key >> kGridShift);
      const bool timed = !time.empty();
      if (timed) c.firstTime = c.lastTime = time[entries[i].row];
      double sx = 0, sy = 0;
      std::size_t j = i;
      for (; j < entries.size() && (entries[j].key >> cellShift) == runKey; ++j) {
        const Entry& e = entries[j];
        sx += e.xy.x;
        sy += e.xy.y;
        if (timed) {
          c.firstTime = std::min(c.firstTime, time[e.row]);
          c.lastTime = std::max(c.lastTime, time[e.row]);
        }
        const std::uint16_t v = value[e.row];
        if (valueCount[v]++ == 0) touched.push_back(v);
      }
      c.count = static_cast<std::uint32_t>(j - i);
      c.xy = {sx / c.count, sy / c.count};
      c.values = static_cast<std::uint16_t>(std::min<std::size_t>(touched.size(), 65535));
      for (std::uint16_t v : touched) {
        if (valueCount[v] > c.topCount || (valueCount[v] == c.topCount && v < c.topValue)) {
          c.topValue = v;
          c.topCount = valueCount[v];
        }
        valueCount[v] = 0;
      }
      touched.clear();
      clusters.push_back(c);
      cellKeys.push_back(entries[i].key & cellMask);
      i = j;
    }
    // By tile, then grid, then cell: a tile's clusters are one range.
    order.resize(clusters.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      const std::uint64_t ta = cellKeys[a] >> tileShift, tb = cellKeys[b] >> tileShift;
      if (ta != tb) return ta < tb;
      if (clusters[a].grid != clusters[b].grid) return clusters[a].grid < clusters[b].grid;
      return cellKeys[a] < cellKeys[b];
    });
    Level& level = out.m_levels[static_cast<std::size_t>(z)];
    level.clusters.reserve(clusters.size());
    level.tileKey.reserve(clusters.size());
    for (std::uint32_t k : order) {
      level.clusters.push_back(clusters[k]);
      level.tileKey.push_back(cellKeys[k] >> tileShift);
    }
  }
  return out;
}

std::span<const PointCluster> PointClusters::inTile(const TileId& t) const {
  if (t.z < 0 || t.z > kMaxZoom || m_levels.empty()) return {};
  const Level& level = m_levels[static_cast<std::size_t>(t.z)];
  const std::uint64_t key =
      morton(static_cast<std::uint32_t>(t.x), static_cast<std::uint32_t>(t.y));
  const auto [lo, hi] = std::equal_range(level.tileKey.begin(), level.tileKey.end(), key);
  return std::span(level.clusters)
      .subspan(static_cast<std::size_t>(lo - level.tileKey.begin()),
               static_cast<std::size_t>(hi - lo));
}

std::span<const PointCluster> PointClusters::atZoom(int z) const {
  if (z < 0 || z > kMaxZoom || m_levels.empty()) return {};
  return m_levels[static_cast<std::size_t>(z)].clusters;
}

}  // namespace gridtwin::tiles
