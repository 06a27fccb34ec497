#include "case_replication.h"

#include <cstdio>
#include <iostream>

#include "core/json.h"

namespace gridtwin::service {
namespace {

std::int64_t steadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string number(double v) {
  std::string s;
  core::appendJsonNumber(s, v, 3);
  return s;
}

}  // namespace

std::string_view CaseReplication::name(Role role) {
  return role == Role::kWriter ? "writer" : "follower";
}

std::unique_ptr<CaseReplication> CaseReplication::standalone() {
  return std::unique_ptr<CaseReplication>(new CaseReplication());
}

core::Result<std::unique_ptr<CaseReplication>> CaseReplication::open(const std::string& url,
                                                                     Mode mode) {
  std::unique_ptr<CaseReplication> r(new CaseReplication());
  r->m_url = url;
  r->m_place = pgstore::Connection::placeOf(url);
  r->m_mode = mode;
  if (mode == Mode::kWrite) {
    auto store = pgstore::PgCaseStore::open(url);
    if (!store) return store.takeError();
    r->m_store = std::move(*store);
    return r;
  }
  if (mode == Mode::kAuto) {
    auto store = pgstore::PgCaseStore::tryOpen(url, &r->m_holder);
    if (!store) return store.takeError();
    if (*store) {
      r->m_store = std::move(*store);
      return r;
    }
  }
  // A follower: LISTEN first, then the first read (every case this login
  // may see), so that nothing committed in between is missed.
  auto follower = pgstore::CaseFollower::start(url);
  if (!follower) return follower.takeError();
  auto first = follower->poll(std::chrono::milliseconds(0));
  if (!first) return first.takeError();
  r->m_role = Role::kFollower;
  r->m_connected = true;
  r->m_currentAt = steadyNs();
  r->m_store = std::make_unique<cases::FollowedStore>(
      std::move(*first), r->m_place + " (followed)",
      "this server follows the case writer of " + r->m_place +
          " and writes no case: post and change cases through the writer");
  r->m_follower.emplace(std::move(*follower));
  return r;
}

CaseReplication::~CaseReplication() { stop(); }

void CaseReplication::start(cases::Intake& intake) {
  if (m_role != Role::kFollower || m_thread.joinable()) return;
  m_thread = std::thread([this, &intake] { run(intake); });
}

void CaseReplication::stop() {
  {
    std::lock_guard lock(m_stopMutex);
    m_stop = true;
  }
  m_stopCv.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

bool CaseReplication::waitFor(std::chrono::milliseconds d) {
  std::unique_lock lock(m_stopMutex);
  return !m_stopCv.wait_for(lock, d, [this] { return m_stop; });
}

void CaseReplication::run(cases::Intake& intake) {
  std::uint64_t notificationsBefore = 0;  // of the connections before this one
  auto lastTry = std::chrono::steady_clock::now();
  while (true) {
    {
      std::lock_guard lock(m_stopMutex);
      if (m_stop) return;
    }
    if (m_mode == Mode::kAuto && std::chrono::steady_clock::now() - lastTry >= kPromoteEvery) {
      lastTry = std::chrono::steady_clock::now();
      auto store = pgstore::PgCaseStore::tryOpen(m_url);
      if (store && *store) {
        // The writer is gone and its lock is ours: every committed case is
        // in the store's replay.
        if (auto r = intake.promote(std::move(*store)); !r) {
          ++m_errors;
          std::cerr << "gridtwin serve: cases: " << r.error().toString() << '\n';
        }
        m_role = Role::kWriter;
        m_promotedAt = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
        m_follower.reset();
        m_connected = false;
        std::cerr << "gridtwin serve: the case writer of " << m_place
                  << " is gone: this server is the writer now\n";
        return;
      }
    }
    if (!m_follower) {
      auto f = pgstore::CaseFollower::start(m_url);
      if (!f) {
        if (!waitFor(kReconnectEvery)) return;
        continue;
      }
      m_follower.emplace(std::move(*f));
      m_connected = true;
      std::cerr << "gridtwin serve: cases: following " << m_place << " again\n";
    }
    auto got = m_follower->poll(kPollWait);
    m_notifications = notificationsBefore + m_follower->notifications();
    if (!got) {
      // Lost: read everything again on a new connection (follow() keeps
      // only what is newer than held).
      ++m_errors;
      std::cerr << "gridtwin serve: cases: " << got.error().toString() << '\n';
      notificationsBefore += m_follower->notifications();
      m_follower.reset();
      m_connected = false;
      if (!waitFor(kReconnectEvery)) return;
      continue;
    }
    const std::int64_t readAt = steadyNs();
    for (const cases::Case& c : *got) {
      auto applied = intake.follow(c);
      if (!applied) {
        ++m_errors;
        std::cerr << "gridtwin serve: cases: " << applied.error().toString() << '\n';
      } else if (*applied) {
        ++m_applied;
      }
    }
    m_currentAt = readAt;
  }
}

double CaseReplication::lagSeconds() const {
  if (m_role == Role::kWriter) return 0;
  return static_cast<double>(steadyNs() - m_currentAt.load()) / 1e9;
}

std::string CaseReplication::describe() const {
  if (m_role == Role::kWriter) {
    return m_place.empty() ? "cases: writer" : "cases: writer of " + m_place;
  }
  std::string s = "cases: follower of the writer of " + m_place;
  if (!m_holder.empty()) s += " (" + m_holder + ")";
  s += m_mode == Mode::kAuto ? "; takes over when the writer goes"
                             : "; read only (--follow), never the writer";
  s += "; POST and PATCH /cases are answered 503";
  return s;
}

std::string CaseReplication::healthJson() const {
  std::string s = "\"role\": \"" + std::string(name(m_role)) + "\"";
  if (m_role == Role::kFollower) {
    s += ", \"follow\": {\"connected\": " + std::string(m_connected ? "true" : "false") +
         ", \"lag_s\": " + number(lagSeconds()) +
         ", \"notifications\": " + std::to_string(m_notifications.load()) +
         ", \"applied\": " + std::to_string(m_applied.load()) +
         ", \"errors\": " + std::to_string(m_errors.load()) + "}";
  } else if (m_promotedAt.load() != 0) {
    s += ", \"promoted_at\": " + std::to_string(m_promotedAt.load());
  }
  return s;
}

std::string CaseReplication::metricsText() const {
  const std::string role(name(m_role));
  std::string s =
      "# HELP gridtwin_cases_role This server's role on its cases (writer or follower)\n";
  s += "# TYPE gridtwin_cases_role gauge\n";
  s += "gridtwin_cases_role{role=\"" + role + "\"} 1\n";
  if (m_url.empty()) return s;
  s += "# TYPE gridtwin_cases_follow_connected gauge\ngridtwin_cases_follow_connected " +
       std::string(m_connected ? "1" : "0") + "\n";
  s += "# HELP gridtwin_cases_follow_lag_seconds Seconds since the follower last held every "
       "committed case (0 for the writer)\n# TYPE gridtwin_cases_follow_lag_seconds gauge\n"
       "gridtwin_cases_follow_lag_seconds " +
       number(lagSeconds()) + "\n";
  s += "# TYPE gridtwin_cases_follow_notifications_total counter\n"
       "gridtwin_cases_follow_notifications_total " +
       std::to_string(m_notifications.load()) + "\n";
  s += "# TYPE gridtwin_cases_follow_applied_total counter\ngridtwin_cases_follow_applied_total " +
       std::to_string(m_applied.load()) + "\n";
  s += "# TYPE gridtwin_cases_follow_errors_total counter\ngridtwin_cases_follow_errors_total " +
       std::to_string(m_errors.load()) + "\n";
  return s;
}

}  // namespace gridtwin::service
