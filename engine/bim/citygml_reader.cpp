// CityGML 1.0/2.0 through libcitygml: city objects by type (buildings
// counted), polygons triangulated by us from their exterior and interior
// rings (libcitygml's own tesselation is off: it needs GLU), the CRS from the
// model's srsName. libcitygml logs and skips what it cannot parse and
// returns no model for a file that is not CityGML.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
#include <citygml/citygml.h>
#include <citygml/citygmllogger.h>
#include <citygml/citymodel.h>
#include <citygml/cityobject.h>
#include <citygml/geometry.h>
#include <citygml/linearring.h>
#include <citygml/polygon.h>

#include <functional>
#pragma GCC diagnostic pop

#include "bim/detail.h"

namespace gridtwin::bim::detail {

namespace {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
// Collects libcitygml's errors instead of printing them.
class Logger final : public citygml::CityGMLLogger {
 public:
  Logger() : citygml::CityGMLLogger(LOGLEVEL::LL_ERROR) {}
  void log(LOGLEVEL level, const std::string& message, const char* /*file*/,
           int /*line*/) const override {
    if (level == LOGLEVEL::LL_ERROR && m_first.empty()) m_first = message;
  }
  mutable std::string m_first;
};
#pragma GCC diagnostic pop

std::vector<Vec3> ring(const citygml::LinearRing& r) {
  std::vector<Vec3> out;
  for (const auto& v : r.getVertices()) out.push_back(Vec3{v.x, v.y, v.z});
  if (out.size() > 1 && out.front().x == out.back().x && out.front().y == out.back().y &&
      out.front().z == out.back().z) {
    out.pop_back();
  }
  return out;
}

}  // namespace

core::Result<Model> readCityGml(const std::string& path, const ReadOptions& options) {
  GRIDTWIN_TRY(readFileText(path));  // missing, a folder, empty: named as such
  citygml::ParserParams params;
  params.tesselate = false;
  params.keepVertices = true;
  auto logger = std::make_shared<Logger>();
  std::shared_ptr<const citygml::CityModel> city;
  try {
    city = citygml::load(path, params, logger);
  } catch (const std::exception& e) {
    return core::makeError(core::ErrorCode::kParse,
                           std::string("CityGML parse failed: ") + e.what(), path);
  }
  if (!city) {
    return core::makeError(
        core::ErrorCode::kParse,
        "not a CityGML model" + (logger->m_first.empty() ? std::string() : ": " + logger->m_first),
        path);
  }
  Model model;
  model.path = path;
  model.format = Format::kCityGml;
  model.schema = "CityGML";
  model.georeference.targetCrs = city->getSRSName();
  if (model.georeference.targetCrs.empty()) {
    model.georeference.targetCrs = city->getEnvelope().srsName();
  }
  MeshBuilder builder(model);
  std::vector<Vec3> extra;
  std::function<void(const citygml::Geometry&, int)> geometry = [&](const citygml::Geometry& g,
                                                                    int material) {
    for (unsigned int p = 0; p < g.getPolygonsCount(); ++p) {
      const auto poly = g.getPolygon(p);
      if (!poly || !poly->exteriorRing()) continue;
      std::vector<std::vector<Vec3>> rings{ring(*poly->exteriorRing())};
      for (const auto& hole : poly->interiorRings()) {
        if (hole) rings.push_back(ring(*hole));
      }
      for (const auto& r : rings) extra.insert(extra.end(), r.begin(), r.end());
      if (options.geometry) builder.polygon(material, rings, -1, -1);
    }
    for (unsigned int c = 0; c < g.getGeometriesCount(); ++c) geometry(g.getGeometry(c), material);
  };
  std::function<void(const citygml::CityObject&, int)> object = [&](const citygml::CityObject& o,
                                                                    int depth) {
    if (depth > 32) return;
    const std::string type = o.getTypeAsString();
    model.cityObjects.push_back(CityObject{o.getId(), type});
    ++model.elementCounts[type];
    if (model.name.empty()) model.name = o.getAttribute("name");
    const int material = builder.material(type, defaultColour(type));
    for (unsigned int g = 0; g < o.getGeometriesCount(); ++g) geometry(o.getGeometry(g), material);
    for (unsigned int c = 0; c < o.getChildCityObjectsCount(); ++c) {
      object(o.getChildCityObject(c), depth + 1);
    }
  };
  for (const auto* root : city->getRootCityObjects()) {
    if (root) object(*root, 0);
  }
  if (model.cityObjects.empty()) {
    return core::makeError(
        core::ErrorCode::kParse,
        "no city objects: not a CityGML model" +
            (logger->m_first.empty() ? std::string() : " (" + logger->m_first + ")"),
        path);
  }
  GRIDTWIN_TRY(finishModel(model, options, extra));
  return model;
}

}  // namespace gridtwin::bim::detail
