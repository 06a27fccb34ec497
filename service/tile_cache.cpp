#include "tile_cache.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "metrics.h"
#include "tiles/tile_math.h"

namespace gridtwin::service {
namespace {

// What an entry costs besides its tile and key: the list node, the map node
// and the shared string's control block, rounded up (64-bit libstdc++).
constexpr std::size_t kEntryOverhead = 256;

}  // namespace

TileCache::TileCache(const query::EventLog& log, std::size_t capacityBytes)
    : m_log(log), m_capacity(capacityBytes) {
  m_stats.capacityBytes = capacityBytes;
}

std::string TileCache::keyOf(int z, int x, int y, std::string_view layers,
                             const query::Access& access) {
  std::string k = std::to_string(z) + '/' + std::to_string(x) + '/' + std::to_string(y) + '?';
  k += layers;
  k += '|';
  k += query::name(access.role);
  k += '|';
  // The exact grid set: "all" is a set of its own (every grid of the district).
  if (access.scope.isAll()) {
    k += "all";
  } else {
    for (std::uint32_t g : access.scope.grids()) {
      k += std::to_string(g);
      k += ',';
    }
  }
  return k;
}

bool TileCache::reachedSince(const Entry& e, std::uint64_t now) const {
  auto reaches = [&](const query::LiveEvent& ev) {
    // No point (located by hand): not drawn today, but dropped all the same.
    if (!std::isfinite(ev.lonlat.x) || !std::isfinite(ev.lonlat.y)) return true;
    const tiles::TileId t = tiles::tileAt(ev.lonlat, e.z);
    // Columns wrap at the antimeridian (the buffer reaches across it); rows do not.
    const int dx = std::abs(t.x - e.x);
    const int columns = 1 << e.z;
    return std::min(dx, columns - dx) <= 1 && std::abs(t.y - e.y) <= 1;
  };
  for (std::uint64_t i = e.seen; i < now; ++i) {
    if (reaches(m_log[i])) return true;
    // A status change: the entry it supersedes leaves the tiles at its own
    // point (the same point for every status change the intake makes, but
    // the log does not promise it).
    const std::uint64_t old = m_log.supersedes(i);
    if (old != query::EventLog::kNone && reaches(m_log[old])) return true;
  }
  return false;
}

void TileCache::drop(Lru::iterator it) {
  m_stats.bytes -= it->bytes;
  --m_stats.entries;
  m_index.erase(std::string_view(it->key));
  m_lru.erase(it);
}

TileCache::Tile TileCache::find(const std::string& key, int z, int x, int y) {
  const std::uint64_t now = m_log.size();
  std::lock_guard lock(m_mutex);
  const auto found = m_index.find(std::string_view(key));
  if (found == m_index.end()) {
    ++m_stats.misses;
    return nullptr;
  }
  const Lru::iterator it = found->second;
  if (it->z != z || it->x != x || it->y != y) {  // the key names z/x/y: never
    ++m_stats.misses;
    return nullptr;
  }
  if (reachedSince(*it, now)) {
    drop(it);
    ++m_stats.invalidated;
    ++m_stats.misses;
    return nullptr;
  }
  it->seen = std::max(it->seen, now);
  m_lru.splice(m_lru.begin(), m_lru, it);
  ++m_stats.hits;
  return it->tile;
}

void TileCache::insert(const std::string& key, int z, int x, int y, std::string mvt,
                       std::uint64_t mark) {
  const std::size_t bytes = mvt.size() + 2 * key.size() + kEntryOverhead;
  if (bytes > m_capacity) return;
  auto tile = std::make_shared<const std::string>(std::move(mvt));
  std::lock_guard lock(m_mutex);
  if (const auto old = m_index.find(std::string_view(key)); old != m_index.end()) {
    drop(old->second);
  }
  while (m_stats.bytes + bytes > m_capacity && !m_lru.empty()) {
    drop(std::prev(m_lru.end()));
    ++m_stats.evicted;
  }
  m_lru.push_front(Entry{key, z, x, y, std::move(tile), mark, bytes});
  m_index.emplace(std::string_view(m_lru.front().key), m_lru.begin());
  m_stats.bytes += bytes;
  ++m_stats.entries;
}

TileCache::Stats TileCache::stats() const {
  std::lock_guard lock(m_mutex);
  return m_stats;
}

std::string TileCache::metricsText() const {
  const Stats s = stats();
  std::string out;
  appendMetric(out, "gridtwin_tile_cache_hits_total", "counter",
               "Tiles answered from the tile cache.", s.hits);
  appendMetric(out, "gridtwin_tile_cache_misses_total", "counter",
               "Tiles rendered: not held, or dropped by a live event.", s.misses);
  appendMetric(out, "gridtwin_tile_cache_invalidated_total", "counter",
               "Cached tiles dropped because a live event since their render reaches them.",
               s.invalidated);
  appendMetric(out, "gridtwin_tile_cache_evicted_total", "counter",
               "Cached tiles dropped for room (LRU).", s.evicted);
  appendMetric(out, "gridtwin_tile_cache_bytes", "gauge", "Bytes held by the tile cache.", s.bytes);
  appendMetric(out, "gridtwin_tile_cache_entries", "gauge", "Tiles held by the tile cache.",
               s.entries);
  appendMetric(out, "gridtwin_tile_cache_capacity_bytes", "gauge",
               "The tile cache's bound (--tile-cache-mb; 0: off).", s.capacityBytes);
  return out;
}

}  // namespace gridtwin::service
