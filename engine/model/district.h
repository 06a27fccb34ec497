#pragma once
// The in-memory district: every kind of the 一标三实 registers as columns
// (struct of arrays), linked by integer row indexes resolved at load.
//
//   person → house → building → address → grid → community → street
//
// Row i of a kind is "index i"; the source's own ids (building_id, fid, ...)
// are kept as columns but links never go through them. A link that may be
// absent is an int32 holding kNone (-1); a link that must exist is a uint32.
//
// A District is immutable once built and holds no mutable state: share it
// (it is cheap to copy: the columns are views and the storage is held by a
// shared_ptr) and read it from any number of threads without locking.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/columns.h"

namespace gridtwin::model {

inline constexpr std::int32_t kNone = -1;
inline constexpr std::size_t kIdNumberSize = 18;    // GB 11643 resident ID
inline constexpr std::size_t kCreditCodeSize = 18;  // GB 32100 unified social credit code

enum class Kind : std::uint8_t {
  kStreet,
  kCommunity,
  kGrid,
  kRoad,
  kBuilding,
  kAddress,
  kHouse,
  kPerson,
  kEntity,
  kFacility,
  kEvent,
  kLayer,
};
inline constexpr std::size_t kKindCount = 12;
// "streets", "communities", ...: the GeoPackage table of each kind.
std::string_view kindTable(Kind kind);

// The dataset's spellings (the GeoPackage text) are given beside each value;
// parse*() below turn them into values and return false for anything else.
// "expressway", "arterial", "main", "secondary", "branch", "local", "lane".
enum class RoadClass : std::uint8_t {
  kExpressway,
  kArterial,
  kMain,
  kSecondary,
  kBranch,
  kLocal,
  kLane
};
enum class BuildingUse : std::uint8_t {
  kResidential,
  kCommercial,
  kIndustrial,
  kPublic
};                                                             // "residential", ...
enum class AddressLevel : std::uint8_t { kDoorplate, kRoom };  // "doorplate", "room"
enum class Sex : std::uint8_t { kMale, kFemale };              // "男", "女"
// "company" (also "企业"), "individual" (个体工商户, also "个体工商户"),
// "public_institution" (事业单位), "social_org" (社会组织).
enum class EntityKind : std::uint8_t { kCompany, kIndividual, kPublicInstitution, kSocialOrg };
enum class CreditColour : std::uint8_t { kGreen, kYellow, kRed };  // "green", "yellow", "red"
// Spelled as in the dataset; older spellings in brackets are accepted too.
enum class EventSource : std::uint8_t {
  kHotline12345,  // "hotline12345" ("12345")
  kHotline12319,  // "hotline12319" ("12319")
  kPatrol,        // "patrol" ("grid_patrol"): grid workers' patrol
  kPolice,        // "police" ("police_non_emergency"): police non-emergency line
  kPetition,      // "petition"
  kVideoAi,       // "video_ai"
};
// The five steps of an event, in order.
enum class EventStatus : std::uint8_t { kReported, kClassified, kHandling, kFollowUp, kClosed };
enum class DispatchLevel : std::uint8_t { kGrid, kCommunity, kStreet, kDistrict };  // "grid", ...

// Person tags: bit i of people.tags is set when the person carries tag i.
// The dataset writes them comma-separated by these names. The numbering is
// part of the snapshot format: append, never renumber.
enum class PersonTag : std::uint8_t {
  kElderly80 = 0,    // "elderly_80": 80 years or older
  kLivingAlone = 1,  // "living_alone": 60+ living alone
  kSchoolAge = 2,    // "school_age": 6-15
  kNewborn = 3,      // "newborn": under one year
  kDisabled = 4,     // "disabled"
  kLowIncome = 5,    // "low_income"
  kVeteran = 6,      // "veteran"
  kMigrant = 7,      // "migrant": household registered outside the district
  kKeyPerson = 8,    // "key_person": under the community's special care (重点人员)
};
inline constexpr std::size_t kPersonTagCount = 9;
constexpr std::uint32_t tagBit(PersonTag t) { return 1u << static_cast<unsigned>(t); }

bool parseRoadClass(std::string_view s, RoadClass& out);
bool parseBuildingUse(std::string_view s, BuildingUse& out);
bool parseAddressLevel(std::string_view s, AddressLevel& out);
bool parseSex(std::string_view s, Sex& out);
bool parseEntityKind(std::string_view s, EntityKind& out);
bool parseCreditColour(std::string_view s, CreditColour& out);
bool parseEventSource(std::string_view s, EventSource& out);
bool parseEventStatus(std::string_view s, EventStatus& out);
bool parseDispatchLevel(std::string_view s, DispatchLevel& out);
bool parsePersonTag(std::string_view s, PersonTag& out);
std::string_view name(RoadClass v);
std::string_view name(BuildingUse v);
std::string_view name(AddressLevel v);
std::string_view name(Sex v);
std::string_view name(EntityKind v);
std::string_view name(CreditColour v);
std::string_view name(EventSource v);
std::string_view name(EventStatus v);
std::string_view name(DispatchLevel v);
std::string_view name(PersonTag v);

template <class S>
struct StreetColumns {
  typename S::Str code;  // 9 digits
  typename S::Str name;
  PolygonColumns<S> shape;
  std::size_t size() const { return code.size(); }
};

template <class S>
struct CommunityColumns {
  typename S::Str code;  // 12 digits
  typename S::Str name;
  typename S::template Col<std::uint32_t> street;
  PolygonColumns<S> shape;
  std::size_t size() const { return code.size(); }
};

template <class S>
struct GridColumns {
  typename S::Str code;  // 15 digits: community code + 3
  typename S::Str name;
  typename S::template Col<std::uint32_t> community;
  PolygonColumns<S> shape;
  std::size_t size() const { return code.size(); }
};

template <class S>
struct RoadColumns {
  typename S::template Col<std::int64_t> id;  // road_id
  typename S::Str name;
  typename S::template Col<RoadClass> roadClass;
  typename S::template Col<float> widthM;
  typename S::template Col<std::int32_t> community;  // kNone: crosses communities
  LineColumns<S> line;
  std::size_t size() const { return id.size(); }
};

template <class S>
struct BuildingColumns {
  typename S::template Col<std::int64_t> id;       // building_id
  typename S::template Col<std::int32_t> address;  // its door-plate address; kNone when it has none
  typename S::template Col<BuildingUse> use;
  typename S::template Col<std::uint16_t> floors;
  typename S::template Col<float> heightM;
  typename S::template Col<std::uint32_t> grid;
  PolygonColumns<S> footprint;
  std::size_t size() const { return id.size(); }
};

template <class S>
struct AddressColumns {
  typename S::Str code;
  typename S::template Col<AddressLevel> level;
  typename S::template Col<std::uint32_t> building;
  typename S::template Col<std::int32_t> house;  // kNone for door plates
  typename S::template Col<std::uint32_t> grid;
  PointColumns<S> point;
  typename S::Str fullText;
  std::size_t size() const { return code.size(); }
};

template <class S>
struct HouseColumns {
  typename S::template Col<std::int64_t> id;       // house_id
  typename S::template Col<std::int32_t> address;  // its room address; kNone when none
  typename S::template Col<std::uint32_t> building;
  typename S::template Col<std::uint16_t> unit;
  typename S::template Col<std::int16_t> floor;
  typename S::Str room;
  typename S::template Col<float> areaM2;
  typename S::template Col<std::uint32_t> grid;
  std::size_t size() const { return id.size(); }
};

template <class S>
struct PersonColumns {
  typename S::template Col<std::int64_t> id;  // person_id
  typename S::template Col<char> idNumber;    // kIdNumberSize bytes per person; fixedAt<18>()
  typename S::Str name;
  typename S::template Col<Sex> sex;
  typename S::template Col<std::int32_t> birthDay;  // days since 1970-01-01
  typename S::Str phone;                            // empty when none
  typename S::template Col<std::uint32_t> tags;     // PersonTag bits
  typename S::template Col<std::uint32_t> house;
  typename S::template Col<std::uint32_t> grid;
  std::size_t size() const { return id.size(); }
};

template <class S>
struct EntityColumns {
  typename S::template Col<std::int64_t> id;  // entity_id
  typename S::template Col<char> creditCode;  // kCreditCodeSize bytes per entity
  typename S::Str name;
  typename S::template Col<std::uint16_t> industry;  // into DistrictColumns::industries
  typename S::template Col<EntityKind> kind;         // the dataset's "type" column
  typename S::template Col<CreditColour> colour;
  typename S::template Col<std::uint32_t> building;
  typename S::template Col<std::uint32_t> grid;
  PointColumns<S> point;
  std::size_t size() const { return id.size(); }
};

template <class S>
struct FacilityColumns {
  typename S::template Col<std::int64_t> id;     // facility_id
  typename S::template Col<std::uint16_t> type;  // into facilityTypeCodes/Names
  typename S::template Col<std::int32_t> owner;  // into departments; kNone: ownerless (无主部件)
  typename S::template Col<std::uint32_t> grid;
  PointColumns<S> point;
  typename S::template Col<float> headingDeg;    // cameras; NaN otherwise
  typename S::template Col<float> fovDeg;        // cameras; NaN otherwise
  typename S::template Col<float> mountHeightM;  // cameras; NaN otherwise
  std::size_t size() const { return id.size(); }
};

template <class S>
struct EventColumns {
  typename S::template Col<std::int64_t> id;         // event_id
  typename S::template Col<std::uint16_t> category;  // into categoryCodes/Names/Groups
  typename S::template Col<EventSource> source;
  typename S::template Col<std::int64_t> reportedAt;  // Unix seconds (UTC)
  typename S::template Col<EventStatus> status;
  typename S::template Col<DispatchLevel> level;
  typename S::template Col<std::uint32_t> grid;
  PointColumns<S> point;  // missing (NaN) when reported by address text only
  std::size_t size() const { return id.size(); }
};

template <class S>
struct LayerColumns {
  typename S::Str id;
  typename S::Str name;
  typename S::Str category;
  typename S::Str geometryType;
  typename S::Str table;  // the GeoPackage table holding the layer's features; may be empty
  std::size_t size() const { return id.size(); }
};

template <class S>
struct DistrictColumns {
  StreetColumns<S> streets;
  CommunityColumns<S> communities;
  GridColumns<S> grids;
  RoadColumns<S> roads;
  BuildingColumns<S> buildings;
  AddressColumns<S> addresses;
  HouseColumns<S> houses;
  PersonColumns<S> people;
  EntityColumns<S> entities;
  FacilityColumns<S> facilities;
  EventColumns<S> events;
  LayerColumns<S> layers;
  // Lookup tables referenced by small integer columns.
  typename S::Str industries;
  typename S::Str facilityTypeCodes;
  typename S::Str facilityTypeNames;
  typename S::Str departments;
  typename S::Str categoryCodes;  // event categories (247 grid item types)
  typename S::Str categoryNames;
  typename S::Str categoryGroups;
};

// Calls f(name, column) for every primitive column of `c`, always in the
// same order: the order and names ARE the snapshot layout (snapshot.h), so
// change them together with kSnapshotFormatVersion. Works on Owned and
// Viewed columns alike (and on const or mutable ones).
template <class Cols, class F>
void visitColumns(Cols& c, F&& f);

class District {
 public:
  District() = default;

  // Takes the loaded columns, fills the EPSG:4547 xy arrays from lonlat
  // (PROJ, batch, on up to `threads` threads), checks every offset and link
  // (validate()) and returns the immutable district. Errors: a coordinate
  // PROJ rejects, an inconsistent column (both name the column and row).
  static core::Result<District> build(DistrictColumns<Owned>&& columns, unsigned threads = 0);

  // Wraps columns that already point into memory held alive by `owner` (a
  // mapped snapshot). Runs validate(); never reads outside the spans.
  static core::Result<District> fromViews(const DistrictColumns<Viewed>& columns,
                                          std::shared_ptr<const void> owner);

  const DistrictColumns<Viewed>& columns() const { return m_columns; }
  const StreetColumns<Viewed>& streets() const { return m_columns.streets; }
  const CommunityColumns<Viewed>& communities() const { return m_columns.communities; }
  const GridColumns<Viewed>& grids() const { return m_columns.grids; }
  const RoadColumns<Viewed>& roads() const { return m_columns.roads; }
  const BuildingColumns<Viewed>& buildings() const { return m_columns.buildings; }
  const AddressColumns<Viewed>& addresses() const { return m_columns.addresses; }
  const HouseColumns<Viewed>& houses() const { return m_columns.houses; }
  const PersonColumns<Viewed>& people() const { return m_columns.people; }
  const EntityColumns<Viewed>& entities() const { return m_columns.entities; }
  const FacilityColumns<Viewed>& facilities() const { return m_columns.facilities; }
  const EventColumns<Viewed>& events() const { return m_columns.events; }
  const LayerColumns<Viewed>& layers() const { return m_columns.layers; }

  std::size_t count(Kind kind) const;
  // Bytes of all columns (what a snapshot's data sections hold).
  std::size_t memoryBytes() const;

  // Links upward, for convenience: grid → community → street.
  std::uint32_t communityOfGrid(std::uint32_t grid) const {
    return m_columns.grids.community[grid];
  }
  std::uint32_t streetOfGrid(std::uint32_t grid) const {
    return m_columns.communities.street[m_columns.grids.community[grid]];
  }

 private:
  DistrictColumns<Viewed> m_columns;
  std::shared_ptr<const void> m_owner;  // keeps the columns' memory alive
};

// Structural checks: equal lengths within a kind, offsets that start at 0,
// never decrease and end inside their arrays, links inside the linked kind.
// The error names the column and the row.
core::Result<void> validate(const DistrictColumns<Viewed>& c);

// The Viewed twin of Owned columns (spans over the vectors; no copy).
DistrictColumns<Viewed> viewOf(const DistrictColumns<Owned>& c);

// One column as raw bytes: how snapshots store and find columns. `name` and
// `elemSize` identify it; sections come in visitColumns() order.
struct RawSection {
  std::string name;
  std::uint32_t elemSize = 0;
  const std::byte* data = nullptr;
  std::size_t bytes = 0;
};
std::vector<RawSection> sectionsOf(const DistrictColumns<Viewed>& c);
// Points `c`'s spans at `sections` (which must match sectionsOf()'s names,
// element sizes and order, be aligned for their element type and hold a
// whole number of elements); an error names the first mismatch.
core::Result<void> bindSections(DistrictColumns<Viewed>& c, std::span<const RawSection> sections);

// ---- implementation of visitColumns

namespace detail {
template <class Str, class F>
void visitStrings(const char* name, Str& s, F& f) {
  f(std::string(name) + ".offsets", s.offsets);
  f(std::string(name) + ".bytes", s.bytes);
}
template <class P, class F>
void visitPolygons(const char* name, P& p, F& f) {
  const std::string n(name);
  f(n + ".partStart", p.partStart);
  f(n + ".ringStart", p.ringStart);
  f(n + ".pointStart", p.pointStart);
  f(n + ".lonlat", p.lonlat);
  f(n + ".xy", p.xy);
}
template <class L, class F>
void visitLines(const char* name, L& l, F& f) {
  const std::string n(name);
  f(n + ".partStart", l.partStart);
  f(n + ".pointStart", l.pointStart);
  f(n + ".lonlat", l.lonlat);
  f(n + ".xy", l.xy);
}
template <class P, class F>
void visitPoints(const char* name, P& p, F& f) {
  const std::string n(name);
  f(n + ".lonlat", p.lonlat);
  f(n + ".xy", p.xy);
}
}  // namespace detail

template <class Cols, class F>
void visitColumns(Cols& c, F&& f) {
  using detail::visitLines;
  using detail::visitPoints;
  using detail::visitPolygons;
  using detail::visitStrings;
  visitStrings("streets.code", c.streets.code, f);
  visitStrings("streets.name", c.streets.name, f);
  visitPolygons("streets.shape", c.streets.shape, f);
  visitStrings("communities.code", c.communities.code, f);
  visitStrings("communities.name", c.communities.name, f);
  f(std::string("communities.street"), c.communities.street);
  visitPolygons("communities.shape", c.communities.shape, f);
  visitStrings("grids.code", c.grids.code, f);
  visitStrings("grids.name", c.grids.name, f);
  f(std::string("grids.community"), c.grids.community);
  visitPolygons("grids.shape", c.grids.shape, f);
  f(std::string("roads.id"), c.roads.id);
  visitStrings("roads.name", c.roads.name, f);
  f(std::string("roads.roadClass"), c.roads.roadClass);
  f(std::string("roads.widthM"), c.roads.widthM);
  f(std::string("roads.community"), c.roads.community);
  visitLines("roads.line", c.roads.line, f);
  f(std::string("buildings.id"), c.buildings.id);
  f(std::string("buildings.address"), c.buildings.address);
  f(std::string("buildings.use"), c.buildings.use);
  f(std::string("buildings.floors"), c.buildings.floors);
  f(std::string("buildings.heightM"), c.buildings.heightM);
  f(std::string("buildings.grid"), c.buildings.grid);
  visitPolygons("buildings.footprint", c.buildings.footprint, f);
  visitStrings("addresses.code", c.addresses.code, f);
  f(std::string("addresses.level"), c.addresses.level);
  f(std::string("addresses.building"), c.addresses.building);
  f(std::string("addresses.house"), c.addresses.house);
  f(std::string("addresses.grid"), c.addresses.grid);
  visitPoints("addresses.point", c.addresses.point, f);
  visitStrings("addresses.fullText", c.addresses.fullText, f);
  f(std::string("houses.id"), c.houses.id);
  f(std::string("houses.address"), c.houses.address);
  f(std::string("houses.building"), c.houses.building);
  f(std::string("houses.unit"), c.houses.unit);
  f(std::string("houses.floor"), c.houses.floor);
  visitStrings("houses.room", c.houses.room, f);
  f(std::string("houses.areaM2"), c.houses.areaM2);
  f(std::string("houses.grid"), c.houses.grid);
  f(std::string("people.id"), c.people.id);
  f(std::string("people.idNumber"), c.people.idNumber);
  visitStrings("people.name", c.people.name, f);
  f(std::string("people.sex"), c.people.sex);
  f(std::string("people.birthDay"), c.people.birthDay);
  visitStrings("people.phone", c.people.phone, f);
  f(std::string("people.tags"), c.people.tags);
  f(std::string("people.house"), c.people.house);
  f(std::string("people.grid"), c.people.grid);
  f(std::string("entities.id"), c.entities.id);
  f(std::string("entities.creditCode"), c.entities.creditCode);
  visitStrings("entities.name", c.entities.name, f);
  f(std::string("entities.industry"), c.entities.industry);
  f(std::string("entities.kind"), c.entities.kind);
  f(std::string("entities.colour"), c.entities.colour);
  f(std::string("entities.building"), c.entities.building);
  f(std::string("entities.grid"), c.entities.grid);
  visitPoints("entities.point", c.entities.point, f);
  f(std::string("facilities.id"), c.facilities.id);
  f(std::string("facilities.type"), c.facilities.type);
  f(std::string("facilities.owner"), c.facilities.owner);
  f(std::string("facilities.grid"), c.facilities.grid);
  visitPoints("facilities.point", c.facilities.point, f);
  f(std::string("facilities.headingDeg"), c.facilities.headingDeg);
  f(std::string("facilities.fovDeg"), c.facilities.fovDeg);
  f(std::string("facilities.mountHeightM"), c.facilities.mountHeightM);
  f(std::string("events.id"), c.events.id);
  f(std::string("events.category"), c.events.category);
  f(std::string("events.source"), c.events.source);
  f(std::string("events.reportedAt"), c.events.reportedAt);
  f(std::string("events.status"), c.events.status);
  f(std::string("events.level"), c.events.level);
  f(std::string("events.grid"), c.events.grid);
  visitPoints("events.point", c.events.point, f);
  visitStrings("layers.id", c.layers.id, f);
  visitStrings("layers.name", c.layers.name, f);
  visitStrings("layers.category", c.layers.category, f);
  visitStrings("layers.geometryType", c.layers.geometryType, f);
  visitStrings("layers.table", c.layers.table, f);
  visitStrings("industries", c.industries, f);
  visitStrings("facilityTypeCodes", c.facilityTypeCodes, f);
  visitStrings("facilityTypeNames", c.facilityTypeNames, f);
  visitStrings("departments", c.departments, f);
  visitStrings("categoryCodes", c.categoryCodes, f);
  visitStrings("categoryNames", c.categoryNames, f);
  visitStrings("categoryGroups", c.categoryGroups, f);
}

}  // namespace gridtwin::model
