// The real Chancheng outline (AMap-derived, so GCJ-02 whatever the file says)
// converted GCJ-02 -> CGCS2000 -> EPSG:4547 must have the district's area and
// contain the district government seat.
//
// The geometry module (geo/geojson.h, geo/algorithms.h) is being written at
// the same time as this test, so the test reads the GeoJSON with
// nlohmann::json and has its own shoelace and ray casting: a few lines, and
// independent of the code under test elsewhere.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <vector>

#include "crs/transformer.h"
#include "crs_test_support.h"

namespace gridtwin::crs {
namespace {

using Ring = std::vector<geo::Point>;
using Polygon = std::vector<Ring>;  // outer ring first, then holes

constexpr double kChanchengAreaKm2 = 154.8;
constexpr geo::Point kSeatGcj02{113.112414, 23.019643};

Ring readRing(const nlohmann::json& coordinates) {
  Ring ring;
  for (const auto& position : coordinates)
    ring.push_back({position.at(0).get<double>(), position.at(1).get<double>()});
  return ring;
}

Polygon readPolygon(const nlohmann::json& coordinates) {
  Polygon polygon;
  for (const auto& ring : coordinates) polygon.push_back(readRing(ring));
  return polygon;
}

// All polygons of all features (Polygon or MultiPolygon) of a FeatureCollection.
std::vector<Polygon> readOutline(const std::filesystem::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot open " << path;
  const nlohmann::json collection = nlohmann::json::parse(in);
  std::vector<Polygon> polygons;
  for (const auto& feature : collection.at("features")) {
    const auto& geometry = feature.at("geometry");
    const std::string type = geometry.at("type");
    if (type == "Polygon") {
      polygons.push_back(readPolygon(geometry.at("coordinates")));
    } else if (type == "MultiPolygon") {
      for (const auto& polygon : geometry.at("coordinates"))
        polygons.push_back(readPolygon(polygon));
    } else {
      ADD_FAILURE() << "unexpected geometry type " << type << " in " << path;
    }
  }
  return polygons;
}

// Shoelace; works for open or closed rings.
double ringArea(const Ring& ring) {
  double twice = 0;
  for (std::size_t i = 0, n = ring.size(); i < n; ++i) {
    const geo::Point& a = ring[i];
    const geo::Point& b = ring[(i + 1) % n];
    twice += a.x * b.y - b.x * a.y;
  }
  return std::abs(twice) / 2.0;
}

double polygonArea(const Polygon& polygon) {
  double area = ringArea(polygon.front());
  for (std::size_t i = 1; i < polygon.size(); ++i) area -= ringArea(polygon[i]);
  return area;
}

// Even-odd ray casting; a point on an edge may go either way (not tested).
bool inside(const geo::Point& p, const Polygon& polygon) {
  bool in = false;
  for (const Ring& ring : polygon) {
    for (std::size_t i = 0, n = ring.size(), j = n - 1; i < n; j = i++) {
      const geo::Point& a = ring[i];
      const geo::Point& b = ring[j];
      if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x)
        in = !in;
    }
  }
  return in;
}

struct Converted {
  std::vector<Polygon> polygons;  // EPSG:4547, metres
  geo::Point seat;                // EPSG:4547, metres
};

Converted convertToGaussKruger() {
  const auto path = test::sharedData("chancheng/chancheng-boundary-gcj02.geojson");
  std::vector<Polygon> polygons = readOutline(path);
  EXPECT_FALSE(polygons.empty()) << "no polygon in " << path;
  auto transformer = Transformer::create(kGcj02, kGaussKruger114);
  EXPECT_TRUE(transformer.ok());
  std::size_t vertices = 0;
  for (Polygon& polygon : polygons) {
    for (Ring& ring : polygon) {
      const auto r = transformer->transform(std::span(ring));
      EXPECT_TRUE(r.ok()) << r.error().toString();
      vertices += ring.size();
    }
  }
  std::cout << "converted " << polygons.size() << " polygon(s), " << vertices << " vertices\n";
  return {std::move(polygons), transformer->transform(kSeatGcj02).value()};
}

TEST(CrsOutline, ChanchengAreaInGaussKrugerIs154Point8SquareKilometres) {
  const Converted outline = convertToGaussKruger();
  double area = 0;
  for (const Polygon& polygon : outline.polygons) area += polygonArea(polygon);
  const double km2 = area / 1e6;
  std::cout << "Chancheng area in EPSG:4547: " << km2 << " km2 (expected ~" << kChanchengAreaKm2
            << ", off by " << 100.0 * (km2 - kChanchengAreaKm2) / kChanchengAreaKm2 << "%)\n";
  RecordProperty("area_km2", std::to_string(km2));
  EXPECT_NEAR(km2, kChanchengAreaKm2, kChanchengAreaKm2 * 0.005);
}

TEST(CrsOutline, GovernmentSeatIsInsideTheConvertedOutline) {
  const Converted outline = convertToGaussKruger();
  bool found = false;
  for (const Polygon& polygon : outline.polygons) found = found || inside(outline.seat, polygon);
  EXPECT_TRUE(found) << "seat at E " << outline.seat.x << " N " << outline.seat.y;
  // Chancheng is ~0.9 degree west of CM 114E: easting ~409 km.
  EXPECT_NEAR(outline.seat.x, 409000.0, 2000.0);
  EXPECT_NEAR(outline.seat.y, 2547000.0, 2000.0);
}

}  // namespace
}  // namespace gridtwin::crs
