#include "bim/anchor.h"

#include <cmath>

namespace gridtwin::bim {

Vec3 place(const Anchor& a, const Box3& bounds, const Vec3& p) {
  const double cx = bounds.empty() ? 0 : (bounds.min.x + bounds.max.x) / 2;
  const double cy = bounds.empty() ? 0 : (bounds.min.y + bounds.max.y) / 2;
  const double r = a.rotationDeg * M_PI / 180;
  const double x = (p.x - cx) * a.scale, y = (p.y - cy) * a.scale;
  return Vec3{a.x + x * std::cos(r) - y * std::sin(r), a.y + x * std::sin(r) + y * std::cos(r),
              a.z + p.z * a.scale};
}

Vec3 unplace(const Anchor& a, const Box3& bounds, const Vec3& p) {
  const double cx = bounds.empty() ? 0 : (bounds.min.x + bounds.max.x) / 2;
  const double cy = bounds.empty() ? 0 : (bounds.min.y + bounds.max.y) / 2;
  const double r = -a.rotationDeg * M_PI / 180;
  const double s = a.scale == 0 ? 1 : a.scale;
  const double x = p.x - a.x, y = p.y - a.y;
  return Vec3{cx + (x * std::cos(r) - y * std::sin(r)) / s,
              cy + (x * std::sin(r) + y * std::cos(r)) / s, (p.z - a.z) / s};
}

}  // namespace gridtwin::bim
