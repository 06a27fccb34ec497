#include "boundary/source.h"

#include <array>

#include "crs/transformer.h"
#include "geo/wkb.h"
#include "store/vector_file.h"

namespace gridtwin::boundary {

namespace {

constexpr std::array<std::string_view, 3> kLevelNames = {"grid", "community", "street"};
constexpr std::array<std::string_view, 3> kLevelTables = {"grids", "communities", "streets"};

core::Error err(core::ErrorCode code, const std::string& where, std::string message) {
  return core::makeError(code, std::move(message), where);
}

bool isGridtwinDataset(const store::VectorFile& file) {
  return file.layer("grids") && file.layer("communities") && file.layer("streets");
}

core::Result<store::VectorLayer> findLayer(const store::VectorFile& file, const std::string& wanted,
                                           std::string_view fallback) {
  if (!wanted.empty()) {
    auto l = file.layer(wanted);
    if (!l) return err(core::ErrorCode::kNotFound, file.path(), "no layer '" + wanted + "'");
    return *l;
  }
  if (auto l = file.layer(std::string(fallback))) return *l;
  const int n = file.layerCount();
  if (n == 1) return file.layer(0);
  std::string names;
  for (int i = 0; i < n; ++i) names += (i ? ", " : "") + file.layer(i).name();
  return err(core::ErrorCode::kNotFound, file.path(),
             std::to_string(n) + " layers and none is '" + std::string(fallback) +
                 "'; name one with --layer (" + names + ")");
}

// Reads every feature of `layer` as a Unit (codes from codeField, parents
// from parentField when it is not empty), in EPSG:4547.
core::Result<std::vector<Unit>> readUnits(const store::VectorLayer& layer, const std::string& path,
                                          const std::string& codeField,
                                          const std::string& parentField, bool needParent) {
  const std::string where = path + ":" + layer.name();
  // No code field: features are numbered by their FID.
  const int codeIx = codeField.empty() ? -1 : layer.fieldIndex(codeField);
  if (!codeField.empty() && codeIx < 0) {
    return err(core::ErrorCode::kNotFound, where, "no field '" + codeField + "'");
  }
  int parentIx = -1;
  if (!parentField.empty()) {
    parentIx = layer.fieldIndex(parentField);
    if (parentIx < 0 && needParent) {
      return err(core::ErrorCode::kNotFound, where, "no field '" + parentField + "'");
    }
  }
  const auto crs = layer.crs();
  if (!crs) {
    return err(core::ErrorCode::kCrs, where, "the layer has no CRS; give the file one (EPSG:4490)");
  }
  const int epsg = crs->epsg;
  if (epsg <= 0) return err(core::ErrorCode::kCrs, where, "the layer's CRS has no EPSG code");
  auto toMetric = crs::Transformer::create(crs::Crs::fromEpsg(epsg), crs::kGaussKruger114);
  if (!toMetric) {
    core::Error e = toMetric.takeError();
    e.context = where;
    return e;
  }

  std::vector<Unit> units;
  std::vector<std::uint8_t> wkb;
  auto read = layer.forEachFeature([&](const store::VectorFeature& feature) -> core::Result<void> {
    const std::string here = where + ": feature " + std::to_string(feature.fid());
    Unit u;
    u.code = codeIx >= 0 ? std::string(feature.text(codeIx)) : std::to_string(feature.fid());
    if (u.code.empty()) return err(core::ErrorCode::kInvalidArgument, here, "empty " + codeField);
    if (parentIx >= 0) u.parentCode = std::string(feature.text(parentIx));
    if (!feature.hasGeometry()) {
      return err(core::ErrorCode::kInvalidGeometry, here + " (" + u.code + ")", "no geometry");
    }
    if (!feature.wkb(wkb)) {
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
    return {};
  });
  if (!read) return read.takeError();
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
core::Result<void> readContext(const store::VectorFile& file, Level level, Coverage& out) {
  if (level != Level::kStreet) {
    const Level up = level == Level::kGrid ? Level::kCommunity : Level::kStreet;
    // A gridtwin dataset has every level's table (isGridtwinDataset).
    auto p = readUnits(*file.layer(std::string(levelTable(up))), file.path(), "code", "", false);
    if (!p) return p.takeError();
    out.parents = std::move(*p);
  }
  if (auto district = file.layer("district")) {
    auto d = readUnits(*district, file.path(), "name", "", false);
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
  auto file = store::VectorFile::open(path);
  if (!file) return file.takeError();
  const bool ownDataset = isGridtwinDataset(*file);
  auto layer = findLayer(*file, options.layer, levelTable(options.level));
  if (!layer) return layer.takeError();
  const std::string codeField = options.codeField.empty() ? "code" : options.codeField;
  std::string parentField =
      options.parentField.empty() ? defaultParentField(options.level) : options.parentField;
  const bool parentsKnown = ownDataset || !options.dataset.empty();
  if (options.parentField.empty() && !parentField.empty() && layer->fieldIndex(parentField) < 0) {
    // A shapefile cuts field names to 10 characters ("community_").
    const std::string cut = parentField.substr(0, 10);
    if (layer->fieldIndex(cut) >= 0) {
      parentField = cut;
    } else if (parentsKnown) {
      return err(core::ErrorCode::kNotFound, path + ":" + layer->name(),
                 "no field '" + parentField + "' (nor '" + cut +
                     "') to check each unit against its parent; name it with --parent-field");
    }
  }
  Coverage coverage;
  auto units = readUnits(*layer, path, codeField, parentField, parentsKnown);
  if (!units) return units.takeError();
  coverage.units = std::move(*units);
  if (ownDataset) {
    GRIDTWIN_TRY(readContext(*file, options.level, coverage));
  } else if (!options.dataset.empty()) {
    auto context = store::VectorFile::open(options.dataset);
    if (!context) return context.takeError();
    if (!isGridtwinDataset(*context)) {
      return err(core::ErrorCode::kInvalidArgument, options.dataset,
                 "not a gridtwin dataset (no grids, communities and streets tables)");
    }
    GRIDTWIN_TRY(readContext(*context, options.level, coverage));
  }
  return coverage;
}

core::Result<geo::MultiPolygon> readShape(const std::string& path, const std::string& layer) {
  auto file = store::VectorFile::open(path);
  if (!file) return file.takeError();
  auto l = findLayer(*file, layer, "");
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
