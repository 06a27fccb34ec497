// The database's roles (engine/pgstore/sql/005_engine_roles.sql) against the
// engine's access rules (engine/query/access.h) on the same small district:
// for each of the five roles and scopes of each kind, what a login role of
// that group sees in every register equals what query::select() gives for
// the same role and scope, and the masked views show exactly the values
// query::forEachRecord / viewStaff show. Bad scopes fail as makeAccess()
// fails them. Each test works in its own database of the fixture's cluster.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pg_support.h"
#include "pgstore/connection.h"
#include "pgstore/ingest.h"
#include "query/access.h"
#include "query/query.h"
#include "query/records.h"
#include "query/twin.h"

using namespace gridtwin;

namespace {

const std::string kSmall = std::string(GRIDTWIN_PG_WORK) + "/small.gpkg";

using pgtest::connectOrDie;
using pgtest::urlFor;

std::int64_t count(pgstore::Connection& c, const std::string& sql) {
  auto r = c.query(sql);
  EXPECT_TRUE(r) << sql << ": " << (r ? "" : r.error().toString());
  if (!r) return -1;
  return std::stoll(std::string(r->text(0, 0)));
}

// One database with the small district ingested, and the engine's twin of
// the same file, shared by the tests of this suite.
class PostgisRoles : public ::testing::Test {
 protected:
  // Built once per process, checked by every test: a failure in
  // SetUpTestSuite would only mark the tests skipped. One database per
  // process: ctest runs each test in a process of its own, two at a time.
  void SetUp() override {
    static const std::string error = []() -> std::string {
      auto admin = pgstore::Connection::open(urlFor("postgres"));
      if (!admin) return admin.error().toString();
      const std::string name = "t_postgis_roles_" + std::to_string(::getpid());
      if (auto r = admin->execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); !r) {
        return r.error().toString();
      }
      if (auto r = admin->execute("CREATE DATABASE " + name); !r) return r.error().toString();
      s_url = urlFor(name);
      if (auto r = pgstore::ingest(s_url, kSmall); !r) return r.error().toString();
      auto twin = query::Twin::open(kSmall, {});
      if (!twin) return twin.error().toString();
      s_owner = std::move(*twin);
      s_twin = s_owner.get();
      return {};
    }();
    ASSERT_TRUE(error.empty()) << error;
  }

  // A login role `login` of gridtwin_<role> with scope `codes` (comma-separated).
  static void makeLogin(pgstore::Connection& c, const std::string& login, const std::string& role,
                        const std::vector<std::string>& codes) {
    const std::string q = pgstore::Connection::quoteIdentifier(login);
    const pgtest::RolesLock roles;
    ASSERT_TRUE(c.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" +
                          login + "') THEN CREATE ROLE " + q +
                          " LOGIN; END IF; END $$; REVOKE gridtwin_district,"
                          " gridtwin_street, gridtwin_community, gridtwin_grid_head,"
                          " gridtwin_planner FROM " +
                          q + "; GRANT " +
                          pgstore::Connection::quoteIdentifier("gridtwin_" + role) + " TO " + q));
    ASSERT_TRUE(c.query("DELETE FROM gridtwin.role_scopes WHERE role_name = $1", {login}));
    for (const auto& code : codes) {
      ASSERT_TRUE(c.query("INSERT INTO gridtwin.role_scopes VALUES ($1, $2)", {login, code}));
    }
  }

  static std::string joined(const std::vector<std::string>& codes) {
    std::string s;
    for (const auto& c : codes) s += (s.empty() ? "" : ",") + c;
    return s;
  }

  static inline std::string s_url;
  static inline std::unique_ptr<query::Twin> s_owner;
  static inline query::Twin* s_twin = nullptr;
};

struct Case {
  const char* role;
  std::vector<std::string> codes;
};

// Scopes of every kind, taken from the district: the whole district (for
// the roles that may hold it), a street, a community, a grid, and grids of
// two communities.
std::vector<Case> cases(const model::District& d) {
  const auto& grids = d.grids();
  const std::string street(d.streets().code[0]);
  const std::string community(d.communities().code[1]);
  // Grids where people live (the masking test needs some), in two communities.
  const auto& livesIn = d.columns().people.grid;
  const std::uint32_t a = livesIn[0];
  const std::string gridA(grids.code[a]);
  std::string gridB;
  for (std::uint32_t g : livesIn) {
    if (d.communityOfGrid(g) != d.communityOfGrid(a)) {
      gridB = std::string(grids.code[g]);
      break;
    }
  }
  return {{"district", {}},
          {"district", {street}},
          {"street", {street}},
          {"street", {gridA}},
          {"community", {community}},
          {"community", {gridA}},
          {"grid_head", {gridA}},
          {"grid_head", {gridA, gridB}},
          {"planner", {}},
          {"planner", {community, gridB}}};
}

TEST_F(PostgisRoles, EachRoleSeesWhatTheEngineGivesTheSameScope) {
  ASSERT_NE(s_twin, nullptr);
  const model::District& d = s_twin->district();
  auto c = connectOrDie(s_url);
  const std::vector<std::pair<model::Kind, std::string>> registers = {
      {model::Kind::kBuilding, "buildings"}, {model::Kind::kAddress, "addresses"},
      {model::Kind::kHouse, "houses"},       {model::Kind::kPerson, "people"},
      {model::Kind::kEntity, "entities"},    {model::Kind::kFacility, "facilities"},
      {model::Kind::kEvent, "events"}};
  int i = 0;
  for (const Case& k : cases(d)) {
    const std::string login = "roles_case_" + std::to_string(i++);
    SCOPED_TRACE(login + ": " + k.role + " over '" + joined(k.codes) + "'");
    query::Role role;
    ASSERT_TRUE(query::parseRole(k.role, role));
    auto access = query::makeAccess(d, role, joined(k.codes));
    ASSERT_TRUE(access) << access.error().toString();
    auto sel = query::select(*s_twin, *access, query::Area::wholeScope(), query::KindSet::all());
    ASSERT_TRUE(sel) << sel.error().toString();
    makeLogin(c, login, k.role, k.codes);
    ASSERT_TRUE(c.execute("SET ROLE " + login));
    std::size_t seen = 0;
    for (const auto& [kind, table] : registers) {
      EXPECT_EQ(count(c, "SELECT count(*) FROM gridtwin." + table),
                static_cast<std::int64_t>(sel->count(kind)))
          << table;
      seen += sel->count(kind);
    }
    EXPECT_EQ(count(c, "SELECT count(*) FROM gridtwin.grids"),
              static_cast<std::int64_t>(access->scope.count()));
    EXPECT_EQ(count(c, "SELECT count(*) FROM gridtwin.people_masked"),
              static_cast<std::int64_t>(sel->count(model::Kind::kPerson)));
    EXPECT_GT(seen, 0u);
    ASSERT_TRUE(c.execute("RESET ROLE"));
  }
}

TEST_F(PostgisRoles, MaskedViewsShowWhatTheEngineShowsEachRole) {
  ASSERT_NE(s_twin, nullptr);
  const model::District& d = s_twin->district();
  auto c = connectOrDie(s_url);
  int i = 0;
  for (const Case& k : cases(d)) {
    if (!k.codes.empty() && std::string(k.role) != "grid_head") continue;  // scopes: test above
    const std::string login = "roles_mask_" + std::to_string(i++);
    SCOPED_TRACE(login + ": " + k.role);
    query::Role role;
    ASSERT_TRUE(query::parseRole(k.role, role));
    auto access = query::makeAccess(d, role, joined(k.codes));
    ASSERT_TRUE(access);
    auto sel = query::select(*s_twin, *access, query::Area::wholeScope(),
                             query::KindSet().add(model::Kind::kPerson));
    ASSERT_TRUE(sel);
    // person_id -> name, ID number, phone as the engine shows them
    std::map<std::int64_t, std::array<std::string, 3>> engine;
    query::forEachRecord(*s_twin, *access, *sel, [&](const query::Record& r) {
      engine[r.id] = {r.values[0], r.values[3], r.values[4]};
    });
    ASSERT_GT(engine.size(), 0u);
    makeLogin(c, login, k.role, k.codes);
    ASSERT_TRUE(c.execute("SET ROLE " + login));
    auto rows = c.query(
        "SELECT person_id, name, id_number, coalesce(phone, '') FROM gridtwin.people_masked");
    ASSERT_TRUE(rows) << rows.error().toString();
    ASSERT_EQ(static_cast<std::size_t>(rows->rows()), engine.size());
    for (int r = 0; r < rows->rows(); ++r) {
      const auto it = engine.find(std::stoll(std::string(rows->text(r, 0))));
      ASSERT_NE(it, engine.end());
      ASSERT_EQ(rows->text(r, 1), it->second[0]) << "name of person " << it->first;
      ASSERT_EQ(rows->text(r, 2), it->second[1]) << "ID number of person " << it->first;
      ASSERT_EQ(rows->text(r, 3), it->second[2]) << "phone of person " << it->first;
    }
    // Columns a role may see only masked are not readable in the register.
    const query::Disclosure shown = access->disclosure();
    EXPECT_EQ(static_cast<bool>(c.query("SELECT id_number FROM gridtwin.people LIMIT 1")),
              shown.personIdNumber);
    EXPECT_EQ(static_cast<bool>(c.query("SELECT phone FROM gridtwin.people LIMIT 1")),
              shown.personPhone);
    EXPECT_EQ(static_cast<bool>(c.query("SELECT name FROM gridtwin.people LIMIT 1")),
              shown.personName);
    // Staff phones as viewStaff shows them.
    auto staff = c.query("SELECT staff_id, coalesce(phone, '') FROM gridtwin.staff_masked");
    ASSERT_TRUE(staff) << staff.error().toString();
    std::map<std::string, std::string> phones;
    for (int r = 0; r < staff->rows(); ++r)
      phones[std::string(staff->text(r, 0))] = std::string(staff->text(r, 1));
    ASSERT_EQ(phones.size(), s_twin->staff().size());
    for (std::uint32_t s = 0; s < s_twin->staff().size(); ++s) {
      const auto view = query::viewStaff(*s_twin, *access, s);
      ASSERT_EQ(phones[view.id], view.phone) << "staff " << view.id;
    }
    ASSERT_TRUE(c.execute("RESET ROLE"));
  }
}

TEST_F(PostgisRoles, ScopesTheEngineRefusesFailWithAMessageNamingTheRole) {
  ASSERT_NE(s_twin, nullptr);
  const model::District& d = s_twin->district();
  auto c = connectOrDie(s_url);
  const std::string streetA(d.streets().code[0]), streetB(d.streets().code[1]);
  const std::string communityA(d.communities().code[0]), communityB(d.communities().code[1]);
  struct Bad {
    const char* role;
    std::vector<std::string> codes;
    const char* message;
  };
  const std::vector<Bad> bad = {{"street", {streetA, streetB}, "within one street"},
                                {"community", {communityA, communityB}, "within one community"},
                                {"grid_head", {}, "needs a scope"},
                                {"street", {}, "needs a scope"}};
  int i = 0;
  for (const Bad& b : bad) {
    const std::string login = "roles_bad_" + std::to_string(i++);
    SCOPED_TRACE(login + ": " + b.role + " over '" + joined(b.codes) + "'");
    query::Role role;
    ASSERT_TRUE(query::parseRole(b.role, role));
    EXPECT_FALSE(query::makeAccess(d, role, joined(b.codes)));  // the engine refuses it too
    makeLogin(c, login, b.role, b.codes);
    ASSERT_TRUE(c.execute("SET ROLE " + login));
    auto r = c.query("SELECT count(*) FROM gridtwin.people");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find(b.message), std::string::npos) << r.error().toString();
    EXPECT_NE(r.error().message.find(login), std::string::npos) << r.error().toString();
    ASSERT_TRUE(c.execute("RESET ROLE"));
  }
  // Two gridtwin roles at once: refused rather than guessed.
  makeLogin(c, "roles_two", "grid_head", {std::string(d.grids().code[0])});
  ASSERT_TRUE(c.execute("GRANT gridtwin_planner TO roles_two; SET ROLE roles_two"));
  auto r = c.query("SELECT count(*) FROM gridtwin.people");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("exactly one"), std::string::npos) << r.error().toString();
  ASSERT_TRUE(c.execute("RESET ROLE"));
  // A role granted none of them sees nothing.
  ASSERT_TRUE(c.execute(
      "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'roles_none') THEN"
      " CREATE ROLE roles_none LOGIN; END IF; END $$;"
      " GRANT USAGE ON SCHEMA gridtwin TO roles_none;"
      " GRANT SELECT ON gridtwin.buildings TO roles_none; SET ROLE roles_none"));
  EXPECT_EQ(count(c, "SELECT count(*) FROM gridtwin.buildings"), 0);
  ASSERT_TRUE(c.execute("RESET ROLE"));
}

}  // namespace
