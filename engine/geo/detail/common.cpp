#include "geo/detail/common.h"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace gridtwin::geo::detail {

void appendNumber(std::string& out, double v, int precision) {
  // Big enough for fixed notation of the largest double (309 digits) plus
  // sign, point and up to 16 decimals.
  char buf[400];
  std::to_chars_result r{};
  if (precision >= 17) {
    r = std::to_chars(buf, buf + sizeof buf, v);
  } else {
    r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed,
                      precision < 0 ? 0 : precision);
    if (r.ec == std::errc{} && std::memchr(buf, '.', static_cast<std::size_t>(r.ptr - buf))) {
      while (r.ptr[-1] == '0') --r.ptr;
      if (r.ptr[-1] == '.') --r.ptr;
    }
  }
  std::string_view text(buf, static_cast<std::size_t>(r.ptr - buf));
  if (text == "-0") text = "0";
  out.append(text);
}

std::string describe(const Point& p) {
  std::string s = "(";
  appendNumber(s, p.x, 17);
  s += ' ';
  appendNumber(s, p.y, 17);
  s += ')';
  return s;
}

std::optional<core::Error> ringProblem(const Ring& ring, std::string_view what) {
  if (ring.size() < 4) {
    return core::makeError(core::ErrorCode::kTooFewPoints,
                           std::string(what) + " has " + std::to_string(ring.size()) +
                               " points; a ring needs at least 4 (closed)");
  }
  if (ring.front() != ring.back()) {
    return core::makeError(core::ErrorCode::kUnclosedRing,
                           std::string(what) + " is not closed: first " + describe(ring.front()) +
                               " != last " + describe(ring.back()));
  }
  return std::nullopt;
}

core::Result<std::string> readWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    return core::makeError(err == ENOENT ? core::ErrorCode::kNotFound : core::ErrorCode::kIo,
                           std::string("cannot open: ") + std::strerror(err), path);
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return core::makeError(core::ErrorCode::kIo, "read failed", path);
  return std::move(buf).str();
}

}  // namespace gridtwin::geo::detail
