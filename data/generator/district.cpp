#include "district.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <unordered_map>

#include "geo/algorithms.h"
#include "geom_ops.h"
#include "rng.h"

namespace gridtwin::generator {
namespace {

using geo::Point;

double dist2(const Point& a, const Point& b) {
  double dx = a.x - b.x, dy = a.y - b.y;
  return dx * dx + dy * dy;
}

// Key of a vertex rounded to a millimetre: adjacent cells computed by GEOS
// share vertices up to the last bits, so edges are matched on rounded keys.
struct VertexKey {
  std::int64_t x, y;
  friend bool operator<(const VertexKey& a, const VertexKey& b) {
    return a.x != b.x ? a.x < b.x : a.y < b.y;
  }
  friend bool operator==(const VertexKey&, const VertexKey&) = default;
};
VertexKey keyOf(const Point& p) { return {std::llround(p.x * 1000.0), std::llround(p.y * 1000.0)}; }
struct EdgeKey {
  VertexKey a, b;  // a < b
  friend bool operator<(const EdgeKey& l, const EdgeKey& r) {
    return l.a < r.a || (l.a == r.a && l.b < r.b);
  }
};
EdgeKey edgeKey(const Point& p, const Point& q) {
  VertexKey a = keyOf(p), b = keyOf(q);
  if (b < a) std::swap(a, b);
  return {a, b};
}

struct Edge {
  Point p, q;
  int left = -1, right = -1;  // the blocks on either side (right = -1 on the outline)
  int leftSegment = -1, rightSegment = -1;
};

// Blue-noise sites whose spacing follows the density: dense old town, sparse
// periphery. Mitchell's best candidate, with distances scaled by density.
std::vector<Point> sampleSites(const geo::MultiPolygon& outline, int count,
                               const std::vector<Point>& centres, Rng& rng) {
  geo::Box box = geo::bbox(outline);
  std::vector<Point> sites;
  sites.reserve(static_cast<std::size_t>(count));
  // A bucket grid keeps the nearest-site search local.
  const double cell = std::sqrt(box.width() * box.height() / std::max(count, 1));
  const int nx = static_cast<int>(box.width() / cell) + 1,
            ny = static_cast<int>(box.height() / cell) + 1;
  std::vector<std::vector<int>> buckets(static_cast<std::size_t>(nx * ny));
  auto bucketOf = [&](const Point& p) {
    int ix = std::clamp(static_cast<int>((p.x - box.minx) / cell), 0, nx - 1);
    int iy = std::clamp(static_cast<int>((p.y - box.miny) / cell), 0, ny - 1);
    return std::pair{ix, iy};
  };
  auto nearest = [&](const Point& p) {
    auto [ix, iy] = bucketOf(p);
    double best = 1e300;
    for (int r = 0; r < std::max(nx, ny); ++r) {
      for (int y = iy - r; y <= iy + r; ++y) {
        for (int x = ix - r; x <= ix + r; ++x) {
          if (x < 0 || y < 0 || x >= nx || y >= ny) continue;
          if (std::max(std::abs(x - ix), std::abs(y - iy)) != r) continue;
          for (int s : buckets[static_cast<std::size_t>(y * nx + x)])
            best = std::min(best, dist2(p, sites[static_cast<std::size_t>(s)]));
        }
      }
      // Everything beyond ring r is at least r*cell away.
      if (best < (r * cell) * (r * cell)) break;
    }
    return std::sqrt(best);
  };
  auto inside = [&](const Point& p) { return geo::locate(p, outline) == geo::Location::kInterior; };
  while (static_cast<int>(sites.size()) < count) {
    Point best{};
    double bestScore = -1;
    for (int c = 0; c < 10; ++c) {
      Point p{rng.uniform(box.minx, box.maxx), rng.uniform(box.miny, box.maxy)};
      if (!inside(p)) {
        --c;
        continue;
      }
      double d = densityAt(p, centres);
      // Denser places want closer sites: spacing ~ 1/sqrt(0.08 + d).
      double score = sites.empty() ? 1.0 : nearest(p) * std::sqrt(0.08 + d);
      if (score > bestScore) {
        bestScore = score;
        best = p;
      }
    }
    auto [ix, iy] = bucketOf(best);
    buckets[static_cast<std::size_t>(iy * nx + ix)].push_back(static_cast<int>(sites.size()));
    sites.push_back(best);
  }
  return sites;
}

// Splits the blocks listed in `members` into `k` clusters of similar
// population (density x area) by weighted k-means; returns a label 0..k-1 per
// member. Dense places end up with small clusters, as real ones do.
std::vector<int> cluster(const std::vector<int>& members, int k, const std::vector<Block>& blocks,
                         const std::vector<double>& weight, Rng& rng) {
  const std::size_t n = members.size();
  std::vector<int> label(n, 0);
  if (k <= 1 || n == 0) return label;
  k = std::min<int>(k, static_cast<int>(n));
  // k-means++ seeding, deterministic through rng.
  std::vector<Point> centre;
  centre.push_back(blocks[static_cast<std::size_t>(members[rng.below(n)])].site);
  std::vector<double> d2(n);
  while (static_cast<int>(centre.size()) < k) {
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const Point& s = blocks[static_cast<std::size_t>(members[i])].site;
      double m = 1e300;
      for (const auto& c : centre) m = std::min(m, dist2(s, c));
      d2[i] = m * weight[static_cast<std::size_t>(members[i])];
      total += d2[i];
    }
    double pick = rng.uniform() * total;
    std::size_t chosen = n - 1;
    for (std::size_t i = 0; i < n; ++i) {
      pick -= d2[i];
      if (pick <= 0) {
        chosen = i;
        break;
      }
    }
    centre.push_back(blocks[static_cast<std::size_t>(members[chosen])].site);
  }
  // Lloyd iterations with a size penalty that evens out population.
  std::vector<double> load(static_cast<std::size_t>(k), 0), scale(static_cast<std::size_t>(k), 1.0);
  double totalWeight = 0;
  for (int m : members) totalWeight += weight[static_cast<std::size_t>(m)];
  for (int iter = 0; iter < 25; ++iter) {
    for (std::size_t i = 0; i < n; ++i) {
      const Point& s = blocks[static_cast<std::size_t>(members[i])].site;
      double best = 1e300;
      for (int c = 0; c < k; ++c) {
        double d =
            dist2(s, centre[static_cast<std::size_t>(c)]) * scale[static_cast<std::size_t>(c)];
        if (d < best) {
          best = d;
          label[i] = c;
        }
      }
    }
    std::vector<double> sx(static_cast<std::size_t>(k), 0), sy(static_cast<std::size_t>(k), 0);
    std::fill(load.begin(), load.end(), 0);
    for (std::size_t i = 0; i < n; ++i) {
      const Block& b = blocks[static_cast<std::size_t>(members[i])];
      double w = weight[static_cast<std::size_t>(members[i])];
      auto c = static_cast<std::size_t>(label[i]);
      sx[c] += b.site.x * w;
      sy[c] += b.site.y * w;
      load[c] += w;
    }
    for (std::size_t c = 0; c < static_cast<std::size_t>(k); ++c) {
      if (load[c] > 0) centre[c] = {sx[c] / load[c], sy[c] / load[c]};
      double ratio = load[c] / (totalWeight / k);
      scale[c] *= std::clamp(std::pow(std::max(ratio, 0.05), 0.3), 0.7, 1.4);
    }
  }
  return label;
}

// Keeps each label connected: for every label, the largest connected part
// stays; smaller parts move to the neighbouring label they share most edges
// with. `group` restricts moves to blocks of the same parent.
void makeConnected(std::vector<int>& label, const std::vector<std::vector<int>>& adjacency,
                   const std::vector<int>& group) {
  const std::size_t n = label.size();
  for (int pass = 0; pass < 8; ++pass) {
    std::vector<int> component(n, -1);
    std::vector<int> componentLabel, componentSize;
    for (std::size_t s = 0; s < n; ++s) {
      if (component[s] >= 0 || label[s] < 0) continue;
      int id = static_cast<int>(componentSize.size());
      componentSize.push_back(0);
      componentLabel.push_back(label[s]);
      std::vector<std::size_t> stack{s};
      component[s] = id;
      while (!stack.empty()) {
        std::size_t b = stack.back();
        stack.pop_back();
        ++componentSize[static_cast<std::size_t>(id)];
        for (int nb : adjacency[b]) {
          auto u = static_cast<std::size_t>(nb);
          if (component[u] < 0 && label[u] == label[s]) {
            component[u] = id;
            stack.push_back(u);
          }
        }
      }
    }
    std::map<int, int> largest;  // label -> component
    for (std::size_t c = 0; c < componentSize.size(); ++c) {
      auto it = largest.find(componentLabel[c]);
      if (it == largest.end() ||
          componentSize[static_cast<std::size_t>(it->second)] < componentSize[c]) {
        largest[componentLabel[c]] = static_cast<int>(c);
      }
    }
    bool moved = false;
    for (std::size_t b = 0; b < n; ++b) {
      if (label[b] < 0 || largest[label[b]] == component[b]) continue;
      std::map<int, int> votes;
      for (int nb : adjacency[b]) {
        auto u = static_cast<std::size_t>(nb);
        if (label[u] != label[b] && group[u] == group[b]) ++votes[label[u]];
      }
      if (votes.empty()) continue;
      auto best = std::max_element(votes.begin(), votes.end(), [](const auto& a, const auto& c) {
        return a.second < c.second;
      });
      label[b] = best->first;
      moved = true;
    }
    if (!moved) break;
  }
}

Zone chooseZone(const Block& b, const std::vector<Point>& centres,
                const std::vector<Point>& estates, bool nearOutline, double southLimit,
                bool villageCommunity, Rng& rng) {
  const double toOld = std::sqrt(dist2(b.site, centres.front()));
  // The river (东平河) runs along the district's southern edge.
  if (nearOutline && b.site.y < southLimit && rng.chance(0.6)) return Zone::kWater;
  if (b.density < 0.15 && rng.chance(0.015)) return Zone::kWater;   // ponds and fish ponds
  if (rng.chance(toOld < 1800 ? 0.04 : 0.03)) return Zone::kGreen;  // parks and squares
  if (b.density < 0.1 && rng.chance(0.08)) return Zone::kFarmland;
  if (toOld < 1800) return rng.chance(0.25) ? Zone::kCommercial : Zone::kOldTown;
  for (const auto& e : estates) {
    if (dist2(b.site, e) < 900.0 * 900.0) return Zone::kIndustrial;
  }
  // A village committee's land (村民委员会): dense village housing (城中村)
  // with the village's own industrial park and shops.
  if (villageCommunity) {
    double r = rng.uniform();
    return r < 0.65   ? Zone::kVillage
           : r < 0.8  ? Zone::kResidential
           : r < 0.93 ? Zone::kIndustrial
                      : Zone::kCommercial;
  }
  if (b.density > 0.45) return rng.chance(0.2) ? Zone::kCommercial : Zone::kResidential;
  if (b.density < 0.18) return rng.chance(0.55) ? Zone::kVillage : Zone::kResidential;
  return rng.chance(0.1) ? Zone::kCommercial : Zone::kResidential;
}

double roadWidth(RoadLevel level) {
  switch (level) {
    case RoadLevel::kExpressway:
      return 50;
    case RoadLevel::kArterial:
      return 36;
    case RoadLevel::kSecondary:
      return 18;
    case RoadLevel::kBranch:
      return 12;
    case RoadLevel::kLane:
      return 6;
  }
  return 10;
}

geo::MultiPolygon asMulti(const geo::Polygon& p) { return geo::MultiPolygon{{p}}; }

}  // namespace

const char* zoneName(Zone zone) {
  switch (zone) {
    case Zone::kOldTown:
      return "old_town";
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
  return "?";
}

const char* roadLevelName(RoadLevel level) {
  switch (level) {
    case RoadLevel::kExpressway:
      return "expressway";
    case RoadLevel::kArterial:
      return "arterial";
    case RoadLevel::kSecondary:
      return "secondary";
    case RoadLevel::kBranch:
      return "branch";
    case RoadLevel::kLane:
      return "lane";
  }
  return "?";
}

double densityAt(const geo::Point& p, const std::vector<geo::Point>& centres) {
  double d = 0.04;
  for (std::size_t i = 0; i < centres.size(); ++i) {
    const double reach = i == 0 ? 3200.0 : 2200.0;
    const double peak = i == 0 ? 1.0 : 0.45;
    d += peak * std::exp(-std::sqrt(dist2(p, centres[i])) / reach);
  }
  return std::min(d, 1.0);
}

core::Result<District> buildDistrict(const DistrictSources& sources, int blockCount, int gridCount,
                                     std::uint64_t seed) {
  using core::ErrorCode;
  const std::size_t streetCount = sources.streets.size();
  if (streetCount == 0 || sources.streetCentres.size() != streetCount ||
      sources.streetAreaShares.size() != streetCount) {
    return core::makeError(ErrorCode::kInvalidArgument,
                           "every street needs a centre and an area share");
  }
  if (sources.communities.empty() || gridCount < static_cast<int>(sources.communities.size())) {
    return core::makeError(ErrorCode::kInvalidArgument,
                           "need at least one grid per community (" + std::to_string(gridCount) +
                               " grids for " + std::to_string(sources.communities.size()) +
                               " communities)");
  }
  Rng rng(seed);
  District d;
  d.outline = sources.outline;
  const auto& centres = sources.streetCentres;

  // 1. Blocks: Voronoi cells of density-adaptive sites, clipped to the outline.
  Rng siteRng = rng.fork(1);
  std::vector<Point> sites = sampleSites(d.outline, blockCount, centres, siteRng);
  geo::Box env = geo::bbox(d.outline);
  env.minx -= 1000;
  env.miny -= 1000;
  env.maxx += 1000;
  env.maxy += 1000;
  auto cells = voronoiCells(sites, env);
  if (!cells) return cells.takeError();
  for (std::size_t i = 0; i < sites.size(); ++i) {
    auto clipped = intersect(asMulti((*cells)[i]), d.outline);
    if (!clipped) return clipped.takeError();
    for (auto& part : clipped->polygons) {
      if (geo::area(part) < 1.0) continue;  // specks where a cell grazes the outline
      Block b;
      b.cell = std::move(part);
      b.site = geo::locate(sites[i], b.cell) == geo::Location::kInterior ? sites[i]
                                                                         : geo::centroid(b.cell);
      b.density = densityAt(b.site, centres);
      d.blocks.push_back(std::move(b));
    }
  }
  const std::size_t n = d.blocks.size();

  // 2. Edges and adjacency from shared ring segments.
  std::map<EdgeKey, int> edgeIndex;
  std::vector<Edge> edges;
  for (std::size_t b = 0; b < n; ++b) {
    const geo::Ring& ring = d.blocks[b].cell.outer;
    for (std::size_t s = 0; s + 1 < ring.size(); ++s) {
      EdgeKey key = edgeKey(ring[s], ring[s + 1]);
      if (key.a == key.b) continue;
      auto [it, fresh] = edgeIndex.try_emplace(key, static_cast<int>(edges.size()));
      if (fresh) {
        edges.push_back(
            Edge{ring[s], ring[s + 1], static_cast<int>(b), -1, static_cast<int>(s), -1});
      } else {
        Edge& e = edges[static_cast<std::size_t>(it->second)];
        e.right = static_cast<int>(b);
        e.rightSegment = static_cast<int>(s);
      }
    }
  }
  std::vector<std::vector<int>> adjacency(n);
  for (const auto& e : edges) {
    if (e.right < 0) continue;
    adjacency[static_cast<std::size_t>(e.left)].push_back(e.right);
    adjacency[static_cast<std::size_t>(e.right)].push_back(e.left);
  }
  std::vector<double> weight(n), area(n);
  double totalArea = 0;
  for (std::size_t b = 0; b < n; ++b) {
    area[b] = geo::area(d.blocks[b].cell);
    weight[b] = area[b] * (0.05 + d.blocks[b].density);
    totalArea += area[b];
  }

  // 3. Streets: additively weighted nearest centre, weights tuned until each
  // street has its share of the area.
  std::vector<double> bias(streetCount, 0);
  std::vector<int> streetOf(n, 0);
  for (int iter = 0; iter < 200; ++iter) {
    std::vector<double> got(streetCount, 0);
    for (std::size_t b = 0; b < n; ++b) {
      double best = 1e300;
      for (std::size_t s = 0; s < streetCount; ++s) {
        double v = std::sqrt(dist2(d.blocks[b].site, centres[s])) - bias[s];
        if (v < best) {
          best = v;
          streetOf[b] = static_cast<int>(s);
        }
      }
      got[static_cast<std::size_t>(streetOf[b])] += area[b];
    }
    for (std::size_t s = 0; s < streetCount; ++s) {
      double want = sources.streetAreaShares[s] * totalArea;
      bias[s] += 0.3 * (std::sqrt(want) - std::sqrt(got[s]));
    }
  }
  std::vector<int> everything(n, 0);
  makeConnected(streetOf, adjacency, everything);

  // 4. Communities inside each street, grids inside each community.
  std::vector<std::vector<int>> communitiesOfStreet(streetCount);
  for (std::size_t c = 0; c < sources.communities.size(); ++c) {
    const auto& rec = sources.communities[c];
    auto it = std::find_if(sources.streets.begin(), sources.streets.end(),
                           [&](const SourceRecord& s) { return s.code == rec.parentCode; });
    if (it == sources.streets.end()) {
      return core::makeError(
          ErrorCode::kInvalidArgument,
          "community " + rec.code + " " + rec.name + " names unknown street " + rec.parentCode);
    }
    communitiesOfStreet[static_cast<std::size_t>(it - sources.streets.begin())].push_back(
        static_cast<int>(c));
  }
  std::vector<int> communityOf(n, -1);
  for (std::size_t s = 0; s < streetCount; ++s) {
    std::vector<int> members;
    for (std::size_t b = 0; b < n; ++b) {
      if (streetOf[b] == static_cast<int>(s)) members.push_back(static_cast<int>(b));
    }
    const auto& list = communitiesOfStreet[s];
    if (members.size() < list.size()) {
      return core::makeError(
          ErrorCode::kInvalidArgument,
          "street " + sources.streets[s].code + " got " + std::to_string(members.size()) +
              " blocks for " + std::to_string(list.size()) + " communities; raise the block count");
    }
    Rng crng = rng.fork(100 + s);
    // Communities are numbered along the street from its centre outwards so
    // the codes read in a sensible order.
    auto labels = cluster(members, static_cast<int>(list.size()), d.blocks, weight, crng);
    for (std::size_t i = 0; i < members.size(); ++i) {
      communityOf[static_cast<std::size_t>(members[i])] = list[static_cast<std::size_t>(labels[i])];
    }
  }
  makeConnected(communityOf, adjacency, streetOf);

  // Grid counts per community: proportional to population, 1..8, summing to gridCount.
  const std::size_t communityCount = sources.communities.size();
  std::vector<double> pop(communityCount, 0);
  std::vector<int> blocksIn(communityCount, 0);
  for (std::size_t b = 0; b < n; ++b) {
    pop[static_cast<std::size_t>(communityOf[b])] += weight[b];
    ++blocksIn[static_cast<std::size_t>(communityOf[b])];
  }
  double popTotal = std::accumulate(pop.begin(), pop.end(), 0.0);
  std::vector<int> gridsIn(communityCount);
  std::vector<double> exact(communityCount);
  int assigned = 0;
  for (std::size_t c = 0; c < communityCount; ++c) {
    exact[c] = gridCount * pop[c] / popTotal;
    gridsIn[c] = std::clamp(static_cast<int>(std::floor(exact[c])), 1, std::min(8, blocksIn[c]));
    assigned += gridsIn[c];
  }
  while (assigned != gridCount) {
    int step = assigned < gridCount ? 1 : -1;
    int best = -1;
    double bestGap = -1e300;
    for (std::size_t c = 0; c < communityCount; ++c) {
      int next = gridsIn[c] + step;
      if (next < 1 || next > 8 || next > blocksIn[c]) continue;
      double gap = step * (exact[c] - gridsIn[c]);
      if (gap > bestGap) {
        bestGap = gap;
        best = static_cast<int>(c);
      }
    }
    if (best < 0) {
      return core::makeError(ErrorCode::kInvalidArgument,
                             "cannot place " + std::to_string(gridCount) + " grids in " +
                                 std::to_string(communityCount) +
                                 " communities of 1..8 grids each");
    }
    gridsIn[static_cast<std::size_t>(best)] += step;
    assigned += step;
  }
  std::vector<int> gridOf(n, -1);
  std::vector<int> gridBase(communityCount, 0);
  for (std::size_t c = 0, base = 0; c < communityCount; ++c) {
    gridBase[c] = static_cast<int>(base);
    base += static_cast<std::size_t>(gridsIn[c]);
  }
  for (std::size_t c = 0; c < communityCount; ++c) {
    std::vector<int> members;
    for (std::size_t b = 0; b < n; ++b) {
      if (communityOf[b] == static_cast<int>(c)) members.push_back(static_cast<int>(b));
    }
    Rng grng = rng.fork(1000 + c);
    auto labels = cluster(members, gridsIn[c], d.blocks, weight, grng);
    for (std::size_t i = 0; i < members.size(); ++i) {
      gridOf[static_cast<std::size_t>(members[i])] = gridBase[c] + labels[i];
    }
  }
  makeConnected(gridOf, adjacency, communityOf);
  // A grid emptied by the connectivity repair takes the block of its
  // community farthest from the rest of its grid (rare; keeps 478 whole).
  {
    std::vector<int> size(static_cast<std::size_t>(gridCount), 0);
    for (int g : gridOf) ++size[static_cast<std::size_t>(g)];
    for (std::size_t c = 0; c < communityCount; ++c) {
      for (int g = gridBase[c]; g < gridBase[c] + gridsIn[c]; ++g) {
        if (size[static_cast<std::size_t>(g)] > 0) continue;
        for (std::size_t b = 0; b < n; ++b) {
          int from = gridOf[b];
          if (communityOf[b] == static_cast<int>(c) && size[static_cast<std::size_t>(from)] > 1) {
            gridOf[b] = g;
            --size[static_cast<std::size_t>(from)];
            ++size[static_cast<std::size_t>(g)];
            break;
          }
        }
      }
    }
  }

  // 5. Zones.
  Rng zrng = rng.fork(7);
  std::vector<Point> estates;
  for (std::size_t b = 0; b < n && estates.size() < 14; ++b) {
    const Block& blk = d.blocks[(b * 7919) % n];
    if (blk.density < 0.22 && zrng.chance(0.08)) estates.push_back(blk.site);
  }
  std::vector<bool> onOutline(n, false);
  for (const auto& e : edges) {
    if (e.right < 0) onOutline[static_cast<std::size_t>(e.left)] = true;
  }
  const double southLimit = env.miny + 1000 + 0.18 * (env.maxy - env.miny - 2000);
  for (std::size_t b = 0; b < n; ++b) {
    Block& blk = d.blocks[b];
    blk.street = streetOf[b];
    blk.community = communityOf[b];
    blk.grid = gridOf[b];
    const bool village = sources.communities[static_cast<std::size_t>(blk.community)].name.find(
                             "村民委员会") != std::string::npos;
    blk.zone = chooseZone(blk, centres, estates, onOutline[b], southLimit, village, zrng);
  }

  // 6. Admin shapes as unions of whole blocks.
  d.grids.resize(static_cast<std::size_t>(gridCount));
  std::vector<std::vector<geo::MultiPolygon>> gridParts(static_cast<std::size_t>(gridCount));
  for (std::size_t b = 0; b < n; ++b) {
    gridParts[static_cast<std::size_t>(gridOf[b])].push_back(asMulti(d.blocks[b].cell));
  }
  d.communities.resize(communityCount);
  std::vector<std::vector<geo::MultiPolygon>> communityParts(communityCount);
  for (std::size_t c = 0; c < communityCount; ++c) {
    AdminUnit& u = d.communities[c];
    u.code = sources.communities[c].code;
    u.name = sources.communities[c].name;
    for (std::size_t s = 0; s < streetCount; ++s) {
      if (sources.streets[s].code == sources.communities[c].parentCode)
        u.parent = static_cast<int>(s);
    }
    for (int g = 0; g < gridsIn[c]; ++g) {
      AdminUnit& grid = d.grids[static_cast<std::size_t>(gridBase[c] + g)];
      char suffix[16];
      std::snprintf(suffix, sizeof suffix, "%03d", g + 1);
      grid.code = u.code + suffix;
      grid.name = u.name + "第" + std::to_string(g + 1) + "网格";
      grid.parent = static_cast<int>(c);
      auto shape = unite(gridParts[static_cast<std::size_t>(gridBase[c] + g)]);
      if (!shape) return std::move(shape.takeError()).withContext("grid " + grid.code);
      grid.shape = std::move(*shape);
      grid.area = geo::area(grid.shape);
      communityParts[c].push_back(grid.shape);
    }
    auto shape = unite(communityParts[c]);
    if (!shape) return std::move(shape.takeError()).withContext("community " + u.code);
    u.shape = std::move(*shape);
    u.area = geo::area(u.shape);
  }
  d.streets.resize(streetCount);
  for (std::size_t s = 0; s < streetCount; ++s) {
    AdminUnit& u = d.streets[s];
    u.code = sources.streets[s].code;
    u.name = sources.streets[s].name;
    std::vector<geo::MultiPolygon> parts;
    for (const auto& c : d.communities) {
      if (c.parent == static_cast<int>(s)) parts.push_back(c.shape);
    }
    auto shape = unite(parts);
    if (!shape) return std::move(shape.takeError()).withContext("street " + u.code);
    u.shape = std::move(*shape);
    u.area = geo::area(u.shape);
  }

  // 7. Roads: every shared block edge carries one, classed by the highest
  // boundary it runs on; edges chain into roads where they continue straight.
  auto levelOf = [&](const Edge& e) {
    const Block& a = d.blocks[static_cast<std::size_t>(e.left)];
    const Block& b = d.blocks[static_cast<std::size_t>(e.right)];
    if (a.street != b.street || a.community != b.community) return RoadLevel::kArterial;
    if (a.grid != b.grid) return RoadLevel::kSecondary;
    bool lane = (a.zone == Zone::kOldTown || a.zone == Zone::kVillage) &&
                (b.zone == Zone::kOldTown || b.zone == Zone::kVillage);
    return lane ? RoadLevel::kLane : RoadLevel::kBranch;
  };
  std::map<VertexKey, std::vector<int>> atVertex;
  std::vector<RoadLevel> edgeLevel(edges.size(), RoadLevel::kBranch);
  for (std::size_t e = 0; e < edges.size(); ++e) {
    if (edges[e].right < 0) continue;
    edgeLevel[e] = levelOf(edges[e]);
    atVertex[keyOf(edges[e].p)].push_back(static_cast<int>(e));
    atVertex[keyOf(edges[e].q)].push_back(static_cast<int>(e));
  }
  // At each vertex, pair up edges of the same level that continue most
  // straight (within 75 degrees: Voronoi vertices are Y junctions).
  std::map<std::pair<int, VertexKey>, int> continues;  // (edge, vertex) -> next edge
  auto direction = [&](int e, const VertexKey& at) {
    const Edge& ed = edges[static_cast<std::size_t>(e)];
    bool fromP = keyOf(ed.p) == at;
    Point a = fromP ? ed.p : ed.q, b = fromP ? ed.q : ed.p;
    double dx = b.x - a.x, dy = b.y - a.y, len = std::hypot(dx, dy);
    return Point{dx / len, dy / len};
  };
  for (const auto& [vk, list] : atVertex) {
    std::vector<std::tuple<double, int, int>> pairs;
    for (std::size_t i = 0; i < list.size(); ++i) {
      for (std::size_t j = i + 1; j < list.size(); ++j) {
        if (edgeLevel[static_cast<std::size_t>(list[i])] !=
            edgeLevel[static_cast<std::size_t>(list[j])])
          continue;
        Point u = direction(list[i], vk), v = direction(list[j], vk);
        double straight = -(u.x * v.x + u.y * v.y);  // 1 when opposite directions
        if (straight > std::cos(75.0 * M_PI / 180.0))
          pairs.emplace_back(-straight, list[i], list[j]);
      }
    }
    std::sort(pairs.begin(), pairs.end());
    std::vector<int> used;
    for (const auto& [score, a, b] : pairs) {
      if (std::find(used.begin(), used.end(), a) != used.end() ||
          std::find(used.begin(), used.end(), b) != used.end())
        continue;
      used.push_back(a);
      used.push_back(b);
      continues[{a, vk}] = b;
      continues[{b, vk}] = a;
    }
  }
  std::vector<int> roadOfEdge(edges.size(), -1);
  for (std::size_t start = 0; start < edges.size(); ++start) {
    if (edges[start].right < 0 || roadOfEdge[start] >= 0) continue;
    // Walk back to one end of the chain, then forward collecting points.
    int e = static_cast<int>(start);
    VertexKey at = keyOf(edges[start].p);
    for (std::size_t guard = 0; guard < edges.size(); ++guard) {
      auto it = continues.find({e, at});
      if (it == continues.end() || it->second == static_cast<int>(start)) break;
      int next = it->second;
      const Edge& ne = edges[static_cast<std::size_t>(next)];
      at = keyOf(ne.p) == at ? keyOf(ne.q) : keyOf(ne.p);
      e = next;
    }
    // `e` is an end edge and `at` its free end.
    Road road;
    road.level = edgeLevel[static_cast<std::size_t>(e)];
    road.width = roadWidth(road.level);
    geo::LineString line;
    const int roadIndex = static_cast<int>(d.roads.size());
    std::map<int, int> communityVotes;
    for (std::size_t guard = 0; guard <= edges.size(); ++guard) {
      const Edge& ed = edges[static_cast<std::size_t>(e)];
      bool fromP = keyOf(ed.p) == at;
      if (line.empty()) line.push_back(fromP ? ed.p : ed.q);
      line.push_back(fromP ? ed.q : ed.p);
      roadOfEdge[static_cast<std::size_t>(e)] = roadIndex;
      ++communityVotes[d.blocks[static_cast<std::size_t>(ed.left)].community];
      VertexKey other = fromP ? keyOf(ed.q) : keyOf(ed.p);
      auto it = continues.find({e, other});
      if (it == continues.end() || roadOfEdge[static_cast<std::size_t>(it->second)] >= 0) break;
      e = it->second;
      at = other;
    }
    road.parts.push_back(std::move(line));
    road.community =
        road.level == RoadLevel::kArterial || road.level == RoadLevel::kExpressway
            ? -1
            : std::max_element(communityVotes.begin(), communityVotes.end(),
                               [](const auto& a, const auto& b) { return a.second < b.second; })
                  ->first;
    d.roads.push_back(std::move(road));
  }
  // A Voronoi network meets in Y junctions, so chains stay short: one ends
  // at every junction. Small streets and lanes are therefore named in
  // groups of up to four chains that meet at a junction inside the same
  // community (one name, several connected parts), as real side streets
  // carry one name around a corner.
  {
    const std::size_t chains = d.roads.size();
    std::vector<int> parent(chains);
    std::vector<int> size(chains, 1);
    for (std::size_t i = 0; i < chains; ++i) parent[i] = static_cast<int>(i);
    auto find = [&](int x) {
      while (parent[static_cast<std::size_t>(x)] != x) {
        parent[static_cast<std::size_t>(x)] =
            parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(x)])];
        x = parent[static_cast<std::size_t>(x)];
      }
      return x;
    };
    std::map<VertexKey, std::vector<int>> chainsAt;
    for (std::size_t r = 0; r < chains; ++r) {
      for (const auto& p : d.roads[r].parts.front())
        chainsAt[keyOf(p)].push_back(static_cast<int>(r));
    }
    for (std::size_t r = 0; r < chains; ++r) {
      const Road& road = d.roads[r];
      for (const Point& end : {road.parts.front().front(), road.parts.front().back()}) {
        for (int other : chainsAt[keyOf(end)]) {
          const Road& o = d.roads[static_cast<std::size_t>(other)];
          if (other == static_cast<int>(r) || o.level != road.level ||
              o.community != road.community)
            continue;
          int a = find(static_cast<int>(r)), b = find(other);
          if (a == b || size[static_cast<std::size_t>(a)] + size[static_cast<std::size_t>(b)] > 7)
            continue;
          parent[static_cast<std::size_t>(b)] = a;
          size[static_cast<std::size_t>(a)] += size[static_cast<std::size_t>(b)];
        }
      }
    }
    std::vector<int> newIndex(chains, -1);
    std::vector<Road> merged;
    for (std::size_t r = 0; r < chains; ++r) {
      int root = find(static_cast<int>(r));
      if (newIndex[static_cast<std::size_t>(root)] < 0) {
        newIndex[static_cast<std::size_t>(root)] = static_cast<int>(merged.size());
        merged.push_back(Road{{}, d.roads[r].level, d.roads[r].width, {}, d.roads[r].community});
      }
      newIndex[r] = newIndex[static_cast<std::size_t>(root)];
      auto& parts = merged[static_cast<std::size_t>(newIndex[r])].parts;
      parts.push_back(std::move(d.roads[r].parts.front()));
    }
    for (auto& r : roadOfEdge) {
      if (r >= 0) r = newIndex[static_cast<std::size_t>(r)];
    }
    d.roads = std::move(merged);
  }

  // The few longest arterial chains on street boundaries are expressways.
  {
    std::vector<std::pair<double, std::size_t>> longest;
    for (std::size_t r = 0; r < d.roads.size(); ++r) {
      if (d.roads[r].level != RoadLevel::kArterial || d.roads[r].community >= 0) continue;
      longest.emplace_back(-geo::length(d.roads[r].parts.front()), r);
    }
    std::sort(longest.begin(), longest.end());
    for (std::size_t i = 0; i < std::min<std::size_t>(4, longest.size()); ++i) {
      d.roads[longest[i].second].level = RoadLevel::kExpressway;
      d.roads[longest[i].second].width = roadWidth(RoadLevel::kExpressway);
    }
  }
  d.blockEdgeRoad.assign(n, {});
  for (std::size_t b = 0; b < n; ++b) {
    d.blockEdgeRoad[b].assign(
        d.blocks[b].cell.outer.size() > 0 ? d.blocks[b].cell.outer.size() - 1 : 0, -1);
  }
  for (std::size_t e = 0; e < edges.size(); ++e) {
    const Edge& ed = edges[e];
    if (ed.right < 0) continue;
    d.blockEdgeRoad[static_cast<std::size_t>(ed.left)][static_cast<std::size_t>(ed.leftSegment)] =
        roadOfEdge[e];
    d.blockEdgeRoad[static_cast<std::size_t>(ed.right)][static_cast<std::size_t>(ed.rightSegment)] =
        roadOfEdge[e];
  }
  return d;
}

}  // namespace gridtwin::generator
