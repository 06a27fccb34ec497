#include "boundary/source.h"

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <array>
#include <cstdlib>
#include <memory>

#include "crs/transformer.h"
#include "geo/wkb.h"

namespace gridtwin::boundary {

namespace {

constexpr std::array<std::string_view, 3> kLevelNames = {"grid", "community", "street"};
constexpr std::array<std::string_view, 3> kLevelTables = {"grids", "communities", "streets"};

struct DatasetCloser {
  void operator()(void* ds) const { GDALClose(static_cast<GDALDatasetH>(ds)); }
};
using DatasetPtr = std::unique_ptr<void, DatasetCloser>;

struct FeatureDeleter {
  void operator()(void* f) const { OGR_F_Destroy(static_cast<OGRFeatureH>(f)); }
};

core::Error err(core::ErrorCode code, const std::string& where, std::string message) {
  return core::makeError(code, std::move(message), where);
}

core::Result<DatasetPtr> open(const std::string& path) {
  GDALAllRegister();
  DatasetPtr ds(
      GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
  if (!ds) {
    const char* why = CPLGetLastErrorMsg();
    return err(core::ErrorCode::kIo, path,
               std::string("GDAL cannot open it as vector data") +
                   (why != nullptr && *why != 0 ? std::string(": ") + why : std::string()));
  }
  return ds;
}

bool isGridtwinDataset(GDALDatasetH ds) {
  return GDALDatasetGetLayerByName(ds, "grids") != nullptr &&
         GDALDatasetGetLayerByName(ds, "communities") != nullptr &&
         GDALDatasetGetLayerByName(ds, "streets") != nullptr;
}

core::Result<OGRLayerH> findLayer(GDALDatasetH ds, const std::string& path,
                                  const std::string& wanted, std::string_view fallback) {
  if (!wanted.empty()) {
    OGRLayerH l = GDALDatasetGetLayerByName(ds, wanted.c_str());
    if (l == nullptr) return err(core::ErrorCode::kNotFound, path, "no layer '" + wanted + "'");
    return l;
  }
  if (OGRLayerH l = GDALDatasetGetLayerByName(ds, std::string(fallback).c_str())) return l;
  const int n = GDALDatasetGetLayerCount(ds);
  if (n == 1) return GDALDatasetGetLayer(ds, 0);
  std::string names;
  for (int i = 0; i < n; ++i) {
    names += (i ? ", " : "") + std::string(OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
  }
  return err(core::ErrorCode::kNotFound, path,
             std::to_string(n) + " layers and none is '" + std::string(fallback) +
                 "'; name one with --layer (" + names + ")");
}

int fieldIndex(OGRLayerH layer, const std::string& field) {
  return OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(layer), field.c_str());
}

// Reads every feature of `layer` as a Unit (codes from codeField, parents
// from parentField when it is not empty), in EPSG:4547.
core::Result<std::vector<Unit>> readUnits(OGRLayerH layer, const std::string& path,
                                          const std::string& codeField,
                                          const std::string& parentField, bool needParent) {
  const std::string where = path + ":" + OGR_L_GetName(layer);
  // No code field: features are numbered by their FID.
  const int codeIx = codeField.empty() ? -1 : fieldIndex(layer, codeField);
  if (!codeField.empty() && codeIx < 0) {
    return err(core::ErrorCode::kNotFound, where, "no field '" + codeField + "'");
  }
  int parentIx = -1;
  if (!parentField.empty()) {
    parentIx = fieldIndex(layer, parentField);
    if (parentIx < 0 && needParent) {
      return err(core::ErrorCode::kNotFound, where, "no field '" + parentField + "'");
    }
  }
  OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
  if (srs == nullptr) {
    return err(core::ErrorCode::kCrs, where, "the layer has no CRS; give the file one (EPSG:4490)");
  }
  int epsg = 0;
  {
    const char* authority = OSRGetAuthorityName(srs, nullptr);
    const char* code = OSRGetAuthorityCode(srs, nullptr);
    if (authority != nullptr && code != nullptr && std::string_view(authority) == "EPSG") {
      epsg = std::atoi(code);
    } else {
      OGRSpatialReferenceH copy = OSRClone(srs);
      if (OSRAutoIdentifyEPSG(copy) == OGRERR_NONE) {
        const char* c = OSRGetAuthorityCode(copy, nullptr);
        if (c != nullptr) epsg = std::atoi(c);
      }
      OSRDestroySpatialReference(copy);
    }
  }
  if (epsg <= 0) return err(core::ErrorCode::kCrs, where, "the layer's CRS has no EPSG code");
  auto toMetric = crs::Transformer::create(crs::Crs::fromEpsg(epsg), crs::kGaussKruger114);
  if (!toMetric) {
    core::Error e = toMetric.takeError();
    e.context = where;
    return e;
  }

  std::vector<Unit> units;
  OGR_L_ResetReading(layer);
  while (OGRFeatureH raw = OGR_L_GetNextFeature(layer)) {
    std::unique_ptr<void, FeatureDeleter> feature(raw);
    const std::string here = where + ": feature " + std::to_string(OGR_F_GetFID(raw));
    Unit u;
    u.code = codeIx >= 0 ? std::string(OGR_F_GetFieldAsString(raw, codeIx))
                         : std::to_string(OGR_F_GetFID(raw));
    if (u.code.empty()) return err(core::ErrorCode::kInvalidArgument, here, "empty " + codeField);
    if (parentIx >= 0) u.parentCode = OGR_F_GetFieldAsString(raw, parentIx);
    OGRGeometryH g = OGR_F_GetGeometryRef(raw);
    if (g == nullptr)
      return err(core::ErrorCode::kInvalidGeometry, here + " (" + u.code + ")", "no geometry");
    std::vector<std::uint8_t> wkb(static_cast<std::size_t>(OGR_G_WkbSize(g)));
    if (OGR_G_ExportToIsoWkb(g, wkbNDR, wkb.data()) != OGRERR_NONE) {
      return err(core::ErrorCode::kInvalidGeometry, here + " (" + u.code + ")",
                 "GDAL cannot write its geometry as WKB");
    }
    auto geometry = geo::readWkb(wkb, here);
    if (!geometry) return geometry.takeError();
    if (auto* p = std::get_if<geo::Polygon>(&*geometry)) {
      u.shape.polygons.push_back(std::move(*p));
    } else if (auto* mp = std::get_if<geo::MultiPolygon>(&*geometry)) {
      u.shape = std::move(*mp);
    } else {
      return err(
          core::ErrorCode::kInvalidGeometry, here + " (" + u.code + ")",
          std::string("expected a Polygon or MultiPolygon, got ") + geo::typeName(*geometry));
    }
    for (auto& poly : u.shape.polygons) {
      auto r = toMetric->transform(poly.outer);
      if (!r) return err(r.error().code, here + " (" + u.code + ")", r.error().toString());
      for (auto& hole : poly.holes) {
        auto h = toMetric->transform(hole);
        if (!h) return err(h.error().code, here + " (" + u.code + ")", h.error().toString());
      }
    }
    units.push_back(std::move(u));
  }
  if (units.empty()) return err(core::ErrorCode::kEmptyInput, where, "no features");
  return units;
}

std::string defaultParentField(Level level) {
  switch (level) {
    case Level::kGrid:
      return "community_code";
    case Level::kCommunity:
      return "street_code";
    case Level::kStreet:
      return "";
  }
  return "";
}

// Parents and outline from a gridtwin dataset.
core::Result<void> readContext(GDALDatasetH ds, const std::string& path, Level level,
                               Coverage& out) {
  if (level != Level::kStreet) {
    const Level up = level == Level::kGrid ? Level::kCommunity : Level::kStreet;
    OGRLayerH parents = GDALDatasetGetLayerByName(ds, std::string(levelTable(up)).c_str());
    auto p = readUnits(parents, path, "code", "", false);
    if (!p) return p.takeError();
    out.parents = std::move(*p);
  }
  if (OGRLayerH district = GDALDatasetGetLayerByName(ds, "district")) {
    auto d = readUnits(district, path, "name", "", false);
    if (!d) return d.takeError();
    geo::MultiPolygon outline;
    for (Unit& u : *d) {
      for (auto& poly : u.shape.polygons) outline.polygons.push_back(std::move(poly));
    }
    out.outline = std::move(outline);
  }
  return {};
}

}  // namespace

bool parseLevel(std::string_view text, Level& out) {
  for (std::size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == text) {
      out = static_cast<Level>(i);
      return true;
    }
  }
  return false;
}

std::string_view name(Level level) { return kLevelNames[static_cast<std::size_t>(level)]; }
std::string_view levelTable(Level level) { return kLevelTables[static_cast<std::size_t>(level)]; }

core::Result<Coverage> readCoverage(const std::string& path, const SourceOptions& options) {
  auto ds = open(path);
  if (!ds) return ds.takeError();
  auto* h = static_cast<GDALDatasetH>(ds->get());
  const bool ownDataset = isGridtwinDataset(h);
  auto layer = findLayer(h, path, options.layer, levelTable(options.level));
  if (!layer) return layer.takeError();
  const std::string codeField = options.codeField.empty() ? "code" : options.codeField;
  std::string parentField =
      options.parentField.empty() ? defaultParentField(options.level) : options.parentField;
  const bool parentsKnown = ownDataset || !options.dataset.empty();
  if (options.parentField.empty() && !parentField.empty() && fieldIndex(*layer, parentField) < 0) {
    // A shapefile cuts field names to 10 characters ("community_").
    const std::string cut = parentField.substr(0, 10);
    if (fieldIndex(*layer, cut) >= 0) {
      parentField = cut;
    } else if (parentsKnown) {
      return err(core::ErrorCode::kNotFound, path + ":" + OGR_L_GetName(*layer),
                 "no field '" + parentField + "' (nor '" + cut +
                     "') to check each unit against its parent; name it with --parent-field");
    }
  }
  Coverage coverage;
  auto units = readUnits(*layer, path, codeField, parentField, parentsKnown);
  if (!units) return units.takeError();
  coverage.units = std::move(*units);
  if (ownDataset) {
    GRIDTWIN_TRY(readContext(h, path, options.level, coverage));
  } else if (!options.dataset.empty()) {
    auto context = open(options.dataset);
    if (!context) return context.takeError();
    auto* c = static_cast<GDALDatasetH>(context->get());
    if (!isGridtwinDataset(c)) {
      return err(core::ErrorCode::kInvalidArgument, options.dataset,
                 "not a gridtwin dataset (no grids, communities and streets tables)");
    }
    GRIDTWIN_TRY(readContext(c, options.dataset, options.level, coverage));
  }
  return coverage;
}

core::Result<geo::MultiPolygon> readShape(const std::string& path, const std::string& layer) {
  auto ds = open(path);
  if (!ds) return ds.takeError();
  auto* h = static_cast<GDALDatasetH>(ds->get());
  auto l = findLayer(h, path, layer, "");
  if (!l) return l.takeError();
  auto units = readUnits(*l, path, "", "", false);
  if (!units) return units.takeError();
  geo::MultiPolygon all;
  for (Unit& u : *units) {
    for (auto& poly : u.shape.polygons) all.polygons.push_back(std::move(poly));
  }
  return all;
}

std::vector<Unit> unitsOf(const model::District& district, Level level) {
  std::vector<Unit> units;
  const auto& c = district.columns();
  switch (level) {
    case Level::kGrid:
      for (std::size_t g = 0; g < c.grids.size(); ++g) {
        units.push_back({std::string(c.grids.code[g]),
                         std::string(c.communities.code[c.grids.community[g]]),
                         model::xyShape(c.grids.shape, g)});
      }
      break;
    case Level::kCommunity:
      for (std::size_t k = 0; k < c.communities.size(); ++k) {
        units.push_back({std::string(c.communities.code[k]),
                         std::string(c.streets.code[c.communities.street[k]]),
                         model::xyShape(c.communities.shape, k)});
      }
      break;
    case Level::kStreet:
      for (std::size_t s = 0; s < c.streets.size(); ++s) {
        units.push_back({std::string(c.streets.code[s]), "", model::xyShape(c.streets.shape, s)});
      }
      break;
  }
  return units;
}

}  // namespace gridtwin::boundary
