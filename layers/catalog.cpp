#include "layers/catalog.h"

#include <array>
#include <charconv>
#include <cmath>
#include <set>
#include <unordered_set>

#include "layers/csv.h"

namespace gridtwin::layers {

namespace {

using core::ErrorCode;
using namespace std::string_view_literals;

// --- vocabulary (layers/README.md lists the same words) ----------------------

constexpr std::string_view kCommunityKinds[] = {"urban", "village"};
constexpr std::string_view kGridKinds[] = {"residential", "commercial", "industrial", "mixed",
                                           "special"};
constexpr std::string_view kRoadClasses[] = {"expressway", "arterial", "secondary", "branch",
                                             "lane"};
constexpr std::string_view kRailKinds[] = {"metro", "tram", "railway"};
constexpr std::string_view kBuildingUses[] = {
    "residential", "commercial", "office",  "industrial", "warehouse",
    "public",      "education",  "medical", "village",    "mixed"};
constexpr std::string_view kYesNo[] = {"yes", "no"};
constexpr std::string_view kAddressLevels[] = {"doorplate", "room"};
constexpr std::string_view kOccupancy[] = {"owner", "rental", "vacant"};
constexpr std::string_view kPeopleTags[] = {"elderly80", "disabled",   "school_age",
                                            "newborn",   "low_income", "veteran",
                                            "migrant",   "key_person", "living_alone"};
constexpr std::string_view kSexes[] = {"male", "female"};
constexpr std::string_view kCreditColours[] = {"red", "yellow", "green"};
constexpr std::string_view kEntityTypes[] = {"company", "individual", "social_org",
                                             "public_institution"};
constexpr std::string_view kFacilityTypes[] = {"camera",
                                               "manhole_water",
                                               "manhole_sewage",
                                               "manhole_rain",
                                               "manhole_power",
                                               "manhole_telecom",
                                               "manhole_gas",
                                               "hydrant",
                                               "streetlight",
                                               "traffic_light",
                                               "traffic_sign",
                                               "bus_stop",
                                               "trash_bin",
                                               "public_toilet",
                                               "garbage_station",
                                               "billboard",
                                               "guardrail",
                                               "bench",
                                               "transformer",
                                               "telecom_box",
                                               "power_box",
                                               "cell_tower",
                                               "ev_charger",
                                               "bike_dock",
                                               "speed_bump",
                                               "footbridge",
                                               "bridge",
                                               "underpass",
                                               "fitness",
                                               "info_board",
                                               "newsstand",
                                               "post_box",
                                               "aed",
                                               "broadcast_speaker",
                                               "police_box",
                                               "water_intake",
                                               "fire_extinguisher",
                                               "air_monitor",
                                               "noise_monitor",
                                               "water_monitor",
                                               "outfall",
                                               "sluice",
                                               "pump_station",
                                               "water_level_gauge",
                                               "rain_gauge",
                                               "river_chief_sign",
                                               "heritage_tree",
                                               "street_tree",
                                               "sanitation_shed"};
constexpr std::string_view kFacilityOwners[] = {"none", "any"};
constexpr std::string_view kCameraPurposes[] = {"security", "traffic", "city_management",
                                                "fire",     "river",   "ai"};
constexpr std::string_view kEventSources[] = {"hotline12345", "hotline12319", "patrol",
                                              "police",       "petition",     "video_ai"};
constexpr std::string_view kEventStatuses[] = {"open", "closed"};
constexpr std::string_view kDispatchLevels[] = {"grid", "community", "street", "district"};
constexpr std::string_view kPoiKinds[] = {"place_name",
                                          "government",
                                          "grid_station",
                                          "metro_station",
                                          "metro_entrance",
                                          "bus_terminal",
                                          "parking",
                                          "gas_station",
                                          "ev_station",
                                          "community_center",
                                          "service_center",
                                          "post_office",
                                          "bank",
                                          "library",
                                          "cultural_center",
                                          "museum",
                                          "heritage_site",
                                          "sports_venue",
                                          "market",
                                          "mall",
                                          "supermarket",
                                          "hotel",
                                          "judicial_office",
                                          "elderly_canteen",
                                          "elderly_care",
                                          "disability_center",
                                          "veteran_station",
                                          "kindergarten",
                                          "school_primary",
                                          "school_middle",
                                          "school_high",
                                          "vocational",
                                          "university",
                                          "daycare",
                                          "hospital",
                                          "health_center",
                                          "clinic",
                                          "pharmacy",
                                          "fever_clinic",
                                          "vaccination_site",
                                          "shelter",
                                          "emergency_depot",
                                          "small_venue",
                                          "flood_point",
                                          "geohazard",
                                          "police_station",
                                          "police_post",
                                          "fire_station",
                                          "mini_fire_station",
                                          "recycling",
                                          "waterworks",
                                          "sewage_plant",
                                          "park_entrance",
                                          "industrial_park",
                                          "wholesale_market"};
constexpr std::string_view kLanduseKinds[] = {
    "residential", "industrial", "commercial",   "public",  "education", "medical",   "green",
    "water",       "farmland",   "construction", "village", "transport", "warehouse", "vacant"};
constexpr std::string_view kPlanKinds[] = {"residential", "industrial", "commercial", "public",
                                           "green",       "transport",  "renewal",    "ecological"};
constexpr std::string_view kWaterKinds[] = {"river", "lake", "pond", "canal"};
constexpr std::string_view kGreenKinds[] = {"park", "square", "roadside", "protective"};
constexpr std::string_view kPipeKinds[] = {"water", "rain",    "sewage",     "gas",
                                           "power", "telecom", "streetlight"};

constexpr SourceKey kCommunityKeys[] = {{"kind", ValueType::kEnum, kCommunityKinds}};
constexpr SourceKey kGridKeys[] = {{"kind", ValueType::kEnum, kGridKinds}};
constexpr SourceKey kRoadKeys[] = {{"class", ValueType::kEnum, kRoadClasses}};
constexpr SourceKey kRailKeys[] = {{"kind", ValueType::kEnum, kRailKinds}};
constexpr SourceKey kBuildingKeys[] = {{"use", ValueType::kEnum, kBuildingUses},
                                       {"floors", ValueType::kInteger, {}},
                                       {"bim", ValueType::kEnum, kYesNo}};
constexpr SourceKey kAddressKeys[] = {{"level", ValueType::kEnum, kAddressLevels}};
constexpr SourceKey kHouseKeys[] = {{"occupancy", ValueType::kEnum, kOccupancy}};
constexpr SourceKey kPeopleKeys[] = {{"tag", ValueType::kEnum, kPeopleTags},
                                     {"sex", ValueType::kEnum, kSexes},
                                     {"age", ValueType::kInteger, {}}};
constexpr SourceKey kEntityKeys[] = {{"industry", ValueType::kFreeText, {}},
                                     {"credit", ValueType::kEnum, kCreditColours},
                                     {"type", ValueType::kEnum, kEntityTypes}};
constexpr SourceKey kFacilityKeys[] = {{"type", ValueType::kEnum, kFacilityTypes},
                                       {"owner", ValueType::kEnum, kFacilityOwners},
                                       {"purpose", ValueType::kEnum, kCameraPurposes}};
constexpr SourceKey kEventKeys[] = {{"category", ValueType::kFreeText, {}},
                                    {"code", ValueType::kCodePrefix, {}},
                                    {"source", ValueType::kEnum, kEventSources},
                                    {"status", ValueType::kEnum, kEventStatuses},
                                    {"level", ValueType::kEnum, kDispatchLevels}};
constexpr SourceKey kPoiKeys[] = {{"kind", ValueType::kEnum, kPoiKinds}};
constexpr SourceKey kLanduseKeys[] = {{"kind", ValueType::kEnum, kLanduseKinds}};
constexpr SourceKey kPlanKeys[] = {{"kind", ValueType::kEnum, kPlanKinds}};
constexpr SourceKey kWaterKeys[] = {{"kind", ValueType::kEnum, kWaterKinds}};
constexpr SourceKey kGreenKeys[] = {{"kind", ValueType::kEnum, kGreenKinds}};
constexpr SourceKey kPipeKeys[] = {{"kind", ValueType::kEnum, kPipeKinds}};

using GF = GeometryFamily;
using SK = SourceKind;
const std::array<SourceKindSpec, 19> kKinds = {{
    {SK::kDistrict, "district", GF::kPolygon, {}},
    {SK::kStreets, "streets", GF::kPolygon, {}},
    {SK::kCommunities, "communities", GF::kPolygon, kCommunityKeys},
    {SK::kGrids, "grids", GF::kPolygon, kGridKeys},
    {SK::kRoads, "roads", GF::kLine, kRoadKeys},
    {SK::kRail, "rail", GF::kLine, kRailKeys},
    {SK::kBuildings, "buildings", GF::kPolygon, kBuildingKeys},
    {SK::kAddresses, "addresses", GF::kPoint, kAddressKeys},
    {SK::kHouses, "houses", GF::kPoint, kHouseKeys},
    {SK::kPeople, "people", GF::kPoint, kPeopleKeys},
    {SK::kEntities, "entities", GF::kPoint, kEntityKeys},
    {SK::kFacilities, "facilities", GF::kPoint, kFacilityKeys},
    {SK::kEvents, "events", GF::kPoint, kEventKeys},
    {SK::kPoi, "poi", GF::kPoint, kPoiKeys},
    {SK::kLanduse, "landuse", GF::kPolygon, kLanduseKeys},
    {SK::kPlan, "plan", GF::kPolygon, kPlanKeys},
    {SK::kWater, "water", GF::kPolygon, kWaterKeys},
    {SK::kGreen, "green", GF::kPolygon, kGreenKeys},
    {SK::kPipes, "pipes", GF::kLine, kPipeKeys},
}};

// --- small helpers -------------------------------------------------------------

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

template <class Container>
std::string joinQuoted(const Container& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

bool isAllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

core::Error sourceError(std::string_view text, const std::string& what) {
  return core::makeError(ErrorCode::kSyntax, "source \"" + std::string(text) + "\": " + what);
}

const SourceKindSpec* findKind(std::string_view name) {
  for (const auto& k : kKinds) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::string kindNames() {
  std::vector<std::string_view> names;
  for (const auto& k : kKinds) names.push_back(k.name);
  return joinQuoted(names);
}

// Parses "kind[:filter]*" into out.
core::Result<void> parseBase(std::string_view whole, std::string_view base, LayerSource& out) {
  const auto parts = split(base, ':');
  const SourceKindSpec* spec = findKind(parts[0]);
  if (!spec) {
    return sourceError(whole, "unknown kind \"" + std::string(parts[0]) + "\" (expected one of " +
                                  kindNames() + ")");
  }
  out.kind = spec->kind;
  std::set<std::string, std::less<>> seenKeys;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const std::string_view f = parts[i];
    SourceFilter filter;
    std::size_t opPos = f.find_first_of("<>=");
    if (opPos == std::string_view::npos || opPos == 0) {
      return sourceError(whole, "filter \"" + std::string(f) + "\" is not key=value");
    }
    std::string_view value;
    if (f.substr(opPos, 2) == ">=") {
      filter.op = FilterOp::kAtLeast;
      value = f.substr(opPos + 2);
    } else if (f.substr(opPos, 2) == "<=") {
      filter.op = FilterOp::kAtMost;
      value = f.substr(opPos + 2);
    } else if (f[opPos] == '=') {
      value = f.substr(opPos + 1);
    } else {
      return sourceError(whole, "filter \"" + std::string(f) + "\": operator must be =, >= or <=");
    }
    const std::string_view key = f.substr(0, opPos);
    const SourceKey* keySpec = nullptr;
    for (const auto& k : spec->keys) {
      if (k.name == key) keySpec = &k;
    }
    if (!keySpec) {
      std::vector<std::string_view> keys;
      for (const auto& k : spec->keys) keys.push_back(k.name);
      return sourceError(whole, "unknown key \"" + std::string(key) + "\" for " +
                                    std::string(spec->name) + " (expected " +
                                    (keys.empty() ? std::string("no filters") : joinQuoted(keys)) +
                                    ")");
    }
    if (filter.op != FilterOp::kEqual && keySpec->type != ValueType::kInteger) {
      return sourceError(whole, "key \"" + std::string(key) + "\" only takes =");
    }
    if (!seenKeys.insert(std::string(key)).second) {
      return sourceError(whole, "key \"" + std::string(key) + "\" appears twice");
    }
    for (std::string_view v : split(value, '|')) {
      if (v.empty()) {
        return sourceError(whole, "empty value for key \"" + std::string(key) + "\"");
      }
      switch (keySpec->type) {
        case ValueType::kEnum: {
          bool known = false;
          for (auto allowed : keySpec->values) known = known || allowed == v;
          if (!known) {
            return sourceError(whole, "unknown " + std::string(key) + " \"" + std::string(v) +
                                          "\" (expected one of " + joinQuoted(keySpec->values) +
                                          ")");
          }
          break;
        }
        case ValueType::kInteger:
          if (!isAllDigits(v) || v.size() > 9) {
            return sourceError(whole, std::string(key) + " \"" + std::string(v) +
                                          "\" is not a non-negative integer");
          }
          break;
        case ValueType::kCodePrefix:
          if (!isAllDigits(v) || (v.size() != 2 && v.size() != 4 && v.size() != 6)) {
            return sourceError(whole, std::string(key) + " \"" + std::string(v) +
                                          "\" is not a 2, 4 or 6 digit code");
          }
          break;
        case ValueType::kFreeText:
          break;
      }
      filter.values.emplace_back(v);
    }
    if (filter.op != FilterOp::kEqual && filter.values.size() != 1) {
      return sourceError(whole, "key \"" + std::string(key) + "\": >= and <= take one value");
    }
    filter.key = std::string(key);
    out.filters.push_back(std::move(filter));
  }
  return {};
}

// --- style JSON: a flat object of strings, numbers and number arrays -----------

class StyleParser {
 public:
  explicit StyleParser(std::string_view text) : m_text(text) {}

  core::Result<LayerStyle> parse() {
    LayerStyle style;
    skipSpace();
    if (!eat('{')) return fail("expected '{'");
    skipSpace();
    std::set<std::string, std::less<>> seen;
    if (!eat('}')) {
      for (;;) {
        skipSpace();
        std::string key;
        if (!readString(key)) return fail("expected a key in double quotes");
        if (!seen.insert(key).second) return fail("key \"" + key + "\" appears twice");
        skipSpace();
        if (!eat(':')) return fail("expected ':' after \"" + key + "\"");
        skipSpace();
        if (auto r = readValue(key, style); !r.ok()) return r.takeError();
        skipSpace();
        if (eat('}')) break;
        if (!eat(',')) return fail("expected ',' or '}'");
      }
    }
    skipSpace();
    if (m_pos != m_text.size()) return fail("text after the closing '}'");
    return style;
  }

 private:
  core::Error fail(const std::string& what) const {
    return core::makeError(ErrorCode::kSyntax,
                           "style: " + what + " at offset " + std::to_string(m_pos));
  }
  void skipSpace() {
    while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t')) ++m_pos;
  }
  bool eat(char c) {
    if (m_pos < m_text.size() && m_text[m_pos] == c) {
      ++m_pos;
      return true;
    }
    return false;
  }
  // Strings without escapes are all the catalogue needs; a backslash is refused.
  bool readString(std::string& out) {
    if (!eat('"')) return false;
    const std::size_t end = m_text.find('"', m_pos);
    if (end == std::string_view::npos) return false;
    const std::string_view s = m_text.substr(m_pos, end - m_pos);
    if (s.find('\\') != std::string_view::npos) return false;
    out = std::string(s);
    m_pos = end + 1;
    return true;
  }
  bool readNumber(double& out) {
    const char* begin = m_text.data() + m_pos;
    const char* end = m_text.data() + m_text.size();
    auto [ptr, ec] = std::from_chars(begin, end, out);
    if (ec != std::errc() || !std::isfinite(out)) return false;
    m_pos += static_cast<std::size_t>(ptr - begin);
    return true;
  }
  static bool isColour(std::string_view s) {
    if (s.size() != 7 || s[0] != '#') return false;
    for (char c : s.substr(1)) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }

  core::Result<void> readValue(const std::string& key, LayerStyle& style) {
    if (key == "fill" || key == "stroke") {
      std::string colour;
      if (!readString(colour) || !isColour(colour)) {
        return fail("\"" + key + "\" must be a colour \"#rrggbb\"");
      }
      (key == "fill" ? style.fill : style.stroke) = colour;
      return {};
    }
    if (key == "icon" || key == "extrude" || key == "label") {
      std::string s;
      if (!readString(s) || s.empty()) return fail("\"" + key + "\" must be a non-empty string");
      (key == "icon" ? style.icon : key == "extrude" ? style.extrude : style.label) = s;
      return {};
    }
    if (key == "width" || key == "size" || key == "opacity") {
      double v = 0;
      if (!readNumber(v) || v < 0) return fail("\"" + key + "\" must be a number >= 0");
      if (key == "opacity" && v > 1) return fail("\"opacity\" must be within 0..1");
      (key == "width" ? style.width : key == "size" ? style.size : style.opacity) = v;
      return {};
    }
    if (key == "dash") {
      if (!eat('[')) return fail("\"dash\" must be an array of numbers");
      skipSpace();
      if (eat(']')) return {};
      for (;;) {
        skipSpace();
        double v = 0;
        if (!readNumber(v) || v <= 0) return fail("\"dash\" entries must be numbers > 0");
        style.dash.push_back(v);
        skipSpace();
        if (eat(']')) return {};
        if (!eat(',')) return fail("expected ',' or ']' in \"dash\"");
      }
    }
    return fail("unknown key \"" + key +
                "\" (expected fill, stroke, width, opacity, icon, size, dash, extrude, label)");
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
};

bool familyMatches(GeometryType type, GeometryFamily family) {
  switch (type) {
    case GeometryType::kPoint:
      return family == GeometryFamily::kPoint;
    case GeometryType::kLineString:
      return family == GeometryFamily::kLine;
    case GeometryType::kPolygon:
    case GeometryType::kMultiPolygon:
      return family == GeometryFamily::kPolygon;
  }
  return false;
}

std::string_view familyName(GeometryFamily family) {
  switch (family) {
    case GeometryFamily::kPoint:
      return "points";
    case GeometryFamily::kLine:
      return "lines";
    case GeometryFamily::kPolygon:
      return "polygons";
  }
  return "?";
}

core::Result<int> parseScale(std::string_view text) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v < 0) {
    return core::makeError(ErrorCode::kBadNumber,
                           "\"" + std::string(text) + "\" is not a non-negative integer");
  }
  return v;
}

}  // namespace

std::string_view geometryTypeName(GeometryType type) {
  switch (type) {
    case GeometryType::kPoint:
      return "Point";
    case GeometryType::kLineString:
      return "LineString";
    case GeometryType::kPolygon:
      return "Polygon";
    case GeometryType::kMultiPolygon:
      return "MultiPolygon";
  }
  return "?";
}

std::span<const SourceKindSpec> sourceKinds() { return kKinds; }

const SourceKindSpec& sourceKindSpec(SourceKind kind) {
  return kKinds[static_cast<std::size_t>(kind)];
}

GeometryFamily LayerSource::outputGeometry() const {
  switch (op) {
    case SourceOp::kSelect:
      return sourceKindSpec(kind).geometry;
    case SourceOp::kBuffer:
    case SourceOp::kDensity:
      return GeometryFamily::kPolygon;
    case SourceOp::kCentroid:
      return GeometryFamily::kPoint;
    case SourceOp::kBoundary:
      return GeometryFamily::kLine;
  }
  return GeometryFamily::kPoint;
}

core::Result<LayerSource> parseLayerSource(std::string_view text) {
  LayerSource source;
  source.text = std::string(text);
  if (text.empty()) return sourceError(text, "empty");
  const std::size_t colon = text.find(':');
  const std::string_view head = text.substr(0, colon);
  std::string_view rest =
      colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);

  // Operations whose last ':' part is a parameter.
  auto splitLast = [&](std::string_view& base, std::string_view& param) -> bool {
    const std::size_t last = rest.rfind(':');
    if (last == std::string_view::npos) return false;
    base = rest.substr(0, last);
    param = rest.substr(last + 1);
    return !base.empty() && !param.empty();
  };

  if (head == "buffer") {
    std::string_view base, param;
    if (!splitLast(base, param)) return sourceError(text, "expected buffer:<base>:<metres>");
    double metres = 0;
    auto [ptr, ec] = std::from_chars(param.data(), param.data() + param.size(), metres);
    if (ec != std::errc() || ptr != param.data() + param.size() || !(metres > 0) ||
        metres > 10000) {
      return sourceError(text, "buffer distance \"" + std::string(param) +
                                   "\" is not a number of metres in (0, 10000]");
    }
    source.op = SourceOp::kBuffer;
    source.bufferMetres = metres;
    if (auto r = parseBase(text, base, source); !r.ok()) return r.takeError();
    return source;
  }
  if (head == "density") {
    std::string_view base, param;
    if (!splitLast(base, param)) return sourceError(text, "expected density:<base>:<unit>");
    const SourceKindSpec* unit = findKind(param);
    if (!unit || (unit->kind != SourceKind::kStreets && unit->kind != SourceKind::kCommunities &&
                  unit->kind != SourceKind::kGrids)) {
      return sourceError(text, "density unit \"" + std::string(param) +
                                   "\" (expected streets, communities or grids)");
    }
    source.op = SourceOp::kDensity;
    source.densityUnit = unit->kind;
    if (auto r = parseBase(text, base, source); !r.ok()) return r.takeError();
    if (sourceKindSpec(source.kind).geometry != GeometryFamily::kPoint) {
      return sourceError(
          text, "density counts point kinds, not " + std::string(sourceKindSpec(source.kind).name));
    }
    return source;
  }
  if (head == "centroid" || head == "boundary") {
    if (rest.empty()) return sourceError(text, "expected " + std::string(head) + ":<base>");
    source.op = head == "centroid" ? SourceOp::kCentroid : SourceOp::kBoundary;
    if (auto r = parseBase(text, rest, source); !r.ok()) return r.takeError();
    if (sourceKindSpec(source.kind).geometry != GeometryFamily::kPolygon) {
      return sourceError(text, std::string(head) + " needs a polygon kind, not " +
                                   std::string(sourceKindSpec(source.kind).name));
    }
    return source;
  }
  if (auto r = parseBase(text, text, source); !r.ok()) return r.takeError();
  return source;
}

core::Result<LayerStyle> parseLayerStyle(std::string_view json) {
  return StyleParser(json).parse();
}

core::Result<std::vector<LayerSpec>> loadLayerCatalog(const std::string& path) {
  auto table = readCsvFile(path);
  if (!table.ok()) return table.takeError();
  constexpr std::array<std::string_view, 10> kColumns = {
      "id",     "table", "name",      "category",  "geometry_type",
      "source", "style", "min_scale", "max_scale", "owner_department"};
  std::array<std::size_t, 10> col{};
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    auto c = table->column(kColumns[i]);
    if (!c.ok()) return c.takeError();
    col[i] = *c;
  }
  std::vector<LayerSpec> layers;
  std::unordered_set<std::string> ids, tables, names;
  for (const CsvRecord& rec : table->rows) {
    const auto field = [&](std::size_t i) -> const std::string& { return rec.fields[col[i]]; };
    const auto fail = [&](ErrorCode code, std::string_view column, const std::string& what) {
      return core::makeError(code, std::string(column) + ": " + what, table->where(rec));
    };
    LayerSpec layer;
    layer.line = rec.line;
    layer.id = field(0);
    if (layer.id.size() != 4 || layer.id[0] != 'L' || !isAllDigits(layer.id.substr(1))) {
      return fail(ErrorCode::kSyntax, "id", "\"" + layer.id + "\" is not L followed by 3 digits");
    }
    if (!ids.insert(layer.id).second) {
      return fail(ErrorCode::kSyntax, "id", "\"" + layer.id + "\" is used twice");
    }
    layer.table = field(1);
    bool tableOk = layer.table.size() > 4 && layer.table.size() <= 50 &&
                   layer.table.compare(0, 4, "lyr_") == 0;
    for (char c : layer.table) {
      tableOk = tableOk && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    }
    if (!tableOk) {
      return fail(ErrorCode::kSyntax, "table",
                  "\"" + layer.table + "\" is not lyr_ + [a-z0-9_], at most 50 characters");
    }
    if (!tables.insert(layer.table).second) {
      return fail(ErrorCode::kSyntax, "table", "\"" + layer.table + "\" is used twice");
    }
    layer.name = field(2);
    if (layer.name.empty()) return fail(ErrorCode::kSyntax, "name", "empty");
    if (!names.insert(layer.name).second) {
      return fail(ErrorCode::kSyntax, "name", "\"" + layer.name + "\" is used twice");
    }
    layer.category = field(3);
    if (layer.category.empty()) return fail(ErrorCode::kSyntax, "category", "empty");
    const std::string& geom = field(4);
    bool geomOk = false;
    for (GeometryType t : {GeometryType::kPoint, GeometryType::kLineString, GeometryType::kPolygon,
                           GeometryType::kMultiPolygon}) {
      if (geometryTypeName(t) == geom) {
        layer.geometryType = t;
        geomOk = true;
      }
    }
    if (!geomOk) {
      return fail(ErrorCode::kSyntax, "geometry_type",
                  "\"" + geom + "\" (expected Point, LineString, Polygon or MultiPolygon)");
    }
    auto source = parseLayerSource(field(5));
    if (!source.ok()) return fail(ErrorCode::kSyntax, "source", source.error().message);
    layer.source = std::move(source).value();
    if (!familyMatches(layer.geometryType, layer.source.outputGeometry())) {
      return fail(ErrorCode::kSyntax, "geometry_type",
                  geom + " but source \"" + layer.source.text + "\" yields " +
                      std::string(familyName(layer.source.outputGeometry())));
    }
    layer.styleJson = field(6);
    auto style = parseLayerStyle(layer.styleJson);
    if (!style.ok()) return fail(ErrorCode::kSyntax, "style", style.error().message);
    layer.style = std::move(style).value();
    auto minScale = parseScale(field(7));
    if (!minScale.ok()) return fail(ErrorCode::kBadNumber, "min_scale", minScale.error().message);
    auto maxScale = parseScale(field(8));
    if (!maxScale.ok()) return fail(ErrorCode::kBadNumber, "max_scale", maxScale.error().message);
    layer.minScale = *minScale;
    layer.maxScale = *maxScale;
    if (layer.minScale != 0 && layer.maxScale != 0 && layer.minScale < layer.maxScale) {
      return fail(ErrorCode::kInvalidArgument, "min_scale",
                  std::to_string(layer.minScale) + " is below max_scale " +
                      std::to_string(layer.maxScale) +
                      " (min_scale is the zoomed-out limit, the larger denominator)");
    }
    layer.ownerDepartment = field(9);
    if (layer.ownerDepartment.empty()) {
      return fail(ErrorCode::kSyntax, "owner_department", "empty");
    }
    layers.push_back(std::move(layer));
  }
  return layers;
}

}  // namespace gridtwin::layers
