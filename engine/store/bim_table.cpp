#include "store/bim_table.h"

#include <sqlite3.h>

#include <filesystem>
#include <memory>

namespace gridtwin::store {

using core::ErrorCode;
using core::makeError;

core::Result<std::vector<BimModelRow>> readBimModels(const std::string& gpkgPath,
                                                     std::optional<std::int64_t> buildingId,
                                                     bool withIfc) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(gpkgPath, ec)) {
    return makeError(ErrorCode::kNotFound, "no such file", gpkgPath);
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(gpkgPath.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> db(raw, &sqlite3_close);
  if (rc != SQLITE_OK) {
    return makeError(ErrorCode::kStore, std::string("cannot open: ") + sqlite3_errstr(rc),
                     gpkgPath);
  }
  std::vector<BimModelRow> rows;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db.get(),
                         "SELECT count(*) FROM sqlite_master WHERE type='table' AND "
                         "name='bim_models'",
                         -1, &st, nullptr) != SQLITE_OK) {
    return makeError(ErrorCode::kStore,
                     "not a GeoPackage: " + std::string(sqlite3_errmsg(db.get())), gpkgPath);
  }
  const bool has = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
  sqlite3_finalize(st);
  if (!has) return rows;
  std::string sql =
      std::string(
          "SELECT building_id, source, file, anchor_x, anchor_y, anchor_z, rotation_deg, "
          "scale, ") +
      (withIfc ? "ifc" : "NULL") + " FROM bim_models";
  if (buildingId) sql += " WHERE building_id = ?";
  sql += " ORDER BY building_id";
  if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    return makeError(ErrorCode::kStore, std::string(sqlite3_errmsg(db.get())),
                     gpkgPath + ": table bim_models");
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(st, &sqlite3_finalize);
  if (buildingId) sqlite3_bind_int64(st, 1, *buildingId);
  auto text = [&](int c) {
    const auto* t = sqlite3_column_text(st, c);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<std::size_t>(sqlite3_column_bytes(st, c)))
             : std::string();
  };
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    BimModelRow r;
    r.buildingId = sqlite3_column_int64(st, 0);
    r.source = text(1);
    r.file = text(2);
    r.anchorX = sqlite3_column_double(st, 3);
    r.anchorY = sqlite3_column_double(st, 4);
    r.anchorZ = sqlite3_column_double(st, 5);
    r.rotationDeg = sqlite3_column_double(st, 6);
    r.scale = sqlite3_column_type(st, 7) == SQLITE_NULL ? 1.0 : sqlite3_column_double(st, 7);
    r.ifc = text(8);
    rows.push_back(std::move(r));
  }
  if (step != SQLITE_DONE) {
    return makeError(ErrorCode::kStore, std::string(sqlite3_errmsg(db.get())),
                     gpkgPath + ": table bim_models");
  }
  return rows;
}

}  // namespace gridtwin::store
