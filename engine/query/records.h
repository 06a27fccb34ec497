#pragma once
// The rows of a Selection as records for lists and exports, with personal
// fields masked according to the caller's role (access.h): person names,
// phones and resident ID numbers, staff phones. Masking happens here, once,
// so every output format (JSON, CSV, GeoPackage) gets the same masked text.
//
// Fields per kind (fieldNames()) are fixed, so a CSV header can be written
// before the first record. Values are text; numbers in plain decimal.
// Thread-safety: pure functions.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "geo/types.h"
#include "query/access.h"
#include "query/query.h"
#include "query/twin.h"

namespace gridtwin::query {

struct Record {
  model::Kind kind = model::Kind::kBuilding;
  bool live = false;  // a live event (row is its log index)
  std::uint64_t row = 0;
  std::int64_t id = 0;  // the source's id (building_id, ...); addresses have none: the row
  std::uint32_t grid = 0;
  geo::Point lonlat;                // EPSG:4490; NaN when unknown
  std::vector<std::string> values;  // parallel to fieldNames(kind)
};

// Names of Record::values for `kind` (not counting kind, id, grid, lon, lat).
std::span<const std::string_view> fieldNames(model::Kind kind);

// Calls onRecord for every record of the selection: kinds in kQueryKinds
// order, rows ascending, live events after base events. `now` dates ages.
void forEachRecord(const Twin& twin, const Access& access, const Selection& selection,
                   const std::function<void(const Record&)>& onRecord,
                   std::int64_t now = kReferenceNow);

// The selection's records, masked as forEachRecord gives them, into a new
// GeoPackage at `path` (store::GpkgWriter: all or nothing, never over an
// input): one EPSG:4490 point table per kind named as the dataset's
// (model::kindTable), with id, grid_code and the kind's fields as text. Kinds
// of `kinds` without a record still get their (empty) table, so a reader sees
// the schema. `description` goes into each table's gpkg_contents row.
core::Result<void> writeRecordsGpkg(const Twin& twin, const Access& access,
                                    const Selection& selection, const KindSet& kinds,
                                    const std::string& path, const std::string& description,
                                    std::int64_t now = kReferenceNow);

// The selection's records as CSV: one header — kind, id, grid, lon, lat, then
// the fields of every kind in `kinds` — and a row per record with its kind's
// fields in their columns and the others empty; lon/lat as the shortest text
// that reads back to the same double (empty when unknown); a field holding a
// comma, quote or line break quoted as RFC 4180 says. The caller checks
// `out` (an output that fails must fail loudly).
void writeRecordsCsv(const Twin& twin, const Access& access, const Selection& selection,
                     const KindSet& kinds, std::ostream& out, std::int64_t now = kReferenceNow);

// A staff member as the role may see them (name always, phone masked unless
// Disclosure::staffPhone).
struct StaffView {
  std::string id;
  std::string name;
  std::string phone;
};
StaffView viewStaff(const Twin& twin, const Access& access, std::uint32_t staffIndex);

// A person's personal fields as the role may see them.
std::string shownName(const Disclosure& d, std::string_view name);
std::string shownPhone(const Disclosure& d, std::string_view phone);
std::string shownIdNumber(const Disclosure& d, std::string_view idNumber);
// A person's age on the local day of `now`. The birth date is characters
// 7-14 of the ID (ident::maskBirthDate): roles that see the ID masked get the
// age reached in the year of `now` (that year minus the birth year), so no
// choice of `now` (query --now) tells the birthday; the others, whole years.
int shownAge(const Disclosure& d, std::int32_t birthDay, std::int64_t now);

}  // namespace gridtwin::query
