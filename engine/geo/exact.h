#pragma once
// Exact arithmetic for robust predicates: error-free transformations (Knuth
// two-sum, fma two-product) and the exact sign of a sum of doubles (Shewchuk's
// Grow-Expansion with zero elimination). Header-only and allocation-free;
// shared by geo's orientation test and the index's exact cell and distance
// tests so that both decide boundaries the same way.
#include <array>
#include <cmath>
#include <cstddef>

namespace gridtwin::geo::exact {

// sum + err == a + b exactly.
inline void twoSum(double a, double b, double& sum, double& err) {
  sum = a + b;
  const double bv = sum - a;
  const double av = sum - bv;
  err = (a - av) + (b - bv);
}

// prod + err == a * b exactly (barring overflow/underflow).
inline void twoProduct(double a, double b, double& prod, double& err) {
  prod = a * b;
  err = std::fma(a, b, -prod);
}

// The exact sign (-1, 0, 1) of the sum of the terms: grows a nonoverlapping
// expansion one term at a time; its sign is that of its most significant
// nonzero component.
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

}  // namespace gridtwin::geo::exact
