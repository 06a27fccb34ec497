#pragma once
// Point transformations between any two Crs values.
//
// Axis order: always x,y = lon,lat (degrees) or easting,northing (metres),
// whatever the EPSG definition says (EPSG:4490 and 4326 are officially
// lat,lon; EPSG:4547 northing,easting). PROJ is told so with
// proj_normalize_for_visualization.
//
// GCJ-02 and BD-09 are handled by this module (gcj02.h) and chained through
// CGCS2000, EPSG:4490, with WGS84 taken as equal to it (DESIGN.md): GCJ02 ->
// EPSG:4547 is gcj02ToWgs84, then PROJ 4490 -> 4547.
#include <cstddef>
#include <memory>
#include <span>

#include "core/error.h"
#include "crs/crs.h"
#include "crs/proj_handles.h"
#include "geo/types.h"

namespace gridtwin::crs {

namespace detail {
class Tmerc;
}

// Thread-safety: a Transformer owns a PROJ context and an operation that
// keeps per-call state (PROJ's error number, the operation chosen for the
// last point), so one instance must not be used by two threads at once, even
// through const calls. Give each thread its own: clone() copies one without
// repeating the database look-ups that create() does. Moving is fine; a
// moved-from Transformer may only be destroyed or assigned to.
class Transformer {
 public:
  // Errors: kUnknownCrs naming the CRS when PROJ does not know an EPSG code
  // or when it is not a 2D horizontal CRS (geocentric, vertical, 3D);
  // kTransformFailed with PROJ's message when PROJ has no operation between
  // the two.
  static core::Result<Transformer> create(const Crs& from, const Crs& to);

  // An independent Transformer doing the same, for another thread; much
  // cheaper than create(). Errors: those of create(), should PROJ be unable
  // to copy its operation and it has to be built again.
  core::Result<Transformer> clone() const;

  const Crs& from() const { return m_from; }
  const Crs& to() const { return m_to; }

  // Errors: kNonFinite for a NaN/infinite coordinate; kOutOfDomain for a
  // point outside the source CRS's domain or whose result falls outside the
  // target's (checked before use, never wrapped: lon,lat within -180..180,
  // -90..90; GCJ02 and BD09 in and near China, lon 70..140, lat -1..58; a
  // projected CRS within PROJ's area of use widened by 3 degrees), or PROJ's
  // "outside projection domain"; kTransformFailed with PROJ's message for
  // any other failure.
  core::Result<geo::Point> transform(geo::Point point) const;

  // The first check transform() makes: `point` lies in the source CRS's
  // domain (same errors), e.g. to check a shape's corners before clipping it.
  core::Result<void> checkSource(geo::Point point) const;

  // Transforms all points in place, all or nothing: on error the span is left
  // as it was and the error's context names the first bad point ("point 12",
  // counting from 0).
  core::Result<void> transform(std::span<geo::Point> points) const;

  // For streams of many points (gridtwin locate, gridtwin transform):
  // out[i] = transform(in[i]) for each i in order, stopping at the first
  // point that fails; `done` is then its index and the result its error,
  // word for word what transform(in[done]) says (done == in.size() on
  // success). `out` must be at least as long as `in`; out[i] for i >= done
  // is unspecified. Much faster than transform() point by point: a
  // transverse Mercator step (EPSG:4547, other Gauss-Kruger and UTM zones) is
  // computed by this module (tmerc.h), agreeing with PROJ's to well under a
  // micrometre (checked against PROJ at create(); the series are used only
  // where they were checked, the rest goes to PROJ), and any other PROJ
  // operation gets the whole batch in one call.
  core::Result<void> transformStream(std::span<const geo::Point> in, std::span<geo::Point> out,
                                     std::size_t& done) const;

 private:
  // The non-PROJ part of a chain: which offset to remove on the way in (to
  // reach CGCS2000) or to add on the way out.
  enum class Offset : unsigned char { kNone, kGcj, kBaidu };

  Transformer() = default;
  core::Result<geo::Point> transformOne(geo::Point point) const;
  // True when transformOne's own checks of the source point pass, so that
  // the stream path may take it (a cheap range test per point). A domain
  // check added to transformOne must be added here too.
  bool acceptsQuickly(geo::Point point) const;
  // Looks for a transverse Mercator step this module computes itself and
  // keeps it when it agrees with PROJ (create(); clone() shares it).
  void setUpOwnProjection();

  Crs m_from;
  Crs m_to;
  Offset m_before = Offset::kNone;
  Offset m_after = Offset::kNone;
  // Where input points may lie (source units) and where results may lie
  // (target units; for GCJ02/BD09 targets, the CGCS2000 point before the
  // offset).
  detail::Domain m_sourceDomain;
  detail::Domain m_targetDomain;
  bool m_usesProj = false;  // lets a moved-from Transformer trip an assert, not pass points through
  // The context is declared before the operation that lives in it, so that it
  // is destroyed after it. Both are null when the chain needs no PROJ step
  // (e.g. GCJ02 -> EPSG:4490, or the same CRS on both sides).
  detail::ProjContextPtr m_context;
  detail::ProjPtr m_operation;
  // The PROJ step as our own transverse Mercator (forward, or inverse when
  // m_ownInverse), when it is one; null otherwise. Immutable, shared by clones.
  std::shared_ptr<const detail::Tmerc> m_own;
  bool m_ownInverse = false;
};

}  // namespace gridtwin::crs
