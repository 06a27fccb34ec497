// The real Chancheng outline (AMap-derived, so GCJ-02 whatever the file says)
// converted GCJ-02 -> CGCS2000 -> EPSG:4547 must have the district's area and
// contain the district government seat. Reading, area and point-in-polygon
// come from the geometry module; what is under test here is the conversion.
#include <gtest/gtest.h>

#include <iostream>
#include <variant>

#include "crs/transformer.h"
#include "crs_test_support.h"
#include "geo/algorithms.h"
#include "geo/geojson.h"

namespace gridtwin::crs {
namespace {

constexpr double kChanchengAreaKm2 = 154.8;
constexpr geo::Point kSeatGcj02{113.112414, 23.019643};

struct Converted {
  geo::MultiPolygon outline;  // EPSG:4547, metres
  geo::Point seat;            // EPSG:4547, metres
};

// Every Polygon/MultiPolygon of the file, converted GCJ-02 -> EPSG:4547.
Converted convertToGaussKruger() {
  const auto path = test::sharedData("chancheng/chancheng-boundary-gcj02.geojson");
  auto features = geo::readGeoJsonFile(path.string());
  EXPECT_TRUE(features.ok()) << features.error().toString();
  if (!features) return {};
  Converted converted;
  for (const geo::Feature& feature : *features) {
    if (const auto* polygon = std::get_if<geo::Polygon>(&feature.geometry)) {
      converted.outline.polygons.push_back(*polygon);
    } else if (const auto* multi = std::get_if<geo::MultiPolygon>(&feature.geometry)) {
      converted.outline.polygons.insert(converted.outline.polygons.end(), multi->polygons.begin(),
                                        multi->polygons.end());
    } else {
      ADD_FAILURE() << "unexpected geometry in " << path << ", feature "
                    << feature.id.value_or("?");
    }
  }
  EXPECT_FALSE(converted.outline.polygons.empty()) << "no polygon in " << path;

  auto transformer = Transformer::create(kGcj02, kGaussKruger114);
  EXPECT_TRUE(transformer.ok());
  if (!transformer) return {};
  std::size_t vertices = 0;
  const auto convert = [&](geo::Ring& ring) {
    const auto r = transformer->transform(std::span(ring));
    EXPECT_TRUE(r.ok()) << r.error().toString();
    vertices += ring.size();
  };
  for (geo::Polygon& polygon : converted.outline.polygons) {
    convert(polygon.outer);
    for (geo::Ring& hole : polygon.holes) convert(hole);
  }
  std::cout << "converted " << converted.outline.polygons.size() << " polygon(s), " << vertices
            << " vertices\n";
  converted.seat = transformer->transform(kSeatGcj02).value();
  return converted;
}

TEST(CrsOutline, ChanchengAreaInGaussKrugerIs154Point8SquareKilometres) {
  const Converted converted = convertToGaussKruger();
  const double km2 = geo::area(converted.outline) / 1e6;
  std::cout << "Chancheng area in EPSG:4547: " << km2 << " km2 (expected ~" << kChanchengAreaKm2
            << ", off by " << 100.0 * (km2 - kChanchengAreaKm2) / kChanchengAreaKm2 << "%)\n";
  RecordProperty("area_km2", std::to_string(km2));
  EXPECT_NEAR(km2, kChanchengAreaKm2, kChanchengAreaKm2 * 0.005);
}

TEST(CrsOutline, GovernmentSeatIsInsideTheConvertedOutline) {
  const Converted converted = convertToGaussKruger();
  EXPECT_EQ(geo::locate(converted.seat, converted.outline), geo::Location::kInterior)
      << "seat at E " << converted.seat.x << " N " << converted.seat.y;
  // Chancheng is ~0.9 degree west of CM 114E: easting ~409 km.
  EXPECT_NEAR(converted.seat.x, 409000.0, 2000.0);
  EXPECT_NEAR(converted.seat.y, 2547000.0, 2000.0);
}

}  // namespace
}  // namespace gridtwin::crs
