#include "pgstore/loader.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/workers.h"
#include "pgstore/binary_copy.h"
#include "pgstore/connection.h"
#include "pgstore/migrations.h"
#include "store/decode.h"

namespace gridtwin::pgstore {
namespace {

using core::ErrorCode;
using core::makeError;
using detail::Field;
using model::DistrictColumns;
using model::Owned;
using store::decode::enumValue;
using store::decode::startLines;
using store::decode::startPolygons;

#define GT_TRY(expr)                      \
  do {                                    \
    auto gt_r_ = (expr);                  \
    if (!gt_r_) return gt_r_.takeError(); \
  } while (0)

#define GT_ASSIGN(var, expr)                  \
  auto var##_r_ = (expr);                     \
  if (!var##_r_) return var##_r_.takeError(); \
  auto var = *var##_r_

// One row of a scan: field 0 is the fid; col(i) is the i-th selected column.
class Row {
 public:
  Row(const std::string& place, const std::vector<std::string>& names, std::span<const Field> f)
      : m_place(place), m_names(names), m_f(f) {}
  std::int64_t fid() const { return m_f[0].int8(); }
  const Field& col(int i) const { return m_f[static_cast<std::size_t>(i) + 1]; }
  bool isNull(int i) const { return col(i).null(); }
  std::string where(int i) const {
    return m_place + ", fid " + std::to_string(fid()) + ", column " +
           (static_cast<std::size_t>(i) < m_names.size() ? m_names[static_cast<std::size_t>(i)]
                                                         : "?");
  }
  core::Error fail(int i, ErrorCode code, const std::string& message) const {
    return makeError(code, message, where(i));
  }
  std::string_view text(int i) const { return col(i).text(); }
  core::Result<std::string_view> requiredText(int i) const {
    if (isNull(i)) return fail(i, ErrorCode::kStore, "NULL where a value is required");
    return text(i);
  }
  core::Result<std::int64_t> integer(int i) const {
    if (isNull(i)) return fail(i, ErrorCode::kStore, "NULL where a value is required");
    return col(i).int8();
  }
  std::int64_t integerOr(int i, std::int64_t ifNull) const {
    return isNull(i) ? ifNull : col(i).int8();
  }
  double realOr(int i, double ifNull) const { return isNull(i) ? ifNull : col(i).float8(); }
  // A point from two float8 columns (x at i, y at i+1); missing when NULL.
  core::Result<geo::Point> point(int i, bool nullable) const {
    const bool null = isNull(i) || isNull(i + 1);
    auto p = store::decode::checkPoint(
        null, null ? geo::Point{} : geo::Point{col(i).float8(), col(i + 1).float8()}, nullable);
    if (!p) return p.takeError().withContext(where(i));
    return p;
  }

 private:
  const std::string& m_place;
  const std::vector<std::string>& m_names;
  std::span<const Field> m_f;
};

// A selected column: its SQL (cast to the type the reader decodes) and its name.
struct Col {
  std::string sql;
  std::string name;
};
Col i8(const char* c) { return {std::string(c) + "::int8", c}; }
Col f8(const char* c) { return {std::string(c) + "::float8", c}; }
Col tx(const char* c) { return {std::string(c) + "::text", c}; }
Col wkb() { return {"ST_AsBinary(geom)", "geom"}; }
Col gx() { return {"ST_X(geom)", "geom"}; }
Col gy() { return {"ST_Y(geom)", "geom"}; }

class Loader {
 public:
  Loader(std::string url, unsigned threads) : m_url(std::move(url)), m_threads(threads) {}

  core::Result<model::District> run() {
    auto conn = Connection::open(m_url);
    if (!conn) return conn.takeError();
    m_place = conn->place();
    auto version = schemaVersion(*conn);
    if (!version) return version.takeError();
    if (*version < latestSchemaVersion()) {
      return makeError(ErrorCode::kStore,
                       *version == 0 ? std::string("no gridtwin schema (run gridtwin ingest first)")
                                     : "schema version " + std::to_string(*version) +
                                           ", expected " + std::to_string(latestSchemaVersion()),
                       m_place);
    }
    GT_TRY(conn->execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "starting the load"));
    auto snap = conn->query("SELECT pg_export_snapshot()", {}, "exporting the snapshot");
    if (!snap) return snap.takeError();
    m_snapshot = std::string(snap->text(0, 0));
    if (m_snapshot.empty() ||
        m_snapshot.find_first_not_of("0123456789ABCDEFabcdef-") != std::string::npos)
      return makeError(ErrorCode::kStore, "unexpected snapshot id from the server", m_place);
    GT_TRY(readStreets(*conn));
    GT_TRY(readCommunities(*conn));
    GT_TRY(readGrids(*conn));
    GT_TRY(readInParallel(*conn));
    (void)conn->execute("COMMIT");
    GT_TRY(store::decode::resolveLinks(m_c, m_keys, m_place));
    return model::District::build(std::move(m_c), m_threads);
  }

 private:
  core::Result<void> scan(Connection& c, const char* table, const std::vector<Col>& cols,
                          const std::function<core::Result<void>(const Row&)>& body) {
    std::string sql = "COPY (SELECT fid::int8";
    std::vector<std::string> names;
    for (const auto& col : cols) {
      sql += ", " + col.sql;
      names.push_back(col.name);
    }
    sql += std::string(" FROM gridtwin.") + table + " ORDER BY fid) TO STDOUT (FORMAT binary)";
    const std::string place = m_place + ": table " + table;
    detail::BinaryCopyReader reader([&](std::span<const Field> f) -> core::Result<void> {
      if (f.size() != cols.size() + 1 || f[0].null())
        return makeError(ErrorCode::kStore, "unexpected row shape", place);
      return body(Row(place, names, f));
    });
    return c.copyOut(
        sql, [&](std::span<const char> chunk) { return reader.feed(chunk); },
        std::string("reading ") + table);
  }

  core::Result<void> readStreets(Connection& c) {
    auto& s = m_c.streets;
    startPolygons(s.shape);
    GT_TRY(scan(c, "streets", {tx("code"), tx("name"), wkb()},
                [&](const Row& r) -> core::Result<void> {
                  GT_ASSIGN(code, r.requiredText(0));
                  GT_ASSIGN(name, r.requiredText(1));
                  s.code.append(code);
                  s.name.append(name);
                  if (auto g = store::decode::appendPolygons(r.col(2).bytes(), s.shape); !g)
                    return g.takeError().withContext(r.where(2));
                  return {};
                }));
    return store::decode::buildUnique(m_streetIndex, s.code, "street", m_place + ": table streets");
  }

  core::Result<void> readCommunities(Connection& c) {
    auto& t = m_c.communities;
    startPolygons(t.shape);
    GT_TRY(scan(c, "communities", {tx("code"), tx("name"), tx("street_code"), wkb()},
                [&](const Row& r) -> core::Result<void> {
                  GT_ASSIGN(code, r.requiredText(0));
                  GT_ASSIGN(name, r.requiredText(1));
                  GT_ASSIGN(si, store::decode::codeValue(r, 2, m_streetIndex, "street"));
                  t.code.append(code);
                  t.name.append(name);
                  t.street.push_back(si);
                  if (auto g = store::decode::appendPolygons(r.col(3).bytes(), t.shape); !g)
                    return g.takeError().withContext(r.where(3));
                  return {};
                }));
    return store::decode::buildUnique(m_communityIndex, t.code, "community",
                                      m_place + ": table communities");
  }

  core::Result<void> readGrids(Connection& c) {
    auto& g = m_c.grids;
    startPolygons(g.shape);
    GT_TRY(scan(
        c, "grids", {tx("code"), tx("name"), tx("community_code"), tx("street_code"), wkb()},
        [&](const Row& r) -> core::Result<void> {
          GT_ASSIGN(code, r.requiredText(0));
          GT_ASSIGN(name, r.requiredText(1));
          GT_ASSIGN(ci, store::decode::codeValue(r, 2, m_communityIndex, "community"));
          const std::string_view community = r.text(2);
          const std::string_view street = r.text(3);
          const std::string_view expected = m_c.streets.code[m_c.communities.street[ci]];
          if (!r.isNull(3) && street != expected) {
            return r.fail(3, ErrorCode::kStore,
                          "street " + std::string(street) + " is not the street " +
                              std::string(expected) + " of community " + std::string(community));
          }
          g.code.append(code);
          g.name.append(name);
          g.community.push_back(ci);
          if (auto geom = store::decode::appendPolygons(r.col(4).bytes(), g.shape); !geom)
            return geom.takeError().withContext(r.where(4));
          return {};
        }));
    return store::decode::buildUnique(m_gridIndex, g.code, "grid", m_place + ": table grids");
  }

  core::Result<std::uint32_t> grid(const Row& r, int col) const {
    return store::decode::codeValue(r, col, m_gridIndex, "grid");
  }

  core::Result<void> readRoads(Connection& c) {
    auto& t = m_c.roads;
    startLines(t.line);
    return scan(
        c, "roads",
        {i8("road_id"), tx("name"), tx("class"), f8("width_m"), tx("community_code"), wkb()},
        [&](const Row& r) -> core::Result<void> {
          GT_ASSIGN(id, r.integer(0));
          GT_ASSIGN(name, r.requiredText(1));
          GT_ASSIGN(cls, enumValue(r, 2, &model::parseRoadClass));
          const double width = r.realOr(3, std::numeric_limits<double>::quiet_NaN());
          std::int32_t community = model::kNone;
          if (!r.isNull(4)) {
            std::uint32_t ci = 0;
            if (!m_communityIndex.find(r.text(4), ci))
              return r.fail(4, ErrorCode::kStore,
                            "no community with code " + std::string(r.text(4)));
            community = static_cast<std::int32_t>(ci);
          }
          t.id.push_back(id);
          t.name.append(name);
          t.roadClass.push_back(cls);
          t.widthM.push_back(static_cast<float>(width));
          t.community.push_back(community);
          if (auto g = store::decode::appendLines(r.col(5).bytes(), t.line); !g)
            return g.takeError().withContext(r.where(5));
          return {};
        });
  }

  core::Result<void> readBuildings(Connection& c) {
    auto& t = m_c.buildings;
    startPolygons(t.footprint);
    return scan(c, "buildings",
                {i8("building_id"), tx("address_code"), tx("use"), i8("floors"), f8("height_m"),
                 tx("grid_code"), wkb()},
                [&](const Row& r) -> core::Result<void> {
                  GT_ASSIGN(id, r.integer(0));
                  GT_ASSIGN(use, enumValue(r, 2, &model::parseBuildingUse));
                  const std::int64_t floors = r.integerOr(3, 0);
                  const double height = r.realOr(4, std::numeric_limits<double>::quiet_NaN());
                  GT_ASSIGN(gi, grid(r, 5));
                  if (floors < 0 || floors > 1000)
                    return r.fail(3, ErrorCode::kStore,
                                  "floors out of range: " + std::to_string(floors));
                  t.id.push_back(id);
                  t.address.push_back(model::kNone);
                  t.use.push_back(use);
                  t.floors.push_back(static_cast<std::uint16_t>(floors));
                  t.heightM.push_back(static_cast<float>(height));
                  t.grid.push_back(gi);
                  m_keys.buildings.fid.push_back(r.fid());
                  m_keys.buildings.code.append(r.text(1));
                  if (auto g = store::decode::appendPolygons(r.col(6).bytes(), t.footprint); !g)
                    return g.takeError().withContext(r.where(6));
                  return {};
                });
  }

  core::Result<void> readAddresses(Connection& c) {
    auto& t = m_c.addresses;
    return scan(c, "addresses",
                {tx("address_code"), tx("level"), i8("building_id"), i8("house_id"),
                 tx("full_text"), tx("grid_code"), gx(), gy()},
                [&](const Row& r) -> core::Result<void> {
                  GT_ASSIGN(code, r.requiredText(0));
                  GT_ASSIGN(level, enumValue(r, 1, &model::parseAddressLevel));
                  GT_ASSIGN(building, r.integer(2));
                  const std::int64_t house =
                      r.integerOr(3, std::numeric_limits<std::int64_t>::min());
                  GT_ASSIGN(gi, grid(r, 5));
                  GT_ASSIGN(p, r.point(6, false));
                  t.code.append(code);
                  t.level.push_back(level);
                  t.building.push_back(0);
                  t.house.push_back(model::kNone);
                  t.grid.push_back(gi);
                  t.point.lonlat.push_back(p);
                  t.fullText.append(r.text(4));
                  m_keys.addresses.fid.push_back(r.fid());
                  m_keys.addresses.id1.push_back(building);
                  m_keys.addresses.id2.push_back(house);
                  return {};
                });
  }

  core::Result<void> readHouses(Connection& c) {
    auto& t = m_c.houses;
    return scan(
        c, "houses",
        {i8("house_id"), tx("address_code"), i8("building_id"), i8("unit"), i8("floor"), tx("room"),
         f8("area_m2"), tx("grid_code")},
        [&](const Row& r) -> core::Result<void> {
          GT_ASSIGN(id, r.integer(0));
          GT_ASSIGN(building, r.integer(2));
          const std::int64_t unit = r.integerOr(3, 0);
          const std::int64_t floor = r.integerOr(4, 0);
          const double area = r.realOr(6, std::numeric_limits<double>::quiet_NaN());
          GT_ASSIGN(gi, grid(r, 7));
          if (unit < 0 || unit > 65535)
            return r.fail(3, ErrorCode::kStore, "unit out of range: " + std::to_string(unit));
          if (floor < -32768 || floor > 32767)
            return r.fail(4, ErrorCode::kStore, "floor out of range: " + std::to_string(floor));
          t.id.push_back(id);
          t.address.push_back(model::kNone);
          t.building.push_back(0);
          t.unit.push_back(static_cast<std::uint16_t>(unit));
          t.floor.push_back(static_cast<std::int16_t>(floor));
          t.room.append(r.text(5));
          t.areaM2.push_back(static_cast<float>(area));
          t.grid.push_back(gi);
          m_keys.houses.fid.push_back(r.fid());
          m_keys.houses.id1.push_back(building);
          m_keys.houses.code.append(r.text(1));
          return {};
        });
  }

  core::Result<void> readPeople(Connection& c) {
    auto& t = m_c.people;
    return scan(c, "people",
                {i8("person_id"), tx("id_number"), tx("name"), tx("sex"), tx("birth_date"),
                 tx("phone"), tx("tags"), i8("house_id"), tx("grid_code")},
                [&](const Row& r) -> core::Result<void> {
                  GT_ASSIGN(id, r.integer(0));
                  GT_ASSIGN(idNumber, r.requiredText(1));
                  if (idNumber.size() != model::kIdNumberSize)
                    return r.fail(1, ErrorCode::kStore, "ID number must have 18 characters");
                  GT_ASSIGN(name, r.requiredText(2));
                  GT_ASSIGN(sex, enumValue(r, 3, &model::parseSex));
                  GT_ASSIGN(days, store::decode::dateValue(r, 4));
                  GT_ASSIGN(tags, store::decode::tagsValue(r, 6));
                  GT_ASSIGN(house, r.integer(7));
                  GT_ASSIGN(gi, grid(r, 8));
                  t.id.push_back(id);
                  t.idNumber.insert(t.idNumber.end(), idNumber.begin(), idNumber.end());
                  t.name.append(name);
                  t.sex.push_back(sex);
                  t.birthDay.push_back(static_cast<std::int32_t>(days));
                  t.phone.append(r.text(5));
                  t.tags.push_back(tags);
                  t.house.push_back(0);
                  t.grid.push_back(gi);
                  m_keys.people.fid.push_back(r.fid());
                  m_keys.people.id1.push_back(house);
                  return {};
                });
  }

  core::Result<void> readEntities(Connection& c) {
    auto& t = m_c.entities;
    model::StringInterner industries(m_c.industries);
    return scan(c, "entities",
                {i8("entity_id"), tx("credit_code"), tx("name"), tx("industry"), tx("type"),
                 tx("credit_color"), i8("building_id"), tx("grid_code"), gx(), gy()},
                [&](const Row& r) -> core::Result<void> {
                  GT_ASSIGN(id, r.integer(0));
                  GT_ASSIGN(credit, r.requiredText(1));
                  if (credit.size() != model::kCreditCodeSize)
                    return r.fail(
                        1, ErrorCode::kStore,
                        "credit code must have 18 characters, got '" + std::string(credit) + "'");
                  GT_ASSIGN(name, r.requiredText(2));
                  GT_ASSIGN(industry, r.requiredText(3));
                  GT_ASSIGN(kind, enumValue(r, 4, &model::parseEntityKind));
                  GT_ASSIGN(colour, enumValue(r, 5, &model::parseCreditColour));
                  GT_ASSIGN(building, r.integer(6));
                  GT_ASSIGN(gi, grid(r, 7));
                  GT_ASSIGN(p, r.point(8, false));
                  const std::uint32_t ind = industries.intern(industry);
                  if (ind > 0xFFFF)
                    return r.fail(3, ErrorCode::kStore, "more than 65536 industries");
                  t.id.push_back(id);
                  t.creditCode.insert(t.creditCode.end(), credit.begin(), credit.end());
                  t.name.append(name);
                  t.industry.push_back(static_cast<std::uint16_t>(ind));
                  t.kind.push_back(kind);
                  t.colour.push_back(colour);
                  t.building.push_back(0);
                  t.grid.push_back(gi);
                  t.point.lonlat.push_back(p);
                  m_keys.entities.fid.push_back(r.fid());
                  m_keys.entities.id1.push_back(building);
                  return {};
                });
  }

  core::Result<void> readFacilities(Connection& c) {
    auto& t = m_c.facilities;
    std::unordered_map<std::string, std::uint16_t> types;
    model::StringInterner departments(m_c.departments);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    return scan(
        c, "facilities",
        {i8("facility_id"), tx("type"), tx("type_name"), tx("owner_department"), tx("grid_code"),
         f8("heading_deg"), f8("fov_deg"), f8("mount_height_m"), gx(), gy()},
        [&](const Row& r) -> core::Result<void> {
          GT_ASSIGN(id, r.integer(0));
          GT_ASSIGN(type, r.requiredText(1));
          auto it = types.find(std::string(type));
          if (it == types.end()) {
            if (types.size() > 0xFFFF)
              return r.fail(1, ErrorCode::kStore, "more than 65536 facility types");
            it = types.emplace(std::string(type), static_cast<std::uint16_t>(types.size())).first;
            m_c.facilityTypeCodes.append(type);
            m_c.facilityTypeNames.append(r.text(2));
          }
          std::int32_t owner = model::kNone;
          if (!r.isNull(3)) owner = static_cast<std::int32_t>(departments.intern(r.text(3)));
          GT_ASSIGN(gi, grid(r, 4));
          GT_ASSIGN(p, r.point(8, false));
          t.id.push_back(id);
          t.type.push_back(it->second);
          t.owner.push_back(owner);
          t.grid.push_back(gi);
          t.point.lonlat.push_back(p);
          t.headingDeg.push_back(static_cast<float>(r.realOr(5, nan)));
          t.fovDeg.push_back(static_cast<float>(r.realOr(6, nan)));
          t.mountHeightM.push_back(static_cast<float>(r.realOr(7, nan)));
          return {};
        });
  }

  core::Result<void> readEvents(Connection& c) {
    auto& t = m_c.events;
    std::unordered_map<std::string, std::uint16_t> categories;
    return scan(
        c, "events",
        {i8("event_id"), tx("category_code"), tx("category_name"), tx("category"), tx("source"),
         tx("reported_at"), tx("status"), tx("dispatch_level"), tx("grid_code"), gx(), gy()},
        [&](const Row& r) -> core::Result<void> {
          GT_ASSIGN(id, r.integer(0));
          GT_ASSIGN(category, r.requiredText(1));
          auto it = categories.find(std::string(category));
          if (it == categories.end()) {
            if (categories.size() > 0xFFFF)
              return r.fail(1, ErrorCode::kStore, "more than 65536 event categories");
            it = categories
                     .emplace(std::string(category), static_cast<std::uint16_t>(categories.size()))
                     .first;
            m_c.categoryCodes.append(category);
            m_c.categoryNames.append(r.text(2));
            m_c.categoryGroups.append(r.text(3));
          }
          GT_ASSIGN(source, enumValue(r, 4, &model::parseEventSource));
          GT_ASSIGN(seconds, store::decode::timeValue(r, 5));
          GT_ASSIGN(status, enumValue(r, 6, &model::parseEventStatus));
          GT_ASSIGN(level, enumValue(r, 7, &model::parseDispatchLevel));
          GT_ASSIGN(gi, grid(r, 8));
          GT_ASSIGN(p, r.point(9, true));
          t.id.push_back(id);
          t.category.push_back(it->second);
          t.source.push_back(source);
          t.reportedAt.push_back(seconds);
          t.status.push_back(status);
          t.level.push_back(level);
          t.grid.push_back(gi);
          t.point.lonlat.push_back(p);
          return {};
        });
  }

  core::Result<void> readLayers(Connection& c) {
    auto& t = m_c.layers;
    return scan(c, "layer_catalog",
                {tx("layer_id"), tx("name"), tx("category"), tx("geometry_type"), tx("table_name")},
                [&](const Row& r) -> core::Result<void> {
                  GT_ASSIGN(id, r.requiredText(0));
                  t.id.append(id);
                  t.name.append(r.text(1));
                  t.category.append(r.text(2));
                  t.geometryType.append(r.text(3));
                  t.table.append(r.text(4));
                  return {};
                });
  }

  // Each reader touches only its own columns and keys; every connection
  // reads the same exported snapshot.
  core::Result<void> readInParallel(Connection& first) {
    using Reader = core::Result<void> (Loader::*)(Connection&);
    const std::vector<Reader> readers = {
        &Loader::readEvents,    &Loader::readPeople,     &Loader::readAddresses,
        &Loader::readHouses,    &Loader::readFacilities, &Loader::readEntities,
        &Loader::readBuildings, &Loader::readRoads,      &Loader::readLayers};
    const unsigned threads = core::workerCount(m_threads, readers.size());
    std::vector<core::Result<void>> results(readers.size());
    core::TaskQueue queue(readers.size());
    auto work = [&](Connection* mine) {
      std::optional<Connection> own;
      core::Result<void> opened;
      if (!mine) {
        auto c = Connection::open(m_url);
        if (!c) {
          opened = c.takeError();
        } else {
          own.emplace(std::move(*c));
          opened =
              own->execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "starting the load");
          if (opened) {
            // SET TRANSACTION SNAPSHOT takes a literal only; the id came from
            // pg_export_snapshot() and is checked to be hex digits and dashes.
            opened = own->execute("SET TRANSACTION SNAPSHOT '" + m_snapshot + "'",
                                  "sharing the snapshot");
          }
          mine = &*own;
        }
      }
      for (std::size_t i; queue.take(i);) {
        results[i] = opened ? (this->*readers[i])(*mine) : opened;
        if (!results[i]) queue.stop();
      }
      if (own) (void)own->execute("COMMIT");
    };
    // Worker 0 (this thread) reads on the connection that exported the snapshot.
    core::runWorkers(threads, [&](unsigned w) { work(w == 0 ? &first : nullptr); });
    for (auto& r : results)
      if (!r) return r.takeError();
    return {};
  }

  std::string m_url;
  unsigned m_threads;
  std::string m_place;
  std::string m_snapshot;
  DistrictColumns<Owned> m_c;
  store::decode::CodeIndex m_streetIndex, m_communityIndex, m_gridIndex;
  store::decode::LinkKeys m_keys;
};

#undef GT_ASSIGN
#undef GT_TRY

}  // namespace

core::Result<model::District> loadPostgis(const std::string& url, const PgLoadOptions& options) {
  Loader loader(url, options.threads);
  return loader.run();
}

}  // namespace gridtwin::pgstore
