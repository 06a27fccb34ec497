#include "event_hub.h"

#include <map>

namespace gridtwin::service {

bool EventHub::Subscription::push(std::string message) {
  std::function<void()> wake;
  {
    std::lock_guard lock(m_mutex);
    if (m_closed) return false;
    if (m_queue.size() >= m_maxQueue) {
      m_closed = true;  // too slow: dropped
      m_queue.clear();
    } else {
      m_queue.push_back(std::move(message));
    }
    wake = m_wake;
  }
  if (wake) wake();
  std::lock_guard lock(m_mutex);
  return !m_closed;
}

bool EventHub::Subscription::open() const {
  std::lock_guard lock(m_mutex);
  return !m_closed;
}

void EventHub::Subscription::setWake(std::function<void()> wake) {
  bool pending;
  {
    std::lock_guard lock(m_mutex);
    m_wake = std::move(wake);
    pending = !m_queue.empty();
  }
  if (pending && m_wake) m_wake();
}

bool EventHub::Subscription::take(std::string& out) {
  std::lock_guard lock(m_mutex);
  while (!m_queue.empty()) {
    out += m_queue.front();
    m_queue.pop_front();
  }
  return !m_closed;
}

void EventHub::Subscription::close() {
  std::lock_guard lock(m_mutex);
  m_closed = true;
  m_queue.clear();
  m_wake = nullptr;
}

std::shared_ptr<EventHub::Subscription> EventHub::subscribe(query::Access access) {
  std::lock_guard lock(m_mutex);
  std::erase_if(m_subs, [](const std::weak_ptr<Subscription>& w) {
    auto s = w.lock();
    return !s || !s->open();
  });
  if (m_subs.size() >= m_options.maxSubscribers) return nullptr;
  auto s = std::make_shared<Subscription>(std::move(access), m_options.maxQueue);
  m_subs.push_back(s);
  return s;
}

Response EventHub::streamResponse(query::Access access) {
  auto s = subscribe(std::move(access));
  if (!s) {
    return Response::error(503, "TooManyStreams",
                           "the server has as many event streams open as it allows");
  }
  Response r;
  r.contentType = "text/event-stream";
  r.stream = s;
  s->push(": connected\n\n");
  return r;
}

namespace {
std::string frame(const std::string& event, const std::string& json, std::uint64_t id) {
  std::string out = "id: " + std::to_string(id) + "\nevent: " + event + "\ndata: ";
  for (char c : json) {
    if (c == '\n') {
      out += "\ndata: ";
    } else if (c != '\r') {
      out += c;
    }
  }
  return out + "\n\n";
}
}  // namespace

void EventHub::publish(std::int64_t gridRow, const std::string& json, const std::string& event) {
  publish(
      gridRow, [&json](const query::Access&) { return json; }, event);
}

void EventHub::publish(std::int64_t gridRow,
                       const std::function<std::string(const query::Access&)>& render,
                       const std::string& event) {
  publishTo(
      [gridRow](const query::Access& a) {
        return gridRow < 0 || a.scope.contains(static_cast<std::uint32_t>(gridRow));
      },
      render, event);
}

void EventHub::publishTo(const std::function<bool(const query::Access&)>& visible,
                         const std::function<std::string(const query::Access&)>& render,
                         const std::string& event) {
  std::vector<std::shared_ptr<Subscription>> subs;
  {
    std::lock_guard lock(m_mutex);
    for (const auto& w : m_subs) {
      if (auto s = w.lock()) subs.push_back(std::move(s));
    }
  }
  const std::uint64_t id = m_nextId++;
  ++m_published;
  std::map<query::Role, std::string> byRole;
  for (auto& s : subs) {
    if (!s->open()) continue;
    if (!visible(s->access())) continue;
    auto it = byRole.find(s->access().role);
    if (it == byRole.end()) {
      it = byRole.emplace(s->access().role, frame(event, render(s->access()), id)).first;
    }
    if (!s->push(it->second)) ++m_dropped;
  }
}

std::size_t EventHub::subscriberCount() const {
  std::lock_guard lock(m_mutex);
  std::size_t n = 0;
  for (const auto& w : m_subs) {
    if (auto s = w.lock(); s && s->open()) ++n;
  }
  return n;
}

}  // namespace gridtwin::service
