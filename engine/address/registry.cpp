#include "address/registry.h"

#include <algorithm>

#include "address/text.h"

namespace gridtwin::address {
namespace {

using core::ErrorCode;
using core::makeError;

bool endsWith(std::u32string_view s, std::u32string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// "澜石社区居委会" → "澜石社区", "河宕村民委员会" → "河宕村": the generator's rule
// for the name used in addresses.
std::u32string shortCommunity(std::u32string name) {
  static const std::pair<std::u32string_view, std::u32string_view> kSuffixes[] = {
      {U"社区居民委员会", U"社区"}, {U"社区居委会", U"社区"}, {U"居民委员会", U"社区"},
      {U"居委会", U"社区"},         {U"村民委员会", U"村"},   {U"村委会", U"村"}};
  for (const auto& [suffix, replacement] : kSuffixes) {
    if (name.size() > suffix.size() && endsWith(name, suffix)) {
      std::u32string stem = name.substr(0, name.size() - suffix.size());
      if (endsWith(stem, replacement)) return stem;
      return stem + std::u32string(replacement);
    }
  }
  return name;
}

constexpr std::uint32_t kShared = 0xFFFFFFFFu;

std::uint32_t intern(std::vector<std::u32string>& names,
                     std::unordered_map<std::u32string, std::uint32_t>& index,
                     const std::u32string& name) {
  auto [it, added] = index.emplace(name, static_cast<std::uint32_t>(names.size()));
  if (added) names.push_back(name);
  return it->second;
}

void addAlias(std::unordered_map<std::u32string, std::uint32_t>& index, const std::u32string& alias,
              std::uint32_t id) {
  if (alias.size() < 2) return;
  // An alias two names share ("石湾" of two towns) belongs to neither.
  auto [it, added] = index.emplace(alias, id);
  if (!added && it->second != id) it->second = kShared;
}

std::int64_t find(const std::unordered_map<std::u32string, std::uint32_t>& index,
                  std::u32string_view name) {
  const auto it = index.find(std::u32string(name));
  return it == index.end() || it->second == kShared ? -1 : static_cast<std::int64_t>(it->second);
}

}  // namespace

std::size_t editDistance(std::u32string_view a, std::u32string_view b, std::size_t limit) {
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > limit) return limit + 1;
  std::size_t row[64];
  if (a.size() >= 63 || b.size() >= 63) return limit + 1;
  for (std::size_t j = 0; j <= a.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= b.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    std::size_t best = row[0];
    for (std::size_t j = 1; j <= a.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[j - 1] == b[i - 1] ? 0 : 1)});
      diag = up;
      best = std::min(best, row[j]);
    }
    if (best > limit) return limit + 1;
  }
  return row[a.size()];
}

core::Result<std::shared_ptr<const Registry>> Registry::build(const model::District& district) {
  auto reg = std::make_shared<Registry>();
  Registry& r = *reg;
  r.m_district = district;
  const auto& a = district.addresses();
  const auto& streets = district.streets();
  const auto& communities = district.communities();
  const auto& grids = district.grids();
  const auto& buildings = district.buildings();
  const auto& houses = district.houses();
  const auto& roads = district.roads();
  // Names and aliases.
  for (std::size_t s = 0; s < streets.size(); ++s) {
    auto name = decodeUtf8(streets.name[s]);
    if (!name.ok())
      return makeError(ErrorCode::kParse, "street name is not UTF-8", std::string(streets.code[s]));
    r.m_towns.push_back(*name);
    r.m_townIndex.emplace(*name, static_cast<std::uint32_t>(s));
  }
  for (std::size_t s = 0; s < r.m_towns.size(); ++s) {
    const std::u32string& n = r.m_towns[s];
    const auto id = static_cast<std::uint32_t>(s);
    for (std::u32string_view suffix : {U"镇街道", U"街道", U"镇"}) {
      if (endsWith(n, suffix) && n.size() > suffix.size() + 1) {
        const std::u32string stem = n.substr(0, n.size() - suffix.size());
        addAlias(r.m_townIndex, stem, id);
        addAlias(r.m_townIndex, stem + U"镇", id);
        addAlias(r.m_townIndex, stem + U"街道", id);
        addAlias(r.m_townIndex, stem + U"街道办事处", id);
        break;
      }
    }
  }
  for (std::size_t c = 0; c < communities.size(); ++c) {
    auto name = decodeUtf8(communities.name[c]);
    if (!name.ok()) {
      return makeError(ErrorCode::kParse, "community name is not UTF-8",
                       std::string(communities.code[c]));
    }
    const std::u32string shortName = shortCommunity(*name);
    r.m_communities.push_back(shortName);
    r.m_communityIndex.emplace(shortName, static_cast<std::uint32_t>(c));
  }
  for (std::size_t c = 0; c < r.m_communities.size(); ++c) {
    const std::u32string& n = r.m_communities[c];
    const auto id = static_cast<std::uint32_t>(c);
    if (endsWith(n, U"社区")) {
      const std::u32string stem = n.substr(0, n.size() - 2);
      addAlias(r.m_communityIndex, stem, id);
      addAlias(r.m_communityIndex, stem + U"居委会", id);
      addAlias(r.m_communityIndex, stem + U"社区居委会", id);
      addAlias(r.m_communityIndex, stem + U"居民委员会", id);
    } else if (endsWith(n, U"村")) {
      const std::u32string stem = n.substr(0, n.size() - 1);
      addAlias(r.m_communityIndex, stem, id);
      addAlias(r.m_communityIndex, stem + U"村委会", id);
      addAlias(r.m_communityIndex, stem + U"村民委员会", id);
    }
  }
  for (std::size_t k = 0; k < roads.size(); ++k) {
    auto name = decodeUtf8(roads.name[k]);
    if (name.ok() && !name->empty()) intern(r.m_roads, r.m_roadIndex, *name);
  }
  for (std::size_t c = 0; c < r.m_communities.size(); ++c) {
    const std::u32string& n = r.m_communities[c];
    std::vector<std::u32string> names = {n};
    const bool isShequ = endsWith(n, U"社区"), isCun = endsWith(n, U"村");
    if (isShequ || isCun) {
      const std::u32string stem = n.substr(0, n.size() - (isShequ ? 2 : 1));
      names.push_back(stem);
      for (std::u32string_view s :
           isShequ ? std::vector<std::u32string_view>{U"居委会", U"社区居委会", U"居民委员会"}
                   : std::vector<std::u32string_view>{U"村委会", U"村民委员会"}) {
        names.push_back(stem + std::u32string(s));
      }
    }
    for (const auto& alias : names) {
      if (alias.size() < 2) continue;
      auto& ids = r.m_communityAll[alias];
      if (std::find(ids.begin(), ids.end(), c) == ids.end())
        ids.push_back(static_cast<std::uint32_t>(c));
    }
  }
  for (std::uint32_t k = 0; k < r.m_roads.size(); ++k) {
    const std::u32string& n = r.m_roads[k];
    auto addKey = [&](const std::u32string& key) {
      auto& ids = r.m_roadDeletions[key];
      if (ids.empty() || ids.back() != k) ids.push_back(k);
    };
    addKey(n);
    for (std::size_t d = 0; d < n.size(); ++d) addKey(n.substr(0, d) + n.substr(d + 1));
  }
  for (const auto& [name, id] : r.m_townIndex) r.m_gazetteer.add(name, Component::kTown);
  for (const auto& [name, ids] : r.m_communityAll) r.m_gazetteer.add(name, Component::kCommunity);
  for (const auto& name : r.m_roads) r.m_gazetteer.add(name, Component::kRoad);

  // Decompose every address.
  r.m_entries.resize(a.size());
  std::vector<std::uint32_t> doorplateOf(a.size(), 0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    RegistryEntry& e = r.m_entries[i];
    const std::uint32_t community = grids.community[a.grid[i]];
    e.community = community;
    e.town = communities.street[community];
    const std::string where = "address " + std::string(a.code[i]);
    auto text = decodeUtf8(a.fullText[i], where);
    if (!text.ok()) return text.takeError();
    const std::u32string& t = *text;
    // Skip the prefix, town and community as written; the road follows.
    const std::u32string& town = r.m_towns[e.town];
    const std::u32string& comm = r.m_communities[community];
    std::size_t p = t.find(town);
    if (p == std::u32string::npos)
      return makeError(ErrorCode::kParse, "full text lacks its street's name", where);
    if (r.m_prefix.empty()) r.m_prefix = encodeUtf8(std::u32string_view(t).substr(0, p));
    p += town.size();
    if (t.compare(p, comm.size(), comm) == 0) p += comm.size();
    // The longest road name at p.
    std::size_t roadLen = 0;
    r.m_gazetteer.forEachMatch(t, p, [&](std::size_t len, ComponentMask m) {
      if ((m & bit(Component::kRoad)) != 0) roadLen = len;
    });
    if (roadLen == 0)
      return makeError(ErrorCode::kParse, "no known road name in the full text", where);
    e.road = r.m_roadIndex.at(t.substr(p, roadLen));
    p += roadLen;
    std::uint32_t no = 0;
    std::size_t digits = 0;
    while (p < t.size() && t[p] >= '0' && t[p] <= '9' && digits < 9) {
      no = no * 10 + (t[p++] - '0');
      ++digits;
    }
    if (digits == 0 || p >= t.size() || t[p] != U'号') {
      return makeError(ErrorCode::kParse, "no door number 'N号' after the road", where);
    }
    e.doorNo = no;
    if (a.level[i] == model::AddressLevel::kRoom && a.house[i] != model::kNone) {
      const auto h = static_cast<std::size_t>(a.house[i]);
      e.isRoom = true;
      e.unit = t.find(U"单元", p) != std::u32string::npos ? houses.unit[h] : 0;
      e.floor = houses.floor[h];
      std::uint32_t room = 0;
      for (char ch : houses.room[h]) {
        if (ch >= '0' && ch <= '9') room = room * 10 + static_cast<std::uint32_t>(ch - '0');
      }
      e.room = room;
    } else {
      const std::uint64_t key = (static_cast<std::uint64_t>(e.road) << 32) | no;
      if (!r.m_doorplates.emplace(key, static_cast<std::uint32_t>(i)).second)
        r.m_moreDoorplates.emplace(key, static_cast<std::uint32_t>(i));
    }
  }
  // The levels above the towns, so that a scan explains them.
  {
    const std::u32string pre = decodeUtf8(r.m_prefix).value();
    std::size_t from = 0;
    for (auto [mark, c] : {std::pair<char32_t, Component>{U'省', Component::kProv},
                           {U'市', Component::kCity},
                           {U'区', Component::kDistrict}}) {
      const std::size_t at = pre.find(mark, from);
      if (at == std::u32string::npos) continue;
      r.m_gazetteer.add(pre.substr(from, at + 1 - from), c);
      r.m_gazetteer.add(pre.substr(from, at - from), c);
      from = at + 1;
    }
  }
  // Rooms → their door plate (through the building's door-plate address).
  std::vector<std::pair<std::uint32_t, std::uint32_t>> byDoorplate;
  for (std::size_t i = 0; i < a.size(); ++i) {
    RegistryEntry& e = r.m_entries[i];
    if (!e.isRoom) {
      e.doorplate = static_cast<std::uint32_t>(i);
      continue;
    }
    const std::int32_t d = buildings.address[a.building[i]];
    e.doorplate = d >= 0 ? static_cast<std::uint32_t>(d) : static_cast<std::uint32_t>(i);
    byDoorplate.emplace_back(e.doorplate, static_cast<std::uint32_t>(i));
  }
  std::sort(byDoorplate.begin(), byDoorplate.end());
  for (std::size_t k = 0; k < byDoorplate.size(); ++k) {
    if (k == 0 || byDoorplate[k].first != byDoorplate[k - 1].first) {
      r.m_doorplateRank.emplace(byDoorplate[k].first,
                                static_cast<std::uint32_t>(r.m_roomStart.size()));
      r.m_roomStart.push_back(static_cast<std::uint32_t>(k));
    }
    r.m_roomList.push_back(byDoorplate[k].second);
  }
  r.m_roomStart.push_back(static_cast<std::uint32_t>(r.m_roomList.size()));
  return std::shared_ptr<const Registry>(reg);
}

std::int64_t Registry::road(std::u32string_view name) const { return find(m_roadIndex, name); }
std::int64_t Registry::community(std::u32string_view name) const {
  return find(m_communityIndex, name);
}
std::int64_t Registry::town(std::u32string_view name) const { return find(m_townIndex, name); }

std::vector<std::uint32_t> Registry::roadsNear(std::u32string_view written) const {
  std::vector<std::uint32_t> out;
  auto collect = [&](const std::u32string& key) {
    const auto it = m_roadDeletions.find(key);
    if (it != m_roadDeletions.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  };
  const std::u32string w(written);
  collect(w);
  for (std::size_t d = 0; d < w.size(); ++d) collect(w.substr(0, d) + w.substr(d + 1));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::uint32_t> Registry::communitiesNamed(std::u32string_view name) const {
  const auto it = m_communityAll.find(std::u32string(name));
  return it == m_communityAll.end() ? std::vector<std::uint32_t>{} : it->second;
}

std::vector<std::uint32_t> Registry::doorplates(std::uint32_t road, std::uint32_t doorNo) const {
  const std::uint64_t key = (static_cast<std::uint64_t>(road) << 32) | doorNo;
  const auto it = m_doorplates.find(key);
  if (it == m_doorplates.end()) return {};
  std::vector<std::uint32_t> out{it->second};
  if (!m_moreDoorplates.empty()) {
    const auto [b, e] = m_moreDoorplates.equal_range(key);
    for (auto k = b; k != e; ++k) out.push_back(k->second);
    std::sort(out.begin(), out.end());
  }
  return out;
}

std::vector<std::uint32_t> Registry::rooms(std::uint32_t doorplate) const {
  const auto it = m_doorplateRank.find(doorplate);
  if (it == m_doorplateRank.end()) return {};
  return {m_roomList.begin() + m_roomStart[it->second],
          m_roomList.begin() + m_roomStart[it->second + 1]};
}

}  // namespace gridtwin::address
