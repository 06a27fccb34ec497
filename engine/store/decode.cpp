#include "store/decode.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/calendar.h"

namespace gridtwin::store::decode {
namespace {

using core::ErrorCode;
using core::makeError;
using model::Owned;

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// ---- WKB, decoded straight into flat arrays

// A WKB cursor over one blob. Each nested geometry declares its own byte
// order; counts are checked against the bytes left before any allocation.
class Wkb {
 public:
  explicit Wkb(std::span<const std::uint8_t> bytes) : m_bytes(bytes) {}

  std::size_t offset() const { return m_pos; }
  bool readByteOrder() {
    if (m_pos >= m_bytes.size() || m_bytes[m_pos] > 1) return false;
    m_little = m_bytes[m_pos++] == 1;
    return true;
  }
  bool readU32(std::uint32_t& v) {
    if (m_bytes.size() - m_pos < 4) return false;
    std::memcpy(&v, m_bytes.data() + m_pos, 4);
    if (m_little != (std::endian::native == std::endian::little)) v = __builtin_bswap32(v);
    m_pos += 4;
    return true;
  }
  bool readDouble(double& v) {
    if (m_bytes.size() - m_pos < 8) return false;
    std::uint64_t u;
    std::memcpy(&u, m_bytes.data() + m_pos, 8);
    if (m_little != (std::endian::native == std::endian::little)) u = __builtin_bswap64(u);
    v = std::bit_cast<double>(u);
    m_pos += 8;
    return true;
  }
  bool skip(std::size_t n) {
    if (m_bytes.size() - m_pos < n) return false;
    m_pos += n;
    return true;
  }
  std::size_t remaining() const { return m_bytes.size() - m_pos; }
  // Byte order + type: base type (1..7) and the number of ordinates per point.
  bool readHeader(std::uint32_t& base, int& dims) {
    std::uint32_t type = 0;
    if (!readByteOrder() || !readU32(type)) return false;
    dims = 2;
    if (type & 0x80000000u) ++dims;  // EWKB Z
    if (type & 0x40000000u) ++dims;  // EWKB M
    if (type & 0x20000000u) {        // EWKB SRID: skip it
      std::uint32_t srid;
      if (!readU32(srid)) return false;
    }
    type &= 0x0FFFFFFFu;
    const std::uint32_t iso = type / 1000;
    if (iso > 3) return false;
    dims += iso == 3 ? 2 : iso == 0 ? 0 : 1;
    base = type % 1000;
    return true;
  }
  bool readPoint(int dims, geo::Point& p) {
    if (!readDouble(p.x) || !readDouble(p.y)) return false;
    return skip(static_cast<std::size_t>(dims - 2) * 8);
  }

 private:
  std::span<const std::uint8_t> m_bytes;
  std::size_t m_pos = 0;
  bool m_little = true;
};

core::Error wkbError(const Wkb& w, const std::string& what) {
  return makeError(ErrorCode::kGeometry, "at offset " + std::to_string(w.offset()) + ": " + what);
}

bool finitePoint(const geo::Point& p) { return std::isfinite(p.x) && std::isfinite(p.y); }

// Appends one ring/line's points; `closed` requires first == last and 4+ points.
core::Result<void> readPoints(Wkb& w, int dims, bool closed, std::vector<geo::Point>& out) {
  std::uint32_t n = 0;
  if (!w.readU32(n)) return makeError(ErrorCode::kUnexpectedEnd, "WKB ends before a point count");
  if (static_cast<std::size_t>(n) * static_cast<std::size_t>(dims) * 8 > w.remaining()) {
    return wkbError(w, std::to_string(n) + " points declared, more than the blob holds");
  }
  if (!closed && n == 0)
    return makeError(ErrorCode::kStore, "empty geometry where a line is required");
  if (closed && n < 4)
    return makeError(ErrorCode::kTooFewPoints, "a ring needs 4 points, has " + std::to_string(n));
  if (!closed && n < 2)
    return makeError(ErrorCode::kTooFewPoints, "a line needs 2 points, has " + std::to_string(n));
  const std::size_t first = out.size();
  for (std::uint32_t i = 0; i < n; ++i) {
    geo::Point p;
    w.readPoint(dims, p);
    if (!finitePoint(p)) return wkbError(w, "non-finite coordinate");
    out.push_back(p);
  }
  if (closed && !(out[first] == out.back()))
    return makeError(ErrorCode::kUnclosedRing, "ring is not closed");
  return {};
}

// `whole`: the polygon is the feature (no rings is an empty geometry), not a
// MultiPolygon member.
core::Result<void> readPolygonBody(Wkb& w, int dims, model::PolygonColumns<Owned>& out,
                                   bool whole = true) {
  std::uint32_t rings = 0;
  if (!w.readU32(rings))
    return makeError(ErrorCode::kUnexpectedEnd, "WKB ends before a ring count");
  if (rings == 0) {
    if (whole) return makeError(ErrorCode::kStore, "empty geometry where a polygon is required");
    return wkbError(w, "polygon without rings");
  }
  if (static_cast<std::size_t>(rings) * 4 > w.remaining())
    return wkbError(w, "more rings declared than the blob holds");
  for (std::uint32_t r = 0; r < rings; ++r) {
    if (auto ok = readPoints(w, dims, true, out.lonlat); !ok) return ok;
    out.pointStart.push_back(static_cast<std::uint32_t>(out.lonlat.size()));
  }
  out.ringStart.push_back(static_cast<std::uint32_t>(out.pointStart.size() - 1));
  return {};
}

}  // namespace

// ---- dates and times

bool parseDate(std::string_view s, std::int64_t& days) {
  int y, m, d;
  if (s.size() < 10 || s[4] != '-' || s[7] != '-' || !digits(s, 0, 4, y) || !digits(s, 5, 2, m) ||
      !digits(s, 8, 2, d) || !core::isValidDate(y, m, d)) {
    return false;  // 2026-02-30 included: it would roll into March
  }
  days = core::daysFromCivil(y, m, d);
  return s.size() == 10;
}

bool parseTime(std::string_view s, std::int64_t& seconds) {
  std::int64_t days = 0;
  int hh, mm, ss;
  if (s.size() < 19 || !parseDate(s.substr(0, 10), days) || (s[10] != 'T' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':' || !digits(s, 11, 2, hh) || !digits(s, 14, 2, mm) ||
      !digits(s, 17, 2, ss) || hh > 23 || mm > 59 || ss > 60) {
    return false;
  }
  std::int64_t offset = 8 * 3600;
  std::string_view rest = s.substr(19);
  if (rest == "Z") {
    offset = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int oh, om;
    if (!digits(rest, 1, 2, oh) || !digits(rest, 4, 2, om)) return false;
    offset = (rest[0] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
  } else if (!rest.empty()) {
    return false;
  }
  seconds = days * 86400 + hh * 3600 + mm * 60 + ss - offset;
  return true;
}

bool parsePersonTags(std::string_view list, std::uint32_t& tags, std::string_view& bad) {
  tags = 0;
  for (std::string_view rest = list; !rest.empty();) {
    const auto comma = rest.find(',');
    const std::string_view tag = rest.substr(0, comma);
    model::PersonTag bit{};
    if (!model::parsePersonTag(tag, bit)) {
      bad = tag;
      return false;
    }
    tags |= model::tagBit(bit);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return true;
}

// ---- geometry into flat columns

void startPolygons(model::PolygonColumns<Owned>& p) {
  model::startOffsets(p.partStart);
  model::startOffsets(p.ringStart);
  model::startOffsets(p.pointStart);
}
void startLines(model::LineColumns<Owned>& l) {
  model::startOffsets(l.partStart);
  model::startOffsets(l.pointStart);
}

core::Result<void> appendPolygons(std::span<const std::uint8_t> wkb,
                                  model::PolygonColumns<Owned>& out) {
  if (wkb.empty()) return makeError(ErrorCode::kStore, "NULL geometry where a polygon is required");
  Wkb w(wkb);
  std::uint32_t base = 0;
  int dims = 2;
  if (!w.readHeader(base, dims)) return wkbError(w, "bad WKB header");
  if (base == 3) {
    if (auto r = readPolygonBody(w, dims, out); !r) return r;
  } else if (base == 6) {
    std::uint32_t n = 0;
    if (!w.readU32(n))
      return makeError(ErrorCode::kUnexpectedEnd, "WKB ends before a polygon count");
    if (n == 0) return makeError(ErrorCode::kStore, "empty geometry where a polygon is required");
    if (static_cast<std::size_t>(n) * 9 > w.remaining())
      return wkbError(w, "more polygons declared than the blob holds");
    for (std::uint32_t i = 0; i < n; ++i) {
      std::uint32_t inner = 0;
      int innerDims = 2;
      if (!w.readHeader(inner, innerDims) || inner != 3)
        return wkbError(w, "a MultiPolygon member is not a Polygon");
      if (auto r = readPolygonBody(w, innerDims, out, false); !r) return r;
    }
  } else {
    return wkbError(w, "expected a Polygon or MultiPolygon, got WKB type " + std::to_string(base));
  }
  out.partStart.push_back(static_cast<std::uint32_t>(out.ringStart.size() - 1));
  return {};
}

core::Result<void> appendLines(std::span<const std::uint8_t> wkb, model::LineColumns<Owned>& out) {
  if (wkb.empty()) return makeError(ErrorCode::kStore, "NULL geometry where a line is required");
  Wkb w(wkb);
  std::uint32_t base = 0;
  int dims = 2;
  if (!w.readHeader(base, dims)) return wkbError(w, "bad WKB header");
  auto line = [&](int d) -> core::Result<void> {
    if (auto r = readPoints(w, d, false, out.lonlat); !r) return r;
    out.pointStart.push_back(static_cast<std::uint32_t>(out.lonlat.size()));
    return {};
  };
  if (base == 2) {
    if (auto r = line(dims); !r) return r;
  } else if (base == 5) {
    std::uint32_t n = 0;
    if (!w.readU32(n)) return makeError(ErrorCode::kUnexpectedEnd, "WKB ends before a line count");
    if (n == 0) return makeError(ErrorCode::kStore, "empty geometry where a line is required");
    if (static_cast<std::size_t>(n) * 9 > w.remaining())
      return wkbError(w, "more lines declared than the blob holds");
    for (std::uint32_t i = 0; i < n; ++i) {
      std::uint32_t inner = 0;
      int innerDims = 2;
      if (!w.readHeader(inner, innerDims) || inner != 2)
        return wkbError(w, "a MultiLineString member is not a LineString");
      if (auto r = line(innerDims); !r) return r;
    }
  } else {
    return wkbError(
        w, "expected a LineString or MultiLineString, got WKB type " + std::to_string(base));
  }
  out.partStart.push_back(static_cast<std::uint32_t>(out.pointStart.size() - 1));
  return {};
}

core::Result<geo::Point> checkPoint(bool isNull, geo::Point p, bool nullable) {
  if (isNull) {
    if (nullable) return model::missingPoint();
    return makeError(ErrorCode::kStore, "NULL geometry where a point is required");
  }
  if (std::isnan(p.x) && std::isnan(p.y)) {
    if (nullable) return model::missingPoint();
    return makeError(ErrorCode::kStore, "empty geometry where a point is required");
  }
  if (!finitePoint(p)) return makeError(ErrorCode::kGeometry, "non-finite coordinate");
  return p;
}

core::Result<geo::Point> decodePoint(std::span<const std::uint8_t> wkb, bool nullable) {
  if (wkb.empty()) return checkPoint(true, {}, nullable);
  Wkb w(wkb);
  std::uint32_t base = 0;
  int dims = 2;
  if (!w.readHeader(base, dims)) return wkbError(w, "bad WKB header");
  if (base != 1) return wkbError(w, "expected a Point, got WKB type " + std::to_string(base));
  geo::Point p;
  if (!w.readPoint(dims, p))
    return makeError(ErrorCode::kUnexpectedEnd, "WKB ends inside the point");
  // Non-finite is told with its offset; NaN NaN is POINT EMPTY.
  if (!(std::isnan(p.x) && std::isnan(p.y)) && !finitePoint(p))
    return wkbError(w, "non-finite coordinate");
  return checkPoint(false, p, nullable);
}

// ---- indexes from keys to rows

void CodeIndex::build(const model::StringPool& pool) {
  m_map.clear();
  m_map.reserve(pool.size() * 2);
  for (std::size_t i = 0; i < pool.size(); ++i)
    m_map.emplace(pool[i], static_cast<std::uint32_t>(i));
}

std::int64_t CodeIndex::firstDuplicate(const model::StringPool& pool) const {
  if (m_map.size() == pool.size()) return -1;
  for (std::size_t i = 0; i < pool.size(); ++i) {
    if (m_map.at(pool[i]) != i) return static_cast<std::int64_t>(i);
  }
  return -1;
}

core::Result<void> buildUnique(CodeIndex& index, const model::StringPool& codes,
                               std::string_view what, const std::string& place) {
  index.build(codes);
  if (auto d = index.firstDuplicate(codes); d >= 0) {
    return makeError(ErrorCode::kStore,
                     "duplicate " + std::string(what) + " code " +
                         std::string(codes[static_cast<std::size_t>(d)]),
                     place);
  }
  return {};
}

std::int64_t IdIndex::build(const std::vector<std::int64_t>& ids) {
  std::int64_t lo = std::numeric_limits<std::int64_t>::max(),
               hi = std::numeric_limits<std::int64_t>::min();
  for (auto id : ids) {
    lo = std::min(lo, id);
    hi = std::max(hi, id);
  }
  m_dense = !ids.empty() && lo >= 0 && hi < static_cast<std::int64_t>(ids.size()) * 4 + 1024;
  if (m_dense) {
    m_table.assign(static_cast<std::size_t>(hi) + 1, -1);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      auto& slot = m_table[static_cast<std::size_t>(ids[i])];
      if (slot >= 0) return static_cast<std::int64_t>(i);
      slot = static_cast<std::int32_t>(i);
    }
  } else {
    m_map.reserve(ids.size() * 2);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (!m_map.emplace(ids[i], static_cast<std::uint32_t>(i)).second)
        return static_cast<std::int64_t>(i);
    }
  }
  return -1;
}
bool IdIndex::find(std::int64_t id, std::uint32_t& out) const {
  if (m_dense) {
    if (id < 0 || static_cast<std::uint64_t>(id) >= m_table.size() ||
        m_table[static_cast<std::size_t>(id)] < 0) {
      return false;
    }
    out = static_cast<std::uint32_t>(m_table[static_cast<std::size_t>(id)]);
    return true;
  }
  auto it = m_map.find(id);
  if (it == m_map.end()) return false;
  out = it->second;
  return true;
}

// ---- links

core::Result<void> resolveLinks(model::DistrictColumns<Owned>& c, const LinkKeys& keys,
                                const std::string& source) {
  auto placeOf = [&](const char* table, std::int64_t fid, const char* column) {
    return source + ": table " + table + ", fid " + std::to_string(fid) + ", column " + column;
  };
  IdIndex buildings, houses;
  if (auto d = buildings.build(c.buildings.id); d >= 0) {
    return makeError(
        ErrorCode::kStore,
        "duplicate building_id " + std::to_string(c.buildings.id[static_cast<std::size_t>(d)]),
        placeOf("buildings", keys.buildings.fid[static_cast<std::size_t>(d)], "building_id"));
  }
  if (auto d = houses.build(c.houses.id); d >= 0) {
    return makeError(
        ErrorCode::kStore,
        "duplicate house_id " + std::to_string(c.houses.id[static_cast<std::size_t>(d)]),
        placeOf("houses", keys.houses.fid[static_cast<std::size_t>(d)], "house_id"));
  }
  CodeIndex addresses;
  addresses.build(c.addresses.code);
  if (auto d = addresses.firstDuplicate(c.addresses.code); d >= 0) {
    const auto i = static_cast<std::size_t>(d);
    return makeError(ErrorCode::kStore,
                     "duplicate address_code " + std::string(c.addresses.code[i]),
                     placeOf("addresses", keys.addresses.fid[i], "address_code"));
  }
  std::uint32_t found = 0;
  for (std::size_t i = 0; i < c.buildings.size(); ++i) {
    const std::string_view code = keys.buildings.code[i];
    if (code.empty()) continue;
    if (!addresses.find(code, found)) {
      return makeError(ErrorCode::kStore, "no address with address_code " + std::string(code),
                       placeOf("buildings", keys.buildings.fid[i], "address_code"));
    }
    c.buildings.address[i] = static_cast<std::int32_t>(found);
  }
  for (std::size_t i = 0; i < c.addresses.size(); ++i) {
    if (!buildings.find(keys.addresses.id1[i], found)) {
      return makeError(ErrorCode::kStore,
                       "no building with building_id " + std::to_string(keys.addresses.id1[i]),
                       placeOf("addresses", keys.addresses.fid[i], "building_id"));
    }
    c.addresses.building[i] = found;
    const std::int64_t house = keys.addresses.id2[i];
    if (house == std::numeric_limits<std::int64_t>::min()) continue;
    if (!houses.find(house, found)) {
      return makeError(ErrorCode::kStore, "no house with house_id " + std::to_string(house),
                       placeOf("addresses", keys.addresses.fid[i], "house_id"));
    }
    c.addresses.house[i] = static_cast<std::int32_t>(found);
  }
  for (std::size_t i = 0; i < c.houses.size(); ++i) {
    if (!buildings.find(keys.houses.id1[i], found)) {
      return makeError(ErrorCode::kStore,
                       "no building with building_id " + std::to_string(keys.houses.id1[i]),
                       placeOf("houses", keys.houses.fid[i], "building_id"));
    }
    c.houses.building[i] = found;
    const std::string_view code = keys.houses.code[i];
    if (code.empty()) continue;
    if (!addresses.find(code, found)) {
      return makeError(ErrorCode::kStore, "no address with address_code " + std::string(code),
                       placeOf("houses", keys.houses.fid[i], "address_code"));
    }
    c.houses.address[i] = static_cast<std::int32_t>(found);
  }
  for (std::size_t i = 0; i < c.people.size(); ++i) {
    if (!houses.find(keys.people.id1[i], found)) {
      return makeError(ErrorCode::kStore,
                       "no house with house_id " + std::to_string(keys.people.id1[i]),
                       placeOf("people", keys.people.fid[i], "house_id"));
    }
    c.people.house[i] = found;
  }
  for (std::size_t i = 0; i < c.entities.size(); ++i) {
    if (!buildings.find(keys.entities.id1[i], found)) {
      return makeError(ErrorCode::kStore,
                       "no building with building_id " + std::to_string(keys.entities.id1[i]),
                       placeOf("entities", keys.entities.fid[i], "building_id"));
    }
    c.entities.building[i] = found;
  }
  return {};
}

}  // namespace gridtwin::store::decode
