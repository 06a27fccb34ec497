// locate.*: exact point-in-polygon (geo::locate) on the real Chancheng
// outline in EPSG:4547, against a GEOS prepared geometry on the same points
// in the same run. Every answer must agree (interior vs not); random doubles
// do not land on the boundary, and a boundary answer counts as "not inside"
// on both sides (GEOS contains() is false on the boundary).
#include <cstdio>
#include <random>
#include <variant>

#include "bench.h"
#include "crs/crs.h"
#include "crs/transformer.h"
#include "geo/algorithms.h"
#include "geo/geojson.h"
#include "geo/geos.h"

namespace gridtwin::bench {
namespace {

constexpr std::size_t kPoints = 1'000'000;
constexpr int kReps = 3;

core::Result<geo::MultiPolygon> chanchengOutline() {
  const std::string path =
      std::string(GRIDTWIN_SHARED_DATA) + "/chancheng/chancheng-boundary-gcj02.geojson";
  auto features = geo::readGeoJsonFile(path);
  if (!features) return features.takeError();
  if (features->empty()) return core::makeError(core::ErrorCode::kEmptyInput, "no feature", path);
  geo::MultiPolygon outline;
  const auto& g = features->front().geometry;
  if (const auto* p = std::get_if<geo::Polygon>(&g)) {
    outline.polygons.push_back(*p);
  } else if (const auto* mp = std::get_if<geo::MultiPolygon>(&g)) {
    outline = *mp;
  } else {
    return core::makeError(core::ErrorCode::kUnsupported,
                           std::string("expected a (multi)polygon, got ") + geo::typeName(g), path);
  }
  // GCJ-02 -> CGCS2000 (gcj02ToWgs84) -> EPSG:4547, in one Transformer.
  auto transformer = crs::Transformer::create(crs::kGcj02, crs::kGaussKruger114);
  if (!transformer) return transformer.takeError();
  auto convert = [&](geo::Ring& ring) -> core::Result<void> {
    return transformer->transform(std::span<geo::Point>(ring));
  };
  for (auto& polygon : outline.polygons) {
    if (auto r = convert(polygon.outer); !r) return r.takeError().withContext(path);
    for (auto& hole : polygon.holes) {
      if (auto r = convert(hole); !r) return r.takeError().withContext(path);
    }
  }
  return outline;
}

}  // namespace

core::Result<std::vector<Figure>> runLocate(Context&) {
  auto reply = inChild("locate on the Chancheng outline", []() -> core::Result<nlohmann::json> {
    auto outline = chanchengOutline();
    if (!outline) return outline.takeError();
    std::size_t vertices = 0;
    for (const auto& p : outline->polygons) {
      vertices += p.outer.size();
      for (const auto& h : p.holes) vertices += h.size();
    }
    const geo::Box box = geo::bbox(*outline);
    std::mt19937_64 rng(20261130);
    std::uniform_real_distribution<double> ux(box.minx, box.maxx), uy(box.miny, box.maxy);
    std::vector<geo::Point> points(kPoints);
    for (auto& p : points) p = {ux(rng), uy(rng)};

    std::vector<unsigned char> ours(kPoints), theirs(kPoints);
    const double oursSeconds = bestSeconds(kReps, [&] {
      for (std::size_t i = 0; i < kPoints; ++i) {
        ours[i] = static_cast<unsigned char>(geo::locate(points[i], *outline));
      }
    });
    auto prepared = geo::Prepared::make(geo::Geometry(*outline));
    if (!prepared) return prepared.takeError();
    const double geosSeconds = bestSeconds(kReps, [&] {
      for (std::size_t i = 0; i < kPoints; ++i) theirs[i] = prepared->containsPoint(points[i]);
    });

    std::size_t inside = 0, boundary = 0;
    for (std::size_t i = 0; i < kPoints; ++i) {
      const auto loc = static_cast<geo::Location>(ours[i]);
      const bool oursInside = loc == geo::Location::kInterior;
      inside += oursInside ? 1 : 0;
      boundary += loc == geo::Location::kBoundary ? 1 : 0;
      if (oursInside != (theirs[i] != 0)) {
        char what[200];
        std::snprintf(what, sizeof what,
                      "point %zu (%.17g %.17g): locate says %s, GEOS contains says %s", i,
                      points[i].x, points[i].y, oursInside ? "interior" : "not interior",
                      theirs[i] ? "true" : "false");
        return core::makeError(core::ErrorCode::kInvalidArgument,
                               std::string("answers differ: ") + what);
      }
    }
    return nlohmann::json{{"ours", oursSeconds},  {"geos", geosSeconds},
                          {"inside", inside},     {"boundary", boundary},
                          {"vertices", vertices}, {"polygons", outline->polygons.size()}};
  });
  if (!reply) return reply.takeError();
  const auto& r = *reply;
  const double n = static_cast<double>(kPoints);
  char note[300];
  std::snprintf(note, sizeof note,
                "%zu random points in the outline's box (EPSG:4547), %lld inside, %lld on the "
                "boundary, all answers equal to GEOS; outline: %lld polygon(s), %lld vertices; "
                "best of %d",
                kPoints, static_cast<long long>(r["inside"].get<std::int64_t>()),
                static_cast<long long>(r["boundary"].get<std::int64_t>()),
                static_cast<long long>(r["polygons"].get<std::int64_t>()),
                static_cast<long long>(r["vertices"].get<std::int64_t>()), kReps);
  return std::vector<Figure>{{"locate.outline_points_per_second", n / r["ours"].get<double>(),
                              "points/s", true,
                              "GEOS prepared geometry containsPoint (Prepared::make), same points",
                              n / r["geos"].get<double>(), note}};
}

}  // namespace gridtwin::bench
