#include "address/tagger.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <unordered_map>

#include <unistd.h>

#include "address/text.h"
#include "core/output_file.h"

namespace gridtwin::address {
namespace {

using core::ErrorCode;
using core::makeError;

constexpr char32_t kBos = 0x110001;
constexpr char32_t kEos = 0x110002;
constexpr std::uint64_t kMagic = 0x3152474154444147ULL;  // "GADTAGR1"
constexpr std::uint32_t kVersion = 1;  // bump with any change to extractFeatures or the tags
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

inline std::uint64_t mix(std::uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

inline std::uint64_t featureKey(std::uint64_t tmpl, std::uint64_t a, std::uint64_t b = 0,
                                std::uint64_t c = 0) {
  const std::uint64_t k =
      mix((tmpl << 56) ^ a ^ (b * 0x9E3779B97F4A7C15ULL) ^ (c * 0xBF58476D1CE4E5B9ULL));
  return k == 0 ? 1 : k;
}

// Digits and Latin letters are generalised: "1097" and "2064" look alike.
inline char32_t shape(char32_t c) {
  if (c >= '0' && c <= '9') return '0';
  if (c >= 'A' && c <= 'Z') return 'A';
  return c;
}

// Characters that end a component in most addresses: the last one before a
// position tells the tagger which part of the address it is in.
bool isAnchor(char32_t c) {
  switch (c) {
    case U'省':
    case U'市':
    case U'区':
    case U'县':
    case U'镇':
    case U'乡':
    case U'村':
    case U'路':
    case U'街':
    case U'道':
    case U'巷':
    case U'弄':
    case U'号':
    case U'栋':
    case U'幢':
    case U'座':
    case U'楼':
    case U'元':
    case U'层':
    case U'室':
    case U'房':
    case U'园':
    case U'苑':
    case U'厦':
    case U'场':
    case U'心':
    case U'-':
      return true;
    default:
      return false;
  }
}

constexpr Component kGazetteerComponents[] = {
    Component::kProv,      Component::kCity, Component::kDistrict, Component::kTown,
    Component::kCommunity, Component::kRoad, Component::kPoi,      Component::kDevzone};

}  // namespace

void extractFeatures(std::u32string_view folded, const Gazetteer& gazetteer,
                     std::vector<std::uint64_t>& keys, std::vector<std::uint32_t>& starts) {
  const std::size_t n = folded.size();
  keys.clear();
  starts.clear();
  auto at = [&](std::ptrdiff_t i) -> char32_t {
    if (i < 0) return kBos;
    if (static_cast<std::size_t>(i) >= n) return kEos;
    return shape(folded[static_cast<std::size_t>(i)]);
  };
  auto cls = [&](std::ptrdiff_t i) -> std::uint64_t {
    if (i < 0 || static_cast<std::size_t>(i) >= n) return 15;
    return static_cast<std::uint64_t>(charClass(folded[static_cast<std::size_t>(i)]));
  };
  // Gazetteer marks: per position, 3 bits (begin, inside, end) per component.
  std::uint32_t localMarks[256];
  std::vector<std::uint32_t> heapMarks;
  std::uint32_t* marks = localMarks;
  if (n > 256) {
    heapMarks.assign(n, 0);
    marks = heapMarks.data();
  } else {
    std::fill(localMarks, localMarks + n, 0u);
  }
  for (std::size_t s = 0; s < n; ++s) {
    gazetteer.forEachMatch(folded, s, [&](std::size_t len, ComponentMask mask) {
      for (std::size_t g = 0; g < std::size(kGazetteerComponents); ++g) {
        if ((mask & bit(kGazetteerComponents[g])) == 0) continue;
        marks[s] |= 1u << (3 * g);
        for (std::size_t k = s + 1; k + 1 < s + len; ++k) marks[k] |= 2u << (3 * g);
        marks[s + len - 1] |= 4u << (3 * g);
      }
    });
  }
  // Digit/letter runs: what precedes and follows the run.
  char32_t lastAnchor = kBos;
  std::size_t runStart = 0;
  for (std::size_t i = 0; i < n; ++i) {
    starts.push_back(static_cast<std::uint32_t>(keys.size()));
    const auto p = static_cast<std::ptrdiff_t>(i);
    const char32_t c = at(p);
    keys.push_back(featureKey(0, c));
    keys.push_back(featureKey(1, at(p - 1)));
    keys.push_back(featureKey(2, at(p + 1)));
    keys.push_back(featureKey(3, at(p - 2)));
    keys.push_back(featureKey(4, at(p + 2)));
    keys.push_back(featureKey(5, at(p - 1), c));
    keys.push_back(featureKey(6, c, at(p + 1)));
    keys.push_back(featureKey(7, at(p - 2), at(p - 1)));
    keys.push_back(featureKey(8, at(p + 1), at(p + 2)));
    keys.push_back(featureKey(9, cls(p - 1), cls(p), cls(p + 1)));
    keys.push_back(featureKey(10, 0));  // bias
    const bool alnum = c == '0' || c == 'A';
    if (alnum) {
      if (i == 0 || !(at(p - 1) == '0' || at(p - 1) == 'A')) runStart = i;
      std::size_t e = i;
      while (e < n && (at(static_cast<std::ptrdiff_t>(e)) == '0' ||
                       at(static_cast<std::ptrdiff_t>(e)) == 'A'))
        ++e;
      keys.push_back(featureKey(11, at(static_cast<std::ptrdiff_t>(e)),
                                at(static_cast<std::ptrdiff_t>(runStart) - 1)));
      keys.push_back(featureKey(12, at(static_cast<std::ptrdiff_t>(e)), i == runStart));
    }
    keys.push_back(featureKey(13, lastAnchor, cls(p)));
    keys.push_back(featureKey(14, lastAnchor, c));
    const std::uint32_t m = marks[i];
    for (std::size_t g = 0; g < std::size(kGazetteerComponents) && m != 0; ++g) {
      const std::uint32_t bits = (m >> (3 * g)) & 7u;
      if (bits != 0) keys.push_back(featureKey(16, g, bits));
    }
    if (m != 0) keys.push_back(featureKey(17, m));
    if (!alnum && isAnchor(folded[i])) lastAnchor = folded[i];
  }
  starts.push_back(static_cast<std::uint32_t>(keys.size()));
}

std::int64_t Tagger::row(std::uint64_t key) const {
  if (m_slotKeys.empty()) return -1;
  const std::size_t mask = m_slotKeys.size() - 1;
  for (std::size_t i = mix(key) & mask;; i = (i + 1) & mask) {
    if (m_slotKeys[i] == key) return m_slotRows[i];
    if (m_slotKeys[i] == 0) return -1;
  }
}

void Tagger::buildIndex() {
  std::size_t size = 16;
  while (size < m_rowKeys.size() * 2) size *= 2;
  m_slotKeys.assign(size, 0);
  m_slotRows.assign(size, 0);
  const std::size_t mask = size - 1;
  for (std::size_t r = 0; r < m_rowKeys.size(); ++r) {
    std::size_t i = mix(m_rowKeys[r]) & mask;
    while (m_slotKeys[i] != 0) i = (i + 1) & mask;
    m_slotKeys[i] = m_rowKeys[r];
    m_slotRows[i] = static_cast<std::uint32_t>(r);
  }
}

void Tagger::score(std::u32string_view folded, const Gazetteer& gazetteer, TagScratch& s) const {
  extractFeatures(folded, gazetteer, s.keys, s.starts);
  const std::size_t n = folded.size();
  s.scores.assign(n * kTagCount, 0.0f);
  for (std::size_t i = 0; i < n; ++i) {
    float* out = &s.scores[i * kTagCount];
    for (std::uint32_t k = s.starts[i]; k < s.starts[i + 1]; ++k) {
      const std::int64_t r = row(s.keys[k]);
      if (r < 0) continue;
      const float* w = &m_weights[static_cast<std::size_t>(r) * kTagCount];
      for (std::size_t t = 0; t < kTagCount; ++t) out[t] += w[t];
    }
  }
}

void Tagger::viterbi(std::size_t n, TagScratch& s, std::vector<std::uint8_t>& tags) const {
  tags.assign(n, kOutside);
  if (n == 0) return;
  s.delta.assign(n * kTagCount, kNegInf);
  s.back.assign(n * kTagCount, 0);
  for (std::size_t t = 0; t < kTagCount; ++t) {
    if (t != kOutside && !isBegin(static_cast<std::uint8_t>(t))) continue;
    s.delta[t] = m_transitions[t] + s.scores[t];
  }
  for (std::size_t i = 1; i < n; ++i) {
    const float* prev = &s.delta[(i - 1) * kTagCount];
    float* cur = &s.delta[i * kTagCount];
    std::uint8_t* bk = &s.back[i * kTagCount];
    const float* sc = &s.scores[i * kTagCount];
    for (std::size_t t = 0; t < kTagCount; ++t) {
      float best = kNegInf;
      std::uint8_t arg = 0;
      if (t == kOutside || isBegin(static_cast<std::uint8_t>(t))) {
        for (std::size_t p = 0; p < kTagCount; ++p) {
          const float v = prev[p] + m_transitions[(p + 1) * kTagCount + t];
          if (v > best) {
            best = v;
            arg = static_cast<std::uint8_t>(p);
          }
        }
      } else {
        for (std::size_t p : {t - 1, t}) {
          const float v = prev[p] + m_transitions[(p + 1) * kTagCount + t];
          if (v > best) {
            best = v;
            arg = static_cast<std::uint8_t>(p);
          }
        }
      }
      cur[t] = best + sc[t];
      bk[t] = arg;
    }
  }
  const float* last = &s.delta[(n - 1) * kTagCount];
  std::uint8_t t = 0;
  for (std::size_t k = 1; k < kTagCount; ++k) {
    if (last[k] > last[t]) t = static_cast<std::uint8_t>(k);
  }
  for (std::size_t i = n; i-- > 0;) {
    tags[i] = t;
    t = s.back[i * kTagCount + t];
  }
}

void Tagger::tag(std::u32string_view folded, const Gazetteer& gazetteer,
                 std::vector<std::uint8_t>& tags, TagScratch& scratch) const {
  if (!trained()) {
    tags.assign(folded.size(), kOutside);
    return;
  }
  score(folded, gazetteer, scratch);
  viterbi(folded.size(), scratch, tags);
}

Tagger Tagger::train(const std::vector<TaggedText>& corpus, const Gazetteer& gazetteer,
                     const TrainOptions& options) {
  Tagger tagger;
  // Feature rows: every feature seen at least minFeatureCount times, in
  // order of first appearance (deterministic).
  std::vector<std::u32string> folded(corpus.size());
  std::unordered_map<std::uint64_t, std::uint32_t> counts;
  std::vector<std::uint64_t> keys;
  std::vector<std::uint32_t> starts;
  std::vector<std::uint64_t> order;
  for (std::size_t s = 0; s < corpus.size(); ++s) {
    folded[s] = foldText(corpus[s].text);
    extractFeatures(folded[s], gazetteer, keys, starts);
    for (std::uint64_t k : keys) {
      if (counts[k]++ == 0) order.push_back(k);
    }
  }
  for (std::uint64_t k : order) {
    if (counts[k] >= static_cast<std::uint32_t>(options.minFeatureCount))
      tagger.m_rowKeys.push_back(k);
  }
  tagger.buildIndex();
  const std::size_t rows = tagger.m_rowKeys.size();
  tagger.m_weights.assign(rows * kTagCount, 0.0f);
  tagger.m_transitions.assign((kTagCount + 1) * kTagCount, 0.0f);
  // Sums for averaging: avg = w - u / c (the usual lazy trick).
  std::vector<float> wSum(rows * kTagCount, 0.0f);
  std::vector<float> tSum(tagger.m_transitions.size(), 0.0f);
  // Row indexes per position, computed once.
  std::vector<std::vector<std::int32_t>> rowIds(corpus.size());
  std::vector<std::vector<std::uint32_t>> rowStarts(corpus.size());
  for (std::size_t s = 0; s < corpus.size(); ++s) {
    extractFeatures(folded[s], gazetteer, keys, starts);
    for (std::size_t i = 0; i + 1 < starts.size(); ++i) {
      rowStarts[s].push_back(static_cast<std::uint32_t>(rowIds[s].size()));
      for (std::uint32_t k = starts[i]; k < starts[i + 1]; ++k) {
        const std::int64_t r = tagger.row(keys[k]);
        if (r >= 0) rowIds[s].push_back(static_cast<std::int32_t>(r));
      }
    }
    rowStarts[s].push_back(static_cast<std::uint32_t>(rowIds[s].size()));
  }
  std::vector<std::size_t> perm(corpus.size());
  for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = i;
  std::uint64_t rng = options.seed;
  auto next = [&rng] {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return rng >> 33;
  };
  TagScratch scratch;
  std::vector<std::uint8_t> predicted;
  float c = 1.0f;
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    for (std::size_t i = perm.size(); i > 1; --i) std::swap(perm[i - 1], perm[next() % i]);
    for (std::size_t s : perm) {
      const auto& gold = corpus[s].tags;
      const std::size_t n = gold.size();
      if (n == 0) continue;
      scratch.scores.assign(n * kTagCount, 0.0f);
      for (std::size_t i = 0; i < n; ++i) {
        float* out = &scratch.scores[i * kTagCount];
        for (std::uint32_t k = rowStarts[s][i]; k < rowStarts[s][i + 1]; ++k) {
          const float* w = &tagger.m_weights[static_cast<std::size_t>(rowIds[s][k]) * kTagCount];
          for (std::size_t t = 0; t < kTagCount; ++t) out[t] += w[t];
        }
      }
      tagger.viterbi(n, scratch, predicted);
      auto update = [&](std::size_t i, std::uint8_t tag, float d) {
        for (std::uint32_t k = rowStarts[s][i]; k < rowStarts[s][i + 1]; ++k) {
          const std::size_t at = static_cast<std::size_t>(rowIds[s][k]) * kTagCount + tag;
          tagger.m_weights[at] += d;
          wSum[at] += c * d;
        }
        const std::size_t prev = i == 0 ? 0 : static_cast<std::size_t>(gold[i - 1]) + 1;
        const std::size_t prevPredicted =
            i == 0 ? 0 : static_cast<std::size_t>(predicted[i - 1]) + 1;
        const std::size_t at = (d > 0 ? prev : prevPredicted) * kTagCount + tag;
        tagger.m_transitions[at] += d;
        tSum[at] += c * d;
      };
      for (std::size_t i = 0; i < n; ++i) {
        const bool prevSame = i == 0 || gold[i - 1] == predicted[i - 1];
        if (gold[i] == predicted[i] && prevSame) continue;
        update(i, gold[i], 1.0f);
        update(i, predicted[i], -1.0f);
      }
      c += 1.0f;
    }
  }
  for (std::size_t i = 0; i < tagger.m_weights.size(); ++i) tagger.m_weights[i] -= wSum[i] / c;
  for (std::size_t i = 0; i < tagger.m_transitions.size(); ++i)
    tagger.m_transitions[i] -= tSum[i] / c;
  return tagger;
}

core::Result<void> Tagger::save(const std::string& path) const {
  // All or nothing, cleaned on a signal: the one output helper (core/output_file.h).
  auto output = core::OutputFile::begin(path, ".tmp");
  if (!output) return output.takeError();
  const std::string& tmp = output->temporaryPath();
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return makeError(ErrorCode::kIo, "cannot write the tagger model", path);
    const std::uint64_t header[] = {kMagic, kVersion, kTagCount, m_rowKeys.size()};
    out.write(reinterpret_cast<const char*>(header), sizeof header);
    out.write(reinterpret_cast<const char*>(m_rowKeys.data()),
              static_cast<std::streamsize>(m_rowKeys.size() * sizeof(std::uint64_t)));
    out.write(reinterpret_cast<const char*>(m_weights.data()),
              static_cast<std::streamsize>(m_weights.size() * sizeof(float)));
    out.write(reinterpret_cast<const char*>(m_transitions.data()),
              static_cast<std::streamsize>(m_transitions.size() * sizeof(float)));
    out.flush();
    if (!out) return makeError(ErrorCode::kWriteFailed, "short write of the tagger model", path);
  }
  return output->commit();
}

core::Result<Tagger> Tagger::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(ErrorCode::kNotFound, "no tagger model", path);
  std::uint64_t header[4] = {};
  in.read(reinterpret_cast<char*>(header), sizeof header);
  if (!in || header[0] != kMagic || header[1] != kVersion || header[2] != kTagCount ||
      header[3] > (1u << 26)) {
    return makeError(ErrorCode::kParse, "not a gridtwin address tagger model (version 1)", path);
  }
  Tagger t;
  t.m_rowKeys.resize(header[3]);
  t.m_weights.resize(header[3] * kTagCount);
  t.m_transitions.resize((kTagCount + 1) * kTagCount);
  in.read(reinterpret_cast<char*>(t.m_rowKeys.data()),
          static_cast<std::streamsize>(t.m_rowKeys.size() * sizeof(std::uint64_t)));
  in.read(reinterpret_cast<char*>(t.m_weights.data()),
          static_cast<std::streamsize>(t.m_weights.size() * sizeof(float)));
  in.read(reinterpret_cast<char*>(t.m_transitions.data()),
          static_cast<std::streamsize>(t.m_transitions.size() * sizeof(float)));
  if (!in) return makeError(ErrorCode::kParse, "truncated tagger model", path);
  t.buildIndex();
  return t;
}

}  // namespace gridtwin::address
