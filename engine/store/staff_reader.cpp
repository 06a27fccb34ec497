#include "store/staff_reader.h"

#include <sqlite3.h>

#include <filesystem>
#include <memory>

namespace gridtwin::store {
namespace {

using core::ErrorCode;
using core::makeError;

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbClose>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

core::Result<DbPtr> openReadOnly(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return makeError(ErrorCode::kNotFound, "no such file", path);
  }
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  DbPtr db(raw);  // sqlite3_open_v2 may hand back a handle even on failure
  if (rc != SQLITE_OK) {
    return makeError(ErrorCode::kStore, std::string("cannot open: ") + sqlite3_errstr(rc), path);
  }
  return db;
}

core::Result<StmtPtr> prepare(sqlite3* db, const std::string& sql, const std::string& path) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr) !=
      SQLITE_OK) {
    return makeError(ErrorCode::kStore, sqlite3_errmsg(db), path + ": table staff");
  }
  return StmtPtr(raw);
}

std::string text(sqlite3_stmt* s, int column) {
  const unsigned char* t = sqlite3_column_text(s, column);
  return t ? std::string(reinterpret_cast<const char*>(t),
                         static_cast<std::size_t>(sqlite3_column_bytes(s, column)))
           : std::string();
}

std::vector<std::string> splitCodes(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t comma = s.find(',', start);
    const std::size_t end = comma == std::string::npos ? s.size() : comma;
    std::string code = s.substr(start, end - start);
    while (!code.empty() && code.back() == ' ') code.pop_back();
    while (!code.empty() && code.front() == ' ') code.erase(code.begin());
    if (!code.empty()) out.push_back(std::move(code));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

core::Result<bool> hasTable(sqlite3* db, const std::string& gpkgPath) {
  auto stmt =
      prepare(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'staff'", gpkgPath);
  if (!stmt) return stmt.takeError();
  return sqlite3_step(stmt->get()) == SQLITE_ROW;
}

core::Result<std::vector<StaffRow>> readFrom(const DbPtr& db, const std::string& gpkgPath) {
  auto stmt =
      prepare(db.get(), "SELECT staff_id, name, role, phone, grid_codes FROM staff", gpkgPath);
  if (!stmt) return stmt.takeError();
  std::vector<StaffRow> rows;
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) {
    StaffRow r;
    r.id = text(stmt->get(), 0);
    r.name = text(stmt->get(), 1);
    r.role = text(stmt->get(), 2);
    r.phone = text(stmt->get(), 3);
    r.gridCodes = splitCodes(text(stmt->get(), 4));
    if (r.id.empty()) {
      return makeError(ErrorCode::kStore, "empty staff_id",
                       gpkgPath + ": table staff, row " + std::to_string(rows.size() + 1));
    }
    rows.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) {
    return makeError(ErrorCode::kStore, sqlite3_errmsg(db.get()), gpkgPath + ": table staff");
  }
  return rows;
}

}  // namespace

core::Result<bool> hasStaffTable(const std::string& gpkgPath) {
  auto db = openReadOnly(gpkgPath);
  if (!db) return db.takeError();
  return hasTable(db->get(), gpkgPath);
}

core::Result<std::vector<StaffRow>> readStaff(const std::string& gpkgPath) {
  auto db = openReadOnly(gpkgPath);
  if (!db) return db.takeError();
  return readFrom(*db, gpkgPath);
}

core::Result<std::optional<std::vector<StaffRow>>> readStaffIfPresent(const std::string& gpkgPath) {
  auto db = openReadOnly(gpkgPath);
  if (!db) return db.takeError();
  auto has = hasTable(db->get(), gpkgPath);
  if (!has) return has.takeError();
  if (!*has) return std::optional<std::vector<StaffRow>>();
  auto rows = readFrom(*db, gpkgPath);
  if (!rows) return rows.takeError();
  return std::optional<std::vector<StaffRow>>(std::move(*rows));
}

}  // namespace gridtwin::store
