#pragma once
// Internals shared by the readers and writers of engine/bim (not installed
// for other modules).
#include <array>
#include <string>
#include <unordered_map>
#include <vector>

#include "bim/model.h"

namespace gridtwin::bim::detail {

// Adds triangles to a Model, one Mesh per material.
class MeshBuilder {
 public:
  explicit MeshBuilder(Model& model) : m_model(model) {}
  // The index of material `name`, added with `rgba` the first time.
  int material(const std::string& name, const std::array<float, 4>& rgba);
  void triangle(int material, const Vec3& a, const Vec3& b, const Vec3& c, int storey, int space);
  // A planar polygon (outer ring then holes, rings without closing repeat),
  // triangulated in its own plane.
  void polygon(int material, const std::vector<std::vector<Vec3>>& rings, int storey, int space);

 private:
  Mesh& meshOf(int material);
  Model& m_model;
  std::unordered_map<std::string, int> m_materials;
  std::vector<int> m_meshOfMaterial;
};

// Sets Model::bounds from the triangles (plus `extra` points); refuses
// non-finite or absurd coordinates, naming the file and the value.
core::Result<void> finishModel(Model& model, const ReadOptions& options,
                               const std::vector<Vec3>& extra = {});

// The whole file; errors name it (missing, unreadable, a folder, empty).
core::Result<std::string> readFileText(const std::string& path);

// A default colour per IFC class / city object type (walls light, windows blue...).
std::array<float, 4> defaultColour(const std::string& name);

// The readers behind readModel (path for messages; text already read).
core::Result<Model> readIfc(const std::string& path, std::string text, const ReadOptions& options);
core::Result<Model> readGltf(const std::string& path, const ReadOptions& options);
core::Result<Model> readCityGml(const std::string& path, const ReadOptions& options);

}  // namespace gridtwin::bim::detail
