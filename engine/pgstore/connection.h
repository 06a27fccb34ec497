#pragma once
// A libpq connection behind RAII handles: the only place in gridtwin that
// talks to PostgreSQL (DESIGN: libpq only in the PostGIS store module).
//
// Every value that reaches SQL goes as a bound parameter (query()) or
// through COPY's own escaping (CopyIn); identifiers are quoted by
// quoteIdentifier(). Nothing a caller passes is spliced into SQL text.
//
// Errors (kStore) name the database as "postgresql://user@host:port/db"
// (never the password), the statement's purpose, and the server's message,
// detail and context (which for COPY names the line).
// Not thread-safe: one connection, one thread; open one per thread.
#include <libpq-fe.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace gridtwin::pgstore {

struct ConnectOptions {
  // Seconds to wait for the server (libpq connect_timeout); a server that is
  // down is reported within this time. The URL's own connect_timeout wins.
  int timeoutSeconds = 5;
};

// The rows of one result, as text (NULL is nullopt).
class QueryResult {
 public:
  int rows() const;
  int columns() const;
  bool isNull(int row, int column) const;
  std::string_view text(int row, int column) const;
  std::optional<std::string> value(int row, int column) const;

 private:
  friend class Connection;
  struct Clear {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> m_result;
};

class Connection {
 public:
  // `url`: a libpq URI or key=value string ("postgresql:///gridtwin?host=/tmp/x").
  static core::Result<Connection> open(const std::string& url, const ConnectOptions& options = {});

  // Runs SQL text without parameters (may hold several statements): for
  // fixed statements and migrations only.
  core::Result<void> execute(const std::string& sql, std::string_view purpose = {});
  // Runs one statement with `params` bound as $1, $2, ... (text format).
  core::Result<QueryResult> query(const std::string& sql,
                                  const std::vector<std::optional<std::string>>& params = {},
                                  std::string_view purpose = {});

  // COPY ... FROM STDIN: `fill` appends rows through CopyIn's writers.
  class CopyIn;
  core::Result<std::int64_t> copyIn(const std::string& copySql,
                                    const std::function<core::Result<void>(CopyIn&)>& fill,
                                    std::string_view purpose = {});
  // COPY ... TO STDOUT: `onChunk` receives each CopyData message as sent.
  core::Result<void> copyOut(
      const std::string& copySql,
      const std::function<core::Result<void>(std::span<const char>)>& onChunk,
      std::string_view purpose = {});

  // "identifier" with embedded quotes doubled.
  static std::string quoteIdentifier(std::string_view identifier);

  // Where errors say they happened: "postgresql://user@host:port/db".
  const std::string& place() const { return m_place; }
  // The same for a URL not connected to (no password in it).
  static std::string placeOf(const std::string& url);
  // The native handle, for LISTEN/NOTIFY (follower.cpp). Owned by this object.
  PGconn* native() const { return m_conn.get(); }

  core::Error serverError(const PGresult* result, std::string_view purpose) const;
  core::Error connectionError(std::string_view purpose) const;

 private:
  struct Finish {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  std::unique_ptr<PGconn, Finish> m_conn;
  std::string m_place;
};

// Builds COPY text-format rows: field separators, escapes and the \N of
// NULL; flushed to the server in ~1 MiB messages.
class Connection::CopyIn {
 public:
  void text(std::string_view s);
  void integer(std::int64_t v);
  void real(double v);  // shortest text that reads back to the same double
  void null();
  // EWKB of `wkb` with SRID `srid`, as the hex text PostGIS reads.
  void geometry(std::span<const std::uint8_t> wkb, int srid);
  core::Result<void> endRow();
  std::int64_t rows() const { return m_rows; }

 private:
  friend class Connection;
  CopyIn(Connection& c, std::string_view purpose) : m_conn(c), m_purpose(purpose) {}
  core::Result<void> flush();
  void separate() {
    if (m_fieldsInRow++ > 0) m_buffer.push_back('\t');
  }
  Connection& m_conn;
  std::string_view m_purpose;
  std::string m_buffer;
  std::int64_t m_rows = 0;
  int m_fieldsInRow = 0;
};

}  // namespace gridtwin::pgstore
