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

#include "geo/exact.h"
#include "geo/types.h"

namespace gridtwin::index::detail {

using geo::exact::signOfSum;
using geo::exact::twoProduct;
using geo::exact::twoSum;

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
