// Learning-curve extrapolation: fit a small ensemble of parametric curve families to
// one trial's partial curve and forecast its value at a later report.
//
// Families (Domhan, Springenberg & Hutter, "Speeding up Automatic Hyperparameter
// Optimization of Deep Neural Networks by Extrapolation of Learning Curves", IJCAI
// 2015, whose pow3, ilog2, exp and MMF/Janoschek families we keep): every member is
// y(t) = a + b·g(t; c) with one shape parameter c on a fixed grid, so a fit is a
// closed-form weighted least squares in (a, b) per grid point. Members are combined
// as a posterior-ish mixture: weight ∝ prior · (profile likelihood of the residuals),
// forecast variance = within-member parameter variance + between-member spread +
// the noise of the final report. Pure math, no state; see curve_rule.h for the rule.
#pragma once

#include <cstdint>
#include <vector>

namespace sweep {

// One member of the ensemble fitted to a curve.
struct CurveMember {
  double prediction = 0;  // a + b·g(T)
  double sse = 0;         // weighted residual sum of squares
  double leverage = 0;    // Var(prediction) / sigma^2 for this member's (a, b)
  double log_prior = 0;   // family prior split over its grid points
  int family = 0;         // index into the families (pow3, exp, ilog2, mmf)
};

// The members fitted to one curve, plus what the forecast needs to combine them.
struct CurveFit {
  bool ok = false;         // false: too few finite points, or nothing fitted
  bool diverged = false;   // the latest report is non-finite (NaN or inf)
  int64_t points = 0;      // finite points used
  double own_sigma2 = -1;  // residual variance of the best member; < 0 when no dof
  std::vector<CurveMember> members;
};

// Mean and standard deviation of the forecast final value: of the whole ensemble, and
// of each family's own mixture (so a caller can ask that no family disagrees).
struct CurveForecast {
  double mean = 0;
  double sd = 0;
  struct Part {
    double mean = 0, sd = 0;
    int family = 0;  // CurveMember::family
  };
  std::vector<Part> families;  // families that fitted, in family order
};

// Fits every member to `values` (value of report i+1 at index i; non-finite values
// are skipped, a non-finite last value marks the curve diverged) and predicts the
// value at report `budget` (> values.size()). Long curves are thinned to at most 96
// bin means so a fit costs O(min(n, 96)) per member. Robust: one Huber reweighting
// pass from the best member's residuals.
CurveFit FitCurve(const std::vector<double>& values, int64_t budget);

// FitCurve from the end of the curve's initial flat stretch on: learning that starts
// late (a warm-up plateau) is fitted as the same families with the time origin moved
// to the plateau's last report (and the budget with it). The stretch is the longest
// prefix whose every value lies within 3·sqrt(sigma2·(1 + 1/k)) of the mean of the k
// before it; it is cut only when >= 2 reports long with >= 3 reports from its last
// on. sigma2 <= 0 (noise unknown): plain FitCurve.
CurveFit FitCurveFromOnset(const std::vector<double>& values, int64_t budget, double sigma2);

// Combines the members of `fit` into one forecast. `pool_sigma2` (>= 0, or < 0 when
// unknown) is the residual variance pooled over trials; it acts as a prior worth
// `pool_weight` points so that short curves do not look noiseless. Returns false when
// no noise level is known (a curve with no residual dof and no pool).
bool CombineForecast(const CurveFit& fit, double pool_sigma2, double pool_weight,
                     CurveForecast* out);

// Inverse of the standard normal CDF, p in (0, 1) (Acklam's rational approximation,
// relative error < 1.2e-9). Own copy: early_stop/ does not include from search/, whose
// sampling.h has an equivalent NormalQuantile.
double StdNormalQuantile(double p);

}  // namespace sweep
