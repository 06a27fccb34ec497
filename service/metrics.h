#pragma once
// Counters for /metrics (Prometheus text format 0.0.4): requests by route
// pattern and status, and a latency histogram per route. Thread-safe.
#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace gridtwin::service {

// One metric without labels, with its HELP and TYPE lines, appended to `out`.
void appendMetric(std::string& out, const char* name, const char* type, const char* help,
                  std::uint64_t value);

class Metrics {
 public:
  // Upper bounds of the latency buckets, milliseconds.
  static constexpr std::array<double, 12> kBucketsMs = {0.1, 0.25, 0.5, 1,   2.5, 5,
                                                        10,  25,   50,  100, 250, 1000};
  void record(const std::string& route, int status, double ms);
  std::string text(std::size_t openConnections) const;

 private:
  struct PerRoute {
    std::map<int, std::uint64_t> byStatus;
    std::array<std::uint64_t, kBucketsMs.size() + 1> buckets{};  // last: +Inf
    double sumMs = 0;
    std::uint64_t count = 0;
  };
  mutable std::mutex m_mutex;
  std::map<std::string, PerRoute> m_routes;
};

}  // namespace gridtwin::service
