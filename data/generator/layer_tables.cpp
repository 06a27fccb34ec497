#include "layer_tables.h"

#include <cmath>
#include <map>
#include <variant>

#include "crs/transformer.h"
#include "geo/algorithms.h"
#include "geo/geometry.h"
#include "geo/geos.h"
#include "projection.h"
#include "store/gpkg_writer.h"

namespace gridtwin::generator {
namespace {

using core::ErrorCode;
using core::makeError;
using layers::SourceKind;
using store::FieldType;
using store::GeometryType;

// How a base kind reads from the dataset: its table, the expressions giving
// a layer's `ref` and `name` columns, and its geometry type. People have no
// geometry of their own: they are shown at their house, and only their tags
// (never names or ID numbers) reach a layer.
struct BaseTable {
  const char* table;
  const char* from;  // FROM clause, alias b
  const char* geom;
  const char* ref;
  const char* name;
  GeometryType geometry;
};

BaseTable baseOf(SourceKind kind) {
  switch (kind) {
    case SourceKind::kDistrict:
      return {"district", "district b", "b.geom", "b.name", "b.name", GeometryType::kMultiPolygon};
    case SourceKind::kStreets:
      return {"streets", "streets b", "b.geom", "b.code", "b.name", GeometryType::kMultiPolygon};
    case SourceKind::kCommunities:
      return {"communities", "communities b", "b.geom",
              "b.code",      "b.name",        GeometryType::kMultiPolygon};
    case SourceKind::kGrids:
      return {"grids", "grids b", "b.geom", "b.code", "b.name", GeometryType::kMultiPolygon};
    case SourceKind::kRoads:
      return {"roads",  "roads b",
              "b.geom", "CAST(b.road_id AS TEXT)",
              "b.name", GeometryType::kMultiLineString};
    case SourceKind::kRail:
      return {"rail", "rail b", "b.geom", "b.kind", "b.name", GeometryType::kLineString};
    case SourceKind::kBuildings:
      return {"buildings",    "buildings b",         "b.geom", "CAST(b.building_id AS TEXT)",
              "b.use_detail", GeometryType::kPolygon};
    case SourceKind::kAddresses:
      return {"addresses",      "addresses b", "b.geom",
              "b.address_code", "b.full_text", GeometryType::kPoint};
    case SourceKind::kHouses:
      return {"houses",      "houses b",          "b.geom", "CAST(b.house_id AS TEXT)",
              "b.occupancy", GeometryType::kPoint};
    case SourceKind::kPeople:
      return {"people", "people b JOIN houses h ON h.house_id = b.house_id",
              "h.geom", "b.grid_code",
              "b.tags", GeometryType::kPoint};
    case SourceKind::kEntities:
      return {"entities", "entities b", "b.geom", "b.credit_code", "b.name", GeometryType::kPoint};
    case SourceKind::kFacilities:
      return {"facilities",  "facilities b",      "b.geom", "CAST(b.facility_id AS TEXT)",
              "b.type_name", GeometryType::kPoint};
    case SourceKind::kEvents:
      return {"events",       "events b",        "b.geom",
              "b.event_code", "b.category_name", GeometryType::kPoint};
    case SourceKind::kPoi:
      return {"poi", "poi b", "b.geom", "b.kind", "b.name", GeometryType::kPoint};
    case SourceKind::kLanduse:
      return {"landuse",     "landuse b", "b.geom",
              "b.grid_code", "b.kind",    GeometryType::kMultiPolygon};
    case SourceKind::kPlan:
      return {"plan_zones",  "plan_zones b", "b.geom",
              "b.grid_code", "b.kind",       GeometryType::kMultiPolygon};
    case SourceKind::kWater:
      return {"water", "water b", "b.geom", "b.kind", "b.name", GeometryType::kMultiPolygon};
    case SourceKind::kGreen:
      return {"green", "green b", "b.geom", "b.kind", "b.name", GeometryType::kMultiPolygon};
    case SourceKind::kPipes:
      return {"pipes", "pipes b", "b.geom", "b.road", "b.kind", GeometryType::kLineString};
  }
  return {"district", "district b", "b.geom", "b.name", "b.name", GeometryType::kMultiPolygon};
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string anyOf(const std::string& column, const std::vector<std::string>& values) {
  std::string sql = column + " IN (";
  for (std::size_t i = 0; i < values.size(); ++i) sql += (i ? ", " : "") + quote(values[i]);
  return sql + ")";
}

core::Result<std::string> condition(SourceKind kind, const layers::SourceFilter& f) {
  const std::string& key = f.key;
  const bool eq = f.op == layers::FilterOp::kEqual;
  auto number = [&]() -> core::Result<long> {
    try {
      return std::stol(f.values.at(0));
    } catch (...) {
      return makeError(ErrorCode::kParse, "expected an integer for " + key);
    }
  };
  auto compare = [&](const std::string& column) -> core::Result<std::string> {
    auto n = number();
    if (!n) return n.takeError();
    return column + (f.op == layers::FilterOp::kAtLeast ? " >= " : " <= ") + std::to_string(*n);
  };
  switch (kind) {
    case SourceKind::kBuildings:
      if (key == "use")
        return "(" + anyOf("b.use", f.values) + " OR " + anyOf("b.use_detail", f.values) + ")";
      if (key == "floors")
        return eq ? anyOf("CAST(b.floors AS TEXT)", f.values) : compare("b.floors");
      if (key == "bim")
        return std::string(f.values.at(0) == "yes" ? "b.bim_model IS NOT NULL"
                                                   : "b.bim_model IS NULL");
      break;
    case SourceKind::kPeople:
      if (key == "tag") {
        std::string sql = "(";
        for (std::size_t i = 0; i < f.values.size(); ++i) {
          sql += (i ? " OR " : "") + std::string("(',' || b.tags || ',') LIKE ") +
                 quote("%," + f.values[i] + ",%");
        }
        return sql + ")";
      }
      if (key == "sex") {
        std::vector<std::string> zh;
        for (const auto& v : f.values) zh.push_back(v == "male" ? "男" : "女");
        return anyOf("b.sex", zh);
      }
      if (key == "age") {
        // Age on the reference day 2026-06-30: born on or before (year - n).
        auto n = number();
        if (!n) return n.takeError();
        const std::string day = std::to_string(2026 - *n) + "-06-30";
        return std::string(f.op == layers::FilterOp::kAtLeast ? "b.birth_date <= "
                                                              : "b.birth_date > ") +
               quote(f.op == layers::FilterOp::kAtLeast ? day
                                                        : std::to_string(2026 - *n - 1) + "-06-30");
      }
      break;
    case SourceKind::kEntities:
      if (key == "industry") return anyOf("b.industry", f.values);
      if (key == "credit") return anyOf("b.credit_color", f.values);
      if (key == "type") return anyOf("b.type", f.values);
      break;
    case SourceKind::kFacilities:
      if (key == "type") return anyOf("b.type", f.values);
      if (key == "purpose") return anyOf("b.purpose", f.values);
      if (key == "owner")
        return std::string(f.values.at(0) == "none" ? "b.owner_department IS NULL"
                                                    : "b.owner_department IS NOT NULL");
      break;
    case SourceKind::kEvents:
      if (key == "category") return anyOf("b.category", f.values);
      if (key == "source") return anyOf("b.source", f.values);
      if (key == "level") return anyOf("b.dispatch_level", f.values);
      if (key == "status") {
        return std::string(f.values.at(0) == "closed" ? "b.status = '评价结案'"
                                                      : "b.status <> '评价结案'");
      }
      if (key == "code") {
        std::string sql = "(";
        for (std::size_t i = 0; i < f.values.size(); ++i) {
          sql +=
              (i ? " OR " : "") + std::string("b.category_code LIKE ") + quote(f.values[i] + "%");
        }
        return sql + ")";
      }
      break;
    case SourceKind::kRoads:
      if (key == "class") return anyOf("b.class", f.values);
      break;
    case SourceKind::kAddresses:
      if (key == "level") return anyOf("b.level", f.values);
      break;
    case SourceKind::kHouses:
      if (key == "occupancy") return anyOf("b.occupancy", f.values);
      break;
    case SourceKind::kCommunities:
    case SourceKind::kGrids:
    case SourceKind::kRail:
    case SourceKind::kPoi:
    case SourceKind::kLanduse:
    case SourceKind::kPlan:
    case SourceKind::kWater:
    case SourceKind::kGreen:
    case SourceKind::kPipes:
      if (key == "kind") return anyOf("b.kind", f.values);
      break;
    case SourceKind::kDistrict:
    case SourceKind::kStreets:
      break;
  }
  return makeError(ErrorCode::kUnsupported, "the generator has no column for key '" + key +
                                                "' of " +
                                                std::string(layers::sourceKindSpec(kind).name));
}

geo::MultiPolygon polygonsOf(const geo::Geometry& g) {
  geo::MultiPolygon out;
  if (auto* p = std::get_if<geo::Polygon>(&g)) out.polygons.push_back(*p);
  if (auto* m = std::get_if<geo::MultiPolygon>(&g)) out = *m;
  return out;
}

}  // namespace

core::Result<std::string> layerFilterSql(const layers::LayerSource& source) {
  std::string sql;
  for (const auto& f : source.filters) {
    auto c = condition(source.kind, f);
    if (!c) return c.takeError();
    sql += (sql.empty() ? "" : " AND ") + *c;
  }
  return sql.empty() ? std::string("1") : sql;
}

core::Result<LayerTotals> writeLayerTables(store::GpkgWriter& w,
                                           const std::vector<layers::LayerSpec>& specs,
                                           const District& d, const Output& out) {
  LayerTotals totals;
  auto toMetricR = crs::Transformer::create(crs::kCgcs2000, crs::kGaussKruger114);
  if (!toMetricR) return toMetricR.takeError();
  const crs::Transformer& toMetric = *toMetricR;
  auto metric = [&](geo::Geometry g) -> core::Result<geo::Geometry> {
    core::Result<void> r;
    auto ring = [&](std::vector<geo::Point>& pts) {
      if (r) r = toMetric.transform(std::span<geo::Point>(pts));
    };
    if (auto* p = std::get_if<geo::Point>(&g)) {
      auto t = toMetric.transform(*p);
      if (!t) return t.takeError();
      *p = *t;
    } else if (auto* l = std::get_if<geo::LineString>(&g)) {
      ring(*l);
    } else if (auto* pg = std::get_if<geo::Polygon>(&g)) {
      ring(pg->outer);
      for (auto& h : pg->holes) ring(h);
    } else if (auto* m = std::get_if<geo::MultiPolygon>(&g)) {
      for (auto& part : m->polygons) {
        ring(part.outer);
        for (auto& h : part.holes) ring(h);
      }
    } else if (auto* ml = std::get_if<geo::MultiLineString>(&g)) {
      // Left in degrees, a road's 25 m buffer was 25 "degrees" wide and
      // landed near lon 109.5, lat 0 (issue 11.6: now a domain error).
      for (auto& line : ml->lines) ring(line);
    } else if (auto* mp = std::get_if<geo::MultiPoint>(&g)) {
      ring(mp->points);
    }
    if (!r) return r.takeError();
    return g;
  };
  // Units for densities, with their codes.
  std::map<std::string, std::string> communityOfGrid, streetOfCommunity;
  for (const auto& g : d.grids)
    communityOfGrid[g.code] = d.communities[static_cast<std::size_t>(g.parent)].code;
  for (const auto& c : d.communities)
    streetOfCommunity[c.code] = d.streets[static_cast<std::size_t>(c.parent)].code;

  std::vector<std::int64_t> counts(specs.size(), 0);
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const auto& spec = specs[i];
    const auto& src = spec.source;
    const std::string where =
        "layer " + spec.id + " (" + spec.table + ", line " + std::to_string(spec.line) + ")";
    const BaseTable base = baseOf(src.kind);
    auto filter = layerFilterSql(src);
    if (!filter) return std::move(filter.takeError()).withContext(where);
    const std::string select = std::string("SELECT b.fid AS fid, ") + base.geom + " AS geom, " +
                               base.ref + " AS ref, " + base.name + " AS name FROM " + base.from +
                               " WHERE " + *filter;
    const std::string description = spec.name + " — " + spec.category + " (" + src.text + ")";
    std::int64_t n = 0;
    if (src.op == layers::SourceOp::kSelect) {
      if (auto r = w.addView(spec.table, select, base.geometry, description); !r) {
        return std::move(r.takeError()).withContext(where);
      }
      auto r = w.query("SELECT count(*) FROM " + spec.table,
                       [&](const store::GpkgWriter::Row& row) -> core::Result<void> {
                         n = row.fields.empty() || !row.fields[0] ? 0 : std::stoll(*row.fields[0]);
                         return {};
                       });
      if (!r) return std::move(r.takeError()).withContext(where);
    } else if (src.op == layers::SourceOp::kDensity) {
      // Counts per unit through the records' grid codes.
      std::map<std::string, std::int64_t> perGrid;
      auto r = w.query("SELECT b.grid_code, count(*) FROM " + std::string(base.from) + " WHERE " +
                           *filter + " GROUP BY b.grid_code",
                       [&](const store::GpkgWriter::Row& row) -> core::Result<void> {
                         if (row.fields.size() == 2 && row.fields[0] && row.fields[1]) {
                           perGrid[*row.fields[0]] = std::stoll(*row.fields[1]);
                         }
                         return {};
                       });
      if (!r) return std::move(r.takeError()).withContext(where);
      std::map<std::string, std::int64_t> perUnit;
      for (const auto& [grid, c] : perGrid) {
        std::string unit = grid;
        if (src.densityUnit != SourceKind::kGrids) unit = communityOfGrid[grid];
        if (src.densityUnit == SourceKind::kStreets) unit = streetOfCommunity[unit];
        perUnit[unit] += c;
      }
      const auto& units = src.densityUnit == SourceKind::kGrids         ? d.grids
                          : src.densityUnit == SourceKind::kCommunities ? d.communities
                                                                        : d.streets;
      if (auto a = w.addTable({spec.table,
                               GeometryType::kMultiPolygon,
                               {{"ref", FieldType::kText},
                                {"name", FieldType::kText},
                                {"value", FieldType::kReal},
                                {"per_km2", FieldType::kReal}},
                               description,
                               true});
          !a) {
        return std::move(a.takeError()).withContext(where);
      }
      for (const auto& u : units) {
        const double c = static_cast<double>(perUnit[u.code]);
        w.setText(0, u.code);
        w.setText(1, u.name);
        w.setReal(2, c);
        w.setReal(3, u.area > 0 ? std::round(c / (u.area / 1e6) * 100) / 100 : 0);
        auto g = out.multi(u.shape);
        if (!g) return g.takeError();
        w.setMultiPolygon(*g);
        if (auto wr = w.writeRow(); !wr) return wr.takeError();
        ++n;
      }
    } else {
      // Buffer, centroid, boundary: read the selection back, compute in metres.
      std::vector<std::pair<std::string, std::string>> attrs;
      std::vector<geo::Geometry> shapes;
      auto r = w.query(select + " AND geom IS NOT NULL",
                       [&](const store::GpkgWriter::Row& row) -> core::Result<void> {
                         if (!row.geometry) return {};
                         auto m = metric(*row.geometry);
                         if (!m) return m.takeError();
                         shapes.push_back(std::move(*m));
                         attrs.emplace_back(
                             row.fields.size() > 1 && row.fields[1] ? *row.fields[1] : "",
                             row.fields.size() > 2 && row.fields[2] ? *row.fields[2] : "");
                         return {};
                       });
      if (!r) return std::move(r.takeError()).withContext(where);
      const GeometryType type = src.op == layers::SourceOp::kBuffer ? GeometryType::kMultiPolygon
                                : src.op == layers::SourceOp::kCentroid
                                    ? GeometryType::kPoint
                                    : GeometryType::kMultiLineString;
      if (auto a = w.addTable(
              {spec.table,
               type,
               {{"ref", FieldType::kText}, {"name", FieldType::kText}, {"value", FieldType::kReal}},
               description,
               true});
          !a) {
        return std::move(a.takeError()).withContext(where);
      }
      for (std::size_t k = 0; k < shapes.size(); ++k) {
        w.setText(0, attrs[k].first);
        w.setText(1, attrs[k].second);
        if (src.op == layers::SourceOp::kBuffer) {
          auto b = geo::buffer(shapes[k], src.bufferMetres, 8);
          if (!b) return std::move(b.takeError()).withContext(where);
          auto g = out.multi(polygonsOf(*b));
          if (!g) return g.takeError();
          w.setReal(2, src.bufferMetres);
          w.setMultiPolygon(*g);
        } else if (src.op == layers::SourceOp::kCentroid) {
          const geo::MultiPolygon m = polygonsOf(shapes[k]);
          if (m.polygons.empty()) continue;
          const geo::Polygon* largest = &m.polygons.front();
          for (const auto& p : m.polygons) {
            if (geo::area(p) > geo::area(*largest)) largest = &p;
          }
          auto c = out.point(geo::centroid(*largest));
          if (!c) return c.takeError();
          w.setReal(2, std::round(geo::area(m)));
          w.setPoint(*c);
        } else {
          std::vector<geo::LineString> lines;
          for (auto& p : polygonsOf(shapes[k]).polygons) {
            lines.push_back(p.outer);
            for (auto& h : p.holes) lines.push_back(h);
          }
          double len = 0;
          for (auto& l : lines) {
            len += geo::length(l);
            if (auto t = out.ring(l); !t) return t.takeError();
          }
          w.setReal(2, std::round(len));
          w.setMultiLineString(lines);
        }
        if (auto wr = w.writeRow(); !wr) return wr.takeError();
        ++n;
      }
    }
    counts[i] = n;
    totals.features += n;
    ++totals.layers;
  }

  if (auto a = w.addTable({"layer_catalog",
                           GeometryType::kNone,
                           {{"layer_id", FieldType::kText},
                            {"table_name", FieldType::kText},
                            {"name", FieldType::kText},
                            {"category", FieldType::kText},
                            {"geometry_type", FieldType::kText},
                            {"source", FieldType::kText},
                            {"style", FieldType::kText},
                            {"min_scale", FieldType::kInteger},
                            {"max_scale", FieldType::kInteger},
                            {"owner_department", FieldType::kText},
                            {"feature_count", FieldType::kInteger}},
                           "图层目录 the catalogue of map layers",
                           true});
      !a) {
    return a.takeError();
  }
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const auto& s = specs[i];
    w.setText(0, s.id);
    w.setText(1, s.table);
    w.setText(2, s.name);
    w.setText(3, s.category);
    w.setText(4, std::string(layers::geometryTypeName(s.geometryType)));
    w.setText(5, s.source.text);
    w.setText(6, s.styleJson);
    w.setInt(7, s.minScale);
    w.setInt(8, s.maxScale);
    w.setText(9, s.ownerDepartment);
    w.setInt(10, counts[i]);
    if (auto wr = w.writeRow(); !wr) return wr.takeError();
  }
  return totals;
}

}  // namespace gridtwin::generator
