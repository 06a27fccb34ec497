#include "geom_ops.h"

#include <variant>

#include "geo/geometry.h"
#include "geo/geos.h"

namespace gridtwin::generator {
namespace {

geo::MultiPolygon polygonalParts(geo::Geometry&& g) {
  geo::MultiPolygon out;
  struct Collect {
    geo::MultiPolygon& out;
    void operator()(geo::Polygon& p) { out.polygons.push_back(std::move(p)); }
    void operator()(geo::MultiPolygon& m) {
      for (auto& p : m.polygons) out.polygons.push_back(std::move(p));
    }
    void operator()(geo::GeometryCollection& c) {
      for (auto& g : c.geometries) std::visit(*this, g);
    }
    // Points and lines that an overlay may produce are dropped.
    void operator()(geo::Point&) {}
    void operator()(geo::LineString&) {}
    void operator()(geo::MultiPoint&) {}
    void operator()(geo::MultiLineString&) {}
  };
  std::visit(Collect{out}, g);
  return out;
}

}  // namespace

core::Result<std::vector<geo::Polygon>> voronoiCells(const std::vector<geo::Point>& sites,
                                                     const geo::Box& envelope) {
  return geo::voronoi(sites, envelope);
}

core::Result<geo::MultiPolygon> intersect(const geo::MultiPolygon& a, const geo::MultiPolygon& b) {
  auto r = geo::intersection(geo::Geometry(a), geo::Geometry(b));
  if (!r) return r.takeError();
  return polygonalParts(std::move(*r));
}

core::Result<geo::MultiPolygon> unite(const std::vector<geo::MultiPolygon>& parts) {
  std::vector<geo::Geometry> geoms(parts.begin(), parts.end());
  auto r = geo::unionAll(geoms);
  if (!r) return r.takeError();
  return polygonalParts(std::move(*r));
}

core::Result<geo::MultiPolygon> inset(const geo::Polygon& polygon, double distance) {
  auto r = geo::buffer(geo::Geometry(polygon), -distance, 2);
  if (!r) return r.takeError();
  return polygonalParts(std::move(*r));
}

}  // namespace gridtwin::generator
