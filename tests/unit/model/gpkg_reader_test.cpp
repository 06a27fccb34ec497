#include "store/gpkg_reader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>

#include "crs/crs.h"
#include "crs/transformer.h"
#include "model/summary.h"
#include "unit/model/tiny_dataset.h"

namespace gridtwin::store {
namespace {

using model::Kind;
using test::TinyCounts;

class GpkgReader : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = test::scratchDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    m_path = m_dir + "/tiny.gpkg";
    test::writeTinyDataset(m_path);
  }
  // Loads and expects an error whose text contains every fragment.
  void expectError(std::initializer_list<const char*> fragments) {
    auto d = loadGeoPackage(m_path);
    ASSERT_FALSE(d.ok()) << "loaded although it should not";
    const std::string text = d.error().toString();
    for (const char* f : fragments)
      EXPECT_NE(text.find(f), std::string::npos) << "'" << f << "' not in: " << text;
  }
  std::string m_dir, m_path;
};

TEST_F(GpkgReader, LoadsEveryKindWithItsCounts) {
  auto d = loadGeoPackage(m_path);
  ASSERT_TRUE(d.ok()) << d.error().toString();
  EXPECT_EQ(d->count(Kind::kStreet), TinyCounts::kStreets);
  EXPECT_EQ(d->count(Kind::kCommunity), TinyCounts::kCommunities);
  EXPECT_EQ(d->count(Kind::kGrid), TinyCounts::kGrids);
  EXPECT_EQ(d->count(Kind::kRoad), TinyCounts::kRoads);
  EXPECT_EQ(d->count(Kind::kBuilding), TinyCounts::kBuildings);
  EXPECT_EQ(d->count(Kind::kAddress), TinyCounts::kAddresses);
  EXPECT_EQ(d->count(Kind::kHouse), TinyCounts::kHouses);
  EXPECT_EQ(d->count(Kind::kPerson), TinyCounts::kPeople);
  EXPECT_EQ(d->count(Kind::kEntity), TinyCounts::kEntities);
  EXPECT_EQ(d->count(Kind::kFacility), TinyCounts::kFacilities);
  EXPECT_EQ(d->count(Kind::kEvent), TinyCounts::kEvents);
  EXPECT_EQ(d->count(Kind::kLayer), TinyCounts::kLayers);
  EXPECT_GT(d->memoryBytes(), 0u);
}

TEST_F(GpkgReader, ResolvesTheChainFromPersonToStreet) {
  auto d = loadGeoPackage(m_path);
  ASSERT_TRUE(d.ok()) << d.error().toString();
  // Person 4 (黄美玲) lives in house 3, room 201 of building 20, door plate
  // 44060400100200001 in grid 440604001002001 of community 440604001002.
  const auto& people = d->people();
  EXPECT_EQ(people.name[3], "黄美玲");
  const std::uint32_t house = people.house[3];
  EXPECT_EQ(d->houses().id[house], 3);
  const std::uint32_t building = d->houses().building[house];
  EXPECT_EQ(d->buildings().id[building], 20);
  const std::int32_t door = d->buildings().address[building];
  ASSERT_NE(door, model::kNone);
  EXPECT_EQ(d->addresses().code[static_cast<std::size_t>(door)], "44060400100200001");
  const std::uint32_t grid = d->addresses().grid[static_cast<std::size_t>(door)];
  EXPECT_EQ(d->grids().code[grid], "440604001002001");
  EXPECT_EQ(d->communities().code[d->communityOfGrid(grid)], "440604001002");
  EXPECT_EQ(d->streets().code[d->streetOfGrid(grid)], "440604001");
  // The house's own room address, and the address's house back.
  const std::int32_t room = d->houses().address[house];
  ASSERT_NE(room, model::kNone);
  EXPECT_EQ(d->addresses().code[static_cast<std::size_t>(room)], "44060400100200001010201");
  EXPECT_EQ(d->addresses().house[static_cast<std::size_t>(room)], static_cast<std::int32_t>(house));
  // Building 30 has no door plate; its house has no address.
  EXPECT_EQ(d->buildings().address[2], model::kNone);
  EXPECT_EQ(d->houses().address[3], model::kNone);
  EXPECT_EQ(d->addresses().house[0], model::kNone);
}

TEST_F(GpkgReader, ReadsAttributesIntoTheirTypes) {
  auto d = loadGeoPackage(m_path);
  ASSERT_TRUE(d.ok()) << d.error().toString();
  const auto& p = d->people();
  EXPECT_EQ(model::fixedAt<model::kIdNumberSize>(p.idNumber, 0), "44060419400101001X");
  EXPECT_EQ(p.sex[0], model::Sex::kMale);
  EXPECT_EQ(p.sex[1], model::Sex::kFemale);
  EXPECT_EQ(p.birthDay[0], -10958);  // 1940-01-01
  EXPECT_EQ(p.phone[0], "");
  EXPECT_EQ(p.phone[1], "13800138000");
  EXPECT_EQ(p.tags[0], model::tagBit(model::PersonTag::kElderly80) |
                           model::tagBit(model::PersonTag::kLivingAlone));
  EXPECT_EQ(p.tags[1], 0u);
  EXPECT_EQ(p.tags[2], model::tagBit(model::PersonTag::kSchoolAge) |
                           model::tagBit(model::PersonTag::kMigrant) |
                           model::tagBit(model::PersonTag::kKeyPerson));

  const auto& e = d->entities();
  EXPECT_EQ(model::fixedAt<model::kCreditCodeSize>(e.creditCode, 1), "92440604MA4W00001Y");
  EXPECT_EQ(e.colour[0], model::CreditColour::kRed);
  EXPECT_EQ(e.kind[0], model::EntityKind::kCompany);
  EXPECT_EQ(e.kind[1], model::EntityKind::kIndividual);
  EXPECT_EQ(d->columns().industries[e.industry[0]], "陶瓷");
  EXPECT_EQ(d->buildings().id[e.building[0]], 20);

  const auto& f = d->facilities();
  EXPECT_EQ(d->columns().facilityTypeCodes[f.type[0]], "camera");
  EXPECT_EQ(d->columns().facilityTypeNames[f.type[0]], "视频监控");
  EXPECT_EQ(d->columns().departments[static_cast<std::size_t>(f.owner[0])], "公安局");
  EXPECT_EQ(f.owner[1], model::kNone);
  EXPECT_FLOAT_EQ(f.headingDeg[0], 90.0f);
  EXPECT_TRUE(std::isnan(f.headingDeg[1]));

  const auto& ev = d->events();
  EXPECT_EQ(ev.reportedAt[0], 1704067200);  // 2024-01-01T00:00:00Z
  EXPECT_EQ(ev.status[0], model::EventStatus::kClosed);
  EXPECT_EQ(ev.source[0], model::EventSource::kHotline12345);
  EXPECT_EQ(ev.source[1], model::EventSource::kVideoAi);
  EXPECT_EQ(ev.source[2], model::EventSource::kPatrol);
  EXPECT_EQ(ev.level[1], model::DispatchLevel::kStreet);
  EXPECT_EQ(ev.category[0], ev.category[2]);
  EXPECT_EQ(d->columns().categoryCodes[ev.category[1]], "0202");
  EXPECT_TRUE(model::isMissing(ev.point.lonlat[1]));
  EXPECT_TRUE(model::isMissing(ev.point.xy[1]));
  EXPECT_FALSE(model::isMissing(ev.point.xy[0]));

  EXPECT_EQ(d->roads().roadClass[0], model::RoadClass::kArterial);
  EXPECT_EQ(d->roads().community[0], model::kNone);
  EXPECT_EQ(d->roads().community[1], 0);
  EXPECT_EQ(d->buildings().use[1], model::BuildingUse::kCommercial);
  EXPECT_EQ(d->buildings().floors[1], 12);
  EXPECT_EQ(d->layers().table[1], "facilities");
  EXPECT_EQ(d->layers().name[0], "网格");
}

TEST_F(GpkgReader, KeepsPolygonPartsRingsAndMetricTwins) {
  auto d = loadGeoPackage(m_path);
  ASSERT_TRUE(d.ok()) << d.error().toString();
  const auto& shape = d->grids().shape;
  ASSERT_EQ(shape.size(), 3u);
  // Grid 3 has one polygon with a hole: 2 rings (5 + 4 points).
  const std::uint32_t part = shape.partStart[2];
  EXPECT_EQ(shape.partStart[3] - part, 1u);
  const std::uint32_t ring = shape.ringStart[part];
  EXPECT_EQ(shape.ringStart[part + 1] - ring, 2u);
  EXPECT_EQ(shape.pointStart[ring + 1] - shape.pointStart[ring], 5u);
  EXPECT_EQ(shape.pointStart[ring + 2] - shape.pointStart[ring + 1], 4u);
  EXPECT_EQ(shape.lonlat[shape.pointStart[ring]], (geo::Point{113.1, 22.95}));

  auto toMetric = crs::Transformer::create(crs::kCgcs2000, crs::kGaussKruger114);
  ASSERT_TRUE(toMetric.ok());
  for (std::size_t i = 0; i < shape.lonlat.size(); i += 3) {
    auto expected = toMetric->transform(shape.lonlat[i]);
    ASSERT_TRUE(expected.ok());
    EXPECT_NEAR(shape.xy[i].x, expected->x, 1e-6);
    EXPECT_NEAR(shape.xy[i].y, expected->y, 1e-6);
  }
  const auto& line = d->roads().line;
  EXPECT_EQ(line.pointStart[line.partStart[0] + 1] - line.pointStart[line.partStart[0]], 3u);
  // 113.01 E lies ~93 km west of the 114 E central meridian.
  const geo::Point a = d->addresses().point.xy[0];
  EXPECT_NEAR(a.x, 500000 - 101400, 1500);
  EXPECT_NEAR(a.y, 2545000, 5000);
}

TEST_F(GpkgReader, SummarizesPerStreetAndCommunity) {
  auto d = loadGeoPackage(m_path);
  ASSERT_TRUE(d.ok()) << d.error().toString();
  const auto s = model::summarize(*d);
  ASSERT_EQ(s.streets.size(), 1u);
  EXPECT_EQ(s.streets[0].people, 5u);
  EXPECT_EQ(s.streets[0].grids, 3u);
  EXPECT_EQ(s.streets[0].events, 3u);
  ASSERT_EQ(s.communities.size(), 2u);
  EXPECT_EQ(s.communities[0].code, "440604001001");
  EXPECT_EQ(s.communities[0].grids, 2u);
  EXPECT_EQ(s.communities[0].buildings, 2u);
  EXPECT_EQ(s.communities[0].houses, 3u);
  EXPECT_EQ(s.communities[0].people, 4u);
  EXPECT_EQ(s.communities[1].people, 1u);
  EXPECT_EQ(s.communities[1].entities, 1u);
  EXPECT_EQ(s.communities[1].facilities, 1u);
  EXPECT_EQ(s.kinds[static_cast<std::size_t>(Kind::kAddress)], 5u);
}

TEST_F(GpkgReader, GivesTheSameDistrictOnOneOrManyThreads) {
  auto one = loadGeoPackage(m_path, LoadOptions{1});
  auto four = loadGeoPackage(m_path, LoadOptions{4});
  ASSERT_TRUE(one.ok() && four.ok());
  const auto a = model::sectionsOf(one->columns()), b = model::sectionsOf(four->columns());
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].bytes, b[i].bytes) << a[i].name;
    EXPECT_EQ(std::memcmp(a[i].data, b[i].data, a[i].bytes), 0) << a[i].name;
  }
}

TEST_F(GpkgReader, MissingFileIsNotFoundAndNamesThePath) {
  m_path = m_dir + "/nowhere.gpkg";
  auto d = loadGeoPackage(m_path);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, core::ErrorCode::kNotFound);
  EXPECT_NE(d.error().toString().find("nowhere.gpkg"), std::string::npos);
}

TEST_F(GpkgReader, TextFileIsNotAGeoPackage) {
  m_path = m_dir + "/notes.gpkg";
  std::ofstream(m_path)
      << "this is not a database, just some text that is long enough to have a header\n";
  expectError({"notes.gpkg", "not a GeoPackage"});
}

TEST_F(GpkgReader, PlainSqliteWithoutGpkgContentsIsNotAGeoPackage) {
  m_path = m_dir + "/plain.sqlite";
  ASSERT_EQ(test::execSql(m_path, "CREATE TABLE t(x)"), "");
  expectError({"plain.sqlite", "no gpkg_contents"});
}

TEST_F(GpkgReader, MissingTableIsNamed) {
  ASSERT_EQ(test::execSql(m_path, "DROP TABLE events"), "");
  expectError({"tiny.gpkg", "table events", "missing table"});
}

TEST_F(GpkgReader, MissingColumnIsNamed) {
  ASSERT_EQ(test::execSql(m_path, "ALTER TABLE people RENAME COLUMN tags TO labels"), "");
  expectError({"tiny.gpkg", "table people", "missing column tags"});
}

TEST_F(GpkgReader, BadGeometryBlobNamesTableFidAndColumn) {
  // A 'GP' header followed by a polygon that claims 1000 rings.
  ASSERT_EQ(test::execSql(
                m_path,
                "UPDATE buildings SET geom = X'47500001E61000000103000000E8030000' WHERE fid = 2"),
            "");
  expectError({"tiny.gpkg", "table buildings, fid 2, column geom", "rings"});
}

TEST_F(GpkgReader, BlobWithoutGpMagicIsRejected) {
  ASSERT_EQ(test::execSql(m_path, "UPDATE addresses SET geom = X'0101000000' WHERE fid = 3"), "");
  expectError({"table addresses, fid 3, column geom", "GP"});
}

TEST_F(GpkgReader, TruncatedPointIsRejected) {
  ASSERT_EQ(
      test::execSql(m_path,
                    "UPDATE facilities SET geom = X'47500001E6100000010100000000' WHERE fid = 1"),
      "");
  expectError({"table facilities, fid 1, column geom"});
}

TEST_F(GpkgReader, UnresolvedLinkNamesTableFidColumnAndKey) {
  ASSERT_EQ(test::execSql(m_path, "UPDATE people SET house_id = 999 WHERE fid = 2"), "");
  expectError({"table people, fid 2, column house_id", "999"});
}

TEST_F(GpkgReader, UnknownGridCodeNamesTheCode) {
  ASSERT_EQ(test::execSql(m_path, "UPDATE events SET grid_code = '440604009009009' WHERE fid = 3"),
            "");
  expectError({"table events, fid 3, column grid_code", "440604009009009"});
}

TEST_F(GpkgReader, UnknownEnumSpellingIsNamed) {
  ASSERT_EQ(test::execSql(m_path, "UPDATE buildings SET use = 'castle' WHERE fid = 1"), "");
  expectError({"table buildings, fid 1, column use", "castle"});
}

TEST_F(GpkgReader, BadDateIsAParseError) {
  ASSERT_EQ(test::execSql(m_path, "UPDATE people SET birth_date = '1985-13-01' WHERE fid = 2"), "");
  expectError({"table people, fid 2, column birth_date", "1985-13-01"});
}

TEST_F(GpkgReader, NullRequiredValueIsNamed) {
  ASSERT_EQ(test::execSql(m_path, "UPDATE entities SET credit_code = NULL WHERE fid = 2"), "");
  expectError({"table entities, fid 2, column credit_code", "NULL"});
}

}  // namespace
}  // namespace gridtwin::store
