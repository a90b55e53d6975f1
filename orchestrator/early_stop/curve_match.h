// Nearest-curve matching across trials: what did curves that looked like this one
// at this report go on to do?
//
// The per-trial families (curve_fit.h) can only extrapolate the shape a curve already
// shows; a curve that is flat now and drops later (a warm-up plateau, a learning-rate
// schedule) looks finished to them. Curves the sweep has already seen for longer do
// show what follows such a prefix. In the spirit of LC-PFN (Adriaensen et al., NeurIPS
// 2023: predict a curve's continuation from curves drawn like it) and of freeze-thaw
// BO's sharing across trials (Swersky et al. 2014), without a learned prior: each
// longer curve j is mapped onto the trial's reports so far by an affine map
// x(t) ≈ c + s·y_j(t) (s in [0, max_scale]), and j's value at the budget, pushed
// through the most optimistic map the data allow, is what the trial could reach if it
// continued as j did. Matching is only by shape, so it needs no configuration space.
// Pure math, no state; see curve_rule.h for how the rule uses it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace sweep {

// A curve the sweep has seen for longer than the trial being judged.
struct MatchRef {
  const std::vector<double>* values = nullptr;  // oriented (smaller is better)
  // Its value at the budget if it got there, else the optimistic end of its own
  // forecast: what it would reach, as a lower bound.
  double final_low = 0;
};

struct MatchOptions {
  double max_scale = 4;   // largest s of the map: a trial may move up to 4x as far as j
  double z = 2.33;        // one-sided normal quantile for the scale's interval
  double chi2_slack = 3;  // a match may have residuals up to (dof + slack·sqrt(2 dof) + 1) σ²
};

// What the matched curves say about the trial's value at the budget.
struct MatchResult {
  int matched = 0;  // references whose map fits within the noise
  // Lowest value at the budget any matched reference allows (+inf when none matched).
  double low = std::numeric_limits<double>::infinity();
  size_t lowest_ref = 0;  // index into refs of the reference giving `low`
};

// Matches `prefix` (the trial's oriented reports, finite; size n >= 3) against every
// reference with more than n reports whose first n reports are finite. `sigma2` is
// the per-report noise variance (> 0). A reference matches when the residuals of the
// least-squares map are consistent with noise on both curves and it is flat over the
// n reports exactly when the trial is (with s = 0 anything maps onto a flat trial);
// its forecast for the trial is then x̄ + s·(final_low − ȳ) at the end of s's `z`
// interval (clipped to [0, max_scale]; the whole range for a flat reference) that
// gives the lower value, less the uncertainty of x̄ and of the reference's end.
MatchResult MatchCurve(const std::vector<double>& prefix, const std::vector<MatchRef>& refs,
                       double sigma2, const MatchOptions& options);

// Per-report noise variance of a set of curves from second differences, which are
// blind to slow trends: the median over curves with >= 8 reports of 1.4826·median
// |y[t+1] − 2y[t] + y[t−1]| over their second half, squared, over 6. Misfit and kinks
// do not inflate it as they inflate fit residuals. -1 when no curve is long enough.
double DifferenceNoise(const std::vector<const std::vector<double>*>& curves);

// True when the first n values show no learning yet: their least-squares slope is
// not below -z standard errors (noise variance sigma2 > 0, n >= 3).
bool FlatFromStart(const std::vector<double>& values, size_t n, double sigma2, double z);

}  // namespace sweep
