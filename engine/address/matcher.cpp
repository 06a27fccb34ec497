#include "address/matcher.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "address/text.h"

namespace gridtwin::address {
namespace {

using core::ErrorCode;
using core::makeError;

// Leading Arabic digits of a normalized value ("81号" → 81), or -1.
std::int64_t leadingNumber(std::u32string_view v) {
  std::size_t i = 0;
  while (i < v.size() && !(v[i] >= '0' && v[i] <= '9')) {
    if (v[i] != U'第') return -1;
    ++i;
  }
  std::int64_t n = 0;
  std::size_t digits = 0;
  for (; i < v.size() && v[i] >= '0' && v[i] <= '9' && digits < 9; ++i, ++digits) n = n * 10 + (v[i] - '0');
  return digits == 0 ? -1 : n;
}

std::u32string u32(const std::string& s) {
  auto d = decodeUtf8(s);
  return d.ok() ? std::move(*d) : std::u32string();
}

struct RoadCandidate {
  std::uint32_t road;
  std::size_t distance;
  std::u32string written;
};

void addRoad(std::vector<RoadCandidate>& out, std::uint32_t road, std::size_t distance, std::u32string written) {
  for (auto& c : out) {
    if (c.road == road) {
      c.distance = std::min(c.distance, distance);
      return;
    }
  }
  out.push_back({road, distance, std::move(written)});
}

// Closest registry names to `name` within the fuzzy limit; all tied ones.
template <class Names>
std::vector<std::pair<std::uint32_t, std::size_t>> fuzzyNames(const Names& names, std::u32string_view name) {
  std::vector<std::pair<std::uint32_t, std::size_t>> best;
  if (name.size() < 2) return best;
  std::size_t limit = name.size() <= 4 ? 1 : 2;
  for (std::uint32_t k = 0; k < names.size(); ++k) {
    const std::size_t d = editDistance(name, names[k], limit);
    if (d > limit) continue;
    if (d < limit) {
      best.clear();
      limit = d;
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

std::shared_ptr<const Parser> makeRegistryParser(const Registry& registry, const Gazetteer& divisions,
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
  auto parsed = m_parser->parse(text, context);
  if (!parsed.ok()) return parsed.takeError();
  MatchResult out;
  out.parsed = std::move(*parsed);
  const ParsedAddress& p = out.parsed;
  const Registry& reg = *m_registry;
  std::vector<std::string> notes;

  // What the parse says.
  std::vector<RoadCandidate> roads;
  std::int64_t number = -1, unit = -1, room = -1;
  std::vector<std::u32string> communityTexts, townTexts, roadTexts;
  for (const auto& s : p.spans) {
    const std::u32string v = u32(s.value);
    switch (s.component) {
      case Component::kRoad:
      case Component::kSubroad:
        roadTexts.push_back(v);
        break;
      case Component::kRoadno:
        if (number < 0) number = leadingNumber(v);
        break;
      case Component::kSubroadno:
      case Component::kHouseno:
        if (number < 0 && !v.empty() && v.back() == U'号') number = leadingNumber(v);
        break;
      case Component::kCellno:
        unit = leadingNumber(v);
        break;
      case Component::kRoomno:
        room = leadingNumber(v);
        break;
      case Component::kCommunity:
        communityTexts.push_back(v);
        break;
      case Component::kTown:
        townTexts.push_back(v);
        break;
      default:
        break;
    }
  }
  // The registry's names in the normalized text, whatever the tagger said.
  const std::u32string norm = u32(p.normalized);
  const Gazetteer& gaz = reg.gazetteer();
  for (std::size_t i = 0; i < norm.size(); ++i) {
    std::size_t roadLen = 0, commLen = 0, townLen = 0;
    gaz.forEachMatch(norm, i, [&](std::size_t len, ComponentMask m) {
      if (m & bit(Component::kRoad)) roadLen = len;
      if (m & bit(Component::kCommunity)) commLen = len;
      if (m & bit(Component::kTown)) townLen = len;
    });
    if (townLen > 0) townTexts.push_back(norm.substr(i, townLen));
    if (commLen > 0) communityTexts.push_back(norm.substr(i, commLen));
    if (roadLen > 0) {
      const std::u32string name = norm.substr(i, roadLen);
      addRoad(roads, static_cast<std::uint32_t>(reg.road(name)), 0, name);
      if (number < 0) {
        const std::int64_t n = leadingNumber(std::u32string_view(norm).substr(i + roadLen));
        const std::size_t after = norm.find_first_not_of(U"0123456789", i + roadLen);
        if (n >= 0 && after != std::u32string::npos && norm[after] == U'号') number = n;
      }
      i += roadLen - 1;
    }
  }
  for (const auto& t : roadTexts) {
    const std::int64_t r = reg.road(t);
    if (r >= 0) addRoad(roads, static_cast<std::uint32_t>(r), 0, t);
  }
  if (roads.empty()) {
    for (const auto& t : roadTexts) {
      for (auto [k, d] : fuzzyNames(reg.roadNames(), t)) addRoad(roads, k, d, t);
    }
    for (const auto& r : roads) {
      notes.push_back("road '" + utf8(r.written) + "' read as '" + utf8(reg.roadNames()[r.road]) + "' (" +
                      std::to_string(r.distance) + " edit" + (r.distance == 1 ? "" : "s") + ")");
    }
  }
  if (roads.empty()) {
    out.reason = roadTexts.empty() ? "no road in the address" : "road '" + utf8(roadTexts[0]) + "' not in the registry";
    return out;
  }
  if (number < 0) {
    out.reason = "no door number after the road";
    return out;
  }
  // Towns and communities given (exact, alias, or one edit away).
  auto resolve = [&](const std::vector<std::u32string>& texts, auto lookup, const auto& names) {
    std::vector<std::uint32_t> ids;
    for (const auto& t : texts) {
      const std::int64_t id = lookup(t);
      if (id >= 0) {
        ids.push_back(static_cast<std::uint32_t>(id));
        continue;
      }
      const auto fuzzy = fuzzyNames(names, t);
      if (fuzzy.size() == 1) ids.push_back(fuzzy[0].first);
    }
    return ids;
  };
  const auto communities = resolve(communityTexts, [&](std::u32string_view t) { return reg.community(t); },
                                   reg.communityNames());
  const auto towns = resolve(townTexts, [&](std::u32string_view t) { return reg.town(t); }, reg.townNames());

  struct Scored {
    std::uint32_t doorplate;
    double penalty;
    bool fuzzyRoad;
    bool conflict;
  };
  std::vector<Scored> doors;
  for (const auto& r : roads) {
    const std::int64_t d = reg.doorplate(r.road, static_cast<std::uint32_t>(number));
    if (d < 0) continue;
    const RegistryEntry& e = reg.entry(static_cast<std::size_t>(d));
    double penalty = 0.15 * static_cast<double>(r.distance);
    bool conflict = false;
    if (!communities.empty() && std::find(communities.begin(), communities.end(), e.community) == communities.end()) {
      penalty += 0.2;
      conflict = true;
    }
    if (!towns.empty() && std::find(towns.begin(), towns.end(), e.town) == towns.end()) {
      penalty += 0.1;
      conflict = true;
    }
    doors.push_back({static_cast<std::uint32_t>(d), penalty, r.distance > 0, conflict});
  }
  if (doors.empty()) {
    out.reason = "no door plate " + std::to_string(number) + "号 on " + utf8(reg.roadNames()[roads[0].road]) +
                 (roads.size() > 1 ? " or the other roads read" : "");
    return out;
  }
  std::sort(doors.begin(), doors.end(), [](const Scored& a, const Scored& b) { return a.penalty < b.penalty; });
  const bool tie = doors.size() > 1 && doors[1].penalty - doors[0].penalty < 0.1;
  // A guessed road that also contradicts the town or community is no match.
  if (tie || (doors[0].fuzzyRoad && doors[0].conflict)) {
    out.status = MatchStatus::kAmbiguous;
    for (const auto& d : doors) {
      if (out.candidates.size() >= kMaxCandidates) break;
      out.candidates.push_back({d.doorplate, std::max(0.05, 1.0 - d.penalty)});
    }
    notes.push_back(tie ? std::to_string(doors.size()) + " door plates fit equally"
                        : "the road read is not in the town or community given");
    out.confidence = out.candidates.front().confidence;
    for (const auto& n : notes) out.reason += (out.reason.empty() ? "" : "; ") + n;
    return out;
  }
  const Scored& best = doors[0];
  const RegistryEntry& door = reg.entry(best.doorplate);
  if (best.conflict) {
    if (!communities.empty() && std::find(communities.begin(), communities.end(), door.community) == communities.end()) {
      notes.push_back("community given as '" + utf8(reg.communityNames()[communities[0]]) + "', registry says '" +
                      utf8(reg.communityNames()[door.community]) + "'");
    }
    if (!towns.empty() && std::find(towns.begin(), towns.end(), door.town) == towns.end()) {
      notes.push_back("town given as '" + utf8(reg.townNames()[towns[0]]) + "', registry says '" +
                      utf8(reg.townNames()[door.town]) + "'");
    }
  }
  double confidence = std::max(0.05, 1.0 - best.penalty);
  std::int64_t result = best.doorplate;
  MatchStatus status = MatchStatus::kMatched;
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
      notes.push_back(room < 0 ? "no room number: the door plate" : "room not registered at this door plate");
    } else if (fits.size() > 1) {
      out.status = MatchStatus::kAmbiguous;
      for (std::uint32_t a : fits) {
        if (out.candidates.size() < kMaxCandidates) out.candidates.push_back({a, confidence});
      }
      notes.push_back(std::to_string(fits.size()) + " rooms fit (the unit is missing)");
      out.confidence = confidence;
      for (const auto& n : notes) out.reason += (out.reason.empty() ? "" : "; ") + n;
      return out;
    } else {
      result = fits[0];
    }
  }
  if (p.find(Component::kTown) == nullptr || p.find(Component::kDistrict) == nullptr) {
    notes.push_back("upper levels filled from the registry");
  }
  out.status = status;
  out.address = result;
  out.confidence = confidence;
  out.candidates.push_back({static_cast<std::uint32_t>(result), confidence});
  if (notes.empty()) notes.push_back("exact");
  for (const auto& n : notes) out.reason += (out.reason.empty() ? "" : "; ") + n;
  return out;
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

core::Result<GeocodeResult> Geocoder::geocode(std::string_view text, std::string_view context) const {
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
  const std::int64_t maxRing = std::max(m_cols, m_rows) + std::max<std::int64_t>(std::llabs(cx), std::llabs(cy));
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
