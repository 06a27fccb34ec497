#include <gtest/gtest.h>

#include "model/columns.h"
#include "model/district.h"
#include "model/snapshot.h"

namespace gridtwin::model {
namespace {

TEST(StringPool, StartsWithOneOffsetAndIndexesAppendedStrings) {
  StringPool pool;
  EXPECT_EQ(pool.size(), 0u);
  ASSERT_EQ(pool.offsets.size(), 1u);
  EXPECT_EQ(pool.append("祖庙街道"), 0u);
  EXPECT_EQ(pool.append(""), 1u);
  EXPECT_EQ(pool.append("abc"), 2u);
  EXPECT_EQ(pool.size(), 3u);
  EXPECT_EQ(pool[0], "祖庙街道");
  EXPECT_EQ(pool[1], "");
  EXPECT_EQ(pool[2], "abc");
  EXPECT_EQ(pool.offsets.back(), pool.bytes.size());

  Strings view{pool.offsets, pool.bytes};
  ASSERT_EQ(view.size(), 3u);
  EXPECT_EQ(view[0], "祖庙街道");
  EXPECT_EQ(view[2], "abc");
}

TEST(StringInterner, ReturnsTheSameIndexForEqualStrings) {
  StringPool pool;
  pool.append("陶瓷");
  StringInterner interner(pool);
  EXPECT_EQ(interner.intern("陶瓷"), 0u);
  EXPECT_EQ(interner.intern("零售"), 1u);
  EXPECT_EQ(interner.intern("陶瓷"), 0u);
  EXPECT_EQ(interner.intern("零售"), 1u);
  EXPECT_EQ(pool.size(), 2u);
}

TEST(FixedWidthCodes, AreSlicedByIndex) {
  const std::string bytes = "44060419400101001X440604198505050022";
  std::span<const char> column(bytes.data(), bytes.size());
  EXPECT_EQ(fixedAt<kIdNumberSize>(column, 0), "44060419400101001X");
  EXPECT_EQ(fixedAt<kIdNumberSize>(column, 1), "440604198505050022");
}

TEST(MissingPoint, IsNaNAndRecognised) {
  EXPECT_TRUE(isMissing(missingPoint()));
  EXPECT_FALSE(isMissing(geo::Point{113.1, 23.0}));
}

TEST(Enums, ParseTheDatasetSpellingsAndNameThemBack) {
  EventStatus s{};
  ASSERT_TRUE(parseEventStatus("评价结案", s));
  EXPECT_EQ(s, EventStatus::kClosed);
  EXPECT_EQ(name(s), "评价结案");
  EventSource src{};
  ASSERT_TRUE(parseEventSource("video_ai", src));
  EXPECT_EQ(src, EventSource::kVideoAi);
  EXPECT_FALSE(parseEventSource("fax", src));
  ASSERT_TRUE(parseEventSource("12345", src));  // an earlier spelling
  EXPECT_EQ(src, EventSource::kHotline12345);
  EXPECT_EQ(name(src), "hotline12345");
  PersonTag t{};
  ASSERT_TRUE(parsePersonTag("migrant", t));
  EXPECT_EQ(tagBit(t), 1u << 7);
  BuildingUse u{};
  EXPECT_FALSE(parseBuildingUse("Residential", u));  // spellings are exact
  EXPECT_EQ(kindTable(Kind::kLayer), "layer_catalog");
}

// An empty district is valid; validate() catches broken offsets and links.
TEST(Validate, AcceptsAnEmptyDistrictAndRejectsBadOffsetsAndLinks) {
  DistrictColumns<Owned> owned;
  visitColumns(owned, [](const std::string& name, auto& col) {
    // Every offsets column starts with its leading 0.
    if (name.ends_with("offsets") || name.ends_with("Start")) col.resize(1);
  });
  DistrictColumns<Viewed> view = viewOf(owned);
  EXPECT_TRUE(validate(view).ok()) << validate(view).error().toString();

  // One street with a name whose offsets decrease.
  owned.streets.code.append("440604001");
  owned.streets.name.append("x");
  owned.streets.shape.partStart.push_back(0);
  owned.streets.name.offsets.back() = 0;
  owned.streets.name.offsets.push_back(1);  // 0, 0, 1: three offsets for one row
  auto r = validate(viewOf(owned));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().toString().find("streets.name"), std::string::npos) << r.error().toString();

  owned.streets.name.offsets = {0, 1};
  ASSERT_TRUE(validate(viewOf(owned)).ok()) << validate(viewOf(owned)).error().toString();
  // A community pointing at street 5 of 1.
  owned.communities.code.append("440604001001");
  owned.communities.name.append("c");
  owned.communities.street.push_back(5);
  owned.communities.shape.partStart.push_back(0);
  r = validate(viewOf(owned));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().toString().find("communities.street row 0"), std::string::npos)
      << r.error().toString();
}

TEST(BindSections, RejectsAMismatchedLayout) {
  DistrictColumns<Owned> owned;
  DistrictColumns<Viewed> view = viewOf(owned);
  std::vector<RawSection> sections = sectionsOf(view);
  ASSERT_FALSE(sections.empty());
  EXPECT_TRUE(bindSections(view, sections).ok());
  sections[3].elemSize = 3;
  auto r = bindSections(view, sections);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(sections[3].name), std::string::npos);
  sections.pop_back();
  sections[3].elemSize = sectionsOf(view)[3].elemSize;
  EXPECT_FALSE(bindSections(view, sections).ok());
}

TEST(Checksum, DependsOnEveryByte) {
  std::vector<unsigned char> bytes(1000);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(i * 7);
  const auto base = checksum(bytes.data(), bytes.size());
  for (std::size_t i : {0u, 31u, 32u, 500u, 999u}) {
    bytes[i] ^= 1;
    EXPECT_NE(checksum(bytes.data(), bytes.size()), base) << "byte " << i;
    bytes[i] ^= 1;
  }
  EXPECT_NE(checksum(bytes.data(), 999), base);
}

}  // namespace
}  // namespace gridtwin::model
