#include "tiles/mvt.h"

#include <cstring>

namespace gridtwin::tiles::mvt {

namespace {
constexpr std::uint32_t kVarint = 0;
constexpr std::uint32_t kFixed64 = 1;
constexpr std::uint32_t kLengthDelimited = 2;

void appendBytesField(std::string& out, std::uint32_t field, std::string_view bytes) {
  appendTag(out, field, kLengthDelimited);
  appendVarint(out, bytes.size());
  out.append(bytes);
}

void appendPacked(std::string& out, std::uint32_t field, const std::vector<std::uint32_t>& values) {
  if (values.empty()) return;
  std::string body;
  for (std::uint32_t v : values) appendVarint(body, v);
  appendBytesField(out, field, body);
}

// Removes consecutive repeats (and, for rings, a repeated closing point).
void dedupe(std::span<const TilePoint> in, std::vector<TilePoint>& out, bool closed) {
  out.clear();
  for (const TilePoint& p : in) {
    if (out.empty() || !(out.back() == p)) out.push_back(p);
  }
  if (closed) {
    while (out.size() > 1 && out.back() == out.front()) out.pop_back();
  }
}
}  // namespace

void appendVarint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void appendTag(std::string& out, std::uint32_t field, std::uint32_t wireType) {
  appendVarint(out, (static_cast<std::uint64_t>(field) << 3) | wireType);
}

std::int64_t ringArea2(std::span<const TilePoint> ring) {
  std::int64_t sum = 0;
  const std::size_t n = ring.size();
  for (std::size_t i = 0; i < n; ++i) {
    const TilePoint& a = ring[i];
    const TilePoint& b = ring[(i + 1) % n];
    sum += static_cast<std::int64_t>(a.x) * b.y - static_cast<std::int64_t>(b.x) * a.y;
  }
  return sum;
}

LayerBuilder::LayerBuilder(std::string name, std::uint32_t extent)
    : m_name(std::move(name)), m_extent(extent) {}

void LayerBuilder::beginFeature(GeomType type, std::optional<std::uint64_t> id) {
  m_type = type;
  m_id = id;
  m_tags.clear();
  m_geometry.clear();
  m_cursor = TilePoint{};
}

std::uint32_t LayerBuilder::keyIndex(std::string_view key) {
  for (std::size_t i = 0; i < m_keys.size(); ++i) {
    if (m_keys[i] == key) return static_cast<std::uint32_t>(i);
  }
  m_keys.emplace_back(key);
  return static_cast<std::uint32_t>(m_keys.size() - 1);
}

std::uint32_t LayerBuilder::valueIndex(std::string encodedValue) {
  const auto next = static_cast<std::uint32_t>(m_values.size());
  const auto [it, added] = m_valueIndex.try_emplace(std::move(encodedValue), next);
  if (added) m_values.push_back(&it->first);
  return it->second;
}

void LayerBuilder::addTag(std::string_view key, std::string encodedValue) {
  const std::uint32_t k = keyIndex(key);
  m_tags.push_back(k);
  // Neighbouring features often repeat a key's value (a layer's status,
  // level, source): the key's last value is checked before the hash.
  if (k >= m_lastValue.size()) m_lastValue.resize(k + 1, kNoValue);
  const std::uint32_t last = m_lastValue[k];
  if (last != kNoValue && *m_values[last] == encodedValue) {
    m_tags.push_back(last);
    return;
  }
  const std::uint32_t v = valueIndex(std::move(encodedValue));
  m_lastValue[k] = v;
  m_tags.push_back(v);
}

void LayerBuilder::property(std::string_view key, std::string_view value) {
  std::string v;
  appendBytesField(v, 1, value);
  addTag(key, std::move(v));
}

namespace {
std::string intValue(std::int64_t value) {
  std::string v;
  if (value >= 0) {
    appendTag(v, 4, kVarint);  // int_value
    appendVarint(v, static_cast<std::uint64_t>(value));
  } else {
    appendTag(v, 6, kVarint);  // sint_value, zigzag
    appendVarint(
        v, (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63));
  }
  return v;
}
}  // namespace

void LayerBuilder::property(std::string_view key, std::int64_t value) {
  addTag(key, intValue(value));
}

void LayerBuilder::uniqueProperty(std::string_view key, std::int64_t value) {
  m_tags.push_back(keyIndex(key));
  m_tags.push_back(static_cast<std::uint32_t>(m_values.size()));
  m_uniqueValues.push_back(intValue(value));
  m_values.push_back(&m_uniqueValues.back());
}

void LayerBuilder::property(std::string_view key, double value) {
  std::string v;
  appendTag(v, 3, kFixed64);  // double_value
  char bytes[8];
  std::memcpy(bytes, &value, 8);  // little-endian hosts only (x86-64, arm64)
  v.append(bytes, 8);
  addTag(key, std::move(v));
}

void LayerBuilder::property(std::string_view key, bool value) {
  std::string v;
  appendTag(v, 7, kVarint);
  appendVarint(v, value ? 1 : 0);
  addTag(key, std::move(v));
}

void LayerBuilder::moveTo(const TilePoint& p) {
  m_geometry.push_back(commandInteger(kCommandMoveTo, 1));
  m_geometry.push_back(zigzag(p.x - m_cursor.x));
  m_geometry.push_back(zigzag(p.y - m_cursor.y));
  m_cursor = p;
}

void LayerBuilder::lineTo(std::span<const TilePoint> pts, std::size_t from) {
  m_geometry.push_back(
      commandInteger(kCommandLineTo, static_cast<std::uint32_t>(pts.size() - from)));
  for (std::size_t i = from; i < pts.size(); ++i) {
    m_geometry.push_back(zigzag(pts[i].x - m_cursor.x));
    m_geometry.push_back(zigzag(pts[i].y - m_cursor.y));
    m_cursor = pts[i];
  }
}

void LayerBuilder::points(std::span<const TilePoint> pts) {
  if (pts.empty()) return;
  m_geometry.push_back(commandInteger(kCommandMoveTo, static_cast<std::uint32_t>(pts.size())));
  for (const TilePoint& p : pts) {
    m_geometry.push_back(zigzag(p.x - m_cursor.x));
    m_geometry.push_back(zigzag(p.y - m_cursor.y));
    m_cursor = p;
  }
}

void LayerBuilder::line(std::span<const TilePoint> pts) {
  dedupe(pts, m_scratch, false);
  if (m_scratch.size() < 2) return;
  moveTo(m_scratch.front());
  lineTo(m_scratch, 1);
}

void LayerBuilder::ring(std::span<const TilePoint> pts) {
  dedupe(pts, m_scratch, true);
  if (m_scratch.size() < 3 || ringArea2(m_scratch) == 0) return;
  moveTo(m_scratch.front());
  lineTo(m_scratch, 1);
  m_geometry.push_back(commandInteger(kCommandClosePath, 1));
}

bool LayerBuilder::endFeature() {
  if (m_geometry.empty()) return false;
  std::string f;
  if (m_id) {
    appendTag(f, 1, kVarint);
    appendVarint(f, *m_id);
  }
  appendPacked(f, 2, m_tags);
  appendTag(f, 3, kVarint);
  appendVarint(f, static_cast<std::uint32_t>(m_type));
  appendPacked(f, 4, m_geometry);
  appendBytesField(m_features, 2, f);
  ++m_featureCount;
  m_geometry.clear();
  m_tags.clear();
  return true;
}

void LayerBuilder::appendTo(std::string& tile) const {
  std::string layer;
  appendTag(layer, 15, kVarint);
  appendVarint(layer, 2);
  appendBytesField(layer, 1, m_name);
  layer.append(m_features);
  for (const std::string& k : m_keys) appendBytesField(layer, 3, k);
  for (const std::string* v : m_values) appendBytesField(layer, 4, *v);
  appendTag(layer, 5, kVarint);
  appendVarint(layer, m_extent);
  appendBytesField(tile, 3, layer);
}

std::string encodeTile(std::span<const LayerBuilder* const> layers) {
  std::string tile;
  for (const LayerBuilder* layer : layers) {
    if (layer != nullptr && !layer->empty()) layer->appendTo(tile);
  }
  return tile;
}

}  // namespace gridtwin::tiles::mvt
