#pragma once
// The one worker-pool helper: runs a function on N threads (the calling
// thread is worker 0) and waits for all of them, plus a shared queue of task
// numbers that stops handing out work after a failure. Used by the loaders
// (one table reader a task), the district's projection (one chunk a task)
// and the grid locator's build (one range a worker).
//
// Workers report results by writing to their own slots; callers check them
// after run() returns, on the calling thread.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace gridtwin::core {

// `requested` workers, or when 0 the machine's hardware threads capped at
// `cap`; never more than `tasks` (when given) and never fewer than 1.
inline unsigned workerCount(unsigned requested, std::size_t tasks = 0, unsigned cap = 4) {
  unsigned n =
      requested ? requested : std::min(cap, std::max(1u, std::thread::hardware_concurrency()));
  if (tasks > 0 && tasks < n) n = static_cast<unsigned>(tasks);
  return std::max(1u, n);
}

// Calls work(w) for w in [0, workers) at once, w = 0 on the calling thread,
// and returns when all have returned. `work` must not throw.
template <class F>
void runWorkers(unsigned workers, F&& work) {
  std::vector<std::thread> pool;
  pool.reserve(workers > 0 ? workers - 1 : 0);
  for (unsigned w = 1; w < workers; ++w) pool.emplace_back([&work, w] { work(w); });
  work(0u);
  for (auto& t : pool) t.join();
}

// Task numbers [0, n) for workers to take in order; after stop() none is
// handed out any more (tasks already running finish).
class TaskQueue {
 public:
  explicit TaskQueue(std::size_t n) : m_n(n) {}
  // The next task number into `task`; false when there is none left.
  bool take(std::size_t& task) {
    if (m_stopped.load(std::memory_order_relaxed)) return false;
    task = m_next.fetch_add(1, std::memory_order_relaxed);
    return task < m_n;
  }
  void stop() { m_stopped.store(true, std::memory_order_relaxed); }
  bool stopped() const { return m_stopped.load(std::memory_order_relaxed); }

 private:
  std::size_t m_n;
  std::atomic<std::size_t> m_next{0};
  std::atomic<bool> m_stopped{false};
};

// Splits [0, n) into one contiguous range per worker (at most one worker per
// `grain` items) and calls f(begin, end, worker) on each, the first range on
// the calling thread.
template <class F>
void forRanges(std::size_t n, unsigned workers, std::size_t grain, F&& f) {
  const std::size_t most =
      std::max<std::size_t>(1, (n + grain - 1) / std::max<std::size_t>(1, grain));
  workers = static_cast<unsigned>(std::clamp<std::size_t>(workers, 1, most));
  const std::size_t step = (n + workers - 1) / workers;
  runWorkers(workers,
             [&](unsigned w) { f(std::min(n, w * step), std::min(n, (w + 1) * step), w); });
}

}  // namespace gridtwin::core
