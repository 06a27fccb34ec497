#pragma once
// A dictionary of place names by component (prov, city, district, town,
// community, road, ...), matched at every position of a folded address:
// the parser's longest-match source and the tagger's gazetteer features.
//
// A trie over code points whose transitions live in one flat open-addressing
// table (node, code point) → child, so that a walk is a few cache-friendly
// probes and the whole dictionary is a handful of vectors. Built once, then
// read-only: safe to share between threads once built.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "address/component.h"
#include "core/error.h"

namespace gridtwin::address {

using ComponentMask = std::uint32_t;
constexpr ComponentMask bit(Component c) { return 1u << static_cast<unsigned>(c); }

class Gazetteer {
 public:
  Gazetteer();

  // Adds `name` (folded with foldText) under `component`; names shorter than
  // two code points are ignored (too ambiguous to mean anything).
  void add(std::u32string_view name, Component component);
  void add(std::string_view utf8Name, Component component);

  // The national divisions of ../shared/data/divisions: provinces, cities,
  // districts/counties and streets/towns, each also under its short form
  // ("浙江省" → "浙江", "杭州市" → "杭州"). Errors: kIo/kParse naming the file
  // and line.
  core::Result<void> addDivisions(const std::string& divisionsDir);

  // Calls f(length, mask) for every entry that starts at text[pos], shortest
  // first; `text` must be folded.
  template <class F>
  void forEachMatch(std::u32string_view text, std::size_t pos, F&& f) const {
    std::uint32_t node = 0;
    for (std::size_t i = pos; i < text.size(); ++i) {
      node = child(node, text[i]);
      if (node == kNoNode) return;
      const ComponentMask m = m_mask[node];
      if (m != 0) f(i - pos + 1, m);
    }
  }
  // The mask of exactly `name` (folded), 0 when absent.
  ComponentMask lookup(std::u32string_view name) const;

  std::size_t size() const { return m_entries; }

 private:
  static constexpr std::uint32_t kNoNode = 0xFFFFFFFFu;
  std::uint32_t child(std::uint32_t node, char32_t c) const;
  std::uint32_t addChild(std::uint32_t node, char32_t c);
  void grow();

  // Open addressing, linear probing; key = node << 21 | code point (code
  // points fit in 21 bits), 0 marks an empty slot (node 0 never has code point 0).
  std::vector<std::uint64_t> m_keys;
  std::vector<std::uint32_t> m_children;
  std::vector<ComponentMask> m_mask;  // per node
  std::size_t m_used = 0;
  std::size_t m_entries = 0;
};

}  // namespace gridtwin::address
