// The one worker-pool helper (core/workers.h). Workers only record what they
// did; every assertion runs on the test's own thread.
#include "core/workers.h"

#include <gtest/gtest.h>

#include <numeric>
#include <thread>
#include <vector>

namespace gridtwin::core {
namespace {

TEST(Workers, CountIsRequestedOrCappedAndNeverMoreThanTheTasks) {
  EXPECT_EQ(workerCount(3), 3u);
  EXPECT_EQ(workerCount(8, 2), 2u);
  EXPECT_GE(workerCount(0), 1u);
  EXPECT_LE(workerCount(0, 0, 4), 4u);
  EXPECT_EQ(workerCount(0, 1), 1u);
}

TEST(Workers, EveryWorkerRunsOnceAndWorkerZeroIsTheCaller) {
  std::vector<int> runs(5, 0);
  std::vector<std::thread::id> ids(5);
  runWorkers(5, [&](unsigned w) {
    ++runs[w];
    ids[w] = std::this_thread::get_id();
  });
  for (int r : runs) EXPECT_EQ(r, 1);
  EXPECT_EQ(ids[0], std::this_thread::get_id());
  for (unsigned w = 1; w < 5; ++w) EXPECT_NE(ids[w], ids[0]);
}

TEST(Workers, EveryTaskIsTakenExactlyOnce) {
  constexpr std::size_t kTasks = 1000;
  TaskQueue queue(kTasks);
  std::vector<int> taken(kTasks, 0);  // each slot written by the one worker that took it
  runWorkers(4, [&](unsigned) {
    for (std::size_t i; queue.take(i);) ++taken[i];
  });
  for (std::size_t i = 0; i < kTasks; ++i) EXPECT_EQ(taken[i], 1) << "task " << i;
}

TEST(Workers, NoTaskStartsAfterAStop) {
  TaskQueue queue(1000);
  std::vector<int> taken(1000, 0);
  runWorkers(1, [&](unsigned) {
    for (std::size_t i; queue.take(i);) {
      ++taken[i];
      if (i == 9) queue.stop();
    }
  });
  EXPECT_TRUE(queue.stopped());
  EXPECT_EQ(std::accumulate(taken.begin(), taken.end(), 0), 10);
}

TEST(Workers, RangesCoverEveryItemOnceWithAtLeastTheGrainEach) {
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{4095}, std::size_t{4097},
                        std::size_t{100000}}) {
    std::vector<int> seen(n, 0);
    std::vector<std::size_t> sizes(8, 0);
    forRanges(n, 8, 4096, [&](std::size_t begin, std::size_t end, unsigned w) {
      sizes[w] = end - begin;
      for (std::size_t i = begin; i < end; ++i) ++seen[i];
    });
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(seen[i], 1) << n << " items, item " << i;
    std::size_t used = 0;
    for (std::size_t s : sizes) used += s > 0;
    EXPECT_LE(used, std::max<std::size_t>(1, (n + 4095) / 4096)) << n;
  }
}

}  // namespace
}  // namespace gridtwin::core
