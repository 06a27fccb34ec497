#include <gtest/gtest.h>

#include <string>

#include "geo/wkt.h"

namespace geo = gridtwin::geo;

static geo::Geometry pt(double x, double y) { return geo::Point{x, y}; }
using gridtwin::core::ErrorCode;

namespace {

// Every kind, empties at each level, and awkward numbers.
const char* const kRoundTripCases[] = {
    "POINT (1 2)",
    "POINT (-0.1 1e-300)",
    "POINT (113.112414 23.019643)",
    "POINT EMPTY",
    "LINESTRING (0 0, 1 1, 2 0.5)",
    "LINESTRING EMPTY",
    "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 3, 3 3, 2 2))",
    "POLYGON EMPTY",
    "MULTIPOINT ((1 2), (3 4))",
    "MULTIPOINT ((1 2), EMPTY)",
    "MULTIPOINT EMPTY",
    "MULTILINESTRING ((0 0, 1 1), EMPTY, (2 2, 3 3, 4 4))",
    "MULTILINESTRING EMPTY",
    "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), EMPTY, ((5 5, 6 5, 6 6, 5 5), (5.1 5.05, 5.9 5.1, 5.8 "
    "5.5, "
    "5.1 5.05)))",
    "MULTIPOLYGON EMPTY",
    "GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1), GEOMETRYCOLLECTION (POINT EMPTY, "
    "MULTIPOINT ((7 8))), GEOMETRYCOLLECTION EMPTY)",
    "GEOMETRYCOLLECTION EMPTY",
};

geo::Geometry readOk(const std::string& text) {
  auto g = geo::readWkt(text, "test");
  EXPECT_TRUE(g.ok()) << text << " -> " << (g.ok() ? "" : g.error().toString());
  return g.ok() ? *g : geo::Geometry{};
}

}  // namespace

TEST(Wkt, RoundTripsEveryKindIncludingEmpties) {
  for (const char* text : kRoundTripCases) {
    const geo::Geometry g = readOk(text);
    EXPECT_EQ(geo::writeWkt(g), text);
    EXPECT_EQ(readOk(geo::writeWkt(g)), g) << text;
  }
}

TEST(Wkt, ShortestRoundTripKeepsEveryBit) {
  const geo::Point p{0.1 + 0.2, 113.0 / 7.0};
  const geo::Geometry back = readOk(geo::writeWkt(p));
  EXPECT_EQ(std::get<geo::Point>(back), p);
}

TEST(Wkt, PrecisionLimitsDecimalsAndTrimsZeros) {
  EXPECT_EQ(geo::writeWkt(geo::Point{1.23456789, -2.5}, 3), "POINT (1.235 -2.5)");
  EXPECT_EQ(geo::writeWkt(geo::Point{-0.0001, 10}, 2), "POINT (0 10)");
}

TEST(Wkt, AcceptsBothMultiPointForms) {
  EXPECT_EQ(readOk("MULTIPOINT(1 2, 3 4)"), readOk("MULTIPOINT((1 2),(3 4))"));
  EXPECT_EQ(std::get<geo::MultiPoint>(readOk("MULTIPOINT (1 2,3 4)")).points.size(), 2u);
}

TEST(Wkt, IsCaseAndWhitespaceTolerant) {
  EXPECT_EQ(readOk("  point(\n1\t2 )  "), pt(1, 2));
  EXPECT_EQ(readOk("Polygon((0 0,1 0,1 1,0 0))"), readOk("POLYGON ((0 0, 1 0, 1 1, 0 0))"));
  EXPECT_EQ(readOk("POINT (+1.5 -2E3)"), pt(1.5, -2000));
}

TEST(Wkt, DropsZAndMOrdinates) {
  EXPECT_EQ(readOk("POINT Z (1 2 3)"), pt(1, 2));
  EXPECT_EQ(readOk("POINT (1 2 3)"), pt(1, 2));
  EXPECT_EQ(readOk("POINTZM (1 2 3 4)"), pt(1, 2));
  EXPECT_EQ(readOk("LINESTRING M (0 0 5, 1 1 6)"),
            (geo::Geometry{geo::LineString{{0, 0}, {1, 1}}}));
  EXPECT_EQ(readOk("SRID=4490;POINT(113 23)"), pt(113, 23));
}

TEST(Wkt, RejectsMixedOrdinateCountsWithOffset) {
  auto g = geo::readWkt("LINESTRING (0 0, 1 1 1)", "roads.csv:4");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, ErrorCode::kSyntax);
  EXPECT_NE(g.error().toString().find("roads.csv:4: at offset 17"), std::string::npos)
      << g.error().toString();
  auto z = geo::readWkt("POINT Z (1 2)");
  ASSERT_FALSE(z.ok());
  EXPECT_NE(z.error().message.find("expected 3"), std::string::npos) << z.error().message;
}

TEST(Wkt, RejectsUnclosedRingNamingTheRing) {
  auto g =
      geo::readWkt("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (1 2, 2 2, 2 3, 3 4))", "outline.wkt");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, ErrorCode::kUnclosedRing);
  const std::string s = g.error().toString();
  EXPECT_NE(s.find("outline.wkt: at offset 40:"), std::string::npos) << s;
  EXPECT_NE(s.find("ring 1 of polygon is not closed: first (1 2) != last (3 4)"), std::string::npos)
      << s;
}

TEST(Wkt, RejectsRingWithTooFewPoints) {
  auto g = geo::readWkt("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((0 0, 1 1, 0 0)))", "x");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, ErrorCode::kTooFewPoints);
  EXPECT_NE(g.error().message.find("ring 0 of polygon 1 has 3 points"), std::string::npos)
      << g.error().message;
  auto line = geo::readWkt("LINESTRING (1 1)");
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.error().code, ErrorCode::kTooFewPoints);
}

TEST(Wkt, RejectsNonFiniteNumbersWithOffset) {
  for (const char* text :
       {"POINT (nan 1)", "POINT (1 inf)", "POINT (1 -Infinity)", "POINT (NaN NaN)"}) {
    auto g = geo::readWkt(text, "events.csv:9");
    ASSERT_FALSE(g.ok()) << text;
    EXPECT_EQ(g.error().code, ErrorCode::kNonFinite) << text;
    EXPECT_NE(g.error().toString().find("events.csv:9: at offset"), std::string::npos);
  }
  auto big = geo::readWkt("POINT (1e400 1)");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::kBadNumber);
}

TEST(Wkt, ReportsTheOffendingTokenAndOffset) {
  auto g = geo::readWkt("POINT (1 abc)", "in");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().toString(), "in: at offset 9: expected number, got 'abc'");
  auto missing = geo::readWkt("POINT (1 2", "in");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().toString(), "in: at offset 10: expected ')', got 'end of text'");
  auto unknown = geo::readWkt("CIRCLE (1 2)");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("unknown geometry type 'CIRCLE'"), std::string::npos);
}

TEST(Wkt, RejectsTrailingGarbage) {
  auto g = geo::readWkt("POINT (1 2) x", "in");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, ErrorCode::kSyntax);
  EXPECT_EQ(g.error().toString(), "in: at offset 12: unexpected text after the geometry: 'x'");
  EXPECT_FALSE(geo::readWkt("POINT (1 2))").ok());
  EXPECT_FALSE(geo::readWkt("POINT EMPTY EMPTY").ok());
}

TEST(Wkt, RejectsEmptyInput) {
  for (const char* text : {"", "   \n"}) {
    auto g = geo::readWkt(text, "stdin");
    ASSERT_FALSE(g.ok());
    EXPECT_EQ(g.error().code, ErrorCode::kEmptyInput);
    EXPECT_EQ(g.error().context, "stdin");
  }
}

TEST(Wkt, RejectsAbsurdNesting) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "GEOMETRYCOLLECTION (";
  text += "POINT (1 2)";
  for (int i = 0; i < 100; ++i) text += ")";
  auto g = geo::readWkt(text);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, ErrorCode::kUnsupported);
}
