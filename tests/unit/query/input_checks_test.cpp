// Issue 11.6 in the engine: impossible dates, empty and degenerate areas,
// areas reaching far beyond the district (clipped in their own CRS), and
// corners outside their CRS's domain.
#include <gtest/gtest.h>

#include "core/calendar.h"
#include "query/area_input.h"
#include "query/query.h"
#include "unit/query/synthetic_district.h"

namespace gridtwin::query {
namespace {

using model::Kind;

const Twin& twin() {
  static const std::unique_ptr<Twin> t = [] {
    auto s = test::syntheticDistrict(5);
    return std::move(Twin::build(std::move(s.district), s.staff, {true}).value());
  }();
  return *t;
}

std::size_t facilitiesIn(const Area& area) {
  const Access all{Role::kDistrict, Scope::all(twin().district().grids().size())};
  return select(twin(), all, area, KindSet().add(Kind::kFacility))
      .value()
      .of(Kind::kFacility)
      .size();
}

TEST(InputChecks, ImpossibleDatesAreRefusedNotRolledOver) {
  EXPECT_TRUE(core::isValidDate(2026, 2, 28));
  EXPECT_FALSE(core::isValidDate(2026, 2, 29));
  EXPECT_TRUE(core::isValidDate(2028, 2, 29));
  EXPECT_FALSE(core::isValidDate(2100, 2, 29));
  EXPECT_TRUE(core::isValidDate(2000, 2, 29));
  EXPECT_FALSE(core::isValidDate(2026, 4, 31));
  EXPECT_FALSE(core::isValidDate(2026, 13, 1));
  EXPECT_FALSE(core::isValidDate(2026, 0, 1));
  EXPECT_FALSE(core::isValidDate(2026, 1, 0));
  for (const char* text :
       {"2026-02-30", "2026-02-29T00:00:00+08:00", "2026-04-31T12:00", "2026-06-31", "2026-13-01",
        "2026-00-01", "2026-01-00", "2026-06-30T12:00:00+24:00", "2026-06-30T12:00:00+08:60"}) {
    const auto t = parseTime(text);
    ASSERT_FALSE(t.ok()) << text;
    EXPECT_NE(t.error().message.find(std::string(text).substr(0, 10)), std::string::npos)
        << t.error().message;
  }
  EXPECT_EQ(parseTime("2028-02-29").value() + 86400, parseTime("2028-03-01").value());
  EXPECT_FALSE(parseTimeWindow("2026-02-01/2026-02-30", kReferenceNow).ok());
}

TEST(InputChecks, EmptyAndDegeneratePolygonsAreRefused) {
  const Access all{Role::kDistrict, Scope::all(twin().district().grids().size())};
  const geo::Polygon empty;
  const geo::Polygon line{{{0, 0}, {1, 0}, {2, 0}, {0, 0}}, {}};
  const geo::Polygon point{{{5, 5}, {5, 5}, {5, 5}, {5, 5}}, {}};
  for (const geo::Polygon& p : {empty, line, point}) {
    const auto r = select(twin(), all, Area::ofPolygon(p), KindSet::all());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_TRUE(isDegenerate(p));
    const auto a = polygonArea(twin(), crs::kCgcs2000, p);
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(a.error().code, core::ErrorCode::kInvalidArgument);
  }
  const geo::Polygon bowtie{{{0, 0}, {10, 10}, {10, 0}, {0, 10}, {0, 0}}, {}};
  EXPECT_FALSE(isDegenerate(bowtie));
}

TEST(InputChecks, ANearWorldAreaIsClippedToTheDistrictInItsOwnCrs) {
  const std::size_t all = twin().district().facilities().size();
  ASSERT_GT(all, 0u);
  for (const crs::Crs& c : {crs::kCgcs2000, crs::kWgs84, crs::kGcj02}) {
    const bool china = c == crs::kGcj02;
    const geo::Box world = china ? geo::Box{70, -1, 140, 58} : geo::Box{-180, -90, 180, 90};
    auto box = boxArea(twin(), c, world);
    ASSERT_TRUE(box.ok()) << crs::name(c) << ": " << box.error().toString();
    EXPECT_EQ(facilitiesIn(*box), all) << crs::name(c);
    geo::Polygon p{{{world.minx + 1, world.miny + 1},
                    {world.maxx - 1, world.miny + 1},
                    {world.maxx - 1, world.maxy - 1},
                    {world.minx + 1, world.maxy - 1},
                    {world.minx + 1, world.miny + 1}},
                   {}};
    auto poly = polygonArea(twin(), c, p);
    ASSERT_TRUE(poly.ok()) << crs::name(c) << ": " << poly.error().toString();
    EXPECT_EQ(facilitiesIn(*poly), all) << crs::name(c);
  }
  // Far from the district: nothing, not an error.
  auto away = boxArea(twin(), crs::kCgcs2000, {116, 39, 117, 40});
  ASSERT_TRUE(away.ok());
  EXPECT_EQ(facilitiesIn(*away), 0u);
  // A box that only reaches past the district selects what a tight box does.
  const geo::Box d = districtBox(twin());
  auto tight = boxArea(twin(), crs::kGaussKruger114, d);
  auto wide = boxArea(twin(), crs::kCgcs2000, {100, 10, 125, 40});
  ASSERT_TRUE(tight.ok() && wide.ok());
  EXPECT_EQ(facilitiesIn(*wide), facilitiesIn(*tight));
}

TEST(InputChecks, CornersOutsideTheirCrsAreRefusedNamingThem) {
  auto box = boxArea(twin(), crs::kCgcs2000, {113.0, 22.9, 473.1, 23.1});
  ASSERT_FALSE(box.ok());
  EXPECT_EQ(box.error().code, core::ErrorCode::kOutOfDomain);
  EXPECT_NE(box.error().message.find("473.1"), std::string::npos) << box.error().message;
  geo::Polygon p{{{113.0, 23.0}, {473.1, 23.0}, {113.1, 23.1}, {113.0, 23.0}}, {}};
  auto poly = polygonArea(twin(), crs::kCgcs2000, p);
  ASSERT_FALSE(poly.ok());
  EXPECT_EQ(poly.error().code, core::ErrorCode::kOutOfDomain);
  EXPECT_EQ(poly.error().context, "corner 1");
  // Self-intersection is reported in the user's CRS.
  geo::Polygon bowtie{{{113, 23}, {113.1, 23.1}, {113.1, 23}, {113, 23.1}, {113, 23}}, {}};
  auto bad = polygonArea(twin(), crs::kCgcs2000, bowtie);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, core::ErrorCode::kInvalidGeometry);
}

}  // namespace
}  // namespace gridtwin::query
