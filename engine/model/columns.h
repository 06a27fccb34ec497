#pragma once
// Building blocks of the columnar district: strings as offsets + bytes, fixed
// width codes, polygon and line coordinate arrays with part/ring offsets.
//
// Every block comes in two storage flavours chosen by a policy type:
//   Owned  – std::vector columns, filled while loading (single writer);
//   Viewed – std::span<const T> columns over memory someone else owns (the
//            Owned vectors, or a memory-mapped snapshot).
// District readers only ever see Viewed columns: immutable, no shared mutable
// state, safe to read from any number of threads.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "geo/types.h"

namespace gridtwin::model {

// Appends strings into one byte array; string i is
// bytes[offsets[i], offsets[i+1]). offsets always starts with 0, so an empty
// pool has one offset. Not thread-safe while being filled.
class StringPool {
 public:
  std::vector<std::uint32_t> offsets{0};
  std::vector<char> bytes;

  // Returns the new string's index. The pool is limited to 4 GiB of bytes
  // (the offsets are 32-bit); append() asserts it, checkedAppend() reports it.
  std::uint32_t append(std::string_view s);
  core::Result<std::uint32_t> checkedAppend(std::string_view s);
  std::size_t size() const { return offsets.size() - 1; }
  std::string_view operator[](std::size_t i) const {
    return {bytes.data() + offsets[i], offsets[i + 1] - offsets[i]};
  }
  void reserve(std::size_t strings, std::size_t totalBytes);
};

// Read-only view of a StringPool's two arrays.
struct Strings {
  std::span<const std::uint32_t> offsets;
  std::span<const char> bytes;

  std::size_t size() const { return offsets.empty() ? 0 : offsets.size() - 1; }
  std::string_view operator[](std::size_t i) const {
    return {bytes.data() + offsets[i], offsets[i + 1] - offsets[i]};
  }
};

// Deduplicating front of a StringPool for low-cardinality values (industry,
// event category, department): intern() returns the same index for equal
// strings. The map points into the pool's bytes through string_views, so it
// is rebuilt from scratch, never copied. Not thread-safe.
class StringInterner {
 public:
  explicit StringInterner(StringPool& pool);
  std::uint32_t intern(std::string_view s);

 private:
  StringPool& m_pool;
  std::unordered_map<std::string, std::uint32_t> m_index;
};

// Fixed-width codes (GB 11643 resident IDs, GB 32100 credit codes: 18 bytes)
// stored back to back with no terminator.
template <std::size_t N>
std::string_view fixedAt(std::span<const char> column, std::size_t i) {
  return {column.data() + i * N, N};
}

struct Owned {
  template <class T>
  using Col = std::vector<T>;
  using Str = StringPool;
};

struct Viewed {
  template <class T>
  using Col = std::span<const T>;
  using Str = Strings;
};

// Polygon or multipolygon features, flat. Feature f has polygons
// [partStart[f], partStart[f+1]); polygon p has rings [ringStart[p],
// ringStart[p+1]) (the first is the outer ring, then holes); ring r has
// points [pointStart[r], pointStart[r+1]) in lonlat (EPSG:4490, as loaded)
// and, at the same index, xy (EPSG:4547 metres). Rings are closed.
template <class S>
struct PolygonColumns {
  typename S::template Col<std::uint32_t> partStart;
  typename S::template Col<std::uint32_t> ringStart;
  typename S::template Col<std::uint32_t> pointStart;
  typename S::template Col<geo::Point> lonlat;
  typename S::template Col<geo::Point> xy;

  std::size_t size() const { return partStart.empty() ? 0 : partStart.size() - 1; }
};

// Line or multiline features, flat: feature f has lines [partStart[f],
// partStart[f+1]); line l has points [pointStart[l], pointStart[l+1]).
template <class S>
struct LineColumns {
  typename S::template Col<std::uint32_t> partStart;
  typename S::template Col<std::uint32_t> pointStart;
  typename S::template Col<geo::Point> lonlat;
  typename S::template Col<geo::Point> xy;

  std::size_t size() const { return partStart.empty() ? 0 : partStart.size() - 1; }
};

// One point per row; a missing point (an event reported by address text
// only) is NaN,NaN in both arrays.
template <class S>
struct PointColumns {
  typename S::template Col<geo::Point> lonlat;
  typename S::template Col<geo::Point> xy;

  std::size_t size() const { return lonlat.size(); }
};

// Starts an Owned offsets column: one leading 0.
inline void startOffsets(std::vector<std::uint32_t>& offsets) { offsets.assign(1, 0); }

// Feature f of polygon columns as a MultiPolygon in EPSG:4547 metres (the
// xy arrays): one polygon per part, outer ring then holes.
geo::MultiPolygon xyShape(const PolygonColumns<Viewed>& shape, std::size_t feature);

bool isMissing(const geo::Point& p);
geo::Point missingPoint();

}  // namespace gridtwin::model
