#pragma once
// A character-level sequence tagger for addresses: a first-order structured
// perceptron (averaged), BIO tags over the NAACL-2019 components, Viterbi
// decoding with the BIO constraint (I-x only after B-x or I-x). Features:
// the folded characters in a window of ±2, their bigrams, character classes,
// and the gazetteer's matches covering the character (component, position
// in the match). Training is deterministic (fixed epochs, fixed shuffle):
// the same corpus gives the same model bytes.
//
// Numbers (train+dev of the labelled set, 11,942 addresses, 2 shared cores):
// ~3 s of CPU to train, 73,540 features, 13 MB; see README.md.
//
// Thread-safety: a trained Tagger is immutable; tag() is const and keeps its
// scratch in the caller's TagScratch, so one Tagger serves many threads.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "address/component.h"
#include "address/gazetteer.h"
#include "core/error.h"

namespace gridtwin::address {

// Tag 0 is "outside"; component c has B = 1 + 2c and I = 2 + 2c. Only the
// first kTaggedComponents components are learned (village_group, direction
// and distance come from rules).
inline constexpr std::size_t kTaggedComponents = 21;
inline constexpr std::size_t kTagCount = 1 + 2 * kTaggedComponents;
inline constexpr std::uint8_t kOutside = 0;
constexpr std::uint8_t beginTag(Component c) {
  return static_cast<std::uint8_t>(1 + 2 * static_cast<unsigned>(c));
}
constexpr std::uint8_t insideTag(Component c) {
  return static_cast<std::uint8_t>(2 + 2 * static_cast<unsigned>(c));
}
constexpr Component tagComponent(std::uint8_t tag) { return static_cast<Component>((tag - 1) / 2); }
constexpr bool isBegin(std::uint8_t tag) { return tag != 0 && (tag & 1u) != 0; }

// One labelled address: its code points (as written) and one tag per code point.
struct TaggedText {
  std::u32string text;
  std::vector<std::uint8_t> tags;
};

struct TrainOptions {
  int epochs = 8;
  std::uint64_t seed = 20190601;
  int minFeatureCount = 2;  // features seen fewer times in training are dropped
};

// Per-thread working memory of tag(); reuse one per thread to avoid allocations.
struct TagScratch {
  std::vector<std::uint64_t> keys;
  std::vector<std::uint32_t> starts;
  std::vector<float> scores;
  std::vector<float> delta;
  std::vector<std::uint8_t> back;
};

class Tagger {
 public:
  Tagger() = default;

  static Tagger train(const std::vector<TaggedText>& corpus, const Gazetteer& gazetteer,
                      const TrainOptions& options = {});

  // Tags `folded` (foldText of the address) into `tags`, one per code point.
  // An untrained tagger tags everything kOutside.
  void tag(std::u32string_view folded, const Gazetteer& gazetteer, std::vector<std::uint8_t>& tags,
           TagScratch& scratch) const;

  bool trained() const { return !m_rowKeys.empty(); }
  std::size_t featureCount() const { return m_rowKeys.size(); }

  // A little-endian binary file: magic, version, counts, keys, weights.
  // Errors: kIo naming the path; load adds kParse for a bad or foreign file.
  core::Result<void> save(const std::string& path) const;
  static core::Result<Tagger> load(const std::string& path);

 private:
  std::int64_t row(std::uint64_t key) const;
  void buildIndex();
  void score(std::u32string_view folded, const Gazetteer& gazetteer, TagScratch& s) const;
  void viterbi(std::size_t n, TagScratch& s, std::vector<std::uint8_t>& tags) const;

  std::vector<std::uint64_t> m_rowKeys;   // feature key of each weight row
  std::vector<float> m_weights;           // rows × kTagCount
  std::vector<float> m_transitions;       // (kTagCount + 1) × kTagCount; row 0: start
  std::vector<std::uint64_t> m_slotKeys;  // open addressing: key → row
  std::vector<std::uint32_t> m_slotRows;
};

// Feature keys of every position of `folded` (exposed for tests):
// keys[starts[i] .. starts[i+1]) belong to position i.
void extractFeatures(std::u32string_view folded, const Gazetteer& gazetteer,
                     std::vector<std::uint64_t>& keys, std::vector<std::uint32_t>& starts);

}  // namespace gridtwin::address
