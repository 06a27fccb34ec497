#pragma once
// Deterministic random numbers for the reference dataset generator.
//
// Why not <random>: std::uniform_int_distribution, std::normal_distribution and
// std::shuffle are specified by their output distribution only, and libstdc++,
// libc++ and MSVC implement them differently, so the same seed would give
// different datasets on different platforms. Everything here is specified down
// to the bit:
//   - the engine is xoshiro256** 1.0 (Blackman & Vigna), seeded by splitmix64;
//   - integers come from exact integer arithmetic only (Lemire's multiply-shift
//     with rejection), so `between` is identical everywhere;
//   - doubles use only IEEE-754 +, -, *, / and sqrt, which are correctly
//     rounded on every platform, plus our own log (no libm transcendental);
//     the one caveat is FMA contraction (a*b+c fused), which changes the last
//     bit: compile generator code with -ffp-contract=off (x86-64 without
//     -march flags never fuses anyway; ARM64 compilers do by default).
//
// Thread-safety: an Rng is a small value (32 bytes) with no shared state; give
// each thread or each generated kind its own, made with fork(stream), so that
// the output does not depend on scheduling. WeightedTable and WeightedChoice
// are immutable after construction and may be shared between threads.
#include <cassert>
#include <cmath>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace gridtwin::generator {

namespace detail {

inline constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// splitmix64 step: advances state and returns the next output.
inline constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// High and low 64 bits of a 64x64-bit product, exact on every platform.
inline void mul128(std::uint64_t a, std::uint64_t b, std::uint64_t& hi, std::uint64_t& lo) {
#if defined(__SIZEOF_INT128__)
  __extension__ using U128 = unsigned __int128;
  const U128 p = static_cast<U128>(a) * b;
  hi = static_cast<std::uint64_t>(p >> 64);
  lo = static_cast<std::uint64_t>(p);
#else
  const std::uint64_t aLo = a & 0xFFFFFFFFu, aHi = a >> 32;
  const std::uint64_t bLo = b & 0xFFFFFFFFu, bHi = b >> 32;
  const std::uint64_t ll = aLo * bLo, lh = aLo * bHi, hl = aHi * bLo, hh = aHi * bHi;
  const std::uint64_t mid = (ll >> 32) + (lh & 0xFFFFFFFFu) + (hl & 0xFFFFFFFFu);
  hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
  lo = (mid << 32) | (ll & 0xFFFFFFFFu);
#endif
}

// Natural logarithm of a finite x > 0 from +, -, *, / only, so that it is the
// same on every platform (libm's log may differ in the last bit between C
// libraries). x = m * 2^e with m in [sqrt(1/2), sqrt(2)); log(m) = 2 atanh(s),
// s = (m-1)/(m+1), |s| < 0.1716; the series to s^27 leaves an error below
// 1e-16 relative, a few ulp at most, which is all a generator needs.
inline double deterministicLog(double x) {
  assert(x > 0 && std::isfinite(x));
  int e = 0;
  double m = std::frexp(x, &e);  // exact: m in [0.5, 1)
  if (m < 0.70710678118654752440) {
    m *= 2.0;  // exact
    --e;
  }
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  // Horner over 1/(2k+1), k = 13 .. 0.
  double p = 1.0 / 27.0;
  for (int k = 12; k >= 0; --k) p = 1.0 / (2 * k + 1) + s2 * p;
  constexpr double kLn2 = 0.69314718055994530942;
  return 2.0 * s * p + e * kLn2;
}

}  // namespace detail

class Rng {
 public:
  // Seeds the four state words from splitmix64(seed), as the xoshiro authors
  // recommend; any seed (0 included) gives a valid, non-zero state.
  explicit Rng(std::uint64_t seed) {
    std::uint64_t sm = seed;
    for (auto& word : m_s) word = detail::splitmix64(sm);
  }

  // xoshiro256** 1.0.
  std::uint64_t next() {
    const std::uint64_t result = detail::rotl(m_s[1] * 5, 7) * 9;
    const std::uint64_t t = m_s[1] << 17;
    m_s[2] ^= m_s[0];
    m_s[3] ^= m_s[1];
    m_s[1] ^= m_s[2];
    m_s[0] ^= m_s[3];
    m_s[2] ^= t;
    m_s[3] = detail::rotl(m_s[3], 45);
    return result;
  }

  // Uniform in [0, 1): the top 53 bits, scaled exactly.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Uniform in [a, b) (or [b, a) when b < a).
  double uniform(double a, double b) { return a + (b - a) * uniform(); }

  // Uniform integer in [lo, hi], both inclusive; lo <= hi (asserted).
  // Lemire's nearly divisionless method: unbiased, and one multiply per call
  // in all but a tiny fraction of cases.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    assert(lo <= hi);
    const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
    if (span == UINT64_MAX) return static_cast<std::int64_t>(next());
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + below(span + 1));
  }

  // Uniform integer in [0, n), n > 0 (asserted); the workhorse behind between().
  std::uint64_t below(std::uint64_t n) {
    assert(n > 0);
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    detail::mul128(next(), n, hi, lo);
    if (lo < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (lo < threshold) detail::mul128(next(), n, hi, lo);
    }
    return hi;
  }

  // Normal deviate: Marsaglia's polar method, with the second deviate
  // discarded so that each call consumes a self-contained run of draws.
  double normal(double mean, double sd) {
    double u = 0;
    double v = 0;
    double s = 0;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return mean + sd * (u * std::sqrt(-2.0 * detail::deterministicLog(s) / s));
  }

  // True with probability p (p <= 0 never, p >= 1 always).
  bool chance(double p) { return uniform() < p; }

  // Fisher–Yates, specified here because std::shuffle is not portable.
  template <class T>
  void shuffle(std::span<T> items) {
    for (std::size_t i = items.size(); i > 1; --i) {
      const std::size_t j = static_cast<std::size_t>(below(i));
      using std::swap;
      swap(items[i - 1], items[j]);
    }
  }

  // An independent generator for a sub-task (a street, a kind, a thread):
  // depends only on this generator's current state and `stream`, and does not
  // advance this one. Use distinct stream numbers for distinct sub-tasks.
  Rng fork(std::uint64_t stream) const {
    std::uint64_t sm =
        m_s[0] ^ detail::rotl(m_s[1], 17) ^ detail::rotl(m_s[2], 31) ^ detail::rotl(m_s[3], 47);
    const std::uint64_t a = detail::splitmix64(sm);
    std::uint64_t st = stream ^ 0xD1B54A32D192ED03ULL;
    const std::uint64_t b = detail::splitmix64(st);
    return Rng(a ^ detail::rotl(b, 23));
  }

 private:
  std::uint64_t m_s[4];
};

// Sampling of an index in [0, n) with probability proportional to weights,
// built once in O(n), sampled in O(1) with Walker's alias method (Vose's
// construction). Weights are converted to integers first and the table is
// built and sampled with integer arithmetic only, so the result does not
// depend on floating-point evaluation order.
class WeightedTable {
 public:
  WeightedTable() = default;

  // Weights must be finite and >= 0 with a positive sum (asserted); in a
  // release build bad weights count as 0 and an all-zero table samples
  // uniformly, so a bug degrades instead of crashing.
  explicit WeightedTable(std::span<const double> weights) { build(weights); }
  WeightedTable(std::initializer_list<double> weights)
      : WeightedTable(std::span<const double>(weights.begin(), weights.size())) {}

  std::size_t size() const { return m_alias.size(); }

  std::size_t sample(Rng& rng) const {
    assert(!m_alias.empty());
    const auto i = static_cast<std::size_t>(rng.below(m_alias.size()));
    return rng.below(m_total) < m_keep[i] ? i : m_alias[i];
  }

 private:
  void build(std::span<const double> weights) {
    const std::size_t n = weights.size();
    assert(n > 0);
    if (n == 0) return;
    double sum = 0;
    for (double w : weights) {
      assert(std::isfinite(w) && w >= 0);
      if (std::isfinite(w) && w > 0) sum += w;
    }
    assert(sum > 0);
    // Integer weights summing to about 2^40: resolution 1e-12 of the total,
    // and n * 2^40 stays far below 2^64 for any table we build (n < 2^20).
    constexpr double kScale = 1099511627776.0;  // 2^40
    std::vector<std::uint64_t> iw(n, 1);
    if (sum > 0) {
      for (std::size_t i = 0; i < n; ++i) {
        const double w = weights[i];
        iw[i] = (std::isfinite(w) && w > 0) ? static_cast<std::uint64_t>(w / sum * kScale) : 0;
      }
    }
    std::uint64_t total = 0;
    for (auto w : iw) total += w;
    if (total == 0) {
      for (auto& w : iw) w = 1;
      total = n;
    }
    // Vose: every slot i holds keep[i] / total of itself and the rest of alias[i].
    // Scaled weights are w * n, compared against total.
    m_total = total;
    m_keep.assign(n, total);
    m_alias.resize(n);
    std::vector<std::uint64_t> scaled(n);
    std::vector<std::size_t> small;
    std::vector<std::size_t> large;
    for (std::size_t i = 0; i < n; ++i) {
      scaled[i] = iw[i] * n;
      m_alias[i] = i;
      (scaled[i] < total ? small : large).push_back(i);
    }
    while (!small.empty() && !large.empty()) {
      const std::size_t s = small.back();
      small.pop_back();
      const std::size_t l = large.back();
      m_keep[s] = scaled[s];
      m_alias[s] = l;
      scaled[l] -= total - scaled[s];
      if (scaled[l] < total) {
        large.pop_back();
        small.push_back(l);
      }
    }
    // Leftovers are exactly `total` in exact arithmetic; keep them whole.
    for (std::size_t i : small) m_keep[i] = total;
    for (std::size_t i : large) m_keep[i] = total;
  }

  std::vector<std::uint64_t> m_keep;  // out of m_total: chance to keep slot i
  std::vector<std::size_t> m_alias;   // where slot i sends the rest
  std::uint64_t m_total = 1;
};

// Items with weights: pick(rng) returns an item with probability proportional
// to its weight. Holds copies of the items; immutable after construction.
template <class T>
class WeightedChoice {
 public:
  WeightedChoice() = default;
  WeightedChoice(std::vector<T> items, std::span<const double> weights)
      : m_items(std::move(items)), m_table(weights) {
    assert(m_items.size() == weights.size());
  }
  WeightedChoice(std::initializer_list<std::pair<T, double>> entries) {
    std::vector<double> weights;
    for (const auto& [item, weight] : entries) {
      m_items.push_back(item);
      weights.push_back(weight);
    }
    m_table = WeightedTable(weights);
  }

  const T& pick(Rng& rng) const { return m_items[m_table.sample(rng)]; }
  std::size_t pickIndex(Rng& rng) const { return m_table.sample(rng); }
  const std::vector<T>& items() const { return m_items; }

 private:
  std::vector<T> m_items;
  WeightedTable m_table;
};

}  // namespace gridtwin::generator
