#pragma once
// Internal to gridtwin::index: the exact "distance(p, c) <= r" test of the
// radius query. A double evaluation of dx² + dy² decides unless it is within
// a relative 1e-12 of r² (the evaluation's error is below 1e-15 relative);
// only then are the differences, squares and r² expanded exactly
// (Knuth two-sum, fma two-product, Shewchuk's grow-expansion) and the sign of
// dx² + dy² - r² read off. Pure and thread-safe.
#include <array>
#include <cmath>
#include <cstddef>

#include "geo/types.h"

namespace gridtwin::index::detail {

inline void twoSum(double a, double b, double& sum, double& err) {
  sum = a + b;
  const double bv = sum - a;
  const double av = sum - bv;
  err = (a - av) + (b - bv);
}

inline void twoProduct(double a, double b, double& prod, double& err) {
  prod = a * b;
  err = std::fma(a, b, -prod);
}

template <std::size_t N>
int signOfSum(const std::array<double, N>& terms) {
  std::array<double, N> e{};
  std::size_t n = 0;
  for (double t : terms) {
    double q = t;
    std::size_t m = 0;
    for (std::size_t i = 0; i < n; ++i) {
      double sum = 0;
      double err = 0;
      twoSum(q, e[i], sum, err);
      q = sum;
      if (err != 0) e[m++] = err;
    }
    if (q != 0) e[m++] = q;
    n = m;
  }
  if (n == 0) return 0;
  return e[n - 1] > 0 ? 1 : -1;
}

// Whether the exact Euclidean distance between p and c is at most r.
// r must not be NaN or negative (callers check); r = +inf is "everything".
inline bool withinDistance(const geo::Point& p, const geo::Point& c, double r) {
  const double dx = p.x - c.x;
  const double dy = p.y - c.y;
  const double d2 = dx * dx + dy * dy;
  const double r2 = r * r;
  if (d2 < r2 * (1 - 1e-12)) return true;
  if (d2 > r2 * (1 + 1e-12)) return false;
  if (std::isinf(r2)) return true;  // r*r overflowed: r is beyond any finite distance here
  // (ax - cx)² = ax² - 2 ax cx + cx², all products expanded exactly.
  std::array<double, 14> t{};
  twoProduct(p.x, p.x, t[0], t[1]);
  twoProduct(-2 * p.x, c.x, t[2], t[3]);
  twoProduct(c.x, c.x, t[4], t[5]);
  twoProduct(p.y, p.y, t[6], t[7]);
  twoProduct(-2 * p.y, c.y, t[8], t[9]);
  twoProduct(c.y, c.y, t[10], t[11]);
  twoProduct(-r, r, t[12], t[13]);
  return signOfSum(t) <= 0;
}

}  // namespace gridtwin::index::detail
