#include "geo/wkt.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <optional>
#include <system_error>

#include "geo/detail/common.h"

namespace gridtwin::geo {

namespace {

using core::ErrorCode;

bool isDelimiter(char c) {
  return c == '(' || c == ')' || c == ',' || c == ';' || c == '=' ||
         std::isspace(static_cast<unsigned char>(c));
}

bool equalsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string quoted(std::string_view token) {
  constexpr std::size_t kMaxShown = 24;
  std::string s = "'";
  s.append(token.substr(0, kMaxShown));
  if (token.size() > kMaxShown) s += "...";
  s += '\'';
  return s;
}

enum class Kind {
  kPoint,
  kLineString,
  kPolygon,
  kMultiPoint,
  kMultiLineString,
  kMultiPolygon,
  kCollection
};

// Recursive-descent reader over the text; `m_pos` is the byte offset that
// error messages report. One instance per call: no shared state.
class WktReader {
 public:
  WktReader(std::string_view text, std::string_view context) : m_text(text), m_context(context) {}

  core::Result<Geometry> read() {
    skipSpace();
    if (m_pos == m_text.size()) {
      return core::makeError(ErrorCode::kEmptyInput, "empty WKT text", std::string(m_context));
    }
    // Optional EWKT "SRID=4326;" prefix.
    const std::size_t start = m_pos;
    if (equalsNoCase(peekWord(), "SRID")) {
      m_pos += 4;
      skipSpace();
      if (!accept('=')) return syntax("expected '=' after SRID");
      skipSpace();
      const std::size_t numStart = m_pos;
      while (m_pos < m_text.size() && std::isdigit(static_cast<unsigned char>(m_text[m_pos]))) {
        ++m_pos;
      }
      if (m_pos == numStart) return syntax("expected SRID number, got " + quoted(peekToken()));
      skipSpace();
      if (!accept(';'))
        return syntax("expected ';' after SRID=" +
                      std::string(m_text.substr(numStart, m_pos - numStart)));
    } else {
      m_pos = start;
    }
    Geometry g;
    if (!readGeometry(g, 0)) return std::move(*m_error);
    skipSpace();
    if (m_pos != m_text.size()) {
      return syntax("unexpected text after the geometry: " + quoted(peekToken()));
    }
    return g;
  }

 private:
  // --- lexing ---
  void skipSpace() {
    while (m_pos < m_text.size() && std::isspace(static_cast<unsigned char>(m_text[m_pos]))) {
      ++m_pos;
    }
  }
  std::string_view peekWord() const {
    std::size_t end = m_pos;
    while (end < m_text.size() && std::isalpha(static_cast<unsigned char>(m_text[end]))) ++end;
    return m_text.substr(m_pos, end - m_pos);
  }
  // The next token for messages: a delimiter char, or a run up to one.
  std::string_view peekToken() const {
    if (m_pos >= m_text.size()) return "end of text";
    std::size_t end = m_pos;
    while (end < m_text.size() && !isDelimiter(m_text[end])) ++end;
    if (end == m_pos) ++end;
    return m_text.substr(m_pos, end - m_pos);
  }
  bool accept(char c) {
    skipSpace();
    if (m_pos < m_text.size() && m_text[m_pos] == c) {
      ++m_pos;
      return true;
    }
    return false;
  }
  bool acceptWord(std::string_view word) {
    skipSpace();
    const std::string_view w = peekWord();
    if (equalsNoCase(w, word) &&
        (m_pos + w.size() == m_text.size() || isDelimiter(m_text[m_pos + w.size()]))) {
      m_pos += w.size();
      return true;
    }
    return false;
  }

  // --- errors: the first one wins ---
  core::Error makeErr(ErrorCode code, const std::string& message, std::size_t offset) const {
    return core::makeError(code, "at offset " + std::to_string(offset) + ": " + message,
                           std::string(m_context));
  }
  bool fail(ErrorCode code, const std::string& message, std::optional<std::size_t> at = {}) {
    if (!m_error) m_error = makeErr(code, message, at.value_or(m_pos));
    return false;
  }
  core::Error syntax(const std::string& message) {
    return makeErr(ErrorCode::kSyntax, message, m_pos);
  }
  bool expect(char c) {
    if (accept(c)) return true;
    return fail(ErrorCode::kSyntax,
                std::string("expected '") + c + "', got " + quoted(peekToken()));
  }

  // --- grammar ---
  bool readGeometry(Geometry& out, int depth) {
    skipSpace();
    const std::size_t tagOffset = m_pos;
    const std::string_view word = peekWord();
    std::optional<Kind> kind;
    static constexpr std::pair<std::string_view, Kind> kTags[] = {
        {"POINT", Kind::kPoint},
        {"LINESTRING", Kind::kLineString},
        {"POLYGON", Kind::kPolygon},
        {"MULTIPOINT", Kind::kMultiPoint},
        {"MULTILINESTRING", Kind::kMultiLineString},
        {"MULTIPOLYGON", Kind::kMultiPolygon},
        {"GEOMETRYCOLLECTION", Kind::kCollection},
    };
    int dims = 0;  // ordinates per position; 0 = decide from the first position
    for (const auto& [name, k] : kTags) {
      if (word.size() < name.size() || !equalsNoCase(word.substr(0, name.size()), name)) continue;
      // Also the glued forms "POINTZ", "POINTM", "POINTZM".
      const std::string_view suffix = word.substr(name.size());
      if (suffix.empty() || equalsNoCase(suffix, "Z") || equalsNoCase(suffix, "M")) {
        kind = k;
        dims = suffix.empty() ? 0 : 3;
      } else if (equalsNoCase(suffix, "ZM")) {
        kind = k;
        dims = 4;
      }
    }
    if (!kind) {
      if (word.empty()) {
        return fail(ErrorCode::kSyntax, "expected a geometry type, got " + quoted(peekToken()));
      }
      return fail(ErrorCode::kSyntax, "unknown geometry type " + quoted(word));
    }
    m_pos += word.size();
    // Optional dimension tag: Z, M, ZM.
    if (dims != 0) {
      // already given glued to the type name
    } else if (acceptWord("ZM")) {
      dims = 4;
    } else if (acceptWord("Z") || acceptWord("M")) {
      dims = 3;
    }
    const int savedDims = m_dims;
    m_dims = dims;
    bool ok = false;
    if (acceptWord("EMPTY")) {
      ok = true;
      switch (*kind) {
        case Kind::kPoint:
          out = emptyPoint();
          break;
        case Kind::kLineString:
          out = LineString{};
          break;
        case Kind::kPolygon:
          out = Polygon{};
          break;
        case Kind::kMultiPoint:
          out = MultiPoint{};
          break;
        case Kind::kMultiLineString:
          out = MultiLineString{};
          break;
        case Kind::kMultiPolygon:
          out = MultiPolygon{};
          break;
        case Kind::kCollection:
          out = GeometryCollection{};
          break;
      }
    } else {
      switch (*kind) {
        case Kind::kPoint: {
          Point p;
          ok = expect('(') && readPosition(p) && expect(')');
          out = p;
          break;
        }
        case Kind::kLineString: {
          LineString l;
          ok = readLineString(l, "linestring");
          out = std::move(l);
          break;
        }
        case Kind::kPolygon: {
          Polygon p;
          ok = readPolygon(p, "polygon");
          out = std::move(p);
          break;
        }
        case Kind::kMultiPoint: {
          MultiPoint m;
          ok = readMultiPoint(m);
          out = std::move(m);
          break;
        }
        case Kind::kMultiLineString: {
          MultiLineString m;
          ok = expect('(');
          while (ok) {
            LineString l;
            ok = readLineStringOrEmpty(l, "linestring " + std::to_string(m.lines.size()));
            m.lines.push_back(std::move(l));
            if (!ok || !accept(',')) break;
          }
          ok = ok && expect(')');
          out = std::move(m);
          break;
        }
        case Kind::kMultiPolygon: {
          MultiPolygon m;
          ok = expect('(');
          while (ok) {
            Polygon p;
            const std::string what = "polygon " + std::to_string(m.polygons.size());
            if (!acceptWord("EMPTY")) ok = readPolygon(p, what);
            m.polygons.push_back(std::move(p));
            if (!ok || !accept(',')) break;
          }
          ok = ok && expect(')');
          out = std::move(m);
          break;
        }
        case Kind::kCollection: {
          if (depth >= detail::kMaxNesting) {
            ok = fail(ErrorCode::kUnsupported,
                      "GEOMETRYCOLLECTION nested deeper than " +
                          std::to_string(detail::kMaxNesting) + " levels",
                      tagOffset);
            break;
          }
          GeometryCollection c;
          ok = expect('(');
          while (ok) {
            Geometry child;
            ok = readGeometry(child, depth + 1);
            c.geometries.push_back(std::move(child));
            if (!ok || !accept(',')) break;
          }
          ok = ok && expect(')');
          out = std::move(c);
          break;
        }
      }
    }
    m_dims = savedDims;
    return ok;
  }

  bool readNumber(double& v) {
    skipSpace();
    const std::size_t start = m_pos;
    std::size_t end = m_pos;
    while (end < m_text.size() && !isDelimiter(m_text[end])) ++end;
    std::string_view token = m_text.substr(start, end - start);
    if (token.empty())
      return fail(ErrorCode::kSyntax, "expected number, got " + quoted(peekToken()));
    std::string_view digits = token;
    if (digits.size() > 1 && digits[0] == '+' && digits[1] != '-') digits.remove_prefix(1);
    const char* first = digits.data();
    const char* last = digits.data() + digits.size();
    const auto [ptr, ec] = std::from_chars(first, last, v);
    if (ec == std::errc::result_out_of_range) {
      return fail(ErrorCode::kBadNumber, "number out of range: " + quoted(token));
    }
    if (ec != std::errc{} || ptr != last) {
      return fail(ErrorCode::kSyntax, "expected number, got " + quoted(token));
    }
    if (!std::isfinite(v)) {
      return fail(ErrorCode::kNonFinite, "coordinate is not finite: " + quoted(token));
    }
    m_pos = end;
    return true;
  }

  bool readPosition(Point& p) {
    skipSpace();
    const std::size_t start = m_pos;
    if (!readNumber(p.x) || !readNumber(p.y)) return false;
    int n = 2;
    double extra = 0;
    for (;;) {
      skipSpace();
      if (m_pos >= m_text.size() || m_text[m_pos] == ',' || m_text[m_pos] == ')') break;
      if (n == 4)
        return fail(ErrorCode::kSyntax, "expected ',' or ')', got " + quoted(peekToken()));
      if (!readNumber(extra)) return false;
      ++n;
    }
    if (m_dims == 0) {
      m_dims = n;
    } else if (n != m_dims) {
      return fail(
          ErrorCode::kSyntax,
          "position has " + std::to_string(n) + " ordinates, expected " + std::to_string(m_dims),
          start);
    }
    return true;
  }

  bool readPointList(std::vector<Point>& points) {
    if (!expect('(')) return false;
    do {
      Point p;
      if (!readPosition(p)) return false;
      points.push_back(p);
    } while (accept(','));
    return expect(')');
  }

  bool readLineString(LineString& l, const std::string& what) {
    const std::size_t start = m_pos;
    if (!readPointList(l)) return false;
    if (l.size() < 2) {
      return fail(ErrorCode::kTooFewPoints,
                  what + " has 1 point; a linestring needs 0 or at least 2", start);
    }
    return true;
  }

  bool readLineStringOrEmpty(LineString& l, const std::string& what) {
    if (acceptWord("EMPTY")) return true;
    return readLineString(l, what);
  }

  bool readPolygon(Polygon& polygon, const std::string& what) {
    if (!expect('(')) return false;
    std::size_t index = 0;
    do {
      skipSpace();
      const std::size_t start = m_pos;
      Ring ring;
      if (!readPointList(ring)) return false;
      const std::string ringName = "ring " + std::to_string(index) + " of " + what;
      if (auto problem = detail::ringProblem(ring, ringName)) {
        return fail(problem->code, problem->message, start);
      }
      if (index == 0) {
        polygon.outer = std::move(ring);
      } else {
        polygon.holes.push_back(std::move(ring));
      }
      ++index;
    } while (accept(','));
    return expect(')');
  }

  bool readMultiPoint(MultiPoint& m) {
    if (!expect('(')) return false;
    do {
      Point p;
      if (acceptWord("EMPTY")) {
        p = emptyPoint();
      } else if (accept('(')) {
        if (!readPosition(p) || !expect(')')) return false;
      } else if (!readPosition(p)) {
        return false;
      }
      m.points.push_back(p);
    } while (accept(','));
    return expect(')');
  }

  std::string_view m_text;
  std::string_view m_context;
  std::size_t m_pos = 0;
  int m_dims = 0;  // ordinates per position in the current geometry; 0 = not yet known
  std::optional<core::Error> m_error;
};

// --- writing ---

void appendPoint(std::string& out, const Point& p, int precision) {
  detail::appendNumber(out, p.x, precision);
  out += ' ';
  detail::appendNumber(out, p.y, precision);
}

void appendPointList(std::string& out, const std::vector<Point>& points, int precision) {
  out += '(';
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (i) out += ", ";
    appendPoint(out, points[i], precision);
  }
  out += ')';
}

void appendPolygonBody(std::string& out, const Polygon& p, int precision) {
  if (p.outer.empty()) {
    out += "EMPTY";
    return;
  }
  out += '(';
  appendPointList(out, p.outer, precision);
  for (const Ring& hole : p.holes) {
    out += ", ";
    appendPointList(out, hole, precision);
  }
  out += ')';
}

void appendWkt(std::string& out, const Geometry& g, int precision) {
  if (const auto* p = std::get_if<Point>(&g)) {
    out += "POINT ";
    if (isEmpty(*p)) {
      out += "EMPTY";
    } else {
      out += '(';
      appendPoint(out, *p, precision);
      out += ')';
    }
  } else if (const auto* l = std::get_if<LineString>(&g)) {
    out += "LINESTRING ";
    if (l->empty()) {
      out += "EMPTY";
    } else {
      appendPointList(out, *l, precision);
    }
  } else if (const auto* poly = std::get_if<Polygon>(&g)) {
    out += "POLYGON ";
    appendPolygonBody(out, *poly, precision);
  } else if (const auto* mp = std::get_if<MultiPoint>(&g)) {
    out += "MULTIPOINT ";
    if (mp->points.empty()) {
      out += "EMPTY";
      return;
    }
    out += '(';
    for (std::size_t i = 0; i < mp->points.size(); ++i) {
      if (i) out += ", ";
      if (isEmpty(mp->points[i])) {
        out += "EMPTY";
      } else {
        out += '(';
        appendPoint(out, mp->points[i], precision);
        out += ')';
      }
    }
    out += ')';
  } else if (const auto* ml = std::get_if<MultiLineString>(&g)) {
    out += "MULTILINESTRING ";
    if (ml->lines.empty()) {
      out += "EMPTY";
      return;
    }
    out += '(';
    for (std::size_t i = 0; i < ml->lines.size(); ++i) {
      if (i) out += ", ";
      if (ml->lines[i].empty()) {
        out += "EMPTY";
      } else {
        appendPointList(out, ml->lines[i], precision);
      }
    }
    out += ')';
  } else if (const auto* mpoly = std::get_if<MultiPolygon>(&g)) {
    out += "MULTIPOLYGON ";
    if (mpoly->polygons.empty()) {
      out += "EMPTY";
      return;
    }
    out += '(';
    for (std::size_t i = 0; i < mpoly->polygons.size(); ++i) {
      if (i) out += ", ";
      appendPolygonBody(out, mpoly->polygons[i], precision);
    }
    out += ')';
  } else if (const auto* c = std::get_if<GeometryCollection>(&g)) {
    out += "GEOMETRYCOLLECTION ";
    if (c->geometries.empty()) {
      out += "EMPTY";
      return;
    }
    out += '(';
    for (std::size_t i = 0; i < c->geometries.size(); ++i) {
      if (i) out += ", ";
      appendWkt(out, c->geometries[i], precision);
    }
    out += ')';
  }
}

}  // namespace

core::Result<Geometry> readWkt(std::string_view text, std::string_view context) {
  return WktReader(text, context).read();
}

std::string writeWkt(const Geometry& g, int precision) {
  std::string out;
  appendWkt(out, g, precision);
  return out;
}

}  // namespace gridtwin::geo
