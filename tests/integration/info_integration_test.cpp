// `gridtwin generate --scale 0.005` then `gridtwin info --format json`: the
// counts info prints equal the GeoPackage's row counts (read with SQLite),
// per street and per community they add up, and the second run comes from
// the snapshot with the same numbers.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace {

struct CommandResult {
  int status = -1;
  std::string out;
};

CommandResult run(const std::string& command) {
  CommandResult r;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  r.status = ::pclose(pipe);
  return r;
}

std::int64_t rowCount(const std::string& path, const std::string& table) {
  sqlite3* db = nullptr;
  std::int64_t n = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    const std::string sql = "SELECT count(*) FROM \"" + table + "\"";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return n;
}

class InfoIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_dir = (std::filesystem::temp_directory_path() /
             ("gridtwin-info-it-" + std::to_string(::getpid())))
                .string();
    std::filesystem::remove_all(s_dir);
    std::filesystem::create_directories(s_dir);
    s_gpkg = s_dir + "/small.gpkg";
    s_generated = run(std::string(GRIDTWIN_CLI) + " generate --quiet --scale 0.005 --out " +
                      s_gpkg + " 2>&1");
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(s_dir); }

  static nlohmann::json info(const std::string& extra) {
    CommandResult r =
        run(std::string(GRIDTWIN_CLI) + " info --format json " + s_gpkg + " " + extra);
    EXPECT_EQ(r.status, 0) << r.out;
    return nlohmann::json::parse(r.out, nullptr, false);
  }

  static inline std::string s_dir, s_gpkg;
  static inline CommandResult s_generated;
};

TEST_F(InfoIntegration, CountsEqualTheGeoPackageRowCounts) {
  ASSERT_EQ(s_generated.status, 0) << s_generated.out;
  const nlohmann::json j = info("--no-snapshot");
  ASSERT_FALSE(j.is_discarded());
  EXPECT_FALSE(j["load"]["from_snapshot"].get<bool>());
  for (const char* table :
       {"streets", "communities", "grids", "roads", "buildings", "addresses", "houses", "people",
        "entities", "facilities", "events", "layer_catalog"}) {
    EXPECT_EQ(j["counts"][table].get<std::int64_t>(), rowCount(s_gpkg, table)) << table;
  }
  EXPECT_EQ(j["counts"]["grids"].get<std::int64_t>(), 478);
  EXPECT_GT(j["memory"]["model_bytes"].get<std::int64_t>(), 0);
  EXPECT_GT(j["memory"]["rss_bytes"].get<std::int64_t>(), 0);
  EXPECT_FALSE(std::filesystem::exists(s_gpkg + ".snap"));
}

TEST_F(InfoIntegration, StreetsAndCommunitiesAddUpToTheTotals) {
  ASSERT_EQ(s_generated.status, 0) << s_generated.out;
  const nlohmann::json j = info("--no-snapshot");
  ASSERT_FALSE(j.is_discarded());
  for (const char* level : {"streets", "communities"}) {
    EXPECT_EQ(j[level].size(), j["counts"][level].get<std::size_t>()) << level;
    for (const char* kind :
         {"grids", "buildings", "houses", "people", "entities", "facilities", "events"}) {
      std::int64_t sum = 0;
      for (const auto& area : j[level]) sum += area[kind].get<std::int64_t>();
      EXPECT_EQ(sum, j["counts"][kind].get<std::int64_t>()) << level << " " << kind;
    }
  }
}

TEST_F(InfoIntegration, SecondRunComesFromTheSnapshotWithTheSameCounts) {
  ASSERT_EQ(s_generated.status, 0) << s_generated.out;
  const nlohmann::json first = info("");
  const nlohmann::json second = info("");
  ASSERT_FALSE(first.is_discarded() || second.is_discarded());
  EXPECT_TRUE(first["load"]["snapshot_written"].get<bool>()) << first["load"];
  EXPECT_TRUE(second["load"]["from_snapshot"].get<bool>()) << second["load"];
  EXPECT_EQ(first["counts"], second["counts"]);
  EXPECT_EQ(first["communities"], second["communities"]);
}

TEST_F(InfoIntegration, MissingDatasetExitsWithOneAndNamesIt) {
  CommandResult r = run(std::string(GRIDTWIN_CLI) + " info " + s_dir + "/absent.gpkg 2>&1");
  EXPECT_EQ(WEXITSTATUS(r.status), 1);
  EXPECT_NE(r.out.find("absent.gpkg"), std::string::npos) << r.out;
}

}  // namespace
