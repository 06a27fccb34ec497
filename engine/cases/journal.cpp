#include "cases/journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

namespace gridtwin::cases {
namespace {

using core::ErrorCode;
using core::makeError;

constexpr std::string_view kPrefix = "{\"op\":\"";
constexpr std::string_view kCaseKey = "\",\"case\":";

std::string errnoText() { return std::strerror(errno); }

// Parses one whole line; false when it is not a record.
core::Result<Case> parseLine(std::string_view line, std::string& op) {
  if (line.size() < kPrefix.size() + kCaseKey.size() + 2 || !line.starts_with(kPrefix) ||
      line.back() != '}') {
    return makeError(ErrorCode::kParse, "not a journal record");
  }
  const auto key = line.find(kCaseKey, kPrefix.size());
  if (key == std::string_view::npos) return makeError(ErrorCode::kParse, "no \"case\" member");
  op = std::string(line.substr(kPrefix.size(), key - kPrefix.size()));
  if (op != "submit" && op != "transition") {
    return makeError(ErrorCode::kParse, "unknown op '" + op + "'");
  }
  const auto body = line.substr(key + kCaseKey.size());
  return caseFromJson(body.substr(0, body.size() - 1));
}

}  // namespace

std::string Journal::pathFor(const std::string& dataset) { return dataset + ".cases.jsonl"; }

core::Result<std::unique_ptr<Journal>> Journal::open(const std::string& path) {
  std::unique_ptr<Journal> j(new Journal());
  j->m_path = path;
  j->m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (j->m_fd < 0)
    return makeError(ErrorCode::kIo, "cannot open the case journal: " + errnoText(), path);
  if (::flock(j->m_fd, LOCK_EX | LOCK_NB) != 0) {
    return makeError(ErrorCode::kIo,
                     errno == EWOULDBLOCK ? "the case journal is in use by another process"
                                          : "cannot lock the case journal: " + errnoText(),
                     path);
  }
  // A journal just created: make its name durable too (the folder's entry).
  struct stat st {};
  if (::fstat(j->m_fd, &st) == 0 && st.st_size == 0) {
    const auto slash = path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      (void)::fsync(dfd);  // best effort: some file systems refuse it on folders
      ::close(dfd);
    }
  }
  std::string text;
  {
    char buf[1 << 16];
    for (;;) {
      const ssize_t n = ::pread(j->m_fd, buf, sizeof buf, static_cast<off_t>(text.size()));
      if (n < 0) {
        if (errno == EINTR) continue;
        return makeError(ErrorCode::kIo, "cannot read the case journal: " + errnoText(), path);
      }
      if (n == 0) break;
      text.append(buf, static_cast<std::size_t>(n));
    }
  }
  std::map<std::int64_t, Case> cases;
  std::size_t pos = 0, lineNo = 0;
  while (pos < text.size()) {
    const auto end = text.find('\n', pos);
    ++lineNo;
    if (end == std::string::npos) {
      // A line without its newline: the write of a killed process. Cut it.
      j->m_report.tornTail = true;
      j->m_report.note = path + ":" + std::to_string(lineNo) + ": incomplete last record (" +
                         std::to_string(text.size() - pos) + " bytes) ignored and cut off";
      if (::ftruncate(j->m_fd, static_cast<off_t>(pos)) != 0 || ::fdatasync(j->m_fd) != 0) {
        return makeError(ErrorCode::kIo, "cannot cut the incomplete last record: " + errnoText(),
                         path);
      }
      break;
    }
    std::string op;
    auto c = parseLine(std::string_view(text).substr(pos, end - pos), op);
    if (!c) {
      return makeError(ErrorCode::kParse, "corrupt record: " + c.error().message,
                       path + ":" + std::to_string(lineNo));
    }
    ++j->m_report.records;
    const std::int64_t id = c->id;
    cases[id] = std::move(*c);
    pos = end + 1;
    j->m_size = pos;
  }
  j->m_size = std::min<std::uint64_t>(j->m_size, pos);
  j->m_report.cases = cases.size();
  j->m_loaded.reserve(cases.size());
  for (auto& [id, c] : cases) j->m_loaded.push_back(std::move(c));
  return j;
}

Journal::~Journal() {
  if (m_fd >= 0) ::close(m_fd);
}

core::Result<std::uint64_t> Journal::write(std::string_view op, const Case& c) {
  std::string line;
  line.reserve(512);
  line += kPrefix;
  line += op;
  line += kCaseKey;
  line += toJson(c);
  line += "}\n";
  std::lock_guard lock(m_mutex);
  if (!m_failure.empty()) return makeError(ErrorCode::kWriteFailed, m_failure, m_path);
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(m_fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      m_failure = "cannot append to the case journal: " + errnoText();
      // Take back a partial line, so that the journal stays whole lines.
      if (::ftruncate(m_fd, static_cast<off_t>(m_size)) != 0) {
        m_failure += " (and cannot cut the partial record: " + errnoText() + ")";
      }
      return makeError(ErrorCode::kWriteFailed, m_failure, m_path);
    }
    done += static_cast<std::size_t>(n);
  }
  m_size += line.size();
  return ++m_written;
}

core::Result<void> Journal::sync(std::uint64_t ticket) {
  std::unique_lock lock(m_mutex);
  while (m_synced < ticket) {
    if (!m_failure.empty()) return makeError(ErrorCode::kWriteFailed, m_failure, m_path);
    if (m_syncing) {
      m_syncedCv.wait(lock);
      continue;
    }
    // Lead a group: one fdatasync for every line written so far.
    m_syncing = true;
    const std::uint64_t target = m_written;
    lock.unlock();
    const int rc = ::fdatasync(m_fd);
    const std::string why = rc != 0 ? errnoText() : std::string();
    lock.lock();
    m_syncing = false;
    if (rc != 0) {
      m_failure = "cannot make the case journal durable: " + why;
    } else {
      m_synced = std::max(m_synced, target);
    }
    m_syncedCv.notify_all();
  }
  return {};
}

}  // namespace gridtwin::cases
