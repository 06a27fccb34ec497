#include "bim/model.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "bim/detail.h"
#include "geo/triangulate.h"

namespace gridtwin::bim {

using core::ErrorCode;
using core::makeError;

void Box3::expand(const Vec3& p) {
  min.x = std::min(min.x, p.x);
  min.y = std::min(min.y, p.y);
  min.z = std::min(min.z, p.z);
  max.x = std::max(max.x, p.x);
  max.y = std::max(max.y, p.y);
  max.z = std::max(max.z, p.z);
}

void Box3::expand(const Box3& b) {
  if (b.empty()) return;
  expand(b.min);
  expand(b.max);
}

const char* formatName(Format format) {
  switch (format) {
    case Format::kIfc:
      return "IFC";
    case Format::kGltf:
      return "glTF";
    case Format::kObj:
      return "OBJ";
    case Format::kCityJson:
      return "CityJSON";
    case Format::kCityGml:
      return "CityGML";
  }
  return "?";
}

std::size_t Model::triangleCount() const {
  std::size_t n = 0;
  for (const auto& m : meshes) n += m.triangleCount();
  return n;
}

std::size_t Model::buildingCount() const {
  return static_cast<std::size_t>(
      std::count_if(cityObjects.begin(), cityObjects.end(),
                    [](const CityObject& o) { return o.type == "Building"; }));
}

namespace detail {

int MeshBuilder::material(const std::string& name, const std::array<float, 4>& rgba) {
  auto it = m_materials.find(name);
  if (it != m_materials.end()) return it->second;
  const int index = static_cast<int>(m_model.materials.size());
  m_model.materials.push_back(Material{name, rgba});
  m_materials.emplace(name, index);
  return index;
}

Mesh& MeshBuilder::meshOf(int material) {
  if (static_cast<std::size_t>(material) >= m_meshOfMaterial.size()) {
    m_meshOfMaterial.resize(static_cast<std::size_t>(material) + 1, -1);
  }
  int& slot = m_meshOfMaterial[static_cast<std::size_t>(material)];
  if (slot < 0) {
    slot = static_cast<int>(m_model.meshes.size());
    m_model.meshes.push_back(Mesh{});
    m_model.meshes.back().material = material;
  }
  return m_model.meshes[static_cast<std::size_t>(slot)];
}

void MeshBuilder::triangle(int material, const Vec3& a, const Vec3& b, const Vec3& c, int storey,
                           int space) {
  Mesh& mesh = meshOf(material);
  const auto base = static_cast<std::uint32_t>(mesh.positions.size() / 3);
  for (const Vec3* p : {&a, &b, &c}) {
    mesh.positions.push_back(static_cast<float>(p->x));
    mesh.positions.push_back(static_cast<float>(p->y));
    mesh.positions.push_back(static_cast<float>(p->z));
  }
  mesh.indices.insert(mesh.indices.end(), {base, base + 1, base + 2});
  mesh.triangleStorey.push_back(storey);
  mesh.triangleSpace.push_back(space);
}

void MeshBuilder::polygon(int material, const std::vector<std::vector<Vec3>>& rings, int storey,
                          int space) {
  if (rings.empty() || rings[0].size() < 3) return;
  const auto& outer = rings[0];
  if (outer.size() == 3 && rings.size() == 1) {
    triangle(material, outer[0], outer[1], outer[2], storey, space);
    return;
  }
  // Newell's normal picks the plane to project on.
  double nx = 0, ny = 0, nz = 0;
  for (std::size_t i = 0; i < outer.size(); ++i) {
    const Vec3& p = outer[i];
    const Vec3& q = outer[(i + 1) % outer.size()];
    nx += (p.y - q.y) * (p.z + q.z);
    ny += (p.z - q.z) * (p.x + q.x);
    nz += (p.x - q.x) * (p.y + q.y);
  }
  const double ax = std::fabs(nx), ay = std::fabs(ny), az = std::fabs(nz);
  if (ax + ay + az == 0 || !std::isfinite(ax + ay + az)) return;  // degenerate
  const int drop = (ax >= ay && ax >= az) ? 0 : (ay >= az ? 1 : 2);
  const bool flip = (drop == 0 ? nx : drop == 1 ? ny : nz) < 0;
  auto project = [&](const Vec3& p) {
    geo::Point q = drop == 0   ? geo::Point{p.y, p.z}
                   : drop == 1 ? geo::Point{p.z, p.x}
                               : geo::Point{p.x, p.y};
    if (flip) q.x = -q.x;
    return q;
  };
  geo::Polygon poly;
  std::vector<Vec3> all;
  for (std::size_t r = 0; r < rings.size(); ++r) {
    if (rings[r].size() < 3) continue;
    geo::Ring ring;
    for (const Vec3& p : rings[r]) ring.push_back(project(p));
    ring.push_back(ring.front());
    if (r == 0) {
      poly.outer = std::move(ring);
    } else {
      poly.holes.push_back(std::move(ring));
    }
  }
  // Vertices in triangulate()'s order: rings without their closing repeat;
  // triangulationVertices() drops repeats, so map back through it.
  const std::vector<geo::Point> verts = geo::triangulationVertices(poly);
  std::vector<Vec3> source;
  for (const auto& ring : rings) {
    if (ring.size() < 3) continue;
    source.insert(source.end(), ring.begin(), ring.end());
  }
  if (verts.size() != source.size()) {
    // Repeated points were dropped: match each projected vertex to its source.
    std::vector<Vec3> matched;
    std::size_t k = 0;
    for (const auto& v : verts) {
      while (k < source.size() && !(project(source[k]) == v)) ++k;
      if (k == source.size()) return;
      matched.push_back(source[k]);
    }
    source = std::move(matched);
  }
  const std::vector<std::uint32_t> tris = geo::triangulate(poly);
  for (std::size_t t = 0; t + 2 < tris.size(); t += 3) {
    if (tris[t] >= source.size() || tris[t + 1] >= source.size() || tris[t + 2] >= source.size()) {
      continue;
    }
    if (flip) {
      triangle(material, source[tris[t]], source[tris[t + 2]], source[tris[t + 1]], storey, space);
    } else {
      triangle(material, source[tris[t]], source[tris[t + 1]], source[tris[t + 2]], storey, space);
    }
  }
}

core::Result<void> finishModel(Model& model, const ReadOptions& options,
                               const std::vector<Vec3>& extra) {
  Box3 box;
  auto check = [&](double x, double y, double z) -> core::Result<void> {
    for (double v : {x, y, z}) {
      if (!std::isfinite(v) || std::fabs(v) > options.maxCoordinate) {
        std::ostringstream msg;
        msg << "absurd coordinate " << v << " (beyond " << options.maxCoordinate
            << " m from the origin): a wrong unit or a corrupt file";
        return makeError(ErrorCode::kOutOfDomain, msg.str(), model.path);
      }
    }
    box.expand(Vec3{x, y, z});
    return {};
  };
  for (const auto& mesh : model.meshes) {
    for (std::size_t i = 0; i + 2 < mesh.positions.size(); i += 3) {
      GRIDTWIN_TRY(check(mesh.positions[i], mesh.positions[i + 1], mesh.positions[i + 2]));
    }
  }
  for (const auto& p : extra) GRIDTWIN_TRY(check(p.x, p.y, p.z));
  for (auto& space : model.spaces) {
    if (!space.bounds.empty()) {
      GRIDTWIN_TRY(check(space.bounds.min.x, space.bounds.min.y, space.bounds.min.z));
    }
  }
  model.bounds = box;
  return {};
}

core::Result<std::string> readFileText(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return makeError(ErrorCode::kNotFound, "no such file", path);
  }
  if (S_ISDIR(st.st_mode)) return makeError(ErrorCode::kIo, "is a folder, not a model file", path);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return makeError(ErrorCode::kIo, std::string("cannot open: ") + std::strerror(errno), path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return makeError(ErrorCode::kIo, "read failed", path);
  std::string s = std::move(text).str();
  if (s.empty()) return makeError(ErrorCode::kEmptyInput, "empty file", path);
  return s;
}

std::array<float, 4> defaultColour(const std::string& name) {
  struct Entry {
    const char* prefix;
    std::array<float, 4> rgba;
  };
  static const Entry kTable[] = {
      {"IfcWindow", {0.55f, 0.75f, 0.90f, 0.6f}}, {"IfcDoor", {0.60f, 0.45f, 0.30f, 1.0f}},
      {"IfcSlab", {0.70f, 0.70f, 0.68f, 1.0f}},   {"IfcRoof", {0.65f, 0.30f, 0.25f, 1.0f}},
      {"IfcWall", {0.92f, 0.90f, 0.85f, 1.0f}},   {"IfcSpace", {0.40f, 0.70f, 0.40f, 0.25f}},
      {"IfcStair", {0.60f, 0.60f, 0.60f, 1.0f}},  {"IfcRailing", {0.30f, 0.30f, 0.30f, 1.0f}},
      {"Building", {0.85f, 0.82f, 0.78f, 1.0f}},  {"Road", {0.45f, 0.45f, 0.45f, 1.0f}},
      {"WaterBody", {0.30f, 0.50f, 0.80f, 1.0f}}, {"PlantCover", {0.35f, 0.60f, 0.30f, 1.0f}},
      {"LandUse", {0.75f, 0.80f, 0.60f, 1.0f}},
  };
  for (const auto& e : kTable) {
    if (name.rfind(e.prefix, 0) == 0) return e.rgba;
  }
  return {0.8f, 0.8f, 0.8f, 1.0f};
}

}  // namespace detail

namespace {

bool endsWith(const std::string& s, const char* suffix) {
  const std::size_t n = std::strlen(suffix);
  if (s.size() < n) return false;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::tolower(static_cast<unsigned char>(s[s.size() - n + i])) != suffix[i]) return false;
  }
  return true;
}

std::string_view skipSpace(std::string_view s) {
  std::size_t i = 0;
  // A UTF-8 byte order mark, then white space.
  if (s.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

Format byContent(std::string_view head, const std::string& path, bool& known) {
  known = true;
  const std::string_view s = skipSpace(head);
  if (s.rfind("ISO-10303-21", 0) == 0) return Format::kIfc;
  if (s.rfind("glTF", 0) == 0) return Format::kGltf;
  if (!s.empty() && s[0] == '{') {
    if (head.find("\"CityJSON\"") != std::string_view::npos) return Format::kCityJson;
    if (head.find("\"asset\"") != std::string_view::npos) return Format::kGltf;
    if (endsWith(path, ".gltf")) return Format::kGltf;
    return Format::kCityJson;  // JSON that says nothing: CityJSON's reader names what is missing
  }
  if (!s.empty() && s[0] == '<') return Format::kCityGml;
  known = false;
  return Format::kObj;
}

}  // namespace

core::Result<Format> detectFormat(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(ErrorCode::kNotFound, "no such file", path);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  bool known = false;
  const Format f = byContent(head, path, known);
  if (known) return f;
  if (endsWith(path, ".obj")) return Format::kObj;
  if (endsWith(path, ".ifc")) return Format::kIfc;  // the IFC reader says what is wrong
  if (endsWith(path, ".json")) return Format::kCityJson;
  if (endsWith(path, ".gltf") || endsWith(path, ".glb")) return Format::kGltf;
  if (endsWith(path, ".gml") || endsWith(path, ".citygml") || endsWith(path, ".xml")) {
    return Format::kCityGml;
  }
  return makeError(ErrorCode::kUnsupported,
                   "not a building model: expected IFC (STEP), glTF 2.0, OBJ, CityJSON or CityGML",
                   path);
}

core::Result<Model> readModel(const std::string& path, const ReadOptions& options) {
  auto format = detectFormat(path);
  if (!format) {
    // A missing file says so; an unreadable one too.
    auto text = detail::readFileText(path);
    if (!text) return text.takeError();
    return format.takeError();
  }
  switch (*format) {
    case Format::kIfc: {
      auto text = detail::readFileText(path);
      if (!text) return text.takeError();
      return detail::readIfc(path, std::move(text).value(), options);
    }
    case Format::kGltf:
      return detail::readGltf(path, options);
    case Format::kCityGml:
      return detail::readCityGml(path, options);
    case Format::kObj: {
      auto text = detail::readFileText(path);
      if (!text) return text.takeError();
      auto m = parseObj(*text, path, options);
      if (m) m->path = path;
      return m;
    }
    case Format::kCityJson: {
      auto text = detail::readFileText(path);
      if (!text) return text.takeError();
      auto m = parseCityJson(*text, path, options);
      if (m) m->path = path;
      return m;
    }
  }
  return makeError(ErrorCode::kUnsupported, "unknown format", path);
}

}  // namespace gridtwin::bim
