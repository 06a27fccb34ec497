#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "geo/algorithms.h"
#include "geo/geojson.h"
#include "geo/wkt.h"

namespace geo = gridtwin::geo;

static geo::Geometry pt(double x, double y) { return geo::Point{x, y}; }
using gridtwin::core::ErrorCode;

namespace {

geo::Geometry wkt(const char* text) {
  auto g = geo::readWkt(text);
  EXPECT_TRUE(g.ok()) << text;
  return g.ok() ? *g : geo::Geometry{};
}

std::string tempFile(const std::string& name, const std::string& content) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("gridtwin_geo_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(path, std::ios::binary) << content;
  return path.string();
}

}  // namespace

TEST(GeoJson, RoundTripsEveryKindIncludingEmpties) {
  for (const char* text :
       {"POINT (1 2)", "POINT EMPTY", "LINESTRING (0 0, 1 1)", "LINESTRING EMPTY",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 3, 3 3, 2 2))", "POLYGON EMPTY",
        "MULTIPOINT ((1 2), EMPTY)", "MULTILINESTRING ((0 0, 1 1), EMPTY)",
        "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), EMPTY)", "MULTIPOLYGON EMPTY",
        "GEOMETRYCOLLECTION (POINT (0.1 0.2), GEOMETRYCOLLECTION (MULTIPOINT EMPTY))",
        "GEOMETRYCOLLECTION EMPTY"}) {
    const geo::Geometry g = wkt(text);
    const std::string json = geo::writeGeoJson(g);
    auto back = geo::readGeoJsonGeometry(json, "t");
    ASSERT_TRUE(back.ok()) << text << ": " << back.error().toString();
    EXPECT_EQ(*back, g) << text << " via " << json;
  }
  EXPECT_EQ(geo::writeGeoJson(geo::Point{113.1, 23.05}),
            R"({"type":"Point","coordinates":[113.1,23.05]})");
  EXPECT_EQ(geo::writeGeoJson(geo::Point{113.123456789, 23}, 6),
            R"({"type":"Point","coordinates":[113.123457,23]})");
}

TEST(GeoJson, ReadsFeatureCollectionWithIdsAndProperties) {
  const char* text = R"({"type":"FeatureCollection","features":[
    {"type":"Feature","id":"g1","properties":{"name":"祖庙街道","code":440604001,"n":null},
     "geometry":{"type":"Point","coordinates":[113.1,23.0,15.5]}},
    {"type":"Feature","id":7,"properties":null,"geometry":null}]})";
  auto fs = geo::readGeoJsonFeatures(text, "streets.geojson");
  ASSERT_TRUE(fs.ok()) << fs.error().toString();
  ASSERT_EQ(fs->size(), 2u);
  const geo::Feature& a = (*fs)[0];
  EXPECT_EQ(a.id, "g1");
  EXPECT_EQ(a.geometry, pt(113.1, 23.0));  // altitude dropped
  EXPECT_EQ(geo::stringProperty(a, "name"), "祖庙街道");
  EXPECT_EQ(geo::numberProperty(a, "code"), 440604001.0);
  EXPECT_EQ(geo::stringProperty(a, "code"), std::nullopt);
  EXPECT_EQ(geo::numberProperty(a, "missing"), std::nullopt);
  const geo::Feature& b = (*fs)[1];
  EXPECT_EQ(b.id, "7");
  EXPECT_EQ(b.propertiesJson, "{}");
  EXPECT_TRUE(geo::isEmpty(b.geometry));

  const std::string written = geo::writeGeoJsonFeatureCollection(*fs);
  auto again = geo::readGeoJsonFeatures(written, "written");
  ASSERT_TRUE(again.ok()) << again.error().toString() << "\n" << written;
  ASSERT_EQ(again->size(), 2u);
  EXPECT_EQ((*again)[0].geometry, a.geometry);
  EXPECT_EQ((*again)[0].propertiesJson, a.propertiesJson);
  EXPECT_EQ((*again)[1].id, "7");
}

TEST(GeoJson, AcceptsSingleFeatureAndBareGeometry) {
  auto f = geo::readGeoJsonFeatures(
      R"({"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}})");
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->size(), 1u);
  EXPECT_FALSE((*f)[0].id.has_value());
  auto bare = geo::readGeoJsonFeatures(R"({"type":"Point","coordinates":[1,2]})");
  ASSERT_TRUE(bare.ok());
  ASSERT_EQ(bare->size(), 1u);
  EXPECT_EQ((*bare)[0].geometry, pt(1, 2));
}

TEST(GeoJson, RejectsUnclosedRingNamingFeatureAndRing) {
  const char* text = R"({"type":"FeatureCollection","features":[
    {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[0,0]}},
    {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[
      [[0,0],[10,0],[10,10],[0,0]], [[1,2],[2,2],[2,3],[3,4]]]}}]})";
  auto fs = geo::readGeoJsonFeatures(text, "outline.geojson");
  ASSERT_FALSE(fs.ok());
  EXPECT_EQ(fs.error().code, ErrorCode::kUnclosedRing);
  EXPECT_EQ(fs.error().toString(),
            "outline.geojson: feature 1: geometry.coordinates[1]: ring 1 is not closed: first "
            "(1 2) != last (3 4)");
}

TEST(GeoJson, RejectsSyntaxErrorsWithOffset) {
  auto g = geo::readGeoJsonFeatures(R"({"type": "Point", "coordinates": [1, abc]})", "in.json");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, ErrorCode::kSyntax);
  const std::string s = g.error().toString();
  EXPECT_EQ(s.rfind("in.json: at offset 37: ", 0), 0u) << s;
  auto truncated = geo::readGeoJsonFeatures(R"({"type": "Point")", "in.json");
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.error().toString().find("at offset"), std::string::npos);
}

TEST(GeoJson, RejectsNonFiniteNumbersAndShortPositions) {
  // JSON has no NaN or Infinity; an overflowing literal is refused with its place.
  auto inf = geo::readGeoJsonFeatures(
      R"({"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1e999,2]}})",
      "pts.geojson");
  ASSERT_FALSE(inf.ok());
  EXPECT_EQ(inf.error().code, ErrorCode::kBadNumber);
  EXPECT_EQ(inf.error().context, "pts.geojson");
  EXPECT_NE(inf.error().message.find("at offset 76: number overflow parsing '1e999'"),
            std::string::npos)
      << inf.error().message;
  auto infinity = geo::readGeoJsonGeometry(R"({"type":"Point","coordinates":[Infinity,2]})", "i");
  ASSERT_FALSE(infinity.ok());
  EXPECT_EQ(infinity.error().code, ErrorCode::kSyntax);
  EXPECT_NE(infinity.error().toString().find("i: at offset 31"), std::string::npos)
      << infinity.error().toString();
  auto nan = geo::readGeoJsonGeometry(R"({"type":"Point","coordinates":[NaN,2]})", "nan");
  ASSERT_FALSE(nan.ok());
  EXPECT_EQ(nan.error().code, ErrorCode::kSyntax);
  auto one = geo::readGeoJsonGeometry(R"({"type":"LineString","coordinates":[[1],[2,3]]})", "s");
  ASSERT_FALSE(one.ok());
  EXPECT_EQ(one.error().code, ErrorCode::kTooFewPoints);
  EXPECT_EQ(one.error().toString(),
            "s: coordinates[0]: a position needs at least 2 numbers, got 1");
  auto text = geo::readGeoJsonGeometry(R"({"type":"Point","coordinates":["1",2]})", "s");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, ErrorCode::kBadNumber);
}

TEST(GeoJson, RejectsUnknownTypesAndMissingMembers) {
  auto unknown = geo::readGeoJsonGeometry(R"({"type":"Circle","coordinates":[1,2]})", "c");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("unknown geometry type \"Circle\""), std::string::npos);
  auto noCoords = geo::readGeoJsonGeometry(R"({"type":"Point"})", "c");
  ASSERT_FALSE(noCoords.ok());
  auto notObject = geo::readGeoJsonFeatures("[1,2,3]", "c");
  ASSERT_FALSE(notObject.ok());
  EXPECT_NE(notObject.error().message.find("got array"), std::string::npos);
  auto badFeature = geo::readGeoJsonFeatures(
      R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{}}]})", "fc");
  ASSERT_FALSE(badFeature.ok());
  EXPECT_EQ(badFeature.error().context, "fc: feature 0");
}

TEST(GeoJson, EmptyInputAndFilesAreClearErrors) {
  auto empty = geo::readGeoJsonFeatures("  \n", "stdin");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kEmptyInput);
  EXPECT_EQ(empty.error().context, "stdin");

  const std::string emptyPath = tempFile("empty.geojson", "");
  auto file = geo::readGeoJsonFile(emptyPath);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().code, ErrorCode::kEmptyInput);
  EXPECT_EQ(file.error().context, emptyPath);
  std::filesystem::remove(emptyPath);

  auto missing = geo::readGeoJsonFile("/nonexistent/nowhere.geojson");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().context, "/nonexistent/nowhere.geojson");

  const std::string badPath = tempFile("bad.geojson", R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}}]})");
  auto bad = geo::readGeoJsonFile(badPath);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kTooFewPoints);
  EXPECT_EQ(bad.error().context, badPath + ": feature 0");
  std::filesystem::remove(badPath);
}

TEST(GeoJson, ReadsTheRealChanchengOutline) {
  const std::string path =
      std::string(GRIDTWIN_SHARED_DATA) + "/chancheng/chancheng-boundary-gcj02.geojson";
  ASSERT_TRUE(std::filesystem::exists(path)) << "shared data missing: " << path;
  auto fs = geo::readGeoJsonFile(path);
  ASSERT_TRUE(fs.ok()) << fs.error().toString();
  ASSERT_EQ(fs->size(), 1u);
  const geo::Box b = geo::bbox((*fs)[0].geometry);
  EXPECT_GT(b.minx, 112.9);
  EXPECT_LT(b.maxx, 113.3);
  EXPECT_GT(b.miny, 22.9);
  EXPECT_LT(b.maxy, 23.2);
}
