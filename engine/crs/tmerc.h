#pragma once
// Internal to the crs module: the transverse Mercator projection (Gauss-Krüger,
// EPSG:4547 and its kin) computed here, for streams of points, instead of by
// PROJ one point at a time.
//
// The math is Krüger's series in the third flattening n to order n^6, as
// written out by C. F. F. Karney, "Transverse Mercator with an accuracy of a
// few nanometers", J. Geodesy 85 (2011) 475-485: the conformal latitude from
// the geodetic one in closed form (eq. 7-9), the complex series (eq. 11 with
// the alpha coefficients of eq. 35) forward, the beta series of eq. 36 and a
// Newton solution of eq. 7 (eq. 19-21) inverse. Within a few thousand
// kilometres of the central meridian it is accurate to nanometres, as PROJ's
// own "exact" transverse Mercator is; Transformer checks the two against
// each other when it is created and uses this one only where they agree.
#include <optional>
#include <string_view>

#include "geo/types.h"

namespace gridtwin::crs::detail {

struct TmercParams {
  double a = 0;     // semi-major axis, metres
  double f = 0;     // flattening
  double lat0 = 0;  // degrees
  double lon0 = 0;  // degrees
  double k0 = 1;
  double x0 = 0;  // false easting, metres
  double y0 = 0;  // false northing, metres
};

// A PROJ pipeline this module can compute itself: degrees -> transverse
// Mercator (forward) or back (inverse).
struct TmercStep {
  TmercParams params;
  bool inverse = false;
};

// Reads the PROJ string of a normalized operation (proj_as_proj_string,
// PROJ 5 style) when it is exactly "unitconvert deg -> rad, tmerc" or its
// inverse with parameters this module knows (+lat_0 +lon_0 +k/+k_0 +x_0 +y_0,
// +ellps=GRS80/WGS84/krass or +a with +rf/+b, +units=m); nullopt for
// anything else (another projection, +approx, a datum shift step, ...).
std::optional<TmercStep> parseTmercPipeline(std::string_view projString);

class Tmerc {
 public:
  explicit Tmerc(const TmercParams& params);

  // lon,lat degrees -> easting,northing metres. Exact (to nanometres) in the
  // box where inForwardBox() holds; no check of it here.
  geo::Point forward(geo::Point lonlat) const;
  // easting,northing metres -> lon,lat degrees; exact where inInverseBox().
  geo::Point inverse(geo::Point xy) const;

  // The boxes in which the series are used and were checked against PROJ:
  // within 6 degrees of the central meridian and 84 degrees of the equator;
  // within 600 km of the central meridian and 9,000 km of the origin
  // northing. NaN is in neither.
  bool inForwardBox(geo::Point lonlat) const {
    return lonlat.x >= m_lonMin && lonlat.x <= m_lonMax && lonlat.y >= -84.0 && lonlat.y <= 84.0;
  }
  bool inInverseBox(geo::Point xy) const {
    return xy.x >= m_xMin && xy.x <= m_xMax && xy.y >= m_yMin && xy.y <= m_yMax;
  }
  // Corners of those boxes, for the check at create().
  double lonMin() const { return m_lonMin; }
  double lonMax() const { return m_lonMax; }
  double xMin() const { return m_xMin; }
  double xMax() const { return m_xMax; }
  double yMin() const { return m_yMin; }
  double yMax() const { return m_yMax; }

 private:
  static constexpr int kOrder = 6;
  double m_e = 0;      // eccentricity
  double m_e2m = 0;    // 1 - e^2
  double m_scale = 0;  // k0 * A, A the rectifying radius
  double m_xi0 = 0;    // xi of the origin latitude on the central meridian
  double m_lon0 = 0;   // degrees
  double m_x0 = 0, m_y0 = 0;
  double m_alpha[kOrder] = {};
  double m_beta[kOrder] = {};
  double m_lonMin = 0, m_lonMax = 0;
  double m_xMin = 0, m_xMax = 0, m_yMin = 0, m_yMax = 0;
};

}  // namespace gridtwin::crs::detail
