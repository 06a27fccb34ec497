#pragma once
// Several `gridtwin serve` on one PostGIS database (service/README.md,
// "Several servers on one database"). Case ids come from the one writer's
// replay of gridtwin.cases, so one server writes: the one holding the
// database's case writer lock (pgstore::PgCaseStore). Every other server
// is a follower: its intake holds a cases::FollowedStore (writes refused),
// and a thread of its own LISTENs on gridtwin_cases (pgstore::CaseFollower,
// under this server's login and its row-level security) and hands each
// case the writer commits to Intake::follow, which puts it into the live
// log exactly as the writer's own intake does: stats, tiles, the tile
// cache and the stream follow from there.
//
// In kAuto a follower also tries the writer's lock every kPromoteEvery;
// once the writer is gone (its connection ends, a kill -9 included, and
// PostgreSQL drops its lock) the follower takes the lock, replays
// gridtwin.cases (Intake::promote: every case it had not followed yet) and
// writes from then on. No case is lost or doubled: the writer answered
// only what it had committed, and the new writer's ids continue after
// every committed one.
//
//   auto rep = CaseReplication::open(url, CaseReplication::Mode::kAuto);
//   auto intake = cases::Intake::openWithStore(twin, url, geocoder, catalog, rep->takeStore());
//   rep->start(**intake);        // a follower's thread; nothing for a writer
//   ... serve ...
//   rep->stop();                 // before the intake goes
//
// Thread-safety: role(), healthJson() and metricsText() from any thread;
// open/takeStore/start/stop from one.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "cases/intake.h"
#include "core/error.h"
#include "pgstore/case_store.h"

namespace gridtwin::service {

class CaseReplication {
 public:
  enum class Mode : std::uint8_t {
    kAuto,    // the writer when the lock is free, else a follower that takes over when it frees
    kWrite,   // the writer, or an error when another server holds the lock
    kFollow,  // a follower, never the writer (a read replica)
  };
  enum class Role : std::uint8_t { kWriter, kFollower };
  // How often a kAuto follower tries the writer's lock (a connection each
  // try, refused at once while the writer lives): the longest a database
  // goes without a writer after the writer dies, beside PostgreSQL's own
  // noticing of the dead connection (at once on a local socket; TCP
  // keepalive otherwise).
  static constexpr std::chrono::milliseconds kPromoteEvery{1000};
  // The follower's wait for a notification per turn of its loop: the
  // longest stop() waits for it.
  static constexpr std::chrono::milliseconds kPollWait{200};
  // The wait before connecting again after the follower's connection failed.
  static constexpr std::chrono::milliseconds kReconnectEvery{1000};

  // Decides the role on `url` (a postgresql:// URL): the writer's store, or
  // a follower's connection and the cases it reads first. Errors: the
  // database's (kStore); kWrite with the lock held (kStore naming who
  // holds it).
  static core::Result<std::unique_ptr<CaseReplication>> open(const std::string& url, Mode mode);
  // A server that is the only writer of its cases (a GeoPackage's
  // journal): role writer, nothing to follow.
  static std::unique_ptr<CaseReplication> standalone();
  ~CaseReplication();

  // The intake's store (once): the writer's PgCaseStore or the follower's
  // FollowedStore.
  std::unique_ptr<cases::CaseStore> takeStore() { return std::move(m_store); }
  // A follower starts its thread, applying each committed case to
  // `intake` (which must outlive stop()); a writer nothing.
  void start(cases::Intake& intake);
  // Ends the follower's thread (within kPollWait and a lock try).
  void stop();

  Role role() const { return m_role.load(); }
  // "writer" / "follower".
  static std::string_view name(Role role);
  // What the server prints at start: its role, and whom a follower follows.
  std::string describe() const;
  // The fields /health adds: "role", and a follower's "follow" object.
  std::string healthJson() const;
  // Prometheus lines: gridtwin_cases_role, the follower's counters.
  std::string metricsText() const;

 private:
  CaseReplication() = default;
  void run(cases::Intake& intake);
  bool waitFor(std::chrono::milliseconds d);  // false when stopped meanwhile
  double lagSeconds() const;

  std::string m_url, m_place, m_holder;
  Mode m_mode = Mode::kAuto;
  std::atomic<Role> m_role{Role::kWriter};
  std::unique_ptr<cases::CaseStore> m_store;
  std::optional<pgstore::CaseFollower> m_follower;  // the thread's, once started

  std::thread m_thread;
  std::mutex m_stopMutex;
  std::condition_variable m_stopCv;
  bool m_stop = false;

  // The follower's figures (metrics, /health).
  std::atomic<bool> m_connected{false};
  std::atomic<std::uint64_t> m_notifications{0};  // over every connection
  std::atomic<std::uint64_t> m_applied{0};        // cases newer than held, applied
  std::atomic<std::uint64_t> m_errors{0};         // lost connections, cases not applied
  // steady_clock ns when the follower last knew it held every committed
  // case: a poll on a live connection with no notification left unread.
  std::atomic<std::int64_t> m_currentAt{0};
  std::atomic<std::int64_t> m_promotedAt{0};  // system_clock s, 0 when never
};

}  // namespace gridtwin::service
