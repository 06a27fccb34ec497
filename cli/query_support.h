#pragma once
// Helpers shared by the query subcommands (locate, query, near, stats):
// opening the twin, the --role/--scope access, points and areas in a named
// CRS, and JSON/CSV/GeoPackage output of masked records and stats.
// Header-only so that the commands stay one file each (cli/CMakeLists.txt
// globs *_command.cpp).
#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/csv.h"
#include "core/error.h"
#include "crs/crs.h"
#include "crs/transformer.h"
#include "geo/wkt.h"
#include "io.h"
#include "query/access.h"
#include "query/area_input.h"
#include "query/query.h"
#include "query/records.h"
#include "query/stats.h"
#include "query/twin.h"
#include "store/gpkg_writer.h"

namespace gridtwin::cli::qs {

// A failure with its exit code: 1 bad input, 2 usage.
struct Failure {
  int exitCode = 1;
  std::string message;
};

inline int fail(const std::string& command, const Failure& f) {
  std::cerr << "gridtwin " << command << ": " << f.message << '\n';
  return f.exitCode;
}

struct AccessOptions {
  std::string role = "planner";  // private by default
  std::string scope;
};

inline void addAccessOptions(CLI::App* cmd, AccessOptions& o) {
  cmd->add_option("--role", o.role,
                  "who asks: district, street, community, grid_head, planner (default: planner; "
                  "see engine/query/README.md for what each may see)");
  cmd->add_option("--scope", o.scope,
                  "comma-separated codes the role may hold: district, planner: any codes or "
                  "'all' (their default); street: codes within one street; community: "
                  "community/grid codes within one community; grid_head: grid codes only");
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

inline bool parseNumber(std::string_view s, double& out) {
  s = trim(s);
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(out);
}

// "a,b,c,..." into exactly n finite numbers.
inline bool parseNumbers(std::string_view s, std::size_t n, std::vector<double>& out) {
  out.clear();
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = s.find(',', start);
    double v;
    if (!parseNumber(s.substr(start, comma == std::string_view::npos ? s.npos : comma - start),
                     v)) {
      return false;
    }
    out.push_back(v);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out.size() == n;
}

struct Opened {
  std::unique_ptr<query::Twin> twin;
  query::Access access;
};

inline std::optional<Failure> openTwin(const std::string& dataset, const AccessOptions& ao,
                                       Opened& out, const query::Twin::Options& options = {}) {
  query::Role role;
  if (!query::parseRole(ao.role, role)) {
    return Failure{2, "--role: unknown role '" + ao.role +
                          "' (district, street, community, grid_head, planner)"};
  }
  auto twin = query::Twin::open(dataset, options);
  if (!twin) return Failure{1, twin.error().toString()};
  auto access = query::makeAccess((*twin)->district(), role, ao.scope);
  if (!access) {
    // Name the option the user gave: --scope, or the role that needs one.
    const std::string option = ao.scope.empty() ? "--role " + ao.role : "--scope";
    return Failure{2, option + ": " + access.error().toString()};
  }
  out.twin = std::move(*twin);
  out.access = std::move(*access);
  return std::nullopt;
}

// Transforms points from `crs` to EPSG:4547.
class ToMetric {
 public:
  std::optional<Failure> init(const std::string& crsText) {
    auto c = crs::parseCrs(crsText);
    if (!c) return Failure{2, "--crs: " + c.error().toString()};
    m_crs = *c;
    auto t = crs::Transformer::create(*c, crs::kGaussKruger114);
    if (!t) return Failure{2, "--crs: " + t.error().toString()};
    m_t.emplace(std::move(*t));
    return std::nullopt;
  }
  // The error speaks of the user's point in the user's CRS, not of the
  // metric CRS the engine works in.
  core::Result<geo::Point> operator()(const geo::Point& p) const {
    auto q = m_t->transform(p);
    if (q) return q;
    const std::string& why = q.error().message;
    const auto colon = why.rfind(": ");
    return core::makeError(
        q.error().code,
        "(" + formatCoordinate(p.x) + ", " + formatCoordinate(p.y) + ") is not a usable " +
            crs::name(m_crs) + " coordinate" +
            (colon == std::string::npos ? "" : " (" + why.substr(colon + 2) + ")"),
        q.error().context);
  }
  bool metric() const { return m_crs == crs::kGaussKruger114; }
  const crs::Transformer& transformer() const { return *m_t; }
  const crs::Crs& crs() const { return m_crs; }

 private:
  crs::Crs m_crs;
  std::optional<crs::Transformer> m_t;
};

struct AreaOptions {
  std::string bbox, wkt, radius, grid;
  std::string crs = "EPSG:4490";
  // Set by addAreaOptions: which options were given (an empty --wkt '' is
  // given, and refused, not taken for "no area").
  std::vector<std::pair<const char*, const CLI::Option*>> given;
};

inline void addAreaOptions(CLI::App* cmd, AreaOptions& o) {
  o.given = {{"--bbox", cmd->add_option("--bbox", o.bbox, "minx,miny,maxx,maxy in --crs")},
             {"--wkt", cmd->add_option("--wkt", o.wkt,
                                       "a POLYGON in --crs (must be valid: no self-intersection)")},
             {"--radius", cmd->add_option("--radius", o.radius,
                                          "x,y,r: a circle, centre in --crs, r in metres")},
             {"--grid", cmd->add_option("--grid", o.grid, "comma-separated grid codes")}};
  cmd->add_option("--crs", o.crs,
                  "CRS of coordinates: EPSG:4490 (default), EPSG:4326, "
                  "EPSG:4547, GCJ02, BD09");
}

// The area in EPSG:4547; none given = the whole scope. A geographic box is
// not a box in metres: its edges are densified and it becomes a polygon.
// Boxes and polygons are checked and clipped to the district in their own
// CRS (query/area_input.h); an empty option, an empty or degenerate polygon
// is a usage error.
inline std::optional<Failure> parseArea(const AreaOptions& o, const query::Twin& twin,
                                        query::Area& area) {
  const auto isGiven = [&](const char* name, const std::string& value) {
    for (const auto& [n, option] : o.given) {
      if (std::string_view(n) == name) return option->count() > 0;
    }
    return !value.empty();
  };
  const std::pair<const char*, const std::string*> options[] = {
      {"--bbox", &o.bbox}, {"--wkt", &o.wkt}, {"--radius", &o.radius}, {"--grid", &o.grid}};
  int given = 0;
  for (const auto& [name, value] : options) {
    if (!isGiven(name, *value)) continue;
    ++given;
    if (trim(*value).empty()) {
      return Failure{2, std::string(name) +
                            ": empty; give a value or leave the option out "
                            "(no area is the whole scope)"};
    }
  }
  if (given > 1) return Failure{2, "give at most one of --bbox, --wkt, --radius, --grid"};
  if (given == 0) {
    area = query::Area::wholeScope();
    return std::nullopt;
  }
  if (!o.grid.empty()) {
    std::vector<std::uint32_t> grids;
    const auto& codes = twin.district().grids().code;
    std::string_view s = o.grid;
    std::size_t start = 0;
    while (start <= s.size()) {
      const std::size_t comma = s.find(',', start);
      const std::string_view code = trim(s.substr(start, comma == s.npos ? s.npos : comma - start));
      bool found = false;
      for (std::uint32_t g = 0; g < codes.size() && !found; ++g) {
        if (codes[g] == code) {
          grids.push_back(g);
          found = true;
        }
      }
      if (!found) return Failure{1, "--grid: no grid has the code '" + std::string(code) + "'"};
      if (comma == s.npos) break;
      start = comma + 1;
    }
    area = query::Area::ofGrids(std::move(grids));
    return std::nullopt;
  }
  ToMetric toMetric;
  if (auto f = toMetric.init(o.crs)) return f;
  // Usage errors (empty, degenerate) exit 2; everything else is bad input.
  const auto failed = [](const char* option, const core::Error& e) {
    return Failure{e.code == core::ErrorCode::kInvalidArgument ? 2 : 1,
                   std::string(option) + ": " + e.toString()};
  };
  if (!o.bbox.empty()) {
    std::vector<double> v;
    if (!parseNumbers(o.bbox, 4, v) || v[0] > v[2] || v[1] > v[3]) {
      return Failure{1, "--bbox: expected minx,miny,maxx,maxy (finite, min <= max), got " +
                            quoteInput(o.bbox)};
    }
    auto a = query::boxArea(twin, toMetric.crs(), {v[0], v[1], v[2], v[3]});
    if (!a) return failed("--bbox", a.error());
    area = std::move(*a);
    return std::nullopt;
  }
  if (!o.radius.empty()) {
    std::vector<double> v;
    if (!parseNumbers(o.radius, 3, v)) {
      // "x,y,inf": everything in scope.
      std::string_view s = o.radius;
      const auto last = s.rfind(',');
      std::vector<double> c;
      if (last == s.npos || !parseNumbers(s.substr(0, last), 2, c) ||
          (trim(s.substr(last + 1)) != "inf" && trim(s.substr(last + 1)) != "infinity")) {
        return Failure{1,
                       "--radius: expected x,y,r (r in metres, >= 0), got " + quoteInput(o.radius)};
      }
      v = {c[0], c[1], std::numeric_limits<double>::infinity()};
    }
    if (v[2] < 0) return Failure{1, "--radius: r must be >= 0, got " + quoteInput(o.radius)};
    auto m = toMetric({v[0], v[1]});
    if (!m) return Failure{1, "--radius: " + m.error().toString()};
    area = query::Area::ofCircle(*m, v[2]);
    return std::nullopt;
  }
  auto g = geo::readWkt(o.wkt, "--wkt");
  if (!g) return Failure{1, g.error().toString()};
  const auto* polygon = std::get_if<geo::Polygon>(&*g);
  if (!polygon) {
    return Failure{1, std::string("--wkt: expected a POLYGON, got a ") + geo::typeName(*g)};
  }
  auto a = query::polygonArea(twin, toMetric.crs(), *polygon);
  if (!a) return failed("--wkt", a.error());
  area = std::move(*a);
  return std::nullopt;
}

struct EventOptions {
  std::string window, now, category, status;
};

inline void addEventOptions(CLI::App* cmd, EventOptions& o) {
  cmd->add_option("--window", o.window,
                  "events reported in 24h, 7d, 30d (before --now) or FROM/TO (ISO 8601)");
  cmd->add_option("--now", o.now,
                  "reference time (default 2026-07-01T00:00:00+08:00, the end of "
                  "the dataset's last day)");
  cmd->add_option("--category", o.category, "event category codes, comma-separated");
  cmd->add_option(
      "--status", o.status,
      "event status as the dataset spells it: 发现上报, 分类推送, 协同处理, 跟踪回访, 评价结案");
}

inline std::optional<Failure> parseEvents(const EventOptions& o, const query::Twin& twin,
                                          query::EventFilter& filter, std::int64_t& now) {
  now = query::kReferenceNow;
  if (!o.now.empty()) {
    auto t = query::parseTime(o.now);
    if (!t) return Failure{1, "--now: " + t.error().toString()};
    now = *t;
  }
  if (!o.window.empty()) {
    auto w = query::parseTimeWindow(o.window, now);
    if (!w) return Failure{1, "--window: " + w.error().toString()};
    filter.window = *w;
  }
  if (!o.status.empty()) {
    model::EventStatus s;
    if (!model::parseEventStatus(o.status, s)) {
      return Failure{2, "--status: unknown status '" + o.status + "'"};
    }
    filter.status = s;
  }
  if (!o.category.empty()) {
    const auto& codes = twin.district().columns().categoryCodes;
    std::string_view s = o.category;
    std::size_t start = 0;
    while (start <= s.size()) {
      const std::size_t comma = s.find(',', start);
      const std::string_view code = trim(s.substr(start, comma == s.npos ? s.npos : comma - start));
      bool found = false;
      for (std::size_t c = 0; c < codes.size() && !found; ++c) {
        if (codes[c] == code) {
          filter.categories.push_back(static_cast<std::uint16_t>(c));
          found = true;
        }
      }
      if (!found) return Failure{2, "--category: unknown category '" + std::string(code) + "'"};
      if (comma == s.npos) break;
      start = comma + 1;
    }
  }
  return std::nullopt;
}

inline std::string json(std::string_view s) { return jsonQuote(s); }

inline std::string csv(std::string_view s) { return core::csvField(s); }

// Full precision: the shortest text that reads back to the same double.
inline std::string coord(double v) { return formatCoordinate(v); }

inline std::string recordJson(const query::Twin& twin, const query::Record& r) {
  std::string out = "{\"kind\": " + json(model::kindTable(r.kind)) +
                    ", \"id\": " + std::to_string(r.id) +
                    ", \"grid\": " + json(twin.district().grids().code[r.grid]);
  const std::string lon = coord(r.lonlat.x), lat = coord(r.lonlat.y);
  out += ", \"lon\": " + (lon.empty() ? std::string("null") : lon);
  out += ", \"lat\": " + (lat.empty() ? std::string("null") : lat);
  const auto names = query::fieldNames(r.kind);
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += ", " + json(names[i]) + ": " + json(r.values[i]);
  }
  return out + "}";
}

// Writes the selection's records: json (an array), jsonl, csv (one header:
// kind, id, grid, lon, lat, then every selected kind's fields), or gpkg
// (one point table per kind, at `outPath`).
inline std::optional<Failure> writeRecords(const query::Twin& twin, const query::Access& access,
                                           const query::Selection& sel, const query::KindSet& kinds,
                                           const std::string& format, const std::string& outPath,
                                           std::int64_t now) {
  if (format == "gpkg") {
    if (outPath.empty()) return Failure{2, "--format gpkg needs --out FILE"};
    auto written = query::writeRecordsGpkg(
        twin, access, sel, kinds, outPath,
        "gridtwin query (role " + std::string(query::name(access.role)) + ")", now);
    if (!written) return Failure{1, written.error().toString()};
    return std::nullopt;
  }
  // --out FILE: the same text, written all or nothing (cli/io.h).
  TextOutput text;
  if (auto r = text.open(outPath, "." + format); !r) return Failure{1, r.error().toString()};
  std::ostream& out = text.stream();
  auto done = [&]() -> std::optional<Failure> {
    if (auto r = text.commit(); !r) return Failure{1, r.error().toString()};
    return std::nullopt;
  };
  if (format == "csv") {
    query::writeRecordsCsv(twin, access, sel, kinds, out, now);
    return done();
  }
  const bool lines = format == "jsonl";
  if (!lines) out << "[";
  bool first = true;
  query::forEachRecord(
      twin, access, sel,
      [&](const query::Record& r) {
        if (lines) {
          out << recordJson(twin, r) << '\n';
        } else {
          out << (first ? "\n  " : ",\n  ") << recordJson(twin, r);
        }
        first = false;
      },
      now);
  if (!lines) out << (first ? "]\n" : "\n]\n");
  return done();
}

// Stats as JSON: {"counts": {...}, "people": {...}, ...}; or as CSV rows
// group,key,count.
inline void writeStats(const query::Twin& twin, const query::Stats& s, const std::string& format,
                       const std::string& scopeText, std::ostream& out = std::cout) {
  const auto rows = query::statsRows(twin.district(), s);
  if (format == "csv") {
    out << "group,key,count\n";
    for (const auto& r : rows) out << r.group << ',' << csv(r.key) << ',' << r.count << '\n';
    return;
  }
  out << query::statsJson(rows, "scope", scopeText, true);
}

}  // namespace gridtwin::cli::qs
