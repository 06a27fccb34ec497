// Runs the built `gridtwin transform` as a user would (path in GRIDTWIN_CLI).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "crs/gcj02.h"

namespace {

struct CliRun {
  int exitCode = -1;
  std::string out;
  std::string err;
};

// Runs `gridtwin <arguments>` through the shell with `input` on stdin.
CliRun run(const std::string& arguments, const std::string& input) {
  // One folder per test: ctest runs the tests of this file in parallel.
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const auto dir = std::filesystem::path(GRIDTWIN_BINARY_DIR) / "tests" / "crs_cli" / info->name();
  std::filesystem::create_directories(dir);
  const auto in = dir / "stdin.txt";
  const auto err = dir / "stderr.txt";
  std::ofstream(in) << input;
  const std::string command = std::string("'") + GRIDTWIN_CLI + "' " + arguments + " <'" +
                              in.string() + "' 2>'" + err.string() + "'";
  CliRun result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  char buffer[4096];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
  const int status = pclose(pipe);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream errFile(err);
  std::ostringstream errText;
  errText << errFile.rdbuf();
  result.err = errText.str();
  return result;
}

TEST(CrsCli, TransformsTheSeatFromGcj02ToCgcs2000) {
  const CliRun r = run("transform --from GCJ02 --to EPSG:4490", "# seat\n113.112414,23.019643\n\n");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const gridtwin::geo::Point expected = gridtwin::crs::gcj02ToWgs84({113.112414, 23.019643});
  char line[128];
  std::snprintf(line, sizeof line, "%.9f,%.9f", expected.x, expected.y);
  EXPECT_EQ(r.out, "# seat\n" + std::string(line) + "\n\n");
}

TEST(CrsCli, ProjectsWithFourDecimals) {
  const CliRun r = run("transform --from epsg:4490 --to EPSG:4547", "114, 23\n");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "500000.0000,2544537.5786\n");
}

TEST(CrsCli, BadLineExitsOneNamingStdinAndLine) {
  const CliRun r = run("transform --from GCJ02 --to EPSG:4490", "113.1,23.0\n113.2,23.1\nabc\n");
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("stdin:3: expected 'x,y', got 'abc'"), std::string::npos) << r.err;
}

TEST(CrsCli, UnknownCrsIsAUsageErrorNamingIt) {
  const CliRun r = run("transform --from EPSG:999999 --to EPSG:4490", "113.1,23.0\n");
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("EPSG:999999"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(CrsCli, ReadsAFileArgumentAndNamesItInErrors) {
  const auto path =
      std::filesystem::path(GRIDTWIN_BINARY_DIR) / "tests" / "crs_cli" / "points" / "points.csv";
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << "113.1,23.0\nnan,23.0\n";
  const CliRun r = run("transform --from GCJ02 --to BD09 '" + path.string() + "'", "");
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find(path.string() + ":2:"), std::string::npos) << r.err;
}

}  // namespace
