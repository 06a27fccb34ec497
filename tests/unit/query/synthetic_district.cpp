#include "unit/query/synthetic_district.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "query/query.h"

namespace gridtwin::query::test {
namespace {

using model::Owned;

constexpr int kN = 4;  // grids per side
constexpr double kLon0 = 113.04, kLat0 = 22.99, kStep = 0.004;

void addRing(model::PolygonColumns<Owned>& p, double x0, double y0, double x1, double y1) {
  p.partStart.push_back(p.partStart.back() + 1);
  p.ringStart.push_back(p.ringStart.back() + 1);
  for (auto pt : {geo::Point{x0, y0}, geo::Point{x1, y0}, geo::Point{x1, y1}, geo::Point{x0, y1},
                  geo::Point{x0, y0}}) {
    p.lonlat.push_back(pt);
  }
  p.pointStart.push_back(static_cast<std::uint32_t>(p.lonlat.size()));
}

void startPolygons(model::PolygonColumns<Owned>& p) {
  model::startOffsets(p.partStart);
  model::startOffsets(p.ringStart);
  model::startOffsets(p.pointStart);
}

void fail(const core::Error& e) {
  std::fprintf(stderr, "synthetic district: %s\n", e.toString().c_str());
  std::abort();
}

}  // namespace

Synthetic syntheticDistrict(std::uint64_t seed, int buildingsPerGrid) {
  std::mt19937_64 rng(seed);
  auto uni = [&](double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); };
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  model::DistrictColumns<Owned> c;
  startPolygons(c.streets.shape);
  startPolygons(c.communities.shape);
  startPolygons(c.grids.shape);
  startPolygons(c.buildings.footprint);
  model::startOffsets(c.roads.line.partStart);
  model::startOffsets(c.roads.line.pointStart);

  for (const char* s : {"工业", "商业", "制造"}) c.industries.append(s);
  c.facilityTypeCodes.append("camera");
  c.facilityTypeNames.append("视频监控");
  c.facilityTypeCodes.append("hydrant");
  c.facilityTypeNames.append("消防栓");
  c.facilityTypeCodes.append("manhole");
  c.facilityTypeNames.append("井盖");
  c.departments.append("城管局");
  c.departments.append("水务局");
  const char* cats[5][3] = {{"A01", "占道经营", "市容环境"},
                            {"A02", "乱堆物料", "市容环境"},
                            {"B01", "井盖缺失", "设施管理"},
                            {"C01", "噪音扰民", "社会治安"},
                            {"C02", "消防隐患", "安全生产"}};
  for (auto& cat : cats) {
    c.categoryCodes.append(cat[0]);
    c.categoryNames.append(cat[1]);
    c.categoryGroups.append(cat[2]);
  }

  // Streets: west (i < 2) and east; communities: the four quadrants.
  for (int s = 0; s < 2; ++s) {
    c.streets.code.append("44060400" + std::to_string(s + 1));
    c.streets.name.append(s == 0 ? "祖庙街道" : "石湾镇街道");
    addRing(c.streets.shape, kLon0 + s * 2 * kStep, kLat0, kLon0 + (s + 1) * 2 * kStep,
            kLat0 + kN * kStep);
  }
  for (int q = 0; q < 4; ++q) {
    const int qi = q % 2, qj = q / 2;
    c.communities.code.append("44060400" + std::to_string(qi + 1) + "00" + std::to_string(qj + 1));
    c.communities.name.append("社区" + std::to_string(q));
    c.communities.street.push_back(static_cast<std::uint32_t>(qi));
    addRing(c.communities.shape, kLon0 + qi * 2 * kStep, kLat0 + qj * 2 * kStep,
            kLon0 + (qi + 1) * 2 * kStep, kLat0 + (qj + 1) * 2 * kStep);
  }
  struct G {
    double x0, y0;
  };
  std::vector<G> grids;
  for (int j = 0; j < kN; ++j) {
    for (int i = 0; i < kN; ++i) {
      const int q = (i / 2) + 2 * (j / 2);
      const std::string code(c.communities.code[static_cast<std::size_t>(q)]);
      const int n = (i % 2) + 2 * (j % 2) + 1;
      c.grids.code.append(code + "00" + std::to_string(n));
      c.grids.name.append("网格" + std::to_string(grids.size()));
      c.grids.community.push_back(static_cast<std::uint32_t>(q));
      const double x0 = kLon0 + i * kStep, y0 = kLat0 + j * kStep;
      addRing(c.grids.shape, x0, y0, x0 + kStep, y0 + kStep);
      grids.push_back({x0, y0});
    }
  }

  const char* surnames[] = {"陈", "李", "黄", "梁", "欧阳"};
  const char* given[] = {"小明", "伟", "嘉欣", "志强", "美玲"};
  std::int64_t personId = 1, houseId = 1, entityId = 1;
  for (std::uint32_t g = 0; g < grids.size(); ++g) {
    for (int k = 0; k < buildingsPerGrid; ++k) {
      const double cx = uni(grids[g].x0 + 0.0003, grids[g].x0 + kStep - 0.0003);
      const double cy = uni(grids[g].y0 + 0.0003, grids[g].y0 + kStep - 0.0003);
      const auto b = static_cast<std::uint32_t>(c.buildings.id.size());
      c.buildings.id.push_back(1000 + b);
      c.buildings.use.push_back(static_cast<model::BuildingUse>(pick(4)));
      c.buildings.floors.push_back(static_cast<std::uint16_t>(1 + pick(30)));
      c.buildings.heightM.push_back(3.0f * static_cast<float>(c.buildings.floors.back()));
      c.buildings.grid.push_back(g);
      addRing(c.buildings.footprint, cx - 0.0001, cy - 0.0001, cx + 0.0001, cy + 0.0001);
      // The door-plate address.
      const auto door = static_cast<std::int32_t>(c.addresses.code.size());
      c.buildings.address.push_back(door);
      c.addresses.code.append("A" + std::to_string(door));
      c.addresses.level.push_back(model::AddressLevel::kDoorplate);
      c.addresses.building.push_back(b);
      c.addresses.house.push_back(model::kNone);
      c.addresses.grid.push_back(g);
      c.addresses.point.lonlat.push_back({cx, cy});
      c.addresses.fullText.append("佛山市禅城区测试路" + std::to_string(b) + "号");
      const int nh = pick(4);
      for (int h = 0; h < nh; ++h) {
        const auto house = static_cast<std::uint32_t>(c.houses.id.size());
        const auto room = static_cast<std::int32_t>(c.addresses.code.size());
        c.addresses.code.append("A" + std::to_string(room));
        c.addresses.level.push_back(model::AddressLevel::kRoom);
        c.addresses.building.push_back(b);
        c.addresses.house.push_back(static_cast<std::int32_t>(house));
        c.addresses.grid.push_back(g);
        c.addresses.point.lonlat.push_back({cx + uni(-5e-5, 5e-5), cy + uni(-5e-5, 5e-5)});
        c.addresses.fullText.append("佛山市禅城区测试路" + std::to_string(b) + "号" +
                                    std::to_string(h + 1) + "01房");
        c.houses.id.push_back(houseId++);
        c.houses.address.push_back(pick(5) == 0 ? model::kNone : room);
        c.houses.building.push_back(b);
        c.houses.unit.push_back(1);
        c.houses.floor.push_back(static_cast<std::int16_t>(h + 1));
        c.houses.room.append(std::to_string(h + 1) + "01");
        c.houses.areaM2.push_back(60.0f + static_cast<float>(pick(80)));
        c.houses.grid.push_back(g);
        const int np = pick(5);
        for (int p = 0; p < np; ++p) {
          c.people.id.push_back(personId++);
          const int year = 1930 + pick(95);
          char idNumber[19];
          std::snprintf(idNumber, sizeof idNumber, "440604%04d0%d1%d%03d%d", year, 1 + pick(9),
                        pick(3), pick(1000), pick(10));
          for (int ch = 0; ch < 18; ++ch) c.people.idNumber.push_back(idNumber[ch]);
          c.people.name.append(std::string(surnames[pick(5)]) + given[pick(5)]);
          c.people.sex.push_back(static_cast<model::Sex>(pick(2)));
          c.people.birthDay.push_back(
              static_cast<std::int32_t>((year - 1970) * 365.2425 + pick(360)));
          c.people.phone.append(pick(4) == 0 ? std::string()
                                             : "138" + std::to_string(10000000 + pick(89999999)));
          c.people.tags.push_back(static_cast<std::uint32_t>(rng() & 0x1ff));
          c.people.house.push_back(house);
          c.people.grid.push_back(g);
        }
      }
      if (pick(3) == 0) {
        c.entities.id.push_back(entityId++);
        std::string code = "91440604MA" + std::to_string(10000000 + pick(89999999));
        for (int ch = 0; ch < 18; ++ch)
          c.entities.creditCode.push_back(code[static_cast<std::size_t>(ch)]);
        c.entities.name.append("佛山市测试" + std::to_string(entityId) + "有限公司");
        c.entities.industry.push_back(static_cast<std::uint16_t>(pick(3)));
        c.entities.kind.push_back(static_cast<model::EntityKind>(pick(4)));
        c.entities.colour.push_back(static_cast<model::CreditColour>(pick(3)));
        c.entities.building.push_back(b);
        c.entities.grid.push_back(g);
        c.entities.point.lonlat.push_back({cx + uni(-5e-5, 5e-5), cy + uni(-5e-5, 5e-5)});
      }
    }
    for (int k = 0; k < 6; ++k) {
      c.facilities.id.push_back(static_cast<std::int64_t>(c.facilities.id.size()) + 1);
      c.facilities.type.push_back(static_cast<std::uint16_t>(pick(3)));
      c.facilities.owner.push_back(pick(3) == 0 ? model::kNone : pick(2));
      c.facilities.grid.push_back(g);
      c.facilities.point.lonlat.push_back({uni(grids[g].x0 + 1e-5, grids[g].x0 + kStep - 1e-5),
                                           uni(grids[g].y0 + 1e-5, grids[g].y0 + kStep - 1e-5)});
      const float nan = std::nanf("");
      c.facilities.headingDeg.push_back(nan);
      c.facilities.fovDeg.push_back(nan);
      c.facilities.mountHeightM.push_back(nan);
    }
    for (int k = 0; k < 10; ++k) {
      c.events.id.push_back(static_cast<std::int64_t>(c.events.id.size()) + 1);
      c.events.category.push_back(static_cast<std::uint16_t>(pick(5)));
      c.events.source.push_back(static_cast<model::EventSource>(pick(6)));
      c.events.reportedAt.push_back(kReferenceNow -
                                    static_cast<std::int64_t>(rng() % (60 * 86400)));
      c.events.status.push_back(static_cast<model::EventStatus>(pick(5)));
      c.events.level.push_back(static_cast<model::DispatchLevel>(pick(4)));
      c.events.grid.push_back(g);
      c.events.point.lonlat.push_back(
          pick(8) == 0 ? model::missingPoint()
                       : geo::Point{uni(grids[g].x0 + 1e-5, grids[g].x0 + kStep - 1e-5),
                                    uni(grids[g].y0 + 1e-5, grids[g].y0 + kStep - 1e-5)});
    }
  }

  Synthetic out;
  auto d = model::District::build(std::move(c), 1);
  if (!d) fail(d.error());
  out.district = std::move(*d);
  // A station head per community, a worker per grid.
  const auto& gc = out.district.grids();
  for (std::uint32_t q = 0; q < 4; ++q) {
    store::StaffRow head{"GS" + std::to_string(q + 1),
                         "站长" + std::to_string(q),
                         "station_head",
                         "1390000000" + std::to_string(q),
                         {}};
    for (std::uint32_t g = 0; g < gc.size(); ++g) {
      if (gc.community[g] == q) head.gridCodes.emplace_back(gc.code[g]);
    }
    out.staff.push_back(std::move(head));
  }
  for (std::uint32_t g = 0; g < gc.size(); ++g) {
    out.staff.push_back({"GW" + std::to_string(g + 1),
                         "网格员" + std::to_string(g),
                         "grid_worker",
                         "1370000" + std::to_string(1000 + g),
                         {std::string(gc.code[g])}});
  }
  return out;
}

}  // namespace gridtwin::query::test
