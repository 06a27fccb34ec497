#include "address/matcher.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "address/text.h"

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
    : m_registry(std::move(registry)), m_parser(std::move(parser)) {}

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
  // community.
  {
    auto parsed = m_parser->parseRulesOnly(text, context);
    if (!parsed.ok()) return parsed.takeError();
    MatchResult out;
    out.parsed = std::move(*parsed);
    if (matchParsed(out, false)) return out;
  }
  auto parsed = m_parser->parse(text, context);
  if (!parsed.ok()) return parsed.takeError();
  MatchResult out;
  out.parsed = std::move(*parsed);
  matchParsed(out, true);
  return out;
}

bool Matcher::matchParsed(MatchResult& out, bool final) const {
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
  auto scoreDoors = [&] {
    doors.clear();
    for (const auto& r : roads) {
      const std::int64_t d = reg.doorplate(r.road, static_cast<std::uint32_t>(number));
      if (d < 0) continue;
      const RegistryEntry& e = reg.entry(static_cast<std::size_t>(d));
      double penalty = 0.15 * static_cast<double>(r.distance);
      bool conflict = false, townConflict = false;
      if (!communities.empty() &&
          std::find(communities.begin(), communities.end(), e.community) == communities.end()) {
        penalty += 0.2;
        conflict = true;
      }
      if (!towns.empty() && std::find(towns.begin(), towns.end(), e.town) == towns.end()) {
        penalty += 0.1;
        conflict = true;
        townConflict = true;
      }
      doors.push_back(
          {static_cast<std::uint32_t>(d), penalty, r.distance > 0, conflict, townConflict});
    }
    std::sort(doors.begin(), doors.end(),
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
  const bool tie = doors.size() > 1 && doors[1].penalty - doors[0].penalty < 0.1;
  // A door plate that contradicts the town or community given is no match:
  // the road was misread, or the writer's admin levels are wrong; either
  // way the caller decides, with the candidates.
  if (tie || doors[0].conflict) {
    out.status = MatchStatus::kAmbiguous;
    for (const auto& d : doors) {
      if (out.candidates.size() >= kMaxCandidates) break;
      out.candidates.push_back({d.doorplate, std::max(0.05, 1.0 - d.penalty)});
    }
    notes.push_back(tie ? std::to_string(doors.size()) + " door plates fit equally"
                        : "the door plate is not in the town or community given");
    out.confidence = out.candidates.front().confidence;
    for (const auto& n : notes) out.reason += (out.reason.empty() ? "" : "; ") + n;
    return final;
  }
  const Scored& best = doors[0];
  const RegistryEntry& door = reg.entry(best.doorplate);
  if (best.conflict) {
    if (!communities.empty() &&
        std::find(communities.begin(), communities.end(), door.community) == communities.end()) {
      notes.push_back("community given as '" + utf8(reg.communityNames()[communities[0]]) +
                      "', registry says '" + utf8(reg.communityNames()[door.community]) + "'");
    }
    if (!towns.empty() && std::find(towns.begin(), towns.end(), door.town) == towns.end()) {
      notes.push_back("town given as '" + utf8(reg.townNames()[towns[0]]) + "', registry says '" +
                      utf8(reg.townNames()[door.town]) + "'");
    }
  }
  double confidence = std::max(0.05, 1.0 - best.penalty);
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
      confidence *= 0.9;
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

Geocoder::Geocoder(std::shared_ptr<const Matcher> matcher) : m_matcher(std::move(matcher)) {
  const Registry& reg = m_matcher->registry();
  const auto& pts = reg.district().addresses().point.lonlat;
  double minLon = 1e9, minLat = 1e9, maxLon = -1e9, maxLat = -1e9;
  std::vector<std::uint32_t> doors;
  for (std::uint32_t i = 0; i < reg.size(); ++i) {
    if (reg.entry(i).isRoom || !std::isfinite(pts[i].x) || !std::isfinite(pts[i].y)) continue;
    doors.push_back(i);
    minLon = std::min(minLon, pts[i].x);
    minLat = std::min(minLat, pts[i].y);
    maxLon = std::max(maxLon, pts[i].x);
    maxLat = std::max(maxLat, pts[i].y);
  }
  if (doors.empty()) return;
  m_minLon = minLon;
  m_minLat = minLat;
  m_cols = static_cast<std::int64_t>((maxLon - minLon) / kCellDeg) + 1;
  m_rows = static_cast<std::int64_t>((maxLat - minLat) / kCellDeg) + 1;
  std::vector<std::uint32_t> counts(static_cast<std::size_t>(m_cols * m_rows) + 1, 0);
  auto cellOf = [&](std::uint32_t i) {
    const auto cx = static_cast<std::int64_t>((pts[i].x - m_minLon) / kCellDeg);
    const auto cy = static_cast<std::int64_t>((pts[i].y - m_minLat) / kCellDeg);
    return static_cast<std::size_t>(cy * m_cols + cx);
  };
  for (std::uint32_t i : doors) ++counts[cellOf(i) + 1];
  for (std::size_t k = 1; k < counts.size(); ++k) counts[k] += counts[k - 1];
  m_cellStart = counts;
  m_cellItems.resize(doors.size());
  for (std::uint32_t i : doors) m_cellItems[counts[cellOf(i)]++] = i;
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
  ReverseResult out;
  if (m_cellItems.empty()) return out;
  const auto& pts = m_matcher->registry().district().addresses().point.lonlat;
  const double kx = std::cos(lat * M_PI / 180.0) * 111320.0, ky = 110540.0;
  const auto cx = static_cast<std::int64_t>(std::floor((lon - m_minLon) / kCellDeg));
  const auto cy = static_cast<std::int64_t>(std::floor((lat - m_minLat) / kCellDeg));
  double best = std::numeric_limits<double>::infinity();
  // Rings of cells outward until the next ring cannot hold anything nearer.
  const std::int64_t maxRing =
      std::max(m_cols, m_rows) + std::max<std::int64_t>(std::llabs(cx), std::llabs(cy));
  for (std::int64_t ring = 0; ring <= maxRing; ++ring) {
    const double ringDist = (static_cast<double>(ring) - 1.0) * kCellDeg * std::min(kx, ky);
    if (ring > 0 && ringDist > best) break;
    for (std::int64_t y = cy - ring; y <= cy + ring; ++y) {
      for (std::int64_t x = cx - ring; x <= cx + ring; ++x) {
        if (std::max(std::llabs(x - cx), std::llabs(y - cy)) != ring) continue;
        if (x < 0 || y < 0 || x >= m_cols || y >= m_rows) continue;
        const auto c = static_cast<std::size_t>(y * m_cols + x);
        for (std::uint32_t k = m_cellStart[c]; k < m_cellStart[c + 1]; ++k) {
          const std::uint32_t i = m_cellItems[k];
          const double dx = (pts[i].x - lon) * kx, dy = (pts[i].y - lat) * ky;
          const double dist = std::sqrt(dx * dx + dy * dy);
          if (dist < best || (dist == best && static_cast<std::int64_t>(i) < out.address)) {
            best = dist;
            out.address = i;
          }
        }
      }
    }
  }
  out.distanceM = best;
  const auto& a = m_matcher->registry().district().addresses();
  const auto i = static_cast<std::size_t>(out.address);
  out.code = a.code[i];
  out.standardText = a.fullText[i];
  out.gridCode = m_matcher->registry().district().grids().code[a.grid[i]];
  return out;
}

}  // namespace gridtwin::address
