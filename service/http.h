#pragma once
// The HTTP side of `gridtwin serve`, free of Boost in its interface: a
// Request and a Response as plain values, a Router (method + path pattern
// with {params} → Handler), and a Server that runs a Router on a pool of
// threads (Boost.Beast inside server.cpp; see README.md for why Beast).
//
// Adding a route (what the tiles and cases modules do):
//
//   router.add("GET", "/tiles/{z}/{x}/{y}.mvt", [&](const Request& req) {
//     const int z = std::stoi(req.param("z"));   // {z} of the path
//     ...
//     Response res;
//     res.contentType = "application/vnd.mapbox-vector-tile";
//     res.body = bytes;                           // any bytes
//     return res;                                 // status 200 by default
//   });
//
// A {name} matches one non-empty path segment, alone or between a fixed
// prefix and suffix in the segment ("{y}.mvt"). Routes are tried in the order
// added; a path that matches a pattern under another method gets 405.
//
// Streaming (Server-Sent Events): a handler returns a Response whose
// `stream` is set (EventHub::subscribe gives one); the server writes the
// headers, then whatever the stream hands out, until the stream ends or the
// client goes away.
//
// Thread-safety: handlers run on the server's threads, many at once; they
// must be thread-safe. A Router is filled before the server starts and is
// read-only afterwards.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace gridtwin::service {

struct Caller;  // who asks (auth.h); the server passes it through untouched

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path and query
  std::string path;    // percent-decoded, without the query
  // Query parameters in order, percent-decoded ('+' is a space).
  std::vector<std::pair<std::string, std::string>> query;
  // Header fields, names in lower case.
  std::vector<std::pair<std::string, std::string>> headers;
  // The route's {params}, decoded.
  std::map<std::string, std::string, std::less<>> params;
  std::string body;
  std::string remote;   // peer address "127.0.0.1:54321"
  std::string baseUrl;  // "http://host:port" as the client reached us (Host, X-Forwarded-*)
  std::string route;    // the matched pattern ("/collections/{id}"); "" when none
  std::shared_ptr<const Caller> caller;  // set by the server's authenticate hook

  // The first value of a query parameter.
  std::optional<std::string_view> queryParam(std::string_view name) const;
  // A header's value ("" when absent); `lowerName` in lower case.
  std::string_view header(std::string_view lowerName) const;
  // A path {param} ("" when the route has none of that name).
  const std::string& param(std::string_view name) const;
};

// Something a streaming response hands out piece by piece (an SSE
// subscription). The server calls setWake() once, then take() on its own
// strand whenever wake() was called or a write finished.
class StreamSource {
 public:
  virtual ~StreamSource() = default;
  // `wake` may be called from any thread, any number of times.
  virtual void setWake(std::function<void()> wake) = 0;
  // Moves what waits into `out` (may leave it empty); false when the stream
  // is over (dropped, closed): the server then closes the connection.
  virtual bool take(std::string& out) = 0;
  // The client went away or the server stops.
  virtual void close() = 0;
};

struct Response {
  int status = 200;
  std::string contentType = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra header fields
  std::string body;
  std::shared_ptr<StreamSource> stream;  // set: a stream (body ignored)

  static Response json(std::string body, int status = 200);
  // {"code": ..., "description": ...} (the OGC API exception shape).
  static Response error(int status, std::string_view code, std::string_view description);
  Response& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

using Handler = std::function<Response(const Request&)>;

class Router {
 public:
  // Errors: kInvalidArgument for a pattern that does not start with '/' or
  // has an unclosed '{'.
  core::Result<void> add(std::string method, std::string pattern, Handler handler);

  struct Found {
    const Handler* handler = nullptr;  // null: no route
    std::string pattern;               // the route's pattern
    bool otherMethod = false;          // the path matches under another method (405)
    std::string allow;                 // those methods, comma-separated
  };
  // Fills req.params when found.
  Found find(std::string_view method, std::string_view path,
             std::map<std::string, std::string, std::less<>>& params) const;
  std::size_t size() const { return m_routes.size(); }
  std::vector<std::string> patterns() const;

 private:
  struct Segment {
    std::string prefix, name, suffix;  // name empty: a fixed segment (prefix)
  };
  struct Route {
    std::string method, pattern;
    std::vector<Segment> segments;
    Handler handler;
  };
  std::vector<Route> m_routes;
};

struct ServerOptions {
  std::string host = "127.0.0.1";  // loopback unless told otherwise
  std::uint16_t port = 8080;       // 0: any free port (see Server::port())
  unsigned threads = 1;
  std::size_t maxHeaderBytes = 16 * 1024;        // larger: 431
  std::size_t maxBodyBytes = 4 * 1024 * 1024;    // larger: 413
  std::size_t maxConnections = 20000;            // more: closed at once (503)
  std::chrono::milliseconds readTimeout{10000};  // a whole request, or an idle keep-alive
  std::chrono::milliseconds writeTimeout{30000};
  std::chrono::milliseconds drainTimeout{10000};  // graceful stop: in-flight requests get this
  std::chrono::milliseconds streamHeartbeat{15000};
  bool handleSignals = false;  // SIGTERM/SIGINT → graceful stop
  // One line per request (JSON); empty: none. "-": stderr.
  std::string accessLog;
  // Runs before routing; returns a Response to answer at once (401...), or
  // nothing to go on (after setting req.caller).
  std::function<std::optional<Response>(Request&)> authenticate;
  // Extra text for the access log line (e.g. the caller's role).
  std::function<std::string(const Request&)> logCaller;
  // Cross-origin reads from web pages (a MapLibre map or an OGC client on
  // another site): a request with an Origin in this list gets
  // Access-Control-Allow-Origin, and an OPTIONS preflight its answer. {"*"}:
  // every origin (no cookies are used: a page still needs a token to see
  // what the token may); empty: none.
  std::vector<std::string> corsOrigins{"*"};
};

class Metrics;

class Server {
 public:
  Server(ServerOptions options, std::shared_ptr<const Router> router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens, and starts the threads. Errors: kIo naming host:port.
  core::Result<void> start();
  std::uint16_t port() const;
  // Graceful stop: no new connections, idle ones closed, requests in flight
  // answered (within drainTimeout). Any thread, any number of times.
  void stop();
  // Blocks until the server has stopped (stop(), or a signal when
  // handleSignals).
  void wait();
  // The Prometheus text of /metrics.
  std::string metricsText() const;
  std::size_t openConnections() const;

  struct Impl;  // server.cpp

 private:
  std::unique_ptr<Impl> m_impl;
};

// Percent-decoding ("%2C" → ","; '+' → ' ' when `plusIsSpace`). False for a
// bad escape.
bool percentDecode(std::string_view in, std::string& out, bool plusIsSpace);

}  // namespace gridtwin::service
