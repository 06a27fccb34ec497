#include "pgstore/ingest.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <vector>

#include "pgstore/connection.h"
#include "pgstore/migrations.h"
#include "store/vector_file.h"

namespace gridtwin::pgstore {

using core::ErrorCode;
using core::makeError;

namespace {

constexpr int kSrid = 4490;
constexpr const char* kIngestLock = "7453451866264596335";

// The schema's own tables (001_schema.sql), in load order (links point to
// earlier ones, except buildings <-> addresses, checked at the end).
const std::vector<std::string>& coreTables() {
  static const std::vector<std::string> t = {
      "streets",   "communities", "grids",    "staff",      "roads",  "buildings",    "houses",
      "addresses", "people",      "entities", "facilities", "events", "layer_catalog"};
  return t;
}
// Names a source may not use: the schema's bookkeeping and views.
bool reservedName(const std::string& name) {
  static const std::set<std::string> r = {
      "dataset_tables",  "schema_version", "grid_heads",      "role_scopes", "people_masked",
      "entities_masked", "staff_masked",   "buildings_edit",  "houses_edit", "addresses_edit",
      "people_edit",     "entities_edit",  "facilities_edit", "events_edit"};
  return r.count(name) > 0;
}

std::string postgisTypeName(const std::string& gpkgName) {
  static const std::map<std::string, std::string> m = {
      {"POINT", "Point"},
      {"LINESTRING", "LineString"},
      {"POLYGON", "Polygon"},
      {"MULTIPOINT", "MultiPoint"},
      {"MULTILINESTRING", "MultiLineString"},
      {"MULTIPOLYGON", "MultiPolygon"},
      {"GEOMETRYCOLLECTION", "GeometryCollection"}};
  auto it = m.find(gpkgName);
  return it == m.end() ? "Geometry" : it->second;
}

std::string lowerAscii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The SELECT of a GeoPackage view, or "" when `name` is not a view.
std::string sourceViewSelect(const store::VectorFile& file, const std::string& name) {
  const std::string sql = file.sqliteViewSql(name);
  if (sql.empty()) return {};
  // "CREATE VIEW <name> AS SELECT ...": the first SELECT keyword.
  std::string upper = sql;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto at = upper.find("SELECT");
  if (at == std::string::npos) return {};
  std::string select = sql.substr(at);
  while (!select.empty() &&
         (select.back() == ';' || std::isspace(static_cast<unsigned char>(select.back()))))
    select.pop_back();
  return select;
}

// SQLite's "WHERE 1" (the generator's empty filter) in PostgreSQL's words.
std::string postgresSelect(std::string select) {
  const std::string tail = " WHERE 1";
  if (select.size() >= tail.size() &&
      select.compare(select.size() - tail.size(), tail.size(), tail) == 0)
    select.replace(select.size() - 1, 1, "true");
  return select;
}

class Ingest {
 public:
  Ingest(std::string url, std::string source, const IngestOptions& options)
      : m_url(std::move(url)), m_source(std::move(source)), m_options(options) {}

  core::Result<IngestReport> run() {
    const auto started = std::chrono::steady_clock::now();
    std::error_code ec;
    if (m_source.find(':') == std::string::npos && !std::filesystem::exists(m_source, ec))
      return makeError(ErrorCode::kNotFound, "no such file", m_source);
    auto file = store::VectorFile::open(m_source);
    if (!file) {
      core::Error e = file.takeError();
      e.code = ErrorCode::kStore;  // ingest's own code for a source it cannot read
      return e;
    }
    m_isGpkg = file->driverName() == "GPKG";

    auto conn = Connection::open(m_url);
    if (!conn) return conn.takeError();
    m_c = &*conn;
    if (auto m = migrate(*m_c); !m) return m.takeError();
    if (auto r = readCoreColumns(); !r) return r.takeError();

    auto loaded = load(*file);
    if (!loaded) {
      (void)m_c->execute("ROLLBACK");
      return loaded.takeError();
    }
    m_report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return m_report;
  }

 private:
  using Clock = std::chrono::steady_clock;

  core::Result<void> readCoreColumns() {
    auto r = m_c->query(
        "SELECT table_name, column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = 'gridtwin' ORDER BY table_name, ordinal_position",
        {}, "reading the schema's columns");
    if (!r) return r.takeError();
    for (int i = 0; i < r->rows(); ++i) {
      m_columns[std::string(r->text(i, 0))].emplace(std::string(r->text(i, 1)),
                                                    std::string(r->text(i, 2)));
    }
    return {};
  }

  bool isCore(const std::string& name) const {
    return std::find(coreTables().begin(), coreTables().end(), name) != coreTables().end();
  }

  core::Result<void> load(const store::VectorFile& file) {
    const auto t0 = Clock::now();
    // Index builds sort in memory when they can (a server's default is 64 MB;
    // the largest sort here, events' keys, needs about 200 MB).
    if (auto r = m_c->execute("BEGIN; SET LOCAL search_path = gridtwin, public;"
                              " SET LOCAL maintenance_work_mem = '512MB'; SELECT "
                              "pg_advisory_xact_lock(" +
                                  std::string(kIngestLock) + ")",
                              "starting the ingest transaction");
        !r) {
      return r;
    }
    // Drop what the previous ingest created beside the schema's tables.
    auto previous = m_c->query(
        "SELECT name, kind FROM gridtwin.dataset_tables WHERE NOT core ORDER BY kind DESC, "
        "position",
        {}, "reading the previous dataset's tables");
    if (!previous) return previous.takeError();
    for (int i = 0; i < previous->rows(); ++i) {
      const std::string what = previous->text(i, 1) == "view" ? "VIEW" : "TABLE";
      if (auto r = m_c->execute("DROP " + what + " IF EXISTS gridtwin." +
                                    Connection::quoteIdentifier(previous->text(i, 0)) + " CASCADE",
                                "dropping the previous " + std::string(previous->text(i, 0)));
          !r) {
        return r;
      }
    }
    std::string truncate = "TRUNCATE";
    for (std::size_t i = 0; i < coreTables().size(); ++i)
      truncate += (i ? ", gridtwin." : " gridtwin.") + coreTables()[i];
    if (auto r = m_c->execute("SELECT gridtwin.bulk_load_begin(); " + truncate +
                                  "; DELETE FROM gridtwin.dataset_tables",
                              "emptying the registers");
        !r) {
      return r;
    }
    const int layers = file.layerCount();
    std::vector<std::string> loadedTables;
    for (int i = 0; i < layers; ++i) {
      const store::VectorLayer layer = file.layer(i);
      const std::string name = layer.name();
      auto r = loadLayer(file, layer, name, i);
      if (!r) return std::move(r.takeError()).withContext(m_source + ": layer " + name);
      // The registers get their statistics now (the planner needs them for
      // the scope policies and the loader); the layer tables, mostly small
      // and read whole, get them from autovacuum after the commit: ANALYZE
      // of all 49 tables cost ~8 s of the full ingest, of which ~2 s for these.
      if (*r && isCore(name)) loadedTables.push_back(name);
    }
    const auto t1 = Clock::now();
    if (auto r =
            m_c->execute("SELECT gridtwin.bulk_load_end()", "rebuilding keys, indexes and links");
        !r) {
      return r;
    }
    for (const auto& t : loadedTables) {
      if (auto r =
              m_c->execute("ANALYZE gridtwin." + Connection::quoteIdentifier(t), "ANALYZE " + t);
          !r) {
        return r;
      }
    }
    if (auto r = m_c->execute("COMMIT", "committing the ingest"); !r) return r;
    const auto t2 = Clock::now();
    m_report.copySeconds = std::chrono::duration<double>(t1 - t0).count();
    m_report.indexSeconds = std::chrono::duration<double>(t2 - t1).count();
    return {};
  }

  // Loads one layer; true when it became a table (to ANALYZE).
  core::Result<bool> loadLayer(const store::VectorFile& file, const store::VectorLayer& layer,
                               const std::string& name, int position) {
    if (name.empty()) return makeError(ErrorCode::kStore, "a layer without a name");
    if (reservedName(name)) {
      return makeError(ErrorCode::kStore,
                       "the name is reserved by the gridtwin schema; rename the layer");
    }
    const bool hasGeometry = layer.hasGeometry();
    const std::string geomType = hasGeometry ? layer.geometryType() : "";
    if (hasGeometry) {
      if (const auto crs = layer.crs()) {
        const bool ok = crs->authority == "EPSG" && (crs->code == "4490" || crs->code == "4326");
        if (!ok) {
          return makeError(
              ErrorCode::kStore,
              "the layer's CRS is " + (crs->authority.empty() ? "?" : crs->authority) + ":" +
                  (crs->code.empty() ? "?" : crs->code) +
                  "; gridtwin stores EPSG:4490: reproject it first (ogr2ogr -t_srs EPSG:4490)");
        }
      }
    }
    const std::string description = layer.description();
    const bool core = isCore(name);
    std::string viewSql;
    bool asView = false;
    if (!core && m_isGpkg) {
      viewSql = sourceViewSelect(file, name);
      if (!viewSql.empty()) {
        auto v = tryView(name, viewSql);
        if (!v) return v.takeError();
        asView = *v;
      }
    }
    if (auto r = m_c->query(
            "INSERT INTO gridtwin.dataset_tables (position, name, kind, geometry_type, "
            "description, view_sql, core) VALUES ($1::int, $2, $3, $4, $5, $6, $7::boolean)",
            {std::to_string(position), name, std::string(asView ? "view" : "table"),
             hasGeometry ? std::optional<std::string>(geomType) : std::nullopt, description,
             viewSql.empty() ? std::nullopt : std::optional<std::string>(viewSql),
             std::string(core ? "true" : "false")},
            "recording the layer");
        !r) {
      return r.takeError();
    }
    if (asView) {
      ++m_report.views;
      if (m_options.progress) m_options.progress(name, 0);
      return false;
    }

    // Columns: fid, the fields, geom.
    const std::string table = "gridtwin." + Connection::quoteIdentifier(name);
    const std::vector<store::FieldDef> fieldDefs = layer.fields();
    const int fields = static_cast<int>(fieldDefs.size());
    std::string columns = "fid";
    std::string create = "CREATE TABLE " + table + " (fid bigint NOT NULL";
    for (const store::FieldDef& def : fieldDefs) {
      const std::string& field = def.name;
      const std::string lower = lowerAscii(field);
      if (lower == "fid" || lower == "geom")
        return makeError(ErrorCode::kStore,
                         "field '" + field + "' clashes with gridtwin's own column");
      if (core && !m_columns[name].count(field)) {
        return makeError(ErrorCode::kStore,
                         "field '" + field + "' has no column in the schema's table " + name);
      }
      columns += ", " + Connection::quoteIdentifier(field);
      create += ", " + Connection::quoteIdentifier(field) +
                (def.type == store::FieldType::kInteger ? " bigint"
                 : def.type == store::FieldType::kReal  ? " double precision"
                                                        : " text");
    }
    if (hasGeometry) {
      if (core && !m_columns[name].count("geom"))
        return makeError(ErrorCode::kStore, "the schema's table " + name + " has no geometry");
      columns += ", geom";
      create += ", geom geometry(" + postgisTypeName(geomType) + ", " + std::to_string(kSrid) + ")";
    }
    create += ")";
    if (!core) {
      if (auto r = m_c->execute(create, "creating the table"); !r) return r.takeError();
    }

    std::vector<std::uint8_t> wkb;
    auto copied = m_c->copyIn(
        "COPY " + table + " (" + columns + ") FROM STDIN",
        [&](Connection::CopyIn& in) -> core::Result<void> {
          return layer.forEachFeature([&](const store::VectorFeature& f) -> core::Result<void> {
            in.integer(f.fid());
            for (int k = 0; k < fields; ++k) {
              const store::FieldType type = fieldDefs[static_cast<std::size_t>(k)].type;
              if (f.isNull(k)) {
                in.null();
              } else if (type == store::FieldType::kInteger) {
                in.integer(f.integer(k));
              } else if (type == store::FieldType::kReal) {
                in.real(f.real(k));
              } else {
                in.text(f.text(k));
              }
            }
            if (hasGeometry) {
              if (!f.hasGeometry()) {
                in.null();
              } else {
                if (!f.wkb(wkb)) {
                  return makeError(ErrorCode::kGeometry, "cannot write the geometry as WKB",
                                   "fid " + std::to_string(f.fid()));
                }
                in.geometry(wkb, kSrid);
              }
            }
            return in.endRow();
          });
        },
        "COPY into " + name);
    if (!copied) return copied.takeError();
    m_report.rows += *copied;
    ++m_report.tables;
    if (!core) {
      std::string post = "ALTER TABLE " + table + " ADD PRIMARY KEY (fid)";
      if (hasGeometry) {
        post += "; CREATE INDEX ON " + table + " USING gist (geom)";
      }
      if (auto r = m_c->execute(post, "indexing the table"); !r) return r.takeError();
    }
    if (m_options.progress) m_options.progress(name, *copied);
    return true;
  }

  // Recreates a GeoPackage view; false (and nothing changed) when
  // PostgreSQL refuses its SELECT or it reaches beyond the gridtwin schema's
  // tables or calls a function: then the caller loads its rows instead.
  core::Result<bool> tryView(const std::string& name, const std::string& select) {
    if (auto r = m_c->execute("SAVEPOINT gridtwin_view", "view " + name); !r) return r.takeError();
    const std::string qualified = "gridtwin." + Connection::quoteIdentifier(name);
    // query() uses the extended protocol: one statement only, whatever the text holds.
    bool ok = static_cast<bool>(m_c->query(
        "CREATE VIEW " + qualified + " WITH (security_invoker = true) AS " + postgresSelect(select),
        {}, "view " + name));
    if (ok) {
      auto foreign = m_c->query(
          "SELECT count(*) FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid"
          " WHERE r.ev_class = $1::regclass AND (d.refclassid = 'pg_proc'::regclass OR"
          " (d.refclassid = 'pg_class'::regclass AND d.refobjid <> $1::regclass AND"
          "  (SELECT relnamespace FROM pg_class WHERE oid = d.refobjid) <>"
          "  'gridtwin'::regnamespace))",
          {qualified}, "checking view " + name);
      ok = foreign && foreign->text(0, 0) == "0";
    }
    if (ok) {
      if (auto r = m_c->execute("RELEASE SAVEPOINT gridtwin_view", "view " + name); !r)
        return r.takeError();
      return true;
    }
    if (auto r = m_c->execute(
            "ROLLBACK TO SAVEPOINT gridtwin_view; RELEASE SAVEPOINT gridtwin_view", "view " + name);
        !r) {
      return r.takeError();
    }
    return false;
  }

  std::string m_url;
  std::string m_source;
  const IngestOptions& m_options;
  Connection* m_c = nullptr;
  bool m_isGpkg = false;
  std::map<std::string, std::map<std::string, std::string>> m_columns;
  IngestReport m_report;
};

}  // namespace

core::Result<IngestReport> ingest(const std::string& url, const std::string& source,
                                  const IngestOptions& options) {
  Ingest job(url, source, options);
  return job.run();
}

}  // namespace gridtwin::pgstore
