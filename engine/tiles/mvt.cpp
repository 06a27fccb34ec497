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

std::size_t varintSize(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

std::size_t packedSize(const std::vector<std::uint32_t>& values) {
  std::size_t n = 0;
  for (std::uint32_t v : values) n += varintSize(v);
  return n;
}

// Raw writers for a buffer already sized: one resize per Feature or Layer
// instead of an append per varint (appendVarint was still 12% of the event
// layers in perf).
unsigned char* putVarint(unsigned char* p, std::uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<unsigned char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<unsigned char>(v);
  return p;
}
unsigned char* putTag(unsigned char* p, std::uint32_t field, std::uint32_t wireType) {
  return putVarint(p, (static_cast<std::uint64_t>(field) << 3) | wireType);
}
unsigned char* putBytesField(unsigned char* p, std::uint32_t field, std::string_view bytes) {
  p = putTag(p, field, kLengthDelimited);
  p = putVarint(p, bytes.size());
  std::memcpy(p, bytes.data(), bytes.size());
  return p + bytes.size();
}
unsigned char* putPacked(unsigned char* p, std::uint32_t field,
                         const std::vector<std::uint32_t>& values, std::size_t size) {
  if (values.empty()) return p;
  p = putTag(p, field, kLengthDelimited);
  p = putVarint(p, size);
  for (std::uint32_t v : values) p = putVarint(p, v);
  return p;
}
// The end of `out` grown by n bytes, to be written by the put* functions.
unsigned char* grow(std::string& out, std::size_t n) {
  const std::size_t at = out.size();
  out.resize(at + n);
  return reinterpret_cast<unsigned char*>(out.data() + at);
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
  // Into a local buffer, then one append: a push_back per byte was the
  // encoder's top line in perf (13% of a dense z14 tile).
  char buf[10];
  std::size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out.append(buf, n);
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

void LayerBuilder::addTag(std::string_view key, std::string_view encodedValue) {
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
  const std::uint32_t v = valueIndex(encodedValue);
  m_lastValue[k] = v;
  m_tags.push_back(v);
}

std::uint32_t LayerBuilder::valueIndex(std::string_view encodedValue) {
  if (const auto it = m_valueIndex.find(encodedValue); it != m_valueIndex.end()) {
    return it->second;
  }
  const auto v = static_cast<std::uint32_t>(m_values.size());
  const auto added = m_valueIndex.emplace(std::string(encodedValue), v).first;
  m_values.push_back(&added->first);
  return v;
}

std::uint32_t LayerBuilder::stringValueId(std::string_view value) {
  m_valueScratch.clear();
  appendBytesField(m_valueScratch, 1, value);
  return valueIndex(m_valueScratch);
}

void LayerBuilder::property(std::string_view key, std::string_view value) {
  m_valueScratch.clear();
  appendBytesField(m_valueScratch, 1, value);
  addTag(key, m_valueScratch);
}

namespace {
void appendIntValue(std::string& v, std::int64_t value) {
  if (value >= 0) {
    appendTag(v, 4, kVarint);  // int_value
    appendVarint(v, static_cast<std::uint64_t>(value));
  } else {
    appendTag(v, 6, kVarint);  // sint_value, zigzag
    appendVarint(
        v, (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63));
  }
}
}  // namespace

void LayerBuilder::property(std::string_view key, std::int64_t value) {
  m_valueScratch.clear();
  appendIntValue(m_valueScratch, value);
  addTag(key, m_valueScratch);
}

void LayerBuilder::uniqueProperty(std::string_view key, std::int64_t value) {
  m_tags.push_back(keyIndex(key));
  m_tags.push_back(static_cast<std::uint32_t>(m_values.size()));
  appendIntValue(m_uniqueValues.emplace_back(), value);
  m_values.push_back(&m_uniqueValues.back());
}

void LayerBuilder::property(std::string_view key, double value) {
  m_valueScratch.clear();
  appendTag(m_valueScratch, 3, kFixed64);  // double_value
  char bytes[8];
  std::memcpy(bytes, &value, 8);  // little-endian hosts only (x86-64, arm64)
  m_valueScratch.append(bytes, 8);
  addTag(key, m_valueScratch);
}

void LayerBuilder::property(std::string_view key, bool value) {
  m_valueScratch.clear();
  appendTag(m_valueScratch, 7, kVarint);
  appendVarint(m_valueScratch, value ? 1 : 0);
  addTag(key, m_valueScratch);
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
  // The Feature written in place: its length first (every field's size is
  // known), so no temporary message per feature.
  const std::size_t tagsSize = packedSize(m_tags);
  const std::size_t geometrySize = packedSize(m_geometry);
  std::size_t size = 0;
  if (m_id) size += 1 + varintSize(*m_id);
  if (!m_tags.empty()) size += 1 + varintSize(tagsSize) + tagsSize;
  size += 1 + varintSize(static_cast<std::uint32_t>(m_type));
  size += 1 + varintSize(geometrySize) + geometrySize;
  unsigned char* p = grow(m_features, 1 + varintSize(size) + size);
  p = putTag(p, 2, kLengthDelimited);
  p = putVarint(p, size);
  if (m_id) {
    p = putTag(p, 1, kVarint);
    p = putVarint(p, *m_id);
  }
  p = putPacked(p, 2, m_tags, tagsSize);
  p = putTag(p, 3, kVarint);
  p = putVarint(p, static_cast<std::uint32_t>(m_type));
  putPacked(p, 4, m_geometry, geometrySize);
  ++m_featureCount;
  m_geometry.clear();
  m_tags.clear();
  return true;
}

void LayerBuilder::appendTo(std::string& tile) const {
  // Written into `tile` in place, its length computed first: the features
  // (most of a dense tile) are copied once.
  const auto bytesFieldSize = [](std::size_t n) { return 1 + varintSize(n) + n; };
  std::size_t size = 2 + bytesFieldSize(m_name.size()) + m_features.size();
  for (const std::string& k : m_keys) size += bytesFieldSize(k.size());
  for (const std::string* v : m_values) size += bytesFieldSize(v->size());
  size += 1 + varintSize(m_extent);
  unsigned char* p = grow(tile, 1 + varintSize(size) + size);
  p = putTag(p, 3, kLengthDelimited);
  p = putVarint(p, size);
  p = putTag(p, 15, kVarint);
  p = putVarint(p, 2);
  p = putBytesField(p, 1, m_name);
  std::memcpy(p, m_features.data(), m_features.size());
  p += m_features.size();
  for (const std::string& k : m_keys) p = putBytesField(p, 3, k);
  for (const std::string* v : m_values) p = putBytesField(p, 4, *v);
  p = putTag(p, 5, kVarint);
  putVarint(p, m_extent);
}

std::string encodeTile(std::span<const LayerBuilder* const> layers) {
  std::string tile;
  for (const LayerBuilder* layer : layers) {
    if (layer != nullptr && !layer->empty()) layer->appendTo(tile);
  }
  return tile;
}

}  // namespace gridtwin::tiles::mvt
