// geo/geos_ops.h: GEOS operations on handles, as the boundary checks chain them.
#include "geo/geos_ops.h"

#include <gtest/gtest.h>

#include <string>

#include "geo/wkt.h"

namespace geo = gridtwin::geo;
using gridtwin::core::ErrorCode;

namespace {

geo::GeomPtr handle(const char* text) {
  auto g = geo::readWkt(text);
  EXPECT_TRUE(g.ok()) << text;
  auto h = geo::toGeos(g.ok() ? *g : geo::Geometry{});
  EXPECT_TRUE(h.ok()) << text;
  return h.ok() ? std::move(*h) : geo::GeomPtr();
}

}  // namespace

TEST(GeosOps, OverlayPartsAndMeasures) {
  const auto a = handle("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))");
  const auto b = handle("POLYGON ((5 0, 15 0, 15 10, 5 10, 5 0))");
  auto inter = geo::intersection(a.get(), b.get(), "overlap of A and B");
  ASSERT_TRUE(inter.ok());
  EXPECT_DOUBLE_EQ(geo::area(inter->get()), 50);
  EXPECT_DOUBLE_EQ(geo::length(inter->get()), 30);
  const geo::Box box = geo::bounds(inter->get());
  EXPECT_DOUBLE_EQ(box.minx, 5);
  EXPECT_DOUBLE_EQ(box.maxx, 10);
  const geo::Point inside = geo::insidePoint(inter->get());
  EXPECT_DOUBLE_EQ(inside.x, 7.5);
  EXPECT_DOUBLE_EQ(inside.y, 5);

  auto both = geo::unionOf({a.get(), b.get()}, "union");
  ASSERT_TRUE(both.ok());
  EXPECT_DOUBLE_EQ(geo::area(both->get()), 150);
  // Two separate squares: two parts, and their value has two polygons.
  auto apart =
      geo::difference(both->get(), handle("POLYGON ((4 -1, 6 -1, 6 11, 4 11, 4 -1))").get(), "cut");
  ASSERT_TRUE(apart.ok());
  EXPECT_EQ(geo::polygonParts(apart->get()).size(), 2u);
  auto value = geo::polygonalValue(apart->get());
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->polygons.size(), 2u);
  ASSERT_TRUE(geo::distance(a.get(), apart->get()).has_value());
  EXPECT_DOUBLE_EQ(*geo::distance(a.get(), b.get()), 0);
}

TEST(GeosOps, ValidityGivesReasonAndPlace) {
  const auto bowtie = handle("POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))");
  auto v = geo::validity(bowtie.get(), "unit 1");
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->valid);
  EXPECT_NE(v->reason.find("Self-intersection"), std::string::npos) << v->reason;
  ASSERT_TRUE(v->where.has_value());
  EXPECT_DOUBLE_EQ(v->where->x, 5);
  EXPECT_DOUBLE_EQ(v->where->y, 5);
  auto fixed = geo::repair(bowtie.get(), "unit 1");
  ASSERT_TRUE(fixed.ok());
  EXPECT_DOUBLE_EQ(geo::area(fixed->get()), 50);
  auto ok = geo::validity(fixed->get(), "unit 1");
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->valid);
}

TEST(GeosOps, HolesBecomePolygonsAndMitredOpeningKeepsCorners) {
  const auto framed = handle("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 4 2, 4 4, 2 4, 2 2))");
  const auto holes = geo::holesOf(framed.get());
  ASSERT_EQ(holes.size(), 1u);
  EXPECT_DOUBLE_EQ(geo::area(holes[0].get()), 4);
  const auto square = handle("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))");
  const geo::BufferStyle mitre{8, geo::BufferJoin::kMitre, 20};
  auto eroded = geo::buffer(square.get(), -1, mitre, "opening");
  ASSERT_TRUE(eroded.ok());
  auto opened = geo::buffer(eroded->get(), 1, mitre, "opening");
  ASSERT_TRUE(opened.ok());
  EXPECT_NEAR(geo::area(opened->get()), 100, 1e-9);
}

TEST(GeosOps, EmptyAndClipped) {
  EXPECT_TRUE(geo::isEmpty(geo::emptyPolygon().get()));
  const auto square = handle("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))");
  auto clipped = geo::clipToBox(square.get(), geo::Box{5, 5, 20, 20}, "label");
  ASSERT_TRUE(clipped.ok());
  EXPECT_DOUBLE_EQ(geo::area(clipped->get()), 25);
  auto outside = geo::clipToBox(square.get(), geo::Box{50, 50, 60, 60}, "label");
  ASSERT_TRUE(outside.ok());
  EXPECT_TRUE(geo::isEmpty(outside->get()));
  auto rim = geo::boundaryOf(square.get(), "rim");
  ASSERT_TRUE(rim.ok());
  EXPECT_DOUBLE_EQ(geo::length(rim->get()), 40);
}

TEST(GeosOps, FailureNamesTheWork) {
  // An empty GEOS message still names the work.
  EXPECT_EQ(geo::geosErrorText("overlap of A and B").rfind("overlap of A and B: ", 0), 0u);
}
