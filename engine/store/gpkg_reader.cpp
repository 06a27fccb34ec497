#include "store/gpkg_reader.h"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "store/decode.h"
#include "store/table_reader.h"

namespace gridtwin::store {
namespace {

using core::ErrorCode;
using core::makeError;
using model::Owned;

// ---- SQLite handles

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbClose>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

std::string sqlIdentifier(std::string_view identifier) {
  std::string q = "\"";
  for (char ch : identifier) {
    q += ch;
    if (ch == '"') q += '"';
  }
  return q + "\"";
}

core::Result<DbPtr> openDb(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return makeError(ErrorCode::kNotFound, "no such file", path);
  if (std::filesystem::is_directory(path, ec))
    return makeError(ErrorCode::kStore, "is a folder, not a GeoPackage", path);
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    return makeError(
        ErrorCode::kStore,
        std::string("cannot open: ") + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)), path);
  }
  // No SQLite mmap: on the full dataset it cost ~1.5x the load time and
  // counted the whole file in RSS (peak 1.4 GB vs 0.65 GB, see model/README.md).
  sqlite3_exec(db.get(), "PRAGMA mmap_size=0; PRAGMA cache_size=-65536;", nullptr, nullptr,
               nullptr);
  return db;
}

core::Result<StmtPtr> prepare(sqlite3* db, const std::string& sql, const std::string& context) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr) !=
      SQLITE_OK) {
    return makeError(ErrorCode::kStore, std::string(sqlite3_errmsg(db)), context);
  }
  return StmtPtr(raw);
}

// ---- the schema this loader expects (store/table_reader.h)

struct TablePlan {
  std::string table;
  std::vector<std::string> columns;  // resolved names, as the spec's; empty: an absent optional one
  std::string sql;                   // SELECT rowid, columns... FROM table
};

// Checks that the spec's table exists with its columns (the geometry column
// is the one gpkg_geometry_columns registers), and builds its query.
core::Result<TablePlan> planTable(sqlite3* db, const std::string& path, const TableSpec& spec) {
  const std::string& table = spec.table();
  const std::string context = path + ": table " + table;
  {
    auto st = prepare(
        db, "SELECT count(*) FROM sqlite_master WHERE type IN ('table','view') AND name = ?",
        context);
    if (!st) return st.takeError();
    sqlite3_bind_text(st->get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st->get()) != SQLITE_ROW || sqlite3_column_int(st->get(), 0) == 0) {
      return makeError(ErrorCode::kStore, "missing table", context);
    }
  }
  std::vector<std::string> present;
  {
    auto st = prepare(db, "PRAGMA table_info(" + sqlIdentifier(table) + ")", context);
    if (!st) return st.takeError();
    while (sqlite3_step(st->get()) == SQLITE_ROW) {
      present.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st->get(), 1)));
    }
  }
  auto has = [&](const std::string& n) {
    return std::find(present.begin(), present.end(), n) != present.end();
  };
  TablePlan plan;
  plan.table = table;
  for (const ColumnSpec& column : spec.columns()) {
    std::string found;
    if (column.isGeometry()) {
      auto st = prepare(db, "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?",
                        context);
      if (!st) return st.takeError();
      sqlite3_bind_text(st->get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(st->get()) == SQLITE_ROW) {
        found = reinterpret_cast<const char*>(sqlite3_column_text(st->get(), 0));
      }
      if (found.empty() || !has(found)) {
        return makeError(ErrorCode::kStore,
                         "missing geometry column (none registered in gpkg_geometry_columns)",
                         context);
      }
    } else {
      const std::vector<std::string> names =
          column.spellings.empty() ? std::vector<std::string>{column.name} : column.spellings;
      for (const std::string& n : names) {
        if (has(n)) {
          found = n;
          break;
        }
      }
      if (found.empty() && !column.optional) {
        std::string list;
        for (const std::string& n : names) list += (list.empty() ? "" : " or ") + n;
        return makeError(ErrorCode::kStore, "missing column " + list, context);
      }
    }
    plan.columns.push_back(found);
  }
  plan.sql = "SELECT rowid";
  for (const auto& c : plan.columns)
    plan.sql += ", " + (c.empty() ? std::string("NULL") : sqlIdentifier(c));
  plan.sql += " FROM " + sqlIdentifier(table) + " ORDER BY rowid";
  return plan;
}

// ---- row access with errors that name the place

class Rows final : public Row {
 public:
  Rows(const std::string& path, const TablePlan& plan, sqlite3_stmt* stmt)
      : m_path(path), m_plan(plan), m_stmt(stmt) {}

  // Steps to the next row; false at the end or on a SQLite error (see failed()).
  bool next() {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) {
      m_fid = sqlite3_column_int64(m_stmt, 0);
      return true;
    }
    if (rc != SQLITE_DONE) {
      m_stepError =
          makeError(ErrorCode::kStore, sqlite3_errmsg(sqlite3_db_handle(m_stmt)), place());
      m_failed = true;
    }
    return false;
  }
  bool failed() const { return m_failed; }
  core::Error takeStepError() { return std::move(m_stepError); }

  std::int64_t fid() const override { return m_fid; }
  std::string place() const {
    return m_path + ": table " + m_plan.table + ", fid " + std::to_string(m_fid);
  }
  std::string place(Column c) const override {
    return place() + ", column " + m_plan.columns[static_cast<std::size_t>(c.index)];
  }

  bool isNull(Column c) const override {
    return sqlite3_column_type(m_stmt, c.index + 1) == SQLITE_NULL;
  }
  // Text of a column (empty for NULL); valid until the next step.
  std::string_view text(Column c) const override {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, c.index + 1));
    if (!p) return {};
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, c.index + 1))};
  }
  core::Result<std::int64_t> integer(Column c) const override {
    const int type = sqlite3_column_type(m_stmt, c.index + 1);
    if (type == SQLITE_INTEGER)
      return static_cast<std::int64_t>(sqlite3_column_int64(m_stmt, c.index + 1));
    if (type == SQLITE_NULL) return fail(c, ErrorCode::kStore, "NULL where a value is required");
    const std::string_view t = text(c);
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || end != t.data() + t.size()) {
      return fail(c, ErrorCode::kBadNumber, "not an integer: '" + std::string(t) + "'");
    }
    return v;
  }
  core::Result<double> real(Column c) const override {
    const int type = sqlite3_column_type(m_stmt, c.index + 1);
    if (type == SQLITE_INTEGER || type == SQLITE_FLOAT)
      return sqlite3_column_double(m_stmt, c.index + 1);
    if (type == SQLITE_NULL) return fail(c, ErrorCode::kStore, "NULL where a value is required");
    const std::string_view t = text(c);
    double v = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || end != t.data() + t.size()) {
      return fail(c, ErrorCode::kBadNumber, "not a number: '" + std::string(t) + "'");
    }
    return v;
  }
  core::Result<void> appendPolygons(Column c, model::PolygonColumns<Owned>& out) const override;
  core::Result<void> appendLines(Column c, model::LineColumns<Owned>& out) const override;
  core::Result<geo::Point> point(Column c, bool nullable) const override;

 private:
  std::span<const std::uint8_t> blob(Column c) const {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(m_stmt, c.index + 1));
    return {p, p ? static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, c.index + 1)) : 0};
  }

  const std::string& m_path;
  const TablePlan& m_plan;
  sqlite3_stmt* m_stmt;
  std::int64_t m_fid = 0;
  core::Error m_stepError;
  bool m_failed = false;
};

// ---- GeoPackage geometry blobs, decoded straight into flat arrays

// Strips the GeoPackage binary header ('GP', version, flags, srs_id,
// envelope). `empty` is set from the header's empty flag.
core::Result<std::span<const std::uint8_t>> gpkgWkb(std::span<const std::uint8_t> blob,
                                                    bool& empty) {
  if (blob.size() < 8 || blob[0] != 'G' || blob[1] != 'P') {
    return makeError(ErrorCode::kParse, "not a GeoPackage geometry blob (no 'GP' magic)");
  }
  const std::uint8_t flags = blob[3];
  if (flags & 0x20)
    return makeError(ErrorCode::kUnsupported,
                     "extended GeoPackage geometry types are not supported");
  static constexpr std::size_t kEnvelope[8] = {0, 32, 48, 48, 64, 0, 0, 0};
  const unsigned indicator = (flags >> 1) & 7u;
  if (indicator > 4)
    return makeError(ErrorCode::kParse, "bad envelope indicator " + std::to_string(indicator));
  const std::size_t header = 8 + kEnvelope[indicator];
  if (blob.size() < header)
    return makeError(ErrorCode::kUnexpectedEnd, "blob shorter than its header");
  empty = (flags & 0x10) != 0;
  return blob.subspan(header);
}

// The WKB in a geometry blob; an empty span for a NULL (no blob).
core::Result<std::span<const std::uint8_t>> blobWkb(std::span<const std::uint8_t> blob,
                                                    bool& empty) {
  if (blob.empty()) return blob;
  auto wkb = gpkgWkb(blob, empty);
  if (!wkb) return wkb.takeError();
  if (wkb->empty() && !empty)
    return makeError(ErrorCode::kUnexpectedEnd, "no WKB after the GeoPackage header");
  return wkb;
}

// One point geometry, or missing (NaN) for NULL/empty when `nullable`.
core::Result<geo::Point> decodePoint(std::span<const std::uint8_t> blob, bool nullable) {
  bool empty = false;
  auto wkb = blobWkb(blob, empty);
  if (!wkb) return wkb.takeError();
  if (empty) return decode::checkPoint(false, model::missingPoint(), nullable);
  return decode::decodePoint(*wkb, nullable);
}

// A Polygon or MultiPolygon appended as one feature.
core::Result<void> decodePolygons(std::span<const std::uint8_t> blob,
                                  model::PolygonColumns<Owned>& out) {
  bool empty = false;
  auto wkb = blobWkb(blob, empty);
  if (!wkb) return wkb.takeError();
  if (empty) return makeError(ErrorCode::kStore, "empty geometry where a polygon is required");
  return decode::appendPolygons(*wkb, out);
}

// A LineString or MultiLineString appended as one feature.
core::Result<void> decodeLines(std::span<const std::uint8_t> blob, model::LineColumns<Owned>& out) {
  bool empty = false;
  auto wkb = blobWkb(blob, empty);
  if (!wkb) return wkb.takeError();
  if (empty) return makeError(ErrorCode::kStore, "empty geometry where a line is required");
  return decode::appendLines(*wkb, out);
}

core::Result<void> Rows::appendPolygons(Column c, model::PolygonColumns<Owned>& out) const {
  return decodePolygons(blob(c), out);
}
core::Result<void> Rows::appendLines(Column c, model::LineColumns<Owned>& out) const {
  return decodeLines(blob(c), out);
}
core::Result<geo::Point> Rows::point(Column c, bool nullable) const {
  return decodePoint(blob(c), nullable);
}

// ---- the loader

// One SQLite connection, scanning the tables planned on the first one.
class SqliteSource final : public TableSource {
 public:
  SqliteSource(DbPtr db, const std::string& path, const std::vector<TablePlan>& plans)
      : m_db(std::move(db)), m_path(path), m_plans(plans) {}

  core::Result<void> scan(const TableSpec& table,
                          const std::function<core::Result<void>(const Row&)>& body) override {
    const auto all = datasetSchema().all();
    const auto at = std::find(all.begin(), all.end(), &table);
    const TablePlan& plan = m_plans[static_cast<std::size_t>(at - all.begin())];
    auto st = prepare(m_db.get(), plan.sql, m_path + ": table " + plan.table);
    if (!st) return st.takeError();
    Rows rows(m_path, plan, st->get());
    while (rows.next()) {
      if (auto r = body(rows); !r) return r;
    }
    if (rows.failed()) return rows.takeStepError();
    return {};
  }

 private:
  DbPtr m_db;
  const std::string& m_path;
  const std::vector<TablePlan>& m_plans;
};

core::Result<void> checkGeoPackage(sqlite3* db, const std::string& path) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return makeError(ErrorCode::kStore, "not a GeoPackage (SQLite: " + text + ")", path);
  }
  auto st = prepare(
      db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'gpkg_contents'",
      path);
  if (!st) return st.takeError();
  if (sqlite3_step(st->get()) != SQLITE_ROW || sqlite3_column_int(st->get(), 0) == 0) {
    return makeError(ErrorCode::kStore, "not a GeoPackage (no gpkg_contents table)", path);
  }
  return {};
}

}  // namespace

core::Result<model::District> loadGeoPackage(const std::string& path, const LoadOptions& options) {
  auto db = openDb(path);
  if (!db) return db.takeError();
  if (auto r = checkGeoPackage(db->get(), path); !r) return r.takeError();
  // Every table is checked before any is read.
  std::vector<TablePlan> plans;
  for (const TableSpec* table : datasetSchema().all()) {
    auto plan = planTable(db->get(), path, *table);
    if (!plan) return plan.takeError();
    plans.push_back(std::move(*plan));
  }
  SqliteSource first(std::move(*db), path, plans);
  TableReader reader(path);
  auto read = reader.read(
      first,
      [&]() -> core::Result<std::unique_ptr<TableSource>> {
        auto own = openDb(path);
        if (!own) return own.takeError();
        return std::unique_ptr<TableSource>(
            std::make_unique<SqliteSource>(std::move(*own), path, plans));
      },
      options.threads);
  if (!read) return read.takeError();
  return reader.finish(options.threads);
}

std::string snapshotPathFor(const std::string& gpkgPath) {
  return model::snapshotPathFor(gpkgPath);
}

core::Result<Dataset> openDataset(const std::string& gpkgPath, const OpenOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  Dataset out;
  out.report.snapshotPath = snapshotPathFor(gpkgPath);
  auto stamp = model::stampOf(gpkgPath);
  if (!stamp) return stamp.takeError();
  if (options.useSnapshot) {
    auto snap = model::openSnapshot(out.report.snapshotPath, *stamp, options.check, options.part);
    if (snap) {
      out.district = std::move(*snap);
      out.report.fromSnapshot = true;
      out.report.seconds = elapsed();
      return out;
    }
    out.report.snapshotNote = snap.error().code == ErrorCode::kNotFound
                                  ? std::string("no snapshot yet")
                                  : "snapshot not used: " + snap.error().toString();
  }
  auto loaded = loadGeoPackage(gpkgPath, LoadOptions{options.threads});
  if (!loaded) return loaded.takeError();
  out.district = std::move(*loaded);
  if (options.writeSnapshot) {
    if (auto w = model::writeSnapshot(out.district, *stamp, out.report.snapshotPath); w) {
      out.report.snapshotWritten = true;
    } else {
      out.report.snapshotNote += (out.report.snapshotNote.empty() ? "" : "; ") +
                                 std::string("snapshot not written: ") + w.error().toString();
    }
  }
  out.report.seconds = elapsed();
  return out;
}

}  // namespace gridtwin::store
