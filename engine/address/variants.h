#pragma once
// Noisy variants of registry addresses, the way people write them: missing
// levels, Chinese numerals, traditional characters, typos in names, extra
// noise (phones, "(电联)", courier remarks), swapped order, full-width digits,
// synonyms (室, 居委会), blanks, direction/distance phrases. Each variant
// knows the registry row it was made from, so matching can be scored.
//
// Two classes whose right answer is not the door plate, opt-in (shares 0 by
// default, so the standard stream is unchanged): foreign addresses (the
// registry's road and number under another province, city or district of
// the national divisions: right answer "unmatched") and wrong levels (the
// right road and number with another town or community of the registry:
// right answer "ambiguous" with the true door plate among the candidates
// and the conflict named).
//
// Deterministic: the same registry, count and seed give the same variants.
#include <cstdint>
#include <string>
#include <vector>

#include "address/matcher.h"
#include "address/registry.h"

namespace gridtwin::address {

enum class NoiseKind : std::uint8_t {
  kMissingLevels,
  kNumerals,
  kTraditional,
  kTypo,
  kNoise,
  kSwapped,
  kFullWidth,
  kSynonyms,
  kBlanks,
  kDirection,
};
inline constexpr std::size_t kNoiseKindCount = 10;
std::string_view noiseKindName(NoiseKind k);
constexpr std::uint32_t noiseBit(NoiseKind k) { return 1u << static_cast<unsigned>(k); }

enum class VariantClass : std::uint8_t {
  kStandard,    // right answer: the truth, matched
  kForeign,     // right answer: unmatched
  kWrongLevel,  // right answer: ambiguous, the truth's door plate a candidate, the conflict named
};
std::string_view variantClassName(VariantClass c);  // "standard", "foreign", "wrong_level"

struct NoisyVariant {
  std::string text;
  std::uint32_t truth = 0;  // registry row (foreign: the row whose road and number it borrows)
  std::uint32_t kinds = 0;  // noiseBit()s applied (at least one; foreign/wrong level: any)
  VariantClass cls = VariantClass::kStandard;
};

struct VariantOptions {
  std::uint64_t seed = 5;
  double roomShare = 0.5;      // share of variants made from room addresses
  double foreignShare = 0;     // share of kForeign variants (needs foreignPrefixes)
  double wrongLevelShare = 0;  // share of kWrongLevel variants (needs 2+ towns)
  std::vector<std::string> foreignPrefixes = {};  // from foreignPrefixes()
};

std::vector<NoisyVariant> makeNoisyVariants(const Registry& registry, std::size_t count,
                                            const VariantOptions& options = {});

// "省市区" prefixes of real districts other than the registry's, from the
// national divisions in `divisionsDir` (areas.csv, cities.csv,
// provinces.csv): the other districts of the registry's city first (佛山市南海区,
// the likeliest mix-up), then one district of every other city. Errors:
// kIo/kParse naming the file and line.
core::Result<std::vector<std::string>> foreignPrefixes(const Registry& registry,
                                                       const std::string& divisionsDir);

// Whether `m` is the right answer for `v` (per its class), and whether it is
// a wrong one: a door plate answered where it should not be (standard: the
// wrong door plate matched; foreign: any match or partial; wrong level: a
// match or partial that names no conflict). Neither: not right, not wrong
// (an ambiguous or unmatched standard variant).
struct VariantVerdict {
  bool right = false, wrong = false;
};
VariantVerdict judgeVariant(const Registry& registry, const NoisyVariant& v, const MatchResult& m);

}  // namespace gridtwin::address
