#include <gtest/gtest.h>

#include "geo/geometry.h"

namespace geo = gridtwin::geo;

static geo::Geometry pt(double x, double y) { return geo::Point{x, y}; }

TEST(Geometry, EmptyPointIsNaNAndEmpty) {
  EXPECT_TRUE(geo::isEmpty(geo::emptyPoint()));
  EXPECT_TRUE(geo::isEmpty(geo::Geometry{geo::emptyPoint()}));
  EXPECT_FALSE(geo::isEmpty(pt(0, 0)));
  EXPECT_TRUE(geo::bbox(geo::emptyPoint()).empty());
}

TEST(Geometry, CollectionIsEmptyOnlyWhenEveryMemberIs) {
  geo::GeometryCollection c;
  EXPECT_TRUE(geo::isEmpty(c));
  c.geometries.push_back(geo::MultiPoint{{geo::emptyPoint()}});
  c.geometries.push_back(geo::GeometryCollection{{geo::LineString{}}});
  EXPECT_TRUE(geo::isEmpty(c));
  c.geometries.push_back(geo::GeometryCollection{{geo::Point{1, 2}}});
  EXPECT_FALSE(geo::isEmpty(c));
}

TEST(Geometry, BboxCoversNestedMembers) {
  geo::GeometryCollection c{{geo::Point{1, 2}, geo::LineString{{-1, 5}, {0, 0}},
                             geo::GeometryCollection{{geo::MultiPoint{{{10, -3}}}}}}};
  const geo::Box b = geo::bbox(geo::Geometry{c});
  EXPECT_EQ(b, (geo::Box{-1, -3, 10, 5}));
}

TEST(Geometry, TypeNamesUseGeoJsonSpelling) {
  EXPECT_STREQ(geo::typeName(geo::Point{}), "Point");
  EXPECT_STREQ(geo::typeName(geo::LineString{}), "LineString");
  EXPECT_STREQ(geo::typeName(geo::Polygon{}), "Polygon");
  EXPECT_STREQ(geo::typeName(geo::MultiPoint{}), "MultiPoint");
  EXPECT_STREQ(geo::typeName(geo::MultiLineString{}), "MultiLineString");
  EXPECT_STREQ(geo::typeName(geo::MultiPolygon{}), "MultiPolygon");
  EXPECT_STREQ(geo::typeName(geo::GeometryCollection{}), "GeometryCollection");
}

TEST(Geometry, ValuesCompareByContent) {
  geo::Geometry a = geo::GeometryCollection{{geo::Point{1, 2}}};
  geo::Geometry b = geo::GeometryCollection{{geo::Point{1, 2}}};
  geo::Geometry c = geo::GeometryCollection{{geo::Point{1, 3}}};
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}
