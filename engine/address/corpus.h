#pragma once
// The labelled address set of NAACL-2019 (../shared/data/addresses/naacl2019:
// one "token TAG" line per token, a blank line between addresses; tokens are
// characters or runs of digits/letters) and span-level scoring per component
// (as conlleval does: a span counts when its component and both ends agree).
#include <array>
#include <string>
#include <vector>

#include "address/component.h"
#include "address/tagger.h"
#include "core/error.h"

namespace gridtwin::address {

// Reads one split. Multi-character tokens become one tag per code point
// (B then I). Errors: kNotFound/kIo naming the path, kParse naming
// path:line for a line that is not "token TAG" or an unknown component.
core::Result<std::vector<TaggedText>> readNaacl(const std::string& path);

struct SpanScore {
  std::size_t gold = 0, predicted = 0, correct = 0;
  double precision() const {
    return predicted == 0 ? 0.0 : static_cast<double>(correct) / predicted;
  }
  double recall() const { return gold == 0 ? 0.0 : static_cast<double>(correct) / gold; }
  double f1() const {
    const double p = precision(), r = recall();
    return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
  }
  SpanScore& operator+=(const SpanScore& o) {
    gold += o.gold;
    predicted += o.predicted;
    correct += o.correct;
    return *this;
  }
};

struct Evaluation {
  std::array<SpanScore, kComponentCount> perComponent{};
  // Adds one address: gold and predicted tags of the same length.
  void add(const std::vector<std::uint8_t>& gold, const std::vector<std::uint8_t>& predicted);
  SpanScore micro(const std::vector<Component>& components) const;
  SpanScore microAll() const;
  // A table, one line per component with gold spans or predictions:
  // "component  P  R  F1  gold  predicted".
  std::string table() const;
};

// Tags of the spans that `tags` holds, as (component, begin, end) triples.
struct TagSpan {
  Component component;
  std::uint32_t begin, end;  // code point offsets, end exclusive
};
std::vector<TagSpan> spansOf(const std::vector<std::uint8_t>& tags);

}  // namespace gridtwin::address
