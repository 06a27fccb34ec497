// The query layer on the shared small generated district (ctest fixture
// small_district): in process, a grid head never sees another grid's record
// and the indexed twin equals the brute-force one on random areas; through
// the CLI, exports hold only in-scope rows, personal fields are masked per
// role, and bad input gives the documented exit codes.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <set>
#include <sstream>
#include <string>

#include "integration/private_district.h"
#include "model/snapshot.h"
#include "query/query.h"
#include "query/records.h"
#include "query/stats.h"

namespace gridtwin::query {
namespace {

namespace fs = std::filesystem;
using model::Kind;

// A private copy of the fixture, so the snapshot our loads write lands there.
const std::string& dataset() {
  return testsupport::privateDistrict(testsupport::privateWorkDir("query_it"),
                                      GRIDTWIN_SMALL_DISTRICT);
}

struct Twins {
  std::unique_ptr<Twin> indexed, brute;
};
const Twins& twins() {
  static const Twins t = [] {
    Twins out;
    out.indexed = std::move(Twin::open(dataset(), {true}).value());
    out.brute = std::move(Twin::open(dataset(), {false}).value());
    return out;
  }();
  return t;
}

struct CliRun {
  int exitCode = 0;
  std::string out;
};
CliRun cli(const std::string& args) {
  const std::string cmd = std::string(GRIDTWIN_CLI) + " " + args + " 2>/dev/null";
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Bytes of `path` mapped into this process and resident (smaps' Rss), over
// every mapping of it.
std::size_t residentBytesOf(const std::string& path) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  std::size_t kb = 0;
  while (std::getline(smaps, line)) {
    if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) &&
        line.find(' ') < line.find(':')) {
      inside = line.size() >= path.size() &&
               line.compare(line.size() - path.size(), path.size(), path) == 0;
    } else if (inside && line.rfind("Rss:", 0) == 0) {
      kb += std::stoul(line.substr(4));
    }
  }
  return kb * 1024;
}

// selectPage is select()'s whole-scope answer sliced: for every kind, scope
// (the district's, a community's, a grid head's), event filter, offset and
// limit, the same rows and live events in the same order, and the same
// count; live events come after the base rows.
TEST(QueryIntegration, APageOfTheScopeIsTheSelectionSliced) {
  auto opened = Twin::open(dataset(), {true});
  ASSERT_TRUE(opened) << opened.error().toString();
  Twin& twin = **opened;
  const model::District& d = twin.district();
  const std::uint32_t g0 = d.events().grid[0], g1 = d.events().grid[d.events().size() / 2];
  for (int i = 0; i < 6; ++i) {
    NewEvent e;
    e.category = d.events().category[static_cast<std::size_t>(i)];
    e.reportedAt = kReferenceNow - 3600 * (i + 1);
    e.status = i % 3 == 0 ? model::EventStatus::kClosed : model::EventStatus::kReported;
    e.grid = i % 2 ? g0 : g1;
    ASSERT_TRUE(twin.reportEvent(e));
  }
  const std::string head(d.grids().code[g0]);
  std::vector<Access> accesses;
  for (const auto& [role, scope] :
       {std::pair{Role::kDistrict, std::string()}, std::pair{Role::kCommunity, head.substr(0, 12)},
        std::pair{Role::kGridHead, head}}) {
    auto a = makeAccess(d, role, scope);
    ASSERT_TRUE(a) << a.error().toString();
    accesses.push_back(*a);
  }
  std::vector<EventFilter> filters(4);
  filters[1].status = model::EventStatus::kReported;
  filters[2].categories = {d.events().category[0]};
  filters[3].window = TimeWindow{kReferenceNow - 400LL * 86400, kReferenceNow};
  std::size_t pages = 0;
  for (const Kind kind : kQueryKinds) {
    for (const Access& access : accesses) {
      for (std::size_t f = 0; f < (kind == Kind::kEvent ? filters.size() : 1); ++f) {
        KindSet kinds;
        kinds.add(kind);
        auto sel = select(twin, access, Area::wholeScope(), kinds, filters[f]);
        ASSERT_TRUE(sel);
        const auto& base = sel->of(kind);
        const std::size_t count = sel->count(kind);
        for (std::size_t offset :
             {std::size_t{0}, std::size_t{1}, std::size_t{7}, base.size() > 3 ? base.size() - 3 : 0,
              base.size(), base.size() + 1, base.size() + 2, count, count + 5}) {
          for (std::size_t limit : {std::size_t{0}, std::size_t{1}, std::size_t{10},
                                    std::size_t{1000}, std::numeric_limits<std::size_t>::max()}) {
            const ScopePage p = selectPage(twin, access, kind, offset, limit, filters[f]);
            const std::string what = std::string(model::kindTable(kind)) + " " +
                                     std::string(name(access.role)) + " filter " +
                                     std::to_string(f) + " offset " + std::to_string(offset) +
                                     " limit " + std::to_string(limit);
            EXPECT_EQ(p.total, count) << what;
            std::vector<std::uint32_t> rows;
            std::vector<std::uint64_t> live;
            for (std::size_t i = offset; i < base.size() && rows.size() < limit; ++i) {
              rows.push_back(base[i]);
            }
            const std::size_t from = offset > base.size() ? offset - base.size() : 0;
            for (std::size_t i = from; i < sel->live.size() && rows.size() + live.size() < limit;
                 ++i) {
              live.push_back(sel->live[i]);
            }
            EXPECT_EQ(p.page.of(kind), rows) << what;
            EXPECT_EQ(p.page.live, kind == Kind::kEvent ? live : std::vector<std::uint64_t>{})
                << what;
            ++pages;
          }
        }
      }
    }
  }
  EXPECT_GT(pages, 500u);
}

TEST(QueryIntegration, ASnapshotsCheckedPagesDoNotStayInTheProcess) {
  // Its own copy: the shared twins() keep mappings of dataset()'s snapshot.
  const fs::path dir = fs::path(dataset()).parent_path() / "residency";
  fs::create_directories(dir);
  const std::string gpkg = (dir / "district.gpkg").string();
  fs::copy_file(dataset(), gpkg, fs::copy_options::overwrite_existing);
  ASSERT_TRUE(Twin::open(gpkg, {}).ok());  // writes the snapshot
  const std::string snap = model::snapshotPathFor(gpkg);
  ASSERT_TRUE(fs::exists(snap));
  auto stamp = model::stampOf(gpkg);
  ASSERT_TRUE(stamp.ok());
  auto district = model::openSnapshot(snap, *stamp, model::SnapshotCheck::kFull);
  ASSERT_TRUE(district.ok()) << district.error().toString();
  // Every section's checksum read all of its pages. Only what the district's
  // own validation reads afterwards (offsets and links) may stay resident:
  // here about a third of the file, where all of it stayed before.
  const std::size_t size = fs::file_size(snap);
  EXPECT_LE(residentBytesOf(snap), size / 2) << "of a " << size << " byte file";
  // What a reader touches comes back from the file, the same values.
  const auto twin = Twin::open(gpkg, {});
  ASSERT_TRUE(twin.ok());
  const auto& fromTwin = (*twin)->district();
  ASSERT_EQ(district->events().size(), fromTwin.events().size());
  for (std::size_t i = 0; i < district->events().size(); ++i) {
    ASSERT_EQ(district->events().id[i], fromTwin.events().id[i]);
  }
  EXPECT_EQ(district->people().name[district->people().size() / 2],
            fromTwin.people().name[fromTwin.people().size() / 2]);
}

TEST(QueryIntegration, GridHeadNeverSeesAnotherGridAndIndexEqualsBruteForce) {
  const Twin& t = *twins().indexed;
  ASSERT_TRUE(t.indexed());
  ASSERT_FALSE(t.staff().empty());
  geo::Box world;
  for (const auto& p : t.district().grids().shape.xy) world.expand(p);
  std::mt19937_64 rng(5);
  const std::size_t grids = t.district().grids().size();
  for (int iter = 0; iter < 120; ++iter) {
    std::string codes;
    for (int i = 0; i < 1 + static_cast<int>(rng() % 3); ++i) {
      codes += (codes.empty() ? "" : ",") + std::string(t.district().grids().code[rng() % grids]);
    }
    const Access access = makeAccess(t.district(), Role::kGridHead, codes).value();
    const double cx = std::uniform_real_distribution<double>(world.minx, world.maxx)(rng);
    const double cy = std::uniform_real_distribution<double>(world.miny, world.maxy)(rng);
    const double r = std::uniform_real_distribution<double>(100, 4000)(rng);
    Area area = iter % 3 == 0   ? Area::ofCircle({cx, cy}, r)
                : iter % 3 == 1 ? Area::ofBox({cx - r, cy - r, cx + r, cy + r})
                                : Area::wholeScope();
    auto a = select(t, access, area, KindSet::all());
    auto b = select(*twins().brute, access, area, KindSet::all());
    ASSERT_TRUE(a.ok() && b.ok());
    for (Kind k : kQueryKinds) ASSERT_EQ(a->of(k), b->of(k)) << iter;
    forEachRecord(t, access, *a,
                  [&](const Record& rec) { ASSERT_TRUE(access.scope.contains(rec.grid)); });
    auto na = nearest(t, access, Kind::kFacility, {cx, cy}, 7);
    auto nb = nearest(*twins().brute, access, Kind::kFacility, {cx, cy}, 7);
    ASSERT_EQ(na->size(), nb->size());
    for (std::size_t i = 0; i < na->size(); ++i) {
      EXPECT_EQ((*na)[i].row, (*nb)[i].row);
      EXPECT_TRUE(access.scope.contains(t.gridOf(Kind::kFacility, (*na)[i].row)));
    }
  }
}

TEST(QueryIntegration, CsvExportHoldsOnlyTheScopesRowsAndMasksIdNumbers) {
  const Twin& t = *twins().indexed;
  const std::string grid(t.district().grids().code[3]);
  const CliRun r =
      cli("query " + dataset() + " --kinds people,entities,events --role grid_head --scope " +
          grid + " --format csv");
  ASSERT_EQ(r.exitCode, 0);
  std::istringstream lines(r.out);
  std::string line;
  std::getline(lines, line);  // header
  std::size_t rows = 0;
  while (std::getline(lines, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, ',');) cols.push_back(c);
    ASSERT_GE(cols.size(), 9u);
    EXPECT_EQ(cols[2], grid) << line;
    if (cols[0] == "people") {
      EXPECT_NE(cols[8].find("********"), std::string::npos) << line;
    }
    ++rows;
  }
  const Access access = makeAccess(t.district(), Role::kGridHead, grid).value();
  auto sel = select(t, access, Area::wholeScope(),
                    KindSet().add(Kind::kPerson).add(Kind::kEntity).add(Kind::kEvent));
  EXPECT_EQ(rows, sel->count(Kind::kPerson) + sel->count(Kind::kEntity) + sel->count(Kind::kEvent));
  // The same grid asked by a head of another grid: nothing.
  const std::string other(t.district().grids().code[4]);
  const CliRun none = cli("query " + dataset() + " --grid " + grid + " --role grid_head --scope " +
                          other + " --format jsonl");
  EXPECT_EQ(none.exitCode, 0);
  EXPECT_TRUE(none.out.empty()) << none.out.substr(0, 300);
}

TEST(QueryIntegration, CliLocatesNearestAndCountsWithDocumentedExitCodes) {
  const std::string d = dataset();
  // A point in the district, and the same numbers read as metres: outside.
  CliRun r;
  const fs::path in = fs::path(d).parent_path() / "points.txt";
  std::ofstream(in) << "113.1,23.02\n";
  r = cli("locate " + d + " " + in.string() + " --format jsonl");
  ASSERT_EQ(r.exitCode, 0);
  EXPECT_NE(r.out.find("\"grid\": \"440604"), std::string::npos) << r.out;
  // Degrees read as EPSG:4547 metres lie outside that CRS's area of use:
  // refused (issue 11.6); metres inside it but far from the district: no grid.
  r = cli("locate " + d + " " + in.string() + " --crs EPSG:4547 --format jsonl");
  EXPECT_EQ(r.exitCode, 1);
  std::ofstream(in) << "400000,3000000\n";
  r = cli("locate " + d + " " + in.string() + " --crs EPSG:4547 --format jsonl");
  ASSERT_EQ(r.exitCode, 0);
  EXPECT_NE(r.out.find("\"grid\": null"), std::string::npos) << r.out;
  std::ofstream(in) << "nan,23\n";
  EXPECT_EQ(cli("locate " + d + " " + in.string()).exitCode, 1);

  r = cli("near " + d + " --point 113.1,23.02 --kind facilities --k 3 --format jsonl");
  ASSERT_EQ(r.exitCode, 0);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3);
  r = cli("stats " + d + " --role district --window 7d");
  ASSERT_EQ(r.exitCode, 0);
  EXPECT_NE(r.out.find("\"people_by_tag\""), std::string::npos);

  EXPECT_EQ(cli("query " + d + " --role admin").exitCode, 2);
  EXPECT_EQ(cli("query " + d + " --role street").exitCode, 2);  // street needs a scope
  EXPECT_EQ(cli("query " + d + " --bbox 1,2,3,4 --radius 1,2,3").exitCode, 2);
  EXPECT_EQ(
      cli("query " + d + " --wkt 'POLYGON((113 23,113.1 23.1,113.1 23,113 23.1,113 23))'").exitCode,
      1);  // a bow tie
  EXPECT_EQ(cli("query " + d + " --radius 113.1,23.02,-5").exitCode, 1);
  EXPECT_EQ(cli("query " + d + " --radius nan,23.02,5").exitCode, 1);
  r = cli("query " + d + " --radius 113.1,23.02,inf --kinds facilities --stats --role district");
  ASSERT_EQ(r.exitCode, 0);
  EXPECT_NE(r.out.find("\"facilities\": " +
                       std::to_string(twins().indexed->district().facilities().size())),
            std::string::npos)
      << r.out.substr(0, 400);
  const fs::path gpkg = fs::path(d).parent_path() / "export.gpkg";
  r = cli("query " + d + " --kinds facilities,events --grid " +
          std::string(twins().indexed->district().grids().code[0]) + " --format gpkg --out " +
          gpkg.string());
  ASSERT_EQ(r.exitCode, 0);
  EXPECT_TRUE(fs::exists(gpkg));
}

}  // namespace
}  // namespace gridtwin::query
