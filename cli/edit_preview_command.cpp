// gridtwin edit-preview <dataset> <grid code> (--wkt WKT | --polygon FILE [--layer L])
//                       [--crs CRS] [--format text|json]
//
// Before a grid's boundary changes: given the proposed polygon for the grid
// (drawn anew, or with a shared edge moved), reports which grids change, how
// many addresses, houses, people, entities, facilities and open events would
// move from which grid to which, and the findings the new coverage would
// have that the current one has not (engine/boundary/preview.h). Nothing is
// changed.
//
// Exit codes: 0 ok; 1 bad input (unknown grid, invalid polygon, unreadable
// file: the message names it); 2 usage.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "boundary/preview.h"
#include "boundary/source.h"
#include "commands.h"
#include "crs/crs.h"
#include "crs/transformer.h"
#include "geo/geos.h"
#include "geo/wkt.h"
#include "query_support.h"

namespace gridtwin::cli {
namespace {

struct PreviewOptions {
  std::string dataset;
  std::string grid;
  std::string wkt;
  std::string polygonFile;
  std::string layer;
  std::string crs = "EPSG:4490";
  std::string format = "text";
};

core::Result<geo::MultiPolygon> proposal(const PreviewOptions& o) {
  if (!o.polygonFile.empty()) {
    auto shape = boundary::readShape(o.polygonFile, o.layer);
    if (shape && shape->polygons.empty()) {
      return core::makeError(core::ErrorCode::kInvalidArgument,
                             "holds no polygon; give the grid's new boundary", o.polygonFile);
    }
    return shape;
  }
  auto g = geo::readWkt(o.wkt, "--wkt");
  if (!g) return g.takeError();
  geo::MultiPolygon mp;
  if (auto* p = std::get_if<geo::Polygon>(&*g)) {
    mp.polygons.push_back(std::move(*p));
  } else if (auto* m = std::get_if<geo::MultiPolygon>(&*g)) {
    mp = std::move(*m);
  } else {
    return core::makeError(
        core::ErrorCode::kInvalidGeometry,
        std::string("expected a POLYGON or MULTIPOLYGON, got ") + geo::typeName(*g), "--wkt");
  }
  // Empty or degenerate: a usage error, never "the grid becomes nothing".
  if (mp.polygons.empty()) {
    return core::makeError(core::ErrorCode::kInvalidArgument,
                           "the proposed polygon is empty; give the grid's new boundary", "--wkt");
  }
  for (const auto& poly : mp.polygons) {
    if (poly.outer.empty()) {
      return core::makeError(core::ErrorCode::kInvalidArgument,
                             "the proposed polygon has an empty part; give the grid's new "
                             "boundary",
                             "--wkt");
    }
    if (query::isDegenerate(poly)) {
      return core::makeError(core::ErrorCode::kInvalidArgument,
                             "the proposed polygon is degenerate: it has no area (its corners "
                             "lie on one line)",
                             "--wkt");
    }
  }
  // Validity in the user's own CRS first: a bow tie is "invalid" wherever
  // it lies.
  const geo::Geometry given(mp);
  if (auto valid = geo::isValid(given); !valid || !*valid) {
    return core::makeError(core::ErrorCode::kInvalidGeometry,
                           "invalid proposed polygon: " + geo::validityReason(given), "--wkt");
  }
  auto c = crs::parseCrs(o.crs);
  if (!c) return std::move(c.takeError()).withContext("--crs");
  auto t = crs::Transformer::create(*c, crs::kGaussKruger114);
  if (!t) return std::move(t.takeError()).withContext("--crs");
  // Each corner is checked against --crs's domain: metres given as degrees
  // (or the reverse) are refused here, with the corner named.
  for (auto& poly : mp.polygons) {
    if (auto r = t->transform(poly.outer); !r) {
      return std::move(r.takeError()).withContext("--wkt (in " + o.crs + ")");
    }
    for (auto& h : poly.holes) {
      if (auto r = t->transform(h); !r) {
        return std::move(r.takeError()).withContext("--wkt (in " + o.crs + ")");
      }
    }
  }
  return mp;
}

int runPreview(const PreviewOptions& o) {
  if (o.wkt.empty() == o.polygonFile.empty()) {
    return qs::fail("edit-preview", {2, "give the proposed polygon: --wkt or --polygon"});
  }
  auto proposed = proposal(o);
  if (!proposed) {
    const bool usage = proposed.error().code == core::ErrorCode::kInvalidArgument ||
                       proposed.error().code == core::ErrorCode::kUnknownCrs;
    return qs::fail("edit-preview", {usage ? 2 : 1, proposed.error().toString()});
  }
  qs::Opened opened;
  if (auto f = qs::openTwin(o.dataset, {"district", ""}, opened)) {
    return qs::fail("edit-preview", *f);
  }
  // A proposal nowhere near the district (the wrong --crs, a typo in a
  // coordinate) would move every record out of the grid: refuse it.
  {
    const geo::Box district = query::districtBox(*opened.twin);
    geo::Box box;
    for (const auto& poly : proposed->polygons) {
      for (const auto& p : poly.outer) box.expand(p);
    }
    if (box.maxx < district.minx || box.minx > district.maxx || box.maxy < district.miny ||
        box.miny > district.maxy) {
      return qs::fail("edit-preview",
                      {1, "--wkt: the proposed polygon lies outside the district (more than " +
                              std::to_string(static_cast<int>(query::kClipMarginMetres)) +
                              " m beyond every grid); is --crs " + o.crs + " right?"});
    }
  }
  auto coverage = boundary::readCoverage(o.dataset, {});
  if (!coverage) return qs::fail("edit-preview", {1, coverage.error().toString()});
  auto preview = boundary::previewEdit(*opened.twin, *coverage, o.grid, *proposed);
  if (!preview) return qs::fail("edit-preview", {1, preview.error().toString()});
  std::cout << (o.format == "json" ? boundary::previewJson(*preview)
                                   : boundary::previewText(*preview));
  return 0;
}

}  // namespace

void addEditPreviewCommand(CLI::App& app, int& exitCode) {
  auto* cmd =
      app.add_subcommand("edit-preview",
                         "What a proposed boundary for a grid would move between grids, and its "
                         "new findings; changes nothing");
  auto o = std::make_shared<PreviewOptions>();
  cmd->add_option("dataset", o->dataset, "Dataset GeoPackage")->required();
  cmd->add_option("grid", o->grid, "the grid's code")->required();
  cmd->add_option("--wkt", o->wkt, "the proposed polygon as WKT, in --crs");
  cmd->add_option("--polygon", o->polygonFile,
                  "a file GDAL reads holding the proposed polygon (its own CRS)");
  cmd->add_option("--layer", o->layer, "layer of --polygon (default: its only layer)");
  cmd->add_option("--crs", o->crs,
                  "CRS of --wkt: EPSG:4490 (default), EPSG:4326, EPSG:4547, "
                  "GCJ02, BD09");
  cmd->add_option("--format", o->format, "text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->callback([o, &exitCode] { exitCode = runPreview(*o); });
}

}  // namespace gridtwin::cli
