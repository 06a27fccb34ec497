#include "boundary/map.h"

#include <gdal.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "boundary/detail/geos_ops.h"
#include "boundary/source.h"
#include "core/output_file.h"

namespace gridtwin::boundary {

namespace {

// 5x7 glyphs, one byte per row, bit 4 = leftmost column.
struct Glyph {
  char c;
  std::array<std::uint8_t, 7> rows;
};
constexpr std::array<Glyph, 15> kFont = {{
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}},
    {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}},
    {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}},
    {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}},
    {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}},
    {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {'.', {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}},
    {'-', {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}},
    {'m', {0x00, 0x00, 0x1A, 0x15, 0x15, 0x15, 0x15}},
    {'k', {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12}},
    {' ', {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}},
}};

const Glyph* glyph(char c) {
  for (const Glyph& g : kFont) {
    if (g.c == c) return &g;
  }
  return nullptr;
}

// The area-weighted centre of a shape's largest polygon's outer ring.
geo::Point labelPoint(const geo::MultiPolygon& shape) {
  double best = -1;
  geo::Point at{};
  for (const auto& poly : shape.polygons) {
    double a = 0, cx = 0, cy = 0;
    for (std::size_t i = 0; i + 1 < poly.outer.size(); ++i) {
      const auto& p = poly.outer[i];
      const auto& q = poly.outer[i + 1];
      const double cross = p.x * q.y - q.x * p.y;
      a += cross;
      cx += (p.x + q.x) * cross;
      cy += (p.y + q.y) * cross;
    }
    if (std::abs(a) > best && a != 0) {
      best = std::abs(a);
      at = {cx / (3 * a), cy / (3 * a)};
    }
  }
  return at;
}

// A point inside the part of `shape` within `box`, if there is such a part.
std::optional<geo::Point> visiblePoint(const geo::MultiPolygon& shape, const geo::Box& box) {
  auto g = detail::toGeos(shape);
  if (!g) return std::nullopt;
  geo::GeomPtr clip = detail::own(
      GEOSClipByRect_r(detail::ctx(), g->get(), box.minx, box.miny, box.maxx, box.maxy));
  if (!clip || GEOSisEmpty_r(detail::ctx(), clip.get()) || detail::area(clip.get()) <= 0) {
    return std::nullopt;
  }
  // The largest clipped part, so the label sits where there is room.
  double best = 0;
  std::optional<geo::Point> at;
  for (const auto& part : detail::polygonParts(clip.get())) {
    const double a = detail::area(part.get());
    if (a > best) {
      best = a;
      at = detail::insidePoint(part.get());
    }
  }
  return at;
}

}  // namespace

Canvas::Canvas(int width, int height, const geo::Box& view, Rgba background)
    : m_width(width),
      m_height(height),
      m_px(static_cast<std::size_t>(4 * width * height), background) {
  const double W = 2.0 * width, H = 2.0 * height;
  const double vw = std::max(view.width(), 1e-9), vh = std::max(view.height(), 1e-9);
  m_scale = std::min(W / vw, H / vh);
  // Centre the view.
  m_ox = (view.minx + view.maxx) / 2 - W / 2 / m_scale;
  m_oy = (view.miny + view.maxy) / 2 + H / 2 / m_scale;
}

Canvas::Px Canvas::toPx(const geo::Point& p) const {
  return {(p.x - m_ox) * m_scale, (m_oy - p.y) * m_scale};
}

void Canvas::blend(int x, int y, Rgba c) {
  if (x < 0 || y < 0 || x >= 2 * m_width || y >= 2 * m_height) return;
  Rgba& d = m_px[static_cast<std::size_t>(y) * static_cast<std::size_t>(2 * m_width) +
                 static_cast<std::size_t>(x)];
  if (c.a == 255) {
    d = c;
    return;
  }
  const unsigned a = c.a, na = 255 - a;
  d.r = static_cast<std::uint8_t>((c.r * a + d.r * na) / 255);
  d.g = static_cast<std::uint8_t>((c.g * a + d.g * na) / 255);
  d.b = static_cast<std::uint8_t>((c.b * a + d.b * na) / 255);
}

// Even-odd scanline fill at pixel centres.
void Canvas::fillRings(const std::vector<std::vector<Px>>& rings, Rgba colour) {
  double miny = 1e300, maxy = -1e300;
  for (const auto& r : rings) {
    for (const Px& p : r) {
      miny = std::min(miny, p.y);
      maxy = std::max(maxy, p.y);
    }
  }
  const int H = 2 * m_height, W = 2 * m_width;
  const int y0 = std::max(0, static_cast<int>(std::floor(miny))),
            y1 = std::min(H - 1, static_cast<int>(std::ceil(maxy)));
  std::vector<double> xs;
  for (int y = y0; y <= y1; ++y) {
    const double cy = y + 0.5;
    xs.clear();
    for (const auto& r : rings) {
      for (std::size_t i = 0; i + 1 < r.size(); ++i) {
        const Px a = r[i], b = r[i + 1];
        if ((a.y <= cy) == (b.y <= cy)) continue;
        xs.push_back(a.x + (cy - a.y) * (b.x - a.x) / (b.y - a.y));
      }
    }
    std::sort(xs.begin(), xs.end());
    for (std::size_t i = 0; i + 1 < xs.size(); i += 2) {
      const int xa = std::max(0, static_cast<int>(std::ceil(xs[i] - 0.5)));
      const int xb = std::min(W - 1, static_cast<int>(std::floor(xs[i + 1] - 0.5)));
      for (int x = xa; x <= xb; ++x) blend(x, y, colour);
    }
  }
}

void Canvas::fill(const geo::MultiPolygon& shape, Rgba colour) {
  for (const auto& poly : shape.polygons) {
    std::vector<std::vector<Px>> rings;
    auto add = [&](const geo::Ring& ring) {
      std::vector<Px> r;
      r.reserve(ring.size() + 1);
      for (const auto& p : ring) r.push_back(toPx(p));
      if (!r.empty()) r.push_back(r.front());
      rings.push_back(std::move(r));
    };
    add(poly.outer);
    for (const auto& h : poly.holes) add(h);
    fillRings(rings, colour);
  }
}

void Canvas::line(const std::vector<geo::Point>& points, double widthPx, Rgba colour) {
  const double h = widthPx;  // half width at 2x = widthPx at 1x
  // One quad per segment; vertices get a round dot so joins are closed.
  std::vector<std::vector<Px>> quads;
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    const Px a = toPx(points[i]), b = toPx(points[i + 1]);
    const double dx = b.x - a.x, dy = b.y - a.y, len = std::hypot(dx, dy);
    if (len == 0) continue;
    const double nx = -dy / len * h, ny = dx / len * h;
    quads.push_back({{a.x + nx, a.y + ny},
                     {b.x + nx, b.y + ny},
                     {b.x - nx, b.y - ny},
                     {a.x - nx, a.y - ny},
                     {a.x + nx, a.y + ny}});
  }
  // Drawn one quad at a time so overlapping quads do not cancel (even-odd).
  for (const auto& q : quads) fillRings({q}, colour);
  if (widthPx >= 1.5) {
    for (std::size_t i = 1; i + 1 < points.size(); ++i) dot(points[i], widthPx / 2, colour);
  }
}

void Canvas::outline(const geo::MultiPolygon& shape, double widthPx, Rgba colour) {
  for (const auto& poly : shape.polygons) {
    line(poly.outer, widthPx, colour);
    for (const auto& h : poly.holes) line(h, widthPx, colour);
  }
}

void Canvas::dot(const geo::Point& at, double radiusPx, Rgba colour) {
  const Px c = toPx(at);
  const double r = 2 * radiusPx;
  for (int y = static_cast<int>(c.y - r); y <= static_cast<int>(c.y + r) + 1; ++y) {
    for (int x = static_cast<int>(c.x - r); x <= static_cast<int>(c.x + r) + 1; ++x) {
      if (std::hypot(x + 0.5 - c.x, y + 0.5 - c.y) <= r) blend(x, y, colour);
    }
  }
}

void Canvas::label(const geo::Point& at, const std::string& text, int scale, Rgba colour) {
  const Px c = toPx(at);
  const int s = 2 * scale;  // canvas pixels per font pixel
  const int w = static_cast<int>(text.size()) * 6 * s - s, h = 7 * s;
  const int x0 = static_cast<int>(c.x) - w / 2, y0 = static_cast<int>(c.y) - h / 2;
  auto draw = [&](int dx, int dy, Rgba col) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      const Glyph* g = glyph(text[i]);
      if (g == nullptr) continue;
      for (int row = 0; row < 7; ++row) {
        for (int colx = 0; colx < 5; ++colx) {
          if (((g->rows[static_cast<std::size_t>(row)] >> (4 - colx)) & 1) == 0) continue;
          for (int yy = 0; yy < s; ++yy) {
            for (int xx = 0; xx < s; ++xx) {
              blend(x0 + static_cast<int>(i) * 6 * s + colx * s + xx + dx, y0 + row * s + yy + dy,
                    col);
            }
          }
        }
      }
    }
  };
  const Rgba halo{255, 255, 255, 220};
  for (int dy = -s; dy <= s; dy += s) {
    for (int dx = -s; dx <= s; dx += s) {
      if (dx != 0 || dy != 0) draw(dx, dy, halo);
    }
  }
  draw(0, 0, colour);
}

void Canvas::scaleBar(Rgba colour) {
  // The largest 1-2-5 length that fits in a quarter of the width.
  const double maxM = 2.0 * m_width / 4 / m_scale;
  double len = 1;
  for (double step :
       {1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0}) {
    if (step <= maxM) len = step;
  }
  const double x0 = m_ox + 30 / m_scale, y0 = m_oy - (2.0 * m_height - 40) / m_scale;
  line({{x0, y0}, {x0 + len, y0}}, 3, colour);
  line({{x0, y0}, {x0, y0 + 14 / m_scale}}, 2, colour);
  line({{x0 + len, y0}, {x0 + len, y0 + 14 / m_scale}}, 2, colour);
  const std::string text = len >= 1000 ? std::to_string(static_cast<int>(len / 1000)) + " km"
                                       : std::to_string(static_cast<int>(len)) + " m";
  label({x0 + len / 2, y0 + 34 / m_scale}, text, 2, colour);
}

core::Result<void> Canvas::writePng(const std::string& path) const {
  GDALAllRegister();
  GDALDriverH mem = GDALGetDriverByName("MEM");
  GDALDriverH png = GDALGetDriverByName("PNG");
  if (mem == nullptr || png == nullptr) {
    return core::makeError(core::ErrorCode::kWriteFailed, "GDAL has no MEM or PNG driver", path);
  }
  GDALDatasetH ds = GDALCreate(mem, "", m_width, m_height, 4, GDT_Byte, nullptr);
  if (ds == nullptr) return core::makeError(core::ErrorCode::kWriteFailed, "GDAL MEM failed", path);
  // Average 2x2 blocks into four band planes in one pass.
  const std::size_t n = static_cast<std::size_t>(m_width) * static_cast<std::size_t>(m_height);
  std::vector<std::uint8_t> planes(4 * n);
  const std::size_t W2 = static_cast<std::size_t>(2 * m_width);
  for (int y = 0; y < m_height; ++y) {
    const Rgba* top = &m_px[static_cast<std::size_t>(2 * y) * W2];
    const Rgba* bottom = top + W2;
    for (int x = 0; x < m_width; ++x) {
      const Rgba& a = top[2 * x];
      const Rgba& b = top[2 * x + 1];
      const Rgba& c = bottom[2 * x];
      const Rgba& d = bottom[2 * x + 1];
      const std::size_t i = static_cast<std::size_t>(y) * static_cast<std::size_t>(m_width) +
                            static_cast<std::size_t>(x);
      planes[i] = static_cast<std::uint8_t>((a.r + b.r + c.r + d.r + 2) / 4);
      planes[n + i] = static_cast<std::uint8_t>((a.g + b.g + c.g + d.g + 2) / 4);
      planes[2 * n + i] = static_cast<std::uint8_t>((a.b + b.b + c.b + d.b + 2) / 4);
      planes[3 * n + i] = static_cast<std::uint8_t>((a.a + b.a + c.a + d.a + 2) / 4);
    }
  }
  bool ok = true;
  for (int b = 0; b < 4; ++b) {
    ok = ok && GDALRasterIO(GDALGetRasterBand(ds, b + 1), GF_Write, 0, 0, m_width, m_height,
                            planes.data() + static_cast<std::size_t>(b) * n, m_width, m_height,
                            GDT_Byte, 0, 0) == CE_None;
  }
  // The same all-or-nothing output as every writer (core/output_file.h).
  auto output = core::OutputFile::begin(path, ".png");
  if (!output) {
    GDALClose(ds);
    return output.takeError();
  }
  const std::string tmp = output->temporaryPath();
  // zlib level 3: a third of the time of the default for a few % more bytes.
  const char* options[] = {"ZLEVEL=3", nullptr};
  GDALDatasetH out = ok ? GDALCreateCopy(png, tmp.c_str(), ds, FALSE, const_cast<char**>(options),
                                         nullptr, nullptr)
                        : nullptr;
  GDALClose(ds);
  if (out == nullptr) {
    std::remove((tmp + ".aux.xml").c_str());
    return core::makeError(core::ErrorCode::kWriteFailed,
                           std::string("cannot write PNG: ") + CPLGetLastErrorMsg(), path);
  }
  GDALClose(out);
  std::remove((tmp + ".aux.xml").c_str());
  return output->commit();
}

core::Result<void> gridMap(const GridMapInput& in, const std::string& pngPath) {
  const model::District& d = *in.district;
  const auto& c = d.columns();
  const geo::MultiPolygon grid = model::xyShape(c.grids.shape, in.grid);
  geo::Box view = geo::bbox(grid);
  const double span = std::max({view.width(), view.height(), 300.0});
  const double cx = (view.minx + view.maxx) / 2, cy = (view.miny + view.maxy) / 2;
  view = {cx - span * 0.65, cy - span * 0.65, cx + span * 0.65, cy + span * 0.65};

  Canvas canvas(in.size, in.size, view, {244, 241, 234, 255});
  const double m = span * 0.08;
  const geo::Box inner{view.minx + m, view.miny + m, view.maxx - m, view.maxy - m};
  std::vector<std::pair<geo::Point, std::string>> labels;
  for (std::size_t g = 0; g < c.grids.size(); ++g) {
    if (g == in.grid) continue;
    const geo::MultiPolygon other = model::xyShape(c.grids.shape, g);
    if (!geo::bbox(other).intersects(view)) continue;
    canvas.fill(other, {226, 226, 222, 255});
    // Label the part of the neighbour that is in the picture.
    const std::string_view code = c.grids.code[g];
    if (auto at = visiblePoint(other, inner)) {
      labels.emplace_back(*at, std::string(code.substr(code.size() - 3)));
    }
  }
  canvas.fill(grid, {214, 233, 248, 255});
  for (std::size_t r = 0; r < c.roads.size(); ++r) {
    for (std::uint32_t part = c.roads.line.partStart[r]; part < c.roads.line.partStart[r + 1];
         ++part) {
      std::vector<geo::Point> pts(c.roads.line.xy.begin() + c.roads.line.pointStart[part],
                                  c.roads.line.xy.begin() + c.roads.line.pointStart[part + 1]);
      geo::Box b;
      for (const auto& p : pts) b.expand(p);
      if (!b.intersects(view)) continue;
      const double w = std::clamp(
          static_cast<double>(c.roads.widthM[r]) * canvas.width() / (view.width()) / 2, 0.6, 6.0);
      canvas.line(pts, w + 0.8, {200, 196, 188, 255});
      canvas.line(pts, w, {255, 255, 255, 255});
    }
  }
  for (std::size_t b = 0; b < c.buildings.size(); ++b) {
    const std::uint32_t ring = c.buildings.footprint.ringStart[c.buildings.footprint.partStart[b]];
    const geo::Point first = c.buildings.footprint.xy[c.buildings.footprint.pointStart[ring]];
    if (!view.contains(first)) continue;
    canvas.fill(model::xyShape(c.buildings.footprint, b), {183, 176, 166, 255});
  }
  for (std::size_t g = 0; g < c.grids.size(); ++g) {
    if (g == in.grid) continue;
    const geo::MultiPolygon other = model::xyShape(c.grids.shape, g);
    if (geo::bbox(other).intersects(view)) canvas.outline(other, 1.6, {120, 120, 120, 255});
  }
  canvas.outline(grid, 2.5, {31, 95, 168, 255});
  if (in.twin != nullptr && in.access != nullptr) {
    // What the grids hold, as far as the reader's scope reaches.
    std::vector<std::uint32_t> hits;
    auto marks = [&](model::Kind kind, double radius, Rgba colour, auto keep) {
      hits.clear();
      in.twin->search(kind).box(view, hits);
      const auto points = in.twin->points(kind);
      for (std::uint32_t row : hits) {
        if (!in.access->scope.contains(in.twin->gridOf(kind, row)) || !keep(row)) continue;
        canvas.dot(points[row], radius, colour);
      }
    };
    marks(model::Kind::kFacility, 1.6, {0, 128, 128, 200}, [](std::uint32_t) { return true; });
    const auto& status = c.events.status;
    marks(model::Kind::kEvent, 2.6, {240, 120, 20, 235},
          [&](std::uint32_t row) { return status[row] != model::EventStatus::kClosed; });
  }
  for (const Finding& f : in.findings) {
    if (!f.geometry.polygons.empty()) {
      canvas.fill(f.geometry, {214, 39, 40, 110});
      canvas.outline(f.geometry, 1.2, {214, 39, 40, 255});
    }
    canvas.dot(f.xy, 4, {214, 39, 40, 255});
  }
  for (const auto& [at, text] : labels) canvas.label(at, text, 2, {90, 90, 90, 255});
  const std::string_view code = c.grids.code[in.grid];
  canvas.label(labelPoint(grid), std::string(code.substr(code.size() - 3)), 3, {31, 95, 168, 255});
  canvas.scaleBar({40, 40, 40, 255});
  return canvas.writePng(pngPath);
}

core::Result<void> districtMap(const DistrictMapInput& in, const std::string& pngPath) {
  const model::District& d = *in.district;
  const auto& c = d.columns();
  geo::Box view;
  for (std::size_t s = 0; s < c.streets.size(); ++s)
    view.expand(geo::bbox(model::xyShape(c.streets.shape, s)));
  const double pad = std::max(view.width(), view.height()) * 0.03;
  view = {view.minx - pad, view.miny - pad, view.maxx + pad, view.maxy + pad};
  Canvas canvas(in.size, in.size, view, {244, 241, 234, 255});
  constexpr std::array<Rgba, 6> kTints = {{{214, 233, 248, 255},
                                           {222, 240, 214, 255},
                                           {250, 232, 208, 255},
                                           {236, 222, 244, 255},
                                           {248, 244, 204, 255},
                                           {214, 240, 238, 255}}};
  for (std::size_t g = 0; g < c.grids.size(); ++g) {
    canvas.fill(model::xyShape(c.grids.shape, g),
                kTints[d.streetOfGrid(static_cast<std::uint32_t>(g)) % kTints.size()]);
  }
  for (std::size_t r = 0; r < c.roads.size(); ++r) {
    const double w = c.roads.roadClass[r] <= model::RoadClass::kMain ? 1.2 : 0.5;
    for (std::uint32_t part = c.roads.line.partStart[r]; part < c.roads.line.partStart[r + 1];
         ++part) {
      canvas.line({c.roads.line.xy.begin() + c.roads.line.pointStart[part],
                   c.roads.line.xy.begin() + c.roads.line.pointStart[part + 1]},
                  w, {255, 255, 255, 255});
    }
  }
  for (std::size_t b = 0; b < c.buildings.size(); ++b) {
    canvas.fill(model::xyShape(c.buildings.footprint, b), {170, 163, 153, 255});
  }
  for (std::size_t g = 0; g < c.grids.size(); ++g) {
    canvas.outline(model::xyShape(c.grids.shape, g), 0.35, {150, 150, 150, 255});
  }
  for (std::size_t k = 0; k < c.communities.size(); ++k) {
    canvas.outline(model::xyShape(c.communities.shape, k), 0.8, {110, 110, 110, 255});
  }
  for (std::size_t s = 0; s < c.streets.size(); ++s) {
    canvas.outline(model::xyShape(c.streets.shape, s), 1.8, {31, 95, 168, 255});
  }
  const std::int64_t from = in.now - 3600LL * in.hours;
  for (std::size_t e = 0; e < c.events.size(); ++e) {
    const std::int64_t t = c.events.reportedAt[e];
    if (t < from || t >= in.now || model::isMissing(c.events.point.xy[e])) continue;
    canvas.dot(c.events.point.xy[e], 2.0, {214, 39, 40, 200});
  }
  canvas.scaleBar({40, 40, 40, 255});
  return canvas.writePng(pngPath);
}

}  // namespace gridtwin::boundary
