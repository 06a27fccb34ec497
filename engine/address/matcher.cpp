#include "address/matcher.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <mutex>

#include "address/text.h"
#include "crs/transformer.h"
#include "index/entity_index.h"

namespace gridtwin::address {
namespace {

using core::ErrorCode;
using core::makeError;

std::u32string u32(const std::string& s) {
  auto d = decodeUtf8(s);
  return d.ok() ? std::move(*d) : std::u32string();
}

struct RoadCandidate {
  std::uint32_t road;
  double distance;
  std::u32string written;
};

void addRoad(std::vector<RoadCandidate>& out, std::uint32_t road, double distance,
             std::u32string written) {
  for (auto& c : out) {
    if (c.road == road) {
      c.distance = std::min(c.distance, distance);
      return;
    }
  }
  out.push_back({road, distance, std::move(written)});
}

// Edit distance, except that a doubled character ("湖湖") whose removal
// gives the name costs half an edit: a double key press or a double IME
// pick is the commonest slip and says nothing about which name was meant.
double typoDistance(std::u32string_view written, std::u32string_view name, std::size_t limit) {
  const std::size_t d = editDistance(written, name, limit);
  if (d == 1 && written.size() == name.size() + 1) {
    for (std::size_t k = 1; k < written.size(); ++k) {
      if (written[k] != written[k - 1]) continue;
      std::u32string shorter(written);
      shorter.erase(k, 1);
      if (shorter == name) return 0.5;
    }
  }
  return static_cast<double>(d);
}

// Closest registry names to `name` within the fuzzy limit; all tied ones.
template <class Names>
std::vector<std::pair<std::uint32_t, double>> fuzzyNames(
    const Names& names, std::u32string_view name,
    const std::vector<std::uint32_t>* only = nullptr) {
  std::vector<std::pair<std::uint32_t, double>> best;
  if (name.size() < 2) return best;
  const std::size_t limit = name.size() <= 4 ? 1 : 2;
  double bestD = static_cast<double>(limit) + 0.5;
  const std::size_t count = only != nullptr ? only->size() : names.size();
  for (std::uint32_t j = 0; j < count; ++j) {
    const std::uint32_t k = only != nullptr ? (*only)[j] : j;
    const double d = typoDistance(name, names[k], limit);
    if (d > static_cast<double>(limit) || d > bestD) continue;
    if (d < bestD) {
      best.clear();
      bestD = d;
    }
    best.emplace_back(k, d);
  }
  return best;
}

std::string utf8(std::u32string_view s) { return encodeUtf8(s); }

// Scoring: a door plate's penalty, subtracted from a confidence of 1.
// Tuned on the noisy-variant evaluation (tests/unit/address, the address
// bench); each value keeps the order the reasons below need.
//  - One edit in the road name: one misspelt character of a 3–6 character
//    name leaves 0.85, two (the most the fuzzy search allows) 0.70.
constexpr double kEditPenalty = 0.15;
//  - A community given that the door plate is not in: the finest level
//    written, so it weighs more than a town and more than one road edit (a
//    one-edit road in the community given is worth more than an exact road
//    outside it).
constexpr double kCommunityConflictPenalty = 0.2;
//  - A town given that the door plate is not in: coarser (towns were merged
//    and renamed: 石湾镇 → 石湾镇街道), so half a community's weight.
constexpr double kTownConflictPenalty = 0.1;
// Door plates whose penalties differ by less than one town conflict are not
// told apart (kAmbiguous): the same road and number in two towns is decided
// by a stated town (exactly kTownConflictPenalty apart) and ambiguous without.
constexpr double kTieMargin = kTownConflictPenalty;
// The lowest confidence reported: a candidate, however poor, is never 0 (0
// is "no answer").
constexpr double kMinConfidence = 0.05;
// A door plate matched where the room given is missing or not registered
// (kPartial): the place is right to the building, the dwelling unknown.
constexpr double kNoRoomFactor = 0.9;

}  // namespace

std::string_view matchStatusName(MatchStatus s) {
  switch (s) {
    case MatchStatus::kMatched:
      return "matched";
    case MatchStatus::kPartial:
      return "partial";
    case MatchStatus::kAmbiguous:
      return "ambiguous";
    case MatchStatus::kUnmatched:
      return "unmatched";
  }
  return "unmatched";
}

Matcher::Matcher(std::shared_ptr<const Registry> registry, std::shared_ptr<const Parser> parser)
    : m_registry(std::move(registry)), m_parser(std::move(parser)) {
  // 广东省佛山市禅城区 → its three levels (Registry::build checks the prefix).
  const std::string& pre = m_registry->prefix();
  std::size_t from = 0;
  for (auto [mark, name] : {std::pair<std::string_view, std::string*>{"省", &m_ownProv},
                            {"市", &m_ownCity},
                            {"区", &m_ownDistrict}}) {
    const std::size_t at = pre.find(mark, from);
    if (at == std::string::npos) continue;
    *name = pre.substr(from, at + mark.size() - from);
    from = at + mark.size();
  }
}

namespace {

// A division name written in full ("海淀区", "桂城街道"), not its short form
// ("海淀"): a short form alone is too often a piece of something else (a
// road 朝阳路, a shop 北京烤鸭) to overrule the registry.
bool fullDivisionName(std::u32string_view n) {
  static constexpr std::u32string_view kEnds[] = {U"省", U"市",   U"区",   U"县", U"旗", U"盟",
                                                  U"州", U"地区", U"街道", U"镇", U"乡"};
  for (auto e : kEnds) {
    if (n.size() > e.size() && n.substr(n.size() - e.size()) == e) return true;
  }
  return false;
}

constexpr ComponentMask kUpperLevels =
    bit(Component::kProv) | bit(Component::kCity) | bit(Component::kDistrict);

}  // namespace

std::vector<LevelConflict> Matcher::statedDivisions(const std::u32string& t) const {
  std::vector<LevelConflict> out;
  const Gazetteer& own = m_registry->gazetteer();  // registry names + its own upper levels
  const Gazetteer& all = m_parser->gazetteer();    // + the national divisions
  constexpr ComponentMask kLevels = kUpperLevels | bit(Component::kTown);
  // The longest division at `at` longer than any registry name there (the
  // registry's own levels are registry names of the same length), or 0.
  auto divisionAt = [&](std::size_t at, ComponentMask& mask) {
    std::size_t ownLen = 0, divLen = 0;
    own.forEachMatch(t, at, [&](std::size_t len, ComponentMask) { ownLen = len; });
    all.forEachMatch(t, at, [&](std::size_t len, ComponentMask m) {
      if ((m & kLevels) != 0) {
        divLen = len;
        mask = m;
      }
    });
    return divLen > ownLen ? divLen : 0;
  };
  // Stated: written in full, or a short form right before a stated division
  // ("北京海淀区", "浙江杭州西湖区"); see fullDivisionName. Three short forms
  // in a row is the most a real address has.
  auto statedAt = [&](std::size_t at, ComponentMask& mask) {
    std::size_t len = divisionAt(at, mask);
    std::size_t next = at;
    for (int depth = 0; len > 0 && depth < 3; ++depth) {
      ComponentMask m = 0;
      const std::size_t l = next == at ? len : divisionAt(next, m);
      if (l == 0) return std::size_t{0};
      if (fullDivisionName(std::u32string_view(t).substr(next, l))) return len;
      next += l;
    }
    return std::size_t{0};
  };
  std::size_t i = 0;
  while (i < t.size()) {
    ComponentMask divMask = 0;
    const std::size_t divLen = statedAt(i, divMask);
    if (divLen == 0) {
      std::size_t ownLen = 0;
      own.forEachMatch(t, i, [&](std::size_t len, ComponentMask) { ownLen = len; });
      i += ownLen > 0 ? ownLen : 1;
      continue;
    }
    const Component level = (divMask & bit(Component::kProv))       ? Component::kProv
                            : (divMask & bit(Component::kCity))     ? Component::kCity
                            : (divMask & bit(Component::kDistrict)) ? Component::kDistrict
                                                                    : Component::kTown;
    const std::string registry = level == Component::kProv       ? m_ownProv
                                 : level == Component::kCity     ? m_ownCity
                                 : level == Component::kDistrict ? m_ownDistrict
                                                                 : std::string();
    out.push_back({level, utf8(std::u32string_view(t).substr(i, divLen)), registry});
    i += divLen;
  }
  return out;
}

std::shared_ptr<const Parser> makeRegistryParser(const Registry& registry,
                                                 const Gazetteer& divisions,
                                                 std::shared_ptr<const Tagger> tagger) {
  // The tagger learned gazetteer features from the divisions only; registry
  // names add town/community/road marks where the divisions have none.
  auto gaz = std::make_shared<Gazetteer>(divisions);
  for (const auto& n : registry.townNames()) gaz->add(n, Component::kTown);
  for (const auto& n : registry.communityNames()) gaz->add(n, Component::kCommunity);
  for (const auto& n : registry.roadNames()) gaz->add(n, Component::kRoad);
  return std::make_shared<const Parser>(std::move(gaz), std::move(tagger));
}

core::Result<MatchResult> Matcher::match(std::string_view text, std::string_view context) const {
  // Fast pass: the rules and the registry scan alone settle most addresses;
  // when they find no road, no door plate, or several, the text is parsed
  // again with the tagger, whose spans may name a misspelt road, town or
  // community. The divisions named are read once, from the first parse's
  // clean text (the tagger does not change it).
  std::vector<LevelConflict> stated;
  {
    auto parsed = m_parser->parseRulesOnly(text, context);
    if (!parsed.ok()) return parsed.takeError();
    MatchResult out;
    out.parsed = std::move(*parsed);
    stated = statedDivisions(out.parsed.clean);
    if (matchParsed(out, stated, false)) return refuseForeign(std::move(out), stated);
  }
  auto parsed = m_parser->parse(text, context);
  if (!parsed.ok()) return parsed.takeError();
  MatchResult out;
  out.parsed = std::move(*parsed);
  matchParsed(out, stated, true);
  return refuseForeign(std::move(out), stated);
}

MatchResult Matcher::refuseForeign(MatchResult out,
                                   const std::vector<LevelConflict>& stated) const {
  std::string given;
  std::vector<LevelConflict> upper;
  for (const auto& c : stated) {
    if (c.level == Component::kTown) continue;
    upper.push_back(c);
    given += c.given;
  }
  if (upper.empty()) return out;
  // The rest of the address may well fit a door plate here (简村朝东中路
  // exists in several districts): said, never answered.
  std::string rest;
  if (out.address >= 0) {
    rest = "; here the rest would read as " +
           std::string(m_registry->district().addresses().fullText[static_cast<std::size_t>(
               m_registry->entry(static_cast<std::size_t>(out.address)).doorplate)]);
  } else if (!out.candidates.empty()) {
    rest = "; here the rest would fit " + std::to_string(out.candidates.size()) + " door plate" +
           (out.candidates.size() == 1 ? "" : "s");
  }
  out.status = MatchStatus::kUnmatched;
  out.address = -1;
  out.confidence = 0;
  out.candidates.clear();
  out.reason =
      "the address is in " + given + ", not in this registry's " + m_registry->prefix() + rest;
  out.conflicts.insert(out.conflicts.begin(), upper.begin(), upper.end());
  return out;
}

bool Matcher::matchParsed(MatchResult& out, const std::vector<LevelConflict>& stated,
                          bool final) const {
  const ParsedAddress& p = out.parsed;
  const Registry& reg = *m_registry;
  std::vector<std::string> notes;

  // Scan the clean text: registry names (longest first, any kind), numbers
  // with their suffix, and runs of characters nothing explains.
  const std::u32string& text32 = p.clean;
  const std::u32string& t = text32;
  const Gazetteer& gaz = reg.gazetteer();
  std::vector<RoadCandidate> roads;
  std::vector<std::u32string> communityTexts, townTexts;
  std::int64_t number = -1, unit = -1, room = -1;
  bool floorOnly = false;
  std::size_t lastEnd = 0;  // end of the last explained token
  // Start of the last town/community token when it ends at lastEnd: such a
  // token may really be the head of a misspelt road ("南庄大大巷": 南庄 is a
  // town alias, the road is 南庄大巷).
  std::size_t aliasStart = std::u32string::npos;
  bool roadBeforeNumber = false;  // a road or road-like run precedes the current number
  std::size_t pendingRoadEnd = std::u32string::npos;
  std::size_t i = 0;
  auto isDigitAt = [&](std::size_t k) { return k < t.size() && t[k] >= '0' && t[k] <= '9'; };
  struct Run {
    std::size_t from, b,
        e;  // [b, e) unexplained before a door number; from <= b: an alias before it
  };
  std::vector<Run> unexplainedRuns;
  while (i < t.size()) {
    std::size_t bestLen = 0;
    ComponentMask bestMask = 0;
    gaz.forEachMatch(t, i, [&](std::size_t len, ComponentMask m) {
      bestLen = len;
      bestMask = m;
    });
    if (bestLen > 0) {
      const std::u32string name = t.substr(i, bestLen);
      if (bestMask & bit(Component::kRoad)) {
        // Characters just before the name that nothing explains may be the
        // start of a misspelt longer name ("西边边六街" holds "边六街").
        const std::size_t extra = i - lastEnd;
        const std::int64_t r = reg.road(name);
        if (extra == 0 || extra > 3) {
          addRoad(roads, static_cast<std::uint32_t>(r), 0, name);
        } else {
          const std::u32string written = t.substr(lastEnd, i + bestLen - lastEnd);
          addRoad(roads, static_cast<std::uint32_t>(r), static_cast<double>(extra), written);
          const auto near = reg.roadsNear(written);
          for (auto [k, d] : fuzzyNames(reg.roadNames(), written, &near))
            addRoad(roads, k, d, written);
        }
        roadBeforeNumber = true;
        pendingRoadEnd = i + bestLen;
      } else if (bestMask & bit(Component::kCommunity)) {
        communityTexts.push_back(name);
      } else if (bestMask & bit(Component::kTown)) {
        townTexts.push_back(name);
      }
      aliasStart = (bestMask & (bit(Component::kCommunity) | bit(Component::kTown)))
                       ? i
                       : std::u32string::npos;
      i += bestLen;
      lastEnd = i;
      continue;
    }
    if (isDigitAt(i)) {
      std::size_t e = i;
      std::int64_t n = 0;
      while (isDigitAt(e) && e - i < 9) n = n * 10 + (t[e++] - '0');
      while (isDigitAt(e)) ++e;
      const char32_t suffix = e < t.size() ? t[e] : 0;
      const bool afterRoad = pendingRoadEnd == i;
      if (number < 0 && (suffix == U'号' || afterRoad)) {
        if (!roadBeforeNumber) {
          const bool aliasBefore = aliasStart != std::u32string::npos && lastEnd < i;
          unexplainedRuns.push_back({aliasBefore ? aliasStart : lastEnd, lastEnd, i});
        }
        number = n;
        e += suffix == U'号' ? 1 : 0;
      } else if (suffix == U'单' && e + 1 < t.size() && t[e + 1] == U'元') {
        unit = n;
        e += 2;
      } else if (suffix == U'房' || suffix == U'室') {
        room = n;
        ++e;
      } else if (suffix == U'层' || suffix == U'楼') {
        floorOnly = true;
        ++e;
      } else if (suffix == '-' && number >= 0 && unit < 0 && isDigitAt(e + 1)) {
        unit = n;  // "81号2-301": unit 2, room 301
        ++e;
      } else if (number >= 0 && room < 0 && (suffix == 0 || suffix == '-')) {
        room = n;  // a bare number after the door number
      }
      pendingRoadEnd = std::u32string::npos;
      aliasStart = std::u32string::npos;
      i = e;
      lastEnd = i;
      continue;
    }
    ++i;
  }
  if (room >= 0) floorOnly = false;
  // No registry road name: fuzzy on the run before the door number, then on
  // what the tagger called a road.
  if (roads.empty()) {
    // Tails of the run: a tail that leaves characters unexplained costs one
    // edit per character left ("沙岗岗南路": 沙岗南路 beats 岭南路 from "岗南路").
    double bestCost = 3;
    auto consider = [&](const std::u32string& g, double extra) {
      const auto near = reg.roadsNear(g);
      for (auto [k, d] : fuzzyNames(reg.roadNames(), g, &near)) {
        const double cost = d + extra;
        if (cost > bestCost + 1e-9) continue;
        if (cost < bestCost - 1e-9) {
          roads.clear();
          bestCost = cost;
        }
        addRoad(roads, k, cost, g);
      }
    };
    for (const Run& run : unexplainedRuns) {
      for (std::size_t k = run.from; k + 1 < run.e && run.e - k <= 12; ++k) {
        consider(t.substr(k, run.e - k), k > run.b ? static_cast<double>(k - run.b) : 0.0);
      }
    }
    if (roads.empty()) {
      for (const auto& s : p.spans) {
        if (s.component == Component::kRoad || s.component == Component::kSubroad) {
          consider(normalizeValue(s.component, u32(s.value)), 0);
        }
      }
    }
  }
  for (const auto& r : roads) {
    if (r.distance == 0) continue;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", r.distance);
    notes.push_back("road '" + utf8(r.written) + "' read as '" + utf8(reg.roadNames()[r.road]) +
                    "' (" + buf + (r.distance == 1 ? " edit)" : " edits)"));
  }
  // Towns and communities the tagger found that the scan did not (misspelt ones).
  // Only where the scan found none, and never a piece of a road name read
  // ("罗格里": the tagger may call 罗格 a community).
  const bool scanCommunity = !communityTexts.empty(), scanTown = !townTexts.empty();
  for (const auto& s : p.spans) {
    if (s.component != Component::kCommunity && s.component != Component::kTown) continue;
    const std::u32string v = u32(s.value);
    bool insideRoad = false;
    for (const auto& r : roads) {
      insideRoad = insideRoad || r.written.find(v) != std::u32string::npos ||
                   reg.roadNames()[r.road].find(v) != std::u32string::npos;
    }
    if (insideRoad) continue;
    if (s.component == Component::kCommunity && !scanCommunity) communityTexts.push_back(v);
    if (s.component == Component::kTown && !scanTown) townTexts.push_back(v);
  }
  if (roads.empty()) {
    out.reason = "no registry road in the address";
    return final;
  }
  if (number < 0) {
    out.reason = "no door number after the road";
    return true;  // the tagger finds no numbers the scan missed
  }
  // Towns and communities given: exact or alias (all that bear the name),
  // else the single name one edit away.
  auto resolve = [&](const std::vector<std::u32string>& texts, auto lookup, const auto& names) {
    std::vector<std::uint32_t> ids;
    for (const auto& name : texts) {
      const std::vector<std::uint32_t> found = lookup(name);
      if (!found.empty()) {
        ids.insert(ids.end(), found.begin(), found.end());
        continue;
      }
      const auto fuzzy = fuzzyNames(names, name);
      if (fuzzy.size() == 1) ids.push_back(fuzzy[0].first);
    }
    return ids;
  };
  const auto communities = resolve(
      communityTexts, [&](std::u32string_view n) { return reg.communitiesNamed(n); },
      reg.communityNames());
  const auto towns = resolve(
      townTexts,
      [&](std::u32string_view n) {
        const std::int64_t id = reg.town(n);
        return id < 0 ? std::vector<std::uint32_t>{}
                      : std::vector<std::uint32_t>{static_cast<std::uint32_t>(id)};
      },
      reg.townNames());

  struct Scored {
    std::uint32_t doorplate;
    double penalty;
    bool fuzzyRoad;
    bool conflict;
    bool townConflict;
  };
  std::vector<Scored> doors;
  // Stated towns of the national list that are not the registry's
  // ("桂城街道" is in 南海区): every door plate contradicts them.
  std::vector<std::string> foreignTowns;
  for (const auto& c : stated) {
    if (c.level == Component::kTown) foreignTowns.push_back(c.given);
  }
  const bool townGiven = !towns.empty() || !foreignTowns.empty();
  auto scoreDoors = [&] {
    doors.clear();
    for (const auto& r : roads) {
      for (const std::uint32_t d : reg.doorplates(r.road, static_cast<std::uint32_t>(number))) {
        const RegistryEntry& e = reg.entry(d);
        double penalty = kEditPenalty * r.distance;
        bool conflict = false, townConflict = false;
        if (!communities.empty() &&
            std::find(communities.begin(), communities.end(), e.community) == communities.end()) {
          penalty += kCommunityConflictPenalty;
          conflict = true;
        }
        if (townGiven && std::find(towns.begin(), towns.end(), e.town) == towns.end()) {
          penalty += kTownConflictPenalty;
          conflict = true;
          townConflict = true;
        }
        doors.push_back({d, penalty, r.distance > 0, conflict, townConflict});
      }
    }
    std::stable_sort(doors.begin(), doors.end(),
                     [](const Scored& a, const Scored& b) { return a.penalty < b.penalty; });
  };
  scoreDoors();
  // A road read exactly but without that door plate, or with one elsewhere
  // than the town/community given, may be a longer name that lost a
  // character ("同济巷" for 同济七巷): its one-insertion neighbours compete.
  if (doors.empty() || doors[0].conflict) {
    const std::size_t before = roads.size();
    for (std::size_t k = 0; k < before; ++k) {
      if (roads[k].distance != 0) continue;
      const std::u32string name = reg.roadNames()[roads[k].road];
      for (std::uint32_t n : reg.roadsNear(name)) {
        const auto& other = reg.roadNames()[n];
        if (other.size() == name.size() + 1 && editDistance(name, other, 1) == 1)
          addRoad(roads, n, 1.0, name);
      }
    }
    if (roads.size() > before) {
      for (std::size_t k = before; k < roads.size(); ++k) {
        notes.push_back("road '" + utf8(roads[k].written) + "' may be '" +
                        utf8(reg.roadNames()[roads[k].road]) + "'");
      }
      scoreDoors();
    }
  }
  if (doors.empty()) {
    out.reason = "no door plate " + std::to_string(number) + "号 on " +
                 utf8(reg.roadNames()[roads[0].road]) +
                 (roads.size() > 1 ? " or the other roads read" : "");
    return final;
  }
  // Penalties closer than kTieMargin do not tell door plates apart (the
  // 1e-9 absorbs the rounding of sums such as 0.15 + 0.1).
  const bool tie = doors.size() > 1 && doors[1].penalty - doors[0].penalty < kTieMargin - 1e-9;
  // The levels given that the best door plate contradicts, named.
  if (doors[0].conflict) {
    const RegistryEntry& e = reg.entry(doors[0].doorplate);
    if (!communities.empty() &&
        std::find(communities.begin(), communities.end(), e.community) == communities.end()) {
      const std::string given = utf8(reg.communityNames()[communities[0]]);
      const std::string registry = utf8(reg.communityNames()[e.community]);
      out.conflicts.push_back({Component::kCommunity, given, registry});
      notes.push_back("community given as '" + given + "', the door plate's is '" + registry + "'");
    }
    if (doors[0].townConflict) {
      const std::string given =
          !towns.empty() ? utf8(reg.townNames()[towns[0]]) : foreignTowns.front();
      const std::string registry = utf8(reg.townNames()[e.town]);
      out.conflicts.push_back({Component::kTown, given, registry});
      notes.push_back("town given as '" + given + "'" +
                      (towns.empty() ? " (not a town of this district)" : "") +
                      ", the door plate's is '" + registry + "'");
    }
  }
  // A door plate that contradicts the town or community given is no match:
  // the road was misread, or the writer's admin levels are wrong; either
  // way the caller decides, with the candidates.
  if (tie || doors[0].conflict) {
    out.status = MatchStatus::kAmbiguous;
    for (const auto& d : doors) {
      if (out.candidates.size() >= kMaxCandidates) break;
      out.candidates.push_back({d.doorplate, std::max(kMinConfidence, 1.0 - d.penalty)});
    }
    if (tie) notes.push_back(std::to_string(doors.size()) + " door plates fit equally");
    out.confidence = out.candidates.front().confidence;
    for (const auto& n : notes) out.reason += (out.reason.empty() ? "" : "; ") + n;
    return final;
  }
  const Scored& best = doors[0];
  double confidence = std::max(kMinConfidence, 1.0 - best.penalty);
  std::int64_t result = best.doorplate;
  MatchStatus status = MatchStatus::kMatched;
  if (floorOnly && room < 0) {
    status = MatchStatus::kPartial;
    notes.push_back("a floor but no room: the door plate");
  }
  if (unit >= 0 || room >= 0) {
    std::vector<std::uint32_t> fits;
    for (std::uint32_t a : reg.rooms(best.doorplate)) {
      const RegistryEntry& e = reg.entry(a);
      if (room >= 0 && e.room != static_cast<std::uint32_t>(room)) continue;
      if (unit >= 0 && !(e.unit == unit || (e.unit == 0 && unit == 1))) continue;
      fits.push_back(a);
    }
    if (room < 0 || fits.empty()) {
      status = MatchStatus::kPartial;
      confidence *= kNoRoomFactor;
      notes.push_back(room < 0 ? "no room number: the door plate"
                               : "room not registered at this door plate");
    } else if (fits.size() > 1) {
      out.status = MatchStatus::kAmbiguous;
      for (std::uint32_t a : fits) {
        if (out.candidates.size() < kMaxCandidates) out.candidates.push_back({a, confidence});
      }
      notes.push_back(std::to_string(fits.size()) + " rooms fit (the unit is missing)");
      out.confidence = confidence;
      for (const auto& n : notes) out.reason += (out.reason.empty() ? "" : "; ") + n;
      return final;
    } else {
      result = fits[0];
    }
  }
  if (townTexts.empty()) {
    notes.push_back("upper levels filled from the registry");
  }
  out.status = status;
  out.address = result;
  out.confidence = confidence;
  out.candidates.push_back({static_cast<std::uint32_t>(result), confidence});
  if (notes.empty()) notes.push_back("exact");
  for (const auto& n : notes) out.reason += (out.reason.empty() ? "" : "; ") + n;
  return true;  // the tagger adds nothing to a unique door plate
}

struct Geocoder::ReverseIndex {
  // Door plates only (rooms and points without coordinates are NaN, which
  // the index leaves out); rows are address rows.
  index::EntityIndex doors;
  core::Result<crs::Transformer> toMetric =
      core::makeError(ErrorCode::kTransformFailed, "not built");
  std::mutex lock;  // a Transformer serves one thread at a time (crs/README.md)
  // The door plates' lon/lat box, grown by kFarDeg: a point outside it is
  // farther than kReverseOutsideM from every door plate.
  double minLon = 0, minLat = 0, maxLon = 0, maxLat = 0;
  // 0.5°: at least 27 km of longitude below 60° of latitude (EPSG:4547 covers
  // China, 18–54°N) and 55 km of latitude, far beyond kReverseOutsideM; so the
  // far test never hides a door plate within it, and the points that pass it
  // are near the district, well inside the projection's domain.
  static constexpr double kFarDeg = 0.5;
};

Geocoder::Geocoder(std::shared_ptr<const Matcher> matcher)
    : m_matcher(std::move(matcher)), m_reverse(std::make_shared<ReverseIndex>()) {
  const Registry& reg = m_matcher->registry();
  const auto& pts = reg.district().addresses().point;
  std::vector<geo::Point> xy(reg.size(), model::missingPoint());
  double minLon = 1e9, minLat = 1e9, maxLon = -1e9, maxLat = -1e9;
  for (std::uint32_t i = 0; i < reg.size(); ++i) {
    const geo::Point ll = pts.lonlat[i], p = pts.xy[i];
    if (reg.entry(i).isRoom || !std::isfinite(ll.x) || !std::isfinite(ll.y) ||
        !std::isfinite(p.x) || !std::isfinite(p.y))
      continue;
    xy[i] = pts.xy[i];
    minLon = std::min(minLon, pts.lonlat[i].x);
    minLat = std::min(minLat, pts.lonlat[i].y);
    maxLon = std::max(maxLon, pts.lonlat[i].x);
    maxLat = std::max(maxLat, pts.lonlat[i].y);
  }
  ReverseIndex& r = *m_reverse;
  r.minLon = minLon - ReverseIndex::kFarDeg;
  r.minLat = minLat - ReverseIndex::kFarDeg;
  r.maxLon = maxLon + ReverseIndex::kFarDeg;
  r.maxLat = maxLat + ReverseIndex::kFarDeg;
  // Only a registry over 2^32 - 1 rows fails; the registry's rows are uint32.
  if (auto built = index::EntityIndex::build(xy); built.ok()) r.doors = std::move(*built);
  r.toMetric = crs::Transformer::create(crs::kCgcs2000, crs::kGaussKruger114);
}

void Geocoder::describe(std::int64_t address, GeocodeResult& out) const {
  if (address < 0) return;
  const auto& d = m_matcher->registry().district();
  const auto i = static_cast<std::size_t>(address);
  const auto& a = d.addresses();
  out.code = a.code[i];
  out.standardText = a.fullText[i];
  out.lon = a.point.lonlat[i].x;
  out.lat = a.point.lonlat[i].y;
  out.buildingId = d.buildings().id[a.building[i]];
  const std::uint32_t grid = a.grid[i];
  out.gridCode = d.grids().code[grid];
  out.communityName = d.communities().name[d.communityOfGrid(grid)];
  out.streetName = d.streets().name[d.streetOfGrid(grid)];
}

core::Result<GeocodeResult> Geocoder::geocode(std::string_view text,
                                              std::string_view context) const {
  auto m = m_matcher->match(text, context);
  if (!m.ok()) return m.takeError();
  GeocodeResult out;
  out.match = std::move(*m);
  describe(out.match.address, out);
  return out;
}

core::Result<ReverseResult> Geocoder::reverse(double lon, double lat) const {
  if (!std::isfinite(lon) || !std::isfinite(lat)) {
    return makeError(ErrorCode::kNonFinite, "coordinates must be finite numbers");
  }
  auto number = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return std::string(buf);
  };
  const bool swapped = std::fabs(lat) <= 180 && std::fabs(lon) <= 90;
  const std::string hint =
      swapped ? " (lon,lat order: was " + number(lat) + "," + number(lon) + " meant?)" : "";
  if (std::fabs(lat) > 90) {
    return makeError(ErrorCode::kOutOfDomain,
                     "latitude " + number(lat) + " is outside -90..90 of EPSG:4490" + hint);
  }
  if (std::fabs(lon) > 180) {
    return makeError(ErrorCode::kOutOfDomain,
                     "longitude " + number(lon) + " is outside -180..180 of EPSG:4490");
  }
  ReverseResult out;
  const ReverseIndex& r = *m_reverse;
  out.outside = true;
  if (r.doors.size() == 0 || lon < r.minLon || lon > r.maxLon || lat < r.minLat || lat > r.maxLat) {
    return out;
  }
  geo::Point q;
  {
    std::lock_guard<std::mutex> guard(m_reverse->lock);
    if (!r.toMetric.ok()) return core::Error(r.toMetric.error());
    auto projected = r.toMetric->transform(geo::Point{lon, lat});
    if (!projected.ok()) return projected.takeError();
    q = *projected;
  }
  std::vector<index::EntityIndex::Neighbour> nearest;
  if (auto found = r.doors.nearest(q, 1, nearest); !found.ok()) return found.takeError();
  if (nearest.empty() || nearest[0].distance > kReverseOutsideM) return out;
  out.outside = false;
  out.address = nearest[0].row;
  out.distanceM = nearest[0].distance;
  const auto& a = m_matcher->registry().district().addresses();
  const auto i = static_cast<std::size_t>(out.address);
  out.code = a.code[i];
  out.standardText = a.fullText[i];
  out.gridCode = m_matcher->registry().district().grids().code[a.grid[i]];
  return out;
}

}  // namespace gridtwin::address
