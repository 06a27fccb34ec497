#include "serve_child.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "workloads.h"

namespace gridtwin::bench {

core::Result<ServeChild> startServe(const std::string& dataset,
                                    const std::vector<std::string>& args) {
  int out[2];
  if (::pipe(out) != 0) return core::makeError(core::ErrorCode::kIo, "pipe failed");
  std::vector<std::string> argv = {GRIDTWIN_CLI,  "serve",        dataset, "--listen",
                                   "127.0.0.1:0", "--access-log", "off"};
  argv.insert(argv.end(), args.begin(), args.end());
  // No tile seeding unless asked for: its start-up work would share the
  // cores with the first seconds of every figure.
  if (std::find(args.begin(), args.end(), "--tile-seed-zoom") == args.end()) {
    argv.insert(argv.end(), {"--tile-seed-zoom", "-1"});
  }
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::execv(GRIDTWIN_CLI, cargv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  std::string line;
  char ch;
  while (::read(out[0], &ch, 1) == 1 && ch != '\n') line += ch;
  ::close(out[0]);
  const auto colon = line.rfind(':');
  if (line.find("listening on") == std::string::npos || colon == std::string::npos) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return core::makeError(core::ErrorCode::kIo, "gridtwin serve did not start: '" + line + "'");
  }
  ServeChild child{pid, std::atoi(line.c_str() + colon + 1), {}};
  child.base = "http://127.0.0.1:" + std::to_string(child.port);
  return child;
}

bool pinServer(const ServeChild& child) {
  return std::thread::hardware_concurrency() >= 2 && shell("command -v taskset") &&
         shell("taskset -a -p -c 0 " + std::to_string(child.pid) + " >/dev/null");
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

void stopServe(ServeChild& child) {
  if (child.pid <= 0) return;
  ::kill(child.pid, SIGTERM);
  ::waitpid(child.pid, nullptr, 0);
  child.pid = -1;
}

double wrkNumber(const std::string& out, const std::string& key) {
  const auto at = out.find(key);
  if (at == std::string::npos) return 0;
  std::size_t i = at + key.size();
  while (i < out.size() && out[i] == ' ') ++i;
  double v = std::atof(out.c_str() + i);
  while (i < out.size() && (std::isdigit(static_cast<unsigned char>(out[i])) || out[i] == '.')) ++i;
  const std::string unit = out.substr(i, 2);
  if (unit == "us") v /= 1000;
  if (!unit.empty() && unit[0] == 's') v *= 1000;
  return v;
}

std::size_t raiseFileLimit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &lim);
    (void)::getrlimit(RLIMIT_NOFILE, &lim);
  }
  return static_cast<std::size_t>(lim.rlim_cur);
}

core::Result<std::string> linkedDataset(const std::string& dataset, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) return core::makeError(core::ErrorCode::kIo, "cannot create: " + ec.message(), dir);
  const fs::path source = fs::absolute(dataset);
  const fs::path link = fs::path(dir) / "district.gpkg";
  for (const char* suffix : {"", ".snap", ".dispatch_rules.csv"}) {
    const fs::path from = source.string() + suffix;
    if (fs::exists(from)) fs::create_symlink(from, link.string() + suffix, ec);
    if (ec) return core::makeError(core::ErrorCode::kIo, "cannot link: " + ec.message(), dir);
  }
  return link.string();
}

}  // namespace gridtwin::bench
