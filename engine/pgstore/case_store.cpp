#include "pgstore/case_store.h"

#include <poll.h>

#include <cerrno>

#include <algorithm>
#include <unordered_map>

#include "core/json.h"
#include "pgstore/migrations.h"

namespace gridtwin::pgstore {
namespace {

using core::ErrorCode;
using core::makeError;

// The case writer's session advisory lock: case ids come from the writer's
// replay of gridtwin.cases, so a second writing server on the same
// database would hand out the same ids. The writer holds this lock on its
// connection for its lifetime; PostgreSQL releases it when the connection
// ends (a crash or kill -9 included). Advisory locks are per database.
// The key is "gridcase" in ASCII, so that it means something in pg_locks
// (classid 0x67726964, objid 0x63617365).
constexpr std::int64_t kWriterLockKey = 0x6772696463617365;

}  // namespace

core::Result<std::unique_ptr<PgCaseStore>> PgCaseStore::open(const std::string& url) {
  std::string holder;
  auto s = tryOpen(url, &holder);
  if (!s) return s.takeError();
  if (*s) return std::move(*s);
  return makeError(ErrorCode::kStore,
                   "another gridtwin server already writes the cases of this database" +
                       (holder.empty() ? std::string() : " (its " + holder + ")") +
                       ": one writer per database (a second one would hand out the same case "
                       "ids); stop it first, serve a copy of the database, or follow it (gridtwin "
                       "serve without --write)",
                   Connection::placeOf(url));
}

core::Result<std::unique_ptr<PgCaseStore>> PgCaseStore::tryOpen(const std::string& url,
                                                                std::string* holder) {
  auto conn = Connection::open(url);
  if (!conn) return conn.takeError();
  std::unique_ptr<PgCaseStore> s(new PgCaseStore(std::move(*conn)));
  s->m_place = s->m_conn.place();
  // One writer per database, decided before anything is migrated or read.
  auto locked = s->m_conn.query("SELECT pg_try_advisory_lock($1::bigint)",
                                {std::to_string(kWriterLockKey)}, "taking the case writer's lock");
  if (!locked) return locked.takeError();
  if (locked->text(0, 0) != "t") {
    auto who = s->m_conn.query(
        "SELECT pid FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND granted "
        "AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = "
        "pg_catalog.current_database()) AND classid = $1::oid AND objid = $2::oid AND "
        "objsubid = 1",
        {std::to_string(static_cast<std::uint64_t>(kWriterLockKey) >> 32),
         std::to_string(static_cast<std::uint64_t>(kWriterLockKey) & 0xFFFFFFFFu)},
        "finding the case writer");
    if (holder && who && who->rows() > 0) {
      *holder = "backend pid " + std::string(who->text(0, 0));
    }
    return std::unique_ptr<PgCaseStore>();
  }
  // A login of the five roles reads the cases (row-level security: a part
  // of them) and may not write: as the writer it would replay only its
  // part and hand out taken ids. Refused before anything is migrated or
  // read (a database without the table yet: the migration decides); the
  // lock goes with the connection.
  auto may = s->m_conn.query(
      "SELECT CASE WHEN pg_catalog.to_regclass('gridtwin.cases') IS NULL THEN true ELSE "
      "pg_catalog.has_table_privilege(pg_catalog.to_regclass('gridtwin.cases'), 'INSERT, UPDATE') "
      "END, current_user",
      {}, "checking the right to write cases");
  if (!may) return may.takeError();
  if (may->text(0, 0) != "t") {
    return makeError(ErrorCode::kStore,
                     "the login " + std::string(may->text(0, 1)) +
                         " may not write gridtwin.cases (the case writer connects as the schema's "
                         "owner); serve with --follow to only follow the writer",
                     s->m_place);
  }
  if (auto m = migrate(s->m_conn); !m) return m.takeError();
  auto rows = s->m_conn.query("SELECT record FROM gridtwin.cases ORDER BY case_id", {},
                              "reading the cases");
  if (!rows) return rows.takeError();
  for (int i = 0; i < rows->rows(); ++i) {
    auto c = cases::caseFromJson(rows->text(i, 0));
    if (!c) {
      return makeError(ErrorCode::kStore, "a case row does not read: " + c.error().message,
                       s->m_place + ": gridtwin.cases row " + std::to_string(i + 1));
    }
    s->m_loaded.push_back(std::move(*c));
  }
  s->m_report.records = s->m_loaded.size();
  s->m_report.cases = s->m_loaded.size();
  return s;
}

core::Result<std::uint64_t> PgCaseStore::write(std::string_view, const cases::Case& c) {
  Row row{c.id,       std::string(cases::name(c.source)), c.externalId,
          c.gridCode, std::string(cases::name(c.state)),  cases::toJson(c)};
  std::lock_guard lock(m_mutex);
  if (!m_failure.empty()) return makeError(ErrorCode::kStore, m_failure, m_place);
  m_queue.push_back(std::move(row));
  return ++m_written;
}

core::Result<void> PgCaseStore::sync(std::uint64_t ticket) {
  std::unique_lock lock(m_mutex);
  while (m_committed < ticket) {
    if (!m_failure.empty()) return makeError(ErrorCode::kStore, m_failure, m_place);
    if (m_committing) {
      m_committedCv.wait(lock);
      continue;
    }
    // Lead a group: one statement, one commit, for everything queued.
    m_committing = true;
    std::vector<Row> batch;
    batch.swap(m_queue);
    const std::uint64_t target = m_written;
    lock.unlock();
    // Every row as one JSON parameter: no SQL text from values, one
    // statement however many rows. The last record of each case wins (an
    // upsert may not touch a row twice).
    std::string json = "[";
    {
      std::unordered_map<std::int64_t, std::size_t> last;
      for (std::size_t i = 0; i < batch.size(); ++i) last[batch[i].id] = i;
      bool first = true;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (last[batch[i].id] != i) continue;
        const Row& r = batch[i];
        json += first ? "{" : ",{";
        first = false;
        json += "\"case_id\":" + std::to_string(r.id) + ",\"source\":";
        core::appendJsonString(json, r.source);
        json += ",\"external_id\":";
        core::appendJsonString(json, r.externalId);
        json += ",\"grid_code\":";
        if (r.gridCode.empty()) {
          json += "null";
        } else {
          core::appendJsonString(json, r.gridCode);
        }
        json += ",\"state\":";
        core::appendJsonString(json, r.state);
        json += ",\"record\":";
        core::appendJsonString(json, r.record);
        json += '}';
      }
    }
    json += ']';
    auto done = m_conn.query(
        "INSERT INTO gridtwin.cases (case_id, source, external_id, grid_code, state, record) "
        "SELECT x.case_id, x.source, x.external_id, x.grid_code, x.state, x.record "
        "FROM pg_catalog.jsonb_to_recordset($1::jsonb) AS x(case_id bigint, source text, "
        "external_id text, grid_code text, state text, record text) "
        "ON CONFLICT (case_id) DO UPDATE SET grid_code = EXCLUDED.grid_code, "
        "state = EXCLUDED.state, record = EXCLUDED.record, "
        "changed = pg_catalog.nextval('gridtwin.cases_changed')",
        {json}, "storing cases");
    lock.lock();
    m_committing = false;
    if (!done) {
      m_failure = "cannot store the cases: " + done.error().toString();
    } else {
      m_committed = std::max(m_committed, target);
    }
    m_committedCv.notify_all();
  }
  return {};
}

core::Result<CaseFollower> CaseFollower::start(const std::string& url) {
  auto c = Connection::open(url);
  if (!c) return c.takeError();
  if (auto r = c->execute("LISTEN gridtwin_cases", "listening for cases"); !r) {
    return r.takeError();
  }
  return CaseFollower(std::move(*c));
}

core::Result<std::vector<cases::Case>> CaseFollower::poll(std::chrono::milliseconds timeout) {
  PGconn* pg = m_conn.native();
  bool notified = false;
  auto drain = [&]() -> core::Result<void> {
    if (!PQconsumeInput(pg)) return m_conn.connectionError("reading notifications");
    while (PGnotify* n = PQnotifies(pg)) {
      notified = true;
      ++m_notifications;
      PQfreemem(n);
    }
    return {};
  };
  GRIDTWIN_TRY(drain());
  if (!notified && m_read && timeout.count() > 0) {
    pollfd fd{PQsocket(pg), POLLIN, 0};
    const int ready = ::poll(&fd, 1, static_cast<int>(timeout.count()));
    if (ready < 0 && errno != EINTR) {
      return makeError(ErrorCode::kIo, "poll failed", m_conn.place());
    }
    if (ready > 0) GRIDTWIN_TRY(drain());
  }
  if (m_read && !notified) return std::vector<cases::Case>();
  m_read = true;
  auto rows = m_conn.query(
      "SELECT changed, record FROM gridtwin.cases WHERE changed > $1::bigint ORDER BY changed",
      {std::to_string(m_last)}, "reading changed cases");
  if (!rows) return rows.takeError();
  std::vector<cases::Case> out;
  for (int i = 0; i < rows->rows(); ++i) {
    m_last = std::max<std::int64_t>(m_last, std::stoll(std::string(rows->text(i, 0))));
    auto c = cases::caseFromJson(rows->text(i, 1));
    if (c) out.push_back(std::move(*c));
  }
  return out;
}

}  // namespace gridtwin::pgstore
