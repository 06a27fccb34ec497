#include "query/twin.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <unordered_map>

#include "geo/algorithms.h"
#include "model/snapshot.h"
#include "store/staff_reader.h"

namespace gridtwin::query {
namespace {

using core::ErrorCode;
using core::makeError;
using model::Kind;

geo::Point buildingCentroid(const model::District& d, std::uint32_t b) {
  const auto& f = d.buildings().footprint;
  const std::uint32_t part = f.partStart[b];
  if (part >= f.partStart[b + 1]) return model::missingPoint();
  const std::uint32_t ring = f.ringStart[part];
  if (ring >= f.ringStart[part + 1]) return model::missingPoint();
  geo::Polygon p;
  p.outer.assign(f.xy.begin() + f.pointStart[ring], f.xy.begin() + f.pointStart[ring + 1]);
  return geo::centroid(p);
}

}  // namespace

bool isQueryKind(Kind kind) {
  return std::find(kQueryKinds.begin(), kQueryKinds.end(), kind) != kQueryKinds.end();
}

std::size_t Twin::slot(Kind kind) {
  const auto it = std::find(kQueryKinds.begin(), kQueryKinds.end(), kind);
  assert(it != kQueryKinds.end() && "not a query kind");
  return static_cast<std::size_t>(it - kQueryKinds.begin());
}

std::uint32_t Twin::gridOf(Kind kind, std::uint32_t row) const {
  const auto& c = m_district.columns();
  switch (kind) {
    case Kind::kBuilding:
      return c.buildings.grid[row];
    case Kind::kAddress:
      return c.addresses.grid[row];
    case Kind::kHouse:
      return c.houses.grid[row];
    case Kind::kPerson:
      return c.people.grid[row];
    case Kind::kEntity:
      return c.entities.grid[row];
    case Kind::kFacility:
      return c.facilities.grid[row];
    case Kind::kEvent:
      return c.events.grid[row];
    default:
      break;
  }
  assert(false && "not a query kind");
  return 0;
}

std::int32_t Twin::buildingOf(Kind kind, std::uint32_t row) const {
  const auto& c = m_district.columns();
  switch (kind) {
    case Kind::kBuilding:
      return static_cast<std::int32_t>(row);
    case Kind::kAddress:
      return static_cast<std::int32_t>(c.addresses.building[row]);
    case Kind::kHouse:
      return static_cast<std::int32_t>(c.houses.building[row]);
    case Kind::kPerson:
      return static_cast<std::int32_t>(c.houses.building[c.people.house[row]]);
    case Kind::kEntity:
      return static_cast<std::int32_t>(c.entities.building[row]);
    default:
      return model::kNone;
  }
}

std::span<const std::uint32_t> Twin::rowsInGrid(Kind kind, std::uint32_t grid) const {
  return m_gridRows[slot(kind)][grid];
}

std::span<const geo::Point> Twin::points(Kind kind) const { return m_points[slot(kind)]; }

const PointSearch& Twin::search(Kind kind) const { return *m_search[slot(kind)]; }

core::Result<std::unique_ptr<Twin>> Twin::build(model::District district,
                                                std::vector<store::StaffRow> staff,
                                                const Options& options) {
  std::unique_ptr<Twin> t(new Twin());
  t->m_district = std::move(district);
  const model::District& d = t->m_district;
  const auto& c = d.columns();
  const std::size_t grids = c.grids.size();

  // Points per kind.
  std::vector<geo::Point>& buildings = t->m_derivedPoints[slot(Kind::kBuilding)];
  buildings.resize(c.buildings.size());
  for (std::uint32_t b = 0; b < buildings.size(); ++b) buildings[b] = buildingCentroid(d, b);
  std::vector<geo::Point>& houses = t->m_derivedPoints[slot(Kind::kHouse)];
  houses.resize(c.houses.size());
  for (std::size_t h = 0; h < houses.size(); ++h) {
    const std::int32_t a = c.houses.address[h];
    houses[h] = a >= 0 ? c.addresses.point.xy[static_cast<std::size_t>(a)]
                       : buildings[c.houses.building[h]];
  }
  std::vector<geo::Point>& people = t->m_derivedPoints[slot(Kind::kPerson)];
  people.resize(c.people.size());
  for (std::size_t p = 0; p < people.size(); ++p) people[p] = houses[c.people.house[p]];
  for (std::size_t k = 0; k < kQueryKinds.size(); ++k) t->m_points[k] = t->m_derivedPoints[k];
  t->m_points[slot(Kind::kAddress)] = c.addresses.point.xy;
  t->m_points[slot(Kind::kEntity)] = c.entities.point.xy;
  t->m_points[slot(Kind::kFacility)] = c.facilities.point.xy;
  t->m_points[slot(Kind::kEvent)] = c.events.point.xy;

  // Searches and the locator.
  t->m_indexed = options.useIndex && haveIndex();
  for (std::size_t k = 0; k < kQueryKinds.size(); ++k) {
    if (t->m_indexed) {
      auto s = makeIndexedSearch(t->m_points[k]);
      if (!s) {
        return std::move(s.takeError())
            .withContext("index of " + std::string(model::kindTable(kQueryKinds[k])));
      }
      t->m_search[k] = std::move(*s);
    } else {
      t->m_search[k] = makeBruteForceSearch(t->m_points[k]);
    }
  }
  if (t->m_indexed) {
    auto l = makeIndexedLocator(d);
    if (!l) return l.takeError();
    t->m_locator = std::move(*l);
  } else {
    t->m_locator = makeBruteForceLocator(d);
  }

  // Links downward.
  for (std::size_t k = 0; k < kQueryKinds.size(); ++k) {
    const Kind kind = kQueryKinds[k];
    t->m_gridRows[k] = Csr::build(grids, d.count(kind), [&](std::size_t r) {
      return static_cast<std::int64_t>(t->gridOf(kind, static_cast<std::uint32_t>(r)));
    });
  }
  const std::size_t nb = c.buildings.size();
  t->m_housesOfBuilding =
      Csr::build(nb, c.houses.size(), [&](std::size_t r) { return c.houses.building[r]; });
  t->m_addressesOfBuilding =
      Csr::build(nb, c.addresses.size(), [&](std::size_t r) { return c.addresses.building[r]; });
  t->m_entitiesOfBuilding =
      Csr::build(nb, c.entities.size(), [&](std::size_t r) { return c.entities.building[r]; });
  t->m_peopleOfHouse = Csr::build(c.houses.size(), c.people.size(),
                                  [&](std::size_t r) { return c.people.house[r]; });

  // Staff.
  std::unordered_map<std::string_view, std::uint32_t> gridByCode;
  for (std::uint32_t g = 0; g < grids; ++g) gridByCode.emplace(c.grids.code[g], g);
  t->m_headOfGrid.assign(grids, -1);
  for (auto& row : staff) {
    StaffMember m;
    m.id = std::move(row.id);
    m.name = std::move(row.name);
    m.phone = std::move(row.phone);
    m.stationHead = row.role == "station_head";
    for (const std::string& code : row.gridCodes) {
      const auto it = gridByCode.find(code);
      if (it == gridByCode.end()) {
        return makeError(ErrorCode::kInvalidArgument, "unknown grid code '" + code + "'",
                         "staff " + m.id);
      }
      m.grids.push_back(it->second);
      // Two heads for one grid: the first in the table keeps it.
      if (m.stationHead && t->m_headOfGrid[it->second] < 0) {
        t->m_headOfGrid[it->second] = static_cast<std::int32_t>(t->m_staff.size());
      }
    }
    t->m_staff.push_back(std::move(m));
  }
  std::vector<std::pair<std::uint32_t, std::uint32_t>> workerGrid;  // (grid, staff)
  for (std::uint32_t s = 0; s < t->m_staff.size(); ++s) {
    if (t->m_staff[s].stationHead) continue;
    for (std::uint32_t g : t->m_staff[s].grids) workerGrid.emplace_back(g, s);
  }
  t->m_workersOfGrid =
      Csr::build(grids, workerGrid.size(), [&](std::size_t r) { return workerGrid[r].first; });
  for (auto& s : t->m_workersOfGrid.rows) s = workerGrid[s].second;

  // Live events.
  auto toMetric = crs::Transformer::create(crs::kCgcs2000, crs::kGaussKruger114);
  if (!toMetric) return toMetric.takeError();
  t->m_toMetric.emplace(std::move(*toMetric));
  std::int64_t maxId = 0;
  for (std::int64_t id : c.events.id) maxId = std::max(maxId, id);
  t->m_nextId = maxId + 1;
  return t;
}

core::Result<std::unique_ptr<Twin>> Twin::openSnapshot(const std::string& gpkgPath,
                                                       const Options& options) {
  auto stamp = model::stampOf(gpkgPath);
  if (!stamp) return stamp.takeError();
  auto district = model::openSnapshot(
      model::snapshotPathFor(gpkgPath), *stamp, model::SnapshotCheck::kFull,
      options.adminOnly ? model::SnapshotPart::kAdminGeography : model::SnapshotPart::kAll);
  if (!district) return district.takeError();
  std::vector<store::StaffRow> staff;
  auto rows = store::readStaffIfPresent(gpkgPath);
  if (!rows) return rows.takeError();
  if (*rows) staff = std::move(**rows);
  return build(std::move(*district), std::move(staff), options);
}

core::Result<std::uint64_t> Twin::reportEvent(const NewEvent& e) {
  const auto& c = m_district.columns();
  const std::string where = "event " + std::to_string(e.id);
  if (e.category >= c.categoryCodes.size()) {
    return makeError(ErrorCode::kInvalidArgument,
                     "unknown category index " + std::to_string(e.category), where);
  }
  LiveEvent live;
  live.category = e.category;
  live.source = e.source;
  live.reportedAt = e.reportedAt;
  live.status = e.status;
  live.level = e.level;
  live.lonlat = model::missingPoint();
  live.xy = model::missingPoint();
  std::lock_guard lock(m_writer);
  if (e.lonlat) {
    auto xy = m_toMetric->transform(*e.lonlat);
    if (!xy) return std::move(xy.takeError()).withContext(where);
    const std::int32_t g = m_locator->find(*xy);
    if (g < 0) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "point %.6f,%.6f (EPSG:4490) is outside the district",
                    e.lonlat->x, e.lonlat->y);
      return makeError(ErrorCode::kOutOfDomain, buf, where);
    }
    live.lonlat = *e.lonlat;
    live.xy = *xy;
    live.grid = static_cast<std::uint32_t>(g);
  } else if (e.grid) {
    if (*e.grid >= c.grids.size()) {
      return makeError(ErrorCode::kInvalidArgument, "unknown grid " + std::to_string(*e.grid),
                       where);
    }
    live.grid = *e.grid;
  } else {
    return makeError(ErrorCode::kInvalidArgument, "neither a point nor a grid", where);
  }
  live.id = e.id != 0 ? e.id : m_nextId;
  m_nextId = std::max(m_nextId, live.id + 1);
  return m_live.append(live);
}

core::Result<std::uint64_t> Twin::changeEventStatus(std::int64_t id, model::EventStatus status) {
  // Under the writers' lock: no other append can slip between the look-up
  // and the append, so the copy is of the event's latest entry.
  std::lock_guard lock(m_writer);
  const auto latest = m_live.latestOf(id);
  if (!latest) {
    return makeError(ErrorCode::kNotFound, "no live event " + std::to_string(id),
                     "event " + std::to_string(id));
  }
  LiveEvent e = m_live[*latest];
  if (e.status == status) return *latest;
  e.status = status;
  return m_live.append(e);
}

}  // namespace gridtwin::query
