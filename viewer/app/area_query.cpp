#include "app/area_query.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>

#include "core/json.h"
#include "core/output_file.h"
#include "query/records.h"
#include "store/gpkg_writer.h"

namespace gridtwin::viewer {
namespace {

geo::Point metric(const osg::Vec3d& local, const osg::Vec3d& origin) {
  return {local.x() + origin.x(), local.y() + origin.y()};
}

void writeGeoJson(const query::Twin& twin, const query::Access& access, const query::Selection& sel,
                  std::ostream& out, std::int64_t now) {
  out << "{\"type\": \"FeatureCollection\", \"features\": [";
  bool first = true;
  query::forEachRecord(
      twin, access, sel,
      [&](const query::Record& r) {
        std::string f = first ? "\n" : ",\n";
        first = false;
        f += "{\"type\": \"Feature\", \"geometry\": ";
        if (std::isfinite(r.lonlat.x) && std::isfinite(r.lonlat.y)) {
          f += "{\"type\": \"Point\", \"coordinates\": [";
          core::appendJsonNumber(f, r.lonlat.x);
          f += ", ";
          core::appendJsonNumber(f, r.lonlat.y);
          f += "]}";
        } else {
          f += "null";
        }
        f += ", \"properties\": {\"table\": " + core::jsonQuote(model::kindTable(r.kind)) +
             ", \"id\": " + std::to_string(r.id) +
             ", \"grid\": " + core::jsonQuote(twin.district().grids().code[r.grid]);
        const auto names = query::fieldNames(r.kind);
        for (std::size_t i = 0; i < names.size() && i < r.values.size(); ++i) {
          f += ", " + core::jsonQuote(names[i]) + ": " + core::jsonQuote(r.values[i]);
        }
        f += "}}";
        out << f;
      },
      now);
  out << "\n]}\n";
}

}  // namespace

query::EventFilter viewerEvents(std::int64_t now, int hours) {
  query::EventFilter f;
  f.window = query::TimeWindow::lastHours(now, hours);
  return f;
}

core::Result<AreaAnswer> runAreaQuery(const query::Twin& twin, const query::Access& access,
                                      const query::Area& area, std::int64_t now, int hours) {
  const auto start = std::chrono::steady_clock::now();
  auto sel = query::select(twin, access, area, query::KindSet::all(), viewerEvents(now, hours));
  if (!sel) return sel.error();
  AreaAnswer a;
  a.area = area;
  a.stats = query::aggregate(twin, *sel, now);
  a.selection = std::move(*sel);
  a.elapsedMs =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return a;
}

std::vector<CountRow> answerRows(const query::Twin& twin, const AreaAnswer& answer) {
  const auto& s = answer.stats;
  const auto& c = twin.district().columns();
  std::vector<CountRow> rows;
  auto row = [&rows](std::string_view group, std::string_view key, std::uint64_t n) {
    rows.push_back({std::string(group), std::string(key), n});
  };
  for (model::Kind k : query::kQueryKinds) row("按类 By kind", model::kindTable(k), s.count(k));
  for (std::size_t t = 0; t < model::kPersonTagCount; ++t) {
    if (s.peopleByTag[t]) {
      row("人口 People by tag", model::name(static_cast<model::PersonTag>(t)), s.peopleByTag[t]);
    }
  }
  for (std::size_t i = 0; i < query::kAgeBands.size(); ++i) {
    row("人口 People by age", query::kAgeBands[i], s.peopleByAge[i]);
  }
  for (std::size_t i = 0; i < 3; ++i) {
    row("法人 Entities by credit colour", model::name(static_cast<model::CreditColour>(i)),
        s.entitiesByColour[i]);
  }
  for (std::size_t i = 0; i < 4; ++i) {
    row("建筑 Buildings by use", model::name(static_cast<model::BuildingUse>(i)),
        s.buildingsByUse[i]);
  }
  for (std::size_t i = 0; i < s.facilitiesByType.size(); ++i) {
    if (s.facilitiesByType[i]) {
      row("设施 Facilities by type", c.facilityTypeNames[i], s.facilitiesByType[i]);
    }
  }
  row("设施 Facilities by type", "无主部件 ownerless", s.ownerlessFacilities);
  for (std::size_t i = 0; i < 5; ++i) {
    row("事件 Events by status", model::name(static_cast<model::EventStatus>(i)),
        s.eventsByStatus[i]);
  }
  for (std::size_t i = 0; i < s.eventsByCategory.size(); ++i) {
    if (s.eventsByCategory[i]) {
      row("事件 Events by category",
          std::string(c.categoryCodes[i]) + " " + std::string(c.categoryNames[i]),
          s.eventsByCategory[i]);
    }
  }
  return rows;
}

bool exportFormatOf(const std::string& path, ExportFormat& format) {
  auto ends = [&path](std::string_view e) {
    if (path.size() < e.size()) return false;
    for (std::size_t i = 0; i < e.size(); ++i) {
      const char ch = path[path.size() - e.size() + i];
      if (std::tolower(static_cast<unsigned char>(ch)) != e[i]) return false;
    }
    return true;
  };
  if (ends(".gpkg")) {
    format = ExportFormat::kGpkg;
  } else if (ends(".csv")) {
    format = ExportFormat::kCsv;
  } else if (ends(".geojson") || ends(".json")) {
    format = ExportFormat::kGeoJson;
  } else {
    return false;
  }
  return true;
}

core::Result<void> exportHits(const query::Twin& twin, const query::Access& access,
                              const query::Selection& selection, ExportFormat format,
                              const std::string& path, const std::vector<std::string>& inputs,
                              std::int64_t now) {
  if (auto c = core::checkOutput(path, inputs, "export"); !c) return c.error();
  if (format == ExportFormat::kGpkg) {
    return query::writeRecordsGpkg(
        twin, access, selection, query::KindSet::all(), path,
        "gridtwin-viewer area query (role " + std::string(query::name(access.role)) + ")", now);
  }
  auto file = core::OutputFile::begin(path, format == ExportFormat::kCsv ? ".csv" : ".geojson");
  if (!file) return file.error();
  {
    std::ofstream out(file->temporaryPath(), std::ios::binary);
    if (!out) {
      return core::makeError(core::ErrorCode::kIo, "cannot write the export", path);
    }
    if (format == ExportFormat::kCsv) {
      query::writeRecordsCsv(twin, access, selection, query::KindSet::all(), out, now);
    } else {
      writeGeoJson(twin, access, selection, out, now);
    }
    out.flush();
    if (!out) return core::makeError(core::ErrorCode::kIo, "writing the export failed", path);
  }
  return file->commit();
}

double polylineLengthM(const std::vector<osg::Vec3d>& points) {
  double m = 0;
  for (std::size_t i = 1; i < points.size(); ++i) {
    const osg::Vec3d d = points[i] - points[i - 1];
    m += std::hypot(d.x(), d.y());
  }
  return m;
}

double polygonAreaM2(const std::vector<osg::Vec3d>& ring) {
  if (ring.size() < 3) return 0;
  double twice = 0;
  for (std::size_t i = 0; i < ring.size(); ++i) {
    const auto& a = ring[i];
    const auto& b = ring[(i + 1) % ring.size()];
    twice += a.x() * b.y() - b.x() * a.y();
  }
  return std::abs(twice) / 2;
}

std::string formatLength(double metres) {
  char buf[64];
  if (metres < 1000) {
    std::snprintf(buf, sizeof buf, "%.0f m", metres);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f km", metres / 1000);
  }
  return buf;
}

std::string formatArea(double m2) {
  char buf[64];
  if (m2 < 100000) {
    std::snprintf(buf, sizeof buf, "%.0f m²", m2);
  } else {
    std::snprintf(buf, sizeof buf, "%.3f km²", m2 / 1e6);
  }
  return buf;
}

query::Area boxAreaOf(const osg::Vec3d& a, const osg::Vec3d& b, const osg::Vec3d& origin) {
  const geo::Point p = metric(a, origin), q = metric(b, origin);
  return query::Area::ofBox(
      {std::min(p.x, q.x), std::min(p.y, q.y), std::max(p.x, q.x), std::max(p.y, q.y)});
}

query::Area circleAreaOf(const osg::Vec3d& centre, double radius, const osg::Vec3d& origin) {
  return query::Area::ofCircle(metric(centre, origin), radius);
}

query::Area polygonAreaOf(const std::vector<osg::Vec3d>& ring, const osg::Vec3d& origin) {
  geo::Polygon p;
  for (const auto& v : ring) p.outer.push_back(metric(v, origin));
  if (!p.outer.empty()) p.outer.push_back(p.outer.front());
  return query::Area::ofPolygon(std::move(p));
}

std::vector<osg::Vec3d> hitPoints(const query::Twin& twin, const query::Selection& selection,
                                  const osg::Vec3d& origin) {
  std::vector<osg::Vec3d> out;
  for (model::Kind k : {model::Kind::kFacility, model::Kind::kEvent}) {
    const auto points = twin.points(k);
    for (auto row : selection.of(k)) {
      const auto& p = points[row];
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
      out.emplace_back(p.x - origin.x(), p.y - origin.y(), 0);
    }
  }
  return out;
}

std::string buildingLabel(const query::Twin& twin, const query::Access& access,
                          std::uint32_t building) {
  const auto& d = twin.district();
  const auto& bs = d.buildings();
  if (building >= bs.size() || !access.scope.contains(bs.grid[building])) return {};
  std::string text =
      bs.address[building] >= 0
          ? std::string(d.addresses().fullText[static_cast<std::size_t>(bs.address[building])])
          : "建筑 " + std::to_string(bs.id[building]);
  const auto entities = twin.entitiesOfBuilding(building);
  if (!entities.empty()) text += " · " + std::string(d.entities().name[entities[0]]);
  return text;
}

}  // namespace gridtwin::viewer
