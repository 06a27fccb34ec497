// Case intake on the PostGIS store (issue 13.5, migration 007): cases
// committed before the answer, replayed by a second Intake (another
// server), idempotent across both; a second connection hears the
// payload-free NOTIFY and reads the case under its own role's scope; the
// five roles cannot write cases; concurrent submitters share commits; a
// second writer on the same database is refused; `gridtwin serve` on the
// database commits a POSTed case before its answer; a second server on the
// database follows the writer (reads, stats, tiles, stream, scope; writes
// refused) and takes over when the writer dies.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <atomic>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "cases/intake.h"
#include "crs/transformer.h"
#include "pg_support.h"
#include "pgstore/case_store.h"
#include "pgstore/ingest.h"
#include "tiles/tile_math.h"

namespace gridtwin {
namespace {

using pgtest::connectOrDie;
using pgtest::urlFor;

const std::string kSmall = std::string(GRIDTWIN_PG_WORK) + "/small.gpkg";
const std::string kCatalog = std::string(GRIDTWIN_SOURCE_DIR) + "/data/catalog";

class PostgisCases : public ::testing::Test {
 protected:
  void SetUp() override {
    static const std::string error = []() -> std::string {
      auto admin = pgstore::Connection::open(urlFor("postgres"));
      if (!admin) return admin.error().toString();
      const std::string name = "t_postgis_cases_" + std::to_string(::getpid());
      if (auto r = admin->execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); !r) {
        return r.error().toString();
      }
      if (auto r = admin->execute("CREATE DATABASE " + name); !r) return r.error().toString();
      s_url = urlFor(name);
      if (auto r = pgstore::ingest(s_url, kSmall); !r) return r.error().toString();
      auto twin = query::Twin::open(kSmall, {});
      if (!twin) return twin.error().toString();
      s_twin = std::move(*twin);
      auto back = crs::Transformer::create(crs::kGaussKruger114, crs::kCgcs2000);
      for (const geo::Point& xy : s_twin->points(model::Kind::kAddress)) {
        s_lonlat.push_back(*back->transform(xy));
      }
      return {};
    }();
    ASSERT_TRUE(error.empty()) << error;
  }

  static std::unique_ptr<cases::Intake> open() {
    auto store = pgstore::PgCaseStore::open(s_url);
    EXPECT_TRUE(store.ok()) << (store ? "" : store.error().toString());
    if (!store) return nullptr;
    auto catalog = cases::CategoryCatalog::load(kCatalog + "/event_types.csv");
    auto rules = cases::DispatchRules::load(kCatalog + "/dispatch_rules.csv", *catalog);
    auto in = cases::Intake::open(*s_twin, nullptr, std::move(*catalog), std::move(*rules),
                                  std::move(*store));
    EXPECT_TRUE(in.ok()) << (in ? "" : in.error().toString());
    return in ? std::move(*in) : nullptr;
  }

  static query::Access all() {
    return *query::makeAccess(s_twin->district(), query::Role::kDistrict, "");
  }

  static cases::CaseRequest request(const std::string& id, geo::Point p) {
    cases::CaseRequest r;
    r.source = cases::Source::kHotline12319;
    r.externalId = id;
    r.point = p;
    r.category = "010101";
    r.text = "垃圾满溢";
    return r;
  }

  static std::string cell(pgstore::Connection& c, const std::string& sql) {
    auto r = c.query(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << (r ? "" : r.error().toString());
    return r && r->rows() > 0 ? std::string(r->text(0, 0)) : std::string();
  }

  static inline std::string s_url;
  static inline std::unique_ptr<query::Twin> s_twin;
  static inline std::vector<geo::Point> s_lonlat;
};

TEST_F(PostgisCases, ACaseIsCommittedBeforeTheAnswerAndAnotherConnectionHearsOfIt) {
  auto follower = pgstore::CaseFollower::start(s_url);
  ASSERT_TRUE(follower.ok()) << follower.error().toString();
  auto first = follower->poll(std::chrono::milliseconds(0));  // what was there before
  ASSERT_TRUE(first.ok());
  auto in = open();
  ASSERT_TRUE(in);
  std::size_t heard = 0;
  in->setListener([&](const cases::Case& c) {
    // Committed before the listener hears it: another connection reads it.
    auto other = connectOrDie(s_url);
    EXPECT_EQ(
        cell(other, "SELECT state FROM gridtwin.cases WHERE case_id = " + std::to_string(c.id)),
        cases::name(c.state));
    ++heard;
  });
  auto o = in->submit(request("n1", s_lonlat[5]), all());
  ASSERT_TRUE(o.ok()) << o.error().toString();
  EXPECT_EQ(o->code, cases::OutcomeCode::kCreated);
  auto got = follower->poll(std::chrono::milliseconds(5000));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].id, o->c.id);
  EXPECT_EQ((*got)[0].gridCode, o->c.gridCode);
  EXPECT_GE(follower->notifications(), 1u);
  auto moved = in->transition(o->c.id, cases::State::kClassified, "陈七", 7, "", all());
  ASSERT_TRUE(moved.ok()) << moved.error().toString();
  got = follower->poll(std::chrono::milliseconds(5000));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].state, cases::State::kClassified);
  ASSERT_EQ((*got)[0].history.size(), 1u);
  EXPECT_EQ((*got)[0].history[0].who, "陈七");
  EXPECT_EQ(heard, 2u);
  // The notification carries nothing.
  auto raw = connectOrDie(s_url);
  ASSERT_TRUE(raw.execute("LISTEN gridtwin_cases"));
  ASSERT_TRUE(in->submit(request("n2", s_lonlat[6]), all()).ok());
  for (int i = 0; i < 50; ++i) {
    PQconsumeInput(raw.native());
    if (PGnotify* n = PQnotifies(raw.native())) {
      EXPECT_STREQ(n->extra, "");
      PQfreemem(n);
      return;
    }
    ::usleep(100 * 1000);
  }
  ADD_FAILURE() << "no notification on gridtwin_cases";
}

// `gridtwin serve` on the database, a district token, until stopped.
struct Served {
  pid_t pid = -1;
  std::string base;  // http://127.0.0.1:PORT
};

Served serve(const std::string& url, const std::string& tokensFile,
             const std::vector<std::string>& more = {}) {
  Served s;
  std::vector<std::string> args = {GRIDTWIN_CLI,  "serve",        url,       "--listen",
                                   "127.0.0.1:0", "--access-log", "off",     "--tile-seed-zoom",
                                   "-1",          "--tokens",     tokensFile};
  args.insert(args.end(), more.begin(), more.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int out[2];
  if (::pipe(out) != 0) return s;
  s.pid = ::fork();
  if (s.pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::execv(GRIDTWIN_CLI, argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  FILE* in = ::fdopen(out[0], "r");
  char line[512];
  while (in && std::fgets(line, sizeof line, in)) {
    const std::string l(line);
    if (const auto at = l.find("http://"); l.find("listening on") != std::string::npos) {
      s.base = l.substr(at, l.find_last_not_of("\r\n") + 1 - at);
      break;
    }
  }
  if (in) std::fclose(in);
  return s;
}

// curl's answer: the body, then the status code on a line of its own.
std::pair<std::string, std::string> http(const std::string& method, const std::string& url,
                                         const std::string& body,
                                         const std::string& token = "PGDISTRICT") {
  auto r = pgtest::run("curl -s -w '\\n%{http_code}' -X " + method + " -H 'Authorization: Bearer " +
                       token +
                       "' -H 'Content-Type: "
                       "application/json' -d " +
                       pgtest::shellQuote(body) + " " + pgtest::shellQuote(url));
  const auto nl = r.out.rfind('\n');
  if (nl == std::string::npos) return {"", r.out};
  return {r.out.substr(0, nl), r.out.substr(nl + 1)};
}

TEST_F(PostgisCases, TheServiceCommitsAPostedCaseBeforeItsAnswer) {
  const std::string dir =
      std::string(GRIDTWIN_PG_WORK) + "/serve-cases-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/tokens") << "PGDISTRICT district\n";
  auto listener = connectOrDie(s_url);
  ASSERT_TRUE(listener.execute("LISTEN gridtwin_cases"));
  const Served s = serve(s_url, dir + "/tokens");
  ASSERT_GT(s.pid, 0);
  ASSERT_FALSE(s.base.empty()) << "gridtwin serve on the database did not start";
  char point[64];
  std::snprintf(point, sizeof point, "[%.9f, %.9f]", s_lonlat[21].x, s_lonlat[21].y);
  const std::string body = R"({"source": "12345", "external_id": "http-1", "point": )" +
                           std::string(point) + R"(, "category": "010101", "text": "井盖缺失"})";
  auto posted = http("POST", s.base + "/cases", body);
  EXPECT_EQ(posted.second, "201") << posted.first;
  // Committed before the answer: another connection reads it at once.
  auto c = connectOrDie(s_url);
  EXPECT_EQ(cell(c, "SELECT count(*) FROM gridtwin.cases WHERE external_id = 'http-1'"), "1");
  EXPECT_EQ(cell(c, "SELECT state FROM gridtwin.cases WHERE external_id = 'http-1'"), "reported");
  bool heard = false;
  for (int i = 0; i < 50 && !heard; ++i) {
    PQconsumeInput(listener.native());
    if (PGnotify* n = PQnotifies(listener.native())) {
      heard = true;
      PQfreemem(n);
    } else {
      ::usleep(100 * 1000);
    }
  }
  EXPECT_TRUE(heard) << "no NOTIFY on gridtwin_cases";
  // A retried POST is the same case: 200, still one row.
  auto retried = http("POST", s.base + "/cases", body);
  EXPECT_EQ(retried.second, "200") << retried.first;
  EXPECT_EQ(cell(c, "SELECT count(*) FROM gridtwin.cases WHERE external_id = 'http-1'"), "1");
  // A step of the state machine reaches the table; an illegal one does not.
  const std::string id = cell(c, "SELECT case_id FROM gridtwin.cases WHERE external_id = 'http-1'");
  auto moved = http("PATCH", s.base + "/cases/" + id, R"({"to": "classified", "who": "王五"})");
  EXPECT_EQ(moved.second, "200") << moved.first;
  auto illegal = http("PATCH", s.base + "/cases/" + id, R"({"to": "closed", "who": "王五"})");
  EXPECT_EQ(illegal.second, "409") << illegal.first;
  EXPECT_EQ(cell(c, "SELECT state FROM gridtwin.cases WHERE external_id = 'http-1'"), "classified");
  // The district it serves is the database's.
  auto grids = http("GET", s.base + "/collections/grids/items?limit=1", "");
  EXPECT_EQ(grids.second, "200");
  EXPECT_NE(
      grids.first.find("\"numberMatched\": " + std::to_string(s_twin->district().grids().size())),
      std::string::npos)
      << grids.first.substr(0, 300);
  ::kill(s.pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(s.pid, &status, 0), s.pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  std::filesystem::remove_all(dir);
}

TEST_F(PostgisCases, AnotherServerReplaysTheCasesAndRetriesStayOneCase) {
  std::int64_t id = 0;
  {
    auto in = open();
    ASSERT_TRUE(in);
    auto o = in->submit(request("r1", s_lonlat[11]), all());
    ASSERT_TRUE(o.ok());
    id = o->c.id;
    ASSERT_TRUE(in->transition(id, cases::State::kClassified, "甲", 1, "", all()).ok());
  }
  auto again = open();
  ASSERT_TRUE(again);
  auto retry = again->submit(request("r1", s_lonlat[11]), all());
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->c.id, id);
  EXPECT_EQ(retry->c.state, cases::State::kClassified);
  auto c = connectOrDie(s_url);
  EXPECT_EQ(cell(c, "SELECT count(*) FROM gridtwin.cases WHERE external_id = 'r1'"), "1");
  auto illegal = again->transition(id, cases::State::kClosed, "乙", 2, "", all());
  ASSERT_FALSE(illegal.ok());
  EXPECT_EQ(cell(c, "SELECT state FROM gridtwin.cases WHERE case_id = " + std::to_string(id)),
            "classified");
}

// One writer per database: a second case store on the same database is
// refused while the first holds the writer's lock (naming the holder), a
// follower still reads, and the lock goes with the first store.
TEST_F(PostgisCases, ASecondWriterIsRefusedWhileTheFirstHoldsTheDatabase) {
  auto first = pgstore::PgCaseStore::open(s_url);
  ASSERT_TRUE(first.ok()) << first.error().toString();
  auto second = pgstore::PgCaseStore::open(s_url);
  ASSERT_FALSE(second.ok()) << "two writers on one database";
  EXPECT_EQ(second.error().code, core::ErrorCode::kStore);
  EXPECT_NE(second.error().message.find("one writer per database"), std::string::npos)
      << second.error().toString();
  EXPECT_NE(second.error().message.find("pid"), std::string::npos) << second.error().toString();
  auto follower = pgstore::CaseFollower::start(s_url);
  ASSERT_TRUE(follower.ok()) << follower.error().toString();
  EXPECT_TRUE(follower->poll(std::chrono::milliseconds(0)).ok());
  // Another database of the same cluster has its own writer.
  auto admin = connectOrDie(urlFor("postgres"));
  const std::string other = "t_postgis_cases_other_" + std::to_string(::getpid());
  ASSERT_TRUE(admin.execute("DROP DATABASE IF EXISTS " + other + " WITH (FORCE)"));
  ASSERT_TRUE(admin.execute("CREATE DATABASE " + other + " TEMPLATE template0"));
  {
    auto elsewhere = pgstore::PgCaseStore::open(urlFor(other));
    EXPECT_TRUE(elsewhere.ok()) << elsewhere.error().toString();
  }
  ASSERT_TRUE(admin.execute("DROP DATABASE IF EXISTS " + other + " WITH (FORCE)"));
  // The first writer gone, the next one opens.
  first->reset();
  auto next = pgstore::PgCaseStore::open(s_url);
  EXPECT_TRUE(next.ok()) << next.error().toString();
}

TEST_F(PostgisCases, RolesReadOnlyTheirGridsCasesAndWriteNone) {
  auto in = open();
  ASSERT_TRUE(in);
  std::vector<cases::Case> made;
  for (int i = 0; i < 30; ++i) {
    auto o = in->submit(
        request("s" + std::to_string(i), s_lonlat[static_cast<std::size_t>(i) * 41]), all());
    ASSERT_TRUE(o.ok());
    made.push_back(o->c);
  }
  cases::CaseRequest nowhere = request("s-out", {116.4, 39.9});
  ASSERT_EQ(in->submit(nowhere, all())->code, cases::OutcomeCode::kOutsideDistrict);
  const std::string grid = made[0].gridCode;
  auto owner = connectOrDie(s_url);
  const std::string login = "case_head_" + std::to_string(::getpid());
  ASSERT_TRUE(owner.execute("CREATE ROLE " + login + " LOGIN; GRANT gridtwin_grid_head TO " +
                            login +
                            "; INSERT INTO gridtwin.role_scopes (role_name, code) VALUES ('" +
                            login + "', '" + grid + "')"))
      << "role_scopes layout";
  std::string url = s_url;
  const auto user = url.find("user=postgres");
  ASSERT_NE(user, std::string::npos) << url;
  url.replace(user, 13, "user=" + login);
  auto head = connectOrDie(url);
  std::size_t expected = 0;
  for (const auto& c : made) expected += c.gridCode == grid ? 1 : 0;
  EXPECT_EQ(cell(head, "SELECT count(*) FROM gridtwin.cases"), std::to_string(expected));
  EXPECT_EQ(cell(head, "SELECT count(*) FROM gridtwin.cases WHERE grid_code IS DISTINCT FROM '" +
                           grid + "'"),
            "0");
  auto write = head.query("UPDATE gridtwin.cases SET state = 'closed'");
  EXPECT_FALSE(write.ok());
  auto insert = head.query(
      "INSERT INTO gridtwin.cases (case_id, source, external_id, grid_code, state, record) "
      "VALUES (999999, '12345', 'forged', '" +
      grid + "', 'closed', '{}')");
  EXPECT_FALSE(insert.ok());
  // Nor may such a login become the case writer (it would replay only its
  // grid's cases); the lock it took goes with its connection.
  in.reset();
  auto asHead = pgstore::PgCaseStore::open(url);
  ASSERT_FALSE(asHead.ok()) << "a grid head's login opened the case writer's store";
  EXPECT_NE(asHead.error().message.find("may not write gridtwin.cases"), std::string::npos)
      << asHead.error().toString();
  auto asOwner = pgstore::PgCaseStore::open(s_url);
  EXPECT_TRUE(asOwner.ok()) << asOwner.error().toString();
}

TEST_F(PostgisCases, ConcurrentSubmittersShareCommitsAndEachCaseIsStoredOnce) {
  auto in = open();
  ASSERT_TRUE(in);
  constexpr int kThreads = 16, kEach = 100;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Every other submit is a retry of the one before.
        const int n = t * kEach + i / 2 * 2;
        auto o = in->submit(request("c" + std::to_string(n),
                                    s_lonlat[static_cast<std::size_t>(n) % s_lonlat.size()]),
                            all());
        if (!o) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto c = connectOrDie(s_url);
  EXPECT_EQ(cell(c, "SELECT count(*) FROM gridtwin.cases WHERE external_id LIKE 'c%'"),
            std::to_string(kThreads * kEach / 2));
}

// ---- several servers on one database (service/case_replication.h)

// SIGTERM, then the exit status (-1: not an exit).
int stopServer(pid_t pid) {
  ::kill(pid, SIGTERM);
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Asks `probe` every 50 ms until it holds or `limit` has passed.
bool within(std::chrono::milliseconds limit, const std::function<bool()>& probe) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (true) {
    if (probe()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}
// How long a follower may take to show what the writer committed: a
// notification and one read, far below this on any machine.
constexpr std::chrono::seconds kFollowLimit{15};

nlohmann::json getJson(const std::string& url, const std::string& token = "PGDISTRICT") {
  auto r = http("GET", url, "", token);
  return nlohmann::json::parse(r.first, nullptr, false);
}

// A /events/stream client (curl) writing what it receives to `file`.
pid_t streamTo(const std::string& url, const std::string& token, const std::string& file) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    FILE* f = std::fopen(file.c_str(), "w");
    if (!f) ::_exit(127);
    ::dup2(::fileno(f), 1);
    const std::string auth = "Authorization: Bearer " + token;
    ::execlp("curl", "curl", "-sN", "-H", auth.c_str(), url.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string pointJson(const geo::Point& p) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "[%.9f, %.9f]", p.x, p.y);
  return buf;
}

std::string caseBody(const std::string& externalId, const geo::Point& p) {
  return R"({"source": "12345", "external_id": ")" + externalId + R"(", "point": )" + pointJson(p) +
         R"(, "category": "010101", "text": "路灯不亮"})";
}

class PostgisServers : public PostgisCases {
 protected:
  void SetUp() override {
    PostgisCases::SetUp();
    m_dir = std::string(GRIDTWIN_PG_WORK) + "/servers-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::create_directories(m_dir);
    // Two addresses in two different grids: A for the cases, B for a grid
    // head who must see nothing of A.
    const auto xy = s_twin->points(model::Kind::kAddress);
    const auto gridOf = [&](std::size_t i) { return s_twin->locator().find(xy[i]); };
    m_a = 21;
    for (std::size_t i = 22; i < xy.size(); ++i) {
      if (gridOf(i) >= 0 && gridOf(i) != gridOf(m_a)) {
        m_b = i;
        break;
      }
    }
    ASSERT_GE(gridOf(m_a), 0);
    ASSERT_GT(m_b, 0u);
    const auto& codes = s_twin->district().grids().code;
    m_gridA = std::string(codes[static_cast<std::size_t>(gridOf(m_a))]);
    m_gridB = std::string(codes[static_cast<std::size_t>(gridOf(m_b))]);
    std::ofstream(m_dir + "/tokens")
        << "PGDISTRICT district\nPGHEADB grid_head " << m_gridB << "\n";
    // External ids of this run (--gtest_repeat reuses the database).
    static int runs = 0;
    m_run = std::to_string(++runs);
  }
  std::string ext(const std::string& base) const { return base + "-" + m_run; }
  void TearDown() override {
    for (pid_t pid : m_pids) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    std::filesystem::remove_all(m_dir);
  }
  Served start(const std::vector<std::string>& more = {}) {
    Served s = serve(s_url, m_dir + "/tokens", more);
    if (s.pid > 0 && s.base.empty()) {
      int status = 0;
      ::waitpid(s.pid, &status, 0);
      m_exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      s.pid = -1;
    }
    // A server left running would hold ctest's output pipe open.
    if (s.pid > 0) m_pids.push_back(s.pid);
    return s;
  }
  // Stops a server started by start(); its exit status.
  int stop(const Served& s) {
    std::erase(m_pids, s.pid);
    return stopServer(s.pid);
  }
  std::int64_t caseId(const std::string& body) {
    auto j = nlohmann::json::parse(body, nullptr, false);
    return j.is_object() && j.contains("case") ? j["case"]["id"].get<std::int64_t>() : -1;
  }
  std::string stateOn(const Served& s, std::int64_t id, const std::string& token = "PGDISTRICT") {
    auto j = getJson(s.base + "/cases/" + std::to_string(id), token);
    return j.is_object() && j.contains("state") ? j["state"].get<std::string>() : std::string();
  }

  std::string m_dir, m_gridA, m_gridB, m_run;
  std::size_t m_a = 0, m_b = 0;
  std::vector<pid_t> m_pids;  // servers and streams still running, killed at the end
  int m_exit = -2;            // the exit status of a server that did not start
};

// A second server on the database follows the first: the writer's cases
// reach its /cases, stats, live events, tiles and stream (a PATCH moves the
// case there too, counted once under its latest status); it refuses
// writes with 503; a grid head on it sees nothing of another grid.
TEST_F(PostgisServers, ASecondServerFollowsTheWriterAndRefusesWrites) {
  const Served writer = start();
  ASSERT_FALSE(writer.base.empty()) << "the writer did not start";
  const Served follower = start();
  ASSERT_FALSE(follower.base.empty()) << "the second server did not start (exit " << m_exit << ")";
  EXPECT_EQ(getJson(writer.base + "/health")["role"], "writer");
  auto health = getJson(follower.base + "/health");
  ASSERT_EQ(health["role"], "follower") << health.dump();
  EXPECT_EQ(health["follow"]["connected"], true) << health.dump();
  EXPECT_NE(http("GET", follower.base + "/metrics", "")
                .first.find("gridtwin_cases_role{role=\"follower\"} 1"),
            std::string::npos);

  // Stream clients on the follower: the district, and grid B's head.
  m_pids.push_back(streamTo(follower.base + "/events/stream", "PGDISTRICT", m_dir + "/district"));
  m_pids.push_back(streamTo(follower.base + "/events/stream", "PGHEADB", m_dir + "/headB"));
  ASSERT_TRUE(within(kFollowLimit,
                     [&] { return getJson(follower.base + "/health")["stream_clients"] == 2; }));

  const std::string statsA = R"({"grid": ")" + m_gridA + R"("})";
  auto byStatus = [&](const Served& s) {
    auto r = http("POST", s.base + "/stats", statsA);
    auto j = nlohmann::json::parse(r.first, nullptr, false);
    return j.is_object() ? j["events_by_status"] : nlohmann::json();
  };
  const nlohmann::json base = byStatus(follower);
  ASSERT_TRUE(base.is_object());
  const long liveBefore = getJson(follower.base + "/health")["live_events"].get<long>();
  const auto tile = tiles::tileAt(s_lonlat[m_a], 16);
  const std::string tileUrl =
      follower.base + "/tiles/16/" + std::to_string(tile.x) + "/" + std::to_string(tile.y) + ".mvt";
  const std::string tileBefore = http("GET", tileUrl, "").first;  // now in the follower's cache

  auto posted = http("POST", writer.base + "/cases", caseBody(ext("f-a"), s_lonlat[m_a]));
  ASSERT_EQ(posted.second, "201") << posted.first;
  const std::int64_t id = caseId(posted.first);
  ASSERT_GT(id, 0);
  ASSERT_NE(posted.first.find("\"grid\":\"" + m_gridA + "\""), std::string::npos) << posted.first;
  EXPECT_TRUE(within(kFollowLimit, [&] { return stateOn(follower, id) == "reported"; }))
      << "the follower never showed case " << id;
  EXPECT_TRUE(within(kFollowLimit, [&] {
    return getJson(follower.base + "/health")["live_events"] == liveBefore + 1;
  }));
  nlohmann::json want = base;
  want["发现上报"] = want["发现上报"].get<long>() + 1;
  EXPECT_TRUE(within(kFollowLimit, [&] { return byStatus(follower) == want; }))
      << byStatus(follower).dump() << " want " << want.dump();
  EXPECT_TRUE(within(kFollowLimit, [&] { return http("GET", tileUrl, "").first != tileBefore; }))
      << "the follower still serves the tile held before the case";

  // A PATCH on the writer: the follower shows the new state, counted once.
  auto moved = http("PATCH", writer.base + "/cases/" + std::to_string(id),
                    R"({"to": "classified", "who": "王五"})");
  ASSERT_EQ(moved.second, "200") << moved.first;
  EXPECT_TRUE(within(kFollowLimit, [&] { return stateOn(follower, id) == "classified"; }));
  want = base;
  want["分类推送"] = want["分类推送"].get<long>() + 1;
  EXPECT_TRUE(within(kFollowLimit, [&] { return byStatus(follower) == want; }))
      << byStatus(follower).dump() << " want " << want.dump();
  EXPECT_EQ(getJson(follower.base + "/health")["live_events"], liveBefore + 1);

  // Writes on the follower: refused, nothing stored.
  auto refused = http("POST", follower.base + "/cases", caseBody(ext("f-refused"), s_lonlat[m_a]));
  EXPECT_EQ(refused.second, "503") << refused.first;
  EXPECT_NE(refused.first.find("follows the case writer"), std::string::npos) << refused.first;
  auto refusedPatch = http("PATCH", follower.base + "/cases/" + std::to_string(id),
                           R"({"to": "handling", "who": "王五"})");
  EXPECT_EQ(refusedPatch.second, "503") << refusedPatch.first;
  auto db = connectOrDie(s_url);
  EXPECT_EQ(cell(db, "SELECT count(*) FROM gridtwin.cases WHERE external_id = '" +
                         ext("f-refused") + "'"),
            "0");
  EXPECT_EQ(cell(db, "SELECT state FROM gridtwin.cases WHERE case_id = " + std::to_string(id)),
            "classified");

  // The streams: a case in grid B ends the reading; the district heard
  // both, grid B's head only its own.
  ASSERT_EQ(http("POST", writer.base + "/cases", caseBody(ext("f-b"), s_lonlat[m_b])).second,
            "201");
  EXPECT_TRUE(
      within(kFollowLimit,
             [&] {
               return slurp(m_dir + "/headB").find("\"external_id\":\"" + ext("f-b") + "\"") !=
                          std::string::npos &&
                      slurp(m_dir + "/district").find("\"external_id\":\"" + ext("f-b") + "\"") !=
                          std::string::npos;
             }))
      << "district: " << slurp(m_dir + "/district") << "\nhead B: " << slurp(m_dir + "/headB");
  const std::string district = slurp(m_dir + "/district"), headB = slurp(m_dir + "/headB");
  EXPECT_NE(district.find("event: case"), std::string::npos);
  EXPECT_NE(district.find("\"external_id\":\"" + ext("f-a") + "\""), std::string::npos) << district;
  EXPECT_EQ(headB.find("\"external_id\":\"" + ext("f-a") + "\""), std::string::npos) << headB;
  EXPECT_EQ(headB.find(m_gridA), std::string::npos) << headB;

  // Grid B's head on the follower: nothing of grid A.
  EXPECT_EQ(http("GET", follower.base + "/cases/" + std::to_string(id), "", "PGHEADB").second,
            "404");
  EXPECT_EQ(http("GET", follower.base + "/cases", "", "PGHEADB").first.find(ext("f-a")),
            std::string::npos);
  EXPECT_EQ(http("POST", follower.base + "/stats", statsA, "PGHEADB").second, "403");

  EXPECT_EQ(stop(follower), 0);
  EXPECT_EQ(stop(writer), 0);
}

// The writer killed: the automatic follower takes the lock and writes on
// (ids after the last committed one, a retry of a committed case still
// that case); a --follow server follows the new writer and never writes;
// --write is refused while another server writes.
TEST_F(PostgisServers, AFollowerTakesOverWhenTheWriterDies) {
  const Served writer = start();
  ASSERT_FALSE(writer.base.empty()) << "the writer did not start";
  const Served next = start();
  ASSERT_FALSE(next.base.empty()) << "the second server did not start (exit " << m_exit << ")";
  const Served replica = start({"--follow"});
  ASSERT_FALSE(replica.base.empty()) << "the --follow server did not start (exit " << m_exit << ")";
  const Served demanding = start({"--write"});
  EXPECT_TRUE(demanding.base.empty()) << "--write started beside a writer";
  EXPECT_EQ(m_exit, 1);

  auto first = http("POST", writer.base + "/cases", caseBody(ext("t-1"), s_lonlat[m_a]));
  ASSERT_EQ(first.second, "201") << first.first;
  const std::int64_t id1 = caseId(first.first);
  ASSERT_TRUE(within(kFollowLimit, [&] { return stateOn(next, id1) == "reported"; }));

  std::erase(m_pids, writer.pid);
  ::kill(writer.pid, SIGKILL);
  ASSERT_EQ(::waitpid(writer.pid, nullptr, 0), writer.pid);
  EXPECT_TRUE(within(kFollowLimit, [&] {
    return getJson(next.base + "/health")["role"] == "writer";
  })) << getJson(next.base + "/health").dump();

  auto second = http("POST", next.base + "/cases", caseBody(ext("t-2"), s_lonlat[m_a]));
  ASSERT_EQ(second.second, "201") << second.first;
  const std::int64_t id2 = caseId(second.first);
  EXPECT_GT(id2, id1);
  auto retried = http("POST", next.base + "/cases", caseBody(ext("t-1"), s_lonlat[m_a]));
  EXPECT_EQ(retried.second, "200") << retried.first;
  EXPECT_EQ(caseId(retried.first), id1);
  auto moved = http("PATCH", next.base + "/cases/" + std::to_string(id1),
                    R"({"to": "classified", "who": "赵六"})");
  EXPECT_EQ(moved.second, "200") << moved.first;
  auto db = connectOrDie(s_url);
  EXPECT_EQ(cell(db, "SELECT count(*) FROM gridtwin.cases WHERE external_id IN ('" + ext("t-1") +
                         "', '" + ext("t-2") + "')"),
            "2");

  // The replica follows the new writer, and stays a follower.
  EXPECT_TRUE(within(kFollowLimit, [&] {
    return stateOn(replica, id2) == "reported" && stateOn(replica, id1) == "classified";
  }));
  EXPECT_EQ(getJson(replica.base + "/health")["role"], "follower");
  EXPECT_EQ(http("POST", replica.base + "/cases", caseBody(ext("t-3"), s_lonlat[m_a])).second,
            "503");

  EXPECT_EQ(stop(replica), 0);
  EXPECT_EQ(stop(next), 0);
}

}  // namespace
}  // namespace gridtwin
