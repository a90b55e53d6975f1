// Drawing one parameter's value with W&B's meaning for every distribution.
//
// Meanings (wandb/sweeps params.py; u is uniform in [0, 1)):
//   constant            the value, exactly as written
//   categorical         values[i], i uniform, or i with P = probabilities[i]
//   int_uniform         an integer in [min, max], both ends included
//   uniform             min + u (max - min)
//   log_uniform         exp(U(min, max))             (bounds are natural logs)
//   log_uniform_values  exp(U(log min, log max))     (bounds are raw values)
//   inv_log_uniform     exp(-U(min, max))            (bounds are natural logs)
//   inv_log_uniform_values  X with log(1/X) ~ U(log(1/max), log(1/min)), i.e. X is
//                       log-uniform in [min, max]
//   normal, log_normal  mu + sigma Z, exp(mu + sigma Z)
//   beta                Beta(a, b)
//   q_<form>            round(X / q) * q with X drawn as <form>; round half to even
//                       like numpy. The result may lie up to q/2 outside [min, max].
// Types: int_uniform, and q_* forms whose Parameter::integer is set, give int64 values;
// every other numeric form gives a double; constants and categorical values are
// returned exactly as given (bool, string, list, mapping...).
#pragma once

#include "base/value.h"
#include "search/rng.h"
#include "search/search_space.h"

namespace sweep {

// A random value of `param` drawn with `rng`. Deterministic in the generator's state.
// Never fails: a Parameter is validated by the spec parser; for a degenerate one
// (empty categorical) it returns null.
Value SampleValue(const Parameter& param, Rng& rng);

// The value at quantile u of `param`'s distribution: W&B's ppf(u), the inverse CDF
// (u is clamped to [0, 1); u = 0 gives the lower end). Monotone non-decreasing in u for
// every numeric form, so the Bayesian strategy can optimise over the unit cube and map
// back. Categorical: values[floor(u n)], or the first i whose cumulative probability
// exceeds u. Slower than SampleValue for normal/beta forms (numerical inverse CDFs).
Value ValueFromUnit(const Parameter& param, double u);

// round(x / q) * q with ties to even (numpy.round). q <= 0 returns x.
double QRound(double x, double q);

// Inverse of the standard normal CDF for p in (0, 1) (Acklam's rational approximation
// refined by one Halley step; |error| < 1e-13). 0 and 1 give -inf and +inf.
double NormalQuantile(double p);

// The regularized incomplete beta function I_x(a, b) for x in [0, 1], a, b > 0
// (continued fraction, Lentz's method).
double RegularizedBeta(double x, double a, double b);

// Inverse of I_x(a, b) in x for p in [0, 1], by bisection to double precision.
double BetaQuantile(double p, double a, double b);

}  // namespace sweep
