#include "geo/wkb.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>

#include "geo/detail/common.h"

namespace gridtwin::geo {

namespace {

using core::ErrorCode;

constexpr std::uint32_t kEwkbZ = 0x80000000u;
constexpr std::uint32_t kEwkbM = 0x40000000u;
constexpr std::uint32_t kEwkbSrid = 0x20000000u;

// Cursor over the input; each geometry header sets the byte order for its
// own body. Errors: the first one wins, with the byte offset.
class WkbReader {
 public:
  WkbReader(std::span<const std::uint8_t> bytes, std::string_view context)
      : m_bytes(bytes), m_context(context) {}

  core::Result<Geometry> read() {
    if (m_bytes.empty()) {
      return core::makeError(ErrorCode::kEmptyInput, "empty WKB blob", std::string(m_context));
    }
    Geometry g;
    if (!readGeometry(g, 0, 0)) return std::move(*m_error);
    if (m_pos != m_bytes.size()) {
      return core::makeError(ErrorCode::kSyntax,
                             "at offset " + std::to_string(m_pos) + ": " +
                                 std::to_string(m_bytes.size() - m_pos) +
                                 " unexpected bytes after the geometry",
                             std::string(m_context));
    }
    return g;
  }

 private:
  std::size_t remaining() const { return m_bytes.size() - m_pos; }

  bool fail(ErrorCode code, const std::string& message, std::size_t offset) {
    if (!m_error) {
      m_error = core::makeError(code, "at offset " + std::to_string(offset) + ": " + message,
                                std::string(m_context));
    }
    return false;
  }
  bool need(std::size_t n, const char* what) {
    if (remaining() >= n) return true;
    return fail(ErrorCode::kUnexpectedEnd,
                std::string("truncated ") + what + ": needs " + std::to_string(n) + " bytes, " +
                    std::to_string(remaining()) + " remain",
                m_pos);
  }

  bool readU32(std::uint32_t& v, const char* what) {
    if (!need(4, what)) return false;
    const std::uint8_t* b = m_bytes.data() + m_pos;
    v = m_littleEndian ? (std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 |
                          std::uint32_t{b[2]} << 16 | std::uint32_t{b[3]} << 24)
                       : (std::uint32_t{b[3]} | std::uint32_t{b[2]} << 8 |
                          std::uint32_t{b[1]} << 16 | std::uint32_t{b[0]} << 24);
    m_pos += 4;
    return true;
  }
  double readDoubleUnchecked() {
    const std::uint8_t* b = m_bytes.data() + m_pos;
    std::uint64_t u = 0;
    for (int i = 0; i < 8; ++i) {
      const std::uint64_t byte = b[m_littleEndian ? i : 7 - i];
      u |= byte << (8 * i);
    }
    m_pos += 8;
    return std::bit_cast<double>(u);
  }

  // A count whose items need at least `minItemBytes` each must fit the rest.
  bool readCount(std::uint32_t& n, std::size_t minItemBytes, const char* what) {
    const std::size_t at = m_pos;
    if (!readU32(n, what)) return false;
    if (static_cast<std::uint64_t>(n) * minItemBytes > remaining()) {
      return fail(ErrorCode::kUnexpectedEnd,
                  std::string("declares ") + std::to_string(n) + " " + what + " but only " +
                      std::to_string(remaining()) + " bytes remain",
                  at);
    }
    return true;
  }

  // Reads n positions; NaN pairs allowed only when allowEmpty (a point).
  bool readPoints(std::uint32_t n, int dims, std::vector<Point>& out) {
    out.reserve(n);  // bounded by readCount
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::size_t at = m_pos;
      if (!need(static_cast<std::size_t>(dims) * 8, "coordinates")) return false;
      Point p;
      p.x = readDoubleUnchecked();
      p.y = readDoubleUnchecked();
      for (int d = 2; d < dims; ++d) static_cast<void>(readDoubleUnchecked());  // Z/M dropped
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) {
        return fail(ErrorCode::kNonFinite,
                    "point " + std::to_string(i) + " is not finite: " + detail::describe(p), at);
      }
      out.push_back(p);
    }
    return true;
  }

  bool readRing(Ring& ring, int dims, const std::string& what) {
    const std::size_t at = m_pos;
    std::uint32_t n = 0;
    if (!readCount(n, static_cast<std::size_t>(dims) * 8, "points")) return false;
    if (!readPoints(n, dims, ring)) return false;
    if (auto problem = detail::ringProblem(ring, what)) {
      return fail(problem->code, problem->message, at);
    }
    return true;
  }

  bool readPolygonBody(Polygon& polygon, int dims, const std::string& what) {
    std::uint32_t rings = 0;
    if (!readCount(rings, 4, "rings")) return false;
    for (std::uint32_t r = 0; r < rings; ++r) {
      Ring ring;
      if (!readRing(ring, dims, "ring " + std::to_string(r) + " of " + what)) return false;
      if (r == 0) {
        polygon.outer = std::move(ring);
      } else {
        polygon.holes.push_back(std::move(ring));
      }
    }
    return true;
  }

  // expectedType: 0 = any, else the base type (1..7) a multi's member must have.
  bool readGeometry(Geometry& out, int depth, std::uint32_t expectedType) {
    const std::size_t at = m_pos;
    if (!need(5, "geometry header")) return false;
    const std::uint8_t order = m_bytes[m_pos];
    if (order > 1) {
      return fail(ErrorCode::kSyntax, "byte order must be 0 or 1, got " + std::to_string(order),
                  m_pos);
    }
    m_littleEndian = order == 1;
    ++m_pos;
    std::uint32_t type = 0;
    if (!readU32(type, "geometry type")) return false;
    int dims = 2;
    if (type & kEwkbZ) ++dims;
    if (type & kEwkbM) ++dims;
    const bool hasSrid = (type & kEwkbSrid) != 0;
    type &= 0x0fffffffu;
    const std::uint32_t iso = type / 1000;
    const std::uint32_t base = type % 1000;
    if (iso > 3 || base < 1 || base > 7 || (iso != 0 && dims != 2)) {
      return fail(ErrorCode::kUnsupported, "unsupported geometry type code " + std::to_string(type),
                  at + 1);
    }
    dims += iso == 3 ? 2 : (iso == 0 ? 0 : 1);
    if (expectedType != 0 && base != expectedType) {
      return fail(
          ErrorCode::kSyntax,
          "member has type " + std::to_string(base) + ", expected " + std::to_string(expectedType),
          at + 1);
    }
    if (hasSrid) {
      std::uint32_t srid = 0;
      if (!readU32(srid, "SRID")) return false;
    }
    const std::size_t pointBytes = static_cast<std::size_t>(dims) * 8;
    switch (base) {
      case 1: {
        if (!need(pointBytes, "point")) return false;
        Point p;
        p.x = readDoubleUnchecked();
        p.y = readDoubleUnchecked();
        for (int d = 2; d < dims; ++d) static_cast<void>(readDoubleUnchecked());
        if (std::isnan(p.x) && std::isnan(p.y)) {
          out = emptyPoint();
        } else if (!std::isfinite(p.x) || !std::isfinite(p.y)) {
          return fail(ErrorCode::kNonFinite, "point is not finite: " + detail::describe(p), at + 5);
        } else {
          out = p;
        }
        return true;
      }
      case 2: {
        LineString l;
        std::uint32_t n = 0;
        const std::size_t countAt = m_pos;
        if (!readCount(n, pointBytes, "points") || !readPoints(n, dims, l)) return false;
        if (n == 1) {
          return fail(ErrorCode::kTooFewPoints,
                      "linestring has 1 point; a linestring needs 0 or at least 2", countAt);
        }
        out = std::move(l);
        return true;
      }
      case 3: {
        Polygon p;
        if (!readPolygonBody(p, dims, "polygon")) return false;
        out = std::move(p);
        return true;
      }
      default:
        break;
    }
    if (depth >= detail::kMaxNesting) {
      return fail(
          ErrorCode::kUnsupported,
          "collections nested deeper than " + std::to_string(detail::kMaxNesting) + " levels", at);
    }
    // Multi types and collections: a count of full geometries (>= 9 bytes each,
    // except points which need 21; 9 is a safe lower bound).
    std::uint32_t n = 0;
    if (!readCount(n, 9, "geometries")) return false;
    const std::uint32_t memberType = base == 7 ? 0 : base - 3;
    std::vector<Geometry> members;
    members.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      Geometry g;
      if (!readGeometry(g, depth + 1, memberType)) return false;
      members.push_back(std::move(g));
    }
    switch (base) {
      case 4: {
        MultiPoint m;
        for (Geometry& g : members) m.points.push_back(std::get<Point>(g));
        out = std::move(m);
        break;
      }
      case 5: {
        MultiLineString m;
        for (Geometry& g : members) m.lines.push_back(std::get<LineString>(std::move(g)));
        out = std::move(m);
        break;
      }
      case 6: {
        MultiPolygon m;
        for (Geometry& g : members) m.polygons.push_back(std::get<Polygon>(std::move(g)));
        out = std::move(m);
        break;
      }
      default:
        out = GeometryCollection{std::move(members)};
        break;
    }
    return true;
  }

  std::span<const std::uint8_t> m_bytes;
  std::string_view m_context;
  std::size_t m_pos = 0;
  bool m_littleEndian = true;
  std::optional<core::Error> m_error;
};

// --- writing: little-endian ISO ---

void putU32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void putDouble(std::vector<std::uint8_t>& out, double d) {
  const auto u = std::bit_cast<std::uint64_t>(d);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(u >> (8 * i)));
}
void putHeader(std::vector<std::uint8_t>& out, std::uint32_t type) {
  out.push_back(1);
  putU32(out, type);
}
void putPoints(std::vector<std::uint8_t>& out, const std::vector<Point>& points) {
  putU32(out, static_cast<std::uint32_t>(points.size()));
  for (const Point& p : points) {
    putDouble(out, p.x);
    putDouble(out, p.y);
  }
}
void putPolygon(std::vector<std::uint8_t>& out, const Polygon& p) {
  putHeader(out, 3);
  if (p.outer.empty()) {
    putU32(out, 0);
    return;
  }
  putU32(out, static_cast<std::uint32_t>(1 + p.holes.size()));
  putPoints(out, p.outer);
  for (const Ring& hole : p.holes) putPoints(out, hole);
}
void putPoint(std::vector<std::uint8_t>& out, const Point& p) {
  putHeader(out, 1);
  putDouble(out, p.x);  // NaN NaN for POINT EMPTY
  putDouble(out, p.y);
}

void putGeometry(std::vector<std::uint8_t>& out, const Geometry& g) {
  if (const auto* p = std::get_if<Point>(&g)) {
    putPoint(out, *p);
  } else if (const auto* l = std::get_if<LineString>(&g)) {
    putHeader(out, 2);
    putPoints(out, *l);
  } else if (const auto* poly = std::get_if<Polygon>(&g)) {
    putPolygon(out, *poly);
  } else if (const auto* mp = std::get_if<MultiPoint>(&g)) {
    putHeader(out, 4);
    putU32(out, static_cast<std::uint32_t>(mp->points.size()));
    for (const Point& pt : mp->points) putPoint(out, pt);
  } else if (const auto* ml = std::get_if<MultiLineString>(&g)) {
    putHeader(out, 5);
    putU32(out, static_cast<std::uint32_t>(ml->lines.size()));
    for (const LineString& line : ml->lines) {
      putHeader(out, 2);
      putPoints(out, line);
    }
  } else if (const auto* mpoly = std::get_if<MultiPolygon>(&g)) {
    putHeader(out, 6);
    putU32(out, static_cast<std::uint32_t>(mpoly->polygons.size()));
    for (const Polygon& member : mpoly->polygons) putPolygon(out, member);
  } else if (const auto* c = std::get_if<GeometryCollection>(&g)) {
    putHeader(out, 7);
    putU32(out, static_cast<std::uint32_t>(c->geometries.size()));
    for (const Geometry& child : c->geometries) putGeometry(out, child);
  }
}

}  // namespace

core::Result<Geometry> readWkb(std::span<const std::uint8_t> bytes, std::string_view context) {
  return WkbReader(bytes, context).read();
}

std::vector<std::uint8_t> writeWkb(const Geometry& g) {
  std::vector<std::uint8_t> out;
  putGeometry(out, g);
  return out;
}

}  // namespace gridtwin::geo
