#include "store/gpkg_reader.h"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/workers.h"
#include "store/decode.h"

namespace gridtwin::store {
namespace {

using core::ErrorCode;
using core::makeError;
using decode::enumValue;
using decode::startLines;
using decode::startPolygons;
using model::DistrictColumns;
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

// ---- the schema this loader expects

// A column wanted from a table. `optional` columns may be absent (read as NULL).
struct Want {
  const char* name;
  bool optional = false;
};

struct TablePlan {
  std::string table;
  std::vector<std::string> columns;  // resolved names; empty string for an absent optional column
  std::string geometryColumn;        // empty: no geometry wanted
  std::string sql;                   // SELECT rowid, columns..., geometry FROM table
};

// Checks that `table` exists with the wanted columns (and a geometry column
// when `geometry`), and builds its query. `alternatives`: per wanted column, a
// list of names tried in order (layer_catalog's spellings vary).
core::Result<TablePlan> planTable(sqlite3* db, const std::string& path, const std::string& table,
                                  const std::vector<std::vector<Want>>& alternatives,
                                  bool geometry) {
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
  for (const auto& options : alternatives) {
    std::string found;
    bool optional = true;
    for (const Want& w : options) {
      optional = optional && w.optional;
      if (found.empty() && has(w.name)) found = w.name;
    }
    if (found.empty() && !optional) {
      std::string names;
      for (const Want& w : options) names += (names.empty() ? "" : " or ") + std::string(w.name);
      return makeError(ErrorCode::kStore, "missing column " + names, context);
    }
    plan.columns.push_back(found);
  }
  if (geometry) {
    auto st =
        prepare(db, "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", context);
    if (!st) return st.takeError();
    sqlite3_bind_text(st->get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st->get()) == SQLITE_ROW) {
      plan.geometryColumn = reinterpret_cast<const char*>(sqlite3_column_text(st->get(), 0));
    }
    if (plan.geometryColumn.empty() || !has(plan.geometryColumn)) {
      return makeError(ErrorCode::kStore,
                       "missing geometry column (none registered in gpkg_geometry_columns)",
                       context);
    }
  }
  plan.sql = "SELECT rowid";
  for (const auto& c : plan.columns)
    plan.sql += ", " + (c.empty() ? std::string("NULL") : sqlIdentifier(c));
  if (geometry) plan.sql += ", " + sqlIdentifier(plan.geometryColumn);
  plan.sql += " FROM " + sqlIdentifier(table) + " ORDER BY rowid";
  return plan;
}

std::vector<std::vector<Want>> wants(std::initializer_list<const char*> names) {
  std::vector<std::vector<Want>> w;
  for (const char* n : names) w.push_back({Want{n, false}});
  return w;
}

// ---- row access with errors that name the place

class Rows {
 public:
  Rows(const std::string& path, const TablePlan& plan, sqlite3_stmt* stmt)
      : m_path(path), m_plan(plan), m_stmt(stmt) {}

  // Steps to the next row; false at the end or on a SQLite error (see error()).
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

  std::int64_t fid() const { return m_fid; }
  std::string place() const {
    return m_path + ": table " + m_plan.table + ", fid " + std::to_string(m_fid);
  }
  std::string place(int col) const { return place() + ", column " + columnName(col); }
  std::string columnName(int col) const {
    return static_cast<std::size_t>(col) < m_plan.columns.size()
               ? m_plan.columns[static_cast<std::size_t>(col)]
               : m_plan.geometryColumn;
  }
  core::Error fail(int col, ErrorCode code, const std::string& message) const {
    return makeError(code, message, place(col));
  }

  bool isNull(int col) const { return sqlite3_column_type(m_stmt, col + 1) == SQLITE_NULL; }
  // Text of a column (empty for NULL); valid until the next step.
  std::string_view text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, col + 1));
    if (!p) return {};
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, col + 1))};
  }
  core::Result<std::string_view> requiredText(int col) const {
    if (isNull(col)) return fail(col, ErrorCode::kStore, "NULL where a value is required");
    return text(col);
  }
  core::Result<std::int64_t> integer(int col) const {
    const int type = sqlite3_column_type(m_stmt, col + 1);
    if (type == SQLITE_INTEGER)
      return static_cast<std::int64_t>(sqlite3_column_int64(m_stmt, col + 1));
    if (type == SQLITE_NULL) return fail(col, ErrorCode::kStore, "NULL where a value is required");
    const std::string_view t = text(col);
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || end != t.data() + t.size()) {
      return fail(col, ErrorCode::kBadNumber, "not an integer: '" + std::string(t) + "'");
    }
    return v;
  }
  // An integer column that may be NULL (returns `ifNull` then).
  core::Result<std::int64_t> integerOr(int col, std::int64_t ifNull) const {
    if (isNull(col)) return ifNull;
    return integer(col);
  }
  core::Result<double> real(int col) const {
    const int type = sqlite3_column_type(m_stmt, col + 1);
    if (type == SQLITE_INTEGER || type == SQLITE_FLOAT)
      return sqlite3_column_double(m_stmt, col + 1);
    if (type == SQLITE_NULL) return fail(col, ErrorCode::kStore, "NULL where a value is required");
    const std::string_view t = text(col);
    double v = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || end != t.data() + t.size()) {
      return fail(col, ErrorCode::kBadNumber, "not a number: '" + std::string(t) + "'");
    }
    return v;
  }
  core::Result<double> realOr(int col, double ifNull) const {
    if (isNull(col)) return ifNull;
    return real(col);
  }
  std::span<const std::uint8_t> blob(int col) const {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(m_stmt, col + 1));
    return {p, p ? static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, col + 1)) : 0};
  }

 private:
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

// ---- the loader

#define GT_TRY(expr)                      \
  do {                                    \
    auto gt_r_ = (expr);                  \
    if (!gt_r_) return gt_r_.takeError(); \
  } while (0)

#define GT_ASSIGN(var, expr)                  \
  auto var##_r_ = (expr);                     \
  if (!var##_r_) return var##_r_.takeError(); \
  auto var = *var##_r_

class Loader {
 public:
  Loader(std::string path, unsigned threads) : m_path(std::move(path)), m_threads(threads) {}

  core::Result<model::District> run() {
    auto db = openDb(m_path);
    if (!db) return db.takeError();
    GT_TRY(checkGeoPackage(db->get()));
    GT_TRY(planAll(db->get()));
    // Admin levels first, serially: every other table resolves its codes
    // against them.
    GT_TRY(readStreets(db->get()));
    GT_TRY(readCommunities(db->get()));
    GT_TRY(readGrids(db->get()));
    db->reset();
    GT_TRY(readInParallel());
    GT_TRY(decode::resolveLinks(m_c, m_keys, m_path));
    return model::District::build(std::move(m_c), m_threads);
  }

 private:
  core::Result<void> checkGeoPackage(sqlite3* db) {
    char* message = nullptr;
    const int rc =
        sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      std::string text = message ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
      return makeError(ErrorCode::kStore, "not a GeoPackage (SQLite: " + text + ")", m_path);
    }
    auto st = prepare(
        db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'gpkg_contents'",
        m_path);
    if (!st) return st.takeError();
    if (sqlite3_step(st->get()) != SQLITE_ROW || sqlite3_column_int(st->get(), 0) == 0) {
      return makeError(ErrorCode::kStore, "not a GeoPackage (no gpkg_contents table)", m_path);
    }
    return {};
  }

  enum Table {
    kStreets,
    kCommunities,
    kGrids,
    kRoads,
    kBuildings,
    kAddresses,
    kHouses,
    kPeople,
    kEntities,
    kFacilities,
    kEvents,
    kLayers,
    kTableCount
  };

  core::Result<void> planAll(sqlite3* db) {
    struct Spec {
      const char* table;
      std::vector<std::vector<Want>> columns;
      bool geometry;
    };
    const std::vector<Spec> specs = {
        {"streets", wants({"code", "name"}), true},
        {"communities", wants({"code", "name", "street_code"}), true},
        {"grids", wants({"code", "name", "community_code", "street_code"}), true},
        {"roads", wants({"road_id", "name", "class", "width_m", "community_code"}), true},
        {"buildings",
         wants({"building_id", "address_code", "use", "floors", "height_m", "grid_code"}), true},
        {"addresses",
         wants({"address_code", "level", "building_id", "house_id", "full_text", "grid_code"}),
         true},
        {"houses",
         wants({"house_id", "address_code", "building_id", "unit", "floor", "room", "area_m2",
                "grid_code"}),
         false},
        {"people",
         wants({"person_id", "id_number", "name", "sex", "birth_date", "phone", "tags", "house_id",
                "grid_code"}),
         false},
        {"entities",
         {{{"entity_id"}},
          {{"credit_code"}},
          {{"name"}},
          {{"industry"}},
          {{"type"}, {"kind"}},  // "kind" in early datasets
          {{"credit_color"}},
          {{"building_id"}},
          {{"grid_code"}}},
         true},
        {"facilities",
         wants({"facility_id", "type", "type_name", "owner_department", "grid_code", "heading_deg",
                "fov_deg", "mount_height_m"}),
         true},
        {"events",
         wants({"event_id", "category_code", "category_name", "category", "source", "reported_at",
                "status", "dispatch_level", "grid_code"}),
         true},
        {"layer_catalog",
         {{{"layer_id"}, {"id"}, {"code"}},
          {{"name_zh"}, {"name"}, {"title"}},
          {{"category", true}},
          {{"geometry_type", true}, {"geometry", true}, {"geom_type", true}},
          {{"table_name", true}, {"table", true}, {"source_table", true}}},
         false},
    };
    for (std::size_t i = 0; i < specs.size(); ++i) {
      auto plan = planTable(db, m_path, specs[i].table, specs[i].columns, specs[i].geometry);
      if (!plan) return plan.takeError();
      m_plans[i] = std::move(*plan);
    }
    return {};
  }

  // Runs `body(rows)` on each row of table `t` over connection `db`.
  core::Result<void> scan(sqlite3* db, Table t,
                          const std::function<core::Result<void>(const Rows&)>& body) {
    const TablePlan& plan = m_plans[t];
    auto st = prepare(db, plan.sql, m_path + ": table " + plan.table);
    if (!st) return st.takeError();
    Rows rows(m_path, plan, st->get());
    while (rows.next()) GT_TRY(body(rows));
    if (rows.failed()) return rows.takeStepError();
    return {};
  }

  core::Result<void> readStreets(sqlite3* db) {
    auto& s = m_c.streets;
    startPolygons(s.shape);
    GT_TRY(scan(db, kStreets, [&](const Rows& r) -> core::Result<void> {
      GT_ASSIGN(code, r.requiredText(0));
      GT_ASSIGN(name, r.requiredText(1));
      s.code.append(code);
      s.name.append(name);
      if (auto g = decodePolygons(r.blob(2), s.shape); !g)
        return g.takeError().withContext(r.place(2));
      return {};
    }));
    return decode::buildUnique(m_streetIndex, s.code, "street", m_path + ": table streets");
  }

  core::Result<void> readCommunities(sqlite3* db) {
    auto& c = m_c.communities;
    startPolygons(c.shape);
    GT_TRY(scan(db, kCommunities, [&](const Rows& r) -> core::Result<void> {
      GT_ASSIGN(code, r.requiredText(0));
      GT_ASSIGN(name, r.requiredText(1));
      GT_ASSIGN(si, decode::codeValue(r, 2, m_streetIndex, "street"));
      c.code.append(code);
      c.name.append(name);
      c.street.push_back(si);
      if (auto g = decodePolygons(r.blob(3), c.shape); !g)
        return g.takeError().withContext(r.place(3));
      return {};
    }));
    return decode::buildUnique(m_communityIndex, c.code, "community",
                               m_path + ": table communities");
  }

  core::Result<void> readGrids(sqlite3* db) {
    auto& g = m_c.grids;
    startPolygons(g.shape);
    GT_TRY(scan(db, kGrids, [&](const Rows& r) -> core::Result<void> {
      GT_ASSIGN(code, r.requiredText(0));
      GT_ASSIGN(name, r.requiredText(1));
      GT_ASSIGN(ci, decode::codeValue(r, 2, m_communityIndex, "community"));
      const std::string_view community = r.text(2);
      // The grid's street must be its community's street.
      const std::string_view street = r.text(3);
      const std::string_view expected = m_c.streets.code[m_c.communities.street[ci]];
      if (!r.isNull(3) && street != expected) {
        return r.fail(3, ErrorCode::kStore,
                      "street " + std::string(street) + " is not the street " +
                          std::string(expected) + " of community " + std::string(community));
      }
      g.code.append(code);
      g.name.append(name);
      g.community.push_back(ci);
      if (auto geom = decodePolygons(r.blob(4), g.shape); !geom)
        return geom.takeError().withContext(r.place(4));
      return {};
    }));
    return decode::buildUnique(m_gridIndex, g.code, "grid", m_path + ": table grids");
  }

  // Resolves a grid_code column (read-only use of m_gridIndex: safe from
  // several threads).
  core::Result<std::uint32_t> grid(const Rows& r, int col) const {
    return decode::codeValue(r, col, m_gridIndex, "grid");
  }

  core::Result<void> readRoads(sqlite3* db) {
    auto& t = m_c.roads;
    startLines(t.line);
    return scan(db, kRoads, [&](const Rows& r) -> core::Result<void> {
      GT_ASSIGN(id, r.integer(0));
      GT_ASSIGN(name, r.requiredText(1));
      GT_ASSIGN(cls, enumValue(r, 2, &model::parseRoadClass));
      GT_ASSIGN(width, r.realOr(3, std::numeric_limits<double>::quiet_NaN()));
      std::int32_t community = model::kNone;
      if (!r.isNull(4)) {
        std::uint32_t ci = 0;
        if (!m_communityIndex.find(r.text(4), ci)) {
          return r.fail(4, ErrorCode::kStore, "no community with code " + std::string(r.text(4)));
        }
        community = static_cast<std::int32_t>(ci);
      }
      t.id.push_back(id);
      t.name.append(name);
      t.roadClass.push_back(cls);
      t.widthM.push_back(static_cast<float>(width));
      t.community.push_back(community);
      if (auto g = decodeLines(r.blob(5), t.line); !g) return g.takeError().withContext(r.place(5));
      return {};
    });
  }

  core::Result<void> readBuildings(sqlite3* db) {
    auto& t = m_c.buildings;
    startPolygons(t.footprint);
    return scan(db, kBuildings, [&](const Rows& r) -> core::Result<void> {
      GT_ASSIGN(id, r.integer(0));
      GT_ASSIGN(use, enumValue(r, 2, &model::parseBuildingUse));
      GT_ASSIGN(floors, r.integerOr(3, 0));
      GT_ASSIGN(height, r.realOr(4, std::numeric_limits<double>::quiet_NaN()));
      GT_ASSIGN(gi, grid(r, 5));
      if (floors < 0 || floors > 1000)
        return r.fail(3, ErrorCode::kStore, "floors out of range: " + std::to_string(floors));
      t.id.push_back(id);
      t.address.push_back(model::kNone);  // resolved later from the code
      t.use.push_back(use);
      t.floors.push_back(static_cast<std::uint16_t>(floors));
      t.heightM.push_back(static_cast<float>(height));
      t.grid.push_back(gi);
      m_keys.buildings.fid.push_back(r.fid());
      m_keys.buildings.code.append(r.text(1));
      if (auto g = decodePolygons(r.blob(6), t.footprint); !g)
        return g.takeError().withContext(r.place(6));
      return {};
    });
  }

  core::Result<void> readAddresses(sqlite3* db) {
    auto& t = m_c.addresses;
    return scan(db, kAddresses, [&](const Rows& r) -> core::Result<void> {
      GT_ASSIGN(code, r.requiredText(0));
      GT_ASSIGN(level, enumValue(r, 1, &model::parseAddressLevel));
      GT_ASSIGN(building, r.integer(2));
      GT_ASSIGN(house, r.integerOr(3, std::numeric_limits<std::int64_t>::min()));
      GT_ASSIGN(gi, grid(r, 5));
      auto p = decodePoint(r.blob(6), false);
      if (!p) return p.takeError().withContext(r.place(6));
      t.code.append(code);
      t.level.push_back(level);
      t.building.push_back(0);
      t.house.push_back(model::kNone);
      t.grid.push_back(gi);
      t.point.lonlat.push_back(*p);
      t.fullText.append(r.text(4));
      m_keys.addresses.fid.push_back(r.fid());
      m_keys.addresses.id1.push_back(building);
      m_keys.addresses.id2.push_back(house);
      return {};
    });
  }

  core::Result<void> readHouses(sqlite3* db) {
    auto& t = m_c.houses;
    return scan(db, kHouses, [&](const Rows& r) -> core::Result<void> {
      GT_ASSIGN(id, r.integer(0));
      GT_ASSIGN(building, r.integer(2));
      GT_ASSIGN(unit, r.integerOr(3, 0));
      GT_ASSIGN(floor, r.integerOr(4, 0));
      GT_ASSIGN(area, r.realOr(6, std::numeric_limits<double>::quiet_NaN()));
      GT_ASSIGN(gi, grid(r, 7));
      if (unit < 0 || unit > 65535)
        return r.fail(3, ErrorCode::kStore, "unit out of range: " + std::to_string(unit));
      if (floor < -32768 || floor > 32767) {
        return r.fail(4, ErrorCode::kStore, "floor out of range: " + std::to_string(floor));
      }
      t.id.push_back(id);
      t.address.push_back(model::kNone);
      t.building.push_back(0);
      t.unit.push_back(static_cast<std::uint16_t>(unit));
      t.floor.push_back(static_cast<std::int16_t>(floor));
      t.room.append(r.text(5));
      t.areaM2.push_back(static_cast<float>(area));
      t.grid.push_back(gi);
      m_keys.houses.fid.push_back(r.fid());
      m_keys.houses.id1.push_back(building);
      m_keys.houses.code.append(r.text(1));
      return {};
    });
  }

  core::Result<void> readPeople(sqlite3* db) {
    auto& t = m_c.people;
    return scan(db, kPeople, [&](const Rows& r) -> core::Result<void> {
      GT_ASSIGN(id, r.integer(0));
      GT_ASSIGN(idNumber, r.requiredText(1));
      if (idNumber.size() != model::kIdNumberSize) {
        return r.fail(1, ErrorCode::kStore,
                      "ID number must have 18 characters, got '" + std::string(idNumber) + "'");
      }
      GT_ASSIGN(name, r.requiredText(2));
      GT_ASSIGN(sex, enumValue(r, 3, &model::parseSex));
      GT_ASSIGN(days, decode::dateValue(r, 4));
      GT_ASSIGN(tags, decode::tagsValue(r, 6));
      GT_ASSIGN(house, r.integer(7));
      GT_ASSIGN(gi, grid(r, 8));
      t.id.push_back(id);
      t.idNumber.insert(t.idNumber.end(), idNumber.begin(), idNumber.end());
      t.name.append(name);
      t.sex.push_back(sex);
      t.birthDay.push_back(static_cast<std::int32_t>(days));
      t.phone.append(r.text(5));
      t.tags.push_back(tags);
      t.house.push_back(0);
      t.grid.push_back(gi);
      m_keys.people.fid.push_back(r.fid());
      m_keys.people.id1.push_back(house);
      return {};
    });
  }

  core::Result<void> readEntities(sqlite3* db) {
    auto& t = m_c.entities;
    model::StringInterner industries(m_c.industries);
    return scan(db, kEntities, [&](const Rows& r) -> core::Result<void> {
      GT_ASSIGN(id, r.integer(0));
      GT_ASSIGN(credit, r.requiredText(1));
      if (credit.size() != model::kCreditCodeSize) {
        return r.fail(1, ErrorCode::kStore,
                      "credit code must have 18 characters, got '" + std::string(credit) + "'");
      }
      GT_ASSIGN(name, r.requiredText(2));
      GT_ASSIGN(industry, r.requiredText(3));
      GT_ASSIGN(kind, enumValue(r, 4, &model::parseEntityKind));
      GT_ASSIGN(colour, enumValue(r, 5, &model::parseCreditColour));
      GT_ASSIGN(building, r.integer(6));
      GT_ASSIGN(gi, grid(r, 7));
      auto p = decodePoint(r.blob(8), false);
      if (!p) return p.takeError().withContext(r.place(8));
      const std::uint32_t ind = industries.intern(industry);
      if (ind > 0xFFFF) return r.fail(3, ErrorCode::kStore, "more than 65536 industries");
      t.id.push_back(id);
      t.creditCode.insert(t.creditCode.end(), credit.begin(), credit.end());
      t.name.append(name);
      t.industry.push_back(static_cast<std::uint16_t>(ind));
      t.kind.push_back(kind);
      t.colour.push_back(colour);
      t.building.push_back(0);
      t.grid.push_back(gi);
      t.point.lonlat.push_back(*p);
      m_keys.entities.fid.push_back(r.fid());
      m_keys.entities.id1.push_back(building);
      return {};
    });
  }

  core::Result<void> readFacilities(sqlite3* db) {
    auto& t = m_c.facilities;
    std::unordered_map<std::string, std::uint16_t> types;
    model::StringInterner departments(m_c.departments);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    return scan(db, kFacilities, [&](const Rows& r) -> core::Result<void> {
      GT_ASSIGN(id, r.integer(0));
      GT_ASSIGN(type, r.requiredText(1));
      auto it = types.find(std::string(type));
      if (it == types.end()) {
        if (types.size() > 0xFFFF)
          return r.fail(1, ErrorCode::kStore, "more than 65536 facility types");
        it = types.emplace(std::string(type), static_cast<std::uint16_t>(types.size())).first;
        m_c.facilityTypeCodes.append(type);
        m_c.facilityTypeNames.append(r.text(2));
      }
      std::int32_t owner = model::kNone;
      if (!r.isNull(3)) owner = static_cast<std::int32_t>(departments.intern(r.text(3)));
      GT_ASSIGN(gi, grid(r, 4));
      GT_ASSIGN(heading, r.realOr(5, nan));
      GT_ASSIGN(fov, r.realOr(6, nan));
      GT_ASSIGN(mount, r.realOr(7, nan));
      auto p = decodePoint(r.blob(8), false);
      if (!p) return p.takeError().withContext(r.place(8));
      t.id.push_back(id);
      t.type.push_back(it->second);
      t.owner.push_back(owner);
      t.grid.push_back(gi);
      t.point.lonlat.push_back(*p);
      t.headingDeg.push_back(static_cast<float>(heading));
      t.fovDeg.push_back(static_cast<float>(fov));
      t.mountHeightM.push_back(static_cast<float>(mount));
      return {};
    });
  }

  core::Result<void> readEvents(sqlite3* db) {
    auto& t = m_c.events;
    std::unordered_map<std::string, std::uint16_t> categories;
    return scan(db, kEvents, [&](const Rows& r) -> core::Result<void> {
      GT_ASSIGN(id, r.integer(0));
      GT_ASSIGN(category, r.requiredText(1));
      auto it = categories.find(std::string(category));
      if (it == categories.end()) {
        if (categories.size() > 0xFFFF)
          return r.fail(1, ErrorCode::kStore, "more than 65536 event categories");
        it =
            categories.emplace(std::string(category), static_cast<std::uint16_t>(categories.size()))
                .first;
        m_c.categoryCodes.append(category);
        m_c.categoryNames.append(r.text(2));
        m_c.categoryGroups.append(r.text(3));
      }
      GT_ASSIGN(source, enumValue(r, 4, &model::parseEventSource));
      GT_ASSIGN(seconds, decode::timeValue(r, 5));
      GT_ASSIGN(status, enumValue(r, 6, &model::parseEventStatus));
      GT_ASSIGN(level, enumValue(r, 7, &model::parseDispatchLevel));
      GT_ASSIGN(gi, grid(r, 8));
      auto p = decodePoint(r.blob(9), true);
      if (!p) return p.takeError().withContext(r.place(9));
      t.id.push_back(id);
      t.category.push_back(it->second);
      t.source.push_back(source);
      t.reportedAt.push_back(seconds);
      t.status.push_back(status);
      t.level.push_back(level);
      t.grid.push_back(gi);
      t.point.lonlat.push_back(*p);
      return {};
    });
  }

  core::Result<void> readLayers(sqlite3* db) {
    auto& t = m_c.layers;
    return scan(db, kLayers, [&](const Rows& r) -> core::Result<void> {
      GT_ASSIGN(id, r.requiredText(0));
      t.id.append(id);
      t.name.append(r.text(1));
      t.category.append(r.text(2));
      t.geometryType.append(r.text(3));
      t.table.append(r.text(4));
      return {};
    });
  }

  // Each table's reader touches only its own columns and keys (and the
  // lookup tables it alone fills), and reads the admin indexes: so the
  // tables can be read on separate threads, each with its own connection.
  core::Result<void> readInParallel() {
    using Reader = core::Result<void> (Loader::*)(sqlite3*);
    // Biggest first, so that the last one to finish is a small one.
    const std::vector<Reader> readers = {
        &Loader::readEvents,    &Loader::readPeople,     &Loader::readAddresses,
        &Loader::readHouses,    &Loader::readFacilities, &Loader::readEntities,
        &Loader::readBuildings, &Loader::readRoads,      &Loader::readLayers};
    const unsigned threads = core::workerCount(m_threads, readers.size());
    std::vector<core::Result<void>> results(readers.size());
    core::TaskQueue queue(readers.size());
    core::runWorkers(threads, [&](unsigned) {
      auto db = openDb(m_path);
      for (std::size_t i; queue.take(i);) {
        if (!db) {
          results[i] = db.error();
        } else {
          results[i] = (this->*readers[i])(db->get());
        }
        if (!results[i]) queue.stop();
      }
    });
    for (auto& r : results) {
      if (!r) return r.takeError();
    }
    return {};
  }

  std::string m_path;
  unsigned m_threads;
  std::array<TablePlan, kTableCount> m_plans;
  DistrictColumns<Owned> m_c;
  decode::CodeIndex m_streetIndex, m_communityIndex, m_gridIndex;
  decode::LinkKeys m_keys;
};

#undef GT_ASSIGN
#undef GT_TRY

}  // namespace

core::Result<model::District> loadGeoPackage(const std::string& path, const LoadOptions& options) {
  Loader loader(path, options.threads);
  return loader.run();
}

std::string snapshotPathFor(const std::string& gpkgPath) { return gpkgPath + ".snap"; }

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
    auto snap = model::openSnapshot(out.report.snapshotPath, *stamp, options.check);
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
