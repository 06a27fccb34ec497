// Fuzz-style robustness: every parser must answer with a value or an error
// for any bytes, never crash, hang or read out of bounds. Runs under
// ASan + UBSan in scripts/test; inputs are deterministic (fixed seeds) so a
// failure reproduces. Sized to stay well under a few seconds there.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "geo/geojson.h"
#include "geo/wkb.h"
#include "geo/wkt.h"

namespace geo = gridtwin::geo;

namespace {

constexpr int kRandomInputs = 1500;
constexpr int kMutationsPerSeed = 1000;

// Flip, insert, delete or duplicate a few bytes.
std::string mutate(std::string s, std::mt19937& rng, std::string_view alphabet) {
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    const std::size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    const char c =
        alphabet.empty() ? static_cast<char>(rng() & 0xff) : alphabet[rng() % alphabet.size()];
    switch (rng() % 5) {
      case 0:
        if (pos < s.size()) s[pos] = static_cast<char>(s[pos] ^ (1 << (rng() % 8)));
        break;
      case 1:
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(pos), c);
        break;
      case 2:
        if (pos < s.size()) s.erase(pos, 1 + rng() % 3);
        break;
      case 3:
        if (pos < s.size()) s[pos] = c;
        break;
      default:
        if (!s.empty()) {
          const std::size_t from = rng() % s.size();
          const std::size_t len = std::min<std::size_t>(1 + rng() % 16, s.size() - from);
          s.insert(pos, s.substr(from, len));
        }
        break;
    }
  }
  return s;
}

template <class Result>
void expectValueOrError(const Result& r, int& values, int& errors) {
  if (r.ok()) {
    ++values;
  } else {
    ++errors;
    EXPECT_FALSE(r.error().message.empty());
  }
}

std::string randomString(std::mt19937& rng, std::string_view alphabet, std::size_t maxLen) {
  std::string s(rng() % maxLen, ' ');
  for (char& c : s) c = alphabet[rng() % alphabet.size()];
  return s;
}

}  // namespace

TEST(Fuzz, WktParserNeverCrashes) {
  std::mt19937 rng(12345);
  const std::vector<std::string> seeds = {
      "POINT (1 2)",
      "LINESTRING (0 0, 1 1, 2 2)",
      "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 3, 3 3, 2 2))",
      "MULTIPOINT ((1 2), (3 4))",
      "MULTIPOINT (1 2, 3 4)",
      "MULTILINESTRING ((0 0, 1 1), EMPTY)",
      "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), EMPTY)",
      "GEOMETRYCOLLECTION (POINT Z (1 2 3), GEOMETRYCOLLECTION (POINT EMPTY))",
      "SRID=4490;POINT M (1 2 3)"};
  const std::string alphabet = "POINTLINESTRGMUYCOLECTZEMPYSRID=;(),. -+eE0123456789naif";
  int values = 0;
  int errors = 0;
  for (const std::string& seed : seeds) {
    for (int i = 0; i < kMutationsPerSeed; ++i) {
      expectValueOrError(geo::readWkt(mutate(seed, rng, alphabet), "fuzz"), values, errors);
    }
  }
  for (int i = 0; i < kRandomInputs; ++i) {
    expectValueOrError(geo::readWkt(randomString(rng, alphabet, 64), "fuzz"), values, errors);
    std::string bytes = randomString(rng, alphabet, 32);
    for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
    expectValueOrError(geo::readWkt(bytes, "fuzz"), values, errors);
  }
  EXPECT_GT(values, 0);
  EXPECT_GT(errors, 0);
}

TEST(Fuzz, WkbParserNeverCrashes) {
  std::mt19937 rng(777);
  std::vector<std::string> seeds;
  for (const char* text :
       {"POINT (1 2)", "LINESTRING (0 0, 1 1, 2 2)",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 3, 3 3, 2 2))",
        "MULTIPOINT ((1 2), EMPTY)", "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), EMPTY)",
        "GEOMETRYCOLLECTION (POINT (1 2), GEOMETRYCOLLECTION (LINESTRING (0 0, 1 1)))"}) {
    const auto wkb = geo::writeWkb(*geo::readWkt(text));
    seeds.emplace_back(wkb.begin(), wkb.end());
  }
  const auto asBytes = [](const std::string& s) {
    return std::vector<std::uint8_t>(s.begin(), s.end());
  };
  int values = 0;
  int errors = 0;
  for (const std::string& seed : seeds) {
    for (int i = 0; i < kMutationsPerSeed; ++i) {
      const auto bytes = asBytes(mutate(seed, rng, {}));
      expectValueOrError(geo::readWkb(bytes, "fuzz"), values, errors);
    }
  }
  // Structured noise: valid headers with random type codes and counts.
  for (int i = 0; i < kRandomInputs; ++i) {
    std::vector<std::uint8_t> bytes(rng() % 48);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng() & 0xff);
    if (bytes.size() >= 5) {
      bytes[0] = static_cast<std::uint8_t>(rng() % 2);
      bytes[bytes[0] ? 1 : 4] = static_cast<std::uint8_t>(1 + rng() % 7);
    }
    expectValueOrError(geo::readWkb(bytes, "fuzz"), values, errors);
  }
  EXPECT_GT(values, 0);
  EXPECT_GT(errors, 0);
}

TEST(Fuzz, GeoJsonParserNeverCrashes) {
  std::mt19937 rng(4242);
  const std::vector<std::string> seeds = {
      R"({"type":"Point","coordinates":[1,2]})",
      R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,0]],[[1,1],[2,1],[2,2],[1,1]]]})",
      R"({"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[]]})",
      R"({"type":"GeometryCollection","geometries":[{"type":"MultiPoint","coordinates":[[1,2],[]]},{"type":"LineString","coordinates":[[0,0],[1,1,1]]}]})",
      R"({"type":"FeatureCollection","features":[{"type":"Feature","id":3,"properties":{"a":"b","n":[1,{"x":null}]},"geometry":{"type":"MultiLineString","coordinates":[[[0,0],[1,1]]]}},{"type":"Feature","properties":null,"geometry":null}]})"};
  const std::string alphabet = "{}[]\":,.-+eE0123456789 truefalsnul\\xtypeTcoordinatesPlygM";
  int values = 0;
  int errors = 0;
  for (const std::string& seed : seeds) {
    for (int i = 0; i < kMutationsPerSeed; ++i) {
      auto r = geo::readGeoJsonFeatures(mutate(seed, rng, alphabet), "fuzz");
      expectValueOrError(r, values, errors);
      if (r.ok()) {
        // What we read, we can write and read back.
        auto again = geo::readGeoJsonFeatures(geo::writeGeoJsonFeatureCollection(*r), "again");
        EXPECT_TRUE(again.ok()) << again.error().toString();
      }
    }
  }
  for (int i = 0; i < kRandomInputs; ++i) {
    expectValueOrError(geo::readGeoJsonFeatures(randomString(rng, alphabet, 64), "fuzz"), values,
                       errors);
  }
  EXPECT_GT(values, 0);
  EXPECT_GT(errors, 0);
}
