#pragma once
// The address parser: free text → components (DESIGN.md names), each with
// the text as written and its normalized value, plus the normalized text.
//
//   1. decode strict UTF-8, fold each code point (text.h: full → half width,
//      traditional → simplified): offsets stay those of the input;
//   2. rules set aside what is not the address: noise (phone numbers,
//      "(电联)", courier remarks, emoji), direction/distance phrases
//      ("东北方向50米"), the connector of an intersection ("A路与B路交叉口":
//      B becomes subroad, intersection = true), village groups ("5组");
//   3. the statistical tagger (tagger.h) labels the rest;
//   4. each component's value is normalized: Chinese numerals → Arabic where
//      they count, 号楼/幢/座 → 栋, 室 → 房, 居委会 → 社区, bare numbers get
//      their suffix ("12-3-1001": 12栋 3单元 1001房).
//
// Thread-safety: a Parser is immutable; parse() may run on many threads.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "address/component.h"
#include "address/gazetteer.h"
#include "address/tagger.h"
#include "core/error.h"

namespace gridtwin::address {

struct ComponentSpan {
  Component component = Component::kPoi;
  std::uint32_t begin = 0, end = 0;  // code point offsets in the input, end exclusive
  std::string text;                  // as written
  std::string value;                 // normalized
};

// Components set aside from the address proper (kept in spans, left out of
// the normalized text and of matching).
bool isSetAside(Component c);

struct ParsedAddress {
  std::vector<ComponentSpan> spans;  // in text order, set-aside ones included
  bool intersection = false;
  std::string normalized;  // values of the kept components, in text order
  // The folded text without what the rules set aside (noise, direction,
  // distance) and without blanks, numerals in Arabic: what the matcher scans
  // for registry names, whatever the tagger said.
  std::u32string clean;

  // The first span of `c`, or nullptr.
  const ComponentSpan* find(Component c) const;
};

inline constexpr std::size_t kMaxAddressBytes = 4096;

class Parser {
 public:
  // Shares the gazetteer and the tagger (both immutable). A null or
  // untrained tagger leaves everything but the rules' spans unlabelled.
  Parser(std::shared_ptr<const Gazetteer> gazetteer, std::shared_ptr<const Tagger> tagger);

  // Errors: kInvalidUtf8 (the byte offset), kInvalidArgument for text over
  // kMaxAddressBytes; `context` ("stdin:3") goes into the error. Empty or
  // punctuation-only text gives an empty parse, not an error.
  core::Result<ParsedAddress> parse(std::string_view text, std::string_view context = {}) const;
  // The rules only, no tagger: spans are what the rules decide, `normalized`
  // is the clean text. The matcher's fast path (a tenth of the cost).
  core::Result<ParsedAddress> parseRulesOnly(std::string_view text,
                                             std::string_view context = {}) const;

  // One tag per code point of `text` (beginTag/insideTag of tagger.h, rules
  // included): what the evaluation scores.
  void tagCodePoints(std::u32string_view text, std::vector<std::uint8_t>& tags) const;

  const Gazetteer& gazetteer() const { return *m_gazetteer; }

 private:
  // tagCodePoints, also saying which code points the rules decided.
  void tagWithRules(std::u32string_view text, std::vector<std::uint8_t>& tags,
                    std::vector<bool>& byRule, bool useTagger = true) const;
  core::Result<ParsedAddress> parseImpl(std::string_view text, std::string_view context,
                                        bool useTagger) const;

  std::shared_ptr<const Gazetteer> m_gazetteer;
  std::shared_ptr<const Tagger> m_tagger;
};

// The normalized value of one component's folded text (step 4 above).
std::u32string normalizeValue(Component c, std::u32string_view folded);

// Loads the tagger from `modelPath` when it exists and is valid; otherwise
// trains it on train+dev of `naaclDir` (never test), with `gazetteer`, and
// saves it to `modelPath` (when not empty) for the next time. Errors: those
// of readNaacl.
core::Result<std::shared_ptr<const Tagger>> loadOrTrainTagger(const std::string& modelPath,
                                                              const std::string& naaclDir,
                                                              const Gazetteer& gazetteer);

// Where the CLI keeps the trained tagger: $GRIDTWIN_ADDRESS_MODEL, else
// $XDG_CACHE_HOME/gridtwin/address_tagger_v1.bin, else
// ~/.cache/gridtwin/address_tagger_v1.bin (the folder is created).
std::string defaultTaggerPath();

}  // namespace gridtwin::address
