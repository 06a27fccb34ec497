// gridtwin locate and transform, streaming (cli/point_stream.h), against the
// commands as they were before it: the old per-line code is kept here as the
// oracle (PROJ one point at a time, printf formatting, one answer built per
// line), run in process on the same random input, and the CLI's stdout must
// equal it byte for byte, in every format, for inputs of many chunks (so
// that several workers share them), with blank, comment, CRLF and oddly
// written lines; a bad line far into the input stops the run with its line
// number, after exactly the lines before it.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "crs/crs.h"
#include "crs/transformer.h"
#include "integration/private_district.h"
#include "point_stream.h"  // cli/
#include "query/access.h"
#include "query/query.h"
#include "query/records.h"
#include "query/twin.h"

namespace gridtwin {
namespace {

namespace fs = std::filesystem;
namespace stream = cli::stream;

const fs::path& workDir() { return testsupport::privateWorkDir("stream_it"); }

// A private copy of the fixture, so the snapshot our loads write lands there.
const std::string& dataset() {
  return testsupport::privateDistrict(workDir(), GRIDTWIN_SMALL_DISTRICT);
}

const query::Twin& twin() {
  static const std::unique_ptr<query::Twin> t = std::move(query::Twin::open(dataset(), {}).value());
  return *t;
}

struct CliRun {
  int exitCode = -1;
  std::string out, err;
};

CliRun cli(const std::string& args, const std::string& input) {
  const fs::path in = workDir() / "in.txt", err = workDir() / "err.txt";
  std::ofstream(in, std::ios::binary) << input;
  const std::string cmd =
      std::string(GRIDTWIN_CLI) + " " + args + " <'" + in.string() + "' 2>'" + err.string() + "'";
  CliRun r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  char buf[1 << 16];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  const int status = pclose(pipe);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err);
  std::stringstream ss;
  ss << e.rdbuf();
  r.err = ss.str();
  return r;
}

// ---- the oracle: the commands' old per-line code

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool parseNumber(std::string_view s, double& out) {
  s = trim(s);
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(out);
}

bool parseNumbers(std::string_view s, std::size_t n, std::vector<double>& out) {
  out.clear();
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = s.find(',', start);
    double v;
    if (!parseNumber(s.substr(start, comma == std::string_view::npos ? s.npos : comma - start), v))
      return false;
    out.push_back(v);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out.size() == n;
}

std::string jsonQuote(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string csvField(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

// getline over the input, '\r' dropped; f returns false to stop.
template <class F>
void lines(const std::string& input, F f) {
  std::istringstream in(input);
  std::string line;
  long number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!f(line, number)) return;
  }
}

// The old locate: its stdout, and the first bad line (0: none).
std::string oldLocate(const std::string& input, const crs::Crs& crs, const std::string& format,
                      const query::Access& access, long& badLine) {
  const auto& t = twin();
  const auto& c = t.district().columns();
  const auto toMetric = crs::Transformer::create(crs, crs::kGaussKruger114).value();
  std::ostringstream out;
  if (format == "csv") {
    out << "line,x,y,grid,grid_name,community,community_name,street,street_name,"
           "station_head,station_head_phone\n";
  } else if (format == "json") {
    out << "[";
  }
  bool first = true;
  badLine = 0;
  lines(input, [&](const std::string& line, long number) {
    const std::string_view content = trim(line);
    if (content.empty() || content.front() == '#') return true;
    std::vector<double> v;
    if (!parseNumbers(content, 2, v)) {
      badLine = number;
      return false;
    }
    auto xy = toMetric.transform({v[0], v[1]});
    if (!xy) {
      badLine = number;
      return false;
    }
    const query::Placement p = query::place(t, *xy);
    std::string grid, gridName, community, communityName, street, streetName, head, phone;
    if (p.grid >= 0) {
      const auto g = static_cast<std::size_t>(p.grid);
      grid = c.grids.code[g];
      gridName = c.grids.name[g];
      community = c.communities.code[static_cast<std::size_t>(p.community)];
      communityName = c.communities.name[static_cast<std::size_t>(p.community)];
      street = c.streets.code[static_cast<std::size_t>(p.street)];
      streetName = c.streets.name[static_cast<std::size_t>(p.street)];
      if (p.stationHead >= 0) {
        const auto s = query::viewStaff(t, access, static_cast<std::uint32_t>(p.stationHead));
        head = s.name;
        phone = s.phone;
      }
    }
    // The input echoed in full (round-trip), never cut (issue 11.7).
    char xs[32] = {}, ys[32] = {};
    std::to_chars(xs, xs + sizeof xs - 1, v[0]);
    std::to_chars(ys, ys + sizeof ys - 1, v[1]);
    if (format == "csv") {
      out << number << ',' << xs << ',' << ys << ',' << grid << ',' << csvField(gridName) << ','
          << community << ',' << csvField(communityName) << ',' << street << ','
          << csvField(streetName) << ',' << csvField(head) << ',' << phone << '\n';
      return true;
    }
    auto opt = [](const std::string& s) { return s.empty() ? std::string("null") : jsonQuote(s); };
    const std::string obj =
        "{\"line\": " + std::to_string(number) + ", \"x\": " + xs + ", \"y\": " + ys +
        ", \"grid\": " + opt(grid) + ", \"grid_name\": " + opt(gridName) +
        ", \"community\": " + opt(community) + ", \"community_name\": " + opt(communityName) +
        ", \"street\": " + opt(street) + ", \"street_name\": " + opt(streetName) +
        ", \"station_head\": " + opt(head) + ", \"station_head_phone\": " + opt(phone) + "}";
    if (format == "jsonl") {
      out << obj << '\n';
    } else {
      out << (first ? "\n  " : ",\n  ") << obj;
    }
    first = false;
    return true;
  });
  if (format == "json") out << (first ? "]\n" : "\n]\n");
  return out.str();
}

// The old transform.
std::string oldTransform(const std::string& input, const crs::Crs& from, const crs::Crs& to,
                         long& badLine) {
  const auto t = crs::Transformer::create(from, to).value();
  const int decimals = crs::isGeographic(to) ? 9 : 4;
  std::string out;
  badLine = 0;
  lines(input, [&](const std::string& line, long number) {
    const std::string_view content = trim(line);
    if (content.empty() || content.front() == '#') {
      out += line;
      out += '\n';
      return true;
    }
    const auto comma = content.find(',');
    geo::Point p;
    if (comma == std::string_view::npos || !parseNumber(content.substr(0, comma), p.x) ||
        !parseNumber(content.substr(comma + 1), p.y)) {
      badLine = number;
      return false;
    }
    auto q = t.transform(p);
    if (!q) {
      badLine = number;
      return false;
    }
    char buf[64];
    auto end = std::to_chars(buf, buf + sizeof buf, q->x, std::chars_format::fixed, decimals).ptr;
    out.append(buf, end);
    out += ',';
    end = std::to_chars(buf, buf + sizeof buf, q->y, std::chars_format::fixed, decimals).ptr;
    out.append(buf, end);
    out += '\n';
    return true;
  });
  return out;
}

// ---- random input, written in the ways people write numbers

std::string randomInput(std::size_t points, double x0, double x1, double y0, double y1,
                        unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> ux(x0, x1), uy(y0, y1);
  std::uniform_int_distribution<int> style(0, 19);
  std::string s;
  char buf[128];
  for (std::size_t i = 0; i < points; ++i) {
    const double x = ux(rng), y = uy(rng);
    switch (style(rng)) {
      case 0:
        s += "\n";  // blank
        break;
      case 1:
        s += "# a comment, 1,2\n";
        break;
      case 2:
        std::snprintf(buf, sizeof buf, " \t%.3f ,  %.3f \r\n", x, y);  // blanks and CRLF
        s += buf;
        break;
      case 3:
        std::snprintf(buf, sizeof buf, "%.17g,%.17g\n", x, y);  // every digit
        s += buf;
        break;
      case 4:
        std::snprintf(buf, sizeof buf, "%.8e,%.8E\n", x, y);  // exponents
        s += buf;
        break;
      case 5:
        std::snprintf(buf, sizeof buf, "%.0f,%.0f\n", x, y);  // integers
        s += buf;
        break;
      default:
        std::snprintf(buf, sizeof buf, "%.6f,%.6f\n", x, y);
        s += buf;
    }
  }
  return s;
}

// Chancheng in CGCS2000 lon,lat with a margin (some points fall outside).
constexpr double kLon0 = 112.93, kLon1 = 113.22, kLat0 = 22.88, kLat1 = 23.17;
constexpr std::size_t kPoints = 60'000;  // ~1.6 MB: several chunks for several workers

TEST(StreamIntegration, LocateEqualsTheOldCommandByteForByte) {
  const std::string input = randomInput(kPoints, kLon0, kLon1, kLat0, kLat1, 11) + "113.1,23.02";
  const auto access = query::makeAccess(twin().district(), query::Role::kPlanner, "").value();
  // twin() wrote the snapshot: locate opens only its admin geography
  // (Twin::Options::adminOnly), the old command the whole district.
  ASSERT_TRUE(fs::exists(dataset() + ".snap"));
  for (const std::string format : {"json", "jsonl", "csv"}) {
    long bad = 0;
    const std::string expected = oldLocate(input, crs::kCgcs2000, format, access, bad);
    ASSERT_EQ(bad, 0);
    const CliRun r = cli("locate " + dataset() + " --format " + format, input);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    ASSERT_EQ(r.out.size(), expected.size()) << format;
    EXPECT_TRUE(r.out == expected) << format;
  }
}

TEST(StreamIntegration, LocateEqualsTheOldCommandInOtherCrssAndRoles) {
  // GCJ-02 input (our offset + our projection) and EPSG:4547 (no transform).
  const std::string gcj = randomInput(20'000, kLon0, kLon1, kLat0, kLat1, 12);
  const auto district = query::makeAccess(twin().district(), query::Role::kDistrict, "").value();
  long bad = 0;
  CliRun r = cli("locate " + dataset() + " --crs GCJ02 --role district --format jsonl", gcj);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_TRUE(r.out == oldLocate(gcj, crs::kGcj02, "jsonl", district, bad));
  const auto metric = randomInput(20'000, 390000, 425000, 2530000, 2565000, 13);
  const auto planner = query::makeAccess(twin().district(), query::Role::kPlanner, "").value();
  r = cli("locate " + dataset() + " --crs EPSG:4547 --format csv", metric);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_TRUE(r.out == oldLocate(metric, crs::kGaussKruger114, "csv", planner, bad));
}

TEST(StreamIntegration, LocateStopsAtABadLineFarIntoTheInput) {
  std::string input = randomInput(kPoints, kLon0, kLon1, kLat0, kLat1, 14);
  const long lineCount = static_cast<long>(std::count(input.begin(), input.end(), '\n'));
  input += "113.1;23.0\n" + randomInput(100, kLon0, kLon1, kLat0, kLat1, 15);
  const auto access = query::makeAccess(twin().district(), query::Role::kPlanner, "").value();
  for (const std::string format : {"json", "csv"}) {
    long bad = 0;
    const std::string expected = oldLocate(input, crs::kCgcs2000, format, access, bad);
    ASSERT_EQ(bad, lineCount + 1);
    const CliRun r = cli("locate " + dataset() + " --format " + format, input);
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("stdin:" + std::to_string(bad) +
                         ": expected 'x,y' (finite numbers), got '113.1;23.0'"),
              std::string::npos)
        << r.err;
    EXPECT_TRUE(r.out == expected) << format;
  }
  // A point PROJ refuses is reported the same way, with its line.
  const std::string refused = "113.1,23.0\n\n113.1,95\n113.1,23.0\n";
  const CliRun r = cli("locate " + dataset(), refused);
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("stdin:3: "), std::string::npos) << r.err;
}

TEST(StreamIntegration, TransformEqualsTheOldCommandByteForByte) {
  const std::string lonlat = randomInput(kPoints, kLon0, kLon1, kLat0, kLat1, 16) + "113.1,23";
  const std::string metric = randomInput(kPoints, 390000, 425000, 2530000, 2565000, 17);
  struct Case {
    std::string from, to;
    const std::string& input;
  };
  const Case cases[] = {
      {"EPSG:4490", "EPSG:4547", lonlat}, {"GCJ02", "EPSG:4547", lonlat},
      {"EPSG:4547", "EPSG:4490", metric}, {"EPSG:4547", "GCJ02", metric},
      {"GCJ02", "BD09", lonlat},          {"EPSG:4490", "EPSG:3857", lonlat},
  };
  for (const auto& c : cases) {
    long bad = 0;
    const std::string expected =
        oldTransform(c.input, crs::parseCrs(c.from).value(), crs::parseCrs(c.to).value(), bad);
    ASSERT_EQ(bad, 0);
    const CliRun r = cli("transform --from " + c.from + " --to " + c.to, c.input);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    ASSERT_EQ(r.out.size(), expected.size()) << c.from << " -> " << c.to;
    EXPECT_TRUE(r.out == expected) << c.from << " -> " << c.to;
  }
}

TEST(StreamIntegration, TransformStopsAtABadLineAfterTheLinesBeforeIt) {
  std::string input = randomInput(kPoints, kLon0, kLon1, kLat0, kLat1, 18);
  const long lineCount = static_cast<long>(std::count(input.begin(), input.end(), '\n'));
  input += "abc\n113.1,23\n";
  long bad = 0;
  const std::string expected = oldTransform(input, crs::kGcj02, crs::kCgcs2000, bad);
  ASSERT_EQ(bad, lineCount + 1);
  const CliRun r = cli("transform --from GCJ02 --to EPSG:4490", input);
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("stdin:" + std::to_string(bad) + ": expected 'x,y', got 'abc'"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(r.out == expected);
}

// ---- the pieces: formatting against printf, the reader's lines

TEST(StreamIntegration, NumbersAreWrittenAsPrintfWritesThem) {
  std::mt19937_64 rng(19);
  std::uniform_real_distribution<double> lon(-180, 180), metres(-1e7, 1e7), unit(0, 1);
  std::uniform_int_distribution<int> exponent(-30, 30);
  std::vector<double> values = {0.0,         -0.0,        1.0,          -1.0,        0.5,
                                1.5,         2.5,         113.0,        999999999.5, 999999999.4,
                                999999999.6, 1e9,         0.125,        113.1234565, 1e-5,
                                -0.00001,    123456789.5, 2.0000000005, 1e300,       5e-324};
  for (int i = 0; i < 300'000; ++i) {
    values.push_back(lon(rng));
    values.push_back(metres(rng));
    values.push_back(unit(rng) * std::pow(10.0, exponent(rng)));
    // Exact ties at 9 significant digits and at 4 and 9 decimals.
    values.push_back(std::round(lon(rng) * 1e6) / 1e6 + 5e-7);
    values.push_back(std::round(metres(rng)) + 0.00005);
    values.push_back(std::ldexp(std::round(lon(rng) * 1024), -11));
  }
  char expected[512];
  for (const double v : values) {
    std::string out;
    stream::appendG9(out, v);
    std::snprintf(expected, sizeof expected, "%.9g", v);
    ASSERT_EQ(out, expected) << "%.9g of " << std::hexfloat << v;
    for (const int decimals : {0, 4, 7, 9}) {
      out.clear();
      stream::appendFixed(out, v, decimals);
      std::snprintf(expected, sizeof expected, "%.*f", decimals, v);
      ASSERT_EQ(out, expected) << "%." << decimals << "f of " << std::hexfloat << v;
    }
  }
}

TEST(StreamIntegration, NumbersAreReadAsFromCharsReadsThem) {
  std::mt19937_64 rng(20);
  std::uniform_real_distribution<double> any(-1e7, 1e7);
  std::uniform_int_distribution<int> places(0, 17);
  std::vector<std::string> texts = {"0",
                                    "-0",
                                    "0.0",
                                    "-0.0",
                                    "5.",
                                    ".5",
                                    "-.5",
                                    "1e5",
                                    "inf",
                                    "nan",
                                    "-",
                                    "",
                                    ".",
                                    "1.2.3",
                                    "12a",
                                    "+1",
                                    "0x10",
                                    "123456789012345",
                                    "1234567890123456",
                                    "0.000000000000001",
                                    "9007199254740993",
                                    "113.12345678901234567"};
  char buf[64];
  for (int i = 0; i < 500'000; ++i) {
    std::snprintf(buf, sizeof buf, "%.*f", places(rng), any(rng));
    texts.emplace_back(buf);
  }
  for (const auto& t : texts) {
    double ours = 0, theirs = 0;
    const bool a = stream::parseNumber(t, ours);
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), theirs);
    const bool b =
        !t.empty() && ec == std::errc() && end == t.data() + t.size() && std::isfinite(theirs);
    ASSERT_EQ(a, b) << t;
    if (a) {
      ASSERT_EQ(std::memcmp(&ours, &theirs, sizeof ours), 0) << t;
    }
  }
}

TEST(StreamIntegration, EchoedNumbersAreWhatToCharsWrites) {
  std::mt19937_64 rng(21);
  std::uniform_real_distribution<double> lon(-180, 180), metres(-1e7, 1e7), unit(0, 1);
  std::uniform_int_distribution<int> places(0, 17), exponent(-20, 20);
  std::vector<std::string> texts = {"113.1",
                                    "113.10",
                                    "113.0",
                                    "113.",
                                    "-113.5",
                                    "0.5",
                                    "-0.0",
                                    "0.00001",
                                    "100000",
                                    "100000.0",
                                    "1e5",
                                    "1.5e2",
                                    "007.5",
                                    " 113.1",
                                    "123456789012345.5",
                                    "1.5000",
                                    "12345678901234.5",
                                    "123456789.123456",
                                    "113.1234567890123",
                                    "113.12345678901234",
                                    "9.999999999999999"};
  char buf[64];
  for (int i = 0; i < 300'000; ++i) {
    std::snprintf(buf, sizeof buf, "%.*f", places(rng), lon(rng));
    texts.emplace_back(buf);
    std::snprintf(buf, sizeof buf, "%.*f", places(rng), metres(rng));
    texts.emplace_back(buf);
    std::snprintf(buf, sizeof buf, "%.*f", places(rng), unit(rng) * std::pow(10.0, exponent(rng)));
    texts.emplace_back(buf);
    std::snprintf(buf, sizeof buf, "%.7f", lon(rng));
    texts.emplace_back(buf);
  }
  for (const auto& t : texts) {
    double v = 0;
    if (!stream::parseNumber(t, v)) continue;
    std::string ours, theirs;
    stream::appendEcho(ours, stream::trim(t), v);
    stream::appendShortest(theirs, v);
    ASSERT_EQ(ours, theirs) << t;
  }
}

TEST(StreamIntegration, ReaderGivesTheLinesGetlineGives) {
  // Lines across chunk borders, CRLF, a last line without a newline, a line
  // longer than a chunk, empty lines at the end.
  std::string text;
  for (int i = 0; i < 40'000; ++i) text += "line " + std::to_string(i) + (i % 7 ? "\n" : "\r\n");
  text += std::string(3 * stream::ChunkReader::kChunkBytes, 'x') + "\n\n\nlast";
  const fs::path path = workDir() / "lines.txt";
  for (const std::string& t : {text, text + "\n", std::string(), std::string("\n")}) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << t;
    auto reader = stream::ChunkReader::open(path.string());
    ASSERT_TRUE(reader.ok());
    std::vector<std::pair<std::string, long>> got;
    stream::Chunk chunk;
    while (reader->next(chunk).value()) {
      stream::forEachLineOf(chunk, [&](std::string_view line, long number) {
        got.emplace_back(std::string(line), number);
        return true;
      });
    }
    std::vector<std::pair<std::string, long>> want;
    lines(t, [&](const std::string& line, long number) {
      want.emplace_back(line, number);
      return true;
    });
    EXPECT_TRUE(got == want) << got.size() << " lines, getline gives " << want.size();
  }
  EXPECT_FALSE(stream::ChunkReader::open((workDir() / "missing.txt").string()).ok());
}

}  // namespace
}  // namespace gridtwin
