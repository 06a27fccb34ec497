#include "generate.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <unordered_set>

#include "bim_models.h"
#include "catalogs.h"
#include "city.h"
#include "core/calendar.h"
#include "crs/crs.h"
#include "crs/gcj02.h"
#include "crs/transformer.h"
#include "csv.h"
#include "district.h"
#include "extras.h"
#include "geo/algorithms.h"
#include "geo/geojson.h"
#include "geo/geometry.h"
#include "ident/credit_code.h"
#include "ident/resident_id.h"
#include "layer_tables.h"
#include "layers/catalog.h"
#include "layers/qgis_style.h"
#include "names.h"
#include "projection.h"
#include "rng.h"
#include "store/gpkg_writer.h"

namespace gridtwin::generator {
namespace {

using core::ErrorCode;
using core::makeError;
using geo::Point;
using store::FieldType;
using store::GeometryType;

constexpr int kBlockCount = 5200;
constexpr int kGridCount = 478;
// The registers describe the district as of this day; ages and tags follow.
constexpr int kRefYear = 2026, kRefMonth = 6, kRefDay = 30;

std::string orDefault(const std::string& value, const std::string& fallback) {
  return value.empty() ? fallback : value;
}

// "澜石社区居委会" -> "澜石社区", "河宕村民委员会" -> "河宕村": the name used in addresses.
std::string shortCommunityName(const std::string& name) {
  static const std::pair<std::string, std::string> kSuffixes[] = {
      {"社区居民委员会", "社区"}, {"社区居委会", "社区"}, {"居民委员会", "社区"},
      {"居委会", "社区"},         {"村民委员会", "村"},   {"村委会", "村"}};
  for (const auto& [suffix, replacement] : kSuffixes) {
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      std::string stem = name.substr(0, name.size() - suffix.size());
      // "澜石社区居委会": the stem already ends in 社区.
      if (stem.size() >= replacement.size() &&
          stem.compare(stem.size() - replacement.size(), replacement.size(), replacement) == 0) {
        return stem;
      }
      return stem + replacement;
    }
  }
  return name;
}

using core::daysFromCivil;
// Civil date of a day number, as ints (the generator formats them with %d).
void civilFromDays(std::int64_t z, int& y, int& m, int& d) {
  unsigned um = 0, ud = 0;
  core::civilFromDays(z, y, um, ud);
  m = static_cast<int>(um);
  d = static_cast<int>(ud);
}
std::string isoDate(std::int64_t days) {
  int y, m, d;
  civilFromDays(days, y, m, d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}
std::string isoTime(
    std::int64_t seconds) {  // local time (UTC+8), seconds since epoch in local terms
  std::int64_t days = seconds / 86400;
  int rem = static_cast<int>(seconds % 86400);
  char buf[40];
  int y, m, d;
  civilFromDays(days, y, m, d);
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", y, m, d, rem / 3600,
                rem / 60 % 60, rem % 60);
  return buf;
}

RoadClass roadClassOf(RoadLevel level) {
  switch (level) {
    case RoadLevel::kExpressway:
      return RoadClass::kExpressway;
    case RoadLevel::kArterial:
      return RoadClass::kArterial;
    case RoadLevel::kSecondary:
      return RoadClass::kSecondary;
    case RoadLevel::kBranch:
      return RoadClass::kBranch;
    case RoadLevel::kLane:
      return RoadClass::kLane;
  }
  return RoadClass::kBranch;
}

struct Sources {
  DistrictSources district;
  std::vector<std::string> localRegions;    // Guangdong district codes other than our own
  std::vector<std::string> migrantRegions;  // district codes of the main migrant provinces
  std::string districtCode = "440604";
  std::string districtName = "禅城区";
};

core::Result<Sources> loadSources(const GenerateOptions& o) {
  Sources s;
  const std::string chancheng = o.sharedData + "/chancheng";
  const std::string outlinePath =
      orDefault(o.outline, chancheng + "/chancheng-boundary-gcj02.geojson");
  auto features = geo::readGeoJsonFile(outlinePath);
  if (!features) return features.takeError();
  auto outlineCrs = crs::parseCrs(o.outlineCrs);
  if (!outlineCrs) return std::move(outlineCrs.takeError()).withContext("--outline-crs");
  auto toMetric = crs::Transformer::create(*outlineCrs, crs::kGaussKruger114);
  if (!toMetric) return toMetric.takeError();
  geo::MultiPolygon outline;
  for (std::size_t i = 0; i < features->size(); ++i) {
    const auto& g = (*features)[i].geometry;
    std::vector<geo::Polygon> polys;
    if (auto* p = std::get_if<geo::Polygon>(&g)) polys.push_back(*p);
    if (auto* m = std::get_if<geo::MultiPolygon>(&g)) polys = m->polygons;
    for (auto& p : polys) {
      for (geo::Ring* r = &p.outer; r; r = nullptr) {
        if (auto t = toMetric->transform(std::span<Point>(*r)); !t) {
          return std::move(t.takeError())
              .withContext(outlinePath + ": feature " + std::to_string(i));
        }
      }
      for (auto& h : p.holes) {
        if (auto t = toMetric->transform(std::span<Point>(h)); !t) {
          return std::move(t.takeError())
              .withContext(outlinePath + ": feature " + std::to_string(i));
        }
      }
      outline.polygons.push_back(std::move(p));
    }
  }
  const double area = geo::area(outline);
  if (outline.polygons.empty() || !(area > 1e6)) {
    return makeError(
        ErrorCode::kInvalidGeometry,
        "the outline has no polygon of at least 1 km² (area " + std::to_string(area) + " m²)",
        outlinePath);
  }
  s.district.outline = std::move(outline);

  auto streets = CsvTable::read(orDefault(o.streets, chancheng + "/streets.csv"), {"code", "name"});
  if (!streets) return streets.takeError();
  for (std::size_t r = 0; r < streets->rows(); ++r) {
    s.district.streets.push_back({streets->at(r, "code"), streets->at(r, "name"), {}});
  }
  auto communities = CsvTable::read(orDefault(o.communities, chancheng + "/communities.csv"),
                                    {"code", "name", "streetCode"});
  if (!communities) return communities.takeError();
  for (std::size_t r = 0; r < communities->rows(); ++r) {
    const std::string& code = communities->at(r, "code");
    if (code.size() != 12 ||
        !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return makeError(ErrorCode::kParse, "community code must be 12 digits, got '" + code + "'",
                       communities->path() + ":" + std::to_string(communities->line(r)));
    }
    s.district.communities.push_back(
        {code, communities->at(r, "name"), communities->at(r, "streetCode")});
  }
  if (!s.district.communities.empty())
    s.districtCode = s.district.communities.front().code.substr(0, 6);

  auto anchors = CsvTable::read(orDefault(o.anchors, o.catalogDir + "/street_anchors.csv"),
                                {"code", "centre_lon", "centre_lat", "area_share"});
  if (!anchors) return anchors.takeError();
  auto toMetric4490 = crs::Transformer::create(crs::kCgcs2000, crs::kGaussKruger114);
  if (!toMetric4490) return toMetric4490.takeError();
  std::vector<std::pair<std::string, std::size_t>> rowOf;
  for (const auto& st : s.district.streets) {
    std::size_t found = anchors->rows();
    for (std::size_t r = 0; r < anchors->rows(); ++r) {
      if (anchors->at(r, "code") == st.code) found = r;
    }
    if (found == anchors->rows()) {
      return makeError(ErrorCode::kNotFound,
                       "no centre and area share for street " + st.code + " " + st.name,
                       anchors->path());
    }
    auto lon = anchors->number(found, "centre_lon");
    auto lat = anchors->number(found, "centre_lat");
    auto share = anchors->number(found, "area_share");
    if (!lon) return lon.takeError();
    if (!lat) return lat.takeError();
    if (!share) return share.takeError();
    auto p = toMetric4490->transform(Point{*lon, *lat});
    if (!p)
      return std::move(p.takeError())
          .withContext(anchors->path() + ":" + std::to_string(anchors->line(found)));
    s.district.streetCentres.push_back(*p);
    s.district.streetAreaShares.push_back(*share);
  }
  // The old town (the densest centre) goes first: densityAt peaks there.
  // By convention the anchors file lists it first; reorder streets to match.
  {
    std::size_t first = 0;
    auto firstCode = anchors->at(0, "code");
    for (std::size_t i = 0; i < s.district.streets.size(); ++i) {
      if (s.district.streets[i].code == firstCode) first = i;
    }
    std::swap(s.district.streets[0], s.district.streets[first]);
    std::swap(s.district.streetCentres[0], s.district.streetCentres[first]);
    std::swap(s.district.streetAreaShares[0], s.district.streetAreaShares[first]);
  }

  auto areas = CsvTable::read(o.sharedData + "/divisions/areas.csv", {"code", "provinceCode"});
  if (!areas) return areas.takeError();
  static const std::unordered_set<std::string> kMigrantProvinces = {"43", "45", "36", "51", "41",
                                                                    "42", "52", "50", "35", "46"};
  for (std::size_t r = 0; r < areas->rows(); ++r) {
    const std::string& code = areas->at(r, "code");
    const std::string& prov = areas->at(r, "provinceCode");
    if (code.size() != 6 || code.compare(4, 2, "00") == 0) continue;
    if (prov == s.districtCode.substr(0, 2)) {
      if (code != s.districtCode) s.localRegions.push_back(code);
    } else if (kMigrantProvinces.count(prov)) {
      s.migrantRegions.push_back(code);
    }
  }
  if (s.localRegions.empty() || s.migrantRegions.empty()) {
    return makeError(ErrorCode::kParse, "no district codes found for the resident ID regions",
                     areas->path());
  }
  return s;
}

// Field list helper: names in order, indexes by position.
store::TableSpec table(std::string name, GeometryType geometry,
                       std::vector<store::FieldSpec> fields, std::string description) {
  return store::TableSpec{std::move(name), geometry, std::move(fields), std::move(description),
                          true};
}

class Stage {
 public:
  Stage(const Progress& progress, double from, double to)
      : m_progress(progress), m_from(from), m_to(to) {}
  void report(const std::string& name, double fraction) const {
    if (m_progress) m_progress(name, m_from + (m_to - m_from) * std::clamp(fraction, 0.0, 1.0));
  }

 private:
  const Progress& m_progress;
  double m_from, m_to;
};

}  // namespace

core::Result<GenerateSummary> generate(const GenerateOptions& options, const Progress& progress) {
  const auto started = std::chrono::steady_clock::now();
  if (!(options.scale > 0) || options.scale > 10 || !std::isfinite(options.scale)) {
    return makeError(ErrorCode::kInvalidArgument,
                     "scale must be a number in (0, 10], got " + std::to_string(options.scale),
                     "--scale");
  }
  if (options.out.empty()) return makeError(ErrorCode::kInvalidArgument, "no output path", "--out");
  GenerateSummary sum;
  auto report = [&](const std::string& stage, double f) {
    if (progress) progress(stage, f);
  };
  report("reading sources", 0.0);
  auto sourcesR = loadSources(options);
  if (!sourcesR) return sourcesR.takeError();
  Sources& src = *sourcesR;
  auto eventTypes = loadEventTypes(options.catalogDir + "/event_types.csv");
  if (!eventTypes) return eventTypes.takeError();
  auto facilityTypes =
      CsvTable::read(options.catalogDir + "/facility_types.csv",
                     {"code", "name", "share", "owner_department", "ownerless_share", "placement"});
  if (!facilityTypes) return facilityTypes.takeError();
  auto layerSpecs = layers::loadLayerCatalog(options.layerCatalog);
  if (!layerSpecs) return layerSpecs.takeError();
  auto realRoads = realFoshanRoadNames(options.sharedData + "/addresses/naacl2019");
  if (!realRoads) return realRoads.takeError();

  auto scaled = [&](double full) {
    return std::max<std::int64_t>(1, std::llround(full * options.scale));
  };
  Rng root(options.seed);

  report("district skeleton", 0.02);
  auto districtR = buildDistrict(src.district, kBlockCount, kGridCount, root.fork(1).next());
  if (!districtR) return districtR.takeError();
  District& d = *districtR;

  // Road names: real Foshan names go to the longest arterial and main roads.
  {
    Rng nrng = root.fork(2);
    RoadNamer namer;
    std::vector<std::size_t> order(d.roads.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    auto lengthOf = [&](std::size_t i) {
      double total = 0;
      for (const auto& part : d.roads[i].parts) total += geo::length(part);
      return total;
    };
    std::vector<double> len(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) len[i] = lengthOf(i);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      if (d.roads[a].level != d.roads[b].level) return d.roads[a].level < d.roads[b].level;
      return len[a] > len[b];
    });
    std::size_t real = 0;
    for (std::size_t i : order) {
      Road& road = d.roads[i];
      bool big = road.level == RoadLevel::kExpressway || road.level == RoadLevel::kArterial;
      while (big && real < realRoads->size()) {
        const std::string& name = (*realRoads)[real++];
        if (namer.reserve(name)) {
          road.name = name;
          break;
        }
      }
      if (road.name.empty()) road.name = namer.next(nrng, roadClassOf(road.level));
    }
  }

  report("buildings", 0.08);
  auto planR = planBuildings(d, scaled(100000), scaled(600000), root.fork(3).next());
  if (!planR) return planR.takeError();
  BuildingPlan& plan = *planR;
  Rng extrasRng = root.fork(10);
  const CityExtras extras = planExtras(d, plan, options.scale, extrasRng);

  // Door-plate address codes: community code + 5-digit sequence.
  std::vector<int> nextDoor(d.communities.size(), 0);
  for (auto& b : plan.buildings) {
    const auto c = static_cast<std::size_t>(d.blocks[static_cast<std::size_t>(b.block)].community);
    char seq[16];
    std::snprintf(seq, sizeof seq, "%05d", ++nextDoor[c]);
    b.addressCode = d.communities[c].code + seq;
  }
  for (auto& h : plan.houses) {
    const Building& b = plan.buildings[static_cast<std::size_t>(h.building)];
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%02d%04d", h.unit % 100, h.room % 10000);
    h.addressCode = b.addressCode + suffix;
  }

  auto toLonLat = crs::Transformer::create(crs::kGaussKruger114, crs::kCgcs2000);
  if (!toLonLat) return toLonLat.takeError();
  Output out(std::move(*toLonLat));

  auto writerR = store::GpkgWriter::create(options.out);
  if (!writerR) return writerR.takeError();
  store::GpkgWriter& w = *writerR;

  const std::string province = "广东省", city = "佛山市";
  auto streetOfBlock = [&](int block) -> const AdminUnit& {
    return d.streets[static_cast<std::size_t>(d.blocks[static_cast<std::size_t>(block)].street)];
  };
  auto communityOfBlock = [&](int block) -> const AdminUnit& {
    return d
        .communities[static_cast<std::size_t>(d.blocks[static_cast<std::size_t>(block)].community)];
  };
  auto gridOfBlock = [&](int block) -> const AdminUnit& {
    return d.grids[static_cast<std::size_t>(d.blocks[static_cast<std::size_t>(block)].grid)];
  };

  // ---- streets, communities, grids, staff
  report("admin coverage", 0.15);
  GRIDTWIN_TRY(w.addTable(
      table("streets", GeometryType::kMultiPolygon,
            {{"code", FieldType::kText}, {"name", FieldType::kText}, {"area_m2", FieldType::kReal}},
            "镇街 streets and towns")));
  for (const auto& s : d.streets) {
    w.setText(0, s.code);
    w.setText(1, s.name);
    w.setReal(2, std::round(s.area));
    auto g = out.multi(s.shape);
    if (!g) return g.takeError();
    w.setMultiPolygon(*g);
    GRIDTWIN_TRY(w.writeRow());
    ++sum.streets;
  }
  GRIDTWIN_TRY(w.addTable(table("communities", GeometryType::kMultiPolygon,
                                {{"code", FieldType::kText},
                                 {"name", FieldType::kText},
                                 {"street_code", FieldType::kText},
                                 {"area_m2", FieldType::kReal},
                                 {"kind", FieldType::kText}},
                                "村居 communities")));
  for (const auto& c : d.communities) {
    w.setText(0, c.code);
    w.setText(1, c.name);
    w.setText(2, d.streets[static_cast<std::size_t>(c.parent)].code);
    w.setReal(3, std::round(c.area));
    w.setText(4, c.name.find("村民委员会") != std::string::npos ? "village" : "urban");
    auto g = out.multi(c.shape);
    if (!g) return g.takeError();
    w.setMultiPolygon(*g);
    GRIDTWIN_TRY(w.writeRow());
    ++sum.communities;
  }

  // Staff: a station head per community (two small neighbours in one street
  // share one, 146 in all for 147), a worker per grid plus a second one in
  // the 50 grids with the most houses (528 in all).
  std::vector<std::int64_t> housesInGrid(d.grids.size(), 0);
  for (const auto& h : plan.houses) {
    ++housesInGrid[static_cast<std::size_t>(
        d.blocks[static_cast<std::size_t>(
                     plan.buildings[static_cast<std::size_t>(h.building)].block)]
            .grid)];
  }
  struct Staff {
    std::string id, name, phone, role;
    std::vector<int> grids;
  };
  std::vector<Staff> staff;
  std::vector<int> headOfCommunity(d.communities.size(), -1);
  {
    Rng srng = root.fork(4);
    std::vector<int> gridsIn(d.communities.size(), 0);
    for (const auto& g : d.grids) ++gridsIn[static_cast<std::size_t>(g.parent)];
    // The two communities with the fewest grids in the same street share a head.
    int shareA = -1, shareB = -1;
    for (std::size_t a = 0; a < d.communities.size() && d.communities.size() > 146; ++a) {
      for (std::size_t b = a + 1; b < d.communities.size(); ++b) {
        if (d.communities[a].parent != d.communities[b].parent) continue;
        if (shareA < 0 || gridsIn[a] + gridsIn[b] < gridsIn[static_cast<std::size_t>(shareA)] +
                                                        gridsIn[static_cast<std::size_t>(shareB)]) {
          shareA = static_cast<int>(a);
          shareB = static_cast<int>(b);
        }
      }
    }
    for (std::size_t c = 0; c < d.communities.size(); ++c) {
      if (static_cast<int>(c) == shareB) {
        headOfCommunity[c] = headOfCommunity[static_cast<std::size_t>(shareA)];
        continue;
      }
      Staff s;
      s.role = "station_head";
      s.name = personName(srng, srng.chance(0.5));
      s.phone = mobilePhone(srng);
      headOfCommunity[c] = static_cast<int>(staff.size());
      staff.push_back(std::move(s));
    }
    std::vector<std::size_t> byHouses(d.grids.size());
    for (std::size_t g = 0; g < byHouses.size(); ++g) byHouses[g] = g;
    std::stable_sort(byHouses.begin(), byHouses.end(), [&](std::size_t a, std::size_t b) {
      return housesInGrid[a] > housesInGrid[b];
    });
    std::vector<int> workersOf(d.grids.size(), 1);
    for (std::size_t i = 0; i < std::min<std::size_t>(50, byHouses.size()); ++i)
      workersOf[byHouses[i]] = 2;
    for (std::size_t g = 0; g < d.grids.size(); ++g) {
      staff[static_cast<std::size_t>(headOfCommunity[static_cast<std::size_t>(d.grids[g].parent)])]
          .grids.push_back(static_cast<int>(g));
      for (int k = 0; k < workersOf[g]; ++k) {
        Staff s;
        s.role = "grid_worker";
        s.name = personName(srng, srng.chance(0.45));
        s.phone = mobilePhone(srng);
        s.grids.push_back(static_cast<int>(g));
        staff.push_back(std::move(s));
      }
    }
    for (std::size_t i = 0; i < staff.size(); ++i) {
      char id[48];
      std::snprintf(id, sizeof id, "GS%s%04zu", src.districtCode.c_str(), i + 1);
      staff[i].id = id;
    }
  }
  GRIDTWIN_TRY(w.addTable(table("grids", GeometryType::kMultiPolygon,
                                {{"code", FieldType::kText},
                                 {"name", FieldType::kText},
                                 {"community_code", FieldType::kText},
                                 {"street_code", FieldType::kText},
                                 {"station_head_id", FieldType::kText},
                                 {"station_head", FieldType::kText},
                                 {"worker_ids", FieldType::kText},
                                 {"worker_count", FieldType::kInteger},
                                 {"area_m2", FieldType::kReal},
                                 {"kind", FieldType::kText}},
                                "网格 grids")));
  {
    // A grid's kind follows the land of its blocks: the zone holding 60% of
    // its area, "mixed" when none does, "special" when public buildings
    // (schools, hospitals, offices of state) make up a third of its buildings.
    std::vector<std::map<Zone, double>> zoneArea(d.grids.size());
    for (const auto& blk : d.blocks)
      zoneArea[static_cast<std::size_t>(blk.grid)][blk.zone] += geo::area(blk.cell);
    std::vector<int> publicIn(d.grids.size(), 0), buildingsIn(d.grids.size(), 0);
    for (const auto& b : plan.buildings) {
      const auto g = static_cast<std::size_t>(d.blocks[static_cast<std::size_t>(b.block)].grid);
      ++buildingsIn[g];
      if (b.use == BuildingUse::kPublic) ++publicIn[g];
    }
    auto gridKind = [&](std::size_t g) -> std::string {
      if (buildingsIn[g] >= 6 && publicIn[g] * 3 >= buildingsIn[g]) return "special";
      double total = 0;
      for (const auto& [z, a] : zoneArea[g]) total += a;
      for (const auto& [z, a] : zoneArea[g]) {
        if (a < 0.6 * total) continue;
        switch (z) {
          case Zone::kCommercial:
            return "commercial";
          case Zone::kIndustrial:
            return "industrial";
          case Zone::kOldTown:
          case Zone::kResidential:
          case Zone::kVillage:
            return "residential";
          default:
            return "mixed";
        }
      }
      return "mixed";
    };
    std::vector<std::vector<int>> workersOfGrid(d.grids.size());
    for (std::size_t i = 0; i < staff.size(); ++i) {
      if (staff[i].role == "grid_worker")
        workersOfGrid[static_cast<std::size_t>(staff[i].grids.front())].push_back(
            static_cast<int>(i));
    }
    for (std::size_t g = 0; g < d.grids.size(); ++g) {
      const AdminUnit& grid = d.grids[g];
      const AdminUnit& community = d.communities[static_cast<std::size_t>(grid.parent)];
      const Staff& head =
          staff[static_cast<std::size_t>(headOfCommunity[static_cast<std::size_t>(grid.parent)])];
      std::string workerIds;
      for (int s : workersOfGrid[g])
        workerIds += (workerIds.empty() ? "" : ",") + staff[static_cast<std::size_t>(s)].id;
      w.setText(0, grid.code);
      w.setText(1, grid.name);
      w.setText(2, community.code);
      w.setText(3, d.streets[static_cast<std::size_t>(community.parent)].code);
      w.setText(4, head.id);
      w.setText(5, head.name);
      w.setText(6, workerIds);
      w.setInt(7, static_cast<std::int64_t>(workersOfGrid[g].size()));
      w.setReal(8, std::round(grid.area));
      w.setText(9, gridKind(g));
      auto gg = out.multi(grid.shape);
      if (!gg) return gg.takeError();
      w.setMultiPolygon(*gg);
      GRIDTWIN_TRY(w.writeRow());
      ++sum.grids;
    }
  }
  GRIDTWIN_TRY(w.addTable(table("staff", GeometryType::kNone,
                                {{"staff_id", FieldType::kText},
                                 {"name", FieldType::kText},
                                 {"role", FieldType::kText},
                                 {"phone", FieldType::kText},
                                 {"grid_codes", FieldType::kText}},
                                "网格站长与网格员 station heads and grid workers")));
  for (const auto& s : staff) {
    std::string grids;
    for (int g : s.grids)
      grids += (grids.empty() ? "" : ",") + d.grids[static_cast<std::size_t>(g)].code;
    w.setText(0, s.id);
    w.setText(1, s.name);
    w.setText(2, s.role);
    w.setText(3, s.phone);
    w.setText(4, grids);
    GRIDTWIN_TRY(w.writeRow());
    ++sum.staff;
  }

  // ---- roads
  report("roads", 0.2);
  GRIDTWIN_TRY(w.addTable(table("roads", GeometryType::kMultiLineString,
                                {{"road_id", FieldType::kInteger},
                                 {"name", FieldType::kText},
                                 {"class", FieldType::kText},
                                 {"width_m", FieldType::kReal},
                                 {"length_m", FieldType::kReal},
                                 {"community_code", FieldType::kText}},
                                "道路 named roads")));
  for (std::size_t i = 0; i < d.roads.size(); ++i) {
    const Road& r = d.roads[i];
    w.setInt(0, static_cast<std::int64_t>(i + 1));
    w.setText(1, r.name);
    w.setText(2, roadLevelName(r.level));
    w.setReal(3, r.width);
    double length = 0;
    for (const auto& part : r.parts) length += geo::length(part);
    w.setReal(4, std::round(length * 10) / 10);
    if (r.community >= 0) {
      w.setText(5, d.communities[static_cast<std::size_t>(r.community)].code);
    } else {
      w.setNull(5);
    }
    std::vector<geo::LineString> lines = r.parts;
    for (auto& line : lines) GRIDTWIN_TRY(out.ring(line));
    w.setMultiLineString(lines);
    GRIDTWIN_TRY(w.writeRow());
    ++sum.roads;
  }

  // ---- buildings and addresses
  report("buildings", 0.25);
  GRIDTWIN_TRY(w.addTable(table("buildings", GeometryType::kPolygon,
                                {{"building_id", FieldType::kInteger},
                                 {"address_code", FieldType::kText},
                                 {"use", FieldType::kText},
                                 {"floors", FieldType::kInteger},
                                 {"height_m", FieldType::kReal},
                                 {"footprint_m2", FieldType::kReal},
                                 {"rooms", FieldType::kInteger},
                                 {"grid_code", FieldType::kText},
                                 {"community_code", FieldType::kText},
                                 {"street_code", FieldType::kText},
                                 {"zone", FieldType::kText},
                                 {"use_detail", FieldType::kText},
                                 {"bim_model", FieldType::kText}},
                                "建筑 buildings")));
  std::vector<Point> doorPoint(plan.buildings.size());
  for (std::size_t i = 0; i < plan.buildings.size(); ++i) {
    const Building& b = plan.buildings[i];
    w.setInt(0, b.id);
    if (b.road >= 0) {
      w.setText(1, b.addressCode);
    } else {
      w.setNull(1);
    }
    w.setText(2, buildingUseName(b.use));
    w.setInt(3, b.floors);
    w.setReal(4, std::round(b.height * 10) / 10);
    w.setReal(5, std::round(geo::area(b.footprint) * 10) / 10);
    w.setInt(6, b.rooms);
    w.setText(7, gridOfBlock(b.block).code);
    w.setText(8, communityOfBlock(b.block).code);
    w.setText(9, streetOfBlock(b.block).code);
    w.setText(10, zoneName(d.blocks[static_cast<std::size_t>(b.block)].zone));
    w.setText(11, extras.useDetail[i]);
    if (extras.bimModel[i].empty()) {
      w.setNull(12);
    } else {
      w.setText(12, extras.bimModel[i]);
    }
    auto g = out.polygon(b.footprint);
    if (!g) return g.takeError();
    w.setPolygon(*g);
    GRIDTWIN_TRY(w.writeRow());
    auto c = out.point(b.centre);
    if (!c) return c.takeError();
    doorPoint[i] = *c;
    ++sum.buildings;
  }
  report("addresses", 0.3);
  GRIDTWIN_TRY(w.addTable(table("addresses", GeometryType::kPoint,
                                {{"address_code", FieldType::kText},
                                 {"level", FieldType::kText},
                                 {"parent_code", FieldType::kText},
                                 {"building_id", FieldType::kInteger},
                                 {"house_id", FieldType::kInteger},
                                 {"prov", FieldType::kText},
                                 {"city", FieldType::kText},
                                 {"district", FieldType::kText},
                                 {"town", FieldType::kText},
                                 {"community", FieldType::kText},
                                 {"road", FieldType::kText},
                                 {"roadno", FieldType::kText},
                                 {"cellno", FieldType::kText},
                                 {"floorno", FieldType::kText},
                                 {"roomno", FieldType::kText},
                                 {"full_text", FieldType::kText},
                                 {"street_code", FieldType::kText},
                                 {"community_code", FieldType::kText},
                                 {"grid_code", FieldType::kText}},
                                "标准地址 standard addresses: door plates and rooms")));
  std::vector<std::string> doorText(plan.buildings.size());
  auto writeAddressCommon = [&](const Building& b) {
    const AdminUnit& street = streetOfBlock(b.block);
    const AdminUnit& community = communityOfBlock(b.block);
    w.setInt(3, b.id);
    w.setText(5, province);
    w.setText(6, city);
    w.setText(7, src.districtName);
    w.setText(8, street.name);
    w.setText(9, shortCommunityName(community.name));
    w.setText(10, d.roads[static_cast<std::size_t>(b.road)].name);
    w.setText(11, std::to_string(b.doorNo) + "号");
    w.setText(16, street.code);
    w.setText(17, community.code);
    w.setText(18, gridOfBlock(b.block).code);
  };
  for (std::size_t i = 0; i < plan.buildings.size(); ++i) {
    const Building& b = plan.buildings[i];
    if (b.road < 0) continue;
    doorText[i] = province + city + src.districtName + streetOfBlock(b.block).name +
                  shortCommunityName(communityOfBlock(b.block).name) +
                  d.roads[static_cast<std::size_t>(b.road)].name + std::to_string(b.doorNo) + "号";
    writeAddressCommon(b);
    w.setText(0, b.addressCode);
    w.setText(1, "doorplate");
    w.setNull(2);
    w.setNull(4);
    for (int f = 12; f <= 14; ++f) w.setNull(f);
    w.setText(15, doorText[i]);
    w.setPoint(doorPoint[i]);
    GRIDTWIN_TRY(w.writeRow());
    ++sum.addresses;
  }
  for (const auto& h : plan.houses) {
    const Building& b = plan.buildings[static_cast<std::size_t>(h.building)];
    if (b.road < 0) continue;
    writeAddressCommon(b);
    w.setText(0, h.addressCode);
    w.setText(1, "room");
    w.setText(2, b.addressCode);
    w.setInt(4, h.id);
    std::string unit = b.units > 1 ? std::to_string(h.unit) + "单元" : std::string();
    if (b.units > 1) {
      w.setText(12, unit);
    } else {
      w.setNull(12);
    }
    w.setText(13, std::to_string(h.floor) + "层");
    w.setText(14, std::to_string(h.room) + "房");
    w.setText(
        15, doorText[static_cast<std::size_t>(h.building)] + unit + std::to_string(h.room) + "房");
    w.setPoint(doorPoint[static_cast<std::size_t>(h.building)]);
    GRIDTWIN_TRY(w.writeRow());
    ++sum.addresses;
  }
  // Households: how many live in each house and where they come from (local,
  // elsewhere in the province, a migrant province); houses need it for their
  // occupancy, people for their ID numbers.
  Rng prng = root.fork(5);
  std::vector<int> members;
  std::vector<std::uint8_t> origin;  // 0 local, 1 province, 2 migrant
  {
    const std::int64_t target = scaled(1400000);
    members.assign(plan.houses.size(), 0);
    static const double kSize[] = {0.08, 0.18, 0.27, 0.25, 0.14, 0.06, 0.02};
    WeightedTable sizeTable(std::span<const double>(kSize, 7));
    std::int64_t total = 0;
    for (auto& m : members) {
      m = static_cast<int>(sizeTable.sample(prng));
      total += m;
    }
    while (total < target && !members.empty()) {
      ++members[static_cast<std::size_t>(prng.below(members.size()))];
      ++total;
    }
    while (total > target) {
      auto& m = members[static_cast<std::size_t>(prng.below(members.size()))];
      if (m > 0) {
        --m;
        --total;
      }
    }
    origin.resize(plan.houses.size());
    for (auto& o : origin) {
      double u = prng.uniform();
      o = u < 0.45 ? 0 : u < 0.65 ? 1 : 2;
    }
  }
  report("houses", 0.36);
  // ---- building models (bim_models.h: why a table of the GeoPackage)
  {
    auto bimRows = writeBimModels(w, plan, extras, doorText);
    if (!bimRows) return bimRows.takeError();
  }
  GRIDTWIN_TRY(w.addTable(table("houses", GeometryType::kPoint,
                                {{"house_id", FieldType::kInteger},
                                 {"address_code", FieldType::kText},
                                 {"building_id", FieldType::kInteger},
                                 {"unit", FieldType::kInteger},
                                 {"floor", FieldType::kInteger},
                                 {"room", FieldType::kText},
                                 {"area_m2", FieldType::kReal},
                                 {"grid_code", FieldType::kText},
                                 {"occupancy", FieldType::kText}},
                                "实有房屋 houses (room-level addresses)")));
  for (std::size_t hi = 0; hi < plan.houses.size(); ++hi) {
    const House& h = plan.houses[hi];
    const Building& b = plan.buildings[static_cast<std::size_t>(h.building)];
    const bool rental =
        origin[hi] == 2 ? prng.chance(0.8) : prng.chance(origin[hi] == 1 ? 0.5 : 0.15);
    w.setText(8, members[hi] == 0 ? "vacant" : rental ? "rental" : "owner");
    w.setInt(0, h.id);
    if (b.road >= 0) {
      w.setText(1, h.addressCode);
    } else {
      w.setNull(1);
    }
    w.setInt(2, b.id);
    w.setInt(3, h.unit);
    w.setInt(4, h.floor);
    w.setText(5, std::to_string(h.room));
    w.setReal(6, h.area);
    w.setText(7, gridOfBlock(b.block).code);
    w.setPoint(doorPoint[static_cast<std::size_t>(h.building)]);
    GRIDTWIN_TRY(w.writeRow());
    ++sum.houses;
  }

  // ---- people, streamed house by house
  report("people", 0.4);
  GRIDTWIN_TRY(
      w.addTable(table("people", GeometryType::kNone,
                       {{"person_id", FieldType::kInteger},
                        {"id_number", FieldType::kText},
                        {"name", FieldType::kText},
                        {"sex", FieldType::kText},
                        {"birth_date", FieldType::kText},
                        {"phone", FieldType::kText},
                        {"tags", FieldType::kText},
                        {"household_role", FieldType::kText},
                        {"house_id", FieldType::kInteger},
                        {"grid_code", FieldType::kText}},
                       "实有人口 people (personal data: masked by default in every query)")));
  {
    const std::int64_t refDays = daysFromCivil(kRefYear, kRefMonth, kRefDay);
    std::unordered_set<std::uint64_t> used;
    used.reserve(static_cast<std::size_t>(scaled(1400000) * 2));
    std::int64_t personId = 0;
    for (std::size_t hi = 0; hi < plan.houses.size(); ++hi) {
      const House& h = plan.houses[hi];
      const Building& b = plan.buildings[static_cast<std::size_t>(h.building)];
      const int k = members[hi];
      if (k == 0) continue;
      const std::string region = origin[hi] == 0 ? src.districtCode
                                 : origin[hi] == 1
                                     ? src.localRegions[prng.below(src.localRegions.size())]
                                     : src.migrantRegions[prng.below(src.migrantRegions.size())];
      const bool migrant = origin[hi] != 0;
      int headAge = static_cast<int>(std::clamp(prng.normal(k == 1 ? 52 : 44, 16), 20.0, 98.0));
      for (int m = 0; m < k; ++m) {
        int age = headAge;
        std::string role = "户主";
        if (m == 1) {
          age = std::clamp(headAge + static_cast<int>(prng.between(-6, 4)), 18, 100);
          role = "配偶";
        } else if (m >= 2) {
          if (prng.chance(0.2) && headAge < 62) {
            age = std::min(100, headAge + static_cast<int>(prng.between(24, 34)));
            role = "父母";
          } else {
            age = std::max(0, headAge - static_cast<int>(prng.between(22, 36)));
            role = "子女";
          }
        }
        const bool male = m == 1 ? false : prng.chance(0.51);
        std::int64_t born = refDays - static_cast<std::int64_t>(age) * 365 -
                            static_cast<std::int64_t>(prng.below(365));
        int y, mo, dd;
        civilFromDays(born, y, mo, dd);
        std::string id;
        for (int attempt = 0;; ++attempt) {
          int seq = static_cast<int>(prng.below(500)) * 2 + (male ? 1 : 0);
          id = ident::makeResidentId(region, y, mo, dd, seq);
          std::uint64_t key = std::stoull(id.substr(0, 17));
          if (used.insert(key).second) break;
          if (attempt > 50) {
            return makeError(ErrorCode::kInvalidArgument,
                             "cannot find a free ID number for " + region + isoDate(born));
          }
        }
        const int ageYears = static_cast<int>((refDays - born) / 365.2425);
        std::string tags;
        auto tag = [&](const char* t) { tags += (tags.empty() ? "" : ",") + std::string(t); };
        if (ageYears >= 80) tag("elderly_80");
        if (ageYears >= 60 && k == 1) tag("living_alone");
        if (ageYears >= 6 && ageYears <= 15) tag("school_age");
        if (refDays - born < 365) tag("newborn");
        if (prng.chance(0.022)) tag("disabled");
        if (prng.chance(0.012)) tag("low_income");
        if (ageYears >= 35 && male && prng.chance(0.02)) tag("veteran");
        if (migrant) tag("migrant");
        if (ageYears >= 16 && prng.chance(0.003)) tag("key_person");
        w.setInt(0, ++personId);
        w.setText(1, id);
        w.setText(2, personName(prng, male));
        w.setText(3, male ? "男" : "女");
        w.setText(4, isoDate(born));
        if (ageYears >= 14 && prng.chance(0.95)) {
          w.setText(5, mobilePhone(prng));
        } else {
          w.setNull(5);
        }
        w.setText(6, tags);
        w.setText(7, role);
        w.setInt(8, h.id);
        w.setText(9, gridOfBlock(b.block).code);
        GRIDTWIN_TRY(w.writeRow());
        ++sum.people;
      }
      if ((hi & 0xFFFF) == 0)
        report("people",
               0.4 + 0.15 * static_cast<double>(hi) / static_cast<double>(plan.houses.size()));
    }
  }

  // ---- legal entities at commercial and industrial door plates
  report("entities", 0.55);
  GRIDTWIN_TRY(w.addTable(table("entities", GeometryType::kPoint,
                                {{"entity_id", FieldType::kInteger},
                                 {"credit_code", FieldType::kText},
                                 {"name", FieldType::kText},
                                 {"industry", FieldType::kText},
                                 {"type", FieldType::kText},
                                 {"credit_color", FieldType::kText},
                                 {"legal_rep", FieldType::kText},
                                 {"phone", FieldType::kText},
                                 {"address_code", FieldType::kText},
                                 {"building_id", FieldType::kInteger},
                                 {"grid_code", FieldType::kText},
                                 {"registered_on", FieldType::kText}},
                                "实有法人 legal entities")));
  std::vector<std::int64_t> entityBuilding;
  {
    Rng erng = root.fork(6);
    std::vector<double> weight(plan.buildings.size(), 0);
    for (std::size_t i = 0; i < plan.buildings.size(); ++i) {
      const Building& b = plan.buildings[i];
      if (b.road < 0) continue;
      switch (b.use) {
        case BuildingUse::kCommercial:
          weight[i] = 2.0 + b.floors * 0.6;
          break;
        case BuildingUse::kIndustrial:
          weight[i] = 2.5;
          break;
        case BuildingUse::kResidential:
          weight[i] = 0.25;
          break;
        case BuildingUse::kPublic:
          weight[i] = 0.1;
          break;
      }
    }
    WeightedTable where(weight);
    const std::int64_t target = scaled(200000);
    std::unordered_set<std::string> codes;
    static const char kCodeChars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const std::int64_t refDays = daysFromCivil(kRefYear, kRefMonth, kRefDay);
    for (std::int64_t e = 0; e < target; ++e) {
      const std::size_t bi = where.sample(erng);
      const Building& b = plan.buildings[bi];
      const Industry* industry = nullptr;
      for (int tries = 0; tries < 8; ++tries) {
        const Industry& cand = pickIndustry(erng);
        bool factory = cand.name == "陶瓷" || cand.name == "纺织服装" || cand.name == "金属制品" ||
                       cand.name == "机械设备" || cand.name == "家具制造";
        industry = &cand;
        if ((b.use == BuildingUse::kIndustrial) == factory) break;
      }
      const bool individual = erng.chance(industry->individualShare);
      // A few social organisations (民政, 5-1) and public institutions (编办, 1-2).
      const double kindDraw = erng.uniform();
      const char* type = individual        ? "individual"
                         : kindDraw < 0.01 ? "social_org"
                         : kindDraw < 0.02 ? "public_institution"
                                           : "company";
      const char authority = type[0] == 's' ? '5' : type[0] == 'p' ? '1' : '9';
      const char category = individual ? '2' : type[0] == 'p' ? '2' : '1';
      std::string code;
      for (;;) {
        char org[9] = {};
        for (int i = 0; i < 8; ++i) org[i] = kCodeChars[erng.below(individual ? 10 : 31)];
        code =
            ident::makeCreditCode(authority, category, src.districtCode, std::string_view(org, 8));
        if (codes.insert(code).second) break;
      }
      double c = erng.uniform();
      w.setInt(0, e + 1);
      w.setText(1, code);
      w.setText(2, entityName(erng, industry->name));
      w.setText(3, industry->name);
      w.setText(4, type);
      w.setText(5, c < 0.03 ? "red" : c < 0.15 ? "yellow" : "green");
      w.setText(6, personName(erng, erng.chance(0.6)));
      w.setText(7, mobilePhone(erng));
      w.setText(8, b.addressCode);
      w.setInt(9, b.id);
      w.setText(10, gridOfBlock(b.block).code);
      w.setText(11, isoDate(refDays - static_cast<std::int64_t>(erng.below(365 * 25))));
      w.setPoint(doorPoint[bi]);
      GRIDTWIN_TRY(w.writeRow());
      entityBuilding.push_back(static_cast<std::int64_t>(bi));
      ++sum.entities;
    }
  }

  // ---- facilities along the roads
  report("facilities", 0.62);
  struct Facility {
    int type;
    Point at;  // EPSG:4547
    int grid;
  };
  std::vector<Facility> facilities;
  {
    Rng frng = root.fork(7);
    std::vector<double> share;
    for (std::size_t r = 0; r < facilityTypes->rows(); ++r) {
      auto v = facilityTypes->number(r, "share");
      if (!v) return v.takeError();
      share.push_back(*v);
    }
    // Roads weighted by length; a facility sits beside a road at a random
    // place (roadside), on it (road) or at one of its junctions (junction).
    std::vector<double> roadLen(d.roads.size());
    for (std::size_t i = 0; i < d.roads.size(); ++i) {
      for (const auto& part : d.roads[i].parts) roadLen[i] += geo::length(part);
    }
    WeightedTable roadTable(roadLen);
    // Grid of each point: the block whose cell holds it (blocks are few: a
    // coarse bucket index over their boxes keeps this fast).
    geo::Box all = geo::bbox(d.outline);
    const double cell = 500;
    const int nx = static_cast<int>(all.width() / cell) + 1,
              ny = static_cast<int>(all.height() / cell) + 1;
    std::vector<std::vector<int>> buckets(static_cast<std::size_t>(nx * ny));
    for (std::size_t b = 0; b < d.blocks.size(); ++b) {
      geo::Box bb = geo::bbox(d.blocks[b].cell);
      for (int y = static_cast<int>((bb.miny - all.miny) / cell);
           y <= static_cast<int>((bb.maxy - all.miny) / cell); ++y) {
        for (int x = static_cast<int>((bb.minx - all.minx) / cell);
             x <= static_cast<int>((bb.maxx - all.minx) / cell); ++x) {
          if (x >= 0 && y >= 0 && x < nx && y < ny)
            buckets[static_cast<std::size_t>(y * nx + x)].push_back(static_cast<int>(b));
        }
      }
    }
    auto gridAt = [&](const Point& p) {
      int x = static_cast<int>((p.x - all.minx) / cell),
          y = static_cast<int>((p.y - all.miny) / cell);
      if (x < 0 || y < 0 || x >= nx || y >= ny) return -1;
      for (int b : buckets[static_cast<std::size_t>(y * nx + x)]) {
        if (geo::locate(p, d.blocks[static_cast<std::size_t>(b)].cell) !=
            geo::Location::kExterior) {
          return d.blocks[static_cast<std::size_t>(b)].grid;
        }
      }
      return -1;
    };
    std::vector<std::size_t> waterBlocks;
    for (std::size_t b = 0; b < d.blocks.size(); ++b) {
      if (d.blocks[b].zone == Zone::kWater) waterBlocks.push_back(b);
    }
    const std::int64_t target = scaled(500000);
    facilities.reserve(static_cast<std::size_t>(target));
    // Cameras are counted, not drawn: 16,000 at full scale (3.2%).
    int cameraType = -1;
    for (std::size_t r = 0; r < facilityTypes->rows(); ++r) {
      if (facilityTypes->at(r, "code") == "camera") cameraType = static_cast<int>(r);
    }
    const std::int64_t cameras = cameraType < 0 ? 0 : scaled(16000);
    if (cameraType >= 0) share[static_cast<std::size_t>(cameraType)] = 0;
    WeightedTable otherTypes(share);
    while (static_cast<std::int64_t>(facilities.size()) < target) {
      const int type = static_cast<std::int64_t>(facilities.size()) < cameras
                           ? cameraType
                           : static_cast<int>(otherTypes.sample(frng));
      const std::string& placement = facilityTypes->at(static_cast<std::size_t>(type), "placement");
      const Road& road = d.roads[roadTable.sample(frng)];
      const auto& line = road.parts[static_cast<std::size_t>(frng.below(road.parts.size()))];
      Point p;
      if (placement == "water" && !waterBlocks.empty()) {
        // On the bank of a river, lake or pond: a vertex of a water block.
        const geo::Ring& ring = d.blocks[waterBlocks[frng.below(waterBlocks.size())]].cell.outer;
        p = ring[static_cast<std::size_t>(frng.below(ring.size() - 1))];
        p.x += frng.uniform(-3, 3);
        p.y += frng.uniform(-3, 3);
      } else if (placement == "junction") {
        p = frng.chance(0.5) ? line.front() : line.back();
        p.x += frng.uniform(-6, 6);
        p.y += frng.uniform(-6, 6);
      } else {
        std::size_t s = static_cast<std::size_t>(frng.below(line.size() - 1));
        double t = frng.uniform();
        double dx = line[s + 1].x - line[s].x, dy = line[s + 1].y - line[s].y,
               len = std::hypot(dx, dy);
        double side = placement == "road"
                          ? frng.uniform(-road.width / 4, road.width / 4)
                          : (frng.chance(0.5) ? 1 : -1) * (road.width / 2 + frng.uniform(0.5, 2.5));
        p = {line[s].x + t * dx - dy / len * side, line[s].y + t * dy + dx / len * side};
      }
      int grid = gridAt(p);
      if (grid < 0) continue;  // fell outside the district at its edge: draw again
      facilities.push_back({type, p, grid});
    }
    frng.shuffle(
        std::span<Facility>(facilities));  // cameras were placed first; ids need not say so
    GRIDTWIN_TRY(
        w.addTable(table("facilities", GeometryType::kPoint,
                         {{"facility_id", FieldType::kInteger},
                          {"type", FieldType::kText},
                          {"type_name", FieldType::kText},
                          {"owner_department", FieldType::kText},
                          {"status", FieldType::kText},
                          {"grid_code", FieldType::kText},
                          {"installed_on", FieldType::kText},
                          {"heading_deg", FieldType::kReal},
                          {"fov_deg", FieldType::kReal},
                          {"mount_height_m", FieldType::kReal},
                          {"purpose", FieldType::kText}},
                         "实有设施 facilities (owner_department NULL: ownerless 无主部件)")));
    const std::int64_t refDays = daysFromCivil(kRefYear, kRefMonth, kRefDay);
    for (std::size_t i = 0; i < facilities.size(); ++i) {
      const Facility& f = facilities[i];
      const auto t = static_cast<std::size_t>(f.type);
      const std::string& code = facilityTypes->at(t, "code");
      auto ownerless = facilityTypes->number(t, "ownerless_share");
      if (!ownerless) return ownerless.takeError();
      w.setInt(0, static_cast<std::int64_t>(i + 1));
      w.setText(1, code);
      w.setText(2, facilityTypes->at(t, "name"));
      if (frng.chance(*ownerless)) {
        w.setNull(3);
      } else {
        w.setText(3, facilityTypes->at(t, "owner_department"));
      }
      double st = frng.uniform();
      w.setText(4, st < 0.93 ? "正常" : st < 0.98 ? "损坏" : "丢失");
      w.setText(5, d.grids[static_cast<std::size_t>(f.grid)].code);
      w.setText(6, isoDate(refDays - static_cast<std::int64_t>(frng.below(365 * 15))));
      if (code == "camera") {
        w.setReal(7, std::round(frng.uniform(0, 360)));
        w.setReal(8, std::round(frng.uniform(55, 110)));
        w.setReal(9, std::round(frng.uniform(3.5, 8.0) * 10) / 10);
        static const char* kPurpose[] = {"security", "traffic", "city_management",
                                         "fire",     "river",   "ai"};
        static const double kPurposeWeight[] = {0.40, 0.25, 0.15, 0.05, 0.05, 0.10};
        static const WeightedTable purposeTable(std::span<const double>(kPurposeWeight, 6));
        w.setText(10, kPurpose[purposeTable.sample(frng)]);
      } else {
        w.setNull(7);
        w.setNull(8);
        w.setNull(9);
        w.setNull(10);
      }
      auto p = out.point(f.at);
      if (!p) return p.takeError();
      w.setPoint(*p);
      GRIDTWIN_TRY(w.writeRow());
      ++sum.facilities;
    }
  }

  // ---- events over three years
  report("events", 0.7);
  std::vector<EventRecord> events;
  {
    Rng vrng = root.fork(8);
    const std::int64_t endDay = daysFromCivil(kRefYear, kRefMonth, kRefDay);
    const std::int64_t startDay = endDay - 3 * 365;
    std::vector<double> dayWeight;
    for (std::int64_t day = startDay; day <= endDay; ++day) {
      int y, m, dd;
      civilFromDays(day, y, m, dd);
      const int weekday = static_cast<int>((day + 4) % 7);  // 0 = Sunday
      double wgt = weekday == 0 ? 0.65 : weekday == 6 ? 0.75 : 1.0;
      const double doy = static_cast<double>(day - daysFromCivil(y, 1, 1));
      wgt *= 1.0 + 0.25 * std::sin(2 * M_PI * (doy - 100) / 365.0);  // summer peak
      wgt *=
          1.0 + 0.15 * static_cast<double>(day - startDay) / 365.0;  // growing use of the hotline
      if (m == 2 && dd <= 15) wgt *= 0.6;                            // Spring Festival lull
      dayWeight.push_back(wgt);
    }
    WeightedTable dayTable(dayWeight);
    static const double kHour[24] = {0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.5, 1.0, 1.8, 2.4, 2.6, 2.3,
                                     1.6, 1.7, 2.2,  2.4, 2.3, 2.0, 1.6, 1.4, 1.3, 1.1, 0.8, 0.5};
    WeightedTable hourTable(std::span<const double>(kHour, 24));
    std::vector<double> catWeight;
    for (const auto& t : *eventTypes) catWeight.push_back(t.weight);
    WeightedTable catTable(catWeight);
    static const char* kSources[] = {"hotline12345", "hotline12319", "patrol",
                                     "police",       "petition",     "video_ai"};
    static const double kSourceWeight[] = {0.35, 0.05, 0.40, 0.05, 0.03, 0.12};
    WeightedTable sourceTable(std::span<const double>(kSourceWeight, 6));
    // Hot spots: busy commercial streets and the old town draw more events.
    std::vector<double> bw(plan.buildings.size());
    for (std::size_t i = 0; i < plan.buildings.size(); ++i) {
      const Building& b = plan.buildings[i];
      const Block& blk = d.blocks[static_cast<std::size_t>(b.block)];
      bw[i] = b.road < 0
                  ? 0
                  : (0.2 + blk.density) * (b.use == BuildingUse::kCommercial ? 2.5 : 1.0) *
                        (blk.zone == Zone::kOldTown || blk.zone == Zone::kVillage ? 1.8 : 1.0);
    }
    WeightedTable where(bw);
    const std::int64_t target = scaled(2000000);
    events.reserve(static_cast<std::size_t>(target));
    for (std::int64_t e = 0; e < target; ++e) {
      EventRecord ev;
      ev.building = static_cast<int>(where.sample(vrng));
      const Building& b = plan.buildings[static_cast<std::size_t>(ev.building)];
      ev.category = static_cast<int>(catTable.sample(vrng));
      ev.source = static_cast<int>(sourceTable.sample(vrng));
      std::int64_t day = startDay + static_cast<std::int64_t>(dayTable.sample(vrng));
      ev.reportedAt = day * 86400 + static_cast<std::int64_t>(hourTable.sample(vrng)) * 3600 +
                      static_cast<std::int64_t>(vrng.below(3600));
      ev.at = {b.centre.x + vrng.uniform(-35, 35), b.centre.y + vrng.uniform(-35, 35)};
      ev.grid = d.blocks[static_cast<std::size_t>(b.block)].grid;
      events.push_back(ev);
    }
    std::stable_sort(events.begin(), events.end(), [](const EventRecord& a, const EventRecord& b) {
      return a.reportedAt < b.reportedAt;
    });
    GRIDTWIN_TRY(
        w.addTable(table("events", GeometryType::kPoint,
                         {{"event_id", FieldType::kInteger},
                          {"event_code", FieldType::kText},
                          {"category_code", FieldType::kText},
                          {"category_name", FieldType::kText},
                          {"category", FieldType::kText},
                          {"source", FieldType::kText},
                          {"reported_at", FieldType::kText},
                          {"status", FieldType::kText},
                          {"closed_at", FieldType::kText},
                          {"dispatch_level", FieldType::kText},
                          {"address_text", FieldType::kText},
                          {"report_crs", FieldType::kText},
                          {"report_x", FieldType::kReal},
                          {"report_y", FieldType::kReal},
                          {"grid_code", FieldType::kText}},
                         "事件 grid events; geometry NULL when reported only as address text")));
    static const char* kStatus[] = {"发现上报", "分类推送", "协同处理", "跟踪回访", "评价结案"};
    static const char* kLevels[] = {"grid", "community", "street", "district"};
    const std::int64_t endSecond = (endDay + 1) * 86400;
    for (std::size_t i = 0; i < events.size(); ++i) {
      EventRecord& ev = events[i];
      const EventType& type = (*eventTypes)[static_cast<std::size_t>(ev.category)];
      const Building& b = plan.buildings[static_cast<std::size_t>(ev.building)];
      const double ageDays = static_cast<double>(endSecond - ev.reportedAt) / 86400.0;
      int status = 4;
      if (ageDays < 30) {
        double pDone = std::min(0.95, ageDays / 20.0);
        status = vrng.chance(pDone) ? 4 : static_cast<int>(vrng.below(4));
      } else if (vrng.chance(0.01)) {
        status = 2 + static_cast<int>(vrng.below(2));  // a few long-running cases
      }
      ev.status = status;
      int level = static_cast<int>(type.defaultLevel);
      if (vrng.chance(0.12) && level < 3) ++level;
      ev.level = level;
      char code[32];
      int y, m, dd;
      civilFromDays(ev.reportedAt / 86400, y, m, dd);
      std::snprintf(code, sizeof code, "SJ%04d%02d%02d%07zu", y, m, dd, i + 1);
      w.setInt(0, static_cast<std::int64_t>(i + 1));
      w.setText(1, code);
      w.setText(2, type.code);
      w.setText(3, type.name);
      w.setText(4, type.category);
      w.setText(5, kSources[ev.source]);
      w.setText(6, isoTime(ev.reportedAt));
      w.setText(7, kStatus[status]);
      if (status == 4) {
        w.setText(8, isoTime(std::min(
                         endSecond - 1,
                         ev.reportedAt + 3600 + static_cast<std::int64_t>(vrng.below(86400 * 6)))));
      } else {
        w.setNull(8);
      }
      w.setText(9, kLevels[level]);
      auto p = out.point(ev.at);
      if (!p) return p.takeError();
      ev.lonlat = *p;
      double how = vrng.uniform();
      if (how < 0.10) {  // hotline call with an address only
        w.setText(
            10, doorText[static_cast<std::size_t>(ev.building)] + (vrng.chance(0.3) ? "附近" : ""));
        w.setNull(11);
        w.setNull(12);
        w.setNull(13);
        w.clearGeometry();
        ev.located = false;
      } else {
        if (vrng.chance(0.5)) {
          w.setText(10, doorText[static_cast<std::size_t>(ev.building)]);
        } else {
          w.setNull(10);
        }
        if (how < 0.35) {  // a mobile app reporting in GCJ-02, as sent
          Point g = crs::wgs84ToGcj02(*p);
          w.setText(11, "GCJ02");
          w.setReal(12, g.x);
          w.setReal(13, g.y);
        } else {
          w.setText(11, "EPSG:4490");
          w.setReal(12, p->x);
          w.setReal(13, p->y);
        }
        w.setPoint(*p);
        ev.located = true;
      }
      (void)b;
      w.setText(14, d.grids[static_cast<std::size_t>(ev.grid)].code);
      GRIDTWIN_TRY(w.writeRow());
      ++sum.events;
      if ((i & 0x3FFFF) == 0)
        report("events", 0.7 + 0.12 * static_cast<double>(i) / static_cast<double>(events.size()));
    }
  }

  report("thematic tables", 0.84);
  {
    Rng trng = root.fork(11);
    auto rows = writeExtraTables(w, d, plan, extras, out, trng);
    if (!rows) return rows.takeError();
  }
  // Key columns that links and layer views join on.
  for (const char* sql : {"CREATE INDEX idx_people_house ON people(house_id)",
                          "CREATE INDEX idx_people_grid ON people(grid_code)",
                          "CREATE INDEX idx_houses_house ON houses(house_id)",
                          "CREATE INDEX idx_houses_building ON houses(building_id)",
                          "CREATE INDEX idx_buildings_building ON buildings(building_id)",
                          "CREATE INDEX idx_addresses_code ON addresses(address_code)",
                          "CREATE INDEX idx_entities_grid ON entities(grid_code)",
                          "CREATE INDEX idx_facilities_type ON facilities(type)",
                          "CREATE INDEX idx_events_grid ON events(grid_code)",
                          "CREATE INDEX idx_events_category ON events(category_code)"}) {
    GRIDTWIN_TRY(w.execute(sql));
  }
  report("layers", 0.88);
  {
    auto totals = writeLayerTables(w, *layerSpecs, d, out);
    if (!totals) return totals.takeError();
    sum.layers = totals->layers;
    sum.layerFeatures = totals->features;
  }
  // QGIS's layer_styles: each catalogue layer opens with its catalogue style.
  // A fixed update_time keeps the output a function of the inputs.
  for (const std::string& sql :
       layers::layerStylesSql(*layerSpecs, "geom", "2026-01-01T00:00:00.000Z")) {
    GRIDTWIN_TRY(w.execute(sql));
  }
  report("closing", 0.95);
  GRIDTWIN_TRY(w.commit());
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  report("done", 1.0);
  return sum;
}

}  // namespace gridtwin::generator
