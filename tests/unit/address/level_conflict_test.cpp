// Address levels that conflict (issue 16, blind spot 2; issue 11.5): the
// same road and number in two towns, chosen by the town or community given;
// a stated level the registry contradicts is named, never ignored.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

#include "address/json.h"
#include "address/text.h"
#include "address/variants.h"
#include "unit/address/address_fixture.h"

namespace gridtwin::address {
namespace {

using test::world;

// A district of two towns whose village lanes share a name and numbers, as
// real ones do (大街 of 石湾镇街道 and of 张槎街道):
//   row 0  广东省佛山市禅城区石湾镇街道澜石社区大街1号
//   row 1  广东省佛山市禅城区张槎街道大富社区大街1号
//   row 2  广东省佛山市禅城区石湾镇街道澜石社区大街3号
//   row 3  广东省佛山市禅城区石湾镇街道石头村大街5号
struct TwoTowns {
  std::shared_ptr<const Registry> registry;
  std::shared_ptr<const Matcher> matcher;
};

void addBox(model::PolygonColumns<model::Owned>& p, double x0, double y0, double x1, double y1) {
  p.partStart.push_back(p.partStart.back() + 1);
  p.ringStart.push_back(p.ringStart.back() + 1);
  for (auto pt : {geo::Point{x0, y0}, geo::Point{x1, y0}, geo::Point{x1, y1}, geo::Point{x0, y1},
                  geo::Point{x0, y0}}) {
    p.lonlat.push_back(pt);
  }
  p.pointStart.push_back(static_cast<std::uint32_t>(p.lonlat.size()));
}

void startPolygons(model::PolygonColumns<model::Owned>& p) {
  model::startOffsets(p.partStart);
  model::startOffsets(p.ringStart);
  model::startOffsets(p.pointStart);
}

const TwoTowns& twoTowns() {
  static const TwoTowns t = [] {
    TwoTowns out;
    model::DistrictColumns<model::Owned> c;
    startPolygons(c.streets.shape);
    startPolygons(c.communities.shape);
    startPolygons(c.grids.shape);
    startPolygons(c.buildings.footprint);
    model::startOffsets(c.roads.line.partStart);
    model::startOffsets(c.roads.line.pointStart);
    const double x = 113.05, y = 23.0, step = 0.01;
    const char* streets[2] = {"石湾镇街道", "张槎街道"};
    for (int s = 0; s < 2; ++s) {
      c.streets.code.append("44060401" + std::to_string(s));
      c.streets.name.append(streets[s]);
      addBox(c.streets.shape, x + s * step, y, x + (s + 1) * step, y + 2 * step);
    }
    // Communities (and one grid each): 澜石社区 and 石头村 in 石湾镇街道, 大富社区 in 张槎街道.
    const struct {
      const char* name;
      std::uint32_t street;
      double x0, y0;
    } communities[3] = {{"澜石社区居委会", 0, x, y},
                        {"石头村民委员会", 0, x, y + step},
                        {"大富社区居委会", 1, x + step, y}};
    for (std::uint32_t k = 0; k < 3; ++k) {
      const auto& cm = communities[k];
      const std::string code = "44060401" + std::to_string(cm.street) + "00" + std::to_string(k);
      c.communities.code.append(code);
      c.communities.name.append(cm.name);
      c.communities.street.push_back(cm.street);
      addBox(c.communities.shape, cm.x0, cm.y0, cm.x0 + step, cm.y0 + step);
      c.grids.code.append(code + "001");
      c.grids.name.append(std::string("网格") + std::to_string(k));
      c.grids.community.push_back(k);
      addBox(c.grids.shape, cm.x0, cm.y0, cm.x0 + step, cm.y0 + step);
    }
    c.roads.id.push_back(1);
    c.roads.name.append("大街");
    c.roads.roadClass.push_back(model::RoadClass::kMain);
    c.roads.widthM.push_back(6);
    c.roads.community.push_back(model::kNone);
    c.roads.line.partStart.push_back(1);
    c.roads.line.lonlat.push_back({x + 0.001, y + 0.005});
    c.roads.line.lonlat.push_back({x + 2 * step - 0.001, y + 0.005});
    c.roads.line.pointStart.push_back(2);
    const struct {
      std::uint32_t grid;
      int number;
    } doors[4] = {{0, 1}, {2, 1}, {0, 3}, {1, 5}};
    const char* where[3] = {"石湾镇街道澜石社区", "石湾镇街道石头村", "张槎街道大富社区"};
    for (std::uint32_t b = 0; b < 4; ++b) {
      const auto& d = doors[b];
      const double bx = communities[d.grid].x0 + 0.002 + 0.002 * b;
      const double by = communities[d.grid].y0 + 0.004;
      c.buildings.id.push_back(100 + b);
      c.buildings.address.push_back(static_cast<std::int32_t>(b));
      c.buildings.use.push_back(model::BuildingUse::kResidential);
      c.buildings.floors.push_back(3);
      c.buildings.heightM.push_back(9);
      c.buildings.grid.push_back(d.grid);
      addBox(c.buildings.footprint, bx - 0.0001, by - 0.0001, bx + 0.0001, by + 0.0001);
      c.addresses.code.append("A" + std::to_string(b));
      c.addresses.level.push_back(model::AddressLevel::kDoorplate);
      c.addresses.building.push_back(b);
      c.addresses.house.push_back(model::kNone);
      c.addresses.grid.push_back(d.grid);
      c.addresses.point.lonlat.push_back({bx, by});
      c.addresses.fullText.append(std::string("广东省佛山市禅城区") + where[d.grid] + "大街" +
                                  std::to_string(d.number) + "号");
    }
    auto district = model::District::build(std::move(c), 1);
    if (!district.ok()) {
      ADD_FAILURE() << district.error().toString();
      return out;
    }
    auto registry = Registry::build(*district);
    if (!registry.ok()) {
      ADD_FAILURE() << registry.error().toString();
      return out;
    }
    out.registry = *registry;
    const auto& w = world();
    if (!w.divisions) return out;
    out.matcher = std::make_shared<const Matcher>(
        out.registry, makeRegistryParser(*out.registry, *w.divisions, w.tagger));
    return out;
  }();
  return t;
}

bool hasCandidate(const MatchResult& m, std::int64_t address) {
  return std::any_of(m.candidates.begin(), m.candidates.end(),
                     [&](const Candidate& c) { return c.address == address; });
}

bool hasConflict(const MatchResult& m, Component level, std::string_view given) {
  return std::any_of(m.conflicts.begin(), m.conflicts.end(),
                     [&](const LevelConflict& c) { return c.level == level && c.given == given; });
}

TEST(LevelConflict, SameRoadAndNumberInTwoTownsIsChosenByTheTown) {
  const auto& t = twoTowns();
  ASSERT_TRUE(t.matcher);
  ASSERT_EQ(t.registry->doorplates(0, 1).size(), 2u);
  for (auto [text, row] : {std::pair<const char*, std::int64_t>{"石湾镇街道大街1号", 0},
                           {"张槎街道大街1号", 1},
                           {"佛山市禅城区张槎大街1号", 1},
                           {"石湾大街1号", 0}}) {
    auto m = t.matcher->match(text);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->status, MatchStatus::kMatched) << text << ": " << m->reason;
    EXPECT_EQ(m->address, row) << text;
    EXPECT_TRUE(m->conflicts.empty()) << text;
  }
}

TEST(LevelConflict, SameRoadAndNumberInTwoTownsIsChosenByTheCommunity) {
  const auto& t = twoTowns();
  ASSERT_TRUE(t.matcher);
  for (auto [text, row] : {std::pair<const char*, std::int64_t>{"大富社区大街1号", 1},
                           {"澜石社区大街1号", 0},
                           {"澜石居委会大街1号", 0}}) {
    auto m = t.matcher->match(text);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->status, MatchStatus::kMatched) << text << ": " << m->reason;
    EXPECT_EQ(m->address, row) << text;
  }
}

TEST(LevelConflict, SameRoadAndNumberWithoutALevelIsAmbiguous) {
  const auto& t = twoTowns();
  ASSERT_TRUE(t.matcher);
  auto m = t.matcher->match("大街1号");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->status, MatchStatus::kAmbiguous) << m->reason;
  EXPECT_EQ(m->address, -1);
  EXPECT_TRUE(hasCandidate(*m, 0));
  EXPECT_TRUE(hasCandidate(*m, 1));
  // A number only one town has is matched without a level.
  auto one = t.matcher->match("大街3号");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->status, MatchStatus::kMatched) << one->reason;
  EXPECT_EQ(one->address, 2);
}

TEST(LevelConflict, AWrongTownIsNamedNotIgnored) {
  const auto& t = twoTowns();
  ASSERT_TRUE(t.matcher);
  // 大街3号 exists only in 石湾镇街道: given under 张槎街道 it is no match.
  auto m = t.matcher->match("张槎街道大街3号");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->status, MatchStatus::kAmbiguous) << m->reason;
  EXPECT_EQ(m->address, -1);
  EXPECT_TRUE(hasCandidate(*m, 2));
  EXPECT_LT(m->confidence, 1.0);
  EXPECT_TRUE(hasConflict(*m, Component::kTown, "张槎街道")) << m->reason;
  EXPECT_NE(m->reason.find("town given as '张槎街道'"), std::string::npos) << m->reason;
  EXPECT_NE(m->reason.find("石湾镇街道"), std::string::npos) << m->reason;
}

TEST(LevelConflict, AWrongCommunityIsNamedNotIgnored) {
  const auto& t = twoTowns();
  ASSERT_TRUE(t.matcher);
  // 大街5号 is in 石头村; 澜石社区 is in the same town.
  auto m = t.matcher->match("石湾镇街道澜石社区大街5号");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->status, MatchStatus::kAmbiguous) << m->reason;
  EXPECT_TRUE(hasCandidate(*m, 3));
  EXPECT_TRUE(hasConflict(*m, Component::kCommunity, "澜石社区")) << m->reason;
  EXPECT_NE(m->reason.find("community given as '澜石社区'"), std::string::npos) << m->reason;
  // Town and community disagreeing on 大街1号: each door plate contradicts
  // one of them; no silent pick.
  auto both = t.matcher->match("石湾镇街道大富社区大街1号");
  ASSERT_TRUE(both.ok());
  EXPECT_NE(both->status, MatchStatus::kMatched) << both->reason;
  EXPECT_FALSE(both->conflicts.empty()) << both->reason;
}

TEST(LevelConflict, ATownOfAnotherDistrictIsNamed) {
  const auto& t = twoTowns();
  ASSERT_TRUE(t.matcher);
  // 桂城街道 is a town of 南海区, 祖庙街道 one of 禅城区 that this registry lacks.
  for (const char* town : {"桂城街道", "祖庙街道"}) {
    const std::string text = std::string(town) + "大街3号";
    auto m = t.matcher->match(text);
    ASSERT_TRUE(m.ok());
    EXPECT_NE(m->status, MatchStatus::kMatched) << text << ": " << m->reason;
    EXPECT_TRUE(hasConflict(*m, Component::kTown, town)) << text << ": " << m->reason;
  }
}

// The generated district: a door plate given with another town or another
// community of the registry.
TEST(LevelConflict, GeneratedRegistryWrongTownOrCommunity) {
  const auto& w = world();
  ASSERT_TRUE(w.matcher);
  const Registry& r = *w.registry;
  std::size_t tried = 0;
  for (std::uint32_t i = 0; i < r.size() && tried < 20; i += 97) {
    const auto& e = r.entry(i);
    if (e.isRoom) continue;
    ++tried;
    const std::string road = encodeUtf8(r.roadNames()[e.road]) + std::to_string(e.doorNo) + "号";
    const std::uint32_t otherTown = (e.town + 1) % static_cast<std::uint32_t>(r.townNames().size());
    const std::string town = encodeUtf8(r.townNames()[otherTown]);
    auto m = w.matcher->match(town + road);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->status, MatchStatus::kAmbiguous) << town + road << ": " << m->reason;
    EXPECT_TRUE(hasCandidate(*m, i)) << town + road;
    EXPECT_TRUE(hasConflict(*m, Component::kTown, town)) << town + road << ": " << m->reason;
    // Another community, by name (not one sharing the door plate's name).
    std::uint32_t other = (e.community + 1) % static_cast<std::uint32_t>(r.communityNames().size());
    while (r.communityNames()[other] == r.communityNames()[e.community]) {
      other = (other + 1) % static_cast<std::uint32_t>(r.communityNames().size());
    }
    const std::string community = encodeUtf8(r.communityNames()[other]);
    const std::string ownTown = encodeUtf8(r.townNames()[e.town]);
    auto c = w.matcher->match(ownTown + community + road);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->status, MatchStatus::kAmbiguous)
        << ownTown + community + road << ": " << c->reason;
    EXPECT_TRUE(hasCandidate(*c, i));
    EXPECT_TRUE(hasConflict(*c, Component::kCommunity, community)) << c->reason;
    // The right levels still match.
    auto right = w.matcher->match(ownTown + encodeUtf8(r.communityNames()[e.community]) + road);
    ASSERT_TRUE(right.ok());
    EXPECT_EQ(right->status, MatchStatus::kMatched) << right->reason;
    EXPECT_EQ(right->address, i);
  }
  EXPECT_EQ(tried, 20u);
}

// Issue 11.5: a stated province, city or district other than the registry's.
TEST(ForeignAddress, AnotherDistrictIsUnmatchedWithTheConflictNamed) {
  const auto& w = world();
  ASSERT_TRUE(w.matcher);
  const Registry& r = *w.registry;
  std::uint32_t d = 0;
  while (r.entry(d).isRoom) ++d;
  const std::string road =
      encodeUtf8(r.roadNames()[r.entry(d).road]) + std::to_string(r.entry(d).doorNo) + "号";
  const std::string town = encodeUtf8(r.townNames()[r.entry(d).town]);
  const struct {
    std::string text;
    Component level;
    const char* given;
  } cases[] = {
      {"北京市海淀区" + road, Component::kDistrict, "海淀区"},
      {"北京市海淀区简村朝东中路1号", Component::kDistrict, "海淀区"},
      {"北京市海淀区中关村大街1号", Component::kDistrict, "海淀区"},
      {"北京市" + road, Component::kProv, "北京市"},
      {"佛山市南海区" + road, Component::kDistrict, "南海区"},
      {"广东省佛山市南海区简村朝东中路1号", Component::kDistrict, "南海区"},
      {"南海区" + town + road, Component::kDistrict, "南海区"},
      {"广东省广州市" + road, Component::kCity, "广州市"},
      {"浙江杭州西湖区" + road, Component::kCity, "杭州"},
  };
  for (const auto& c : cases) {
    auto m = w.matcher->match(c.text);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->status, MatchStatus::kUnmatched) << c.text << ": " << m->reason;
    EXPECT_EQ(m->address, -1) << c.text;
    EXPECT_TRUE(hasConflict(*m, c.level, c.given)) << c.text << ": " << m->reason;
    EXPECT_NE(m->reason.find(c.given), std::string::npos) << m->reason;
    EXPECT_NE(m->reason.find(r.prefix()), std::string::npos) << m->reason;
  }
  // The answer says so in JSON too.
  auto g = w.geocoder->geocode("北京市海淀区" + road);
  ASSERT_TRUE(g.ok());
  const std::string json = geocodeToJson("x", *g, *w.geocoder);
  EXPECT_NE(json.find("\"status\":\"unmatched\""), std::string::npos) << json;
  EXPECT_NE(json.find("{\"level\":\"district\",\"given\":\"海淀区\",\"registry\":\"禅城区\"}"),
            std::string::npos)
      << json;
  // The registry's own levels, whole or short, are no conflict.
  for (const std::string& own : {std::string("广东省佛山市禅城区"), std::string("佛山禅城"),
                                 std::string("广东佛山市"), std::string("禅城区")}) {
    auto m = w.matcher->match(own + town + road);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->status, MatchStatus::kMatched) << own + town + road << ": " << m->reason;
    EXPECT_EQ(m->address, d);
    EXPECT_TRUE(m->conflicts.empty());
  }
}

// The foreign and wrong-level classes of the noisy-variant generator, judged:
// wrong at most 0.5% (issue 11.5), and the classes mostly right.
TEST(NoisyVariants, ForeignAndWrongLevelClasses) {
  const auto& w = world();
  ASSERT_TRUE(w.matcher);
  auto prefixes = foreignPrefixes(*w.registry, std::string(GRIDTWIN_SHARED_DATA) + "/divisions");
  ASSERT_TRUE(prefixes.ok()) << prefixes.error().toString();
  ASSERT_GT(prefixes->size(), 300u);
  for (const auto& p : *prefixes) EXPECT_NE(p, w.registry->prefix());
  const auto variants = makeNoisyVariants(
      *w.registry, 2000,
      {.seed = 11, .foreignShare = 0.3, .wrongLevelShare = 0.3, .foreignPrefixes = *prefixes});
  std::size_t counts[3] = {0, 0, 0}, right[3] = {0, 0, 0}, wrong = 0, shown = 0;
  for (const auto& v : variants) {
    auto m = w.matcher->match(v.text);
    ASSERT_TRUE(m.ok()) << v.text;
    const auto verdict = judgeVariant(*w.registry, v, *m);
    const auto k = static_cast<std::size_t>(v.cls);
    ++counts[k];
    right[k] += verdict.right;
    wrong += verdict.wrong;
    if (!verdict.right && shown++ < 15) {
      std::cout << variantClassName(v.cls) << " " << matchStatusName(m->status) << "  " << v.text
                << "  (" << m->reason << ")\n";
    }
  }
  for (std::size_t k = 0; k < 3; ++k) {
    std::cout << variantClassName(static_cast<VariantClass>(k)) << ": " << right[k] << "/"
              << counts[k] << " right\n";
    EXPECT_GT(counts[k], 400u);
  }
  std::cout << "wrong: " << wrong << "/" << variants.size() << "\n";
  EXPECT_LE(static_cast<double>(wrong) / static_cast<double>(variants.size()), 0.005);
  EXPECT_GE(static_cast<double>(right[1]) / static_cast<double>(counts[1]), 0.98);
  EXPECT_GE(static_cast<double>(right[2]) / static_cast<double>(counts[2]), 0.95);
}

}  // namespace
}  // namespace gridtwin::address
