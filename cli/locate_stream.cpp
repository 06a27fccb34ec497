// The streaming part of `gridtwin locate` (locate_stream.h; what it does and
// why it is fast: locate_command.cpp's header comment).
#include "locate_stream.h"

#include <sys/stat.h>

#include <atomic>
#include <iostream>
#include <memory>
#include <thread>

#include "core/csv.h"
#include "io.h"
#include "point_stream.h"
#include "query/query.h"
#include "query/records.h"
#include "query/spatial.h"

namespace gridtwin::cli {
namespace {

// "gridtwin locate: <message>" on stderr, as qs::fail (query_support.h) says it.
int fail(int exitCode, const std::string& message) {
  std::cerr << "gridtwin locate: " << message << '\n';
  return exitCode;
}

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
    return "," + grid + ',' + core::csvField(gridName) + ',' + community + ',' +
           core::csvField(communityName) + ',' + street + ',' + core::csvField(streetName) + ',' +
           core::csvField(head) + ',' + phone + '\n';
  }
  auto opt = [](const std::string& s) { return s.empty() ? std::string("null") : jsonQuote(s); };
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

}  // namespace

int streamLocate(const query::Twin& twin, const query::Access& access,
                 const crs::Transformer& toMetric, const std::string& formatName,
                 const std::string& input) {
  const Format format = formatName == "csv"     ? Format::kCsv
                        : formatName == "jsonl" ? Format::kJsonl
                                                : Format::kJson;
  // One transformer per worker (clones: no second database look-up).
  const unsigned workers = stream::workerCount();
  std::vector<LocateWorker> state;
  for (unsigned i = 0; i < workers; ++i) {
    auto t = toMetric.clone();
    if (!t) return fail(2, "--crs: " + t.error().toString());
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
  if ((toMetric.from() == crs::kCgcs2000 || toMetric.from() == crs::kWgs84) &&
      worthShortcut(input)) {
    if (auto t = toMetric.clone()) {  // else every point takes the usual path
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
  auto reader = stream::ChunkReader::open(input);
  core::Result<void> r;
  if (!reader) r = reader.takeError();
  if (reader)
    r = stream::run(
        *reader, workers,
        [&](unsigned w, const stream::Chunk& chunk, stream::ChunkOutput& out) {
          locateChunk(twin, access, ready.load(std::memory_order_acquire), format, state[w], chunk,
                      out);
        },
        [&](std::string_view text) {
          if (text.empty()) return;
          if (format == Format::kJson && first) text.remove_prefix(1);  // the first element's comma
          first = false;
          std::cout.write(text.data(), static_cast<std::streamsize>(text.size()));
        });
  if (format == Format::kJson) std::cout << (first ? "]\n" : "\n]\n");
  std::cout.flush();
  if (!r) return fail(1, r.error().toString());
  return 0;
}

}  // namespace gridtwin::cli
