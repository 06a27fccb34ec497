#include "tiles/clip.h"

#include <algorithm>
#include <cmath>

namespace gridtwin::tiles {

namespace {

double segmentDistance2(const geo::Point& p, const geo::Point& a, const geo::Point& b) {
  const double dx = b.x - a.x;
  const double dy = b.y - a.y;
  const double len2 = dx * dx + dy * dy;
  double t = 0;
  if (len2 > 0) t = std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.0, 1.0);
  const double ex = a.x + t * dx - p.x;
  const double ey = a.y + t * dy - p.y;
  return ex * ex + ey * ey;
}

mvt::TilePoint roundPoint(const geo::Point& p) {
  return {static_cast<std::int32_t>(std::lround(p.x)), static_cast<std::int32_t>(std::lround(p.y))};
}

void roundInto(std::span<const geo::Point> pts, std::vector<mvt::TilePoint>& out) {
  out.clear();
  for (const geo::Point& p : pts) {
    const mvt::TilePoint t = roundPoint(p);
    if (out.empty() || !(out.back() == t)) out.push_back(t);
  }
}

// One Sutherland–Hodgman pass: keep the side where inside(p) holds.
template <class Inside, class Cross>
void clipSide(const std::vector<geo::Point>& in, std::vector<geo::Point>& out, Inside inside,
              Cross cross) {
  out.clear();
  const std::size_t n = in.size();
  for (std::size_t i = 0; i < n; ++i) {
    const geo::Point& cur = in[i];
    const geo::Point& prev = in[(i + n - 1) % n];
    const bool curIn = inside(cur);
    const bool prevIn = inside(prev);
    if (curIn) {
      if (!prevIn) out.push_back(cross(prev, cur));
      out.push_back(cur);
    } else if (prevIn) {
      out.push_back(cross(prev, cur));
    }
  }
}

}  // namespace

geo::Box TileFrame::clipBounds() const {
  const double pad = bounds.width() * buffer / extent;
  return geo::Box{bounds.minx - pad, bounds.miny - pad, bounds.maxx + pad, bounds.maxy + pad};
}

geo::Point TileFrame::toTile(const geo::Point& m) const {
  const double scale = extent / bounds.width();
  return {(m.x - bounds.minx) * scale, (bounds.maxy - m.y) * scale};
}

namespace {

// Douglas–Peucker into `out`, with the caller's buffers.
void simplifyInto(std::span<const geo::Point> chain, double tolerance, std::vector<geo::Point>& out,
                  std::vector<char>& keep,
                  std::vector<std::pair<std::size_t, std::size_t>>& stack) {
  out.clear();
  if (tolerance <= 0 || chain.size() <= 2) {
    out.assign(chain.begin(), chain.end());
    return;
  }
  keep.assign(chain.size(), 0);
  keep.front() = keep.back() = 1;
  const double tol2 = tolerance * tolerance;
  stack.clear();
  stack.emplace_back(0, chain.size() - 1);
  while (!stack.empty()) {
    const auto [first, last] = stack.back();
    stack.pop_back();
    double worst = -1;
    std::size_t at = first;
    for (std::size_t i = first + 1; i < last; ++i) {
      const double d = segmentDistance2(chain[i], chain[first], chain[last]);
      if (d > worst) {
        worst = d;
        at = i;
      }
    }
    if (worst > tol2) {
      keep[at] = 1;
      stack.emplace_back(first, at);
      stack.emplace_back(at, last);
    }
  }
  for (std::size_t i = 0; i < chain.size(); ++i) {
    if (keep[i]) out.push_back(chain[i]);
  }
}

}  // namespace

std::vector<geo::Point> simplify(std::span<const geo::Point> chain, double tolerance) {
  std::vector<geo::Point> out;
  std::vector<char> keep;
  std::vector<std::pair<std::size_t, std::size_t>> stack;
  simplifyInto(chain, tolerance, out, keep, stack);
  return out;
}

bool clipPoint(const TileFrame& frame, const geo::Point& m, mvt::TilePoint& out) {
  if (!std::isfinite(m.x) || !std::isfinite(m.y)) return false;
  const geo::Point t = frame.toTile(m);
  const double lo = -static_cast<double>(frame.buffer);
  const double hi = static_cast<double>(frame.extent) + frame.buffer;
  if (t.x < lo || t.x > hi || t.y < lo || t.y > hi) return false;
  out = roundPoint(t);
  return true;
}

void clipLine(const TileFrame& frame, std::span<const geo::Point> line,
              std::vector<std::vector<mvt::TilePoint>>& out) {
  const double lo = -static_cast<double>(frame.buffer);
  const double hi = static_cast<double>(frame.extent) + frame.buffer;
  std::vector<geo::Point> run;
  std::vector<mvt::TilePoint> rounded;
  auto flush = [&] {
    if (run.size() >= 2) {
      roundInto(simplify(run, frame.tolerance), rounded);
      if (rounded.size() >= 2) out.push_back(rounded);
    }
    run.clear();
  };
  for (std::size_t i = 0; i + 1 < line.size(); ++i) {
    const geo::Point a = frame.toTile(line[i]);
    const geo::Point b = frame.toTile(line[i + 1]);
    // Liang–Barsky: the parameter range [t0, t1] of a->b inside the box.
    double t0 = 0, t1 = 1;
    const double dx = b.x - a.x, dy = b.y - a.y;
    const double p[4] = {-dx, dx, -dy, dy};
    const double q[4] = {a.x - lo, hi - a.x, a.y - lo, hi - a.y};
    bool inside = true;
    for (int k = 0; k < 4 && inside; ++k) {
      if (p[k] == 0) {
        if (q[k] < 0) inside = false;
      } else {
        const double r = q[k] / p[k];
        if (p[k] < 0) {
          t0 = std::max(t0, r);
        } else {
          t1 = std::min(t1, r);
        }
        if (t0 > t1) inside = false;
      }
    }
    if (!inside) {
      flush();
      continue;
    }
    const geo::Point s{a.x + t0 * dx, a.y + t0 * dy};
    const geo::Point e{a.x + t1 * dx, a.y + t1 * dy};
    if (run.empty()) run.push_back(s);
    run.push_back(e);
    if (t1 < 1) flush();  // the line leaves the box here
  }
  flush();
}

std::vector<mvt::TilePoint> clipRing(const TileFrame& frame, std::span<const geo::Point> ring,
                                     bool exterior) {
  std::vector<mvt::TilePoint> out;
  ClipScratch scratch;
  clipRing(frame, ring, exterior, out, scratch);
  return out;
}

void clipRing(const TileFrame& frame, std::span<const geo::Point> ring, bool exterior,
              std::vector<mvt::TilePoint>& out, ClipScratch& scratch) {
  out.clear();
  const double lo = -static_cast<double>(frame.buffer);
  const double hi = static_cast<double>(frame.extent) + frame.buffer;
  std::vector<geo::Point>& a = scratch.a;
  std::vector<geo::Point>& b = scratch.b;
  a.clear();
  for (const geo::Point& m : ring) a.push_back(frame.toTile(m));
  if (a.size() > 1 && a.front() == a.back()) a.pop_back();
  geo::Box box;
  for (const geo::Point& p : a) box.expand(p);
  if (box.minx < lo || box.maxx > hi || box.miny < lo || box.maxy > hi) {
    auto atX = [](double x) {
      return [x](const geo::Point& p, const geo::Point& q) {
        return geo::Point{x, p.y + (q.y - p.y) * (x - p.x) / (q.x - p.x)};
      };
    };
    auto atY = [](double y) {
      return [y](const geo::Point& p, const geo::Point& q) {
        return geo::Point{p.x + (q.x - p.x) * (y - p.y) / (q.y - p.y), y};
      };
    };
    clipSide(
        a, b, [lo](const geo::Point& p) { return p.x >= lo; }, atX(lo));
    clipSide(
        b, a, [hi](const geo::Point& p) { return p.x <= hi; }, atX(hi));
    clipSide(
        a, b, [lo](const geo::Point& p) { return p.y >= lo; }, atY(lo));
    clipSide(
        b, a, [hi](const geo::Point& p) { return p.y <= hi; }, atY(hi));
  }
  if (a.size() < 3) return;
  a.push_back(a.front());  // simplify the closed chain
  auto roundRing = [&](std::span<const geo::Point> chain) {
    roundInto(chain, out);
    while (out.size() > 1 && out.back() == out.front()) out.pop_back();
    return out.size() >= 3 && mvt::ringArea2(out) != 0;
  };
  // A ring that simplification flattens (a narrow building at a low zoom)
  // keeps its rounded outline: only rings without area at the tile's
  // resolution are dropped.
  simplifyInto(a, frame.tolerance, scratch.simplified, scratch.keep, scratch.stack);
  if (!roundRing(scratch.simplified) && (frame.tolerance <= 0 || !roundRing(a))) {
    out.clear();
    return;
  }
  if ((mvt::ringArea2(out) > 0) != exterior) std::reverse(out.begin(), out.end());
}

}  // namespace gridtwin::tiles
