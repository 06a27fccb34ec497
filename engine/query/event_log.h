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
// Thread-safety: any number of readers concurrently with writers; writers
// are serialised by an internal mutex (appends are rare: milliseconds apart).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

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

  EventLog();
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Appends and publishes one event; returns its index. Errors:
  // kInvalidArgument when the log is full.
  core::Result<std::uint64_t> append(const LiveEvent& event);

  // How many events are published: every index below it may be read.
  std::uint64_t size() const { return m_size.load(std::memory_order_acquire); }
  // i must be below a size() this thread has seen.
  const LiveEvent& operator[](std::uint64_t i) const {
    const LiveEvent* chunk = m_chunks[i / kChunkSize].load(std::memory_order_acquire);
    return chunk[i % kChunkSize];
  }

 private:
  std::unique_ptr<std::atomic<LiveEvent*>[]> m_chunks;
  std::atomic<std::uint64_t> m_size{0};
  std::mutex m_writer;  // serialises append(); readers never take it
};

}  // namespace gridtwin::query
