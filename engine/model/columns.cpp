#include "model/columns.h"

#include <cassert>
#include <cmath>
#include <limits>

namespace gridtwin::model {

std::uint32_t StringPool::append(std::string_view s) {
  auto r = checkedAppend(s);
  assert(r.ok());
  return r.ok() ? *r : 0;
}

core::Result<std::uint32_t> StringPool::checkedAppend(std::string_view s) {
  if (bytes.size() + s.size() > std::numeric_limits<std::uint32_t>::max()) {
    return core::makeError(core::ErrorCode::kInvalidArgument,
                           "string pool exceeds 4 GiB (32-bit offsets)");
  }
  bytes.insert(bytes.end(), s.begin(), s.end());
  offsets.push_back(static_cast<std::uint32_t>(bytes.size()));
  return static_cast<std::uint32_t>(offsets.size() - 2);
}

void StringPool::reserve(std::size_t strings, std::size_t totalBytes) {
  offsets.reserve(strings + 1);
  bytes.reserve(totalBytes);
}

StringInterner::StringInterner(StringPool& pool) : m_pool(pool) {
  for (std::size_t i = 0; i < pool.size(); ++i) {
    m_index.emplace(std::string(pool[i]), static_cast<std::uint32_t>(i));
  }
}

std::uint32_t StringInterner::intern(std::string_view s) {
  if (auto it = m_index.find(std::string(s)); it != m_index.end()) return it->second;
  const std::uint32_t i = m_pool.append(s);
  m_index.emplace(std::string(s), i);
  return i;
}

geo::MultiPolygon xyShape(const PolygonColumns<Viewed>& shape, std::size_t f) {
  geo::MultiPolygon mp;
  for (std::uint32_t part = shape.partStart[f]; part < shape.partStart[f + 1]; ++part) {
    geo::Polygon polygon;
    for (std::uint32_t r = shape.ringStart[part]; r < shape.ringStart[part + 1]; ++r) {
      geo::Ring ring(shape.xy.begin() + shape.pointStart[r],
                     shape.xy.begin() + shape.pointStart[r + 1]);
      if (r == shape.ringStart[part]) {
        polygon.outer = std::move(ring);
      } else {
        polygon.holes.push_back(std::move(ring));
      }
    }
    mp.polygons.push_back(std::move(polygon));
  }
  return mp;
}

bool isMissing(const geo::Point& p) { return std::isnan(p.x) && std::isnan(p.y); }

geo::Point missingPoint() {
  return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
}

}  // namespace gridtwin::model
