#include "crs/transformer.h"

#include <proj.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <vector>

#include "crs/gcj02.h"
#include "crs/tmerc.h"

namespace gridtwin::crs {
namespace {

// Shortest text that reads back as the same double.
std::string number(double v) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return ec == std::errc() ? std::string(buffer, end) : std::string("?");
}

std::string describe(geo::Point p) { return "(" + number(p.x) + ", " + number(p.y) + ")"; }

bool finite(geo::Point p) { return std::isfinite(p.x) && std::isfinite(p.y); }

// GCJ-02 and BD-09 mean something only in and near China: the offset box
// of gcj02.h widened by about two degrees.
detail::Domain chinaDomain(const Crs& crs) {
  return {70.0, -1.0, 140.0, 58.0,
          name(crs) + " is only defined in and near China (lon 70..140, lat -1..58)"};
}

// The domain of `crs`, and in `why` the reason it cannot be used (unknown,
// not 2D horizontal).
detail::Domain domainOf(PJ_CONTEXT* context, const Crs& crs, std::string& why) {
  if (crs.kind != CrsKind::kEpsg) return chinaDomain(crs);
  const detail::ProjPtr pj = detail::createEpsgCrs(context, crs.epsg);
  if (!pj) {
    why = "PROJ's database has no CRS with code " + std::to_string(crs.epsg);
    return {};
  }
  why = detail::notHorizontal2D(context, pj.get());
  if (!why.empty()) return {};
  return detail::epsgDomain(context, pj.get(), name(crs));
}

}  // namespace

core::Result<Transformer> Transformer::create(const Crs& from, const Crs& to) {
  const auto offsetOf = [](const Crs& crs) {
    switch (crs.kind) {
      case CrsKind::kGcj02:
        return Offset::kGcj;
      case CrsKind::kBd09:
        return Offset::kBaidu;
      case CrsKind::kEpsg:
        break;
    }
    return Offset::kNone;
  };
  const auto unknownCode = [](int code) {
    return core::makeError(core::ErrorCode::kUnknownCrs,
                           "unknown CRS 'EPSG:" + std::to_string(code) +
                               "': PROJ's database has no CRS with code " + std::to_string(code));
  };
  Transformer t;
  t.m_from = from;
  t.m_to = to;
  {
    // Each side's domain; an unknown code or a CRS that is not 2D
    // horizontal is an error, even for the identity.
    const detail::ProjContextPtr context = detail::makeProjContext();
    for (const auto& [crs, domain] :
         {std::pair{from, &t.m_sourceDomain}, std::pair{to, &t.m_targetDomain}}) {
      std::string why;
      *domain = domainOf(context.get(), crs, why);
      if (why.starts_with("PROJ's database")) return unknownCode(crs.epsg);
      if (!why.empty()) {
        return core::makeError(core::ErrorCode::kUnknownCrs,
                               "CRS '" + name(crs) + "' is " + why +
                                   "; a 2D horizontal CRS (geographic lon,lat or projected x,y) "
                                   "is needed");
      }
    }
  }
  if (from == to) return t;  // identity: no offsets and no PROJ
  t.m_before = offsetOf(from);
  t.m_after = offsetOf(to);

  // GCJ-02 and BD-09 reach PROJ as CGCS2000; when both sides then meet at
  // CGCS2000, PROJ has nothing to do.
  const int sourceCode = from.kind == CrsKind::kEpsg ? from.epsg : kCgcs2000.epsg;
  const int targetCode = to.kind == CrsKind::kEpsg ? to.epsg : kCgcs2000.epsg;
  if (sourceCode == targetCode) return t;

  t.m_usesProj = true;
  t.m_context = detail::makeProjContext();
  PJ_CONTEXT* context = t.m_context.get();
  const detail::ProjPtr source = detail::createEpsgCrs(context, sourceCode);
  if (!source) return unknownCode(sourceCode);
  const detail::ProjPtr target = detail::createEpsgCrs(context, targetCode);
  if (!target) return unknownCode(targetCode);

  const std::string where = name(from) + " -> " + name(to);
  // PROJ may keep several candidate operations and pick one per point by
  // area of use; normalizing keeps that and fixes the axis order.
  const detail::ProjPtr operation(
      proj_create_crs_to_crs_from_pj(context, source.get(), target.get(), nullptr, nullptr));
  if (!operation) {
    return core::makeError(
        core::ErrorCode::kTransformFailed,
        "PROJ found no operation: " + detail::lastProjError(context, "no error reported"), where);
  }
  t.m_operation.reset(proj_normalize_for_visualization(context, operation.get()));
  if (!t.m_operation) {
    return core::makeError(core::ErrorCode::kTransformFailed,
                           "PROJ could not set lon,lat axis order: " +
                               detail::lastProjError(context, "no error reported"),
                           where);
  }
  t.setUpOwnProjection();
  return t;
}

core::Result<Transformer> Transformer::clone() const {
  Transformer t;
  t.m_from = m_from;
  t.m_to = m_to;
  t.m_before = m_before;
  t.m_after = m_after;
  t.m_sourceDomain = m_sourceDomain;
  t.m_targetDomain = m_targetDomain;
  t.m_usesProj = m_usesProj;
  t.m_own = m_own;
  t.m_ownInverse = m_ownInverse;
  if (!m_usesProj) return t;
  assert(m_operation && "clone() of a moved-from Transformer");
  // proj_clone copies the operation without going back to the database
  // (~0.1 ms against ~1-6 ms for create()); should PROJ be unable to copy it,
  // build it again.
  t.m_context = detail::makeProjContext();
  t.m_operation.reset(proj_clone(t.m_context.get(), m_operation.get()));
  if (!t.m_operation) return create(m_from, m_to);
  return t;
}

core::Result<void> Transformer::checkSource(geo::Point p) const {
  if (!finite(p)) {
    return core::makeError(core::ErrorCode::kNonFinite, "non-finite coordinate " + describe(p));
  }
  if (!m_sourceDomain.contains(p.x, p.y)) {
    return core::makeError(
        core::ErrorCode::kOutOfDomain,
        name(m_from) + " point " + describe(p) + " is outside its domain: " + m_sourceDomain.what);
  }
  return {};
}

core::Result<geo::Point> Transformer::transformOne(geo::Point p) const {
  if (auto ok = checkSource(p); !ok) return ok.takeError();
  const geo::Point input = p;
  const auto outOfTarget = [&](geo::Point q) {
    return core::makeError(core::ErrorCode::kOutOfDomain,
                           name(m_from) + " point " + describe(input) + " falls at " + describe(q) +
                               ", outside the domain of " + name(m_to) + ": " +
                               m_targetDomain.what);
  };
  switch (m_before) {
    case Offset::kNone:
      break;
    case Offset::kGcj:
      p = gcj02ToWgs84(p);
      break;
    case Offset::kBaidu:
      p = bd09ToWgs84(p);
      break;
  }
  if (m_usesProj) {
    assert(m_operation && "transform() on a moved-from Transformer");
    PJ* operation = m_operation.get();
    proj_errno_reset(operation);
    const PJ_COORD out = proj_trans(operation, PJ_FWD, proj_coord(p.x, p.y, 0, 0));
    const int error = proj_errno(operation);
    const geo::Point q{out.xy.x, out.xy.y};
    if (error != 0 || !finite(q)) {
      const std::string why =
          error != 0 ? proj_context_errno_string(m_context.get(), error) : "no result";
      const bool domain = error == PROJ_ERR_COORD_TRANSFM_INVALID_COORD ||
                          error == PROJ_ERR_COORD_TRANSFM_OUTSIDE_PROJECTION_DOMAIN;
      return core::makeError(
          domain ? core::ErrorCode::kOutOfDomain : core::ErrorCode::kTransformFailed,
          "PROJ cannot transform " + describe(p) + " from " + name(m_from) + " to " + name(m_to) +
              ": " + why);
    }
    p = q;
  }
  if (!m_targetDomain.contains(p.x, p.y)) return outOfTarget(p);
  switch (m_after) {
    case Offset::kNone:
      break;
    case Offset::kGcj:
      p = wgs84ToGcj02(p);
      break;
    case Offset::kBaidu:
      p = wgs84ToBd09(p);
      break;
  }
  return p;
}

core::Result<geo::Point> Transformer::transform(geo::Point point) const {
  return transformOne(point);
}

core::Result<void> Transformer::transform(std::span<geo::Point> points) const {
  // Work on a copy so that a failure leaves the caller's points untouched.
  std::vector<geo::Point> out;
  out.reserve(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    auto r = transformOne(points[i]);
    if (!r) return std::move(r.takeError()).withContext("point " + std::to_string(i));
    out.push_back(*r);
  }
  std::copy(out.begin(), out.end(), points.begin());
  return {};
}

}  // namespace gridtwin::crs

namespace gridtwin::crs {

void Transformer::setUpOwnProjection() {
  PJ* operation = m_operation.get();
  const char* text = proj_as_proj_string(m_context.get(), operation, PJ_PROJ_5, nullptr);
  proj_errno_reset(operation);
  if (!text) return;  // e.g. several candidate operations: PROJ picks per point
  const auto step = detail::parseTmercPipeline(text);
  if (!step) return;
  auto own = std::make_shared<const detail::Tmerc>(step->params);
  // The check: ours and PROJ's on a 13 x 13 lattice over the box where ours
  // is used, corners included; any difference over 1 micrometre (or 1e-11
  // degrees, about as much) and PROJ keeps the step.
  constexpr int kSteps = 12;
  for (int i = 0; i <= kSteps; ++i) {
    for (int j = 0; j <= kSteps; ++j) {
      const double u = static_cast<double>(i) / kSteps, v = static_cast<double>(j) / kSteps;
      geo::Point p, ours;
      double tolerance;
      if (!step->inverse) {
        p = {own->lonMin() + u * (own->lonMax() - own->lonMin()), -84.0 + v * 168.0};
        ours = own->forward(p);
        tolerance = 1e-6;
      } else {
        p = {own->xMin() + u * (own->xMax() - own->xMin()),
             own->yMin() + v * (own->yMax() - own->yMin())};
        ours = own->inverse(p);
        tolerance = 1e-11;
      }
      const PJ_COORD q = proj_trans(operation, PJ_FWD, proj_coord(p.x, p.y, 0, 0));
      const int error = proj_errno(operation);
      proj_errno_reset(operation);
      if (error != 0 || !(std::abs(q.xy.x - ours.x) <= tolerance) ||
          !(std::abs(q.xy.y - ours.y) <= tolerance)) {
        return;
      }
    }
  }
  m_own = std::move(own);
  m_ownInverse = step->inverse;
}

bool Transformer::acceptsQuickly(geo::Point p) const {
  if (!finite(p)) return false;
  // The same domain check as transformOne's checkSource(): a point outside
  // is parked and gets transformOne's error.
  return m_sourceDomain.contains(p.x, p.y);
}

core::Result<void> Transformer::transformStream(std::span<const geo::Point> in,
                                                std::span<geo::Point> out,
                                                std::size_t& done) const {
  assert(out.size() >= in.size());
  const std::size_t n = in.size();
  done = 0;
  // Points the quick path leaves to transformOne (a failed check, outside
  // the box of our own projection, PROJ failing on it): 1 = parked.
  std::vector<unsigned char> parked(n, 0);
  bool anyParked = false;
  for (std::size_t i = 0; i < n; ++i) {
    geo::Point p = in[i];
    if (!acceptsQuickly(p)) {
      parked[i] = 1;
      anyParked = true;
      out[i] = {0.0, 0.0};  // harmless for PROJ below; replaced at the end
      continue;
    }
    switch (m_before) {
      case Offset::kNone:
        break;
      case Offset::kGcj:
        p = gcj02ToWgs84(p);
        break;
      case Offset::kBaidu:
        p = bd09ToWgs84(p);
        break;
    }
    out[i] = p;
  }
  if (m_usesProj) {
    assert(m_operation && "transformStream() on a moved-from Transformer");
    if (m_own) {
      const detail::Tmerc& own = *m_own;
      for (std::size_t i = 0; i < n; ++i) {
        if (parked[i]) continue;
        const geo::Point p = out[i];
        if (m_ownInverse ? own.inInverseBox(p) : own.inForwardBox(p)) {
          out[i] = m_ownInverse ? own.inverse(p) : own.forward(p);
        } else {
          parked[i] = 1;
          anyParked = true;
        }
      }
    } else if (n > 0) {
      // One call for the whole batch; a point PROJ fails on comes out
      // non-finite (HUGE_VAL) and is parked.
      PJ* operation = m_operation.get();
      proj_errno_reset(operation);
      double* x = &out[0].x;
      double* y = &out[0].y;
      proj_trans_generic(operation, PJ_FWD, x, sizeof(geo::Point), n, y, sizeof(geo::Point), n,
                         nullptr, 0, 0, nullptr, 0, 0);
      const bool anyError = proj_errno(operation) != 0;
      proj_errno_reset(operation);
      for (std::size_t i = 0; i < n; ++i) {
        if (!parked[i] && (anyError || !finite(out[i]))) {
          parked[i] = 1;
          anyParked = true;
        }
      }
    }
  }
  // The target CRS's domain, checked where transformOne() checks it (before
  // the output offset): a point outside is parked for its error.
  for (std::size_t i = 0; i < n; ++i) {
    if (!parked[i] && !m_targetDomain.contains(out[i].x, out[i].y)) {
      parked[i] = 1;
      anyParked = true;
    }
  }
  if (m_after != Offset::kNone) {
    for (std::size_t i = 0; i < n; ++i) {
      if (parked[i]) continue;
      out[i] = m_after == Offset::kGcj ? wgs84ToGcj02(out[i]) : wgs84ToBd09(out[i]);
    }
  }
  if (anyParked) {
    for (std::size_t i = 0; i < n; ++i) {
      if (!parked[i]) continue;
      auto r = transformOne(in[i]);
      if (!r) {
        done = i;
        return r.takeError();
      }
      out[i] = *r;
    }
  }
  done = n;
  return {};
}

}  // namespace gridtwin::crs
