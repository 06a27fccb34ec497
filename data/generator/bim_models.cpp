#include "bim_models.h"

#include <algorithm>
#include <cmath>

#include "bim/ifc_writer.h"
#include "crs/crs.h"
#include "crs/transformer.h"
#include "geo/geometry.h"

namespace gridtwin::generator {

namespace {

using store::FieldType;

// The footprint's orientation: the angle of its longest edge (degrees).
double orientation(const geo::Polygon& p) {
  double best = -1, angle = 0;
  for (std::size_t i = 0; i + 1 < p.outer.size(); ++i) {
    const double dx = p.outer[i + 1].x - p.outer[i].x, dy = p.outer[i + 1].y - p.outer[i].y;
    const double len = std::hypot(dx, dy);
    if (len > best) {
      best = len;
      angle = std::atan2(dy, dx) * 180.0 / M_PI;
    }
  }
  return angle;
}

}  // namespace

core::Result<std::int64_t> writeBimModels(store::GpkgWriter& w, const BuildingPlan& plan,
                                          const CityExtras& extras,
                                          const std::vector<std::string>& doorText) {
  GRIDTWIN_TRY(w.addTable(store::TableSpec{"bim_models",
                                           store::GeometryType::kNone,
                                           {{"building_id", FieldType::kInteger},
                                            {"source", FieldType::kText},
                                            {"file", FieldType::kText},
                                            {"anchor_x", FieldType::kReal},
                                            {"anchor_y", FieldType::kReal},
                                            {"anchor_z", FieldType::kReal},
                                            {"rotation_deg", FieldType::kReal},
                                            {"scale", FieldType::kReal},
                                            {"storeys", FieldType::kInteger},
                                            {"spaces", FieldType::kInteger},
                                            {"ifc", FieldType::kText}},
                                           "建筑模型 building models (BIM)",
                                           false}));
  auto toLonLat = crs::Transformer::create(crs::kGaussKruger114, crs::kCgcs2000);
  if (!toLonLat) return toLonLat.takeError();
  std::vector<std::vector<const House*>> housesOf(plan.buildings.size());
  for (const auto& h : plan.houses) housesOf[static_cast<std::size_t>(h.building)].push_back(&h);
  std::int64_t rows = 0;
  for (std::size_t i = 0; i < plan.buildings.size(); ++i) {
    const std::string& model = extras.bimModel[i];
    if (model.empty()) continue;
    const Building& b = plan.buildings[i];
    const geo::Box box = geo::bbox(b.footprint);
    const double cx = (box.minx + box.maxx) / 2, cy = (box.miny + box.maxy) / 2;
    const double rot = orientation(b.footprint);
    w.setInt(0, b.id);
    w.setReal(3, cx);
    w.setReal(4, cy);
    w.setReal(5, 0);
    w.setReal(6, std::round(rot * 1e6) / 1e6);
    w.setReal(7, 1);
    if (model.rfind("building_", 0) != 0) {
      // A real file of ../shared/data/bim, referenced relative to the shared data folder.
      w.setText(1, "shared");
      w.setText(2, "bim/" + model);
      w.setNull(8);
      w.setNull(9);
      w.setNull(10);
    } else {
      bim::BuildingSpec spec;
      spec.id = b.id;
      spec.name = doorText[i];
      spec.floors = b.floors;
      spec.storeyHeight = b.height / std::max(1, b.floors);
      spec.multiUnit = b.units > 1;
      // The footprint in the model's frame: centred, turned by -rot, counter-clockwise.
      const double c = std::cos(-rot * M_PI / 180), s = std::sin(-rot * M_PI / 180);
      std::vector<bim::Vec3> ring;
      for (const auto& p : b.footprint.outer) {
        const double x = p.x - cx, y = p.y - cy;
        ring.push_back(bim::Vec3{x * c - y * s, x * s + y * c, 0});
      }
      double area2 = 0;
      for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
        area2 += ring[k].x * ring[k + 1].y - ring[k + 1].x * ring[k].y;
      }
      if (area2 < 0) std::reverse(ring.begin(), ring.end());
      // Centre the frame on the ring's own box so the anchor's rule holds.
      bim::Box3 rb;
      for (const auto& p : ring) rb.expand(p);
      for (auto& p : ring) {
        p.x -= (rb.min.x + rb.max.x) / 2;
        p.y -= (rb.min.y + rb.max.y) / 2;
      }
      spec.footprint = std::move(ring);
      for (const House* h : housesOf[i]) {
        spec.rooms.push_back(bim::RoomSpec{h->unit, h->floor, h->room, h->addressCode});
      }
      spec.address.lines = {doorText[i]};
      spec.address.town = "佛山市";
      spec.address.region = "广东省";
      spec.address.country = "CN";
      auto ll = toLonLat->transform(b.centre);
      if (ll) {
        spec.longitude = ll->x;
        spec.latitude = ll->y;
      }
      w.setText(1, "generated");
      w.setText(2, model);
      w.setInt(8, spec.floors);
      w.setInt(9, static_cast<std::int64_t>(spec.rooms.size()));
      w.setText(10, bim::writeIfc(spec));
    }
    GRIDTWIN_TRY(w.writeRow());
    ++rows;
  }
  return rows;
}

}  // namespace gridtwin::generator
