#include "boundary/preview.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "boundary/output.h"
#include "geo/geos_ops.h"
#include "index/grid_locator.h"

namespace gridtwin::boundary {

namespace {

constexpr std::array<std::string_view, kMovedKinds.size()> kMovedNames = {
    "addresses", "houses", "people", "entities", "facilities", "open_events"};

core::Result<index::GridLocator> locatorOf(const std::vector<Unit>& units) {
  std::vector<index::GridLocator::GridShape> shapes;
  shapes.reserve(units.size());
  for (const Unit& u : units) shapes.push_back({u.shape, u.code});
  return index::GridLocator::build(shapes);
}

// Whether two findings are the same problem: kind, codes, place within 1 m
// and the same measure (an overlap the edit enlarges is a new finding).
bool same(const Finding& a, const Finding& b) {
  return a.kind == b.kind && a.codes == b.codes &&
         std::hypot(a.xy.x - b.xy.x, a.xy.y - b.xy.y) <= 1.0 &&
         std::abs(a.measure - b.measure) <= std::max(0.01, 1e-3 * std::abs(b.measure));
}

double sharedLength(const GEOSGeom_t* a, const GEOSGeom_t* b) {
  auto ra = geo::boundaryOf(a, "shared border");
  auto rb = geo::boundaryOf(b, "shared border");
  if (!ra || !rb) return 0;
  auto shared = geo::intersection(ra->get(), rb->get(), "shared border");
  return shared ? geo::length(shared->get()) : 0.0;
}

}  // namespace

std::string_view movedKindName(std::size_t i) { return kMovedNames[i]; }

core::Result<EditPreview> previewEdit(const query::Twin& twin, const Coverage& coverage,
                                      std::string_view gridCode, const geo::MultiPolygon& proposed,
                                      const CoverageOptions& options) {
  const auto& units = coverage.units;
  std::size_t gi = units.size();
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (units[i].code == gridCode) gi = i;
  }
  if (gi == units.size()) {
    return core::makeError(core::ErrorCode::kInvalidArgument,
                           "no grid with code '" + std::string(gridCode) + "'");
  }
  if (proposed.polygons.empty()) {
    return core::makeError(core::ErrorCode::kInvalidArgument, "the proposed polygon is empty");
  }
  auto p = geo::toGeos(proposed);
  if (!p) return p.takeError();
  {
    const auto validity = geo::validity(p->get(), "the proposed polygon");
    const std::string why =
        validity && !validity->reason.empty() ? validity->reason : "GEOS failed";
    if (!validity || !validity->valid) {
      return core::makeError(
          core::ErrorCode::kInvalidGeometry,
          "the proposed polygon for " + std::string(gridCode) + " is invalid: " + why);
    }
  }
  auto g = geo::toGeos(units[gi].shape);
  if (!g) return g.takeError();

  EditPreview out;
  out.grid = std::string(gridCode);
  out.areaBeforeM2 = geo::area(g->get());
  out.areaAfterM2 = geo::area(p->get());
  out.grids = units;
  out.grids[gi].shape = proposed;
  std::vector<bool> changed(units.size(), false);
  changed[gi] = true;

  // Others give up what the proposal covers.
  const geo::Box pBox = geo::bbox(proposed);
  std::vector<geo::GeomPtr> shapes(units.size());
  for (std::size_t i = 0; i < units.size(); ++i) {
    auto s = geo::toGeos(units[i].shape);
    if (!s) return core::Error(s.takeError()).withContext("grid " + units[i].code);
    shapes[i] = std::move(*s);
  }
  std::vector<geo::GeomPtr> edited(units.size());
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (i == gi || !geo::bbox(units[i].shape).intersects(pBox)) continue;
    auto inter = geo::intersection(shapes[i].get(), p->get(), "edit of " + units[i].code);
    if (!inter) return inter.takeError();
    if (geo::area(inter->get()) <= 1e-6) continue;
    auto rest = geo::difference(shapes[i].get(), p->get(), "edit of " + units[i].code);
    if (!rest) return rest.takeError();
    edited[i] = std::move(*rest);
  }
  // What the grid gives up goes to the neighbour along the longest border.
  auto lost = geo::difference(g->get(), p->get(), "edit of " + out.grid);
  if (!lost) return lost.takeError();
  for (const auto& part : geo::polygonParts(lost->get())) {
    if (geo::area(part.get()) <= 1e-6) continue;
    const geo::Box box = geo::bounds(part.get());
    double best = 0.01;
    std::size_t to = units.size();
    for (std::size_t i = 0; i < units.size(); ++i) {
      if (i == gi) continue;
      const geo::Box b = geo::bbox(units[i].shape);
      if (b.minx > box.maxx + 0.01 || b.maxx < box.minx - 0.01 || b.miny > box.maxy + 0.01 ||
          b.maxy < box.miny - 0.01) {
        continue;
      }
      const double len = sharedLength(shapes[i].get(), part.get());
      if (len > best) {
        best = len;
        to = i;
      }
    }
    if (to == units.size()) continue;  // touches no other grid: it becomes a gap
    const GEOSGeom_t* base = edited[to] ? edited[to].get() : shapes[to].get();
    auto grown = geo::unionOf({base, part.get()}, "edit of " + units[to].code);
    if (!grown) return grown.takeError();
    edited[to] = geo::polygonal(grown->get());
  }
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (!edited[i]) continue;
    auto mp = geo::polygonalValue(edited[i].get());
    if (!mp) return mp.takeError();
    out.grids[i].shape = std::move(*mp);
    changed[i] = true;
  }
  out.changed.push_back(out.grid);
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (changed[i] && i != gi) out.changed.push_back(units[i].code);
  }
  std::sort(out.changed.begin() + 1, out.changed.end());

  // What moves: only points in the changed grids' old or new boxes can.
  auto before = locatorOf(units);
  if (!before) return before.takeError();
  auto after = locatorOf(out.grids);
  if (!after) return after.takeError();
  geo::Box area;
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (!changed[i]) continue;
    area.expand(geo::bbox(units[i].shape));
    area.expand(geo::bbox(out.grids[i].shape));
  }
  std::map<std::pair<std::string, std::string>, Flow> flows;
  const auto& events = twin.district().events();
  for (std::size_t k = 0; k < kMovedKinds.size(); ++k) {
    const model::Kind kind = kMovedKinds[k];
    const auto points = twin.points(kind);
    for (std::size_t row = 0; row < points.size(); ++row) {
      const geo::Point& pt = points[row];
      if (!area.contains(pt)) continue;  // NaN fails too
      if (kind == model::Kind::kEvent && events.status[row] == model::EventStatus::kClosed)
        continue;
      const std::int32_t b = before->find(pt), a = after->find(pt);
      if (a == b) continue;
      const std::string from = b >= 0 ? units[static_cast<std::size_t>(b)].code : "";
      const std::string to = a >= 0 ? out.grids[static_cast<std::size_t>(a)].code : "";
      if (from == to) continue;
      Flow& f = flows[{from, to}];
      f.from = from;
      f.to = to;
      ++f.counts[k];
      ++out.moved[k];
    }
  }
  for (auto& [key, f] : flows) out.flows.push_back(std::move(f));

  // New findings: those of the edited coverage the current one has not.
  auto old = validate(coverage, options);
  if (!old) return old.takeError();
  Coverage next = coverage;
  next.units = out.grids;
  auto now = validate(next, options);
  if (!now) return now.takeError();
  for (const Finding& f : *now) {
    if (std::none_of(old->begin(), old->end(), [&](const Finding& o) { return same(f, o); })) {
      out.newFindings.push_back(f);
    }
  }
  return out;
}

std::string previewText(const EditPreview& p) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "edit of %s: area %.0f m2 -> %.0f m2 (%+.0f m2)\n", p.grid.c_str(),
                p.areaBeforeM2, p.areaAfterM2, p.areaAfterM2 - p.areaBeforeM2);
  std::string s = buf;
  s += "grids changed:";
  for (const auto& c : p.changed) s += " " + c;
  s += "\n";
  if (p.flows.empty()) s += "nothing moves between grids\n";
  for (const Flow& f : p.flows) {
    s += "  " + (f.from.empty() ? std::string("(outside)") : f.from) + " -> " +
         (f.to.empty() ? std::string("(outside)") : f.to) + ":";
    for (std::size_t k = 0; k < kMovedKinds.size(); ++k) {
      s += " " + std::to_string(f.counts[k]) + " " + std::string(kMovedNames[k]) +
           (k + 1 < kMovedKinds.size() ? "," : "\n");
    }
  }
  s += "moved in all:";
  for (std::size_t k = 0; k < kMovedKinds.size(); ++k) {
    s += " " + std::to_string(p.moved[k]) + " " + std::string(kMovedNames[k]) +
         (k + 1 < kMovedKinds.size() ? "," : "\n");
  }
  if (p.newFindings.empty()) {
    s += "no new findings\n";
  } else {
    s += std::to_string(p.newFindings.size()) + " new findings:\n" + findingsText(p.newFindings);
  }
  return s;
}

std::string previewJson(const EditPreview& p) {
  nlohmann::ordered_json j;
  j["grid"] = p.grid;
  j["area_before_m2"] = p.areaBeforeM2;
  j["area_after_m2"] = p.areaAfterM2;
  j["changed"] = p.changed;
  nlohmann::ordered_json flows = nlohmann::ordered_json::array();
  for (const Flow& f : p.flows) {
    nlohmann::ordered_json x;
    x["from"] = f.from.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(f.from);
    x["to"] = f.to.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(f.to);
    for (std::size_t k = 0; k < kMovedKinds.size(); ++k)
      x[std::string(kMovedNames[k])] = f.counts[k];
    flows.push_back(std::move(x));
  }
  j["flows"] = std::move(flows);
  nlohmann::ordered_json moved;
  for (std::size_t k = 0; k < kMovedKinds.size(); ++k)
    moved[std::string(kMovedNames[k])] = p.moved[k];
  j["moved"] = std::move(moved);
  j["new_findings"] = nlohmann::ordered_json::parse(findingsJson(p.newFindings))["findings"];
  return j.dump(2) + "\n";
}

}  // namespace gridtwin::boundary
