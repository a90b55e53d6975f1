// Curve families, the closed-form fit of each member, and the mixture forecast.
//
// Why one shape parameter on a grid instead of a nonlinear solver: with the shape
// fixed, y = a + b·g(t) is linear, so each member is an exact weighted least-squares
// solve in O(points), with no iterations that can fail to converge on a hostile curve,
// and the whole ensemble of ~30 members costs tens of microseconds. The grid doubles as
// the posterior's support for the shape. Values are shifted by the last finite value
// before fitting so that large offsets do not eat precision; any member whose numbers
// come out non-finite is dropped.
#include "orchestrator/early_stop/curve_fit.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sweep {
namespace {

constexpr int kMaxPoints = 96;  // thinning target: bounds a fit's cost on long curves
constexpr double kHuberK = 2.0;

enum class Family { kPow3, kExp, kIlog2, kMmf };

struct Shape {
  Family family;
  double c;  // pow3: exponent; exp: time constant / budget; mmf: half-point / budget
  double d;  // mmf: slope exponent
  double log_prior;
};

// The members: each family has prior mass 1/4, split evenly over its grid.
std::vector<Shape> Shapes() {
  std::vector<Shape> s;
  const double q = std::log(0.25);
  const double pow_c[] = {0.02, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0, 1.5, 2.0, 3.0};
  for (double c : pow_c) s.push_back({Family::kPow3, c, 0, q - std::log(12.0)});
  const double exp_tau[] = {0.02, 0.05, 0.1, 0.2, 0.35, 0.6, 1.0, 2.0};
  for (double c : exp_tau) s.push_back({Family::kExp, c, 0, q - std::log(8.0)});
  s.push_back({Family::kIlog2, 0, 0, q});
  const double mmf_k[] = {0.03, 0.1, 0.3, 1.0};
  const double mmf_d[] = {0.5, 1.0, 2.0};
  for (double k : mmf_k)
    for (double d : mmf_d) s.push_back({Family::kMmf, k, d, q - std::log(12.0)});
  return s;
}

const std::vector<Shape>& AllShapes() {
  static const std::vector<Shape> shapes = Shapes();
  return shapes;
}

double G(const Shape& s, double t, double budget) {
  switch (s.family) {
    case Family::kPow3:
      return std::pow(t, -s.c);
    case Family::kExp:
      return std::exp(-t / (s.c * budget));
    case Family::kIlog2:
      return 1.0 / std::log(t + 1.0);
    case Family::kMmf:
      return 1.0 / (1.0 + std::pow(t / (s.c * budget), s.d));
  }
  return 0;
}

struct Points {
  std::vector<double> t, y, w;
};

struct Solved {
  bool ok = false;
  double a = 0, b = 0, sse = 0, leverage = 0, prediction = 0;
};

Solved Solve(const Shape& s, const Points& p, double budget, std::vector<double>& g) {
  Solved out;
  const size_t m = p.t.size();
  g.resize(m);
  double s0 = 0, s1 = 0, s2 = 0, sy = 0, sgy = 0;
  for (size_t i = 0; i < m; ++i) {
    g[i] = G(s, p.t[i], budget);
    s0 += p.w[i];
    s1 += p.w[i] * g[i];
    s2 += p.w[i] * g[i] * g[i];
    sy += p.w[i] * p.y[i];
    sgy += p.w[i] * g[i] * p.y[i];
  }
  const double det = s0 * s2 - s1 * s1;
  // g nearly constant over the observed points: the slope is unidentifiable.
  if (!(det > 1e-10 * s0 * s2)) return out;
  out.b = (s0 * sgy - s1 * sy) / det;
  out.a = (sy - out.b * s1) / s0;
  for (size_t i = 0; i < m; ++i) {
    const double r = p.y[i] - out.a - out.b * g[i];
    out.sse += p.w[i] * r * r;
  }
  const double gt = G(s, budget, budget);
  out.prediction = out.a + out.b * gt;
  out.leverage = (s2 - 2 * gt * s1 + gt * gt * s0) / det;
  out.ok = std::isfinite(out.prediction) && std::isfinite(out.sse) && std::isfinite(out.leverage) &&
           out.leverage >= 0;
  return out;
}

// Finite points as (report, value - shift), thinned to at most kMaxPoints bin means
// weighted by their bin size.
Points Collect(const std::vector<double>& values, double shift) {
  Points raw;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) continue;
    raw.t.push_back(static_cast<double>(i + 1));
    raw.y.push_back(values[i] - shift);
    raw.w.push_back(1.0);
  }
  const size_t n = raw.t.size();
  if (n <= static_cast<size_t>(kMaxPoints)) return raw;
  Points thin;
  for (size_t b = 0; b < static_cast<size_t>(kMaxPoints); ++b) {
    const size_t lo = b * n / kMaxPoints, hi = (b + 1) * n / kMaxPoints;
    double st = 0, sy = 0;
    for (size_t i = lo; i < hi; ++i) {
      st += raw.t[i];
      sy += raw.y[i];
    }
    const double k = static_cast<double>(hi - lo);
    thin.t.push_back(st / k);
    thin.y.push_back(sy / k);
    thin.w.push_back(k);
  }
  return thin;
}

}  // namespace

CurveFit FitCurve(const std::vector<double>& values, int64_t budget) {
  CurveFit fit;
  if (values.empty()) return fit;
  if (!std::isfinite(values.back())) {
    fit.diverged = true;
    return fit;
  }
  Points p = Collect(values, values.back());
  fit.points = static_cast<int64_t>(p.t.size());
  if (p.t.size() < 3) return fit;
  const double T = static_cast<double>(budget);
  const auto& shapes = AllShapes();
  std::vector<double> g;

  // Pass 1 finds the best member; its residuals set the Huber weights of pass 2, so
  // one wild report cannot drag every member's asymptote.
  Solved best;
  const Shape* best_shape = nullptr;
  for (const Shape& s : shapes) {
    Solved r = Solve(s, p, T, g);
    if (r.ok && (!best.ok || r.sse < best.sse)) {
      best = r;
      best_shape = &s;
    }
  }
  if (!best.ok) return fit;
  {
    std::vector<double> abs_res(p.t.size());
    for (size_t i = 0; i < p.t.size(); ++i)
      abs_res[i] = std::fabs(p.y[i] - best.a - best.b * G(*best_shape, p.t[i], T));
    std::vector<double> sorted = abs_res;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    const double scale = 1.4826 * sorted[sorted.size() / 2];
    if (scale > 0) {
      for (size_t i = 0; i < p.t.size(); ++i)
        if (abs_res[i] > kHuberK * scale) p.w[i] *= kHuberK * scale / abs_res[i];
    }
  }
  double best_sse = std::numeric_limits<double>::infinity();
  for (const Shape& s : shapes) {
    Solved r = Solve(s, p, T, g);
    if (!r.ok) continue;
    fit.members.push_back(
        {r.prediction + values.back(), r.sse, r.leverage, s.log_prior, static_cast<int>(s.family)});
    best_sse = std::min(best_sse, r.sse);
  }
  if (fit.members.empty()) return fit;
  fit.ok = true;
  // Three parameters per member (a, b and the shape): residual dof is points - 3.
  if (p.t.size() > 3) fit.own_sigma2 = best_sse / static_cast<double>(p.t.size() - 3);
  return fit;
}

CurveFit FitCurveFromOnset(const std::vector<double>& values, int64_t budget, double sigma2) {
  // 3 sds: a plateau must be flat beyond doubt before the time origin moves.
  constexpr double kOnsetSds = 3;
  if (sigma2 > 0 && values.size() >= 5 && std::isfinite(values[0])) {
    const double tol = kOnsetSds * std::sqrt(sigma2);
    size_t f = 1;
    double sum = values[0];
    while (f < values.size() && std::isfinite(values[f]) &&
           std::fabs(values[f] - sum / static_cast<double>(f)) <=
               tol * std::sqrt(1.0 + 1.0 / static_cast<double>(f))) {
      sum += values[f];
      ++f;
    }
    if (f >= 2 && values.size() - (f - 1) >= 3) {
      const std::vector<double> tail(values.begin() + static_cast<long>(f - 1), values.end());
      return FitCurve(tail, budget - static_cast<int64_t>(f - 1));
    }
  }
  return FitCurve(values, budget);
}

bool CombineForecast(const CurveFit& fit, double pool_sigma2, double pool_weight,
                     CurveForecast* out) {
  if (!fit.ok || fit.members.empty()) return false;
  const double m = static_cast<double>(fit.points);
  const double nu = pool_sigma2 >= 0 ? pool_weight : 0.0;
  const double prior_ss = nu * std::max(pool_sigma2, 0.0);
  if (m - 2 + nu <= 0) return false;
  // A curve that fits exactly with no pool would get zero noise; a floor relative to
  // the values keeps the weights finite and the interval honest about rounding.
  double scale = 0;
  for (const CurveMember& k : fit.members) scale = std::max(scale, std::fabs(k.prediction));
  const double floor_ss = 1e-12 * (1.0 + scale * scale);
  if (nu == 0 && m - 3 <= 0) return false;

  // Normal-inverse-gamma marginal likelihood of each member: (prior_ss + sse)^(-(m+nu)/2).
  std::vector<double> logw(fit.members.size());
  double max_logw = -std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < fit.members.size(); ++i) {
    const CurveMember& k = fit.members[i];
    logw[i] = k.log_prior - 0.5 * (m + nu) * std::log(prior_ss + k.sse + floor_ss);
    max_logw = std::max(max_logw, logw[i]);
  }
  double wsum = 0, mean = 0;
  for (size_t i = 0; i < fit.members.size(); ++i) {
    logw[i] = std::exp(logw[i] - max_logw);
    wsum += logw[i];
    mean += logw[i] * fit.members[i].prediction;
  }
  mean /= wsum;
  double var = 0;
  for (size_t i = 0; i < fit.members.size(); ++i) {
    const CurveMember& k = fit.members[i];
    const double s2 = (prior_ss + k.sse + floor_ss) / (m - 2 + nu);
    const double d = k.prediction - mean;
    // parameter uncertainty + noise of the final report + spread between members
    var += logw[i] / wsum * (s2 * k.leverage + s2 + d * d);
  }
  if (!std::isfinite(mean) || !std::isfinite(var)) return false;
  out->mean = mean;
  out->sd = std::sqrt(var);
  // The same mixture restricted to each family (weights renormalised within it).
  out->families.clear();
  for (int f = 0; f < 4; ++f) {
    double fw = 0, fm = 0, fv = 0;
    for (size_t i = 0; i < fit.members.size(); ++i) {
      if (fit.members[i].family != f) continue;
      fw += logw[i];
      fm += logw[i] * fit.members[i].prediction;
    }
    if (!(fw > 0)) continue;
    fm /= fw;
    for (size_t i = 0; i < fit.members.size(); ++i) {
      const CurveMember& k = fit.members[i];
      if (k.family != f) continue;
      const double s2 = (prior_ss + k.sse + floor_ss) / (m - 2 + nu);
      const double d = k.prediction - fm;
      fv += logw[i] / fw * (s2 * k.leverage + s2 + d * d);
    }
    if (std::isfinite(fm) && std::isfinite(fv)) out->families.push_back({fm, std::sqrt(fv), f});
  }
  return true;
}

double StdNormalQuantile(double p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  if (p <= 0) return -std::numeric_limits<double>::infinity();
  if (p >= 1) return std::numeric_limits<double>::infinity();
  const double lo = 0.02425;
  if (p < lo) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -StdNormalQuantile(1 - p);
  const double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

}  // namespace sweep
