#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "geo/wkb.h"
#include "geo/wkt.h"

namespace geo = gridtwin::geo;

static geo::Geometry pt(double x, double y) { return geo::Point{x, y}; }
using gridtwin::core::ErrorCode;

namespace {

std::vector<std::uint8_t> fromHex(const std::string& hex) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

geo::Geometry wkt(const char* text) {
  auto g = geo::readWkt(text);
  EXPECT_TRUE(g.ok()) << text;
  return g.ok() ? *g : geo::Geometry{};
}

// Re-encodes little-endian ISO WKB as big-endian, walking the structure.
class BigEndianizer {
 public:
  explicit BigEndianizer(const std::vector<std::uint8_t>& in) : m_in(in) {}
  std::vector<std::uint8_t> run() {
    geometry();
    return m_out;
  }

 private:
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v |= std::uint32_t{m_in[m_pos + static_cast<std::size_t>(i)]} << (8 * i);
    for (int i = 3; i >= 0; --i) m_out.push_back(m_in[m_pos + static_cast<std::size_t>(i)]);
    m_pos += 4;
    return v;
  }
  void f64() {
    for (int i = 7; i >= 0; --i) m_out.push_back(m_in[m_pos + static_cast<std::size_t>(i)]);
    m_pos += 8;
  }
  void points(std::uint32_t n) {
    for (std::uint32_t i = 0; i < 2 * n; ++i) f64();
  }
  void geometry() {
    ++m_pos;
    m_out.push_back(0);
    const std::uint32_t type = u32();
    if (type == 1) {
      points(1);
    } else if (type == 2) {
      points(u32());
    } else if (type == 3) {
      const std::uint32_t rings = u32();
      for (std::uint32_t r = 0; r < rings; ++r) points(u32());
    } else {
      const std::uint32_t n = u32();
      for (std::uint32_t i = 0; i < n; ++i) geometry();
    }
  }
  const std::vector<std::uint8_t>& m_in;
  std::size_t m_pos = 0;
  std::vector<std::uint8_t> m_out;
};

const char* const kCases[] = {
    "POINT (1 2)",
    "POINT EMPTY",
    "LINESTRING (0 0, 1 1, 2 0.5)",
    "LINESTRING EMPTY",
    "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 3, 3 3, 2 2))",
    "POLYGON EMPTY",
    "MULTIPOINT ((1 2), EMPTY, (3 4))",
    "MULTIPOINT EMPTY",
    "MULTILINESTRING ((0 0, 1 1), EMPTY)",
    "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), EMPTY)",
    "GEOMETRYCOLLECTION (POINT (1 2), GEOMETRYCOLLECTION (LINESTRING (0 0, 1 1)), POLYGON EMPTY)",
    "GEOMETRYCOLLECTION EMPTY",
};

}  // namespace

TEST(Wkb, RoundTripsEveryKindInBothByteOrders) {
  for (const char* text : kCases) {
    const geo::Geometry g = wkt(text);
    const std::vector<std::uint8_t> little = geo::writeWkb(g);
    ASSERT_EQ(little.at(0), 1) << text;
    auto back = geo::readWkb(little, "t");
    ASSERT_TRUE(back.ok()) << text << ": " << back.error().toString();
    EXPECT_EQ(*back, g) << text;
    const std::vector<std::uint8_t> big = BigEndianizer(little).run();
    ASSERT_EQ(big.size(), little.size());
    auto backBig = geo::readWkb(big, "t");
    ASSERT_TRUE(backBig.ok()) << text << ": " << backBig.error().toString();
    EXPECT_EQ(*backBig, g) << text;
  }
}

TEST(Wkb, MatchesKnownEncodings) {
  // POINT (1 2), little-endian, as PostGIS ST_AsBinary writes it.
  EXPECT_EQ(geo::writeWkb(geo::Point{1, 2}), fromHex("0101000000000000000000F03F0000000000000040"));
  auto big = geo::readWkb(fromHex("00000000013FF00000000000004000000000000000"));
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(*big, pt(1, 2));
}

TEST(Wkb, ToleratesEwkbSridAndDropsZ) {
  // EWKB POINT Z with SRID 4490 (flags Z|SRID), PostGIS ST_AsEWKB style.
  auto g = geo::readWkb(
      fromHex("01010000A08A110000000000000000F03F00000000000000400000000000000840"), "ewkb");
  ASSERT_TRUE(g.ok()) << g.error().toString();
  EXPECT_EQ(*g, pt(1, 2));
  // ISO LINESTRING ZM (type 3002).
  std::vector<std::uint8_t> iso = fromHex("01BA0B000002000000");
  for (int i = 0; i < 8; ++i) {
    const std::vector<std::uint8_t> v = geo::writeWkb(geo::Point{double(i), 0});
    iso.insert(iso.end(), v.begin() + 5, v.begin() + 13);
  }
  auto zm = geo::readWkb(iso);
  ASSERT_TRUE(zm.ok()) << zm.error().toString();
  EXPECT_EQ(*zm, (geo::Geometry{geo::LineString{{0, 1}, {4, 5}}}));
}

TEST(Wkb, RejectsHugeDeclaredCountsWithoutAllocating) {
  // LINESTRING claiming 0xFFFFFFFF points in 9 bytes.
  auto g = geo::readWkb(fromHex("0102000000FFFFFFFF"), "blob 7");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, ErrorCode::kUnexpectedEnd);
  EXPECT_EQ(g.error().toString(),
            "blob 7: at offset 5: declares 4294967295 points but only 0 bytes remain");
  auto collection = geo::readWkb(fromHex("0107000000FFFFFF7F0101000000"));
  ASSERT_FALSE(collection.ok());
  EXPECT_EQ(collection.error().code, ErrorCode::kUnexpectedEnd);
}

TEST(Wkb, RejectsTruncatedTrailingAndBadHeaders) {
  const std::vector<std::uint8_t> point = geo::writeWkb(geo::Point{1, 2});
  std::vector<std::uint8_t> truncated(point.begin(), point.end() - 3);
  auto t = geo::readWkb(truncated, "row 3");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kUnexpectedEnd);
  EXPECT_NE(t.error().toString().find("row 3: at offset 5: truncated point"), std::string::npos)
      << t.error().toString();
  std::vector<std::uint8_t> trailing = point;
  trailing.push_back(0);
  auto tr = geo::readWkb(trailing, "row 4");
  ASSERT_FALSE(tr.ok());
  EXPECT_EQ(tr.error().toString(), "row 4: at offset 21: 1 unexpected bytes after the geometry");
  auto order = geo::readWkb(fromHex("0201000000"));
  ASSERT_FALSE(order.ok());
  EXPECT_NE(order.error().message.find("byte order must be 0 or 1, got 2"), std::string::npos);
  auto type = geo::readWkb(fromHex("0108000000"));
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.error().code, ErrorCode::kUnsupported);
  auto empty = geo::readWkb({}, "col geom");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kEmptyInput);
  EXPECT_EQ(empty.error().context, "col geom");
}

TEST(Wkb, RejectsNonFiniteAndUnclosedRings) {
  const double inf = std::numeric_limits<double>::infinity();
  auto nonFinite = geo::readWkb(geo::writeWkb(geo::LineString{{0, 0}, {inf, 1}}), "b");
  ASSERT_FALSE(nonFinite.ok());
  EXPECT_EQ(nonFinite.error().code, ErrorCode::kNonFinite);
  EXPECT_NE(nonFinite.error().message.find("point 1 is not finite"), std::string::npos);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto halfNan = geo::readWkb(geo::writeWkb(geo::Point{nan, 1}));
  ASSERT_FALSE(halfNan.ok());
  EXPECT_EQ(halfNan.error().code, ErrorCode::kNonFinite);
  geo::Polygon open{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}, {}};
  auto unclosed = geo::readWkb(geo::writeWkb(open), "b");
  ASSERT_FALSE(unclosed.ok());
  EXPECT_EQ(unclosed.error().code, ErrorCode::kUnclosedRing);
  EXPECT_EQ(unclosed.error().toString(),
            "b: at offset 9: ring 0 of polygon is not closed: first (0 0) != last (0 1)");
  geo::Polygon tiny{{{0, 0}, {1, 0}, {0, 0}}, {}};
  auto few = geo::readWkb(geo::writeWkb(tiny));
  ASSERT_FALSE(few.ok());
  EXPECT_EQ(few.error().code, ErrorCode::kTooFewPoints);
}

TEST(Wkb, RejectsMemberOfTheWrongType) {
  // MULTIPOINT holding a LINESTRING.
  std::vector<std::uint8_t> bytes = fromHex("010400000001000000");
  const std::vector<std::uint8_t> line = geo::writeWkb(geo::LineString{{0, 0}, {1, 1}});
  bytes.insert(bytes.end(), line.begin(), line.end());
  auto g = geo::readWkb(bytes);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.error().message.find("member has type 2, expected 1"), std::string::npos);
}
