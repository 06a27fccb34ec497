#include "boundary/ownership.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "boundary/source.h"
#include "geo/algorithms.h"
#include "geo/geos_ops.h"
#include "index/grid_locator.h"

namespace gridtwin::boundary {

namespace {

struct Overlap {
  geo::MultiPolygon area;
  geo::GeomPtr geos;  // the same area, for footprints
  geo::Box box;
  std::string a, b;
};

struct Grids {
  const std::vector<Unit>* units = nullptr;
  index::GridLocator locator;
  std::vector<geo::Prepared> prepared;
  std::vector<geo::Box> boxes;
  std::vector<Overlap> overlaps;
};

core::Result<Grids> prepareGrids(const std::vector<Unit>& units) {
  Grids g;
  g.units = &units;
  std::vector<index::GridLocator::GridShape> shapes;
  shapes.reserve(units.size());
  for (const Unit& u : units) shapes.push_back({u.shape, u.code});
  auto locator = index::GridLocator::build(shapes);
  if (!locator) return locator.takeError();
  g.locator = std::move(*locator);
  for (const Unit& u : units) {
    auto p = geo::Prepared::make(geo::Geometry{u.shape});
    if (!p) return core::Error(p.takeError()).withContext("grid " + u.code);
    g.prepared.push_back(std::move(*p));
    g.boxes.push_back(geo::bbox(u.shape));
  }
  for (std::size_t i = 0; i < units.size(); ++i) {
    for (std::size_t j = i + 1; j < units.size(); ++j) {
      if (!g.boxes[i].intersects(g.boxes[j])) continue;
      auto inter = geo::intersection(g.prepared[i].base(), g.prepared[j].base(), "overlap");
      if (!inter) continue;  // an invalid grid; validate() reports it
      auto mp = geo::polygonalValue(inter->get());
      if (!mp) return mp.takeError();
      if (mp->polygons.empty() || geo::area(*mp) <= 0) continue;
      g.overlaps.push_back(
          {*mp, geo::polygonal(inter->get()), geo::bbox(*mp), units[i].code, units[j].code});
    }
  }
  return g;
}

Finding recordFinding(FindingKind kind, std::vector<std::string> codes, const geo::Point& xy,
                      std::string detail, std::string_view storedGrid) {
  Finding f;
  f.storedGrid = std::string(storedGrid);
  f.kind = kind;
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  f.codes = std::move(codes);
  f.xy = xy;
  f.detail = std::move(detail);
  return f;
}

core::Result<void> checkBuildings(const model::District& d, const Grids& grids, double cut,
                                  std::vector<Finding>& out) {
  const auto& b = d.buildings();
  const auto& units = *grids.units;
  for (std::size_t i = 0; i < b.size(); ++i) {
    geo::MultiPolygon fp = model::xyShape(b.footprint, i);
    auto g = geo::toGeos(fp);
    if (!g) return core::Error(g.takeError()).withContext("building " + std::to_string(b.id[i]));
    const std::string stored(d.grids().code[b.grid[i]]);
    const std::string what = "building " + std::to_string(b.id[i]);
    const geo::Point inside = geo::insidePoint(g->get());
    const std::int32_t first = grids.locator.find(inside);
    std::vector<std::size_t> owners;
    std::vector<double> shares;
    double total = geo::area(g->get());
    double covered = 0;
    auto coveredByFirst = [&] {
      auto c = grids.prepared[static_cast<std::size_t>(first)].covers(g->get());
      return c && *c;
    };
    if (first >= 0 && coveredByFirst()) {
      owners.push_back(static_cast<std::size_t>(first));
      shares.push_back(total);
      covered = total;
    } else {
      const geo::Box box = geo::bbox(fp);
      for (std::size_t k = 0; k < units.size(); ++k) {
        if (!grids.boxes[k].intersects(box)) continue;
        auto inter = geo::intersection(grids.prepared[k].base(), g->get(), what);
        const double a = inter ? geo::area(inter->get()) : 0.0;
        covered += a;
        if (a > cut) {
          owners.push_back(k);
          shares.push_back(a);
        }
      }
    }
    auto codesOf = [&] {
      std::vector<std::string> c;
      for (std::size_t k : owners) c.push_back(units[k].code);
      return c;
    };
    if (owners.size() >= 2) {
      Finding f = recordFinding(FindingKind::kBuildingCut, codesOf(), inside, what, stored);
      f.measure = total - *std::max_element(shares.begin(), shares.end());
      f.unit = "m2";
      f.geometry = fp;
      out.push_back(std::move(f));
      continue;
    }
    if (owners.empty() || total - covered > cut) {
      Finding f = recordFinding(FindingKind::kUnassigned, codesOf(), inside, what, stored);
      f.measure = total - covered;
      f.unit = "m2";
      f.geometry = fp;
      out.push_back(std::move(f));
      if (owners.empty()) continue;
    }
    // One owner, but standing where two grids overlap: in two grids at once.
    const geo::Box box = geo::bbox(fp);
    const Overlap* twice = nullptr;
    for (const Overlap& o : grids.overlaps) {
      if (!o.box.intersects(box) || !o.geos) continue;
      auto shared = geo::intersection(o.geos.get(), g->get(), what);
      if (shared && geo::area(shared->get()) > cut) {
        twice = &o;
        break;
      }
    }
    if (twice != nullptr) {
      out.push_back(
          recordFinding(FindingKind::kDoubleAssigned, {twice->a, twice->b}, inside, what, stored));
      continue;
    }
    if (units[owners.front()].code != stored) {
      out.push_back(recordFinding(FindingKind::kGridMismatch, {stored, units[owners.front()].code},
                                  inside, what + " is stored in " + stored, stored));
    }
  }
  return {};
}

template <class IdAt>
void checkPoints(const model::District& d, const Grids& grids, std::string_view kind,
                 std::span<const geo::Point> xy, std::span<const std::uint32_t> storedGrid,
                 IdAt idAt, std::vector<Finding>& out) {
  const auto& units = *grids.units;
  for (std::size_t i = 0; i < xy.size(); ++i) {
    const geo::Point& p = xy[i];
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    const std::int32_t g = grids.locator.find(p);
    const std::string what = std::string(kind) + " " + idAt(i);
    const std::string_view stored = d.grids().code[storedGrid[i]];
    if (g < 0) {
      out.push_back(recordFinding(FindingKind::kUnassigned, {}, p, what, stored));
      continue;
    }
    const Overlap* twice = nullptr;
    for (const Overlap& o : grids.overlaps) {
      if (o.box.contains(p) && geo::covers(o.area, p)) {
        twice = &o;
        break;
      }
    }
    if (twice != nullptr) {
      out.push_back(
          recordFinding(FindingKind::kDoubleAssigned, {twice->a, twice->b}, p, what, stored));
      continue;
    }
    const std::string& located = units[static_cast<std::size_t>(g)].code;
    if (located != stored) {
      out.push_back(recordFinding(FindingKind::kGridMismatch, {std::string(stored), located}, p,
                                  what + " is stored in " + std::string(stored), stored));
    }
  }
}

}  // namespace

core::Result<std::vector<Finding>> checkOwnership(const model::District& district,
                                                  const std::vector<Unit>& grids,
                                                  const OwnershipOptions& options) {
  auto prepared = prepareGrids(grids);
  if (!prepared) return prepared.takeError();
  std::vector<Finding> out;
  GRIDTWIN_TRY(checkBuildings(district, *prepared, options.cutAreaM2, out));
  const auto& c = district.columns();
  checkPoints(
      district, *prepared, "address", c.addresses.point.xy, c.addresses.grid,
      [&](std::size_t i) { return std::string(c.addresses.code[i]); }, out);
  // Houses and people stand at their room address (no address: not checked).
  std::vector<geo::Point> housePoints(c.houses.size(), model::missingPoint());
  for (std::size_t h = 0; h < c.houses.size(); ++h) {
    if (c.houses.address[h] >= 0) {
      housePoints[h] = c.addresses.point.xy[static_cast<std::size_t>(c.houses.address[h])];
    }
  }
  std::vector<geo::Point> personPoints(c.people.size());
  for (std::size_t i = 0; i < c.people.size(); ++i)
    personPoints[i] = housePoints[c.people.house[i]];
  checkPoints(
      district, *prepared, "house", housePoints, c.houses.grid,
      [&](std::size_t i) { return std::to_string(c.houses.id[i]); }, out);
  checkPoints(
      district, *prepared, "person", personPoints, c.people.grid,
      [&](std::size_t i) { return std::to_string(c.people.id[i]); }, out);
  checkPoints(
      district, *prepared, "entity", c.entities.point.xy, c.entities.grid,
      [&](std::size_t i) { return std::to_string(c.entities.id[i]); }, out);
  checkPoints(
      district, *prepared, "facility", c.facilities.point.xy, c.facilities.grid,
      [&](std::size_t i) { return std::to_string(c.facilities.id[i]); }, out);
  checkPoints(
      district, *prepared, "event", c.events.point.xy, c.events.grid,
      [&](std::size_t i) { return std::to_string(c.events.id[i]); }, out);
  sortFindings(out);
  GRIDTWIN_TRY(fillLonLat(out));
  return out;
}

}  // namespace gridtwin::boundary
