#include "pgstore/gpkg_export.h"

#include <chrono>
#include <map>
#include <optional>
#include <vector>

#include "geo/wkb.h"
#include "pgstore/binary_copy.h"
#include "pgstore/connection.h"
#include "pgstore/migrations.h"
#include "store/gpkg_writer.h"

namespace gridtwin::pgstore {

using core::ErrorCode;
using core::makeError;

namespace {

std::optional<store::GeometryType> writerType(const std::optional<std::string>& gpkgName) {
  if (!gpkgName) return store::GeometryType::kNone;
  static const std::map<std::string, store::GeometryType> m = {
      {"POINT", store::GeometryType::kPoint},
      {"LINESTRING", store::GeometryType::kLineString},
      {"POLYGON", store::GeometryType::kPolygon},
      {"MULTIPOLYGON", store::GeometryType::kMultiPolygon},
      {"MULTILINESTRING", store::GeometryType::kMultiLineString}};
  auto it = m.find(*gpkgName);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

core::Result<void> setGeometry(store::GpkgWriter& w, const geo::Geometry& g) {
  if (auto* p = std::get_if<geo::Point>(&g)) {
    w.setPoint(*p);
  } else if (auto* l = std::get_if<geo::LineString>(&g)) {
    w.setLineString(*l);
  } else if (auto* pg = std::get_if<geo::Polygon>(&g)) {
    w.setPolygon(*pg);
  } else if (auto* mp = std::get_if<geo::MultiPolygon>(&g)) {
    w.setMultiPolygon(*mp);
  } else if (auto* ml = std::get_if<geo::MultiLineString>(&g)) {
    w.setMultiLineString(ml->lines);
  } else {
    return makeError(ErrorCode::kUnsupported, "a geometry type the GeoPackage writer lacks");
  }
  return {};
}

}  // namespace

core::Result<ExportReport> exportGeoPackage(const std::string& url, const std::string& gpkgPath) {
  const auto started = std::chrono::steady_clock::now();
  auto conn = Connection::open(url);
  if (!conn) return conn.takeError();
  Connection& c = *conn;
  auto version = schemaVersion(c);
  if (!version) return version.takeError();
  if (*version == 0) return makeError(ErrorCode::kStore, "no gridtwin dataset here", c.place());
  // One snapshot for the whole export.
  if (auto r = c.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "export"); !r)
    return r.takeError();
  auto tables = c.query(
      "SELECT name, kind, geometry_type, description, view_sql FROM gridtwin.dataset_tables"
      " ORDER BY kind, position",
      {}, "reading the dataset's tables");
  if (!tables) return tables.takeError();
  if (tables->rows() == 0)
    return makeError(ErrorCode::kStore, "no dataset has been ingested", c.place());

  auto writer = store::GpkgWriter::create(gpkgPath);
  if (!writer) return writer.takeError();
  store::GpkgWriter& w = *writer;
  ExportReport report;
  for (int t = 0; t < tables->rows(); ++t) {
    const std::string name(tables->text(t, 0));
    const bool view = tables->text(t, 1) == "view";
    const auto type = writerType(tables->value(t, 2));
    const std::string where = c.place() + ": table " + name;
    if (!type) {
      return makeError(ErrorCode::kUnsupported,
                       "geometry type " + tables->value(t, 2).value_or("") +
                           " cannot be written to the GeoPackage",
                       where);
    }
    const std::string description = tables->value(t, 3).value_or("");
    if (view) {
      if (auto r = w.addView(name, tables->value(t, 4).value_or(""), *type, description); !r)
        return std::move(r.takeError()).withContext(where);
      ++report.views;
      continue;
    }
    auto cols = c.query(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = 'gridtwin' AND table_name = $1 AND column_name NOT IN ('fid', "
        "'geom')"
        " ORDER BY ordinal_position",
        {name}, "reading the columns of " + name);
    if (!cols) return cols.takeError();
    store::TableSpec spec{name, *type, {}, description, true};
    std::string select = "SELECT ";
    for (int i = 0; i < cols->rows(); ++i) {
      const std::string col(cols->text(i, 0));
      const std::string_view dt = cols->text(i, 1);
      store::FieldType ft = store::FieldType::kText;
      std::string expr = Connection::quoteIdentifier(col) + "::text";
      if (dt == "bigint" || dt == "integer" || dt == "smallint") {
        ft = store::FieldType::kInteger;
        expr = Connection::quoteIdentifier(col) + "::bigint";
      } else if (dt == "double precision" || dt == "real" || dt == "numeric") {
        ft = store::FieldType::kReal;
        expr = Connection::quoteIdentifier(col) + "::float8";
      }
      spec.fields.push_back({col, ft});
      select += (i ? ", " : "") + expr;
    }
    if (*type != store::GeometryType::kNone)
      select += std::string(cols->rows() ? ", " : "") + "ST_AsBinary(geom)";
    if (cols->rows() == 0 && *type == store::GeometryType::kNone) select += "fid";
    select += " FROM gridtwin." + Connection::quoteIdentifier(name) + " ORDER BY fid";
    if (auto r = w.addTable(spec); !r) return std::move(r.takeError()).withContext(where);
    const int nFields = cols->rows();
    const bool hasGeometry = *type != store::GeometryType::kNone;
    std::int64_t row = 0;
    detail::BinaryCopyReader reader([&](std::span<const detail::Field> f) -> core::Result<void> {
      ++row;
      for (int i = 0; i < nFields; ++i) {
        const auto& v = f[static_cast<std::size_t>(i)];
        if (v.null()) {
          w.setNull(i);
        } else if (spec.fields[static_cast<std::size_t>(i)].type == store::FieldType::kInteger) {
          w.setInt(i, v.int8());
        } else if (spec.fields[static_cast<std::size_t>(i)].type == store::FieldType::kReal) {
          w.setReal(i, v.float8());
        } else {
          w.setText(i, v.text());
        }
      }
      if (hasGeometry) {
        const auto& g = f[static_cast<std::size_t>(nFields)];
        if (g.null()) {
          w.clearGeometry();
        } else {
          auto geom = geo::readWkb(g.bytes(), where + ", row " + std::to_string(row));
          if (!geom) return geom.takeError();
          if (auto s = setGeometry(w, *geom); !s)
            return std::move(s.takeError()).withContext(where + ", row " + std::to_string(row));
        }
      }
      return w.writeRow();
    });
    if (auto r = c.copyOut(
            "COPY (" + select + ") TO STDOUT (FORMAT binary)",
            [&](std::span<const char> chunk) { return reader.feed(chunk); }, "exporting " + name);
        !r) {
      return r.takeError();
    }
    report.rows += reader.rows();
    ++report.tables;
  }
  (void)c.execute("COMMIT");
  if (auto r = w.commit(); !r) return r.takeError();
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace gridtwin::pgstore
