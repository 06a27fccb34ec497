// service::TileCache (service/tile_cache.h) over a bare query::EventLog:
// what a live event drops (its tile and the 8 around it, or everything when
// it has no point; a status change: the tiles of its new and its old
// entry), the byte bound, and readers racing a writer (never a tile older
// than the log they saw, status changes included; also meant for
// ThreadSanitizer).
#include "tile_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "query/event_log.h"
#include "tiles/tile_math.h"

namespace {

namespace svc = gridtwin::service;
namespace query = gridtwin::query;
namespace tiles = gridtwin::tiles;
using gridtwin::geo::Point;

// The lon,lat at the centre of a tile.
Point centreOf(const tiles::TileId& t) {
  const auto b = tiles::tileLonLatBounds(t);
  return {(b.minx + b.maxx) / 2, (b.miny + b.maxy) / 2};
}

// A new event (ids never repeat: an id already in the log would supersede
// that event's entry, a status change).
void report(query::EventLog& log, const Point& lonlat) {
  static std::atomic<std::int64_t> next{1};
  query::LiveEvent e;
  e.id = next++;
  e.lonlat = lonlat;
  ASSERT_TRUE(log.append(e).ok());
}

// A status change of event `id`: its entry again, superseding the earlier one.
void change(query::EventLog& log, std::int64_t id, gridtwin::model::EventStatus status,
            const Point& lonlat) {
  query::LiveEvent e;
  e.id = id;
  e.status = status;
  e.lonlat = lonlat;
  ASSERT_TRUE(log.append(e).ok());
}

const std::string kKey = "14/13339/7114?|district|all";
const tiles::TileId kTile{14, 13339, 7114};

TEST(TileCache, EventInTheTileOrANeighbourDropsItAndFartherDoesNot) {
  query::EventLog log;
  svc::TileCache cache(log, 1 << 20);
  cache.insert(kKey, kTile.z, kTile.x, kTile.y, "tile", cache.mark());
  ASSERT_NE(cache.find(kKey, kTile.z, kTile.x, kTile.y), nullptr);
  // Two tiles away, at the same zoom: the buffer cannot reach it.
  report(log, centreOf({14, kTile.x + 2, kTile.y}));
  report(log, centreOf({14, kTile.x, kTile.y - 2}));
  ASSERT_NE(cache.find(kKey, kTile.z, kTile.x, kTile.y), nullptr);
  // A diagonal neighbour: within the block, dropped.
  report(log, centreOf({14, kTile.x + 1, kTile.y + 1}));
  EXPECT_EQ(cache.find(kKey, kTile.z, kTile.x, kTile.y), nullptr);
  EXPECT_EQ(cache.stats().invalidated, 1u);
  EXPECT_EQ(cache.stats().entries, 0u);
  // Inside it, at a coarser zoom's key: dropped as well.
  const tiles::TileId z10 = tiles::tileAt(centreOf(kTile), 10);
  cache.insert("z10", 10, z10.x, z10.y, "coarse", cache.mark());
  report(log, centreOf(kTile));
  EXPECT_EQ(cache.find("z10", 10, z10.x, z10.y), nullptr);
}

TEST(TileCache, NeighbourAcrossTheAntimeridianDropsIt) {
  query::EventLog log;
  svc::TileCache cache(log, 1 << 20);
  cache.insert("east", 5, 31, 10, "tile", cache.mark());
  report(log, centreOf({5, 0, 10}));
  EXPECT_EQ(cache.find("east", 5, 31, 10), nullptr);
}

TEST(TileCache, EventWithoutAPointDropsEveryTile) {
  query::EventLog log;
  svc::TileCache cache(log, 1 << 20);
  cache.insert(kKey, kTile.z, kTile.x, kTile.y, "tile", cache.mark());
  cache.insert("0/0/0", 0, 0, 0, "", cache.mark());  // a 204
  const auto empty = cache.find("0/0/0", 0, 0, 0);
  ASSERT_NE(empty, nullptr);
  EXPECT_TRUE(empty->empty());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  report(log, {nan, nan});
  EXPECT_EQ(cache.find(kKey, kTile.z, kTile.x, kTile.y), nullptr);
  EXPECT_EQ(cache.find("0/0/0", 0, 0, 0), nullptr);
}

TEST(TileCache, TileRenderedBeforeAnEventIsCheckedAgainstIt) {
  // The mark is taken before the render: an event appended during the
  // render is checked at the next look-up.
  query::EventLog log;
  svc::TileCache cache(log, 1 << 20);
  const auto mark = cache.mark();
  report(log, centreOf(kTile));
  cache.insert(kKey, kTile.z, kTile.x, kTile.y, "rendered before the event", mark);
  EXPECT_EQ(cache.find(kKey, kTile.z, kTile.x, kTile.y), nullptr);
}

TEST(TileCache, AStatusChangeDropsTheTilesAroundItsEvent) {
  query::EventLog log;
  svc::TileCache cache(log, 1 << 20);
  const std::int64_t id = -1;  // not one report() hands out
  change(log, id, gridtwin::model::EventStatus::kReported, centreOf(kTile));
  cache.insert(kKey, kTile.z, kTile.x, kTile.y, "reported", cache.mark());
  ASSERT_NE(cache.find(kKey, kTile.z, kTile.x, kTile.y), nullptr);
  change(log, id, gridtwin::model::EventStatus::kClosed, centreOf(kTile));
  ASSERT_EQ(log.supersedes(1), 0u);
  EXPECT_EQ(cache.find(kKey, kTile.z, kTile.x, kTile.y), nullptr);
  EXPECT_EQ(cache.stats().invalidated, 1u);
}

TEST(TileCache, AStatusChangeAtAnotherPointDropsTheTileItLeaves) {
  // The intake keeps an event's point across status changes; the log does
  // not promise it, so the entry superseded is checked too.
  query::EventLog log;
  svc::TileCache cache(log, 1 << 20);
  const std::int64_t id = -2;
  change(log, id, gridtwin::model::EventStatus::kReported, centreOf(kTile));
  cache.insert(kKey, kTile.z, kTile.x, kTile.y, "reported here", cache.mark());
  change(log, id, gridtwin::model::EventStatus::kHandling, centreOf({14, kTile.x + 5, kTile.y}));
  EXPECT_EQ(cache.find(kKey, kTile.z, kTile.x, kTile.y), nullptr);
}

TEST(TileCache, LeastRecentlyUsedGoesFirstWithinTheBound) {
  query::EventLog log;
  const std::string big(1000, 'x');
  const std::size_t bound = 4 * (big.size() + 400);
  svc::TileCache cache(log, bound);
  for (int i = 0; i < 3; ++i) cache.insert("k" + std::to_string(i), 14, i, 0, big, cache.mark());
  ASSERT_NE(cache.find("k0", 14, 0, 0), nullptr);  // k1 is now the oldest
  for (int i = 3; i < 40; ++i) {
    cache.insert("k" + std::to_string(i), 14, i, 0, big, cache.mark());
    EXPECT_LE(cache.stats().bytes, bound);
  }
  EXPECT_EQ(cache.find("k1", 14, 1, 0), nullptr);
  EXPECT_NE(cache.find("k39", 14, 39, 0), nullptr);
  EXPECT_GT(cache.stats().evicted, 0u);
  // Larger than the whole bound: not kept.
  cache.insert("huge", 14, 0, 1, std::string(bound, 'y'), cache.mark());
  EXPECT_EQ(cache.find("huge", 14, 0, 1), nullptr);
}

TEST(TileCache, ZeroBytesKeepsNothing) {
  query::EventLog log;
  svc::TileCache cache(log, 0);
  cache.insert(kKey, kTile.z, kTile.x, kTile.y, "", cache.mark());
  EXPECT_EQ(cache.find(kKey, kTile.z, kTile.x, kTile.y), nullptr);
  EXPECT_EQ(cache.stats().bytes, 0u);
}

// Waits (at most 10 s) until the readers have had one more hit than `hits`
// held at the call: on a loaded machine the writer could otherwise finish
// before any reader finds a tile still valid, and the race would test
// nothing.
void waitForAHit(const std::atomic<int>& hits) {
  const int seen = hits.load();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (hits.load() <= seen && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
}

// Readers render a "tile" as the count of events in it, cache it and read it
// back while a writer reports events into the same tiles: a hit never
// counts fewer events than the log held before the look-up.
TEST(TileCache, ReadersRacingAWriterNeverGetAStaleTile) {
  query::EventLog log;
  svc::TileCache cache(log, 64 * 1024);
  constexpr int kTiles = 4;
  const auto render = [&log](int x, std::uint64_t upTo) {
    std::size_t n = 0;
    for (std::uint64_t i = 0; i < upTo; ++i) {
      if (tiles::tileAt(log[i].lonlat, 14) == tiles::TileId{14, kTile.x + 3 * x, kTile.y}) ++n;
    }
    return n;
  };
  std::atomic<bool> stop{false};
  std::atomic<int> stale{0}, hits{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&, r] {
      for (int i = 0; !stop.load(); ++i) {
        const int x = (i + r) % kTiles;
        const int tx = kTile.x + 3 * x;
        const std::string key = "t" + std::to_string(x);
        const std::uint64_t before = log.size();
        if (auto held = cache.find(key, 14, tx, kTile.y)) {
          ++hits;
          if (std::stoul(*held) < render(x, before)) ++stale;
          continue;
        }
        const auto mark = cache.mark();
        cache.insert(key, 14, tx, kTile.y, std::to_string(render(x, log.size())), mark);
      }
    });
  }
  for (int i = 0; i < 2000; ++i) {
    report(log, centreOf({14, kTile.x + 3 * (i % kTiles), kTile.y}));
    if (i % 250 == 0) waitForAHit(hits);
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(stale.load(), 0);
  EXPECT_GT(hits.load(), 0);
}

// As above, with status changes: a "tile" is the count of its events closed
// in the prefix it was rendered from (each event once, at its latest
// status); the writer reports events and later closes them, so the count
// only grows and a hit must never be below the log before the look-up.
TEST(TileCache, ReadersRacingStatusChangesNeverGetAStaleTile) {
  query::EventLog log;
  svc::TileCache cache(log, 64 * 1024);
  constexpr int kTiles = 4;
  const auto render = [&log](int x, std::uint64_t upTo) {
    std::size_t n = 0;
    for (std::uint64_t i = 0; i < upTo; ++i) {
      if (!log.current(i, upTo) || log[i].status != gridtwin::model::EventStatus::kClosed) continue;
      if (tiles::tileAt(log[i].lonlat, 14) == tiles::TileId{14, kTile.x + 3 * x, kTile.y}) ++n;
    }
    return n;
  };
  std::atomic<bool> stop{false};
  std::atomic<int> stale{0}, hits{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&, r] {
      for (int i = 0; !stop.load(); ++i) {
        const int x = (i + r) % kTiles;
        const int tx = kTile.x + 3 * x;
        const std::string key = "c" + std::to_string(x);
        const std::uint64_t before = log.size();
        if (auto held = cache.find(key, 14, tx, kTile.y)) {
          ++hits;
          if (std::stoul(*held) < render(x, before)) ++stale;
          continue;
        }
        const auto mark = cache.mark();
        cache.insert(key, 14, tx, kTile.y, std::to_string(render(x, log.size())), mark);
      }
    });
  }
  constexpr std::int64_t kFirstId = 1000000;  // above every id report() hands out here
  for (int i = 0; i < 1000; ++i) {
    const Point at = centreOf({14, kTile.x + 3 * (i % kTiles), kTile.y});
    change(log, kFirstId + i, gridtwin::model::EventStatus::kReported, at);
    // Close the event reported four appends ago (same tile: i % kTiles).
    if (i >= kTiles) change(log, kFirstId + i - kTiles, gridtwin::model::EventStatus::kClosed, at);
    if (i % 250 == 0) waitForAHit(hits);
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(stale.load(), 0);
  EXPECT_GT(hits.load(), 0);
}

}  // namespace
