#include "scene/scene.h"

#include <osg/LineWidth>
#include <osg/Material>
#include <osg/Point>
#include <osg/PolygonOffset>
#include <osgUtil/IntersectionVisitor>
#include <osgUtil/LineSegmentIntersector>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "geo/algorithms.h"
#include "geo/triangulate.h"
#include "scene/labels.h"
#include "scene/owners.h"

namespace gridtwin::scene {
namespace {

osg::Vec4 rgb(int r, int g, int b, float a = 1) { return {r / 255.f, g / 255.f, b / 255.f, a}; }

// Vertex colours are stored as bytes, 4 a vertex instead of 16: the
// framebuffer keeps 8 bits a channel anyway, and at full scale the building
// meshes hold millions of vertices, in this process and again in a software
// driver's copy of every buffer.
osg::Vec4ub packed(const osg::Vec4& c) {
  auto byte = [](float v) {
    return static_cast<unsigned char>(std::lround(std::clamp(v, 0.f, 1.f) * 255.f));
  };
  return {byte(c.r()), byte(c.g()), byte(c.b()), byte(c.a())};
}

// Street tints: four distinguishable pastels (ColorBrewer Pastel1), repeated
// beyond four streets.
const osg::Vec4 kStreetTints[] = {rgb(179, 205, 227), rgb(204, 235, 197), rgb(254, 217, 166),
                                  rgb(222, 203, 228), rgb(255, 255, 204), rgb(229, 216, 189)};
const osg::Vec4 kHighlight = rgb(255, 40, 200);
const osg::Vec4 kAreaHighlight = rgb(0, 200, 255);  // the hits of an area query
const osg::Vec4 kOutsideScope = rgb(235, 235, 235);

osg::Vec4 buildingColour(model::BuildingUse use) {
  switch (use) {
    case model::BuildingUse::kResidential:
      return rgb(236, 226, 206);
    case model::BuildingUse::kCommercial:
      return rgb(160, 190, 230);
    case model::BuildingUse::kIndustrial:
      return rgb(200, 190, 170);
    case model::BuildingUse::kPublic:
      return rgb(240, 200, 150);
  }
  return rgb(220, 220, 220);
}

osg::Vec4 eventColour(model::EventStatus status) {
  switch (status) {
    case model::EventStatus::kReported:
      return rgb(220, 30, 30);
    case model::EventStatus::kClassified:
      return rgb(245, 130, 20);
    case model::EventStatus::kHandling:
      return rgb(240, 200, 0);
    case model::EventStatus::kFollowUp:
      return rgb(40, 110, 220);
    case model::EventStatus::kClosed:
      return rgb(40, 160, 60);
  }
  return rgb(0, 0, 0);
}

// YlOrRd from pale yellow (t = 0) to deep red (t = 1).
osg::Vec4 ramp(double t) {
  static const osg::Vec4 stops[] = {rgb(255, 255, 178), rgb(254, 204, 92), rgb(253, 141, 60),
                                    rgb(240, 59, 32), rgb(189, 0, 38)};
  t = std::clamp(t, 0.0, 1.0) * 4;
  const int i = std::min(3, static_cast<int>(t));
  const float f = static_cast<float>(t - i);
  return stops[i] * (1 - f) + stops[i + 1] * f;
}

// Slight lightness change per community so neighbouring communities of one
// street read apart.
osg::Vec4 shade(const osg::Vec4& c, std::uint32_t k) {
  const float f = 0.92f + 0.08f * static_cast<float>((k * 2654435761u) >> 29) / 7.f;
  return {std::min(1.f, c.r() * f), std::min(1.f, c.g() * f), std::min(1.f, c.b() * f), c.a()};
}

osg::ref_ptr<osg::Geometry> newGeometry(const char* name) {
  osg::ref_ptr<osg::Geometry> g = new osg::Geometry;
  g->setName(name);
  g->setUseDisplayList(false);
  g->setUseVertexBufferObjects(true);
  g->setVertexArray(new osg::Vec3Array);
  osg::ref_ptr<osg::Vec4ubArray> c = new osg::Vec4ubArray;
  c->setNormalize(true);
  g->setColorArray(c.get(), osg::Array::BIND_PER_VERTEX);
  return g;
}

osg::Vec3Array* verts(osg::Geometry* g) {
  return static_cast<osg::Vec3Array*>(g->getVertexArray());
}
osg::Vec4ubArray* colours(osg::Geometry* g) {
  return static_cast<osg::Vec4ubArray*>(g->getColorArray());
}

// Outlines of one admin level as GL_LINES in one drawable.
template <class Shape>
osg::ref_ptr<osg::Geometry> outlines(const char* name, const Shape& shape, const osg::Vec3d& origin,
                                     float z, const osg::Vec4& colour, float width) {
  auto g = newGeometry(name);
  auto* v = verts(g.get());
  auto* c = colours(g.get());
  for (std::uint32_t r = 0; r + 1 < shape.pointStart.size(); ++r) {
    for (std::uint32_t i = shape.pointStart[r]; i + 1 < shape.pointStart[r + 1]; ++i) {
      const auto& a = shape.xy[i];
      const auto& b = shape.xy[i + 1];
      v->push_back(osg::Vec3(a.x - origin.x(), a.y - origin.y(), z));
      v->push_back(osg::Vec3(b.x - origin.x(), b.y - origin.y(), z));
    }
  }
  c->assign(v->size(), packed(colour));
  g->addPrimitiveSet(new osg::DrawArrays(GL_LINES, 0, static_cast<GLsizei>(v->size())));
  auto* ss = g->getOrCreateStateSet();
  ss->setAttributeAndModes(new osg::LineWidth(width));
  ss->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  return g;
}

// Lit meshes take their colour from the vertex colours.
void litByVertexColour(osg::StateSet* ss) {
  osg::ref_ptr<osg::Material> m = new osg::Material;
  m->setColorMode(osg::Material::AMBIENT_AND_DIFFUSE);
  ss->setAttributeAndModes(m.get());
  ss->setMode(GL_LIGHTING, osg::StateAttribute::ON);
}

class CountDrawables : public osg::NodeVisitor {
 public:
  CountDrawables() : osg::NodeVisitor(TRAVERSE_ALL_CHILDREN) {}
  void apply(osg::Drawable& d) override {
    ++drawables;
    if (auto* g = d.asGeometry()) {
      for (unsigned i = 0; i < g->getNumPrimitiveSets(); ++i) {
        const auto* p = g->getPrimitiveSet(i);
        if (p->getMode() == GL_TRIANGLES) triangles += p->getNumIndices() / 3;
      }
    }
  }
  std::size_t drawables = 0;
  std::size_t triangles = 0;
};

}  // namespace

std::unique_ptr<DistrictScene> DistrictScene::build(const model::District& d,
                                                    const SceneOptions& o) {
  std::unique_ptr<DistrictScene> s(new DistrictScene);
  const auto& grids = d.grids();
  const auto& buildings = d.buildings();

  geo::Box box;
  for (const auto& p : d.streets().shape.xy) box.expand(p);
  for (const auto& p : grids.shape.xy) box.expand(p);
  if (box.empty()) box = {0, 0, 1, 1};
  s->m_origin = osg::Vec3d((box.minx + box.maxx) / 2, (box.miny + box.maxy) / 2, 0);
  const osg::Vec3d& origin = s->m_origin;

  std::vector<bool> inScope(grids.size(), o.scope.empty());
  for (auto g : o.scope) {
    if (g < inScope.size()) inScope[g] = true;
  }

  s->m_root = new osg::Group;
  s->m_root->setName("district");
  s->m_layers = new osg::Switch;
  s->m_root->addChild(s->m_layers.get());

  // Grid fill: one mesh, a colour per grid (street tint, choropleth, or pale
  // grey outside a grid head's scope).
  double vmin = INFINITY, vmax = -INFINITY;
  for (double v : o.gridValues) {
    if (std::isfinite(v)) {
      vmin = std::min(vmin, v);
      vmax = std::max(vmax, v);
    }
  }
  auto fill = newGeometry("grid_fill");
  osg::ref_ptr<TriangleOwners> fillOwners = new TriangleOwners;
  fillOwners->kind = model::Kind::kGrid;
  osg::ref_ptr<osg::DrawElementsUInt> fillTris = new osg::DrawElementsUInt(GL_TRIANGLES);
  s->m_gridRanges.resize(grids.size());
  s->m_gridColours.resize(grids.size());
  for (std::uint32_t g = 0; g < grids.size(); ++g) {
    osg::Vec4 colour;
    if (!inScope[g]) {
      colour = kOutsideScope;
    } else if (!o.gridValues.empty()) {
      const double v = g < o.gridValues.size() ? o.gridValues[g] : NAN;
      colour = std::isfinite(v) ? ramp(vmax > vmin ? (v - vmin) / (vmax - vmin) : 0.5)
                                : rgb(200, 200, 200);
    } else {
      const auto street = d.streetOfGrid(g);
      colour = shade(kStreetTints[street % std::size(kStreetTints)], grids.community[g]);
    }
    s->m_gridColours[g] = colour;
    const auto first = static_cast<std::uint32_t>(verts(fill.get())->size());
    for (const auto& polygon : model::xyShape(grids.shape, g).polygons) {
      const auto base = static_cast<std::uint32_t>(verts(fill.get())->size());
      for (const auto& p : geo::triangulationVertices(polygon)) {
        verts(fill.get())->push_back(osg::Vec3(p.x - origin.x(), p.y - origin.y(), 0));
      }
      const auto tris = geo::triangulate(polygon);
      for (auto i : tris) fillTris->push_back(base + i);
      fillOwners->rows.insert(fillOwners->rows.end(), tris.size() / 3, g);
    }
    const auto count = static_cast<std::uint32_t>(verts(fill.get())->size()) - first;
    colours(fill.get())->insert(colours(fill.get())->end(), count, packed(colour));
    s->m_gridRanges[g] = {0, first, count};
  }
  fill->addPrimitiveSet(fillTris.get());
  fill->setUserData(fillOwners.get());
  {
    auto* ss = fill->getOrCreateStateSet();
    ss->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
    // Fills sit behind the outlines and roads drawn at the same height.
    ss->setAttributeAndModes(new osg::PolygonOffset(1, 4));
  }
  s->m_layers->addChild(fill.get(), true);

  s->m_layers->addChild(
      outlines("grid_lines", grids.shape, origin, 0.5f, rgb(110, 110, 110), 1.f).get(), true);
  s->m_layers->addChild(
      outlines("community_lines", d.communities().shape, origin, 1.f, rgb(70, 70, 90), 2.f).get(),
      true);
  s->m_layers->addChild(
      outlines("street_lines", d.streets().shape, origin, 1.5f, rgb(30, 30, 60), 3.5f).get(), true);

  // Roads: one line set; the wider classes drawn darker.
  {
    const auto& roads = d.roads();
    auto g = newGeometry("roads");
    auto* v = verts(g.get());
    auto* c = colours(g.get());
    for (std::uint32_t r = 0; r < roads.size(); ++r) {
      const bool major = roads.roadClass[r] <= model::RoadClass::kMain;
      const osg::Vec4 colour = major ? rgb(250, 250, 250) : rgb(255, 255, 255, 0.8f);
      for (auto part = roads.line.partStart[r]; part < roads.line.partStart[r + 1]; ++part) {
        for (auto i = roads.line.pointStart[part]; i + 1 < roads.line.pointStart[part + 1]; ++i) {
          const auto& a = roads.line.xy[i];
          const auto& b = roads.line.xy[i + 1];
          v->push_back(osg::Vec3(a.x - origin.x(), a.y - origin.y(), 0.3f));
          v->push_back(osg::Vec3(b.x - origin.x(), b.y - origin.y(), 0.3f));
          c->push_back(packed(colour));
          c->push_back(packed(colour));
        }
      }
    }
    g->addPrimitiveSet(new osg::DrawArrays(GL_LINES, 0, static_cast<GLsizei>(v->size())));
    auto* ss = g->getOrCreateStateSet();
    ss->setAttributeAndModes(new osg::LineWidth(2.f));
    ss->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
    s->m_layers->addChild(g.get(), true);
  }

  // Buildings: extruded, merged per tile.
  osg::ref_ptr<osg::Group> buildingGroup = new osg::Group;
  buildingGroup->setName("buildings");
  litByVertexColour(buildingGroup->getOrCreateStateSet());
  std::map<std::pair<int, int>, std::uint32_t> tileOf;  // tile key → index into m_meshes
  std::vector<osg::ref_ptr<TriangleOwners>> owners;
  std::vector<bool> hasModel(buildings.size(), false);
  for (const auto b : o.modelBuildings) {
    if (b < hasModel.size()) hasModel[b] = true;
  }
  std::map<std::uint32_t, std::uint32_t> modelMesh;  // building row → its own mesh
  s->m_buildingRanges.resize(buildings.size());
  s->m_buildingColours.resize(buildings.size());
  float top = 0;
  for (std::uint32_t b = 0; b < buildings.size(); ++b) {
    if (!inScope[buildings.grid[b]]) continue;
    const auto shape = model::xyShape(buildings.footprint, b);
    if (shape.polygons.empty() || shape.polygons.front().outer.empty()) continue;
    const auto& anchor = shape.polygons.front().outer.front();
    const std::pair<int, int> key =
        hasModel[b] ? std::pair<int, int>{static_cast<int>(b), -2}
        : o.oneDrawablePerBuilding
            ? std::pair<int, int>{static_cast<int>(b), -1}
            : std::pair<int, int>{static_cast<int>(std::floor((anchor.x - box.minx) / kTileM)),
                                  static_cast<int>(std::floor((anchor.y - box.miny) / kTileM))};
    auto [it, added] = tileOf.try_emplace(key, static_cast<std::uint32_t>(s->m_meshes.size()));
    if (added) {
      auto g = newGeometry("building_tile");
      // Normals as signed bytes (GL maps 127 to 1): 3 bytes a vertex, not 12.
      osg::ref_ptr<osg::Vec3bArray> normals = new osg::Vec3bArray;
      normals->setNormalize(true);
      g->setNormalArray(normals.get(), osg::Array::BIND_PER_VERTEX);
      g->addPrimitiveSet(new osg::DrawElementsUInt(GL_TRIANGLES));
      owners.push_back(new TriangleOwners);
      g->setUserData(owners.back().get());
      if (hasModel[b]) modelMesh[b] = static_cast<std::uint32_t>(s->m_meshes.size());
      s->m_meshes.push_back(g);
    }
    osg::Geometry* g = s->m_meshes[it->second].get();
    auto* v = verts(g);
    auto* n = static_cast<osg::Vec3bArray*>(g->getNormalArray());
    auto* tris = static_cast<osg::DrawElementsUInt*>(g->getPrimitiveSet(0));
    auto& rows = owners[it->second]->rows;
    const float h = buildings.heightM[b] > 0 ? buildings.heightM[b]
                                             : 3.f * std::max<float>(1, buildings.floors[b]);
    top = std::max(top, h);
    const auto first = static_cast<std::uint32_t>(v->size());
    for (const auto& polygon : shape.polygons) {
      // Roof.
      const auto base = static_cast<std::uint32_t>(v->size());
      for (const auto& p : geo::triangulationVertices(polygon)) {
        v->push_back(osg::Vec3(p.x - origin.x(), p.y - origin.y(), h));
        n->push_back(osg::Vec3b(0, 0, 127));
      }
      const auto roof = geo::triangulate(polygon);
      for (auto i : roof) tris->push_back(base + i);
      rows.insert(rows.end(), roof.size() / 3, b);
      // Walls: a quad per ring edge, facing outward whatever the ring's
      // stored orientation (holes face inward to the courtyard).
      auto walls = [&](const geo::Ring& ring, bool hole) {
        double area2 = 0;
        for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
          area2 += ring[i].x * ring[i + 1].y - ring[i + 1].x * ring[i].y;
        }
        const bool ccw = (area2 > 0) != hole;
        for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
          const auto& a = ring[i];
          const auto& c = ring[i + 1];
          const double dx = c.x - a.x, dy = c.y - a.y;
          const double len = std::hypot(dx, dy);
          if (len == 0) continue;
          const double sign = ccw ? 127 : -127;
          const osg::Vec3b normal(static_cast<signed char>(std::lround(sign * dy / len)),
                                  static_cast<signed char>(std::lround(-sign * dx / len)), 0);
          const auto q = static_cast<std::uint32_t>(v->size());
          const osg::Vec3 a0(a.x - origin.x(), a.y - origin.y(), 0);
          const osg::Vec3 c0(c.x - origin.x(), c.y - origin.y(), 0);
          v->push_back(a0);
          v->push_back(c0);
          v->push_back(c0 + osg::Vec3(0, 0, h));
          v->push_back(a0 + osg::Vec3(0, 0, h));
          n->insert(n->end(), 4, normal);
          // Wound so the face points along `normal`.
          const std::uint32_t quad[2][6] = {{q, q + 1, q + 2, q, q + 2, q + 3},
                                            {q, q + 2, q + 1, q, q + 3, q + 2}};
          tris->insert(tris->end(), quad[ccw ? 0 : 1], quad[ccw ? 0 : 1] + 6);
          rows.insert(rows.end(), 2, b);
        }
      };
      walls(polygon.outer, false);
      for (const auto& hole : polygon.holes) walls(hole, true);
    }
    const auto count = static_cast<std::uint32_t>(v->size()) - first;
    const osg::Vec4 colour = buildingColour(buildings.use[b]);
    colours(g)->insert(colours(g)->end(), count, packed(colour));
    s->m_buildingRanges[b] = {it->second, first, count};
    s->m_buildingColours[b] = colour;
    ++s->m_stats.buildings;
  }
  // The meshes grew by push_back: give back the spare capacity (up to half
  // of each array) before the driver takes its copy.
  for (auto& mesh : s->m_meshes) {
    mesh->getVertexArray()->trim();
    mesh->getNormalArray()->trim();
    mesh->getColorArray()->trim();
    static_cast<osg::DrawElementsUInt*>(mesh->getPrimitiveSet(0))->asVector().shrink_to_fit();
  }
  for (auto& own : owners) own->rows.shrink_to_fit();
  std::vector<bool> inSlot(s->m_meshes.size(), false);
  for (const auto& [b, mesh] : modelMesh) {
    // The footprint at every distance until a model is attached (bim.h).
    osg::ref_ptr<osg::LOD> lod = new osg::LOD;
    lod->setName("model_slot");
    lod->addChild(s->m_meshes[mesh].get(), 0, std::numeric_limits<float>::max());
    buildingGroup->addChild(lod.get());
    s->m_modelSlots[b] = lod;
    inSlot[mesh] = true;
  }
  for (std::size_t i = 0; i < s->m_meshes.size(); ++i) {
    if (!inSlot[i]) buildingGroup->addChild(s->m_meshes[i].get());
  }
  // The grid fill mesh goes last into m_meshes so ranges can name it.
  for (auto& r : s->m_gridRanges) r.geometry = static_cast<std::uint32_t>(s->m_meshes.size());
  s->m_meshes.push_back(fill);
  s->m_layers->addChild(buildingGroup.get(), true);

  // Facilities: one point set, coloured by type.
  {
    const auto& f = d.facilities();
    auto g = newGeometry("facilities");
    auto* v = verts(g.get());
    auto* c = colours(g.get());
    for (std::uint32_t i = 0; i < f.size(); ++i) {
      const auto& p = f.point.xy[i];
      if (!inScope[f.grid[i]] || model::isMissing(p)) continue;
      v->push_back(osg::Vec3(p.x - origin.x(), p.y - origin.y(), 1.f));
      const std::uint32_t t = f.type[i];
      c->push_back(packed(rgb(40 + (t * 67) % 160, 40 + (t * 131) % 160, 60 + (t * 29) % 160)));
    }
    s->m_stats.facilities = v->size();
    g->addPrimitiveSet(new osg::DrawArrays(GL_POINTS, 0, static_cast<GLsizei>(v->size())));
    auto* ss = g->getOrCreateStateSet();
    ss->setAttributeAndModes(new osg::Point(2.f));
    ss->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
    s->m_layers->addChild(g.get(), true);
  }

  // Events of the window, by status, above the roofs' height of a low house
  // so markers are not buried in the ground plane.
  {
    const auto& e = d.events();
    auto g = newGeometry("events");
    auto* v = verts(g.get());
    auto* c = colours(g.get());
    const std::int64_t from = o.now - static_cast<std::int64_t>(o.eventHours) * 3600;
    for (std::uint32_t i = 0; i < e.size(); ++i) {
      const auto& p = e.point.xy[i];
      if (!inScope[e.grid[i]] || model::isMissing(p)) continue;
      if (e.reportedAt[i] <= from || e.reportedAt[i] > o.now) continue;
      v->push_back(osg::Vec3(p.x - origin.x(), p.y - origin.y(), 3.f));
      c->push_back(packed(eventColour(e.status[i])));
    }
    s->m_stats.events = v->size();
    g->addPrimitiveSet(new osg::DrawArrays(GL_POINTS, 0, static_cast<GLsizei>(v->size())));
    auto* ss = g->getOrCreateStateSet();
    ss->setAttributeAndModes(new osg::Point(7.f));
    ss->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
    s->m_layers->addChild(g.get(), true);
  }

  // Labels: street, community, road and grid names, decluttered by priority
  // each frame; a name appears once its feature is big enough on screen.
  {
    std::vector<LabelSpec> labels;
    auto polygonLabels = [&](const auto& kind, int priority, float sizePx, float minSpanPx,
                             const osg::Vec4& colour) {
      for (std::uint32_t i = 0; i < kind.size(); ++i) {
        const auto shape = model::xyShape(kind.shape, i);
        const geo::Polygon* largest = nullptr;
        double area = 0, total = 0;
        for (const auto& polygon : shape.polygons) {
          const double a = geo::area(polygon);
          total += a;
          if (a > area) {
            area = a;
            largest = &polygon;
          }
        }
        if (!largest) continue;
        const auto c = geo::centroid(*largest);
        labels.push_back({std::string(kind.name[i]),
                          osg::Vec3(c.x - origin.x(), c.y - origin.y(), 2.f), sizePx, priority,
                          static_cast<float>(std::sqrt(total)), minSpanPx, colour});
      }
    };
    polygonLabels(d.streets(), 4, 22, 0, rgb(20, 20, 70));
    polygonLabels(d.communities(), 3, 15, 140, rgb(40, 40, 60));
    const auto& roads = d.roads();
    for (std::uint32_t r = 0; r < roads.size(); ++r) {
      if (roads.name[r].empty()) continue;
      double length = 0;
      for (auto part = roads.line.partStart[r]; part < roads.line.partStart[r + 1]; ++part) {
        for (auto i = roads.line.pointStart[part]; i + 1 < roads.line.pointStart[part + 1]; ++i) {
          length += std::hypot(roads.line.xy[i + 1].x - roads.line.xy[i].x,
                               roads.line.xy[i + 1].y - roads.line.xy[i].y);
        }
      }
      const auto first = roads.line.pointStart[roads.line.partStart[r]];
      const auto last = roads.line.pointStart[roads.line.partStart[r] + 1];
      const auto& m = roads.line.xy[(first + last) / 2];
      labels.push_back({std::string(roads.name[r]),
                        osg::Vec3(m.x - origin.x(), m.y - origin.y(), 2.f), 12,
                        roads.roadClass[r] <= model::RoadClass::kMain ? 2 : 1,
                        static_cast<float>(length), 160, rgb(90, 60, 20)});
    }
    polygonLabels(grids, 0, 12, 110, rgb(60, 60, 60));
    s->m_stats.labels = labels.size();
    s->m_layers->addChild(makeLabelLayer(std::move(labels), kLabelFont).get(), true);
  }

  s->m_extent = osg::BoundingBox(
      static_cast<float>(box.minx - origin.x()), static_cast<float>(box.miny - origin.y()), 0,
      static_cast<float>(box.maxx - origin.x()), static_cast<float>(box.maxy - origin.y()), top);
  CountDrawables count;
  for (unsigned i = 0; i < s->m_layers->getNumChildren(); ++i) {
    if (i != static_cast<unsigned>(Layer::kLabels)) s->m_layers->getChild(i)->accept(count);
  }
  s->m_stats.drawables = count.drawables;
  s->m_stats.triangles = count.triangles;
  return s;
}

void DistrictScene::setVisible(Layer layer, bool visible) {
  m_layers->setValue(static_cast<unsigned>(layer), visible);
}

bool DistrictScene::visible(Layer layer) const {
  return m_layers->getValue(static_cast<unsigned>(layer));
}

namespace {

// OSG's IntersectionVisitor answers LOD::traverse's distance question with 0,
// so it always walks the most detailed child; this one measures from the eye
// (getDistanceToEyePoint), so a ray meets what is drawn.
class EyeLodIntersectionVisitor : public osgUtil::IntersectionVisitor {
 public:
  using osgUtil::IntersectionVisitor::IntersectionVisitor;
  float getDistanceToViewPoint(const osg::Vec3& pos, bool withLodScale) const override {
    return getDistanceToEyePoint(pos, withLodScale);
  }
};

}  // namespace

std::optional<Hit> DistrictScene::pick(osg::Camera* camera, double x, double y) const {
  osg::ref_ptr<osgUtil::LineSegmentIntersector> picker =
      new osgUtil::LineSegmentIntersector(osgUtil::Intersector::WINDOW, x, y);
  EyeLodIntersectionVisitor iv(picker.get());
  // LODs as drawn: a building model near, its footprint far (bim.h).
  osg::Vec3d eye, center, up;
  camera->getViewMatrixAsLookAt(eye, center, up);
  iv.setLODSelectionMode(osgUtil::IntersectionVisitor::USE_EYE_POINT_FOR_LOD_LEVEL_SELECTION);
  iv.setReferenceEyePointCoordinateFrame(osgUtil::Intersector::MODEL);
  iv.setReferenceEyePoint(eye);
  camera->accept(iv);
  const auto& hits = picker->getIntersections();  // nearest first
  for (auto it = hits.begin(); it != hits.end(); ++it) {
    const auto* owners = dynamic_cast<const TriangleOwners*>(it->drawable->getUserData());
    if (!owners || it->primitiveIndex >= owners->rows.size()) continue;
    const auto* mt = dynamic_cast<const ModelTriangles*>(owners);
    // Pick-only room volumes count only behind a drawn face of their model.
    if (mt && mt->pickOnly) continue;
    const osg::Vec3d p = it->getWorldIntersectPoint() + m_origin;
    Hit hit{owners->kind, owners->rows[it->primitiveIndex], p.x(), p.y(), p.z()};
    if (mt) {
      hit.model = mt->model;
      hit.storey = mt->storey[it->primitiveIndex];
      hit.space = mt->space[it->primitiveIndex];
      for (auto behind = it; hit.space < 0 && behind != hits.end(); ++behind) {
        const auto* room = dynamic_cast<const ModelTriangles*>(behind->drawable->getUserData());
        if (!room || room->model != mt->model || behind->primitiveIndex >= room->space.size()) {
          continue;
        }
        hit.space = room->space[behind->primitiveIndex];
        if (hit.space >= 0) hit.storey = room->storey[behind->primitiveIndex];
      }
    }
    return hit;
  }
  return std::nullopt;
}

void DistrictScene::recolour(const Range& range, const osg::Vec4& colour) {
  if (range.count == 0) return;
  osg::Geometry* g = m_meshes[range.geometry].get();
  auto* c = colours(g);
  std::fill(c->begin() + range.first, c->begin() + range.first + range.count, packed(colour));
  c->dirty();
}

void DistrictScene::clearHighlight() {
  if (!m_highlight) return;
  const auto [kind, row] = *m_highlight;
  if (kind == model::Kind::kBuilding) recolour(m_buildingRanges[row], m_buildingColours[row]);
  if (kind == model::Kind::kGrid) recolour(m_gridRanges[row], m_gridColours[row]);
  m_highlight.reset();
}

void DistrictScene::highlight(model::Kind kind, std::uint32_t row) {
  clearHighlight();
  if (kind == model::Kind::kBuilding && row < m_buildingRanges.size()) {
    recolour(m_buildingRanges[row], kHighlight);
  } else if (kind == model::Kind::kGrid && row < m_gridRanges.size()) {
    recolour(m_gridRanges[row], kHighlight);
  } else {
    return;
  }
  m_highlight = {kind, row};
}

void DistrictScene::highlightBuildings(const std::vector<std::uint32_t>& rows) {
  for (auto b : m_areaHighlight) recolour(m_buildingRanges[b], m_buildingColours[b]);
  m_areaHighlight.clear();
  for (auto b : rows) {
    if (b >= m_buildingRanges.size() || m_buildingRanges[b].count == 0) continue;
    recolour(m_buildingRanges[b], kAreaHighlight);
    m_areaHighlight.push_back(b);
  }
}

View topView(const DistrictScene& scene, double aspect) { return topView(scene.extent(), aspect); }

View topView(const osg::BoundingBox& e, double aspect) {
  View v;
  v.center = osg::Vec3d(e.center().x(), e.center().y(), 0);
  const double halfH = std::max(double(e.yMax() - e.yMin()), (e.xMax() - e.xMin()) / aspect) / 2;
  const double d = 1.04 * halfH / std::tan(osg::DegreesToRadians(v.fovyDeg / 2));
  v.eye = v.center + osg::Vec3d(0, 0, d);
  v.up = osg::Vec3d(0, 1, 0);
  return v;
}

View obliqueView(const osg::Vec3d& center, double distanceM, double tiltDeg, double headingDeg) {
  const double t = osg::DegreesToRadians(tiltDeg);
  const double h = osg::DegreesToRadians(headingDeg);
  View v;
  v.center = center;
  v.eye = center + osg::Vec3d(-std::sin(h) * std::sin(t), -std::cos(h) * std::sin(t), std::cos(t)) *
                       distanceM;
  v.up = osg::Vec3d(std::sin(h) * std::cos(t), std::cos(h) * std::cos(t), std::sin(t));
  return v;
}

View overviewView(const DistrictScene& scene, double aspect) {
  const View top = topView(scene, aspect);
  const double d = (top.eye - top.center).length();
  return obliqueView(top.center, d * 1.05, 50, 20);
}

double visibleHeightM(const View& view) {
  return 2 * (view.eye - view.center).length() * std::tan(osg::DegreesToRadians(view.fovyDeg / 2));
}

View mapView(const DistrictScene& scene, double aspect) {
  View v = topView(scene, aspect);
  v.ortho = true;
  return v;
}

}  // namespace gridtwin::scene
