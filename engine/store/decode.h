#pragma once
// Decoding shared by the district loaders (the GeoPackage reader here and the
// PostGIS loader in pgstore): text dates and times, tag lists, WKB straight
// into the model's flat geometry columns, code and id indexes, and the
// resolution of the links between tables once every table is read.
//
// The loaders differ in how they fetch a row (SQLite statement, binary COPY);
// what a value means, and the error that names a bad one, lives here and in
// the one table reader (table_reader.h) so that both give the same district
// and the same messages.
//
// Errors from the geometry decoders carry no place: the caller adds the
// file/table/fid/column with withContext(). Thread-safety: no shared state;
// an index is read-only (safe from several threads) once built.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "geo/types.h"
#include "model/columns.h"
#include "model/district.h"

namespace gridtwin::store::decode {

// ---- dates and times

// "YYYY-MM-DD" → days since 1970-01-01 (core::parseIsoDate).
bool parseDate(std::string_view s, std::int64_t& days);
// ISO 8601 (core::parseIsoTime) → Unix seconds. Without an offset the time
// is China Standard Time (UTC+8), the district's local time.
bool parseTime(std::string_view s, std::int64_t& seconds);
// "a,b,c" person tags → their bit set; false with `bad` = the unknown tag.
bool parsePersonTags(std::string_view list, std::uint32_t& tags, std::string_view& bad);

// ---- geometry into flat columns

void startPolygons(model::PolygonColumns<model::Owned>& p);
void startLines(model::LineColumns<model::Owned>& l);

// WKB (ISO or EWKB, either byte order, Z/M dropped) of a Polygon or
// MultiPolygon, appended as one feature. An empty span is a NULL. Rings are
// checked closed with 4+ points; a count larger than the bytes left is an
// error before anything is allocated. Errors give the byte offset.
core::Result<void> appendPolygons(std::span<const std::uint8_t> wkb,
                                  model::PolygonColumns<model::Owned>& out);
// WKB of a LineString or MultiLineString appended as one feature (2+ points each).
core::Result<void> appendLines(std::span<const std::uint8_t> wkb,
                               model::LineColumns<model::Owned>& out);
// WKB of a Point; missing (NaN) for NULL (empty span) or POINT EMPTY when
// `nullable`, an error otherwise.
core::Result<geo::Point> decodePoint(std::span<const std::uint8_t> wkb, bool nullable);
// A point already read (x, y columns): `isNull` for a NULL, (NaN NaN) is
// empty; the same rules and messages as decodePoint.
core::Result<geo::Point> checkPoint(bool isNull, geo::Point p, bool nullable);

// ---- indexes from keys to rows

// Codes (street, community, grid, address codes) to row indexes. The views
// point into a StringPool that must not grow while the index is used.
class CodeIndex {
 public:
  void build(const model::StringPool& pool);
  // Index of the first duplicate code, or -1.
  std::int64_t firstDuplicate(const model::StringPool& pool) const;
  bool find(std::string_view code, std::uint32_t& out) const {
    auto it = m_map.find(code);
    if (it == m_map.end()) return false;
    out = it->second;
    return true;
  }

 private:
  std::unordered_map<std::string_view, std::uint32_t> m_map;
};

// Builds `index` over `codes`; a duplicate is an error "duplicate <what> code
// X" at `place` (e.g. "x.gpkg: table streets").
core::Result<void> buildUnique(CodeIndex& index, const model::StringPool& codes,
                               std::string_view what, const std::string& place);

// Integer ids (building_id, house_id) to row indexes: a dense table when the
// ids are compact (they are 1..N in generated data), a hash map otherwise.
class IdIndex {
 public:
  // Returns the position of the first duplicate id, or -1.
  std::int64_t build(const std::vector<std::int64_t>& ids);
  bool find(std::int64_t id, std::uint32_t& out) const;

 private:
  bool m_dense = false;
  std::vector<std::int32_t> m_table;
  std::unordered_map<std::int64_t, std::uint32_t> m_map;
};

// ---- links resolved after every table is read

// Per row of a table: the row's fid (for messages) and its source keys.
struct Deferred {
  std::vector<std::int64_t> fid;
  std::vector<std::int64_t> id1, id2;  // building_id / house_id as the table has them
  model::StringPool code;              // an address code per row ("" when NULL)
};

struct LinkKeys {
  Deferred buildings;  // fid, code: address_code
  Deferred addresses;  // fid, id1: building_id, id2: house_id (INT64_MIN when NULL)
  Deferred houses;     // fid, id1: building_id, code: address_code
  Deferred people;     // fid, id1: house_id
  Deferred entities;   // fid, id1: building_id
};

// Fills the row-index links of `c` (building → address, address → building
// and house, house → building and address, person → house, entity →
// building). Errors name "<source>: table T, fid F, column C".
core::Result<void> resolveLinks(model::DistrictColumns<model::Owned>& c, const LinkKeys& keys,
                                const std::string& source);

}  // namespace gridtwin::store::decode
