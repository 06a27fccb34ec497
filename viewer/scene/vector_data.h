#pragma once
// Vector data for the viewer's extra layers (the 244 catalogue layers and any
// file the user adds): read through engine/store's VectorFile (GDAL stays
// there) and reprojected from the file's own CRS, or the one the user states,
// to EPSG:4547 through engine/crs (GCJ-02 and BD-09 included).
//
// Thread-safety: every function is reentrant (each call opens its own
// file and transformer), so layers load on worker threads.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "crs/crs.h"
#include "geo/types.h"

namespace gridtwin::scene {

// A layer's geometry in EPSG:4547 metres: points (multipoints split),
// lines (multilines split) and polygons (multipolygons split).
struct VectorData {
  std::vector<geo::Point> points;
  std::vector<geo::LineString> lines;
  std::vector<geo::Polygon> polygons;
  std::size_t features = 0;  // features with a geometry
  // Per polygon, its feature's `ref` field where the layer has one (the
  // catalogue's lyr_* tables: a building's id, a grid's code), else empty.
  std::vector<std::string> polygonRef;
};

struct VectorLayerData {
  std::string name;     // the file's layer name
  std::string crsName;  // the CRS its coordinates were read in ("EPSG:4326", "GCJ02")
  VectorData data;
};

// "FILE" or "FILE@CRS" (CRS as crs::parseCrs reads it: EPSG:4326, GCJ02,
// BD09). A path whose text after the last '@' is not a CRS is taken whole.
struct LayerArgument {
  std::string path;
  std::optional<crs::Crs> crs;
};
core::Result<LayerArgument> parseLayerArgument(std::string_view text);

// Every layer of a vector file (Shapefile, GeoJSON, GeoPackage, KML, CSV
// with x/y or lon/lat columns, ...). `crs` overrides the file's CRS; without
// it a layer that states none is an error that says to give one. Errors name
// the file, the layer and the feature: GDAL cannot open it, no layer with a
// geometry, an unknown CRS, a coordinate outside the CRS's domain.
core::Result<std::vector<VectorLayerData>> readVectorFile(const std::string& path,
                                                          std::optional<crs::Crs> crs = {});

// One layer (a table of a GeoPackage) by name; the same errors, and kNotFound
// when the file has no such layer.
core::Result<VectorData> readVectorLayer(const std::string& path, const std::string& layer,
                                         std::optional<crs::Crs> crs = {});

// Several layers of one file, opened once (a GeoPackage with hundreds of
// tables and views costs a few hundred ms to open): one result per name, in
// order; a file that does not open is the error of every one.
std::vector<core::Result<VectorData>> readVectorLayers(const std::string& path,
                                                       const std::vector<std::string>& layers,
                                                       std::optional<crs::Crs> crs = {});

}  // namespace gridtwin::scene
