#pragma once
// The twin over HTTP: the routes of `gridtwin serve` on a query::Twin —
// OGC API – Features (Part 1 Core, Part 2 CRS) over the base kinds and the
// catalogue layers, the engine's queries (locate, stats, near, geocode,
// grid report) as JSON, /health, /metrics and the /events/stream of live
// events. Every answer goes through the caller's Access (auth.h): rows
// outside the scope are left out, personal fields masked by the engine
// (query/records.h), and left out entirely for anonymous callers.
//
// Thread-safety: the routes may run on any number of threads at once.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "event_hub.h"
#include "http.h"
#include "query/twin.h"

namespace gridtwin::service {

class LayerStore;

class TwinService {
 public:
  // `layersPath`: the GeoPackage holding the catalogue layers' lyr_* tables
  // (the dataset itself; empty: the catalogue layers are not served).
  TwinService(std::shared_ptr<query::Twin> twin, std::string layersPath);
  ~TwinService();
  // Opens a GeoPackage dataset (postgresql://... URLs: the district from
  // PostGIS, catalogue layers read through GDAL's PG driver).
  static core::Result<std::unique_ptr<TwinService>> open(const std::string& dataset);

  // Adds every route (see README.md for the list). `server` answers
  // /metrics; it may be set after the routes are added (setServer).
  void addRoutes(Router& router);
  void setServer(const Server* server) { m_server = server; }
  // More lines for /metrics (e.g. TileRoutes::metricsText), called on each
  // request from any thread. Add them before the server starts.
  void addMetrics(std::function<std::string()> lines) { m_moreMetrics.push_back(std::move(lines)); }
  // More fields for /health (`"name": value` pairs, comma-separated), as
  // addMetrics.
  void addHealth(std::function<std::string()> fields) { m_moreHealth.push_back(std::move(fields)); }

  // The shared data folder (divisions, the address corpus) the geocoder
  // is built from on the first /geocode request.
  void setSharedData(std::string dir);

  query::Twin& twin() { return *m_twin; }
  EventHub& hub() { return *m_hub; }
  std::shared_ptr<EventHub> hubPtr() { return m_hub; }

  // Publishes each live event the twin's log gains (Twin::reportEvent) to
  // the hub, masked per subscriber; polls the log every `periodMs`.
  void startLiveEvents(int periodMs = 50);
  void stopLiveEvents();

  // The collection ids served, in /collections order.
  std::vector<std::string> collectionIds() const;

 private:
  struct Impl;
  std::shared_ptr<query::Twin> m_twin;
  std::shared_ptr<EventHub> m_hub;
  std::unique_ptr<Impl> m_impl;
  const Server* m_server = nullptr;
  std::vector<std::function<std::string()>> m_moreMetrics;
  std::vector<std::function<std::string()>> m_moreHealth;
  std::thread m_liveThread;
  std::atomic<bool> m_liveStop{false};
};

}  // namespace gridtwin::service
