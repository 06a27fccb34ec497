// gridtwin locate <dataset> [file] [--crs CRS] [--format json|jsonl|csv]
//                 [--role R] [--scope S]
//
// Reads one "x,y" point per line (as gridtwin transform does; blank lines and
// '#' lines are skipped) in --crs (default EPSG:4490) and answers, per point,
// the grid that owns it (the lowest-code rule on shared edges), its community
// and street, and the grid's station head. A point covered by no grid gets
// null fields, not an error; a point outside its CRS's domain (a longitude
// of 473.1, degrees read as EPSG:4547 metres) is bad input, never wrapped.
// The admin geography is public; the station head's phone is masked for
// roles that may not see staff phones (engine/query/access.h).
//
// Exit codes: 0 ok; 1 bad input (the message names the input and line:
// "stdin:3: expected 'x,y', got 'nan,1'"); 2 usage.
//
// Streaming (point_stream.h): the input in big chunks, one worker per core
// parsing, transforming (Transformer::transformStream: a batch at a time)
// and answering its chunk into a buffer; the buffers written in input order.
// CGCS2000/WGS84 points that a lon/lat raster cell decides whole skip the
// transform (query::SourceLocator, index/source_shortcut.h).
// A grid's answer after "x", "y" is formatted once per worker; "x" and "y"
// are the user's own digits when they are already the shortest text of the
// number (stream::appendEcho), so no number is formatted per point. The dataset
// is opened for the grids alone: from a valid snapshot only the admin
// geography and the staff are read (Twin::Options::adminOnly).
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <iostream>
#include <memory>
#include <thread>

#include "commands.h"
#include "io.h"
#include "point_stream.h"
#include "query_support.h"

namespace gridtwin::cli {
namespace {

struct LocateOptions {
  std::string dataset;
  std::string input;
  std::string crs = "EPSG:4490";
  std::string format = "json";
  qs::AccessOptions access;
};

// The text after "y" of a point's answer, the same for every point of a
// grid: ', "grid": ..., "station_head_phone": ...}' (JSON) or
// ',grid,...,phone\n' (CSV).
std::string answerTail(const query::Twin& twin, const query::Access& access,
                       const query::Placement& p, bool csv) {
  const auto& c = twin.district().columns();
  std::string grid, gridName, community, communityName, street, streetName, head, phone;
  if (p.grid >= 0) {
    const auto g = static_cast<std::size_t>(p.grid);
    grid = c.grids.code[g];
    gridName = c.grids.name[g];
    community = c.communities.code[static_cast<std::size_t>(p.community)];
    communityName = c.communities.name[static_cast<std::size_t>(p.community)];
    street = c.streets.code[static_cast<std::size_t>(p.street)];
    streetName = c.streets.name[static_cast<std::size_t>(p.street)];
    if (p.stationHead >= 0) {
      const auto s = query::viewStaff(twin, access, static_cast<std::uint32_t>(p.stationHead));
      head = s.name;
      phone = s.phone;
    }
  }
  if (csv) {
    return "," + grid + ',' + qs::csv(gridName) + ',' + community + ',' + qs::csv(communityName) +
           ',' + street + ',' + qs::csv(streetName) + ',' + qs::csv(head) + ',' + phone + '\n';
  }
  auto opt = [](const std::string& s) { return s.empty() ? std::string("null") : qs::json(s); };
  return ", \"grid\": " + opt(grid) + ", \"grid_name\": " + opt(gridName) +
         ", \"community\": " + opt(community) + ", \"community_name\": " + opt(communityName) +
         ", \"street\": " + opt(street) + ", \"street_name\": " + opt(streetName) +
         ", \"station_head\": " + opt(head) + ", \"station_head_phone\": " + opt(phone) + "}";
}

// One worker's state: its own transformer (not thread-safe), its buffers
// and the answer tails of the grids it has met (index grid + 1; 0: outside).
struct LocateWorker {
  crs::Transformer toMetric;
  std::vector<long> lines;
  std::vector<geo::Point> in, xy;
  std::vector<std::string_view> xText, yText;  // the fields of `in`, in the chunk's text
  std::vector<std::string> tails;
  std::vector<std::int32_t> grid;  // each point's grid (or -1), once known
  std::vector<std::size_t> slow;   // points the shortcut left undecided
  std::vector<geo::Point> slowIn;  // ... and their coordinates
};

enum class Format { kJson, kJsonl, kCsv };

// Whether the input is big enough for the shortcut (query::SourceLocator)
// to be worth building (10-15 ms of CPU on the full district, ~80% of
// points then skip a transform of ~0.1 us): a regular file of at least
// 1 MiB (~45,000 lines), or a pipe or socket, whose size is unknown. Not an
// empty, small or terminal input.
bool worthShortcut(const std::string& path) {
  struct stat st {};
  const int r = path.empty() || path == "-" ? ::fstat(0, &st) : ::stat(path.c_str(), &st);
  if (r != 0) return false;
  if (S_ISREG(st.st_mode)) return st.st_size >= (off_t{1} << 20);
  return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
}

// The answers of one chunk's lines, up to the first bad one. A JSON array
// element always starts with ",\n  "; the writer drops the comma of the
// first one.
void locateChunk(const query::Twin& twin, const query::Access& access,
                 const query::SourceLocator* shortcut, Format format, LocateWorker& w,
                 const stream::Chunk& chunk, stream::ChunkOutput& out) {
  w.lines.clear();
  w.in.clear();
  w.xText.clear();
  w.yText.clear();
  stream::forEachLineOf(chunk, [&](std::string_view line, long number) {
    const std::string_view content = stream::trim(line);
    if (content.empty() || content.front() == '#') return true;
    double x, y;
    std::string_view xText, yText;
    if (!stream::parsePoint(content, x, y, xText, yText)) {
      out.error = core::makeError(core::ErrorCode::kSyntax,
                                  "expected 'x,y' (finite numbers), got " + quoteInput(line));
      out.errorLine = number;
      return false;
    }
    w.lines.push_back(number);
    w.in.push_back({x, y});
    w.xText.push_back(xText);
    w.yText.push_back(yText);
    return true;
  });
  // Batched: the grids the shortcut decides from the points as given, then
  // the CRS transform of the rest, their grids, and the answers. A point the
  // transform refuses comes before any parse error (its line is earlier);
  // the shortcut decides only points the transform takes.
  const std::size_t n = w.in.size();
  w.grid.resize(n);
  w.slow.clear();
  w.slowIn.clear();
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t g = shortcut ? shortcut->find(w.in[i]) : query::SourceLocator::kUndecided;
    w.grid[i] = g;
    if (g == query::SourceLocator::kUndecided) {
      w.slow.push_back(i);
      w.slowIn.push_back(w.in[i]);
    }
  }
  w.xy.resize(w.slowIn.size());
  std::size_t slowDone = 0, done = n;
  if (auto r = w.toMetric.transformStream(w.slowIn, w.xy, slowDone); !r) {
    done = w.slow[slowDone];
    out.error = r.takeError();
    out.errorLine = w.lines[done];
  }
  for (std::size_t k = 0; k < slowDone; ++k) w.grid[w.slow[k]] = twin.locator().find(w.xy[k]);
  out.text.reserve(done * (format == Format::kCsv ? 160 : 320));
  for (std::size_t i = 0; i < done; ++i) {
    std::string& tail = w.tails[static_cast<std::size_t>(w.grid[i] + 1)];
    if (tail.empty()) {
      tail = answerTail(twin, access, query::placeGrid(twin, w.grid[i]), format == Format::kCsv);
    }
    if (format == Format::kCsv) {
      stream::appendInt(out.text, w.lines[i]);
      out.text += ',';
      stream::appendEcho(out.text, w.xText[i], w.in[i].x);
      out.text += ',';
      stream::appendEcho(out.text, w.yText[i], w.in[i].y);
      out.text += tail;
      continue;
    }
    out.text += format == Format::kJson ? ",\n  {\"line\": " : "{\"line\": ";
    stream::appendInt(out.text, w.lines[i]);
    out.text += ", \"x\": ";
    stream::appendEcho(out.text, w.xText[i], w.in[i].x);
    out.text += ", \"y\": ";
    stream::appendEcho(out.text, w.yText[i], w.in[i].y);
    out.text += tail;
    if (format == Format::kJsonl) out.text += '\n';
  }
}

int runLocate(const LocateOptions& o) {
  qs::ToMetric toMetric;
  if (auto f = toMetric.init(o.crs)) return qs::fail("locate", *f);
  // Only the grids, their links and their heads: the registers of records
  // stay unread (Twin::Options::adminOnly).
  query::Twin::Options twinOptions;
  twinOptions.adminOnly = true;
  qs::Opened opened;
  if (auto f = qs::openTwin(o.dataset, o.access, opened, twinOptions)) {
    return qs::fail("locate", *f);
  }
  const query::Twin& twin = *opened.twin;
  const Format format = o.format == "csv"     ? Format::kCsv
                        : o.format == "jsonl" ? Format::kJsonl
                                              : Format::kJson;
  // One transformer per worker (clones: no second database look-up).
  const unsigned workers = stream::workerCount();
  std::vector<LocateWorker> state;
  for (unsigned i = 0; i < workers; ++i) {
    auto t = toMetric.transformer().clone();
    if (!t) return qs::fail("locate", {2, "--crs: " + t.error().toString()});
    state.push_back({std::move(*t), {}, {}, {}, {}, {}, {}, {}, {}, {}});
    state.back().tails.resize(twin.district().grids().size() + 1);
  }
  // Points in CGCS2000 (or WGS84, taken as equal) over the grids' own
  // lon/lat box: most are answered without the transform (SourceLocator).
  // It is built on a thread of its own (with its own transformer) while the
  // first chunks take the usual path; workers pick it up at their next
  // chunk. It changes no answer, only how soon they come. The thread is
  // joined (std::jthread) before `shortcut` and `ready` go.
  std::unique_ptr<query::SourceLocator> shortcut;
  std::atomic<const query::SourceLocator*> ready{nullptr};
  std::jthread builder;
  if ((toMetric.crs() == crs::kCgcs2000 || toMetric.crs() == crs::kWgs84) &&
      worthShortcut(o.input)) {
    if (auto t = toMetric.transformer().clone()) {  // else every point takes the usual path
      builder = std::jthread([&twin, &shortcut, &ready, t = std::move(*t)] {
        geo::Box box;
        for (const auto& p : twin.district().grids().shape.lonlat) box.expand(p);
        if (box.empty()) return;
        shortcut = twin.locator().sourceLocator(t, box);
        ready.store(shortcut.get(), std::memory_order_release);
      });
    }
  }
  if (format == Format::kCsv) {
    std::cout << "line,x,y,grid,grid_name,community,community_name,street,street_name,"
                 "station_head,station_head_phone\n";
  } else if (format == Format::kJson) {
    std::cout << "[";
  }
  bool first = true;
  auto reader = stream::ChunkReader::open(o.input);
  core::Result<void> r;
  if (!reader) r = reader.takeError();
  if (reader)
    r = stream::run(
        *reader, workers,
        [&](unsigned w, const stream::Chunk& chunk, stream::ChunkOutput& out) {
          locateChunk(twin, opened.access, ready.load(std::memory_order_acquire), format, state[w],
                      chunk, out);
        },
        [&](std::string_view text) {
          if (text.empty()) return;
          if (format == Format::kJson && first) text.remove_prefix(1);  // the first element's comma
          first = false;
          std::cout.write(text.data(), static_cast<std::streamsize>(text.size()));
        });
  if (format == Format::kJson) std::cout << (first ? "]\n" : "\n]\n");
  std::cout.flush();
  if (!r) return qs::fail("locate", {1, r.error().toString()});
  return 0;
}

}  // namespace

void addLocateCommand(CLI::App& app, int& exitCode) {
  auto* cmd = app.add_subcommand(
      "locate", "Which grid, community and street own each x,y point (one per line)");
  auto o = std::make_shared<LocateOptions>();
  cmd->add_option("dataset", o->dataset, "Dataset GeoPackage")->required();
  cmd->add_option("file", o->input, "input file of x,y lines (default or '-': stdin)");
  cmd->add_option("--crs", o->crs,
                  "CRS of the points: EPSG:4490 (default), EPSG:4326, "
                  "EPSG:4547, GCJ02, BD09");
  cmd->add_option("--format", o->format, "json (default), jsonl or csv")
      ->check(CLI::IsMember({"json", "jsonl", "csv"}));
  qs::addAccessOptions(cmd, o->access);
  cmd->callback([o, &exitCode] { exitCode = runLocate(*o); });
}

}  // namespace gridtwin::cli
