#pragma once
// Reads the dataset's `staff` table (网格站长与网格员: station heads and grid
// workers) — a small register that model::District does not hold, since it
// is neither spatial nor big (≈ 700 rows at full scale) and adding it to the
// snapshot format would change every snapshot for one kilobyte-sized table.
//
// Schema (data/generator/generate.cpp): staff_id TEXT, name TEXT, role TEXT
// ("station_head" | "grid_worker"), phone TEXT, grid_codes TEXT (comma-
// separated 15-digit grid codes the person serves).
//
// Thread-safety: reentrant; each call opens its own read-only connection.
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace gridtwin::store {

struct StaffRow {
  std::string id;  // staff_id, "GS4406040001"
  std::string name;
  std::string role;   // as spelled in the dataset
  std::string phone;  // may be empty
  std::vector<std::string> gridCodes;
};

// Errors: kNotFound (no such file), kStore (not SQLite, no `staff` table or a
// missing column; the message names the file and table). A dataset without a
// staff table is an error: callers that can live without one check first
// with hasStaffTable().
core::Result<std::vector<StaffRow>> readStaff(const std::string& gpkgPath);
core::Result<bool> hasStaffTable(const std::string& gpkgPath);
// Both through one connection (the dataset's schema, 244 layers and their
// triggers, is parsed once): the rows, or nullopt when there is no staff
// table. Errors: those of readStaff.
core::Result<std::optional<std::vector<StaffRow>>> readStaffIfPresent(const std::string& gpkgPath);

}  // namespace gridtwin::store
