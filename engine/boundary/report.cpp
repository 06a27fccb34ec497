#include "boundary/report.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "boundary/source.h"
#include "geo/geos_ops.h"
#include "query/query.h"
#include "query/records.h"
#include "query/stats.h"

namespace gridtwin::boundary {

namespace {

constexpr std::array<std::string_view, model::kPersonTagCount> kTagLabels = {
    "80岁以上老人 elderly 80+", "独居老人 living alone", "适龄儿童 school age",
    "新生儿 newborn",           "残疾人 disabled",       "低保 low income",
    "退役军人 veteran",         "流动人口 migrant",      "重点人员 key person"};
constexpr std::array<std::string_view, 3> kColourLabels = {"绿 green", "黄 yellow", "红 red"};

std::vector<Count> nonZeroByCount(const std::vector<std::uint64_t>& counts,
                                  const model::Strings& names) {
  std::vector<Count> out;
  for (std::size_t i = 0; i < counts.size() && i < names.size(); ++i) {
    if (counts[i] > 0) out.push_back({std::string(names[i]), counts[i]});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Count& a, const Count& b) { return a.n > b.n; });
  return out;
}

}  // namespace

core::Result<ReportBook> ReportBook::make(const query::Twin& twin, std::vector<Finding> findings) {
  ReportBook book;
  book.m_twin = &twin;
  book.m_findings = std::move(findings);
  const auto& grids = twin.district().grids();
  const std::size_t n = grids.size();
  std::vector<geo::GeomPtr> shapes, rims;
  std::vector<geo::Box> boxes;
  for (std::size_t g = 0; g < n; ++g) {
    book.m_index.emplace(std::string(grids.code[g]), static_cast<std::uint32_t>(g));
    const geo::MultiPolygon mp = model::xyShape(grids.shape, g);
    auto geom = geo::toGeos(mp);
    if (!geom)
      return core::Error(geom.takeError()).withContext("grid " + std::string(grids.code[g]));
    book.m_area.push_back(geo::area(geom->get()));
    book.m_perimeter.push_back(geo::length(geom->get()));
    auto rim = geo::boundaryOf(geom->get(), "grid boundary");
    rims.push_back(rim ? std::move(*rim) : geo::GeomPtr());
    boxes.push_back(geo::bbox(mp));
    shapes.push_back(std::move(*geom));
  }
  book.m_neighbours.resize(n);
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = a + 1; b < n; ++b) {
      const geo::Box& x = boxes[a];
      const geo::Box& y = boxes[b];
      if (y.minx > x.maxx + 0.01 || y.maxx < x.minx - 0.01 || y.miny > x.maxy + 0.01 ||
          y.maxy < x.miny - 0.01 || !rims[a] || !rims[b]) {
        continue;
      }
      auto shared = geo::intersection(rims[a].get(), rims[b].get(), "shared border");
      const double len = shared ? geo::length(shared->get()) : 0.0;
      if (len <= 0.01) continue;
      book.m_neighbours[a].push_back({std::string(grids.code[b]), std::string(grids.name[b]), len});
      book.m_neighbours[b].push_back({std::string(grids.code[a]), std::string(grids.name[a]), len});
    }
  }
  for (auto& list : book.m_neighbours) {
    std::stable_sort(list.begin(), list.end(), [](const Neighbour& p, const Neighbour& q) {
      return p.sharedEdgeM > q.sharedEdgeM;
    });
  }
  return book;
}

core::Result<std::uint32_t> ReportBook::gridIndex(std::string_view code) const {
  if (auto it = m_index.find(code); it != m_index.end()) return it->second;
  return core::makeError(core::ErrorCode::kInvalidArgument,
                         "no grid with code '" + std::string(code) + "'");
}

std::vector<Finding> ReportBook::findingsOf(std::uint32_t grid) const {
  const std::string_view code = m_twin->district().grids().code[grid];
  std::vector<Finding> out;
  for (const Finding& f : m_findings) {
    if (std::find(f.codes.begin(), f.codes.end(), code) != f.codes.end()) out.push_back(f);
  }
  return out;
}

core::Result<GridReport> ReportBook::report(std::string_view gridCode, const query::Access& access,
                                            std::int64_t now) const {
  auto g = gridIndex(gridCode);
  if (!g) return g.takeError();
  if (!access.scope.contains(*g)) {
    return core::makeError(core::ErrorCode::kInvalidArgument,
                           "grid " + std::string(gridCode) + " is outside the scope of role " +
                               std::string(query::name(access.role)));
  }
  const query::Twin& twin = *m_twin;
  const model::District& d = twin.district();
  const auto& c = d.columns();
  GridReport r;
  r.role = std::string(query::name(access.role));
  r.code = std::string(c.grids.code[*g]);
  r.name = std::string(c.grids.name[*g]);
  const std::uint32_t community = d.communityOfGrid(*g), street = d.streetOfGrid(*g);
  r.communityCode = std::string(c.communities.code[community]);
  r.communityName = std::string(c.communities.name[community]);
  r.streetCode = std::string(c.streets.code[street]);
  r.streetName = std::string(c.streets.name[street]);
  if (const std::int32_t head = twin.stationHeadOf(*g); head >= 0) {
    const query::StaffView v = query::viewStaff(twin, access, static_cast<std::uint32_t>(head));
    r.stationHead = v.name;
    r.stationHeadPhone = v.phone;
  }
  r.workers = twin.workersOf(*g).size();
  r.areaM2 = m_area[*g];
  r.perimeterM = m_perimeter[*g];
  r.neighbours = m_neighbours[*g];

  query::EventFilter events;
  events.window = query::TimeWindow::lastDays(now, 30);
  r.eventWindow =
      query::formatTime(events.window->from) + " – " + query::formatTime(events.window->to);
  auto selection =
      query::select(twin, access, query::Area::ofGrids({*g}), query::KindSet::all(), events);
  if (!selection) return selection.takeError();
  const query::Stats s = query::aggregate(twin, *selection, now);
  using model::Kind;
  r.records = {
      {"建筑 buildings", s.count(Kind::kBuilding)}, {"地址 addresses", s.count(Kind::kAddress)},
      {"房屋 houses", s.count(Kind::kHouse)},       {"人口 people", s.count(Kind::kPerson)},
      {"法人 entities", s.count(Kind::kEntity)},    {"设施 facilities", s.count(Kind::kFacility)},
      {"事件 events (30 d)", s.count(Kind::kEvent)}};
  for (std::size_t t = 0; t < model::kPersonTagCount; ++t) {
    r.peopleByTag.push_back({std::string(kTagLabels[t]), s.peopleByTag[t]});
  }
  for (std::size_t k = 0; k < 3; ++k) {
    r.entitiesByColour.push_back({std::string(kColourLabels[k]), s.entitiesByColour[k]});
  }
  r.facilitiesByType = nonZeroByCount(s.facilitiesByType, c.facilityTypeNames);
  r.ownerlessFacilities = s.ownerlessFacilities;
  for (std::size_t k = 0; k < s.eventsByStatus.size(); ++k) {
    r.eventsByStatus.push_back(
        {std::string(model::name(static_cast<model::EventStatus>(k))), s.eventsByStatus[k]});
  }
  r.eventsByCategory = nonZeroByCount(s.eventsByCategory, c.categoryNames);
  // Records stored in grids outside the scope stay invisible, here too.
  for (Finding& f : findingsOf(*g)) {
    if (!f.storedGrid.empty()) {
      auto it = m_index.find(f.storedGrid);
      if (it == m_index.end() || !access.scope.contains(it->second)) continue;
    }
    r.findings.push_back(std::move(f));
  }
  return r;
}

}  // namespace gridtwin::boundary
