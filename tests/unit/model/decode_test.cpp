// The decoding both district loaders share (store/decode.h): plain WKB as
// PostGIS sends it, dates, tags. The GeoPackage path is covered end to end in
// gpkg_reader_test.cpp, the PostGIS path in tests/postgis.
#include "store/decode.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "geo/wkb.h"

namespace gridtwin::store::decode {
namespace {

using model::Owned;

geo::Ring square(double x, double y, double s) {
  return {{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}};
}

std::string errorText(const core::Error& e) { return e.toString(); }

TEST(Decode, PolygonAndMultiPolygonEachAppendOneFeature) {
  model::PolygonColumns<Owned> cols;
  startPolygons(cols);
  const geo::Polygon holed{square(0, 0, 10), {square(2, 2, 1)}};
  const geo::MultiPolygon two{
      {geo::Polygon{square(20, 0, 1), {}}, geo::Polygon{square(30, 0, 1), {}}}};
  ASSERT_TRUE(appendPolygons(geo::writeWkb(holed), cols).ok());
  ASSERT_TRUE(appendPolygons(geo::writeWkb(two), cols).ok());
  EXPECT_EQ(cols.partStart, (std::vector<std::uint32_t>{0, 1, 3}));
  EXPECT_EQ(cols.ringStart, (std::vector<std::uint32_t>{0, 2, 3, 4}));
  EXPECT_EQ(cols.pointStart, (std::vector<std::uint32_t>{0, 5, 10, 15, 20}));
  EXPECT_EQ(cols.lonlat[5], (geo::Point{2, 2}));
  EXPECT_EQ(cols.lonlat[15], (geo::Point{30, 0}));
}

TEST(Decode, NullAndEmptyPolygonsAreTold) {
  model::PolygonColumns<Owned> cols;
  startPolygons(cols);
  auto null = appendPolygons({}, cols);
  ASSERT_FALSE(null.ok());
  EXPECT_NE(errorText(null.error()).find("NULL geometry"), std::string::npos);
  // POLYGON EMPTY and MULTIPOLYGON EMPTY: no rings / no members.
  const std::vector<std::uint8_t> polygonEmpty = {1, 3, 0, 0, 0, 0, 0, 0, 0};
  const std::vector<std::uint8_t> multiEmpty = {1, 6, 0, 0, 0, 0, 0, 0, 0};
  for (const auto& wkb : {polygonEmpty, multiEmpty}) {
    auto r = appendPolygons(wkb, cols);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(errorText(r.error()).find("empty geometry where a polygon is required"),
              std::string::npos)
        << errorText(r.error());
  }
  EXPECT_EQ(cols.partStart.size(), 1u);  // nothing appended
}

TEST(Decode, WrongTypeNamesTheWkbType) {
  model::PolygonColumns<Owned> cols;
  startPolygons(cols);
  auto r = appendPolygons(geo::writeWkb(geo::Point{1, 2}), cols);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(errorText(r.error()).find("got WKB type 1"), std::string::npos) << errorText(r.error());
}

TEST(Decode, LinesAppendAndEmptyLineIsTold) {
  model::LineColumns<Owned> cols;
  startLines(cols);
  const geo::MultiLineString two{{{{0, 0}, {1, 1}}, {{2, 2}, {3, 3}, {4, 4}}}};
  ASSERT_TRUE(appendLines(geo::writeWkb(two), cols).ok());
  EXPECT_EQ(cols.partStart, (std::vector<std::uint32_t>{0, 2}));
  EXPECT_EQ(cols.pointStart, (std::vector<std::uint32_t>{0, 2, 5}));
  const std::vector<std::uint8_t> lineEmpty = {1, 2, 0, 0, 0, 0, 0, 0, 0};
  auto r = appendLines(lineEmpty, cols);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(errorText(r.error()).find("empty geometry where a line is required"),
            std::string::npos);
}

TEST(Decode, EwkbPointWithSridAndZDropsBoth) {
  // Little-endian EWKB: type Point | Z flag | SRID flag, SRID 4326, x y z.
  std::vector<std::uint8_t> wkb = {1, 1, 0, 0, 0xA0, 0xE6, 0x10, 0, 0};
  for (double v : {113.1, 23.0, 5.0}) {
    std::uint8_t b[8];
    std::memcpy(b, &v, 8);
    wkb.insert(wkb.end(), b, b + 8);
  }
  auto p = decodePoint(wkb, false);
  ASSERT_TRUE(p.ok()) << errorText(p.error());
  EXPECT_EQ(*p, (geo::Point{113.1, 23.0}));
}

TEST(Decode, MissingPointOnlyWhereNullable) {
  EXPECT_TRUE(std::isnan(decodePoint({}, true)->x));
  auto required = checkPoint(true, {}, false);
  ASSERT_FALSE(required.ok());
  EXPECT_NE(errorText(required.error()).find("NULL geometry where a point is required"),
            std::string::npos);
  const double nan = std::nan("");
  EXPECT_TRUE(std::isnan(checkPoint(false, {nan, nan}, true)->y));
  EXPECT_FALSE(checkPoint(false, {nan, nan}, false).ok());
  auto inf = checkPoint(false, {1, INFINITY}, true);
  ASSERT_FALSE(inf.ok());
  EXPECT_NE(errorText(inf.error()).find("non-finite"), std::string::npos);
}

TEST(Decode, TimesWithoutOffsetAreChinaStandardTime) {
  std::int64_t local = 0, utc = 0, offset = 0;
  ASSERT_TRUE(parseTime("2024-05-01T08:00:00", local));
  ASSERT_TRUE(parseTime("2024-05-01 00:00:00Z", utc));
  ASSERT_TRUE(parseTime("2024-05-01T09:30:00+09:30", offset));
  EXPECT_EQ(local, utc);
  EXPECT_EQ(offset, utc);
  EXPECT_EQ(utc, 1714521600);
  EXPECT_FALSE(parseTime("2024-05-01T24:00:00", utc));
  EXPECT_FALSE(parseTime("2024-05-01T08:00:00+8", utc));
  std::int64_t days = 0;
  ASSERT_TRUE(parseDate("1970-01-02", days));
  EXPECT_EQ(days, 1);
  EXPECT_FALSE(parseDate("1985-13-01", days));
  EXPECT_FALSE(parseDate("1985-01-01x", days));
}

TEST(Decode, PersonTagsBecomeBitsAndAnUnknownOneIsNamed) {
  std::uint32_t tags = 0;
  std::string_view bad;
  ASSERT_TRUE(parsePersonTags("elderly_80,veteran", tags, bad));
  EXPECT_EQ(tags, model::tagBit(model::PersonTag::kElderly80) |
                      model::tagBit(model::PersonTag::kVeteran));
  ASSERT_TRUE(parsePersonTags("", tags, bad));
  EXPECT_EQ(tags, 0u);
  EXPECT_FALSE(parsePersonTags("veteran,knight", tags, bad));
  EXPECT_EQ(bad, "knight");
}

TEST(Decode, DuplicateCodeIsNamedWithThePlace) {
  model::StringPool codes;
  codes.append("a");
  codes.append("b");
  codes.append("a");
  CodeIndex index;
  auto r = buildUnique(index, codes, "grid", "x.gpkg: table grids");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(errorText(r.error()).find("x.gpkg: table grids"), std::string::npos);
  EXPECT_NE(errorText(r.error()).find("duplicate grid code a"), std::string::npos);
}

TEST(Decode, IdIndexFindsDenseAndSparseIds) {
  for (const std::vector<std::int64_t>& ids :
       {std::vector<std::int64_t>{3, 1, 2}, std::vector<std::int64_t>{-5, 1'000'000'000'000, 7}}) {
    IdIndex index;
    ASSERT_EQ(index.build(ids), -1);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      std::uint32_t found = 99;
      ASSERT_TRUE(index.find(ids[i], found));
      EXPECT_EQ(found, i);
    }
    std::uint32_t found = 0;
    EXPECT_FALSE(index.find(4, found));
  }
  IdIndex dup;
  EXPECT_EQ(dup.build({1, 2, 1}), 2);
}

}  // namespace
}  // namespace gridtwin::store::decode
