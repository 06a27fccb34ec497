#include "core/output_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

namespace gridtwin::core {
namespace {

namespace fs = std::filesystem;

// ---- the signal-safe registry ----------------------------------------------

constexpr int kSlots = 64;
constexpr std::size_t kPathMax = 4096;
constexpr const char* kSideSuffixes[] = {"-journal", "-wal", "-shm"};

struct Slot {
  std::atomic<int> state{0};  // 0 free, 1 being filled, 2 armed
  char path[kPathMax];
};
Slot g_slots[kSlots];
std::atomic<bool> g_installed{false};
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// Only async-signal-safe calls: unlink, sigaction, raise; no allocation.
extern "C" void cleanupAndReraise(int sig) {
  const int savedErrno = errno;
  for (Slot& s : g_slots) {
    if (s.state.load(std::memory_order_acquire) != 2) continue;
    ::unlink(s.path);
    char side[kPathMax + 16];
    std::size_t n = 0;
    while (n < kPathMax && s.path[n] != '\0') {
      side[n] = s.path[n];
      ++n;
    }
    for (const char* suffix : kSideSuffixes) {
      std::size_t m = n;
      for (const char* c = suffix; *c != '\0'; ++c) side[m++] = *c;
      side[m] = '\0';
      ::unlink(side);
    }
  }
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(sig, &dfl, nullptr);
  errno = savedErrno;
  ::raise(sig);  // blocked until the handler returns, then the default action
}

void installHandlers() {
  bool expected = false;
  if (!g_installed.compare_exchange_strong(expected, true)) return;
  for (int sig : kSignals) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) != 0) continue;
    // Keep what the caller chose: nohup's ignored SIGHUP, a program's own handler.
    if (old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO) != 0) continue;
    struct sigaction sa {};
    sa.sa_handler = cleanupAndReraise;
    sigemptyset(&sa.sa_mask);
    for (int other : kSignals) sigaddset(&sa.sa_mask, other);
    sa.sa_flags = 0;
    ::sigaction(sig, &sa, nullptr);
  }
}

// ---- targets ----------------------------------------------------------------

std::string errnoText(int e) { return std::strerror(e); }

enum class TargetKind { kNew, kRegular, kStream };

struct Target {
  TargetKind kind = TargetKind::kNew;
  std::string finalPath;  // a symlink's target, resolved
  struct stat st {};      // valid unless kNew
};

bool inSupplementaryGroup(gid_t gid) {
  const int n = ::getgroups(0, nullptr);
  if (n <= 0) return false;
  std::vector<gid_t> groups(static_cast<std::size_t>(n));
  const int got = ::getgroups(n, groups.data());
  for (int i = 0; i < got; ++i) {
    if (groups[static_cast<std::size_t>(i)] == gid) return true;
  }
  return false;
}

// The mode bits that apply to this user; root gets any write bit.
bool modeLetsMeWrite(const struct stat& st) {
  const uid_t uid = ::geteuid();
  if (uid == 0) return (st.st_mode & 0222) != 0;
  if (st.st_uid == uid) return (st.st_mode & S_IWUSR) != 0;
  if (st.st_gid == ::getegid() || inSupplementaryGroup(st.st_gid)) {
    return (st.st_mode & S_IWGRP) != 0;
  }
  return (st.st_mode & S_IWOTH) != 0;
}

std::string octalMode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

Result<Target> resolveTarget(const std::string& path, std::string_view option) {
  Target t;
  if (path == "-") {
    t.kind = TargetKind::kStream;
    t.finalPath = "-";
    return t;
  }
  if (path.empty()) {
    return makeError(ErrorCode::kInvalidArgument, std::string(option) + ": empty file name");
  }
  fs::path p(path);
  // Follow a chain of links by hand: a dangling link is written through too.
  for (int hops = 0;; ++hops) {
    struct stat lst {};
    if (::lstat(p.c_str(), &lst) != 0 || !S_ISLNK(lst.st_mode)) break;
    if (hops == 40) {
      return makeError(ErrorCode::kWriteFailed, "too many levels of symbolic links", path);
    }
    std::error_code ec;
    fs::path next = fs::read_symlink(p, ec);
    if (ec)
      return makeError(ErrorCode::kWriteFailed, "cannot read the link: " + ec.message(), path);
    p = next.is_absolute() ? next : p.parent_path() / next;
  }
  t.finalPath = p.string();
  if (::stat(p.c_str(), &t.st) != 0) {
    if (errno != ENOENT) return makeError(ErrorCode::kWriteFailed, errnoText(errno), path);
    const fs::path folder = p.parent_path().empty() ? fs::path(".") : p.parent_path();
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
      return makeError(ErrorCode::kNotFound, "folder does not exist: " + folder.string(), path);
    }
    t.kind = TargetKind::kNew;
    return t;
  }
  if (S_ISDIR(t.st.st_mode)) {
    return makeError(ErrorCode::kWriteFailed, "is a folder; give a file name", path);
  }
  if (S_ISFIFO(t.st.st_mode) || S_ISCHR(t.st.st_mode)) {
    t.kind = TargetKind::kStream;
    return t;
  }
  if (!S_ISREG(t.st.st_mode)) {
    return makeError(ErrorCode::kWriteFailed,
                     "is neither a regular file, a FIFO nor a character device; not written", path);
  }
  if (!modeLetsMeWrite(t.st)) {
    return makeError(ErrorCode::kWriteFailed,
                     "is read-only (mode " + octalMode(t.st.st_mode) +
                         "); not replaced: make it writable or choose another file",
                     path);
  }
  t.kind = TargetKind::kRegular;
  return t;
}

bool writeAll(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

void removeWithSides(const std::string& path) {
  if (path.empty()) return;
  ::unlink(path.c_str());
  for (const char* suffix : kSideSuffixes) ::unlink((path + suffix).c_str());
}

}  // namespace

// ---- registry API -------------------------------------------------------------

int registerTemporary(const std::string& path) {
  installHandlers();
  std::error_code ec;
  const std::string absolute = fs::absolute(path, ec).string();
  const std::string& p = ec ? path : absolute;
  if (p.size() + 1 > kPathMax) return -1;
  for (int i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (!g_slots[i].state.compare_exchange_strong(expected, 1)) continue;
    std::memcpy(g_slots[i].path, p.c_str(), p.size() + 1);
    g_slots[i].state.store(2, std::memory_order_release);
    return i;
  }
  return -1;
}

void unregisterTemporary(int slot) {
  if (slot < 0 || slot >= kSlots) return;
  g_slots[slot].state.store(0, std::memory_order_release);
}

std::vector<std::string> removeStaleTemporaries(const std::string& target) {
  std::vector<std::string> removed;
  const fs::path t(target);
  const fs::path folder = t.parent_path().empty() ? fs::path(".") : t.parent_path();
  const std::string prefix = "." + t.filename().string() + ".tmp-";
  std::error_code ec;
  fs::directory_iterator it(folder, ec);
  if (ec) return removed;
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    std::size_t i = prefix.size();
    long pid = 0;
    while (i < name.size() && name[i] >= '0' && name[i] <= '9' && pid < 100000000) {
      pid = pid * 10 + (name[i] - '0');
      ++i;
    }
    if (i == prefix.size() || (i < name.size() && name[i] != '.' && name[i] != '-')) continue;
    if (pid == static_cast<long>(::getpid())) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive
    std::error_code rec;
    if (fs::remove(entry.path(), rec)) removed.push_back(entry.path().string());
  }
  return removed;
}

// ---- checkOutput ------------------------------------------------------------

Result<void> checkOutput(const std::string& path, const std::vector<std::string>& inputs,
                         std::string_view option) {
  auto target = resolveTarget(path, option);
  if (!target) return std::move(target.takeError()).withContext(std::string(option));
  if (path == "-") return {};
  struct stat out {};
  if (::stat(target->finalPath.c_str(), &out) != 0) return {};  // a new file is no input
  for (const std::string& input : inputs) {
    if (input.empty() || input == "-") continue;
    struct stat in {};
    if (::stat(input.c_str(), &in) != 0) continue;
    if (in.st_dev == out.st_dev && in.st_ino == out.st_ino) {
      const std::string same = input == path ? "" : " (" + input + ")";
      return makeError(ErrorCode::kInvalidArgument,
                       "is the input" + same +
                           "; writing it would destroy the input: choose "
                           "another file",
                       std::string(option) + " " + path);
    }
  }
  return {};
}

// ---- OutputFile -------------------------------------------------------------

struct OutputFile::Impl {
  std::string path;  // as given
  Target target;
  std::string temporary;
  int slot = -1;
  bool committed = false;

  ~Impl() {
    if (!committed) removeWithSides(temporary);
    unregisterTemporary(slot);
  }
};

OutputFile::OutputFile(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
OutputFile::OutputFile(OutputFile&&) noexcept = default;
OutputFile& OutputFile::operator=(OutputFile&&) noexcept = default;
OutputFile::~OutputFile() = default;

Result<OutputFile> OutputFile::begin(const std::string& path, std::string_view suffix) {
  auto target = resolveTarget(path, "--out");
  if (!target) return target.takeError();
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->target = std::move(*target);
  const std::string pid = std::to_string(static_cast<long>(::getpid()));
  fs::path beside;
  if (impl->target.kind == TargetKind::kStream) {
    // Nothing is created beside a device or a FIFO: the system's temporary folder.
    const char* tmpdir = std::getenv("TMPDIR");
    const fs::path folder = tmpdir && *tmpdir ? fs::path(tmpdir) : fs::path("/tmp");
    const std::string name =
        path == "-" ? std::string("stdout") : fs::path(impl->target.finalPath).filename().string();
    beside = folder / ("gridtwin-" + name);
  } else {
    beside = fs::path(impl->target.finalPath);
  }
  removeStaleTemporaries(beside.string());
  const fs::path folder = beside.parent_path().empty() ? fs::path(".") : beside.parent_path();
  impl->temporary =
      (folder / ("." + beside.filename().string() + ".tmp-" + pid + std::string(suffix))).string();
  removeWithSides(impl->temporary);  // our own leftover of a reused PID
  impl->slot = registerTemporary(impl->temporary);
  return OutputFile(std::move(impl));
}

const std::string& OutputFile::temporaryPath() const { return m_impl->temporary; }
const std::string& OutputFile::path() const { return m_impl->path; }
bool OutputFile::streamed() const { return m_impl->target.kind == TargetKind::kStream; }

Result<void> OutputFile::commit() {
  Impl& m = *m_impl;
  if (m.committed) return {};
  if (m.target.kind != TargetKind::kStream) {
    struct stat now {};
    if (::stat(m.target.finalPath.c_str(), &now) == 0 && S_ISREG(now.st_mode)) {
      if (!modeLetsMeWrite(now)) {
        return makeError(ErrorCode::kWriteFailed,
                         "became read-only (mode " + octalMode(now.st_mode) + "); not replaced",
                         m.path);
      }
      ::chmod(m.temporary.c_str(), now.st_mode & 07777);  // the new file keeps the old mode
    }
    if (::rename(m.temporary.c_str(), m.target.finalPath.c_str()) != 0) {
      return makeError(ErrorCode::kWriteFailed, "cannot replace the file: " + errnoText(errno),
                       m.path);
    }
    m.committed = true;
    removeWithSides(m.temporary);  // side files SQLite may have left
    return {};
  }
  const int in = ::open(m.temporary.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    return makeError(ErrorCode::kWriteFailed, "cannot read back the output: " + errnoText(errno),
                     m.path);
  }
  const bool toStdout = m.target.finalPath == "-";
  std::fflush(stdout);
  const int out = toStdout ? STDOUT_FILENO
                           : ::open(m.target.finalPath.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (out < 0) {
    const int e = errno;
    ::close(in);
    return makeError(ErrorCode::kWriteFailed, "cannot open: " + errnoText(e), m.path);
  }
  char buffer[1 << 16];
  int error = 0;
  while (true) {
    const ssize_t n = ::read(in, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = errno;
      break;
    }
    if (n == 0) break;
    if (!writeAll(out, buffer, static_cast<std::size_t>(n))) {
      error = errno;
      break;
    }
  }
  ::close(in);
  if (!toStdout && ::close(out) != 0 && error == 0) error = errno;
  if (error != 0)
    return makeError(ErrorCode::kWriteFailed, "cannot write: " + errnoText(error), m.path);
  removeWithSides(m.temporary);
  m.committed = true;
  return {};
}

}  // namespace gridtwin::core
