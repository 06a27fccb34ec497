#pragma once
// The viewer's area query, measuring and export, without widgets: an area
// drawn on the map (EPSG:4547) → the engine's select() and aggregate() (the
// same calls `gridtwin stats` makes, so the panel's counts are the CLI's),
// the hits' points for the scene, and the hits exported through the engine's
// writers (store::GpkgWriter; CSV and GeoJSON through core::OutputFile, all
// or nothing), masked by the caller's role (query::forEachRecord) and cut to
// their scope (select()).
//
// Events count when reported in the viewer's window (the last `hours`
// before `now`, as the scene draws them).
//
// Thread-safety: pure functions; runAreaQuery() runs on a worker thread.
#include <osg/Vec3d>

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "geo/types.h"
#include "query/access.h"
#include "query/query.h"
#include "query/stats.h"
#include "query/twin.h"

namespace gridtwin::viewer {

struct AreaAnswer {
  query::Area area;
  query::Selection selection;
  query::Stats stats;
  double elapsedMs = 0;              // select + aggregate
  std::vector<osg::Vec3d> hitMarks;  // hitPoints(), made on the worker too
};

// The events filter of the viewer's window: reported in [now - hours, now).
query::EventFilter viewerEvents(std::int64_t now, int hours);

// Errors: the engine's (an invalid polygon: self-intersection, with GEOS's
// place; a degenerate one).
core::Result<AreaAnswer> runAreaQuery(const query::Twin& twin, const query::Access& access,
                                      const query::Area& area, std::int64_t now, int hours);

// The panel's rows: counts by kind, then by category (group, key, count).
struct CountRow {
  std::string group, key;
  std::uint64_t count = 0;
};
std::vector<CountRow> answerRows(const query::Twin& twin, const AreaAnswer& answer);

enum class ExportFormat : unsigned char { kGpkg, kCsv, kGeoJson };
// By the file's extension (.gpkg, .csv, .geojson or .json); false otherwise.
bool exportFormatOf(const std::string& path, ExportFormat& format);

// Writes the selection's records (masked for `access`) to `path`. CSV: a
// header kind,id,grid,lon,lat then every kind's fields (as `gridtwin query
// --format csv`); GeoJSON: a FeatureCollection of points (EPSG:4490
// lon/lat) with "table" (the kind's table), "id", "grid" and the fields as
// properties (not "kind": entities have a field of that name); GeoPackage: one
// point table per kind. `inputs`: files the output must not overwrite (the
// dataset). Errors name the path.
core::Result<void> exportHits(const query::Twin& twin, const query::Access& access,
                              const query::Selection& selection, ExportFormat format,
                              const std::string& path, const std::vector<std::string>& inputs,
                              std::int64_t now);

// Measuring in EPSG:4547 metres (the scene's coordinates plus its origin
// are EPSG:4547, so lengths and areas are the local ones).
double polylineLengthM(const std::vector<osg::Vec3d>& points);
double polygonAreaM2(const std::vector<osg::Vec3d>& ring);  // shoelace, absolute
// "325 m", "1.25 km"; "850 m²", "0.42 km²" (km² from 100,000 m²).
std::string formatLength(double metres);
std::string formatArea(double squareMetres);

// The drawn shapes as engine areas: local points plus `origin` are EPSG:4547.
query::Area boxAreaOf(const osg::Vec3d& a, const osg::Vec3d& b, const osg::Vec3d& origin);
query::Area circleAreaOf(const osg::Vec3d& centre, double radius, const osg::Vec3d& origin);
query::Area polygonAreaOf(const std::vector<osg::Vec3d>& ring, const osg::Vec3d& origin);

// The points (local coordinates) of the selection's facilities and events
// (the kinds drawn as points) for the scene's hit marks.
std::vector<osg::Vec3d> hitPoints(const query::Twin& twin, const query::Selection& selection,
                                  const osg::Vec3d& origin);

// The picked building's label in the scene: its door plate's full address
// (or "建筑 <id>" without one), its first legal entity's name after it; empty
// for a building outside the caller's scope (the panel shows nothing of it
// either).
std::string buildingLabel(const query::Twin& twin, const query::Access& access,
                          std::uint32_t building);

}  // namespace gridtwin::viewer
