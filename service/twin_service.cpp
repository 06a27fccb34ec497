// The routes of `gridtwin serve` on a twin (twin_service.h): OGC API –
// Features and the engine's queries.
#include "twin_service.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "address/gazetteer.h"
#include "address/json.h"
#include "address/matcher.h"
#include "address/parser.h"
#include "address/registry.h"
#include "auth.h"
#include "core/json.h"
#include "crs/crs.h"
#include "crs/transformer.h"
#include "geo/geojson.h"
#include "geo/geometry.h"
#include "geo/wkb.h"
#include "geo/wkt.h"
#include "layers/catalog.h"
#include "pgstore/loader.h"
#include "query/area_input.h"
#include "query/area_stats.h"
#include "query/query.h"
#include "query/records.h"
#include "query/stats.h"
#include "store/vector_file.h"

namespace gridtwin::service {

using model::Kind;

namespace {

// ------------------------------------------------------------------ CRSs

// The CRSs the features API speaks (OGC API – Features Part 2). EPSG codes
// in the authority's axis order (EPSG:4490 lat,lon; EPSG:4547 northing,
// easting), CRS84 and our named GCJ-02/BD-09 lon,lat.
enum class OutCrs { kCrs84, k4490, k4547, kGcj02, kBd09 };
constexpr std::string_view kCrs84Uri = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
constexpr std::array<OutCrs, 5> kAllCrs = {OutCrs::kCrs84, OutCrs::k4490, OutCrs::k4547,
                                           OutCrs::kGcj02, OutCrs::kBd09};

std::string_view uriOf(OutCrs c) {
  switch (c) {
    case OutCrs::kCrs84:
      return kCrs84Uri;
    case OutCrs::k4490:
      return "http://www.opengis.net/def/crs/EPSG/0/4490";
    case OutCrs::k4547:
      return "http://www.opengis.net/def/crs/EPSG/0/4547";
    case OutCrs::kGcj02:
      return "urn:gridtwin:def:crs:GCJ-02";
    case OutCrs::kBd09:
      return "urn:gridtwin:def:crs:BD-09";
  }
  return kCrs84Uri;
}

std::optional<OutCrs> parseOutCrs(std::string_view s) {
  std::string t(s);
  if (!t.empty() && t.front() == '[' && t.back() == ']')
    t = t.substr(1, t.size() - 2);  // safe CURIE
  for (OutCrs c : kAllCrs) {
    if (t == uriOf(c)) return c;
  }
  std::string u;
  for (char ch : t) u += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (u == "CRS84" || u == "OGC:CRS84") return OutCrs::kCrs84;
  if (u == "EPSG:4490") return OutCrs::k4490;
  if (u == "EPSG:4547") return OutCrs::k4547;
  if (u == "GCJ02" || u == "GCJ-02") return OutCrs::kGcj02;
  if (u == "BD09" || u == "BD-09") return OutCrs::kBd09;
  return std::nullopt;
}

crs::Crs engineCrs(OutCrs c) {
  switch (c) {
    case OutCrs::kCrs84:
    case OutCrs::k4490:
      return crs::kCgcs2000;
    case OutCrs::k4547:
      return crs::kGaussKruger114;
    case OutCrs::kGcj02:
      return crs::kGcj02;
    case OutCrs::kBd09:
      return crs::kBd09;
  }
  return crs::kCgcs2000;
}

// A Transformer per thread and pair (Transformers are not thread-safe).
const crs::Transformer* transformerFor(crs::Crs from, crs::Crs to) {
  thread_local std::vector<std::pair<std::pair<crs::Crs, crs::Crs>, crs::Transformer>> cache;
  for (auto& [k, t] : cache) {
    if (k.first == from && k.second == to) return &t;
  }
  auto t = crs::Transformer::create(from, to);
  if (!t) return nullptr;
  cache.emplace_back(std::make_pair(from, to), std::move(*t));
  return &cache.back().second;
}

// EPSG:4490 lon,lat → the output CRS, in its axis order. NaN stays NaN.
struct CoordOut {
  OutCrs crs = OutCrs::kCrs84;
  const crs::Transformer* t = nullptr;
  explicit CoordOut(OutCrs c) : crs(c) {
    if (c == OutCrs::k4547 || c == OutCrs::kGcj02 || c == OutCrs::kBd09) {
      t = transformerFor(crs::kCgcs2000, engineCrs(c));
    }
  }
  geo::Point operator()(geo::Point p) const {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) return p;
    if (t) {
      auto q = t->transform(p);
      p = q ? *q : geo::Point{NAN, NAN};
    }
    if (crs == OutCrs::k4490 || crs == OutCrs::k4547) std::swap(p.x, p.y);
    return p;
  }
};

void mapPoints(geo::Geometry& g, const CoordOut& out) {
  const auto ring = [&](std::vector<geo::Point>& r) {
    for (auto& p : r) p = out(p);
  };
  const auto poly = [&](geo::Polygon& p) {
    ring(p.outer);
    for (auto& h : p.holes) ring(h);
  };
  std::visit(
      [&](auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, geo::Point>) {
          v = out(v);
        } else if constexpr (std::is_same_v<T, geo::LineString>) {
          ring(v);
        } else if constexpr (std::is_same_v<T, geo::Polygon>) {
          poly(v);
        } else if constexpr (std::is_same_v<T, geo::MultiPolygon>) {
          for (auto& p : v.polygons) poly(p);
        } else if constexpr (std::is_same_v<T, geo::MultiLineString>) {
          for (auto& l : v.lines) ring(l);
        } else if constexpr (std::is_same_v<T, geo::MultiPoint>) {
          ring(v.points);
        } else {
          for (auto& m : v.geometries) mapPoints(m, out);
        }
      },
      g);
}

geo::MultiPolygon lonlatShape(const model::PolygonColumns<model::Viewed>& s, std::size_t f) {
  geo::MultiPolygon mp;
  for (std::uint32_t part = s.partStart[f]; part < s.partStart[f + 1]; ++part) {
    geo::Polygon poly;
    for (std::uint32_t r = s.ringStart[part]; r < s.ringStart[part + 1]; ++r) {
      geo::Ring ring(s.lonlat.begin() + s.pointStart[r], s.lonlat.begin() + s.pointStart[r + 1]);
      if (r == s.ringStart[part]) {
        poly.outer = std::move(ring);
      } else {
        poly.holes.push_back(std::move(ring));
      }
    }
    mp.polygons.push_back(std::move(poly));
  }
  return mp;
}

geo::Box lonlatBox(const model::PolygonColumns<model::Viewed>& s, std::size_t f) {
  geo::Box b;
  const auto r0 = s.ringStart[s.partStart[f]], r1 = s.ringStart[s.partStart[f + 1]];
  for (std::uint32_t i = s.pointStart[r0]; i < s.pointStart[r1]; ++i) b.expand(s.lonlat[i]);
  return b;
}

geo::MultiLineString lonlatLines(const model::LineColumns<model::Viewed>& l, std::size_t f) {
  geo::MultiLineString ml;
  for (std::uint32_t part = l.partStart[f]; part < l.partStart[f + 1]; ++part) {
    ml.lines.emplace_back(l.lonlat.begin() + l.pointStart[part],
                          l.lonlat.begin() + l.pointStart[part + 1]);
  }
  return ml;
}

std::string num(double v) {
  std::string s;
  core::appendJsonNumber(s, v);
  return s;
}

bool parseDouble(std::string_view s, double& out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return false;
  if (s.front() == '+') s.remove_prefix(1);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(out);
}

bool parseSize(std::string_view s, std::size_t& out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::vector<std::string_view> splitComma(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    const auto c = s.find(',');
    out.push_back(s.substr(0, c));
    if (c == std::string_view::npos) break;
    s = s.substr(c + 1);
  }
  return out;
}

Response bad(std::string_view why) { return Response::error(400, "InvalidParameterValue", why); }

// ------------------------------------------------------------------ layers

struct LayerFeature {
  std::int64_t fid = 0;
  std::string propertiesJson;  // {"ref": ..., "name": ..., ...}
  std::vector<std::pair<std::string, std::string>> props;
  geo::Geometry geometry;            // EPSG:4490 lon,lat
  geo::Box box;                      // lon,lat
  std::vector<std::uint32_t> grids;  // the grids it tells of; empty: public
};

struct LayerInfo {
  std::string id, table, name, category, geometryType;
  layers::SourceKind kind = layers::SourceKind::kDistrict;
  bool kindKnown = false;
  std::once_flag loaded;
  core::Result<void> status;
  std::vector<LayerFeature> features;
};

}  // namespace

// The catalogue layers' features, read on first use and kept.
class LayerStore {
 public:
  LayerStore(const query::Twin& twin, std::string path)
      : m_twin(twin),
        m_path(std::move(path)),
        // PostGIS keeps the dataset in the gridtwin schema (pgstore/sql).
        m_schema(m_path.starts_with("PG:") ? "gridtwin." : "") {
    const auto& l = twin.district().layers();
    for (std::size_t i = 0; i < l.size(); ++i) {
      if (l.table[i].empty()) continue;
      auto info = std::make_unique<LayerInfo>();
      info->id = l.id[i];
      info->table = l.table[i];
      info->name = l.name[i];
      info->category = l.category[i];
      info->geometryType = l.geometryType[i];
      m_layers.push_back(std::move(info));
    }
  }
  const std::vector<std::unique_ptr<LayerInfo>>& layers() const { return m_layers; }
  LayerInfo* find(std::string_view table) const {
    for (const auto& l : m_layers) {
      if (l->table == table) return l.get();
    }
    return nullptr;
  }
  const LayerInfo& load(LayerInfo& info) {
    std::call_once(info.loaded, [&] { info.status = read(info); });
    return info;
  }

 private:
  core::Result<void> read(LayerInfo& info) {
    std::lock_guard lock(m_gdal);  // one GDAL dataset, one thread at a time
    if (m_path.empty()) {
      return core::makeError(core::ErrorCode::kUnsupported, "the catalogue layers are not served");
    }
    if (!m_file) {
      auto file = store::VectorFile::open(m_path);
      if (!file) return file.takeError();
      m_file.emplace(std::move(*file));
      // The layers' source kinds tell what their `ref` columns name.
      if (auto cat = m_file->layer(m_schema + "layer_catalog")) {
        const int tableField = cat->fieldIndex("table_name"), srcField = cat->fieldIndex("source");
        if (tableField >= 0 && srcField >= 0) {
          (void)cat->forEachFeature([&](const store::VectorFeature& f) -> core::Result<void> {
            if (auto src = layers::parseLayerSource(f.text(srcField))) {
              m_kinds[std::string(f.text(tableField))] =
                  src->op == layers::SourceOp::kDensity ? src->densityUnit : src->kind;
            }
            return {};
          });
        }
      }
      const auto& d = m_twin.district();
      for (std::uint32_t g = 0; g < d.grids().size(); ++g) {
        const std::string code(d.grids().code[g]);
        m_codes[code].push_back(g);
        if (code.size() == 15) {
          m_codes[code.substr(0, 12)].push_back(g);
          m_codes[code.substr(0, 9)].push_back(g);
        }
      }
      for (std::uint32_t r = 0; r < d.addresses().size(); ++r) {
        m_addressRows.emplace(std::string(d.addresses().code[r]), r);
      }
    }
    if (const auto it = m_kinds.find(info.table); it != m_kinds.end()) {
      info.kind = it->second;
      info.kindKnown = true;
    }
    auto& file = m_file;
    auto layer = file->layer(m_schema + info.table);
    if (!layer) {
      return core::makeError(core::ErrorCode::kNotFound,
                             "no table " + info.table + " in " + m_path);
    }
    const auto fields = layer->fields();
    std::vector<std::uint8_t> wkb;
    return layer->forEachFeature([&](const store::VectorFeature& f) -> core::Result<void> {
      LayerFeature lf;
      lf.fid = f.fid();
      lf.propertiesJson = "{";
      std::string ref;
      for (std::size_t i = 0; i < fields.size(); ++i) {
        const int fi = static_cast<int>(i);
        if (i) lf.propertiesJson += ", ";
        core::appendJsonString(lf.propertiesJson, fields[i].name);
        lf.propertiesJson += ": ";
        std::string text;
        if (f.isNull(fi)) {
          lf.propertiesJson += "null";
        } else if (fields[i].type == store::FieldType::kText) {
          text = std::string(f.text(fi));
          core::appendJsonString(lf.propertiesJson, text);
        } else {
          text = fields[i].type == store::FieldType::kInteger ? std::to_string(f.integer(fi))
                                                              : num(f.real(fi));
          lf.propertiesJson += text;
        }
        if (fields[i].name == "ref") ref = text;
        // A PostGIS view has no FID of its own: its fid column is the id.
        if (fields[i].name == "fid" && fields[i].type == store::FieldType::kInteger &&
            !f.isNull(fi)) {
          lf.fid = f.integer(fi);
        }
        lf.props.emplace_back(fields[i].name, std::move(text));
      }
      lf.propertiesJson += "}";
      if (f.wkb(wkb)) {
        auto g = geo::readWkb(wkb, info.table);
        if (g) {
          lf.geometry = std::move(*g);
          lf.box = geo::bbox(lf.geometry);
        }
      } else {
        lf.geometry = geo::emptyPoint();
      }
      lf.grids = gridsOfRef(info, ref);
      info.features.push_back(std::move(lf));
      return {};
    });
  }

  // The grids a feature's ref tells of: an id of a scoped register (the
  // row's grid), or a grid/community/street code (all its grids). Public
  // sources (roads, water, POI, ...) tell of none.
  std::vector<std::uint32_t> gridsOfRef(const LayerInfo& info, const std::string& ref) {
    using layers::SourceKind;
    if (!info.kindKnown || ref.empty()) return {};
    const auto& d = m_twin.district();
    const auto byCode = [&](const std::string& code) -> std::vector<std::uint32_t> {
      const auto it = m_codes.find(code);
      return it == m_codes.end() ? std::vector<std::uint32_t>{} : it->second;
    };
    const auto byId = [&](Kind kind, const auto& idColumn) -> std::vector<std::uint32_t> {
      auto& map = m_ids[static_cast<std::size_t>(kind)];
      if (map.empty()) {
        for (std::uint32_t r = 0; r < idColumn.size(); ++r) map.emplace(idColumn[r], r);
      }
      std::int64_t id = 0;
      const auto [end, ec] = std::from_chars(ref.data(), ref.data() + ref.size(), id);
      if (ec != std::errc() || end != ref.data() + ref.size()) return {};
      const auto it = map.find(id);
      if (it == map.end()) return {};
      return {m_twin.gridOf(kind, it->second)};
    };
    switch (info.kind) {
      case SourceKind::kStreets:
      case SourceKind::kCommunities:
      case SourceKind::kGrids:
      case SourceKind::kPeople:  // people layers carry their grid's code
        return byCode(ref);
      case SourceKind::kBuildings:
        return byId(Kind::kBuilding, d.buildings().id);
      case SourceKind::kHouses:
        return byId(Kind::kHouse, d.houses().id);
      case SourceKind::kEntities:
        return byId(Kind::kEntity, d.entities().id);
      case SourceKind::kFacilities:
        return byId(Kind::kFacility, d.facilities().id);
      case SourceKind::kEvents:
        return byId(Kind::kEvent, d.events().id);
      case SourceKind::kAddresses: {
        const auto it = m_addressRows.find(ref);
        if (it == m_addressRows.end()) return {};
        return {d.addresses().grid[it->second]};
      }
      default:
        return {};
    }
  }

  const query::Twin& m_twin;
  std::string m_path;
  std::string m_schema;
  std::mutex m_gdal;
  std::optional<store::VectorFile> m_file;
  std::map<std::string, layers::SourceKind> m_kinds;
  std::unordered_map<std::string, std::vector<std::uint32_t>> m_codes;
  std::unordered_map<std::string, std::uint32_t> m_addressRows;
  std::vector<std::unique_ptr<LayerInfo>> m_layers;
  std::array<std::unordered_map<std::int64_t, std::uint32_t>, model::kKindCount> m_ids;
};

namespace {

// ------------------------------------------------------------------ base collections

struct BaseCollection {
  Kind kind;
  const char* title;
  const char* geometry;  // GeoJSON type
};
constexpr std::array<BaseCollection, 11> kBase = {{
    {Kind::kStreet, "Streets (街道)", "MultiPolygon"},
    {Kind::kCommunity, "Communities (社区)", "MultiPolygon"},
    {Kind::kGrid, "Grids (网格)", "MultiPolygon"},
    {Kind::kRoad, "Roads", "MultiLineString"},
    {Kind::kBuilding, "Buildings", "Polygon"},
    {Kind::kAddress, "Addresses", "Point"},
    {Kind::kPerson, "People (实有人口)", "Point"},
    {Kind::kEntity, "Legal entities (实有单位)", "Point"},
    {Kind::kHouse, "Houses (实有房屋)", "Point"},
    {Kind::kFacility, "Facilities (城市部件)", "Point"},
    {Kind::kEvent, "Events (事件)", "Point"},
}};

const BaseCollection* baseOf(std::string_view id) {
  for (const auto& b : kBase) {
    if (model::kindTable(b.kind) == id) return &b;
  }
  return nullptr;
}

// Fields an anonymous caller never sees (issue 13.7: no personal field).
bool personalField(Kind kind, std::string_view field) {
  if (kind != Kind::kPerson) return false;
  return field == "name" || field == "sex" || field == "age" || field == "id_number" ||
         field == "phone" || field == "tags";
}

// The OAPIF query parameters that are not property filters.
bool reservedParam(std::string_view k) {
  return k == "limit" || k == "offset" || k == "bbox" || k == "bbox-crs" || k == "crs" ||
         k == "datetime" || k == "f" || k == "properties" || k == "filter-lang";
}

}  // namespace

// ------------------------------------------------------------------ the service

struct TwinService::Impl {
  std::shared_ptr<query::Twin> twin;
  std::unique_ptr<LayerStore> layers;
  TwinService* self = nullptr;
  // The geocoder, built on first use (the tagger loads or trains then).
  std::string sharedData;
  std::once_flag geocoderOnce;
  core::Result<void> geocoderStatus;
  std::unique_ptr<address::Geocoder> geocoder;
  // The per-grid summaries of /stats (query/area_stats.h): one pass over
  // every row (the twin's base rows never change; live events are not
  // summarised), about 0.2 s at full scale, made when the service starts so
  // that no request waits for it.
  mutable std::once_flag gridStatsOnce;
  mutable std::optional<query::GridStats> gridStats;

  const query::GridStats& gridStatsOf() const {
    std::call_once(gridStatsOnce, [&] { gridStats = query::GridStats::build(*twin); });
    return *gridStats;
  }

  const address::Geocoder* geocoderOrError(Response& error) {
    std::call_once(geocoderOnce, [&] {
      auto registry = address::Registry::build(twin->district());
      if (!registry) {
        geocoderStatus = registry.takeError();
        return;
      }
      auto divisions = std::make_shared<address::Gazetteer>();
      if (auto r = divisions->addDivisions(sharedData + "/divisions"); !r) {
        geocoderStatus = r.takeError();
        return;
      }
      auto tagger = address::loadOrTrainTagger(address::defaultTaggerPath(),
                                               sharedData + "/addresses/naacl2019", *divisions);
      if (!tagger) {
        geocoderStatus = tagger.takeError();
        return;
      }
      auto matcher = std::make_shared<const address::Matcher>(
          *registry, address::makeRegistryParser(**registry, *divisions, *tagger));
      geocoder = std::make_unique<address::Geocoder>(matcher);
    });
    if (!geocoder) {
      error = Response::error(
          503, "GeocoderUnavailable",
          "the geocoder could not be built: " +
              (geocoderStatus ? std::string("unknown reason") : geocoderStatus.error().toString()));
      return nullptr;
    }
    return geocoder.get();
  }

  // A geocoded address of a grid outside the caller's scope is refused.
  std::optional<Response> outOfScope(const Caller& caller, const std::string& gridCode) const {
    if (caller.access.scope.isAll() || gridCode.empty()) return std::nullopt;
    const auto& codes = twin->district().grids().code;
    for (std::uint32_t g = 0; g < codes.size(); ++g) {
      if (codes[g] == gridCode && caller.access.scope.contains(g)) return std::nullopt;
    }
    return Response::error(403, "Forbidden",
                           "the address is in the grid " + gridCode + ", outside your scope");
  }

  Response geocode(const Request& req) {
    auto q = req.queryParam("q");
    if (!q || q->empty()) return bad("give the address as q=...");
    Response error;
    const auto* g = geocoderOrError(error);
    if (!g) return error;
    auto r = g->geocode(*q, "q");
    if (!r) return bad(r.error().toString());
    if (auto refused = outOfScope(callerOf(req), r->gridCode)) return std::move(*refused);
    return Response::json(address::geocodeToJson(*q, *r, *g) + "\n");
  }

  Response reverseGeocode(const Request& req) {
    auto lon = req.queryParam("lon");
    auto lat = req.queryParam("lat");
    double x = 0, y = 0;
    if (!lon || !lat || !parseDouble(*lon, x) || !parseDouble(*lat, y)) {
      return bad("give the point as lon=...&lat=... (EPSG:4490, finite numbers)");
    }
    Response error;
    const auto* g = geocoderOrError(error);
    if (!g) return error;
    auto r = g->reverse(x, y);
    if (!r) return bad(r.error().toString());
    if (auto refused = outOfScope(callerOf(req), r->gridCode)) return std::move(*refused);
    return Response::json(address::reverseToJson(x, y, *r) + "\n");
  }

  const Caller& callerOf(const Request& req) const {
    static const Caller kNobody;
    return req.caller ? *req.caller : kNobody;
  }

  // ---- landing, conformance, API
  Response landing(const Request& req) const {
    const std::string& b = req.baseUrl;
    std::string out = "{\"title\": \"gridtwin\", \"description\": ";
    core::appendJsonString(out, "The district's digital twin: " +
                                    std::to_string(twin->district().grids().size()) + " grids");
    out += ", \"links\": [";
    const auto link = [&](const std::string& href, const char* rel, const char* type,
                          const char* title, bool first = false) {
      out += first ? "" : ", ";
      out += "{\"href\": " + core::jsonQuote(href) + ", \"rel\": \"" + rel + "\", \"type\": \"" +
             type + "\", \"title\": \"" + title + "\"}";
    };
    link(b + "/", "self", "application/json", "this document", true);
    link(b + "/api", "service-desc", "application/vnd.oai.openapi+json;version=3.0", "the API");
    link(b + "/conformance", "conformance", "application/json", "conformance classes");
    link(b + "/collections", "data", "application/json", "the collections");
    out += "]}\n";
    return Response::json(std::move(out));
  }

  static Response conformance() {
    return Response::json(
        "{\"conformsTo\": ["
        "\"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core\", "
        "\"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson\", "
        "\"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30\", "
        "\"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs\"]}\n");
  }

  Response api(const Request& req) const {
    std::string paths;
    const auto op = [&](const std::string& path, const char* summary, const char* params) {
      if (!paths.empty()) paths += ", ";
      paths += core::jsonQuote(path) + ": {\"get\": {\"summary\": \"" + summary +
               "\", \"parameters\": [" + params +
               "], \"responses\": {\"200\": {\"description\": \"OK\"}}}}";
    };
    const char* q = "{\"name\": \"%s\", \"in\": \"query\", \"schema\": {\"type\": \"string\"}}";
    const auto qp = [&](std::initializer_list<const char*> names) {
      std::string s;
      for (const char* n : names) {
        char buf[200];
        std::snprintf(buf, sizeof buf, q, n);
        s += (s.empty() ? "" : ", ") + std::string(buf);
      }
      return s;
    };
    const std::string idp =
        "{\"name\": \"collectionId\", \"in\": \"path\", \"required\": true, \"schema\": "
        "{\"type\": \"string\"}}";
    const std::string fidp =
        "{\"name\": \"featureId\", \"in\": \"path\", \"required\": true, \"schema\": "
        "{\"type\": \"string\"}}";
    op("/", "Landing page", "");
    op("/conformance", "Conformance classes", "");
    op("/collections", "The collections", "");
    op("/collections/{collectionId}", "One collection", idp.c_str());
    const std::string items =
        idp + ", " + qp({"limit", "offset", "bbox", "bbox-crs", "crs", "datetime"});
    op("/collections/{collectionId}/items", "Features of a collection", items.c_str());
    const std::string item = idp + ", " + fidp + ", " + qp({"crs"});
    op("/collections/{collectionId}/items/{featureId}", "One feature", item.c_str());
    op("/locate", "The grid of a point (lon, lat in EPSG:4490)", qp({"lon", "lat"}).c_str());
    op("/near", "The k nearest records", qp({"lon", "lat", "k", "kind"}).c_str());
    op("/health", "Liveness", "");
    op("/metrics", "Prometheus metrics", "");
    return Response::json(
        "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"gridtwin\", "
        "\"version\": \"0.1.0\"}, \"servers\": [{\"url\": " +
        core::jsonQuote(req.baseUrl) + "}], \"paths\": {" + paths + "}}\n");
  }

  // ---- collections
  std::string crsList() const {
    std::string s = "[";
    for (OutCrs c : kAllCrs) s += (s.size() > 1 ? ", " : "") + core::jsonQuote(uriOf(c));
    return s + "]";
  }

  std::string extentOf(const geo::Box& b) const {
    if (b.empty()) return "";
    return ", \"extent\": {\"spatial\": {\"bbox\": [[" + num(b.minx) + ", " + num(b.miny) + ", " +
           num(b.maxx) + ", " + num(b.maxy) + "]], \"crs\": \"" + std::string(kCrs84Uri) + "\"}}";
  }

  geo::Box districtLonLatBox() const {
    geo::Box b;
    const auto& g = twin->district().grids();
    for (std::size_t i = 0; i < g.size(); ++i) b.expand(lonlatBox(g.shape, i));
    return b;
  }

  std::string collectionJson(const Request& req, const std::string& id, const std::string& title,
                             const std::string& description, const std::string& geometry) const {
    const std::string base = req.baseUrl + "/collections/" + id;
    std::string out = "{\"id\": " + core::jsonQuote(id) + ", \"title\": " + core::jsonQuote(title);
    out += ", \"description\": " + core::jsonQuote(description);
    out += ", \"itemType\": \"feature\", \"crs\": " + crsList() + ", \"storageCrs\": \"" +
           std::string(kCrs84Uri) + "\"";
    out += ", \"x-gridtwin-geometry\": " + core::jsonQuote(geometry);
    out += extentOf(districtLonLatBox());
    out += ", \"links\": [{\"href\": " + core::jsonQuote(base) +
           ", \"rel\": \"self\", \"type\": \"application/json\"}, {\"href\": " +
           core::jsonQuote(base + "/items") +
           ", \"rel\": \"items\", \"type\": \"application/geo+json\"}]}";
    return out;
  }

  Response collections(const Request& req) const {
    std::string out =
        "{\"links\": [{\"href\": " + core::jsonQuote(req.baseUrl + "/collections") +
        ", \"rel\": \"self\", \"type\": \"application/json\"}], \"crs\": " + crsList() +
        ", \"collections\": [";
    bool first = true;
    for (const auto& b : kBase) {
      out += first ? "" : ", ";
      first = false;
      out += collectionJson(req, std::string(model::kindTable(b.kind)), b.title,
                            "the district's " + std::string(model::kindTable(b.kind)), b.geometry);
    }
    for (const auto& l : layers->layers()) {
      out += ", " + collectionJson(req, l->table, l->name,
                                   l->id + " " + l->category + ": " + l->name, l->geometryType);
    }
    out += "]}\n";
    return Response::json(std::move(out));
  }

  Response collection(const Request& req) const {
    const std::string& id = req.param("id");
    if (const auto* b = baseOf(id)) {
      return Response::json(collectionJson(req, id, b->title, "the district's " + id, b->geometry) +
                            "\n");
    }
    if (auto* l = layers->find(id)) {
      return Response::json(collectionJson(req, l->table, l->name,
                                           l->id + " " + l->category + ": " + l->name,
                                           l->geometryType) +
                            "\n");
    }
    return Response::error(404, "NotFound", "no collection '" + id + "' (see /collections)");
  }

  // ---- items
  struct ItemsQuery {
    std::size_t limit = 10, offset = 0;
    OutCrs crs = OutCrs::kCrs84;
    std::optional<query::Area> area;  // EPSG:4547
    geo::Box lonlatBox;               // the bbox's envelope in lon,lat
    geo::Box metricBox;               // ... in EPSG:4547
    query::EventFilter events;
    bool hasDatetime = false;
    std::vector<std::pair<std::string, std::string>> filters;
  };

  std::optional<Response> parseItems(const Request& req, ItemsQuery& q) const {
    if (auto v = req.queryParam("limit")) {
      if (!parseSize(*v, q.limit) || q.limit < 1 || q.limit > 10000) {
        return bad("limit: expected an integer from 1 to 10000, got '" + std::string(*v) + "'");
      }
    }
    if (auto v = req.queryParam("offset")) {
      if (!parseSize(*v, q.offset)) {
        return bad("offset: expected a non-negative integer, got '" + std::string(*v) + "'");
      }
    }
    if (auto v = req.queryParam("crs")) {
      auto c = parseOutCrs(*v);
      if (!c) {
        return bad("crs: '" + std::string(*v) + "' is not one of this server's CRSs " + crsList());
      }
      q.crs = *c;
    }
    OutCrs bboxCrs = OutCrs::kCrs84;
    if (auto v = req.queryParam("bbox-crs")) {
      auto c = parseOutCrs(*v);
      if (!c) {
        return bad("bbox-crs: '" + std::string(*v) + "' is not one of this server's CRSs " +
                   crsList());
      }
      bboxCrs = *c;
    }
    if (auto v = req.queryParam("bbox")) {
      const auto parts = splitComma(*v);
      std::vector<double> n;
      for (auto p : parts) {
        double d;
        if (!parseDouble(p, d)) {
          n.clear();
          break;
        }
        n.push_back(d);
      }
      if (n.size() != 4 && n.size() != 6) {
        return bad("bbox: expected 4 numbers minx,miny,maxx,maxy (in bbox-crs), got '" +
                   std::string(*v) + "'");
      }
      if (n.size() == 6) n = {n[0], n[1], n[3], n[4]};
      // The CRS's axis order → x,y (lon,lat / easting,northing).
      if (bboxCrs == OutCrs::k4490 || bboxCrs == OutCrs::k4547) n = {n[1], n[0], n[3], n[2]};
      if (n[0] > n[2] || n[1] > n[3]) {
        return bad("bbox: the lower corner must not exceed the upper one, got '" + std::string(*v) +
                   "'");
      }
      auto area = query::boxArea(*twin, engineCrs(bboxCrs), {n[0], n[1], n[2], n[3]});
      if (!area) return bad("bbox: " + area.error().toString());
      q.area = std::move(*area);
      // Envelopes in both CRSs, from the edges densified.
      const auto* toLonLat = transformerFor(engineCrs(bboxCrs), crs::kCgcs2000);
      const auto* toMetric = transformerFor(engineCrs(bboxCrs), crs::kGaussKruger114);
      for (int i = 0; i <= 16; ++i) {
        const double t = i / 16.0;
        const geo::Point edge[4] = {{n[0] + t * (n[2] - n[0]), n[1]},
                                    {n[0] + t * (n[2] - n[0]), n[3]},
                                    {n[0], n[1] + t * (n[3] - n[1])},
                                    {n[2], n[1] + t * (n[3] - n[1])}};
        for (const auto& p : edge) {
          if (toLonLat) {
            if (auto r = toLonLat->transform(p)) q.lonlatBox.expand(*r);
          }
          if (toMetric) {
            if (auto r = toMetric->transform(p)) q.metricBox.expand(*r);
          }
        }
      }
    }
    if (auto v = req.queryParam("datetime")) {
      const std::string s(*v);
      const auto slash = s.find('/');
      query::TimeWindow w;
      const auto end = [&](std::string_view t, std::int64_t& out) -> bool {
        auto r = query::parseTime(t);
        if (!r) return false;
        out = *r;
        return true;
      };
      if (slash == std::string::npos) {
        if (!end(s, w.from)) return bad("datetime: '" + s + "' is not an ISO 8601 time");
        w.to = w.from + 1;
      } else {
        const std::string a = s.substr(0, slash), b = s.substr(slash + 1);
        if (a != ".." && !a.empty() && !end(a, w.from)) {
          return bad("datetime: '" + a + "' is not an ISO 8601 time or '..'");
        }
        std::int64_t to = 0;
        if (b != ".." && !b.empty()) {
          if (!end(b, to)) return bad("datetime: '" + b + "' is not an ISO 8601 time or '..'");
          w.to = to + 1;  // closed interval
        }
      }
      q.events.window = w;
      q.hasDatetime = true;
    }
    for (const auto& [k, v] : req.query) {
      if (!reservedParam(k)) q.filters.emplace_back(k, v);
    }
    return std::nullopt;
  }

  static std::string link(const std::string& href, const char* rel, const char* type) {
    return "{\"href\": " + core::jsonQuote(href) + ", \"rel\": \"" + rel + "\", \"type\": \"" +
           type + "\"}";
  }

  std::string pageUrl(const Request& req, std::size_t offset, std::size_t limit) const {
    std::string url = req.baseUrl + req.path + "?";
    const auto enc = [](std::string_view s) {
      std::string o;
      for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ',' ||
            c == ':' || c == '/') {
          o += static_cast<char>(c);
        } else {
          char b[4];
          std::snprintf(b, sizeof b, "%%%02X", c);
          o += b;
        }
      }
      return o;
    };
    for (const auto& [k, v] : req.query) {
      if (k == "offset" || k == "limit") continue;
      url += enc(k) + "=" + enc(v) + "&";
    }
    return url + "limit=" + std::to_string(limit) + "&offset=" + std::to_string(offset);
  }

  Response featureCollection(const Request& req, const ItemsQuery& q, std::size_t matched,
                             std::vector<std::string> features) const {
    std::string out =
        "{\"type\": \"FeatureCollection\", \"numberMatched\": " + std::to_string(matched) +
        ", \"numberReturned\": " + std::to_string(features.size()) + ", \"features\": [";
    for (std::size_t i = 0; i < features.size(); ++i) {
      if (i) out += ",\n";
      out += features[i];
    }
    out +=
        "], \"links\": [" + link(pageUrl(req, q.offset, q.limit), "self", "application/geo+json");
    if (q.offset + features.size() < matched) {
      out += ", " + link(pageUrl(req, q.offset + q.limit, q.limit), "next", "application/geo+json");
    }
    if (q.offset > 0) {
      out += ", " + link(pageUrl(req, q.offset > q.limit ? q.offset - q.limit : 0, q.limit), "prev",
                         "application/geo+json");
    }
    out += "]}\n";
    Response r = Response::json(std::move(out));
    r.contentType = "application/geo+json";
    r.header("Content-Crs", "<" + std::string(uriOf(q.crs)) + ">");
    return r;
  }

  static std::string feature(const std::string& idJson, const geo::Geometry* g,
                             const std::string& props) {
    std::string out = "{\"type\": \"Feature\", \"id\": " + idJson + ", \"geometry\": ";
    out += g && !geo::isEmpty(*g) ? geo::writeGeoJson(*g) : "null";
    out += ", \"properties\": " + props + "}";
    return out;
  }

  // One row of a non-register base kind (streets, communities, grids,
  // roads): id, properties, geometry and boxes.
  struct Plain {
    std::string id;
    std::vector<std::pair<std::string, std::string>> props;     // text values
    std::vector<std::pair<std::string, std::string>> rawProps;  // JSON values
  };

  Plain plainRow(Kind kind, std::size_t row) const {
    const auto& d = twin->district();
    Plain p;
    switch (kind) {
      case Kind::kStreet:
        p.id = d.streets().code[row];
        p.props = {{"code", p.id}, {"name", std::string(d.streets().name[row])}};
        break;
      case Kind::kCommunity:
        p.id = d.communities().code[row];
        p.props = {{"code", p.id},
                   {"name", std::string(d.communities().name[row])},
                   {"street_code", std::string(d.streets().code[d.communities().street[row]])}};
        break;
      case Kind::kGrid: {
        p.id = d.grids().code[row];
        const auto c = d.grids().community[row];
        p.props = {{"code", p.id},
                   {"name", std::string(d.grids().name[row])},
                   {"community_code", std::string(d.communities().code[c])},
                   {"street_code", std::string(d.streets().code[d.communities().street[c]])}};
        break;
      }
      default: {  // roads
        const auto& r = d.roads();
        p.id = std::to_string(r.id[row]);
        p.props = {{"name", std::string(r.name[row])},
                   {"class", std::string(model::name(r.roadClass[row]))}};
        p.rawProps = {{"id", p.id}, {"width_m", num(r.widthM[row])}};
        p.props.emplace_back(
            "community_code",
            r.community[row] < 0
                ? std::string()
                : std::string(d.communities().code[static_cast<std::size_t>(r.community[row])]));
      }
    }
    return p;
  }

  geo::Geometry plainGeometry(Kind kind, std::size_t row) const {
    const auto& d = twin->district();
    switch (kind) {
      case Kind::kStreet:
        return lonlatShape(d.streets().shape, row);
      case Kind::kCommunity:
        return lonlatShape(d.communities().shape, row);
      case Kind::kGrid:
        return lonlatShape(d.grids().shape, row);
      default:
        return lonlatLines(d.roads().line, row);
    }
  }

  // Whether a caller may see a row of streets, communities, grids: grids in
  // scope; a community or street with a grid in scope. Roads are public.
  bool plainVisible(Kind kind, std::size_t row, const query::Scope& scope) const {
    const auto& d = twin->district();
    if (scope.isAll() || kind == Kind::kRoad) return true;
    if (kind == Kind::kGrid) return scope.contains(static_cast<std::uint32_t>(row));
    for (std::uint32_t g : scope.grids()) {
      const auto c = d.grids().community[g];
      if (kind == Kind::kCommunity ? c == row : d.communities().street[c] == row) return true;
    }
    return false;
  }

  static std::string propsJson(const std::vector<std::pair<std::string, std::string>>& props,
                               const std::vector<std::pair<std::string, std::string>>& raw = {}) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : raw) {
      out += (first ? "" : ", ") + core::jsonQuote(k) + ": " + v;
      first = false;
    }
    for (const auto& [k, v] : props) {
      out += (first ? "" : ", ") + core::jsonQuote(k) + ": " + core::jsonQuote(v);
      first = false;
    }
    return out + "}";
  }

  static bool matchesFilters(const std::vector<std::pair<std::string, std::string>>& filters,
                             const std::vector<std::pair<std::string, std::string>>& props) {
    for (const auto& [k, v] : filters) {
      bool ok = false;
      for (const auto& [pk, pv] : props) {
        if (pk == k) ok = pv == v;
      }
      if (!ok) return false;
    }
    return true;
  }

  Response plainItems(const Request& req, Kind kind, const ItemsQuery& q,
                      std::optional<std::string_view> fid) const {
    const auto& caller = callerOf(req);
    const auto& d = twin->district();
    const std::size_t n = d.count(kind);
    const CoordOut out(q.crs);
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < n; ++r) {
      if (!plainVisible(kind, r, caller.access.scope)) continue;
      if (fid || !q.filters.empty()) {
        Plain p = plainRow(kind, r);
        if (fid && p.id != *fid) continue;
        auto all = p.props;
        all.insert(all.end(), p.rawProps.begin(), p.rawProps.end());
        if (!matchesFilters(q.filters, all)) continue;
      }
      if (q.area) {
        geo::Box b;
        if (kind == Kind::kRoad) {
          const auto& l = d.roads().line;
          for (auto i = l.pointStart[l.partStart[r]]; i < l.pointStart[l.partStart[r + 1]]; ++i) {
            b.expand(l.xy[i]);
          }
        } else {
          const auto& s = kind == Kind::kGrid        ? d.grids().shape
                          : kind == Kind::kCommunity ? d.communities().shape
                                                     : d.streets().shape;
          const auto r0 = s.ringStart[s.partStart[r]], r1 = s.ringStart[s.partStart[r + 1]];
          for (auto i = s.pointStart[r0]; i < s.pointStart[r1]; ++i) b.expand(s.xy[i]);
        }
        if (!b.intersects(q.metricBox)) continue;
      }
      rows.push_back(r);
    }
    if (fid) {
      if (rows.empty()) return notFoundFeature(req, *fid);
      return oneFeature(q, plainFeature(kind, rows[0], out));
    }
    std::vector<std::string> feats;
    for (std::size_t i = q.offset; i < rows.size() && feats.size() < q.limit; ++i) {
      feats.push_back(plainFeature(kind, rows[i], out));
    }
    return featureCollection(req, q, rows.size(), std::move(feats));
  }

  std::string plainFeature(Kind kind, std::size_t row, const CoordOut& out) const {
    Plain p = plainRow(kind, row);
    geo::Geometry g = plainGeometry(kind, row);
    mapPoints(g, out);
    return feature(core::jsonQuote(p.id), &g, propsJson(p.props, p.rawProps));
  }

  Response notFoundFeature(const Request& req, std::string_view fid) const {
    return Response::error(404, "NotFound",
                           "no feature '" + std::string(fid) + "' in the collection '" +
                               req.param("id") + "' that you may see");
  }

  Response oneFeature(const ItemsQuery& q, std::string f) const {
    Response r = Response::json(f + "\n");
    r.contentType = "application/geo+json";
    r.header("Content-Crs", "<" + std::string(uriOf(q.crs)) + ">");
    return r;
  }

  // The registers (buildings ... events): the engine's select() and
  // records, masked by the caller's role.
  std::string recordFeature(const query::Record& r, bool anonymous, const CoordOut& out) const {
    const auto& d = twin->district();
    std::vector<std::pair<std::string, std::string>> props;
    props.emplace_back("grid", std::string(d.grids().code[r.grid]));
    const auto names = query::fieldNames(r.kind);
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (anonymous && personalField(r.kind, names[i])) continue;
      props.emplace_back(std::string(names[i]), r.values[i]);
    }
    geo::Geometry g;
    if (r.kind == Kind::kBuilding && !r.live) {
      auto mp = lonlatShape(d.buildings().footprint, r.row);
      if (mp.polygons.size() == 1) {
        g = std::move(mp.polygons[0]);
      } else {
        g = std::move(mp);
      }
    } else {
      g = r.lonlat;
    }
    mapPoints(g, out);
    const bool hasGeom =
        !(std::holds_alternative<geo::Point>(g) && !std::isfinite(std::get<geo::Point>(g).x));
    return feature(std::to_string(r.id), hasGeom ? &g : nullptr,
                   propsJson(props, {{"id", std::to_string(r.id)}}));
  }

  Response recordItems(const Request& req, Kind kind, const ItemsQuery& q,
                       std::optional<std::string_view> fid) const {
    const auto& caller = callerOf(req);
    if (q.hasDatetime && kind != Kind::kEvent) {
      return bad("datetime: only the events collection has a time; '" +
                 std::string(model::kindTable(kind)) + "' has none");
    }
    const CoordOut out(q.crs);
    // A page of records: base rows, then live events.
    const auto pageOf = [&](const query::Selection& page, std::size_t total) {
      std::vector<std::string> feats;
      feats.reserve(page.of(kind).size() + page.live.size());
      query::forEachRecord(*twin, caller.access, page, [&](const query::Record& r) {
        feats.push_back(recordFeature(r, caller.anonymous, out));
      });
      return featureCollection(req, q, total, std::move(feats));
    };
    if (!q.area && !fid && q.filters.empty()) {
      // A page of the whole scope, the rest not gathered (query::selectPage).
      const query::ScopePage p =
          query::selectPage(*twin, caller.access, kind, q.offset, q.limit, q.events);
      return pageOf(p.page, p.total);
    }
    query::KindSet kinds;
    kinds.add(kind);
    auto sel = query::select(*twin, caller.access, q.area ? *q.area : query::Area::wholeScope(),
                             kinds, q.events);
    if (!sel) return bad(sel.error().toString());
    const auto& base = sel->of(kind);
    const std::size_t total = sel->count(kind);
    std::int64_t wantId = 0;
    if (fid) {
      const auto [end, ec] = std::from_chars(fid->data(), fid->data() + fid->size(), wantId);
      if (ec != std::errc() || end != fid->data() + fid->size()) return notFoundFeature(req, *fid);
    }
    if (fid || !q.filters.empty()) {
      // Every record of the selection, filtered on its (masked) values.
      std::vector<std::string> feats;
      std::size_t matched = 0;
      query::forEachRecord(*twin, caller.access, *sel, [&](const query::Record& r) {
        if (fid && r.id != wantId) return;
        std::vector<std::pair<std::string, std::string>> props = {
            {"id", std::to_string(r.id)},
            {"grid", std::string(twin->district().grids().code[r.grid])}};
        const auto names = query::fieldNames(r.kind);
        for (std::size_t i = 0; i < names.size(); ++i) {
          if (caller.anonymous && personalField(r.kind, names[i])) continue;
          props.emplace_back(std::string(names[i]), r.values[i]);
        }
        if (!matchesFilters(q.filters, props)) return;
        if (matched >= q.offset && feats.size() < (fid ? 1 : q.limit)) {
          feats.push_back(recordFeature(r, caller.anonymous, out));
        }
        ++matched;
      });
      if (fid) {
        if (feats.empty()) return notFoundFeature(req, *fid);
        return oneFeature(q, std::move(feats[0]));
      }
      return featureCollection(req, q, matched, std::move(feats));
    }
    // A page of the selection: base rows, then live events.
    query::Selection page;
    page.liveSeen = sel->liveSeen;
    auto& rows = page.rows[static_cast<std::size_t>(kind)];
    for (std::size_t i = q.offset; i < base.size() && rows.size() < q.limit; ++i) {
      rows.push_back(base[i]);
    }
    if (kind == Kind::kEvent) {
      const std::size_t liveFrom = q.offset > base.size() ? q.offset - base.size() : 0;
      for (std::size_t i = liveFrom;
           i < sel->live.size() && rows.size() + page.live.size() < q.limit; ++i) {
        page.live.push_back(sel->live[i]);
      }
    }
    return pageOf(page, total);
  }

  Response layerItems(const Request& req, LayerInfo& info, const ItemsQuery& q,
                      std::optional<std::string_view> fid) const {
    const auto& caller = callerOf(req);
    const auto& l = layers->load(info);
    if (!l.status) {
      return Response::error(
          500, "ServerError",
          "cannot read the layer " + info.table + ": " + l.status.error().toString());
    }
    if (q.hasDatetime) return bad("datetime: the layer '" + info.table + "' has no time");
    const CoordOut out(q.crs);
    std::vector<const LayerFeature*> rows;
    for (const auto& f : l.features) {
      bool visible = true;
      for (std::uint32_t g : f.grids) visible = visible && caller.access.scope.contains(g);
      if (!visible) continue;
      if (fid && std::to_string(f.fid) != *fid) continue;
      if (q.area && (f.box.empty() || !f.box.intersects(q.lonlatBox))) continue;
      if (!q.filters.empty() && !matchesFilters(q.filters, f.props)) continue;
      rows.push_back(&f);
    }
    const auto render = [&](const LayerFeature& f) {
      geo::Geometry g = f.geometry;
      mapPoints(g, out);
      return feature(std::to_string(f.fid), &g, f.propertiesJson);
    };
    if (fid) {
      if (rows.empty()) return notFoundFeature(req, *fid);
      return oneFeature(q, render(*rows[0]));
    }
    std::vector<std::string> feats;
    for (std::size_t i = q.offset; i < rows.size() && feats.size() < q.limit; ++i) {
      feats.push_back(render(*rows[i]));
    }
    return featureCollection(req, q, rows.size(), std::move(feats));
  }

  Response items(const Request& req, std::optional<std::string_view> fid) const {
    const std::string& id = req.param("id");
    const auto* b = baseOf(id);
    LayerInfo* layer = b ? nullptr : layers->find(id);
    if (!b && !layer) {
      return Response::error(404, "NotFound", "no collection '" + id + "' (see /collections)");
    }
    ItemsQuery q;
    if (auto r = parseItems(req, q)) return std::move(*r);
    if (layer) return layerItems(req, *layer, q, fid);
    if (query::isQueryKind(b->kind)) return recordItems(req, b->kind, q, fid);
    if (q.hasDatetime) return bad("datetime: only the events collection has a time");
    return plainItems(req, b->kind, q, fid);
  }

  // ---- the engine's queries

  // A point from lon/lat (or x/y) query parameters in `crs` (default
  // EPSG:4490), in EPSG:4547.
  std::optional<Response> pointParam(const Request& req, geo::Point& xy, geo::Point& given) const {
    auto lon = req.queryParam("lon");
    auto lat = req.queryParam("lat");
    if (!lon) lon = req.queryParam("x");
    if (!lat) lat = req.queryParam("y");
    if (!lon || !lat) return bad("give the point as lon=...&lat=... (EPSG:4490 unless crs=...)");
    if (!parseDouble(*lon, given.x))
      return bad("lon: not a finite number: '" + std::string(*lon) + "'");
    if (!parseDouble(*lat, given.y))
      return bad("lat: not a finite number: '" + std::string(*lat) + "'");
    crs::Crs c = crs::kCgcs2000;
    if (auto v = req.queryParam("crs")) {
      auto p = crs::parseCrs(*v);
      if (!p) return bad("crs: " + p.error().toString());
      c = *p;
    }
    const auto* t = transformerFor(c, crs::kGaussKruger114);
    if (!t) return bad("crs: no transformation to EPSG:4547");
    auto m = t->transform(given);
    if (!m) {
      return bad("(" + num(given.x) + ", " + num(given.y) + ") is not a usable " + crs::name(c) +
                 " coordinate: " + m.error().message);
    }
    xy = *m;
    return std::nullopt;
  }

  std::string placementJson(const Request& req, const geo::Point& given,
                            const query::Placement& p) const {
    const auto& c = twin->district().columns();
    const auto& caller = callerOf(req);
    const auto opt = [](std::string_view s) {
      return s.empty() ? std::string("null") : core::jsonQuote(s);
    };
    std::string head, phone;
    std::string out = "{\"x\": " + num(given.x) + ", \"y\": " + num(given.y);
    if (p.grid >= 0) {
      const auto g = static_cast<std::size_t>(p.grid);
      if (p.stationHead >= 0) {
        const auto s =
            query::viewStaff(*twin, caller.access, static_cast<std::uint32_t>(p.stationHead));
        head = s.name;
        phone = caller.anonymous ? std::string() : s.phone;
      }
      out += ", \"grid\": " + opt(c.grids.code[g]) + ", \"grid_name\": " + opt(c.grids.name[g]) +
             ", \"community\": " + opt(c.communities.code[static_cast<std::size_t>(p.community)]) +
             ", \"community_name\": " +
             opt(c.communities.name[static_cast<std::size_t>(p.community)]) +
             ", \"street\": " + opt(c.streets.code[static_cast<std::size_t>(p.street)]) +
             ", \"street_name\": " + opt(c.streets.name[static_cast<std::size_t>(p.street)]);
    } else {
      out +=
          ", \"grid\": null, \"grid_name\": null, \"community\": null, \"community_name\": "
          "null, \"street\": null, \"street_name\": null";
    }
    out += ", \"station_head\": " + opt(head) + ", \"station_head_phone\": " + opt(phone) + "}";
    return out;
  }

  Response locateGet(const Request& req) const {
    geo::Point xy, given;
    if (auto r = pointParam(req, xy, given)) return std::move(*r);
    return Response::json(placementJson(req, given, query::place(*twin, xy)) + "\n");
  }

  // {"crs": "EPSG:4490", "points": [[x, y], ...]}
  Response locatePost(const Request& req) const {
    auto doc = geo::readGeoJsonGeometry(R"({"type":"MultiPoint","coordinates":[]})");
    (void)doc;
    const std::string& body = req.body;
    crs::Crs c = crs::kCgcs2000;
    if (auto v = req.queryParam("crs")) {
      auto p = crs::parseCrs(*v);
      if (!p) return bad("crs: " + p.error().toString());
      c = *p;
    }
    // The body: a JSON array of [x, y] pairs, or {"points": [...]}.
    std::vector<geo::Point> pts;
    std::string_view s = body;
    const auto start = s.find('[');
    if (start == std::string_view::npos) {
      return bad("the body must be a JSON array of [x, y] points, or {\"points\": [[x, y], ...]}");
    }
    std::string wrapped =
        "{\"type\":\"MultiPoint\",\"coordinates\":" + std::string(s.substr(start));
    while (!wrapped.empty() && (wrapped.back() == '\n' || wrapped.back() == ' ' ||
                                wrapped.back() == '\r' || wrapped.back() == '}')) {
      wrapped.pop_back();
    }
    wrapped += "}";
    auto g = geo::readGeoJsonGeometry(wrapped, "the request body");
    if (!g || !std::holds_alternative<geo::MultiPoint>(*g)) {
      return bad("the body must be a JSON array of [x, y] points, or {\"points\": [[x, y], ...]}" +
                 (g ? std::string() : ": " + g.error().toString()));
    }
    pts = std::get<geo::MultiPoint>(*g).points;
    const auto* t = transformerFor(c, crs::kGaussKruger114);
    if (!t) return bad("crs: no transformation to EPSG:4547");
    std::string out = "[";
    for (std::size_t i = 0; i < pts.size(); ++i) {
      auto m = t->transform(pts[i]);
      if (!m) {
        return bad("point " + std::to_string(i) + " (" + num(pts[i].x) + ", " + num(pts[i].y) +
                   ") is not a usable " + crs::name(c) + " coordinate: " + m.error().message);
      }
      out += (i ? ",\n " : "\n ") + placementJson(req, pts[i], query::place(*twin, *m));
    }
    out += pts.empty() ? "]\n" : "\n]\n";
    return Response::json(std::move(out));
  }

  Response near(const Request& req) const {
    geo::Point xy, given;
    if (auto r = pointParam(req, xy, given)) return std::move(*r);
    std::size_t k = 10;
    if (auto v = req.queryParam("k")) {
      if (!parseSize(*v, k) || k < 1 || k > 10000) {
        return bad("k: expected an integer from 1 to 10000, got '" + std::string(*v) + "'");
      }
    }
    std::string kindText = "facilities";
    if (auto v = req.queryParam("kind")) kindText = std::string(*v);
    auto ks = query::parseKinds(kindText);
    if (!ks) return bad("kind: " + ks.error().toString());
    Kind kind = Kind::kFacility;
    int found = 0;
    for (Kind kk : query::kQueryKinds) {
      if (ks->has(kk)) {
        kind = kk;
        ++found;
      }
    }
    if (found != 1) return bad("kind: give one kind, e.g. kind=facilities");
    const auto& caller = callerOf(req);
    auto hits = query::nearest(*twin, caller.access, kind, xy, k);
    if (!hits) return bad(hits.error().toString());
    query::Selection sel;
    std::map<std::pair<bool, std::uint64_t>, double> dist;
    for (const auto& h : *hits) {
      if (h.live) {
        sel.live.push_back(h.row);
      } else {
        sel.rows[static_cast<std::size_t>(kind)].push_back(h.row);
      }
      dist[{h.live, h.row}] = h.distance;
    }
    sel.liveSeen = twin->liveEvents().size();
    std::vector<std::pair<double, std::string>> feats;
    const CoordOut out(OutCrs::kCrs84);
    query::forEachRecord(*twin, caller.access, sel, [&](const query::Record& r) {
      std::string f = recordFeature(r, caller.anonymous, out);
      const double d = dist[{r.live, r.row}];
      // "distance_m" joins the properties.
      const auto at = f.rfind("\"properties\": {");
      f.insert(at + 15, "\"distance_m\": " + num(std::round(d * 1000) / 1000) + ", ");
      feats.emplace_back(d, std::move(f));
    });
    std::stable_sort(feats.begin(), feats.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string body = "{\"type\": \"FeatureCollection\", \"features\": [";
    for (std::size_t i = 0; i < feats.size(); ++i) body += (i ? ",\n" : "\n") + feats[i].second;
    body += "]}\n";
    Response r = Response::json(std::move(body));
    r.contentType = "application/geo+json";
    return r;
  }

  // POST /stats: {"wkt": ...} | {"geometry": GeoJSON polygon} | {"bbox": [..]}
  // | {"circle": [x, y, r]} | {"grid": "code,..."}, optional "crs"; or the
  // same as query parameters (GET).
  Response stats(const Request& req) const {
    const auto& caller = callerOf(req);
    std::vector<std::pair<std::string, std::string>> in;  // key → raw value text
    for (const auto& [k, v] : req.query) in.emplace_back(k, v);
    if (req.method == "POST" && !req.body.empty()) {
      auto parsed = parseFlatJson(req.body);
      if (!parsed) return bad("the body: " + parsed.error().toString());
      for (auto& kv : *parsed) in.push_back(std::move(kv));
    }
    const auto get = [&](std::string_view k) -> std::optional<std::string> {
      for (const auto& [kk, v] : in) {
        if (kk == k) return v;
      }
      return std::nullopt;
    };
    crs::Crs c = crs::kCgcs2000;
    if (auto v = get("crs")) {
      auto p = crs::parseCrs(*v);
      if (!p) return bad("crs: " + p.error().toString());
      c = *p;
    }
    query::Area area = query::Area::wholeScope();
    int given = 0;
    if (auto v = get("grid")) {
      ++given;
      std::vector<std::uint32_t> grids;
      const auto& codes = twin->district().grids().code;
      for (auto code : splitComma(*v)) {
        bool found = false;
        for (std::uint32_t g = 0; g < codes.size() && !found; ++g) {
          if (codes[g] == code) {
            if (!caller.access.scope.contains(g)) {
              return Response::error(
                  403, "Forbidden",
                  "grid: the grid " + std::string(code) + " is outside your scope");
            }
            grids.push_back(g);
            found = true;
          }
        }
        if (!found) return bad("grid: no grid has the code '" + std::string(code) + "'");
      }
      area = query::Area::ofGrids(std::move(grids));
    }
    if (auto v = get("bbox")) {
      ++given;
      std::vector<double> n;
      for (auto p : splitComma(trimBrackets(*v))) {
        double d;
        if (!parseDouble(p, d)) return bad("bbox: expected minx,miny,maxx,maxy, got '" + *v + "'");
        n.push_back(d);
      }
      if (n.size() != 4 || n[0] > n[2] || n[1] > n[3]) {
        return bad("bbox: expected minx,miny,maxx,maxy (min <= max), got '" + *v + "'");
      }
      auto a = query::boxArea(*twin, c, {n[0], n[1], n[2], n[3]});
      if (!a) return bad("bbox: " + a.error().toString());
      area = std::move(*a);
    }
    if (auto v = get("circle")) {
      ++given;
      std::vector<double> n;
      for (auto p : splitComma(trimBrackets(*v))) {
        double d;
        if (!parseDouble(p, d))
          return bad("circle: expected x,y,r (r in metres), got '" + *v + "'");
        n.push_back(d);
      }
      if (n.size() != 3 || n[2] < 0)
        return bad("circle: expected x,y,r (r >= 0 metres), got '" + *v + "'");
      const auto* t = transformerFor(c, crs::kGaussKruger114);
      auto m = t ? t->transform({n[0], n[1]}) : core::Result<geo::Point>(geo::Point{});
      if (!t || !m)
        return bad("circle: the centre is not a usable " + crs::name(c) + " coordinate");
      area = query::Area::ofCircle(*m, n[2]);
    }
    std::optional<geo::Geometry> shape;
    if (auto v = get("wkt")) {
      ++given;
      auto g = geo::readWkt(*v, "wkt");
      if (!g) return bad(g.error().toString());
      shape = std::move(*g);
    }
    if (auto v = get("geometry")) {
      ++given;
      auto g = geo::readGeoJsonGeometry(*v, "geometry");
      if (!g) return bad(g.error().toString());
      shape = std::move(*g);
    }
    if (given > 1) return bad("give at most one of grid, bbox, circle, wkt, geometry");
    if (shape) {
      const auto* polygon = std::get_if<geo::Polygon>(&*shape);
      if (!polygon) return bad(std::string("expected a Polygon, got a ") + geo::typeName(*shape));
      auto a = query::polygonArea(*twin, c, *polygon);
      if (!a) return bad(a.error().toString());
      area = std::move(*a);
    }
    // aggregate(select(...)) exactly, from the grids' summaries.
    const auto s = query::areaStats(*twin, gridStatsOf(), caller.access, area);
    if (!s) return bad(s.error().toString());
    return Response::json(statsJson(*s, caller));
  }

  static std::string_view trimBrackets(std::string_view s) {
    while (!s.empty() && (s.front() == '[' || s.front() == ' ')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ']' || s.back() == ' ')) s.remove_suffix(1);
    return s;
  }

  // A flat JSON object: {"key": "text" | number | [..] | {..}, ...}; values
  // other than strings are kept as their JSON text (arrays without
  // brackets are read by trimBrackets). Errors: kSyntax with the offset.
  static core::Result<std::vector<std::pair<std::string, std::string>>> parseFlatJson(
      std::string_view s) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t i = 0;
    const auto fail = [&](const std::string& what) {
      return core::makeError(core::ErrorCode::kSyntax,
                             "malformed JSON at byte " + std::to_string(i) + ": " + what);
    };
    const auto ws = [&] {
      while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    };
    const auto str = [&](std::string& o) -> bool {
      if (i >= s.size() || s[i] != '"') return false;
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) {
          ++i;
          const char e = s[i];
          o += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        } else {
          o += s[i];
        }
        ++i;
      }
      if (i >= s.size()) return false;
      ++i;
      return true;
    };
    ws();
    if (i >= s.size() || s[i] != '{') return fail("expected an object");
    ++i;
    ws();
    if (i < s.size() && s[i] == '}') return out;
    while (true) {
      ws();
      std::string key;
      if (!str(key)) return fail("expected a key");
      ws();
      if (i >= s.size() || s[i] != ':') return fail("expected ':'");
      ++i;
      ws();
      std::string value;
      if (i < s.size() && s[i] == '"') {
        if (!str(value)) return fail("unterminated string");
      } else {
        const std::size_t from = i;
        int depth = 0;
        bool inStr = false;
        while (i < s.size()) {
          const char ch = s[i];
          if (inStr) {
            if (ch == '\\')
              ++i;
            else if (ch == '"')
              inStr = false;
          } else if (ch == '"') {
            inStr = true;
          } else if (ch == '[' || ch == '{') {
            ++depth;
          } else if (ch == ']' || ch == '}') {
            if (depth == 0) break;
            --depth;
          } else if (ch == ',' && depth == 0) {
            break;
          }
          ++i;
        }
        if (depth != 0 || inStr) return fail("unbalanced brackets");
        value = std::string(s.substr(from, i - from));
        while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back())))
          value.pop_back();
        if (value.empty()) return fail("expected a value");
      }
      out.emplace_back(std::move(key), std::move(value));
      ws();
      if (i < s.size() && s[i] == ',') {
        ++i;
        continue;
      }
      if (i < s.size() && s[i] == '}') {
        ++i;
        ws();
        if (i != s.size()) return fail("text after the object");
        return out;
      }
      return fail("expected ',' or '}'");
    }
  }

  // The command line's answer (query::statsRows), "role" in place of its
  // "scope".
  std::string statsJson(const query::Stats& s, const Caller& caller) const {
    return query::statsJson(query::statsRows(twin->district(), s), "role",
                            caller.anonymous ? "anonymous" : query::name(caller.access.role),
                            false);
  }

  Response gridReport(const Request& req) const {
    const auto& caller = callerOf(req);
    const std::string& code = req.param("code");
    const auto& codes = twin->district().grids().code;
    for (std::uint32_t g = 0; g < codes.size(); ++g) {
      if (codes[g] != code) continue;
      if (!caller.access.scope.contains(g)) {
        return Response::error(403, "Forbidden", "the grid " + code + " is outside your scope");
      }
      auto sel =
          query::select(*twin, caller.access, query::Area::ofGrids({g}), query::KindSet::all());
      if (!sel) return bad(sel.error().toString());
      const auto s = query::aggregate(*twin, *sel);
      const auto& c = twin->district().columns();
      const auto comm = c.grids.community[g];
      std::string out =
          "{\"grid\": " + core::jsonQuote(code) +
          ", \"name\": " + core::jsonQuote(c.grids.name[g]) +
          ", \"community\": " + core::jsonQuote(c.communities.code[comm]) +
          ", \"street\": " + core::jsonQuote(c.streets.code[c.communities.street[comm]]);
      const auto head = twin->stationHeadOf(g);
      if (head >= 0) {
        const auto v = query::viewStaff(*twin, caller.access, static_cast<std::uint32_t>(head));
        out += ", \"station_head\": " + core::jsonQuote(v.name) + ", \"station_head_phone\": " +
               (caller.anonymous ? std::string("null") : core::jsonQuote(v.phone));
      }
      std::string st = statsJson(s, caller);
      st.pop_back();  // newline
      out += ", \"stats\": " + st + "}\n";
      return Response::json(std::move(out));
    }
    return Response::error(404, "NotFound", "no grid has the code '" + code + "'");
  }
};

TwinService::TwinService(std::shared_ptr<query::Twin> twin, std::string layersPath)
    : m_twin(std::move(twin)),
      m_hub(std::make_shared<EventHub>()),
      m_impl(std::make_unique<Impl>()) {
  m_impl->twin = m_twin;
  m_impl->layers = std::make_unique<LayerStore>(*m_twin, std::move(layersPath));
  m_impl->self = this;
  (void)m_impl->gridStatsOf();
}

TwinService::~TwinService() { stopLiveEvents(); }

core::Result<std::unique_ptr<TwinService>> TwinService::open(const std::string& dataset) {
  if (dataset.starts_with("postgresql://") || dataset.starts_with("postgres://")) {
    // The district from the PostGIS store (no staff table there: station
    // heads unknown); catalogue layers through GDAL's PG driver.
    auto district = pgstore::loadPostgis(dataset);
    if (!district) return district.takeError();
    auto twin = query::Twin::build(std::move(*district), {});
    if (!twin) return twin.takeError();
    std::shared_ptr<query::Twin> shared(std::move(*twin));
    return std::make_unique<TwinService>(std::move(shared), "PG:" + dataset);
  }
  auto twin = query::Twin::open(dataset, {});
  if (!twin) return twin.takeError();
  std::shared_ptr<query::Twin> shared(std::move(*twin));
  return std::make_unique<TwinService>(std::move(shared), dataset);
}

void TwinService::setSharedData(std::string dir) { m_impl->sharedData = std::move(dir); }

std::vector<std::string> TwinService::collectionIds() const {
  std::vector<std::string> out;
  for (const auto& b : kBase) out.emplace_back(model::kindTable(b.kind));
  for (const auto& l : m_impl->layers->layers()) out.push_back(l->table);
  return out;
}

void TwinService::addRoutes(Router& router) {
  Impl* im = m_impl.get();
  const auto add = [&](const char* method, const char* pattern, Handler h) {
    (void)router.add(method, pattern, std::move(h));
  };
  add("GET", "/", [im](const Request& r) { return im->landing(r); });
  add("GET", "/conformance", [](const Request&) { return Impl::conformance(); });
  add("GET", "/api", [im](const Request& r) {
    Response res = im->api(r);
    res.contentType = "application/vnd.oai.openapi+json;version=3.0";
    return res;
  });
  add("GET", "/collections", [im](const Request& r) { return im->collections(r); });
  add("GET", "/collections/{id}", [im](const Request& r) { return im->collection(r); });
  add("GET", "/collections/{id}/items",
      [im](const Request& r) { return im->items(r, std::nullopt); });
  add("GET", "/collections/{id}/items/{fid}",
      [im](const Request& r) { return im->items(r, std::string_view(r.param("fid"))); });
  add("GET", "/locate", [im](const Request& r) { return im->locateGet(r); });
  add("POST", "/locate", [im](const Request& r) { return im->locatePost(r); });
  add("GET", "/near", [im](const Request& r) { return im->near(r); });
  add("GET", "/stats", [im](const Request& r) { return im->stats(r); });
  add("POST", "/stats", [im](const Request& r) { return im->stats(r); });
  add("GET", "/geocode", [im](const Request& r) { return im->geocode(r); });
  add("GET", "/geocode/reverse", [im](const Request& r) { return im->reverseGeocode(r); });
  add("GET", "/grids/{code}/report", [im](const Request& r) { return im->gridReport(r); });
  add("GET", "/health", [this](const Request&) {
    std::string body =
        "{\"status\": \"ok\", \"grids\": " + std::to_string(m_twin->district().grids().size()) +
        // Events, not log entries: a status change supersedes an entry.
        ", \"live_events\": " + std::to_string(m_twin->liveEvents().eventCount()) +
        ", \"stream_clients\": " + std::to_string(m_hub->subscriberCount());
    for (const auto& more : m_moreHealth) body += ", " + more();
    return Response::json(body + "}\n");
  });
  add("GET", "/metrics", [this](const Request&) {
    Response r;
    r.contentType = "text/plain; version=0.0.4";
    r.body = m_server ? m_server->metricsText() : std::string();
    r.body += "# TYPE gridtwin_stream_clients gauge\ngridtwin_stream_clients " +
              std::to_string(m_hub->subscriberCount()) + "\n";
    for (const auto& more : m_moreMetrics) r.body += more();
    return r;
  });
  add("GET", "/events/stream",
      [this, im](const Request& r) { return m_hub->streamResponse(im->callerOf(r).access); });
}

void TwinService::startLiveEvents(int periodMs) {
  if (m_liveThread.joinable()) return;
  m_liveStop = false;
  m_liveThread = std::thread([this, periodMs] {
    std::uint64_t seen = m_twin->liveEvents().size();
    while (!m_liveStop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(periodMs));
      const std::uint64_t now = m_twin->liveEvents().size();
      for (; seen < now; ++seen) {
        const auto& e = m_twin->liveEvents()[seen];
        const std::uint64_t index = seen;
        m_hub->publish(e.grid, [this, index](const query::Access& access) {
          query::Selection sel;
          sel.live.push_back(index);
          sel.liveSeen = index + 1;
          std::string out;
          query::forEachRecord(*m_twin, access, sel, [&](const query::Record& r) {
            out = m_impl->recordFeature(r, false, CoordOut(OutCrs::kCrs84));
          });
          return out;
        });
      }
    }
  });
}

void TwinService::stopLiveEvents() {
  m_liveStop = true;
  if (m_liveThread.joinable()) m_liveThread.join();
}

}  // namespace gridtwin::service
