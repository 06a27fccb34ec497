#include "tiles/render.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>

#include "core/json.h"
#include "crs/transformer.h"
#include "geo/algorithms.h"
#include "geo/wkb.h"
#include "index/entity_index.h"
#include "layers/catalog.h"
#include "store/vector_file.h"
#include "tiles/clip.h"
#include "tiles/cluster.h"
#include "tiles/mvt.h"

namespace gridtwin::tiles {

namespace {

constexpr std::int32_t kPublic = -1;  // a feature every reader sees

// Features of one layer in EPSG:3857, flat: feature f has parts
// [partStart[f], partStart[f+1]); part p has rings [ringStart[p],
// ringStart[p+1]) (a polygon: outer ring then holes; a line or a point: one
// "ring"); ring r has points [pointStart[r], pointStart[r+1]).
struct FeatureSet {
  mvt::GeomType type = mvt::GeomType::kUnknown;
  std::vector<std::uint32_t> partStart{0};
  std::vector<std::uint32_t> ringStart{0};
  std::vector<std::uint32_t> pointStart{0};
  std::vector<geo::Point> xy;
  std::vector<geo::Box> boxes;
  std::vector<std::int32_t> grid;  // scope grid per feature, kPublic for all
  double marginX = 0, marginY = 0;
  index::EntityIndex index;

  std::size_t size() const { return boxes.size(); }
  void endRing() { pointStart.push_back(static_cast<std::uint32_t>(xy.size())); }
  void endPart() { ringStart.push_back(static_cast<std::uint32_t>(pointStart.size() - 1)); }
  void endFeature(std::int32_t g) {
    partStart.push_back(static_cast<std::uint32_t>(ringStart.size() - 1));
    geo::Box box;
    const std::size_t f = boxes.size();
    const std::uint32_t firstPoint = pointStart[ringStart[partStart[f]]];
    for (std::size_t i = firstPoint; i < xy.size(); ++i) {
      if (std::isfinite(xy[i].x) && std::isfinite(xy[i].y)) box.expand(xy[i]);
    }
    boxes.push_back(box);
    grid.push_back(g);
  }

  core::Result<void> buildIndex() {
    std::vector<geo::Point> centres(boxes.size());
    for (std::size_t f = 0; f < boxes.size(); ++f) {
      const geo::Box& b = boxes[f];
      if (b.empty()) {
        centres[f] = {std::nan(""), std::nan("")};
        continue;
      }
      centres[f] = {(b.minx + b.maxx) / 2, (b.miny + b.maxy) / 2};
      marginX = std::max(marginX, b.width() / 2);
      marginY = std::max(marginY, b.height() / 2);
    }
    auto built = index::EntityIndex::build(centres);
    if (!built) return built.takeError();
    index = std::move(built).value();
    return {};
  }

  // Features whose box meets `clip`, ascending.
  void candidates(const geo::Box& clip, std::vector<std::uint32_t>& out) const {
    out.clear();
    const geo::Box grown{clip.minx - marginX, clip.miny - marginY, clip.maxx + marginX,
                         clip.maxy + marginY};
    if (!index.box(grown, out)) return;  // a non-finite box finds nothing
    std::erase_if(out, [&](std::uint32_t f) { return !boxes[f].intersects(clip); });
    std::sort(out.begin(), out.end());
  }
};

enum class BaseLayer {
  kGrids,
  kRoads,
  kBuildings,
  kFacilities,
  kFacilityClusters,
  kEvents,
  kEventClusters
};

struct CatalogueLayer {
  std::string table;
  std::string description;
  bool scoped = false;  // drawn from a register kept per grid
  std::once_flag loaded;
  core::Result<void> loadResult;
  FeatureSet features;
  std::vector<std::int64_t> fid;
  std::vector<std::string> ref, name;
};

bool isScopedKind(layers::SourceKind kind) {
  switch (kind) {
    case layers::SourceKind::kGrids:
    case layers::SourceKind::kBuildings:
    case layers::SourceKind::kAddresses:
    case layers::SourceKind::kHouses:
    case layers::SourceKind::kPeople:
    case layers::SourceKind::kEntities:
    case layers::SourceKind::kFacilities:
    case layers::SourceKind::kEvents:
      return true;
    default:
      return false;
  }
}

// The source expression at the end of a catalogue table's description:
// "水系面 — 基础底图 (water)".
std::string sourceOfDescription(const std::string& description) {
  const auto close = description.rfind(')');
  const auto open = description.rfind('(');
  if (close == std::string::npos || open == std::string::npos || open > close) return {};
  return description.substr(open + 1, close - open - 1);
}

// ASCII layer names for the five steps (model::name gives the Chinese ones).
std::string_view statusCode(model::EventStatus status) {
  switch (status) {
    case model::EventStatus::kReported:
      return "reported";
    case model::EventStatus::kClassified:
      return "classified";
    case model::EventStatus::kHandling:
      return "handling";
    case model::EventStatus::kFollowUp:
      return "follow_up";
    case model::EventStatus::kClosed:
      return "closed";
  }
  return "unknown";
}

std::string eventLayerName(model::EventStatus status) {
  return "events_" + std::string(statusCode(status));
}

// The closed events and the facilities below z16, counted per grid and cell
// (cluster.h).
constexpr std::string_view kClosedClusters = "events_closed_clusters";
constexpr std::string_view kFacilityClusters = "facilities_clusters";

constexpr std::array<model::EventStatus, 5> kStatuses = {
    model::EventStatus::kReported, model::EventStatus::kClassified, model::EventStatus::kHandling,
    model::EventStatus::kFollowUp, model::EventStatus::kClosed};

}  // namespace

struct TileSource::Impl {
  const query::Twin* twin = nullptr;
  std::string gpkgPath;
  RenderOptions options;
  FeatureSet grids, roads, buildings;
  // Facilities: points from PointClusters::kMaxZoom + 1, counted below it.
  FeatureSet facilities;
  PointClusters facilityClusters;
  // Events as two sets, each with its district rows: the open ones (four
  // statuses, drawn at every zoom) and the closed ones (drawn one by one from
  // PointClusters::kMaxZoom + 1; below it counted in `closedClusters`), so that a
  // low-zoom tile never searches the 2,000,000 closed events of three years.
  FeatureSet openEvents, closedEvents;
  std::vector<std::uint32_t> openEventRow, closedEventRow;
  // The open events' fields copied beside their FeatureSet, in its order: a
  // dense z14 tile draws ~7,000 open events, and reading each field through
  // its row of the district's columns (2,000,000 rows at full scale) cost
  // a cache miss per field; the event layers are what a tile draws again
  // after every case.
  struct OpenEventFields {
    std::vector<std::int64_t> id, reportedAt;
    std::vector<std::uint16_t> category;
    std::vector<std::uint32_t> grid;
    std::vector<model::EventSource> source;
    std::vector<model::DispatchLevel> level;
    std::vector<model::EventStatus> status;
  } open;
  PointClusters closedClusters;
  std::vector<LayerInfo> infos;
  std::map<std::string, std::unique_ptr<CatalogueLayer>, std::less<>> catalogue;
  std::mutex projection;  // guards the transformers (catalogue loads)
  std::optional<crs::Transformer> toMercator, toMetric;
  geo::Box lonlatBounds;

  core::Result<void> project(std::span<geo::Point> points) {
    // NaN points (events reported by address only) stay NaN.
    std::vector<geo::Point> finite;
    std::vector<std::size_t> at;
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (std::isfinite(points[i].x) && std::isfinite(points[i].y)) {
        finite.push_back(points[i]);
        at.push_back(i);
      }
    }
    std::vector<geo::Point> out(finite.size());
    std::size_t done = 0;
    GRIDTWIN_TRY(toMercator->transformStream(finite, out, done));
    for (std::size_t i = 0; i < at.size(); ++i) points[at[i]] = out[i];
    return {};
  }

  core::Result<void> loadCatalogue(CatalogueLayer& layer);
  core::Result<std::vector<std::pair<BaseLayer, std::string>>> select(
      std::span<const std::string> names, std::vector<CatalogueLayer*>& cat) const;
};

TileSource::TileSource(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
TileSource::~TileSource() = default;

std::vector<std::string> TileSource::baseLayerNames() {
  std::vector<std::string> names{"grids", "roads", "buildings", "facilities",
                                 std::string(kFacilityClusters)};
  for (auto s : kStatuses) names.push_back(eventLayerName(s));
  names.emplace_back(kClosedClusters);
  return names;
}

const std::vector<LayerInfo>& TileSource::layers() const { return m_impl->infos; }

core::Result<std::unique_ptr<TileSource>> TileSource::create(const query::Twin& twin,
                                                             const std::string& gpkgPath,
                                                             const RenderOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->twin = &twin;
  impl->gpkgPath = gpkgPath;
  impl->options = options;
  auto merc = crs::Transformer::create(crs::kCgcs2000, crs::Crs::fromEpsg(3857));
  if (!merc) return merc.takeError();
  impl->toMercator.emplace(std::move(merc).value());
  auto metric = crs::Transformer::create(crs::kCgcs2000, crs::kGaussKruger114);
  if (!metric) return metric.takeError();
  impl->toMetric.emplace(std::move(metric).value());

  const model::District& d = twin.district();
  auto addPolygons = [&](FeatureSet& set, const model::PolygonColumns<model::Viewed>& shape,
                         auto gridOf) -> core::Result<void> {
    set.type = mvt::GeomType::kPolygon;
    set.xy.assign(shape.lonlat.begin(), shape.lonlat.end());
    GRIDTWIN_TRY(impl->project(set.xy));
    set.pointStart.assign(shape.pointStart.begin(), shape.pointStart.end());
    set.ringStart.assign(shape.ringStart.begin(), shape.ringStart.end());
    set.partStart.assign(shape.partStart.begin(), shape.partStart.end());
    for (std::size_t f = 0; f < shape.size(); ++f) {
      geo::Box box;
      for (std::size_t i = set.pointStart[set.ringStart[set.partStart[f]]];
           i < set.pointStart[set.ringStart[set.partStart[f + 1]]]; ++i) {
        box.expand(set.xy[i]);
      }
      set.boxes.push_back(box);
      set.grid.push_back(gridOf(f));
    }
    return set.buildIndex();
  };
  GRIDTWIN_TRY(addPolygons(impl->grids, d.grids().shape,
                           [](std::size_t f) { return static_cast<std::int32_t>(f); }));
  GRIDTWIN_TRY(addPolygons(impl->buildings, d.buildings().footprint, [&](std::size_t f) {
    return static_cast<std::int32_t>(d.buildings().grid[f]);
  }));
  {  // roads: one "ring" per line
    FeatureSet& set = impl->roads;
    const auto& line = d.roads().line;
    set.type = mvt::GeomType::kLineString;
    set.xy.assign(line.lonlat.begin(), line.lonlat.end());
    GRIDTWIN_TRY(impl->project(set.xy));
    set.pointStart.assign(line.pointStart.begin(), line.pointStart.end());
    set.ringStart.resize(set.pointStart.size());
    for (std::size_t i = 0; i < set.ringStart.size(); ++i) {
      set.ringStart[i] = static_cast<std::uint32_t>(i);
    }
    set.partStart.assign(line.partStart.begin(), line.partStart.end());
    for (std::size_t f = 0; f < line.size(); ++f) {
      geo::Box box;
      for (std::size_t i = set.pointStart[set.partStart[f]];
           i < set.pointStart[set.partStart[f + 1]]; ++i) {
        box.expand(set.xy[i]);
      }
      set.boxes.push_back(box);
      set.grid.push_back(kPublic);
    }
    GRIDTWIN_TRY(set.buildIndex());
  }
  auto addPoints = [&](FeatureSet& set, std::span<const geo::Point> lonlat,
                       auto gridOf) -> core::Result<void> {
    set.type = mvt::GeomType::kPoint;
    set.xy.assign(lonlat.begin(), lonlat.end());
    GRIDTWIN_TRY(impl->project(set.xy));
    set.partStart.resize(lonlat.size() + 1);
    set.ringStart.resize(lonlat.size() + 1);
    set.pointStart.resize(lonlat.size() + 1);
    for (std::size_t i = 0; i <= lonlat.size(); ++i) {
      set.partStart[i] = set.ringStart[i] = set.pointStart[i] = static_cast<std::uint32_t>(i);
    }
    for (std::size_t f = 0; f < lonlat.size(); ++f) {
      geo::Box box;
      if (std::isfinite(set.xy[f].x)) box.expand(set.xy[f]);
      set.boxes.push_back(box);
      set.grid.push_back(gridOf(f));
    }
    return set.buildIndex();
  };
  GRIDTWIN_TRY(addPoints(impl->facilities, d.facilities().point.lonlat, [&](std::size_t f) {
    return static_cast<std::int32_t>(d.facilities().grid[f]);
  }));
  {
    std::vector<std::uint32_t> all(d.facilities().size());
    std::iota(all.begin(), all.end(), 0u);
    impl->facilityClusters = PointClusters::build(d.facilities().point.lonlat, d.facilities().grid,
                                                  d.facilities().type, {}, all);
  }
  {
    const auto& ev = d.events();
    std::vector<geo::Point> open, closed;
    for (std::uint32_t e = 0; e < ev.size(); ++e) {
      const bool isClosed = ev.status[e] == model::EventStatus::kClosed;
      (isClosed ? impl->closedEventRow : impl->openEventRow).push_back(e);
      (isClosed ? closed : open).push_back(ev.point.lonlat[e]);
    }
    GRIDTWIN_TRY(addPoints(impl->openEvents, open, [&](std::size_t f) {
      return static_cast<std::int32_t>(ev.grid[impl->openEventRow[f]]);
    }));
    auto& o = impl->open;
    for (std::uint32_t e : impl->openEventRow) {
      o.id.push_back(ev.id[e]);
      o.reportedAt.push_back(ev.reportedAt[e]);
      o.category.push_back(ev.category[e]);
      o.grid.push_back(ev.grid[e]);
      o.source.push_back(ev.source[e]);
      o.level.push_back(ev.level[e]);
      o.status.push_back(ev.status[e]);
    }
    GRIDTWIN_TRY(addPoints(impl->closedEvents, closed, [&](std::size_t f) {
      return static_cast<std::int32_t>(ev.grid[impl->closedEventRow[f]]);
    }));
    impl->closedClusters = PointClusters::build(ev.point.lonlat, ev.grid, ev.category,
                                                ev.reportedAt, impl->closedEventRow);
  }

  for (const geo::Point& p : d.grids().shape.lonlat) impl->lonlatBounds.expand(p);

  auto s = [](const char* f) { return LayerField{f, "String"}; };
  auto n = [](const char* f) { return LayerField{f, "Number"}; };
  impl->infos.push_back(
      {"grids", "网格 grids", {s("code"), s("name"), s("community"), s("street")}, false});
  impl->infos.push_back(
      {"roads", "道路 roads", {n("id"), s("name"), s("class"), n("width_m")}, false});
  impl->infos.push_back({"buildings",
                         "建筑 buildings; below zoom " +
                             std::to_string(impl->options.buildingDetailZoom) +
                             " only those a pixel of a 512 px tile (1/512 of it) wide or tall",
                         {n("id"), s("use"), n("floors"), n("height_m"), s("grid")},
                         false});
  const std::string clusterRule = "one point per grid and cell of 1/" +
                                  std::to_string(1 << PointClusters::kCellBits) +
                                  " tile, at the mean of its members, in the tile that holds "
                                  "them (no buffer): a tile's counts add up to its ";
  impl->infos.push_back({"facilities",
                         "部件 facilities, one point each from zoom " +
                             std::to_string(PointClusters::kMaxZoom + 1) +
                             " (below it: " + std::string(kFacilityClusters) + ")",
                         {n("id"), s("type"), s("type_name"), s("owner"), s("grid")},
                         false,
                         PointClusters::kMaxZoom + 1});
  impl->infos.push_back(
      {std::string(kFacilityClusters),
       "部件 facilities counted up to zoom " + std::to_string(PointClusters::kMaxZoom) + ": " +
           clusterRule +
           "facilities in the reader's scope; count, grid, type = the most frequent "
           "(type_count of them, types distinct ones)",
       {n("count"), s("grid"), s("type"), s("type_name"), n("type_count"), n("types")},
       false,
       0,
       PointClusters::kMaxZoom});
  for (auto st : kStatuses) {
    LayerInfo info{eventLayerName(st),
                   "事件 events, status " + std::string(model::name(st)),
                   {n("id"), s("category"), s("category_name"), s("source"), n("reported_at"),
                    s("status"), s("status_name"), s("level"), s("grid")},
                   false};
    if (st == model::EventStatus::kClosed) {
      info.description += "; one point per event from zoom " +
                          std::to_string(PointClusters::kMaxZoom + 1) +
                          " (below it: " + std::string(kClosedClusters) + ")";
      info.minzoom = PointClusters::kMaxZoom + 1;
      impl->infos.push_back(std::move(info));
      impl->infos.push_back(
          {std::string(kClosedClusters),
           "事件 events, status " + std::string(model::name(st)) + ", counted up to zoom " +
               std::to_string(PointClusters::kMaxZoom) + ": " + clusterRule +
               "closed events in the reader's scope; count, grid, category = the most "
               "frequent (category_count events, categories distinct ones), reported_from/"
               "reported_to = the earliest and latest report (Unix seconds)",
           {n("count"), s("grid"), s("category"), s("category_name"), n("category_count"),
            n("categories"), n("reported_from"), n("reported_to")},
           false,
           0,
           PointClusters::kMaxZoom});
      continue;
    }
    impl->infos.push_back(std::move(info));
  }

  if (!gpkgPath.empty()) {
    auto file = store::VectorFile::open(gpkgPath);
    if (!file) return file.takeError();
    const auto& layerCols = d.layers();
    for (std::size_t i = 0; i < layerCols.size(); ++i) {
      const std::string table(layerCols.table[i]);
      if (table.empty()) continue;
      auto layer = file->layer(table);
      if (!layer) continue;  // the catalogue names a table this dataset lacks
      auto cat = std::make_unique<CatalogueLayer>();
      cat->table = table;
      cat->description = layer->description();
      auto source = layers::parseLayerSource(sourceOfDescription(cat->description));
      // A layer whose source cannot be read is treated as kept per grid: the
      // safe side for a scoped reader.
      cat->scoped = !source || isScopedKind(source->kind);
      impl->infos.push_back(
          {table,
           std::string(layerCols.name[i]) + " — " + std::string(layerCols.category[i]),
           {s("ref"), s("name")},
           true});
      impl->catalogue.emplace(table, std::move(cat));
    }
  }
  return std::unique_ptr<TileSource>(new TileSource(std::move(impl)));
}

core::Result<void> TileSource::Impl::loadCatalogue(CatalogueLayer& layer) {
  std::call_once(layer.loaded, [&] {
    layer.loadResult = [&]() -> core::Result<void> {
      auto file = store::VectorFile::open(gpkgPath);
      if (!file) return file.takeError();
      auto vl = file->layer(layer.table);
      if (!vl) {
        return core::makeError(core::ErrorCode::kNotFound, "no table " + layer.table, gpkgPath);
      }
      const int refField = vl->fieldIndex("ref");
      const int nameField = vl->fieldIndex("name");
      FeatureSet& set = layer.features;
      std::vector<std::uint8_t> wkb;
      std::vector<geo::Point> reps;  // representative points, lon,lat
      auto body = [&](const store::VectorFeature& feature) -> core::Result<void> {
        if (!feature.hasGeometry() || !feature.wkb(wkb)) return {};
        auto g = geo::readWkb(wkb, layer.table);
        if (!g) return g.takeError();
        const std::size_t firstPoint = set.xy.size();
        geo::Point rep{std::nan(""), std::nan("")};
        auto addRing = [&](const std::vector<geo::Point>& pts) {
          set.xy.insert(set.xy.end(), pts.begin(), pts.end());
          set.endRing();
        };
        auto addPolygon = [&](const geo::Polygon& p) {
          addRing(p.outer);
          for (const auto& h : p.holes) addRing(h);
          set.endPart();
          if (std::isnan(rep.x) && !p.outer.empty()) {
            const geo::Point c = geo::centroid(p);
            rep = geo::covers(p, c) ? c : p.outer.front();
          }
        };
        auto addLine = [&](const geo::LineString& l) {
          addRing(l);
          set.endPart();
          if (std::isnan(rep.x) && !l.empty()) rep = l[l.size() / 2];
        };
        if (const auto* pt = std::get_if<geo::Point>(&*g)) {
          set.type = mvt::GeomType::kPoint;
          addLine({*pt});
        } else if (const auto* mp = std::get_if<geo::MultiPoint>(&*g)) {
          set.type = mvt::GeomType::kPoint;
          for (const auto& p : mp->points) addLine({p});
        } else if (const auto* ls = std::get_if<geo::LineString>(&*g)) {
          set.type = mvt::GeomType::kLineString;
          addLine(*ls);
        } else if (const auto* ml = std::get_if<geo::MultiLineString>(&*g)) {
          set.type = mvt::GeomType::kLineString;
          for (const auto& l : ml->lines) addLine(l);
        } else if (const auto* pg = std::get_if<geo::Polygon>(&*g)) {
          set.type = mvt::GeomType::kPolygon;
          addPolygon(*pg);
        } else if (const auto* mpg = std::get_if<geo::MultiPolygon>(&*g)) {
          set.type = mvt::GeomType::kPolygon;
          for (const auto& p : mpg->polygons) addPolygon(p);
        } else {
          return {};  // collections are not drawn
        }
        std::lock_guard lock(projection);
        GRIDTWIN_TRY(project(std::span(set.xy).subspan(firstPoint)));
        std::int32_t grid = kPublic;
        if (layer.scoped) {
          grid = query::Locator::kOutside;
          if (std::isfinite(rep.x)) {
            auto m = toMetric->transform(rep);
            if (m) grid = twin->locator().find(*m);
          }
          if (grid == kPublic) grid = -2;  // located nowhere: seen only with the whole district
        }
        set.endFeature(grid);
        layer.fid.push_back(feature.fid());
        layer.ref.emplace_back(refField >= 0 ? feature.text(refField) : std::string_view{});
        layer.name.emplace_back(nameField >= 0 ? feature.text(nameField) : std::string_view{});
        return {};
      };
      GRIDTWIN_TRY(vl->forEachFeature(body));
      return set.buildIndex();
    }();
  });
  return layer.loadResult;
}

core::Result<std::vector<std::pair<BaseLayer, std::string>>> TileSource::Impl::select(
    std::span<const std::string> names, std::vector<CatalogueLayer*>& cat) const {
  std::vector<std::pair<BaseLayer, std::string>> base;
  std::vector<std::string> wanted(names.begin(), names.end());
  if (wanted.empty()) wanted = {"base"};
  auto addBase = [&](BaseLayer b, std::string name) {
    for (const auto& [bb, nn] : base) {
      if (nn == name) return;
    }
    base.emplace_back(b, std::move(name));
  };
  for (const std::string& w : wanted) {
    if (w == "base" || w == "grids") addBase(BaseLayer::kGrids, "grids");
    if (w == "base" || w == "roads") addBase(BaseLayer::kRoads, "roads");
    if (w == "base" || w == "buildings") addBase(BaseLayer::kBuildings, "buildings");
    if (w == "base" || w == "facilities") addBase(BaseLayer::kFacilities, "facilities");
    if (w == "base" || w == kFacilityClusters) {
      addBase(BaseLayer::kFacilityClusters, std::string(kFacilityClusters));
    }
    bool matched = w == "base" || w == "grids" || w == "roads" || w == "buildings" ||
                   w == "facilities" || w == kFacilityClusters;
    for (auto st : kStatuses) {
      if (w == "base" || w == "events" || w == eventLayerName(st)) {
        addBase(BaseLayer::kEvents, eventLayerName(st));
        matched = true;
      }
    }
    if (w == "base" || w == "events" || w == kClosedClusters) {
      addBase(BaseLayer::kEventClusters, std::string(kClosedClusters));
      matched = true;
    }
    if (matched) continue;
    auto it = catalogue.find(w);
    if (it == catalogue.end()) {
      std::string known;
      for (const auto& b : baseLayerNames()) known += (known.empty() ? "" : ", ") + b;
      return core::makeError(
          core::ErrorCode::kInvalidArgument,
          "unknown layer '" + w + "': expected one of " + known + ", events, base" +
              (catalogue.empty() ? std::string(" (catalogue layers need the dataset's path)")
                                 : std::string(" or a catalogue table (lyr_...)")));
    }
    if (std::find(cat.begin(), cat.end(), it->second.get()) == cat.end()) {
      cat.push_back(it->second.get());
    }
  }
  return base;
}

namespace {

// Writes the features `rows` of `set` into `layer` (geometry only; the
// caller's `props` adds the properties of row f).
template <class Props>
void writeFeatures(const FeatureSet& set, std::span<const std::uint32_t> rows,
                   const TileFrame& frame, mvt::LayerBuilder& layer, Props props,
                   std::vector<std::vector<mvt::TilePoint>>& scratchLines) {
  std::vector<mvt::TilePoint> pts, clipped;
  ClipScratch scratch;
  for (std::uint32_t f : rows) {
    layer.beginFeature(set.type, std::nullopt);
    bool any = false;
    for (std::uint32_t p = set.partStart[f]; p < set.partStart[f + 1]; ++p) {
      for (std::uint32_t r = set.ringStart[p]; r < set.ringStart[p + 1]; ++r) {
        const std::span<const geo::Point> ring(set.xy.data() + set.pointStart[r],
                                               set.pointStart[r + 1] - set.pointStart[r]);
        if (set.type == mvt::GeomType::kPoint) {
          mvt::TilePoint t;
          if (!ring.empty() && clipPoint(frame, ring[0], t)) pts.push_back(t);
        } else if (set.type == mvt::GeomType::kLineString) {
          scratchLines.clear();
          clipLine(frame, ring, scratchLines);
          for (const auto& l : scratchLines) {
            layer.line(l);
            any = true;
          }
        } else {
          const bool exterior = r == set.ringStart[p];
          clipRing(frame, ring, exterior, clipped, scratch);
          if (clipped.empty()) {
            if (exterior) break;  // the holes go with their exterior
            continue;
          }
          layer.ring(clipped);
          any = true;
        }
      }
    }
    if (set.type == mvt::GeomType::kPoint && !pts.empty()) {
      layer.points(pts);
      pts.clear();
      any = true;
    }
    if (!any) {
      layer.endFeature();  // empty geometry: dropped
      continue;
    }
    props(f);
    layer.endFeature();
  }
}

// The value ids of one string property per small index (a category, a
// grid, a building use), each looked up in the layer once (mvt.h's
// stringValueId): the densest z14 tile tags ~60,000 such values, and
// encoding and hashing each one was ~20% of its render in perf. The layer's
// keys must be declared first, in the order its features write them
// (declareKeys), so that the key table is the one property() would make.
class ValueIds {
 public:
  ValueIds(mvt::LayerBuilder& layer, std::string_view key)
      : m_layer(&layer), m_key(layer.keyId(key)) {}
  void tag(std::size_t i, std::string_view text) {
    if (i >= m_ids.size()) m_ids.resize(i + 1, kUnset);
    if (m_ids[i] == kUnset) m_ids[i] = m_layer->stringValueId(text);
    m_layer->tag(m_key, m_ids[i]);
  }

 private:
  static constexpr std::uint32_t kUnset = ~std::uint32_t{0};
  mvt::LayerBuilder* m_layer;
  std::uint32_t m_key;
  std::vector<std::uint32_t> m_ids;
};

void declareKeys(mvt::LayerBuilder& layer, std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys) (void)layer.keyId(k);
}

bool isLive(BaseLayer kind) {
  return kind == BaseLayer::kEvents || kind == BaseLayer::kEventClusters;
}

}  // namespace

double buildingMinSide(const RenderOptions& options, int z) {
  if (z >= options.buildingDetailZoom) return 0;
  return tileBounds(TileId{z, 0, 0}).width() / 512;
}

core::Result<RenderedTile> TileSource::render(const query::Access& access, int z, int x, int y,
                                              std::span<const std::string> names) const {
  auto parts = renderLayers(access, z, x, y, names);
  if (!parts) return parts.takeError();
  return join(*parts);
}

RenderedTile TileSource::join(std::span<const RenderedLayer> parts) {
  RenderedTile out;
  std::size_t bytes = 0;
  for (const RenderedLayer& p : parts) bytes += p.mvt.size();
  out.mvt.reserve(bytes);
  for (const RenderedLayer& p : parts) {
    if (p.mvt.empty()) continue;
    out.mvt += p.mvt;
    out.counts.emplace_back(p.name, p.count);
  }
  return out;
}

core::Result<std::vector<RenderedLayer>> TileSource::renderLayers(
    const query::Access& access, int z, int x, int y, std::span<const std::string> names,
    LayerPart part) const {
  auto tile = checkTile(z, x, y);
  if (!tile) return tile.takeError();
  std::vector<CatalogueLayer*> cat;
  auto base = m_impl->select(names, cat);
  if (!base) return base.takeError();
  for (CatalogueLayer* c : cat) GRIDTWIN_TRY(m_impl->loadCatalogue(*c));

  const RenderOptions& o = m_impl->options;
  TileFrame frame;
  frame.bounds = tileBounds(*tile);
  frame.extent = o.extent;
  frame.buffer = o.buffer;
  frame.tolerance = z >= o.fullDetailZoom ? 0 : o.tolerance;
  const geo::Box clip = frame.clipBounds();

  const model::District& d = m_impl->twin->district();
  const query::Scope& scope = access.scope;
  // One prefix of the live log for the whole tile: each live event is drawn
  // once, with its latest status in that prefix (EventLog::current), so a
  // case closed meanwhile is never both an open point and a closed cluster.
  const query::EventLog& live = m_impl->twin->liveEvents();
  const std::uint64_t liveSeen = live.size();
  auto visible = [&](const FeatureSet& set, std::uint32_t f) {
    const std::int32_t g = set.grid[f];
    if (g == kPublic) return true;
    if (g < 0) return scope.isAll();
    return scope.contains(static_cast<std::uint32_t>(g));
  };

  std::vector<RenderedLayer> out;
  // Each layer encoded alone as soon as it is drawn: a tile is its layers'
  // messages in order (RenderedLayer).
  const auto finish = [&out](const mvt::LayerBuilder& layer, bool isLive) {
    RenderedLayer r{layer.name(), isLive, true, {}, layer.featureCount()};
    if (!layer.empty()) layer.appendTo(r.mvt);
    out.push_back(std::move(r));
  };
  std::vector<std::uint32_t> rows;
  std::vector<std::vector<mvt::TilePoint>> lines;
  auto pick = [&](const FeatureSet& set) {
    set.candidates(clip, rows);
    std::erase_if(rows, [&](std::uint32_t f) { return !visible(set, f); });
  };
  auto gridCode = [&](std::uint32_t g) { return d.grids().code[g]; };
  // The visible open events in the clip, per open status (kStatuses' order).
  std::optional<std::array<std::vector<std::uint32_t>, 4>> openRows;
  // Closed events and facilities counted, not drawn one by one.
  const bool clustered = z <= PointClusters::kMaxZoom;

  for (const auto& [kind, name] : *base) {
    if (part == LayerPart::kLive && !isLive(kind)) {
      out.push_back(RenderedLayer{name, false, false, {}, 0});  // the caller has its bytes
      continue;
    }
    auto layer = std::make_unique<mvt::LayerBuilder>(name, o.extent);
    switch (kind) {
      case BaseLayer::kGrids: {
        pick(m_impl->grids);
        writeFeatures(
            m_impl->grids, rows, frame, *layer,
            [&](std::uint32_t f) {
              const std::uint32_t c = d.grids().community[f];
              layer->property("code", d.grids().code[f]);
              layer->property("name", d.grids().name[f]);
              layer->property("community", d.communities().code[c]);
              layer->property("street", d.streets().code[d.communities().street[c]]);
            },
            lines);
        break;
      }
      case BaseLayer::kRoads: {
        pick(m_impl->roads);
        writeFeatures(
            m_impl->roads, rows, frame, *layer,
            [&](std::uint32_t f) {
              layer->uniqueProperty("id", d.roads().id[f]);
              layer->property("name", d.roads().name[f]);
              layer->property("class", model::name(d.roads().roadClass[f]));
              layer->property("width_m", static_cast<double>(d.roads().widthM[f]));
            },
            lines);
        break;
      }
      case BaseLayer::kBuildings: {
        pick(m_impl->buildings);
        if (const double side = buildingMinSide(o, z); side > 0) {
          const auto& boxes = m_impl->buildings.boxes;
          std::erase_if(rows, [&](std::uint32_t f) {
            return boxes[f].width() < side && boxes[f].height() < side;
          });
        }
        declareKeys(*layer, {"id", "use", "floors", "height_m", "grid"});
        ValueIds use(*layer, "use"), grid(*layer, "grid");
        writeFeatures(
            m_impl->buildings, rows, frame, *layer,
            [&](std::uint32_t f) {
              const auto& b = d.buildings();
              layer->uniqueProperty("id", b.id[f]);
              use.tag(static_cast<std::size_t>(b.use[f]), model::name(b.use[f]));
              layer->property("floors", static_cast<std::int64_t>(b.floors[f]));
              layer->property("height_m", static_cast<double>(b.heightM[f]));
              grid.tag(b.grid[f], gridCode(b.grid[f]));
            },
            lines);
        break;
      }
      case BaseLayer::kFacilities: {
        if (clustered) break;  // facilities_clusters carries them
        pick(m_impl->facilities);
        const auto& fc = d.facilities();
        const auto& cols = d.columns();
        declareKeys(*layer, {"id", "type", "type_name", "owner", "grid"});
        ValueIds type(*layer, "type"), typeName(*layer, "type_name"), grid(*layer, "grid");
        writeFeatures(
            m_impl->facilities, rows, frame, *layer,
            [&](std::uint32_t f) {
              layer->uniqueProperty("id", fc.id[f]);
              type.tag(fc.type[f], cols.facilityTypeCodes[fc.type[f]]);
              typeName.tag(fc.type[f], cols.facilityTypeNames[fc.type[f]]);
              layer->property("owner",
                              fc.owner[f] == model::kNone
                                  ? std::string_view{}
                                  : cols.departments[static_cast<std::size_t>(fc.owner[f])]);
              grid.tag(fc.grid[f], gridCode(fc.grid[f]));
            },
            lines);
        break;
      }
      case BaseLayer::kFacilityClusters: {
        if (!clustered) break;  // facilities carries them one by one
        const auto& cols = d.columns();
        declareKeys(*layer, {"count", "grid", "type", "type_name", "type_count", "types"});
        ValueIds grid(*layer, "grid"), type(*layer, "type"), typeName(*layer, "type_name");
        // A cluster is one grid's facilities in one cell of this tile: in
        // scope whole or not at all.
        for (const PointCluster& c : m_impl->facilityClusters.inTile(*tile)) {
          if (!scope.contains(c.grid)) continue;
          mvt::TilePoint t;
          if (!clipPoint(frame, c.xy, t)) continue;  // inside its cell: always drawn
          layer->beginFeature(mvt::GeomType::kPoint);
          layer->points(std::span(&t, 1));
          layer->property("count", static_cast<std::int64_t>(c.count));
          grid.tag(c.grid, gridCode(c.grid));
          type.tag(c.topValue, cols.facilityTypeCodes[c.topValue]);
          typeName.tag(c.topValue, cols.facilityTypeNames[c.topValue]);
          layer->property("type_count", static_cast<std::int64_t>(c.topCount));
          layer->property("types", static_cast<std::int64_t>(c.values));
          layer->endFeature();
        }
        break;
      }
      case BaseLayer::kEvents: {
        model::EventStatus st = model::EventStatus::kReported;
        for (auto candidate : kStatuses) {
          if (eventLayerName(candidate) == name) st = candidate;
        }
        const bool closed = st == model::EventStatus::kClosed;
        if (closed && clustered) break;  // events_closed_clusters carries them
        const std::string_view status = statusCode(st);
        const auto& ev = d.events();
        const auto& cols = d.columns();
        const FeatureSet& set = closed ? m_impl->closedEvents : m_impl->openEvents;
        const std::vector<std::uint32_t>& eventRow =
            closed ? m_impl->closedEventRow : m_impl->openEventRow;
        if (closed) {
          pick(set);
        } else {
          // The four open status layers share one search of their index.
          if (!openRows) {
            pick(set);
            openRows.emplace();
            for (std::uint32_t f : rows) {
              (*openRows)[static_cast<std::size_t>(m_impl->open.status[f])].push_back(f);
            }
          }
          rows = (*openRows)[static_cast<std::size_t>(st)];
        }
        declareKeys(*layer, {"id", "category", "category_name", "source", "reported_at", "status",
                             "status_name", "level", "grid"});
        ValueIds categoryIds(*layer, "category"), categoryNameIds(*layer, "category_name"),
            sourceIds(*layer, "source"), statusIds(*layer, "status"),
            statusNameIds(*layer, "status_name"), levelIds(*layer, "level"),
            gridIds(*layer, "grid");
        auto props = [&](std::int64_t id, std::uint16_t category, model::EventSource source,
                         std::int64_t at, model::DispatchLevel level, std::uint32_t grid) {
          layer->uniqueProperty("id", id);
          categoryIds.tag(category, cols.categoryCodes[category]);
          categoryNameIds.tag(category, cols.categoryNames[category]);
          sourceIds.tag(static_cast<std::size_t>(source), model::name(source));
          layer->uniqueProperty("reported_at", at);
          statusIds.tag(0, status);
          statusNameIds.tag(0, model::name(st));
          levelIds.tag(static_cast<std::size_t>(level), model::name(level));
          gridIds.tag(grid, gridCode(grid));
        };
        writeFeatures(
            set, rows, frame, *layer,
            [&](std::uint32_t f) {
              if (!closed) {
                const auto& of = m_impl->open;
                props(of.id[f], of.category[f], of.source[f], of.reportedAt[f], of.level[f],
                      of.grid[f]);
                return;
              }
              const std::uint32_t e = eventRow[f];
              props(ev.id[e], ev.category[e], ev.source[e], ev.reportedAt[e], ev.level[e],
                    ev.grid[e]);
            },
            lines);
        // The live events reported since the load, at their latest status.
        for (std::uint64_t i = 0; i < liveSeen; ++i) {
          if (!live.current(i, liveSeen)) continue;
          const query::LiveEvent& e = live[i];
          if (e.status != st || !scope.contains(e.grid)) continue;
          mvt::TilePoint t;
          if (!clipPoint(frame, lonLatToMercator(e.lonlat), t)) continue;
          layer->beginFeature(mvt::GeomType::kPoint);
          layer->points(std::span(&t, 1));
          props(e.id, e.category, e.source, e.reportedAt, e.level, e.grid);
          layer->endFeature();
        }
        break;
      }
      case BaseLayer::kEventClusters: {
        if (!clustered) break;  // events_closed carries them one by one
        const auto& cols = d.columns();
        declareKeys(*layer, {"count", "grid", "category", "category_name", "category_count",
                             "categories", "reported_from", "reported_to"});
        ValueIds gridIds(*layer, "grid"), categoryIds(*layer, "category"),
            categoryNameIds(*layer, "category_name");
        auto props = [&](std::uint32_t count, std::uint32_t grid, std::uint16_t category,
                         std::uint32_t categoryCount, std::uint32_t categories, std::int64_t from,
                         std::int64_t to) {
          layer->property("count", static_cast<std::int64_t>(count));
          gridIds.tag(grid, gridCode(grid));
          categoryIds.tag(category, cols.categoryCodes[category]);
          categoryNameIds.tag(category, cols.categoryNames[category]);
          layer->property("category_count", static_cast<std::int64_t>(categoryCount));
          layer->property("categories", static_cast<std::int64_t>(categories));
          layer->uniqueProperty("reported_from", from);
          layer->uniqueProperty("reported_to", to);
        };
        // A cluster is one grid's events in one cell of this tile: in scope
        // whole or not at all. No buffer: each cluster is in one tile only.
        for (const PointCluster& c : m_impl->closedClusters.inTile(*tile)) {
          if (!scope.contains(c.grid)) continue;
          mvt::TilePoint t;
          if (!clipPoint(frame, c.xy, t)) continue;  // inside its cell: always drawn
          layer->beginFeature(mvt::GeomType::kPoint);
          layer->points(std::span(&t, 1));
          props(c.count, c.grid, c.topValue, c.topCount, c.values, c.firstTime, c.lastTime);
          layer->endFeature();
        }
        // The live events closed since the load: a cluster of one each, in
        // the tile that holds them, so the counts still add up.
        for (std::uint64_t i = 0; i < liveSeen; ++i) {
          if (!live.current(i, liveSeen)) continue;
          const query::LiveEvent& e = live[i];
          if (e.status != model::EventStatus::kClosed || !scope.contains(e.grid)) continue;
          if (!std::isfinite(e.lonlat.x) || !(tileAt(e.lonlat, z) == *tile)) continue;
          mvt::TilePoint t;
          if (!clipPoint(frame, lonLatToMercator(e.lonlat), t)) continue;
          layer->beginFeature(mvt::GeomType::kPoint);
          layer->points(std::span(&t, 1));
          props(1, e.grid, e.category, 1, 1, e.reportedAt, e.reportedAt);
          layer->endFeature();
        }
        break;
      }
    }
    finish(*layer, isLive(kind));
  }
  for (CatalogueLayer* c : cat) {
    if (part == LayerPart::kLive) {
      out.push_back(RenderedLayer{c->table, false, false, {}, 0});
      continue;
    }
    auto layer = std::make_unique<mvt::LayerBuilder>(c->table, o.extent);
    pick(c->features);
    writeFeatures(
        c->features, rows, frame, *layer,
        [&](std::uint32_t f) {
          layer->property("ref", c->ref[f]);
          layer->property("name", c->name[f]);
        },
        lines);
    finish(*layer, false);
  }
  return out;
}

core::Result<std::string> TileSource::tileJson(std::string_view urlTemplate,
                                               std::span<const std::string> names, int minzoom,
                                               int maxzoom) const {
  std::vector<CatalogueLayer*> cat;
  auto base = m_impl->select(names, cat);
  if (!base) return base.takeError();
  std::vector<std::string> ids;
  for (const auto& [k, n] : *base) ids.push_back(n);
  for (CatalogueLayer* c : cat) ids.push_back(c->table);

  std::string j = "{\"tilejson\":\"3.0.0\",\"name\":\"gridtwin\",\"scheme\":\"xyz\",\"tiles\":[";
  core::appendJsonString(j, urlTemplate);
  j += "],\"minzoom\":" + std::to_string(minzoom) + ",\"maxzoom\":" + std::to_string(maxzoom);
  const geo::Box& b = m_impl->lonlatBounds;
  j += ",\"bounds\":[";
  core::appendJsonNumber(j, b.minx, 6);
  j += ",";
  core::appendJsonNumber(j, b.miny, 6);
  j += ",";
  core::appendJsonNumber(j, b.maxx, 6);
  j += ",";
  core::appendJsonNumber(j, b.maxy, 6);
  j += "],\"center\":[";
  core::appendJsonNumber(j, (b.minx + b.maxx) / 2, 6);
  j += ",";
  core::appendJsonNumber(j, (b.miny + b.maxy) / 2, 6);
  j += "," + std::to_string(std::clamp(14, minzoom, maxzoom)) + "],\"vector_layers\":[";
  bool first = true;
  for (const std::string& id : ids) {
    for (const LayerInfo& info : m_impl->infos) {
      if (info.id != id) continue;
      if (!first) j += ",";
      first = false;
      j += "{\"id\":";
      core::appendJsonString(j, info.id);
      j += ",\"description\":";
      core::appendJsonString(j, info.description);
      // A layer drawn over part of the zoom range says so (events_closed
      // from z16, its clusters up to z15).
      j += ",\"minzoom\":" + std::to_string(std::clamp(info.minzoom, minzoom, maxzoom)) +
           ",\"maxzoom\":" + std::to_string(std::clamp(info.maxzoom, minzoom, maxzoom));
      j += ",\"fields\":{";
      for (std::size_t i = 0; i < info.fields.size(); ++i) {
        if (i > 0) j += ",";
        core::appendJsonString(j, info.fields[i].name);
        j += ":";
        core::appendJsonString(j, info.fields[i].type);
      }
      j += "}}";
    }
  }
  j += "]}";
  return j;
}

core::Result<RenderedTile> render(const query::Twin& twin, const query::Access& access, int z,
                                  int x, int y, std::span<const std::string> layers,
                                  const std::string& gpkgPath) {
  auto tile = checkTile(z, x, y);
  if (!tile) return tile.takeError();
  auto source = TileSource::create(twin, gpkgPath);
  if (!source) return source.takeError();
  return (*source)->render(access, z, x, y, layers);
}

}  // namespace gridtwin::tiles
