#pragma once
// EventLog: the live delta of events reported after the district snapshot
// was loaded. Append-only; readers never lock and never see a half-added
// event.
//
// Layout: fixed-size chunks of kChunkSize events, reached through a fixed
// table of kMaxChunks atomic chunk pointers (never reallocated, so a reader
// holding an index never chases a moved array). append() fills the slot,
// then publishes it with a release store of the size; a reader's acquire load
// of size() makes every event below that size fully visible. An event, once
// published, is never written again. Chunks are freed only by the destructor.
//
// Why not std::atomic<std::shared_ptr<const Delta>> (RCU): libstdc++ 12
// implements it with an internal lock, and every append would copy the
// delta. Why not a mutex: readers on the hot path would contend with the
// writer. Capacity kChunkSize × kMaxChunks = 16 Mi events (the full dataset
// holds 2 M over three years); append() past it is an error, not a crash.
//
// Status changes (supersede): an event whose status changes (a case PATCHed
// from reported to classified, ..., closed) is appended again with the same
// id; the new entry supersedes the id's latest earlier entry, so the log
// stays append-only and every entry, once published, keeps its fields. Each
// entry also holds one atomic, supersededBy: the index of the entry that
// replaced it, kNone while none has. The writer stores it *before* the
// release store of the size that publishes the new entry, so for a reader
// that loaded size() == seen:
//   - seen > the new index: the release/acquire pair on the size makes the
//     store visible, and the old entry is skipped (the new one is counted);
//   - seen <= the new index: the new entry is outside its prefix, and the
//     old entry's supersededBy is either kNone or that index, both >= seen,
//     so the old entry is counted.
// So `current(i, seen)` (supersededBy(i) >= seen) names exactly one entry per
// id within any prefix: never both, never neither, whatever the interleaving.
// A reader that loads size() once and asks current(i, seen) for every i
// below it sees the log as it was after some append. Cost: 16 bytes per
// entry (the two indexes, beside the event's 64) and one relaxed load per
// entry read; the writer keeps an id → latest index hash map (a node of
// about 40 bytes per id, read by writers only).
//
// Only live entries supersede each other: an id of the district snapshot's
// events appended here is a new live entry beside the snapshot's row (the
// twin stamps live ids above the snapshot's largest, so this happens only
// when a caller passes such an id itself).
//
// Thread-safety: any number of readers concurrently with writers; writers
// are serialised by an internal mutex (appends are rare: milliseconds apart).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "core/error.h"
#include "geo/types.h"
#include "model/district.h"

namespace gridtwin::query {

// One live event, as the district's events columns hold one (model/district.h).
struct LiveEvent {
  std::int64_t id = 0;
  std::uint16_t category = 0;  // into District::columns().categoryCodes
  model::EventSource source = model::EventSource::kHotline12345;
  std::int64_t reportedAt = 0;  // Unix seconds
  model::EventStatus status = model::EventStatus::kReported;
  model::DispatchLevel level = model::DispatchLevel::kGrid;
  std::uint32_t grid = 0;
  geo::Point lonlat;  // EPSG:4490
  geo::Point xy;      // EPSG:4547
};

class EventLog {
 public:
  static constexpr std::size_t kChunkSize = 1024;
  static constexpr std::size_t kMaxChunks = 16 * 1024;
  // No entry (supersededBy of a current entry, supersedes of a first one).
  static constexpr std::uint64_t kNone = ~std::uint64_t{0};

  EventLog();
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Appends and publishes one event; returns its index. An event whose id
  // is already in the log supersedes that id's latest entry (a status
  // change). Errors: kInvalidArgument when the log is full.
  core::Result<std::uint64_t> append(const LiveEvent& event);

  // How many entries are published: every index below it may be read.
  std::uint64_t size() const { return m_size.load(std::memory_order_acquire); }
  // i must be below a size() this thread has seen.
  const LiveEvent& operator[](std::uint64_t i) const { return slot(i).event; }

  // Whether entry i is its event's latest within the prefix `seen` (a
  // size() this thread loaded, i below it): count or draw entry i then.
  bool current(std::uint64_t i, std::uint64_t seen) const { return supersededBy(i) >= seen; }
  // The entry that superseded entry i, kNone while none has (it may be at
  // or above a size() this thread has seen: see current()).
  std::uint64_t supersededBy(std::uint64_t i) const {
    // Relaxed is enough: the store happens before the size store that
    // publishes the superseding entry, and current() only trusts an index
    // below a size this thread acquired.
    return slot(i).supersededBy.load(std::memory_order_relaxed);
  }
  // The entry that entry i superseded (the same event, earlier), kNone for
  // an event's first entry. Set before i is published, never changed.
  std::uint64_t supersedes(std::uint64_t i) const { return slot(i).supersedes; }

  // The index of event `id`'s latest entry, if it is in the log. Takes the
  // writers' mutex: for writers (a status change copies the latest entry),
  // not for the hot path.
  std::optional<std::uint64_t> latestOf(std::int64_t id) const;
  // Distinct events published (entries less superseded ones): the
  // count of a whole-log query at some moment near the call.
  std::uint64_t eventCount() const { return m_events.load(std::memory_order_acquire); }

 private:
  struct Slot {
    LiveEvent event;
    std::uint64_t supersedes = kNone;
    std::atomic<std::uint64_t> supersededBy{kNone};
  };
  const Slot& slot(std::uint64_t i) const {
    const Slot* chunk = m_chunks[i / kChunkSize].load(std::memory_order_acquire);
    return chunk[i % kChunkSize];
  }

  std::unique_ptr<std::atomic<Slot*>[]> m_chunks;
  std::atomic<std::uint64_t> m_size{0};
  std::atomic<std::uint64_t> m_events{0};
  mutable std::mutex m_writer;  // serialises append(); readers never take it
  std::unordered_map<std::int64_t, std::uint64_t> m_latest;  // id → latest index (writers)
};

}  // namespace gridtwin::query
