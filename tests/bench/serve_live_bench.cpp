// serve.stream_1000_clients_max_ms and serve.idle_10000_locate_p50_ms:
// `gridtwin serve` (one thread) with many connections on loopback, the
// clients ours (raw sockets, one epoll loop, one thread).
//
//   stream: 1,000 /events/stream clients (a district token each) connected;
//   then 20 cases POSTed one after another; for each, the time from writing
//   the POST to the moment the LAST of the 1,000 clients has read it (the
//   case's external_id in its stream). The figure: the median of the 20; the
//   worst and the first client's median in the note. No anchor: no packaged
//   SSE server (pg's LISTEN/NOTIFY would need 1,000 backends).
//
//   idle: 10,000 connections opened and left silent; meanwhile GET /locate
//   on another connection (wrk -c1), p50. Anchor: the same request on the
//   same server before the idle connections were opened (same run), so the
//   ratio is the cost of holding them (< 1: slower with them). The note says
//   how many of the 10,000 the server closed by itself (its read timeout)
//   and the open connections it reports afterwards.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "bench.h"
#include "serve_child.h"
#include "workloads.h"

namespace gridtwin::bench {
namespace {

constexpr int kStreamClients = 1000;
constexpr int kStreamCases = 20;
constexpr int kIdleConnections = 10000;
// The idle server's read timeout: long enough for 10,000 connects and a 3 s
// wrk run on a busy 2-core machine, short enough to watch them all close.
constexpr int kIdleReadTimeoutMs = 15000;

// A blocking loopback connection; -1 on failure.
int connectLoopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool writeAll(int fd, const std::string& s) {
  std::size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

void setNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// lon,lat of the first address the server lists (a point in the district).
core::Result<std::pair<double, double>> somePoint(const std::string& base) {
  auto page = shell("curl -s '" + base + "/collections/addresses/items?limit=1'");
  if (!page) return page.takeError();
  const auto j = nlohmann::json::parse(*page, nullptr, false);
  if (j.is_discarded() || !j.contains("features") || j["features"].empty()) {
    return core::makeError(core::ErrorCode::kIo, "no address from " + base + ": " + *page);
  }
  const auto& c = j["features"][0]["geometry"]["coordinates"];
  return std::pair{c[0].get<double>(), c[1].get<double>()};
}

}  // namespace

core::Result<std::vector<Figure>> runServeStream(Context& ctx) {
  const std::size_t limit = raiseFileLimit();
  if (limit < static_cast<std::size_t>(kStreamClients) + 64) {
    return core::makeError(core::ErrorCode::kUnsupported,
                           "serve.stream_* needs " + std::to_string(kStreamClients + 64) +
                               " open files; RLIMIT_NOFILE allows " + std::to_string(limit));
  }
  const std::string dir = ctx.workDir + "/serve-stream";
  auto dataset = linkedDataset(ctx.dataset, dir);
  if (!dataset) return dataset.takeError();
  const std::string tokens = dir + "/tokens.txt";
  std::ofstream(tokens) << "BENCH district\n";
  auto server = startServe(*dataset, {"--threads", "1", "--tokens", tokens, "--no-geocode-cases"});
  if (!server) return server.takeError();
  struct Stop {
    ServeChild& s;
    ~Stop() { stopServe(s); }
  } stop{*server};
  auto point = somePoint(server->base);
  if (!point) return point.takeError();

  // The clients: connected and subscribed (": connected" read) before any case.
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  std::vector<int> fds;
  struct Closer {
    std::vector<int>& fds;
    int ep;
    ~Closer() {
      for (int fd : fds) ::close(fd);
      ::close(ep);
    }
  } closer{fds, ep};
  const std::string subscribe =
      "GET /events/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer BENCH\r\n\r\n";
  for (int i = 0; i < kStreamClients; ++i) {
    const int fd = connectLoopback(server->port);
    if (fd < 0 || !writeAll(fd, subscribe)) {
      if (fd >= 0) ::close(fd);
      return core::makeError(core::ErrorCode::kIo, "stream client " + std::to_string(i) +
                                                       ": cannot connect: " + std::strerror(errno));
    }
    fds.push_back(fd);
  }
  std::vector<std::string> buffers(fds.size());
  for (std::size_t i = 0; i < fds.size(); ++i) {
    setNonBlocking(fds[i]);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
  }
  // Reads what is ready; calls seen(i) for client i when `needle` shows in
  // its data (the buffer then restarts after it). False on a closed client.
  std::vector<epoll_event> events(1024);
  bool lost = false;
  // The poster's answer comes through the same loop (its time: the 201's
  // head read); its index follows the clients'.
  const std::size_t posterIndex = fds.size();
  Clock::time_point postedAt;
  double answeredMs = -1;
  const auto pump = [&](const std::string& needle, const auto& seen, int timeoutMs) {
    const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), timeoutMs);
    for (int k = 0; k < n; ++k) {
      const std::size_t i = events[k].data.u64;
      char buf[16384];
      while (true) {
        const ssize_t got = ::read(fds[i], buf, sizeof buf);
        if (got > 0) {
          buffers[i].append(buf, static_cast<std::size_t>(got));
          continue;
        }
        if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
          lost = true;
          ::epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], nullptr);
        }
        break;
      }
      if (i == posterIndex) {
        if (answeredMs < 0 && buffers[i].find("\r\n\r\n") != std::string::npos) {
          answeredMs = secondsSince(postedAt) * 1000;
        }
        continue;
      }
      if (const auto at = buffers[i].find(needle); at != std::string::npos) {
        buffers[i].erase(0, at + needle.size());
        seen(i);
      }
    }
  };
  {
    std::vector<bool> ready(fds.size(), false);
    std::size_t readyCount = 0;
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (readyCount < fds.size() && !lost && Clock::now() < deadline) {
      pump(
          ": connected",
          [&](std::size_t i) {
            if (!ready[i]) ++readyCount;
            ready[i] = true;
          },
          100);
    }
    if (readyCount < fds.size()) {
      return core::makeError(core::ErrorCode::kIo, std::to_string(fds.size() - readyCount) +
                                                       " of " + std::to_string(fds.size()) +
                                                       " stream clients never subscribed");
    }
  }

  // The poster: one keep-alive connection, blocking.
  const int poster = connectLoopback(server->port);
  if (poster < 0) return core::makeError(core::ErrorCode::kIo, "cannot connect the poster");
  fds.push_back(poster);  // closed with the others
  buffers.emplace_back();
  {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = posterIndex;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, poster, &ev);
    setNonBlocking(poster);
  }
  std::vector<double> last, firstIn, answered;
  const std::string tag =
      "bench-" + std::to_string(::getpid()) + "-" +
      std::to_string(std::chrono::system_clock::now().time_since_epoch() / std::chrono::seconds(1));
  char pt[96];
  std::snprintf(pt, sizeof pt, "[%.9f, %.9f]", point->first, point->second);
  for (int k = 0; k < kStreamCases; ++k) {
    const std::string id = tag + "-" + std::to_string(k);
    const std::string body = R"({"source": "12345", "external_id": ")" + id + R"(", "point": )" +
                             pt + R"(, "category": "1", "text": "bench"})";
    const std::string post =
        "POST /cases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
        "BENCH\r\nContent-Type: application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    std::vector<double> at(kStreamClients, -1);
    std::size_t got = 0;
    buffers[posterIndex].clear();
    answeredMs = -1;
    const auto t0 = Clock::now();
    postedAt = t0;
    if (!writeAll(poster, post)) return core::makeError(core::ErrorCode::kIo, "POST failed");
    const std::string needle = "\"external_id\":\"" + id + "\"";
    const auto deadline = t0 + std::chrono::seconds(30);
    while ((got < static_cast<std::size_t>(kStreamClients) || answeredMs < 0) && !lost &&
           Clock::now() < deadline) {
      pump(
          needle,
          [&](std::size_t i) {
            if (i < at.size() && at[i] < 0) {
              at[i] = secondsSince(t0) * 1000;
              ++got;
            }
          },
          50);
    }
    if (got < static_cast<std::size_t>(kStreamClients)) {
      return core::makeError(core::ErrorCode::kIo,
                             "case " + id + " reached " + std::to_string(got) + " of " +
                                 std::to_string(kStreamClients) + " stream clients" +
                                 (lost ? " (a client was closed)" : ""));
    }
    // The whole answer (Content-Length) before the next POST.
    std::string& answer = buffers[posterIndex];
    const std::size_t head = answer.find("\r\n\r\n");
    if (answeredMs < 0 || head == std::string::npos) {
      return core::makeError(core::ErrorCode::kIo, "POST /cases: no answer");
    }
    if (answer.compare(0, 12, "HTTP/1.1 201") != 0) {
      return core::makeError(core::ErrorCode::kIo,
                             "POST /cases answered " + answer.substr(0, answer.find('\r')));
    }
    const auto cl = answer.find("Content-Length: ");
    const std::size_t bodyLen = cl == std::string::npos ? 0 : std::stoul(answer.substr(cl + 16));
    const auto bodyDeadline = Clock::now() + std::chrono::seconds(10);
    while (answer.size() < head + 4 + bodyLen && Clock::now() < bodyDeadline) {
      pump(
          needle, [](std::size_t) {}, 50);
    }
    answered.push_back(answeredMs);
    last.push_back(*std::max_element(at.begin(), at.end()));
    firstIn.push_back(*std::min_element(at.begin(), at.end()));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Figure f{"serve.stream_1000_clients_max_ms",
           median(last),
           "ms",
           false,
           std::nullopt,
           std::nullopt,
           "target <= 100 ms; " + std::to_string(kStreamClients) +
               " /events/stream clients (district token), server 1 thread, one client thread "
               "(epoll); from writing POST /cases (journal fdatasync included) to the last client "
               "reading the case, median of " +
               std::to_string(kStreamCases) + " cases; worst " +
               fixed(*std::max_element(last.begin(), last.end())) + " ms; first client " +
               fixed(median(firstIn)) + " ms; the POST's own answer " + fixed(median(answered)) +
               " ms; no anchor (no packaged SSE server; LISTEN/NOTIFY would need 1,000 backends)"};
  return std::vector<Figure>{f};
}

core::Result<std::vector<Figure>> runServeIdle(Context& ctx) {
  if (!shell("command -v wrk")) {
    return core::makeError(core::ErrorCode::kUnsupported, "serve.idle_* needs wrk");
  }
  const std::size_t limit = raiseFileLimit();
  if (limit < static_cast<std::size_t>(kIdleConnections) + 256) {
    return core::makeError(core::ErrorCode::kUnsupported,
                           "serve.idle_* needs " + std::to_string(kIdleConnections + 256) +
                               " open files; RLIMIT_NOFILE allows " + std::to_string(limit));
  }
  const std::string dir = ctx.workDir + "/serve-idle";
  std::filesystem::create_directories(dir);
  const std::string config = dir + "/serve.toml";
  std::ofstream(config) << "read_timeout_ms = " << kIdleReadTimeoutMs << "\n";
  auto server = startServe(ctx.dataset, {"--threads", "1", "--config", config});
  if (!server) return server.takeError();
  struct Stop {
    ServeChild& s;
    ~Stop() { stopServe(s); }
  } stop{*server};
  const std::string locate =
      "wrk -t1 -c1 -d3s --latency '" + server->base + "/locate?lon=113.1&lat=23.02'";
  auto before = shell(locate);
  if (!before) return before.takeError();

  std::vector<int> idle;
  struct Closer {
    std::vector<int>& fds;
    ~Closer() {
      for (int fd : fds) ::close(fd);
    }
  } closer{idle};
  const auto t0 = Clock::now();
  for (int i = 0; i < kIdleConnections; ++i) {
    const int fd = connectLoopback(server->port);
    if (fd < 0) {
      return core::makeError(core::ErrorCode::kIo, "idle connection " + std::to_string(i) +
                                                       ": cannot connect: " + std::strerror(errno));
    }
    idle.push_back(fd);
  }
  const double openSeconds = secondsSince(t0);
  auto metrics = shell("curl -s " + server->base + "/metrics | grep '^gridtwin_http_open'");
  auto during = shell(locate);
  const double measuredAt = secondsSince(t0);
  if (!during) return during.takeError();

  // Each idle connection should end with the server's read timeout: EOF.
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  for (std::size_t i = 0; i < idle.size(); ++i) {
    setNonBlocking(idle[i]);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.u64 = i;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, idle[i], &ev);
  }
  std::vector<bool> closed(idle.size(), false);
  std::size_t closedCount = 0;
  std::vector<epoll_event> events(1024);
  const auto deadline =
      t0 + std::chrono::milliseconds(kIdleReadTimeoutMs) + std::chrono::seconds(15);
  while (closedCount < idle.size() && Clock::now() < deadline) {
    const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 200);
    for (int k = 0; k < n; ++k) {
      const std::size_t i = events[k].data.u64;
      char buf[512];
      const ssize_t got = ::read(idle[i], buf, sizeof buf);
      if (got == 0 || (got < 0 && errno != EAGAIN)) {
        if (!closed[i]) ++closedCount;
        closed[i] = true;
        ::epoll_ctl(ep, EPOLL_CTL_DEL, idle[i], nullptr);
      }
    }
  }
  const double closedAt = secondsSince(t0);
  ::close(ep);
  auto after = shell("curl -s " + server->base + "/metrics | grep '^gridtwin_http_open'");

  Figure f{"serve.idle_10000_locate_p50_ms",
           wrkNumber(*during, "50%"),
           "ms",
           false,
           "the same GET /locate before the idle connections (same server, same run)",
           wrkNumber(*before, "50%"),
           std::to_string(kIdleConnections) +
               " idle connections (connected, nothing sent) opened in " + fixed(openSeconds, 1) +
               " s, server 1 thread, read_timeout_ms " + std::to_string(kIdleReadTimeoutMs) +
               "; while they were open: " + (metrics ? *metrics : std::string("?")) +
               ", GET /locate wrk -t1 -c1 -d3s p50 " + fixed(wrkNumber(*during, "50%"), 3) +
               " ms p99 " + fixed(wrkNumber(*during, "99%"), 3) + " ms (ended " +
               fixed(measuredAt, 1) + " s after the first connect); the server closed " +
               std::to_string(closedCount) + " of them by itself by " + fixed(closedAt, 1) +
               " s; then " + (after ? *after : std::string("?"))};
  return std::vector<Figure>{f};
}

}  // namespace gridtwin::bench
