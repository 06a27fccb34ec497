#pragma once
// Point clusters for the low zooms of a dense point layer, per grid: what a
// tile carries below `kMaxZoom + 1` instead of every point (the way
// supercluster and tippecanoe's --cluster-distance do it, with cells instead
// of a radius so that a cluster belongs to exactly one tile).
//
// Why: the densest z14 tile of the full-scale district held 302,858 closed
// events of three years and 21,700 facilities as points (16.9 MB, 383 ms to
// render); as clusters they are a few thousand points with a count (design
// note with the numbers: engine/tiles/README.md).
//
// The rule: at zoom z (0..kMaxZoom) the Web Mercator plane is cut into cells
// of 1/2^kCellBits of a tile (zoom z + kCellBits tiles: 128 of 4096 tile
// units, 8 px of a 256 px tile). A cluster is every point of one grid in one
// cell: grids are disjoint, so a reader whose scope holds the grid sees the
// whole cluster and a reader whose scope does not sees none of it (a count
// never mixes grids). A point's cell is tileAt(lonlat, z + kCellBits), so a
// cluster lies in the tile tileAt(lonlat, z) of each of its points, and the
// counts of a tile's clusters add up to the points of its grids with
// tileAt(lonlat, z) == the tile, with no buffer (a cluster is drawn once).
//
// Thread-safety: immutable after build(); any number of readers.
#include <cstdint>
#include <span>
#include <vector>

#include "geo/types.h"
#include "tiles/tile_math.h"

namespace gridtwin::tiles {

struct PointCluster {
  geo::Point xy;               // the mean of its points, EPSG:3857 (inside its cell)
  std::uint32_t grid = 0;      // the grid of every point in it
  std::uint32_t count = 0;     // points in it (>= 1)
  std::uint16_t topValue = 0;  // the most frequent value (the smallest of a tie)
  std::uint16_t values = 0;    // distinct values
  std::uint32_t topCount = 0;  // points with topValue
  std::int64_t firstTime = 0;  // the earliest time of its points
  std::int64_t lastTime = 0;   // the latest
};

class PointClusters {
 public:
  // 1/32 of a tile: 128 of 4096 tile units, about 75 m at z14 here (8 px of a
  // 256 px tile, supercluster's 40 px radius of a 512 px tile is ~1/13): fine
  // enough that a cluster sits where its points are, coarse enough that the
  // densest z14 tile holds a few thousand clusters.
  static constexpr int kCellBits = 5;
  // Clusters for zooms 0..15; from z16 a tile carries every point.
  static constexpr int kMaxZoom = 15;

  PointClusters() = default;

  // Clusters of the points `rows` (into lonlat, grid, value, time; `time`
  // may be empty: the times are then 0); a row whose point is not finite is
  // left out (not drawn at any zoom).
  static PointClusters build(std::span<const geo::Point> lonlat,
                             std::span<const std::uint32_t> grid,
                             std::span<const std::uint16_t> value,
                             std::span<const std::int64_t> time,
                             std::span<const std::uint32_t> rows);

  // The clusters of tile `t` (t.z <= kMaxZoom), ordered by grid then cell.
  std::span<const PointCluster> inTile(const TileId& t) const;

  // All clusters at zoom z (tests, statistics).
  std::span<const PointCluster> atZoom(int z) const;

 private:
  struct Level {
    std::vector<PointCluster> clusters;  // by tile (Morton order), grid, cell
    std::vector<std::uint64_t> tileKey;  // the Morton key of each cluster's tile
  };
  std::vector<Level> m_levels;  // by zoom, 0..kMaxZoom
};

}  // namespace gridtwin::tiles
