#pragma once
// Matching free text against the standard address registry, and geocoding.
//
// match(): parse (parser.h), then find door plates:
//   1. road: exact name or alias from the parse and from a scan of the
//      normalized text with the registry's names; otherwise fuzzy (edit
//      distance ≤ 1 for names up to 4 characters, ≤ 2 above; only the
//      closest names; a tie between names is carried as candidates);
//   2. door number: roadno, else a houseno/subroadno written "N号";
//   3. (road, number) → door plates (several where the same road and number
//      exist in two towns); the town and community given (exact, alias or
//      one edit away) choose among them; a door plate that contradicts them
//      is no match: kAmbiguous with the conflict named (reason and
//      `conflicts`);
//   4. unit/room/floor → the room among the door plate's rooms.
// One survivor: kMatched; several: kAmbiguous with the candidates, never a
// silent pick; a door plate whose room is not registered: kPartial.
// A province, city or district named in the text (the national divisions of
// the parser's gazetteer) other than the registry's own: kUnmatched, the
// conflict named, whatever the rest would match (禅城区 is not 海淀区, even
// where both have a 中关村大街). A town of the national list that is not the
// registry's counts as a conflicting town (step 3).
//
// Thread-safety: immutable once built; match()/geocode()/reverse() are const
// and reentrant.
#include <memory>
#include <string>
#include <vector>

#include "address/parser.h"
#include "address/registry.h"

namespace gridtwin::address {

enum class MatchStatus : std::uint8_t { kMatched, kPartial, kAmbiguous, kUnmatched };
std::string_view matchStatusName(MatchStatus s);  // "matched", "partial", "ambiguous", "unmatched"

struct Candidate {
  std::uint32_t address = 0;  // registry row (= model address index)
  double confidence = 0;
};

// A level the text states that the registry contradicts: `given` as written
// (folded), `registry` the registry's name at that level (for a town or
// community: the best door plate's; empty when no door plate was found).
struct LevelConflict {
  Component level = Component::kDistrict;  // kProv, kCity, kDistrict, kTown or kCommunity
  std::string given, registry;
};

struct MatchResult {
  MatchStatus status = MatchStatus::kUnmatched;
  std::int64_t address = -1;  // the match (kMatched, kPartial: the door plate)
  double confidence = 0;
  std::string reason;
  std::vector<Candidate> candidates;  // kAmbiguous: all of them (at most kMaxCandidates)
  std::vector<LevelConflict> conflicts;
  ParsedAddress parsed;
};

inline constexpr std::size_t kMaxCandidates = 20;

class Matcher {
 public:
  Matcher(std::shared_ptr<const Registry> registry, std::shared_ptr<const Parser> parser);

  // Errors: the parser's (invalid UTF-8, too long), with `context`.
  core::Result<MatchResult> match(std::string_view text, std::string_view context = {}) const;

  const Registry& registry() const { return *m_registry; }

 private:
  // Matching a parse; `final` false: the fast pass may give up (returns
  // false) and let match() parse again with the tagger.
  bool matchParsed(MatchResult& out, const std::vector<LevelConflict>& stated, bool final) const;
  // A province, city or district stated that is not the registry's: the
  // answer becomes kUnmatched with the conflict named.
  MatchResult refuseForeign(MatchResult out, const std::vector<LevelConflict>& stated) const;
  // Provinces, cities, districts and towns of the national divisions named
  // in the clean text that are not the registry's (scan order).
  std::vector<LevelConflict> statedDivisions(const std::u32string& clean) const;

  std::shared_ptr<const Registry> m_registry;
  std::shared_ptr<const Parser> m_parser;
  // The registry's own province, city and district ("广东省", "佛山市", "禅城区").
  std::string m_ownProv, m_ownCity, m_ownDistrict;
};

// A parser whose gazetteer holds the national divisions and the registry's
// names, with `tagger` (may be null).
std::shared_ptr<const Parser> makeRegistryParser(const Registry& registry,
                                                 const Gazetteer& divisions,
                                                 std::shared_ptr<const Tagger> tagger);

struct GeocodeResult {
  MatchResult match;
  // Filled when match.address >= 0:
  std::string code, standardText;
  double lon = 0, lat = 0;  // EPSG:4490
  std::int64_t buildingId = -1;
  std::string gridCode, communityName, streetName;
};

// Reverse geocoding answers "outside the district" when the nearest door
// plate is farther than this. 3 km: many times the spacing of door plates
// in any built-up part of the district (tens of metres), enough to cross its
// largest empty areas (the river, parks, works yards: well under 3 km), yet
// a fifth of its width (~15 km): a door plate farther than that names no
// place the point is at. The one number to change for another district.
inline constexpr double kReverseOutsideM = 3000;

// Reverse geocoding: the nearest door plate to a point.
struct ReverseResult {
  // No door plate within kReverseOutsideM (or none in the registry): the
  // point is outside the district; address is -1 and distanceM is unset.
  bool outside = false;
  std::int64_t address = -1;
  double distanceM = 0;  // EPSG:4547 metres, the engine's metric CRS
  std::string code, standardText, gridCode;
};

class Geocoder {
 public:
  // Builds the reverse index (the door plates' EPSG:4547 points) too.
  explicit Geocoder(std::shared_ptr<const Matcher> matcher);
  core::Result<GeocodeResult> geocode(std::string_view text, std::string_view context = {}) const;
  // lon/lat in EPSG:4490. The nearest door plate through the engine's k-nearest
  // index (index::EntityIndex over the door plates' EPSG:4547 points; ties by
  // address row), in microseconds wherever the point is: one farther than
  // 0.5° from every door plate is answered "outside" without a search.
  // Errors: kNonFinite for NaN/inf; kOutOfDomain for a longitude beyond ±180
  // or a latitude beyond ±90 (naming the value; "23.02,113.1" is lat,lon);
  // kTransformFailed should PROJ have no EPSG:4490 → EPSG:4547 operation.
  core::Result<ReverseResult> reverse(double lon, double lat) const;
  void describe(std::int64_t address, GeocodeResult& out) const;

  struct ReverseIndex;  // the door plates' EntityIndex and the projection (matcher.cpp)

 private:
  std::shared_ptr<const Matcher> m_matcher;
  std::shared_ptr<ReverseIndex> m_reverse;
};

}  // namespace gridtwin::address
