#include "geo/triangulate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "geo/algorithms.h"

namespace geo = gridtwin::geo;

namespace {

geo::Ring square(double x0, double y0, double x1, double y1) {
  return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}};
}

geo::Ring reversed(geo::Ring r) {
  std::reverse(r.begin(), r.end());
  return r;
}

// A star-shaped ring around (cx, cy): `n` points at random radii in [r0, r1].
geo::Ring star(std::mt19937_64& rng, double cx, double cy, int n, double r0, double r1) {
  std::uniform_real_distribution<double> radius(r0, r1);
  geo::Ring r;
  for (int i = 0; i < n; ++i) {
    const double a = 2 * std::numbers::pi * i / n;
    const double d = radius(rng);
    r.push_back({cx + d * std::cos(a), cy + d * std::sin(a)});
  }
  r.push_back(r.front());
  return r;
}

double triangleArea(const geo::Point& a, const geo::Point& b, const geo::Point& c) {
  return ((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)) / 2;
}

// Every triangle is counter-clockwise with a positive area, indexes a real
// vertex, has its centroid inside the polygon, and together they cover
// exactly the polygon's area.
void expectTiles(const geo::Polygon& polygon, double relTolerance = 1e-9) {
  const auto tris = geo::triangulate(polygon);
  const auto verts = geo::triangulationVertices(polygon);
  ASSERT_EQ(tris.size() % 3, 0u);
  double sum = 0;
  for (std::size_t t = 0; t < tris.size(); t += 3) {
    ASSERT_LT(tris[t], verts.size());
    ASSERT_LT(tris[t + 1], verts.size());
    ASSERT_LT(tris[t + 2], verts.size());
    const geo::Point& a = verts[tris[t]];
    const geo::Point& b = verts[tris[t + 1]];
    const geo::Point& c = verts[tris[t + 2]];
    const double area = triangleArea(a, b, c);
    EXPECT_GT(area, 0) << "triangle " << t / 3;
    const geo::Point centroid{(a.x + b.x + c.x) / 3, (a.y + b.y + c.y) / 3};
    EXPECT_TRUE(geo::coveredBy(centroid, polygon))
        << "triangle " << t / 3 << " centroid " << centroid.x << "," << centroid.y;
    sum += area;
  }
  EXPECT_NEAR(sum, geo::area(polygon), relTolerance * geo::area(polygon));
}

}  // namespace

TEST(Triangulate, SquareGivesTwoTriangles) {
  geo::Polygon p{square(0, 0, 10, 10), {}};
  EXPECT_EQ(geo::triangulate(p).size(), 6u);
  expectTiles(p);
}

TEST(Triangulate, ClockwiseInputGivesCounterClockwiseTriangles) {
  expectTiles(geo::Polygon{reversed(square(0, 0, 3, 2)), {}});
}

TEST(Triangulate, ConcaveLShape) {
  geo::Polygon p{{{0, 0}, {4, 0}, {4, 1}, {1, 1}, {1, 4}, {0, 4}, {0, 0}}, {}};
  EXPECT_EQ(geo::triangulate(p).size(), 3u * 4);
  expectTiles(p);
}

TEST(Triangulate, HoleIsLeftOpen) {
  geo::Polygon p{square(0, 0, 10, 10), {square(4, 4, 6, 6)}};
  expectTiles(p);
  // n + 2h - 2 triangles for n vertices and h holes.
  EXPECT_EQ(geo::triangulate(p).size(), 3u * (8 + 2 - 2));
}

TEST(Triangulate, SeveralHolesInEitherOrientation) {
  geo::Polygon p{square(0, 0, 20, 10),
                 {square(2, 2, 4, 4), reversed(square(8, 3, 12, 7)), square(15, 2, 18, 8)}};
  expectTiles(p);
}

TEST(Triangulate, HoleWhoseRayHitsAVertexExactly) {
  // The hole's rightmost vertex is level with an outer vertex.
  geo::Polygon p{{{0, 0}, {10, 0}, {12, 5}, {10, 10}, {0, 10}, {0, 0}},
                 {{{3, 4}, {5, 5}, {3, 6}, {3, 4}}}};
  expectTiles(p);
}

TEST(Triangulate, RandomStarsWithAndWithoutHoles) {
  std::mt19937_64 rng(11);
  for (int k = 0; k < 300; ++k) {
    const int n = 3 + static_cast<int>(rng() % 200);
    geo::Polygon p{star(rng, 0, 0, n, 50, 100), {}};
    if (k % 2 == 1) {
      p.holes.push_back(star(rng, -10, 5, 3 + static_cast<int>(rng() % 20), 5, 15));
      p.holes.push_back(star(rng, 25, -5, 3 + static_cast<int>(rng() % 20), 5, 15));
    }
    SCOPED_TRACE("star " + std::to_string(k));
    expectTiles(p, 1e-7);
  }
}

TEST(Triangulate, RepeatedAndCollinearPointsAddNoSlivers) {
  geo::Polygon p{{{0, 0}, {5, 0}, {5, 0}, {10, 0}, {10, 10}, {5, 10}, {0, 10}, {0, 0}}, {}};
  expectTiles(p);
}

TEST(Triangulate, DegenerateRingsGiveNothing) {
  EXPECT_TRUE(geo::triangulate(geo::Polygon{}).empty());
  EXPECT_TRUE(geo::triangulate(geo::Polygon{{{0, 0}, {1, 1}, {0, 0}}, {}}).empty());
  EXPECT_TRUE(geo::triangulate(geo::Polygon{{{0, 0}, {1, 1}, {2, 2}, {0, 0}}, {}}).empty());
}

TEST(Triangulate, SelfCrossingRingEndsWithIndicesInRange) {
  // A bow tie is not a valid polygon: any triangles, but no hang and no
  // index outside the ring.
  geo::Polygon p{{{0, 0}, {10, 10}, {10, 0}, {0, 10}, {0, 0}}, {}};
  const auto tris = geo::triangulate(p);
  for (auto i : tris) EXPECT_LT(i, 4u);
}
