#pragma once
// The standard address registry of a loaded district, indexed for matching:
// every address of the model decomposed into town, community, road, door
// number, unit and room, with the name tables (and their aliases: 石湾镇街道 →
// 石湾镇, 石湾; 澜石社区 → 澜石, 澜石社区居委会) and the lookups the matcher
// needs: road name → road, (road, door number) → door plate, door plate →
// its rooms.
//
// Built once from an immutable model::District (holds a copy of it: the
// District is a cheap handle on shared columns), then immutable: share one
// Registry between threads freely.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "address/gazetteer.h"
#include "core/error.h"
#include "model/district.h"

namespace gridtwin::address {

struct RegistryEntry {
  std::uint32_t town = 0;       // into townNames()
  std::uint32_t community = 0;  // into communityNames()
  std::uint32_t road = 0;       // into roadNames()
  std::uint32_t doorNo = 0;     // 81 for 卫国路81号
  std::uint16_t unit = 0;       // 0: no unit in the address (door plates, one-unit buildings)
  std::int16_t floor = 0;       // rooms only
  std::uint32_t room = 0;       // rooms only: 101 for 101房
  bool isRoom = false;
  std::uint32_t doorplate = 0;  // the address row of its door plate (itself for door plates)
};

class Registry {
 public:
  // Errors: kParse naming the address code when a full text does not
  // decompose as 省市区 + 镇街 + 社区 + 路 + N号 [+ M单元] [+ R房].
  static core::Result<std::shared_ptr<const Registry>> build(const model::District& district);

  const model::District& district() const { return m_district; }
  std::size_t size() const { return m_entries.size(); }
  const RegistryEntry& entry(std::size_t address) const { return m_entries[address]; }

  const std::vector<std::u32string>& townNames() const { return m_towns; }
  const std::vector<std::u32string>& communityNames() const { return m_communities; }
  const std::vector<std::u32string>& roadNames() const { return m_roads; }
  // Names and aliases of towns, communities and roads, for the parser and
  // the matcher's scan; the value of an alias is found with the lookups below.
  const Gazetteer& gazetteer() const { return m_gazetteer; }

  // Road/community/town whose name or alias is exactly `name` (folded), or -1.
  std::int64_t road(std::u32string_view name) const;
  std::int64_t community(std::u32string_view name) const;
  std::int64_t town(std::u32string_view name) const;
  // Roads that may be within edit distance 2 of `written` (a superset of
  // those within 1): the names sharing `written` or one of its one-character
  // deletions as one of theirs (the symmetric-deletion index). Verify with
  // editDistance.
  std::vector<std::uint32_t> roadsNear(std::u32string_view written) const;

  // Every community whose name or alias is `name` (several villages share
  // names across towns: 村尾村).
  std::vector<std::uint32_t> communitiesNamed(std::u32string_view name) const;
  // The door plates of road `road` number `doorNo` (usually one; several
  // where the same road name and number exist in two towns or communities,
  // as village lanes named 大街 do), in address order.
  std::vector<std::uint32_t> doorplates(std::uint32_t road, std::uint32_t doorNo) const;
  // The room addresses of a door plate (empty for a building without rooms).
  std::vector<std::uint32_t> rooms(std::uint32_t doorplate) const;

  // 广东省佛山市禅城区 (the part above the towns, the same for every address).
  const std::string& prefix() const { return m_prefix; }

 private:
  model::District m_district;
  std::vector<RegistryEntry> m_entries;
  std::vector<std::u32string> m_towns, m_communities, m_roads;
  std::unordered_map<std::u32string, std::uint32_t> m_townIndex, m_communityIndex, m_roadIndex;
  std::unordered_map<std::u32string, std::vector<std::uint32_t>> m_communityAll;
  std::unordered_map<std::u32string, std::vector<std::uint32_t>> m_roadDeletions;
  std::unordered_map<std::uint64_t, std::uint32_t> m_doorplates;  // (road, number) → first
  std::unordered_multimap<std::uint64_t, std::uint32_t> m_moreDoorplates;  // the others (rare)
  // Rooms grouped by door plate: m_roomList[m_roomStart[d] .. m_roomStart[d+1])
  // for the door plate's position d in m_doorplateRank.
  std::unordered_map<std::uint32_t, std::uint32_t> m_doorplateRank;
  std::vector<std::uint32_t> m_roomStart, m_roomList;
  Gazetteer m_gazetteer;
  std::string m_prefix;
};

// Levenshtein distance over code points, stopping early (returns limit + 1)
// once it must exceed `limit`.
std::size_t editDistance(std::u32string_view a, std::u32string_view b, std::size_t limit);

}  // namespace gridtwin::address
