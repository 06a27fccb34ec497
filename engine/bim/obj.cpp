// Wavefront OBJ: a small reader (v, f with v/vt/vn and negative indices,
// usemtl, g/o; the rest ignored) and writer. Coordinates stay as written
// (z up, as GIS tools write OBJ and as our writer does). Fuzzed:
// tests/fuzz/fuzz_obj.cpp.
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "bim/detail.h"
#include "core/output_file.h"

namespace gridtwin::bim {

using core::ErrorCode;
using core::makeError;

namespace {

bool parseDouble(std::string_view s, double& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

}  // namespace

core::Result<Model> parseObj(const std::string& text, const std::string& name,
                             const ReadOptions& options) {
  Model model;
  model.path = name;
  model.format = Format::kObj;
  model.schema = "OBJ";
  detail::MeshBuilder builder(model);
  std::vector<Vec3> vertices;
  std::string materialName = "default";
  int material = -1;
  long lineNumber = 0;
  std::size_t pos = 0;
  bool anyStatement = false;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++lineNumber;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (const auto hash = line.find('#'); hash != std::string_view::npos)
      line = line.substr(0, hash);
    const auto f = fields(line);
    if (f.empty()) continue;
    const std::string where = name + ":" + std::to_string(lineNumber);
    if (line.find('\0') != std::string_view::npos) {
      return makeError(ErrorCode::kUnsupported, "binary data: not an OBJ file", where);
    }
    if (f[0] == "v") {
      if (f.size() < 4) return makeError(ErrorCode::kSyntax, "a vertex needs x y z", where);
      Vec3 p;
      if (!parseDouble(f[1], p.x) || !parseDouble(f[2], p.y) || !parseDouble(f[3], p.z)) {
        return makeError(ErrorCode::kBadNumber, "a vertex coordinate is not a number", where);
      }
      vertices.push_back(p);
      anyStatement = true;
    } else if (f[0] == "f") {
      if (f.size() < 4)
        return makeError(ErrorCode::kSyntax, "a face needs at least 3 vertices", where);
      std::vector<Vec3> ring;
      for (std::size_t i = 1; i < f.size(); ++i) {
        std::string_view ref = f[i].substr(0, f[i].find('/'));
        long long k = 0;
        const auto r = std::from_chars(ref.data(), ref.data() + ref.size(), k);
        if (r.ec != std::errc() || r.ptr != ref.data() + ref.size() || k == 0) {
          return makeError(ErrorCode::kBadNumber,
                           "face vertex '" + std::string(f[i]) + "' is not a vertex number", where);
        }
        const long long n = static_cast<long long>(vertices.size());
        const long long index = k > 0 ? k - 1 : n + k;
        if (index < 0 || index >= n) {
          return makeError(ErrorCode::kSyntax,
                           "face vertex " + std::to_string(k) + " is not among the " +
                               std::to_string(n) + " vertices defined so far",
                           where);
        }
        ring.push_back(vertices[static_cast<std::size_t>(index)]);
      }
      if (options.geometry) {
        if (material < 0)
          material = builder.material(materialName, detail::defaultColour(materialName));
        builder.polygon(material, {ring}, -1, -1);
      }
      anyStatement = true;
    } else if (f[0] == "usemtl") {
      materialName = f.size() > 1 ? std::string(f[1]) : "default";
      material = -1;
    } else if (f[0] == "o" || f[0] == "g") {
      if (f.size() > 1 && model.name.empty() && f[0] == "o") model.name = std::string(f[1]);
      ++model.elementCounts[f[0] == "o" ? "object" : "group"];
    } else if (f[0] == "vt" || f[0] == "vn" || f[0] == "vp" || f[0] == "s" || f[0] == "mtllib" ||
               f[0] == "l" || f[0] == "p") {
      // Texture coordinates, normals, smoothing, libraries, lines, points: not needed.
    } else {
      return makeError(
          ErrorCode::kSyntax,
          "unknown statement '" + std::string(f[0].substr(0, 40)) + "': not an OBJ file", where);
    }
  }
  if (!anyStatement) return makeError(ErrorCode::kEmptyInput, "no vertices or faces", name);
  GRIDTWIN_TRY(detail::finishModel(model, options, vertices));
  return model;
}

core::Result<void> writeObj(const Model& model, const std::string& path) {
  auto out = core::OutputFile::begin(path, ".obj");
  if (!out) return out.takeError();
  {
    std::ofstream f(out->temporaryPath(), std::ios::binary);
    if (!f) return makeError(ErrorCode::kWriteFailed, "cannot write", path);
    f << "# gridtwin bim export of " << model.path << " (" << model.schema << "), z up, metres\n";
    std::size_t base = 1;
    char buf[96];
    for (const auto& mesh : model.meshes) {
      const std::string& mat = model.materials[static_cast<std::size_t>(mesh.material)].name;
      f << "g " << mat << "\nusemtl " << mat << "\n";
      for (std::size_t i = 0; i + 2 < mesh.positions.size(); i += 3) {
        std::snprintf(buf, sizeof buf, "v %.9g %.9g %.9g\n", double(mesh.positions[i]),
                      double(mesh.positions[i + 1]), double(mesh.positions[i + 2]));
        f << buf;
      }
      for (std::size_t t = 0; t + 2 < mesh.indices.size(); t += 3) {
        f << "f " << base + mesh.indices[t] << ' ' << base + mesh.indices[t + 1] << ' '
          << base + mesh.indices[t + 2] << '\n';
      }
      base += mesh.positions.size() / 3;
    }
    f.flush();
    if (!f) return makeError(ErrorCode::kWriteFailed, "write failed (disk full?)", path);
  }
  return out->commit();
}

}  // namespace gridtwin::bim
