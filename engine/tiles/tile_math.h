#pragma once
// Web Mercator tile math (the XYZ / "Google" tile scheme, EPSG:3857): tile
// z/x/y <-> its bounds in EPSG:3857 metres and in lon,lat degrees, and a
// point's tile. y counts from the north (row 0 touches lat +85.0511°).
//
// Pure functions on plain values; thread-safe.
#include <cstdint>

#include "core/error.h"
#include "geo/types.h"

namespace gridtwin::tiles {

// Half the width of the EPSG:3857 square: pi * 6378137 m.
inline constexpr double kMercatorHalf = 20037508.342789244;
// The latitude at which the square ends (atan(sinh(pi)) in degrees).
inline constexpr double kMercatorMaxLat = 85.051128779806604;
inline constexpr int kMaxZoom = 24;

struct TileId {
  int z = 0;
  int x = 0;
  int y = 0;
  friend bool operator==(const TileId&, const TileId&) = default;
};

// Checks 0 <= z <= kMaxZoom and 0 <= x, y < 2^z. Errors: kInvalidArgument
// naming the tile "z/x/y" and the allowed range.
core::Result<TileId> checkTile(int z, int x, int y);

// The tile's square in EPSG:3857 metres.
geo::Box tileBounds(const TileId& tile);
// The tile's box in lon,lat degrees (west, south, east, north).
geo::Box tileLonLatBounds(const TileId& tile);
// The width of a tile at zoom z, metres (at the equator's scale).
double tileSize(int z);

// lon,lat (degrees) <-> EPSG:3857 metres, the spherical formulas that define
// EPSG:3857. Latitudes beyond ±kMercatorMaxLat are clamped.
geo::Point lonLatToMercator(const geo::Point& lonlat);
geo::Point mercatorToLonLat(const geo::Point& xy);

// The tile at zoom z holding lon,lat (clamped to the square).
TileId tileAt(const geo::Point& lonlat, int z);

}  // namespace gridtwin::tiles
