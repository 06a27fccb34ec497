#pragma once
// TileCache: encoded tiles kept in memory, least recently used first out,
// bounded by bytes (as Martin's tile cache). A tile of ours is a function of
// the district (never changes while serving), the catalogue layers (read
// once) and the twin's live event log (query/event_log.h, append-only: the
// only thing that changes what a tile shows: cases posted, or patched to a
// new status (a new entry superseding the event's earlier one), the journal
// replayed at start, anything that calls Twin::reportEvent or
// Twin::changeEventStatus). So an entry remembers how much of the log it was
// rendered from, and a look-up checks the entries appended since: one whose
// point, or the point of the entry it supersedes, lies in the tile or one of
// its 8 neighbours (the 64-unit buffer is a 64th of a tile, so the 3x3 block
// holds every tile it can reach at that zoom), or one without a point, drops
// the entry (invalidate more, never less); otherwise the entry is brought up
// to date. Checking on read, from
// the log itself, means no writer can be forgotten and no render can race
// an invalidation: the mark is taken before the render reads the log.
//
// Key: z/x/y, the layers asked for as given, and the caller's scope identity
// (role and exact grid set), so one scope never gets another's tile.
//
// Thread-safety: every member may be called from any number of threads; one
// mutex guards the map, the LRU list and the counters (a hit holds it for a
// map look-up and the log check; the bytes are shared, copied outside it).
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "query/access.h"
#include "query/event_log.h"

namespace gridtwin::service {

class TileCache {
 public:
  struct Stats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t invalidated = 0;  // entries dropped by a live event in their 3x3 block
    std::uint64_t evicted = 0;      // entries dropped for room
    std::size_t bytes = 0;          // held now (tiles, keys and a fixed overhead each)
    std::size_t entries = 0;
    std::size_t capacityBytes = 0;
  };
  // A cached answer: the tile's bytes, "" for a 204 (no feature).
  using Tile = std::shared_ptr<const std::string>;

  // `log` must outlive the cache. capacityBytes 0: nothing is ever kept.
  TileCache(const query::EventLog& log, std::size_t capacityBytes);

  // The key's text for a tile: z/x/y, the layers parameter and the scope.
  static std::string keyOf(int z, int x, int y, std::string_view layers,
                           const query::Access& access);

  // The log position to pass to insert(): take it before rendering.
  std::uint64_t mark() const { return m_log.size(); }
  // The tile, when held and no live event since its render can reach it.
  Tile find(const std::string& key, int z, int x, int y);
  // Keeps a tile rendered from the log up to at least `mark`; a tile larger
  // than the whole capacity is not kept.
  void insert(const std::string& key, int z, int x, int y, std::string mvt, std::uint64_t mark);

  Stats stats() const;
  // Prometheus text (gridtwin_tile_cache_*).
  std::string metricsText() const;

 private:
  struct Entry {
    std::string key;
    int z = 0, x = 0, y = 0;
    Tile tile;
    std::uint64_t seen = 0;  // log events below this were checked against the tile
    std::size_t bytes = 0;
  };
  using Lru = std::list<Entry>;  // front: most recently used
  bool reachedSince(const Entry& e, std::uint64_t now) const;
  void drop(Lru::iterator it);

  const query::EventLog& m_log;
  const std::size_t m_capacity;
  mutable std::mutex m_mutex;
  Lru m_lru;
  std::unordered_map<std::string_view, Lru::iterator> m_index;  // views into Entry::key
  Stats m_stats;
};

}  // namespace gridtwin::service
