#include "model/district.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "core/workers.h"
#include "crs/crs.h"
#include "crs/transformer.h"

namespace gridtwin::model {
namespace {

using core::ErrorCode;
using core::makeError;

template <class E, std::size_t N>
bool parseEnum(std::string_view s, const std::array<std::string_view, N>& names, E& out) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == s) {
      out = static_cast<E>(i);
      return true;
    }
  }
  return false;
}
template <class E, std::size_t N>
std::string_view enumName(E v, const std::array<std::string_view, N>& names) {
  const auto i = static_cast<std::size_t>(v);
  return i < N ? names[i] : std::string_view("?");
}

constexpr std::array<std::string_view, 7> kRoadClass = {
    "expressway", "arterial", "main", "secondary", "branch", "local", "lane"};
constexpr std::array<std::string_view, 4> kBuildingUse = {"residential", "commercial", "industrial",
                                                          "public"};
constexpr std::array<std::string_view, 2> kAddressLevel = {"doorplate", "room"};
constexpr std::array<std::string_view, 2> kSex = {"男", "女"};
constexpr std::array<std::string_view, 4> kEntityKind = {"company", "individual",
                                                         "public_institution", "social_org"};
constexpr std::array<std::string_view, 3> kCreditColour = {"green", "yellow", "red"};
constexpr std::array<std::string_view, 6> kEventSource = {
    "hotline12345", "hotline12319", "patrol", "police", "petition", "video_ai"};
// Earlier spellings of the generator, still accepted (index = value).
constexpr std::array<std::string_view, 4> kEventSourceOld = {"12345", "12319", "grid_patrol",
                                                             "police_non_emergency"};
constexpr std::array<std::string_view, 2> kEntityKindOld = {"企业", "个体工商户"};
constexpr std::array<std::string_view, 5> kEventStatus = {"发现上报", "分类推送", "协同处理",
                                                          "跟踪回访", "评价结案"};
constexpr std::array<std::string_view, 4> kDispatchLevel = {"grid", "community", "street",
                                                            "district"};
constexpr std::array<std::string_view, kPersonTagCount> kPersonTag = {
    "elderly_80", "living_alone", "school_age", "newborn",   "disabled",
    "low_income", "veteran",      "migrant",    "key_person"};
constexpr std::array<std::string_view, kKindCount> kKindTable = {
    "streets", "communities", "grids",    "roads",      "buildings", "addresses",
    "houses",  "people",      "entities", "facilities", "events",    "layer_catalog"};

// ---- EPSG:4547 coordinates

// A slice of one xy array to project on one thread.
struct Chunk {
  std::vector<geo::Point>* xy;
  std::size_t begin, end;
};

void addChunks(std::vector<Chunk>& chunks, std::vector<geo::Point>& xy) {
  constexpr std::size_t kChunk = 1 << 16;
  for (std::size_t b = 0; b < xy.size(); b += kChunk)
    chunks.push_back({&xy, b, std::min(xy.size(), b + kChunk)});
}

// Copies lonlat into xy, ready to be projected in place.
template <class Shape>
void prepareXy(Shape& s, std::vector<Chunk>& chunks) {
  s.xy = s.lonlat;
  addChunks(chunks, s.xy);
}

core::Result<void> projectAll(DistrictColumns<Owned>& c, unsigned threads) {
  std::vector<Chunk> chunks;
  prepareXy(c.streets.shape, chunks);
  prepareXy(c.communities.shape, chunks);
  prepareXy(c.grids.shape, chunks);
  prepareXy(c.roads.line, chunks);
  prepareXy(c.buildings.footprint, chunks);
  prepareXy(c.addresses.point, chunks);
  prepareXy(c.entities.point, chunks);
  prepareXy(c.facilities.point, chunks);
  prepareXy(c.events.point, chunks);
  auto base = crs::Transformer::create(crs::kCgcs2000, crs::kGaussKruger114);
  if (!base) return base.takeError();
  threads = core::workerCount(threads, chunks.size());
  std::vector<crs::Transformer> transformers;
  transformers.push_back(std::move(*base));
  for (unsigned t = 1; t < threads; ++t) {
    auto copy = transformers.front().clone();
    if (!copy) return copy.takeError();
    transformers.push_back(std::move(*copy));
  }
  core::TaskQueue queue(chunks.size());
  std::vector<core::Error> errors(threads);
  std::vector<char> failed(threads, 0);
  core::runWorkers(threads, [&](unsigned t) {
    std::vector<std::size_t> missing;
    for (std::size_t i; queue.take(i);) {
      const Chunk& ch = chunks[i];
      std::span<geo::Point> span(ch.xy->data() + ch.begin, ch.end - ch.begin);
      // Missing points (NaN) would fail the batch: project a stand-in and
      // put NaN back afterwards.
      missing.clear();
      for (std::size_t k = 0; k < span.size(); ++k) {
        if (isMissing(span[k])) {
          missing.push_back(k);
          span[k] = {113.1, 23.0};
        }
      }
      if (auto r = transformers[t].transform(span); !r) {
        errors[t] = r.takeError();
        failed[t] = 1;
        queue.stop();
        return;
      }
      for (std::size_t k : missing) span[k] = missingPoint();
    }
  });
  for (unsigned t = 0; t < threads; ++t) {
    if (failed[t]) return std::move(errors[t]).withContext("EPSG:4490 -> EPSG:4547");
  }
  return {};
}

// ---- validation

std::string rowText(std::size_t row) { return "row " + std::to_string(row); }

core::Result<void> checkOffsets(const std::string& name, std::span<const std::uint32_t> offsets,
                                std::size_t expectedCount, std::size_t targetSize) {
  if (offsets.size() != expectedCount + 1) {
    return makeError(ErrorCode::kStore,
                     "has " + std::to_string(offsets.size()) + " offsets for " +
                         std::to_string(expectedCount) + " rows (expected rows + 1)",
                     name);
  }
  if (offsets[0] != 0) return makeError(ErrorCode::kStore, "first offset is not 0", name);
  for (std::size_t i = 1; i < offsets.size(); ++i) {
    if (offsets[i] < offsets[i - 1]) {
      return makeError(ErrorCode::kStore, "offsets decrease at " + rowText(i - 1), name);
    }
  }
  if (offsets.back() != targetSize) {
    return makeError(ErrorCode::kStore,
                     "last offset " + std::to_string(offsets.back()) + " does not match the " +
                         std::to_string(targetSize) + " elements it indexes",
                     name);
  }
  return {};
}

core::Result<void> checkStrings(const std::string& name, const Strings& s, std::size_t rows) {
  return checkOffsets(name, s.offsets, rows, s.bytes.size());
}

template <class T>
core::Result<void> checkSize(const std::string& name, std::span<const T> col, std::size_t rows) {
  if (col.size() != rows) {
    return makeError(
        ErrorCode::kStore,
        "has " + std::to_string(col.size()) + " values for " + std::to_string(rows) + " rows",
        name);
  }
  return {};
}

template <class T>
core::Result<void> checkLink(const std::string& name, std::span<const T> col, std::size_t rows,
                             std::size_t target, bool nullable) {
  if (auto r = checkSize(name, col, rows); !r) return r;
  for (std::size_t i = 0; i < col.size(); ++i) {
    const auto v = static_cast<std::int64_t>(col[i]);
    if ((v == kNone && nullable) || (v >= 0 && static_cast<std::size_t>(v) < target)) continue;
    return makeError(
        ErrorCode::kStore,
        std::to_string(v) + " is not an index into " + std::to_string(target) + " rows",
        name + " " + rowText(i));
  }
  return {};
}

template <class E>
core::Result<void> checkEnum(const std::string& name, std::span<const E> col, std::size_t rows,
                             std::size_t count) {
  if (auto r = checkSize(name, col, rows); !r) return r;
  for (std::size_t i = 0; i < col.size(); ++i) {
    if (static_cast<std::size_t>(col[i]) >= count) {
      return makeError(ErrorCode::kStore,
                       "value " + std::to_string(static_cast<unsigned>(col[i])) + " out of range",
                       name + " " + rowText(i));
    }
  }
  return {};
}

core::Result<void> checkPolygons(const std::string& name, const PolygonColumns<Viewed>& p,
                                 std::size_t rows) {
  const std::size_t parts = p.ringStart.empty() ? 0 : p.ringStart.size() - 1;
  const std::size_t rings = p.pointStart.empty() ? 0 : p.pointStart.size() - 1;
  if (auto r = checkOffsets(name + ".partStart", p.partStart, rows, parts); !r) return r;
  if (auto r = checkOffsets(name + ".ringStart", p.ringStart, parts, rings); !r) return r;
  if (auto r = checkOffsets(name + ".pointStart", p.pointStart, rings, p.lonlat.size()); !r)
    return r;
  return checkSize(name + ".xy", p.xy, p.lonlat.size());
}

core::Result<void> checkLines(const std::string& name, const LineColumns<Viewed>& l,
                              std::size_t rows) {
  const std::size_t parts = l.pointStart.empty() ? 0 : l.pointStart.size() - 1;
  if (auto r = checkOffsets(name + ".partStart", l.partStart, rows, parts); !r) return r;
  if (auto r = checkOffsets(name + ".pointStart", l.pointStart, parts, l.lonlat.size()); !r)
    return r;
  return checkSize(name + ".xy", l.xy, l.lonlat.size());
}

core::Result<void> checkPoints(const std::string& name, const PointColumns<Viewed>& p,
                               std::size_t rows) {
  if (auto r = checkSize(name + ".lonlat", p.lonlat, rows); !r) return r;
  return checkSize(name + ".xy", p.xy, rows);
}

#define GT_CHECK(expr)                    \
  do {                                    \
    auto gt_r_ = (expr);                  \
    if (!gt_r_) return gt_r_.takeError(); \
  } while (0)

core::Result<void> validateAll(const DistrictColumns<Viewed>& c) {
  // Row counts come from the first column of each kind, whose offsets are
  // checked first so that size() is meaningful.
  auto rowsOf = [](const Strings& s) {
    return s.offsets.empty() ? std::size_t{0} : s.offsets.size() - 1;
  };
  const std::size_t streets = rowsOf(c.streets.code), communities = rowsOf(c.communities.code),
                    grids = rowsOf(c.grids.code), addresses = rowsOf(c.addresses.code);
  const std::size_t roads = c.roads.id.size(), buildings = c.buildings.id.size(),
                    houses = c.houses.id.size(), people = c.people.id.size(),
                    entities = c.entities.id.size(), facilities = c.facilities.id.size(),
                    events = c.events.id.size(), layers = rowsOf(c.layers.id);
  GT_CHECK(checkStrings("industries", c.industries, rowsOf(c.industries)));
  GT_CHECK(checkStrings("facilityTypeCodes", c.facilityTypeCodes, rowsOf(c.facilityTypeCodes)));
  GT_CHECK(checkStrings("facilityTypeNames", c.facilityTypeNames, rowsOf(c.facilityTypeCodes)));
  GT_CHECK(checkStrings("departments", c.departments, rowsOf(c.departments)));
  GT_CHECK(checkStrings("categoryCodes", c.categoryCodes, rowsOf(c.categoryCodes)));
  GT_CHECK(checkStrings("categoryNames", c.categoryNames, rowsOf(c.categoryCodes)));
  GT_CHECK(checkStrings("categoryGroups", c.categoryGroups, rowsOf(c.categoryCodes)));

  GT_CHECK(checkStrings("streets.code", c.streets.code, streets));
  GT_CHECK(checkStrings("streets.name", c.streets.name, streets));
  GT_CHECK(checkPolygons("streets.shape", c.streets.shape, streets));

  GT_CHECK(checkStrings("communities.code", c.communities.code, communities));
  GT_CHECK(checkStrings("communities.name", c.communities.name, communities));
  GT_CHECK(checkLink("communities.street", c.communities.street, communities, streets, false));
  GT_CHECK(checkPolygons("communities.shape", c.communities.shape, communities));

  GT_CHECK(checkStrings("grids.code", c.grids.code, grids));
  GT_CHECK(checkStrings("grids.name", c.grids.name, grids));
  GT_CHECK(checkLink("grids.community", c.grids.community, grids, communities, false));
  GT_CHECK(checkPolygons("grids.shape", c.grids.shape, grids));

  GT_CHECK(checkStrings("roads.name", c.roads.name, roads));
  GT_CHECK(checkEnum("roads.roadClass", c.roads.roadClass, roads, kRoadClass.size()));
  GT_CHECK(checkSize("roads.widthM", c.roads.widthM, roads));
  GT_CHECK(checkLink("roads.community", c.roads.community, roads, communities, true));
  GT_CHECK(checkLines("roads.line", c.roads.line, roads));

  GT_CHECK(checkLink("buildings.address", c.buildings.address, buildings, addresses, true));
  GT_CHECK(checkEnum("buildings.use", c.buildings.use, buildings, kBuildingUse.size()));
  GT_CHECK(checkSize("buildings.floors", c.buildings.floors, buildings));
  GT_CHECK(checkSize("buildings.heightM", c.buildings.heightM, buildings));
  GT_CHECK(checkLink("buildings.grid", c.buildings.grid, buildings, grids, false));
  GT_CHECK(checkPolygons("buildings.footprint", c.buildings.footprint, buildings));

  GT_CHECK(checkStrings("addresses.code", c.addresses.code, addresses));
  GT_CHECK(checkEnum("addresses.level", c.addresses.level, addresses, kAddressLevel.size()));
  GT_CHECK(checkLink("addresses.building", c.addresses.building, addresses, buildings, false));
  GT_CHECK(checkLink("addresses.house", c.addresses.house, addresses, houses, true));
  GT_CHECK(checkLink("addresses.grid", c.addresses.grid, addresses, grids, false));
  GT_CHECK(checkPoints("addresses.point", c.addresses.point, addresses));
  GT_CHECK(checkStrings("addresses.fullText", c.addresses.fullText, addresses));

  GT_CHECK(checkLink("houses.address", c.houses.address, houses, addresses, true));
  GT_CHECK(checkLink("houses.building", c.houses.building, houses, buildings, false));
  GT_CHECK(checkSize("houses.unit", c.houses.unit, houses));
  GT_CHECK(checkSize("houses.floor", c.houses.floor, houses));
  GT_CHECK(checkStrings("houses.room", c.houses.room, houses));
  GT_CHECK(checkSize("houses.areaM2", c.houses.areaM2, houses));
  GT_CHECK(checkLink("houses.grid", c.houses.grid, houses, grids, false));

  GT_CHECK(checkSize("people.idNumber", c.people.idNumber, people * kIdNumberSize));
  GT_CHECK(checkStrings("people.name", c.people.name, people));
  GT_CHECK(checkEnum("people.sex", c.people.sex, people, kSex.size()));
  GT_CHECK(checkSize("people.birthDay", c.people.birthDay, people));
  GT_CHECK(checkStrings("people.phone", c.people.phone, people));
  GT_CHECK(checkSize("people.tags", c.people.tags, people));
  GT_CHECK(checkLink("people.house", c.people.house, people, houses, false));
  GT_CHECK(checkLink("people.grid", c.people.grid, people, grids, false));

  GT_CHECK(checkSize("entities.creditCode", c.entities.creditCode, entities * kCreditCodeSize));
  GT_CHECK(checkStrings("entities.name", c.entities.name, entities));
  GT_CHECK(
      checkLink("entities.industry", c.entities.industry, entities, rowsOf(c.industries), false));
  GT_CHECK(checkEnum("entities.kind", c.entities.kind, entities, kEntityKind.size()));
  GT_CHECK(checkEnum("entities.colour", c.entities.colour, entities, kCreditColour.size()));
  GT_CHECK(checkLink("entities.building", c.entities.building, entities, buildings, false));
  GT_CHECK(checkLink("entities.grid", c.entities.grid, entities, grids, false));
  GT_CHECK(checkPoints("entities.point", c.entities.point, entities));

  GT_CHECK(checkLink("facilities.type", c.facilities.type, facilities, rowsOf(c.facilityTypeCodes),
                     false));
  GT_CHECK(
      checkLink("facilities.owner", c.facilities.owner, facilities, rowsOf(c.departments), true));
  GT_CHECK(checkLink("facilities.grid", c.facilities.grid, facilities, grids, false));
  GT_CHECK(checkPoints("facilities.point", c.facilities.point, facilities));
  GT_CHECK(checkSize("facilities.headingDeg", c.facilities.headingDeg, facilities));
  GT_CHECK(checkSize("facilities.fovDeg", c.facilities.fovDeg, facilities));
  GT_CHECK(checkSize("facilities.mountHeightM", c.facilities.mountHeightM, facilities));

  GT_CHECK(checkLink("events.category", c.events.category, events, rowsOf(c.categoryCodes), false));
  GT_CHECK(checkEnum("events.source", c.events.source, events, kEventSource.size()));
  GT_CHECK(checkSize("events.reportedAt", c.events.reportedAt, events));
  GT_CHECK(checkEnum("events.status", c.events.status, events, kEventStatus.size()));
  GT_CHECK(checkEnum("events.level", c.events.level, events, kDispatchLevel.size()));
  GT_CHECK(checkLink("events.grid", c.events.grid, events, grids, false));
  GT_CHECK(checkPoints("events.point", c.events.point, events));

  GT_CHECK(checkStrings("layers.id", c.layers.id, layers));
  GT_CHECK(checkStrings("layers.name", c.layers.name, layers));
  GT_CHECK(checkStrings("layers.category", c.layers.category, layers));
  GT_CHECK(checkStrings("layers.geometryType", c.layers.geometryType, layers));
  GT_CHECK(checkStrings("layers.table", c.layers.table, layers));
  return {};
}

#undef GT_CHECK

}  // namespace

std::string_view kindTable(Kind kind) { return enumName(kind, kKindTable); }

bool parseRoadClass(std::string_view s, RoadClass& out) { return parseEnum(s, kRoadClass, out); }
bool parseBuildingUse(std::string_view s, BuildingUse& out) {
  return parseEnum(s, kBuildingUse, out);
}
bool parseAddressLevel(std::string_view s, AddressLevel& out) {
  return parseEnum(s, kAddressLevel, out);
}
bool parseSex(std::string_view s, Sex& out) { return parseEnum(s, kSex, out); }
bool parseEntityKind(std::string_view s, EntityKind& out) {
  return parseEnum(s, kEntityKind, out) || parseEnum(s, kEntityKindOld, out);
}
bool parseCreditColour(std::string_view s, CreditColour& out) {
  return parseEnum(s, kCreditColour, out);
}
bool parseEventSource(std::string_view s, EventSource& out) {
  return parseEnum(s, kEventSource, out) || parseEnum(s, kEventSourceOld, out);
}
bool parseEventStatus(std::string_view s, EventStatus& out) {
  return parseEnum(s, kEventStatus, out);
}
bool parseDispatchLevel(std::string_view s, DispatchLevel& out) {
  return parseEnum(s, kDispatchLevel, out);
}
bool parsePersonTag(std::string_view s, PersonTag& out) { return parseEnum(s, kPersonTag, out); }
std::string_view name(RoadClass v) { return enumName(v, kRoadClass); }
std::string_view name(BuildingUse v) { return enumName(v, kBuildingUse); }
std::string_view name(AddressLevel v) { return enumName(v, kAddressLevel); }
std::string_view name(Sex v) { return enumName(v, kSex); }
std::string_view name(EntityKind v) { return enumName(v, kEntityKind); }
std::string_view name(CreditColour v) { return enumName(v, kCreditColour); }
std::string_view name(EventSource v) { return enumName(v, kEventSource); }
std::string_view name(EventStatus v) { return enumName(v, kEventStatus); }
std::string_view name(DispatchLevel v) { return enumName(v, kDispatchLevel); }
std::string_view name(PersonTag v) { return enumName(v, kPersonTag); }

core::Result<void> validate(const DistrictColumns<Viewed>& c) { return validateAll(c); }

DistrictColumns<Viewed> viewOf(const DistrictColumns<Owned>& c) {
  std::vector<RawSection> sections;
  visitColumns(c, [&](const std::string& name, const auto& vec) {
    using T = typename std::remove_cvref_t<decltype(vec)>::value_type;
    sections.push_back(
        {name, sizeof(T), reinterpret_cast<const std::byte*>(vec.data()), vec.size() * sizeof(T)});
  });
  DistrictColumns<Viewed> view;
  auto r = bindSections(view, sections);
  assert(r.ok());
  (void)r;
  return view;
}

std::vector<RawSection> sectionsOf(const DistrictColumns<Viewed>& c) {
  std::vector<RawSection> sections;
  visitColumns(c, [&](const std::string& name, const auto& span) {
    using T = typename std::remove_cvref_t<decltype(span)>::element_type;
    sections.push_back(
        {name, sizeof(T), reinterpret_cast<const std::byte*>(span.data()), span.size_bytes()});
  });
  return sections;
}

core::Result<void> bindSections(DistrictColumns<Viewed>& c, std::span<const RawSection> sections) {
  std::size_t i = 0;
  core::Result<void> result;
  visitColumns(c, [&](const std::string& name, auto& span) {
    using T = std::remove_const_t<typename std::remove_cvref_t<decltype(span)>::element_type>;
    if (!result.ok()) return;
    if (i >= sections.size()) {
      result = makeError(ErrorCode::kStore, "missing column " + name);
      return;
    }
    const RawSection& s = sections[i++];
    if (s.name != name || s.elemSize != sizeof(T)) {
      result = makeError(ErrorCode::kStore, "expected column " + name + " (" +
                                                std::to_string(sizeof(T)) +
                                                "-byte values), found " + s.name + " (" +
                                                std::to_string(s.elemSize) + "-byte values)");
      return;
    }
    if (s.bytes % sizeof(T) != 0 || reinterpret_cast<std::uintptr_t>(s.data) % alignof(T) != 0) {
      result = makeError(ErrorCode::kStore,
                         "column " + name + " is misaligned or holds a partial value");
      return;
    }
    // The bytes were written from (or are) an array of T on this same
    // platform (the snapshot header checks byte order and format version).
    span = std::span<const T>(reinterpret_cast<const T*>(s.data), s.bytes / sizeof(T));
  });
  if (result.ok() && i != sections.size()) {
    return makeError(ErrorCode::kStore,
                     std::to_string(sections.size() - i) + " unexpected extra columns");
  }
  return result;
}

core::Result<District> District::build(DistrictColumns<Owned>&& columns, unsigned threads) {
  auto owned = std::make_shared<DistrictColumns<Owned>>(std::move(columns));
  if (auto r = projectAll(*owned, threads); !r) return r.takeError();
  District d;
  d.m_columns = viewOf(*owned);
  if (auto r = validateAll(d.m_columns); !r) return r.takeError();
  d.m_owner = std::move(owned);
  return d;
}

core::Result<District> District::fromViews(const DistrictColumns<Viewed>& columns,
                                           std::shared_ptr<const void> owner) {
  if (auto r = validateAll(columns); !r) return r.takeError();
  District d;
  d.m_columns = columns;
  d.m_owner = std::move(owner);
  return d;
}

std::size_t District::count(Kind kind) const {
  const auto& c = m_columns;
  switch (kind) {
    case Kind::kStreet:
      return c.streets.size();
    case Kind::kCommunity:
      return c.communities.size();
    case Kind::kGrid:
      return c.grids.size();
    case Kind::kRoad:
      return c.roads.size();
    case Kind::kBuilding:
      return c.buildings.size();
    case Kind::kAddress:
      return c.addresses.size();
    case Kind::kHouse:
      return c.houses.size();
    case Kind::kPerson:
      return c.people.size();
    case Kind::kEntity:
      return c.entities.size();
    case Kind::kFacility:
      return c.facilities.size();
    case Kind::kEvent:
      return c.events.size();
    case Kind::kLayer:
      return c.layers.size();
  }
  return 0;
}

std::size_t District::memoryBytes() const {
  std::size_t total = 0;
  visitColumns(m_columns,
               [&](const std::string&, const auto& span) { total += span.size_bytes(); });
  return total;
}

}  // namespace gridtwin::model
