// The light front (cli/front.cpp) against the full program: every command
// line here is run through `gridtwin` (which answers locate and transform
// itself when it can, and exec()s gridtwin-full otherwise) and through
// `GRIDTWIN_FULL=1 gridtwin` (always the full program), on the same input;
// stdout, stderr and the exit code must be the same bytes. The cases cover
// what the front serves (every format, CRS and role, files and stdin, bad
// lines, unreadable input) and what it must hand over (usage errors, unknown
// CRS or role, a scope the role may not hold, no snapshot yet, help).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "integration/private_district.h"

namespace gridtwin {
namespace {

namespace fs = std::filesystem;

const fs::path& workDir() { return testsupport::privateWorkDir("front"); }

struct CliRun {
  int exitCode = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

CliRun run(const std::string& env, const std::string& args, const std::string& input) {
  const fs::path in = workDir() / "in.txt", out = workDir() / "out.txt",
                 err = workDir() / "err.txt";
  std::ofstream(in, std::ios::binary) << input;
  const std::string cmd = "cd '" + workDir().string() + "' && " + env + " '" + GRIDTWIN_CLI + "' " +
                          args + " <'" + in.string() + "' >'" + out.string() + "' 2>'" +
                          err.string() + "'";
  const int status = std::system(cmd.c_str());
  CliRun r;
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

// Runs `args` both ways and expects the same bytes; returns the front's run.
CliRun expectSame(const std::string& args, const std::string& input) {
  const CliRun full = run("GRIDTWIN_FULL=1", args, input);
  const CliRun front = run("", args, input);
  EXPECT_EQ(front.exitCode, full.exitCode) << args;
  EXPECT_EQ(front.err, full.err) << args;
  EXPECT_EQ(front.out.size(), full.out.size()) << args;
  EXPECT_TRUE(front.out == full.out) << args;
  return front;
}

// A private copy of the fixture, so the snapshot our loads write lands there.
const std::string& dataset() {
  return testsupport::privateDistrict(workDir(), GRIDTWIN_SMALL_DISTRICT);
}

std::string points(std::size_t n, double x0, double x1, double y0, double y1, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> ux(x0, x1), uy(y0, y1);
  std::string s;
  char buf[64];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, i % 7 == 3 ? " %.9f , %.4f\r\n" : "%.7f,%.7f\n", ux(rng),
                  uy(rng));
    s += buf;
    if (i % 1000 == 17) s += "# a comment\n\n";
  }
  return s;
}

// Chancheng in CGCS2000 lon,lat with a margin, and in EPSG:4547 metres.
const std::string& lonlat() {
  static const std::string s = points(60'000, 112.93, 113.22, 22.88, 23.17, 21);
  return s;
}

TEST(Front, AFirstLocateWithoutSnapshotIsTheFullProgramsAndWritesIt) {
  fs::remove(dataset() + ".snap");
  const CliRun r = expectSame("locate " + dataset() + " --format csv", "113.1,23.02\n");
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_TRUE(fs::exists(dataset() + ".snap"));
}

TEST(Front, LocateAnswersAsTheFullProgramInEveryFormatCrsAndRole) {
  const std::string d = dataset();
  (void)run("", "locate " + d, "113.1,23.02\n");  // the snapshot, so that the front serves
  for (const std::string format : {"json", "jsonl", "csv"}) {
    expectSame("locate " + d + " --format " + format, lonlat());
    expectSame("locate " + d + " --format=" + format + " --crs EPSG:4326", lonlat());
  }
  expectSame("locate " + d + " --crs GCJ02 --role district", lonlat());
  expectSame("locate " + d + " --crs BD09 --format jsonl", lonlat());
  expectSame("locate " + d + " --crs EPSG:4547 --format csv",
             points(20'000, 390000, 425000, 2530000, 2565000, 22));
  expectSame("locate " + d + " --role grid_head --format csv", lonlat());
  expectSame("locate " + d + " --role district --scope all --format csv", "113.1,23.02\n");
  expectSame("locate " + d, "");
  expectSame("locate " + d + " --format csv", "");
  // The input as a file, as '-', and one that cannot be read.
  std::ofstream(workDir() / "pts.csv") << lonlat();
  expectSame("locate " + d + " pts.csv --format jsonl", "");
  expectSame("locate " + d + " - --format csv", lonlat());
  expectSame("locate " + d + " nothere.csv", "");
  fs::create_directories(workDir() / "folder");
  expectSame("locate " + d + " folder", "");
}

TEST(Front, LocateStopsAtTheSameBadLineWithTheSameMessage) {
  const std::string d = dataset();
  (void)run("", "locate " + d, "113.1,23.02\n");
  for (const std::string bad :
       {"113.1;23.0", "nan,1", "113.1,95", "473.1,23", "119,23", "1e999,1", "113.1,23,4", ""}) {
    const std::string input = lonlat() + bad + "\n" + "113.1,23.02\n";
    for (const std::string format : {"json", "csv"}) {
      expectSame("locate " + d + " --format " + format, input);
    }
    expectSame("locate " + d + " --crs GCJ02", bad + "\n");
    expectSame("locate " + d + " --crs EPSG:4547", bad + "\n");
  }
}

TEST(Front, WhatTheFrontDoesNotServeIsTheFullProgramsWordForWord) {
  const std::string d = dataset();
  (void)run("", "locate " + d, "113.1,23.02\n");
  for (const std::string& args :
       std::vector<std::string>{"locate " + d + " --crs EPSG:0",
                                "locate " + d + " --crs nonsense",
                                "locate " + d + " --format xml",
                                "locate " + d + " --role mayor",
                                "locate " + d + " --role grid_head --scope all",
                                "locate " + d + " --role street --scope 1",
                                "locate nothere.gpkg",
                                "locate",
                                "locate " + d + " --crs",
                                "locate " + d + " --crs=",
                                "locate " + d + " a b c",
                                "locate " + d + " --format csv --format json",
                                "locate " + d + " --bogus 1",
                                "locate " + d + " -h",
                                "locate --help",
                                "--version",
                                "--help",
                                "",
                                "nosuchcommand",
                                "transform",
                                "transform --from EPSG:4490",
                                "transform --from EPSG:4490 --to EPSG:0",
                                "transform --from EPSG:4978 --to EPSG:4547",
                                "transform --from GCJ02 --to BD09 a b",
                                "transform --to EPSG:4547 --from EPSG:4490 --from EPSG:4490",
                                "stats " + d}) {
    expectSame(args, "113.1,23.02\n");
  }
}

TEST(Front, TransformAnswersAsTheFullProgram) {
  for (const std::string pair : {"--from EPSG:4490 --to EPSG:4547", "--from EPSG:4326 --to GCJ02",
                                 "--from=BD09 --to=EPSG:4490", "--to EPSG:3857 --from EPSG:4490"}) {
    expectSame("transform " + pair, lonlat());
    expectSame("transform " + pair, lonlat() + "113.1;23\n113.1,23\n");
    expectSame("transform " + pair, "200,23\n");
  }
  std::ofstream(workDir() / "pts.csv") << lonlat();
  expectSame("transform --from EPSG:4490 --to EPSG:4547 pts.csv", "");
  expectSame("transform --from EPSG:4490 --to EPSG:4547 nothere.csv", "");
}

}  // namespace
}  // namespace gridtwin
