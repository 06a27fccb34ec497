// PostGIS store: schema, check digits and masking against engine/ident,
// ingest/export round trip, the loader against the GeoPackage loader,
// row-level security, injection through CLI parameters, faults (a bad row,
// the server killed mid-ingest, a server that is down), the event follower,
// and that a GIS client (GDAL's PostgreSQL driver, as QGIS uses) lists every
// spatial table. Each test works in its own database of the fixture's
// cluster (scripts/postgis); the fault test starts a cluster of its own.
#include <gdal.h>
#include <gtest/gtest.h>
#include <ogr_api.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ident/credit_code.h"
#include "ident/masking.h"
#include "ident/resident_id.h"
#include "model/district.h"
#include "pg_support.h"
#include "pgstore/connection.h"
#include "pgstore/follower.h"
#include "pgstore/gpkg_export.h"
#include "pgstore/ingest.h"
#include "pgstore/loader.h"
#include "pgstore/migrations.h"
#include "store/gpkg_reader.h"
#include "store/gpkg_writer.h"

namespace fs = std::filesystem;
using namespace gridtwin;

namespace {

const std::string kSmall = std::string(GRIDTWIN_PG_WORK) + "/small.gpkg";

using pgtest::connectOrDie;
using pgtest::postgisScript;
using pgtest::run;
using pgtest::shellQuote;
using pgtest::urlFor;

// A fresh, empty database in the fixture cluster, named after the test.
std::string freshDatabase(const std::string& state = GRIDTWIN_PG_STATE) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = "t_" + std::string(info->test_suite_name()) + "_" + info->name();
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto admin = connectOrDie(urlFor(state, "postgres"));
  const std::string q = pgstore::Connection::quoteIdentifier(name);
  EXPECT_TRUE(admin.execute("DROP DATABASE IF EXISTS " + q + " WITH (FORCE)"));
  auto created = admin.execute("CREATE DATABASE " + q);
  EXPECT_TRUE(created) << (created ? "" : created.error().toString());
  return urlFor(state, name);
}

std::int64_t count(pgstore::Connection& c, const std::string& sql,
                   const std::vector<std::optional<std::string>>& params = {}) {
  auto r = c.query(sql, params);
  EXPECT_TRUE(r) << (r ? "" : r.error().toString());
  if (!r) return -1;
  return std::stoll(std::string(r->text(0, 0)));
}

std::int64_t sqliteCount(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
  std::int64_t n = -1;
  if (st && sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

void ingestOrFail(const std::string& url, const std::string& source) {
  auto r = pgstore::ingest(url, source);
  ASSERT_TRUE(r) << r.error().toString();
}

// ---- comparing two GeoPackages row by row

struct TableRows {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // each value as type tag + bytes
};

// GeoPackage geometry blobs are equal when their bytes are, or when both
// carry the header's empty flag (PostGIS normalises an empty ring inside an
// empty polygon away, and both mean "no geometry").
bool gpEmpty(const std::string& v) {
  return v.size() > 4 && v[0] == 'b' && v[1] == 'G' && (v[4] & 0x10);
}

TableRows readTable(sqlite3* db, const std::string& table) {
  TableRows t;
  sqlite3_stmt* st = nullptr;
  const std::string sql = "SELECT * FROM \"" + table + "\" ORDER BY fid";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) return t;
  for (int i = 0; i < sqlite3_column_count(st); ++i)
    t.columns.push_back(sqlite3_column_name(st, i));
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(st); ++i) {
      const int type = sqlite3_column_type(st, i);
      std::string v(1, type == SQLITE_NULL      ? 'n'
                       : type == SQLITE_INTEGER ? 'i'
                       : type == SQLITE_FLOAT   ? 'f'
                       : type == SQLITE_BLOB    ? 'b'
                                                : 't');
      if (type == SQLITE_FLOAT) {
        const double d = sqlite3_column_double(st, i);
        v.append(reinterpret_cast<const char*>(&d), sizeof d);
      } else if (type != SQLITE_NULL) {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(st, i));
        v.append(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(st, i)));
      }
      row.push_back(std::move(v));
    }
    t.rows.push_back(std::move(row));
  }
  sqlite3_finalize(st);
  return t;
}

std::vector<std::string> contents(sqlite3* db) {
  std::vector<std::string> names;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT table_name FROM gpkg_contents ORDER BY table_name", -1, &st,
                     nullptr);
  while (sqlite3_step(st) == SQLITE_ROW)
    names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  sqlite3_finalize(st);
  return names;
}

void expectSameGeoPackage(const std::string& a, const std::string& b) {
  sqlite3 *da = nullptr, *dbb = nullptr;
  ASSERT_EQ(sqlite3_open_v2(a.c_str(), &da, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_open_v2(b.c_str(), &dbb, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  const auto ta = contents(da);
  ASSERT_EQ(ta, contents(dbb));
  std::size_t rows = 0;
  for (const auto& t : ta) {
    const TableRows ra = readTable(da, t), rb = readTable(dbb, t);
    ASSERT_EQ(ra.columns, rb.columns) << t;
    ASSERT_EQ(ra.rows.size(), rb.rows.size()) << t;
    for (std::size_t r = 0; r < ra.rows.size(); ++r) {
      for (std::size_t c = 0; c < ra.columns.size(); ++c) {
        const auto& x = ra.rows[r][c];
        const auto& y = rb.rows[r][c];
        if (x == y || (gpEmpty(x) && gpEmpty(y))) continue;
        ADD_FAILURE() << "table " << t << ", row " << r << ", column " << ra.columns[c]
                      << " differs";
        return;
      }
    }
    rows += ra.rows.size();
  }
  EXPECT_GT(rows, 100000u);
  sqlite3_close(da);
  sqlite3_close(dbb);
}

// ---- the tests

TEST(PostgisSchema, MigrationsAreRecordedOnceAndRerunsApplyNothing) {
  const std::string url = freshDatabase();
  auto c = connectOrDie(url);
  auto first = pgstore::migrate(c);
  ASSERT_TRUE(first) << first.error().toString();
  EXPECT_EQ(*first, static_cast<int>(pgstore::migrations().size()));
  auto again = pgstore::migrate(c);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
  auto v = pgstore::schemaVersion(c);
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, pgstore::latestSchemaVersion());
  EXPECT_EQ(count(c, "SELECT count(*) FROM gridtwin.schema_version"),
            static_cast<std::int64_t>(pgstore::migrations().size()));
}

TEST(PostgisSchema, CheckDigitFunctionsAgreeWithEngineIdent) {
  const std::string url = freshDatabase();
  auto c = connectOrDie(url);
  ASSERT_TRUE(pgstore::migrate(c));
  std::mt19937_64 rng(42);
  std::string ids = "{", credits = "{", orgs = "{";
  const std::string charset(ident::kCreditCodeCharset);
  std::vector<std::string> idList, creditList, orgList;
  for (int i = 0; i < 20000; ++i) {
    std::string id;
    for (int k = 0; k < 17; ++k) id += static_cast<char>('0' + rng() % 10);
    std::string cc;
    for (int k = 0; k < 17; ++k) cc += charset[rng() % charset.size()];
    std::string org;
    for (int k = 0; k < 8; ++k) org += "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[rng() % 36];
    idList.push_back(id);
    creditList.push_back(cc);
    orgList.push_back(org);
    ids += (i ? "," : "") + id;
    credits += (i ? "," : "") + cc;
    orgs += (i ? "," : "") + org;
  }
  ids += "}";
  credits += "}";
  orgs += "}";
  auto r = c.query(
      "SELECT gridtwin.resident_id_check_digit(a), gridtwin.credit_code_check_char(b),"
      " gridtwin.organisation_code_check_char(o) FROM unnest($1::text[], $2::text[], $3::text[])"
      " WITH ORDINALITY AS u(a, b, o, n) ORDER BY n",
      {ids, credits, orgs});
  ASSERT_TRUE(r) << r.error().toString();
  ASSERT_EQ(r->rows(), 20000);
  for (int i = 0; i < r->rows(); ++i) {
    const auto k = static_cast<std::size_t>(i);
    ASSERT_EQ(r->text(i, 0), std::string(1, ident::residentIdCheckDigit(idList[k]))) << idList[k];
    ASSERT_EQ(r->text(i, 1), std::string(1, ident::creditCodeCheckChar(creditList[k])))
        << creditList[k];
    ASSERT_EQ(r->text(i, 2), std::string(1, ident::organisationCodeCheckChar(orgList[k])))
        << orgList[k];
  }
  // Whole codes: valid ones pass, one changed character fails.
  const std::string good = ident::makeResidentId("440604", 1985, 7, 1, 123);
  std::string bad = good;
  bad[17] = bad[17] == '0' ? '1' : '0';
  EXPECT_EQ(count(c, "SELECT gridtwin.resident_id_valid($1)::int", {good}), 1);
  EXPECT_EQ(count(c, "SELECT gridtwin.resident_id_valid($1)::int", {bad}), 0);
  const std::string credit = ident::makeCreditCode('9', '1', "440604", "MA4UXXXX");
  std::string badCredit = credit;
  badCredit[17] = badCredit[17] == '0' ? '1' : '0';
  EXPECT_EQ(count(c, "SELECT gridtwin.credit_code_valid($1)::int", {credit}), 1);
  EXPECT_EQ(count(c, "SELECT gridtwin.credit_code_valid($1)::int", {badCredit}), 0);
}

TEST(PostgisSchema, MaskedViewsMaskAsEngineIdentDoes) {
  const std::string url = freshDatabase();
  ingestOrFail(url, kSmall);
  auto c = connectOrDie(url);
  // Every person of the district, and the edge cases of the masking rules.
  auto r = c.query(
      "SELECT p.id_number, p.name, coalesce(p.phone, ''), m.id_number, m.name, coalesce(m.phone, "
      "'')"
      " FROM gridtwin.people p JOIN gridtwin.people_masked m USING (fid) ORDER BY fid");
  ASSERT_TRUE(r) << r.error().toString();
  ASSERT_GT(r->rows(), 1000);
  for (int i = 0; i < r->rows(); ++i) {
    ASSERT_EQ(r->text(i, 3), ident::maskResidentId(r->text(i, 0)));
    ASSERT_EQ(r->text(i, 4), ident::maskName(r->text(i, 1)));
    if (!r->text(i, 2).empty()) {
      ASSERT_EQ(r->text(i, 5), ident::maskPhone(r->text(i, 2)));
    }
  }
  const std::vector<std::string> cases = {"",
                                          "陈",
                                          "陈明",
                                          "陈小明",
                                          "欧阳小明",
                                          "a",
                                          "ab\x01",
                                          "440604198501011234",
                                          "44060419850101123x",
                                          "440604850101123",
                                          "44060419850101123",
                                          "13812345678",
                                          "+8613812345678",
                                          "+86 13812345678",
                                          "86-13812345678",
                                          "0757-82345678",
                                          "020-1234567",
                                          "075782345678",
                                          "1381234567",
                                          "+86 1381234567",
                                          "23812345678",
                                          "0757-8234567",
                                          "12345",
                                          "+86"};
  for (const auto& s : cases) {
    auto m = c.query(
        "SELECT gridtwin.mask_resident_id($1), gridtwin.mask_name($1), gridtwin.mask_phone($1)",
        {s});
    ASSERT_TRUE(m) << m.error().toString();
    EXPECT_EQ(m->text(0, 0), ident::maskResidentId(s)) << s;
    EXPECT_EQ(m->text(0, 1), ident::maskName(s)) << s;
    EXPECT_EQ(m->text(0, 2), ident::maskPhone(s)) << s;
  }
}

TEST(PostgisIngest, GeoPackageRoundTripKeepsEveryRowAndGeometry) {
  const std::string url = freshDatabase();
  auto r = pgstore::ingest(url, kSmall);
  ASSERT_TRUE(r) << r.error().toString();
  EXPECT_GT(r->rows, 100000);
  const std::string back = std::string(GRIDTWIN_PG_WORK) + "/roundtrip.gpkg";
  fs::remove(back);
  auto e = pgstore::exportGeoPackage(url, back);
  ASSERT_TRUE(e) << e.error().toString();
  EXPECT_EQ(e->rows, r->rows);
  expectSameGeoPackage(kSmall, back);
  // Through the CLI too.
  const std::string viaCli = std::string(GRIDTWIN_PG_WORK) + "/roundtrip-cli.gpkg";
  fs::remove(viaCli);
  auto out = run(std::string(GRIDTWIN_CLI) + " export --from " + shellQuote(url) + " --to " +
                 shellQuote(viaCli));
  ASSERT_EQ(out.status, 0) << out.out;
  expectSameGeoPackage(kSmall, viaCli);
}

TEST(PostgisIngest, RerunReplacesTheDatasetWithoutDuplicates) {
  const std::string url = freshDatabase();
  for (int i = 0; i < 2; ++i) {
    auto out = run(std::string(GRIDTWIN_CLI) + " ingest -q --to " + shellQuote(url) + " " +
                   shellQuote(kSmall));
    ASSERT_EQ(out.status, 0) << out.out;
    EXPECT_NE(out.out.find("rows/s"), std::string::npos) << out.out;
  }
  auto c = connectOrDie(url);
  for (const char* t : {"people", "events", "buildings", "addresses", "lyr_base_landuse"}) {
    EXPECT_EQ(count(c, std::string("SELECT count(*) FROM gridtwin.") + t),
              sqliteCount(kSmall, std::string("SELECT count(*) FROM ") + t))
        << t;
  }
  EXPECT_EQ(count(c, "SELECT count(*) - count(DISTINCT person_id) FROM gridtwin.people"), 0);
}

TEST(PostgisIngest, ABadRowFailsTheWholeIngestAndNamesTheRow) {
  const std::string url = freshDatabase();
  ingestOrFail(url, kSmall);
  // A copy of the district with one wrong check digit.
  const std::string bad = std::string(GRIDTWIN_PG_WORK) + "/bad-id.gpkg";
  fs::copy_file(kSmall, bad, fs::copy_options::overwrite_existing);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(bad.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db,
                   "UPDATE people SET id_number = substr(id_number, 1, 17) ||"
                   " CASE substr(id_number, 18, 1) WHEN '0' THEN '1' ELSE '0' END WHERE fid = 7;"
                   " DELETE FROM events WHERE fid > 100",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  auto c = connectOrDie(url);
  const auto events = count(c, "SELECT count(*) FROM gridtwin.events");
  auto r = pgstore::ingest(url, bad);
  ASSERT_FALSE(r);
  const std::string message = r.error().toString();
  EXPECT_NE(message.find("people"), std::string::npos) << message;
  EXPECT_NE(message.find("check"), std::string::npos) << message;
  EXPECT_NE(message.find("line 7"), std::string::npos) << message;
  // The database is as it was.
  EXPECT_EQ(count(c, "SELECT count(*) FROM gridtwin.events"), events);
  EXPECT_EQ(count(c, "SELECT count(*) FROM gridtwin.people"),
            sqliteCount(kSmall, "SELECT count(*) FROM people"));
  EXPECT_GT(count(c,
                  "SELECT count(*) FROM pg_indexes WHERE schemaname = 'gridtwin' AND indexdef LIKE "
                  "'%gist%'"),
            10);
}

TEST(PostgisLoader, LoadsTheSameDistrictAsTheGeoPackage) {
  const std::string url = freshDatabase();
  ingestOrFail(url, kSmall);
  auto fromGpkg = store::loadGeoPackage(kSmall);
  ASSERT_TRUE(fromGpkg) << fromGpkg.error().toString();
  auto fromPg = pgstore::loadPostgis(url);
  ASSERT_TRUE(fromPg) << fromPg.error().toString();
  const auto a = model::sectionsOf(fromGpkg->columns());
  const auto b = model::sectionsOf(fromPg->columns());
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].name, b[i].name);
    ASSERT_EQ(a[i].bytes, b[i].bytes) << a[i].name;
    EXPECT_TRUE(a[i].bytes == 0 || std::memcmp(a[i].data, b[i].data, a[i].bytes) == 0) << a[i].name;
  }
  EXPECT_GT(fromPg->count(model::Kind::kPerson), 1000u);
}

TEST(PostgisSecurity, GridHeadSeesAndChangesOnlyTheirGrids) {
  const std::string url = freshDatabase();
  ingestOrFail(url, kSmall);
  auto c = connectOrDie(url);
  auto grids =
      c.query("SELECT grid_code, count(*) FROM gridtwin.people GROUP BY 1 ORDER BY 2 DESC LIMIT 2");
  ASSERT_TRUE(grids);
  ASSERT_EQ(grids->rows(), 2);
  const std::string mine(grids->text(0, 0)), other(grids->text(1, 0));
  const std::int64_t mineCount = std::stoll(std::string(grids->text(0, 1)));
  auto ids = c.query(
      "SELECT (SELECT min(person_id) FROM gridtwin.people WHERE grid_code = $1)::text,"
      " (SELECT min(person_id) FROM gridtwin.people WHERE grid_code = $2)::text",
      {mine, other});
  ASSERT_TRUE(ids);
  const std::string inside(ids->text(0, 0)), outside(ids->text(0, 1));
  ASSERT_TRUE(c.execute(
      "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'head_test') THEN"
      " CREATE ROLE head_test LOGIN; END IF;"
      " IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'planner_test') THEN"
      " CREATE ROLE planner_test LOGIN; END IF; END $$;"
      " GRANT gridtwin_grid_head TO head_test; GRANT gridtwin_planner TO planner_test"));
  ASSERT_TRUE(c.query("INSERT INTO gridtwin.role_scopes VALUES ('head_test', $1)", {mine}));
  ASSERT_TRUE(c.execute("SET ROLE head_test"));
  // SELECT outside the grid returns nothing.
  EXPECT_EQ(count(c, "SELECT count(*) FROM gridtwin.people"), mineCount);
  EXPECT_EQ(count(c, "SELECT count(*) FROM gridtwin.people WHERE grid_code = $1", {other}), 0);
  EXPECT_EQ(
      count(c, "SELECT count(*) FROM gridtwin.people WHERE person_id = $1::bigint", {outside}), 0);
  EXPECT_EQ(count(c, "SELECT count(*) FROM gridtwin.people_masked WHERE grid_code <> $1", {mine}),
            0);
  EXPECT_EQ(count(c, "SELECT count(DISTINCT grid_code) FROM gridtwin.events"), 1);
  // An UPDATE of a row outside the grid FAILS, by key or by grid ...
  for (const auto& [sql, param] : std::vector<std::pair<std::string, std::string>>{
           {"UPDATE gridtwin.people_edit SET phone = '110' WHERE person_id = $1::bigint", outside},
           {"UPDATE gridtwin.people_edit SET phone = '110' WHERE grid_code = $1", other},
           {"UPDATE gridtwin.events_edit SET status = 'x' WHERE grid_code = $1", other}}) {
    auto r = c.query(sql, {param});
    ASSERT_FALSE(r) << sql;
    EXPECT_NE(r.error().message.find("outside the scope of role head_test"), std::string::npos)
        << r.error().toString();
  }
  // ... and so does any write on the register itself (no silent 0 rows).
  auto direct =
      c.query("UPDATE gridtwin.people SET tags = 'x' WHERE person_id = $1::bigint", {outside});
  ASSERT_FALSE(direct);
  EXPECT_NE(direct.error().message.find("permission denied"), std::string::npos);
  // Moving a person out of the grid, or reporting into another grid, fails.
  auto move = c.query("UPDATE gridtwin.people_edit SET grid_code = $1 WHERE person_id = $2::bigint",
                      {other, inside});
  ASSERT_FALSE(move);
  // (fid and event_id are the store's since migration 006: a writer names neither.)
  auto report = c.query(
      "INSERT INTO gridtwin.events (category_code, source, reported_at, status,"
      " dispatch_level, grid_code, address_text) VALUES ('x', 'patrol', "
      "'2026-01-01T08:00:00',"
      " '发现上报', 'grid', $1, 'x')",
      {other});
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().message.find("row-level security"), std::string::npos)
      << report.error().toString();
  // Updating inside works, by key and by grid.
  auto one = c.query(
      "UPDATE gridtwin.people_edit SET phone = '13800000000' WHERE person_id = $1::bigint"
      " RETURNING fid",
      {inside});
  ASSERT_TRUE(one) << one.error().toString();
  EXPECT_EQ(one->rows(), 1);
  auto all = c.query(
      "UPDATE gridtwin.people_edit SET household_role = household_role || '' WHERE grid_code = $1"
      " RETURNING fid",
      {mine});
  ASSERT_FALSE(all);  // household_role is read by the SET: only keys are readable here
  auto tagged = c.query(
      "UPDATE gridtwin.people_edit SET tags = NULL WHERE grid_code = $1 RETURNING fid", {mine});
  ASSERT_TRUE(tagged) << tagged.error().toString();
  EXPECT_EQ(tagged->rows(), mineCount);
  ASSERT_TRUE(c.execute("RESET ROLE"));
  EXPECT_EQ(count(c, "SELECT count(*) FROM gridtwin.people WHERE phone = '110'"), 0);
  EXPECT_EQ(count(c, "SELECT count(*) FROM gridtwin.people WHERE phone = '13800000000'"), 1);
  EXPECT_EQ(count(c, "SELECT count(*) FROM gridtwin.people WHERE tags IS NULL AND grid_code = $1",
                  {mine}),
            mineCount);
  // A planner sees every grid, personal data masked only: the clear columns
  // are not granted at all.
  ASSERT_TRUE(c.execute("SET ROLE planner_test"));
  EXPECT_FALSE(c.query("SELECT name FROM gridtwin.people LIMIT 1"));
  ASSERT_TRUE(c.execute("RESET ROLE; SET ROLE planner_test"));
  EXPECT_EQ(count(c, "SELECT count(*) FROM gridtwin.people"),
            sqliteCount(kSmall, "SELECT count(*) FROM people"));
  EXPECT_EQ(count(c, "SELECT count(*) FROM gridtwin.people_masked"),
            sqliteCount(kSmall, "SELECT count(*) FROM people"));
  EXPECT_EQ(
      count(c, "SELECT count(*) FROM gridtwin.people_masked WHERE id_number NOT LIKE '%********%'"),
      0);
  EXPECT_FALSE(c.query("UPDATE gridtwin.people_edit SET tags = NULL WHERE person_id = $1::bigint",
                       {inside}));
  ASSERT_TRUE(c.execute("RESET ROLE"));
}

TEST(PostgisSecurity, InjectionThroughCliParametersFailsHarmlessly) {
  const std::string url = freshDatabase();
  ingestOrFail(url, kSmall);
  auto c = connectOrDie(url);
  const auto people = count(c, "SELECT count(*) FROM gridtwin.people");
  const std::string cli = GRIDTWIN_CLI;
  const std::string drop = "'; DROP TABLE gridtwin.people; --";
  // Hostile URLs, source paths and output paths.
  for (const std::string& args :
       {" ingest -q --to " + shellQuote(url + drop) + " " + shellQuote(kSmall),
        " ingest -q --to " + shellQuote(url) + " " + shellQuote(kSmall + drop),
        " ingest -q --to " + shellQuote("dbname=x' options='-c log_statement=all") + " " +
            shellQuote(kSmall),
        " export --from " + shellQuote(url + "&options=-csearch_path%3Dpublic" + drop) + " --to " +
            shellQuote(std::string(GRIDTWIN_PG_WORK) + "/x" + drop + ".gpkg")}) {
    auto out = run(cli + args);
    EXPECT_EQ(out.status, 1) << args << "\n" << out.out;
  }
  EXPECT_EQ(count(c, "SELECT count(*) FROM gridtwin.people"), people);
  // A source whose layer, field names and values are SQL: loaded as data.
  const std::string hostile = std::string(GRIDTWIN_PG_WORK) + "/hostile.gpkg";
  fs::remove(hostile);
  {
    auto w = store::GpkgWriter::create(hostile);
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->addTable({"evil\"; DROP TABLE gridtwin.people; --",
                             store::GeometryType::kPoint,
                             {{"a\"b'); DROP TABLE gridtwin.people; --", store::FieldType::kText}},
                             "x'); DROP TABLE gridtwin.people; --",
                             true}));
    w->setText(0, "'); DROP TABLE gridtwin.people; --\t\\N\n\\.\n");
    w->setPoint({113.1, 23.0});
    ASSERT_TRUE(w->writeRow());
    ASSERT_TRUE(w->commit());
  }
  auto out = run(cli + " ingest -q --to " + shellQuote(url) + " " + shellQuote(hostile));
  ASSERT_EQ(out.status, 0) << out.out;
  auto v = c.query(
      "SELECT \"a\"\"b'); DROP TABLE gridtwin.people; --\" FROM gridtwin.\"evil\"\"; DROP TABLE "
      "gridtwin.people; --\"");
  ASSERT_TRUE(v) << v.error().toString();
  ASSERT_EQ(v->rows(), 1);
  EXPECT_EQ(v->text(0, 0), "'); DROP TABLE gridtwin.people; --\t\\N\n\\.\n");
  // That ingest replaced the dataset (one layer now): the registers are
  // empty, but the table is there.
  EXPECT_EQ(count(c, "SELECT count(*) FROM gridtwin.people"), 0);
  EXPECT_EQ(
      count(
          c,
          "SELECT count(*) FROM pg_tables WHERE schemaname = 'gridtwin' AND tablename = 'people'"),
      1);
}

// The connect timeout itself (5 s, connection.h) is libpq's connect_timeout;
// what is asserted here is the behaviour: the open fails with a clear error.
TEST(PostgisFaults, ServerDownGivesAClearError) {
  for (const std::string& url :
       {std::string("postgresql:///gridtwin?host=/nonexistent-gridtwin&port=5432"),
        std::string("postgresql://127.0.0.1:1/gridtwin"),
        std::string("postgresql://10.255.255.1:5432/gridtwin")}) {
    auto c = pgstore::Connection::open(url);
    ASSERT_FALSE(c);
    EXPECT_NE(c.error().message.find("cannot connect"), std::string::npos) << c.error().toString();
    auto out = run(std::string(GRIDTWIN_CLI) + " ingest -q --to " + shellQuote(url) + " " +
                   shellQuote(kSmall));
    EXPECT_EQ(out.status, 1);
    EXPECT_NE(out.out.find("cannot connect"), std::string::npos) << out.out;
  }
}

// A full disk under `export --to` (issue 11.7): a loud failure naming the
// output, exit 1, no file and no temporary file left. A full file system is
// stood in for by /dev/full (a streamed output) and by RLIMIT_FSIZE in the
// command's shell (writes past 1 MB fail with EFBIG, SIGXFSZ ignored).
TEST(PostgisFaults, ExportToAFullDiskFailsNamingTheOutputAndLeavesNoTemporaryFile) {
  const std::string url = freshDatabase();
  ingestOrFail(url, kSmall);
  const fs::path dir = fs::path(GRIDTWIN_PG_WORK) / "export-full";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string to = (dir / "out.gpkg").string();
  auto full =
      run(std::string(GRIDTWIN_CLI) + " export --from " + shellQuote(url) + " --to /dev/full");
  EXPECT_EQ(full.status, 1) << full.out;
  EXPECT_NE(full.out.find("/dev/full"), std::string::npos) << full.out;
  auto capped = run("trap '' XFSZ; ulimit -f 2000; " + std::string(GRIDTWIN_CLI) +
                    " export --from " + shellQuote(url) + " --to " + shellQuote(to));
  EXPECT_EQ(capped.status, 1) << capped.out;
  EXPECT_NE(capped.out.find(to), std::string::npos) << capped.out;
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir)) left.push_back(e.path().string());
  EXPECT_TRUE(left.empty()) << left.front();
}

TEST(PostgisFaults, ServerKilledMidIngestLeavesThePreviousDatasetAndARerunCompletes) {
  // A cluster of its own: killing it must not disturb the other tests.
  const std::string state = std::string(GRIDTWIN_PG_WORK) + "/pg-fault";
  auto started = run(postgisScript(state, "start"));
  ASSERT_EQ(started.status, 0) << started.out;
  const std::string url = started.out;
  // The previous dataset: the district without most events.
  const std::string before = std::string(GRIDTWIN_PG_WORK) + "/fault-before.gpkg";
  fs::copy_file(kSmall, before, fs::copy_options::overwrite_existing);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(before.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DELETE FROM events WHERE fid > 500", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  ingestOrFail(url, before);

  // Kill the server while the next ingest is copying: from inside its
  // progress callback, once the people are copied, so the ingest is
  // certainly mid-transaction (it waits for the callback) and cannot commit
  // first.
  bool killedMidIngest = false;
  std::string killOutput;
  pgstore::IngestOptions options;
  options.progress = [&](std::string_view layer, std::int64_t rows) {
    if (killedMidIngest || layer != "people" || rows == 0) return;
    auto killed = run(postgisScript(state, "kill"));
    killOutput = killed.out;
    killedMidIngest = killed.status == 0;
  };
  auto interrupted = pgstore::ingest(url, kSmall, options);
  ASSERT_TRUE(killedMidIngest) << "the server was not killed: " << killOutput;
  ASSERT_FALSE(interrupted) << "the ingest reported success after its server was killed";
  auto restarted = run(postgisScript(state, "start"));
  ASSERT_EQ(restarted.status, 0) << restarted.out;
  {
    auto c = connectOrDie(url);
    EXPECT_EQ(count(c, "SELECT count(*) FROM gridtwin.events"), 500);
    EXPECT_EQ(count(c, "SELECT count(*) FROM gridtwin.people"),
              sqliteCount(kSmall, "SELECT count(*) FROM people"));
  }
  ingestOrFail(url, kSmall);
  {
    auto c = connectOrDie(url);
    EXPECT_EQ(count(c, "SELECT count(*) FROM gridtwin.events"),
              sqliteCount(kSmall, "SELECT count(*) FROM events"));
    EXPECT_EQ(count(c, "SELECT count(*) - count(DISTINCT event_id) FROM gridtwin.events"), 0);
  }
  run(postgisScript(state, "purge"));
}

TEST(PostgisFollower, NewEventsReachTheLiveDelta) {
  const std::string url = freshDatabase();
  ingestOrFail(url, kSmall);
  auto district = pgstore::loadPostgis(url);
  ASSERT_TRUE(district) << district.error().toString();
  std::int64_t last = 0;
  for (auto id : district->events().id) last = std::max(last, id);
  auto follower = pgstore::EventFollower::start(url, *district, last);
  ASSERT_TRUE(follower) << follower.error().toString();
  auto none = follower->poll(std::chrono::milliseconds(10));
  ASSERT_TRUE(none) << none.error().toString();
  EXPECT_TRUE(none->empty());
  auto c = connectOrDie(url);
  const std::string grid(district->grids().code[3]);
  ASSERT_TRUE(
      c.query("INSERT INTO gridtwin.events (fid, event_id, category_code, source, reported_at, "
              "status, dispatch_level,"
              " grid_code, geom) SELECT max(fid) + 1, max(event_id) + 1, min(category_code), "
              "'hotline12345',"
              " '2026-07-01T09:30:00+08:00', '发现上报', 'grid', $1, "
              "ST_SetSRID(ST_MakePoint(113.1, 23.01), 4490)"
              " FROM gridtwin.events",
              {grid}));
  auto got = follower->poll(std::chrono::milliseconds(3000));
  ASSERT_TRUE(got) << got.error().toString();
  ASSERT_EQ(got->size(), 1u);
  const auto& e = got->front();
  EXPECT_EQ(e.id, last + 1);
  EXPECT_EQ(e.grid, 3u);
  EXPECT_EQ(e.source, model::EventSource::kHotline12345);
  EXPECT_EQ(e.reportedAt, 1782869400);  // 2026-07-01 01:30:00 UTC
  EXPECT_DOUBLE_EQ(e.lonlat.x, 113.1);
  EXPECT_EQ(follower->lastEventId(), last + 1);
}

TEST(PostgisClients, AGisClientListsEverySpatialTable) {
  const std::string url = freshDatabase();
  ingestOrFail(url, kSmall);
  auto c = connectOrDie(url);
  // Every geometry column is registered with a concrete type and SRID 4490.
  EXPECT_EQ(count(c,
                  "SELECT count(*) FROM geometry_columns WHERE f_table_schema = 'gridtwin'"
                  " AND (srid <> 4490 OR type = 'GEOMETRY')"),
            0);
  const auto spatial =
      count(c, "SELECT count(*) FROM geometry_columns WHERE f_table_schema = 'gridtwin'");
  // + entities_masked and the edit views of the six registers with a geometry
  EXPECT_EQ(spatial, sqliteCount(kSmall, "SELECT count(*) FROM gpkg_geometry_columns") + 1 + 6);
  // GDAL's PostgreSQL driver (what QGIS uses) opens each of them.
  GDALAllRegister();
  auto pg = run(postgisScript(GRIDTWIN_PG_STATE, "url")).out;
  const std::string host =
      pg.substr(pg.find("host=") + 5, pg.find('&', pg.find("host=")) - pg.find("host=") - 5);
  const std::string db = url.substr(url.find(":///") + 4, url.find('?') - url.find(":///") - 4);
  const std::string conn = "PG:host=" + host + " dbname=" + db + " user=postgres schemas=gridtwin";
  GDALDatasetH ds = GDALOpenEx(conn.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
  ASSERT_NE(ds, nullptr) << CPLGetLastErrorMsg();
  int withGeometry = 0;
  for (int i = 0; i < GDALDatasetGetLayerCount(ds); ++i) {
    OGRLayerH layer = GDALDatasetGetLayer(ds, i);
    if (OGR_L_GetGeomType(layer) != wkbNone) {
      ++withGeometry;
      EXPECT_GE(OGR_L_GetFeatureCount(layer, TRUE), 0) << OGR_L_GetName(layer);
    }
  }
  EXPECT_EQ(withGeometry, spatial);
  GDALClose(ds);
}

}  // namespace
