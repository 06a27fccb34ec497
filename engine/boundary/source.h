#pragma once
// Where a coverage comes from: a gridtwin dataset (its grids, communities or
// streets, their parents and the district outline) or any polygon file GDAL
// reads (a grid head's shapefile, a GeoJSON, another GeoPackage), checked
// against a dataset's parents and outline when one is named.
//
// Coordinates are read in the file's CRS (any EPSG CRS PROJ knows, in GIS
// order x=lon/easting) and turned into EPSG:4547 metres.
#include <string>
#include <vector>

#include "boundary/coverage.h"
#include "core/error.h"
#include "model/district.h"

namespace gridtwin::boundary {

enum class Level : unsigned char { kGrid, kCommunity, kStreet };
// "grid", "community", "street".
bool parseLevel(std::string_view text, Level& out);
std::string_view name(Level level);
// The dataset table of each level: "grids", "communities", "streets".
std::string_view levelTable(Level level);

struct SourceOptions {
  Level level = Level::kGrid;
  std::string layer;        // empty: the level's table, or the file's only layer
  std::string codeField;    // empty: "code"
  std::string parentField;  // empty: "community_code" (grid), "street_code" (community)
  // A gridtwin dataset giving the parents and the outline when `path` is
  // not one itself (empty: none, so only the file's own checks run).
  std::string dataset;
};

// Errors (each names the file, and the layer, feature or field): kIo when
// GDAL cannot open it; kNotFound for a missing layer or field; kCrs when the
// layer has no CRS or one without an EPSG code; kInvalidGeometry for a
// feature that is not a polygon; kEmptyInput for a layer with no features.
core::Result<Coverage> readCoverage(const std::string& path, const SourceOptions& options);

// Every polygon of one layer of a file GDAL reads (`layer` empty: its only
// layer), in EPSG:4547: a proposed boundary. Errors: those of readCoverage.
core::Result<geo::MultiPolygon> readShape(const std::string& path, const std::string& layer = {});

// Units straight from a loaded district (xy columns): its grids with their
// community as parent, its communities with their street, or its streets.
std::vector<Unit> unitsOf(const model::District& district, Level level);

}  // namespace gridtwin::boundary
