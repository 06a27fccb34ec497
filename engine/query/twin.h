#pragma once
// Twin: the loaded district plus everything the queries need on top of it —
// the links downward (grid → its records, building → houses, addresses and
// entities, house → people), each kind's points, a spatial search per kind,
// the grid locator, the staff register (grid → station head) and the live
// event log.
//
//   person → house → building → address → grid → community → street
//   event → grid → station head
//
// Everything except the event log is immutable after build(). Ownership: a
// Twin owns its District (which shares its columns' memory through a
// shared_ptr) and the tables built from it; spans it hands out live as long
// as the Twin. Not copyable or movable (the event log holds atomics and the
// searches point into the Twin's own columns): hold it by unique_ptr or
// shared_ptr.
//
// Thread-safety: every const member may be called from any number of
// threads at once, concurrently with reportEvent() (which serialises
// writers internally). Readers never lock.
#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"
#include "crs/transformer.h"
#include "model/district.h"
#include "query/event_log.h"
#include "query/spatial.h"
#include "store/staff_reader.h"

namespace gridtwin::query {

// The kinds a query reaches (the registers that carry a grid and a point).
inline constexpr std::array<model::Kind, 7> kQueryKinds = {
    model::Kind::kBuilding, model::Kind::kAddress,  model::Kind::kHouse, model::Kind::kPerson,
    model::Kind::kEntity,   model::Kind::kFacility, model::Kind::kEvent};
bool isQueryKind(model::Kind kind);

// Rows grouped by a key (compressed sparse rows): key k owns
// rows[start[k], start[k+1]), ascending.
struct Csr {
  std::vector<std::uint32_t> start{0};
  std::vector<std::uint32_t> rows;
  std::span<const std::uint32_t> operator[](std::size_t k) const {
    if (k + 1 >= start.size()) return {};
    return {rows.data() + start[k], rows.data() + start[k + 1]};
  }
  template <class KeyOf>
  static Csr build(std::size_t keys, std::size_t rowCount, KeyOf keyOf);
};

struct StaffMember {
  std::string id;
  std::string name;
  std::string phone;
  bool stationHead = false;          // 网格站长; otherwise a grid worker (网格员)
  std::vector<std::uint32_t> grids;  // grid rows served
};

// A new event from an integrating system (12345 hotline etc.).
struct NewEvent {
  std::int64_t id = 0;  // 0: the twin assigns the next free id
  std::uint16_t category = 0;
  model::EventSource source = model::EventSource::kHotline12345;
  std::int64_t reportedAt = 0;
  model::EventStatus status = model::EventStatus::kReported;
  model::DispatchLevel level = model::DispatchLevel::kGrid;
  std::optional<geo::Point> lonlat;   // EPSG:4490; the grid is located from it
  std::optional<std::uint32_t> grid;  // when reported by address only
};

class Twin {
 public:
  struct Options {
    // Use gridtwin::index for searches and the locator when it is built in;
    // false: the brute-force twins (tests' oracle).
    bool useIndex = true;
    // open() only: the admin geography (streets, communities, grids) and
    // the staff, every register of records empty (store::OpenOptions::part)
    // when the dataset's snapshot is valid — for answers that need only the
    // grids, their links and their heads (`gridtwin locate`). Searches,
    // points and links downward are then empty; never use it for a query
    // over records.
    bool adminOnly = false;
  };

  // Errors: a staff row naming an unknown grid (kInvalidArgument naming the
  // staff id and code); those of the index builds; PROJ's.
  static core::Result<std::unique_ptr<Twin>> build(model::District district,
                                                   std::vector<store::StaffRow> staff,
                                                   const Options& options);
  static core::Result<std::unique_ptr<Twin>> build(model::District district,
                                                   std::vector<store::StaffRow> staff) {
    return build(std::move(district), std::move(staff), Options{});
  }
  // store::openDataset (snapshot fast path) + the staff table when there is
  // one. Errors: those of openDataset, readStaff and build.
  static core::Result<std::unique_ptr<Twin>> open(const std::string& gpkgPath,
                                                  const Options& options);
  // open()'s fast path alone: the twin from the dataset's valid snapshot
  // (store::OpenOptions' checks: stamp, version, checksums of the parts read)
  // and the staff table, never the GeoPackage's layers through GDAL. The same
  // Twin open() gives when the snapshot is valid. Errors: the snapshot's
  // refusal (kNotFound when there is none; the caller then calls open(),
  // which loads the GeoPackage and writes one), readStaffIfPresent's and
  // build's. For the light front of `gridtwin locate` (cli/front.cpp), which
  // links no GDAL: this is in twin.cpp, open() in twin_open.cpp.
  static core::Result<std::unique_ptr<Twin>> openSnapshot(const std::string& gpkgPath,
                                                          const Options& options);

  Twin(const Twin&) = delete;
  Twin& operator=(const Twin&) = delete;

  const model::District& district() const { return m_district; }
  bool indexed() const { return m_indexed; }

  // ---- linkage
  // The grid a row of a query kind belongs to (the register's own grid
  // column: the authority for scope, whatever its point says).
  std::uint32_t gridOf(model::Kind kind, std::uint32_t row) const;
  // Rows of `kind` in grid g, ascending.
  std::span<const std::uint32_t> rowsInGrid(model::Kind kind, std::uint32_t grid) const;
  std::span<const std::uint32_t> housesOfBuilding(std::uint32_t b) const {
    return m_housesOfBuilding[b];
  }
  std::span<const std::uint32_t> addressesOfBuilding(std::uint32_t b) const {
    return m_addressesOfBuilding[b];
  }
  std::span<const std::uint32_t> entitiesOfBuilding(std::uint32_t b) const {
    return m_entitiesOfBuilding[b];
  }
  std::span<const std::uint32_t> peopleOfHouse(std::uint32_t h) const { return m_peopleOfHouse[h]; }
  // The building of a row of any query kind but events and facilities
  // (kNone for those).
  std::int32_t buildingOf(model::Kind kind, std::uint32_t row) const;

  // ---- staff
  const std::vector<StaffMember>& staff() const { return m_staff; }
  // Index into staff(), or -1 when the dataset has no staff table.
  std::int32_t stationHeadOf(std::uint32_t grid) const { return m_headOfGrid[grid]; }
  std::span<const std::uint32_t> workersOf(std::uint32_t grid) const {
    return m_workersOfGrid[grid];
  }

  // ---- space (EPSG:4547 metres)
  // One point per row: entities, facilities, events and addresses their own;
  // buildings their footprint's centroid; houses their room address (or
  // building); people their house's. NaN when unknown.
  std::span<const geo::Point> points(model::Kind kind) const;
  const PointSearch& search(model::Kind kind) const;
  const Locator& locator() const { return *m_locator; }

  // ---- live events
  // Locates, stamps and publishes an event; readers see it at once. Errors:
  // kNonFinite/kOutOfDomain for a bad point, kOutOfDomain for a point in no
  // grid ("outside the district"), kInvalidArgument for an unknown category
  // or grid, or neither point nor grid. Returns the event's log index. An
  // id already in the live log is a new version of that event: it
  // supersedes the earlier entry (EventLog).
  core::Result<std::uint64_t> reportEvent(const NewEvent& event);
  // A live event's new status (a case moved on): its latest entry again,
  // with `status`, superseding it; readers count and draw the event once,
  // with the new status. The same status: nothing is appended. Returns the
  // index of the event's latest entry. Errors: kNotFound when `id` is no
  // live event (the snapshot's events do not change), kInvalidArgument
  // when the log is full.
  core::Result<std::uint64_t> changeEventStatus(std::int64_t id, model::EventStatus status);
  const EventLog& liveEvents() const { return m_live; }

 private:
  Twin() = default;
  static std::size_t slot(model::Kind kind);

  model::District m_district;
  bool m_indexed = false;
  // Each kind's points: views into the district's columns where it stores
  // them (addresses, entities, facilities, events; no copy of 2 M event
  // points), into m_derivedPoints where the twin derives them (building
  // centroids, houses at their address, people at their house).
  std::array<std::span<const geo::Point>, kQueryKinds.size()> m_points;
  std::array<std::vector<geo::Point>, kQueryKinds.size()> m_derivedPoints;
  std::array<std::unique_ptr<PointSearch>, kQueryKinds.size()> m_search;
  std::array<Csr, kQueryKinds.size()> m_gridRows;
  std::unique_ptr<Locator> m_locator;
  Csr m_housesOfBuilding, m_addressesOfBuilding, m_entitiesOfBuilding, m_peopleOfHouse;
  std::vector<StaffMember> m_staff;
  std::vector<std::int32_t> m_headOfGrid;
  Csr m_workersOfGrid;

  EventLog m_live;
  std::mutex m_writer;  // guards m_toMetric, m_nextId and the order of appends (writers only)
  std::optional<crs::Transformer> m_toMetric;
  std::int64_t m_nextId = 1;
};

template <class KeyOf>
Csr Csr::build(std::size_t keys, std::size_t rowCount, KeyOf keyOf) {
  Csr c;
  c.start.assign(keys + 1, 0);
  for (std::size_t r = 0; r < rowCount; ++r) {
    const std::int64_t k = keyOf(r);
    if (k >= 0 && static_cast<std::size_t>(k) < keys) ++c.start[static_cast<std::size_t>(k) + 1];
  }
  for (std::size_t k = 0; k < keys; ++k) c.start[k + 1] += c.start[k];
  c.rows.resize(c.start[keys]);
  std::vector<std::uint32_t> fill(c.start.begin(), c.start.end() - 1);
  for (std::size_t r = 0; r < rowCount; ++r) {
    const std::int64_t k = keyOf(r);
    if (k >= 0 && static_cast<std::size_t>(k) < keys) {
      c.rows[fill[static_cast<std::size_t>(k)]++] = static_cast<std::uint32_t>(r);
    }
  }
  return c;
}

}  // namespace gridtwin::query
