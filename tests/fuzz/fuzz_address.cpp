// Addresses (geocode, parse: address::Parser with rules and a small trained
// tagger; text folding and Chinese numerals): any bytes give a parse whose
// spans lie inside the text, or an error with a message.
#include <memory>

#include "address/corpus.h"
#include "address/parser.h"
#include "address/text.h"
#include "fuzz/fuzz_support.h"

namespace {

using namespace gridtwin::address;

TaggedText labelled(std::u32string_view text,
                    std::initializer_list<std::pair<int, Component>> parts) {
  TaggedText t;
  t.text = text;
  for (auto [len, c] : parts) {
    for (int k = 0; k < len; ++k) t.tags.push_back(k == 0 ? beginTag(c) : insideTag(c));
  }
  return t;
}

// The unit fuzz test's gazetteer and tagger (tests/unit/address/fuzz_test.cpp).
const Parser& parser() {
  static const Parser p = [] {
    auto gaz = std::make_shared<Gazetteer>();
    gaz->add(std::u32string_view(U"卫国路"), Component::kRoad);
    gaz->add(std::u32string_view(U"禅城区"), Component::kDistrict);
    gaz->add(std::u32string_view(U"祖庙街道"), Component::kTown);
    const std::vector<TaggedText> corpus = {
        labelled(U"禅城区卫国路81号",
                 {{3, Component::kDistrict}, {3, Component::kRoad}, {3, Component::kRoadno}}),
        labelled(U"卫国路8号2单元101室", {{3, Component::kRoad},
                                          {2, Component::kRoadno},
                                          {3, Component::kCellno},
                                          {4, Component::kRoomno}}),
    };
    auto tagger = std::make_shared<const Tagger>(
        Tagger::train(corpus, *gaz, {.epochs = 3, .minFeatureCount = 1}));
    return Parser(gaz, tagger);
  }();
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fuzz = gridtwin::fuzz;
  const std::string_view text = fuzz::text(data, size);
  auto r = parser().parse(text, "fuzz");
  fuzz::requireValueOrMessage(r, "parse error without a message");
  auto decoded = decodeUtf8(text);
  fuzz::requireValueOrMessage(decoded, "decodeUtf8 error without a message");
  if (decoded.ok()) {
    const std::u32string folded = foldText(*decoded);
    fuzz::require(folded.size() == decoded->size(), "foldText changed the length");
    (void)chineseNumeralValue(folded);
    if (r.ok()) {
      for (const auto& span : r->spans) {
        fuzz::require(span.begin < span.end && span.end <= decoded->size(),
                      "a span outside the text");
      }
    }
  }
  return 0;
}
