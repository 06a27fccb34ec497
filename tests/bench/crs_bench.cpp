// crs.*: GCJ-02 -> WGS84 (the iterative inverse of crs/gcj02.h), one point at
// a time, on random points over Chancheng. PROJ has no GCJ-02, so the anchor
// is not the same operation: PROJ's batch projection EPSG:4490 -> EPSG:4547
// (crs::Transformer) of the same points, for scale. Every inverse is checked
// afterwards: the forward of the result gives the input back to 1e-9 degrees.
#include <cmath>
#include <cstdio>
#include <random>

#include "bench.h"
#include "crs/crs.h"
#include "crs/gcj02.h"
#include "crs/transformer.h"

namespace gridtwin::bench {
namespace {
constexpr std::size_t kPoints = 1'000'000;
constexpr int kReps = 3;
}  // namespace

core::Result<std::vector<Figure>> runCrs(Context&) {
  auto reply = inChild("GCJ-02 inverse", []() -> core::Result<nlohmann::json> {
    // Chancheng's box in GCJ-02, a little wider.
    std::mt19937_64 rng(20261130);
    std::uniform_real_distribution<double> lon(112.95, 113.20), lat(22.90, 23.15);
    std::vector<geo::Point> input(kPoints);
    for (auto& p : input) p = {lon(rng), lat(rng)};

    std::vector<geo::Point> ours(kPoints);
    const double oursSeconds = bestSeconds(kReps, [&] {
      for (std::size_t i = 0; i < kPoints; ++i) ours[i] = crs::gcj02ToWgs84(input[i]);
    });
    double worst = 0;
    for (std::size_t i = 0; i < kPoints; ++i) {
      const geo::Point back = crs::wgs84ToGcj02(ours[i]);
      worst = std::max({worst, std::abs(back.x - input[i].x), std::abs(back.y - input[i].y)});
    }
    if (!(worst <= 1e-9)) {
      return core::makeError(core::ErrorCode::kTransformFailed,
                             "gcj02ToWgs84 does not invert wgs84ToGcj02: worst error " +
                                 std::to_string(worst) + " degrees");
    }

    auto transformer = crs::Transformer::create(crs::kCgcs2000, crs::kGaussKruger114);
    if (!transformer) return transformer.takeError();
    std::vector<geo::Point> theirs;
    core::Result<void> status;
    double projSeconds = 1e300;
    for (int rep = 0; rep < kReps; ++rep) {
      theirs = input;  // the copy is outside the timing
      const auto t0 = Clock::now();
      status = transformer->transform(std::span<geo::Point>(theirs));
      projSeconds = std::min(projSeconds, secondsSince(t0));
      if (!status) return status.takeError();
    }
    keep(ours[kPoints / 2].x + theirs[kPoints / 2].x);
    return nlohmann::json{{"ours", oursSeconds}, {"proj", projSeconds}, {"worst", worst}};
  });
  if (!reply) return reply.takeError();
  const auto& r = *reply;
  const double n = static_cast<double>(kPoints);
  char note[300];
  std::snprintf(note, sizeof note,
                "anchor: PROJ projection of the same points, for scale (not the same operation: "
                "PROJ has no GCJ-02); %zu random points over Chancheng, inverse checked to %.1e "
                "degrees; best of %d",
                kPoints, r["worst"].get<double>(), kReps);
  return std::vector<Figure>{{"crs.gcj02_to_wgs84_points_per_second", n / r["ours"].get<double>(),
                              "points/s", true,
                              "PROJ EPSG:4490 -> EPSG:4547 batch transform (crs::Transformer)",
                              n / r["proj"].get<double>(), note}};
}

}  // namespace gridtwin::bench
