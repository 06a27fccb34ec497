#include "geo/geojson.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "geo/detail/common.h"

namespace gridtwin::geo {

namespace {

using core::ErrorCode;
using nlohmann::json;

std::string joinContext(std::string_view outer, const std::string& inner) {
  if (outer.empty()) return inner;
  if (inner.empty()) return std::string(outer);
  return std::string(outer) + ": " + inner;
}

// Parses text; JSON syntax errors become kSyntax with the byte offset.
core::Result<json> parseJson(std::string_view text, std::string_view context) {
  bool blank = true;
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      blank = false;
      break;
    }
  }
  if (blank)
    return core::makeError(ErrorCode::kEmptyInput, "empty GeoJSON text", std::string(context));
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] " tag; keep its words.
    if (const auto close = what.find("] ");
        what.rfind("[json.exception", 0) == 0 && close != std::string::npos) {
      what.erase(0, close + 2);
    }
    const std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    return core::makeError(ErrorCode::kSyntax, "at offset " + std::to_string(offset) + ": " + what,
                           std::string(context));
  } catch (const json::out_of_range& e) {
    // 406: a number literal beyond double range ("1e999"). nlohmann gives no
    // position here: find the literal it quotes.
    std::string what = e.what();
    if (const auto close = what.find("] "); close != std::string::npos) what.erase(0, close + 2);
    std::string where;
    const auto q1 = what.find('\'');
    const auto q2 = what.rfind('\'');
    if (q1 != std::string::npos && q2 > q1) {
      const auto at = text.find(std::string_view(what).substr(q1 + 1, q2 - q1 - 1));
      if (at != std::string_view::npos) where = "at offset " + std::to_string(at) + ": ";
    }
    return core::makeError(ErrorCode::kBadNumber, where + what, std::string(context));
  } catch (const json::exception& e) {
    return core::makeError(ErrorCode::kParse, e.what(), std::string(context));
  }
}

const char* jsonTypeName(const json& j) { return j.type_name(); }

// Converts GeoJSON geometry objects; `m_error` keeps the first failure with
// the JSON path of the offending member ("geometry.coordinates[2][0]").
class GeometryConverter {
 public:
  std::optional<core::Error> error;

  bool fail(ErrorCode code, const std::string& path, const std::string& message) {
    if (!error) error = core::makeError(code, path.empty() ? message : path + ": " + message);
    return false;
  }

  bool position(const json& j, const std::string& path, Point& p) {
    if (!j.is_array()) {
      return fail(ErrorCode::kSyntax, path,
                  std::string("expected a position array, got ") + jsonTypeName(j));
    }
    if (j.size() < 2) {
      return fail(ErrorCode::kTooFewPoints, path,
                  "a position needs at least 2 numbers, got " + std::to_string(j.size()));
    }
    for (std::size_t i = 0; i < j.size(); ++i) {
      const json& v = j[i];
      if (!v.is_number()) {
        return fail(ErrorCode::kBadNumber, path + "[" + std::to_string(i) + "]",
                    std::string("expected number, got ") + jsonTypeName(v) + " " + v.dump());
      }
      const double d = v.get<double>();
      if (!std::isfinite(d)) {
        return fail(ErrorCode::kNonFinite, path + "[" + std::to_string(i) + "]",
                    "coordinate is not finite: " + v.dump());
      }
      if (i == 0) p.x = d;
      if (i == 1) p.y = d;
      // Further ordinates (altitude, measures) are dropped: 2D model.
    }
    return true;
  }

  bool positions(const json& j, const std::string& path, std::vector<Point>& out) {
    if (!j.is_array()) {
      return fail(ErrorCode::kSyntax, path,
                  std::string("expected an array of positions, got ") + jsonTypeName(j));
    }
    out.reserve(j.size());
    for (std::size_t i = 0; i < j.size(); ++i) {
      Point p;
      if (!position(j[i], path + "[" + std::to_string(i) + "]", p)) return false;
      out.push_back(p);
    }
    return true;
  }

  bool lineString(const json& j, const std::string& path, LineString& l) {
    if (!positions(j, path, l)) return false;
    if (l.size() == 1) {
      return fail(ErrorCode::kTooFewPoints, path,
                  "linestring has 1 position; a linestring needs 0 or at least 2");
    }
    return true;
  }

  bool polygon(const json& j, const std::string& path, Polygon& poly) {
    if (!j.is_array()) {
      return fail(ErrorCode::kSyntax, path,
                  std::string("expected an array of rings, got ") + jsonTypeName(j));
    }
    for (std::size_t r = 0; r < j.size(); ++r) {
      const std::string ringPath = path + "[" + std::to_string(r) + "]";
      Ring ring;
      if (!positions(j[r], ringPath, ring)) return false;
      if (auto problem = detail::ringProblem(ring, "ring " + std::to_string(r))) {
        return fail(problem->code, ringPath, problem->message);
      }
      if (r == 0) {
        poly.outer = std::move(ring);
      } else {
        poly.holes.push_back(std::move(ring));
      }
    }
    return true;
  }

  bool geometry(const json& j, const std::string& path, Geometry& out, int depth) {
    if (!j.is_object()) {
      return fail(ErrorCode::kSyntax, path,
                  std::string("expected a geometry object, got ") + jsonTypeName(j));
    }
    const auto typeIt = j.find("type");
    if (typeIt == j.end() || !typeIt->is_string()) {
      return fail(ErrorCode::kSyntax, path, "geometry has no \"type\" string");
    }
    const std::string& type = typeIt->get_ref<const std::string&>();
    const std::string prefix = path.empty() ? std::string() : path + ".";
    if (type == "GeometryCollection") {
      if (depth >= detail::kMaxNesting) {
        return fail(ErrorCode::kUnsupported, path,
                    "GeometryCollection nested deeper than " + std::to_string(detail::kMaxNesting) +
                        " levels");
      }
      const auto it = j.find("geometries");
      if (it == j.end() || !it->is_array()) {
        return fail(ErrorCode::kSyntax, path, "GeometryCollection has no \"geometries\" array");
      }
      GeometryCollection c;
      for (std::size_t i = 0; i < it->size(); ++i) {
        Geometry child;
        if (!geometry((*it)[i], prefix + "geometries[" + std::to_string(i) + "]", child,
                      depth + 1)) {
          return false;
        }
        c.geometries.push_back(std::move(child));
      }
      out = std::move(c);
      return true;
    }
    const auto coordsIt = j.find("coordinates");
    const std::string coordsPath = prefix + "coordinates";
    if (coordsIt == j.end()) {
      return fail(ErrorCode::kSyntax, path, type + " has no \"coordinates\"");
    }
    const json& c = *coordsIt;
    if (type == "Point") {
      if (c.is_array() && c.empty()) {
        out = emptyPoint();
        return true;
      }
      Point p;
      if (!position(c, coordsPath, p)) return false;
      out = p;
      return true;
    }
    if (type == "LineString") {
      LineString l;
      if (!lineString(c, coordsPath, l)) return false;
      out = std::move(l);
      return true;
    }
    if (type == "Polygon") {
      Polygon p;
      if (!polygon(c, coordsPath, p)) return false;
      out = std::move(p);
      return true;
    }
    if (!c.is_array()) {
      return fail(ErrorCode::kSyntax, coordsPath,
                  std::string("expected an array, got ") + jsonTypeName(c));
    }
    if (type == "MultiPoint") {
      MultiPoint m;
      for (std::size_t i = 0; i < c.size(); ++i) {
        Point p = emptyPoint();
        if (!(c[i].is_array() && c[i].empty()) &&
            !position(c[i], coordsPath + "[" + std::to_string(i) + "]", p)) {
          return false;
        }
        m.points.push_back(p);
      }
      out = std::move(m);
      return true;
    }
    if (type == "MultiLineString") {
      MultiLineString m;
      for (std::size_t i = 0; i < c.size(); ++i) {
        LineString l;
        if (!lineString(c[i], coordsPath + "[" + std::to_string(i) + "]", l)) return false;
        m.lines.push_back(std::move(l));
      }
      out = std::move(m);
      return true;
    }
    if (type == "MultiPolygon") {
      MultiPolygon m;
      for (std::size_t i = 0; i < c.size(); ++i) {
        Polygon p;
        if (!polygon(c[i], coordsPath + "[" + std::to_string(i) + "]", p)) return false;
        m.polygons.push_back(std::move(p));
      }
      out = std::move(m);
      return true;
    }
    return fail(ErrorCode::kUnsupported, path, "unknown geometry type \"" + type + "\"");
  }
};

core::Result<Feature> convertFeature(const json& j, const std::string& context) {
  Feature f;
  if (const auto it = j.find("id"); it != j.end() && !it->is_null()) {
    if (it->is_string()) {
      f.id = it->get<std::string>();
    } else if (it->is_number()) {
      f.id = it->dump();
    } else {
      return core::makeError(
          ErrorCode::kSyntax,
          std::string("id must be a string or a number, got ") + jsonTypeName(*it), context);
    }
  }
  if (const auto it = j.find("properties"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) {
      return core::makeError(ErrorCode::kSyntax,
                             std::string("properties must be an object, got ") + jsonTypeName(*it),
                             context);
    }
    f.propertiesJson = it->dump(-1, ' ', false, json::error_handler_t::replace);
  }
  const auto git = j.find("geometry");
  if (git == j.end()) {
    return core::makeError(ErrorCode::kSyntax, "Feature has no \"geometry\" member", context);
  }
  if (git->is_null()) {
    f.geometry = GeometryCollection{};
  } else {
    GeometryConverter conv;
    if (!conv.geometry(*git, "geometry", f.geometry, 0)) {
      return std::move(*conv.error).withContext(context);
    }
  }
  return f;
}

std::string typeOf(const json& j) {
  if (!j.is_object()) return {};
  const auto it = j.find("type");
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

core::Result<std::vector<Feature>> convertTop(const json& root, std::string_view context) {
  std::vector<Feature> features;
  const std::string type = typeOf(root);
  if (type.empty()) {
    return core::makeError(
        ErrorCode::kSyntax,
        std::string("expected a GeoJSON object with a \"type\", got ") + jsonTypeName(root),
        std::string(context));
  }
  if (type == "FeatureCollection") {
    const auto it = root.find("features");
    if (it == root.end() || !it->is_array()) {
      return core::makeError(ErrorCode::kSyntax, "FeatureCollection has no \"features\" array",
                             std::string(context));
    }
    features.reserve(it->size());
    for (std::size_t i = 0; i < it->size(); ++i) {
      const json& fj = (*it)[i];
      const std::string where = joinContext(context, "feature " + std::to_string(i));
      if (typeOf(fj) != "Feature") {
        return core::makeError(ErrorCode::kSyntax, "expected an object of type \"Feature\"", where);
      }
      auto f = convertFeature(fj, where);
      if (!f) return f.takeError();
      features.push_back(std::move(f).value());
    }
    return features;
  }
  if (type == "Feature") {
    auto f = convertFeature(root, joinContext(context, "feature 0"));
    if (!f) return f.takeError();
    features.push_back(std::move(f).value());
    return features;
  }
  Feature f;
  GeometryConverter conv;
  if (!conv.geometry(root, "", f.geometry, 0)) {
    return std::move(*conv.error).withContext(std::string(context));
  }
  features.push_back(std::move(f));
  return features;
}

// --- writing ---

void appendPosition(std::string& out, const Point& p, int precision) {
  out += '[';
  detail::appendNumber(out, p.x, precision);
  out += ',';
  detail::appendNumber(out, p.y, precision);
  out += ']';
}

void appendPositions(std::string& out, const std::vector<Point>& points, int precision) {
  out += '[';
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (i) out += ',';
    appendPosition(out, points[i], precision);
  }
  out += ']';
}

void appendRings(std::string& out, const Polygon& p, int precision) {
  out += '[';
  if (!p.outer.empty()) {
    appendPositions(out, p.outer, precision);
    for (const Ring& hole : p.holes) {
      out += ',';
      appendPositions(out, hole, precision);
    }
  }
  out += ']';
}

void appendGeometry(std::string& out, const Geometry& g, int precision) {
  out += "{\"type\":\"";
  out += typeName(g);
  out += "\",";
  if (const auto* c = std::get_if<GeometryCollection>(&g)) {
    out += "\"geometries\":[";
    for (std::size_t i = 0; i < c->geometries.size(); ++i) {
      if (i) out += ',';
      appendGeometry(out, c->geometries[i], precision);
    }
    out += "]}";
    return;
  }
  out += "\"coordinates\":";
  if (const auto* p = std::get_if<Point>(&g)) {
    if (isEmpty(*p)) {
      out += "[]";
    } else {
      appendPosition(out, *p, precision);
    }
  } else if (const auto* l = std::get_if<LineString>(&g)) {
    appendPositions(out, *l, precision);
  } else if (const auto* poly = std::get_if<Polygon>(&g)) {
    appendRings(out, *poly, precision);
  } else if (const auto* mp = std::get_if<MultiPoint>(&g)) {
    out += '[';
    for (std::size_t i = 0; i < mp->points.size(); ++i) {
      if (i) out += ',';
      if (isEmpty(mp->points[i])) {
        out += "[]";
      } else {
        appendPosition(out, mp->points[i], precision);
      }
    }
    out += ']';
  } else if (const auto* ml = std::get_if<MultiLineString>(&g)) {
    out += '[';
    for (std::size_t i = 0; i < ml->lines.size(); ++i) {
      if (i) out += ',';
      appendPositions(out, ml->lines[i], precision);
    }
    out += ']';
  } else if (const auto* mpoly = std::get_if<MultiPolygon>(&g)) {
    out += '[';
    for (std::size_t i = 0; i < mpoly->polygons.size(); ++i) {
      if (i) out += ',';
      appendRings(out, mpoly->polygons[i], precision);
    }
    out += ']';
  }
  out += '}';
}

}  // namespace

std::optional<std::string> stringProperty(const Feature& feature, std::string_view key) {
  const json props = json::parse(feature.propertiesJson, nullptr, false);
  if (!props.is_object()) return std::nullopt;
  const auto it = props.find(key);
  if (it == props.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<double> numberProperty(const Feature& feature, std::string_view key) {
  const json props = json::parse(feature.propertiesJson, nullptr, false);
  if (!props.is_object()) return std::nullopt;
  const auto it = props.find(key);
  if (it == props.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

core::Result<std::vector<Feature>> readGeoJsonFeatures(std::string_view text,
                                                       std::string_view context) {
  auto root = parseJson(text, context);
  if (!root) return root.takeError();
  return convertTop(*root, context);
}

core::Result<std::vector<Feature>> readGeoJsonFile(const std::string& path) {
  auto text = detail::readWholeFile(path);
  if (!text) return text.takeError();
  if (text->empty()) return core::makeError(ErrorCode::kEmptyInput, "empty file", path);
  return readGeoJsonFeatures(*text, path);
}

core::Result<Geometry> readGeoJsonGeometry(std::string_view text, std::string_view context) {
  auto root = parseJson(text, context);
  if (!root) return root.takeError();
  Geometry g;
  GeometryConverter conv;
  if (!conv.geometry(*root, "", g, 0))
    return std::move(*conv.error).withContext(std::string(context));
  return g;
}

std::string writeGeoJson(const Geometry& g, int precision) {
  std::string out;
  appendGeometry(out, g, precision);
  return out;
}

std::string writeGeoJsonFeatureCollection(const std::vector<Feature>& features) {
  std::string out = "{\"type\":\"FeatureCollection\",\"features\":[";
  for (std::size_t i = 0; i < features.size(); ++i) {
    const Feature& f = features[i];
    if (i) out += ',';
    out += "{\"type\":\"Feature\",";
    if (f.id) {
      out += "\"id\":";
      out += json(*f.id).dump(-1, ' ', false, json::error_handler_t::replace);
      out += ',';
    }
    out += "\"geometry\":";
    const auto* c = std::get_if<GeometryCollection>(&f.geometry);
    if (c && c->geometries.empty()) {
      out += "null";  // the unlocated feature, as read
    } else {
      appendGeometry(out, f.geometry, 17);
    }
    out += ",\"properties\":";
    out += f.propertiesJson.empty() ? std::string("{}") : f.propertiesJson;
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace gridtwin::geo
