#include "pgstore/follower.h"

#include <poll.h>

#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/calendar.h"
#include "model/columns.h"

namespace gridtwin::pgstore {

using core::ErrorCode;
using core::makeError;

namespace {}  // namespace

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
    const std::string place =
        m_conn.place() + ": table events, event_id " + std::string(rows->text(i, 0));
    auto number = [&](int col, auto& v) {
      const auto t = rows->text(i, col);
      return std::from_chars(t.data(), t.data() + t.size(), v).ec == std::errc();
    };
    if (!number(0, e.id)) return makeError(ErrorCode::kStore, "bad event_id", place);
    e.categoryCode = std::string(rows->text(i, 1));
    if (!model::parseEventSource(rows->text(i, 2), e.source))
      return makeError(ErrorCode::kStore, "unknown source '" + std::string(rows->text(i, 2)) + "'",
                       place);
    // "YYYY-MM-DDTHH:MM:SS[+hh:mm|Z]", local time (UTC+8) without an offset.
    const std::string_view t = rows->text(i, 3);
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (t.size() < 19 || std::sscanf(std::string(t.substr(0, 19)).c_str(),
                                     "%4d-%2d-%2d%*c%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6)
      return makeError(ErrorCode::kParse, "bad reported_at '" + std::string(t) + "'", place);
    if (!core::isValidDate(y, mo, d))
      return makeError(ErrorCode::kParse, "no such date in reported_at '" + std::string(t) + "'",
                       place);
    std::int64_t offset = 8 * 3600;
    const std::string_view rest = t.substr(19);
    if (rest == "Z") {
      offset = 0;
    } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-')) {
      offset = (rest[0] == '-' ? -1 : 1) * ((rest[1] - '0') * 36000 + (rest[2] - '0') * 3600 +
                                            (rest[4] - '0') * 600 + (rest[5] - '0') * 60);
    }
    e.reportedAt = core::daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset;
    if (!model::parseEventStatus(rows->text(i, 4), e.status))
      return makeError(ErrorCode::kStore, "unknown status '" + std::string(rows->text(i, 4)) + "'",
                       place);
    if (!model::parseDispatchLevel(rows->text(i, 5), e.level))
      return makeError(ErrorCode::kStore,
                       "unknown dispatch level '" + std::string(rows->text(i, 5)) + "'", place);
    auto g = m_grids.find(std::string(rows->text(i, 6)));
    if (g == m_grids.end())
      return makeError(ErrorCode::kStore, "no grid with code " + std::string(rows->text(i, 6)),
                       place);
    e.grid = g->second;
    e.lonlat = model::missingPoint();
    if (!rows->isNull(i, 7) && !rows->isNull(i, 8)) {
      double x = 0, yv = 0;
      if (!number(7, x) || !number(8, yv))
        return makeError(ErrorCode::kStore, "bad coordinates", place);
      e.lonlat = {x, yv};
    }
    m_last = e.id;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace gridtwin::pgstore
