#include "address/gazetteer.h"

#include <fstream>

#include "address/text.h"

namespace gridtwin::address {
namespace {

using core::ErrorCode;
using core::makeError;

inline std::uint64_t mix(std::uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  return k;
}

bool endsWith(std::u32string_view s, std::u32string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Second field of a CSV line `code,"name",...` (names hold no commas or quotes).
std::string_view csvField(std::string_view line, int index) {
  for (int i = 0; i < index; ++i) {
    const auto comma = line.find(',');
    if (comma == std::string_view::npos) return {};
    line.remove_prefix(comma + 1);
  }
  line = line.substr(0, line.find(','));
  if (line.size() >= 2 && line.front() == '"' && line.back() == '"')
    line = line.substr(1, line.size() - 2);
  return line;
}

}  // namespace

Gazetteer::Gazetteer() : m_keys(1024, 0), m_children(1024, 0), m_mask(1, 0) {}

std::uint32_t Gazetteer::child(std::uint32_t node, char32_t c) const {
  const std::uint64_t key = (static_cast<std::uint64_t>(node) << 21) | c;
  const std::size_t mask = m_keys.size() - 1;
  for (std::size_t i = mix(key) & mask;; i = (i + 1) & mask) {
    if (m_keys[i] == key) return m_children[i];
    if (m_keys[i] == 0) return kNoNode;
  }
}

void Gazetteer::grow() {
  std::vector<std::uint64_t> keys(m_keys.size() * 2, 0);
  std::vector<std::uint32_t> children(keys.size(), 0);
  const std::size_t mask = keys.size() - 1;
  for (std::size_t j = 0; j < m_keys.size(); ++j) {
    if (m_keys[j] == 0) continue;
    std::size_t i = mix(m_keys[j]) & mask;
    while (keys[i] != 0) i = (i + 1) & mask;
    keys[i] = m_keys[j];
    children[i] = m_children[j];
  }
  m_keys.swap(keys);
  m_children.swap(children);
}

std::uint32_t Gazetteer::addChild(std::uint32_t node, char32_t c) {
  const std::uint32_t existing = child(node, c);
  if (existing != kNoNode) return existing;
  if ((m_used + 1) * 2 > m_keys.size()) grow();
  const std::uint64_t key = (static_cast<std::uint64_t>(node) << 21) | c;
  const std::size_t mask = m_keys.size() - 1;
  std::size_t i = mix(key) & mask;
  while (m_keys[i] != 0) i = (i + 1) & mask;
  m_keys[i] = key;
  m_children[i] = static_cast<std::uint32_t>(m_mask.size());
  m_mask.push_back(0);
  ++m_used;
  return m_children[i];
}

void Gazetteer::add(std::u32string_view name, Component component) {
  if (name.size() < 2) return;
  std::uint32_t node = 0;
  for (char32_t c : name) {
    const char32_t f = foldChar(c);
    if (f == 0 || f > 0x1FFFFF) return;
    node = addChild(node, f);
  }
  if (m_mask[node] == 0) ++m_entries;
  m_mask[node] |= bit(component);
}

void Gazetteer::add(std::string_view utf8Name, Component component) {
  auto decoded = decodeUtf8(utf8Name);
  if (decoded.ok()) add(*decoded, component);
}

ComponentMask Gazetteer::lookup(std::u32string_view name) const {
  std::uint32_t node = 0;
  for (char32_t c : name) {
    node = child(node, c);
    if (node == kNoNode) return 0;
  }
  return m_mask[node];
}

core::Result<void> Gazetteer::addDivisions(const std::string& dir) {
  struct Source {
    const char* file;
    Component component;
    std::vector<std::u32string> suffixes;  // stripped for the short form
  };
  const Source sources[] = {
      {"provinces.csv",
       Component::kProv,
       {U"维吾尔自治区", U"壮族自治区", U"回族自治区", U"特别行政区", U"自治区", U"省", U"市"}},
      {"cities.csv", Component::kCity, {U"自治州", U"地区", U"盟", U"市"}},
      {"areas.csv", Component::kDistrict, {U"自治县", U"新区", U"区", U"县", U"市", U"旗"}},
      {"streets.csv", Component::kTown, {U"街道办事处", U"街道", U"镇", U"乡"}},
  };
  for (const Source& s : sources) {
    const std::string path = dir + "/" + s.file;
    std::ifstream in(path);
    if (!in) return makeError(ErrorCode::kIo, "cannot open the divisions file", path);
    std::string line;
    std::size_t lineNo = 0;
    while (std::getline(in, line)) {
      if (++lineNo == 1) continue;  // header
      if (!line.empty() && line.back() == '\r') line.pop_back();
      auto name = decodeUtf8(csvField(line, 1));
      if (!name.ok()) {
        return makeError(ErrorCode::kParse, "invalid UTF-8 in a division name",
                         path + ":" + std::to_string(lineNo));
      }
      const std::u32string& n = *name;
      if (n == U"市辖区" || n == U"县" || n == U"省直辖县级行政区划") continue;
      add(n, s.component);
      for (const auto& suffix : s.suffixes) {
        if (endsWith(n, suffix) && n.size() >= suffix.size() + 2) {
          add(std::u32string_view(n).substr(0, n.size() - suffix.size()), s.component);
          break;
        }
      }
    }
  }
  return {};
}

}  // namespace gridtwin::address
