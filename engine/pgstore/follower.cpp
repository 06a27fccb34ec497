#include "pgstore/follower.h"

#include <poll.h>

#include <charconv>
#include <cmath>
#include <optional>

#include "core/time.h"
#include "model/columns.h"

namespace gridtwin::pgstore {

using core::ErrorCode;
using core::makeError;

core::Result<EventFollower> EventFollower::start(const std::string& url,
                                                 const model::District& district,
                                                 std::int64_t afterEventId) {
  auto c = Connection::open(url);
  if (!c) return c.takeError();
  if (auto r = c->execute("LISTEN gridtwin_events", "listening for events"); !r)
    return r.takeError();
  EventFollower f(std::move(*c), afterEventId);
  const auto& grids = district.grids();
  for (std::size_t i = 0; i < grids.size(); ++i)
    f.m_grids.emplace(std::string(grids.code[i]), static_cast<std::uint32_t>(i));
  return f;
}

core::Result<std::vector<LiveEvent>> EventFollower::poll(std::chrono::milliseconds timeout) {
  PGconn* pg = m_conn.native();
  bool notified = false;
  auto drain = [&]() -> core::Result<void> {
    if (!PQconsumeInput(pg)) return m_conn.connectionError("reading notifications");
    while (PGnotify* n = PQnotifies(pg)) {
      notified = true;
      PQfreemem(n);
    }
    return {};
  };
  if (auto r = drain(); !r) return r.takeError();
  if (!notified && timeout.count() > 0) {
    pollfd fd{PQsocket(pg), POLLIN, 0};
    const int ready = ::poll(&fd, 1, static_cast<int>(timeout.count()));
    if (ready < 0) return makeError(ErrorCode::kIo, "poll failed", m_conn.place());
    if (ready > 0) {
      if (auto r = drain(); !r) return r.takeError();
    }
  }
  // Read even without a notification on the first call: events inserted
  // between the snapshot and LISTEN are caught up here.
  return fetch();
}

core::Result<std::vector<LiveEvent>> EventFollower::fetch() {
  auto rows = m_conn.query(
      "SELECT event_id, category_code, source, reported_at, status, dispatch_level, grid_code,"
      " ST_X(geom), ST_Y(geom) FROM gridtwin.events WHERE event_id > $1::bigint ORDER BY event_id",
      {std::to_string(m_last)}, "reading new events");
  if (!rows) return rows.takeError();
  std::vector<LiveEvent> out;
  out.reserve(static_cast<std::size_t>(rows->rows()));
  for (int i = 0; i < rows->rows(); ++i) {
    LiveEvent e;
    auto number = [&](int col, auto& v) {
      const auto t = rows->text(i, col);
      return std::from_chars(t.data(), t.data() + t.size(), v).ec == std::errc();
    };
    // event_id is a bigint, ascending: the only field that could stop the
    // follower, and the server guarantees it.
    if (!number(0, e.id)) {
      return makeError(ErrorCode::kStore, "bad event_id '" + std::string(rows->text(i, 0)) + "'",
                       m_conn.place() + ": table events");
    }
    m_last = e.id;
    if (auto why = decode(*rows, i, e); !why.empty()) {
      m_skipped.push_back(m_conn.place() + ": table events, event_id " + std::to_string(e.id) +
                          ": " + why);
      continue;
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::string EventFollower::decode(const QueryResult& rows, int i, LiveEvent& e) const {
  auto quoted = [](std::string_view v) {
    return "'" + std::string(v.substr(0, 40)) + (v.size() > 40 ? "...'" : "'");
  };
  e.categoryCode = std::string(rows.text(i, 1));
  if (!model::parseEventSource(rows.text(i, 2), e.source))
    return "unknown source " + quoted(rows.text(i, 2));
  // The one ISO 8601 parser (core/time.h): local time (UTC+8) without an offset.
  const auto t = core::parseIsoTime(rows.text(i, 3));
  if (!t) return "reported_at " + quoted(rows.text(i, 3)) + " is not a time";
  e.reportedAt = *t;
  if (!model::parseEventStatus(rows.text(i, 4), e.status))
    return "unknown status " + quoted(rows.text(i, 4));
  if (!model::parseDispatchLevel(rows.text(i, 5), e.level))
    return "unknown dispatch level " + quoted(rows.text(i, 5));
  auto g = m_grids.find(std::string(rows.text(i, 6)));
  if (g == m_grids.end())
    return "no grid with code " + quoted(rows.text(i, 6)) + " in the snapshot";
  e.grid = g->second;
  e.lonlat = model::missingPoint();
  if (!rows.isNull(i, 7) && !rows.isNull(i, 8)) {
    double x = 0, y = 0;
    const auto tx = rows.text(i, 7), ty = rows.text(i, 8);
    if (std::from_chars(tx.data(), tx.data() + tx.size(), x).ec != std::errc() ||
        std::from_chars(ty.data(), ty.data() + ty.size(), y).ec != std::errc() ||
        !std::isfinite(x) || !std::isfinite(y))
      return "bad coordinates";
    e.lonlat = {x, y};
  }
  return {};
}

}  // namespace gridtwin::pgstore
