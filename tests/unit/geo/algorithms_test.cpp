#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "geo/algorithms.h"

namespace geo = gridtwin::geo;
using geo::Location;

namespace {
geo::Ring square(double x0, double y0, double x1, double y1) {
  return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}};
}
}  // namespace

TEST(Orientation, IsExactAndConsistentForNearlyCollinearPoints) {
  // Naive double determinants break these symmetries near collinearity.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  int collinearSeen = 0;
  for (int i = 0; i < 20000; ++i) {
    const geo::Point a{0.5, 0.5};
    const geo::Point b{12 + u(rng) * 1e-3, 12 + u(rng) * 1e-3};
    const double t = u(rng);
    geo::Point c{a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)};
    c.x = std::nextafter(c.x, (i % 3 == 0) ? 100.0 : -100.0);
    const int o = geo::orientation(a, b, c);
    EXPECT_EQ(o, geo::orientation(b, c, a));
    EXPECT_EQ(o, geo::orientation(c, a, b));
    EXPECT_EQ(o, -geo::orientation(b, a, c));
    if (o == 0) ++collinearSeen;
  }
  EXPECT_EQ(geo::orientation({0, 0}, {3, 1}, {1.5, 0.5}), 0);
  EXPECT_EQ(geo::orientation({0, 0}, {1, 0}, {0.5, 1e-300}), 1);
  EXPECT_EQ(geo::orientation({0, 0}, {1, 0}, {0.5, -1e-300}), -1);
  static_cast<void>(collinearSeen);
}

TEST(Locate, SquareInteriorBoundaryExterior) {
  const geo::Ring r = square(0, 0, 10, 10);
  EXPECT_EQ(geo::locate({5, 5}, r), Location::kInterior);
  EXPECT_EQ(geo::locate({0, 0}, r), Location::kBoundary);    // vertex
  EXPECT_EQ(geo::locate({10, 10}, r), Location::kBoundary);  // vertex
  EXPECT_EQ(geo::locate({5, 0}, r), Location::kBoundary);    // bottom edge
  EXPECT_EQ(geo::locate({0, 7}, r), Location::kBoundary);    // left edge
  EXPECT_EQ(geo::locate({10, 3}, r), Location::kBoundary);   // right edge
  EXPECT_EQ(geo::locate({-1, 5}, r), Location::kExterior);
  EXPECT_EQ(geo::locate({11, 5}, r), Location::kExterior);
  EXPECT_EQ(geo::locate({5, 10.000001}, r), Location::kExterior);
  // Ray through a vertex must count once.
  EXPECT_EQ(geo::locate({-5, 0}, r), Location::kExterior);
  EXPECT_EQ(geo::locate({-5, 10}, r), Location::kExterior);
}

TEST(Locate, PointOnSlopedEdgeIsBoundaryExactly) {
  const geo::Ring tri{{0, 0}, {3, 1}, {0, 2}, {0, 0}};
  EXPECT_EQ(geo::locate({1.5, 0.5}, tri), Location::kBoundary);
  EXPECT_EQ(geo::locate({1.5, std::nextafter(0.5, 1.0)}, tri), Location::kInterior);
  EXPECT_EQ(geo::locate({1.5, std::nextafter(0.5, 0.0)}, tri), Location::kExterior);
}

TEST(Locate, ConcaveRingAndRayThroughReflexVertex) {
  // A "W" shape: the ray from (1, 2) passes through the reflex vertex (2, 2).
  const geo::Ring w{{0, 0}, {4, 0}, {4, 4}, {3, 4}, {2, 2}, {1, 4}, {0, 4}, {0, 0}};
  EXPECT_EQ(geo::locate({1, 2}, w), Location::kInterior);
  EXPECT_EQ(geo::locate({2, 3}, w), Location::kExterior);
  EXPECT_EQ(geo::locate({2, 2}, w), Location::kBoundary);
  EXPECT_EQ(geo::locate({1.5, 3}, w), Location::kBoundary);
}

TEST(Locate, HolesAreExteriorAndTheirRingsBoundary) {
  const geo::Polygon p{square(0, 0, 10, 10), {square(4, 4, 6, 6)}};
  EXPECT_EQ(geo::locate({5, 5}, p), Location::kExterior);
  EXPECT_EQ(geo::locate({4, 5}, p), Location::kBoundary);
  EXPECT_EQ(geo::locate({6, 6}, p), Location::kBoundary);
  EXPECT_EQ(geo::locate({2, 2}, p), Location::kInterior);
  EXPECT_EQ(geo::locate({0, 2}, p), Location::kBoundary);
  EXPECT_EQ(geo::locate({20, 2}, p), Location::kExterior);
}

TEST(Locate, DegenerateRingsHaveNoInterior) {
  EXPECT_EQ(geo::locate({0, 0}, geo::Ring{}), Location::kExterior);
  const geo::Ring flat{{0, 0}, {5, 0}, {10, 0}, {0, 0}};
  EXPECT_EQ(geo::locate({3, 0}, flat), Location::kBoundary);
  EXPECT_EQ(geo::locate({3, 1}, flat), Location::kExterior);
  EXPECT_EQ(geo::locate({3, -1}, flat), Location::kExterior);
  // Repeated vertices change nothing.
  const geo::Ring repeated{{0, 0}, {0, 0}, {4, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}};
  EXPECT_EQ(geo::locate({2, 2}, repeated), Location::kInterior);
  EXPECT_EQ(geo::locate({4, 0}, repeated), Location::kBoundary);
  // An open ring is treated as closed.
  const geo::Ring open{{0, 0}, {4, 0}, {4, 4}, {0, 4}};
  EXPECT_EQ(geo::locate({0, 2}, open), Location::kBoundary);
  EXPECT_EQ(geo::locate({2, 2}, open), Location::kInterior);
  EXPECT_EQ(geo::locate(geo::emptyPoint(), square(0, 0, 1, 1)), Location::kExterior);
}

TEST(Locate, MultiPolygonSharedVertexIsBoundary) {
  const geo::MultiPolygon m{
      {geo::Polygon{square(0, 0, 40, 40), {}}, geo::Polygon{square(40, 40, 80, 80), {}}}};
  EXPECT_EQ(geo::locate({40, 40}, m), Location::kBoundary);
  EXPECT_EQ(geo::locate({60, 60}, m), Location::kInterior);
  EXPECT_EQ(geo::locate({60, 20}, m), Location::kExterior);
  EXPECT_EQ(geo::locate({1, 1}, geo::MultiPolygon{}), Location::kExterior);
}

TEST(Measures, AreaLengthClosedCentroid) {
  const geo::Ring ccw = square(0, 0, 4, 2);
  geo::Ring cw(ccw.rbegin(), ccw.rend());
  EXPECT_DOUBLE_EQ(geo::signedArea(ccw), 8);
  EXPECT_DOUBLE_EQ(geo::signedArea(cw), -8);
  const geo::Polygon withHole{cw, {square(1, 0.5, 2, 1.5)}};
  EXPECT_DOUBLE_EQ(geo::area(withHole), 7);
  EXPECT_DOUBLE_EQ(
      geo::area(geo::MultiPolygon{{withHole, geo::Polygon{square(10, 10, 11, 11), {}}}}), 8);
  EXPECT_DOUBLE_EQ(geo::length(geo::LineString{{0, 0}, {3, 4}, {3, 5}}), 6);
  EXPECT_TRUE(geo::isClosed(ccw));
  EXPECT_FALSE(geo::isClosed(geo::Ring{{0, 0}, {1, 0}, {1, 1}}));
  EXPECT_FALSE(geo::isClosed(geo::Ring{}));
  const geo::Point c = geo::centroid(geo::Polygon{ccw, {}});
  EXPECT_DOUBLE_EQ(c.x, 2);
  EXPECT_DOUBLE_EQ(c.y, 1);
  // A hole on the left moves the centroid right.
  const geo::Point ch = geo::centroid(geo::Polygon{square(0, 0, 4, 4), {square(0.5, 1, 1.5, 3)}});
  EXPECT_GT(ch.x, 2);
  EXPECT_DOUBLE_EQ(ch.y, 2);
  EXPECT_TRUE(geo::isEmpty(geo::centroid(geo::Polygon{})));
  // Far from the origin (projected metres) the area keeps its precision.
  const geo::Ring far = square(38500000, 2540000, 38500001, 2540001);
  EXPECT_DOUBLE_EQ(geo::signedArea(far), 1);
}

TEST(Predicates, PointVersusPolygonFollowsBoundarySemantics) {
  const geo::Polygon p{square(0, 0, 10, 10), {}};
  const geo::Point inside{5, 5};
  const geo::Point edge{10, 5};
  const geo::Point outside{15, 5};
  EXPECT_TRUE(geo::contains(p, inside));
  EXPECT_FALSE(geo::contains(p, edge));
  EXPECT_TRUE(geo::covers(p, edge));
  EXPECT_TRUE(geo::touches(edge, p));
  EXPECT_FALSE(geo::touches(inside, p));
  EXPECT_TRUE(geo::within(inside, p));
  EXPECT_TRUE(geo::coveredBy(edge, p));
  EXPECT_TRUE(geo::disjoint(outside, p));
  EXPECT_FALSE(geo::intersects(outside, p));
  EXPECT_TRUE(geo::disjoint(geo::emptyPoint(), p));
  EXPECT_FALSE(geo::intersects(geo::emptyPoint(), p));
}

TEST(Predicates, MultiPointNeedsOneInteriorPointToBeWithin) {
  const geo::Polygon p{square(0, 0, 10, 10), {}};
  const geo::MultiPoint boundaryOnly{{{0, 0}, {10, 5}}};
  const geo::MultiPoint mixed{{{0, 0}, {5, 5}}};
  const geo::MultiPoint partlyOut{{{5, 5}, {50, 5}}};
  EXPECT_FALSE(geo::within(boundaryOnly, p));
  EXPECT_TRUE(geo::coveredBy(boundaryOnly, p));
  EXPECT_TRUE(geo::touches(boundaryOnly, p));
  EXPECT_TRUE(geo::within(mixed, p));
  EXPECT_TRUE(geo::contains(p, mixed));
  EXPECT_FALSE(geo::touches(mixed, p));
  EXPECT_FALSE(geo::covers(p, partlyOut));
  EXPECT_TRUE(geo::intersects(partlyOut, p));
  EXPECT_FALSE(geo::coveredBy(geo::MultiPoint{}, p));
  EXPECT_TRUE(geo::disjoint(geo::MultiPoint{}, p));
}

TEST(Relate, MatrixOfPointsAgainstPolygon) {
  const geo::MultiPolygon m{{geo::Polygon{square(20, 0, 60, 40), {}}}};
  EXPECT_EQ(geo::relate(geo::MultiPoint{{{0, 20}, {40, 20}}}, m), "0F0FFF212");
  EXPECT_EQ(geo::relate(geo::MultiPoint{{{20, 20}}}, m), "F0FFFF212");
  EXPECT_EQ(geo::transposeMatrix("0F0FFF212"), "0F2FF10F2");
  EXPECT_TRUE(geo::relateMatches("0F0FFF212", "T*T******"));
  EXPECT_FALSE(geo::relateMatches("0F0FFF212", "F********"));
  EXPECT_TRUE(geo::relateMatches("0F0FFF212", "0F0FFF212"));
  EXPECT_FALSE(geo::relateMatches("0F0FFF212", "1********"));
  EXPECT_FALSE(geo::relateMatches("0F0", "*********"));
}
