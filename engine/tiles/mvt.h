#pragma once
// A Mapbox Vector Tile 2.1 encoder of our own: the protobuf wire format
// written by hand (varints, zigzag, length-delimited fields) and the
// geometry command stream (MoveTo, LineTo, ClosePath) in tile coordinates.
//
//   Tile    { repeated Layer layers = 3; }
//   Layer   { version = 15 (2), name = 1, features = 2, keys = 3,
//             values = 4, extent = 5 }
//   Feature { id = 1, tags = 2 (packed), type = 3, geometry = 4 (packed) }
//   Value   { string = 1, double = 3, int64 = 4, sint64 = 6, bool = 7 }
//
// Usage: LayerBuilder layer("roads"); per feature: beginFeature(), then
// property() and the geometry calls, then endFeature(); finally
// encodeTile({&layer, ...}). The caller gives geometry already clipped,
// simplified and oriented (tiles/clip.h): the encoder writes what it is
// given, except that it drops repeated points (zero-length commands) and a
// feature whose geometry ends up empty. Each feature's cursor starts at
// (0,0), as the spec says.
//
// Not thread-safe per builder; builders are independent values.
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gridtwin::tiles::mvt {

enum class GeomType : std::uint8_t { kUnknown = 0, kPoint = 1, kLineString = 2, kPolygon = 3 };

// A point in tile coordinates (0..extent, y down; may lie in the buffer).
struct TilePoint {
  std::int32_t x = 0;
  std::int32_t y = 0;
  friend bool operator==(const TilePoint&, const TilePoint&) = default;
};

inline constexpr std::uint32_t kCommandMoveTo = 1;
inline constexpr std::uint32_t kCommandLineTo = 2;
inline constexpr std::uint32_t kCommandClosePath = 7;
inline constexpr std::uint32_t commandInteger(std::uint32_t id, std::uint32_t count) {
  return (id & 0x7u) | (count << 3);
}
inline constexpr std::uint32_t zigzag(std::int32_t n) {
  return (static_cast<std::uint32_t>(n) << 1) ^ static_cast<std::uint32_t>(n >> 31);
}

// Wire helpers (also used by tests' decoder checks).
void appendVarint(std::string& out, std::uint64_t v);
void appendTag(std::string& out, std::uint32_t field, std::uint32_t wireType);

// The surveyor's formula in tile coordinates (y down): > 0 for a ring that
// is clockwise on screen, which the spec requires of exterior rings.
// `ring` lists each point once (no repeated closing point).
std::int64_t ringArea2(std::span<const TilePoint> ring);

class LayerBuilder {
 public:
  explicit LayerBuilder(std::string name, std::uint32_t extent = 4096);
  // Not copyable: m_values points into m_valueIndex (a move keeps its nodes).
  LayerBuilder(const LayerBuilder&) = delete;
  LayerBuilder& operator=(const LayerBuilder&) = delete;
  LayerBuilder(LayerBuilder&&) = default;
  LayerBuilder& operator=(LayerBuilder&&) = default;

  const std::string& name() const { return m_name; }
  std::uint32_t extent() const { return m_extent; }
  std::size_t featureCount() const { return m_featureCount; }
  bool empty() const { return m_featureCount == 0; }

  void beginFeature(GeomType type, std::optional<std::uint64_t> id = std::nullopt);
  void property(std::string_view key, std::string_view value);
  void property(std::string_view key, const char* value) { property(key, std::string_view(value)); }
  void property(std::string_view key, std::int64_t value);
  void property(std::string_view key, double value);
  void property(std::string_view key, bool value);
  // A value (almost) never repeated in the layer (an id, a time): written to
  // the values table without the look-up that shares equal values. MVT
  // allows equal values twice; sharing them would cost a hash-table entry
  // per feature for nothing (the value look-ups were ~20% of a dense z14
  // tile in perf).
  void uniqueProperty(std::string_view key, std::int64_t value);
  // The same tags by index, for a caller that writes a few values many
  // times (a category, a grid code per event): it looks each value up once
  // (keyId, stringValueId; a new one joins the tables then, as property()
  // would add it) and tags features with the indexes after. Calls in the
  // order property() would make them give the same bytes.
  std::uint32_t keyId(std::string_view key) { return keyIndex(key); }
  std::uint32_t stringValueId(std::string_view value);
  void tag(std::uint32_t key, std::uint32_t value) {
    m_tags.push_back(key);
    m_tags.push_back(value);
  }
  // kPoint: one MoveTo with every point (a multipoint when several).
  void points(std::span<const TilePoint> pts);
  // kLineString: one line (a multilinestring when called again); fewer than
  // two distinct points are skipped.
  void line(std::span<const TilePoint> pts);
  // kPolygon: one ring, each point once (no repeated closing point), already
  // oriented (exterior clockwise on screen: ringArea2 > 0; holes the other
  // way, after their exterior). Rings with fewer than three distinct points
  // are skipped.
  void ring(std::span<const TilePoint> pts);
  // Writes the feature; one with no geometry is dropped. Returns whether it
  // was written.
  bool endFeature();

  // Appends the Layer message as field 3 of a Tile.
  void appendTo(std::string& tile) const;

 private:
  std::uint32_t keyIndex(std::string_view key);
  // `encodedValue` may be m_valueScratch: copied only when it is new.
  void addTag(std::string_view key, std::string_view encodedValue);
  std::uint32_t valueIndex(std::string_view encodedValue);
  void moveTo(const TilePoint& p);
  void lineTo(std::span<const TilePoint> pts, std::size_t from);

  std::string m_name;
  std::uint32_t m_extent;
  std::size_t m_featureCount = 0;
  // A layer has a handful of keys (9 at most in the base layers): found by
  // a scan, not by hashing a new std::string per property.
  std::vector<std::string> m_keys;
  // Encoded Value messages, each once: the map owns them, m_values points
  // at its keys in index order (node-based: the pointers stay valid). Looked
  // up by string_view (transparent hash), so a value already in the layer
  // costs no allocation.
  struct ValueHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::uint32_t, ValueHash, std::equal_to<>> m_valueIndex;
  std::string m_valueScratch;  // the Value being tagged, reused
  std::vector<const std::string*> m_values;
  static constexpr std::uint32_t kNoValue = ~std::uint32_t{0};
  std::vector<std::uint32_t> m_lastValue;  // per key: the value index it had last
  std::deque<std::string> m_uniqueValues;  // uniqueProperty's (a deque: stable addresses)
  std::string m_features;                  // encoded Feature fields (field 2 of the layer)

  // The feature being built.
  GeomType m_type = GeomType::kUnknown;
  std::optional<std::uint64_t> m_id;
  std::vector<std::uint32_t> m_tags;
  std::vector<std::uint32_t> m_geometry;
  std::vector<TilePoint> m_scratch;
  TilePoint m_cursor;
};

// The Tile message of the non-empty layers, in the given order ("" when
// every layer is empty).
std::string encodeTile(std::span<const LayerBuilder* const> layers);

}  // namespace gridtwin::tiles::mvt
