// The reference district as `gridtwin generate` writes it, checked the slow,
// obvious way: GEOS for the coverages, the ID rules for every code, SQL for
// every link. One small district is generated once per ctest run (the
// generate.small_district fixture).
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "crs/crs.h"
#include "crs/transformer.h"
#include "geo/algorithms.h"
#include "geo/geometry.h"
#include "geo/geos.h"
#include "geo/wkb.h"
#include "ident/credit_code.h"
#include "ident/resident_id.h"

namespace fs = std::filesystem;
using gridtwin::geo::Geometry;
using gridtwin::geo::MultiPolygon;

namespace {

struct ShellRun {
  int exitCode = -1;
  std::string out, err;
};

ShellRun runShell(const std::string& command) {
  const fs::path errFile = fs::temp_directory_path() / ("gt_gen_err_" + std::to_string(::getpid()));
  ShellRun r;
  FILE* pipe = popen((command + " 2>'" + errFile.string() + "'").c_str(), "r");
  if (!pipe) return r;
  char buffer[4096];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) r.out.append(buffer, n);
  const int status = pclose(pipe);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(errFile);
  std::stringstream ss;
  ss << in.rdbuf();
  r.err = ss.str();
  fs::remove(errFile);
  return r;
}

std::string generateCommand(const fs::path& out, const std::string& extra) {
  return std::string("'") + GRIDTWIN_CLI + "' generate -q --out '" + out.string() + "' " + extra;
}

fs::path workDir() {
  fs::path dir = fs::path(GRIDTWIN_BINARY_DIR) / "tests" / "generate";
  fs::create_directories(dir);
  return dir;
}

std::string fileBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Reads every feature of `table`: its geometry in EPSG:4547 metres and the
// requested text fields.
struct Feature {
  Geometry geometry;
  std::vector<std::string> fields;
};

std::vector<Feature> readTable(GDALDataset& ds, const std::string& table,
                               const std::vector<std::string>& fields, bool metric = true) {
  std::vector<Feature> out;
  OGRLayer* layer = ds.GetLayerByName(table.c_str());
  EXPECT_NE(layer, nullptr) << "no table " << table;
  if (!layer) return out;
  auto toMetric =
      gridtwin::crs::Transformer::create(gridtwin::crs::kCgcs2000, gridtwin::crs::kGaussKruger114);
  EXPECT_TRUE(toMetric.ok());
  std::vector<unsigned char> wkb;
  for (auto& f : *layer) {
    Feature feature;
    if (const OGRGeometry* g = f->GetGeometryRef()) {
      wkb.resize(static_cast<std::size_t>(g->WkbSize()));
      g->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
      auto parsed = gridtwin::geo::readWkb(std::span<const std::uint8_t>(wkb.data(), wkb.size()));
      EXPECT_TRUE(parsed.ok());
      if (!parsed.ok()) continue;
      feature.geometry = std::move(*parsed);
      if (metric) {
        auto project = [&](std::vector<gridtwin::geo::Point>& pts) {
          (void)toMetric->transform(std::span(pts));
        };
        if (auto* p = std::get_if<gridtwin::geo::Point>(&feature.geometry)) {
          *p = *toMetric->transform(*p);
        } else if (auto* pg = std::get_if<gridtwin::geo::Polygon>(&feature.geometry)) {
          project(pg->outer);
          for (auto& h : pg->holes) project(h);
        } else if (auto* mp = std::get_if<MultiPolygon>(&feature.geometry)) {
          for (auto& part : mp->polygons) {
            project(part.outer);
            for (auto& h : part.holes) project(h);
          }
        }
      }
    }
    for (const auto& name : fields) {
      int i = f->GetFieldIndex(name.c_str());
      EXPECT_GE(i, 0) << table << " has no field " << name;
      feature.fields.push_back(i >= 0 && f->IsFieldSetAndNotNull(i) ? f->GetFieldAsString(i) : "");
    }
    out.push_back(std::move(feature));
  }
  return out;
}

double areaOf(const Geometry& g) {
  if (auto* p = std::get_if<gridtwin::geo::Polygon>(&g)) return gridtwin::geo::area(*p);
  if (auto* m = std::get_if<MultiPolygon>(&g)) return gridtwin::geo::area(*m);
  if (auto* c = std::get_if<gridtwin::geo::GeometryCollection>(&g)) {
    double a = 0;
    for (const auto& part : c->geometries) a += areaOf(part);
    return a;
  }
  return 0;
}

std::int64_t count(GDALDataset& ds, const std::string& sql) {
  OGRLayer* r = ds.ExecuteSQL(sql.c_str(), nullptr, nullptr);
  EXPECT_NE(r, nullptr) << sql;
  if (!r) return -1;
  std::int64_t n = -1;
  for (auto& f : *r) n = f->GetFieldAsInteger64(0);
  ds.ReleaseResultSet(r);
  return n;
}

class Generated : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    GDALAllRegister();
    // Written by the ctest fixture generate.small_district (scale 0.01, seed 7).
    s_path = GRIDTWIN_SMALL_DISTRICT;
    s_ds.reset(GDALDataset::Open(s_path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  }
  // Checked per test, not in SetUpTestSuite: GoogleTest reports a suite
  // whose set-up fails as skipped, and a missing district must fail.
  void SetUp() override {
    ASSERT_TRUE(s_ds) << "GDAL cannot open " << s_path
                      << " (written by the generate.small_district ctest fixture)";
  }
  static void TearDownTestSuite() { s_ds.reset(); }

  static inline fs::path s_path;
  static inline GDALDatasetUniquePtr s_ds;
};

// Coverage: `parts` cover `whole` with no gap and no overlap above 1 m².
void expectCoverage(const std::vector<Feature>& parts, const Geometry& whole,
                    const std::string& what) {
  std::vector<Geometry> geoms;
  double sum = 0;
  for (const auto& p : parts) {
    geoms.push_back(p.geometry);
    sum += areaOf(p.geometry);
  }
  auto united = gridtwin::geo::unionAll(geoms);
  ASSERT_TRUE(united.ok()) << united.error().toString();
  const double unionArea = areaOf(*united);
  EXPECT_LT(sum - unionArea, 1.0) << what << ": overlaps add up to " << sum - unionArea << " m²";
  auto gap = gridtwin::geo::difference(whole, *united);
  ASSERT_TRUE(gap.ok());
  EXPECT_LT(areaOf(*gap), 1.0) << what << ": gaps add up to " << areaOf(*gap) << " m²";
  auto outside = gridtwin::geo::difference(*united, whole);
  ASSERT_TRUE(outside.ok());
  EXPECT_LT(areaOf(*outside), 1.0)
      << what << ": " << areaOf(*outside) << " m² outside the district";
}

}  // namespace

TEST_F(Generated, OgrOpensItAndListsEveryTable) {
  std::set<std::string> names;
  for (auto* layer : s_ds->GetLayers()) names.insert(layer->GetName());
  for (const char* t : {"streets", "communities", "grids", "roads", "buildings", "addresses",
                        "houses", "people", "entities", "facilities", "events", "layer_catalog"}) {
    EXPECT_TRUE(names.count(t)) << "missing table " << t;
  }
  // One table (or registered view) per catalogued layer.
  OGRLayer* catalog = s_ds->GetLayerByName("layer_catalog");
  ASSERT_NE(catalog, nullptr);
  int layers = 0;
  for (auto& f : *catalog) {
    ++layers;
    EXPECT_TRUE(names.count(f->GetFieldAsString("table_name")))
        << f->GetFieldAsString("table_name");
  }
  EXPECT_EQ(layers, 244);
  // ogrinfo, the command-line tool, agrees.
  ShellRun r = runShell("ogrinfo -ro -q '" + s_path.string() + "'");
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("grids (Multi Polygon)"), std::string::npos) << r.out.substr(0, 2000);
}

TEST_F(Generated, StructureIsWholeAtSmallScale) {
  EXPECT_EQ(count(*s_ds, "SELECT count(*) FROM streets"), 4);
  EXPECT_EQ(count(*s_ds, "SELECT count(*) FROM communities"), 147);
  EXPECT_EQ(count(*s_ds, "SELECT count(*) FROM grids"), 478);
  EXPECT_EQ(count(*s_ds, "SELECT count(*) FROM staff WHERE role = 'station_head'"), 146);
  EXPECT_EQ(count(*s_ds, "SELECT count(*) FROM staff WHERE role = 'grid_worker'"), 528);
  EXPECT_GE(
      count(*s_ds, "SELECT min(n) FROM (SELECT count(*) AS n FROM grids GROUP BY community_code)"),
      1);
  EXPECT_LE(
      count(*s_ds, "SELECT max(n) FROM (SELECT count(*) AS n FROM grids GROUP BY community_code)"),
      8);
  const std::int64_t roads = count(*s_ds, "SELECT count(*) FROM roads");
  EXPECT_GT(roads, 1500);
  EXPECT_LT(roads, 2600);
  // Grid codes are the community code plus three digits.
  EXPECT_EQ(count(*s_ds,
                  "SELECT count(*) FROM grids WHERE length(code) <> 15 OR substr(code, 1, 12) <> "
                  "community_code"),
            0);
  EXPECT_EQ(count(*s_ds,
                  "SELECT count(*) FROM communities WHERE length(code) <> 12 OR substr(code, 1, 9) "
                  "<> street_code"),
            0);
}

TEST_F(Generated, RecordCountsAreTheFullTargetsScaled) {
  // Scale 0.01 of 100k buildings, 600k houses, 1.4M people, 200k entities,
  // 500k facilities, 2M events.
  EXPECT_EQ(count(*s_ds, "SELECT count(*) FROM buildings"), 1000);
  EXPECT_EQ(count(*s_ds, "SELECT count(*) FROM houses"), 6000);
  EXPECT_EQ(count(*s_ds, "SELECT count(*) FROM people"), 14000);
  EXPECT_EQ(count(*s_ds, "SELECT count(*) FROM entities"), 2000);
  EXPECT_EQ(count(*s_ds, "SELECT count(*) FROM facilities"), 5000);
  EXPECT_EQ(count(*s_ds, "SELECT count(*) FROM events"), 20000);
  EXPECT_EQ(count(*s_ds, "SELECT count(*) FROM addresses WHERE level = 'doorplate'"),
            count(*s_ds, "SELECT count(*) FROM buildings WHERE address_code IS NOT NULL"));
}

TEST_F(Generated, AdminLevelsCoverTheDistrictWithoutGapOrOverlap) {
  auto district = readTable(*s_ds, "district", {});
  ASSERT_EQ(district.size(), 1u);
  // The outline is the real one: ~154.8 km² after the GCJ-02 conversion.
  EXPECT_NEAR(areaOf(district[0].geometry) / 1e6, 154.8, 154.8 * 0.005);
  auto streets = readTable(*s_ds, "streets", {"code"});
  auto communities = readTable(*s_ds, "communities", {"code", "street_code"});
  auto grids = readTable(*s_ds, "grids", {"code", "community_code"});
  expectCoverage(streets, district[0].geometry, "streets");
  expectCoverage(communities, district[0].geometry, "communities");
  expectCoverage(grids, district[0].geometry, "grids");
  // Each grid inside its community, each community inside its street.
  std::map<std::string, Geometry> communityShape, streetShape;
  for (const auto& c : communities) communityShape[c.fields[0]] = c.geometry;
  for (const auto& s : streets) streetShape[s.fields[0]] = s.geometry;
  for (const auto& g : grids) {
    auto outside = gridtwin::geo::difference(g.geometry, communityShape.at(g.fields[1]));
    ASSERT_TRUE(outside.ok());
    EXPECT_LT(areaOf(*outside), 1.0) << "grid " << g.fields[0] << " pokes out of its community";
  }
  for (const auto& c : communities) {
    auto outside = gridtwin::geo::difference(c.geometry, streetShape.at(c.fields[1]));
    ASSERT_TRUE(outside.ok());
    EXPECT_LT(areaOf(*outside), 1.0) << "community " << c.fields[0] << " pokes out of its street";
    EXPECT_GT(areaOf(c.geometry), 5e4) << "community " << c.fields[0] << " is implausibly small";
  }
  for (const auto& g : grids) {
    auto valid = gridtwin::geo::isValid(g.geometry);
    ASSERT_TRUE(valid.ok());
    EXPECT_TRUE(*valid) << g.fields[0] << ": " << gridtwin::geo::validityReason(g.geometry);
  }
}

TEST_F(Generated, EveryBuildingIsInsideExactlyOneGridTheOneItNames) {
  auto grids = readTable(*s_ds, "grids", {"code"});
  auto buildings = readTable(*s_ds, "buildings", {"building_id", "grid_code"});
  ASSERT_FALSE(buildings.empty());
  std::vector<gridtwin::geo::Prepared> prepared;
  std::vector<gridtwin::geo::Box> boxes;
  for (const auto& g : grids) {
    auto p = gridtwin::geo::Prepared::make(g.geometry);
    ASSERT_TRUE(p.ok());
    prepared.push_back(std::move(p.value()));
    boxes.push_back(gridtwin::geo::bbox(g.geometry));
  }
  for (const auto& b : buildings) {
    const auto box = gridtwin::geo::bbox(b.geometry);
    int containing = 0, touching = 0;
    std::string where;
    for (std::size_t i = 0; i < grids.size(); ++i) {
      if (!boxes[i].intersects(box)) continue;
      if (*prepared[i].covers(b.geometry)) {
        ++containing;
        where = grids[i].fields[0];
      } else if (*prepared[i].intersects(b.geometry)) {
        ++touching;
      }
    }
    EXPECT_EQ(containing, 1) << "building " << b.fields[0];
    EXPECT_EQ(touching, 0) << "building " << b.fields[0] << " is cut by a grid boundary";
    EXPECT_EQ(where, b.fields[1]) << "building " << b.fields[0] << " names the wrong grid";
  }
}

TEST_F(Generated, NoBuildingCrossesARoad) {
  auto roads = readTable(*s_ds, "roads", {"name"}, false);
  auto buildings = readTable(*s_ds, "buildings", {"building_id"}, false);
  std::vector<Geometry> lines;
  for (auto& r : roads) lines.push_back(r.geometry);
  auto network = gridtwin::geo::unionAll(lines);
  ASSERT_TRUE(network.ok());
  auto prepared = gridtwin::geo::Prepared::make(*network);
  ASSERT_TRUE(prepared.ok());
  for (const auto& b : buildings) {
    EXPECT_FALSE(*prepared->intersects(b.geometry))
        << "building " << b.fields[0] << " crosses a road centre line";
  }
}

TEST_F(Generated, EveryIdNumberAndCreditCodeIsValid) {
  OGRLayer* people = s_ds->GetLayerByName("people");
  ASSERT_NE(people, nullptr);
  std::set<std::string> seen;
  int n = 0;
  for (auto& f : *people) {
    const std::string id = f->GetFieldAsString("id_number");
    auto info = gridtwin::ident::parseResidentId(id, "people");
    ASSERT_TRUE(info.ok()) << info.error().toString();
    // Birth date in the ID equals the birth_date column; sex too.
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02d-%02d", info->birthYear, info->birthMonth,
                  info->birthDay);
    EXPECT_EQ(date, std::string(f->GetFieldAsString("birth_date")));
    EXPECT_EQ(std::string(f->GetFieldAsString("sex")),
              info->sex == gridtwin::ident::Sex::kMale ? "男" : "女");
    EXPECT_TRUE(seen.insert(id).second) << "duplicate ID number";
    ++n;
  }
  EXPECT_EQ(n, 14000);
  OGRLayer* entities = s_ds->GetLayerByName("entities");
  ASSERT_NE(entities, nullptr);
  for (auto& f : *entities) {
    auto info = gridtwin::ident::parseCreditCode(f->GetFieldAsString("credit_code"), "entities");
    EXPECT_TRUE(info.ok()) << info.error().toString();
  }
}

TEST_F(Generated, EveryLinkResolves) {
  // person -> house -> building -> address -> grid -> community -> street
  EXPECT_EQ(count(*s_ds,
                  "SELECT count(*) FROM people p LEFT JOIN houses h ON h.house_id = p.house_id "
                  "WHERE h.fid IS NULL"),
            0);
  EXPECT_EQ(count(*s_ds,
                  "SELECT count(*) FROM houses h LEFT JOIN buildings b ON b.building_id = "
                  "h.building_id WHERE b.fid IS NULL"),
            0);
  EXPECT_EQ(count(*s_ds,
                  "SELECT count(*) FROM buildings b LEFT JOIN addresses a ON a.address_code = "
                  "b.address_code WHERE b.address_code IS NOT NULL AND a.fid IS NULL"),
            0);
  EXPECT_EQ(count(*s_ds,
                  "SELECT count(*) FROM addresses a LEFT JOIN grids g ON g.code = a.grid_code "
                  "WHERE g.fid IS NULL"),
            0);
  EXPECT_EQ(count(*s_ds,
                  "SELECT count(*) FROM grids g LEFT JOIN communities c ON c.code = "
                  "g.community_code WHERE c.fid IS NULL"),
            0);
  EXPECT_EQ(count(*s_ds,
                  "SELECT count(*) FROM communities c LEFT JOIN streets s ON s.code = "
                  "c.street_code WHERE s.fid IS NULL"),
            0);
  EXPECT_EQ(count(*s_ds,
                  "SELECT count(*) FROM addresses a LEFT JOIN addresses d ON d.address_code = "
                  "a.parent_code WHERE a.level = 'room' AND d.fid IS NULL"),
            0);
  EXPECT_EQ(count(*s_ds,
                  "SELECT count(*) FROM entities e LEFT JOIN buildings b ON b.building_id = "
                  "e.building_id WHERE b.fid IS NULL"),
            0);
  for (const char* table : {"buildings", "houses", "people", "entities", "facilities", "events"}) {
    EXPECT_EQ(count(*s_ds, std::string("SELECT count(*) FROM ") + table +
                               " t LEFT JOIN grids g ON g.code = t.grid_code WHERE g.fid IS NULL"),
              0)
        << table;
  }
  // The grid a person is registered in is the grid of their house.
  EXPECT_EQ(count(*s_ds,
                  "SELECT count(*) FROM people p JOIN houses h ON h.house_id = p.house_id WHERE "
                  "p.grid_code <> h.grid_code"),
            0);
}

TEST_F(Generated, EventsHaveTheirRhythmsAndLifecycle) {
  EXPECT_EQ(count(*s_ds, "SELECT count(DISTINCT source) FROM events"), 6);
  EXPECT_EQ(count(*s_ds, "SELECT count(DISTINCT status) FROM events"), 5);
  // Some arrive only as address text, some in GCJ-02 as a mobile app sends them.
  EXPECT_GT(
      count(*s_ds, "SELECT count(*) FROM events WHERE geom IS NULL AND address_text IS NOT NULL"),
      1000);
  EXPECT_GT(count(*s_ds, "SELECT count(*) FROM events WHERE report_crs = 'GCJ02'"), 2000);
  // Daytime busier than the small hours; weekdays busier than Sundays.
  EXPECT_GT(
      count(*s_ds, "SELECT count(*) FROM events WHERE substr(reported_at, 12, 2) = '10'"),
      3 * count(*s_ds, "SELECT count(*) FROM events WHERE substr(reported_at, 12, 2) = '03'"));
  EXPECT_GT(
      count(*s_ds,
            "SELECT count(*) FROM events WHERE strftime('%w', substr(reported_at, 1, 10)) = '3'"),
      count(*s_ds,
            "SELECT count(*) FROM events WHERE strftime('%w', substr(reported_at, 1, 10)) = '0'"));
  EXPECT_GT(count(*s_ds, "SELECT count(DISTINCT category_code) FROM events"), 150);
}

TEST(Generate, SameSeedAndScaleGiveIdenticalBytes) {
  const fs::path a = workDir() / "same_a.gpkg", b = workDir() / "same_b.gpkg";
  ASSERT_EQ(runShell(generateCommand(a, "--scale 0.002 --seed 11")).exitCode, 0);
  ASSERT_EQ(runShell(generateCommand(b, "--scale 0.002 --seed 11")).exitCode, 0);
  const std::string ba = fileBytes(a), bb = fileBytes(b);
  EXPECT_GT(ba.size(), 100000u);
  EXPECT_TRUE(ba == bb) << "two runs with the same seed differ";
  const fs::path c = workDir() / "other_seed.gpkg";
  ASSERT_EQ(runShell(generateCommand(c, "--scale 0.002 --seed 12")).exitCode, 0);
  EXPECT_FALSE(fileBytes(c) == ba) << "another seed gave the same bytes";
}

TEST(Generate, BadInputGivesAClearErrorAndNoFile) {
  const fs::path out = workDir() / "bad.gpkg";
  fs::remove(out);
  struct Case {
    std::string args;
    std::string expect;
  };
  const fs::path notJson = workDir() / "not_an_outline.geojson";
  std::ofstream(notJson)
      << "{\"type\": \"FeatureCollection\", \"features\": [ {\"type\": \"Feature\", \"geometry\": "
         "{\"type\": \"Polygon\", \"coordinates\": [[[113, 23], [113.1, 23]]]}";
  const std::vector<Case> cases = {
      {"--scale 0", "scale"},
      {"--scale -3", "scale"},
      {"--scale abc", "scale"},
      {"--outline /nonexistent/outline.geojson", "/nonexistent/outline.geojson"},
      {"--outline '" + notJson.string() + "'", notJson.string()},
  };
  for (const auto& c : cases) {
    ShellRun r = runShell(generateCommand(out, c.args));
    EXPECT_NE(r.exitCode, 0) << c.args;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.args << " said: " << r.err;
    EXPECT_FALSE(fs::exists(out)) << c.args << " left a file";
  }
}

TEST(Generate, AFullDiskLeavesThePreviousDatasetIntactAndNoTemporaryFile) {
  const fs::path dir = workDir() / "fulldisk";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path out = dir / "district.gpkg";
  std::ofstream(out) << "the previous dataset";
  // RLIMIT_FSIZE stands in for a full disk: writes past 2 MB fail (EFBIG,
  // with SIGXFSZ ignored, as a full disk's ENOSPC would).
  ShellRun r = runShell("bash -c \"trap '' XFSZ; ulimit -f 2048; " +
                        generateCommand(out, "--scale 0.01") + "\"");
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find(out.string()), std::string::npos) << r.err;
  EXPECT_EQ(fileBytes(out), "the previous dataset");
  for (const auto& entry : fs::directory_iterator(dir)) {
    EXPECT_EQ(entry.path(), out) << "left behind: " << entry.path();
  }
}
