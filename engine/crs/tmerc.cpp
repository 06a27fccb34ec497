#include "crs/tmerc.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

namespace gridtwin::crs::detail {
namespace {

constexpr double kDeg = std::numbers::pi / 180.0;

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\n' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

bool number(std::string_view s, double& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(out);
}

// "+key=value" or "+flag" of one pipeline step.
struct Token {
  std::string_view key, value;
};

bool token(std::string_view w, Token& t) {
  if (w.size() < 2 || w.front() != '+') return false;
  w.remove_prefix(1);
  const auto eq = w.find('=');
  t.key = w.substr(0, eq);
  t.value = eq == std::string_view::npos ? std::string_view() : w.substr(eq + 1);
  return true;
}

// A unitconvert step from `in` to `out` (xy only).
bool isUnitConvert(const std::vector<Token>& step, std::string_view in, std::string_view out) {
  bool proj = false, xyIn = false, xyOut = false;
  for (const auto& t : step) {
    if (t.key == "proj" && t.value == "unitconvert") {
      proj = true;
    } else if (t.key == "xy_in" && t.value == in) {
      xyIn = true;
    } else if (t.key == "xy_out" && t.value == out) {
      xyOut = true;
    } else {
      return false;
    }
  }
  return proj && xyIn && xyOut && step.size() == 3;
}

// A tmerc step with known parameters; `inverse` says whether it carries +inv.
bool tmercStep(const std::vector<Token>& step, TmercParams& p, bool& inverse) {
  bool proj = false;
  double rf = 0, b = 0;
  inverse = false;
  p = TmercParams{};
  for (const auto& t : step) {
    if (t.key == "proj") {
      if (t.value != "tmerc") return false;
      proj = true;
    } else if (t.key == "inv" && t.value.empty()) {
      inverse = true;
    } else if (t.key == "lat_0") {
      if (!number(t.value, p.lat0)) return false;
    } else if (t.key == "lon_0") {
      if (!number(t.value, p.lon0)) return false;
    } else if (t.key == "k" || t.key == "k_0") {
      if (!number(t.value, p.k0) || !(p.k0 > 0)) return false;
    } else if (t.key == "x_0") {
      if (!number(t.value, p.x0)) return false;
    } else if (t.key == "y_0") {
      if (!number(t.value, p.y0)) return false;
    } else if (t.key == "units") {
      if (t.value != "m") return false;
    } else if (t.key == "ellps") {
      if (t.value == "GRS80") {
        p.a = 6378137.0;
        rf = 298.257222101;
      } else if (t.value == "WGS84") {
        p.a = 6378137.0;
        rf = 298.257223563;
      } else if (t.value == "krass") {
        p.a = 6378245.0;
        rf = 298.3;
      } else {
        return false;
      }
    } else if (t.key == "a") {
      if (!number(t.value, p.a)) return false;
    } else if (t.key == "rf") {
      if (!number(t.value, rf)) return false;
    } else if (t.key == "b") {
      if (!number(t.value, b)) return false;
    } else {
      return false;  // +approx, +towgs84, +axis, ... : leave it to PROJ
    }
  }
  if (!proj || !(p.a > 0)) return false;
  if (rf > 0) {
    p.f = 1.0 / rf;
  } else if (b > 0 && b < p.a) {
    p.f = (p.a - b) / p.a;
  } else {
    return false;  // a sphere (or no flattening given): not this module's series
  }
  return std::abs(p.lat0) < 90.0 && std::abs(p.lon0) <= 180.0;
}

// sum_{j=1..6} c[j-1] sin(2 j zeta) for complex zeta = xi + i eta, given
// sin 2xi, cos 2xi, sinh 2eta, cosh 2eta (Clenshaw's recurrence).
inline void clenshaw(const double (&c)[6], double s2, double c2, double sh2, double ch2, double& re,
                     double& im) {
  const double ar = 2.0 * c2 * ch2;   // 2 cos(2 zeta), real part
  const double ai = -2.0 * s2 * sh2;  // and imaginary part
  double br1 = 0, bi1 = 0, br2 = 0, bi2 = 0;
  for (int k = 5; k >= 0; --k) {
    const double br = c[k] + ar * br1 - ai * bi1 - br2;
    const double bi = ai * br1 + ar * bi1 - bi2;
    br2 = br1;
    bi2 = bi1;
    br1 = br;
    bi1 = bi;
  }
  const double sr = s2 * ch2;  // sin(2 zeta)
  const double si = c2 * sh2;
  re = sr * br1 - si * bi1;
  im = sr * bi1 + si * br1;
}

// sinh(e atanh(e sin phi)) (Karney eq. 9) by the two Taylor series: e sin
// phi < 0.083 for any Earth ellipsoid, so 9 and 4 terms reach double
// precision without two library calls.
inline double sigma(double e, double sinPhi) {
  const double z = e * sinPhi, z2 = z * z;
  const double atanhZ =
      z * (1.0 +
           z2 * (1.0 / 3 +
                 z2 * (1.0 / 5 +
                       z2 * (1.0 / 7 +
                             z2 * (1.0 / 9 +
                                   z2 * (1.0 / 11 +
                                         z2 * (1.0 / 13 + z2 * (1.0 / 15 + z2 * (1.0 / 17)))))))));
  const double y = e * atanhZ, y2 = y * y;
  return y * (1.0 + y2 * (1.0 / 6 + y2 * (1.0 / 120 + y2 * (1.0 / 5040 + y2 / 362880))));
}

}  // namespace

std::optional<TmercStep> parseTmercPipeline(std::string_view projString) {
  const auto w = words(projString);
  if (w.empty() || w.front() != "+proj=pipeline") return std::nullopt;
  std::vector<std::vector<Token>> steps;
  for (std::size_t i = 1; i < w.size(); ++i) {
    if (w[i] == "+step") {
      steps.emplace_back();
      continue;
    }
    Token t;
    if (steps.empty() || !token(w[i], t)) return std::nullopt;  // pipeline-wide options
    steps.back().push_back(t);
  }
  if (steps.size() != 2) return std::nullopt;
  TmercStep out;
  bool inverse = false;
  if (isUnitConvert(steps[0], "deg", "rad") && tmercStep(steps[1], out.params, inverse) &&
      !inverse) {
    out.inverse = false;
    return out;
  }
  if (tmercStep(steps[0], out.params, inverse) && inverse &&
      isUnitConvert(steps[1], "rad", "deg")) {
    out.inverse = true;
    return out;
  }
  return std::nullopt;
}

Tmerc::Tmerc(const TmercParams& p) {
  const double f = p.f;
  const double e2 = f * (2.0 - f);
  m_e = std::sqrt(e2);
  m_e2m = 1.0 - e2;
  const double n = f / (2.0 - f);
  const double n2 = n * n;
  // The rectifying radius A (Karney eq. 14).
  m_scale = p.k0 * p.a / (1.0 + n) * (1.0 + n2 * (1.0 / 4 + n2 * (1.0 / 64 + n2 / 256)));
  // Krüger's alpha (eq. 35) and beta (eq. 36) to order n^6, Horner in n.
  m_alpha[0] =
      n * (1.0 / 2 +
           n * (-2.0 / 3 +
                n * (5.0 / 16 + n * (41.0 / 180 + n * (-127.0 / 288 + n * (7891.0 / 37800))))));
  m_alpha[1] =
      n2 * (13.0 / 48 +
            n * (-3.0 / 5 + n * (557.0 / 1440 + n * (281.0 / 630 + n * (-1983433.0 / 1935360)))));
  m_alpha[2] =
      n2 * n * (61.0 / 240 + n * (-103.0 / 140 + n * (15061.0 / 26880 + n * (167603.0 / 181440))));
  m_alpha[3] = n2 * n2 * (49561.0 / 161280 + n * (-179.0 / 168 + n * (6601661.0 / 7257600)));
  m_alpha[4] = n2 * n2 * n * (34729.0 / 80640 + n * (-3418889.0 / 1995840));
  m_alpha[5] = n2 * n2 * n2 * (212378941.0 / 319334400);
  m_beta[0] =
      n * (1.0 / 2 +
           n * (-2.0 / 3 +
                n * (37.0 / 96 + n * (-1.0 / 360 + n * (-81.0 / 512 + n * (96199.0 / 604800))))));
  m_beta[1] =
      n2 * (1.0 / 48 +
            n * (1.0 / 15 + n * (-437.0 / 1440 + n * (46.0 / 105 + n * (-1118711.0 / 3870720)))));
  m_beta[2] =
      n2 * n * (17.0 / 480 + n * (-37.0 / 840 + n * (-209.0 / 4480 + n * (5569.0 / 90720))));
  m_beta[3] = n2 * n2 * (4397.0 / 161280 + n * (-11.0 / 504 + n * (-830251.0 / 7257600)));
  m_beta[4] = n2 * n2 * n * (4583.0 / 161280 + n * (-108847.0 / 3991680));
  m_beta[5] = n2 * n2 * n2 * (20648693.0 / 638668800);
  m_lon0 = p.lon0;
  // The origin's xi: the forward of (lon0, lat0) with no offsets yet.
  m_xi0 = 0;
  m_x0 = 0;
  m_y0 = 0;
  m_xi0 = forward({p.lon0, p.lat0}).y / m_scale;
  m_x0 = p.x0;
  m_y0 = p.y0;
  m_lonMin = p.lon0 - 6.0;
  m_lonMax = p.lon0 + 6.0;
  m_xMin = p.x0 - 600000.0;
  m_xMax = p.x0 + 600000.0;
  const double yOrigin = p.y0 - m_xi0 * m_scale;  // northing of the equator
  m_yMin = yOrigin - 9000000.0;
  m_yMax = yOrigin + 9000000.0;
}

geo::Point Tmerc::forward(geo::Point lonlat) const {
  const double lam = (lonlat.x - m_lon0) * kDeg;
  const double phi = lonlat.y * kDeg;
  const double sphi = std::sin(phi), cphi = std::cos(phi);
  // The conformal latitude's tangent (eq. 7-9); cos(phi) > 0 in the box.
  const double tau = sphi / cphi;
  const double sig = sigma(m_e, sphi);
  const double taup = tau * std::sqrt(1.0 + sig * sig) - sig / cphi;
  const double slam = std::sin(lam), clam = std::cos(lam);
  // xi' = atan2(tau', cos lam), eta' = asinh(sin lam / D) (eq. 10), and the
  // sines and cosines of their doubles without more transcendental calls.
  const double d2 = taup * taup + clam * clam;
  const double xip = std::atan2(taup, clam);
  const double etap = std::asinh(slam / std::sqrt(d2));
  const double s2 = 2.0 * taup * clam / d2;
  const double c2 = (clam * clam - taup * taup) / d2;
  const double sh2 = 2.0 * slam * std::sqrt(1.0 + taup * taup) / d2;
  const double ch2 = (1.0 + taup * taup + slam * slam) / d2;
  double re, im;
  clenshaw(m_alpha, s2, c2, sh2, ch2, re, im);
  return {m_x0 + m_scale * (etap + im), m_y0 + m_scale * (xip + re - m_xi0)};
}

geo::Point Tmerc::inverse(geo::Point xy) const {
  const double xi = (xy.y - m_y0) / m_scale + m_xi0;
  const double eta = (xy.x - m_x0) / m_scale;
  const double s2 = std::sin(2.0 * xi), c2 = std::cos(2.0 * xi);
  const double sh2 = std::sinh(2.0 * eta), ch2 = std::cosh(2.0 * eta);
  double re, im;
  clenshaw(m_beta, s2, c2, sh2, ch2, re, im);
  const double xip = xi - re;
  const double etap = eta - im;
  const double sxip = std::sin(xip), cxip = std::cos(xip);
  const double shetap = std::sinh(etap);
  const double taup = sxip / std::sqrt(shetap * shetap + cxip * cxip);
  const double lam = std::atan2(shetap, cxip);
  // tau from tau' by Newton's method (eq. 19-21).
  double tau = taup / m_e2m;
  for (int i = 0; i < 5; ++i) {
    const double tau1 = std::sqrt(1.0 + tau * tau);
    const double sig = std::sinh(m_e * std::atanh(m_e * tau / tau1));
    const double taupi = tau * std::sqrt(1.0 + sig * sig) - sig * tau1;
    const double dtau = (taup - taupi) * (1.0 + m_e2m * tau * tau) /
                        (m_e2m * tau1 * std::sqrt(1.0 + taupi * taupi));
    tau += dtau;
    if (!(std::abs(dtau) >= 1e-16 * std::max(1.0, std::abs(tau)))) break;
  }
  return {m_lon0 + lam / kDeg, std::atan(tau) / kDeg};
}

}  // namespace gridtwin::crs::detail
