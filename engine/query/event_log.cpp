#include "query/event_log.h"

namespace gridtwin::query {

EventLog::EventLog() : m_chunks(new std::atomic<Slot*>[kMaxChunks]) {
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
  Slot* chunk = m_chunks[c].load(std::memory_order_relaxed);
  if (!chunk) {
    chunk = new Slot[kChunkSize];
    m_chunks[c].store(chunk, std::memory_order_release);
  }
  Slot& s = chunk[n % kChunkSize];
  s.event = event;
  const auto [latest, isNew] = m_latest.try_emplace(event.id, n);
  if (!isNew) {
    // Marked before the size store below: a reader that sees entry n sees
    // this too, and one that does not still counts the old entry (event_log.h).
    s.supersedes = latest->second;
    const std::uint64_t old = latest->second;
    m_chunks[old / kChunkSize].load(std::memory_order_relaxed)[old % kChunkSize].supersededBy.store(
        n, std::memory_order_relaxed);
    latest->second = n;
  } else {
    m_events.fetch_add(1, std::memory_order_relaxed);
  }
  // Publishes the slot (and the chunk pointer) to every acquire of size().
  m_size.store(n + 1, std::memory_order_release);
  return n;
}

std::optional<std::uint64_t> EventLog::latestOf(std::int64_t id) const {
  std::lock_guard lock(m_writer);
  const auto it = m_latest.find(id);
  if (it == m_latest.end()) return std::nullopt;
  return it->second;
}

}  // namespace gridtwin::query
