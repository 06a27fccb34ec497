// BandedPolygon::locate against locate() itself, point for point: on every
// vertex, on points of the edges, on the y of every vertex (rays through
// vertices and along horizontal edges), on the bands' own edges, and at
// random, for boxes, densified turned boxes, stars, holes and open rings.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "geo/algorithms.h"
#include "geo/banded_polygon.h"

namespace gridtwin::geo {
namespace {

Ring box(double x0, double y0, double x1, double y1) {
  return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}};
}

// A box turned by `angle` about (cx, cy), each side cut into `steps`, as
// the service's projected lon/lat boxes are.
Ring turnedBox(double cx, double cy, double half, double angle, int steps) {
  const double c = std::cos(angle), s = std::sin(angle);
  const Point corner[5] = {
      {-half, -half}, {half, -half}, {half, half}, {-half, half}, {-half, -half}};
  Ring r;
  for (int e = 0; e < 4; ++e) {
    for (int k = 0; k < steps; ++k) {
      const double t = static_cast<double>(k) / steps;
      const double x = corner[e].x + (corner[e + 1].x - corner[e].x) * t;
      const double y = corner[e].y + (corner[e + 1].y - corner[e].y) * t;
      r.push_back({cx + x * c - y * s, cy + x * s + y * c});
    }
  }
  r.push_back(r.front());
  return r;
}

Ring star(std::mt19937_64& rng, double cx, double cy, int corners) {
  std::uniform_real_distribution<double> u(0, 1);
  Ring r;
  for (int k = 0; k < corners; ++k) {
    const double a = 2 * M_PI * (k + u(rng) * 0.5) / corners;
    const double d = 10 + 90 * u(rng);
    r.push_back({cx + d * std::cos(a), cy + d * std::sin(a)});
  }
  r.push_back(r.front());
  return r;
}

// Returns how many points were on the boundary, inside and outside, so a
// polygon whose points all fell one way shows.
std::array<int, 3> expectSameEverywhere(const Polygon& polygon, std::uint64_t seed,
                                        const std::string& what) {
  const BandedPolygon banded(polygon);
  std::array<int, 3> seen{};
  const auto check = [&](const Point& p) {
    const Location want = locate(p, polygon);
    ASSERT_EQ(banded.locate(p), want) << what << " at (" << p.x << ", " << p.y << ")";
    ++seen[static_cast<std::size_t>(want)];
  };
  Box bounds;
  std::vector<const Ring*> rings{&polygon.outer};
  for (const Ring& h : polygon.holes) rings.push_back(&h);
  for (const Ring* r : rings) {
    for (const Point& p : *r) bounds.expand(p);
  }
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  for (const Ring* r : rings) {
    for (std::size_t i = 0; i < r->size(); ++i) {
      const Point& a = (*r)[i];
      const Point& b = (*r)[(i + 1) % r->size()];
      check(a);
      for (double t : {0.5, 0.25, u(rng)}) check({a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t});
      // Rays through the vertex, from both sides and beyond the bounds.
      for (double x : {bounds.minx - 1, a.x - 1e-9, a.x + 1e-9, bounds.maxx + 1,
                       bounds.minx + u(rng) * bounds.width()}) {
        check({x, a.y});
      }
      check({std::nextafter(a.x, -1e300), std::nextafter(a.y, 1e300)});
    }
  }
  // The bands' edges: 1,024 evenly spaced y over the bounds and just off them.
  for (int k = 0; k <= 1024; ++k) {
    const double y = bounds.miny + bounds.height() * k / 1024;
    for (double yy : {y, std::nextafter(y, -1e300), std::nextafter(y, 1e300)}) {
      check({bounds.minx + u(rng) * bounds.width(), yy});
    }
  }
  for (int i = 0; i < 20000; ++i) {
    check({bounds.minx - 5 + u(rng) * (bounds.width() + 10),
           bounds.miny - 5 + u(rng) * (bounds.height() + 10)});
  }
  return seen;
}

TEST(BandedPolygon, LocatesEveryPointAsLocateDoes) {
  std::mt19937_64 rng(7);
  std::vector<std::pair<std::string, Polygon>> cases;
  cases.push_back({"square", {box(0, 0, 10, 10), {}}});
  cases.push_back(
      {"square with two holes", {box(0, 0, 10, 10), {box(2, 2, 4, 4), box(4, 4, 6, 8)}}});
  cases.push_back({"turned box", {turnedBox(441000.5, 2546000.25, 2000, 0.006, 32), {}}});
  cases.push_back({"turned box with a hole",
                   {turnedBox(441000.5, 2546000.25, 2000, 0.006, 32),
                    {turnedBox(441200, 2546100, 500, -0.3, 5)}}});
  cases.push_back({"axis box densified", {turnedBox(0, 0, 100, 0, 32), {}}});
  for (int i = 0; i < 10; ++i) {
    cases.push_back({"star " + std::to_string(i), {star(rng, 1000, 2000, 3 + i * 7), {}}});
  }
  Ring open = box(0, 0, 10, 10);
  open.pop_back();
  cases.push_back({"open ring", {open, {}}});
  cases.push_back({"a horizontal line", {{{0, 5}, {10, 5}, {0, 5}}, {}}});
  cases.push_back({"one point", {{{3, 4}}, {}}});
  cases.push_back({"empty", {}});
  std::array<int, 3> total{};
  std::uint64_t seed = 1;
  for (const auto& [name, polygon] : cases) {
    const auto seen = expectSameEverywhere(polygon, seed++, name);
    for (int k = 0; k < 3; ++k) total[k] += seen[k];
  }
  EXPECT_GT(total[0], 1000);  // exterior
  EXPECT_GT(total[1], 1000);  // boundary
  EXPECT_GT(total[2], 1000);  // interior
}

TEST(BandedPolygon, OffersEverySegmentThatMeetsARangeOfY) {
  std::mt19937_64 rng(3);
  const Polygon polygon{star(rng, 0, 0, 40), {}};
  const BandedPolygon banded(polygon);
  std::uniform_real_distribution<double> u(-110, 110);
  for (int i = 0; i < 2000; ++i) {
    double y0 = u(rng), y1 = u(rng);
    if (y0 > y1) std::swap(y0, y1);
    for (std::size_t k = 0; k + 1 < polygon.outer.size(); ++k) {
      const Point& a = polygon.outer[k];
      const Point& b = polygon.outer[k + 1];
      if (std::max(a.y, b.y) < y0 || std::min(a.y, b.y) > y1) continue;
      EXPECT_TRUE(banded.anySegment(
          y0, y1, [&](const Point& p, const Point& q) { return p == a && q == b; }))
          << "segment " << k << " in [" << y0 << ", " << y1 << "]";
    }
  }
}

}  // namespace
}  // namespace gridtwin::geo
