#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <thread>

#include "geo/algorithms.h"
#include "geo/geos.h"
#include "geo/wkt.h"

namespace geo = gridtwin::geo;
using gridtwin::core::ErrorCode;

namespace {

geo::Geometry wkt(const char* text) {
  auto g = geo::readWkt(text);
  EXPECT_TRUE(g.ok()) << text;
  return g.ok() ? *g : geo::Geometry{};
}

geo::Ring square(double x0, double y0, double x1, double y1) {
  return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}};
}

// GEOS's answer for locate(), read off the DE-9IM matrix of point vs polygon.
geo::Location geosLocate(const geo::Point& p, const geo::Polygon& poly) {
  const std::string m = geo::geosRelate(p, poly);
  EXPECT_EQ(m.size(), 9u);
  if (m.size() != 9) return geo::Location::kExterior;
  if (m[0] == '0') return geo::Location::kInterior;
  if (m[1] == '0') return geo::Location::kBoundary;
  return geo::Location::kExterior;
}

// A random simple polygon on an integer lattice: star-shaped around its
// centre (angles sorted, radii random), optionally with a square hole around
// the centre that is smaller than every radius.
geo::Polygon randomStarPolygon(std::mt19937& rng, bool withHole) {
  std::uniform_int_distribution<int> vertices(3, 14);
  std::uniform_real_distribution<double> angle(0, 2 * M_PI);
  std::uniform_int_distribution<int> radius(6, 40);
  const int n = vertices(rng);
  std::vector<double> angles(static_cast<std::size_t>(n));
  for (double& a : angles) a = angle(rng);
  std::sort(angles.begin(), angles.end());
  geo::Ring ring;
  for (double a : angles) {
    const double r = radius(rng);
    const geo::Point p{std::round(100 + r * std::cos(a)), std::round(100 + r * std::sin(a))};
    if (ring.empty() || !(ring.back() == p)) ring.push_back(p);
  }
  // Axis-aligned edges with exactly representable midpoints.
  ring.push_back({ring.back().x, ring.front().y});
  ring.push_back(ring.front());
  geo::Polygon poly{ring, {}};
  if (withHole) poly.holes.push_back(square(98, 98, 102, 102));
  return poly;
}

}  // namespace

TEST(Geos, ConvertsEveryKindBothWays) {
  for (const char* text :
       {"POINT (1 2)", "POINT EMPTY", "LINESTRING (0 0, 1 1)", "LINESTRING EMPTY",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 3, 3 3, 2 2))", "POLYGON EMPTY",
        "MULTIPOINT ((1 2), (3 4))", "MULTILINESTRING ((0 0, 1 1), (2 2, 3 3))",
        "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))",
        "GEOMETRYCOLLECTION (POINT (1 2), GEOMETRYCOLLECTION (LINESTRING (0 0, 1 1)))",
        "GEOMETRYCOLLECTION EMPTY"}) {
    const geo::Geometry g = wkt(text);
    auto gg = geo::toGeos(g);
    ASSERT_TRUE(gg.ok()) << text << ": " << gg.error().toString();
    auto back = geo::fromGeos(gg->get());
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(*back, g) << text;
  }
}

TEST(Geos, ConversionFailureCarriesGeosText) {
  const geo::Polygon open{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}, {}};
  auto gg = geo::toGeos(open);
  ASSERT_FALSE(gg.ok());
  EXPECT_EQ(gg.error().code, ErrorCode::kGeosFailure);
  EXPECT_NE(gg.error().message.find("closed"), std::string::npos) << gg.error().message;
}

TEST(Geos, IntersectionDifferenceAndUnion) {
  const geo::Polygon a{square(0, 0, 10, 10), {}};
  const geo::Polygon b{square(5, 5, 15, 15), {}};
  auto i = geo::intersection(a, b);
  ASSERT_TRUE(i.ok());
  EXPECT_DOUBLE_EQ(geo::geosArea(*i), 25);
  ASSERT_TRUE(std::holds_alternative<geo::Polygon>(*i));
  EXPECT_DOUBLE_EQ(geo::area(std::get<geo::Polygon>(*i)), 25);
  auto d = geo::difference(a, b);
  ASSERT_TRUE(d.ok());
  EXPECT_DOUBLE_EQ(geo::geosArea(*d), 75);
  auto u = geo::unionAll({a, b, geo::Polygon{square(20, 20, 21, 21), {}}});
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(std::holds_alternative<geo::MultiPolygon>(*u));
  EXPECT_DOUBLE_EQ(geo::geosArea(*u), 176);
  auto uu = geo::unaryUnion(geo::MultiPolygon{{a, b}});
  ASSERT_TRUE(uu.ok());
  EXPECT_TRUE(std::holds_alternative<geo::Polygon>(*uu));
  EXPECT_DOUBLE_EQ(geo::geosArea(*uu), 175);
}

TEST(Geos, BufferSimplifyMakeValid) {
  auto buf = geo::buffer(geo::Point{0, 0}, 10, 16);
  ASSERT_TRUE(buf.ok());
  EXPECT_NEAR(geo::geosArea(*buf), M_PI * 100, 1.0);
  EXPECT_EQ(geo::locate(geo::Point{0, 0}, std::get<geo::Polygon>(*buf)), geo::Location::kInterior);
  auto simple = geo::simplify(wkt("LINESTRING (0 0, 1 0.01, 2 0, 3 0.01, 4 0)"), 0.1);
  ASSERT_TRUE(simple.ok());
  EXPECT_EQ(*simple, (geo::Geometry{geo::LineString{{0, 0}, {4, 0}}}));
  const geo::Geometry bowtie = wkt("POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))");
  auto valid = geo::makeValid(bowtie);
  ASSERT_TRUE(valid.ok());
  EXPECT_TRUE(*geo::isValid(*valid));
  EXPECT_DOUBLE_EQ(geo::geosArea(*valid), 50);
}

TEST(Geos, BowtieIsInvalidWithSelfIntersectionAndLocation) {
  const geo::Geometry bowtie = wkt("POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))");
  auto valid = geo::isValid(bowtie);
  ASSERT_TRUE(valid.ok());
  EXPECT_FALSE(*valid);
  const std::string reason = geo::validityReason(bowtie);
  EXPECT_NE(reason.find("Self-intersection"), std::string::npos) << reason;
  EXPECT_NE(reason.find("[5 5]"), std::string::npos) << reason;
  EXPECT_EQ(geo::validityReason(wkt("POLYGON ((0 0, 1 0, 1 1, 0 0))")), "Valid Geometry");
}

TEST(Geos, VoronoiCellsComeBackInSiteOrder) {
  std::mt19937 rng(99);
  std::uniform_real_distribution<double> u(0, 1000);
  std::vector<geo::Point> sites;
  for (int i = 0; i < 200; ++i) sites.push_back({u(rng), u(rng)});
  const geo::Box envelope{0, 0, 1000, 1000};
  auto cells = geo::voronoi(sites, envelope);
  ASSERT_TRUE(cells.ok()) << cells.error().toString();
  ASSERT_EQ(cells->size(), sites.size());
  double total = 0;
  for (std::size_t i = 0; i < sites.size(); ++i) {
    const geo::Polygon& cell = (*cells)[i];
    EXPECT_EQ(geo::locate(sites[i], cell), geo::Location::kInterior) << "site " << i;
    // Voronoi property: the site is the nearest to the cell's centroid.
    const geo::Point c = geo::centroid(cell);
    const double own = std::hypot(c.x - sites[i].x, c.y - sites[i].y);
    for (const geo::Point& other : sites) {
      EXPECT_LE(own, std::hypot(c.x - other.x, c.y - other.y) + 1e-9);
    }
    const geo::Box b = geo::bbox(cell);
    EXPECT_GE(b.minx, 0);
    EXPECT_LE(b.maxx, 1000);
    total += geo::area(cell);
  }
  EXPECT_NEAR(total, 1e6, 1e-3);  // the cells tile the envelope
}

TEST(Geos, VoronoiRejectsDuplicateAndOutsideSites) {
  auto dup = geo::voronoi({{1, 1}, {5, 5}, {1, 1}}, geo::Box{0, 0, 10, 10});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(dup.error().message.find("sites 0 and 2"), std::string::npos) << dup.error().message;
  auto outside = geo::voronoi({{1, 1}, {50, 5}}, geo::Box{0, 0, 10, 10});
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.error().message.find("site 1"), std::string::npos);
  auto one = geo::voronoi({{1, 1}}, geo::Box{0, 0, 10, 10});
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_DOUBLE_EQ(geo::area((*one)[0]), 100);
}

TEST(Geos, PredicatesAndRelate) {
  const geo::Geometry poly = geo::Polygon{square(0, 0, 10, 10), {}};
  const geo::Geometry edge = geo::Point{10, 5};
  EXPECT_FALSE(*geo::geosContains(poly, edge));
  EXPECT_TRUE(*geo::geosCovers(poly, edge));
  EXPECT_TRUE(*geo::geosIntersects(poly, edge));
  EXPECT_FALSE(*geo::geosWithin(edge, poly));
  EXPECT_TRUE(*geo::geosCoveredBy(edge, poly));
  EXPECT_TRUE(*geo::geosTouches(edge, poly));
  EXPECT_FALSE(*geo::geosDisjoint(edge, poly));
  EXPECT_EQ(geo::geosRelate(edge, poly), "F0FFFF212");
  EXPECT_TRUE(*geo::geosRelatePattern(edge, poly, "F0*******"));
}

TEST(Geos, PreparedGeometryAnswersPointQueriesAndMovesSafely) {
  auto prepared = geo::Prepared::make(geo::Polygon{square(0, 0, 10, 10), {square(4, 4, 6, 6)}});
  ASSERT_TRUE(prepared.ok());
  geo::Prepared p = std::move(prepared).value();
  EXPECT_TRUE(p.containsPoint({1, 1}));
  EXPECT_FALSE(p.containsPoint({5, 5}));
  EXPECT_FALSE(p.containsPoint({0, 5}));
  EXPECT_TRUE(p.coversPoint({0, 5}));
  EXPECT_TRUE(p.intersectsPoint({4, 5}));
  EXPECT_FALSE(p.intersectsPoint({50, 5}));
  EXPECT_TRUE(*p.contains(wkt("LINESTRING (1 1, 2 2)")));
  // Move-assignment destroys the old prepared geometry before its base.
  auto other = geo::Prepared::make(geo::Point{1, 1});
  ASSERT_TRUE(other.ok());
  p = std::move(other).value();
  EXPECT_TRUE(p.intersectsPoint({1, 1}));
}

TEST(Geos, EachThreadHasItsOwnContext) {
  geo::GeosContext* mainContext = &geo::threadContext();
  geo::GeosContext* otherContext = nullptr;
  double otherArea = 0;
  std::thread t([&] {
    otherContext = &geo::threadContext();
    otherArea = geo::geosArea(geo::Polygon{square(0, 0, 2, 2), {}});
  });
  t.join();
  EXPECT_NE(mainContext, otherContext);
  EXPECT_DOUBLE_EQ(otherArea, 4);
}

TEST(Locate, AgreesWithGeosOnRandomPolygonsVerticesAndEdgeMidpoints) {
  std::mt19937 rng(2024);
  std::uniform_real_distribution<double> u(50, 150);
  std::uniform_int_distribution<int> lattice(50, 150);
  int checked = 0;
  int boundary = 0;
  for (int k = 0; k < 60; ++k) {
    const geo::Polygon poly = randomStarPolygon(rng, k % 3 == 0);
    auto valid = geo::isValid(poly);
    ASSERT_TRUE(valid.ok());
    if (!*valid)
      continue;  // rounding to the lattice can fold a star; GEOS and we may differ only on invalid
                 // input
    std::vector<geo::Point> probes;
    for (const geo::Ring* ring : {&poly.outer}) {
      for (std::size_t i = 0; i + 1 < ring->size(); ++i) {
        const geo::Point a = (*ring)[i];
        const geo::Point b = (*ring)[i + 1];
        probes.push_back(a);
        probes.push_back({(a.x + b.x) / 2, (a.y + b.y) / 2});
      }
    }
    for (const geo::Ring& hole : poly.holes) {
      for (const geo::Point& p : hole) probes.push_back(p);
      probes.push_back({100, 98});
    }
    for (int i = 0; i < 40; ++i) {
      probes.push_back({u(rng), u(rng)});
      probes.push_back({double(lattice(rng)), double(lattice(rng))});
    }
    for (const geo::Point& p : probes) {
      const geo::Location ours = geo::locate(p, poly);
      EXPECT_EQ(ours, geosLocate(p, poly))
          << "point " << geo::writeWkt(p) << " polygon " << geo::writeWkt(poly);
      if (ours == geo::Location::kBoundary) ++boundary;
      ++checked;
    }
  }
  EXPECT_GT(checked, 3000);
  EXPECT_GT(boundary, 500);
}
