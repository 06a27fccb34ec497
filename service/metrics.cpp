#include "metrics.h"

#include "core/json.h"

namespace gridtwin::service {

void appendMetric(std::string& out, const char* name, const char* type, const char* help,
                  std::uint64_t value) {
  out += std::string("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n' +
         name + ' ' + std::to_string(value) + '\n';
}

void Metrics::record(const std::string& route, int status, double ms) {
  std::lock_guard lock(m_mutex);
  PerRoute& r = m_routes[route];
  ++r.byStatus[status];
  std::size_t b = 0;
  while (b < kBucketsMs.size() && ms > kBucketsMs[b]) ++b;
  ++r.buckets[b];
  r.sumMs += ms;
  ++r.count;
}

std::string Metrics::text(std::size_t openConnections) const {
  std::string out;
  out += "# HELP gridtwin_http_requests_total Requests answered, by route pattern and status.\n";
  out += "# TYPE gridtwin_http_requests_total counter\n";
  std::lock_guard lock(m_mutex);
  for (const auto& [route, r] : m_routes) {
    for (const auto& [status, n] : r.byStatus) {
      out += "gridtwin_http_requests_total{route=" + core::jsonQuote(route) + ",status=\"" +
             std::to_string(status) + "\"} " + std::to_string(n) + "\n";
    }
  }
  out += "# HELP gridtwin_http_request_duration_seconds Time to compute an answer.\n";
  out += "# TYPE gridtwin_http_request_duration_seconds histogram\n";
  for (const auto& [route, r] : m_routes) {
    const std::string label = "route=" + core::jsonQuote(route);
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b <= kBucketsMs.size(); ++b) {
      cumulative += r.buckets[b];
      std::string le = "+Inf";
      if (b < kBucketsMs.size()) {
        le.clear();
        core::appendJsonNumber(le, kBucketsMs[b] / 1000.0);
      }
      out += "gridtwin_http_request_duration_seconds_bucket{" + label + ",le=\"" + le + "\"} " +
             std::to_string(cumulative) + "\n";
    }
    std::string sum;
    core::appendJsonNumber(sum, r.sumMs / 1000.0);
    out += "gridtwin_http_request_duration_seconds_sum{" + label + "} " + sum + "\n";
    out += "gridtwin_http_request_duration_seconds_count{" + label + "} " +
           std::to_string(r.count) + "\n";
  }
  out += "# HELP gridtwin_http_open_connections Connections open now.\n";
  out += "# TYPE gridtwin_http_open_connections gauge\n";
  out += "gridtwin_http_open_connections " + std::to_string(openConnections) + "\n";
  return out;
}

}  // namespace gridtwin::service
