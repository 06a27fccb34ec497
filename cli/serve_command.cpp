// gridtwin serve DATASET [--listen 127.0.0.1:8080] [--threads N]
//                [--tokens FILE] [--access-log FILE|-] [--config serve.toml]
//                [--catalog DIR] [--model PATH] [--no-geocode-cases]
//                [--tile-cache-mb N] [--tile-seed-zoom Z] [--cors ORIGINS]
//                [--write | --follow]
//
// Serves the twin over HTTP (service/README.md): OGC API – Features, the
// engine's queries, vector tiles, case intake (/cases: the journal beside a
// GeoPackage, the cases table of a PostGIS store), /health, /metrics,
// /events/stream. Listens on loopback
// unless told otherwise; stops gracefully on SIGTERM/SIGINT. Prints
// "listening on http://HOST:PORT" on stdout once it accepts connections
// (--listen 127.0.0.1:0 picks a free port); its role on the cases on
// stderr before it ("gridtwin serve: cases: writer of …" / "… follower of …").
//
// On a postgresql:// dataset one server writes the cases (it holds the
// database's case writer lock); another server on the same database starts
// as a follower (reads served, the writer's cases applied as they commit,
// POST/PATCH /cases 503) and takes over when the writer goes. --write: the
// writer or exit 1; --follow: a follower that never writes.
//
// --config FILE: a TOML subset, `key = value` lines with the option names
// (listen, threads, tokens, access_log, max_body_bytes, max_connections,
// read_timeout_ms, tile_cache_mb, tile_seed_zoom, cors); options given on the
// command line win.
//
// Exit codes: 0 after a graceful stop; 1 bad input (a dataset that does not
// load, a bad tokens file, a port in use); 2 usage.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "address/parser.h"
#include "auth.h"
#include "case_replication.h"
#include "cases/intake.h"
#include "commands.h"
#include "http.h"
#include "pgstore/case_store.h"
#include "twin_service.h"
#include "wire_routes.h"

namespace gridtwin::cli {
namespace {

struct ServeOptions {
  std::string dataset;
  std::string listen = "127.0.0.1:8080";
  unsigned threads = 0;
  std::string tokens;
  std::string accessLog = "-";
  std::string config;
  std::size_t maxBody = 4 * 1024 * 1024;
  std::size_t maxConnections = 20000;
  long readTimeoutMs = 10000;
  std::string catalog = std::string(GRIDTWIN_SOURCE_DIR) + "/data/catalog";
  std::string model;
  bool geocodeCases = true;
  std::size_t tileCacheMb = service::TileRoutes::kDefaultCacheBytes >> 20;
  int tileSeedZoom = 14;   // -1: no seeding
  std::string cors = "*";  // '*', 'off', or origins, comma-separated
  bool write = false;      // the case writer or an error (postgresql:// only)
  bool follow = false;     // a follower, never the writer (postgresql:// only)
};

// --cors (and the config's cors): '*', 'off', or web origins
// (scheme://host[:port], no path) separated by commas. The origins, or the
// reason they are not.
core::Result<std::vector<std::string>> corsOrigins(const std::string& value) {
  if (value == "off") return std::vector<std::string>{};
  if (value == "*") return std::vector<std::string>{"*"};
  std::vector<std::string> out;
  std::string_view rest = value;
  while (true) {
    const auto comma = rest.find(',');
    std::string_view o = rest.substr(0, comma);
    while (!o.empty() && o.front() == ' ') o.remove_prefix(1);
    while (!o.empty() && o.back() == ' ') o.remove_suffix(1);
    const auto scheme = o.find("://");
    if (!(o.starts_with("http://") || o.starts_with("https://")) || o.size() == scheme + 3 ||
        o.find('/', scheme + 3) != std::string_view::npos) {
      return core::makeError(core::ErrorCode::kInvalidArgument,
                             "'" + std::string(o) +
                                 "' is not a web origin (scheme://host[:port], no path, e.g. "
                                 "https://map.example.org); give '*', 'off' or origins "
                                 "separated by commas");
    }
    out.emplace_back(o);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return out;
}

// The zooms --tile-seed-zoom (and the config's tile_seed_zoom) may name:
// z18 over a whole district is already ~4 million tiles.
constexpr int kMaxSeedZoom = 18;

int fail(const std::string& message, int code) {
  std::cerr << "gridtwin serve: " << message << '\n';
  return code;
}

// key = value lines ('#' comments, quotes around strings optional).
int readConfig(ServeOptions& o, const CLI::App& cmd) {
  std::ifstream in(o.config);
  if (!in) return fail("--config: cannot read '" + o.config + "'", 1);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (const auto h = line.find('#'); h != std::string::npos) line.resize(h);
    const auto eq = line.find('=');
    const auto trim = [](std::string s) {
      while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
      while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(0, 1);
      if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
      return s;
    };
    if (trim(line).empty()) continue;
    if (eq == std::string::npos) {
      return fail(o.config + ":" + std::to_string(n) + ": expected key = value", 1);
    }
    const std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    const auto given = [&](const char* opt) { return cmd.get_option(opt)->count() > 0; };
    try {
      if (key == "listen") {
        if (!given("--listen")) o.listen = value;
      } else if (key == "threads") {
        if (!given("--threads")) o.threads = static_cast<unsigned>(std::stoul(value));
      } else if (key == "tokens") {
        if (!given("--tokens")) o.tokens = value;
      } else if (key == "access_log") {
        if (!given("--access-log")) o.accessLog = value;
      } else if (key == "max_body_bytes") {
        o.maxBody = std::stoull(value);
      } else if (key == "max_connections") {
        o.maxConnections = std::stoull(value);
      } else if (key == "read_timeout_ms") {
        o.readTimeoutMs = std::stol(value);
      } else if (key == "tile_cache_mb") {
        if (!given("--tile-cache-mb")) o.tileCacheMb = std::stoull(value);
      } else if (key == "cors") {
        if (auto c = corsOrigins(value); !c) {
          return fail(o.config + ":" + std::to_string(n) + ": cors: " + c.error().message, 1);
        }
        if (!given("--cors")) o.cors = value;
      } else if (key == "tile_seed_zoom") {
        if (!given("--tile-seed-zoom")) o.tileSeedZoom = std::stoi(value);
        if (o.tileSeedZoom < -1 || o.tileSeedZoom > kMaxSeedZoom) {
          return fail(o.config + ":" + std::to_string(n) + ": tile_seed_zoom " + value +
                          " is not in -1 to " + std::to_string(kMaxSeedZoom),
                      1);
        }
      } else {
        return fail(o.config + ":" + std::to_string(n) + ": unknown key '" + key + "'", 1);
      }
    } catch (const std::exception&) {
      return fail(o.config + ":" + std::to_string(n) + ": '" + value + "' is not a number", 1);
    }
  }
  return 0;
}

// Descriptors besides the connections: the dataset and its snapshot, the
// journal, the access log, GDAL's catalogue reads, epoll and the threads'.
constexpr std::size_t kSpareFiles = 64;

int run(ServeOptions& o, const CLI::App& cmd) {
  if (!o.config.empty()) {
    if (int rc = readConfig(o, cmd)) return rc;
  }
  const auto colon = o.listen.rfind(':');
  if (colon == std::string::npos)
    return fail("--listen: expected HOST:PORT, got '" + o.listen + "'", 2);
  service::ServerOptions so;
  so.host = o.listen.substr(0, colon);
  if (so.host.size() > 2 && so.host.front() == '[') so.host = so.host.substr(1, so.host.size() - 2);
  try {
    const unsigned long port = std::stoul(o.listen.substr(colon + 1));
    if (port > 65535) throw std::out_of_range("port");
    so.port = static_cast<std::uint16_t>(port);
  } catch (const std::exception&) {
    return fail("--listen: '" + o.listen.substr(colon + 1) + "' is not a port (0-65535)", 2);
  }
  so.threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  so.maxBodyBytes = o.maxBody;
  so.maxConnections = o.maxConnections;
  so.readTimeout = std::chrono::milliseconds(o.readTimeoutMs);
  so.accessLog = o.accessLog == "off" ? std::string() : o.accessLog;
  so.handleSignals = true;
  auto cors = corsOrigins(o.cors);
  if (!cors) return fail("--cors: " + cors.error().message, 1);
  so.corsOrigins = std::move(*cors);

  const bool postgis = o.dataset.rfind("postgresql://", 0) == 0;
  if (!postgis && (o.write || o.follow)) {
    return fail(std::string(o.write ? "--write" : "--follow") +
                    ": only a postgresql:// dataset is shared by several servers",
                2);
  }
  auto svc = service::TwinService::open(o.dataset);
  if (!svc) return fail(svc.error().toString(), 1);
  (*svc)->setSharedData(GRIDTWIN_SHARED_DATA);
  auto tokens = std::make_shared<service::TokenTable>(
      service::TokenTable::anonymousOnly((*svc)->twin().district()));
  if (!o.tokens.empty()) {
    auto t = service::TokenTable::load(o.tokens, (*svc)->twin().district());
    if (!t) return fail(t.error().toString(), 1);
    *tokens = std::move(*t);
  }
  so.authenticate = [tokens](service::Request& req) { return tokens->authenticate(req); };
  so.logCaller = [](const service::Request& req) {
    return "\"" + (req.caller ? req.caller->name : std::string("anonymous")) + "\"";
  };
  // Cases: the journal beside a GeoPackage, the cases table of a PostGIS
  // store (engine/cases, engine/pgstore).
  std::shared_ptr<const address::Geocoder> geocoder;
  if (o.geocodeCases) {
    auto g = cases::buildGeocoder((*svc)->twin(), GRIDTWIN_SHARED_DATA,
                                  o.model.empty() ? address::defaultTaggerPath() : o.model);
    if (!g) return fail("cases: " + g.error().toString(), 1);
    geocoder = *g;
  }
  // One server writes the cases of a database, the others follow it
  // (service/case_replication.h).
  std::unique_ptr<service::CaseReplication> replication;
  if (postgis) {
    const auto mode = o.write    ? service::CaseReplication::Mode::kWrite
                      : o.follow ? service::CaseReplication::Mode::kFollow
                                 : service::CaseReplication::Mode::kAuto;
    auto r = service::CaseReplication::open(o.dataset, mode);
    if (!r) return fail("cases: " + r.error().toString(), 1);
    replication = std::move(*r);
  } else {
    replication = service::CaseReplication::standalone();
  }
  auto intake = [&]() -> core::Result<std::unique_ptr<cases::Intake>> {
    if (!postgis) {
      return cases::Intake::openWithJournal((*svc)->twin(), o.dataset, geocoder, o.catalog);
    }
    return cases::Intake::openWithStore((*svc)->twin(), o.dataset, geocoder, o.catalog,
                                        replication->takeStore());
  }();
  if (!intake) return fail("cases: " + intake.error().toString(), 1);
  (*svc)->addHealth([&replication] { return replication->healthJson(); });
  (*svc)->addMetrics([&replication] { return replication->metricsText(); });
  if ((*intake)->replayReport().tornTail) {
    std::cerr << "gridtwin serve: " << (*intake)->replayReport().note << '\n';
  }
  auto router = std::make_shared<service::Router>();
  (*svc)->addRoutes(*router);
  service::TileRoutes tileRoutes((*svc)->twin(), postgis ? std::string() : o.dataset,
                                 o.tileCacheMb << 20);
  tileRoutes.addRoutes(*router);
  (*svc)->addMetrics([&tileRoutes] { return tileRoutes.metricsText(); });
  // The tile source (projected features, indexes and the clusters of every
  // zoom: ~3 s at full scale) is built beside the start, not by the first
  // tile request; a tile asked for meanwhile waits for it. Joined before
  // tileRoutes goes.
  // Then the tiles up to --tile-seed-zoom over what each token (and the
  // anonymous caller) may see, into the caches (TileRoutes::seed): a tile's
  // first request is a hit. Stopped with the server.
  std::jthread tileWarmup([&tileRoutes, tokens, seedZoom = o.tileSeedZoom](std::stop_token stop) {
    (void)tileRoutes.source();
    std::vector<query::Access> scopes;
    for (const auto& caller : tokens->callers()) scopes.push_back(caller->access);
    (void)tileRoutes.seed(scopes, seedZoom, stop);
  });
  service::CaseRoutes caseRoutes(**intake, (*svc)->hubPtr());
  caseRoutes.addRoutes(*router);
  // Each connection is a file descriptor: lift the soft open-file limit to
  // the hard one (often 1,024 soft), so that max_connections can be reached
  // (about 40 descriptors go to the dataset, the journal and the threads).
  if (rlimit lim{}; ::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    if (lim.rlim_cur < lim.rlim_max) {
      lim.rlim_cur = lim.rlim_max;
      (void)::setrlimit(RLIMIT_NOFILE, &lim);
      (void)::getrlimit(RLIMIT_NOFILE, &lim);
    }
    if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < so.maxConnections + kSpareFiles) {
      std::cerr << "gridtwin serve: the open-file limit (" << lim.rlim_cur
                << ") is below max_connections (" << so.maxConnections << ") + " << kSpareFiles
                << ": connections beyond about "
                << (lim.rlim_cur > kSpareFiles ? lim.rlim_cur - kSpareFiles : 0)
                << " wait in the listen queue until others close (raise it with ulimit -n)\n";
    }
  }
  service::Server server(so, router);
  (*svc)->setServer(&server);
  if (auto r = server.start(); !r) return fail(r.error().toString(), 1);
  (*svc)->startLiveEvents();
  replication->start(**intake);
  std::cerr << "gridtwin serve: " << replication->describe() << '\n';
  std::cout << "listening on http://" << so.host << ":" << server.port() << std::endl;
  server.wait();
  replication->stop();
  (*svc)->stopLiveEvents();
  std::cerr << "gridtwin serve: stopped\n";
  return 0;
}

}  // namespace

void addServeCommand(CLI::App& app, int& exitCode) {
  auto* cmd = app.add_subcommand("serve", "Serve the twin over HTTP (OGC API - Features, queries)");
  auto o = std::make_shared<ServeOptions>();
  cmd->add_option("dataset", o->dataset, "Dataset GeoPackage")->required();
  cmd->add_option("--listen", o->listen, "HOST:PORT (default 127.0.0.1:8080; port 0: any free)");
  cmd->add_option("--threads", o->threads, "worker threads (default: one per core)");
  cmd->add_option("--tokens", o->tokens, "bearer tokens file: TOKEN ROLE [SCOPE] per line");
  cmd->add_option("--access-log", o->accessLog, "access log file, '-' stderr (default), 'off'");
  cmd->add_option("--config", o->config, "serve.toml: key = value settings");
  cmd->add_option("--catalog", o->catalog,
                  "catalogue folder (event_types.csv, dispatch_rules.csv)");
  cmd->add_option("--model", o->model, "address tagger model (default: the CLI's)");
  cmd->add_option("--tile-cache-mb", o->tileCacheMb,
                  "encoded tiles kept in memory, MB (default 256; 0: render every request)");
  cmd->add_option("--tile-seed-zoom", o->tileSeedZoom,
                  "at start, draw and keep the tiles of zooms 0..Z over each token's grids "
                  "(default 14; -1: none), up to half of --tile-cache-mb")
      ->check(CLI::Range(-1, kMaxSeedZoom));
  cmd->add_option("--cors", o->cors,
                  "web pages that may read the answers: '*' (default: any origin; a page still "
                  "needs a token), 'off', or origins such as https://map.example.org, "
                  "comma-separated");
  auto* write = cmd->add_flag("--write", o->write,
                              "postgresql:// only: be the database's case writer, or fail when "
                              "another server is (default: follow it then, and take over when "
                              "it goes)");
  cmd->add_flag("--follow", o->follow,
                "postgresql:// only: follow the database's case writer, serve reads only and "
                "never become the writer")
      ->excludes(write);
  cmd->add_flag("!--no-geocode-cases", o->geocodeCases,
                "cases: no geocoder (an address alone waits to be located by hand)");
  cmd->callback([cmd, o, &exitCode] { exitCode = run(*o, *cmd); });
}

}  // namespace gridtwin::cli
