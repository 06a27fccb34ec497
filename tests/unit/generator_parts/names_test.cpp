#include <gtest/gtest.h>

#include <set>
#include <string>

#include "generator/names.h"
#include "ident/utf8.h"

using gridtwin::generator::entityName;
using gridtwin::generator::industries;
using gridtwin::generator::mobilePhone;
using gridtwin::generator::personName;
using gridtwin::generator::realFoshanRoadNames;
using gridtwin::generator::Rng;
using gridtwin::generator::RoadClass;
using gridtwin::generator::roadName;
using gridtwin::generator::RoadNamer;
using gridtwin::ident::isValidUtf8;
using gridtwin::ident::utf8Length;

namespace {
bool endsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

TEST(PersonName, ValidUtf8OfTwoToFourCharactersAndNoHeap) {
  Rng rng(1);
  std::set<std::string> distinct;
  for (int i = 0; i < 20000; ++i) {
    const std::string name = personName(rng, i % 2 == 0);
    ASSERT_TRUE(isValidUtf8(name)) << name;
    const std::size_t len = utf8Length(name);
    ASSERT_GE(len, 2u) << name;
    ASSERT_LE(len, 4u) << name;
    ASSERT_LE(name.size(), 15u) << name;  // fits libstdc++'s small-string buffer
    distinct.insert(name);
  }
  EXPECT_GT(distinct.size(), 8000u);  // plenty of variety
}

TEST(PersonName, SurnamesFollowGuangdongFrequencies) {
  Rng rng(2);
  int chen = 0;
  int liang = 0;
  const int n = 50000;
  for (int i = 0; i < n; ++i) {
    const std::string name = personName(rng, true);
    chen += name.rfind("陈", 0) == 0;
    liang += name.rfind("梁", 0) == 0;
  }
  EXPECT_NEAR(static_cast<double>(chen) / n, 0.094, 0.01);  // the commonest, ~9% in Guangdong
  EXPECT_GT(liang, n / 40);
}

TEST(PersonName, Deterministic) {
  Rng a(3);
  Rng b(3);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(personName(a, false), personName(b, false));
}

TEST(MobilePhone, ElevenDigitsWithRealPrefix) {
  Rng rng(4);
  for (int i = 0; i < 10000; ++i) {
    const std::string p = mobilePhone(rng);
    ASSERT_EQ(p.size(), 11u);
    for (char c : p) ASSERT_TRUE(c >= '0' && c <= '9') << p;
    ASSERT_EQ(p[0], '1');
    ASSERT_TRUE(p[1] >= '3' && p[1] <= '9') << p;
  }
}

TEST(EntityName, EveryIndustryGivesPlausibleNames) {
  Rng rng(5);
  ASSERT_GE(industries().size(), 20u);
  int individuals = 0;
  int companies = 0;
  for (const auto& industry : industries()) {
    for (int i = 0; i < 200; ++i) {
      const std::string name = entityName(rng, industry.name);
      ASSERT_TRUE(isValidUtf8(name)) << name;
      ASSERT_GE(utf8Length(name), 6u) << name;
      ASSERT_LE(utf8Length(name), 30u) << name;
      individuals += endsWith(name, "（个体工商户）");
      companies += endsWith(name, "公司");
    }
  }
  EXPECT_GT(individuals, 1000);
  EXPECT_GT(companies, 1000);
  // An unknown industry is used verbatim rather than failing.
  Rng other(6);
  EXPECT_TRUE(isValidUtf8(entityName(other, "殡葬服务")));
}

TEST(EntityName, PickIndustryFollowsWeights) {
  Rng rng(7);
  int retail = 0;
  for (int i = 0; i < 10000; ++i) {
    retail += gridtwin::generator::pickIndustry(rng).name == "零售";
  }
  EXPECT_GT(retail, 1000);  // the largest share
}

TEST(RoadName, ClassesGetFittingSuffixes) {
  Rng rng(8);
  for (int i = 0; i < 2000; ++i) {
    const std::string lane = roadName(rng, RoadClass::kLane);
    ASSERT_TRUE(isValidUtf8(lane));
    ASSERT_TRUE(endsWith(lane, "巷") || endsWith(lane, "里") || endsWith(lane, "坊")) << lane;
    const std::string arterial = roadName(rng, RoadClass::kArterial);
    ASSERT_TRUE(endsWith(arterial, "路") || endsWith(arterial, "大道")) << arterial;
  }
}

TEST(RoadNamer, TwoThousandUniqueNamesDeterministically) {
  auto make = [] {
    Rng rng(9);
    RoadNamer namer;
    EXPECT_TRUE(namer.reserve("季华路"));
    EXPECT_FALSE(namer.reserve("季华路"));
    std::vector<std::string> names;
    const RoadClass classes[] = {RoadClass::kExpressway, RoadClass::kArterial,
                                 RoadClass::kSecondary, RoadClass::kBranch, RoadClass::kLane};
    for (int i = 0; i < 2500; ++i) names.push_back(namer.next(rng, classes[i % 5]));
    return names;
  };
  const auto names = make();
  std::set<std::string> distinct(names.begin(), names.end());
  EXPECT_EQ(distinct.size(), names.size());
  EXPECT_EQ(distinct.count("季华路"), 0u);
  EXPECT_EQ(make(), names);
}

TEST(RealFoshanRoadNames, ExtractsRoadsFromTrainAndDevDeterministically) {
  const std::string dir = std::string(GRIDTWIN_SHARED_DATA) + "/addresses/naacl2019";
  auto names = realFoshanRoadNames(dir);
  ASSERT_TRUE(names.ok()) << names.error().toString();
  ASSERT_FALSE(names->empty());
  EXPECT_TRUE(std::is_sorted(names->begin(), names->end()));
  EXPECT_EQ(std::set<std::string>(names->begin(), names->end()).size(), names->size());
  bool endsInLu = false;
  for (const auto& n : *names) {
    EXPECT_TRUE(isValidUtf8(n));
    endsInLu = endsInLu || endsWith(n, "路");
  }
  EXPECT_TRUE(endsInLu);
  // 季华四路 is a Chancheng road in train.txt; 黄歧广佛路 appears only in
  // test.txt and must not leak; 南海大道 appears in train.txt only in a
  // Shenzhen address, which must not count as Foshan.
  EXPECT_TRUE(std::binary_search(names->begin(), names->end(), std::string("季华四路")));
  EXPECT_FALSE(std::binary_search(names->begin(), names->end(), std::string("黄歧广佛路")));
  EXPECT_FALSE(std::binary_search(names->begin(), names->end(), std::string("南海大道")));
  auto again = realFoshanRoadNames(dir);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *names);
}

TEST(RealFoshanRoadNames, MissingDirectoryIsAnErrorNamingTheFile) {
  auto names = realFoshanRoadNames("/nonexistent/naacl");
  ASSERT_FALSE(names.ok());
  EXPECT_NE(names.error().toString().find("/nonexistent/naacl/train.txt"), std::string::npos);
}
