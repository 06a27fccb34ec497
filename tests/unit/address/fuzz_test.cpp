// Random and mutated input through the whole parser (rules and a small
// trained tagger): never a crash, never a span outside the text. Meant to
// run under ASan/UBSan (GRIDTWIN_SANITIZE) as well; deterministic seeds.
#include <gtest/gtest.h>

#include <random>

#include "address/corpus.h"
#include "address/parser.h"
#include "address/text.h"

namespace gridtwin::address {
namespace {

TaggedText labelled(std::u32string_view text,
                    std::initializer_list<std::pair<int, Component>> parts) {
  TaggedText t;
  t.text = text;
  for (auto [len, c] : parts) {
    for (int k = 0; k < len; ++k) t.tags.push_back(k == 0 ? beginTag(c) : insideTag(c));
  }
  return t;
}

TEST(AddressFuzz, RandomBytesAndMutationsNeverCrash) {
  auto gaz = std::make_shared<Gazetteer>();
  gaz->add(std::u32string_view(U"卫国路"), Component::kRoad);
  gaz->add(std::u32string_view(U"禅城区"), Component::kDistrict);
  std::vector<TaggedText> corpus = {
      labelled(U"禅城区卫国路81号",
               {{3, Component::kDistrict}, {3, Component::kRoad}, {3, Component::kRoadno}}),
      labelled(U"卫国路8号2单元101室", {{3, Component::kRoad},
                                        {2, Component::kRoadno},
                                        {3, Component::kCellno},
                                        {4, Component::kRoomno}}),
  };
  ASSERT_EQ(corpus[0].tags.size(), corpus[0].text.size());
  auto tagger = std::make_shared<const Tagger>(
      Tagger::train(corpus, *gaz, {.epochs = 3, .minFeatureCount = 1}));
  const Parser parser(gaz, tagger);
  const std::string seeds[] = {"广东省佛山市禅城区卫国路81号2单元101房(电联)",
                               "汾江中路与季华路交叉口东北方向50米",
                               "沿山村5组",
                               "１２３号",
                               "廣東省",
                               "😀😀",
                               "(((((",
                               "1381234567813812345678"};
  std::mt19937_64 rng(42);
  std::size_t parsed = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s = seeds[rng() % std::size(seeds)];
    const int edits = static_cast<int>(rng() % 6);
    for (int e = 0; e < edits; ++e) {
      const std::size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
      switch (rng() % 4) {
        case 0:
          s.insert(pos, 1, static_cast<char>(rng() & 0xFF));
          break;
        case 1:
          if (!s.empty() && pos < s.size()) s.erase(pos, 1 + rng() % 3);
          break;
        case 2:
          s.insert(pos, seeds[rng() % std::size(seeds)]);
          break;
        default:
          if (pos < s.size()) s[pos] = static_cast<char>(rng() & 0xFF);
          break;
      }
    }
    auto r = parser.parse(s);
    if (!r.ok()) {
      EXPECT_FALSE(r.error().message.empty());
      continue;
    }
    ++parsed;
    const auto n = decodeUtf8(s).value().size();
    for (const auto& span : r->spans) {
      EXPECT_LT(span.begin, span.end);
      EXPECT_LE(span.end, n);
    }
  }
  EXPECT_GT(parsed, 1000u);
}

}  // namespace
}  // namespace gridtwin::address
