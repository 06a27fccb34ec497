#pragma once
// StaticLayerCache: the encoded layers of a tile that do not change while
// the twin is served, kept per tile key, least recently used first out,
// bounded by bytes. Beside TileCache (tile_cache.h), which holds whole tiles
// and drops one whenever a live event lands in its 3x3 block: the route
// then draws only the live layers (events_<status>, events_closed_clusters:
// tiles::RenderedLayer::live) and puts these bytes in the other layers'
// places (tiles::TileSource::renderLayers), which is the tile a full render
// gives (tests/service/wire_test.cpp compares them).
//
// Never invalidated: what a static layer shows (grids, roads, buildings,
// facilities and their clusters, catalogue layers) is a function of the
// district, the catalogue (both read once) and the key, none of which
// changes while serving. Key: TileCache::keyOf (z/x/y, the layers parameter
// as given, role and exact grid set), so one scope never gets another's
// layers.
//
// Thread-safety: every member may be called from any number of threads; one
// mutex guards the map, the LRU list and the counters; the layers are
// shared and immutable.
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "tiles/render.h"

namespace gridtwin::service {

class StaticLayerCache {
 public:
  struct Stats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t evicted = 0;
    std::size_t bytes = 0;  // held now (layer bytes, the key and a fixed overhead each)
    std::size_t entries = 0;
  };
  // Every layer of one tile in order, the live ones without bytes
  // (rendered = false), as renderLayers(..., LayerPart::kLive) leaves the
  // static ones.
  using Layers = std::shared_ptr<const std::vector<tiles::RenderedLayer>>;

  // capacityBytes 0: nothing is ever kept.
  explicit StaticLayerCache(std::size_t capacityBytes);

  Layers find(const std::string& key);
  // Keeps the static layers of `layers` (a full renderLayers list); the
  // live ones' bytes are not kept. An entry larger than the capacity is not
  // kept.
  void insert(const std::string& key, const std::vector<tiles::RenderedLayer>& layers);

  // `live` (renderLayers(..., kLive) of the same key) with the held static
  // layers in their places; false, `live` untouched, when the two lists do
  // not name the same layers in the same order (never, for one key).
  static bool merge(const std::vector<tiles::RenderedLayer>& held,
                    std::vector<tiles::RenderedLayer>& live);

  Stats stats() const;
  // Prometheus text (gridtwin_tile_static_*).
  std::string metricsText() const;

 private:
  struct Entry {
    std::string key;
    Layers layers;
    std::size_t bytes = 0;
  };
  using Lru = std::list<Entry>;  // front: most recently used
  void drop(Lru::iterator it);

  const std::size_t m_capacity;
  mutable std::mutex m_mutex;
  Lru m_lru;
  std::unordered_map<std::string_view, Lru::iterator> m_index;  // views into Entry::key
  Stats m_stats;
};

}  // namespace gridtwin::service
