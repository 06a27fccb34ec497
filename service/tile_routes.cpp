#include <set>
#include <string_view>
#include <vector>

#include "auth.h"
#include "wire_routes.h"

namespace gridtwin::service {
namespace {

std::vector<std::string> splitLayers(std::string_view s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    auto end = s.find(',', pos);
    if (end == std::string_view::npos) end = s.size();
    if (end > pos) out.emplace_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

bool parseInt(const std::string& s, int& out) {
  if (s.empty() || s.size() > 9) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

Response engineError(const core::Error& e, std::string_view what) {
  const int status = e.code == core::ErrorCode::kInvalidArgument ? 400 : 500;
  return Response::error(status, status == 400 ? "InvalidParameterValue" : "ServerError",
                         std::string(what) + ": " + e.toString());
}

}  // namespace

TileRoutes::TileRoutes(const query::Twin& twin, std::string gpkgPath, std::size_t cacheBytes)
    : m_twin(twin), m_gpkgPath(std::move(gpkgPath)) {
  if (cacheBytes > 0) {
    m_cache = std::make_unique<TileCache>(twin.liveEvents(), cacheBytes);
    m_static = std::make_unique<StaticLayerCache>(cacheBytes);
  }
}

std::string TileRoutes::metricsText() const {
  if (m_cache) return m_cache->metricsText() + m_static->metricsText();
  return TileCache(m_twin.liveEvents(), 0).metricsText() + StaticLayerCache(0).metricsText();
}

core::Result<const tiles::TileSource*> TileRoutes::source() {
  std::lock_guard lock(m_mutex);
  if (m_source) return static_cast<const tiles::TileSource*>(m_source.get());
  if (m_failure) return *m_failure;
  auto s = tiles::TileSource::create(m_twin, m_gpkgPath);
  if (!s) {
    m_failure = s.error();
    return *m_failure;
  }
  m_source = std::move(*s);
  return static_cast<const tiles::TileSource*>(m_source.get());
}

std::size_t TileRoutes::seed(const std::vector<query::Access>& scopes, int maxZoom,
                             const std::stop_token& stop) {
  if (!m_cache || maxZoom < 0) return 0;
  auto src = source();
  if (!src) return 0;
  const auto& grids = m_twin.district().grids();
  const auto& shape = grids.shape;
  const std::size_t budget = m_cache->stats().capacityBytes / 2;
  std::set<std::string> done;
  std::size_t kept = 0;
  for (const query::Access& access : scopes) {
    if (!done.insert(TileCache::keyOf(0, 0, 0, "", access)).second) continue;
    geo::Box box;  // lon,lat of the scope's grids
    for (std::uint32_t g = 0; g < grids.size(); ++g) {
      if (!access.scope.contains(g)) continue;
      const auto first = shape.pointStart[shape.ringStart[shape.partStart[g]]];
      const auto last = shape.pointStart[shape.ringStart[shape.partStart[g + 1]]];
      for (auto i = first; i < last; ++i) box.expand(shape.lonlat[i]);
    }
    if (box.empty()) continue;
    for (int z = std::min(maxZoom, tiles::kMaxZoom); z >= 0; --z) {
      const tiles::TileId nw = tiles::tileAt({box.minx, box.maxy}, z);
      const tiles::TileId se = tiles::tileAt({box.maxx, box.miny}, z);
      for (int x = nw.x; x <= se.x; ++x) {
        for (int y = nw.y; y <= se.y; ++y) {
          if (stop.stop_requested() || m_cache->stats().bytes >= budget) return kept;
          // (No look-up first: it would count in the cache's hits and misses.)
          const std::string key = TileCache::keyOf(z, x, y, "", access);
          const std::uint64_t mark = m_cache->mark();
          auto parts = (*src)->renderLayers(access, z, x, y);
          if (!parts) continue;  // the request will answer the error
          m_static->insert(key, *parts);
          m_cache->insert(key, z, x, y, tiles::TileSource::join(*parts).mvt, mark);
          ++kept;
        }
      }
    }
  }
  return kept;
}

void TileRoutes::addRoutes(Router& router) {
  (void)router.add("GET", "/tiles/{z}/{x}/{y}.mvt", [this](const Request& req) {
    if (!req.caller) return Response::error(401, "Unauthorized", "no caller");
    int z = 0, x = 0, y = 0;
    for (const auto& [name, out] : {std::pair{"z", &z}, std::pair{"x", &x}, std::pair{"y", &y}}) {
      if (!parseInt(req.param(name), *out)) {
        return Response::error(400, "InvalidParameterValue",
                               std::string("tile ") + name +
                                   ": expected a whole number >= 0, got '" + req.param(name) + "'");
      }
    }
    const std::string layersParam(req.queryParam("layers").value_or(""));
    Response res;
    // Tiles differ by token (scope) and live events change them: private,
    // short-lived.
    res.header("Cache-Control", "private, max-age=60").header("Vary", "Authorization");
    res.contentType = "application/vnd.mapbox-vector-tile";
    const auto answer = [&res](std::string mvt) {
      if (mvt.empty()) {
        res.status = 204;
      } else {
        res.body = std::move(mvt);
      }
      return std::move(res);
    };
    std::string key;
    if (m_cache) {
      key = TileCache::keyOf(z, x, y, layersParam, req.caller->access);
      if (auto held = m_cache->find(key, z, x, y)) return answer(*held);
    }
    const std::uint64_t mark = m_cache ? m_cache->mark() : 0;  // before the render reads the log
    const auto layers = splitLayers(layersParam);
    auto src = source();
    if (!src) return engineError(src.error(), "tiles");
    const std::string where =
        "tile " + std::to_string(z) + "/" + std::to_string(x) + "/" + std::to_string(y);
    // The static layers' bytes when held (static_layer_cache.h): only the
    // event layers are drawn.
    const StaticLayerCache::Layers held = m_static ? m_static->find(key) : nullptr;
    if (held) {
      auto live =
          (*src)->renderLayers(req.caller->access, z, x, y, layers, tiles::LayerPart::kLive);
      if (!live) return engineError(live.error(), where);
      if (StaticLayerCache::merge(*held, *live)) {
        std::string mvt = tiles::TileSource::join(*live).mvt;
        m_cache->insert(key, z, x, y, mvt, mark);
        return answer(std::move(mvt));
      }
    }
    auto parts = (*src)->renderLayers(req.caller->access, z, x, y, layers);
    if (!parts) return engineError(parts.error(), where);
    std::string mvt = tiles::TileSource::join(*parts).mvt;
    if (m_cache) {
      m_static->insert(key, *parts);
      m_cache->insert(key, z, x, y, mvt, mark);
    }
    return answer(std::move(mvt));
  });
  (void)router.add("GET", "/tiles.json", [this](const Request& req) {
    const auto layersParam = req.queryParam("layers");
    const auto layers = splitLayers(layersParam.value_or(""));
    auto src = source();
    if (!src) return engineError(src.error(), "tiles");
    std::string url = req.baseUrl + "/tiles/{z}/{x}/{y}.mvt";
    if (layersParam && !layersParam->empty()) url += "?layers=" + std::string(*layersParam);
    auto doc = (*src)->tileJson(url, layers);
    if (!doc) return engineError(doc.error(), "tiles.json");
    Response res = Response::json(std::move(*doc));
    res.header("Cache-Control", "private, max-age=300").header("Vary", "Authorization");
    return res;
  });
}

}  // namespace gridtwin::service
