#pragma once
// gridtwin generate: the deterministic reference district, written as one
// GeoPackage all-or-nothing. The same options give the same bytes.
#include <cstdint>
#include <functional>
#include <string>

#include "core/error.h"

namespace gridtwin::generator {

struct GenerateOptions {
  std::string out;     // the .gpkg to write
  double scale = 1.0;  // records scale; structure is whole at every scale
  std::uint64_t seed = 20261130;
  std::string sharedData;    // ../shared/data: outline, streets, communities, addresses
  std::string catalogDir;    // data/catalog: event types, facility types, street anchors
  std::string layerCatalog;  // layers/catalog.csv
  // Overrides for a district that brings its own sources (empty: from sharedData).
  std::string outline;  // GeoJSON, GCJ-02 unless outlineCrs says otherwise
  std::string outlineCrs = "GCJ02";
  std::string streets;      // CSV: code,name
  std::string communities;  // CSV: code,name,streetCode
  std::string anchors;      // CSV: code,centre_lon,centre_lat,area_share (WGS84/CGCS2000)
};

struct GenerateSummary {
  std::int64_t streets = 0, communities = 0, grids = 0, staff = 0, roads = 0, buildings = 0,
               addresses = 0, houses = 0, people = 0, entities = 0, facilities = 0, events = 0,
               layers = 0, layerFeatures = 0;
  double seconds = 0;
};

// Progress callback: a stage name and a fraction 0..1 of the whole job.
using Progress = std::function<void(const std::string& stage, double fraction)>;

core::Result<GenerateSummary> generate(const GenerateOptions& options, const Progress& progress);

}  // namespace gridtwin::generator
