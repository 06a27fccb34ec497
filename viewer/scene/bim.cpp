#include "scene/bim.h"

#include <osg/BlendFunc>
#include <osg/LightModel>
#include <osg/Material>
#include <osg/PolygonOffset>

#include <algorithm>
#include <limits>
#include <numeric>

#include "scene/owners.h"

namespace gridtwin::scene {
namespace {

// Room volumes are hit by rays (IntersectionVisitor) but never drawn: the
// cull traversal stops here.
struct NeverDrawn : osg::NodeCallback {
  void operator()(osg::Node*, osg::NodeVisitor*) override {}
};

const osg::Vec4 kRoomHighlight(1.f, 40 / 255.f, 200 / 255.f, 0.55f);

bool isRoomVolume(const std::string& material) { return material == "IfcSpace"; }

}  // namespace

std::unique_ptr<BimModels> BimModels::build(const DistrictScene& scene,
                                            const std::vector<ModelInput>& inputs, float nearM) {
  std::unique_ptr<BimModels> out(new BimModels);
  const osg::Vec3d origin = scene.origin();
  for (std::size_t in = 0; in < inputs.size(); ++in) {
    const ModelInput& input = inputs[in];
    if (!input.model || !scene.modelSlot(input.building)) continue;
    const bim::Model& m = *input.model;
    Entry e;
    e.building = input.building;
    e.input = in;
    e.nearM = nearM;
    const auto index = static_cast<std::int32_t>(out->m_models.size());

    // Explode order: storeys by elevation (by their order where the file
    // gives none).
    e.byRank.resize(m.storeys.size());
    std::iota(e.byRank.begin(), e.byRank.end(), 0);
    std::stable_sort(e.byRank.begin(), e.byRank.end(), [&](std::int32_t a, std::int32_t b) {
      const auto& sa = m.storeys[static_cast<std::size_t>(a)];
      const auto& sb = m.storeys[static_cast<std::size_t>(b)];
      if (sa.hasElevation && sb.hasElevation) return sa.elevation < sb.elevation;
      return false;
    });
    e.rankOf.assign(m.storeys.size(), 0);
    for (std::size_t r = 0; r < e.byRank.size(); ++r) {
      e.rankOf[static_cast<std::size_t>(e.byRank[r])] = static_cast<std::int32_t>(r);
      e.storeyNames.push_back(m.storeys[static_cast<std::size_t>(e.byRank[r])].name);
    }

    osg::ref_ptr<osg::Geometry> shown = new osg::Geometry;
    osg::ref_ptr<osg::Geometry> rooms = new osg::Geometry;
    osg::ref_ptr<osg::Vec3Array> normals = new osg::Vec3Array;
    osg::ref_ptr<osg::Vec4Array> colours = new osg::Vec4Array;
    for (const bim::Mesh& mesh : m.meshes) {
      const bim::Material& material = m.materials[static_cast<std::size_t>(mesh.material)];
      const bool volume = isRoomVolume(material.name);
      Part& part = volume ? e.rooms : e.visible;
      const osg::Vec4 colour(material.rgba[0], material.rgba[1], material.rgba[2], 1.f);
      for (std::size_t t = 0; t < mesh.triangleCount(); ++t) {
        osg::Vec3 p[3];
        for (int k = 0; k < 3; ++k) {
          const std::uint32_t v = mesh.indices[3 * t + static_cast<std::size_t>(k)];
          const bim::Vec3 w = bim::place(
              input.anchor, m.bounds,
              {mesh.positions[3 * v], mesh.positions[3 * v + 1], mesh.positions[3 * v + 2]});
          p[k] = osg::Vec3(static_cast<float>(w.x - origin.x()),
                           static_cast<float>(w.y - origin.y()), static_cast<float>(w.z));
          part.placed.push_back(p[k]);
        }
        part.storey.push_back(t < mesh.triangleStorey.size() ? mesh.triangleStorey[t] : -1);
        part.space.push_back(t < mesh.triangleSpace.size() ? mesh.triangleSpace[t] : -1);
        if (!volume) {
          osg::Vec3 n = (p[1] - p[0]) ^ (p[2] - p[0]);
          if (n.normalize() == 0) n = osg::Vec3(0, 0, 1);
          normals->insert(normals->end(), 3, n);
          colours->insert(colours->end(), 3, colour);
        }
      }
    }
    for (Part* part : {&e.visible, &e.rooms}) {
      part->geometry = part == &e.visible ? shown : rooms;
      part->geometry->setName(part == &e.visible ? "bim_model" : "bim_rooms");
      part->geometry->setUseDisplayList(false);
      part->geometry->setUseVertexBufferObjects(true);
      part->geometry->setVertexArray(new osg::Vec3Array(part->placed.begin(), part->placed.end()));
      part->geometry->addPrimitiveSet(
          new osg::DrawArrays(GL_TRIANGLES, 0, static_cast<GLsizei>(part->placed.size())));
      osg::ref_ptr<ModelTriangles> owners = new ModelTriangles;
      owners->kind = model::Kind::kBuilding;
      owners->rows.assign(part->storey.size(), input.building);
      owners->model = index;
      owners->pickOnly = part == &e.rooms;
      owners->storey = part->storey;
      owners->space = part->space;
      part->geometry->setUserData(owners.get());
    }
    {
      osg::BoundingBox box;
      for (const auto& p : e.visible.placed) box.expandBy(p);
      for (const auto& p : e.rooms.placed) box.expandBy(p);
      e.collapse =
          box.valid() ? osg::Vec3(box.center().x(), box.center().y(), box.zMin()) : osg::Vec3();
    }
    shown->setNormalArray(normals.get(), osg::Array::BIND_PER_VERTEX);
    shown->setColorArray(colours.get(), osg::Array::BIND_PER_VERTEX);

    e.node = new osg::Group;
    e.node->setName("bim_model");
    e.node->addChild(shown.get());
    osg::ref_ptr<osg::Group> pickOnly = new osg::Group;
    pickOnly->setName("bim_rooms");
    pickOnly->setCullCallback(new NeverDrawn);
    pickOnly->addChild(rooms.get());
    e.node->addChild(pickOnly.get());
    auto* ss = e.node->getOrCreateStateSet();
    osg::ref_ptr<osg::Material> lit = new osg::Material;
    lit->setColorMode(osg::Material::AMBIENT_AND_DIFFUSE);
    ss->setAttributeAndModes(lit.get());
    // IFC faces are not consistently wound: light both sides.
    osg::ref_ptr<osg::LightModel> both = new osg::LightModel;
    both->setTwoSided(true);
    ss->setAttributeAndModes(both.get());
    ss->setMode(GL_LIGHTING, osg::StateAttribute::ON);

    out->m_stats.triangles += e.visible.storey.size();
    out->m_models.push_back(std::move(e));
  }
  out->m_stats.models = out->m_models.size();
  out->m_stats.drawables = out->m_models.size();
  return out;
}

void BimModels::attach(DistrictScene& scene) {
  if (m_attached) return;
  for (Entry& e : m_models) {
    osg::LOD* slot = scene.modelSlot(e.building);
    if (!slot || slot->getNumChildren() != 1) continue;
    slot->setRange(0, e.nearM, std::numeric_limits<float>::max());
    slot->addChild(e.node.get(), 0, e.nearM);
  }
  m_attached = true;
}

std::int32_t BimModels::modelOf(std::uint32_t building) const {
  for (std::size_t i = 0; i < m_models.size(); ++i) {
    if (m_models[i].building == building) return static_cast<std::int32_t>(i);
  }
  return -1;
}

void BimModels::apply(Part& part, const Entry& e) {
  auto* v = static_cast<osg::Vec3Array*>(part.geometry->getVertexArray());
  for (std::size_t t = 0; t < part.storey.size(); ++t) {
    const std::int32_t s = part.storey[t];
    const bool hidden = e.isolate >= 0 && s != e.isolate;
    const float lift = s >= 0 && static_cast<std::size_t>(s) < e.rankOf.size()
                           ? e.explode * static_cast<float>(e.rankOf[static_cast<std::size_t>(s)])
                           : 0.f;
    for (std::size_t k = 0; k < 3; ++k) {
      (*v)[3 * t + k] = hidden ? e.collapse : part.placed[3 * t + k] + osg::Vec3(0, 0, lift);
    }
  }
  v->dirty();
  part.geometry->dirtyBound();
}

void BimModels::setStoreyView(std::size_t i, std::int32_t isolate, float explodeM) {
  if (i >= m_models.size()) return;
  Entry& e = m_models[i];
  if (isolate >= static_cast<std::int32_t>(e.rankOf.size())) isolate = -1;
  e.isolate = isolate;
  e.explode = std::max(0.f, explodeM);
  apply(e.visible, e);
  apply(e.rooms, e);
  if (m_room && m_roomModel == static_cast<std::int32_t>(i)) {
    const auto* owners = dynamic_cast<const ModelTriangles*>(m_room->getUserData());
    highlightRoom(i, owners ? owners->space.empty() ? -1 : owners->space.front() : -1);
  }
}

void BimModels::clearRoom() {
  if (m_room) {
    while (m_room->getNumParents() > 0) m_room->getParent(0)->removeChild(m_room.get());
  }
  m_room = nullptr;
  m_roomModel = -1;
}

void BimModels::highlightRoom(std::size_t i, std::int32_t space) {
  clearRoom();
  if (i >= m_models.size() || space < 0) return;
  Entry& e = m_models[i];
  const auto* v = static_cast<const osg::Vec3Array*>(e.rooms.geometry->getVertexArray());
  osg::ref_ptr<osg::Vec3Array> tri = new osg::Vec3Array;
  for (std::size_t t = 0; t < e.rooms.space.size(); ++t) {
    if (e.rooms.space[t] != space) continue;
    for (std::size_t k = 0; k < 3; ++k) tri->push_back((*v)[3 * t + k]);
  }
  if (tri->empty()) return;
  m_room = new osg::Geometry;
  m_room->setName("bim_room_highlight");
  m_room->setUseDisplayList(false);
  m_room->setVertexArray(tri.get());
  osg::ref_ptr<osg::Vec4Array> c = new osg::Vec4Array;
  c->push_back(kRoomHighlight);
  m_room->setColorArray(c.get(), osg::Array::BIND_OVERALL);
  m_room->addPrimitiveSet(new osg::DrawArrays(GL_TRIANGLES, 0, static_cast<GLsizei>(tri->size())));
  osg::ref_ptr<ModelTriangles> owner = new ModelTriangles;  // names the room it shows
  owner->model = static_cast<std::int32_t>(i);
  owner->pickOnly = true;
  owner->space.push_back(space);
  m_room->setUserData(owner.get());
  auto* ss = m_room->getOrCreateStateSet();
  ss->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  ss->setMode(GL_BLEND, osg::StateAttribute::ON);
  ss->setAttributeAndModes(new osg::BlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA));
  ss->setAttributeAndModes(new osg::PolygonOffset(-1, -4));
  ss->setRenderingHint(osg::StateSet::TRANSPARENT_BIN);
  e.node->addChild(m_room.get());
  m_roomModel = static_cast<std::int32_t>(i);
}

osg::Vec3d BimModels::centre(std::size_t i) const {
  if (i >= m_models.size()) return {};
  return osg::Vec3d(m_models[i].node->getBound().center());
}

}  // namespace gridtwin::scene
