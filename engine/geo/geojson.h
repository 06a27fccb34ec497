#pragma once
// GeoJSON (RFC 7946) reading and writing, 2D.
//
// Reading accepts a FeatureCollection, a single Feature, or a bare geometry
// (which becomes one feature without id or properties). Positions need at
// least two numbers; a third (altitude) and further ones are DROPPED. Numbers
// must be finite; polygon rings need at least 4 positions and must be closed;
// linestrings need 0 or at least 2 positions. A Point with "coordinates": []
// is POINT EMPTY. A Feature whose "geometry" is null gets an empty
// GeometryCollection (GeoJSON's "unlocated feature"). Foreign members and
// "bbox" are ignored; "crs" is ignored too (RFC 7946 drops it: the caller
// names the CRS).
//
// Errors name the input and the place: context "<input>: feature 3" and a
// message such as "geometry.coordinates[1]: ring 1 is not closed: first (1 2)
// != last (3 4)", or for broken JSON "at offset 17: syntax error ...".
//
// Thread-safe: no shared state. nlohmann::json is used only inside the .cpp.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "geo/geometry.h"

namespace gridtwin::geo {

struct Feature {
  // Feature "id": a string id as is; a numeric id as its JSON text ("3").
  std::optional<std::string> id;
  Geometry geometry;
  // The properties object as compact JSON text; "{}" when absent or null.
  std::string propertiesJson = "{}";
};

// Property look-ups parse propertiesJson on each call: fine for a few
// look-ups per feature, not for a hot loop (parse once yourself there).
// nullopt when the key is absent or of another JSON type.
std::optional<std::string> stringProperty(const Feature& feature, std::string_view key);
std::optional<double> numberProperty(const Feature& feature, std::string_view key);

core::Result<std::vector<Feature>> readGeoJsonFeatures(std::string_view text,
                                                       std::string_view context = {});
// context = path; a missing file is kNotFound, an empty one kEmptyInput.
core::Result<std::vector<Feature>> readGeoJsonFile(const std::string& path);
// A GeoJSON geometry object (not a Feature).
core::Result<Geometry> readGeoJsonGeometry(std::string_view text, std::string_view context = {});

// Compact GeoJSON geometry object. precision as in writeWkt: >= 17 gives the
// shortest round-trip numbers, less gives at most that many decimals.
std::string writeGeoJson(const Geometry& g, int precision = 17);
// A compact FeatureCollection; ids are written as JSON strings.
std::string writeGeoJsonFeatureCollection(const std::vector<Feature>& features);

}  // namespace gridtwin::geo
