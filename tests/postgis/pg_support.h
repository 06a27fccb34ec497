#pragma once
// What the PostGIS test programs share: running a shell command, the
// fixture cluster's URL for a database, a connection or the end of the
// test program, and the lock around login roles. Header-only; each program
// includes it once.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "pgstore/connection.h"

namespace gridtwin::pgtest {

struct Run {
  int status = -1;
  std::string out;  // stdout and stderr together, trailing newlines and spaces trimmed
};

// Runs a shell command and waits for it.
inline Run run(const std::string& command) {
  Run r;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p)) r.out += buf.data();
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  while (!r.out.empty() && (r.out.back() == '\n' || r.out.back() == ' ')) r.out.pop_back();
  return r;
}

inline std::string shellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

// scripts/postgis <verb> on the cluster whose state is in `state`.
inline std::string postgisScript(const std::string& state, const std::string& verb) {
  return "GRIDTWIN_PG_DIR=" + shellQuote(state) + " " + GRIDTWIN_SOURCE_DIR "/scripts/postgis " +
         verb;
}

// The URL of database `db` in the cluster whose state is in `state` (the
// fixture's by default).
inline std::string urlFor(const std::string& state, const std::string& db) {
  const std::string url = run(postgisScript(state, "url")).out;
  const auto at = url.find("/gridtwin?");
  if (at == std::string::npos) return url;
  return url.substr(0, at) + "/" + db + url.substr(at + 9);
}
inline std::string urlFor(const std::string& db) { return urlFor(GRIDTWIN_PG_STATE, db); }

inline pgstore::Connection connectOrDie(const std::string& url) {
  auto c = pgstore::Connection::open(url);
  if (!c) {
    ADD_FAILURE() << c.error().toString();
    std::abort();
  }
  return std::move(*c);
}

// Login roles and their memberships are the cluster's, not a database's:
// test processes that ctest runs side by side, each in a database of its
// own, create and grant the same logins (atk_planner_all, head_test, …).
// Two at once make PostgreSQL refuse one ("duplicate key value violates
// unique constraint pg_authid_rolname_index", "tuple concurrently
// deleted"). Whoever changes a login holds this lock: a session advisory
// lock in database "postgres", which every process shares; it goes with
// the object.
class RolesLock {
 public:
  RolesLock() : m_session(connectOrDie(urlFor("postgres"))) {
    // "gtroles" in ASCII.
    if (auto r = m_session.execute("SELECT pg_advisory_lock(29119957445666163)"); !r) {
      ADD_FAILURE() << r.error().toString();
    }
  }

 private:
  pgstore::Connection m_session;
};

}  // namespace gridtwin::pgtest
