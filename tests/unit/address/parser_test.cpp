// The parser's rules (no tagger needed): noise, direction/distance,
// intersections, village groups, and the normalization of values.
#include <gtest/gtest.h>

#include "address/parser.h"
#include "address/text.h"

namespace gridtwin::address {
namespace {

const Parser& rulesOnly() {
  static const Parser p(std::make_shared<Gazetteer>(), nullptr);
  return p;
}

std::string valueOf(Component c, std::string_view folded) {
  return encodeUtf8(normalizeValue(c, decodeUtf8(folded).value()));
}

TEST(AddressParser, SetsAsidePhonesAndRemarks) {
  auto p = rulesOnly().parse("卫国路81号(电联)13812345678,放门口");
  ASSERT_TRUE(p.ok());
  std::string aside;
  for (const auto& s : p->spans) {
    if (s.component == Component::kRedundant) aside += s.text;
  }
  EXPECT_NE(aside.find("(电联)"), std::string::npos) << aside;
  EXPECT_NE(aside.find("13812345678"), std::string::npos) << aside;
  EXPECT_NE(aside.find("放门口"), std::string::npos) << aside;
}

TEST(AddressParser, DirectionAndDistance) {
  auto p = rulesOnly().parse("汾江中路123号东北方向50米");
  ASSERT_TRUE(p.ok());
  const auto* dir = p->find(Component::kDirection);
  const auto* dist = p->find(Component::kDistance);
  ASSERT_NE(dir, nullptr);
  ASSERT_NE(dist, nullptr);
  EXPECT_EQ(dir->text, "东北方向");
  EXPECT_EQ(dist->text, "50米");
}

TEST(AddressParser, Intersection) {
  auto p = rulesOnly().parse("汾江中路与季华路交叉口");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->intersection);
  const auto* sub = p->find(Component::kSubroad);
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->text, "季华路");
}

TEST(AddressParser, VillageGroup) {
  auto p = rulesOnly().parse("沿山村第五村民小组");
  ASSERT_TRUE(p.ok());
  const auto* g = p->find(Component::kVillageGroup);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->value, "第5村民小组");
}

TEST(AddressParser, NormalizesValues) {
  EXPECT_EQ(valueOf(Component::kHouseno, "十二号楼"), "12栋");
  EXPECT_EQ(valueOf(Component::kHouseno, "3幢"), "3栋");
  EXPECT_EQ(valueOf(Component::kHouseno, "12-"), "12栋");
  EXPECT_EQ(valueOf(Component::kCellno, "3-"), "3单元");
  EXPECT_EQ(valueOf(Component::kCellno, "二单元"), "2单元");
  EXPECT_EQ(valueOf(Component::kRoomno, "1001"), "1001房");
  EXPECT_EQ(valueOf(Component::kRoomno, "1001室"), "1001房");
  EXPECT_EQ(valueOf(Component::kFloorno, "5楼"), "5层");
  EXPECT_EQ(valueOf(Component::kRoadno, "三号"), "3号");
  EXPECT_EQ(valueOf(Component::kCommunity, "澜石社区居委会"), "澜石社区");
  EXPECT_EQ(valueOf(Component::kCommunity, "河宕村民委员会"), "河宕村");
  EXPECT_EQ(valueOf(Component::kRoad, "和平三路"), "和平三路");
}

TEST(AddressParser, AdversarialInputIsAnErrorOrEmpty) {
  const Parser& p = rulesOnly();
  auto empty = p.parse("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->spans.empty());
  EXPECT_TRUE(empty->normalized.empty());
  auto bad = p.parse("卫国路\xc0\xaf号", "stdin:7");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, core::ErrorCode::kInvalidUtf8);
  EXPECT_EQ(bad.error().context, "stdin:7");
  const std::string huge(10 * 1024 * 1024, 'x');
  auto big = p.parse(huge);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message.find("too long"), std::string::npos);
  auto punct = p.parse("，。、！？()（）——");
  ASSERT_TRUE(punct.ok());
  EXPECT_TRUE(punct->normalized.empty());
  auto emoji = p.parse("😀卫国路🏠81号");
  ASSERT_TRUE(emoji.ok());
  EXPECT_EQ(emoji->normalized.find("😀"), std::string::npos);
  EXPECT_TRUE(p.parse("Room 5, 卫国路 81号 Москва").ok());
}

}  // namespace
}  // namespace gridtwin::address
