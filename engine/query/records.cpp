#include "query/records.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <ostream>

#include "core/csv.h"
#include "core/json.h"
#include "geo/algorithms.h"
#include "ident/masking.h"
#include "query/detail/calendar.h"
#include "store/gpkg_writer.h"

namespace gridtwin::query {
namespace {

using model::Kind;

constexpr std::array<std::string_view, 7> kBuildingFields = {
    "use", "floors", "height_m", "address", "houses", "addresses", "entities"};
constexpr std::array<std::string_view, 5> kAddressFields = {"code", "level", "full_text",
                                                            "building_id", "house_id"};
constexpr std::array<std::string_view, 8> kHouseFields = {
    "building_id", "unit", "floor", "room", "area_m2", "address", "residents", "address_code"};
constexpr std::array<std::string_view, 8> kPersonFields = {"name",  "sex",  "age",      "id_number",
                                                           "phone", "tags", "house_id", "address"};
constexpr std::array<std::string_view, 6> kEntityFields = {
    "name", "credit_code", "kind", "industry", "credit_colour", "building_id"};
constexpr std::array<std::string_view, 4> kFacilityFields = {"type", "type_name", "owner",
                                                             "ownerless"};
constexpr std::array<std::string_view, 9> kEventFields = {
    "category", "category_name", "category_group", "source", "reported_at",
    "status",   "level",         "station_head",   "live"};

std::string number(double v, int decimals) {
  if (!std::isfinite(v)) return {};
  std::string out;
  core::appendJsonNumber(out, v, decimals);
  return out;
}

geo::Point lonlatCentroid(const model::District& d, std::uint32_t b) {
  const auto& f = d.buildings().footprint;
  const std::uint32_t part = f.partStart[b];
  if (part >= f.partStart[b + 1]) return model::missingPoint();
  const std::uint32_t ring = f.ringStart[part];
  geo::Polygon p;
  p.outer.assign(f.lonlat.begin() + f.pointStart[ring], f.lonlat.begin() + f.pointStart[ring + 1]);
  return geo::centroid(p);
}

geo::Point houseLonlat(const model::District& d, std::uint32_t h) {
  const std::int32_t a = d.houses().address[h];
  return a >= 0 ? d.addresses().point.lonlat[static_cast<std::size_t>(a)]
                : lonlatCentroid(d, d.houses().building[h]);
}

std::string addressText(const model::District& d, std::int32_t a) {
  return a >= 0 ? std::string(d.addresses().fullText[static_cast<std::size_t>(a)]) : std::string();
}

std::string tagList(std::uint32_t tags) {
  std::string out;
  for (std::size_t t = 0; t < model::kPersonTagCount; ++t) {
    if ((tags >> t) & 1u) {
      if (!out.empty()) out += ',';
      out += model::name(static_cast<model::PersonTag>(t));
    }
  }
  return out;
}

}  // namespace

std::span<const std::string_view> fieldNames(Kind kind) {
  switch (kind) {
    case Kind::kBuilding:
      return kBuildingFields;
    case Kind::kAddress:
      return kAddressFields;
    case Kind::kHouse:
      return kHouseFields;
    case Kind::kPerson:
      return kPersonFields;
    case Kind::kEntity:
      return kEntityFields;
    case Kind::kFacility:
      return kFacilityFields;
    case Kind::kEvent:
      return kEventFields;
    default:
      return {};
  }
}

std::string shownName(const Disclosure& d, std::string_view name) {
  return d.personName ? std::string(name) : ident::maskName(name);
}
std::string shownPhone(const Disclosure& d, std::string_view phone) {
  if (phone.empty()) return {};
  return d.personPhone ? std::string(phone) : ident::maskPhone(phone);
}
std::string shownIdNumber(const Disclosure& d, std::string_view id) {
  return d.personIdNumber ? std::string(id) : ident::maskResidentId(id);
}

int shownAge(const Disclosure& d, std::int32_t birthDay, std::int64_t now) {
  const std::int64_t today = detail::localDay(now);
  return d.personIdNumber ? detail::ageInYears(birthDay, today)
                          : detail::ageInCalendarYear(birthDay, today);
}

void forEachRecord(const Twin& twin, const Access& access, const Selection& sel,
                   const std::function<void(const Record&)>& onRecord, std::int64_t now) {
  const model::District& d = twin.district();
  const auto& c = d.columns();
  const Disclosure disclosure = access.disclosure();
  Record r;
  auto start = [&](Kind kind, std::uint64_t row, std::int64_t id, std::uint32_t grid,
                   const geo::Point& lonlat) {
    r.kind = kind;
    r.live = false;
    r.row = row;
    r.id = id;
    r.grid = grid;
    r.lonlat = lonlat;
    r.values.clear();
  };
  auto headName = [&](std::uint32_t grid) {
    const std::int32_t h = twin.stationHeadOf(grid);
    return h < 0 ? std::string() : twin.staff()[static_cast<std::size_t>(h)].name;
  };
  for (std::uint32_t b : sel.of(Kind::kBuilding)) {
    start(Kind::kBuilding, b, c.buildings.id[b], c.buildings.grid[b], lonlatCentroid(d, b));
    r.values = {std::string(model::name(c.buildings.use[b])),
                std::to_string(c.buildings.floors[b]),
                number(c.buildings.heightM[b], 1),
                addressText(d, c.buildings.address[b]),
                std::to_string(twin.housesOfBuilding(b).size()),
                std::to_string(twin.addressesOfBuilding(b).size()),
                std::to_string(twin.entitiesOfBuilding(b).size())};
    onRecord(r);
  }
  for (std::uint32_t a : sel.of(Kind::kAddress)) {
    start(Kind::kAddress, a, static_cast<std::int64_t>(a), c.addresses.grid[a],
          c.addresses.point.lonlat[a]);
    const std::int32_t h = c.addresses.house[a];
    r.values = {std::string(c.addresses.code[a]), std::string(model::name(c.addresses.level[a])),
                std::string(c.addresses.fullText[a]),
                std::to_string(c.buildings.id[c.addresses.building[a]]),
                h >= 0 ? std::to_string(c.houses.id[static_cast<std::size_t>(h)]) : std::string()};
    onRecord(r);
  }
  for (std::uint32_t h : sel.of(Kind::kHouse)) {
    start(Kind::kHouse, h, c.houses.id[h], c.houses.grid[h], houseLonlat(d, h));
    const std::int32_t a = c.houses.address[h];
    r.values = {
        std::to_string(c.buildings.id[c.houses.building[h]]),
        std::to_string(c.houses.unit[h]),
        std::to_string(c.houses.floor[h]),
        std::string(c.houses.room[h]),
        number(c.houses.areaM2[h], 1),
        addressText(d, a),
        std::to_string(twin.peopleOfHouse(h).size()),
        a >= 0 ? std::string(c.addresses.code[static_cast<std::size_t>(a)]) : std::string()};
    onRecord(r);
  }
  for (std::uint32_t p : sel.of(Kind::kPerson)) {
    const std::uint32_t h = c.people.house[p];
    start(Kind::kPerson, p, c.people.id[p], c.people.grid[p], houseLonlat(d, h));
    r.values = {
        shownName(disclosure, c.people.name[p]),
        std::string(model::name(c.people.sex[p])),
        std::to_string(shownAge(disclosure, c.people.birthDay[p], now)),
        shownIdNumber(disclosure, model::fixedAt<model::kIdNumberSize>(c.people.idNumber, p)),
        shownPhone(disclosure, c.people.phone[p]),
        tagList(c.people.tags[p]),
        std::to_string(c.houses.id[h]),
        addressText(d, c.houses.address[h])};
    onRecord(r);
  }
  for (std::uint32_t e : sel.of(Kind::kEntity)) {
    start(Kind::kEntity, e, c.entities.id[e], c.entities.grid[e], c.entities.point.lonlat[e]);
    r.values = {std::string(c.entities.name[e]),
                std::string(model::fixedAt<model::kCreditCodeSize>(c.entities.creditCode, e)),
                std::string(model::name(c.entities.kind[e])),
                std::string(c.industries[c.entities.industry[e]]),
                std::string(model::name(c.entities.colour[e])),
                std::to_string(c.buildings.id[c.entities.building[e]])};
    onRecord(r);
  }
  for (std::uint32_t f : sel.of(Kind::kFacility)) {
    start(Kind::kFacility, f, c.facilities.id[f], c.facilities.grid[f],
          c.facilities.point.lonlat[f]);
    const std::int32_t owner = c.facilities.owner[f];
    r.values = {
        std::string(c.facilityTypeCodes[c.facilities.type[f]]),
        std::string(c.facilityTypeNames[c.facilities.type[f]]),
        owner >= 0 ? std::string(c.departments[static_cast<std::size_t>(owner)]) : std::string(),
        owner >= 0 ? "false" : "true"};
    onRecord(r);
  }
  auto eventValues = [&](std::uint16_t cat, model::EventSource src, std::int64_t at,
                         model::EventStatus st, model::DispatchLevel lv, std::uint32_t grid,
                         bool live) {
    r.values = {std::string(c.categoryCodes[cat]),
                std::string(c.categoryNames[cat]),
                std::string(c.categoryGroups[cat]),
                std::string(model::name(src)),
                formatTime(at),
                std::string(model::name(st)),
                std::string(model::name(lv)),
                headName(grid),
                live ? "true" : "false"};
  };
  for (std::uint32_t e : sel.of(Kind::kEvent)) {
    start(Kind::kEvent, e, c.events.id[e], c.events.grid[e], c.events.point.lonlat[e]);
    eventValues(c.events.category[e], c.events.source[e], c.events.reportedAt[e],
                c.events.status[e], c.events.level[e], c.events.grid[e], false);
    onRecord(r);
  }
  const EventLog& log = twin.liveEvents();
  for (std::uint64_t i : sel.live) {
    const LiveEvent& e = log[i];
    start(Kind::kEvent, i, e.id, e.grid, e.lonlat);
    r.live = true;
    eventValues(e.category, e.source, e.reportedAt, e.status, e.level, e.grid, true);
    onRecord(r);
  }
}

core::Result<void> writeRecordsGpkg(const Twin& twin, const Access& access,
                                    const Selection& selection, const KindSet& kinds,
                                    const std::string& path, const std::string& description,
                                    std::int64_t now) {
  auto w = store::GpkgWriter::create(path);
  if (!w) return w.error();
  std::optional<model::Kind> current;
  core::Result<void> status;
  auto startTable = [&](model::Kind kind) -> core::Result<void> {
    store::TableSpec spec;
    spec.name = std::string(model::kindTable(kind));
    spec.geometry = store::GeometryType::kPoint;
    spec.fields = {{"id", store::FieldType::kInteger}, {"grid_code", store::FieldType::kText}};
    for (auto n : fieldNames(kind))
      spec.fields.push_back({std::string(n), store::FieldType::kText});
    spec.description = description;
    return w->addTable(spec);
  };
  forEachRecord(
      twin, access, selection,
      [&](const Record& r) {
        if (!status.ok()) return;
        if (current != r.kind) {
          current = r.kind;
          status = startTable(r.kind);
          if (!status.ok()) return;
        }
        w->setInt(0, r.id);
        w->setText(1, twin.district().grids().code[r.grid]);
        for (std::size_t i = 0; i < r.values.size(); ++i) {
          w->setText(static_cast<int>(i) + 2, r.values[i]);
        }
        if (std::isfinite(r.lonlat.x)) {
          w->setPoint(r.lonlat);
        } else {
          w->clearGeometry();
        }
        status = w->writeRow();
      },
      now);
  for (model::Kind k : kQueryKinds) {
    if (!status.ok()) break;
    if (kinds.has(k) && selection.count(k) == 0) status = startTable(k);
  }
  if (status.ok()) status = w->commit();
  return status;
}

namespace {

std::string shortest(double v) {
  if (!std::isfinite(v)) return {};
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

}  // namespace

void writeRecordsCsv(const Twin& twin, const Access& access, const Selection& selection,
                     const KindSet& kinds, std::ostream& out, std::int64_t now) {
  std::vector<std::string_view> header = {"kind", "id", "grid", "lon", "lat"};
  std::vector<std::pair<model::Kind, std::size_t>> offset;  // kind → first column
  for (model::Kind k : kQueryKinds) {
    if (!kinds.has(k)) continue;
    offset.emplace_back(k, header.size());
    for (auto n : fieldNames(k)) header.push_back(n);
  }
  for (std::size_t i = 0; i < header.size(); ++i) out << (i ? "," : "") << header[i];
  out << '\n';
  forEachRecord(
      twin, access, selection,
      [&](const Record& r) {
        std::vector<std::string> row(header.size());
        row[0] = std::string(model::kindTable(r.kind));
        row[1] = std::to_string(r.id);
        row[2] = std::string(twin.district().grids().code[r.grid]);
        row[3] = shortest(r.lonlat.x);
        row[4] = shortest(r.lonlat.y);
        std::size_t first = 0;
        for (const auto& [k, o] : offset) {
          if (k == r.kind) first = o;
        }
        for (std::size_t i = 0; i < r.values.size(); ++i) row[first + i] = r.values[i];
        for (std::size_t i = 0; i < row.size(); ++i)
          out << (i ? "," : "") << core::csvField(row[i]);
        out << '\n';
      },
      now);
}

}  // namespace gridtwin::query
