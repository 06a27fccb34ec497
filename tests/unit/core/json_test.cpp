// The one JSON writer (core/json.h).
#include "core/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

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

// Fixed decimals are printf's "%.*f" digit for digit (correctly rounded,
// ties included), over coordinates, halves, tiny and huge values and -0.
TEST(Json, FixedDecimalsAreWhatPrintfWrites) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> lon(-180, 180), unit(0, 1);
  std::vector<double> values{0.0,
                             -0.0,
                             0.5,
                             1.5,
                             2.5,
                             -2.5,
                             0.125,
                             1e-9,
                             -1e-300,
                             1e300,
                             4.35,
                             113.05,
                             std::numeric_limits<double>::max(),
                             std::numeric_limits<double>::denorm_min()};
  for (int i = 0; i < 20000; ++i) {
    values.push_back(lon(rng));
    values.push_back(std::ldexp(unit(rng), static_cast<int>(rng() % 200) - 100));
  }
  for (double v : values) {
    for (int decimals : {0, 1, 3, 6, 7, 9, 17}) {
      std::string got;
      appendJsonNumber(got, v, decimals);
      char want[512];
      std::snprintf(want, sizeof want, "%.*f", decimals, v);
      ASSERT_EQ(got, want) << v << " with " << decimals << " decimals";
    }
  }
}

}  // namespace
}  // namespace gridtwin::core
