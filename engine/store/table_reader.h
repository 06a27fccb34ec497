#pragma once
// The one reader of a dataset's tables into the columnar model, shared by the
// GeoPackage loader (gpkg_reader.cpp: SQLite) and the PostGIS loader
// (pgstore/loader.cpp: binary COPY). A loader only fetches rows: what each
// column of each table means, how it is checked, and the error that names a
// bad value live here once, so both give the same district and the same
// messages ("<source>: table people, fid 17, column house_id: ...").
//
// The schema (DatasetSchema) names every column where it is declared, and
// the reader reads a column through that declaration (`r.integer(t.houseId)`),
// never through a bare position.
//
// Thread-safety: a TableSource belongs to one thread; TableReader::read runs
// the large tables on several threads, each on its own source.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "geo/types.h"
#include "model/columns.h"
#include "model/district.h"
#include "store/decode.h"

namespace gridtwin::store {

enum class ColumnType : unsigned char {
  kInteger,   // 64-bit integer
  kReal,      // double
  kText,      // text (dates and times are text too)
  kPolygons,  // the table's geometry: Polygon or MultiPolygon
  kLines,     // the table's geometry: LineString or MultiLineString
  kPoint,     // the table's geometry: Point (POINT EMPTY or NULL where nullable)
};

// A column of a table, by its position in the TableSpec that declared it.
struct Column {
  int index = -1;
};

struct ColumnSpec {
  std::string name;  // the schema's name (PostGIS; "geom" for the geometry)
  ColumnType type = ColumnType::kText;
  // Spellings tried in order in a GeoPackage (older datasets); empty: `name`.
  std::vector<std::string> spellings;
  bool optional = false;  // may be absent from a GeoPackage (read as NULL)
  bool isGeometry() const { return type >= ColumnType::kPolygons; }
};

// One table: its name and the columns the reader wants, in declaration order.
class TableSpec {
 public:
  explicit TableSpec(std::string table) : m_table(std::move(table)) {}
  TableSpec(const TableSpec&) = delete;  // Columns point into this one
  TableSpec& operator=(const TableSpec&) = delete;

  const std::string& table() const { return m_table; }
  const std::vector<ColumnSpec>& columns() const { return m_columns; }
  const ColumnSpec& column(Column c) const { return m_columns[static_cast<std::size_t>(c.index)]; }

 protected:
  Column add(ColumnSpec spec) {
    m_columns.push_back(std::move(spec));
    return Column{static_cast<int>(m_columns.size()) - 1};
  }
  Column integer(std::string name) { return add({std::move(name), ColumnType::kInteger, {}}); }
  Column real(std::string name) { return add({std::move(name), ColumnType::kReal, {}}); }
  Column text(std::string name) { return add({std::move(name), ColumnType::kText, {}}); }
  Column geometry(ColumnType type) { return add({"geom", type, {}}); }

 private:
  std::string m_table;
  std::vector<ColumnSpec> m_columns;
};

// The tables of a gridtwin dataset and the columns the reader takes from
// each (the generator's schema, data/generator; PostGIS: pgstore/sql).
struct DatasetSchema {
  struct Streets : TableSpec {
    Streets() : TableSpec("streets") {}
    Column code = text("code"), name = text("name");
    Column shape = geometry(ColumnType::kPolygons);
  } streets;
  struct Communities : TableSpec {
    Communities() : TableSpec("communities") {}
    Column code = text("code"), name = text("name"), streetCode = text("street_code");
    Column shape = geometry(ColumnType::kPolygons);
  } communities;
  struct Grids : TableSpec {
    Grids() : TableSpec("grids") {}
    Column code = text("code"), name = text("name"), communityCode = text("community_code"),
           streetCode = text("street_code");
    Column shape = geometry(ColumnType::kPolygons);
  } grids;
  struct Roads : TableSpec {
    Roads() : TableSpec("roads") {}
    Column id = integer("road_id"), name = text("name"), roadClass = text("class"),
           widthM = real("width_m"), communityCode = text("community_code");
    Column line = geometry(ColumnType::kLines);
  } roads;
  struct Buildings : TableSpec {
    Buildings() : TableSpec("buildings") {}
    Column id = integer("building_id"), addressCode = text("address_code"), use = text("use"),
           floors = integer("floors"), heightM = real("height_m"), gridCode = text("grid_code");
    Column footprint = geometry(ColumnType::kPolygons);
  } buildings;
  struct Addresses : TableSpec {
    Addresses() : TableSpec("addresses") {}
    Column code = text("address_code"), level = text("level"), buildingId = integer("building_id"),
           houseId = integer("house_id"), fullText = text("full_text"),
           gridCode = text("grid_code");
    Column point = geometry(ColumnType::kPoint);
  } addresses;
  struct Houses : TableSpec {
    Houses() : TableSpec("houses") {}
    Column id = integer("house_id"), addressCode = text("address_code"),
           buildingId = integer("building_id"), unit = integer("unit"), floor = integer("floor"),
           room = text("room"), areaM2 = real("area_m2"), gridCode = text("grid_code");
  } houses;
  struct People : TableSpec {
    People() : TableSpec("people") {}
    Column id = integer("person_id"), idNumber = text("id_number"), name = text("name"),
           sex = text("sex"), birthDate = text("birth_date"), phone = text("phone"),
           tags = text("tags"), houseId = integer("house_id"), gridCode = text("grid_code");
  } people;
  struct Entities : TableSpec {
    Entities() : TableSpec("entities") {}
    Column id = integer("entity_id"), creditCode = text("credit_code"), name = text("name"),
           industry = text("industry"),
           // "kind" in early datasets
        kind = add({"type", ColumnType::kText, {"type", "kind"}}), colour = text("credit_color"),
           buildingId = integer("building_id"), gridCode = text("grid_code");
    Column point = geometry(ColumnType::kPoint);
  } entities;
  struct Facilities : TableSpec {
    Facilities() : TableSpec("facilities") {}
    Column id = integer("facility_id"), type = text("type"), typeName = text("type_name"),
           owner = text("owner_department"), gridCode = text("grid_code"),
           headingDeg = real("heading_deg"), fovDeg = real("fov_deg"),
           mountHeightM = real("mount_height_m");
    Column point = geometry(ColumnType::kPoint);
  } facilities;
  struct Events : TableSpec {
    Events() : TableSpec("events") {}
    Column id = integer("event_id"), categoryCode = text("category_code"),
           categoryName = text("category_name"), categoryGroup = text("category"),
           source = text("source"), reportedAt = text("reported_at"), status = text("status"),
           level = text("dispatch_level"), gridCode = text("grid_code");
    Column point = geometry(ColumnType::kPoint);
  } events;
  struct LayerCatalog : TableSpec {
    LayerCatalog() : TableSpec("layer_catalog") {}
    // A GeoPackage's catalogue may spell these differently (hand-made ones).
    Column id = add({"layer_id", ColumnType::kText, {"layer_id", "id", "code"}}),
           name = add({"name", ColumnType::kText, {"name_zh", "name", "title"}}),
           category = add({"category", ColumnType::kText, {}, true}),
           geometryType = add({"geometry_type",
                               ColumnType::kText,
                               {"geometry_type", "geometry", "geom_type"},
                               true}),
           tableName = add(
               {"table_name", ColumnType::kText, {"table_name", "table", "source_table"}, true});
  } layers;

  // Every table, in the order above.
  std::vector<const TableSpec*> all() const {
    return {&streets, &communities, &grids,    &roads,      &buildings, &addresses,
            &houses,  &people,      &entities, &facilities, &events,    &layers};
  }
};

// The one schema (immutable, safe from any thread).
const DatasetSchema& datasetSchema();

// One row as a source fetched it. Values are valid until the next row.
class Row {
 public:
  virtual ~Row() = default;
  virtual std::int64_t fid() const = 0;
  // "<source>: table T, fid F, column C" (C as the source spells it).
  virtual std::string place(Column c) const = 0;
  virtual bool isNull(Column c) const = 0;
  // Text ("" for NULL).
  virtual std::string_view text(Column c) const = 0;
  // Errors (naming the place): NULL; a text that is not a number.
  virtual core::Result<std::int64_t> integer(Column c) const = 0;
  virtual core::Result<double> real(Column c) const = 0;
  // The geometry column; errors carry no place (the reader adds it).
  virtual core::Result<void> appendPolygons(Column c,
                                            model::PolygonColumns<model::Owned>& out) const = 0;
  virtual core::Result<void> appendLines(Column c, model::LineColumns<model::Owned>& out) const = 0;
  virtual core::Result<geo::Point> point(Column c, bool nullable) const = 0;

  core::Error fail(Column c, core::ErrorCode code, const std::string& message) const {
    return core::makeError(code, message, place(c));
  }
  core::Result<std::string_view> requiredText(Column c) const {
    if (isNull(c)) return fail(c, core::ErrorCode::kStore, "NULL where a value is required");
    return text(c);
  }
  core::Result<std::int64_t> integerOr(Column c, std::int64_t ifNull) const {
    if (isNull(c)) return ifNull;
    return integer(c);
  }
  core::Result<double> realOr(Column c, double ifNull) const {
    if (isNull(c)) return ifNull;
    return real(c);
  }
};

// One connection to a dataset (a SQLite handle, a PostgreSQL session).
class TableSource {
 public:
  virtual ~TableSource() = default;
  // Runs body on each row of `table` in fid order; stops at the first error.
  virtual core::Result<void> scan(const TableSpec& table,
                                  const std::function<core::Result<void>(const Row&)>& body) = 0;
};

// Reads every table of the schema into columns, then builds the district.
class TableReader {
 public:
  // `source` names the dataset in messages (a path, a server).
  explicit TableReader(std::string source) : m_source(std::move(source)) {}

  // The admin tables (streets, communities, grids) first on `first`, in
  // order: every other table resolves its codes against them. Then the other
  // tables on up to `threads` threads (0: up to 4, as many as the machine
  // has): one on `first`, the others each on a source from `another`.
  core::Result<void> read(
      TableSource& first,
      const std::function<core::Result<std::unique_ptr<TableSource>>()>& another, unsigned threads);
  // Resolves the links between the tables and builds the district (its
  // indexes on `threads` threads). Call once, after read().
  core::Result<model::District> finish(unsigned threads);

 private:
  core::Result<void> readStreets(TableSource& s);
  core::Result<void> readCommunities(TableSource& s);
  core::Result<void> readGrids(TableSource& s);
  core::Result<void> readRoads(TableSource& s);
  core::Result<void> readBuildings(TableSource& s);
  core::Result<void> readAddresses(TableSource& s);
  core::Result<void> readHouses(TableSource& s);
  core::Result<void> readPeople(TableSource& s);
  core::Result<void> readEntities(TableSource& s);
  core::Result<void> readFacilities(TableSource& s);
  core::Result<void> readEvents(TableSource& s);
  core::Result<void> readLayers(TableSource& s);
  // A grid_code column resolved (read-only use of m_gridIndex: safe from
  // several threads).
  core::Result<std::uint32_t> grid(const Row& r, Column c) const;

  std::string m_source;
  model::DistrictColumns<model::Owned> m_c;
  decode::CodeIndex m_streetIndex, m_communityIndex, m_gridIndex;
  decode::LinkKeys m_keys;
};

}  // namespace gridtwin::store
