#include "pgstore/migrations.h"

#include <cstdlib>

namespace gridtwin::pgstore {

namespace detail {
// Generated from sql/*.sql by CMake (migrations_sql.cpp).
struct EmbeddedSql {
  const char* name;
  const char* text;
};
extern const EmbeddedSql kEmbeddedSql[];
extern const int kEmbeddedSqlCount;
}  // namespace detail

using core::ErrorCode;
using core::makeError;

namespace {
// pg_advisory_xact_lock key for schema changes and ingests: "gridtwin" in ASCII.
constexpr const char* kLockKey = "7453451866264596334";
}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = [] {
    std::vector<Migration> out;
    for (int i = 0; i < detail::kEmbeddedSqlCount; ++i) {
      const auto& e = detail::kEmbeddedSql[i];
      out.push_back({std::atoi(e.name), e.name, e.text});
    }
    return out;
  }();
  return all;
}

int latestSchemaVersion() { return migrations().empty() ? 0 : migrations().back().version; }

core::Result<int> schemaVersion(Connection& c) {
  auto r = c.query(
      "SELECT CASE WHEN to_regclass('gridtwin.schema_version') IS NULL THEN 0"
      " ELSE (SELECT coalesce(max(version), 0) FROM gridtwin.schema_version) END",
      {}, "reading the schema version");
  if (!r) return r.takeError();
  return std::atoi(std::string(r->text(0, 0)).c_str());
}

core::Result<int> migrate(Connection& c) {
  if (auto r = c.execute("CREATE EXTENSION IF NOT EXISTS postgis", "creating extension postgis");
      !r) {
    return r.takeError();
  }
  int applied = 0;
  for (const Migration& m : migrations()) {
    if (auto r = c.execute("BEGIN; SELECT pg_advisory_xact_lock(" + std::string(kLockKey) +
                               "); CREATE SCHEMA IF NOT EXISTS gridtwin;"
                               " CREATE TABLE IF NOT EXISTS gridtwin.schema_version ("
                               " version integer PRIMARY KEY, name text NOT NULL,"
                               " applied_at timestamptz NOT NULL DEFAULT now())",
                           "locking the schema");
        !r) {
      (void)c.execute("ROLLBACK");
      return r.takeError();
    }
    auto have = schemaVersion(c);
    if (!have) {
      (void)c.execute("ROLLBACK");
      return have.takeError();
    }
    if (*have > latestSchemaVersion()) {
      (void)c.execute("ROLLBACK");
      return makeError(ErrorCode::kStore,
                       "the database has schema version " + std::to_string(*have) +
                           ", newer than this gridtwin's " + std::to_string(latestSchemaVersion()),
                       c.place());
    }
    if (*have >= m.version) {
      (void)c.execute("ROLLBACK");
      continue;
    }
    auto run = c.execute(m.sql, "migration " + m.name);
    if (run) {
      run = c.query("INSERT INTO gridtwin.schema_version (version, name) VALUES ($1::int, $2)",
                    {std::to_string(m.version), m.name}, "recording migration " + m.name)
                ? core::Result<void>()
                : core::Result<void>(core::makeError(ErrorCode::kStore, "cannot record", m.name));
    }
    if (run) run = c.execute("COMMIT", "committing migration " + m.name);
    if (!run) {
      (void)c.execute("ROLLBACK");
      return run.takeError();
    }
    ++applied;
  }
  return applied;
}

}  // namespace gridtwin::pgstore
