#pragma once
// All-or-nothing GeoPackage writer (through GDAL's GPKG driver).
//
// Usage: create() → for each table: addTable(), then set*() + writeRow() per
// row → commit(). Nothing is visible at the target path until commit()
// succeeds; destroying an uncommitted writer removes its temporary file.
// Not thread-safe: one writer, one thread.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "geo/geometry.h"
#include "geo/types.h"

namespace gridtwin::store {

enum class FieldType { kInteger, kReal, kText };
enum class GeometryType { kNone, kPoint, kLineString, kPolygon, kMultiPolygon, kMultiLineString };

struct FieldSpec {
  std::string name;
  FieldType type = FieldType::kText;
};

struct TableSpec {
  std::string name;
  GeometryType geometry = GeometryType::kNone;
  std::vector<FieldSpec> fields;
  std::string description;  // gpkg_contents.description
  bool spatialIndex = true;
};

class GpkgWriter {
 public:
  // Starts a new dataset destined for `path` (EPSG:4490 geometries). The
  // folder must exist; an existing file at `path` is kept until commit().
  static core::Result<GpkgWriter> create(const std::string& path);

  GpkgWriter(GpkgWriter&&) noexcept;
  GpkgWriter& operator=(GpkgWriter&&) noexcept;
  ~GpkgWriter();

  // Creates a table and makes it the current one for set*/writeRow.
  core::Result<void> addTable(const TableSpec& spec);

  // Field setters address fields by their index in TableSpec::fields.
  void setInt(int field, std::int64_t value);
  void setReal(int field, double value);
  void setText(int field, std::string_view value);
  void setNull(int field);
  void setPoint(const geo::Point& lonlat);
  void setLineString(const geo::LineString& line);
  void setPolygon(const geo::Polygon& polygon);
  void setMultiPolygon(const geo::MultiPolygon& polygons);
  void setMultiLineString(const std::vector<geo::LineString>& lines);
  void clearGeometry();
  // Writes the current row and clears it; the error names table and row.
  core::Result<void> writeRow();

  std::int64_t rowsWritten() const;

  // Registers a SQL view over tables already written as a feature table
  // (gpkg_contents + gpkg_geometry_columns), so GIS clients list it as a
  // layer. `select` must yield an integer `fid` column first and a `geom`
  // column of `geometry` type in EPSG:4490.
  core::Result<void> addView(const std::string& name, const std::string& select,
                             GeometryType geometry, const std::string& description);

  // Runs one SQL statement (an index, say) on what has been written so far.
  core::Result<void> execute(const std::string& sql);

  // One row of a query result: its geometry (if the query selected one) and
  // its fields as text (NULL as nullopt).
  struct Row {
    std::optional<geo::Geometry> geometry;
    std::vector<std::optional<std::string>> fields;
  };
  // Runs a SELECT over what has been written so far and calls `onRow` for
  // each row; stops at the first error onRow returns.
  core::Result<void> query(const std::string& select,
                           const std::function<core::Result<void>(const Row&)>& onRow);

  // Commits, closes and renames the temporary file onto the target path.
  core::Result<void> commit();
  // Where rows are written until commit().
  const std::string& temporaryPath() const;

 private:
  struct Impl;
  explicit GpkgWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace gridtwin::store
