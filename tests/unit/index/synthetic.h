#pragma once
// A synthetic grid coverage built in-process for the index tests, in
// EPSG:4547-like metres (x around 500 km, y around 2,540 km), integer
// coordinates only, so that every edge midpoint is exactly representable and
// exactly on its edge.
//
// A lattice of nx × ny quadrilateral cells whose corners are jittered and
// whose sides are subdivided into jittered steps shared by both neighbours
// (so the coverage has no gap and no overlap); a few cells are left out (the
// district's outline gets concave, with outside pockets); one cell has a
// square hole filled by an island grid; two diagonal cells form one
// multipolygon grid touching at a vertex. Codes are 15 digits, shuffled, so
// code order is not index order.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "geo/geos.h"
#include "index/grid_locator.h"

namespace gridtwin::index::test {

inline std::vector<GridLocator::GridShape> syntheticCoverage(std::uint64_t seed, int nx = 12,
                                                             int ny = 10, int steps = 6) {
  std::mt19937_64 rng(seed);
  const double cell = 600;  // metres
  const double x0 = 500000, y0 = 2540000;
  std::uniform_int_distribution<int> jitter(-80, 80), small(-25, 25);
  // Corner lattice.
  std::vector<geo::Point> corner((nx + 1) * (ny + 1));
  for (int j = 0; j <= ny; ++j) {
    for (int i = 0; i <= nx; ++i) {
      corner[j * (nx + 1) + i] = {x0 + i * cell + jitter(rng), y0 + j * cell + jitter(rng)};
    }
  }
  auto C = [&](int i, int j) { return corner[j * (nx + 1) + i]; };
  // Subdivided sides, shared: key (from corner index, to corner index).
  std::map<std::pair<int, int>, std::vector<geo::Point>> sides;
  auto side = [&](int a, int b) -> std::vector<geo::Point> {
    const bool flip = a > b;
    const auto key = flip ? std::make_pair(b, a) : std::make_pair(a, b);
    auto it = sides.find(key);
    if (it == sides.end()) {
      const geo::Point pa = corner[key.first], pb = corner[key.second];
      std::vector<geo::Point> pts{pa};
      for (int s = 1; s < steps; ++s) {
        const double t = static_cast<double>(s) / steps;
        pts.push_back({std::round(pa.x + (pb.x - pa.x) * t) + small(rng),
                       std::round(pa.y + (pb.y - pa.y) * t) + small(rng)});
      }
      pts.push_back(pb);
      it = sides.emplace(key, pts).first;
    }
    std::vector<geo::Point> pts = it->second;
    if (flip) std::reverse(pts.begin(), pts.end());
    return pts;
  };
  auto idx = [&](int i, int j) { return j * (nx + 1) + i; };
  auto cellRing = [&](int i, int j) {
    geo::Ring ring;
    const int k[4] = {idx(i, j), idx(i + 1, j), idx(i + 1, j + 1), idx(i, j + 1)};
    for (int e = 0; e < 4; ++e) {
      auto pts = side(k[e], k[(e + 1) % 4]);
      ring.insert(ring.end(), pts.begin(), pts.end() - 1);
    }
    ring.push_back(ring.front());
    return ring;
  };
  (void)C;
  std::vector<GridLocator::GridShape> grids;
  const int holeI = nx / 2, holeJ = ny / 2;
  const int multiI = 2, multiJ = 2;  // (2,2) and (3,3) form one grid
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      const bool dropped = (i == 0 && j == 0) || (i == nx - 1 && j == ny - 1) ||
                           (i == 4 && j == 1) || (i == nx - 1 && j == 3);
      if (dropped) continue;
      if (i == multiI + 1 && j == multiJ + 1) continue;  // part of the multipolygon
      GridLocator::GridShape g;
      geo::Polygon p{cellRing(i, j), {}};
      if (i == holeI && j == holeJ) {
        const geo::Point c = C(i, j);
        const double hx = c.x + 200, hy = c.y + 200;
        geo::Ring hole{{hx, hy}, {hx, hy + 160}, {hx + 160, hy + 160}, {hx + 160, hy}, {hx, hy}};
        p.holes.push_back(hole);
        GridLocator::GridShape island;
        island.xy.polygons.push_back(
            {{{hx, hy}, {hx + 160, hy}, {hx + 160, hy + 160}, {hx, hy + 160}, {hx, hy}}, {}});
        grids.push_back(std::move(island));
      }
      g.xy.polygons.push_back(std::move(p));
      if (i == multiI && j == multiJ) {
        g.xy.polygons.push_back({cellRing(i + 1, j + 1), {}});
      }
      grids.push_back(std::move(g));
    }
  }
  std::vector<int> codes(grids.size());
  for (std::size_t k = 0; k < codes.size(); ++k) codes[k] = static_cast<int>(k) + 1;
  std::shuffle(codes.begin(), codes.end(), rng);
  for (std::size_t k = 0; k < grids.size(); ++k) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "440604%09d", codes[k]);
    grids[k].code = buf;
  }
  return grids;
}

// The slow obvious twin: GEOS prepared covers on every grid whose box holds
// the point, lowest code wins. Prepared geometries belong to the thread that
// made them (geo/geos.h): make one Oracle per thread.
class Oracle {
 public:
  explicit Oracle(const std::vector<GridLocator::GridShape>& grids) : m_grids(grids) {
    for (const auto& g : grids) {
      auto p = geo::Prepared::make(geo::Geometry(g.xy));
      m_prepared.push_back(std::move(p.value()));
      m_boxes.push_back(geo::bbox(g.xy));
    }
  }
  std::int32_t operator()(const geo::Point& p) const {
    std::int32_t best = GridLocator::kOutside;
    for (std::size_t g = 0; g < m_grids.size(); ++g) {
      if (!m_boxes[g].contains(p)) continue;
      if (!m_prepared[g].coversPoint(p)) continue;
      if (best < 0 || m_grids[g].code < m_grids[static_cast<std::size_t>(best)].code) {
        best = static_cast<std::int32_t>(g);
      }
    }
    return best;
  }
  // How many grids cover p (ties are points with 2+).
  int coverCount(const geo::Point& p) const {
    int n = 0;
    for (std::size_t g = 0; g < m_grids.size(); ++g) {
      if (m_boxes[g].contains(p) && m_prepared[g].coversPoint(p)) ++n;
    }
    return n;
  }

 private:
  const std::vector<GridLocator::GridShape>& m_grids;
  std::vector<geo::Prepared> m_prepared;
  std::vector<geo::Box> m_boxes;
};

}  // namespace gridtwin::index::test
