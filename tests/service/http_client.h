#pragma once
// A small blocking HTTP/1.1 client for the service tests (Boost.Beast, as
// the server): one connection, keep-alive, any number of requests.
#include <utility>
// (utility first: Boost 1.74's asio uses std::exchange)
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <string>

namespace gridtwin::testing {

struct HttpResult {
  int status = 0;  // 0: the connection failed or closed
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port) : m_port(port), m_stream(m_ioc) {}

  HttpResult request(const std::string& method, const std::string& target,
                     const std::string& body = {},
                     const std::map<std::string, std::string>& headers = {}) {
    namespace http = boost::beast::http;
    HttpResult out;
    boost::beast::error_code ec;
    if (!m_connected) {
      m_stream.connect(
          boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), m_port), ec);
      if (ec) {
        out.error = ec.message();
        return out;
      }
      m_connected = true;
    }
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(m_port));
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    req.keep_alive(true);
    http::write(m_stream, req, ec);
    if (ec) {
      m_connected = false;
      out.error = ec.message();
      return out;
    }
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 32);
    http::read(m_stream, buffer, parser, ec);
    if (ec) {
      m_connected = false;
      m_stream.close();
      out.error = ec.message();
      return out;
    }
    auto res = parser.release();
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(f.value());
    }
    if (!res.keep_alive()) {
      m_connected = false;
      m_stream.close();
    }
    return out;
  }

  HttpResult get(const std::string& target, const std::map<std::string, std::string>& h = {}) {
    return request("GET", target, {}, h);
  }

 private:
  std::uint16_t m_port;
  boost::asio::io_context m_ioc;
  boost::beast::tcp_stream m_stream;
  bool m_connected = false;
};

}  // namespace gridtwin::testing
