#pragma once
// Output projection: the generator works in EPSG:4547 metres and writes
// EPSG:4490 lon,lat. Not thread-safe (one PROJ context inside).
#include <span>
#include <utility>

#include "crs/transformer.h"
#include "geo/types.h"

namespace gridtwin::generator {

class Output {
 public:
  explicit Output(crs::Transformer t) : m_t(std::move(t)) {}
  core::Result<geo::Point> point(geo::Point p) const { return m_t.transform(p); }
  core::Result<void> ring(geo::Ring& r) const { return m_t.transform(std::span<geo::Point>(r)); }
  core::Result<geo::Polygon> polygon(geo::Polygon p) const {
    if (auto r = ring(p.outer); !r) return r.takeError();
    for (auto& h : p.holes) {
      if (auto r = ring(h); !r) return r.takeError();
    }
    return p;
  }
  core::Result<geo::MultiPolygon> multi(geo::MultiPolygon m) const {
    for (auto& p : m.polygons) {
      auto r = polygon(std::move(p));
      if (!r) return r.takeError();
      p = std::move(*r);
    }
    return m;
  }

 private:
  crs::Transformer m_t;
};

}  // namespace gridtwin::generator
