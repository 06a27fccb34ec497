#include "boundary/coverage.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <tuple>
#include <utility>

#include "crs/transformer.h"
#include "geo/geos_ops.h"

namespace gridtwin::boundary {

namespace {

constexpr std::array<std::string_view, 10> kKindNames = {
    "invalid",          "overlap",      "gap",        "sliver",          "outside_parent",
    "outside_district", "building_cut", "unassigned", "double_assigned", "grid_mismatch"};

using geo::GeomPtr;

// Two shapes closer than this touch (metres): a gap's neighbours.
constexpr double kTouchM = 1e-3;

struct Work {
  const Unit* unit = nullptr;
  GeomPtr shape;  // valid (repaired when it was not)
  geo::Box box;
};

core::Result<Finding> areaFinding(FindingKind kind, std::vector<std::string> codes,
                                  const GEOSGeom_t* part, std::string detail = {}) {
  Finding f;
  f.kind = kind;
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  f.codes = std::move(codes);
  f.xy = geo::insidePoint(part);
  f.measure = geo::area(part);
  f.unit = "m2";
  f.detail = std::move(detail);
  auto mp = geo::polygonalValue(part);
  if (!mp) return mp.takeError();
  f.geometry = std::move(*mp);
  return f;
}

core::Result<void> checkOptions(const CoverageOptions& o) {
  if (!(o.minAreaM2 >= 0) || !std::isfinite(o.minAreaM2)) {
    return core::makeError(core::ErrorCode::kInvalidArgument,
                           "minimum area must be a finite number >= 0 (m2)");
  }
  if (!(o.sliverWidthM >= 0) || !std::isfinite(o.sliverWidthM)) {
    return core::makeError(core::ErrorCode::kInvalidArgument,
                           "sliver width must be a finite number >= 0 (m)");
  }
  return {};
}

// Converts and checks one unit; an invalid one yields an `invalid` finding
// and is repaired.
core::Result<Work> prepare(const Unit& unit, std::vector<Finding>* findings,
                           std::string_view role) {
  Work w;
  w.unit = &unit;
  auto g = geo::toGeos(unit.shape);
  if (!g) {
    // GEOS refuses it outright (an unclosed ring, too few points).
    if (findings != nullptr) {
      Finding f;
      f.kind = FindingKind::kInvalid;
      f.codes = {unit.code};
      const geo::Box b = geo::bbox(unit.shape);
      f.xy = b.empty() ? geo::Point{} : geo::Point{(b.minx + b.maxx) / 2, (b.miny + b.maxy) / 2};
      f.detail = g.error().message;
      f.geometry = unit.shape;
      findings->push_back(std::move(f));
    }
    w.shape = geo::emptyPolygon();
    return w;
  }
  auto validity = geo::validity(g->get(), std::string(role) + " " + unit.code);
  if (!validity) return validity.takeError();
  if (validity->valid) {
    w.shape = std::move(*g);
  } else {
    if (findings != nullptr) {
      Finding f;
      f.kind = FindingKind::kInvalid;
      f.codes = {unit.code};
      if (validity->where) f.xy = *validity->where;
      f.detail = validity->reason;
      f.geometry = unit.shape;
      findings->push_back(std::move(f));
    }
    auto fixed = geo::repair(g->get(), std::string(role) + " " + unit.code);
    if (!fixed) return fixed.takeError();
    w.shape = std::move(*fixed);
  }
  w.box = geo::bounds(w.shape.get());
  return w;
}

bool near(const geo::Box& a, const geo::Box& b, double d) {
  return !(b.minx > a.maxx + d || b.maxx < a.minx - d || b.miny > a.maxy + d ||
           b.maxy < a.miny - d);
}

core::Result<void> findOverlaps(const std::vector<Work>& units, double minArea,
                                std::vector<Finding>& out) {
  for (std::size_t i = 0; i < units.size(); ++i) {
    for (std::size_t j = i + 1; j < units.size(); ++j) {
      if (!units[i].box.intersects(units[j].box)) continue;
      const std::string what = "overlap of " + units[i].unit->code + " and " + units[j].unit->code;
      auto inter = geo::intersection(units[i].shape.get(), units[j].shape.get(), what);
      if (!inter) return inter.takeError();
      for (const auto& part : geo::polygonParts(inter->get())) {
        if (geo::area(part.get()) <= minArea) continue;
        auto f = areaFinding(FindingKind::kOverlap, {units[i].unit->code, units[j].unit->code},
                             part.get());
        if (!f) return f.takeError();
        out.push_back(std::move(*f));
      }
    }
  }
  return {};
}

// The codes of the units within kTouchM of `part`.
std::vector<std::string> touching(const std::vector<Work>& units, const GEOSGeom_t* part) {
  std::vector<std::string> codes;
  const geo::Box b = geo::bounds(part);
  for (const Work& w : units) {
    if (!near(w.box, b, kTouchM)) continue;
    if (const auto d = geo::distance(w.shape.get(), part); d && *d <= kTouchM) {
      codes.push_back(w.unit->code);
    }
  }
  return codes;
}

// The codes of the units sharing area with `part`.
std::vector<std::string> sharing(const std::vector<Work>& units, const GEOSGeom_t* part) {
  std::vector<std::string> codes;
  const geo::Box b = geo::bounds(part);
  for (const Work& w : units) {
    if (!w.box.intersects(b)) continue;
    auto inter = geo::intersection(w.shape.get(), part, "the units of a part outside");
    if (inter && geo::area(inter->get()) > 1e-6) codes.push_back(w.unit->code);
  }
  return codes;
}

core::Result<void> findGapsAndOutside(const std::vector<Work>& units,
                                      const std::optional<geo::MultiPolygon>& outline,
                                      double minArea, std::vector<Finding>& out) {
  std::vector<const GEOSGeom_t*> shapes;
  shapes.reserve(units.size());
  for (const Work& w : units) shapes.push_back(w.shape.get());
  auto all = geo::unionOf(shapes, "union of the coverage");
  if (!all) return all.takeError();

  std::vector<GeomPtr> gaps;
  if (outline) {
    auto o = geo::toGeos(*outline);
    if (!o) return o.takeError();
    GeomPtr district = std::move(*o);
    if (auto v = geo::validity(district.get(), "district outline"); !v || !v->valid) {
      auto fixed = geo::repair(district.get(), "district outline");
      if (!fixed) return fixed.takeError();
      district = std::move(*fixed);
    }
    auto missing = geo::difference(district.get(), all->get(), "gaps in the coverage");
    if (!missing) return missing.takeError();
    gaps = geo::polygonParts(missing->get());
    auto extra = geo::difference(all->get(), district.get(), "parts outside the district");
    if (!extra) return extra.takeError();
    for (const auto& part : geo::polygonParts(extra->get())) {
      if (geo::area(part.get()) <= minArea) continue;
      auto f = areaFinding(FindingKind::kOutsideDistrict, sharing(units, part.get()), part.get());
      if (!f) return f.takeError();
      out.push_back(std::move(*f));
    }
  } else {
    // No outline: what the union encloses but does not cover (its holes).
    for (const auto& poly : geo::polygonParts(all->get())) {
      for (const auto& hole : geo::holesOf(poly.get())) {
        // Less any unit standing inside the hole (an island).
        auto open = geo::difference(hole.get(), all->get(), "gaps in the coverage");
        if (!open) return open.takeError();
        for (auto& part : geo::polygonParts(open->get())) gaps.push_back(std::move(part));
      }
    }
  }
  for (const auto& part : gaps) {
    if (geo::area(part.get()) <= minArea) continue;
    auto f = areaFinding(FindingKind::kGap, touching(units, part.get()), part.get());
    if (!f) return f.takeError();
    out.push_back(std::move(*f));
  }
  return {};
}

core::Result<void> findOutsideParent(const std::vector<Work>& units,
                                     const std::vector<Work>& parents, double minArea,
                                     std::vector<Finding>& out) {
  std::map<std::string_view, const Work*> byCode;
  for (const Work& p : parents) byCode.emplace(p.unit->code, &p);
  for (const Work& w : units) {
    if (w.unit->parentCode.empty()) continue;
    auto it = byCode.find(w.unit->parentCode);
    if (it == byCode.end()) {
      if (parents.empty()) continue;  // no parent layer given: nothing to check against
      auto f = areaFinding(FindingKind::kOutsideParent, {w.unit->code, w.unit->parentCode},
                           w.shape.get(), "parent " + w.unit->parentCode + " does not exist");
      if (!f) return f.takeError();
      out.push_back(std::move(*f));
      continue;
    }
    const std::string what = w.unit->code + " outside " + w.unit->parentCode;
    auto outside = geo::difference(w.shape.get(), it->second->shape.get(), what);
    if (!outside) return outside.takeError();
    for (const auto& part : geo::polygonParts(outside->get())) {
      if (geo::area(part.get()) <= minArea) continue;
      auto f =
          areaFinding(FindingKind::kOutsideParent, {w.unit->code, w.unit->parentCode}, part.get());
      if (!f) return f.takeError();
      out.push_back(std::move(*f));
    }
  }
  return {};
}

// A sliver is what a morphological opening (erode by w/2, dilate by w/2,
// mitred joins so that corners come back) takes away from the unit.
core::Result<void> findSlivers(const std::vector<Work>& units, double width, double minArea,
                               std::vector<Finding>& out) {
  if (width <= 0) return {};
  const double r = width / 2;
  // Mitred joins (limit 20) so that the corners of the unit come back exactly.
  const geo::BufferStyle style{8, geo::BufferJoin::kMitre, 20};
  for (const Work& w : units) {
    const std::string what = "sliver test of " + w.unit->code;
    auto eroded = geo::buffer(w.shape.get(), -r, style, what);
    if (!eroded) return eroded.takeError();
    auto opened = geo::buffer(eroded->get(), r, style, what);
    if (!opened) return opened.takeError();
    auto thin = geo::difference(w.shape.get(), opened->get(), what);
    if (!thin) return thin.takeError();
    // A sliver may be small: 0.3 m by 3 m is one. Only what is smaller than
    // a quarter of a width-by-width square is taken for rounding.
    const double noise = std::min(minArea, width * width / 4);
    for (const auto& part : geo::polygonParts(thin->get())) {
      const double a = geo::area(part.get());
      if (a <= noise) continue;
      auto f = areaFinding(FindingKind::kSliver, {w.unit->code}, part.get());
      if (!f) return f.takeError();
      // Mean width of the thin part: twice its area over its perimeter.
      const double p = geo::length(part.get());
      f->measure = p > 0 ? 2 * a / p : 0;
      f->unit = "m";
      out.push_back(std::move(*f));
    }
  }
  return {};
}

}  // namespace

std::string_view name(FindingKind kind) { return kKindNames[static_cast<std::size_t>(kind)]; }

bool parseFindingKind(std::string_view text, FindingKind& out) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == text) {
      out = static_cast<FindingKind>(i);
      return true;
    }
  }
  return false;
}

core::Result<std::vector<Finding>> validate(const Coverage& coverage,
                                            const CoverageOptions& options) {
  GRIDTWIN_TRY(checkOptions(options));
  std::vector<Finding> findings;
  std::vector<Work> units, parents;
  units.reserve(coverage.units.size());
  for (const Unit& u : coverage.units) {
    auto w = prepare(u, &findings, "unit");
    if (!w) return w.takeError();
    units.push_back(std::move(*w));
  }
  for (const Unit& p : coverage.parents) {
    auto w = prepare(p, nullptr, "parent");
    if (!w) return w.takeError();
    parents.push_back(std::move(*w));
  }
  GRIDTWIN_TRY(findOverlaps(units, options.minAreaM2, findings));
  GRIDTWIN_TRY(findGapsAndOutside(units, coverage.outline, options.minAreaM2, findings));
  GRIDTWIN_TRY(findOutsideParent(units, parents, options.minAreaM2, findings));
  GRIDTWIN_TRY(findSlivers(units, options.sliverWidthM, options.minAreaM2, findings));
  sortFindings(findings);
  GRIDTWIN_TRY(fillLonLat(findings));
  return findings;
}

void sortFindings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.kind, a.codes, a.xy.x, a.xy.y) < std::tie(b.kind, b.codes, b.xy.x, b.xy.y);
  });
}

core::Result<void> fillLonLat(std::vector<Finding>& findings) {
  if (findings.empty()) return {};
  auto t = crs::Transformer::create(crs::kGaussKruger114, crs::kCgcs2000);
  if (!t) return t.takeError();
  for (Finding& f : findings) {
    if (!std::isfinite(f.xy.x) || !std::isfinite(f.xy.y)) {
      f.lonlat = f.xy;
      continue;
    }
    auto ll = t->transform(f.xy);
    if (!ll) return ll.takeError();
    f.lonlat = *ll;
  }
  return {};
}

}  // namespace gridtwin::boundary
