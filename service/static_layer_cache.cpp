#include "static_layer_cache.h"

#include <iterator>

#include "metrics.h"

namespace gridtwin::service {
namespace {

// What an entry costs besides its bytes and key: the list and map nodes,
// the vector and its control block, and each layer's name and flags,
// rounded up (64-bit libstdc++).
constexpr std::size_t kEntryOverhead = 256;
constexpr std::size_t kLayerOverhead = 96;

}  // namespace

StaticLayerCache::StaticLayerCache(std::size_t capacityBytes) : m_capacity(capacityBytes) {}

StaticLayerCache::Layers StaticLayerCache::find(const std::string& key) {
  std::lock_guard lock(m_mutex);
  const auto found = m_index.find(std::string_view(key));
  if (found == m_index.end()) {
    ++m_stats.misses;
    return nullptr;
  }
  m_lru.splice(m_lru.begin(), m_lru, found->second);
  ++m_stats.hits;
  return found->second->layers;
}

void StaticLayerCache::insert(const std::string& key,
                              const std::vector<tiles::RenderedLayer>& layers) {
  auto kept = std::make_shared<std::vector<tiles::RenderedLayer>>();
  kept->reserve(layers.size());
  std::size_t bytes = 2 * key.size() + kEntryOverhead;
  for (const tiles::RenderedLayer& l : layers) {
    if (l.live || !l.rendered) {
      kept->push_back(tiles::RenderedLayer{l.name, l.live, false, {}, 0});
    } else {
      kept->push_back(l);
    }
    bytes += kLayerOverhead + l.name.size() + kept->back().mvt.size();
  }
  if (bytes > m_capacity) return;
  std::lock_guard lock(m_mutex);
  if (const auto old = m_index.find(std::string_view(key)); old != m_index.end()) {
    drop(old->second);
  }
  while (m_stats.bytes + bytes > m_capacity && !m_lru.empty()) {
    drop(std::prev(m_lru.end()));
    ++m_stats.evicted;
  }
  m_lru.push_front(Entry{key, std::move(kept), bytes});
  m_index.emplace(std::string_view(m_lru.front().key), m_lru.begin());
  m_stats.bytes += bytes;
  ++m_stats.entries;
}

bool StaticLayerCache::merge(const std::vector<tiles::RenderedLayer>& held,
                             std::vector<tiles::RenderedLayer>& live) {
  if (held.size() != live.size()) return false;
  for (std::size_t i = 0; i < held.size(); ++i) {
    if (held[i].name != live[i].name || held[i].live != live[i].live) return false;
    if (!live[i].live && (live[i].rendered || !held[i].rendered)) return false;
  }
  for (std::size_t i = 0; i < held.size(); ++i) {
    if (!live[i].live) live[i] = held[i];
  }
  return true;
}

void StaticLayerCache::drop(Lru::iterator it) {
  m_stats.bytes -= it->bytes;
  --m_stats.entries;
  m_index.erase(std::string_view(it->key));
  m_lru.erase(it);
}

StaticLayerCache::Stats StaticLayerCache::stats() const {
  std::lock_guard lock(m_mutex);
  return m_stats;
}

std::string StaticLayerCache::metricsText() const {
  const Stats s = stats();
  std::string out;
  appendMetric(out, "gridtwin_tile_static_hits_total", "counter",
               "Tiles rendered with their static layers' bytes held (only the event layers drawn).",
               s.hits);
  appendMetric(out, "gridtwin_tile_static_misses_total", "counter",
               "Tiles rendered whole (their static layers not held).", s.misses);
  appendMetric(out, "gridtwin_tile_static_evicted_total", "counter",
               "Static layer entries dropped for room.", s.evicted);
  appendMetric(out, "gridtwin_tile_static_bytes", "gauge", "Bytes held by the static layer cache.",
               s.bytes);
  appendMetric(out, "gridtwin_tile_static_entries", "gauge", "Tiles whose static layers are held.",
               s.entries);
  return out;
}

}  // namespace gridtwin::service
