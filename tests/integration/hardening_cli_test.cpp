// Issue 11, items 4 and 6, through the command line on the shared small
// district: every role × every scope form through every command that takes
// --role (refused with exit 2 and a message naming the role and the scope,
// or exactly the rows of the expected grids), and odd areas, numbers, dates
// and CRSs refused with the reason instead of a confident wrong answer.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "integration/private_district.h"
#include "query/access.h"
#include "query/query.h"

namespace gridtwin::query {
namespace {

namespace fs = std::filesystem;
using model::Kind;

// A private copy of the fixture, so the snapshot our loads write lands there.
const fs::path& workDir() {
  const fs::path& dir = testsupport::privateWorkDir("hardening_it");
  (void)testsupport::privateDistrict(dir, GRIDTWIN_SMALL_DISTRICT);
  return dir;
}
std::string dataset() { return (workDir() / "district.gpkg").string(); }

const Twin& twin() {
  static const std::unique_ptr<Twin> t = std::move(Twin::open(dataset(), {true}).value());
  return *t;
}

struct CliRun {
  int exitCode = -1;
  std::string out, err;
};

CliRun cli(const std::string& args) {
  const fs::path err = workDir() / ("stderr_" + std::to_string(getpid()) + ".txt");
  const std::string cmd = std::string(GRIDTWIN_CLI) + " " + args + " 2>'" + err.string() + "'";
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err);
  std::ostringstream text;
  text << e.rdbuf();
  r.err = text.str();
  return r;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// ---- 11.4: roles × scope forms × commands

struct Form {
  std::string name, codes;
  std::optional<std::set<std::uint32_t>> grids;  // nullopt: none given, or bad
  bool all = false, street = false, community = false, grid = false, unknown = false;
};

struct Forms {
  std::uint32_t g0 = 0;
  std::vector<Form> list;
};

Forms forms() {
  const model::District& d = twin().district();
  const auto& grids = d.grids();
  const auto n = static_cast<std::uint32_t>(grids.size());
  Forms out;
  // A grid with people, so the rows compared are not all empty.
  out.g0 = d.columns().people.grid[0];
  const std::uint32_t g0 = out.g0;
  const std::uint32_t s0 = d.streetOfGrid(g0), c0 = d.communityOfGrid(g0);
  std::uint32_t sameCommunity = n, otherCommunity = n, otherStreet = n;
  for (std::uint32_t g = 0; g < n; ++g) {
    if (g == g0) continue;
    if (d.communityOfGrid(g) == c0 && sameCommunity == n) sameCommunity = g;
    if (d.communityOfGrid(g) != c0 && d.streetOfGrid(g) == s0 && otherCommunity == n) {
      otherCommunity = g;
    }
    if (d.streetOfGrid(g) != s0 && otherStreet == n) otherStreet = g;
  }
  EXPECT_LT(sameCommunity, n);
  EXPECT_LT(otherCommunity, n);
  EXPECT_LT(otherStreet, n);
  std::set<std::uint32_t> all, ofStreet, ofCommunity;
  for (std::uint32_t g = 0; g < n; ++g) {
    all.insert(g);
    if (d.streetOfGrid(g) == s0) ofStreet.insert(g);
    if (d.communityOfGrid(g) == c0) ofCommunity.insert(g);
  }
  const std::string street(d.streets().code[s0]), community(d.communities().code[c0]);
  const auto code = [&](std::uint32_t g) { return std::string(grids.code[g]); };
  auto with = [](std::set<std::uint32_t> s, std::uint32_t g) {
    s.insert(g);
    return s;
  };
  out.list = {
      {"none", "", std::nullopt},
      {"all", "all", all, true},
      {"street", street, ofStreet, false, true},
      {"community", community, ofCommunity, false, false, true},
      {"grid", code(g0), std::set<std::uint32_t>{g0}, false, false, false, true},
      {"unknown", "440604999", std::nullopt, false, false, false, false, true},
      {"grid list, one community", code(g0) + "," + code(sameCommunity),
       std::set<std::uint32_t>{g0, sameCommunity}, false, false, false, true},
      {"grid list, one street", code(g0) + "," + code(otherCommunity),
       std::set<std::uint32_t>{g0, otherCommunity}, false, false, false, true},
      {"grid list, two streets", code(g0) + "," + code(otherStreet),
       std::set<std::uint32_t>{g0, otherStreet}, false, false, false, true},
      {"community + grid of another community", community + "," + code(otherCommunity),
       with(ofCommunity, otherCommunity), false, false, true, true},
      {"street + grid of another street", street + "," + code(otherStreet),
       with(ofStreet, otherStreet), false, true, false, true},
      {"all + grid", "all," + code(g0), all, true, false, false, true},
  };
  return out;
}

// access.h's rule, restated.
bool allowed(Role role, const Form& f) {
  const model::District& d = twin().district();
  if (f.unknown) return false;
  if (!f.grids) return role == Role::kDistrict || role == Role::kPlanner;
  std::set<std::uint32_t> streets, communities;
  for (std::uint32_t g : *f.grids) {
    streets.insert(d.streetOfGrid(g));
    communities.insert(d.communityOfGrid(g));
  }
  switch (role) {
    case Role::kDistrict:
    case Role::kPlanner:
      return true;
    case Role::kStreet:
      return !f.all && streets.size() == 1;
    case Role::kCommunity:
      return !f.all && !f.street && communities.size() == 1;
    case Role::kGridHead:
      return !f.all && !f.street && !f.community && f.grid;
  }
  return false;
}

TEST(HardeningCli, EveryRoleTimesEveryScopeThroughEveryCommandThatTakesRole) {
  const Twin& t = twin();
  const std::size_t n = t.district().grids().size();
  const Access everything{Role::kDistrict, Scope::all(n)};
  const KindSet kinds = KindSet().add(Kind::kPerson).add(Kind::kFacility).add(Kind::kEvent);
  const auto allRows = select(t, everything, Area::wholeScope(), kinds).value();
  const fs::path points = workDir() / "points.txt";
  std::ofstream(points) << "113.1,23.02\n";
  const Forms f = forms();
  const std::string g0(t.district().grids().code[f.g0]);
  const std::vector<std::pair<std::string, std::string>> commands = {
      {"query", "query " + dataset() + " --kinds people,facilities,events --format csv"},
      {"stats", "stats " + dataset() + " --format csv"},
      {"near", "near " + dataset() + " --point 113.1,23.02 --kind facilities --k 2"},
      {"locate", "locate " + dataset() + " " + points.string() + " --format jsonl"},
      {"grid-report", "grid-report " + dataset() + " " + g0 + " --no-map"}};
  int refused = 0, granted = 0;
  for (Role role :
       {Role::kDistrict, Role::kStreet, Role::kCommunity, Role::kGridHead, Role::kPlanner}) {
    for (const Form& form : f.list) {
      const bool ok = allowed(role, form);
      std::set<std::string> codes;
      std::size_t expectedRows = 0;
      if (ok) {
        std::set<std::uint32_t> grids = form.grids ? *form.grids : std::set<std::uint32_t>{};
        if (!form.grids) {
          for (std::uint32_t g = 0; g < n; ++g) grids.insert(g);
        }
        for (std::uint32_t g : grids) codes.insert(std::string(t.district().grids().code[g]));
        for (Kind k : {Kind::kPerson, Kind::kFacility, Kind::kEvent}) {
          for (std::uint32_t row : allRows.of(k)) expectedRows += grids.count(t.gridOf(k, row));
        }
      }
      for (const auto& [command, line] : commands) {
        SCOPED_TRACE(command + " as " + std::string(name(role)) + " over " + form.name + " '" +
                     form.codes + "'");
        std::string args = line + " --role " + std::string(name(role));
        if (!form.codes.empty()) args += " --scope " + quoted(form.codes);
        const CliRun r = cli(args);
        if (!ok) {
          EXPECT_EQ(r.exitCode, 2) << r.err;
          EXPECT_TRUE(r.out.empty() || r.out == "[]\n" || r.out == "[") << r.out.substr(0, 200);
          EXPECT_NE(r.err.find(std::string(name(role))), std::string::npos) << r.err;
          if (!form.codes.empty()) {
            EXPECT_NE(r.err.find(form.codes), std::string::npos) << r.err;
          }
          ++refused;
          continue;
        }
        ASSERT_EQ(r.exitCode, 0) << r.err;
        ++granted;
        if (command != "query") continue;
        // Exactly the expected grids' rows: each row's grid is in the set,
        // and as many rows as the stored grids say.
        std::istringstream lines(r.out);
        std::string row;
        std::getline(lines, row);  // header
        std::size_t rows = 0;
        while (std::getline(lines, row)) {
          std::vector<std::string> cols;
          std::stringstream ss(row);
          for (std::string c; std::getline(ss, c, ',');) cols.push_back(c);
          ASSERT_GE(cols.size(), 3u) << row;
          EXPECT_TRUE(codes.count(cols[2])) << row;
          ++rows;
        }
        EXPECT_EQ(rows, expectedRows);
      }
    }
  }
  EXPECT_GT(refused, 50);
  EXPECT_GT(granted, 50);
}

TEST(HardeningCli, GridHeadWithScopeAllIsRefusedNotTheWholeDistrictUnmasked) {
  const CliRun r = cli("query " + dataset() + " --kinds people --role grid_head --scope all");
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_TRUE(r.out.empty()) << r.out.substr(0, 300);
  EXPECT_NE(r.err.find("grid_head"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'all'"), std::string::npos) << r.err;
}

// ---- 11.6: odd areas, numbers, dates, CRSs

std::uint64_t facilities(const std::string& args) {
  const CliRun r =
      cli("query " + dataset() + " --kinds facilities --stats --role district " + args);
  EXPECT_EQ(r.exitCode, 0) << args << ": " << r.err;
  const std::string key = "\"facilities\": ";
  const auto at = r.out.find(key);
  if (at == std::string::npos) return ~0ull;
  return std::stoull(r.out.substr(at + key.size()));
}

TEST(HardeningCli, ANearWorldAreaIsClippedToTheDistrict) {
  const std::uint64_t all = twin().district().facilities().size();
  ASSERT_GT(all, 0u);
  EXPECT_EQ(facilities(""), all);
  EXPECT_EQ(facilities("--bbox -180,-90,180,90"), all);
  EXPECT_EQ(facilities("--bbox -179.9,-89.9,179.9,89.9 --crs EPSG:4326"), all);
  EXPECT_EQ(facilities("--wkt 'POLYGON((-179 -89,179 -89,179 89,-179 89,-179 -89))'"), all);
  EXPECT_EQ(facilities("--bbox 70,0,140,56 --crs GCJ02"), all);
  // A box that misses the district: nothing, not an error.
  EXPECT_EQ(facilities("--bbox 116,39,117,40"), 0u);
  // Half the world: what lies east of the district's middle, the same as a
  // box reaching just past the district.
  EXPECT_EQ(facilities("--bbox 113.1,-90,180,90"), facilities("--bbox 113.1,22.8,113.5,23.3"));
}

TEST(HardeningCli, EmptyAndDegenerateAreasAreUsageErrors) {
  for (const std::string& area :
       {std::string("--wkt ''"), std::string("--wkt ' '"), std::string("--wkt 'POLYGON EMPTY'"),
        std::string("--wkt 'POLYGON((113 23,113.1 23,113.2 23,113 23))'"),
        std::string("--wkt 'POLYGON((113 23,113 23,113 23,113 23))'"), std::string("--bbox ''"),
        std::string("--radius ''"), std::string("--grid ''")}) {
    const CliRun r =
        cli("query " + dataset() + " --kinds facilities --stats --role district " + area);
    EXPECT_EQ(r.exitCode, 2) << area << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << area << ": " << r.out.substr(0, 200);
    EXPECT_NE(r.err.find(area.substr(0, area.find(' '))), std::string::npos) << r.err;
  }
}

TEST(HardeningCli, ALongitudeOf473IsNotLocatedInsideAGrid) {
  const fs::path in = workDir() / "lon473.txt";
  std::ofstream(in) << "113.1,23.02\n473.1,23.02\n";
  const CliRun r = cli("locate " + dataset() + " " + in.string() + " --format jsonl");
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find(":2:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("473.1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("-180..180"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("\"line\": 2"), std::string::npos) << r.out;
  const CliRun n = cli("near " + dataset() + " --point 473.1,23.02");
  EXPECT_EQ(n.exitCode, 1);
  EXPECT_NE(n.err.find("473.1"), std::string::npos) << n.err;
  const CliRun q = cli("query " + dataset() + " --radius 473.1,23.02,500 --stats");
  EXPECT_EQ(q.exitCode, 1);
  EXPECT_NE(q.err.find("473.1"), std::string::npos) << q.err;
}

TEST(HardeningCli, NearNeedsAWholeKFromOne) {
  for (const std::string k : {"-1", "0", "abc", "1.5", "", "99999999999999999999999", "1000001"}) {
    const CliRun r = cli("near " + dataset() + " --point 113.1,23.02 --k " + quoted(k));
    EXPECT_EQ(r.exitCode, 2) << k << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << k;
    EXPECT_NE(r.err.find("--k"), std::string::npos) << r.err;
  }
  EXPECT_EQ(cli("near " + dataset() + " --point 113.1,23.02 --k 1").exitCode, 0);
}

TEST(HardeningCli, EditPreviewRefusesAnEmptyOrMisplacedPolygon) {
  const std::string grid(twin().district().grids().code[0]);
  const std::string base = "edit-preview " + dataset() + " " + grid;
  // 4547 metres given as 4490 degrees.
  const geo::Point m = twin().district().grids().shape.xy[0];
  char wkt[256];
  std::snprintf(wkt, sizeof wkt, "POLYGON((%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f))", m.x, m.y,
                m.x + 100, m.y, m.x + 100, m.y + 100, m.x, m.y);
  CliRun r = cli(base + " --wkt " + quoted(wkt) + " --crs EPSG:4490");
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find("-180..180"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("no new findings"), std::string::npos) << r.out;
  // The same square in its own CRS passes that check.
  r = cli(base + " --wkt " + quoted(wkt) + " --crs EPSG:4547");
  EXPECT_EQ(r.exitCode, 0) << r.err;
  // Degrees, but in Beijing.
  r = cli(base + " --wkt 'POLYGON((116.3 39.9,116.4 39.9,116.4 40,116.3 39.9))'");
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find("outside the district"), std::string::npos) << r.err;
  for (const std::string empty :
       {"POLYGON EMPTY", "MULTIPOLYGON EMPTY", "POLYGON((113 23,113.1 23,113.2 23,113 23))"}) {
    r = cli(base + " --wkt " + quoted(empty));
    EXPECT_EQ(r.exitCode, 2) << empty << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  EXPECT_EQ(cli(base + " --wkt ''").exitCode, 2);
}

TEST(HardeningCli, ImpossibleDatesAreRefused) {
  for (const std::string now :
       {"2026-02-30", "2026-02-29T00:00:00+08:00", "2026-04-31", "2026-13-01", "2026-00-10",
        "2026-06-30T24:00:00+08:00", "2026-06-30T12:00:00+15:00"}) {
    const CliRun r =
        cli("stats " + dataset() + " --role district --window 7d --now " + quoted(now));
    // A bad value is bad input (exit 1), the README's convention.
    EXPECT_EQ(r.exitCode, 1) << now << ": " << r.err;
    EXPECT_NE(r.err.find(now.substr(0, 10)), std::string::npos) << r.err;
  }
  EXPECT_EQ(cli("stats " + dataset() + " --role district --window 7d --now 2028-02-29").exitCode,
            0);
  EXPECT_EQ(cli("stats " + dataset() + " --role district --window 2026-02-01/2026-02-30").exitCode,
            1);
}

TEST(HardeningCli, GcjAndBaiduOutputForOutOfRangeInputIsAnError) {
  const fs::path in = workDir() / "far.txt";
  for (const std::string point : {"473.1,23", "1e300,23", "2.35,48.85", "113.1,95"}) {
    std::ofstream(in) << point << "\n";
    for (const std::string to : {"BD09", "GCJ02"}) {
      const CliRun r = cli("transform --from EPSG:4490 --to " + to + " " + in.string());
      EXPECT_EQ(r.exitCode, 1) << point << " -> " << to << ": " << r.out;
      EXPECT_EQ(r.out.find("nan"), std::string::npos) << r.out;
      EXPECT_EQ(r.out.find("inf"), std::string::npos) << r.out;
      EXPECT_LT(r.out.size(), 64u) << r.out;
    }
  }
}

TEST(HardeningCli, GeocentricVerticalAnd3dCrsAreRefusedWhere2dIsMeant) {
  std::ofstream(workDir() / "one.txt") << "113.1,23.02\n";
  for (const std::string crs : {"EPSG:4978", "EPSG:5773", "EPSG:4979"}) {
    CliRun r =
        cli("transform --from EPSG:4490 --to " + crs + " " + (workDir() / "one.txt").string());
    EXPECT_EQ(r.exitCode, 2) << crs << ": " << r.out;
    EXPECT_NE(r.err.find(crs), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("2D horizontal"), std::string::npos) << r.err;
    r = cli("near " + dataset() + " --point 113.1,23.02 --crs " + crs);
    EXPECT_EQ(r.exitCode, 2) << crs << ": " << r.err;
    r = cli("locate " + dataset() + " " + (workDir() / "one.txt").string() + " --crs " + crs);
    EXPECT_EQ(r.exitCode, 2) << crs << ": " << r.err;
  }
}

}  // namespace
}  // namespace gridtwin::query
