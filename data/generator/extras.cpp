#include "extras.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "geo/algorithms.h"
#include "geo/geometry.h"
#include "geo/geos.h"
#include "geom_ops.h"
#include "projection.h"
#include "rng.h"
#include "store/gpkg_writer.h"

namespace gridtwin::generator {
namespace {

using geo::Point;
using store::FieldType;
using store::GeometryType;

struct PoiKind {
  const char* kind;
  const char* name;    // display name stem
  int count;           // at full scale
  BuildingUse host;    // preferred host building
  const char* detail;  // use detail given to the host, or nullptr
};

// Public services of a district of 1.4 million people.
constexpr PoiKind kPoiKinds[] = {
    {"place_name", "地名", 300, BuildingUse::kResidential, nullptr},
    {"government", "政府机关", 25, BuildingUse::kPublic, nullptr},
    {"grid_station", "网格工作站", 146, BuildingUse::kPublic, nullptr},
    {"bus_terminal", "公交总站", 10, BuildingUse::kCommercial, nullptr},
    {"parking", "停车场", 300, BuildingUse::kCommercial, nullptr},
    {"gas_station", "加油站", 40, BuildingUse::kCommercial, nullptr},
    {"ev_station", "充电站", 60, BuildingUse::kCommercial, nullptr},
    {"community_center", "党群服务中心", 147, BuildingUse::kPublic, nullptr},
    {"service_center", "行政服务中心", 5, BuildingUse::kPublic, nullptr},
    {"post_office", "邮政所", 20, BuildingUse::kCommercial, nullptr},
    {"bank", "银行网点", 150, BuildingUse::kCommercial, nullptr},
    {"library", "图书馆", 15, BuildingUse::kPublic, nullptr},
    {"cultural_center", "文化中心", 20, BuildingUse::kPublic, nullptr},
    {"museum", "博物馆", 8, BuildingUse::kPublic, nullptr},
    {"heritage_site", "文物保护单位", 30, BuildingUse::kPublic, nullptr},
    {"sports_venue", "体育场馆", 20, BuildingUse::kPublic, nullptr},
    {"market", "农贸市场", 60, BuildingUse::kCommercial, nullptr},
    {"mall", "商场", 25, BuildingUse::kCommercial, nullptr},
    {"judicial_office", "司法所", 10, BuildingUse::kPublic, nullptr},
    {"elderly_canteen", "长者饭堂", 80, BuildingUse::kPublic, nullptr},
    {"elderly_care", "养老院", 30, BuildingUse::kPublic, nullptr},
    {"kindergarten", "幼儿园", 120, BuildingUse::kPublic, "education"},
    {"school_primary", "小学", 60, BuildingUse::kPublic, "education"},
    {"school_middle", "中学", 30, BuildingUse::kPublic, "education"},
    {"school_high", "高中", 12, BuildingUse::kPublic, "education"},
    {"vocational", "职业学校", 6, BuildingUse::kPublic, "education"},
    {"university", "大学", 3, BuildingUse::kPublic, "education"},
    {"daycare", "托育机构", 40, BuildingUse::kPublic, "education"},
    {"hospital", "医院", 15, BuildingUse::kPublic, "medical"},
    {"health_center", "社区卫生服务中心", 20, BuildingUse::kPublic, "medical"},
    {"clinic", "诊所", 250, BuildingUse::kCommercial, nullptr},
    {"pharmacy", "药店", 300, BuildingUse::kCommercial, nullptr},
    {"vaccination_site", "疫苗接种点", 25, BuildingUse::kPublic, "medical"},
    {"shelter", "应急避难场所", 60, BuildingUse::kPublic, nullptr},
    {"emergency_depot", "应急物资储备点", 10, BuildingUse::kIndustrial, nullptr},
    {"small_venue", "三小场所", 800, BuildingUse::kCommercial, nullptr},
    {"flood_point", "易涝点", 40, BuildingUse::kResidential, nullptr},
    {"police_station", "派出所", 10, BuildingUse::kPublic, nullptr},
    {"fire_station", "消防站", 6, BuildingUse::kPublic, nullptr},
    {"mini_fire_station", "微型消防站", 100, BuildingUse::kCommercial, nullptr},
    {"recycling", "再生资源回收点", 80, BuildingUse::kIndustrial, nullptr},
    {"waterworks", "水厂", 3, BuildingUse::kIndustrial, nullptr},
    {"sewage_plant", "污水处理厂", 4, BuildingUse::kIndustrial, nullptr},
    {"industrial_park", "工业园区", 30, BuildingUse::kIndustrial, nullptr},
    {"wholesale_market", "批发市场", 10, BuildingUse::kCommercial, nullptr},
};

const char* kBimModels[] = {"AC20-FZK-Haus.ifc", "duplex.ifc", "Office_A_20110811.ifc",
                            "IfcOpenHouse_IFC4.ifc"};

// A polyline moved sideways by `offset` metres (left of its direction when
// positive), each vertex along the mean of its neighbouring normals.
geo::LineString offsetLine(const geo::LineString& line, double offset) {
  geo::LineString out;
  out.reserve(line.size());
  for (std::size_t i = 0; i < line.size(); ++i) {
    double nx = 0, ny = 0;
    for (std::size_t j : {i == 0 ? i : i - 1, i}) {
      if (j + 1 >= line.size()) continue;
      double dx = line[j + 1].x - line[j].x, dy = line[j + 1].y - line[j].y,
             len = std::hypot(dx, dy);
      if (len > 0) {
        nx += -dy / len;
        ny += dx / len;
      }
    }
    double len = std::hypot(nx, ny);
    if (len > 0) {
      nx /= len;
      ny /= len;
    }
    out.push_back({line[i].x + nx * offset, line[i].y + ny * offset});
  }
  return out;
}

double blockSetback(const District& d, std::size_t b) {
  double widest = 0;
  for (int road : d.blockEdgeRoad[b]) {
    if (road >= 0) widest = std::max(widest, d.roads[static_cast<std::size_t>(road)].width);
  }
  return widest / 2;
}

}  // namespace

CityExtras planExtras(const District& d, const BuildingPlan& plan, double scale, Rng& rng) {
  CityExtras x;
  const auto& buildings = plan.buildings;
  x.useDetail.resize(buildings.size());
  x.bimModel.resize(buildings.size());
  for (std::size_t i = 0; i < buildings.size(); ++i) {
    const Building& b = buildings[i];
    const Zone zone = d.blocks[static_cast<std::size_t>(b.block)].zone;
    switch (b.use) {
      case BuildingUse::kResidential:
        x.useDetail[i] = zone == Zone::kVillage                        ? "village"
                         : (zone == Zone::kOldTown && rng.chance(0.3)) ? "mixed"
                                                                       : "residential";
        break;
      case BuildingUse::kCommercial:
        x.useDetail[i] = b.floors >= 8 && rng.chance(0.5) ? "office" : "commercial";
        break;
      case BuildingUse::kIndustrial:
        x.useDetail[i] = rng.chance(0.2) ? "warehouse" : "industrial";
        break;
      case BuildingUse::kPublic:
        x.useDetail[i] = "public";
        break;
    }
  }
  // Rail: metro lines along the longest arterials through the old town, a
  // tram in the north-west, the railway along the longest remaining one.
  {
    const Point oldTown = d.blocks.empty() ? Point{} : [&] {
      const Block* densest = &d.blocks.front();
      for (const auto& blk : d.blocks) {
        if (blk.density > densest->density) densest = &blk;
      }
      return densest->site;
    }();
    std::vector<std::pair<double, std::size_t>> candidates;
    for (std::size_t r = 0; r < d.roads.size(); ++r) {
      const Road& road = d.roads[r];
      if (road.level != RoadLevel::kArterial && road.level != RoadLevel::kExpressway) continue;
      candidates.emplace_back(-geo::length(road.parts.front()), r);
    }
    std::sort(candidates.begin(), candidates.end());
    std::vector<bool> used(d.roads.size(), false);
    auto nearOld = [&](const geo::LineString& l) {
      for (const auto& p : l) {
        if (std::hypot(p.x - oldTown.x, p.y - oldTown.y) < 3500) return true;
      }
      return false;
    };
    static const char* kMetro[] = {"广佛线", "佛山地铁2号线", "佛山地铁3号线"};
    int metro = 0;
    for (const auto& [negLen, r] : candidates) {
      if (metro >= 3) break;
      if (nearOld(d.roads[r].parts.front())) {
        x.rails.push_back({"metro", kMetro[metro++], d.roads[r].parts.front()});
        used[r] = true;
      }
    }
    for (const auto& [negLen, r] : candidates) {
      if (used[r]) continue;
      x.rails.push_back({"railway", "广茂铁路", offsetLine(d.roads[r].parts.front(), 0)});
      used[r] = true;
      break;
    }
    for (const auto& [negLen, r] : candidates) {
      if (used[r] || nearOld(d.roads[r].parts.front())) continue;
      x.rails.push_back({"tram", "有轨电车1号线", d.roads[r].parts.front()});
      break;
    }
  }
  // Metro stations every ~1.2 km along metro lines.
  for (const auto& rail : x.rails) {
    if (rail.kind != "metro") continue;
    double since = 1e9;
    int n = 0;
    for (std::size_t i = 0; i + 1 < rail.line.size(); ++i) {
      since += std::hypot(rail.line[i + 1].x - rail.line[i].x, rail.line[i + 1].y - rail.line[i].y);
      if (since > 1200) {
        x.pois.push_back(
            {"metro_station", rail.name + "第" + std::to_string(++n) + "站", -1, rail.line[i + 1]});
        since = 0;
      }
    }
  }
  // POIs hosted in buildings of the preferred use.
  std::map<BuildingUse, std::vector<std::size_t>> byUse;
  for (std::size_t i = 0; i < buildings.size(); ++i) byUse[buildings[i].use].push_back(i);
  for (const auto& k : kPoiKinds) {
    const int count =
        std::max(1, static_cast<int>(std::lround(k.count * std::min(1.0, scale * 4))));
    const auto& hosts = byUse[k.host].empty() ? byUse[BuildingUse::kResidential] : byUse[k.host];
    if (hosts.empty()) continue;
    for (int i = 0; i < count; ++i) {
      std::size_t b = hosts[static_cast<std::size_t>(rng.below(hosts.size()))];
      if (k.detail && x.useDetail[b] == "public") x.useDetail[b] = k.detail;
      x.pois.push_back({k.kind, std::string(k.name) + std::to_string(i + 1), static_cast<int>(b),
                        buildings[b].centre});
    }
  }
  // Parks have entrances.
  int parkEntrances = 0;
  for (const auto& blk : d.blocks) {
    if (blk.zone == Zone::kGreen) {
      x.pois.push_back({"park_entrance", "公园入口" + std::to_string(++parkEntrances), -1,
                        blk.cell.outer.front()});
    }
  }
  // 60 BIM models on the tallest public and office buildings.
  std::vector<std::pair<int, std::size_t>> tall;
  for (std::size_t i = 0; i < buildings.size(); ++i) {
    if (buildings[i].use == BuildingUse::kPublic || x.useDetail[i] == "office")
      tall.emplace_back(-buildings[i].floors, i);
  }
  std::sort(tall.begin(), tall.end());
  // The four real IFC files on the four tallest; 56 models of our own on
  // residential buildings with door plates and room addresses (4 to 80
  // rooms: their spaces are the rooms), spread evenly over those.
  const std::size_t real = std::min<std::size_t>(4, tall.size());
  for (std::size_t i = 0; i < real; ++i) x.bimModel[tall[i].second] = kBimModels[i];
  std::vector<std::size_t> homes;
  for (std::size_t i = 0; i < buildings.size(); ++i) {
    if (buildings[i].use == BuildingUse::kResidential && buildings[i].road >= 0 &&
        buildings[i].rooms >= 4 && buildings[i].rooms <= 80 && x.bimModel[i].empty()) {
      homes.push_back(i);
    }
  }
  const std::size_t wanted = std::min<std::size_t>(60 - real, homes.size());
  for (std::size_t k = 0; k < wanted; ++k) {
    const Building& b = buildings[homes[k * homes.size() / wanted]];
    x.bimModel[homes[k * homes.size() / wanted]] = "building_" + std::to_string(b.id) + ".ifc";
  }
  // Too few homes (a tiny district): the tallest public buildings take the rest.
  for (std::size_t i = real; i < tall.size() && i < real + (60 - real - wanted); ++i) {
    x.bimModel[tall[i].second] = kBimModels[i % 4];
  }
  return x;
}

core::Result<std::int64_t> writeExtraTables(store::GpkgWriter& w, const District& d,
                                            const BuildingPlan& plan, const CityExtras& x,
                                            const Output& out, Rng& rng) {
  std::int64_t rows = 0;
  auto polygonRow = [&](const geo::MultiPolygon& m) -> core::Result<void> {
    auto g = out.multi(m);
    if (!g) return g.takeError();
    w.setMultiPolygon(*g);
    return w.writeRow();
  };
  auto lineRow = [&](geo::LineString line) -> core::Result<void> {
    if (auto r = out.ring(line); !r) return r;
    w.setLineString(line);
    return w.writeRow();
  };

  // district
  GRIDTWIN_TRY(w.addTable({"district",
                           GeometryType::kMultiPolygon,
                           {{"name", FieldType::kText}, {"area_m2", FieldType::kReal}},
                           "区 the district outline (from the real boundary, GCJ-02 converted)",
                           true}));
  w.setText(0, "禅城区");
  w.setReal(1, std::round(geo::area(d.outline)));
  GRIDTWIN_TRY(polygonRow(d.outline));
  ++rows;

  // Block-level tables: landuse, plan, water, green.
  std::map<int, std::vector<std::string>> poiKindsInBlock;
  for (const auto& p : x.pois) {
    if (p.building >= 0)
      poiKindsInBlock[plan.buildings[static_cast<std::size_t>(p.building)].block].push_back(p.kind);
  }
  std::vector<geo::MultiPolygon> parcel(d.blocks.size());
  for (std::size_t b = 0; b < d.blocks.size(); ++b) {
    auto in = inset(d.blocks[b].cell, blockSetback(d, b));
    if (!in) return in.takeError();
    parcel[b] = std::move(*in);
  }
  auto landuseOf = [&](std::size_t b) -> std::string {
    const Block& blk = d.blocks[b];
    for (const auto& k : poiKindsInBlock[static_cast<int>(b)]) {
      if (k.rfind("school", 0) == 0 || k == "kindergarten" || k == "university" ||
          k == "vocational")
        return "education";
      if (k == "hospital" || k == "government" || k == "police_station" || k == "fire_station")
        return "public";
    }
    switch (blk.zone) {
      case Zone::kOldTown:
        return "residential";
      case Zone::kResidential:
        return "residential";
      case Zone::kCommercial:
        return "commercial";
      case Zone::kIndustrial:
        return "industrial";
      case Zone::kVillage:
        return "village";
      case Zone::kWater:
        return "water";
      case Zone::kGreen:
        return "green";
      case Zone::kFarmland:
        return "farmland";
    }
    return "vacant";
  };
  GRIDTWIN_TRY(w.addTable(
      {"landuse",
       GeometryType::kMultiPolygon,
       {{"kind", FieldType::kText}, {"grid_code", FieldType::kText}, {"area_m2", FieldType::kReal}},
       "土地利用现状 land use parcels",
       true}));
  std::vector<std::string> landuse(d.blocks.size());
  for (std::size_t b = 0; b < d.blocks.size(); ++b) {
    if (parcel[b].polygons.empty()) continue;
    landuse[b] = landuseOf(b);
    w.setText(0, landuse[b]);
    w.setText(1, d.grids[static_cast<std::size_t>(d.blocks[b].grid)].code);
    w.setReal(2, std::round(geo::area(parcel[b])));
    GRIDTWIN_TRY(polygonRow(parcel[b]));
    ++rows;
  }
  GRIDTWIN_TRY(w.addTable({"plan_zones",
                           GeometryType::kMultiPolygon,
                           {{"kind", FieldType::kText}, {"grid_code", FieldType::kText}},
                           "控制性详细规划 planned use (plan)",
                           true}));
  for (std::size_t b = 0; b < d.blocks.size(); ++b) {
    if (parcel[b].polygons.empty()) continue;
    std::string kind = landuse[b];
    if (kind == "village")
      kind = rng.chance(0.6) ? "renewal" : "residential";
    else if (kind == "industrial" && d.blocks[b].density > 0.3)
      kind = "renewal";
    else if (kind == "water" || kind == "farmland")
      kind = "ecological";
    else if (kind == "education")
      kind = "public";
    else if (kind == "vacant")
      kind = "green";
    w.setText(0, kind);
    w.setText(1, d.grids[static_cast<std::size_t>(d.blocks[b].grid)].code);
    GRIDTWIN_TRY(polygonRow(parcel[b]));
    ++rows;
  }
  GRIDTWIN_TRY(w.addTable({"water",
                           GeometryType::kMultiPolygon,
                           {{"kind", FieldType::kText}, {"name", FieldType::kText}},
                           "水系 rivers, lakes and ponds",
                           true}));
  const geo::Box all = geo::bbox(d.outline);
  int ponds = 0;
  for (std::size_t b = 0; b < d.blocks.size(); ++b) {
    if (d.blocks[b].zone != Zone::kWater || parcel[b].polygons.empty()) continue;
    const double a = geo::area(parcel[b]);
    const bool south = d.blocks[b].site.y < all.miny + 0.2 * all.height();
    std::string kind = south && d.blocks[b].density < 0.3 ? "river" : a > 150000 ? "lake" : "pond";
    w.setText(0, kind);
    w.setText(1, kind == "river"  ? "东平河"
                 : kind == "lake" ? "湖" + std::to_string(++ponds)
                                  : "鱼塘" + std::to_string(++ponds));
    GRIDTWIN_TRY(polygonRow(parcel[b]));
    ++rows;
  }
  GRIDTWIN_TRY(w.addTable({"green",
                           GeometryType::kMultiPolygon,
                           {{"kind", FieldType::kText}, {"name", FieldType::kText}},
                           "绿地 parks, squares, roadside and protective green",
                           true}));
  int parks = 0;
  for (std::size_t b = 0; b < d.blocks.size(); ++b) {
    if (d.blocks[b].zone != Zone::kGreen || parcel[b].polygons.empty()) continue;
    const bool square = d.blocks[b].density > 0.6 || geo::area(parcel[b]) < 8000;
    w.setText(0, square ? "square" : "park");
    w.setText(1, (square ? "广场" : "公园") + std::to_string(++parks));
    GRIDTWIN_TRY(polygonRow(parcel[b]));
    ++rows;
  }
  // Roadside green: a 1.2 m strip beside arterials; protective green: the
  // next 0.8 m beside expressways. Buildings stand at least half a road's
  // width plus 2 m from its centre line, so neither strip meets a building.
  for (const auto& road : d.roads) {
    if (road.level != RoadLevel::kArterial && road.level != RoadLevel::kExpressway) continue;
    const bool expressway = road.level == RoadLevel::kExpressway;
    for (int side : {1, -1}) {
      for (int band = 0; band < (expressway ? 2 : 1); ++band) {
        const double from = road.width / 2 + band * 1.2, to = from + (band == 0 ? 1.2 : 0.8);
        geo::LineString a = offsetLine(road.parts.front(), side * from);
        geo::LineString bline = offsetLine(road.parts.front(), side * to);
        geo::Polygon strip;
        strip.outer = a;
        for (auto it = bline.rbegin(); it != bline.rend(); ++it) strip.outer.push_back(*it);
        strip.outer.push_back(strip.outer.front());
        auto valid =
            intersect(geo::MultiPolygon{{strip}}, d.outline);  // also cleans self-overlaps at bends
        if (!valid || valid->polygons.empty()) continue;
        w.setText(0, band == 0 ? "roadside" : "protective");
        w.setText(1, road.name + (band == 0 ? "绿化带" : "防护绿地"));
        GRIDTWIN_TRY(polygonRow(*valid));
        ++rows;
      }
    }
  }

  // pipes along every road
  GRIDTWIN_TRY(w.addTable({"pipes",
                           GeometryType::kLineString,
                           {{"kind", FieldType::kText},
                            {"road", FieldType::kText},
                            {"diameter_mm", FieldType::kInteger}},
                           "地下管线 pipelines along the roads",
                           true}));
  struct PipeKind {
    const char* kind;
    double offset;  // share of the road width, left positive
    int diameter;
  };
  static const PipeKind kPipes[] = {
      {"water", 0.25, 300},  {"rain", -0.25, 800},   {"sewage", 0.0, 600},     {"gas", 0.35, 200},
      {"power", -0.35, 150}, {"telecom", 0.15, 100}, {"streetlight", 0.45, 50}};
  for (const auto& road : d.roads) {
    for (const auto& p : kPipes) {
      if (road.level == RoadLevel::kLane &&
          (std::string(p.kind) == "gas" || std::string(p.kind) == "rain"))
        continue;
      for (const auto& part : road.parts) {
        w.setText(0, p.kind);
        w.setText(1, road.name);
        w.setInt(2, road.level == RoadLevel::kLane ? p.diameter / 2 : p.diameter);
        GRIDTWIN_TRY(lineRow(offsetLine(part, p.offset * road.width)));
        ++rows;
      }
    }
  }
  GRIDTWIN_TRY(w.addTable({"rail",
                           GeometryType::kLineString,
                           {{"kind", FieldType::kText}, {"name", FieldType::kText}},
                           "轨道交通 metro, tram and railway",
                           true}));
  for (const auto& r : x.rails) {
    w.setText(0, r.kind);
    w.setText(1, r.name);
    GRIDTWIN_TRY(lineRow(r.line));
    ++rows;
  }
  GRIDTWIN_TRY(w.addTable({"poi",
                           GeometryType::kPoint,
                           {{"kind", FieldType::kText},
                            {"name", FieldType::kText},
                            {"building_id", FieldType::kInteger}},
                           "兴趣点 points of interest",
                           true}));
  for (const auto& p : x.pois) {
    w.setText(0, p.kind);
    w.setText(1, p.name);
    if (p.building >= 0) {
      w.setInt(2, plan.buildings[static_cast<std::size_t>(p.building)].id);
    } else {
      w.setNull(2);
    }
    auto at = out.point(p.at);
    if (!at) return at.takeError();
    w.setPoint(*at);
    GRIDTWIN_TRY(w.writeRow());
    ++rows;
  }
  return rows;
}

}  // namespace gridtwin::generator
