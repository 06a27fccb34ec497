#pragma once
// A small software map renderer for reports: filled polygons (even-odd, holes
// included), thick lines, dots and digit labels on an RGBA canvas, drawn at
// 2x and averaged down for smooth edges, written as PNG through GDAL.
//
// gridMap() draws one grid as its station head sees it: the grid filled and
// outlined, its neighbours around it with their codes' last three digits,
// roads, buildings, facilities and open events, the findings that touch it
// in red, and a scale bar.
#include <cstdint>
#include <string>
#include <vector>

#include "boundary/coverage.h"
#include "core/error.h"
#include "geo/types.h"
#include "model/district.h"
#include "query/access.h"
#include "query/twin.h"

namespace gridtwin::boundary {

struct Rgba {
  std::uint8_t r = 0, g = 0, b = 0, a = 255;
};

// Pixels row-major from the top-left, in world coordinates through a view
// box (EPSG:4547 metres) fitted to the canvas with equal scale on both axes.
class Canvas {
 public:
  Canvas(int width, int height, const geo::Box& view, Rgba background);

  void fill(const geo::MultiPolygon& shape, Rgba colour);
  void outline(const geo::MultiPolygon& shape, double widthPx, Rgba colour);
  void line(const std::vector<geo::Point>& points, double widthPx, Rgba colour);
  void dot(const geo::Point& at, double radiusPx, Rgba colour);
  // Digits, '.', ' ', '-' and 'm' in a 5x7 pixel font scaled by `scale`,
  // centred on `at`.
  void label(const geo::Point& at, const std::string& text, int scale, Rgba colour);
  // A scale bar of a round length in the lower left.
  void scaleBar(Rgba colour);

  // Averages 2x2 blocks and writes a PNG. Errors: kWriteFailed naming the path.
  core::Result<void> writePng(const std::string& path) const;

  int width() const { return m_width; }
  int height() const { return m_height; }
  const std::vector<Rgba>& pixels() const { return m_px; }  // at 2x

 private:
  struct Px {
    double x, y;
  };
  Px toPx(const geo::Point& p) const;
  void fillRings(const std::vector<std::vector<Px>>& rings, Rgba colour);
  void blend(int x, int y, Rgba c);

  int m_width, m_height;  // output size; the canvas is twice that
  double m_scale = 1, m_ox = 0, m_oy = 0;
  std::vector<Rgba> m_px;
};

struct GridMapInput {
  const model::District* district = nullptr;
  std::uint32_t grid = 0;
  std::vector<Finding> findings;  // those touching the grid
  int size = 900;                 // pixels, square
  // With a twin and an access: the facilities (teal) and the open events
  // (orange) in view, of the grids in the access's scope only.
  const query::Twin* twin = nullptr;
  const query::Access* access = nullptr;
};

// Errors: kWriteFailed naming the path.
core::Result<void> gridMap(const GridMapInput& input, const std::string& pngPath);

// The whole district at a glance: grids tinted by street, community and
// street boundaries, roads, buildings, and the events of the last `hours`
// before `now` as red dots. Errors: kWriteFailed naming the path.
struct DistrictMapInput {
  const model::District* district = nullptr;
  std::int64_t now = 0;  // Unix seconds
  int hours = 24;
  int size = 1600;  // pixels, square
};
core::Result<void> districtMap(const DistrictMapInput& input, const std::string& pngPath);

}  // namespace gridtwin::boundary
