#pragma once
// A tiny district GeoPackage in the schema `gridtwin generate` writes (one
// street, two communities, three grids and a handful of every kind), written
// with store::GpkgWriter, plus helpers to damage it with plain SQLite.
#include <string>

namespace gridtwin::test {

// Known contents of the tiny dataset, for assertions.
struct TinyCounts {
  static constexpr int kStreets = 1, kCommunities = 2, kGrids = 3, kRoads = 2, kBuildings = 3,
                       kAddresses = 5, kHouses = 4, kPeople = 5, kEntities = 2, kFacilities = 3,
                       kEvents = 3, kLayers = 2;
};

// Writes the dataset at `path` (replacing any file there); aborts the test
// run with a message if GDAL fails.
void writeTinyDataset(const std::string& path);

// Runs SQL on the file with plain SQLite after dropping every trigger (the
// GeoPackage R-tree triggers call GDAL's ST_ functions, unknown to SQLite).
// Returns SQLite's error message, empty on success.
std::string execSql(const std::string& path, const std::string& sql);

// A fresh folder under the system temp folder, unique to this process and name.
std::string scratchDir(const std::string& name);

}  // namespace gridtwin::test
