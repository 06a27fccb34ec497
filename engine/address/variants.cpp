#include "address/variants.h"

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
  out.reserve(count);
  while (out.size() < count) {
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
    if (rng.chance(0.5)) {
      kinds |= noiseBit(NoiseKind::kMissingLevels);
      pre.clear();
      if (rng.chance(0.5)) town.clear();
      if (rng.chance(0.4)) community.clear();
    }
    if (rng.chance(0.2)) {
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
    // Every variant is noisy in at least one way.
    if (kinds == 0 || written == reg.district().addresses().fullText[truth]) continue;
    out.push_back({std::move(written), truth, kinds});
  }
  return out;
}

}  // namespace gridtwin::address
