// The Beast/Asio server behind service/http.h: one io_context run by a pool
// of threads, one strand per connection, async reads with a deadline per
// request (slowloris), header and body limits, a connection cap, a graceful
// stop, the access log and the metrics.
#include <atomic>
#include <utility>
// (utility first: Boost 1.74's asio uses std::exchange)
#include <boost/asio.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "core/json.h"
#include "http.h"
#include "metrics.h"

namespace gridtwin::service {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
// The wait before accepting again after a failed accept: short against a
// client's connect timeout, long against a busy loop.
constexpr std::chrono::milliseconds kAcceptRetry{50};

// ---------------------------------------------------------------- values

std::optional<std::string_view> Request::queryParam(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

std::string_view Request::header(std::string_view lowerName) const {
  for (const auto& [k, v] : headers) {
    if (k == lowerName) return v;
  }
  return {};
}

const std::string& Request::param(std::string_view name) const {
  static const std::string kEmpty;
  const auto it = params.find(name);
  return it == params.end() ? kEmpty : it->second;
}

Response Response::json(std::string body, int status) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::error(int status, std::string_view code, std::string_view description) {
  std::string body = "{\"code\": ";
  core::appendJsonString(body, code);
  body += ", \"description\": ";
  core::appendJsonString(body, description);
  body += "}\n";
  return json(std::move(body), status);
}

bool percentDecode(std::string_view in, std::string& out, bool plusIsSpace) {
  out.clear();
  out.reserve(in.size());
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plusIsSpace) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return true;
}

// ---------------------------------------------------------------- router

core::Result<void> Router::add(std::string method, std::string pattern, Handler handler) {
  if (pattern.empty() || pattern[0] != '/') {
    return core::makeError(core::ErrorCode::kInvalidArgument,
                           "route pattern '" + pattern + "' must start with '/'");
  }
  Route route{std::move(method), pattern, {}, std::move(handler)};
  std::string_view rest = std::string_view(pattern).substr(1);
  while (true) {
    const auto slash = rest.find('/');
    const std::string_view seg = rest.substr(0, slash);
    Segment s;
    const auto open = seg.find('{');
    if (open == std::string_view::npos) {
      s.prefix = std::string(seg);
    } else {
      const auto close = seg.find('}', open);
      if (close == std::string_view::npos || close == open + 1) {
        return core::makeError(core::ErrorCode::kInvalidArgument,
                               "route pattern '" + pattern + "' has an unclosed or empty '{'");
      }
      s.prefix = std::string(seg.substr(0, open));
      s.name = std::string(seg.substr(open + 1, close - open - 1));
      s.suffix = std::string(seg.substr(close + 1));
    }
    route.segments.push_back(std::move(s));
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  m_routes.push_back(std::move(route));
  return {};
}

Router::Found Router::find(std::string_view method, std::string_view path,
                           std::map<std::string, std::string, std::less<>>& params) const {
  Found found;
  if (path.empty() || path[0] != '/') return found;
  std::vector<std::string_view> segs;
  std::string_view rest = path.substr(1);
  while (true) {
    const auto slash = rest.find('/');
    segs.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  std::map<std::string, std::string, std::less<>> got;
  for (const Route& r : m_routes) {
    if (r.segments.size() != segs.size()) continue;
    got.clear();
    bool ok = true;
    for (std::size_t i = 0; i < segs.size() && ok; ++i) {
      const Segment& s = r.segments[i];
      const std::string_view seg = segs[i];
      if (s.name.empty()) {
        ok = seg == s.prefix;
        continue;
      }
      if (seg.size() <= s.prefix.size() + s.suffix.size() || !seg.starts_with(s.prefix) ||
          !seg.ends_with(s.suffix)) {
        ok = false;
        continue;
      }
      got[s.name] =
          std::string(seg.substr(s.prefix.size(), seg.size() - s.prefix.size() - s.suffix.size()));
    }
    if (!ok) continue;
    if (r.method != method && !(method == "HEAD" && r.method == "GET")) {
      found.otherMethod = true;
      if (found.allow.find(r.method) == std::string::npos) {
        found.allow += (found.allow.empty() ? "" : ", ") + r.method;
      }
      continue;
    }
    found.handler = &r.handler;
    found.pattern = r.pattern;
    params = std::move(got);
    return found;
  }
  return found;
}

std::vector<std::string> Router::patterns() const {
  std::vector<std::string> out;
  for (const auto& r : m_routes) out.push_back(r.method + " " + r.pattern);
  return out;
}

// ---------------------------------------------------------------- server

namespace {

std::string nowIso() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

}  // namespace

class Session;

struct Server::Impl {
  ServerOptions options;
  std::shared_ptr<const Router> router;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  net::steady_timer acceptRetry{ioc};  // after a failed accept (out of descriptors)
  std::optional<net::signal_set> signals;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<bool> started{false};
  std::atomic<std::size_t> connections{0};
  std::uint16_t boundPort = 0;
  Metrics metrics;
  std::mutex sessionsMutex;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  std::mutex logMutex;
  std::FILE* log = nullptr;
  bool ownLog = false;
  std::optional<net::steady_timer> drainTimer;
  std::mutex waitMutex;
  bool joined = false;

  void doAccept();
  void beginStop();
  void writeLog(const Request& req, int status, std::size_t bytes, double ms);
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& server)
      : m_stream(std::move(socket)), m_server(server), m_heartbeat(m_stream.get_executor()) {
    beast::error_code ec;
    const auto ep = m_stream.socket().remote_endpoint(ec);
    if (!ec) m_remote = ep.address().to_string() + ":" + std::to_string(ep.port());
  }
  ~Session() { --m_server.connections; }

  void start() {
    net::dispatch(m_stream.get_executor(),
                  beast::bind_front_handler(&Session::doRead, shared_from_this()));
  }
  // Graceful stop: close when idle; a busy session closes after its answer.
  void stopIfIdle() {
    net::dispatch(m_stream.get_executor(), [self = shared_from_this()] {
      if (self->m_source) {
        self->m_source->close();
        self->closeNow();
      } else if (!self->m_busy) {
        self->closeNow();
      }
    });
  }

 private:
  void doRead() {
    if (m_server.stopping) return closeNow();
    m_parser.emplace();
    m_parser->header_limit(static_cast<std::uint32_t>(m_server.options.maxHeaderBytes));
    m_parser->body_limit(m_server.options.maxBodyBytes);
    m_stream.expires_after(m_server.options.readTimeout);
    http::async_read(m_stream, m_buffer, *m_parser,
                     beast::bind_front_handler(&Session::onRead, shared_from_this()));
  }

  void onRead(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::eof) {
      return closeNow();
    }
    if (ec == http::error::body_limit) {
      return answerError(413, "PayloadTooLarge",
                         "the request body is larger than the server's limit of " +
                             std::to_string(m_server.options.maxBodyBytes) + " bytes");
    }
    if (ec == http::error::header_limit) {
      return answerError(431, "HeaderTooLarge",
                         "the request header is larger than the server's limit of " +
                             std::to_string(m_server.options.maxHeaderBytes) + " bytes");
    }
    if (ec) {
      return answerError(400, "BadRequest", "malformed HTTP request: " + ec.message());
    }
    m_busy = true;
    handle(m_parser->release());
  }

  void answerError(int status, std::string_view code, const std::string& why) {
    m_busy = true;
    Request req;
    req.method = "?";
    req.remote = m_remote;
    Response res = Response::error(status, code, why);
    m_server.metrics.record("(unrouted)", status, 0);
    m_server.writeLog(req, status, res.body.size(), 0);
    send(std::move(res), false, false);
  }

  void handle(http::request<http::string_body> msg) {
    const auto t0 = Clock::now();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.remote = m_remote;
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    req.body = std::move(msg.body());
    const bool keepAlive = msg.keep_alive();
    const bool head = msg.method() == http::verb::head;
    Response res = route(req);
    allowOrigin(req, res);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    m_server.metrics.record(req.route.empty() ? "(unrouted)" : req.route, res.status, ms);
    m_server.writeLog(req, res.status, res.stream ? 0 : res.body.size(), ms);
    if (res.stream && res.status == 200) return startStream(std::move(res));
    send(std::move(res), keepAlive && !m_server.stopping, head);
  }

  // CORS: the Origin the answer may be read from, empty when none.
  std::string corsOrigin(const Request& req) const {
    const std::string_view origin = req.header("origin");
    if (origin.empty()) return {};
    for (const std::string& o : m_server.options.corsOrigins) {
      if (o == "*") return "*";
      if (o == origin) return o;
    }
    return {};
  }

  void allowOrigin(const Request& req, Response& res) const {
    const std::string origin = corsOrigin(req);
    if (origin.empty()) return;
    res.header("Access-Control-Allow-Origin", origin);
    if (origin != "*") {  // one Vary field: the server sets each header once
      auto vary = std::find_if(res.headers.begin(), res.headers.end(),
                               [](const auto& h) { return h.first == "Vary"; });
      if (vary == res.headers.end()) {
        res.header("Vary", "Origin");
      } else {
        vary->second += ", Origin";
      }
    }
    res.header("Access-Control-Expose-Headers", "Content-Crs, Location, Link, Allow");
  }

  // OPTIONS on a path no route takes OPTIONS for (none does today): its
  // methods (Allow), and a CORS preflight's answer when its Origin may read.
  // Before authentication: preflights carry no token.
  Response options(const Request& req, const Router::Found& found) const {
    if (!found.otherMethod) return Response::error(404, "NotFound", "no resource at " + req.path);
    Response r;
    r.status = 204;
    std::string allow = found.allow;
    if (allow.find("GET") != std::string::npos && allow.find("HEAD") == std::string::npos) {
      allow += ", HEAD";
    }
    allow += ", OPTIONS";
    r.header("Allow", allow);
    if (!corsOrigin(req).empty() && !req.header("access-control-request-method").empty()) {
      r.header("Access-Control-Allow-Methods", allow);
      r.header("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept");
      r.header("Access-Control-Max-Age", "600");
    }
    return r;
  }

  Response route(Request& req) {
    const std::string_view target = req.target;
    const auto q = target.find('?');
    if (!percentDecode(target.substr(0, q), req.path, false)) {
      return Response::error(
          400, "InvalidParameterValue",
          "the path '" + std::string(target.substr(0, q)) + "' has a bad percent escape");
    }
    if (q != std::string_view::npos) {
      std::string_view rest = target.substr(q + 1);
      while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view kv = rest.substr(0, amp);
        const auto eq = kv.find('=');
        std::string k, v;
        if (!percentDecode(kv.substr(0, eq), k, true) ||
            !percentDecode(eq == std::string_view::npos ? std::string_view{} : kv.substr(eq + 1), v,
                           true)) {
          return Response::error(
              400, "InvalidParameterValue",
              "the query parameter '" + std::string(kv) + "' has a bad percent escape");
        }
        if (!k.empty()) req.query.emplace_back(std::move(k), std::move(v));
        if (amp == std::string_view::npos) break;
        rest = rest.substr(amp + 1);
      }
    }
    // The base URL links are made of: what a reverse proxy says, else Host.
    std::string_view host = req.header("x-forwarded-host");
    if (host.empty()) host = req.header("host");
    std::string_view proto = req.header("x-forwarded-proto");
    if (proto != "https") proto = "http";
    req.baseUrl = std::string(proto) + "://" +
                  (host.empty() ? m_server.options.host + ":" + std::to_string(m_server.boundPort)
                                : std::string(host));
    std::string_view prefix = req.header("x-forwarded-prefix");
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    req.baseUrl += prefix;

    auto found = m_server.router->find(req.method, req.path, req.params);
    if (found.handler) req.route = found.pattern;
    if (req.method == "OPTIONS" && !found.handler) return options(req, found);
    if (m_server.options.authenticate) {
      if (auto early = m_server.options.authenticate(req)) return std::move(*early);
    }
    if (!found.handler) {
      if (found.otherMethod) {
        Response r = Response::error(405, "MethodNotAllowed",
                                     "the method " + req.method + " is not allowed on " + req.path +
                                         " (allowed: " + found.allow + ")");
        r.header("Allow", found.allow);
        return r;
      }
      return Response::error(404, "NotFound", "no resource at " + req.path);
    }
    try {
      return (*found.handler)(req);
    } catch (const std::exception& e) {
      return Response::error(500, "ServerError", std::string("internal error: ") + e.what());
    }
  }

  void send(Response res, bool keepAlive, bool head) {
    auto msg = std::make_shared<http::response<http::string_body>>();
    msg->version(11);
    msg->result(static_cast<unsigned>(res.status));
    msg->set(http::field::server, "gridtwin");
    if (res.status != 204) msg->set(http::field::content_type, res.contentType);
    for (const auto& [k, v] : res.headers) msg->set(k, v);
    msg->keep_alive(keepAlive);
    const std::size_t size = res.body.size();
    if (!head) msg->body() = std::move(res.body);
    msg->content_length(size);
    m_stream.expires_after(m_server.options.writeTimeout);
    http::async_write(m_stream, *msg,
                      [self = shared_from_this(), msg, keepAlive](
                          beast::error_code ec, std::size_t) { self->onWrite(ec, keepAlive); });
  }

  void onWrite(beast::error_code ec, bool keepAlive) {
    m_busy = false;
    if (ec || !keepAlive || m_server.stopping) return closeNow();
    doRead();
  }

  // ---- streams (SSE)
  void startStream(Response res) {
    m_source = res.stream;
    std::string head = "HTTP/1.1 200 OK\r\nServer: gridtwin\r\nContent-Type: " + res.contentType +
                       "\r\nCache-Control: no-cache\r\nConnection: close\r\n";
    for (const auto& [k, v] : res.headers) head += k + ": " + v + "\r\n";
    head += "\r\n";
    m_pending = std::move(head);
    std::weak_ptr<Session> weak = shared_from_this();
    m_source->setWake([weak] {
      if (auto self = weak.lock()) {
        net::post(self->m_stream.get_executor(), [self] { self->pump(); });
      }
    });
    armHeartbeat();
    pump();
  }

  void armHeartbeat() {
    m_heartbeat.expires_after(m_server.options.streamHeartbeat);
    // The pending wait holds the session: a stream has no read or write
    // pending while it waits for events. closeNow() cancels it.
    m_heartbeat.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->m_closed || !self->m_source) return;
      if (self->m_pending.empty()) self->m_pending = ": keep-alive\n\n";
      self->pump();
      self->armHeartbeat();
    });
  }

  void pump() {
    if (m_writing || !m_source || m_closed) return;
    if (!m_source->take(m_pending) && m_pending.empty()) {
      m_source->close();
      return closeNow();
    }
    if (m_pending.empty()) return;
    m_writing = true;
    auto data = std::make_shared<std::string>(std::move(m_pending));
    m_pending.clear();
    m_stream.expires_after(m_server.options.writeTimeout);
    net::async_write(m_stream, net::buffer(*data),
                     [self = shared_from_this(), data](beast::error_code ec, std::size_t) {
                       self->m_writing = false;
                       if (ec) {
                         if (self->m_source) self->m_source->close();
                         return self->closeNow();
                       }
                       self->pump();
                     });
  }

  void closeNow() {
    if (m_closed) return;
    m_closed = true;
    m_heartbeat.cancel();
    if (m_source) m_source->close();
    beast::error_code ec;
    m_stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    m_stream.socket().close(ec);
  }

  beast::tcp_stream m_stream;
  beast::flat_buffer m_buffer;
  Server::Impl& m_server;
  std::optional<http::request_parser<http::string_body>> m_parser;
  std::string m_remote;
  bool m_busy = false;
  bool m_closed = false;
  std::shared_ptr<StreamSource> m_source;
  std::string m_pending;
  bool m_writing = false;
  net::steady_timer m_heartbeat;
};

void Server::Impl::doAccept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (stopping || !acceptor.is_open()) return;
      // Out of descriptors (EMFILE/ENFILE): the connection stays queued and
      // an accept now would fail at once, spinning a thread at 100%; retry
      // when a connection may have closed. Others: the same, harmless.
      acceptRetry.expires_after(kAcceptRetry);
      acceptRetry.async_wait([this](beast::error_code e) {
        if (!e && !stopping) doAccept();
      });
      return;
    }
    if (stopping) return;
    if (connections.load() >= options.maxConnections) {
      static constexpr std::string_view kBusy =
          "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      beast::error_code ignored;
      socket.non_blocking(true, ignored);
      socket.write_some(net::buffer(kBusy.data(), kBusy.size()), ignored);
      socket.close(ignored);
      metrics.record("(refused)", 503, 0);
    } else {
      ++connections;
      auto s = std::make_shared<Session>(std::move(socket), *this);
      {
        std::lock_guard lock(sessionsMutex);
        // Forget the sessions that are gone now and then.
        if (sessions.size() > 64 && sessions.size() > 2 * connections.load()) {
          for (auto it = sessions.begin(); it != sessions.end();) {
            it = it->second.expired() ? sessions.erase(it) : std::next(it);
          }
        }
        sessions[s.get()] = s;
      }
      s->start();
    }
    doAccept();
  });
}

void Server::Impl::beginStop() {
  if (stopping.exchange(true)) return;
  net::post(ioc, [this] {
    beast::error_code ec;
    acceptor.close(ec);
    acceptRetry.cancel();
    if (signals) signals->cancel(ec);
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(sessionsMutex);
      for (auto& [p, w] : sessions) {
        if (auto s = w.lock()) live.push_back(std::move(s));
      }
      sessions.clear();
    }
    for (auto& s : live) s->stopIfIdle();
    drainTimer.emplace(ioc);
    drainTimer->expires_after(options.drainTimeout);
    drainTimer->async_wait([this](beast::error_code e) {
      if (!e) ioc.stop();
    });
    // When every connection is gone, there is nothing to wait for.
    auto poll = std::make_shared<std::function<void()>>();
    auto timer = std::make_shared<net::steady_timer>(ioc);
    *poll = [this, poll, timer] {
      if (connections.load() == 0) {
        beast::error_code e2;
        drainTimer->cancel(e2);
        return;
      }
      timer->expires_after(std::chrono::milliseconds(20));
      timer->async_wait([poll](beast::error_code e) {
        if (!e) (*poll)();
      });
    };
    (*poll)();
  });
}

void Server::Impl::writeLog(const Request& req, int status, std::size_t bytes, double ms) {
  if (!log) return;
  std::string line = "{\"time\": \"" + nowIso() + "\", \"remote\": ";
  core::appendJsonString(line, req.remote);
  line += ", \"method\": ";
  core::appendJsonString(line, req.method);
  line += ", \"target\": ";
  core::appendJsonString(line, req.target);
  line += ", \"route\": ";
  core::appendJsonString(line, req.route);
  line += ", \"status\": " + std::to_string(status) + ", \"bytes\": " + std::to_string(bytes) +
          ", \"ms\": ";
  core::appendJsonNumber(line, ms, 3);
  if (options.logCaller) line += ", \"caller\": " + options.logCaller(req);
  line += "}\n";
  std::lock_guard lock(logMutex);
  std::fwrite(line.data(), 1, line.size(), log);
  std::fflush(log);
}

Server::Server(ServerOptions options, std::shared_ptr<const Router> router)
    : m_impl(std::make_unique<Impl>()) {
  m_impl->options = std::move(options);
  m_impl->router = std::move(router);
}

Server::~Server() {
  stop();
  wait();
  if (m_impl->ownLog && m_impl->log) std::fclose(m_impl->log);
}

core::Result<void> Server::start() {
  Impl& s = *m_impl;
  const std::string where = s.options.host + ":" + std::to_string(s.options.port);
  beast::error_code ec;
  const auto address = net::ip::make_address(s.options.host, ec);
  if (ec) {
    return core::makeError(core::ErrorCode::kInvalidArgument,
                           "--listen: '" + s.options.host + "' is not an IP address");
  }
  const tcp::endpoint ep(address, s.options.port);
  s.acceptor.open(ep.protocol(), ec);
  if (!ec) s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(ep, ec);
  if (!ec) s.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return core::makeError(core::ErrorCode::kIo, "cannot listen on " + where + ": " + ec.message());
  }
  s.boundPort = s.acceptor.local_endpoint().port();
  if (s.options.accessLog == "-") {
    s.log = stderr;
  } else if (!s.options.accessLog.empty()) {
    s.log = std::fopen(s.options.accessLog.c_str(), "a");
    if (!s.log) {
      return core::makeError(core::ErrorCode::kIo, "--access-log: cannot open '" +
                                                       s.options.accessLog + "' for appending");
    }
    s.ownLog = true;
  }
  if (s.options.handleSignals) {
    s.signals.emplace(s.ioc, SIGINT, SIGTERM);
    s.signals->async_wait([this](beast::error_code e, int) {
      if (!e) m_impl->beginStop();
    });
  }
  s.doAccept();
  const unsigned n = std::max(1u, s.options.threads);
  for (unsigned i = 0; i < n; ++i) s.threads.emplace_back([&s] { s.ioc.run(); });
  s.started = true;
  return {};
}

std::uint16_t Server::port() const { return m_impl->boundPort; }

void Server::stop() {
  if (!m_impl->started) return;
  m_impl->beginStop();
}

void Server::wait() {
  std::lock_guard lock(m_impl->waitMutex);
  if (m_impl->joined) return;
  for (auto& t : m_impl->threads) t.join();
  m_impl->joined = true;
}

std::string Server::metricsText() const { return m_impl->metrics.text(m_impl->connections.load()); }

std::size_t Server::openConnections() const { return m_impl->connections.load(); }

}  // namespace gridtwin::service
