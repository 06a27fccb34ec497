#include "geo/triangulate.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gridtwin::geo {
namespace {

// A vertex of the ring being clipped: a circular doubly linked list inside
// one vector (bridging a hole duplicates two vertices).
struct Node {
  std::uint32_t index = 0;  // the vertex number triangulate() reports
  Point p;
  std::int32_t prev = -1;
  std::int32_t next = -1;
};

double cross(const Point& a, const Point& b, const Point& c) {
  return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

// Inclusive: a point on an edge blocks an ear too (conservative; a blocked
// polygon ends in the forced clip below, never in a wrong-sided triangle).
bool inTriangle(const Point& a, const Point& b, const Point& c, const Point& p) {
  return cross(a, b, p) >= 0 && cross(b, c, p) >= 0 && cross(c, a, p) >= 0;
}

std::size_t openSize(const Ring& ring) {
  if (ring.size() >= 2 && ring.front() == ring.back()) return ring.size() - 1;
  return ring.size();
}

double signedArea(const Ring& ring, std::size_t n) {
  double s = 0;
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    s += (ring[j].x - ring[i].x) * (ring[j].y + ring[i].y);
  }
  return s / 2;
}

// Links `ring` (numbered from `first`) into `nodes`, counter-clockwise when
// `ccw`, else clockwise; drops consecutive repeats. Returns a node of the new
// loop, or -1 when fewer than three distinct points remain.
std::int32_t linkRing(std::vector<Node>& nodes, const Ring& ring, std::uint32_t first, bool ccw) {
  const std::size_t n = openSize(ring);
  if (n < 3) return -1;
  const bool reverse = (signedArea(ring, n) > 0) != ccw;
  const auto start = static_cast<std::int32_t>(nodes.size());
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = reverse ? n - 1 - k : k;
    if (nodes.size() > static_cast<std::size_t>(start) && nodes.back().p == ring[i]) continue;
    nodes.push_back({first + static_cast<std::uint32_t>(i), ring[i], -1, -1});
  }
  while (nodes.size() - start > 1 && nodes.back().p == nodes[start].p) nodes.pop_back();
  const auto count = static_cast<std::int32_t>(nodes.size()) - start;
  if (count < 3) {
    nodes.resize(start);
    return -1;
  }
  for (std::int32_t k = 0; k < count; ++k) {
    nodes[start + k].prev = start + (k + count - 1) % count;
    nodes[start + k].next = start + (k + 1) % count;
  }
  return start;
}

// Joins the loop through `b` (a hole) into the loop through `a` with a
// two-way bridge a→b … b'→a' (earcut's split, our own words).
void bridge(std::vector<Node>& nodes, std::int32_t a, std::int32_t b) {
  const auto a2 = static_cast<std::int32_t>(nodes.size());
  nodes.push_back(nodes[a]);
  const auto b2 = static_cast<std::int32_t>(nodes.size());
  nodes.push_back(nodes[b]);
  const std::int32_t an = nodes[a].next;
  const std::int32_t bp = nodes[b].prev;
  nodes[a].next = b;
  nodes[b].prev = a;
  nodes[a2].next = an;
  nodes[an].prev = a2;
  nodes[b2].next = a2;
  nodes[a2].prev = b2;
  nodes[bp].next = b2;
  nodes[b2].prev = bp;
}

// The outer-loop vertex that the hole vertex `m` (the hole's rightmost) can
// see: cast a ray to +x, take the nearest edge hit, its right end, then the
// reflex vertex inside (m, hit, end) nearest in angle (Eberly §3). -1: none
// (a hole outside the outer ring).
std::int32_t visibleVertex(const std::vector<Node>& nodes, std::int32_t outer, const Point& m) {
  double bestX = std::numeric_limits<double>::infinity();
  std::int32_t candidate = -1;
  std::int32_t i = outer;
  do {
    const Point& a = nodes[i].p;
    const Point& b = nodes[nodes[i].next].p;
    if (a.y != b.y && ((a.y <= m.y && b.y >= m.y) || (a.y >= m.y && b.y <= m.y))) {
      const double x = a.x + (m.y - a.y) * (b.x - a.x) / (b.y - a.y);
      if (x >= m.x && x < bestX) {
        bestX = x;
        if (x == a.x && m.y == a.y) {
          candidate = i;
        } else if (x == b.x && m.y == b.y) {
          candidate = nodes[i].next;
        } else {
          candidate = a.x > b.x ? i : nodes[i].next;
        }
      }
    }
    i = nodes[i].next;
  } while (i != outer);
  if (candidate < 0) return -1;
  const Point hit{bestX, m.y};
  const Point end = nodes[candidate].p;
  if (end.y == m.y) return candidate;  // the ray hit a vertex
  // Reflex vertices inside the triangle (m, hit, end) hide `end`: choose the
  // one with the smallest angle to the ray (then the nearest).
  const bool ccw = cross(m, hit, end) > 0;
  const Point t0 = m;
  const Point t1 = ccw ? hit : end;
  const Point t2 = ccw ? end : hit;
  double bestTan = std::numeric_limits<double>::infinity();
  double bestDist = std::numeric_limits<double>::infinity();
  std::int32_t best = candidate;
  i = outer;
  do {
    const Node& n = nodes[i];
    if (i != candidate && n.p.x >= m.x && !(n.p == m) && inTriangle(t0, t1, t2, n.p) &&
        cross(nodes[n.prev].p, n.p, nodes[n.next].p) <= 0) {
      const double dx = n.p.x - m.x;
      const double tan = std::abs(n.p.y - m.y) / dx;
      const double dist = dx * dx + (n.p.y - m.y) * (n.p.y - m.y);
      if (dx > 0 && (tan < bestTan || (tan == bestTan && dist < bestDist))) {
        bestTan = tan;
        bestDist = dist;
        best = i;
      }
    }
    i = n.next;
  } while (i != outer);
  return best;
}

bool isEar(const std::vector<Node>& nodes, std::int32_t e) {
  const Point& a = nodes[nodes[e].prev].p;
  const Point& b = nodes[e].p;
  const Point& c = nodes[nodes[e].next].p;
  if (cross(a, b, c) <= 0) return false;
  const double minx = std::min({a.x, b.x, c.x}), maxx = std::max({a.x, b.x, c.x});
  const double miny = std::min({a.y, b.y, c.y}), maxy = std::max({a.y, b.y, c.y});
  for (std::int32_t i = nodes[nodes[e].next].next; i != nodes[e].prev; i = nodes[i].next) {
    const Point& p = nodes[i].p;
    if (p.x < minx || p.x > maxx || p.y < miny || p.y > maxy) continue;
    if (p == a || p == b || p == c) continue;  // a bridge's twin vertex
    if (inTriangle(a, b, c, p)) return false;
  }
  return true;
}

}  // namespace

std::vector<Point> triangulationVertices(const Polygon& polygon) {
  std::vector<Point> out;
  auto add = [&](const Ring& r) { out.insert(out.end(), r.begin(), r.begin() + openSize(r)); };
  add(polygon.outer);
  for (const Ring& h : polygon.holes) add(h);
  return out;
}

std::vector<std::uint32_t> triangulate(const Polygon& polygon) {
  std::vector<Node> nodes;
  std::size_t total = openSize(polygon.outer);
  for (const Ring& h : polygon.holes) total += openSize(h);
  nodes.reserve(total + 2 * polygon.holes.size());
  std::int32_t outer = linkRing(nodes, polygon.outer, 0, true);
  std::vector<std::uint32_t> triangles;
  if (outer < 0) return triangles;

  // Holes, rightmost first, each bridged to the outer loop (which then
  // includes the holes bridged before it).
  struct Hole {
    std::int32_t right;
  };
  std::vector<Hole> holes;
  std::uint32_t first = static_cast<std::uint32_t>(openSize(polygon.outer));
  for (const Ring& h : polygon.holes) {
    const std::int32_t head = linkRing(nodes, h, first, false);
    first += static_cast<std::uint32_t>(openSize(h));
    if (head < 0) continue;
    std::int32_t right = head;
    for (std::int32_t i = nodes[head].next; i != head; i = nodes[i].next) {
      if (nodes[i].p.x > nodes[right].p.x) right = i;
    }
    holes.push_back({right});
  }
  std::sort(holes.begin(), holes.end(),
            [&](const Hole& a, const Hole& b) { return nodes[a.right].p.x > nodes[b.right].p.x; });
  for (const Hole& h : holes) {
    const std::int32_t v = visibleVertex(nodes, outer, nodes[h.right].p);
    if (v >= 0) bridge(nodes, v, h.right);
  }

  std::size_t remaining = 1;
  for (std::int32_t i = nodes[outer].next; i != outer; i = nodes[i].next) ++remaining;
  triangles.reserve(3 * (remaining - 2));
  auto clip = [&](std::int32_t e) {
    const Node& n = nodes[e];
    if (cross(nodes[n.prev].p, n.p, nodes[n.next].p) > 0) {
      triangles.insert(triangles.end(), {nodes[n.prev].index, n.index, nodes[n.next].index});
    }
    nodes[n.prev].next = n.next;
    nodes[n.next].prev = n.prev;
    --remaining;
    return n.next;
  };
  std::int32_t e = outer;
  std::size_t misses = 0;
  while (remaining > 2) {
    const Node& n = nodes[e];
    if (cross(nodes[n.prev].p, n.p, nodes[n.next].p) == 0 || isEar(nodes, e)) {
      e = clip(e);  // an ear, or a collinear vertex that adds no area
      misses = 0;
      continue;
    }
    e = n.next;
    if (++misses >= remaining) {
      // No ear left: the rings cross or touch themselves. Clip the most
      // convex vertex so the loop always ends.
      std::int32_t best = e;
      double bestCross = -std::numeric_limits<double>::infinity();
      std::int32_t i = e;
      do {
        const double c = cross(nodes[nodes[i].prev].p, nodes[i].p, nodes[nodes[i].next].p);
        if (c > bestCross) {
          bestCross = c;
          best = i;
        }
        i = nodes[i].next;
      } while (i != e);
      e = clip(best);
      misses = 0;
    }
  }
  return triangles;
}

}  // namespace gridtwin::geo
