#pragma once
// EventHub: Server-Sent Events to many clients. publish() hands a message to
// every subscriber whose scope holds the message's grid; each subscriber has
// a bounded queue, and one that falls behind (queue full: a slow client) is
// dropped (its stream ends, the server closes the connection) rather than
// holding memory or slowing the others.
//
//   auto hub = std::make_shared<EventHub>();
//   // a route:  return hub->subscribe(access) → Response with .stream set
//   hub->publish(gridRow, json);                       // same text for all
//   hub->publish(gridRow, [](const query::Access& a) { return render(a); });
//
// gridRow < 0: a message for everyone (no grid). Messages go out as
// "event: <name>\ndata: <json>\n\n" (the JSON on one line).
// Thread-safety: every member from any thread.
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "http.h"
#include "query/access.h"

namespace gridtwin::service {

class EventHub {
 public:
  struct Options {
    std::size_t maxQueue = 1024;         // messages waiting per subscriber; more: dropped
    std::size_t maxSubscribers = 20000;  // more: subscribe() refuses (503)
  };
  class Subscription;

  EventHub() : EventHub(Options{}) {}
  explicit EventHub(Options options) : m_options(options) {}

  // A stream for a caller with this access (scope and masking); null when
  // the hub is full.
  std::shared_ptr<Subscription> subscribe(query::Access access);
  // The stream as an HTTP response (text/event-stream), or 503 when full.
  Response streamResponse(query::Access access);

  void publish(std::int64_t gridRow, const std::string& json, const std::string& event = "event");
  // The message rendered once per distinct role (masking differs by role).
  void publish(std::int64_t gridRow, const std::function<std::string(const query::Access&)>& render,
               const std::string& event = "event");

  // The message only to subscribers whose access `visible` accepts (a case
  // without a grid: callers whose scope is the whole district).
  void publishTo(const std::function<bool(const query::Access&)>& visible,
                 const std::function<std::string(const query::Access&)>& render,
                 const std::string& event = "event");

  std::size_t subscriberCount() const;
  std::uint64_t droppedCount() const { return m_dropped.load(); }
  std::uint64_t publishedCount() const { return m_published.load(); }

 private:
  Options m_options;
  mutable std::mutex m_mutex;
  std::vector<std::weak_ptr<Subscription>> m_subs;
  std::atomic<std::uint64_t> m_dropped{0};
  std::atomic<std::uint64_t> m_published{0};
  std::atomic<std::uint64_t> m_nextId{1};
};

class EventHub::Subscription : public StreamSource {
 public:
  Subscription(query::Access access, std::size_t maxQueue)
      : m_access(std::move(access)), m_maxQueue(maxQueue) {}
  const query::Access& access() const { return m_access; }
  // False when the subscriber was dropped (queue full) or closed.
  bool push(std::string message);
  bool open() const;

  void setWake(std::function<void()> wake) override;
  bool take(std::string& out) override;
  void close() override;

 private:
  query::Access m_access;
  std::size_t m_maxQueue;
  mutable std::mutex m_mutex;
  std::deque<std::string> m_queue;
  std::function<void()> m_wake;
  bool m_closed = false;
};

}  // namespace gridtwin::service
