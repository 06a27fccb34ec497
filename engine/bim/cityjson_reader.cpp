// CityJSON 1.0-2.0 over nlohmann-json: city objects by type, the geometry of
// each object's highest LoD triangulated per surface, the CRS from
// metadata.referenceSystem. Every index and shape is checked (fuzzed:
// tests/fuzz/fuzz_cityjson.cpp).
#include <nlohmann/json.hpp>

#include <cmath>
#include <sstream>

#include "bim/detail.h"

namespace gridtwin::bim {

using core::ErrorCode;
using core::makeError;
using nlohmann::json;

namespace {

struct Context {
  const std::string& name;
  const std::vector<Vec3>& vertices;
  detail::MeshBuilder& builder;
  int material = 0;
  std::string where;  // "CityObjects.ID geometry 0"
};

core::Error fail(const Context& c, const std::string& what) {
  return makeError(ErrorCode::kSyntax, what, c.name + ": " + c.where);
}

// A surface: [outer ring, hole, ...], each ring a list of vertex indices.
core::Result<void> surface(Context& c, const json& s) {
  if (!s.is_array()) return fail(c, "a surface is not an array of rings");
  std::vector<std::vector<Vec3>> rings;
  for (const auto& ring : s) {
    if (!ring.is_array()) return fail(c, "a ring is not an array of vertex indices");
    std::vector<Vec3> pts;
    for (const auto& i : ring) {
      if (!i.is_number_unsigned()) return fail(c, "a vertex index is not a non-negative integer");
      const auto k = i.get<std::uint64_t>();
      if (k >= c.vertices.size()) {
        std::ostringstream m;
        m << "vertex index " << k << " is beyond the " << c.vertices.size() << " vertices";
        return fail(c, m.str());
      }
      pts.push_back(c.vertices[k]);
    }
    rings.push_back(std::move(pts));
  }
  c.builder.polygon(c.material, rings, -1, -1);
  return {};
}

// Nested arrays of surfaces, `depth` levels above the surface.
core::Result<void> surfaces(Context& c, const json& b, int depth) {
  if (!b.is_array()) return fail(c, "boundaries are not an array");
  if (depth == 0) return surface(c, b);
  for (const auto& x : b) GRIDTWIN_TRY(surfaces(c, x, depth - 1));
  return {};
}

double lodValue(const json& g) {
  const auto it = g.find("lod");
  if (it == g.end()) return 0;
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) {
    try {
      return std::stod(it->get<std::string>());
    } catch (...) {
      return 0;
    }
  }
  return 0;
}

}  // namespace

core::Result<Model> parseCityJson(const std::string& text, const std::string& name,
                                  const ReadOptions& options) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) {
    // Find where: parse again with exceptions for the position.
    std::string why = "not valid JSON";
    try {
      const json probe = json::parse(text);
      why = probe.is_null() ? why : why;
    } catch (const json::parse_error& e) {
      std::ostringstream m;
      m << "not valid JSON (byte " << e.byte << ")";
      why = m.str();
    } catch (const json::exception& e) {
      // A number beyond a double ("1e1111") and the like.
      why = "not valid JSON: a number beyond the range of a double";
    }
    if (text.find_first_not_of(" \t\r\n") != std::string::npos &&
        text.find_last_not_of(" \t\r\n") + 1 == text.size() && text.back() != '}') {
      why += "; the file looks truncated";
    }
    return makeError(ErrorCode::kParse, why, name);
  }
  if (!doc.is_object()) return makeError(ErrorCode::kSyntax, "not a JSON object", name);
  const auto type = doc.find("type");
  if (type == doc.end() || !type->is_string() || type->get<std::string>() != "CityJSON") {
    return makeError(ErrorCode::kUnsupported, "not CityJSON: \"type\" is not \"CityJSON\"", name);
  }
  Model model;
  model.path = name;
  model.format = Format::kCityJson;
  const auto version = doc.find("version");
  model.schema = "CityJSON";
  if (version != doc.end() && version->is_string())
    model.schema += " " + version->get<std::string>();

  // Vertices, through "transform" when present.
  double scale[3] = {1, 1, 1}, translate[3] = {0, 0, 0};
  if (const auto t = doc.find("transform"); t != doc.end()) {
    const auto s = t->find("scale");
    const auto tr = t->find("translate");
    if (!t->is_object() || s == t->end() || tr == t->end() || !s->is_array() || !tr->is_array() ||
        s->size() != 3 || tr->size() != 3) {
      return makeError(ErrorCode::kSyntax,
                       "\"transform\" needs \"scale\" and \"translate\" of 3 numbers", name);
    }
    for (std::size_t i = 0; i < 3; ++i) {
      if (!(*s)[i].is_number() || !(*tr)[i].is_number()) {
        return makeError(ErrorCode::kSyntax, "\"transform\" holds a value that is not a number",
                         name);
      }
      scale[i] = (*s)[i].get<double>();
      translate[i] = (*tr)[i].get<double>();
    }
  }
  std::vector<Vec3> vertices;
  if (const auto v = doc.find("vertices"); v != doc.end()) {
    if (!v->is_array()) return makeError(ErrorCode::kSyntax, "\"vertices\" is not an array", name);
    vertices.reserve(v->size());
    for (std::size_t i = 0; i < v->size(); ++i) {
      const auto& p = (*v)[i];
      if (!p.is_array() || p.size() < 3 || !p[0].is_number() || !p[1].is_number() ||
          !p[2].is_number()) {
        return makeError(ErrorCode::kSyntax, "vertex " + std::to_string(i) + " is not 3 numbers",
                         name);
      }
      vertices.push_back(Vec3{p[0].get<double>() * scale[0] + translate[0],
                              p[1].get<double>() * scale[1] + translate[1],
                              p[2].get<double>() * scale[2] + translate[2]});
    }
  }
  if (const auto md = doc.find("metadata"); md != doc.end() && md->is_object()) {
    if (const auto rs = md->find("referenceSystem"); rs != md->end() && rs->is_string()) {
      // "https://www.opengis.net/def/crs/EPSG/0/7415" or "urn:ogc:def:crs:EPSG::7415".
      const std::string crs = rs->get<std::string>();
      const std::size_t slash = crs.find_last_of("/:");
      const std::string code = slash == std::string::npos ? crs : crs.substr(slash + 1);
      model.georeference.targetCrs =
          crs.find("EPSG") != std::string::npos && !code.empty() ? "EPSG:" + code : crs;
    }
  }
  const auto objects = doc.find("CityObjects");
  if (objects == doc.end() || !objects->is_object()) {
    return makeError(ErrorCode::kSyntax, "no \"CityObjects\" object", name);
  }
  detail::MeshBuilder builder(model);
  for (const auto& [id, object] : objects->items()) {
    if (!object.is_object()) {
      return makeError(ErrorCode::kSyntax, "is not an object", name + ": CityObjects." + id);
    }
    const auto ot = object.find("type");
    if (ot == object.end() || !ot->is_string()) {
      return makeError(ErrorCode::kSyntax, "has no \"type\"", name + ": CityObjects." + id);
    }
    const std::string objectType = ot->get<std::string>();
    model.cityObjects.push_back(CityObject{id, objectType});
    ++model.elementCounts[objectType];
    if (!options.geometry) continue;
    const auto geometry = object.find("geometry");
    if (geometry == object.end()) continue;
    if (!geometry->is_array()) {
      return makeError(ErrorCode::kSyntax, "\"geometry\" is not an array",
                       name + ": CityObjects." + id);
    }
    // The highest LoD only: lower ones repeat the same object.
    const json* best = nullptr;
    std::size_t bestIndex = 0;
    for (std::size_t gi = 0; gi < geometry->size(); ++gi) {
      const auto& g = (*geometry)[gi];
      if (!g.is_object()) {
        return makeError(ErrorCode::kSyntax, "is not an object",
                         name + ": CityObjects." + id + " geometry " + std::to_string(gi));
      }
      if (!best || lodValue(g) > lodValue(*best)) {
        best = &g;
        bestIndex = gi;
      }
    }
    if (!best) continue;
    Context c{name, vertices, builder,
              builder.material(objectType, detail::defaultColour(objectType)),
              "CityObjects." + id + " geometry " + std::to_string(bestIndex)};
    const auto gt = best->find("type");
    const auto b = best->find("boundaries");
    if (gt == best->end() || !gt->is_string()) return fail(c, "has no \"type\"");
    if (b == best->end()) return fail(c, "has no \"boundaries\"");
    const std::string t = gt->get<std::string>();
    int depth = -1;
    if (t == "MultiSurface" || t == "CompositeSurface") depth = 1;
    if (t == "Solid") depth = 2;
    if (t == "MultiSolid" || t == "CompositeSolid") depth = 3;
    if (t == "GeometryInstance" || t == "MultiPoint" || t == "MultiLineString") continue;
    if (depth < 0) return fail(c, "unknown geometry type '" + t + "'");
    GRIDTWIN_TRY(surfaces(c, *b, depth));
  }
  GRIDTWIN_TRY(detail::finishModel(model, options, vertices));
  return model;
}

}  // namespace gridtwin::bim
