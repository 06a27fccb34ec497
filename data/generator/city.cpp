#include "city.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "geo/algorithms.h"
#include "geo/geometry.h"
#include "geo/geos.h"
#include "geom_ops.h"
#include "rng.h"

namespace gridtwin::generator {
namespace {

using geo::Point;

struct Footprint {
  double widthMin, widthMax, depthMin, depthMax, gap;
};

Footprint footprintOf(Zone zone, Rng& rng) {
  switch (zone) {
    case Zone::kOldTown:
      return {7, 12, 9, 14, 1.5};
    case Zone::kVillage:
      return {8, 11, 9, 12, 1.2};  // 握手楼: near-touching village houses
    case Zone::kIndustrial:
      return {30, 90, 24, 60, 8};
    case Zone::kCommercial:
      return {24, 50, 20, 34, 9};
    case Zone::kResidential:
      return rng.chance(0.55) ? Footprint{30, 50, 11, 14, 11} : Footprint{20, 26, 18, 24, 13};
    case Zone::kWater:
    case Zone::kGreen:
    case Zone::kFarmland:
      break;
  }
  return {10, 20, 10, 20, 5};
}

BuildingUse useOf(Zone zone, Rng& rng) {
  double r = rng.uniform();
  switch (zone) {
    case Zone::kOldTown:
      return r < 0.68   ? BuildingUse::kResidential
             : r < 0.97 ? BuildingUse::kCommercial
                        : BuildingUse::kPublic;
    case Zone::kVillage:
      return r < 0.88   ? BuildingUse::kResidential
             : r < 0.97 ? BuildingUse::kCommercial
                        : BuildingUse::kIndustrial;
    case Zone::kIndustrial:
      return r < 0.93   ? BuildingUse::kIndustrial
             : r < 0.98 ? BuildingUse::kCommercial
                        : BuildingUse::kPublic;
    case Zone::kCommercial:
      return r < 0.8    ? BuildingUse::kCommercial
             : r < 0.95 ? BuildingUse::kResidential
                        : BuildingUse::kPublic;
    case Zone::kResidential:
      return r < 0.9    ? BuildingUse::kResidential
             : r < 0.96 ? BuildingUse::kCommercial
                        : BuildingUse::kPublic;
    case Zone::kWater:
    case Zone::kGreen:
    case Zone::kFarmland:
      break;
  }
  return BuildingUse::kResidential;
}

int floorsOf(Zone zone, BuildingUse use, Rng& rng) {
  switch (zone) {
    case Zone::kOldTown:
      return static_cast<int>(rng.between(2, 7));
    case Zone::kVillage:
      return static_cast<int>(rng.between(3, 7));
    case Zone::kIndustrial:
      return use == BuildingUse::kIndustrial ? static_cast<int>(rng.between(1, 5))
                                             : static_cast<int>(rng.between(3, 8));
    case Zone::kCommercial: {
      double u = rng.uniform();
      return std::clamp(static_cast<int>(5 + 35 * u * u), 5, 40);
    }
    case Zone::kResidential:
      return use == BuildingUse::kPublic
                 ? static_cast<int>(rng.between(3, 6))
                 : (rng.chance(0.45) ? static_cast<int>(rng.between(7, 18))
                                     : static_cast<int>(rng.between(18, 34)));
    case Zone::kWater:
    case Zone::kGreen:
    case Zone::kFarmland:
      break;
  }
  return 3;
}

double segmentDistance2(const Point& p, const Point& a, const Point& b, double* t) {
  double dx = b.x - a.x, dy = b.y - a.y;
  double len2 = dx * dx + dy * dy;
  double u = len2 > 0 ? std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.0, 1.0) : 0.0;
  if (t) *t = u;
  double qx = a.x + u * dx - p.x, qy = a.y + u * dy - p.y;
  return qx * qx + qy * qy;
}

}  // namespace

const char* buildingUseName(BuildingUse use) {
  switch (use) {
    case BuildingUse::kResidential:
      return "residential";
    case BuildingUse::kCommercial:
      return "commercial";
    case BuildingUse::kIndustrial:
      return "industrial";
    case BuildingUse::kPublic:
      return "public";
  }
  return "?";
}

core::Result<BuildingPlan> planBuildings(const District& district, std::int64_t targetBuildings,
                                         std::int64_t targetRooms, std::uint64_t seed) {
  Rng rng(seed);
  struct Candidate {
    Building b;
    double priority;
  };
  std::vector<Candidate> candidates;
  const auto& blocks = district.blocks;
  for (std::size_t bi = 0; bi < blocks.size(); ++bi) {
    const Block& block = blocks[bi];
    if (block.zone == Zone::kWater || block.zone == Zone::kGreen || block.zone == Zone::kFarmland)
      continue;
    Rng brng = rng.fork(bi);
    const geo::Ring& ring = block.cell.outer;
    // Setback: half the widest road around the block, plus a margin.
    double widest = 0;
    for (int road : district.blockEdgeRoad[bi]) {
      if (road >= 0)
        widest = std::max(widest, district.roads[static_cast<std::size_t>(road)].width);
    }
    auto inner = inset(block.cell, widest / 2 + 2);
    if (!inner) return std::move(inner.takeError()).withContext("block " + std::to_string(bi));
    if (inner->polygons.empty()) continue;
    auto prepared = geo::Prepared::make(geo::Geometry(*inner));
    if (!prepared) return prepared.takeError();
    // Rows run along the block's longest edge.
    double angle = 0, longest = -1;
    for (std::size_t s = 0; s + 1 < ring.size(); ++s) {
      double len = std::hypot(ring[s + 1].x - ring[s].x, ring[s + 1].y - ring[s].y);
      if (len > longest) {
        longest = len;
        angle = std::atan2(ring[s + 1].y - ring[s].y, ring[s + 1].x - ring[s].x);
      }
    }
    const double c = std::cos(angle), s = std::sin(angle);
    auto toLocal = [&](const Point& p) { return Point{p.x * c + p.y * s, -p.x * s + p.y * c}; };
    auto toWorld = [&](double u, double v) { return Point{u * c - v * s, u * s + v * c}; };
    geo::Box local;
    for (const auto& poly : inner->polygons) {
      for (const auto& p : poly.outer) local.expand(toLocal(p));
    }
    Footprint fp = footprintOf(block.zone, brng);
    // Sampling weight: density, with industrial estates and commercial
    // centres kept (their big buildings are few per block already) and
    // village housing thinned a little.
    const double zoneFactor = block.zone == Zone::kIndustrial   ? 4.0
                              : block.zone == Zone::kCommercial ? 1.5
                              : block.zone == Zone::kVillage    ? 0.7
                                                                : 1.0;
    const double weight = (0.03 + block.density) * zoneFactor;
    for (double v = local.miny; v < local.maxy;) {
      double depth = brng.uniform(fp.depthMin, fp.depthMax);
      if (v + depth > local.maxy) break;
      for (double u = local.minx; u < local.maxx;) {
        double width = brng.uniform(fp.widthMin, fp.widthMax);
        if (u + width > local.maxx) break;
        geo::Polygon rect;
        rect.outer = {toWorld(u, v), toWorld(u + width, v), toWorld(u + width, v + depth),
                      toWorld(u, v + depth), toWorld(u, v)};
        auto inside = prepared->covers(geo::Geometry(rect));
        if (inside && *inside) {
          Candidate cand;
          cand.b.block = static_cast<int>(bi);
          cand.b.footprint = std::move(rect);
          cand.b.centre = toWorld(u + width / 2, v + depth / 2);
          cand.b.use = useOf(block.zone, brng);
          cand.b.floors = floorsOf(block.zone, cand.b.use, brng);
          cand.b.height = cand.b.floors * brng.uniform(3.0, 3.4) + (cand.b.floors > 1 ? 1.2 : 0.5);
          // Weighted sampling without replacement (Efraimidis-Spirakis key).
          cand.priority = std::log(std::max(brng.uniform(), 1e-300)) / weight;
          candidates.push_back(std::move(cand));
        }
        u += width + fp.gap * brng.uniform(0.8, 1.3);
      }
      v += depth + fp.gap * brng.uniform(0.8, 1.3);
    }
  }
  if (std::getenv("GRIDTWIN_DEBUG_CAPACITY"))
    std::fprintf(stderr, "building capacity %zu\n", candidates.size());
  if (static_cast<std::int64_t>(candidates.size()) > targetBuildings) {
    std::nth_element(candidates.begin(), candidates.begin() + targetBuildings, candidates.end(),
                     [](const Candidate& a, const Candidate& b) {
                       return a.priority > b.priority ||
                              (a.priority == b.priority && a.b.centre.x < b.b.centre.x);
                     });
    candidates.resize(static_cast<std::size_t>(targetBuildings));
  }
  BuildingPlan plan;
  plan.buildings.reserve(candidates.size());
  for (auto& cand : candidates) plan.buildings.push_back(std::move(cand.b));
  // Ids in grid order, then west to east: neighbours get neighbouring ids.
  std::sort(plan.buildings.begin(), plan.buildings.end(),
            [&](const Building& a, const Building& b) {
              int ga = blocks[static_cast<std::size_t>(a.block)].grid,
                  gb = blocks[static_cast<std::size_t>(b.block)].grid;
              if (ga != gb) return ga < gb;
              if (a.centre.x != b.centre.x) return a.centre.x < b.centre.x;
              return a.centre.y < b.centre.y;
            });

  // Door plates: the nearest road edge of the block; odd numbers on the
  // left of the road's direction, even on the right, rising along it.
  std::vector<std::vector<std::size_t>> onRoad(district.roads.size());
  for (std::size_t i = 0; i < plan.buildings.size(); ++i) {
    Building& b = plan.buildings[i];
    b.id = static_cast<std::int64_t>(i + 1);
    const auto bi = static_cast<std::size_t>(b.block);
    const geo::Ring& ring = blocks[bi].cell.outer;
    double best = 1e300;
    for (std::size_t s = 0; s + 1 < ring.size(); ++s) {
      int road = district.blockEdgeRoad[bi][s];
      if (road < 0) continue;
      double d2 = segmentDistance2(b.centre, ring[s], ring[s + 1], nullptr);
      if (d2 < best) {
        best = d2;
        b.road = road;
      }
    }
    if (b.road < 0) continue;  // a block with no road at all (only the outline): no door plate
    // Position along the road's parts, laid end to end.
    double acc = 0, bestAlong = 0, bestD = 1e300;
    bool left = true;
    for (const auto& line : district.roads[static_cast<std::size_t>(b.road)].parts) {
      for (std::size_t s = 0; s + 1 < line.size(); ++s) {
        double t = 0;
        double d2 = segmentDistance2(b.centre, line[s], line[s + 1], &t);
        double len = std::hypot(line[s + 1].x - line[s].x, line[s + 1].y - line[s].y);
        if (d2 < bestD) {
          bestD = d2;
          bestAlong = acc + t * len;
          double cross = (line[s + 1].x - line[s].x) * (b.centre.y - line[s].y) -
                         (line[s + 1].y - line[s].y) * (b.centre.x - line[s].x);
          left = cross > 0;
        }
        acc += len;
      }
    }
    b.along = bestAlong;
    b.leftSide = left;
    onRoad[static_cast<std::size_t>(b.road)].push_back(i);
  }
  for (auto& list : onRoad) {
    std::sort(list.begin(), list.end(), [&](std::size_t a, std::size_t b) {
      return plan.buildings[a].along < plan.buildings[b].along ||
             (plan.buildings[a].along == plan.buildings[b].along && a < b);
    });
    int odd = 1, even = 2;
    for (std::size_t i : list) {
      Building& b = plan.buildings[i];
      if (b.leftSide) {
        b.doorNo = odd;
        odd += 2;
      } else {
        b.doorNo = even;
        even += 2;
      }
    }
  }

  // Rooms: residential buildings (and the upper floors of old-town shops)
  // hold units x floors x rooms-per-floor, scaled to the target total.
  std::vector<double> raw(plan.buildings.size(), 0);
  double rawTotal = 0;
  for (std::size_t i = 0; i < plan.buildings.size(); ++i) {
    Building& b = plan.buildings[i];
    Rng r = rng.fork(1'000'000 + i);
    double frontage = std::hypot(b.footprint.outer[1].x - b.footprint.outer[0].x,
                                 b.footprint.outer[1].y - b.footprint.outer[0].y);
    b.units = std::max(1, static_cast<int>(frontage / 22.0));
    if (b.use == BuildingUse::kResidential) {
      raw[i] = b.units * b.floors * static_cast<double>(r.between(2, 4));
    } else if (b.use == BuildingUse::kCommercial && b.floors > 1 &&
               blocks[static_cast<std::size_t>(b.block)].zone == Zone::kOldTown) {
      raw[i] = (b.floors - 1) * 1.0;
    }
    rawTotal += raw[i];
  }
  const double k = rawTotal > 0 ? static_cast<double>(targetRooms) / rawTotal : 0;
  double carry = 0;
  std::int64_t houseId = 0;
  for (std::size_t i = 0; i < plan.buildings.size(); ++i) {
    Building& b = plan.buildings[i];
    double want = raw[i] * k + carry;
    int rooms = static_cast<int>(std::floor(want));
    if (raw[i] > 0) rooms = std::max(rooms, 1);
    carry = want - rooms;
    if (houseId + rooms > targetRooms)
      rooms = static_cast<int>(std::max<std::int64_t>(0, targetRooms - houseId));
    b.rooms = rooms;
    if (rooms == 0) continue;
    // Enumerate unit-by-unit, floor by floor; per-floor count from the total.
    const int groundFloor = b.use == BuildingUse::kResidential ? 1 : 2;
    const int floorsWithRooms = std::max(1, b.floors - groundFloor + 1);
    const int perFloor =
        std::max(1, (rooms + b.units * floorsWithRooms - 1) / (b.units * floorsWithRooms));
    Rng r = rng.fork(2'000'000 + i);
    int made = 0;
    for (int f = groundFloor; f <= b.floors && made < rooms; ++f) {
      for (int u = 1; u <= b.units && made < rooms; ++u) {
        for (int n = 1; n <= perFloor && made < rooms; ++n, ++made) {
          House h;
          h.id = ++houseId;
          h.building = static_cast<int>(i);
          h.unit = u;
          h.floor = f;
          h.room = f * 100 + n;
          h.area = std::round(r.uniform(45, 140) * 10) / 10;
          plan.houses.push_back(std::move(h));
        }
      }
    }
    b.rooms = made;
  }
  return plan;
}

}  // namespace gridtwin::generator
