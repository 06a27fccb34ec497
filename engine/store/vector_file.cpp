#include "store/vector_file.h"

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <cstdlib>
#include <string_view>

namespace gridtwin::store {

namespace {

struct FeatureDestroy {
  void operator()(void* f) const { OGR_F_Destroy(static_cast<OGRFeatureH>(f)); }
};
using FeaturePtr = std::unique_ptr<void, FeatureDestroy>;

struct SrsDestroy {
  void operator()(void* s) const {
    OSRDestroySpatialReference(static_cast<OGRSpatialReferenceH>(s));
  }
};

}  // namespace

// ---- features

std::int64_t VectorFeature::fid() const { return OGR_F_GetFID(static_cast<OGRFeatureH>(m_handle)); }

bool VectorFeature::isNull(int field) const {
  return !OGR_F_IsFieldSetAndNotNull(static_cast<OGRFeatureH>(m_handle), field);
}

std::string_view VectorFeature::text(int field) const {
  return OGR_F_GetFieldAsString(static_cast<OGRFeatureH>(m_handle), field);
}

std::int64_t VectorFeature::integer(int field) const {
  return OGR_F_GetFieldAsInteger64(static_cast<OGRFeatureH>(m_handle), field);
}

double VectorFeature::real(int field) const {
  return OGR_F_GetFieldAsDouble(static_cast<OGRFeatureH>(m_handle), field);
}

bool VectorFeature::hasGeometry() const {
  return OGR_F_GetGeometryRef(static_cast<OGRFeatureH>(m_handle)) != nullptr;
}

bool VectorFeature::wkb(std::vector<std::uint8_t>& out) const {
  OGRGeometryH g = OGR_F_GetGeometryRef(static_cast<OGRFeatureH>(m_handle));
  if (g == nullptr) return false;
  if (OGR_G_Is3D(g) || OGR_G_IsMeasured(g)) {
    OGR_G_FlattenTo2D(g);
    OGR_G_SetMeasured(g, FALSE);
  }
  out.resize(static_cast<std::size_t>(OGR_G_WkbSize(g)));
  return OGR_G_ExportToIsoWkb(g, wkbNDR, out.data()) == OGRERR_NONE;
}

// ---- layers

std::string VectorLayer::name() const { return OGR_L_GetName(static_cast<OGRLayerH>(m_handle)); }

std::vector<FieldDef> VectorLayer::fields() const {
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(static_cast<OGRLayerH>(m_handle));
  std::vector<FieldDef> out;
  const int n = OGR_FD_GetFieldCount(defn);
  out.reserve(static_cast<std::size_t>(n));
  for (int f = 0; f < n; ++f) {
    OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, f);
    const OGRFieldType t = OGR_Fld_GetType(fd);
    out.push_back({OGR_Fld_GetNameRef(fd), t == OFTInteger || t == OFTInteger64
                                               ? FieldType::kInteger
                                           : t == OFTReal ? FieldType::kReal
                                                          : FieldType::kText});
  }
  return out;
}

int VectorLayer::fieldIndex(const std::string& field) const {
  return OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(static_cast<OGRLayerH>(m_handle)), field.c_str());
}

bool VectorLayer::hasGeometry() const {
  return OGR_FD_GetGeomFieldCount(OGR_L_GetLayerDefn(static_cast<OGRLayerH>(m_handle))) > 0;
}

std::string VectorLayer::geometryType() const {
  switch (wkbFlatten(OGR_L_GetGeomType(static_cast<OGRLayerH>(m_handle)))) {
    case wkbPoint:
      return "POINT";
    case wkbLineString:
      return "LINESTRING";
    case wkbPolygon:
      return "POLYGON";
    case wkbMultiPoint:
      return "MULTIPOINT";
    case wkbMultiLineString:
      return "MULTILINESTRING";
    case wkbMultiPolygon:
      return "MULTIPOLYGON";
    case wkbGeometryCollection:
      return "GEOMETRYCOLLECTION";
    default:
      return "GEOMETRY";
  }
}

std::string VectorLayer::description() const {
  const char* d = GDALGetMetadataItem(m_handle, "DESCRIPTION", nullptr);
  return d != nullptr ? d : "";
}

std::optional<LayerCrs> VectorLayer::crs() const {
  OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(static_cast<OGRLayerH>(m_handle));
  if (srs == nullptr) return std::nullopt;
  LayerCrs out;
  const char* authority = OSRGetAuthorityName(srs, nullptr);
  const char* code = OSRGetAuthorityCode(srs, nullptr);
  if (authority != nullptr) out.authority = authority;
  if (code != nullptr) out.code = code;
  if (authority != nullptr && code != nullptr && std::string_view(authority) == "EPSG") {
    out.epsg = std::atoi(code);
  } else {
    const std::unique_ptr<void, SrsDestroy> copy(OSRClone(srs));
    if (OSRAutoIdentifyEPSG(copy.get()) == OGRERR_NONE) {
      if (const char* c = OSRGetAuthorityCode(copy.get(), nullptr)) out.epsg = std::atoi(c);
    }
  }
  return out;
}

core::Result<void> VectorLayer::forEachFeature(
    const std::function<core::Result<void>(const VectorFeature&)>& body) const {
  auto* layer = static_cast<OGRLayerH>(m_handle);
  OGR_L_ResetReading(layer);
  while (OGRFeatureH raw = OGR_L_GetNextFeature(layer)) {
    const FeaturePtr owned(raw);
    if (auto r = body(VectorFeature(raw)); !r) return r;
  }
  return {};
}

// ---- files

void VectorFile::Close::operator()(void* dataset) const {
  GDALClose(static_cast<GDALDatasetH>(dataset));
}

core::Result<VectorFile> VectorFile::open(const std::string& path) { return open(path, {}); }

core::Result<VectorFile> VectorFile::open(const std::string& path,
                                          const std::vector<std::string>& openOptions) {
  GDALAllRegister();
  CPLErrorReset();  // no stale reason in the message
  std::vector<const char*> options;
  for (const auto& o : openOptions) options.push_back(o.c_str());
  options.push_back(nullptr);
  GDALDatasetH ds = GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr,
                               openOptions.empty() ? nullptr : options.data(), nullptr);
  if (ds == nullptr) {
    const char* why = CPLGetLastErrorMsg();
    return core::makeError(
        core::ErrorCode::kIo,
        std::string("GDAL cannot open it as vector data") +
            (why != nullptr && *why != 0 ? std::string(": ") + why : std::string()),
        path);
  }
  return VectorFile(path, ds);
}

core::Result<VectorFile> VectorFile::openPostgis(const std::string& url,
                                                 const std::string& schema) {
  // GDAL's PostgreSQL driver takes libpq's connection URI after "PG:"; the
  // schema is its active one, so its tables need no prefix. A reply with
  // the URL as the user gave it.
  auto file = open("PG:" + url, {"ACTIVE_SCHEMA=" + schema, "LIST_ALL_TABLES=NO"});
  if (!file) return core::makeError(file.error().code, file.error().message, url);
  file->m_path = url;
  return file;
}

std::string VectorFile::driverName() const {
  GDALDriverH driver = GDALGetDatasetDriver(m_dataset.get());
  return driver != nullptr ? GDALGetDriverShortName(driver) : "";
}

int VectorFile::layerCount() const { return GDALDatasetGetLayerCount(m_dataset.get()); }

VectorLayer VectorFile::layer(int i) const {
  return VectorLayer(GDALDatasetGetLayer(m_dataset.get(), i));
}

std::optional<VectorLayer> VectorFile::layer(const std::string& name) const {
  OGRLayerH l = GDALDatasetGetLayerByName(m_dataset.get(), name.c_str());
  if (l == nullptr) return std::nullopt;
  return VectorLayer(l);
}

std::string VectorFile::sqliteViewSql(const std::string& name) const {
  std::string literal = "'";
  for (char c : name) {
    literal += c;
    if (c == '\'') literal += '\'';
  }
  literal += "'";
  OGRLayerH rs = GDALDatasetExecuteSQL(
      m_dataset.get(),
      ("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = " + literal).c_str(), nullptr,
      nullptr);
  if (rs == nullptr) return {};
  std::string sql;
  if (OGRFeatureH f = OGR_L_GetNextFeature(rs)) {
    const FeaturePtr owned(f);
    if (OGR_F_IsFieldSetAndNotNull(f, 0)) sql = OGR_F_GetFieldAsString(f, 0);
  }
  GDALDatasetReleaseResultSet(m_dataset.get(), rs);
  return sql;
}

}  // namespace gridtwin::store
