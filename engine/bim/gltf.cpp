// glTF 2.0 through tinygltf (Debian's shared build): triangles of every mesh
// primitive under the default scene's nodes (their transforms applied), y up
// turned to z up (x, -z, y); the base colour factor as the material colour.
// Images are not decoded. The writer makes a .glb: one buffer, one mesh and
// node per material, z up turned back to y up.
#include <tiny_gltf.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "bim/detail.h"
#include "core/output_file.h"

namespace gridtwin::bim {

using core::ErrorCode;
using core::makeError;

namespace {

using Mat4 = std::array<double, 16>;  // column-major, as glTF

Mat4 identity() { return {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}; }

Mat4 multiply(const Mat4& a, const Mat4& b) {
  Mat4 r{};
  for (int c = 0; c < 4; ++c) {
    for (int row = 0; row < 4; ++row) {
      double s = 0;
      for (int k = 0; k < 4; ++k)
        s += a[static_cast<std::size_t>(k * 4 + row)] * b[static_cast<std::size_t>(c * 4 + k)];
      r[static_cast<std::size_t>(c * 4 + row)] = s;
    }
  }
  return r;
}

Mat4 nodeMatrix(const tinygltf::Node& n) {
  if (n.matrix.size() == 16) {
    Mat4 m;
    for (std::size_t i = 0; i < 16; ++i) m[i] = n.matrix[i];
    return m;
  }
  Mat4 t = identity(), r = identity(), s = identity();
  if (n.translation.size() == 3) {
    t[12] = n.translation[0];
    t[13] = n.translation[1];
    t[14] = n.translation[2];
  }
  if (n.rotation.size() == 4) {
    const double x = n.rotation[0], y = n.rotation[1], z = n.rotation[2], w = n.rotation[3];
    r = {1 - 2 * (y * y + z * z),
         2 * (x * y + z * w),
         2 * (x * z - y * w),
         0,
         2 * (x * y - z * w),
         1 - 2 * (x * x + z * z),
         2 * (y * z + x * w),
         0,
         2 * (x * z + y * w),
         2 * (y * z - x * w),
         1 - 2 * (x * x + y * y),
         0,
         0,
         0,
         0,
         1};
  }
  if (n.scale.size() == 3) {
    s[0] = n.scale[0];
    s[5] = n.scale[1];
    s[10] = n.scale[2];
  }
  return multiply(t, multiply(r, s));
}

bool noImages(tinygltf::Image*, const int, std::string*, std::string*, int, int,
              const unsigned char*, int, void*) {
  return true;
}

struct Reader {
  const tinygltf::Model& g;
  Model& model;
  detail::MeshBuilder builder;
  std::string path;
  std::string error;

  // Element `i` of an accessor as doubles (n components); false when out of range.
  bool element(const tinygltf::Accessor& a, std::size_t i, int n, double* out) {
    if (a.bufferView < 0 || static_cast<std::size_t>(a.bufferView) >= g.bufferViews.size())
      return false;
    const auto& view = g.bufferViews[static_cast<std::size_t>(a.bufferView)];
    if (view.buffer < 0 || static_cast<std::size_t>(view.buffer) >= g.buffers.size()) return false;
    const auto& data = g.buffers[static_cast<std::size_t>(view.buffer)].data;
    const int size = tinygltf::GetComponentSizeInBytes(static_cast<std::uint32_t>(a.componentType));
    if (size <= 0) return false;
    const std::size_t stride =
        view.byteStride ? view.byteStride : static_cast<std::size_t>(size * n);
    const std::size_t at = view.byteOffset + a.byteOffset + i * stride;
    if (at + static_cast<std::size_t>(size * n) > data.size() ||
        a.byteOffset + i * stride + static_cast<std::size_t>(size * n) > view.byteLength) {
      return false;
    }
    for (int k = 0; k < n; ++k) {
      const unsigned char* p = data.data() + at + static_cast<std::size_t>(k * size);
      switch (a.componentType) {
        case TINYGLTF_COMPONENT_TYPE_FLOAT: {
          float f;
          std::memcpy(&f, p, 4);
          out[k] = f;
          break;
        }
        case TINYGLTF_COMPONENT_TYPE_UNSIGNED_INT: {
          std::uint32_t u;
          std::memcpy(&u, p, 4);
          out[k] = u;
          break;
        }
        case TINYGLTF_COMPONENT_TYPE_UNSIGNED_SHORT: {
          std::uint16_t u;
          std::memcpy(&u, p, 2);
          out[k] = u;
          break;
        }
        case TINYGLTF_COMPONENT_TYPE_UNSIGNED_BYTE:
          out[k] = *p;
          break;
        default:
          return false;
      }
    }
    return true;
  }

  bool primitive(const tinygltf::Primitive& prim, const Mat4& m, const std::string& where) {
    if (prim.mode != -1 && prim.mode != TINYGLTF_MODE_TRIANGLES) return true;  // lines, points
    const auto pos = prim.attributes.find("POSITION");
    if (pos == prim.attributes.end()) return true;
    if (pos->second < 0 || static_cast<std::size_t>(pos->second) >= g.accessors.size()) {
      error = where + ": POSITION accessor " + std::to_string(pos->second) + " does not exist";
      return false;
    }
    const auto& pa = g.accessors[static_cast<std::size_t>(pos->second)];
    std::string matName = "default";
    std::array<float, 4> rgba{0.8f, 0.8f, 0.8f, 1.0f};
    if (prim.material >= 0 && static_cast<std::size_t>(prim.material) < g.materials.size()) {
      const auto& mat = g.materials[static_cast<std::size_t>(prim.material)];
      matName = mat.name.empty() ? "material" + std::to_string(prim.material) : mat.name;
      const auto& f = mat.pbrMetallicRoughness.baseColorFactor;
      if (f.size() == 4) rgba = {float(f[0]), float(f[1]), float(f[2]), float(f[3])};
    }
    const int material = builder.material(matName, rgba);
    auto vertex = [&](std::size_t i, Vec3& v) {
      double p[3];
      if (!element(pa, i, 3, p)) return false;
      const double x = m[0] * p[0] + m[4] * p[1] + m[8] * p[2] + m[12];
      const double y = m[1] * p[0] + m[5] * p[1] + m[9] * p[2] + m[13];
      const double z = m[2] * p[0] + m[6] * p[1] + m[10] * p[2] + m[14];
      v = Vec3{x, -z, y};  // y up -> z up
      return true;
    };
    std::vector<std::size_t> idx;
    if (prim.indices >= 0) {
      if (static_cast<std::size_t>(prim.indices) >= g.accessors.size()) {
        error = where + ": index accessor " + std::to_string(prim.indices) + " does not exist";
        return false;
      }
      const auto& ia = g.accessors[static_cast<std::size_t>(prim.indices)];
      for (std::size_t i = 0; i < ia.count; ++i) {
        double v;
        if (!element(ia, i, 1, &v)) {
          error = where + ": indices run past their buffer";
          return false;
        }
        idx.push_back(static_cast<std::size_t>(v));
      }
    } else {
      for (std::size_t i = 0; i < pa.count; ++i) idx.push_back(i);
    }
    for (std::size_t t = 0; t + 2 < idx.size(); t += 3) {
      Vec3 a, b, c;
      if (idx[t] >= pa.count || idx[t + 1] >= pa.count || idx[t + 2] >= pa.count ||
          !vertex(idx[t], a) || !vertex(idx[t + 1], b) || !vertex(idx[t + 2], c)) {
        error = where + ": a vertex index or position runs past its buffer";
        return false;
      }
      builder.triangle(material, a, b, c, -1, -1);
    }
    return true;
  }

  bool node(int index, const Mat4& parent, int depth) {
    if (index < 0 || static_cast<std::size_t>(index) >= g.nodes.size() || depth > 64) {
      error = "node " + std::to_string(index) + " does not exist (or nodes form a cycle)";
      return false;
    }
    const auto& n = g.nodes[static_cast<std::size_t>(index)];
    const Mat4 m = multiply(parent, nodeMatrix(n));
    if (n.mesh >= 0) {
      if (static_cast<std::size_t>(n.mesh) >= g.meshes.size()) {
        error = "node " + std::to_string(index) + ": mesh " + std::to_string(n.mesh) +
                " does not exist";
        return false;
      }
      const auto& mesh = g.meshes[static_cast<std::size_t>(n.mesh)];
      ++model.elementCounts["mesh"];
      for (std::size_t p = 0; p < mesh.primitives.size(); ++p) {
        if (!primitive(mesh.primitives[p], m,
                       "mesh " + std::to_string(n.mesh) + " primitive " + std::to_string(p))) {
          return false;
        }
      }
    }
    for (int child : n.children) {
      if (!node(child, m, depth + 1)) return false;
    }
    return true;
  }
};

}  // namespace

namespace detail {

core::Result<Model> readGltf(const std::string& path, const ReadOptions& options) {
  auto text = readFileText(path);
  if (!text) return text.takeError();
  tinygltf::TinyGLTF loader;
  loader.SetImageLoader(&noImages, nullptr);
  tinygltf::Model g;
  std::string err, warn;
  const bool binary = text->rfind("glTF", 0) == 0;
  const std::size_t slash = path.find_last_of('/');
  const std::string baseDir = slash == std::string::npos ? "." : path.substr(0, slash);
  if (text->size() > 0xFFFFFFFFu)
    return makeError(ErrorCode::kUnsupported, "larger than 4 GiB", path);
  const bool ok =
      binary ? loader.LoadBinaryFromMemory(&g, &err, &warn,
                                           reinterpret_cast<const unsigned char*>(text->data()),
                                           static_cast<unsigned int>(text->size()), baseDir)
             : loader.LoadASCIIFromString(&g, &err, &warn, text->data(),
                                          static_cast<unsigned int>(text->size()), baseDir);
  if (!ok) {
    std::string why = err.empty() ? warn : err;
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    const ErrorCode code = why.find("not found") != std::string::npos ||
                                   why.find("File read error") != std::string::npos ||
                                   why.find("Failed to load external 'uri'") != std::string::npos
                               ? ErrorCode::kNotFound
                               : ErrorCode::kParse;
    return makeError(
        code, "glTF does not load: " + (why.empty() ? std::string("unknown reason") : why), path);
  }
  for (std::size_t b = 0; b < g.buffers.size(); ++b) {
    if (g.buffers[b].data.empty()) {
      return makeError(
          ErrorCode::kNotFound,
          "buffer " + std::to_string(b) + " ('" + g.buffers[b].uri + "') is missing or empty",
          path);
    }
  }
  Model model;
  model.path = path;
  model.format = Format::kGltf;
  model.schema = "glTF " + (g.asset.version.empty() ? std::string("2.0") : g.asset.version);
  if (options.geometry) {
    Reader r{g, model, detail::MeshBuilder(model), path, {}};
    std::vector<int> roots;
    if (!g.scenes.empty()) {
      const std::size_t s =
          g.defaultScene >= 0 && static_cast<std::size_t>(g.defaultScene) < g.scenes.size()
              ? static_cast<std::size_t>(g.defaultScene)
              : 0;
      roots = g.scenes[s].nodes;
      model.name = g.scenes[s].name;
    } else {
      for (std::size_t n = 0; n < g.nodes.size(); ++n) roots.push_back(static_cast<int>(n));
    }
    for (int n : roots) {
      if (!r.node(n, identity(), 0)) return makeError(ErrorCode::kParse, r.error, path);
    }
  }
  GRIDTWIN_TRY(finishModel(model, options));
  return model;
}

}  // namespace detail

core::Result<void> writeGlb(const Model& model, const std::string& path) {
  tinygltf::Model g;
  g.asset.version = "2.0";
  g.asset.generator = "gridtwin bim export";
  g.buffers.emplace_back();
  auto& data = g.buffers[0].data;
  g.scenes.emplace_back();
  g.defaultScene = 0;
  auto append = [&](const void* p, std::size_t n) {
    while (data.size() % 4) data.push_back(0);
    const std::size_t at = data.size();
    data.insert(data.end(), static_cast<const unsigned char*>(p),
                static_cast<const unsigned char*>(p) + n);
    return at;
  };
  for (const auto& mesh : model.meshes) {
    if (mesh.indices.empty()) continue;
    const auto& mat = model.materials[static_cast<std::size_t>(mesh.material)];
    tinygltf::Material gm;
    gm.name = mat.name;
    gm.pbrMetallicRoughness.baseColorFactor = {mat.rgba[0], mat.rgba[1], mat.rgba[2], mat.rgba[3]};
    gm.pbrMetallicRoughness.metallicFactor = 0;
    gm.doubleSided = true;
    if (mat.rgba[3] < 1.0f) gm.alphaMode = "BLEND";
    g.materials.push_back(gm);
    // Positions, y up.
    std::vector<float> pos(mesh.positions.size());
    std::vector<double> lo(3, 1e300), hi(3, -1e300);
    for (std::size_t i = 0; i + 2 < mesh.positions.size(); i += 3) {
      pos[i] = mesh.positions[i];
      pos[i + 1] = mesh.positions[i + 2];
      pos[i + 2] = -mesh.positions[i + 1];
      for (std::size_t k = 0; k < 3; ++k) {
        lo[k] = std::min(lo[k], double(pos[i + k]));
        hi[k] = std::max(hi[k], double(pos[i + k]));
      }
    }
    const std::size_t posAt = append(pos.data(), pos.size() * sizeof(float));
    const std::size_t idxAt =
        append(mesh.indices.data(), mesh.indices.size() * sizeof(std::uint32_t));
    tinygltf::BufferView pv;
    pv.buffer = 0;
    pv.byteOffset = posAt;
    pv.byteLength = pos.size() * sizeof(float);
    pv.target = TINYGLTF_TARGET_ARRAY_BUFFER;
    tinygltf::BufferView iv;
    iv.buffer = 0;
    iv.byteOffset = idxAt;
    iv.byteLength = mesh.indices.size() * sizeof(std::uint32_t);
    iv.target = TINYGLTF_TARGET_ELEMENT_ARRAY_BUFFER;
    g.bufferViews.push_back(pv);
    g.bufferViews.push_back(iv);
    tinygltf::Accessor pa;
    pa.bufferView = static_cast<int>(g.bufferViews.size()) - 2;
    pa.componentType = TINYGLTF_COMPONENT_TYPE_FLOAT;
    pa.count = pos.size() / 3;
    pa.type = TINYGLTF_TYPE_VEC3;
    pa.minValues = lo;
    pa.maxValues = hi;
    tinygltf::Accessor ia;
    ia.bufferView = static_cast<int>(g.bufferViews.size()) - 1;
    ia.componentType = TINYGLTF_COMPONENT_TYPE_UNSIGNED_INT;
    ia.count = mesh.indices.size();
    ia.type = TINYGLTF_TYPE_SCALAR;
    g.accessors.push_back(pa);
    g.accessors.push_back(ia);
    tinygltf::Primitive prim;
    prim.attributes["POSITION"] = static_cast<int>(g.accessors.size()) - 2;
    prim.indices = static_cast<int>(g.accessors.size()) - 1;
    prim.material = static_cast<int>(g.materials.size()) - 1;
    prim.mode = TINYGLTF_MODE_TRIANGLES;
    tinygltf::Mesh gmesh;
    gmesh.name = mat.name;
    gmesh.primitives.push_back(prim);
    // The storey and space of each triangle, for picking.
    tinygltf::Value::Array storeys, spaces;
    for (auto s : mesh.triangleStorey) storeys.emplace_back(int(s));
    for (auto s : mesh.triangleSpace) spaces.emplace_back(int(s));
    tinygltf::Value::Object extras;
    extras["triangleStorey"] = tinygltf::Value(storeys);
    extras["triangleSpace"] = tinygltf::Value(spaces);
    gmesh.extras = tinygltf::Value(extras);
    g.meshes.push_back(gmesh);
    tinygltf::Node node;
    node.mesh = static_cast<int>(g.meshes.size()) - 1;
    node.name = mat.name;
    g.nodes.push_back(node);
    g.scenes[0].nodes.push_back(static_cast<int>(g.nodes.size()) - 1);
  }
  if (data.empty()) data.resize(4, 0);
  auto out = core::OutputFile::begin(path, ".glb");
  if (!out) return out.takeError();
  {
    std::ofstream f(out->temporaryPath(), std::ios::binary);
    if (!f) return makeError(ErrorCode::kWriteFailed, "cannot write", path);
    tinygltf::TinyGLTF writer;
    if (!writer.WriteGltfSceneToStream(&g, f, false, true)) {
      return makeError(ErrorCode::kWriteFailed, "glTF writer failed", path);
    }
    f.flush();
    if (!f) return makeError(ErrorCode::kWriteFailed, "write failed (disk full?)", path);
  }
  return out->commit();
}

}  // namespace gridtwin::bim
