#include "store/table_reader.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <unordered_map>

#include "core/workers.h"

namespace gridtwin::store {
namespace {

using core::ErrorCode;
using decode::startLines;
using decode::startPolygons;
using model::Owned;

#define GT_TRY(expr)                      \
  do {                                    \
    auto gt_r_ = (expr);                  \
    if (!gt_r_) return gt_r_.takeError(); \
  } while (0)

#define GT_ASSIGN(var, expr)                  \
  auto var##_r_ = (expr);                     \
  if (!var##_r_) return var##_r_.takeError(); \
  auto var = *var##_r_

// ---- column values, with errors that name the place

// An enum column spelled as model's parse functions read it.
template <class E>
core::Result<E> enumValue(const Row& r, Column c, bool (*parse)(std::string_view, E&)) {
  auto text = r.requiredText(c);
  if (!text) return text.takeError();
  E v{};
  if (!parse(*text, v))
    return r.fail(c, ErrorCode::kStore, "unknown value '" + std::string(*text) + "'");
  return v;
}

// A required code column resolved through `index`: "no <what> with code X".
core::Result<std::uint32_t> codeValue(const Row& r, Column c, const decode::CodeIndex& index,
                                      std::string_view what) {
  auto code = r.requiredText(c);
  if (!code) return code.takeError();
  std::uint32_t i = 0;
  if (!index.find(*code, i))
    return r.fail(c, ErrorCode::kStore,
                  "no " + std::string(what) + " with code " + std::string(*code));
  return i;
}

// A required "YYYY-MM-DD" column → days since 1970-01-01.
core::Result<std::int64_t> dateValue(const Row& r, Column c) {
  auto text = r.requiredText(c);
  if (!text) return text.takeError();
  std::int64_t days = 0;
  if (!decode::parseDate(*text, days))
    return r.fail(c, ErrorCode::kParse,
                  "expected a date YYYY-MM-DD, got '" + std::string(*text) + "'");
  return days;
}

// A required time column (see decode::parseTime) → Unix seconds.
core::Result<std::int64_t> timeValue(const Row& r, Column c) {
  auto text = r.requiredText(c);
  if (!text) return text.takeError();
  std::int64_t seconds = 0;
  if (!decode::parseTime(*text, seconds))
    return r.fail(c, ErrorCode::kParse,
                  "expected a time YYYY-MM-DDTHH:MM:SS+hh:mm, got '" + std::string(*text) + "'");
  return seconds;
}

// A comma-separated person tag column (NULL or "" for none) → its bit set.
core::Result<std::uint32_t> tagsValue(const Row& r, Column c) {
  std::uint32_t tags = 0;
  if (std::string_view bad; !decode::parsePersonTags(r.text(c), tags, bad))
    return r.fail(c, ErrorCode::kStore, "unknown tag '" + std::string(bad) + "'");
  return tags;
}

core::Result<void> polygons(const Row& r, Column c, model::PolygonColumns<Owned>& out) {
  if (auto g = r.appendPolygons(c, out); !g) return g.takeError().withContext(r.place(c));
  return {};
}

core::Result<void> lines(const Row& r, Column c, model::LineColumns<Owned>& out) {
  if (auto g = r.appendLines(c, out); !g) return g.takeError().withContext(r.place(c));
  return {};
}

core::Result<geo::Point> point(const Row& r, Column c, bool nullable) {
  auto p = r.point(c, nullable);
  if (!p) return p.takeError().withContext(r.place(c));
  return p;
}

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

}  // namespace

const DatasetSchema& datasetSchema() {
  static const DatasetSchema schema;
  return schema;
}

core::Result<std::uint32_t> TableReader::grid(const Row& r, Column c) const {
  return codeValue(r, c, m_gridIndex, "grid");
}

core::Result<void> TableReader::readStreets(TableSource& src) {
  const auto& t = datasetSchema().streets;
  auto& s = m_c.streets;
  startPolygons(s.shape);
  GT_TRY(src.scan(t, [&](const Row& r) -> core::Result<void> {
    GT_ASSIGN(code, r.requiredText(t.code));
    GT_ASSIGN(name, r.requiredText(t.name));
    s.code.append(code);
    s.name.append(name);
    return polygons(r, t.shape, s.shape);
  }));
  return decode::buildUnique(m_streetIndex, s.code, "street", m_source + ": table streets");
}

core::Result<void> TableReader::readCommunities(TableSource& src) {
  const auto& t = datasetSchema().communities;
  auto& c = m_c.communities;
  startPolygons(c.shape);
  GT_TRY(src.scan(t, [&](const Row& r) -> core::Result<void> {
    GT_ASSIGN(code, r.requiredText(t.code));
    GT_ASSIGN(name, r.requiredText(t.name));
    GT_ASSIGN(si, codeValue(r, t.streetCode, m_streetIndex, "street"));
    c.code.append(code);
    c.name.append(name);
    c.street.push_back(si);
    return polygons(r, t.shape, c.shape);
  }));
  return decode::buildUnique(m_communityIndex, c.code, "community",
                             m_source + ": table communities");
}

core::Result<void> TableReader::readGrids(TableSource& src) {
  const auto& t = datasetSchema().grids;
  auto& g = m_c.grids;
  startPolygons(g.shape);
  GT_TRY(src.scan(t, [&](const Row& r) -> core::Result<void> {
    GT_ASSIGN(code, r.requiredText(t.code));
    GT_ASSIGN(name, r.requiredText(t.name));
    GT_ASSIGN(ci, codeValue(r, t.communityCode, m_communityIndex, "community"));
    const std::string_view community = r.text(t.communityCode);
    // The grid's street must be its community's street.
    const std::string_view street = r.text(t.streetCode);
    const std::string_view expected = m_c.streets.code[m_c.communities.street[ci]];
    if (!r.isNull(t.streetCode) && street != expected) {
      return r.fail(t.streetCode, ErrorCode::kStore,
                    "street " + std::string(street) + " is not the street " +
                        std::string(expected) + " of community " + std::string(community));
    }
    g.code.append(code);
    g.name.append(name);
    g.community.push_back(ci);
    return polygons(r, t.shape, g.shape);
  }));
  return decode::buildUnique(m_gridIndex, g.code, "grid", m_source + ": table grids");
}

core::Result<void> TableReader::readRoads(TableSource& src) {
  const auto& t = datasetSchema().roads;
  auto& roads = m_c.roads;
  startLines(roads.line);
  return src.scan(t, [&](const Row& r) -> core::Result<void> {
    GT_ASSIGN(id, r.integer(t.id));
    GT_ASSIGN(name, r.requiredText(t.name));
    GT_ASSIGN(cls, enumValue(r, t.roadClass, &model::parseRoadClass));
    GT_ASSIGN(width, r.realOr(t.widthM, kNan));
    std::int32_t community = model::kNone;
    if (!r.isNull(t.communityCode)) {
      std::uint32_t ci = 0;
      if (!m_communityIndex.find(r.text(t.communityCode), ci)) {
        return r.fail(t.communityCode, ErrorCode::kStore,
                      "no community with code " + std::string(r.text(t.communityCode)));
      }
      community = static_cast<std::int32_t>(ci);
    }
    roads.id.push_back(id);
    roads.name.append(name);
    roads.roadClass.push_back(cls);
    roads.widthM.push_back(static_cast<float>(width));
    roads.community.push_back(community);
    return lines(r, t.line, roads.line);
  });
}

core::Result<void> TableReader::readBuildings(TableSource& src) {
  const auto& t = datasetSchema().buildings;
  auto& b = m_c.buildings;
  startPolygons(b.footprint);
  return src.scan(t, [&](const Row& r) -> core::Result<void> {
    GT_ASSIGN(id, r.integer(t.id));
    GT_ASSIGN(use, enumValue(r, t.use, &model::parseBuildingUse));
    GT_ASSIGN(floors, r.integerOr(t.floors, 0));
    GT_ASSIGN(height, r.realOr(t.heightM, kNan));
    GT_ASSIGN(gi, grid(r, t.gridCode));
    if (floors < 0 || floors > 1000)
      return r.fail(t.floors, ErrorCode::kStore, "floors out of range: " + std::to_string(floors));
    b.id.push_back(id);
    b.address.push_back(model::kNone);  // resolved later from the code
    b.use.push_back(use);
    b.floors.push_back(static_cast<std::uint16_t>(floors));
    b.heightM.push_back(static_cast<float>(height));
    b.grid.push_back(gi);
    m_keys.buildings.fid.push_back(r.fid());
    m_keys.buildings.code.append(r.text(t.addressCode));
    return polygons(r, t.footprint, b.footprint);
  });
}

core::Result<void> TableReader::readAddresses(TableSource& src) {
  const auto& t = datasetSchema().addresses;
  auto& a = m_c.addresses;
  return src.scan(t, [&](const Row& r) -> core::Result<void> {
    GT_ASSIGN(code, r.requiredText(t.code));
    GT_ASSIGN(level, enumValue(r, t.level, &model::parseAddressLevel));
    GT_ASSIGN(building, r.integer(t.buildingId));
    GT_ASSIGN(house, r.integerOr(t.houseId, std::numeric_limits<std::int64_t>::min()));
    GT_ASSIGN(gi, grid(r, t.gridCode));
    GT_ASSIGN(p, point(r, t.point, false));
    a.code.append(code);
    a.level.push_back(level);
    a.building.push_back(0);
    a.house.push_back(model::kNone);
    a.grid.push_back(gi);
    a.point.lonlat.push_back(p);
    a.fullText.append(r.text(t.fullText));
    m_keys.addresses.fid.push_back(r.fid());
    m_keys.addresses.id1.push_back(building);
    m_keys.addresses.id2.push_back(house);
    return {};
  });
}

core::Result<void> TableReader::readHouses(TableSource& src) {
  const auto& t = datasetSchema().houses;
  auto& h = m_c.houses;
  return src.scan(t, [&](const Row& r) -> core::Result<void> {
    GT_ASSIGN(id, r.integer(t.id));
    GT_ASSIGN(building, r.integer(t.buildingId));
    GT_ASSIGN(unit, r.integerOr(t.unit, 0));
    GT_ASSIGN(floor, r.integerOr(t.floor, 0));
    GT_ASSIGN(area, r.realOr(t.areaM2, kNan));
    GT_ASSIGN(gi, grid(r, t.gridCode));
    if (unit < 0 || unit > 65535)
      return r.fail(t.unit, ErrorCode::kStore, "unit out of range: " + std::to_string(unit));
    if (floor < -32768 || floor > 32767)
      return r.fail(t.floor, ErrorCode::kStore, "floor out of range: " + std::to_string(floor));
    h.id.push_back(id);
    h.address.push_back(model::kNone);
    h.building.push_back(0);
    h.unit.push_back(static_cast<std::uint16_t>(unit));
    h.floor.push_back(static_cast<std::int16_t>(floor));
    h.room.append(r.text(t.room));
    h.areaM2.push_back(static_cast<float>(area));
    h.grid.push_back(gi);
    m_keys.houses.fid.push_back(r.fid());
    m_keys.houses.id1.push_back(building);
    m_keys.houses.code.append(r.text(t.addressCode));
    return {};
  });
}

core::Result<void> TableReader::readPeople(TableSource& src) {
  const auto& t = datasetSchema().people;
  auto& p = m_c.people;
  return src.scan(t, [&](const Row& r) -> core::Result<void> {
    GT_ASSIGN(id, r.integer(t.id));
    GT_ASSIGN(idNumber, r.requiredText(t.idNumber));
    if (idNumber.size() != model::kIdNumberSize) {
      return r.fail(t.idNumber, ErrorCode::kStore,
                    "ID number must have 18 characters, got '" + std::string(idNumber) + "'");
    }
    GT_ASSIGN(name, r.requiredText(t.name));
    GT_ASSIGN(sex, enumValue(r, t.sex, &model::parseSex));
    GT_ASSIGN(days, dateValue(r, t.birthDate));
    GT_ASSIGN(tags, tagsValue(r, t.tags));
    GT_ASSIGN(house, r.integer(t.houseId));
    GT_ASSIGN(gi, grid(r, t.gridCode));
    p.id.push_back(id);
    p.idNumber.insert(p.idNumber.end(), idNumber.begin(), idNumber.end());
    p.name.append(name);
    p.sex.push_back(sex);
    p.birthDay.push_back(static_cast<std::int32_t>(days));
    p.phone.append(r.text(t.phone));
    p.tags.push_back(tags);
    p.house.push_back(0);
    p.grid.push_back(gi);
    m_keys.people.fid.push_back(r.fid());
    m_keys.people.id1.push_back(house);
    return {};
  });
}

core::Result<void> TableReader::readEntities(TableSource& src) {
  const auto& t = datasetSchema().entities;
  auto& e = m_c.entities;
  model::StringInterner industries(m_c.industries);
  return src.scan(t, [&](const Row& r) -> core::Result<void> {
    GT_ASSIGN(id, r.integer(t.id));
    GT_ASSIGN(credit, r.requiredText(t.creditCode));
    if (credit.size() != model::kCreditCodeSize) {
      return r.fail(t.creditCode, ErrorCode::kStore,
                    "credit code must have 18 characters, got '" + std::string(credit) + "'");
    }
    GT_ASSIGN(name, r.requiredText(t.name));
    GT_ASSIGN(industry, r.requiredText(t.industry));
    GT_ASSIGN(kind, enumValue(r, t.kind, &model::parseEntityKind));
    GT_ASSIGN(colour, enumValue(r, t.colour, &model::parseCreditColour));
    GT_ASSIGN(building, r.integer(t.buildingId));
    GT_ASSIGN(gi, grid(r, t.gridCode));
    GT_ASSIGN(p, point(r, t.point, false));
    const std::uint32_t ind = industries.intern(industry);
    if (ind > 0xFFFF) return r.fail(t.industry, ErrorCode::kStore, "more than 65536 industries");
    e.id.push_back(id);
    e.creditCode.insert(e.creditCode.end(), credit.begin(), credit.end());
    e.name.append(name);
    e.industry.push_back(static_cast<std::uint16_t>(ind));
    e.kind.push_back(kind);
    e.colour.push_back(colour);
    e.building.push_back(0);
    e.grid.push_back(gi);
    e.point.lonlat.push_back(p);
    m_keys.entities.fid.push_back(r.fid());
    m_keys.entities.id1.push_back(building);
    return {};
  });
}

core::Result<void> TableReader::readFacilities(TableSource& src) {
  const auto& t = datasetSchema().facilities;
  auto& f = m_c.facilities;
  std::unordered_map<std::string, std::uint16_t> types;
  model::StringInterner departments(m_c.departments);
  return src.scan(t, [&](const Row& r) -> core::Result<void> {
    GT_ASSIGN(id, r.integer(t.id));
    GT_ASSIGN(type, r.requiredText(t.type));
    auto it = types.find(std::string(type));
    if (it == types.end()) {
      if (types.size() > 0xFFFF)
        return r.fail(t.type, ErrorCode::kStore, "more than 65536 facility types");
      it = types.emplace(std::string(type), static_cast<std::uint16_t>(types.size())).first;
      m_c.facilityTypeCodes.append(type);
      m_c.facilityTypeNames.append(r.text(t.typeName));
    }
    std::int32_t owner = model::kNone;
    if (!r.isNull(t.owner)) owner = static_cast<std::int32_t>(departments.intern(r.text(t.owner)));
    GT_ASSIGN(gi, grid(r, t.gridCode));
    GT_ASSIGN(heading, r.realOr(t.headingDeg, kNan));
    GT_ASSIGN(fov, r.realOr(t.fovDeg, kNan));
    GT_ASSIGN(mount, r.realOr(t.mountHeightM, kNan));
    GT_ASSIGN(p, point(r, t.point, false));
    f.id.push_back(id);
    f.type.push_back(it->second);
    f.owner.push_back(owner);
    f.grid.push_back(gi);
    f.point.lonlat.push_back(p);
    f.headingDeg.push_back(static_cast<float>(heading));
    f.fovDeg.push_back(static_cast<float>(fov));
    f.mountHeightM.push_back(static_cast<float>(mount));
    return {};
  });
}

core::Result<void> TableReader::readEvents(TableSource& src) {
  const auto& t = datasetSchema().events;
  auto& e = m_c.events;
  std::unordered_map<std::string, std::uint16_t> categories;
  return src.scan(t, [&](const Row& r) -> core::Result<void> {
    GT_ASSIGN(id, r.integer(t.id));
    GT_ASSIGN(category, r.requiredText(t.categoryCode));
    auto it = categories.find(std::string(category));
    if (it == categories.end()) {
      if (categories.size() > 0xFFFF)
        return r.fail(t.categoryCode, ErrorCode::kStore, "more than 65536 event categories");
      it = categories.emplace(std::string(category), static_cast<std::uint16_t>(categories.size()))
               .first;
      m_c.categoryCodes.append(category);
      m_c.categoryNames.append(r.text(t.categoryName));
      m_c.categoryGroups.append(r.text(t.categoryGroup));
    }
    GT_ASSIGN(source, enumValue(r, t.source, &model::parseEventSource));
    GT_ASSIGN(seconds, timeValue(r, t.reportedAt));
    GT_ASSIGN(status, enumValue(r, t.status, &model::parseEventStatus));
    GT_ASSIGN(level, enumValue(r, t.level, &model::parseDispatchLevel));
    GT_ASSIGN(gi, grid(r, t.gridCode));
    GT_ASSIGN(p, point(r, t.point, true));
    e.id.push_back(id);
    e.category.push_back(it->second);
    e.source.push_back(source);
    e.reportedAt.push_back(seconds);
    e.status.push_back(status);
    e.level.push_back(level);
    e.grid.push_back(gi);
    e.point.lonlat.push_back(p);
    return {};
  });
}

core::Result<void> TableReader::readLayers(TableSource& src) {
  const auto& t = datasetSchema().layers;
  auto& l = m_c.layers;
  return src.scan(t, [&](const Row& r) -> core::Result<void> {
    GT_ASSIGN(id, r.requiredText(t.id));
    l.id.append(id);
    l.name.append(r.text(t.name));
    l.category.append(r.text(t.category));
    l.geometryType.append(r.text(t.geometryType));
    l.table.append(r.text(t.tableName));
    return {};
  });
}

core::Result<void> TableReader::read(
    TableSource& first, const std::function<core::Result<std::unique_ptr<TableSource>>()>& another,
    unsigned threads) {
  // Admin levels first, serially: every other table resolves its codes
  // against them.
  GT_TRY(readStreets(first));
  GT_TRY(readCommunities(first));
  GT_TRY(readGrids(first));

  // Each table's reader touches only its own columns and keys (and the
  // lookup tables it alone fills), and reads the admin indexes: so the
  // tables can be read on separate threads, each with its own source.
  using Reader = core::Result<void> (TableReader::*)(TableSource&);
  // Biggest first, so that the last one to finish is a small one.
  const std::vector<Reader> readers = {
      &TableReader::readEvents,    &TableReader::readPeople,     &TableReader::readAddresses,
      &TableReader::readHouses,    &TableReader::readFacilities, &TableReader::readEntities,
      &TableReader::readBuildings, &TableReader::readRoads,      &TableReader::readLayers};
  const unsigned workers = core::workerCount(threads, readers.size());
  std::vector<core::Result<void>> results(readers.size());
  core::TaskQueue queue(readers.size());
  // Worker 0 reads with `first`; the others open a source of their own.
  core::runWorkers(workers, [&](unsigned w) {
    std::unique_ptr<TableSource> own;
    TableSource* mine = &first;
    core::Result<void> opened;
    if (w != 0) {
      auto s = another();
      if (!s) {
        opened = s.takeError();
      } else {
        own = std::move(*s);
        mine = own.get();
      }
    }
    for (std::size_t i; queue.take(i);) {
      results[i] = opened ? (this->*readers[i])(*mine) : opened;
      if (!results[i]) queue.stop();
    }
  });
  for (auto& r : results) {
    if (!r) return r.takeError();
  }
  return {};
}

core::Result<model::District> TableReader::finish(unsigned threads) {
  GT_TRY(decode::resolveLinks(m_c, m_keys, m_source));
  return model::District::build(std::move(m_c), threads);
}

#undef GT_ASSIGN
#undef GT_TRY

}  // namespace gridtwin::store
