#include "query/spatial.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "geo/algorithms.h"

namespace gridtwin::query {
namespace {

class BruteForceSearch final : public PointSearch {
 public:
  explicit BruteForceSearch(std::span<const geo::Point> xy) : m_xy(xy) {}

  void box(const geo::Box& b, std::vector<std::uint32_t>& hits) const override {
    for (std::size_t i = 0; i < m_xy.size(); ++i) {
      if (b.contains(m_xy[i])) hits.push_back(static_cast<std::uint32_t>(i));
    }
  }
  core::Result<void> polygon(const geo::Polygon& p,
                             std::vector<std::uint32_t>& hits) const override {
    const geo::Box b = geo::bbox(p);
    for (std::size_t i = 0; i < m_xy.size(); ++i) {
      if (b.contains(m_xy[i]) && coversPoint(p, m_xy[i]))
        hits.push_back(static_cast<std::uint32_t>(i));
    }
    return {};
  }
  void radius(const geo::Point& c, double r, std::vector<std::uint32_t>& hits) const override {
    for (std::size_t i = 0; i < m_xy.size(); ++i) {
      if (withinRadius(c, r, m_xy[i])) hits.push_back(static_cast<std::uint32_t>(i));
    }
  }
  void nearest(const geo::Point& q, std::size_t k, std::vector<Neighbour>& out) const override {
    struct Cand {
      double d2;
      std::uint32_t row;
    };
    std::vector<Cand> all;
    all.reserve(m_xy.size());
    for (std::size_t i = 0; i < m_xy.size(); ++i) {
      const geo::Point& p = m_xy[i];
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
      const double dx = p.x - q.x, dy = p.y - q.y;
      all.push_back({dx * dx + dy * dy, static_cast<std::uint32_t>(i)});
    }
    const auto less = [](const Cand& a, const Cand& b) {
      return a.d2 < b.d2 || (a.d2 == b.d2 && a.row < b.row);
    };
    const std::size_t n = std::min(k, all.size());
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(), less);
    for (std::size_t i = 0; i < n; ++i) {
      const geo::Point& p = m_xy[all[i].row];
      out.push_back({all[i].row, std::hypot(p.x - q.x, p.y - q.y)});
    }
  }

 private:
  std::span<const geo::Point> m_xy;
};

class BruteForceLocator final : public Locator {
 public:
  explicit BruteForceLocator(const model::District& d) {
    const auto& shape = d.grids().shape;
    for (std::size_t g = 0; g < d.grids().size(); ++g) {
      geo::MultiPolygon mp = model::xyShape(shape, g);
      m_boxes.push_back(geo::bbox(mp));
      m_shapes.push_back(std::move(mp));
      m_codes.emplace_back(d.grids().code[g]);
    }
  }
  std::int32_t find(const geo::Point& p) const override {
    std::int32_t best = kOutside;
    for (std::size_t g = 0; g < m_shapes.size(); ++g) {
      if (!m_boxes[g].contains(p) || !geo::covers(m_shapes[g], p)) continue;
      if (best < 0 || m_codes[g] < m_codes[static_cast<std::size_t>(best)]) {
        best = static_cast<std::int32_t>(g);
      }
    }
    return best;
  }

 private:
  std::vector<geo::MultiPolygon> m_shapes;
  std::vector<geo::Box> m_boxes;
  std::vector<std::string> m_codes;
};

}  // namespace

std::unique_ptr<PointSearch> makeBruteForceSearch(std::span<const geo::Point> xy) {
  return std::make_unique<BruteForceSearch>(xy);
}

std::unique_ptr<Locator> makeBruteForceLocator(const model::District& district) {
  return std::make_unique<BruteForceLocator>(district);
}

bool coversPoint(const geo::Polygon& polygon, const geo::Point& p) {
  return geo::covers(polygon, p);
}

bool withinRadius(const geo::Point& c, double r, const geo::Point& p) {
  if (!std::isfinite(p.x) || !std::isfinite(p.y)) return false;
  if (std::isinf(r)) return true;
  const long double dx = static_cast<long double>(p.x) - c.x;
  const long double dy = static_cast<long double>(p.y) - c.y;
  return dx * dx + dy * dy <= static_cast<long double>(r) * r;
}

}  // namespace gridtwin::query
