#pragma once
// Vector tiles of the twin: Web Mercator z/x/y tiles in MVT 2.1 (mvt.h) for
// the base layers and any catalogue layer, with the reader's Access applied,
// and the TileJSON 3.0 document that describes them.
//
// Base layers (MVT layer names):
//   grids                 the grids in scope: code, name, community, street
//   roads                 every road (public geography): id, name, class, width_m
//   buildings             buildings of grids in scope: id, use, floors, height_m, grid;
//                         below zoom RenderOptions::buildingDetailZoom (14) only those
//                         at least a pixel of a 512 px tile (1/512 of it) wide or tall
//   facilities            facilities of grids in scope: id, type, type_name, owner, grid;
//                         from zoom PointClusters::kMaxZoom + 1 (16)
//   facilities_clusters   the facilities up to zoom 15, as events_closed_clusters:
//                         count, grid, type (the most frequent), type_name,
//                         type_count, types (distinct)
//   events_<status>       one layer per status (events_reported, events_classified,
//                         events_handling, events_follow_up, events_closed), events of
//                         grids in scope, the loaded ones and the live ones reported
//                         since: id, category, category_name, source, reported_at
//                         (Unix seconds), status (reported, ...), status_name (发现上报, ...),
//                         level, grid. The four open statuses at every zoom;
//                         events_closed only from zoom PointClusters::kMaxZoom + 1 (16)
//   events_closed_clusters  the closed events up to zoom 15 (cluster.h): one point
//                         per grid and cell (1/32 of a tile) at the mean of its events:
//                         count, grid, category (the most frequent), category_name,
//                         category_count, categories (distinct), reported_from,
//                         reported_to (Unix seconds). No buffer: a cluster is in one
//                         tile, and a tile's counts add up to its closed events
//                         (tileAt) of the grids in scope
// Catalogue layers: by their GeoPackage table ("lyr_cameras"): fields ref, name
// as the GeoPackage's view holds them. Layers drawn from a register kept per
// grid (grids, buildings, addresses, houses, people, entities, facilities,
// events) keep, for a scoped reader, only features whose representative point
// (the point; a line's middle vertex; a polygon's centroid, or its first vertex
// when the centroid falls outside) lies in a grid of the scope; layers of public
// geography (district, streets, communities, roads, rail, water, green,
// landuse, plan, pipes, poi) are the same for everyone.
//
// Who sees what: a feature of a register kept per grid is in the tile only
// when its grid (the register's own grid column) is in the Access's scope; no
// base layer carries a personal field (names, phones, ID numbers), so the
// role's Disclosure has nothing left to mask.
//
// Geometry: EPSG:4490 lon,lat reprojected once to EPSG:3857 through
// gridtwin::crs when the source is built; per tile: clipped to the tile plus
// its buffer, simplified (Douglas–Peucker, `tolerance` tile units below
// `fullDetailZoom`, rounding only from it on), degenerate rings dropped,
// exteriors clockwise on screen (clip.h). Candidates come from a
// gridtwin::index EntityIndex over each layer's feature box centres, grown by
// the layer's largest half box.
//
// Thread-safety: a TileSource is immutable after create() except for the
// catalogue layers, loaded on first use under a lock; render() and tileJson()
// may be called from any number of threads at once. The Twin must outlive it.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "query/access.h"
#include "query/twin.h"
#include "tiles/tile_math.h"

namespace gridtwin::tiles {

struct RenderOptions {
  std::uint32_t extent = 4096;
  std::uint32_t buffer = 64;
  double tolerance = 4;     // Douglas–Peucker, tile units (a quarter pixel of a 256 px tile)
  int fullDetailZoom = 16;  // from this zoom on: no simplification beyond rounding
  // Below this zoom a building whose footprint's box is under one pixel of a
  // 512 px tile (MapLibre's size: 1/512 of the tile's width) both wide and
  // tall is left out: it would draw as less than a pixel, and a z10 tile
  // would carry every footprint of the district.
  int buildingDetailZoom = 14;
};

// The smallest footprint box side (metres, Web Mercator) a building needs to
// be drawn in a tile at zoom z: 0 from options.buildingDetailZoom on.
double buildingMinSide(const RenderOptions& options, int z);

// One field of a layer, as TileJSON's vector_layers describe it.
struct LayerField {
  std::string name;
  std::string type;  // "String" or "Number"
};

struct LayerInfo {
  std::string id;  // the MVT layer name
  std::string description;
  std::vector<LayerField> fields;
  bool catalogue = false;
  int minzoom = 0;  // the zooms at which the layer has features
  int maxzoom = kMaxZoom;
};

struct RenderedTile {
  std::string mvt;  // the tile; "" when no layer has a feature (HTTP 204)
  // Features written per non-empty layer, in the tile's layer order.
  std::vector<std::pair<std::string, std::size_t>> counts;
  bool empty() const { return mvt.empty(); }
};

// One layer of a tile, encoded alone: the Tile message holding only that
// layer. An MVT tile is its layers' messages concatenated, so a tile's bytes
// are its layers' bytes joined in order (TileSource::join). Why: the event
// layers change with the live event log, the others never while the twin
// is served, so a server may keep the others' bytes and encode only the
// event layers again after a case (service/README.md, "Tile cache").
struct RenderedLayer {
  std::string name;
  // Drawn from the twin's live event log too (events_<status>,
  // events_closed_clusters): may change whenever the log grows. Every other
  // layer (grids, roads, buildings, facilities, facilities_clusters,
  // catalogue layers) is a function of the district, the access's scope and
  // z/x/y only.
  bool live = false;
  bool rendered = false;  // false: left out by LayerPart::kLive (a layer that is not live)
  std::string mvt;        // "" when the layer has no feature here
  std::size_t count = 0;  // features written
};

enum class LayerPart {
  kAll,   // every layer asked for
  kLive,  // only the live ones; the others come back with rendered = false
};

class TileSource {
 public:
  // Reprojects every base feature to EPSG:3857 and indexes it. With
  // `gpkgPath`, the catalogue layers of the dataset (its lyr_* tables) may be
  // asked for too. Errors: PROJ's (engine/crs), the index build's, kIo when
  // the GeoPackage cannot be opened.
  static core::Result<std::unique_ptr<TileSource>> create(const query::Twin& twin,
                                                          const std::string& gpkgPath = {},
                                                          const RenderOptions& options = {});
  ~TileSource();
  TileSource(const TileSource&) = delete;
  TileSource& operator=(const TileSource&) = delete;

  // Every layer this source can render: the base layers, then the catalogue's.
  const std::vector<LayerInfo>& layers() const;
  // The names of the base layers (the default selection).
  static std::vector<std::string> baseLayerNames();

  // Renders tile z/x/y for `access`. `layers`: MVT layer names (base or
  // catalogue), "events" for the five event layers, "base" for every base
  // layer; empty = the base layers. Errors: kInvalidArgument for a tile out of
  // range (tile_math.h's checkTile) or an unknown layer name (naming it and
  // listing the base layers); kIo/kParse for a catalogue table that cannot
  // be read.
  core::Result<RenderedTile> render(const query::Access& access, int z, int x, int y,
                                    std::span<const std::string> layers = {}) const;

  // The same tile layer by layer, in the tile's order (the order of
  // `layers`, duplicates dropped, as render() writes them), each encoded
  // alone; with LayerPart::kLive only the live layers are drawn. For the
  // same access, z/x/y and `layers`, the list has the same names in the same
  // order whatever `part`, so a caller may put the non-live layers' bytes
  // kept from an earlier call in their places: join() of that list is the
  // bytes render() gives now (the non-live layers cannot have changed).
  // Errors: as render().
  core::Result<std::vector<RenderedLayer>> renderLayers(const query::Access& access, int z, int x,
                                                        int y,
                                                        std::span<const std::string> layers = {},
                                                        LayerPart part = LayerPart::kAll) const;
  // The tile of `parts` (their bytes in order; counts of the non-empty ones).
  static RenderedTile join(std::span<const RenderedLayer> parts);

  // The TileJSON 3.0 document for `layers` (empty = base layers): tiles =
  // [urlTemplate] (e.g. "https://host/tiles/{z}/{x}/{y}.mvt"), vector_layers
  // with their fields, bounds (lon,lat of the district), center (the
  // district's centre at zoom 14), minzoom, maxzoom. Errors: an unknown
  // layer name.
  core::Result<std::string> tileJson(std::string_view urlTemplate,
                                     std::span<const std::string> layers = {}, int minzoom = 10,
                                     int maxzoom = 18) const;

 private:
  struct Impl;
  explicit TileSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

// One tile without keeping a source (the command line): builds a TileSource
// for the call. `gpkgPath` is needed only for catalogue layers.
core::Result<RenderedTile> render(const query::Twin& twin, const query::Access& access, int z,
                                  int x, int y, std::span<const std::string> layers = {},
                                  const std::string& gpkgPath = {});

}  // namespace gridtwin::tiles
