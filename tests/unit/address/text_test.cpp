#include <gtest/gtest.h>

#include "address/text.h"

namespace gridtwin::address {
namespace {

std::u32string u(std::string_view s) { return decodeUtf8(s).value(); }
std::string s8(std::u32string_view s) { return encodeUtf8(s); }

TEST(AddressText, DecodeRejectsInvalidUtf8WithByteOffset) {
  auto r = decodeUtf8("ab\xff", "stdin:3");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kInvalidUtf8);
  EXPECT_NE(r.error().message.find("byte 2"), std::string::npos);
  EXPECT_EQ(r.error().context, "stdin:3");
}

TEST(AddressText, FoldsFullWidthAndTraditional) {
  EXPECT_EQ(s8(foldText(u("１２３号ａＢ　"))), "123号AB ");
  ASSERT_TRUE(traditionalTableLoaded());
  EXPECT_EQ(s8(foldText(u("廣東省佛山市禪城區"))), "广东省佛山市禅城区");
}

TEST(AddressText, ChineseNumeralValues) {
  EXPECT_EQ(chineseNumeralValue(u("十二")), 12);
  EXPECT_EQ(chineseNumeralValue(u("十")), 10);
  EXPECT_EQ(chineseNumeralValue(u("二十")), 20);
  EXPECT_EQ(chineseNumeralValue(u("一百零五")), 105);
  EXPECT_EQ(chineseNumeralValue(u("二〇三")), 203);
  EXPECT_EQ(chineseNumeralValue(u("三")), 3);
  EXPECT_EQ(chineseNumeralValue(u("")), -1);
  EXPECT_EQ(chineseNumeralValue(u("三四十")), -1);
}

TEST(AddressText, ArabicNumeralsOnlyWhereTheyCount) {
  EXPECT_EQ(s8(arabicNumerals(u("三号"))), "3号");
  EXPECT_EQ(s8(arabicNumerals(u("十二栋二单元"))), "12栋2单元");
  EXPECT_EQ(s8(arabicNumerals(u("第五组"))), "第5组");
  EXPECT_EQ(s8(arabicNumerals(u("三水区和平三路"))), "三水区和平三路");
  EXPECT_EQ(s8(arabicNumerals(u("九龙"))), "九龙");
  EXPECT_EQ(s8(arabicNumerals(u("高第六巷"))), "高第六巷");
  EXPECT_EQ(s8(chineseNumeral(105)), "一百零五");
  EXPECT_EQ(s8(chineseNumeral(12)), "十二");
  for (int v : {0, 7, 10, 11, 20, 99, 101, 110, 1001, 2020}) {
    EXPECT_EQ(chineseNumeralValue(chineseNumeral(v)), v) << v;
  }
}

}  // namespace
}  // namespace gridtwin::address
