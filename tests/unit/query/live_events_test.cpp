// Live events: appended while readers query; every answer must be
// consistent with some prefix of the appended events (never a half-added
// one), and readers never lock. A status change supersedes an event's
// earlier entry: every answer counts each event once, with its latest status
// within the prefix it saw. Also built under ThreadSanitizer (label
// tsan; scripts/test runs it).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include "query/query.h"
#include "query/stats.h"
#include "unit/query/synthetic_district.h"

namespace gridtwin::query {
namespace {

using model::Kind;

std::unique_ptr<Twin> makeTwin() {
  auto s = test::syntheticDistrict(11, 4);
  return std::move(Twin::build(std::move(s.district), s.staff).value());
}

// Event i is a pure function of i, so a reader can check every field it sees.
NewEvent eventNumber(const Twin& t, std::uint64_t i) {
  NewEvent e;
  e.id = 1000000 + static_cast<std::int64_t>(i);
  e.category = static_cast<std::uint16_t>(i % 5);
  e.status = static_cast<model::EventStatus>(i % 5);
  e.reportedAt = kReferenceNow - 60 + static_cast<std::int64_t>(i % 50);
  if (i % 3 == 0) {
    e.grid = static_cast<std::uint32_t>(i % t.district().grids().size());
  } else {
    // Inside grid 5's cell (113.044..113.048, 22.994..22.998).
    e.lonlat = geo::Point{113.0445 + 0.003 * static_cast<double>(i % 7) / 7.0,
                          22.9945 + 0.003 * static_cast<double>(i % 11) / 11.0};
  }
  return e;
}

TEST(LiveEvents, AReportedEventIsVisibleAtOnceAndRoutedToItsGridHead) {
  auto t = makeTwin();
  const Access all{Role::kDistrict, Scope::all(16)};
  const auto before = select(*t, all, Area::wholeScope(), KindSet().add(Kind::kEvent));
  NewEvent e;
  e.category = 2;
  e.lonlat = geo::Point{113.0465, 22.9965};  // grid 5
  auto index = t->reportEvent(e);
  ASSERT_TRUE(index.ok()) << index.error().toString();
  const LiveEvent& live = t->liveEvents()[*index];
  EXPECT_EQ(live.grid, 5u);
  EXPECT_GT(live.id, 0);
  EXPECT_GE(t->stationHeadOf(live.grid), 0);
  const auto after = select(*t, all, Area::wholeScope(), KindSet().add(Kind::kEvent));
  EXPECT_EQ(after->count(Kind::kEvent), before->count(Kind::kEvent) + 1);
  // Seen by a circle around it, by its grid, not by a grid head elsewhere.
  auto circle = select(*t, all, Area::ofCircle(live.xy, 1), KindSet().add(Kind::kEvent));
  EXPECT_EQ(circle->live, (std::vector<std::uint64_t>{*index}));
  const Access other{Role::kGridHead, [] {
                       Scope s = Scope::none(16);
                       s.add(6);
                       return s;
                     }()};
  EXPECT_TRUE(select(*t, other, Area::wholeScope(), KindSet().add(Kind::kEvent))->live.empty());
  auto near = nearest(*t, all, Kind::kEvent, live.xy, 1);
  ASSERT_EQ(near->size(), 1u);
  EXPECT_TRUE((*near)[0].live);
  EXPECT_EQ(aggregate(*t, *after).liveEvents, 1u);
}

TEST(LiveEvents, BadReportsAreErrorsAndPublishNothing) {
  auto t = makeTwin();
  NewEvent outside;
  outside.lonlat = geo::Point{114.5, 23.5};  // far outside the district
  auto r1 = t->reportEvent(outside);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().code, core::ErrorCode::kOutOfDomain);
  NewEvent nan;
  nan.lonlat = geo::Point{std::nan(""), 23.0};
  EXPECT_FALSE(t->reportEvent(nan).ok());
  NewEvent nowhere;
  EXPECT_FALSE(t->reportEvent(nowhere).ok());
  NewEvent badCategory;
  badCategory.grid = 0;
  badCategory.category = 999;
  EXPECT_FALSE(t->reportEvent(badCategory).ok());
  EXPECT_EQ(t->liveEvents().size(), 0u);
}

TEST(LiveEvents, EightReadersSeeConsistentPrefixesWhileEventsAreAppended) {
  auto t = makeTwin();
  constexpr std::uint64_t kEvents = 3000;  // crosses two chunk boundaries
  const Access all{Role::kDistrict, Scope::all(16)};
  const Access grid5{Role::kGridHead, [] {
                       Scope s = Scope::none(16);
                       s.add(5);
                       return s;
                     }()};
  // Base events in grid 5, to add to the live count.
  const auto base5 =
      select(*t, grid5, Area::wholeScope(), KindSet().add(Kind::kEvent))->of(Kind::kEvent).size();
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::atomic<std::uint64_t> answers{0};
  auto reader = [&](int id) {
    std::uint64_t lastSeen = 0;
    while (!done.load(std::memory_order_acquire)) {
      const Access& access = id % 2 ? grid5 : all;
      EventFilter filter;
      if (id % 4 == 3) filter.status = model::EventStatus::kClosed;
      auto sel = select(*t, access, Area::wholeScope(), KindSet().add(Kind::kEvent), filter);
      if (!sel.ok()) {
        ++failures;
        return;
      }
      // Prefixes only grow.
      if (sel->liveSeen < lastSeen) ++failures;
      lastSeen = sel->liveSeen;
      // The answer is exactly the expected subset of the prefix it saw, and
      // every event in it is whole.
      std::uint64_t expected = 0;
      std::size_t k = 0;
      for (std::uint64_t i = 0; i < sel->liveSeen; ++i) {
        const NewEvent e = eventNumber(*t, i);
        const LiveEvent& got = t->liveEvents()[i];
        if (got.id != e.id || got.category != e.category || got.status != e.status ||
            got.reportedAt != e.reportedAt) {
          ++failures;
        }
        const bool in = access.scope.contains(got.grid) &&
                        filter.accepts(got.category, got.status, got.reportedAt);
        if (in) {
          ++expected;
          if (k >= sel->live.size() || sel->live[k] != i) ++failures;
          ++k;
        }
      }
      if (sel->live.size() != expected) ++failures;
      const Stats s = aggregate(*t, *sel);
      if (s.liveEvents != expected) ++failures;
      if (id % 2 && !filter.status && s.count(Kind::kEvent) != base5 + expected) ++failures;
      ++answers;
    }
  };
  std::vector<std::thread> readers;
  for (int r = 0; r < 8; ++r) readers.emplace_back(reader, r);
  for (std::uint64_t i = 0; i < kEvents; ++i) {
    // Halfway, wait until the readers have answered a few times, so that
    // answers really interleave with appends even where threads start slowly
    // (under the sanitizers the writer could otherwise finish first).
    if (i == kEvents / 2) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (answers.load() < 16 && failures.load() == 0 &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
      }
    }
    auto r = t->reportEvent(eventNumber(*t, i));
    ASSERT_TRUE(r.ok()) << r.error().toString();
    ASSERT_EQ(*r, i);
  }
  done.store(true, std::memory_order_release);
  for (auto& th : readers) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(answers.load(), 0u);
  EXPECT_EQ(t->liveEvents().size(), kEvents);
}

TEST(LiveEvents, AStatusChangeCountsTheEventOnceWithItsNewStatus) {
  auto t = makeTwin();
  const Access all{Role::kDistrict, Scope::all(16)};
  NewEvent e;
  e.category = 2;
  e.lonlat = geo::Point{113.0465, 22.9965};  // grid 5
  const std::uint64_t first = t->reportEvent(e).value();
  const std::int64_t id = t->liveEvents()[first].id;
  auto count = [&](std::optional<model::EventStatus> status) {
    EventFilter f;
    f.status = status;
    return select(*t, all, Area::wholeScope(), KindSet().add(Kind::kEvent), f)->live.size();
  };
  EXPECT_EQ(count(model::EventStatus::kReported), 1u);
  EXPECT_EQ(count(model::EventStatus::kClosed), 0u);

  auto changed = t->changeEventStatus(id, model::EventStatus::kClosed);
  ASSERT_TRUE(changed.ok()) << changed.error().toString();
  EXPECT_EQ(*changed, first + 1);
  EXPECT_EQ(t->liveEvents()[*changed].id, id);
  EXPECT_EQ(t->liveEvents()[*changed].grid, 5u);
  EXPECT_EQ(count(model::EventStatus::kReported), 0u);
  EXPECT_EQ(count(model::EventStatus::kClosed), 1u);
  const auto sel = select(*t, all, Area::wholeScope(), KindSet().add(Kind::kEvent));
  EXPECT_EQ(sel->live, (std::vector<std::uint64_t>{*changed}));
  const Stats s = aggregate(*t, *sel);
  EXPECT_EQ(s.liveEvents, 1u);
  auto near = nearest(*t, all, Kind::kEvent, t->liveEvents()[first].xy, 2);
  ASSERT_GE(near->size(), 1u);
  EXPECT_TRUE((*near)[0].live);
  EXPECT_EQ((*near)[0].row, *changed);
  for (const auto& n : *near) EXPECT_FALSE(n.live && n.row == first);
  EXPECT_EQ(t->liveEvents().eventCount(), 1u);

  // The same status again appends nothing; an id that is not live is an error.
  EXPECT_EQ(t->changeEventStatus(id, model::EventStatus::kClosed).value(), *changed);
  EXPECT_EQ(t->liveEvents().size(), 2u);
  auto unknown = t->changeEventStatus(id + 1000, model::EventStatus::kClosed);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, core::ErrorCode::kNotFound);
  const std::int64_t snapshotId = t->district().events().id[0];
  EXPECT_EQ(t->changeEventStatus(snapshotId, model::EventStatus::kClosed).error().code,
            core::ErrorCode::kNotFound);
  EXPECT_EQ(t->liveEvents().size(), 2u);
}

// One operation of the status-change race below: a new event, or a new
// status of an earlier one. Every operation appends exactly one entry, so
// operation i is log entry i.
struct Op {
  std::int64_t id = 0;
  model::EventStatus status = model::EventStatus::kReported;
  bool isNew = false;
};

std::vector<Op> statusChangeOps(std::size_t count) {
  std::vector<Op> ops;
  std::vector<model::EventStatus> statusOf;  // by id - kFirstId
  constexpr std::int64_t kFirstId = 5000000;
  for (std::size_t i = 0; i < count; ++i) {
    Op op;
    if (i % 3 == 0) {
      op.isNew = true;
      op.id = kFirstId + static_cast<std::int64_t>(statusOf.size());
      op.status = static_cast<model::EventStatus>(i % 4);  // open at first
      statusOf.push_back(op.status);
    } else {
      // An earlier event, spread by a multiplicative hash; a status that
      // differs from its present one.
      const std::size_t k = (i * 2654435761u) % statusOf.size();
      op.id = kFirstId + static_cast<std::int64_t>(k);
      op.status = static_cast<model::EventStatus>((static_cast<int>(statusOf[k]) + 1 + i % 4) % 5);
      statusOf[k] = op.status;
    }
    ops.push_back(op);
  }
  return ops;
}

TEST(LiveEvents, ReadersCountEachEventOnceWithItsLatestStatusWhileStatusesChange) {
  auto t = makeTwin();
  constexpr std::size_t kOps = 3000;  // crosses two chunk boundaries
  const std::vector<Op> ops = statusChangeOps(kOps);
  const Access all{Role::kDistrict, Scope::all(16)};
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::atomic<std::uint64_t> answers{0};
  auto reader = [&](int r) {
    while (!done.load(std::memory_order_acquire)) {
      EventFilter filter;
      if (r % 2) filter.status = model::EventStatus::kClosed;
      auto sel = select(*t, all, Area::wholeScope(), KindSet().add(Kind::kEvent), filter);
      if (!sel.ok()) {
        ++failures;
        return;
      }
      // Expected: each id's last operation within the prefix, once.
      std::vector<std::uint64_t> last;  // by id - first id
      for (std::uint64_t i = 0; i < sel->liveSeen; ++i) {
        const std::size_t k = static_cast<std::size_t>(ops[i].id - ops[0].id);
        if (k >= last.size()) last.resize(k + 1);
        last[k] = i;
      }
      std::vector<std::uint64_t> expected;
      for (std::uint64_t i : last) {
        if (!filter.status || ops[i].status == *filter.status) expected.push_back(i);
      }
      std::sort(expected.begin(), expected.end());
      if (sel->live != expected) ++failures;
      for (std::uint64_t i : sel->live) {
        const LiveEvent& got = t->liveEvents()[i];
        if (got.id != ops[i].id || got.status != ops[i].status) ++failures;
      }
      if (aggregate(*t, *sel).liveEvents != expected.size()) ++failures;
      ++answers;
    }
  };
  std::vector<std::thread> readers;
  for (int r = 0; r < 6; ++r) readers.emplace_back(reader, r);
  for (std::size_t i = 0; i < kOps; ++i) {
    // Every 250 appends, wait for a few answers begun since, so that the
    // readers' prefixes are spread over the whole run (the writer alone
    // could otherwise finish before a reader answers twice).
    if (i % 250 == 0) {
      const std::uint64_t want = answers.load() + 8;
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (answers.load() < want && failures.load() == 0 &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
      }
    }
    core::Result<std::uint64_t> r = std::uint64_t{0};
    if (ops[i].isNew) {
      NewEvent e = eventNumber(*t, i);
      e.id = ops[i].id;
      e.status = ops[i].status;
      r = t->reportEvent(e);
    } else {
      r = t->changeEventStatus(ops[i].id, ops[i].status);
    }
    ASSERT_TRUE(r.ok()) << r.error().toString();
    ASSERT_EQ(*r, i);
  }
  done.store(true, std::memory_order_release);
  for (auto& th : readers) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(answers.load(), 0u);
  EXPECT_EQ(t->liveEvents().eventCount(), (kOps + 2) / 3);
}

TEST(EventLog, AnAppendWithAnIdInTheLogSupersedesItsLatestEntry) {
  EventLog log;
  LiveEvent a;
  a.id = 7;
  LiveEvent b;
  b.id = 8;
  ASSERT_EQ(log.append(a).value(), 0u);
  ASSERT_EQ(log.append(b).value(), 1u);
  a.status = model::EventStatus::kHandling;
  ASSERT_EQ(log.append(a).value(), 2u);
  a.status = model::EventStatus::kClosed;
  ASSERT_EQ(log.append(a).value(), 3u);
  EXPECT_EQ(log.supersedes(0), EventLog::kNone);
  EXPECT_EQ(log.supersedes(2), 0u);
  EXPECT_EQ(log.supersedes(3), 2u);
  EXPECT_EQ(log.supersededBy(0), 2u);
  EXPECT_EQ(log.supersededBy(2), 3u);
  EXPECT_EQ(log.supersededBy(1), EventLog::kNone);
  EXPECT_EQ(log.supersededBy(3), EventLog::kNone);
  // Each prefix names one entry per id: the latest within it.
  auto currentIn = [&](std::uint64_t seen) {
    std::vector<std::uint64_t> out;
    for (std::uint64_t i = 0; i < seen; ++i) {
      if (log.current(i, seen)) out.push_back(i);
    }
    return out;
  };
  EXPECT_EQ(currentIn(1), (std::vector<std::uint64_t>{0}));
  EXPECT_EQ(currentIn(2), (std::vector<std::uint64_t>{0, 1}));
  EXPECT_EQ(currentIn(3), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(currentIn(4), (std::vector<std::uint64_t>{1, 3}));
  EXPECT_EQ(log.latestOf(7), 3u);
  EXPECT_EQ(log.latestOf(8), 1u);
  EXPECT_FALSE(log.latestOf(9).has_value());
  EXPECT_EQ(log.eventCount(), 2u);
}

TEST(EventLog, ChunksHoldEveryAppendedEvent) {
  EventLog log;
  for (std::uint64_t i = 0; i < 2 * EventLog::kChunkSize + 3; ++i) {
    LiveEvent e;
    e.id = static_cast<std::int64_t>(i);
    ASSERT_EQ(log.append(e).value(), i);
  }
  ASSERT_EQ(log.size(), 2 * EventLog::kChunkSize + 3);
  for (std::uint64_t i = 0; i < log.size(); ++i) EXPECT_EQ(log[i].id, static_cast<std::int64_t>(i));
}

}  // namespace
}  // namespace gridtwin::query
