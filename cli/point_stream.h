#pragma once
// The streaming path of `gridtwin locate` and `gridtwin transform`: the input
// read in big blocks and cut into chunks of whole lines, each chunk handled
// by a worker (one per core) into an output buffer of its own, the buffers
// written in input order. Lines are what forEachLine (io.h) gives: split at
// '\n', one trailing '\r' dropped, a last line without '\n' still a line,
// numbered from 1; the first failing line stops the run, and the lines
// before it have been answered.
//
// Header-only, like query_support.h (cli/CMakeLists.txt globs *_command.cpp).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/error.h"

namespace gridtwin::cli::stream {

// Whole lines of the input and the number of the first.
struct Chunk {
  std::string text;
  long firstLine = 1;
};

// What a worker made of a chunk: the output of its lines up to the first
// failing one, and that line's error (without the input:line context).
struct ChunkOutput {
  std::string text;
  std::optional<core::Error> error;
  long errorLine = 0;
  void clear() {
    text.clear();
    error.reset();
    errorLine = 0;
  }
};

// Reads a file (or stdin for "" and "-") in big blocks, cut at line ends.
class ChunkReader {
 public:
  // Errors: kNotFound "cannot open file" naming the path (as forEachLine).
  static core::Result<ChunkReader> open(const std::string& path) {
    ChunkReader r;
    r.m_name = path.empty() || path == "-" ? std::string("stdin") : path;  // as io.h's inputName
    if (!path.empty() && path != "-") {
      std::error_code ec;
      if (std::filesystem::is_directory(path, ec)) {
        return core::makeError(core::ErrorCode::kIo, "is a folder, not a file", path);  // as io.cpp
      }
      r.m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (r.m_fd < 0) return core::makeError(core::ErrorCode::kNotFound, "cannot open file", path);
      r.m_own = true;
    }
    return r;
  }
  ChunkReader(ChunkReader&& o) noexcept { *this = std::move(o); }
  ChunkReader& operator=(ChunkReader&& o) noexcept {
    std::swap(m_fd, o.m_fd);
    std::swap(m_own, o.m_own);
    m_name = std::move(o.m_name);
    m_carry = std::move(o.m_carry);
    m_lastEnd = o.m_lastEnd;
    m_line = o.m_line;
    m_eof = o.m_eof;
    return *this;
  }
  ChunkReader(const ChunkReader&) = delete;
  ChunkReader& operator=(const ChunkReader&) = delete;
  ~ChunkReader() {
    if (m_own && m_fd >= 0) ::close(m_fd);
  }

  // How messages name the input: "stdin" or the path.
  const std::string& name() const { return m_name; }

  // The next chunk (at least kChunkBytes of whole lines, or the rest of the
  // input); false at the end. Errors: kIo "read error" naming the input.
  core::Result<bool> next(Chunk& chunk) {
    chunk.text.clear();
    while (!m_eof && !(m_carry.size() >= kChunkBytes && m_lastEnd != std::string::npos)) {
      const std::size_t old = m_carry.size();
      m_carry.resize(old + kChunkBytes);
      ssize_t n;
      do {
        n = ::read(m_fd, m_carry.data() + old, kChunkBytes);
      } while (n < 0 && errno == EINTR);
      m_carry.resize(old + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
      if (n < 0) return core::makeError(core::ErrorCode::kIo, "read error", m_name);
      if (n == 0) {
        m_eof = true;
        break;
      }
      const void* nl = ::memrchr(m_carry.data() + old, '\n', static_cast<std::size_t>(n));
      if (nl) m_lastEnd = static_cast<std::size_t>(static_cast<const char*>(nl) - m_carry.data());
    }
    if (m_carry.empty()) return false;
    if (m_eof) {
      chunk.text.swap(m_carry);
      m_carry.clear();
    } else {
      chunk.text.assign(m_carry, 0, m_lastEnd + 1);
      m_carry.erase(0, m_lastEnd + 1);
    }
    m_lastEnd = std::string::npos;
    chunk.firstLine = m_line;
    m_line += static_cast<long>(std::count(chunk.text.begin(), chunk.text.end(), '\n'));
    return true;
  }

  // 32 KiB: a chunk's answers (JSON is about 12 times its input) then stay
  // in a core's cache on their way out, and buffers are handed back
  // (run()); 256 KiB chunks measured slower for locate.
  static constexpr std::size_t kChunkBytes = std::size_t{1} << 15;

 private:
  ChunkReader() = default;

  int m_fd = 0;
  bool m_own = false;
  std::string m_name;
  std::string m_carry;                        // read, not yet delivered
  std::size_t m_lastEnd = std::string::npos;  // the last '\n' in m_carry
  long m_line = 1;
  bool m_eof = false;
};

// Calls f(line, number) for each line of the chunk ('\r' before '\n'
// dropped) until f returns false.
template <class F>
void forEachLineOf(const Chunk& chunk, F&& f) {
  const char* p = chunk.text.data();
  const char* const end = p + chunk.text.size();
  long number = chunk.firstLine;
  while (p < end) {
    const char* nl =
        static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    const char* lineEnd = nl ? nl : end;
    std::string_view line(p, static_cast<std::size_t>(lineEnd - p));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!f(line, number)) return;
    ++number;
    p = nl ? nl + 1 : end;
  }
}

// Blanks (space, tab) off both ends, as the commands always trimmed.
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// One finite number filling the whole (trimmed) field, exactly as
// std::from_chars reads it. The usual "-ddd.ddd" with at most 15 significant
// digits is read by hand: the digits as an integer m < 2^53 and the number of
// decimals k <= 22 make m / 10^k one correctly rounded division of two
// exact doubles (Clinger's fast path), the same double from_chars gives.
// Anything else (exponents, more digits, "inf", a lone ".") goes to
// std::from_chars.
inline bool parseNumber(std::string_view s, double& out) {
  s = trim(s);
  if (s.empty()) return false;
  const char* p = s.data();
  const char* const end = p + s.size();
  const bool negative = *p == '-';
  if (negative) ++p;
  std::uint64_t m = 0;
  int digits = 0, decimals = 0;
  const char* const intStart = p;
  while (p < end && static_cast<unsigned char>(*p - '0') < 10) {
    m = m * 10 + static_cast<unsigned>(*p - '0');
    ++p;
  }
  digits = static_cast<int>(p - intStart);
  bool simple = digits > 0;
  if (simple && p < end && *p == '.') {
    const char* const fracStart = ++p;
    while (p < end && static_cast<unsigned char>(*p - '0') < 10) {
      m = m * 10 + static_cast<unsigned>(*p - '0');
      ++p;
    }
    decimals = static_cast<int>(p - fracStart);
    digits += decimals;
    simple = decimals > 0;
  }
  if (simple && p == end && digits <= 15) {
    constexpr double kPow[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                               1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    const double v = static_cast<double>(m) / kPow[decimals];  // m < 10^15 < 2^53: exact
    out = negative ? -v : v;
    return true;
  }
  const auto [stop, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && stop == s.data() + s.size() && std::isfinite(out);
}

// "x,y": exactly two comma-separated finite numbers; xText and yText are
// their fields as given, blanks trimmed (for appendEcho).
inline bool parsePoint(std::string_view s, double& x, double& y, std::string_view& xText,
                       std::string_view& yText) {
  const std::size_t comma = s.find(',');
  if (comma == std::string_view::npos) return false;
  const std::string_view rest = s.substr(comma + 1);
  if (rest.find(',') != std::string_view::npos) return false;
  xText = trim(s.substr(0, comma));
  yText = trim(rest);
  return parseNumber(xText, x) && parseNumber(yText, y);
}

inline bool parsePoint(std::string_view s, double& x, double& y) {
  std::string_view xText, yText;
  return parsePoint(s, x, y, xText, yText);
}

namespace detail {

inline constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

// |v| * 10^decimals rounded to an integer exactly as printf rounds (the exact
// binary value, ties to even), when the double product decides it: false
// when it lies within a few units in the last place of a tie, or is too big.
inline bool scaledDigits(double v, int decimals, std::uint64_t& digits) {
  const double t = std::abs(v) * kPow10[decimals];  // the power is exact
  if (!(t < 4e15)) return false;
  const double whole = std::floor(t);
  const double frac = t - whole;  // exact
  if (std::abs(frac - 0.5) <= t * 0x1p-50 + 0x1p-60) return false;
  digits = static_cast<std::uint64_t>(whole) + (frac > 0.5 ? 1 : 0);
  return true;
}

// digits / 10^decimals in fixed notation with `decimals` places, or fewer
// when trimZeros (then without a point if no place is left).
inline void appendScaled(std::string& out, bool negative, std::uint64_t digits, int decimals,
                         bool trimZeros) {
  char buf[48];
  char* p = buf;
  if (negative) *p++ = '-';
  const auto unit = static_cast<std::uint64_t>(kPow10[decimals]);
  p = std::to_chars(p, buf + sizeof buf, digits / unit).ptr;
  std::uint64_t frac = digits % unit;
  int places = decimals;
  if (trimZeros) {
    while (places > 0 && frac % 10 == 0) {
      frac /= 10;
      --places;
    }
  }
  if (places > 0) {
    *p++ = '.';
    for (int i = places - 1; i >= 0; --i) {
      p[i] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    p += places;
  }
  out.append(buf, p);
}

}  // namespace detail

// Appends what printf("%.9g", v) prints. Numbers from 1 to 1e9 in
// magnitude (every longitude, latitude and metre coordinate here) are
// rounded and written by hand; the rest, and the rare ones too close to a
// tie for a double product to decide, by std::to_chars with a precision,
// which is specified as printf in the C locale. Tested against printf.
inline void appendG9(std::string& out, double v) {
  const double a = std::abs(v);
  if (a >= 1.0 && a < 1e9) {
    int e = 0;  // decimal exponent: 10^e <= a < 10^(e+1)
    while (e < 8 && a >= detail::kPow10[e + 1]) ++e;
    std::uint64_t digits;
    if (detail::scaledDigits(v, 8 - e, digits) && digits < 1'000'000'000) {
      detail::appendScaled(out, std::signbit(v), digits, 8 - e, true);
      return;
    }
  }
  char buf[48];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 9);
  out.append(buf, r.ptr);
}

// Appends the shortest text that reads back to v (std::to_chars without a
// precision): how coordinates given by the user are echoed, never cut.
inline void appendShortest(std::string& out, double v) {
  char buf[48];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// Appends what appendShortest(v) appends, v being the number parseNumber
// read from `field` (trimmed): the field itself, less the trailing zeros of
// its fraction, when it is "[-]d...d.d...d" with a first digit other than 0,
// a fraction digit other than 0 and at most 15 significant digits; else
// appendShortest(v). Why that is the same text: two decimals of at most 15
// significant digits never read as the same double (DBL_DIG is 15), so no
// shorter decimal reads back to v and no other one as short; and for such a
// number the fixed form is shorter than the exponent form, which
// std::to_chars would choose only when shorter. A locate answer echoes every
// point so: copying the digits costs a fraction of to_chars' shortest search.
// Tested against appendShortest.
inline void appendEcho(std::string& out, std::string_view field, double v) {
  const char* p = field.data();
  const char* const end = p + field.size();
  if (p < end && *p == '-') ++p;
  const char* const intStart = p;
  while (p < end && static_cast<unsigned char>(*p - '0') < 10) ++p;
  const char* const intEnd = p;
  if (intEnd > intStart && *intStart != '0' && p < end && *p == '.') {
    const char* const fracStart = ++p;
    while (p < end && static_cast<unsigned char>(*p - '0') < 10) ++p;
    const char* last = p;
    while (last > fracStart && last[-1] == '0') --last;
    if (p == end && last > fracStart && (intEnd - intStart) + (last - fracStart) <= 15) {
      out.append(field.data(), last);
      return;
    }
  }
  appendShortest(out, v);
}

// Appends v with `decimals` (0-15) digits after the point, as printf
// "%.*f"; by hand where a double product decides the rounding, else
// std::to_chars. Tested against printf.
inline void appendFixed(std::string& out, double v, int decimals) {
  std::uint64_t digits;
  if (decimals >= 0 && decimals <= 15 && detail::scaledDigits(v, decimals, digits)) {
    detail::appendScaled(out, std::signbit(v), digits, decimals, false);
    return;
  }
  char buf[400];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  if (r.ec == std::errc()) {
    out.append(buf, r.ptr);
  } else {
    out += std::to_string(v);  // not reached for finite coordinates
  }
}

inline void appendInt(std::string& out, long v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// How many workers: one per core, at most 8.
inline unsigned workerCount() {
  const unsigned n = std::thread::hardware_concurrency();
  return std::clamp(n, 1u, 8u);
}

// Runs work(worker, chunk, output) over the input's chunks with `workers`
// threads (worker = 0 .. workers-1; each worker's calls are sequential) and
// calls write(text) with each chunk's output in input order. Stops at the
// first chunk whose output has an error: its text is written, and the error
// comes back with the context "input:line". A read error comes back after
// every chunk read before it has been written.
template <class Work, class Write>
core::Result<void> run(ChunkReader& reader, unsigned workers, Work&& work, Write&& write) {
  const auto lineError = [&](ChunkOutput& out) {
    return std::move(*out.error).withContext(reader.name() + ":" + std::to_string(out.errorLine));
  };
  Chunk first;
  auto more = reader.next(first);
  if (!more) return more.takeError();
  if (!*more) return {};
  ChunkOutput out;
  if (workers <= 1) {
    Chunk chunk = std::move(first);
    for (;;) {
      out.clear();
      work(0u, chunk, out);
      write(std::string_view(out.text));
      if (out.error) return lineError(out);
      more = reader.next(chunk);
      if (!more) return more.takeError();
      if (!*more) return {};
    }
  }

  struct Job {
    std::uint64_t seq;
    Chunk chunk;
  };
  std::mutex mutex;
  std::condition_variable toWorkers, toMain;
  std::deque<Job> todo;
  std::map<std::uint64_t, ChunkOutput> finished;
  // Written outputs' buffers, handed back to the workers: a chunk's output
  // (megabytes) reuses memory already mapped instead of faulting in fresh
  // pages every time.
  std::vector<std::string> spare;
  bool closing = false;
  std::vector<std::thread> pool;
  pool.reserve(workers);
  for (unsigned w = 0; w < workers; ++w) {
    pool.emplace_back([&, w] {
      ChunkOutput local;
      for (;;) {
        Job job;
        {
          std::unique_lock lock(mutex);
          toWorkers.wait(lock, [&] { return closing || !todo.empty(); });
          if (todo.empty()) return;
          job = std::move(todo.front());
          todo.pop_front();
          if (!spare.empty()) {
            local.text.swap(spare.back());
            spare.pop_back();
          }
        }
        local.clear();
        work(w, job.chunk, local);
        {
          std::lock_guard lock(mutex);
          finished.emplace(job.seq, std::move(local));
        }
        toMain.notify_one();
      }
    });
  }
  std::uint64_t queued = 0, written = 0;
  bool eof = false;
  std::optional<core::Error> readError;
  core::Result<void> result;
  {
    std::lock_guard lock(mutex);
    todo.push_back({queued++, std::move(first)});
  }
  toWorkers.notify_one();
  for (;;) {
    while (!eof && queued - written < 3u * workers) {
      Chunk chunk;
      auto r = reader.next(chunk);
      if (!r || !*r) {
        if (!r) readError = r.takeError();
        eof = true;
        break;
      }
      {
        std::lock_guard lock(mutex);
        todo.push_back({queued++, std::move(chunk)});
      }
      toWorkers.notify_one();
    }
    if (written == queued) break;
    {
      std::unique_lock lock(mutex);
      toMain.wait(lock, [&] { return finished.count(written) != 0; });
      auto node = finished.extract(written);
      out = std::move(node.mapped());
    }
    ++written;
    write(std::string_view(out.text));
    if (out.error) {
      result = lineError(out);
      break;
    }
    {
      std::lock_guard lock(mutex);
      if (spare.size() < workers) spare.push_back(std::move(out.text));
    }
  }
  {
    std::lock_guard lock(mutex);
    closing = true;
    todo.clear();
  }
  toWorkers.notify_all();
  for (auto& t : pool) t.join();
  if (!result) return result;
  if (readError) return std::move(*readError);
  return {};
}

}  // namespace gridtwin::cli::stream
