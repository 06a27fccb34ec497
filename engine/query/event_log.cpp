#include "query/event_log.h"

namespace gridtwin::query {

EventLog::EventLog() : m_chunks(new std::atomic<LiveEvent*>[kMaxChunks]) {
  for (std::size_t i = 0; i < kMaxChunks; ++i)
    m_chunks[i].store(nullptr, std::memory_order_relaxed);
}

EventLog::~EventLog() {
  for (std::size_t i = 0; i < kMaxChunks; ++i) delete[] m_chunks[i].load(std::memory_order_relaxed);
}

core::Result<std::uint64_t> EventLog::append(const LiveEvent& event) {
  std::lock_guard lock(m_writer);
  const std::uint64_t n = m_size.load(std::memory_order_relaxed);
  const std::uint64_t c = n / kChunkSize;
  if (c >= kMaxChunks) {
    return core::makeError(core::ErrorCode::kInvalidArgument,
                           "the live event log is full (" + std::to_string(n) + " events)",
                           "event " + std::to_string(event.id));
  }
  LiveEvent* chunk = m_chunks[c].load(std::memory_order_relaxed);
  if (!chunk) {
    chunk = new LiveEvent[kChunkSize];
    m_chunks[c].store(chunk, std::memory_order_release);
  }
  chunk[n % kChunkSize] = event;
  // Publishes the slot (and the chunk pointer) to every acquire of size().
  m_size.store(n + 1, std::memory_order_release);
  return n;
}

}  // namespace gridtwin::query
