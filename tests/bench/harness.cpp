#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <sstream>
#include <vector>

#include "bench.h"

namespace gridtwin::bench {

std::optional<double> Figure::ratio() const {
  if (!anchorValue || *anchorValue == 0 || value == 0) return std::nullopt;
  return higherIsBetter ? value / *anchorValue : *anchorValue / value;
}

nlohmann::ordered_json Figure::toJson() const {
  nlohmann::ordered_json j = {{"name", name},      {"value", value},
                              {"unit", unit},      {"higher_is_better", higherIsBetter},
                              {"anchor", nullptr}, {"anchor_value", nullptr},
                              {"ratio", nullptr}};
  if (anchor) j["anchor"] = *anchor;
  if (anchorValue) j["anchor_value"] = *anchorValue;
  if (auto r = ratio()) j["ratio"] = *r;
  if (!note.empty()) j["note"] = note;
  return j;
}

namespace {

bool writeAll(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

double statusFieldMb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::size_t len = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, len, field) == 0 && line.size() > len && line[len] == ':') {
      return std::strtod(line.c_str() + len + 1, nullptr) / 1024.0;  // kB
    }
  }
  return 0;
}

}  // namespace

core::Result<nlohmann::json> inChild(const std::string& what,
                                     const std::function<core::Result<nlohmann::json>()>& work) {
  int fds[2];
  if (::pipe(fds) != 0) {
    return core::makeError(core::ErrorCode::kIo, std::string("pipe: ") + std::strerror(errno),
                           what);
  }
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return core::makeError(core::ErrorCode::kIo, std::string("fork: ") + std::strerror(errno),
                           what);
  }
  if (pid == 0) {
    ::close(fds[0]);
    nlohmann::json reply;
    try {
      auto result = work();
      if (result) {
        reply = {{"ok", std::move(result.value())}};
      } else {
        const auto& e = result.error();
        reply = {
            {"error",
             {{"code", static_cast<int>(e.code)}, {"message", e.message}, {"context", e.context}}}};
      }
    } catch (const std::exception& e) {
      reply = {{"error",
                {{"code", static_cast<int>(core::ErrorCode::kInvalidArgument)},
                 {"message", std::string("exception: ") + e.what()},
                 {"context", ""}}}};
    }
    std::fflush(stdout);
    std::fflush(stderr);
    // _exit: the parent's atexit handlers and static destructors are not ours to run.
    ::_exit(writeAll(fds[1], reply.dump()) ? 0 : 3);
  }
  ::close(fds[1]);
  std::string bytes;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    bytes.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    return core::makeError(core::ErrorCode::kInvalidArgument,
                           std::string("child died of signal ") + std::to_string(WTERMSIG(status)) +
                               " (" + strsignal(WTERMSIG(status)) + ")",
                           what);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return core::makeError(core::ErrorCode::kInvalidArgument,
                           "child exited with status " + std::to_string(WEXITSTATUS(status)), what);
  }
  auto reply = nlohmann::json::parse(bytes, nullptr, false);
  if (reply.is_discarded() || !reply.is_object()) {
    return core::makeError(core::ErrorCode::kParse, "child sent no valid reply", what);
  }
  if (reply.contains("error")) {
    const auto& e = reply["error"];
    core::Error error{static_cast<core::ErrorCode>(e.value("code", 500)),
                      e.value("message", std::string()), e.value("context", std::string())};
    return std::move(error).withContext(what);
  }
  return std::move(reply["ok"]);
}

double peakRssMb() { return statusFieldMb("VmHWM"); }
double currentRssMb() { return statusFieldMb("VmRSS"); }

core::Result<void> warmPageCache(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return core::makeError(core::ErrorCode::kIo, std::strerror(errno), path);
  std::vector<char> buf(1 << 20);
  while (std::fread(buf.data(), 1, buf.size(), f) == buf.size()) {
  }
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return core::makeError(core::ErrorCode::kIo, "read failed", path);
  return {};
}

std::string scaleText(double scale) {
  std::ostringstream out;
  out << scale;
  return out.str();
}

namespace {
volatile double g_sink = 0;
}
void keep(double value) { g_sink = g_sink + value; }

}  // namespace gridtwin::bench
