#include "address/variants.h"

#include <algorithm>
#include <fstream>
#include <map>

#include "address/text.h"

namespace gridtwin::address {
namespace {

// splitmix64: small, seedable, the same everywhere.
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) / 9007199254740992.0; }
  bool chance(double p) { return uniform() < p; }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

// Characters a hurried typist or a wrong IME candidate puts in a name.
constexpr std::u32string_view kTypoPool =
    U"华新中东西南北大小山水金明光平安和兴福德源龙凤桥园林湖江海";

std::u32string numberText(std::uint32_t n, bool words) {
  if (words) return chineseNumeral(n);
  std::u32string out;
  for (char c : std::to_string(n)) out.push_back(static_cast<char32_t>(c));
  return out;
}

void typo(std::u32string& name, Rng& rng) {
  if (name.size() < 3) return;
  const std::size_t pos = rng.below(name.size() - 1);  // never the suffix (路, 街, 社区's 区)
  switch (rng.below(3)) {
    case 0: {
      char32_t c = kTypoPool[rng.below(kTypoPool.size())];
      if (c == name[pos]) c = U'明';
      name[pos] = c;
      break;
    }
    case 1:
      if (name.size() > 3) {
        name.erase(pos, 1);
      } else {
        name[pos] = kTypoPool[rng.below(kTypoPool.size())];
      }
      break;
    default:
      name.insert(pos, 1, name[pos]);  // a doubled key
      break;
  }
}

}  // namespace

std::string_view variantClassName(VariantClass c) {
  switch (c) {
    case VariantClass::kStandard:
      return "standard";
    case VariantClass::kForeign:
      return "foreign";
    case VariantClass::kWrongLevel:
      return "wrong_level";
  }
  return "standard";
}

std::string_view noiseKindName(NoiseKind k) {
  static constexpr std::string_view kNames[] = {
      "missing_levels", "numerals",   "traditional", "typo",   "noise",
      "swapped",        "full_width", "synonyms",    "blanks", "direction"};
  return kNames[static_cast<std::size_t>(k)];
}

std::vector<NoisyVariant> makeNoisyVariants(const Registry& reg, std::size_t count,
                                            const VariantOptions& options) {
  std::vector<NoisyVariant> out;
  if (reg.size() == 0) return out;
  std::vector<std::uint32_t> doors, rooms;
  for (std::uint32_t i = 0; i < reg.size(); ++i) (reg.entry(i).isRoom ? rooms : doors).push_back(i);
  Rng rng{options.seed};
  const std::u32string prefix = decodeUtf8(reg.prefix()).value();
  std::vector<std::u32string> foreign;
  for (const auto& f : options.foreignPrefixes) {
    auto d = decodeUtf8(f);
    if (d.ok() && !d->empty()) foreign.push_back(*d);
  }
  const double foreignShare = foreign.empty() ? 0.0 : options.foreignShare;
  const double wrongLevelShare = reg.townNames().size() < 2 ? 0.0 : options.wrongLevelShare;
  out.reserve(count);
  while (out.size() < count) {
    // The class first, drawing nothing when both shares are 0 (the standard
    // stream stays what it was before the classes existed).
    VariantClass cls = VariantClass::kStandard;
    if (foreignShare > 0 || wrongLevelShare > 0) {
      const double u = rng.uniform();
      cls = u < foreignShare                     ? VariantClass::kForeign
            : u < foreignShare + wrongLevelShare ? VariantClass::kWrongLevel
                                                 : VariantClass::kStandard;
    }
    const bool room = !rooms.empty() && (doors.empty() || rng.chance(options.roomShare));
    const auto& pool = room ? rooms : doors;
    const std::uint32_t truth = pool[rng.below(pool.size())];
    const RegistryEntry& e = reg.entry(truth);
    std::uint32_t kinds = 0;
    std::u32string pre = prefix;
    std::u32string town = reg.townNames()[e.town];
    std::u32string community = reg.communityNames()[e.community];
    std::u32string road = reg.roadNames()[e.road];
    const bool words = rng.chance(0.25);
    std::u32string door = numberText(e.doorNo, words) + U"号";
    std::u32string unit, roomText;
    if (e.isRoom) {
      if (e.unit > 0) unit = numberText(e.unit, words) + U"单元";
      roomText = numberText(e.room, false) + U"房";
    }
    if (words) kinds |= noiseBit(NoiseKind::kNumerals);
    if (cls == VariantClass::kForeign) {
      // Another district's prefix, whole ("北京市海淀区"), without its
      // province ("佛山市南海区") or its district alone ("南海区"); no town or
      // community of this registry (they would be a second contradiction).
      const std::u32string& f = foreign[rng.below(foreign.size())];
      const std::size_t prov = f.find_first_of(U"省");
      const std::size_t city = f.find(U'市');
      switch (rng.below(3)) {
        case 0:
          pre = f;
          break;
        case 1:
          pre = prov != std::u32string::npos ? f.substr(prov + 1) : f;
          break;
        default:
          pre = city != std::u32string::npos && city + 1 < f.size() ? f.substr(city + 1) : f;
          break;
      }
      town.clear();
      community.clear();
    } else if (cls == VariantClass::kWrongLevel) {
      // The right road and number under another town or community of the
      // registry (one whose name differs: 村尾村 is the name of two).
      if (rng.chance(0.5)) {
        std::size_t other = rng.below(reg.townNames().size() - 1);
        if (other >= e.town) ++other;
        town = reg.townNames()[other];
        if (rng.chance(0.5)) community.clear();
      } else {
        const auto& names = reg.communityNames();
        std::u32string other;
        for (int attempt = 0; attempt < 16 && (other.empty() || other == community); ++attempt) {
          other = names[rng.below(names.size())];
        }
        if (other == community) continue;
        community = other;
        if (rng.chance(0.5)) town.clear();
      }
      if (rng.chance(0.5)) pre.clear();
    } else if (rng.chance(0.5)) {
      kinds |= noiseBit(NoiseKind::kMissingLevels);
      pre.clear();
      if (rng.chance(0.5)) town.clear();
      if (rng.chance(0.4)) community.clear();
    }
    if (cls == VariantClass::kStandard && rng.chance(0.2)) {
      // (Not in the other classes: a misspelt name could read as another
      // road or as the truth's own community, and change the right answer.)
      std::u32string& name = rng.chance(0.7) || community.empty() ? road : community;
      const std::u32string before = name;
      typo(name, rng);
      if (name != before) kinds |= noiseBit(NoiseKind::kTypo);
    }
    if (rng.chance(0.2)) {
      const std::u32string before = roomText + community;
      if (!roomText.empty()) roomText.back() = U'室';
      if (community.size() > 2 && community.substr(community.size() - 2) == U"社区") {
        community = community.substr(0, community.size() - 2) + U"居委会";
      }
      if (roomText + community != before) kinds |= noiseBit(NoiseKind::kSynonyms);
    }
    std::vector<std::u32string> parts;
    const bool swapped = rng.chance(0.15);
    if (swapped) {
      kinds |= noiseBit(NoiseKind::kSwapped);
      // Road and number first, the admin levels after ("卫国路81号 石湾镇街道澜石社区").
      parts = {road, door, unit, roomText, pre, community, town};
    } else {
      parts = {pre, town, community, road, door, unit, roomText};
    }
    const bool blanks = rng.chance(0.2);
    if (blanks) kinds |= noiseBit(NoiseKind::kBlanks);
    std::u32string text;
    for (const auto& part : parts) {
      if (part.empty()) continue;
      if (blanks && !text.empty()) text.push_back(U' ');
      text += part;
    }
    if (rng.chance(0.1)) {
      kinds |= noiseBit(NoiseKind::kDirection);
      static constexpr std::u32string_view kPhrases[] = {U"东北方向50米", U"西侧约100米",
                                                         U"南200米"};
      text += kPhrases[rng.below(3)];
    }
    if (rng.chance(0.3)) {
      kinds |= noiseBit(NoiseKind::kNoise);
      static constexpr std::u32string_view kNoise[] = {U"(电联)", U"（放门口）", U" 13812345678",
                                                       U",放快递柜谢谢", U"【电话0757-82345678】"};
      if (rng.chance(0.2)) {
        text = U"收货地址:" + text;
      } else {
        text += kNoise[rng.below(5)];
      }
    }
    if (rng.chance(0.2)) {
      kinds |= noiseBit(NoiseKind::kTraditional);
      for (char32_t& c : text) c = traditionalOf(c);
    }
    if (rng.chance(0.2)) {
      kinds |= noiseBit(NoiseKind::kFullWidth);
      for (char32_t& c : text) {
        if (c >= '0' && c <= '9') c = c - '0' + 0xFF10;
      }
    }
    std::string written = encodeUtf8(text);
    // Every standard variant is noisy in at least one way.
    if (cls == VariantClass::kStandard &&
        (kinds == 0 || written == reg.district().addresses().fullText[truth]))
      continue;
    out.push_back({std::move(written), truth, kinds, cls});
  }
  return out;
}

namespace {

// Field `k` of a divisions CSV line (quoted or not; no quotes inside).
std::string field(const std::string& line, std::size_t k) {
  std::size_t from = 0;
  for (std::size_t i = 0; i < k; ++i) {
    from = line.find(',', from);
    if (from == std::string::npos) return {};
    ++from;
  }
  std::size_t to = line.find(',', from);
  std::string f = line.substr(from, to == std::string::npos ? std::string::npos : to - from);
  if (f.size() >= 2 && f.front() == '"' && f.back() == '"') f = f.substr(1, f.size() - 2);
  return f;
}

core::Result<std::vector<std::vector<std::string>>> readCsv(const std::string& path) {
  std::ifstream in(path);
  if (!in) return core::makeError(core::ErrorCode::kIo, "cannot open the divisions file", path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::size_t lineNo = 0;
  while (std::getline(in, line)) {
    if (++lineNo == 1) continue;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> row;
    for (std::size_t k = 0; k < 4; ++k) row.push_back(field(line, k));
    if (row[0].empty() || row[1].empty()) {
      return core::makeError(core::ErrorCode::kParse, "expected code,name,...",
                             path + ":" + std::to_string(lineNo));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

core::Result<std::vector<std::string>> foreignPrefixes(const Registry& registry,
                                                       const std::string& dir) {
  auto provinces = readCsv(dir + "/provinces.csv");
  if (!provinces) return provinces.takeError();
  auto cities = readCsv(dir + "/cities.csv");
  if (!cities) return cities.takeError();
  auto areas = readCsv(dir + "/areas.csv");
  if (!areas) return areas.takeError();
  std::map<std::string, std::string> provName, cityName;
  for (const auto& p : *provinces) provName[p[0]] = p[1];
  for (const auto& c : *cities) cityName[c[0]] = c[1];
  // 北京市 + 市辖区 + 海淀区 → 北京市海淀区; 广东省 + 佛山市 + 南海区.
  auto prefixOf = [&](const std::vector<std::string>& area) {
    const std::string& prov = provName[area[3]];
    const std::string& city = cityName[area[2]];
    const bool noCity =
        city == "市辖区" || city == "县" || city == prov || city.find("直辖") != std::string::npos;
    return prov + (noCity ? "" : city) + area[1];
  };
  std::vector<std::string> sameCity, others;
  std::string ownCity;
  for (const auto& a : *areas) {
    if (prefixOf(a) == registry.prefix()) ownCity = a[2];
  }
  std::map<std::string, bool> cityTaken;
  for (const auto& a : *areas) {
    const std::string p = prefixOf(a);
    if (p == registry.prefix() || a[1] == "市辖区") continue;
    if (a[2] == ownCity) {
      sameCity.push_back(p);
    } else if (!cityTaken[a[2]]) {
      cityTaken[a[2]] = true;
      others.push_back(p);
    }
  }
  // As many of the same city's districts as of the rest of the country: the
  // likeliest mix-up weighs half.
  std::vector<std::string> out;
  for (std::size_t k = 0; k < others.size(); ++k) {
    out.push_back(others[k]);
    if (!sameCity.empty()) out.push_back(sameCity[k % sameCity.size()]);
  }
  return out;
}

VariantVerdict judgeVariant(const Registry& registry, const NoisyVariant& v, const MatchResult& m) {
  const bool answered = m.status == MatchStatus::kMatched || m.status == MatchStatus::kPartial;
  switch (v.cls) {
    case VariantClass::kStandard: {
      const bool matched = m.status == MatchStatus::kMatched;
      const bool right = matched && m.address == static_cast<std::int64_t>(v.truth);
      return {right, matched && !right};
    }
    case VariantClass::kForeign:
      return {m.status == MatchStatus::kUnmatched && !m.conflicts.empty(), answered};
    case VariantClass::kWrongLevel: {
      const std::uint32_t door = registry.entry(v.truth).doorplate;
      bool listed = false;
      for (const auto& c : m.candidates) listed = listed || c.address == door;
      const bool right = m.status == MatchStatus::kAmbiguous && listed && !m.conflicts.empty();
      return {right, answered && m.conflicts.empty()};
    }
  }
  return {};
}

}  // namespace gridtwin::address
