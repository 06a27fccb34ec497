#pragma once
// The layer catalogue (layers/catalog.csv): 244 map layers, each derived from
// one kind of generated (or ingested) district data by a `source` expression.
// The grammar and vocabulary are documented in layers/README.md; this header
// is their executable form, and the generator enumerates sourceKinds() to
// know which values it must be able to produce.
//
// Value types; loading is pure and thread-safe. The vocabulary tables are
// static and immutable.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace gridtwin::layers {

enum class GeometryType { kPoint, kLineString, kPolygon, kMultiPolygon };

// "Point", "LineString", "Polygon", "MultiPolygon".
std::string_view geometryTypeName(GeometryType type);

enum class SourceKind {
  kDistrict,
  kStreets,
  kCommunities,
  kGrids,
  kRoads,
  kRail,
  kBuildings,
  kAddresses,
  kHouses,
  kPeople,
  kEntities,
  kFacilities,
  kEvents,
  kPoi,
  kLanduse,
  kPlan,
  kWater,
  kGreen,
  kPipes,
};

// What a source yields; Polygon covers MultiPolygon layers too.
enum class GeometryFamily { kPoint, kLine, kPolygon };

// How a filter key's values are checked.
enum class ValueType {
  kEnum,        // one of SourceKey::values
  kFreeText,    // checked by whoever owns the vocabulary (e.g. industries, event categories)
  kInteger,     // a non-negative integer; the only type that allows >= and <=
  kCodePrefix,  // 2, 4 or 6 digits, matched as a prefix of a 6-digit code
};

struct SourceKey {
  std::string_view name;
  ValueType type;
  std::span<const std::string_view> values;  // kEnum only
};

struct SourceKindSpec {
  SourceKind kind;
  std::string_view name;  // as written in a source: "facilities"
  GeometryFamily geometry;
  std::span<const SourceKey> keys;
};

// Every kind a source may name, in SourceKind order.
std::span<const SourceKindSpec> sourceKinds();
const SourceKindSpec& sourceKindSpec(SourceKind kind);

enum class FilterOp { kEqual, kAtLeast, kAtMost };

// key=value|value (any of the values), key>=n, key<=n.
struct SourceFilter {
  std::string key;
  FilterOp op = FilterOp::kEqual;
  std::vector<std::string> values;
};

enum class SourceOp {
  kSelect,    // the base features as they are
  kBuffer,    // polygons at `bufferMetres` around the base features
  kCentroid,  // one point per base polygon
  kBoundary,  // the outline of each base polygon
  kDensity,   // `densityUnit` polygons with the count of base features in each
};

struct LayerSource {
  std::string text;  // as written in the catalogue
  SourceOp op = SourceOp::kSelect;
  SourceKind kind = SourceKind::kDistrict;      // the base kind
  std::vector<SourceFilter> filters;            // all must hold (AND)
  double bufferMetres = 0;                      // kBuffer
  SourceKind densityUnit = SourceKind::kGrids;  // kDensity: streets, communities or grids

  GeometryFamily outputGeometry() const;
};

// Parses and checks a source expression: known operation and kind, known
// keys for that kind, values of the key's type, an operation that fits the
// base geometry. Errors (kSyntax) name the offending part and the expected
// alternatives.
core::Result<LayerSource> parseLayerSource(std::string_view text);

// Style as given in the catalogue's JSON: a flat object with the keys below.
struct LayerStyle {
  std::string fill;          // "#rrggbb", polygons and point symbols
  std::string stroke;        // "#rrggbb", lines and outlines
  double width = 1;          // stroke width in screen pixels
  double opacity = 1;        // 0..1
  std::string icon;          // point symbol name
  double size = 0;           // point symbol size in pixels (0 = renderer default)
  std::vector<double> dash;  // dash pattern in pixels, empty = solid
  std::string extrude;       // attribute giving 3D height ("floors"), empty = flat
  std::string label;         // attribute to label features with, empty = none
};

// Parses the style JSON; kSyntax naming the key or position.
core::Result<LayerStyle> parseLayerStyle(std::string_view json);

struct LayerSpec {
  std::string id;     // "L001"
  std::string table;  // "lyr_cameras"
  std::string name;   // Chinese display name
  std::string category;
  GeometryType geometryType = GeometryType::kPoint;
  LayerSource source;
  LayerStyle style;
  std::string styleJson;  // as written
  // Visible scale range as scale denominators, QGIS convention: shown while
  // maxScale <= current denominator <= minScale; 0 means no limit on that side.
  int minScale = 0;
  int maxScale = 0;
  std::string ownerDepartment;
  std::size_t line = 0;  // line in the catalogue file
};

// Loads and checks the catalogue: required columns present; ids "L" + 3
// digits and unique; tables lyr_[a-z0-9_]+, at most 50 bytes, unique; names
// non-empty and unique; known geometry type matching the source's output;
// parseable source and style; scales non-negative integers with minScale >=
// maxScale when both are set. The number of rows is not checked here (the
// catalogue may grow); tests pin it. Errors name file, line and field.
core::Result<std::vector<LayerSpec>> loadLayerCatalog(const std::string& path);

}  // namespace gridtwin::layers
