#pragma once
// The gridtwin schema in PostgreSQL, as numbered migrations (sql/NNN_*.sql,
// compiled into the library). migrate() applies the ones a database lacks,
// each in its own transaction together with its row in
// gridtwin.schema_version, under an advisory lock so that two processes
// migrating at once apply each migration once.
#include <string>
#include <vector>

#include "core/error.h"
#include "pgstore/connection.h"

namespace gridtwin::pgstore {

struct Migration {
  int version = 0;
  std::string name;  // "001_schema.sql"
  std::string sql;
};

// Every migration, in version order.
const std::vector<Migration>& migrations();
// The version the code expects (the last migration's).
int latestSchemaVersion();

// The database's schema version; 0 when it has no gridtwin schema.
core::Result<int> schemaVersion(Connection& c);

// Creates the postgis extension if absent and applies missing migrations.
// Returns the number applied. A database newer than the code is an error.
core::Result<int> migrate(Connection& c);

}  // namespace gridtwin::pgstore
