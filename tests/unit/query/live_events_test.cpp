// Live events: appended while readers query; every answer must be
// consistent with some prefix of the appended events (never a half-added
// one), and readers never lock. Also built under ThreadSanitizer (label
// tsan; scripts/test runs it).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
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
