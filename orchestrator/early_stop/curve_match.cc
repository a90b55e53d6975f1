// The affine nearest-curve match (curve_match.h).
//
// Why an affine map and not a distance on raw values: trials of one sweep differ in
// scale (a wider network starts higher and falls further) and offset far more than in
// shape, so "looks like" must forgive both. Why the scale is bounded and taken at the
// optimistic end of its interval: on a flat stretch the scale is not identified (a flat
// reference maps onto a flat trial with any s), and then the honest forecast is that
// the trial may fall as far as max_scale times the reference did; a clearly shaped
// prefix pins s down and the forecast narrows.
#include "orchestrator/early_stop/curve_match.h"

#include <algorithm>
#include <cmath>

namespace sweep {

MatchResult MatchCurve(const std::vector<double>& prefix, const std::vector<MatchRef>& refs,
                       double sigma2, const MatchOptions& options) {
  MatchResult out;
  const size_t n = prefix.size();
  if (n < 3 || !(sigma2 > 0)) return out;
  const size_t w = n, from = 0;
  double xbar = 0;
  for (size_t k = from; k < n; ++k) xbar += prefix[k];
  xbar /= static_cast<double>(w);
  double sxx = 0;
  for (size_t k = from; k < n; ++k) sxx += (prefix[k] - xbar) * (prefix[k] - xbar);
  if (!std::isfinite(xbar) || !std::isfinite(sxx)) return out;
  const double dof = static_cast<double>(w) - 2;
  const double chi2 = dof + options.chi2_slack * std::sqrt(2 * dof) + 1;
  const double sigma = std::sqrt(sigma2);
  const bool trial_flat = sxx <= chi2 * sigma2;

  for (size_t j = 0; j < refs.size(); ++j) {
    const std::vector<double>* y = refs[j].values;
    if (!y || y->size() <= n || !std::isfinite(refs[j].final_low)) continue;
    double ybar = 0;
    bool finite = true;
    for (size_t k = from; k < n && finite; ++k) {
      finite = std::isfinite((*y)[k]);
      ybar += (*y)[k];
    }
    if (!finite) continue;
    ybar /= static_cast<double>(w);
    double syy = 0, sxy = 0;
    for (size_t k = from; k < n; ++k) {
      syy += ((*y)[k] - ybar) * ((*y)[k] - ybar);
      sxy += (prefix[k] - xbar) * ((*y)[k] - ybar);
    }
    // Flat matches only flat: with s = 0 any curve maps onto a flat trial, which
    // says nothing about what follows the trial's own flat stretch.
    if ((syy <= chi2 * sigma2) != trial_flat) continue;
    const double s_hat = syy > 0 ? std::clamp(sxy / syy, 0.0, options.max_scale) : 0.0;
    const double sse = sxx - 2 * s_hat * sxy + s_hat * s_hat * syy;
    // Both curves carry noise: x − s·y has variance σ²(1 + s²).
    const double noise = sigma2 * (1 + s_hat * s_hat);
    if (!(sse <= chi2 * noise)) continue;
    ++out.matched;
    // The scale's interval; a flat reference (syy ~ noise) leaves it wide open.
    const double se = syy > 0 ? std::sqrt(noise / syy) : options.max_scale;
    double s_lo = std::max(0.0, s_hat - options.z * se);
    double s_hi = std::min(options.max_scale, s_hat + options.z * se);
    // A reference that is flat over the window (its spread is what noise alone gives)
    // says nothing about the scale: any s maps it onto a flat trial.
    if (syy <= chi2 * sigma2) {
      s_lo = 0;
      s_hi = options.max_scale;
    }
    const double drop = refs[j].final_low - ybar;  // < 0 when the reference improved
    const double s = drop < 0 ? s_hi : s_lo;
    // The trial's level is known to ±σ/√w, and the reference's end to ±σ (scaled by s).
    const double low =
        xbar + s * drop - options.z * sigma * std::sqrt(1.0 / static_cast<double>(w) + s * s);
    if (low < out.low) {
      out.low = low;
      out.lowest_ref = j;
    }
  }
  return out;
}

double DifferenceNoise(const std::vector<const std::vector<double>*>& curves) {
  std::vector<double> per, d;
  for (const std::vector<double>* h : curves) {
    if (!h || h->size() < 8) continue;
    d.clear();
    for (size_t t = h->size() / 2; t + 1 < h->size(); ++t) {
      const double v = (*h)[t + 1] - 2 * (*h)[t] + (*h)[t - 1];
      if (std::isfinite(v)) d.push_back(std::fabs(v));
    }
    if (d.size() < 2) continue;
    std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
    per.push_back(d[d.size() / 2]);
  }
  if (per.empty()) return -1;
  std::nth_element(per.begin(), per.begin() + per.size() / 2, per.end());
  const double sd = 1.4826 * per[per.size() / 2] / std::sqrt(6.0);
  return sd * sd;
}

bool FlatFromStart(const std::vector<double>& values, size_t n, double sigma2, double z) {
  if (n < 3 || n > values.size() || !(sigma2 > 0)) return false;
  double tb = 0, yb = 0;
  for (size_t k = 0; k < n; ++k) {
    tb += static_cast<double>(k);
    yb += values[k];
  }
  tb /= static_cast<double>(n);
  yb /= static_cast<double>(n);
  double stt = 0, sty = 0;
  for (size_t k = 0; k < n; ++k) {
    stt += (static_cast<double>(k) - tb) * (static_cast<double>(k) - tb);
    sty += (static_cast<double>(k) - tb) * (values[k] - yb);
  }
  if (!std::isfinite(sty)) return false;
  return sty / stt > -z * std::sqrt(sigma2 / stt);
}

}  // namespace sweep
