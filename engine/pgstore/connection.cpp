#include "pgstore/connection.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace gridtwin::pgstore {

using core::ErrorCode;
using core::makeError;

namespace {

// "postgresql://user@host:port/db" from a conninfo, without the password.
std::string describe(const std::string& url) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (!opts) {
    if (err) PQfreemem(err);
    return "postgresql (unparsable connection string)";
  }
  std::string host, port, db, user;
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    if (!o->val) continue;
    const std::string_view k = o->keyword;
    if (k == "host" || (k == "hostaddr" && host.empty())) host = o->val;
    if (k == "port") port = o->val;
    if (k == "dbname") db = o->val;
    if (k == "user") user = o->val;
  }
  PQconninfoFree(opts);
  std::string out = "postgresql://";
  if (!user.empty()) out += user + "@";
  out += host.empty() ? "localhost" : host;
  if (!port.empty()) out += ":" + port;
  return out + "/" + db;
}

std::string trimmed(const char* s) {
  std::string out = s ? s : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace

int QueryResult::rows() const { return PQntuples(m_result.get()); }
int QueryResult::columns() const { return PQnfields(m_result.get()); }
bool QueryResult::isNull(int row, int column) const {
  return PQgetisnull(m_result.get(), row, column) != 0;
}
std::string_view QueryResult::text(int row, int column) const {
  return {PQgetvalue(m_result.get(), row, column),
          static_cast<std::size_t>(PQgetlength(m_result.get(), row, column))};
}
std::optional<std::string> QueryResult::value(int row, int column) const {
  if (isNull(row, column)) return std::nullopt;
  return std::string(text(row, column));
}

std::string Connection::placeOf(const std::string& url) { return describe(url); }

core::Result<Connection> Connection::open(const std::string& url, const ConnectOptions& options) {
  Connection c;
  c.m_place = describe(url);
  const std::string timeout = std::to_string(options.timeoutSeconds);
  // dbname is expanded first; later keywords fill what the URL leaves unset.
  bool urlHasTimeout = url.find("connect_timeout") != std::string::npos;
  const char* keys[] = {"dbname", "application_name", urlHasTimeout ? nullptr : "connect_timeout",
                        nullptr};
  const char* values[] = {url.c_str(), "gridtwin", timeout.c_str(), nullptr};
  c.m_conn.reset(PQconnectdbParams(keys, values, 1));
  if (!c.m_conn) return makeError(ErrorCode::kStore, "out of memory", c.m_place);
  if (PQstatus(c.m_conn.get()) != CONNECTION_OK) {
    return makeError(ErrorCode::kStore,
                     "cannot connect: " + trimmed(PQerrorMessage(c.m_conn.get())), c.m_place);
  }
  // Stable text for what tests and exports compare.
  if (auto r = c.execute(
          "SET client_encoding = 'UTF8'; SET DateStyle = 'ISO'; SET extra_float_digits = 3;"
          " SET client_min_messages = warning",
          "session settings");
      !r) {
    return r.takeError();
  }
  return c;
}

core::Error Connection::serverError(const PGresult* result, std::string_view purpose) const {
  std::string message = trimmed(result ? PQresultErrorMessage(result) : PQerrorMessage(native()));
  if (message.empty()) message = trimmed(PQerrorMessage(native()));
  if (result) {
    // PQresultErrorMessage already carries DETAIL and CONTEXT lines; keep them on one line.
    for (char& ch : message) {
      if (ch == '\n') ch = ';';
    }
  }
  std::string context = m_place;
  if (!purpose.empty()) context += ": " + std::string(purpose);
  return makeError(ErrorCode::kStore, message.empty() ? "server error" : message, context);
}

core::Error Connection::connectionError(std::string_view purpose) const {
  return serverError(nullptr, purpose);
}

core::Result<void> Connection::execute(const std::string& sql, std::string_view purpose) {
  std::unique_ptr<PGresult, QueryResult::Clear> r(PQexec(native(), sql.c_str()));
  const auto status = PQresultStatus(r.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return serverError(r.get(), purpose);
  return {};
}

core::Result<QueryResult> Connection::query(const std::string& sql,
                                            const std::vector<std::optional<std::string>>& params,
                                            std::string_view purpose) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  QueryResult out;
  out.m_result.reset(PQexecParams(native(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0));
  const auto status = PQresultStatus(out.m_result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    return serverError(out.m_result.get(), purpose);
  return out;
}

std::string Connection::quoteIdentifier(std::string_view identifier) {
  std::string q = "\"";
  for (char ch : identifier) {
    if (ch == '\0') continue;  // cannot be in an identifier; never let it cut the string
    q += ch;
    if (ch == '"') q += '"';
  }
  return q + "\"";
}

core::Result<std::int64_t> Connection::copyIn(
    const std::string& copySql, const std::function<core::Result<void>(CopyIn&)>& fill,
    std::string_view purpose) {
  {
    std::unique_ptr<PGresult, QueryResult::Clear> r(PQexec(native(), copySql.c_str()));
    if (PQresultStatus(r.get()) != PGRES_COPY_IN) return serverError(r.get(), purpose);
  }
  CopyIn in(*this, purpose);
  auto filled = fill(in);
  if (filled) filled = in.flush();
  const char* abortMessage = filled ? nullptr : "gridtwin: the source failed";
  if (PQputCopyEnd(native(), abortMessage) != 1) return connectionError(purpose);
  // Drain every result; the first failure wins, the source's error first.
  core::Result<void> server;
  while (PGresult* raw = PQgetResult(native())) {
    std::unique_ptr<PGresult, QueryResult::Clear> r(raw);
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK && server)
      server = serverError(r.get(), purpose);
  }
  if (!filled) return filled.takeError();
  if (!server) return server.takeError();
  return in.rows();
}

core::Result<void> Connection::copyOut(
    const std::string& copySql,
    const std::function<core::Result<void>(std::span<const char>)>& onChunk,
    std::string_view purpose) {
  {
    std::unique_ptr<PGresult, QueryResult::Clear> r(PQexec(native(), copySql.c_str()));
    if (PQresultStatus(r.get()) != PGRES_COPY_OUT) return serverError(r.get(), purpose);
  }
  core::Result<void> client;
  for (;;) {
    char* buffer = nullptr;
    const int n = PQgetCopyData(native(), &buffer, 0);
    if (n == -1) break;
    if (n == -2) return connectionError(purpose);
    if (client) client = onChunk(std::span<const char>(buffer, static_cast<std::size_t>(n)));
    PQfreemem(buffer);
  }
  core::Result<void> server;
  while (PGresult* raw = PQgetResult(native())) {
    std::unique_ptr<PGresult, QueryResult::Clear> r(raw);
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK && server)
      server = serverError(r.get(), purpose);
  }
  if (!client) return client;
  return server;
}

// ---- COPY text rows

void Connection::CopyIn::text(std::string_view s) {
  separate();
  for (char ch : s) {
    switch (ch) {
      case '\\':
        m_buffer += "\\\\";
        break;
      case '\t':
        m_buffer += "\\t";
        break;
      case '\n':
        m_buffer += "\\n";
        break;
      case '\r':
        m_buffer += "\\r";
        break;
      default:
        m_buffer.push_back(ch);
    }
  }
}

void Connection::CopyIn::integer(std::int64_t v) {
  separate();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  m_buffer.append(buf, end);
}

void Connection::CopyIn::real(double v) {
  separate();
  if (std::isnan(v)) {
    m_buffer += "NaN";
    return;
  }
  if (std::isinf(v)) {
    m_buffer += v > 0 ? "Infinity" : "-Infinity";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  m_buffer.append(buf, end);
}

void Connection::CopyIn::null() {
  separate();
  m_buffer += "\\N";
}

void Connection::CopyIn::geometry(std::span<const std::uint8_t> wkb, int srid) {
  separate();
  static constexpr char kHex[] = "0123456789ABCDEF";
  if (wkb.size() < 5) {
    m_buffer += "\\N";
    return;
  }
  // EWKB: byte order, type | SRID flag, SRID, then the body as it was.
  const bool little = wkb[0] == 1;
  std::uint32_t type;
  std::memcpy(&type, wkb.data() + 1, 4);
  if (!little) type = __builtin_bswap32(type);
  type |= 0x20000000u;
  std::uint32_t s = static_cast<std::uint32_t>(srid);
  if (!little) {
    type = __builtin_bswap32(type);
    s = __builtin_bswap32(s);
  }
  std::uint8_t head[9];
  head[0] = wkb[0];
  std::memcpy(head + 1, &type, 4);
  std::memcpy(head + 5, &s, 4);
  const std::size_t at = m_buffer.size();
  m_buffer.resize(at + 2 * (9 + wkb.size() - 5));
  char* out = m_buffer.data() + at;
  for (std::uint8_t b : head) {
    *out++ = kHex[b >> 4];
    *out++ = kHex[b & 15];
  }
  for (std::size_t i = 5; i < wkb.size(); ++i) {
    *out++ = kHex[wkb[i] >> 4];
    *out++ = kHex[wkb[i] & 15];
  }
}

core::Result<void> Connection::CopyIn::endRow() {
  m_buffer.push_back('\n');
  m_fieldsInRow = 0;
  ++m_rows;
  if (m_buffer.size() >= (1u << 20)) return flush();
  return {};
}

core::Result<void> Connection::CopyIn::flush() {
  if (m_buffer.empty()) return {};
  if (PQputCopyData(m_conn.native(), m_buffer.data(), static_cast<int>(m_buffer.size())) != 1)
    return m_conn.connectionError(m_purpose);
  m_buffer.clear();
  return {};
}

}  // namespace gridtwin::pgstore
