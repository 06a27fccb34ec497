// The command line's bad-input table: one text file of cases per command
// (tests/integration/cli_cases/<command>.txt), one runner (this file), one
// ctest per case. Each case runs a shell line against the built gridtwin and
// the shared small district and asserts its exit code, the words of its
// messages, and that every input — the district and every file in the case's
// folder that existed before the run — is byte-identical afterwards.
//
// A case, blank-line separated (lines starting with '#' are comments):
//   case: what it shows                 (required, first)
//   setup: shell line                   (run in the case folder before the run)
//   run: shell line                     (required; $GT gridtwin, $GV gridtwin-viewer,
//                                        $D the district, $W the case folder,
//                                        $SHARED the shared data)
//   stdin: one line of the run's stdin  (repeatable)
//   exit: N                             (required)
//   err: words that stderr contains     (repeatable)
//   out: words that stdout contains     (repeatable)
//   no-err: words stderr must not contain (repeatable)
//   writes: a file the run may create or change, relative to $W (repeatable)
//   check: shell line that must exit 0 after the run (repeatable)
// Every case also asserts: no internal function names ("::") and no
// ": Success" in stderr, no stderr line longer than 400 bytes, and no
// temporary file (".NAME.tmp-PID...") left in the case folder.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Case {
  std::string file, name;
  int line = 0;
  std::vector<std::string> setup, stdinLines, err, out, noErr, writes, checks;
  std::string run;
  int exit = -1;
};

std::string readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Mistakes in the case files, reported by the test CliTable.CaseFilesParse.
std::vector<std::string>& parseErrors() {
  static std::vector<std::string> errors;
  return errors;
}

std::vector<Case> parseCases(const fs::path& path) {
  std::vector<Case> cases;
  std::ifstream in(path);
  std::string line;
  int number = 0;
  Case* current = nullptr;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') {
      if (line.empty()) current = nullptr;
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos) {
      parseErrors().push_back(path.string() + ":" + std::to_string(number) +
                              ": expected 'key: value'");
      continue;
    }
    const std::string key = line.substr(0, colon);
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    if (key == "case") {
      cases.emplace_back();
      current = &cases.back();
      current->file = path.stem().string();
      current->name = value;
      current->line = number;
      continue;
    }
    if (current == nullptr) {
      parseErrors().push_back(path.string() + ":" + std::to_string(number) + ": '" + key +
                              "' before 'case:'");
      continue;
    }
    if (key == "setup")
      current->setup.push_back(value);
    else if (key == "run")
      current->run = value;
    else if (key == "stdin")
      current->stdinLines.push_back(value);
    else if (key == "exit")
      current->exit = std::stoi(value);
    else if (key == "err")
      current->err.push_back(value);
    else if (key == "out")
      current->out.push_back(value);
    else if (key == "no-err")
      current->noErr.push_back(value);
    else if (key == "writes")
      current->writes.push_back(value);
    else if (key == "check")
      current->checks.push_back(value);
    else
      parseErrors().push_back(path.string() + ":" + std::to_string(number) + ": unknown key '" +
                              key + "'");
  }
  return cases;
}

std::string substitute(std::string s, const std::map<std::string, std::string>& vars) {
  for (const auto& [k, v] : vars) {
    for (std::size_t at = s.find(k); at != std::string::npos; at = s.find(k, at + v.size())) {
      s.replace(at, k.size(), v);
    }
  }
  return s;
}

int shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Every regular file under `dir` (links not followed) and its bytes.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file() && !it->is_symlink()) {
      files[fs::relative(it->path(), dir).string()] = readAll(it->path());
    }
  }
  return files;
}

class CliTableCase : public ::testing::Test {
 public:
  explicit CliTableCase(Case c) : m_case(std::move(c)) {}

  void TestBody() override {
    const Case& c = m_case;
    SCOPED_TRACE(c.file + ".txt:" + std::to_string(c.line) + ": " + c.name);
    const fs::path district = GRIDTWIN_SMALL_DISTRICT;
    ASSERT_TRUE(fs::exists(district)) << "the small district fixture is missing";
    const fs::path dir = fs::path(GRIDTWIN_BINARY_DIR) / "tests" / "cli_table" /
                         (c.file + "_" + std::to_string(c.line));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::map<std::string, std::string> vars = {
        {"$GT", std::string("'") + GRIDTWIN_CLI + "'"},
        {"$D", "'" + district.string() + "'"},
        {"$W", "'" + dir.string() + "'"},
        {"$SHARED", std::string(GRIDTWIN_SHARED_DATA)},
#ifdef GRIDTWIN_VIEWER_BIN
        {"$GV", std::string("'") + GRIDTWIN_VIEWER_BIN + "'"},
#endif
    };
    for (const auto& s : c.setup) {
      ASSERT_EQ(shell("cd '" + dir.string() + "' && " + substitute(s, vars)), 0) << "setup: " << s;
    }
    {
      std::ofstream in(dir / ".stdin");
      for (const auto& l : c.stdinLines) in << l << '\n';
    }
    const auto before = snapshot(dir);
    const std::string districtBefore = readAll(district);

    const std::string command = "cd '" + dir.string() + "' && ( " + substitute(c.run, vars) +
                                " ) <'" + (dir / ".stdin").string() + "' >'" +
                                (dir / ".stdout").string() + "' 2>'" + (dir / ".stderr").string() +
                                "'";
    const int code = shell(command);
    const std::string out = readAll(dir / ".stdout"), err = readAll(dir / ".stderr");
    EXPECT_EQ(code, c.exit) << "run: " << c.run << "\nstdout: " << out.substr(0, 2000)
                            << "\nstderr: " << err.substr(0, 2000);
    for (const auto& w : c.err)
      EXPECT_NE(err.find(w), std::string::npos) << "stderr lacks '" << w << "':\n"
                                                << err.substr(0, 2000);
    for (const auto& w : c.out)
      EXPECT_NE(out.find(w), std::string::npos) << "stdout lacks '" << w << "':\n"
                                                << out.substr(0, 2000);
    for (const auto& w : c.noErr)
      EXPECT_EQ(err.find(w), std::string::npos) << "stderr has '" << w << "':\n"
                                                << err.substr(0, 2000);
    // The house rules for every message.
    EXPECT_EQ(err.find("::"), std::string::npos) << "an internal name in: " << err.substr(0, 2000);
    EXPECT_EQ(err.find(": Success"), std::string::npos) << err.substr(0, 2000);
    std::istringstream lines(err);
    for (std::string l; std::getline(lines, l);) {
      EXPECT_LE(l.size(), 400u) << "a message line of " << l.size()
                                << " bytes: " << l.substr(0, 200);
    }
    for (const auto& s : c.checks) {
      EXPECT_EQ(shell("cd '" + dir.string() + "' && " + substitute(s, vars)), 0) << "check: " << s;
    }
    // Inputs untouched.
    EXPECT_TRUE(readAll(district) == districtBefore) << "the district changed";
    const auto after = snapshot(dir);
    for (const auto& [name, bytes] : before) {
      if (name == ".stdin" || name == ".stdout" || name == ".stderr") continue;
      bool mayChange = false;
      for (const auto& w : c.writes) mayChange = mayChange || w == name;
      if (mayChange) continue;
      const auto it = after.find(name);
      EXPECT_TRUE(it != after.end() && it->second == bytes)
          << "input " << name << " changed or vanished";
    }
    for (const auto& [name, bytes] : after) {
      EXPECT_EQ(name.find(".tmp-"), std::string::npos) << "a temporary file was left: " << name;
    }
  }

 private:
  Case m_case;
};

// One ctest per case: CliTable/<command>.<line>.
[[maybe_unused]] const bool kRegistered = [] {
  const fs::path folder = fs::path(GRIDTWIN_SOURCE_DIR) / "tests" / "integration" / "cli_cases";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(folder)) {
    if (e.path().extension() == ".txt") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    for (Case& c : parseCases(f)) {
      std::string test = c.file + "_line" + std::to_string(c.line);
      for (char& ch : test) ch = ch == '-' ? '_' : ch;  // '-' means "not" in --gtest_filter
      const std::string file = f.string();
      const int line = c.line;
      ::testing::RegisterTest("CliTable", test.c_str(), nullptr, c.name.c_str(), file.c_str(), line,
                              [c]() -> ::testing::Test* { return new CliTableCase(c); });
    }
  }
  return true;
}();

TEST(CliTable, CaseFilesParse) {
  for (const auto& e : parseErrors()) ADD_FAILURE() << e;
  for (const auto& f : fs::directory_iterator(fs::path(GRIDTWIN_SOURCE_DIR) / "tests" /
                                              "integration" / "cli_cases")) {
    for (const Case& c : parseCases(f.path())) {
      EXPECT_FALSE(c.run.empty()) << f.path() << ":" << c.line << ": no run:";
      EXPECT_GE(c.exit, 0) << f.path() << ":" << c.line << ": no exit:";
    }
  }
}

}  // namespace
