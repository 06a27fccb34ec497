#pragma once
// Matching free text against the standard address registry, and geocoding.
//
// match(): parse (parser.h), then find door plates:
//   1. road: exact name or alias from the parse and from a scan of the
//      normalized text with the registry's names; otherwise fuzzy (edit
//      distance ≤ 1 for names up to 4 characters, ≤ 2 above; only the
//      closest names; a tie between names is carried as candidates);
//   2. door number: roadno, else a houseno/subroadno written "N号";
//   3. (road, number) → door plates; the town and community given (exact,
//      alias or one edit away) filter them, a conflict lowers the
//      confidence and is named in the reason;
//   4. unit/room/floor → the room among the door plate's rooms.
// One survivor: kMatched; several: kAmbiguous with the candidates, never a
// silent pick; a door plate whose room is not registered: kPartial.
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

struct MatchResult {
  MatchStatus status = MatchStatus::kUnmatched;
  std::int64_t address = -1;  // the match (kMatched, kPartial: the door plate)
  double confidence = 0;
  std::string reason;
  std::vector<Candidate> candidates;  // kAmbiguous: all of them (at most kMaxCandidates)
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
  bool matchParsed(MatchResult& out, bool final) const;

  std::shared_ptr<const Registry> m_registry;
  std::shared_ptr<const Parser> m_parser;
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

// Reverse geocoding: the nearest door plate to a point.
struct ReverseResult {
  std::int64_t address = -1;  // -1: the registry has no door plates
  double distanceM = 0;
  std::string code, standardText, gridCode;
};

class Geocoder {
 public:
  explicit Geocoder(std::shared_ptr<const Matcher> matcher);
  core::Result<GeocodeResult> geocode(std::string_view text, std::string_view context = {}) const;
  // lon/lat in EPSG:4490. Errors: kNonFinite for NaN/inf coordinates.
  core::Result<ReverseResult> reverse(double lon, double lat) const;
  void describe(std::int64_t address, GeocodeResult& out) const;

 private:
  std::shared_ptr<const Matcher> m_matcher;
  // Door plates bucketed in a regular lon/lat grid of kCellDeg cells.
  static constexpr double kCellDeg = 0.002;
  double m_minLon = 0, m_minLat = 0;
  std::int64_t m_cols = 0, m_rows = 0;
  std::vector<std::uint32_t> m_cellStart, m_cellItems;
};

}  // namespace gridtwin::address
