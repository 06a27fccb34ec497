// Coverage validation on a synthetic 2x2 block of 100 m grids (EPSG:4547
// metres near Chancheng): each kind of defect alone is found with its kind,
// codes, place and measure, and nothing else is reported.
#include <gdal.h>
#include <gtest/gtest.h>
#include <ogr_api.h>

#include <unistd.h>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "boundary/coverage.h"
#include "boundary/output.h"
#include "crs/transformer.h"
#include "geo/algorithms.h"
#include "geo/geos.h"

namespace gridtwin::boundary {
namespace {

constexpr double kX0 = 410000, kY0 = 2545000;

geo::Ring ring(std::initializer_list<std::pair<double, double>> pts) {
  geo::Ring r;
  for (auto [x, y] : pts) r.push_back({kX0 + x, kY0 + y});
  r.push_back(r.front());
  return r;
}

geo::MultiPolygon box(double x0, double y0, double x1, double y1) {
  return {{geo::Polygon{ring({{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}), {}}}};
}

geo::MultiPolygon multi(const geo::Geometry& g) {
  if (auto* p = std::get_if<geo::Polygon>(&g)) return {{*p}};
  if (auto* mp = std::get_if<geo::MultiPolygon>(&g)) return *mp;
  ADD_FAILURE() << "not polygonal: " << geo::typeName(g);
  return {};
}

geo::MultiPolygon unite(const geo::MultiPolygon& a, const geo::MultiPolygon& b) {
  auto u = geo::unionAll({geo::Geometry{a}, geo::Geometry{b}});
  EXPECT_TRUE(u.ok());
  return multi(*u);
}

geo::MultiPolygon minus(const geo::MultiPolygon& a, const geo::MultiPolygon& b) {
  auto d = geo::difference(geo::Geometry{a}, geo::Geometry{b});
  EXPECT_TRUE(d.ok());
  return multi(*d);
}

// A1 A2 on the bottom row, B1 B2 above; parents: P1 the left column, P2 the
// right one; the district outline is the whole 200 m square.
Coverage clean() {
  Coverage c;
  c.units = {{"A1", "P1", box(0, 0, 100, 100)},
             {"A2", "P2", box(100, 0, 200, 100)},
             {"B1", "P1", box(0, 100, 100, 200)},
             {"B2", "P2", box(100, 100, 200, 200)}};
  c.parents = {{"P1", "", box(0, 0, 100, 200)}, {"P2", "", box(100, 0, 200, 200)}};
  c.outline = box(0, 0, 200, 200);
  return c;
}

Unit& unit(Coverage& c, const std::string& code) {
  for (Unit& u : c.units) {
    if (u.code == code) return u;
  }
  throw std::runtime_error("no unit " + code);
}

std::vector<Finding> check(const Coverage& c, const CoverageOptions& o = {}) {
  auto f = validate(c, o);
  EXPECT_TRUE(f.ok()) << (f.ok() ? "" : f.error().toString());
  return f.ok() ? *f : std::vector<Finding>{};
}

void expectAt(const Finding& f, double x, double y, double within = 1.0) {
  EXPECT_LE(std::hypot(f.xy.x - (kX0 + x), f.xy.y - (kY0 + y)), within)
      << name(f.kind) << " at " << f.xy.x - kX0 << "," << f.xy.y - kY0;
  // lon,lat is the same place: PROJ's EPSG:4547 -> 4490 of xy (1e-9 degrees
  // is about 0.1 mm).
  static const auto toLonLat = crs::Transformer::create(crs::kGaussKruger114, crs::kCgcs2000);
  ASSERT_TRUE(toLonLat.ok());
  const auto ll = toLonLat->transform(f.xy);
  ASSERT_TRUE(ll.ok());
  EXPECT_NEAR(f.lonlat.x, ll->x, 1e-9);
  EXPECT_NEAR(f.lonlat.y, ll->y, 1e-9);
  EXPECT_NEAR(f.lonlat.x, 113.1, 0.3);  // Chancheng, near 113.1E 23.0N
  EXPECT_NEAR(f.lonlat.y, 23.0, 0.3);
}

TEST(Coverage, CleanCoverageHasNoFindings) {
  EXPECT_TRUE(check(clean()).empty());
  Coverage noOutline = clean();
  noOutline.outline.reset();
  EXPECT_TRUE(check(noOutline).empty());
}

TEST(Coverage, MovedVertexMakesAnOverlap) {
  Coverage c = clean();
  // A1's right edge gets a vertex pushed 3 m into A2: a 150 m2 triangle.
  unit(c, "A1").shape = {
      {geo::Polygon{ring({{0, 0}, {100, 0}, {103, 50}, {100, 100}, {0, 100}}), {}}}};
  const auto f = check(c);
  ASSERT_EQ(f.size(), 2u);
  // Both the overlap and A1 poking out of its parent P1 by the same triangle.
  EXPECT_EQ(f[0].kind, FindingKind::kOverlap);
  EXPECT_EQ(f[0].codes, (std::vector<std::string>{"A1", "A2"}));
  EXPECT_NEAR(f[0].measure, 150.0, 1e-6);
  EXPECT_EQ(f[0].unit, "m2");
  expectAt(f[0], 101, 50);
  EXPECT_EQ(f[1].kind, FindingKind::kOutsideParent);
  EXPECT_EQ(f[1].codes, (std::vector<std::string>{"A1", "P1"}));
  EXPECT_NEAR(f[1].measure, 150.0, 1e-6);
}

TEST(Coverage, NotchIsAGapTouchingBothNeighbours) {
  Coverage c = clean();
  unit(c, "A1").shape = minus(unit(c, "A1").shape, box(95, 10, 100, 90));
  auto f = check(c);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, FindingKind::kGap);
  EXPECT_EQ(f[0].codes, (std::vector<std::string>{"A1", "A2"}));
  EXPECT_NEAR(f[0].measure, 400.0, 1e-6);
  expectAt(f[0], 97.5, 50);
  // Without an outline the notch is still found: it is a hole in the union.
  c.outline.reset();
  f = check(c);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, FindingKind::kGap);
}

TEST(Coverage, HoleAroundAnIslandIsOnlyTheOpenPart) {
  Coverage c = clean();
  c.outline.reset();
  // A1 has a 40 m hole; an island unit I1 fills its middle 20 m.
  unit(c, "A1").shape = minus(unit(c, "A1").shape, box(30, 30, 70, 70));
  c.units.push_back({"I1", "P1", box(40, 40, 60, 60)});
  const auto f = check(c);
  ASSERT_EQ(f.size(), 1u) << findingsText(f);
  EXPECT_EQ(f[0].kind, FindingKind::kGap);
  EXPECT_EQ(f[0].codes, (std::vector<std::string>{"A1", "I1"}));
  EXPECT_NEAR(f[0].measure, 1600.0 - 400.0, 1e-6);
  EXPECT_NEAR(geo::area(f[0].geometry), 1200.0, 1e-6);
}

TEST(Coverage, SmallSliverUnderOneSquareMetreIsStillFound) {
  Coverage c = clean();
  // 0.3 m by 3 m: 0.9 m2, under the 1 m2 rounding limit of overlaps and gaps.
  const geo::MultiPolygon strip = box(100, 40, 103, 40.3);
  unit(c, "A1").shape = unite(unit(c, "A1").shape, strip);
  unit(c, "A2").shape = minus(unit(c, "A2").shape, strip);
  c.parents[0].shape = unite(c.parents[0].shape, strip);
  c.parents[1].shape = minus(c.parents[1].shape, strip);
  const auto f = check(c);
  ASSERT_EQ(f.size(), 1u) << findingsText(f);
  EXPECT_EQ(f[0].kind, FindingKind::kSliver);
  EXPECT_NEAR(f[0].measure, 0.3 * 3 * 2 / (2 * 3.3), 0.02);
}

TEST(Coverage, GapAtTheOutlineNeedsTheOutline) {
  Coverage c = clean();
  unit(c, "A1").shape = box(0, 5, 100, 100);  // a 5 m strip along the district's edge
  auto f = check(c);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, FindingKind::kGap);
  EXPECT_EQ(f[0].codes, (std::vector<std::string>{"A1", "A2"}));
  EXPECT_NEAR(f[0].measure, 500.0, 1e-6);
  c.outline.reset();
  EXPECT_TRUE(check(c).empty());
}

TEST(Coverage, UnitBeyondTheOutlineAndItsParent) {
  Coverage c = clean();
  unit(c, "A2").shape = box(100, 0, 210, 100);
  const auto f = check(c);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].kind, FindingKind::kOutsideParent);
  EXPECT_EQ(f[0].codes, (std::vector<std::string>{"A2", "P2"}));
  EXPECT_NEAR(f[0].measure, 1000.0, 1e-6);
  EXPECT_EQ(f[1].kind, FindingKind::kOutsideDistrict);
  EXPECT_EQ(f[1].codes, (std::vector<std::string>{"A2"}));
  EXPECT_NEAR(f[1].measure, 1000.0, 1e-6);
  expectAt(f[1], 205, 50);
}

TEST(Coverage, ThinStripHandedToANeighbourIsASliver) {
  Coverage c = clean();
  const geo::MultiPolygon strip = box(100, 40, 150, 40.5);
  unit(c, "A1").shape = unite(unit(c, "A1").shape, strip);
  unit(c, "A2").shape = minus(unit(c, "A2").shape, strip);
  // Give A1's parent the strip too, so the sliver is the only defect.
  c.parents[0].shape = unite(c.parents[0].shape, strip);
  c.parents[1].shape = minus(c.parents[1].shape, strip);
  auto f = check(c);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, FindingKind::kSliver);
  EXPECT_EQ(f[0].codes, (std::vector<std::string>{"A1"}));
  EXPECT_EQ(f[0].unit, "m");
  EXPECT_NEAR(f[0].measure, 0.5, 0.02);
  expectAt(f[0], 125, 40.25);
  // A narrower sliver width lets it pass.
  CoverageOptions o;
  o.sliverWidthM = 0.4;
  EXPECT_TRUE(check(c, o).empty());
}

// sliverWidthM is the threshold itself, not a multiple of it: with the
// default 1 m, a strip 0.8 m wide is a sliver and one 1.2 m wide is not
// (an opening by a quarter of the width instead of half passed every other
// test: their strips are under half the width).
TEST(Coverage, SliverWidthIsTheThreshold) {
  for (const double width : {0.8, 1.2}) {
    Coverage c = clean();
    const geo::MultiPolygon strip = box(100, 40, 150, 40 + width);
    unit(c, "A1").shape = unite(unit(c, "A1").shape, strip);
    unit(c, "A2").shape = minus(unit(c, "A2").shape, strip);
    c.parents[0].shape = unite(c.parents[0].shape, strip);
    c.parents[1].shape = minus(c.parents[1].shape, strip);
    const auto f = check(c);
    if (width < CoverageOptions{}.sliverWidthM) {
      ASSERT_EQ(f.size(), 1u) << width << " m: " << findingsText(f);
      EXPECT_EQ(f[0].kind, FindingKind::kSliver);
      EXPECT_NEAR(f[0].measure, 2 * 50 * width / (2 * (50 + width)), 0.02);
    } else {
      EXPECT_TRUE(f.empty()) << width << " m: " << findingsText(f);
    }
  }
}

TEST(Coverage, SpikeIsASelfIntersectionAndNothingElse) {
  Coverage c = clean();
  // A 10 m spike into A1 and back along the same line.
  unit(c, "A1").shape = {{geo::Polygon{
      ring({{0, 0}, {100, 0}, {100, 50}, {90, 50}, {100, 50}, {100, 100}, {0, 100}}), {}}}};
  const auto f = check(c);
  ASSERT_EQ(f.size(), 1u) << findingsText(f);
  EXPECT_EQ(f[0].kind, FindingKind::kInvalid);
  EXPECT_EQ(f[0].codes, (std::vector<std::string>{"A1"}));
  EXPECT_FALSE(f[0].detail.empty());
  // GEOS places it on the spike (somewhere from 90,50 to 100,50).
  EXPECT_NEAR(f[0].xy.y - kY0, 50, 1.0);
  EXPECT_GE(f[0].xy.x - kX0, 89.0);
  EXPECT_LE(f[0].xy.x - kX0, 101.0);
}

TEST(Coverage, BowTieIsInvalidWithGeosReason) {
  Coverage c = clean();
  c.units.push_back(
      {"C1", "", {{geo::Polygon{ring({{300, 0}, {400, 100}, {400, 0}, {300, 100}}), {}}}}});
  c.outline.reset();
  c.parents.clear();
  const auto f = check(c);
  ASSERT_EQ(f.size(), 1u) << findingsText(f);
  EXPECT_EQ(f[0].kind, FindingKind::kInvalid);
  EXPECT_EQ(f[0].codes, (std::vector<std::string>{"C1"}));
  EXPECT_NE(f[0].detail.find("ntersection"), std::string::npos) << f[0].detail;
  expectAt(f[0], 350, 50);
}

TEST(Coverage, MissingParentIsReported) {
  Coverage c = clean();
  unit(c, "B2").parentCode = "P9";
  const auto f = check(c);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, FindingKind::kOutsideParent);
  EXPECT_EQ(f[0].codes, (std::vector<std::string>{"B2", "P9"}));
  EXPECT_NE(f[0].detail.find("P9"), std::string::npos);
}

TEST(Coverage, BadOptionsAreClearErrors) {
  CoverageOptions o;
  o.sliverWidthM = -1;
  auto r = validate(clean(), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("sliver"), std::string::npos);
  o = {};
  o.minAreaM2 = std::nan("");
  EXPECT_FALSE(validate(clean(), o).ok());
}

TEST(Coverage, JsonTextAndGeoPackageOutputs) {
  Coverage c = clean();
  unit(c, "A1").shape = minus(unit(c, "A1").shape, box(95, 10, 100, 90));
  unit(c, "A2").shape = box(100, 0, 210, 100);
  const auto f = check(c);
  ASSERT_EQ(f.size(), 3u);
  const auto j = nlohmann::json::parse(findingsJson(f));
  ASSERT_EQ(j["findings"].size(), 3u);
  EXPECT_EQ(j["count"], 3);
  EXPECT_EQ(j["findings"][0]["kind"], "gap");
  EXPECT_EQ(j["findings"][0]["codes"], nlohmann::json({"A1", "A2"}));
  EXPECT_NEAR(j["findings"][0]["lon"].get<double>(), f[0].lonlat.x, 1e-12);
  EXPECT_EQ(j["by_kind"]["outside_parent"], 1);
  const std::string text = findingsText(f);
  EXPECT_NE(text.find("gap A1,A2 at 113."), std::string::npos) << text;

  const auto dir =
      std::filesystem::temp_directory_path() / ("gridtwin-findings-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "findings.gpkg").string();
  ASSERT_TRUE(writeFindingsGpkg(path, f).ok());
  GDALAllRegister();
  GDALDatasetH ds = GDALOpenEx(path.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
  ASSERT_NE(ds, nullptr);
  EXPECT_EQ(OGR_L_GetFeatureCount(GDALDatasetGetLayerByName(ds, "findings"), 1), 3);
  EXPECT_EQ(OGR_L_GetFeatureCount(GDALDatasetGetLayerByName(ds, "finding_areas"), 1), 3);
  GDALClose(ds);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gridtwin::boundary
