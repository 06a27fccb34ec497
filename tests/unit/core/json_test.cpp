// The one JSON writer (core/json.h).
#include "core/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace gridtwin::core {
namespace {

TEST(Json, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(jsonQuote(""), "\"\"");
  EXPECT_EQ(jsonQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(jsonQuote("1\n2\r3\t4\b5\f"), "\"1\\n2\\r3\\t4\\b5\\f\"");
  EXPECT_EQ(jsonQuote(std::string("\x01\x1f\x7f", 3)), "\"\\u0001\\u001f\\u007f\"");
  EXPECT_EQ(jsonQuote(std::string("a\0b", 3)), "\"a\\u0000b\"");
}

TEST(Json, Utf8PassesThroughAndBrokenBytesBecomeReplacementCharacters) {
  EXPECT_EQ(jsonQuote("禅城区 祖庙街道 😀"), "\"禅城区 祖庙街道 😀\"");
  EXPECT_EQ(jsonQuote("a\xff"
                      "b"),
            "\"a\xEF\xBF\xBD"
            "b\"");
  EXPECT_EQ(jsonQuote("\xe7\xa6"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");                  // cut 禅
  EXPECT_EQ(jsonQuote("\xc0\xaf"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");                  // overlong '/'
  EXPECT_EQ(jsonQuote("\xed\xa0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
}

TEST(Json, AppendsToWhatIsThere) {
  std::string out = "{\"k\":";
  appendJsonString(out, "v");
  EXPECT_EQ(out, "{\"k\":\"v\"");
}

TEST(Json, NumbersAndTheValuesJsonCannotHold) {
  std::string out;
  appendJsonNumber(out, 113.1234567891, 7);
  out += ' ';
  appendJsonNumber(out, std::numeric_limits<double>::quiet_NaN(), 3);
  out += ' ';
  appendJsonNumber(out, INFINITY);
  out += ' ';
  appendJsonNumber(out, 0.1);
  out += ' ';
  appendJsonNumber(out, -2.5e-7);
  EXPECT_EQ(out, "113.1234568 null null 0.1 -2.5e-07");
}

}  // namespace
}  // namespace gridtwin::core
