#pragma once
// The routes of the tiles and cases modules on the service's Router
// (README.md: Routes, Who may post cases).
//
//   TileRoutes tiles(twin, gpkgPath);   // the TileSource is built on first use
//                                       // (3rd argument: the tile cache's bytes)
//   tiles.addRoutes(router);            // /tiles/{z}/{x}/{y}.mvt, /tiles.json
//   CaseRoutes cases(*intake, hubPtr);  // sets the intake's listener → hub
//   cases.addRoutes(router);            // /cases, /cases/{id}
//
// Thread-safety: the routes may run on any number of threads at once. Both
// objects must outlive the server; the twin and the intake must outlive them.
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>

#include "cases/intake.h"
#include "core/error.h"
#include "event_hub.h"
#include "http.h"
#include "query/twin.h"
#include "static_layer_cache.h"
#include "tile_cache.h"
#include "tiles/render.h"

namespace gridtwin::service {

class TileRoutes {
 public:
  // The tile cache's default bound: the densest z14 tile at full scale is
  // ~0.9 MB and z10-z13 tiles there 1.7-6.7 MB, so a few hundred of the
  // busiest tiles of every zoom (service/README.md, "Tile cache").
  static constexpr std::size_t kDefaultCacheBytes = std::size_t{256} << 20;

  // `gpkgPath`: the GeoPackage whose lyr_* tables are the catalogue layers
  // (empty: base layers only). `cacheBytes`: the bound of the encoded tiles
  // kept (tile_cache.h); 0 renders every request.
  TileRoutes(const query::Twin& twin, std::string gpkgPath,
             std::size_t cacheBytes = kDefaultCacheBytes);
  void addRoutes(Router& router);
  // The tile cache's lines for /metrics (hits, misses, bytes; capacity 0
  // when off).
  std::string metricsText() const;
  // The one TileSource of the twin, built on the first call (thread-safe);
  // its build error is kept and answered every time.
  core::Result<const tiles::TileSource*> source();
  // Seeding: draws and keeps (both caches) every tile of zooms maxZoom down
  // to 0 over the grids each of `scopes` may see (base layers, the layers
  // parameter absent), each scope once, until `stop` is requested or the
  // tile cache holds half its bound; the first request of a seeded tile is
  // then a hit, and one after a case draws only its event layers. Runs on
  // the calling thread (serve: beside the start, after the source); a
  // request racing it only renders a tile twice. Returns the tiles kept.
  std::size_t seed(const std::vector<query::Access>& scopes, int maxZoom,
                   const std::stop_token& stop = {});

 private:
  const query::Twin& m_twin;
  std::string m_gpkgPath;
  std::mutex m_mutex;
  std::unique_ptr<tiles::TileSource> m_source;
  std::optional<core::Error> m_failure;
  std::unique_ptr<TileCache> m_cache;  // null when off
  // The static layers' bytes per tile key, with the same bound (null when
  // the cache is off): a tile dropped by a case is then encoded again only
  // in its event layers.
  std::unique_ptr<StaticLayerCache> m_static;
};

class CaseRoutes {
 public:
  // Sets `intake`'s listener: each new or changed case goes to the hub's
  // subscribers who may see it (Intake::visible), as event "case".
  CaseRoutes(cases::Intake& intake, std::shared_ptr<EventHub> hub);
  void addRoutes(Router& router);

 private:
  cases::Intake& m_intake;
  std::shared_ptr<EventHub> m_hub;
};

}  // namespace gridtwin::service
