#pragma once
// Any vector file GDAL reads (a grid head's shapefile, a GeoJSON, a
// GeoPackage, ...), layer by layer and feature by feature: the one GDAL
// reader of foreign vector data in the engine (boundary's coverage files,
// pgstore's ingest). GDAL stays inside engine/store: this header hands out
// only its own types.
//
// Ownership: a VectorLayer borrows its VectorFile and a VectorFeature its
// layer's loop; neither may outlive what it borrows. Thread-safety: a
// VectorFile and its layers belong to one thread at a time (GDAL datasets
// are not thread-safe); separate VectorFiles may be used on separate threads.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace gridtwin::store {

// A field's type as a loader needs it: GDAL's Integer and Integer64 are
// kInteger, Real is kReal, everything else (dates, lists, ...) kText.
enum class FieldType : unsigned char { kInteger, kReal, kText };

struct FieldDef {
  std::string name;
  FieldType type = FieldType::kText;
};

// A layer's CRS.
struct LayerCrs {
  std::string authority;  // as the file states it ("EPSG"); empty when it names none
  std::string code;       // "4490"; empty when it names none
  // The EPSG code: the stated one, or the one GDAL identifies from the
  // definition (a shapefile's .prj names none); 0 when there is none.
  int epsg = 0;
};

// One feature, during VectorLayer::forEachFeature only.
class VectorFeature {
 public:
  std::int64_t fid() const;
  bool isNull(int field) const;
  // The field as text ("" for NULL), valid until the next text() on this
  // feature; integer() and real() as GDAL converts.
  std::string_view text(int field) const;
  std::int64_t integer(int field) const;
  double real(int field) const;
  bool hasGeometry() const;
  // The geometry as ISO WKB, little-endian, Z and M dropped (the feature's
  // geometry is flattened in place). False when there is none or GDAL cannot
  // write it.
  bool wkb(std::vector<std::uint8_t>& out) const;

 private:
  friend class VectorLayer;
  explicit VectorFeature(void* handle) : m_handle(handle) {}
  void* m_handle;  // OGRFeatureH, owned by the loop that made it
};

class VectorLayer {
 public:
  std::string name() const;
  std::vector<FieldDef> fields() const;
  int fieldIndex(const std::string& field) const;  // -1 when absent
  bool hasGeometry() const;
  // "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING",
  // "MULTIPOLYGON", "GEOMETRYCOLLECTION", or "GEOMETRY" for any other.
  std::string geometryType() const;
  // The layer's DESCRIPTION metadata ("" when none).
  std::string description() const;
  // None: the layer has no CRS.
  std::optional<LayerCrs> crs() const;
  // Runs body on each feature from the first, in the file's order; stops at
  // the first error and returns it.
  core::Result<void> forEachFeature(
      const std::function<core::Result<void>(const VectorFeature&)>& body) const;

 private:
  friend class VectorFile;
  explicit VectorLayer(void* handle) : m_handle(handle) {}
  void* m_handle;  // OGRLayerH, owned by the dataset
};

class VectorFile {
 public:
  // Errors: kIo when GDAL cannot open `path` as vector data (with GDAL's reason).
  static core::Result<VectorFile> open(const std::string& path);
  // The same with GDAL open options ("KEY=VALUE"), e.g. the CSV driver's
  // X_POSSIBLE_NAMES so that a table of coordinates becomes points.
  static core::Result<VectorFile> open(const std::string& path,
                                       const std::vector<std::string>& openOptions);
  // The tables and views of one schema of a PostGIS database, named without
  // the schema (a district ingested by `gridtwin ingest`: schema "gridtwin",
  // its lyr_* catalogue layers among them). `url` is a postgresql:// URL;
  // the rows are those the URL's role may read (row-level security holds).
  // Errors: kIo when the server cannot be reached (with its reason).
  static core::Result<VectorFile> openPostgis(const std::string& url, const std::string& schema);

  const std::string& path() const { return m_path; }
  // GDAL's short name of the driver that opened it ("GPKG", "ESRI Shapefile").
  std::string driverName() const;
  int layerCount() const;
  VectorLayer layer(int i) const;  // 0 <= i < layerCount()
  std::optional<VectorLayer> layer(const std::string& name) const;
  // The CREATE VIEW statement of the view `name` in a SQLite-based file (a
  // GeoPackage); "" when there is no such view.
  std::string sqliteViewSql(const std::string& name) const;

 private:
  struct Close {
    void operator()(void* dataset) const;  // GDALClose
  };
  VectorFile(std::string path, void* dataset) : m_path(std::move(path)), m_dataset(dataset) {}

  std::string m_path;
  std::unique_ptr<void, Close> m_dataset;  // GDALDatasetH
};

}  // namespace gridtwin::store
