#pragma once
// Noisy variants of registry addresses, the way people write them: missing
// levels, Chinese numerals, traditional characters, typos in names, extra
// noise (phones, "(电联)", courier remarks), swapped order, full-width digits,
// synonyms (室, 居委会), blanks, direction/distance phrases. Each variant
// knows the registry row it was made from, so matching can be scored.
//
// Deterministic: the same registry, count and seed give the same variants.
#include <cstdint>
#include <string>
#include <vector>

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

struct NoisyVariant {
  std::string text;
  std::uint32_t truth = 0;  // registry row
  std::uint32_t kinds = 0;  // noiseBit()s applied (at least one)
};

struct VariantOptions {
  std::uint64_t seed = 5;
  double roomShare = 0.5;  // share of variants made from room addresses
};

std::vector<NoisyVariant> makeNoisyVariants(const Registry& registry, std::size_t count,
                                            const VariantOptions& options = {});

}  // namespace gridtwin::address
