#include "tiles/tile_math.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

namespace gridtwin::tiles {

namespace {
constexpr double kRadius = 6378137.0;
constexpr double kDegree = std::numbers::pi / 180.0;
}  // namespace

core::Result<TileId> checkTile(int z, int x, int y) {
  const std::string name = std::to_string(z) + "/" + std::to_string(x) + "/" + std::to_string(y);
  if (z < 0 || z > kMaxZoom) {
    return core::Error{core::ErrorCode::kInvalidArgument,
                       "zoom " + std::to_string(z) + " is outside 0.." + std::to_string(kMaxZoom),
                       "tile " + name};
  }
  const std::int64_t n = std::int64_t{1} << z;
  if (x < 0 || x >= n || y < 0 || y >= n) {
    return core::Error{
        core::ErrorCode::kInvalidArgument,
        "x and y must be within 0.." + std::to_string(n - 1) + " at zoom " + std::to_string(z),
        "tile " + name};
  }
  return TileId{z, x, y};
}

double tileSize(int z) { return 2 * kMercatorHalf / std::ldexp(1.0, z); }

geo::Box tileBounds(const TileId& tile) {
  const double size = tileSize(tile.z);
  geo::Box box;
  box.minx = -kMercatorHalf + tile.x * size;
  box.maxx = -kMercatorHalf + (tile.x + 1) * size;
  box.maxy = kMercatorHalf - tile.y * size;
  box.miny = kMercatorHalf - (tile.y + 1) * size;
  return box;
}

geo::Box tileLonLatBounds(const TileId& tile) {
  const geo::Box m = tileBounds(tile);
  const geo::Point sw = mercatorToLonLat({m.minx, m.miny});
  const geo::Point ne = mercatorToLonLat({m.maxx, m.maxy});
  return geo::Box{sw.x, sw.y, ne.x, ne.y};
}

geo::Point lonLatToMercator(const geo::Point& lonlat) {
  const double lat = std::clamp(lonlat.y, -kMercatorMaxLat, kMercatorMaxLat);
  return {kRadius * lonlat.x * kDegree,
          kRadius * std::log(std::tan(std::numbers::pi / 4 + lat * kDegree / 2))};
}

geo::Point mercatorToLonLat(const geo::Point& xy) {
  return {xy.x / kRadius / kDegree,
          (2 * std::atan(std::exp(xy.y / kRadius)) - std::numbers::pi / 2) / kDegree};
}

TileId tileAt(const geo::Point& lonlat, int z) {
  const geo::Point m = lonLatToMercator(lonlat);
  const double size = tileSize(z);
  const int n = static_cast<int>(std::int64_t{1} << z);
  const int x = std::clamp(static_cast<int>(std::floor((m.x + kMercatorHalf) / size)), 0, n - 1);
  const int y = std::clamp(static_cast<int>(std::floor((kMercatorHalf - m.y) / size)), 0, n - 1);
  return TileId{z, x, y};
}

}  // namespace gridtwin::tiles
