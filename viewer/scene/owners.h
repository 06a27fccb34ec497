#pragma once
// What each triangle of a merged mesh belongs to (ray hit → record): the
// scene's building tiles and grid fill (scene.cpp) and the building models
// (bim.cpp). Internal to viewer/scene.
#include <osg/Referenced>

#include <cstdint>
#include <vector>

#include "model/district.h"

namespace gridtwin::scene {

struct TriangleOwners : osg::Referenced {
  model::Kind kind = model::Kind::kBuilding;
  std::vector<std::uint32_t> rows;
};

// A building model's triangles: every one owned by the building (rows), with
// its storey and space (-1: none) for room picking, storey isolate and explode.
struct ModelTriangles : TriangleOwners {
  std::int32_t model = 0;  // index among BimModels' models
  bool pickOnly = false;   // the room volumes: hit by rays, never drawn
  std::vector<std::int32_t> storey;
  std::vector<std::int32_t> space;
};

}  // namespace gridtwin::scene
