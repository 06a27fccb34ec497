// Data-driven runner over the GEOS XML predicate suite (../shared/data/geos-xml):
// every case where one side is a (multi)point and the other a (multi)polygon
// is evaluated with OUR algorithms (algorithms.h), not GEOS, and compared with
// the expected value. The suite's format:
//   <run> <precisionModel .../> <case> <desc>..</desc> <a>WKT</a> <b>WKT</b>
//     <test><op name="relate" arg1="A" arg2="B" arg3="FF0FFF212">true</op></test>
//   </case> </run>
// with XML comments in some files. A tiny reader for that subset lives here.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "geo/algorithms.h"
#include "geo/wkt.h"

namespace geo = gridtwin::geo;

namespace {

// --- a tiny XML reader: elements, attributes, text, comments, CDATA ---

struct XmlNode {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::string text;  // concatenated character data (entities decoded)
  std::vector<std::unique_ptr<XmlNode>> children;

  const XmlNode* child(std::string_view n) const {
    for (const auto& c : children) {
      if (c->name == n) return c.get();
    }
    return nullptr;
  }
  std::string attribute(const std::string& key) const {
    const auto it = attributes.find(key);
    return it == attributes.end() ? std::string() : it->second;
  }
};

std::string decodeEntities(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const std::size_t end = s.find(';', i);
    if (end == std::string_view::npos) {
      out += s[i];
      continue;
    }
    const std::string_view e = s.substr(i + 1, end - i - 1);
    if (e == "lt")
      out += '<';
    else if (e == "gt")
      out += '>';
    else if (e == "amp")
      out += '&';
    else if (e == "quot")
      out += '"';
    else if (e == "apos")
      out += '\'';
    else
      out.append(s.substr(i, end - i + 1));
    i = end;
  }
  return out;
}

class XmlReader {
 public:
  explicit XmlReader(std::string text) : m_text(std::move(text)) {}

  // Returns the root element, or nullptr with error() set.
  std::unique_ptr<XmlNode> parse() {
    auto root = std::make_unique<XmlNode>();
    root->name = "#document";
    if (!content(*root) || m_pos != m_text.size()) {
      if (m_error.empty()) m_error = "unexpected '</' at offset " + std::to_string(m_pos);
      return nullptr;
    }
    for (auto& c : root->children) return std::move(c);
    m_error = "no root element";
    return nullptr;
  }
  const std::string& error() const { return m_error; }

 private:
  bool fail(const std::string& what) {
    if (m_error.empty()) m_error = what + " at offset " + std::to_string(m_pos);
    return false;
  }
  bool startsWith(std::string_view s) const { return m_text.compare(m_pos, s.size(), s) == 0; }
  bool skipPast(std::string_view s) {
    const std::size_t end = m_text.find(s, m_pos);
    if (end == std::string::npos)
      return fail("unterminated markup, expected '" + std::string(s) + "'");
    m_pos = end + s.size();
    return true;
  }

  // Parses children and text until "</" or the end.
  bool content(XmlNode& parent) {
    while (m_pos < m_text.size()) {
      if (startsWith("</")) return true;
      if (startsWith("<!--")) {
        if (!skipPast("-->")) return false;
      } else if (startsWith("<![CDATA[")) {
        const std::size_t start = m_pos + 9;
        if (!skipPast("]]>")) return false;
        parent.text.append(m_text, start, m_pos - 3 - start);
      } else if (startsWith("<?") || startsWith("<!")) {
        if (!skipPast(">")) return false;
      } else if (m_text[m_pos] == '<') {
        auto child = std::make_unique<XmlNode>();
        if (!element(*child)) return false;
        parent.children.push_back(std::move(child));
      } else {
        const std::size_t end = std::min(m_text.find('<', m_pos), m_text.size());
        parent.text += decodeEntities(std::string_view(m_text).substr(m_pos, end - m_pos));
        m_pos = end;
      }
    }
    return true;
  }

  std::string name() {
    const std::size_t start = m_pos;
    while (m_pos < m_text.size() &&
           (std::isalnum(static_cast<unsigned char>(m_text[m_pos])) || m_text[m_pos] == '_' ||
            m_text[m_pos] == '-' || m_text[m_pos] == ':' || m_text[m_pos] == '.')) {
      ++m_pos;
    }
    return m_text.substr(start, m_pos - start);
  }
  void space() {
    while (m_pos < m_text.size() && std::isspace(static_cast<unsigned char>(m_text[m_pos])))
      ++m_pos;
  }

  bool element(XmlNode& node) {
    ++m_pos;  // '<'
    node.name = name();
    if (node.name.empty()) return fail("expected an element name");
    for (;;) {
      space();
      if (startsWith("/>")) {
        m_pos += 2;
        return true;
      }
      if (startsWith(">")) {
        ++m_pos;
        break;
      }
      const std::string key = name();
      if (key.empty()) return fail("expected an attribute name in <" + node.name + ">");
      space();
      if (!startsWith("=")) return fail("expected '=' after attribute " + key);
      ++m_pos;
      space();
      if (m_pos >= m_text.size() || (m_text[m_pos] != '"' && m_text[m_pos] != '\'')) {
        return fail("expected a quoted value for attribute " + key);
      }
      const char quote = m_text[m_pos++];
      const std::size_t end = m_text.find(quote, m_pos);
      if (end == std::string::npos) return fail("unterminated attribute " + key);
      node.attributes[key] = decodeEntities(std::string_view(m_text).substr(m_pos, end - m_pos));
      m_pos = end + 1;
    }
    if (!content(node)) return false;
    if (!startsWith("</")) return fail("missing </" + node.name + ">");
    m_pos += 2;
    const std::string closing = name();
    if (closing != node.name) return fail("</" + closing + "> closes <" + node.name + ">");
    space();
    if (!startsWith(">")) return fail("expected '>'");
    ++m_pos;
    return true;
  }

  std::string m_text;
  std::size_t m_pos = 0;
  std::string m_error;
};

std::string trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Independent of our WKT reader: what the case text says its types are.
bool textIsPoints(const std::string& wkt) {
  const std::string u = upper(trim(wkt));
  return u.rfind("POINT", 0) == 0 || u.rfind("MULTIPOINT", 0) == 0;
}
bool textIsAreas(const std::string& wkt) {
  const std::string u = upper(trim(wkt));
  return u.rfind("POLYGON", 0) == 0 || u.rfind("MULTIPOLYGON", 0) == 0;
}

// --- DE-9IM predicates from a matrix (for the directions and predicates that
// algorithms.h has no direct function for) ---

bool anyMatches(const std::string& m, std::initializer_list<const char*> patterns) {
  for (const char* p : patterns) {
    if (geo::relateMatches(m, p)) return true;
  }
  return false;
}

std::optional<bool> matrixPredicate(const std::string& op, const std::string& m, int dimA,
                                    int dimB) {
  if (op == "intersects") return !geo::relateMatches(m, "FF*FF****");
  if (op == "disjoint") return geo::relateMatches(m, "FF*FF****");
  if (op == "contains") return geo::relateMatches(m, "T*****FF*");
  if (op == "within") return geo::relateMatches(m, "T*F**F***");
  if (op == "covers") return anyMatches(m, {"T*****FF*", "*T****FF*", "***T**FF*", "****T*FF*"});
  if (op == "coveredBy") return anyMatches(m, {"T*F**F***", "*TF**F***", "**FT*F***", "**F*TF***"});
  if (op == "touches") {
    return !(dimA == 0 && dimB == 0) && anyMatches(m, {"FT*******", "F**T*****", "F***T****"});
  }
  if (op == "crosses") {
    if (dimA < dimB) return geo::relateMatches(m, "T*T******");
    if (dimA > dimB) return geo::relateMatches(m, "T*****T**");
    return dimA == 1 && geo::relateMatches(m, "0********");
  }
  if (op == "overlaps") {
    if (dimA != dimB) return false;
    return geo::relateMatches(m, dimA == 1 ? "1*T***T**" : "T*T***T**");
  }
  if (op == "equalsTopo") return geo::relateMatches(m, "T*F**FFF*");
  return std::nullopt;
}

// Our direct predicate, for the point/area pair in either order.
std::optional<bool> directPredicate(const std::string& op, const geo::MultiPoint& points,
                                    const geo::MultiPolygon& areas, bool pointsFirst) {
  if (op == "intersects") return geo::intersects(points, areas);
  if (op == "disjoint") return geo::disjoint(points, areas);
  if (op == "touches") return geo::touches(points, areas);
  if (pointsFirst) {
    if (op == "within") return geo::within(points, areas);
    if (op == "coveredBy") return geo::coveredBy(points, areas);
  } else {
    if (op == "contains") return geo::contains(areas, points);
    if (op == "covers") return geo::covers(areas, points);
  }
  return std::nullopt;
}

// The single-point overloads must agree with the multipoint ones.
std::optional<bool> directPointPredicate(const std::string& op, const geo::Point& p,
                                         const geo::MultiPolygon& areas, bool pointFirst) {
  if (op == "intersects") return geo::intersects(p, areas);
  if (op == "disjoint") return geo::disjoint(p, areas);
  if (op == "touches") return geo::touches(p, areas);
  if (pointFirst) {
    if (op == "within") return geo::within(p, areas);
    if (op == "coveredBy") return geo::coveredBy(p, areas);
  } else {
    if (op == "contains") return geo::contains(areas, p);
    if (op == "covers") return geo::covers(areas, p);
  }
  return std::nullopt;
}

geo::MultiPoint asMultiPoint(const geo::Geometry& g) {
  if (const auto* p = std::get_if<geo::Point>(&g)) {
    return geo::isEmpty(*p) ? geo::MultiPoint{} : geo::MultiPoint{{*p}};
  }
  return std::get<geo::MultiPoint>(g);
}
geo::MultiPolygon asMultiPolygon(const geo::Geometry& g) {
  if (const auto* p = std::get_if<geo::Polygon>(&g)) {
    return p->outer.empty() ? geo::MultiPolygon{} : geo::MultiPolygon{{*p}};
  }
  return std::get<geo::MultiPolygon>(g);
}
bool isPoints(const geo::Geometry& g) {
  return std::holds_alternative<geo::Point>(g) || std::holds_alternative<geo::MultiPoint>(g);
}
bool isAreas(const geo::Geometry& g) {
  return std::holds_alternative<geo::Polygon>(g) || std::holds_alternative<geo::MultiPolygon>(g);
}

struct FileTally {
  int cases = 0;            // <case> elements in the file
  int pointAreaByText = 0;  // of which the text says (multi)point vs (multi)polygon
  int checkedCases = 0;     // point/area cases we evaluated
  int checkedOps = 0;       // expected values compared
};

FileTally runFile(const std::string& relative) {
  FileTally tally;
  const std::string path = std::string(GRIDTWIN_SHARED_DATA) + "/geos-xml/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "GEOS XML test file missing: " << path
                  << " (the shared data folder must be present; see ../shared/data/README.md)";
    return tally;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  XmlReader reader(buf.str());
  const std::unique_ptr<XmlNode> run = reader.parse();
  if (!run) {
    ADD_FAILURE() << path << ": " << reader.error();
    return tally;
  }
  EXPECT_EQ(run->name, "run") << path;
  if (const XmlNode* pm = run->child("precisionModel")) {
    // FIXED precision would require snapping the inputs first.
    const std::string type = pm->attribute("type");
    EXPECT_TRUE(type.empty() || type == "FLOATING") << path << ": precision model " << type;
  }
  int caseIndex = -1;
  for (const auto& node : run->children) {
    if (node->name != "case") continue;
    ++caseIndex;
    ++tally.cases;
    const XmlNode* a = node->child("a");
    const XmlNode* b = node->child("b");
    if (!a || !b) continue;
    const bool byText = (textIsPoints(a->text) && textIsAreas(b->text)) ||
                        (textIsAreas(a->text) && textIsPoints(b->text));
    if (byText) ++tally.pointAreaByText;
    const XmlNode* desc = node->child("desc");
    const std::string where = relative + ": case " + std::to_string(caseIndex) + " (" +
                              (desc ? trim(desc->text) : std::string()) + ")";
    auto ga = geo::readWkt(a->text, where + " <a>");
    auto gb = geo::readWkt(b->text, where + " <b>");
    if (!byText) continue;
    if (!ga.ok() || !gb.ok()) {
      ADD_FAILURE() << (ga.ok() ? gb.error() : ga.error()).toString();
      continue;
    }
    const bool pointsFirst = isPoints(*ga) && isAreas(*gb);
    if (!pointsFirst && !(isAreas(*ga) && isPoints(*gb))) {
      ADD_FAILURE() << where << ": text and parsed types disagree";
      continue;
    }
    const geo::Geometry& pointsGeometry = pointsFirst ? *ga : *gb;
    const geo::MultiPoint points = asMultiPoint(pointsGeometry);
    const geo::MultiPolygon areas = asMultiPolygon(pointsFirst ? *gb : *ga);
    const std::string pa = geo::relate(points, areas);  // points vs areas
    const bool pointsEmpty = points.points.empty();
    const bool areasEmpty = areas.polygons.empty();
    ++tally.checkedCases;
    for (const auto& test : node->children) {
      if (test->name != "test") continue;
      const XmlNode* op = test->child("op");
      if (!op) continue;
      const std::string name = op->attribute("name");
      const std::string expectedText = trim(op->text);
      if (expectedText != "true" && expectedText != "false") continue;  // not a predicate
      const bool expected = expectedText == "true";
      // Argument order: arg1="A" arg2="B" normally; swapped ops swap roles.
      const bool swapped = upper(op->attribute("arg1")) == "B";
      const bool firstIsPoints = pointsFirst != swapped;
      const std::string m = firstIsPoints ? pa : geo::transposeMatrix(pa);
      // Dimensions of the first and second arguments (-1 for empty).
      const int pointDim = pointsEmpty ? -1 : 0;
      const int areaDim = areasEmpty ? -1 : 2;
      const int dimFirst = firstIsPoints ? pointDim : areaDim;
      const int dimSecond = firstIsPoints ? areaDim : pointDim;
      std::optional<bool> ours;
      if (name == "relate") {
        ours = geo::relateMatches(m, op->attribute("arg3"));
      } else {
        ours = matrixPredicate(name, m, dimFirst, dimSecond);
        if (ours) {
          // Empty inputs: every OGC predicate but disjoint is false, except
          // that two empties are topologically equal.
          if (pointsEmpty || areasEmpty) {
            ours = name == "disjoint" || (name == "equalsTopo" && pointsEmpty && areasEmpty);
          }
          if (const auto direct = directPredicate(name, points, areas, firstIsPoints)) {
            EXPECT_EQ(*direct, *ours)
                << where << ": direct " << name << " disagrees with matrix " << m;
            ours = direct;
          }
          if (const auto* single = std::get_if<geo::Point>(&pointsGeometry)) {
            if (const auto direct = directPointPredicate(name, *single, areas, firstIsPoints)) {
              EXPECT_EQ(*direct, *ours) << where << ": Point overload of " << name;
            }
          }
        }
      }
      if (!ours) {
        ADD_FAILURE() << where << ": unknown predicate '" << name << "'";
        continue;
      }
      EXPECT_EQ(*ours, expected) << where << ": " << name << (swapped ? " (B, A)" : "")
                                 << " expected " << expectedText << "; our matrix " << m
                                 << "\n  A: " << trim(a->text) << "\n  B: " << trim(b->text);
      ++tally.checkedOps;
    }
  }
  std::printf("[ geos-xml ] %-42s %3d cases, %3d point/polygon (by text), %3d checked, %4d ops\n",
              relative.c_str(), tally.cases, tally.pointAreaByText, tally.checkedCases,
              tally.checkedOps);
  return tally;
}

void expectAllPointPolygonCasesChecked(const std::string& file, int minimumCases) {
  const FileTally t = runFile(file);
  EXPECT_GT(t.checkedCases, 0) << file;
  EXPECT_GE(t.checkedCases, minimumCases) << file;
  EXPECT_EQ(t.checkedCases, t.pointAreaByText) << file << ": some point/polygon cases not checked";
  EXPECT_GE(t.checkedOps, t.checkedCases) << file;
}

}  // namespace

TEST(GeosXml, SharedSuiteIsPresent) {
  const std::string dir = std::string(GRIDTWIN_SHARED_DATA) + "/geos-xml";
  ASSERT_TRUE(std::filesystem::is_directory(dir))
      << "GEOS XML suite missing at " << dir << " (the shared data must be present)";
}

// Minimums are what the files held when this runner was written; the
// "by text" count guards against silently skipping cases added later.
TEST(GeosXml, PreparedPointPredicateCasesMatchOurAlgorithms) {
  expectAllPointPolygonCasesChecked("general/TestPreparedPointPredicate.xml", 3);
}

TEST(GeosXml, RelatePACasesMatchOurAlgorithms) {
  expectAllPointPolygonCasesChecked("general/TestRelatePA.xml", 11);
}

TEST(GeosXml, ValidateRelatePACasesMatchOurAlgorithms) {
  expectAllPointPolygonCasesChecked("validate/TestRelatePA.xml", 41);
}

TEST(GeosXml, PreparedPolygonPredicatePointCasesMatchOurAlgorithms) {
  expectAllPointPolygonCasesChecked("general/TestPreparedPolygonPredicate.xml", 9);
}

TEST(GeosXml, RectanglePredicatePointCasesMatchOurAlgorithms) {
  expectAllPointPolygonCasesChecked("general/TestRectanglePredicate.xml", 4);
}

TEST(GeosXml, RelateEmptyPointCasesMatchOurAlgorithms) {
  expectAllPointPolygonCasesChecked("general/TestRelateEmpty.xml", 9);
}
