#pragma once
// The case store in PostGIS (gridtwin.cases, migration 007): engine/cases'
// CaseStore over libpq. One row per case, its last state; a write is
// durable when its transaction has committed (synchronous_commit as the
// server has it: on by default). Group commit: records written while a
// commit runs wait for the next one, which upserts them all in one
// statement (the last record of a case wins), so concurrent submitters
// share commits. The statement's trigger sends a payload-free NOTIFY on
// channel gridtwin_cases (after the commit, to every listener).
//
// The store connects as the service's own login, which must own the schema
// (or be a superuser): the five engine roles only read gridtwin.cases.
//
// Thread-safety: write() and sync() from any threads (the connection is
// used by one committing thread at a time).
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cases/store.h"
#include "pgstore/connection.h"

namespace gridtwin::pgstore {

class PgCaseStore final : public cases::CaseStore {
 public:
  // Connects, takes the database's case writer lock (a session advisory
  // lock held as long as the store: one writer per database), applies
  // missing migrations and reads every case. Errors: kStore naming the
  // database; kStore "another gridtwin server already writes the cases of
  // this database" when another store holds the lock.
  static core::Result<std::unique_ptr<PgCaseStore>> open(const std::string& url);
  // As open(), but another writer holding the lock is no error: returns
  // null, and `holder` (when given) says who holds it ("backend pid N").
  // A server starting beside a writer follows it (service/README.md).
  static core::Result<std::unique_ptr<PgCaseStore>> tryOpen(const std::string& url,
                                                            std::string* holder = nullptr);

  const std::vector<cases::Case>& loaded() const override { return m_loaded; }
  const cases::ReplayReport& replayReport() const override { return m_report; }
  core::Result<std::uint64_t> write(std::string_view op, const cases::Case& c) override;
  core::Result<void> sync(std::uint64_t ticket) override;
  std::string describe() const override { return m_place; }

 private:
  struct Row {
    std::int64_t id;
    std::string source, externalId, gridCode, state, record;
  };
  explicit PgCaseStore(Connection connection) : m_conn(std::move(connection)) {}

  Connection m_conn;
  std::string m_place;
  std::vector<cases::Case> m_loaded;
  cases::ReplayReport m_report;

  std::mutex m_mutex;
  std::condition_variable m_committedCv;
  std::vector<Row> m_queue;       // written, not yet committing
  std::uint64_t m_written = 0;    // tickets handed out
  std::uint64_t m_committed = 0;  // tickets durable
  bool m_committing = false;      // a thread holds the connection
  std::string m_failure;          // set once a commit failed
};

// Follows gridtwin.cases from another process (a second server, a viewer):
// LISTENs on gridtwin_cases and, trusting nothing a notification says,
// reads the rows changed since the last it returned, under its own login's
// row-level security. The first poll() returns every case it may see;
// later ones read the table only after a notification (LISTEN comes
// before the first read, so a commit after that read always notifies:
// an idle follower costs no query).
// Not thread-safe: one follower, one thread.
class CaseFollower {
 public:
  static core::Result<CaseFollower> start(const std::string& url);
  // Waits up to `timeout` for a notification (returns at once when one is
  // pending), then returns the cases changed since the last call, in the
  // order of their changes. Errors: the connection lost (kStore).
  core::Result<std::vector<cases::Case>> poll(std::chrono::milliseconds timeout);
  // Notifications received so far.
  std::uint64_t notifications() const { return m_notifications; }

 private:
  explicit CaseFollower(Connection c) : m_conn(std::move(c)) {}
  Connection m_conn;
  std::int64_t m_last = 0;
  std::uint64_t m_notifications = 0;
  bool m_read = false;  // the first read is done
};

}  // namespace gridtwin::pgstore
