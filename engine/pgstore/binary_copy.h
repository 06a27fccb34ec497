#pragma once
// Reader of PostgreSQL's binary COPY format (module-internal): the header,
// then per row an int16 field count and per field an int32 length (-1:
// NULL) and the bytes, all big-endian; an int16 -1 ends the stream.
// Rows may span CopyData messages; the reader keeps the partial tail.
#include <bit>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace gridtwin::pgstore::detail {

// One field of the current row; `null` when SQL NULL.
struct Field {
  const char* data = nullptr;
  std::int32_t size = -1;
  bool null() const { return size < 0; }
  std::string_view text() const {
    return null() ? std::string_view() : std::string_view(data, static_cast<std::size_t>(size));
  }
  std::span<const std::uint8_t> bytes() const {
    return null() ? std::span<const std::uint8_t>()
                  : std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(data),
                                                  static_cast<std::size_t>(size));
  }
  std::int64_t int8() const { return static_cast<std::int64_t>(be64()); }
  double float8() const { return std::bit_cast<double>(be64()); }

 private:
  std::uint64_t be64() const {
    std::uint64_t v = 0;
    std::memcpy(&v, data, 8);
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
    return v;
  }
};

class BinaryCopyReader {
 public:
  using OnRow = std::function<core::Result<void>(std::span<const Field>)>;
  explicit BinaryCopyReader(OnRow onRow) : m_onRow(std::move(onRow)) {}

  core::Result<void> feed(std::span<const char> chunk) {
    if (m_pending.empty()) return consume(chunk.data(), chunk.size(), /*keepTail=*/true);
    m_pending.insert(m_pending.end(), chunk.begin(), chunk.end());
    std::vector<char> buffer;
    buffer.swap(m_pending);
    return consume(buffer.data(), buffer.size(), true);
  }
  bool finished() const { return m_done; }
  std::int64_t rows() const { return m_rows; }

 private:
  static std::uint32_t be32(const char* p) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap32(v);
    return v;
  }
  static std::uint16_t be16(const char* p) {
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap16(v);
    return v;
  }

  core::Result<void> consume(const char* p, std::size_t n, bool keepTail) {
    std::size_t pos = 0;
    if (!m_headerRead) {
      if (n < 19) {
        if (keepTail) m_pending.assign(p, p + n);
        return {};
      }
      if (std::memcmp(p, "PGCOPY\n\377\r\n\0", 11) != 0)
        return core::makeError(core::ErrorCode::kStore, "not a binary COPY stream");
      const std::uint32_t ext = be32(p + 15);
      if (n < 19 + ext) {
        if (keepTail) m_pending.assign(p, p + n);
        return {};
      }
      pos = 19 + ext;
      m_headerRead = true;
    }
    while (pos + 2 <= n && !m_done) {
      const auto count = static_cast<std::int16_t>(be16(p + pos));
      if (count == -1) {
        m_done = true;
        pos += 2;
        break;
      }
      std::size_t q = pos + 2;
      m_fields.resize(static_cast<std::size_t>(count));
      bool complete = true;
      for (std::int16_t i = 0; i < count; ++i) {
        if (q + 4 > n) {
          complete = false;
          break;
        }
        const auto len = static_cast<std::int32_t>(be32(p + q));
        q += 4;
        if (len >= 0 && q + static_cast<std::size_t>(len) > n) {
          complete = false;
          break;
        }
        m_fields[static_cast<std::size_t>(i)] = Field{p + q, len};
        if (len > 0) q += static_cast<std::size_t>(len);
      }
      if (!complete) break;
      if (auto r = m_onRow(m_fields); !r) return r;
      ++m_rows;
      pos = q;
    }
    if (pos < n && keepTail) m_pending.assign(p + pos, p + n);
    return {};
  }

  OnRow m_onRow;
  std::vector<Field> m_fields;
  std::vector<char> m_pending;
  bool m_headerRead = false;
  bool m_done = false;
  std::int64_t m_rows = 0;
};

}  // namespace gridtwin::pgstore::detail
