#include "store/gpkg_writer.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <vector>

#include "core/output_file.h"
#include "geo/wkb.h"

namespace gridtwin::store {
namespace {

using core::ErrorCode;
using core::makeError;

OGRwkbGeometryType toOgr(GeometryType type) {
  switch (type) {
    case GeometryType::kNone:
      return wkbNone;
    case GeometryType::kPoint:
      return wkbPoint;
    case GeometryType::kLineString:
      return wkbLineString;
    case GeometryType::kPolygon:
      return wkbPolygon;
    case GeometryType::kMultiPolygon:
      return wkbMultiPolygon;
    case GeometryType::kMultiLineString:
      return wkbMultiLineString;
  }
  return wkbUnknown;
}

OGRFieldType toOgr(FieldType type) {
  switch (type) {
    case FieldType::kInteger:
      return OFTInteger64;
    case FieldType::kReal:
      return OFTReal;
    case FieldType::kText:
      return OFTString;
  }
  return OFTString;
}

std::string gdalMessage() {
  const char* msg = CPLGetLastErrorMsg();
  return msg && *msg ? std::string(msg) : std::string("GDAL reported an error without a message");
}

OGRLinearRing* toRing(const geo::Ring& ring) {
  auto* r = new OGRLinearRing();
  r->setNumPoints(static_cast<int>(ring.size()), FALSE);
  for (std::size_t i = 0; i < ring.size(); ++i) {
    r->setPoint(static_cast<int>(i), ring[i].x, ring[i].y);
  }
  return r;
}

OGRPolygon* toOgrPolygon(const geo::Polygon& polygon) {
  auto* p = new OGRPolygon();
  p->addRingDirectly(toRing(polygon.outer));
  for (const auto& hole : polygon.holes) p->addRingDirectly(toRing(hole));
  return p;
}

OGRLineString* toOgrLine(const geo::LineString& line) {
  auto* l = new OGRLineString();
  l->setNumPoints(static_cast<int>(line.size()), FALSE);
  for (std::size_t i = 0; i < line.size(); ++i) {
    l->setPoint(static_cast<int>(i), line[i].x, line[i].y);
  }
  return l;
}

}  // namespace

struct GpkgWriter::Impl {
  std::string target;
  std::string temporary;
  std::optional<core::OutputFile> output;  // the temporary file, its cleanup and its commit
  GDALDatasetUniquePtr dataset;
  OGRSpatialReference srs;
  OGRLayer* layer = nullptr;
  std::string tableName;
  OGRFeatureUniquePtr feature;
  std::int64_t rows = 0;
  std::int64_t tableRows = 0;
  bool inTransaction = false;
  bool committed = false;

  ~Impl() {
    if (committed) return;
    feature.reset();
    dataset.reset();  // GDAL closes the file before `output` removes it
    output.reset();
  }
};

GpkgWriter::GpkgWriter(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
GpkgWriter::GpkgWriter(GpkgWriter&&) noexcept = default;
GpkgWriter& GpkgWriter::operator=(GpkgWriter&&) noexcept = default;
GpkgWriter::~GpkgWriter() = default;

core::Result<GpkgWriter> GpkgWriter::create(const std::string& path) {
  GDALAllRegister();
  // Fixed timestamps in gpkg_contents make the bytes depend on the rows only.
  CPLSetConfigOption("OGR_CURRENT_DATE", "2026-01-01T00:00:00.000Z");
  CPLSetConfigOption("OGR_SQLITE_SYNCHRONOUS", "OFF");
  CPLSetConfigOption("OGR_SQLITE_CACHE", "512");
  auto impl = std::make_unique<Impl>();
  impl->target = path;
  // Hidden, per-process, and still ending in .gpkg (GDAL warns otherwise);
  // refuses read-only targets, streams into FIFOs and devices (core/output_file.h).
  auto output = core::OutputFile::begin(path, ".gpkg");
  if (!output) return output.takeError();
  impl->output.emplace(std::move(*output));
  impl->temporary = impl->output->temporaryPath();
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
  if (!driver) return makeError(ErrorCode::kStore, "GDAL has no GPKG driver", path);
  CPLErrorReset();
  impl->dataset.reset(driver->Create(impl->temporary.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!impl->dataset) {
    return makeError(ErrorCode::kWriteFailed, "cannot create GeoPackage: " + gdalMessage(), path);
  }
  impl->srs.importFromEPSG(4490);
  impl->srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return GpkgWriter(std::move(impl));
}

core::Result<void> GpkgWriter::addTable(const TableSpec& spec) {
  Impl& m = *m_impl;
  if (m.inTransaction && m.dataset->CommitTransaction() != OGRERR_NONE) {
    return makeError(ErrorCode::kWriteFailed, "commit failed: " + gdalMessage(),
                     m.target + ": table " + m.tableName);
  }
  m.inTransaction = false;
  m.feature.reset();
  CPLStringList options;
  options.SetNameValue("SPATIAL_INDEX", spec.spatialIndex ? "YES" : "NO");
  options.SetNameValue("FID", "fid");
  if (!spec.description.empty()) options.SetNameValue("DESCRIPTION", spec.description.c_str());
  if (spec.geometry == GeometryType::kNone)
    options.SetNameValue("ASPATIAL_VARIANT", "GPKG_ATTRIBUTES");
  CPLErrorReset();
  OGRLayer* layer = m.dataset->CreateLayer(spec.name.c_str(),
                                           spec.geometry == GeometryType::kNone ? nullptr : &m.srs,
                                           toOgr(spec.geometry), options.List());
  if (!layer) {
    return makeError(ErrorCode::kWriteFailed, "cannot create table: " + gdalMessage(),
                     m.target + ": table " + spec.name);
  }
  for (const auto& field : spec.fields) {
    OGRFieldDefn defn(field.name.c_str(), toOgr(field.type));
    if (layer->CreateField(&defn) != OGRERR_NONE) {
      return makeError(ErrorCode::kWriteFailed,
                       "cannot create field " + field.name + ": " + gdalMessage(),
                       m.target + ": table " + spec.name);
    }
  }
  m.layer = layer;
  m.tableName = spec.name;
  m.tableRows = 0;
  m.feature.reset(OGRFeature::CreateFeature(layer->GetLayerDefn()));
  if (m.dataset->StartTransaction() != OGRERR_NONE) {
    return makeError(ErrorCode::kWriteFailed, "cannot start transaction: " + gdalMessage(),
                     m.target + ": table " + spec.name);
  }
  m.inTransaction = true;
  return {};
}

void GpkgWriter::setInt(int field, std::int64_t value) {
  m_impl->feature->SetField(field, static_cast<GIntBig>(value));
}
void GpkgWriter::setReal(int field, double value) { m_impl->feature->SetField(field, value); }
void GpkgWriter::setText(int field, std::string_view value) {
  m_impl->feature->SetField(field, std::string(value).c_str());
}
void GpkgWriter::setNull(int field) { m_impl->feature->SetFieldNull(field); }
void GpkgWriter::setPoint(const geo::Point& lonlat) {
  m_impl->feature->SetGeometryDirectly(new OGRPoint(lonlat.x, lonlat.y));
}
void GpkgWriter::setLineString(const geo::LineString& line) {
  m_impl->feature->SetGeometryDirectly(toOgrLine(line));
}
void GpkgWriter::setPolygon(const geo::Polygon& polygon) {
  m_impl->feature->SetGeometryDirectly(toOgrPolygon(polygon));
}
void GpkgWriter::setMultiPolygon(const geo::MultiPolygon& polygons) {
  auto* mp = new OGRMultiPolygon();
  for (const auto& p : polygons.polygons) mp->addGeometryDirectly(toOgrPolygon(p));
  m_impl->feature->SetGeometryDirectly(mp);
}
void GpkgWriter::setMultiLineString(const std::vector<geo::LineString>& lines) {
  auto* ml = new OGRMultiLineString();
  for (const auto& l : lines) ml->addGeometryDirectly(toOgrLine(l));
  m_impl->feature->SetGeometryDirectly(ml);
}
void GpkgWriter::clearGeometry() { m_impl->feature->SetGeometryDirectly(nullptr); }

core::Result<void> GpkgWriter::writeRow() {
  Impl& m = *m_impl;
  m.feature->SetFID(OGRNullFID);
  CPLErrorReset();
  if (m.layer->CreateFeature(m.feature.get()) != OGRERR_NONE) {
    return makeError(
        ErrorCode::kWriteFailed, "cannot write row: " + gdalMessage(),
        m.target + ": table " + m.tableName + ": row " + std::to_string(m.tableRows + 1));
  }
  ++m.tableRows;
  ++m.rows;
  m.feature.reset(OGRFeature::CreateFeature(m.layer->GetLayerDefn()));
  return {};
}

std::int64_t GpkgWriter::rowsWritten() const { return m_impl->rows; }

namespace {
const char* gpkgGeometryName(GeometryType type) {
  switch (type) {
    case GeometryType::kNone:
      return "GEOMETRY";
    case GeometryType::kPoint:
      return "POINT";
    case GeometryType::kLineString:
      return "LINESTRING";
    case GeometryType::kPolygon:
      return "POLYGON";
    case GeometryType::kMultiPolygon:
      return "MULTIPOLYGON";
    case GeometryType::kMultiLineString:
      return "MULTILINESTRING";
  }
  return "GEOMETRY";
}
std::string sqlText(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}
}  // namespace

core::Result<void> GpkgWriter::addView(const std::string& name, const std::string& select,
                                       GeometryType geometry, const std::string& description) {
  Impl& m = *m_impl;
  const std::string where = m.target + ": view " + name;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
      return makeError(ErrorCode::kInvalidArgument, "view names are [A-Za-z0-9_]", where);
    }
  }
  const std::string statements[] = {
      "CREATE VIEW \"" + name + "\" AS " + select,
      "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, "
      "srs_id) "
      "VALUES (" +
          sqlText(name) + ", 'features', " + sqlText(name) + ", " + sqlText(description) +
          ", '2026-01-01T00:00:00.000Z', 4490)",
      "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, "
      "m) "
      "VALUES (" +
          sqlText(name) + ", 'geom', '" + gpkgGeometryName(geometry) + "', 4490, 0, 0)",
  };
  for (const auto& sql : statements) {
    CPLErrorReset();
    OGRLayer* result = m.dataset->ExecuteSQL(sql.c_str(), nullptr, nullptr);
    if (result) m.dataset->ReleaseResultSet(result);
    if (CPLGetLastErrorType() >= CE_Failure) {
      return makeError(ErrorCode::kWriteFailed, "SQL failed: " + gdalMessage(), where);
    }
  }
  return {};
}

core::Result<void> GpkgWriter::execute(const std::string& sql) {
  Impl& m = *m_impl;
  CPLErrorReset();
  OGRLayer* result = m.dataset->ExecuteSQL(sql.c_str(), nullptr, nullptr);
  if (result) m.dataset->ReleaseResultSet(result);
  if (CPLGetLastErrorType() >= CE_Failure) {
    return makeError(ErrorCode::kWriteFailed, "SQL failed: " + gdalMessage(),
                     m.target + ": " + sql);
  }
  return {};
}

core::Result<void> GpkgWriter::query(const std::string& select,
                                     const std::function<core::Result<void>(const Row&)>& onRow) {
  Impl& m = *m_impl;
  CPLErrorReset();
  OGRLayer* result = m.dataset->ExecuteSQL(select.c_str(), nullptr, nullptr);
  if (!result) {
    return makeError(ErrorCode::kStore, "query failed: " + gdalMessage(), m.target + ": " + select);
  }
  struct Release {
    GDALDataset* ds;
    OGRLayer* layer;
    ~Release() { ds->ReleaseResultSet(layer); }
  } release{m.dataset.get(), result};
  Row row;
  std::vector<unsigned char> wkb;
  for (auto& feature : *result) {
    row.geometry.reset();
    row.fields.clear();
    if (const OGRGeometry* g = feature->GetGeometryRef()) {
      wkb.resize(static_cast<std::size_t>(g->WkbSize()));
      g->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
      auto parsed =
          geo::readWkb(std::span<const std::uint8_t>(wkb.data(), wkb.size()), "query result");
      if (!parsed) return parsed.takeError();
      row.geometry = std::move(*parsed);
    }
    for (int i = 0; i < feature->GetFieldCount(); ++i) {
      if (feature->IsFieldSetAndNotNull(i)) {
        row.fields.emplace_back(feature->GetFieldAsString(i));
      } else {
        row.fields.emplace_back(std::nullopt);
      }
    }
    if (auto r = onRow(row); !r) return r;
  }
  return {};
}
const std::string& GpkgWriter::temporaryPath() const { return m_impl->temporary; }

core::Result<void> GpkgWriter::commit() {
  Impl& m = *m_impl;
  m.feature.reset();
  CPLErrorReset();
  if (m.inTransaction && m.dataset->CommitTransaction() != OGRERR_NONE) {
    return makeError(ErrorCode::kWriteFailed, "commit failed: " + gdalMessage(), m.target);
  }
  m.inTransaction = false;
  // Closing builds the deferred spatial indexes and flushes; its errors count.
  CPLErrorReset();
  GDALClose(GDALDataset::ToHandle(m.dataset.release()));  // void in GDAL 3.6: errors via CPL
  if (CPLGetLastErrorType() >= CE_Failure) {
    return makeError(ErrorCode::kWriteFailed, "closing the GeoPackage failed: " + gdalMessage(),
                     m.target);
  }
  if (auto r = m.output->commit(); !r) return r;
  m.committed = true;
  return {};
}

}  // namespace gridtwin::store
