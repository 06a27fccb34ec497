#include "pgstore/loader.h"

#include <optional>
#include <vector>

#include "pgstore/binary_copy.h"
#include "pgstore/connection.h"
#include "pgstore/migrations.h"
#include "store/decode.h"
#include "store/table_reader.h"

namespace gridtwin::pgstore {
namespace {

using core::ErrorCode;
using core::makeError;
using detail::Field;
using store::Column;
using store::ColumnType;

// How a table's columns are selected: each spec column's first field (a
// point takes two, x and y), after the fid in field 0.
struct Selection {
  std::string sql;              // COPY (SELECT fid::int8, ... ORDER BY fid) TO STDOUT (binary)
  std::vector<std::size_t> at;  // spec column -> its first field
  std::size_t fields = 1;       // fields per row, the fid included
};

Selection select(const store::TableSpec& spec) {
  Selection s;
  s.sql = "COPY (SELECT fid::int8";
  for (const store::ColumnSpec& c : spec.columns()) {
    s.at.push_back(s.fields);
    switch (c.type) {
      case ColumnType::kInteger:
        s.sql += ", " + c.name + "::int8";
        break;
      case ColumnType::kReal:
        s.sql += ", " + c.name + "::float8";
        break;
      case ColumnType::kText:
        s.sql += ", " + c.name + "::text";
        break;
      case ColumnType::kPolygons:
      case ColumnType::kLines:
        s.sql += ", ST_AsBinary(" + c.name + ")";
        break;
      case ColumnType::kPoint:
        s.sql += ", ST_X(" + c.name + "), ST_Y(" + c.name + ")";
        ++s.fields;
        break;
    }
    ++s.fields;
  }
  s.sql += " FROM gridtwin." + spec.table() + " ORDER BY fid) TO STDOUT (FORMAT binary)";
  return s;
}

// One row of a scan, over the fields of its binary COPY row.
class PgRow final : public store::Row {
 public:
  PgRow(const std::string& place, const store::TableSpec& spec, const Selection& selection,
        std::span<const Field> f)
      : m_place(place), m_spec(spec), m_selection(selection), m_f(f) {}

  std::int64_t fid() const override { return m_f[0].int8(); }
  std::string place(Column c) const override {
    return m_place + ", fid " + std::to_string(fid()) + ", column " + m_spec.column(c).name;
  }
  bool isNull(Column c) const override { return field(c).null(); }
  std::string_view text(Column c) const override { return field(c).text(); }
  core::Result<std::int64_t> integer(Column c) const override {
    if (isNull(c)) return fail(c, ErrorCode::kStore, "NULL where a value is required");
    return field(c).int8();
  }
  core::Result<double> real(Column c) const override {
    if (isNull(c)) return fail(c, ErrorCode::kStore, "NULL where a value is required");
    return field(c).float8();
  }
  core::Result<void> appendPolygons(Column c,
                                    model::PolygonColumns<model::Owned>& out) const override {
    return store::decode::appendPolygons(field(c).bytes(), out);
  }
  core::Result<void> appendLines(Column c, model::LineColumns<model::Owned>& out) const override {
    return store::decode::appendLines(field(c).bytes(), out);
  }
  // x and y are two float8 fields; missing when NULL.
  core::Result<geo::Point> point(Column c, bool nullable) const override {
    const Field& x = field(c);
    const Field& y = m_f[m_selection.at[static_cast<std::size_t>(c.index)] + 1];
    const bool null = x.null() || y.null();
    return store::decode::checkPoint(null, null ? geo::Point{} : geo::Point{x.float8(), y.float8()},
                                     nullable);
  }

 private:
  const Field& field(Column c) const {
    return m_f[m_selection.at[static_cast<std::size_t>(c.index)]];
  }

  const std::string& m_place;
  const store::TableSpec& m_spec;
  const Selection& m_selection;
  std::span<const Field> m_f;
};

// One PostgreSQL session reading the load's snapshot.
class PgSource final : public store::TableSource {
 public:
  PgSource(Connection& c, std::string place) : m_c(c), m_place(std::move(place)) {}

  core::Result<void> scan(
      const store::TableSpec& table,
      const std::function<core::Result<void>(const store::Row&)>& body) override {
    const Selection selection = select(table);
    const std::string place = m_place + ": table " + table.table();
    detail::BinaryCopyReader reader([&](std::span<const Field> f) -> core::Result<void> {
      if (f.size() != selection.fields || f[0].null())
        return makeError(ErrorCode::kStore, "unexpected row shape", place);
      return body(PgRow(place, table, selection, f));
    });
    return m_c.copyOut(
        selection.sql, [&](std::span<const char> chunk) { return reader.feed(chunk); },
        "reading " + table.table());
  }

 private:
  Connection& m_c;
  std::string m_place;
};

// A worker's own session: it shares the first session's exported snapshot,
// so every table is read as of one moment.
class OwnPgSource final : public store::TableSource {
 public:
  explicit OwnPgSource(Connection c, const std::string& place)
      : m_c(std::move(c)), m_source(m_c, place) {}
  ~OwnPgSource() override { (void)m_c.execute("COMMIT"); }
  OwnPgSource(const OwnPgSource&) = delete;
  OwnPgSource& operator=(const OwnPgSource&) = delete;

  core::Result<void> scan(
      const store::TableSpec& table,
      const std::function<core::Result<void>(const store::Row&)>& body) override {
    return m_source.scan(table, body);
  }
  Connection& connection() { return m_c; }

 private:
  Connection m_c;
  PgSource m_source;
};

core::Result<model::District> load(const std::string& url, unsigned threads) {
  auto conn = Connection::open(url);
  if (!conn) return conn.takeError();
  const std::string place = conn->place();
  auto version = schemaVersion(*conn);
  if (!version) return version.takeError();
  if (*version < latestSchemaVersion()) {
    return makeError(ErrorCode::kStore,
                     *version == 0 ? std::string("no gridtwin schema (run gridtwin ingest first)")
                                   : "schema version " + std::to_string(*version) + ", expected " +
                                         std::to_string(latestSchemaVersion()),
                     place);
  }
  if (auto r =
          conn->execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "starting the load");
      !r) {
    return r.takeError();
  }
  auto snap = conn->query("SELECT pg_export_snapshot()", {}, "exporting the snapshot");
  if (!snap) return snap.takeError();
  const std::string snapshot(snap->text(0, 0));
  if (snapshot.empty() ||
      snapshot.find_first_not_of("0123456789ABCDEFabcdef-") != std::string::npos)
    return makeError(ErrorCode::kStore, "unexpected snapshot id from the server", place);

  PgSource first(*conn, place);
  store::TableReader reader(place);
  auto read = reader.read(
      first,
      [&]() -> core::Result<std::unique_ptr<store::TableSource>> {
        auto c = Connection::open(url);
        if (!c) return c.takeError();
        auto own = std::make_unique<OwnPgSource>(std::move(*c), place);
        if (auto r = own->connection().execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                                               "starting the load");
            !r) {
          return r.takeError();
        }
        // SET TRANSACTION SNAPSHOT takes a literal only; the id came from
        // pg_export_snapshot() and is checked to be hex digits and dashes.
        if (auto r = own->connection().execute("SET TRANSACTION SNAPSHOT '" + snapshot + "'",
                                               "sharing the snapshot");
            !r) {
          return r.takeError();
        }
        return std::unique_ptr<store::TableSource>(std::move(own));
      },
      threads);
  if (!read) return read.takeError();
  (void)conn->execute("COMMIT");
  return reader.finish(threads);
}

}  // namespace

core::Result<model::District> loadPostgis(const std::string& url, const PgLoadOptions& options) {
  return load(url, options.threads);
}

}  // namespace gridtwin::pgstore
