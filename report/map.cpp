#include "report/map.h"

#include <QFont>
#include <QImage>
#include <QPainter>
#include <QPainterPath>
#include <QPen>
#include <QPolygonF>
#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <optional>

#include "core/output_file.h"
#include "geo/algorithms.h"
#include "geo/geometry.h"
#include "geo/geos.h"
#include "report/qt_support.h"

namespace gridtwin::report {

namespace {

struct Rgba {
  int r = 0, g = 0, b = 0, a = 255;
  QColor q() const { return QColor(r, g, b, a); }
};

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

// A point inside `poly`: the middle of the widest span of the horizontal
// line through the middle of its box (holes included).
std::optional<geo::Point> insidePoint(const geo::Polygon& poly) {
  const geo::Box box = geo::bbox(poly);
  const double y = (box.miny + box.maxy) / 2;
  std::vector<double> xs;
  auto cut = [&](const geo::Ring& ring) {
    for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
      const geo::Point a = ring[i], b = ring[i + 1];
      if ((a.y <= y) == (b.y <= y)) continue;
      xs.push_back(a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y));
    }
  };
  cut(poly.outer);
  for (const auto& h : poly.holes) cut(h);
  std::sort(xs.begin(), xs.end());
  double widest = 0;
  std::optional<geo::Point> at;
  for (std::size_t i = 0; i + 1 < xs.size(); i += 2) {
    if (xs[i + 1] - xs[i] > widest) {
      widest = xs[i + 1] - xs[i];
      at = geo::Point{(xs[i] + xs[i + 1]) / 2, y};
    }
  }
  return at;
}

// A point inside the largest part of `shape` within `box`, if there is such
// a part (the clip goes through engine/geo).
std::optional<geo::Point> visiblePoint(const geo::MultiPolygon& shape, const geo::Box& box) {
  const geo::Polygon rect{{{box.minx, box.miny},
                           {box.maxx, box.miny},
                           {box.maxx, box.maxy},
                           {box.minx, box.maxy},
                           {box.minx, box.miny}},
                          {}};
  auto clipped = geo::intersection(geo::Geometry(shape), geo::Geometry(rect));
  if (!clipped) return std::nullopt;
  std::vector<geo::Polygon> parts;
  if (const auto* p = std::get_if<geo::Polygon>(&*clipped)) parts.push_back(*p);
  if (const auto* m = std::get_if<geo::MultiPolygon>(&*clipped)) parts = m->polygons;
  if (const auto* c = std::get_if<geo::GeometryCollection>(&*clipped)) {
    for (const auto& g : c->geometries) {
      if (const auto* p = std::get_if<geo::Polygon>(&g)) parts.push_back(*p);
    }
  }
  double best = 0;
  std::optional<geo::Point> at;
  for (const auto& part : parts) {
    const double a = geo::area(part);
    if (a > best) {
      best = a;
      at = insidePoint(part);
    }
  }
  return at;
}

// A square picture of a view box (EPSG:4547 metres) fitted with equal scale
// on both axes; sizes are in output pixels.
class Painter {
 public:
  Painter(int size, const geo::Box& view, Rgba background, QString family)
      : m_image(size, size, QImage::Format_ARGB32_Premultiplied), m_family(std::move(family)) {
    m_image.fill(background.q());
    const double vw = std::max(view.width(), 1e-9), vh = std::max(view.height(), 1e-9);
    m_scale = std::min(size / vw, size / vh);
    m_ox = (view.minx + view.maxx) / 2 - size / 2.0 / m_scale;
    m_oy = (view.miny + view.maxy) / 2 + size / 2.0 / m_scale;
    m_p.begin(&m_image);
    m_p.setRenderHint(QPainter::Antialiasing, true);
    m_p.setRenderHint(QPainter::TextAntialiasing, true);
  }
  ~Painter() {
    if (m_p.isActive()) m_p.end();
  }
  Painter(const Painter&) = delete;
  Painter& operator=(const Painter&) = delete;

  int size() const { return m_image.width(); }
  double scale() const { return m_scale; }

  void fill(const geo::MultiPolygon& shape, Rgba colour) { m_p.fillPath(path(shape), colour.q()); }
  void outline(const geo::MultiPolygon& shape, double width, Rgba colour) {
    m_p.strokePath(path(shape), pen(width, colour));
  }
  void line(const std::vector<geo::Point>& points, double width, Rgba colour) {
    QPolygonF poly;
    poly.reserve(static_cast<qsizetype>(points.size()));
    for (const auto& p : points) poly << px(p);
    m_p.setPen(pen(width, colour));
    m_p.setBrush(Qt::NoBrush);
    m_p.drawPolyline(poly);
  }
  void dot(const geo::Point& at, double radius, Rgba colour) {
    m_p.setPen(Qt::NoPen);
    m_p.setBrush(colour.q());
    m_p.drawEllipse(px(at), radius, radius);
  }
  // `text` centred on `at`, `height` pixels high, with a white halo; lines
  // split at '\n' stack downwards.
  void label(const geo::Point& at, const std::string& text, double height, Rgba colour) {
    QFont font(m_family);
    font.setPixelSize(std::max(1, static_cast<int>(std::lround(height))));
    font.setHintingPreference(QFont::PreferNoHinting);
    font.setStyleStrategy(QFont::NoSubpixelAntialias);
    const QStringList lines = QString::fromStdString(text).split(QLatin1Char('\n'));
    QPainterPath glyphs;
    const QPointF c = px(at);
    const double lineHeight = height * 1.2;
    const double top = c.y() - lineHeight * (static_cast<double>(lines.size()) - 1) / 2;
    for (qsizetype i = 0; i < lines.size(); ++i) {
      QPainterPath one;
      one.addText(0, 0, font, lines[i]);
      const QRectF b = one.boundingRect();
      const double y = top + lineHeight * static_cast<double>(i);
      one.translate(c.x() - b.center().x(), y - b.center().y());
      glyphs.addPath(one);
    }
    m_p.strokePath(glyphs, pen(std::max(2.0, height / 5), {255, 255, 255, 220}));
    m_p.fillPath(glyphs, colour.q());
  }
  // A scale bar of a round length in the lower left.
  void scaleBar(Rgba colour) {
    const double maxM = size() / 4.0 / m_scale;
    double len = 1;
    for (double step :
         {1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0}) {
      if (step <= maxM) len = step;
    }
    const double u = size() / 900.0;  // pixel sizes are given for 900 pixels
    const double x0 = m_ox + 15 * u / m_scale, y0 = m_oy - (size() - 20 * u) / m_scale;
    line({{x0, y0}, {x0 + len, y0}}, 3 * u, colour);
    line({{x0, y0}, {x0, y0 + 7 * u / m_scale}}, 2 * u, colour);
    line({{x0 + len, y0}, {x0 + len, y0 + 7 * u / m_scale}}, 2 * u, colour);
    const std::string text = len >= 1000 ? std::to_string(static_cast<int>(len / 1000)) + " km"
                                         : std::to_string(static_cast<int>(len)) + " m";
    label({x0 + len / 2, y0 + 17 * u / m_scale}, text, std::max(9.0, 14 * u), colour);
  }

  Picture finish() {
    m_p.end();
    const QImage out = m_image.convertToFormat(QImage::Format_RGBA8888);
    Picture pic;
    pic.width = out.width();
    pic.height = out.height();
    pic.rgba.resize(static_cast<std::size_t>(pic.width) * static_cast<std::size_t>(pic.height) * 4);
    for (int y = 0; y < pic.height; ++y) {
      const auto* row = out.constScanLine(y);
      std::copy(row, row + pic.width * 4,
                pic.rgba.begin() + static_cast<std::ptrdiff_t>(y) * pic.width * 4);
    }
    return pic;
  }

 private:
  QPointF px(const geo::Point& p) const { return {(p.x - m_ox) * m_scale, (m_oy - p.y) * m_scale}; }
  QPainterPath path(const geo::MultiPolygon& shape) const {
    QPainterPath path;
    path.setFillRule(Qt::OddEvenFill);
    auto add = [&](const geo::Ring& ring) {
      QPolygonF poly;
      poly.reserve(static_cast<qsizetype>(ring.size()));
      for (const auto& p : ring) poly << px(p);
      if (!poly.isEmpty()) poly << poly.front();
      path.addPolygon(poly);
      path.closeSubpath();
    };
    for (const auto& poly : shape.polygons) {
      add(poly.outer);
      for (const auto& h : poly.holes) add(h);
    }
    return path;
  }
  static QPen pen(double width, Rgba colour) {
    QPen p(colour.q());
    p.setWidthF(width);
    p.setCapStyle(Qt::RoundCap);
    p.setJoinStyle(Qt::RoundJoin);
    return p;
  }

  QImage m_image;
  QPainter m_p;
  QString m_family;
  double m_scale = 1, m_ox = 0, m_oy = 0;
};

std::string lastDigits(std::string_view code) {
  return std::string(code.substr(code.size() > 3 ? code.size() - 3 : 0));
}

}  // namespace

bool canDraw() { return true; }

core::Result<Picture> drawGridMap(const GridMapInput& in) {
  auto family = detail::cjkFontFamily();
  if (!family) return family.takeError();
  const model::District& d = *in.district;
  const auto& c = d.columns();
  const geo::MultiPolygon grid = model::xyShape(c.grids.shape, in.grid);
  geo::Box view = geo::bbox(grid);
  const double span = std::max({view.width(), view.height(), 300.0});
  const double cx = (view.minx + view.maxx) / 2, cy = (view.miny + view.maxy) / 2;
  view = {cx - span * 0.65, cy - span * 0.65, cx + span * 0.65, cy + span * 0.65};

  Painter canvas(in.size, view, {244, 241, 234, 255}, *family);
  const double u = in.size / 900.0;  // pixel sizes below are for 900 pixels
  const double m = span * 0.08;
  const geo::Box inner{view.minx + m, view.miny + m, view.maxx - m, view.maxy - m};
  std::vector<std::pair<geo::Point, std::string>> labels;
  for (std::size_t g = 0; g < c.grids.size(); ++g) {
    if (g == in.grid) continue;
    const geo::MultiPolygon other = model::xyShape(c.grids.shape, g);
    if (!geo::bbox(other).intersects(view)) continue;
    canvas.fill(other, {226, 226, 222, 255});
    // Label the part of the neighbour that is in the picture.
    if (auto at = visiblePoint(other, inner)) labels.emplace_back(*at, lastDigits(c.grids.code[g]));
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
      const double w =
          std::clamp(static_cast<double>(c.roads.widthM[r]) * canvas.scale(), 1.2 * u, 12.0 * u);
      canvas.line(pts, w + 1.6 * u, {200, 196, 188, 255});
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
    if (geo::bbox(other).intersects(view)) canvas.outline(other, 1.6 * u, {120, 120, 120, 255});
  }
  canvas.outline(grid, 2.5 * u, {31, 95, 168, 255});
  if (in.twin != nullptr && in.access != nullptr) {
    // What the grids hold, as far as the reader's scope reaches.
    std::vector<std::uint32_t> hits;
    auto marks = [&](model::Kind kind, double radius, Rgba colour, auto keep) {
      hits.clear();
      in.twin->search(kind).box(view, hits);
      const auto points = in.twin->points(kind);
      for (std::uint32_t row : hits) {
        if (!in.access->scope.contains(in.twin->gridOf(kind, row)) || !keep(row)) continue;
        canvas.dot(points[row], radius * u, colour);
      }
    };
    marks(model::Kind::kFacility, 1.6, {0, 128, 128, 200}, [](std::uint32_t) { return true; });
    const auto& status = c.events.status;
    marks(model::Kind::kEvent, 2.6, {240, 120, 20, 235},
          [&](std::uint32_t row) { return status[row] != model::EventStatus::kClosed; });
  }
  for (const boundary::Finding& f : in.findings) {
    if (!f.geometry.polygons.empty()) {
      canvas.fill(f.geometry, {214, 39, 40, 110});
      canvas.outline(f.geometry, 1.2 * u, {214, 39, 40, 255});
    }
    canvas.dot(f.xy, 4 * u, {214, 39, 40, 255});
  }
  for (const auto& [at, text] : labels)
    canvas.label(at, text, std::max(9.0, 16 * u), {90, 90, 90, 255});
  // The grid itself: its code's last digits and its name (Chinese, set in
  // the CJK font).
  canvas.label(labelPoint(grid),
               lastDigits(c.grids.code[in.grid]) + "\n" + std::string(c.grids.name[in.grid]),
               std::max(11.0, 22 * u), {31, 95, 168, 255});
  canvas.scaleBar({40, 40, 40, 255});
  return canvas.finish();
}

core::Result<void> gridMap(const GridMapInput& input, const std::string& pngPath) {
  auto picture = drawGridMap(input);
  if (!picture) return picture.takeError();
  return writePng(*picture, pngPath);
}

core::Result<Picture> drawDistrictMap(const DistrictMapInput& in) {
  auto family = detail::cjkFontFamily();
  if (!family) return family.takeError();
  const model::District& d = *in.district;
  const auto& c = d.columns();
  geo::Box view;
  for (std::size_t s = 0; s < c.streets.size(); ++s)
    view.expand(geo::bbox(model::xyShape(c.streets.shape, s)));
  const double pad = std::max(view.width(), view.height()) * 0.03;
  view = {view.minx - pad, view.miny - pad, view.maxx + pad, view.maxy + pad};
  Painter canvas(in.size, view, {244, 241, 234, 255}, *family);
  const double u = in.size / 1600.0;  // pixel sizes below are for 1600 pixels
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
    const double w = (c.roads.roadClass[r] <= model::RoadClass::kMain ? 1.2 : 0.5) * u;
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
    canvas.outline(model::xyShape(c.grids.shape, g), 0.35 * u, {150, 150, 150, 255});
  }
  for (std::size_t k = 0; k < c.communities.size(); ++k) {
    canvas.outline(model::xyShape(c.communities.shape, k), 0.8 * u, {110, 110, 110, 255});
  }
  for (std::size_t s = 0; s < c.streets.size(); ++s) {
    canvas.outline(model::xyShape(c.streets.shape, s), 1.8 * u, {31, 95, 168, 255});
  }
  const std::int64_t from = in.now - 3600LL * in.hours;
  for (std::size_t e = 0; e < c.events.size(); ++e) {
    const std::int64_t t = c.events.reportedAt[e];
    if (t < from || t >= in.now || model::isMissing(c.events.point.xy[e])) continue;
    canvas.dot(c.events.point.xy[e], std::max(1.0, 2.0 * u), {214, 39, 40, 200});
  }
  // The streets' names (Chinese, set in the CJK font).
  for (std::size_t s = 0; s < c.streets.size(); ++s) {
    const geo::MultiPolygon shape = model::xyShape(c.streets.shape, s);
    canvas.label(labelPoint(shape), std::string(c.streets.name[s]), std::max(12.0, 40 * u),
                 {31, 95, 168, 255});
  }
  return canvas.finish();
}

core::Result<void> districtMap(const DistrictMapInput& input, const std::string& pngPath) {
  auto picture = drawDistrictMap(input);
  if (!picture) return picture.takeError();
  return writePng(*picture, pngPath);
}

core::Result<void> writePng(const Picture& picture, const std::string& path) {
  detail::ensureApplication();
  const QImage image(picture.rgba.data(), picture.width, picture.height, picture.width * 4,
                     QImage::Format_RGBA8888);
  // The same all-or-nothing output as every writer (core/output_file.h).
  auto output = core::OutputFile::begin(path, ".png");
  if (!output) return output.takeError();
  // Quality 65 is zlib level 3 in Qt's PNG writer: a third of the time of
  // the default level for a few % more bytes (the pixels are the same).
  if (!image.save(QString::fromStdString(output->temporaryPath()), "PNG", 65)) {
    return core::makeError(core::ErrorCode::kWriteFailed, "cannot write the PNG", path);
  }
  return output->commit();
}

core::Result<Picture> readPng(const std::string& path) {
  detail::ensureApplication();
  QImage image;
  if (!image.load(QString::fromStdString(path), "PNG")) {
    return core::makeError(core::ErrorCode::kNotFound, "cannot read the PNG", path);
  }
  const QImage rgba = image.convertToFormat(QImage::Format_RGBA8888);
  Picture pic;
  pic.width = rgba.width();
  pic.height = rgba.height();
  pic.rgba.resize(static_cast<std::size_t>(pic.width) * static_cast<std::size_t>(pic.height) * 4);
  for (int y = 0; y < pic.height; ++y) {
    const auto* row = rgba.constScanLine(y);
    std::copy(row, row + pic.width * 4,
              pic.rgba.begin() + static_cast<std::ptrdiff_t>(y) * pic.width * 4);
  }
  return pic;
}

}  // namespace gridtwin::report
