#pragma once
// Follows new events in PostGIS into the engine's live delta.
//
// The schema announces inserted events on channel `gridtwin_events` (a
// trigger, 001_schema.sql; since 006 without payload: any login may LISTEN
// or NOTIFY there). An EventFollower LISTENs on its own connection and
// trusts nothing a notification says: poll() waits for one (or the timeout),
// then reads every event with an event_id above the last one it returned
// from the table, under its own role's row-level security. So a missed or
// coalesced notification loses nothing, and a forged one adds nothing.
// Rows it cannot read in the model's terms (a grid the snapshot does not
// know, a time or spelling the schema's checks would now refuse) are skipped
// and reported by takeSkipped(), never retried: one bad row cannot stop
// the events after it. Events come back in the model's
// terms (enums, Unix seconds, the grid's row index in the snapshot's
// district), ready to append to a delta beside the immutable snapshot.
// Not thread-safe: one follower, one thread.
#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/error.h"
#include "geo/types.h"
#include "model/district.h"
#include "pgstore/connection.h"

namespace gridtwin::pgstore {

struct LiveEvent {
  std::int64_t id = 0;  // event_id
  std::string categoryCode;
  model::EventSource source{};
  std::int64_t reportedAt = 0;  // Unix seconds
  model::EventStatus status{};
  model::DispatchLevel level{};
  std::uint32_t grid = 0;  // row index in the district the follower was started with
  geo::Point lonlat;       // missing (NaN) when reported by address only
};

class EventFollower {
 public:
  // Starts listening. `district` resolves grid codes (copied: the follower
  // keeps no reference to it); events with event_id <= `afterEventId` are
  // the snapshot's and are skipped (pass the snapshot's largest event id).
  static core::Result<EventFollower> start(const std::string& url, const model::District& district,
                                           std::int64_t afterEventId);

  // Waits up to `timeout` for new events and returns them in event_id
  // order (empty when none came). Errors: the connection lost (kStore).
  core::Result<std::vector<LiveEvent>> poll(std::chrono::milliseconds timeout);

  // The rows skipped since the last call, each "place: reason" (the place
  // names the table and event_id).
  std::vector<std::string> takeSkipped() { return std::exchange(m_skipped, {}); }

  std::int64_t lastEventId() const { return m_last; }

 private:
  EventFollower(Connection c, std::int64_t after) : m_conn(std::move(c)), m_last(after) {}
  core::Result<std::vector<LiveEvent>> fetch();
  // Fills `e` from row `i` (event_id already read); the reason when it cannot.
  std::string decode(const QueryResult& rows, int i, LiveEvent& e) const;
  Connection m_conn;
  std::int64_t m_last = 0;
  std::unordered_map<std::string, std::uint32_t> m_grids;
  std::vector<std::string> m_skipped;
};

}  // namespace gridtwin::pgstore
