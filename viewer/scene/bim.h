#pragma once
// Building models (BIM, issue 14) in the district scene — OSG only, no Qt.
//
// Each model hangs in its building's slot (DistrictScene::modelSlot, an
// osg::LOD): the model from the eye up to `nearM`, the extruded footprint
// beyond. A model is one drawable (every material merged, its colour per
// vertex), so the 60 models of the district add at most 60 draw calls when
// all are near. Room volumes (IfcSpace) are never drawn: they sit in a
// pick-only group (no cull traversal) so that a ray through a wall or a slab
// finds the room behind it (DistrictScene::pick's Hit::space).
//
// Storeys: isolate one (the others' triangles collapse to nothing) and
// explode them (each storey lifted by its rank × the gap), per model, by
// rewriting the model's vertex array from the placed positions; a picked
// room is drawn in the highlight colour on top.
//
// Thread-safety: build() touches no GL state (any thread); attach() and the
// rest run where the scene is drawn (the GUI thread of the desktop viewer).
#include <osg/Geometry>
#include <osg/Group>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bim/anchor.h"
#include "bim/model.h"
#include "scene/scene.h"

namespace gridtwin::scene {

// The distance (metres from the eye to the model's centre) inside which a
// model replaces its footprint.
inline constexpr float kModelNearM = 900;

struct ModelInput {
  std::uint32_t building = 0;  // building row (its slot in the scene)
  const bim::Model* model = nullptr;
  bim::Anchor anchor;  // model -> EPSG:4547 (bim::place)
};

struct BimStats {
  std::size_t models = 0;     // attached
  std::size_t drawables = 0;  // one per model
  std::size_t triangles = 0;  // drawn (room volumes not counted)
};

class BimModels {
 public:
  // Builds one drawable per model for `scene`'s coordinates. Models whose
  // building has no slot in the scene (outside a grid head's scope) are
  // left out. `inputs` must outlive build() only.
  static std::unique_ptr<BimModels> build(const DistrictScene& scene,
                                          const std::vector<ModelInput>& inputs,
                                          float nearM = kModelNearM);

  // Hangs every model in its building's slot: model near, footprint far.
  void attach(DistrictScene& scene);
  bool attached() const { return m_attached; }

  std::size_t size() const { return m_models.size(); }
  const BimStats& stats() const { return m_stats; }
  // The building row of model `i` and the index of its ModelInput.
  std::uint32_t building(std::size_t i) const { return m_models[i].building; }
  std::size_t input(std::size_t i) const { return m_models[i].input; }
  // Model index of building row `b`, or -1.
  std::int32_t modelOf(std::uint32_t building) const;
  // Storey names of model `i`, bottom up (explode order).
  const std::vector<std::string>& storeys(std::size_t i) const { return m_models[i].storeyNames; }
  // The model's storey index at explode rank `rank`.
  std::int32_t storeyAtRank(std::size_t i, std::size_t rank) const {
    return m_models[i].byRank[rank];
  }

  // Shows only storey `isolate` of model `i` (-1: all) with the storeys
  // `explodeM` metres apart (0: as built).
  void setStoreyView(std::size_t i, std::int32_t isolate, float explodeM);
  std::int32_t isolated(std::size_t i) const { return m_models[i].isolate; }
  float exploded(std::size_t i) const { return m_models[i].explode; }

  // Draws room `space` of model `i` in the highlight colour; the previous one
  // goes. clearRoom() removes it.
  void highlightRoom(std::size_t i, std::int32_t space);
  void clearRoom();

  // The model's centre in local coordinates (for flying to it).
  osg::Vec3d centre(std::size_t i) const;

 private:
  BimModels() = default;
  struct Part {
    osg::ref_ptr<osg::Geometry> geometry;
    std::vector<osg::Vec3> placed;     // per vertex, local coordinates, as built
    std::vector<std::int32_t> storey;  // per triangle
    std::vector<std::int32_t> space;   // per triangle
  };
  struct Entry {
    std::uint32_t building = 0;
    std::size_t input = 0;
    float nearM = kModelNearM;
    osg::ref_ptr<osg::Group> node;  // the LOD's near child
    Part visible;
    Part rooms;                            // pick-only
    std::vector<std::int32_t> rankOf;      // storey → explode rank
    std::vector<std::int32_t> byRank;      // rank → storey
    std::vector<std::string> storeyNames;  // by rank
    std::int32_t isolate = -1;
    float explode = 0;
    // Where a hidden storey's triangles collapse to: the model's plan centre
    // at its lowest point (inside the building, so bounds stay tight).
    osg::Vec3 collapse;
  };
  void apply(Part& part, const Entry& e);

  std::vector<Entry> m_models;
  BimStats m_stats;
  bool m_attached = false;
  osg::ref_ptr<osg::Geometry> m_room;  // the highlighted room
  std::int32_t m_roomModel = -1;
};

}  // namespace gridtwin::scene
