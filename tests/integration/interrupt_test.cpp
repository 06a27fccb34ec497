// An interrupted writer leaves nothing behind: `gridtwin generate` killed by
// SIGINT or SIGTERM while its temporary GeoPackage exists removes it and its
// SQLite journal, and the file it was to replace is untouched; stale
// temporaries of a dead process are removed by the next writer.
//
// No race with the writer finishing first: the child is frozen (SIGSTOP)
// before each look, so a temporary file seen is one that has not yet been
// renamed into place when the signal is sent.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::string readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path caseDir(const std::string& name) {
  const fs::path dir = fs::path(GRIDTWIN_BINARY_DIR) / "tests" / "cli_interrupt" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Files in `dir` whose names start with `prefix`.
std::vector<std::string> filesStartingWith(const fs::path& dir, const std::string& prefix) {
  std::vector<std::string> found;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0) found.push_back(name);
  }
  return found;
}

pid_t spawn(const std::vector<std::string>& args) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    // A shell starts background jobs with SIGINT ignored, and gridtwin keeps
    // an ignored signal ignored: give the child the default dispositions.
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

// Runs generate over an existing `target` and sends `sig` while its
// temporary file exists (the child frozen at each look).
void interruptGenerate(int sig, const std::string& name) {
  const fs::path dir = caseDir(name);
  const fs::path target = dir / "twin.gpkg";
  { std::ofstream(target, std::ios::binary) << "the old twin, to be kept whole"; }
  const std::string old = readAll(target);
  const pid_t pid = spawn(
      {GRIDTWIN_CLI, "generate", "-q", "--out", target.string(), "--scale", "0.01", "--seed", "7"});
  ASSERT_GT(pid, 0);
  const std::string prefix = ".twin.gpkg.tmp-" + std::to_string(pid);
  bool sent = false;
  int status = 0;
  for (int i = 0; i < 600000 && !sent; ++i) {
    ASSERT_EQ(::kill(pid, SIGSTOP), 0);
    int st = 0;
    const pid_t w = ::waitpid(pid, &st, WUNTRACED);
    ASSERT_EQ(w, pid);
    if (!WIFSTOPPED(st)) {
      FAIL() << "generate ended before its temporary file was seen (exit "
             << (WIFEXITED(st) ? WEXITSTATUS(st) : -1) << ")";
    }
    if (!filesStartingWith(dir, prefix).empty()) {
      ASSERT_EQ(::kill(pid, sig), 0);  // pending until it runs again
      sent = true;
    }
    ASSERT_EQ(::kill(pid, SIGCONT), 0);
    if (!sent) std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  ASSERT_TRUE(sent) << "no temporary file appeared";
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig)
      << "expected death by signal " << sig << ", status " << status;
  EXPECT_TRUE(filesStartingWith(dir, ".twin.gpkg.tmp-").empty())
      << "left behind: " << filesStartingWith(dir, ".twin.gpkg.tmp-").front();
  EXPECT_EQ(readAll(target), old) << "the old target changed";
}

TEST(CliInterrupt, SigintDuringGenerateLeavesNoTemporaryAndKeepsTheTarget) {
  interruptGenerate(SIGINT, "sigint");
}

TEST(CliInterrupt, SigtermDuringGenerateLeavesNoTemporaryAndKeepsTheTarget) {
  interruptGenerate(SIGTERM, "sigterm");
}

TEST(CliInterrupt, TheNextWriterRemovesStaleTemporariesOfADeadProcess) {
  const fs::path dir = caseDir("stale");
  // A PID that is certainly dead: a child that has exited and been reaped.
  const pid_t dead = spawn({"/bin/true"});
  ASSERT_GT(dead, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(dead, &status, 0), dead);
  const std::string stale = ".out.gpkg.tmp-" + std::to_string(dead) + ".gpkg";
  { std::ofstream(dir / stale) << "half a file"; }
  { std::ofstream(dir / (stale + "-journal")) << "its journal"; }
  // A live process's temporary file is not touched (this test's own PID).
  const std::string live = ".out.gpkg.tmp-" + std::to_string(::getpid()) + ".gpkg";
  { std::ofstream(dir / live) << "still being written"; }
  const std::string command =
      std::string("'") + GRIDTWIN_CLI + "' query '" + GRIDTWIN_SMALL_DISTRICT +
      "' --kinds facilities --format gpkg --out '" + (dir / "out.gpkg").string() + "' >/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0);
  EXPECT_TRUE(fs::exists(dir / "out.gpkg"));
  EXPECT_FALSE(fs::exists(dir / stale));
  EXPECT_FALSE(fs::exists(dir / (stale + "-journal")));
  EXPECT_TRUE(fs::exists(dir / live));
}

}  // namespace
