#pragma once
// Helpers shared by the crs tests: distances in metres and the shared data.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <numbers>
#include <string>

#include "geo/types.h"

namespace gridtwin::crs::test {

// Distance in metres between two nearby lon,lat points (degrees), from the
// GRS80/CGCS2000 radii of curvature at their mean latitude: exact to ~1e-6
// relative for the sub-kilometre distances the tests measure.
inline double metresBetween(geo::Point a, geo::Point b) {
  constexpr double kA = 6378137.0;
  constexpr double kF = 1.0 / 298.257222101;
  constexpr double kE2 = kF * (2.0 - kF);
  constexpr double kRad = std::numbers::pi / 180.0;
  const double lat = (a.y + b.y) / 2.0 * kRad;
  const double w2 = 1.0 - kE2 * std::sin(lat) * std::sin(lat);
  const double meridian = kA * (1.0 - kE2) / (w2 * std::sqrt(w2));
  const double prime = kA / std::sqrt(w2);
  const double north = (b.y - a.y) * kRad * meridian;
  const double east = (b.x - a.x) * kRad * prime * std::cos(lat);
  return std::hypot(north, east);
}

// Path of a file under the shared real data; the test fails (never skips)
// when it is missing.
inline std::filesystem::path sharedData(const std::string& relative) {
  const std::filesystem::path path = std::filesystem::path(GRIDTWIN_SHARED_DATA) / relative;
  EXPECT_TRUE(std::filesystem::exists(path))
      << "missing shared data file " << path << " (the tests need ../shared/data)";
  return path;
}

}  // namespace gridtwin::crs::test
