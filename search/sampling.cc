// Parameter sampling with W&B's meanings (see sampling.h for the table).
//
// The uniform family (uniform, log/inv-log forms, their q_ variants) is drawn as
// ValueFromUnit(param, U) so a random draw and the inverse CDF agree by construction.
// The normal family and beta are drawn directly (polar method, gamma ratio) because
// their inverse CDFs cost far more; ValueFromUnit still offers them for the Bayesian
// strategy. Integers and categorical indices come from Rng::UniformInt, which is exact.
// Every result is clamped to the finite double range: an overflowing exp() would
// otherwise become JSON null.
#include "search/sampling.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "search/distribution_traits.h"

namespace sweep {
namespace {

constexpr double kMaxDouble = std::numeric_limits<double>::max();
// Quantiles used for u = 0 and u -> 1 by unbounded forms, so they stay finite.
constexpr double kUnitLow = 0x1.0p-54;
constexpr double kUnitHigh = 1.0 - 0x1.0p-53;

double Finite(double x) {
  if (std::isnan(x)) return 0.0;
  if (x > kMaxDouble) return kMaxDouble;
  if (x < -kMaxDouble) return -kMaxDouble;
  return x;
}

int64_t ToInt64(double x) {
  if (std::isnan(x)) return 0;
  if (x >= 9.2233720368547758e18) return std::numeric_limits<int64_t>::max();
  if (x <= -9.2233720368547758e18) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(std::llround(x));
}

// A drawn number as the Value a program sees: q forms with an integer q give int64
// (W&B's astype(int)), everything else a finite double.
Value Number(const Parameter& p, double x) {
  if (IsQForm(p.distribution)) {
    x = QRound(x, p.q);
    if (p.integer) return Value(ToInt64(x));
  }
  return Value(Finite(x));
}

// Number of integers in [min, max], saturating at 2^64 - 1; 0 when max < min.
uint64_t IntRangeSize(const Parameter& p) {
  const int64_t lo = ToInt64(p.min), hi = ToInt64(p.max);
  if (hi < lo) return 0;
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  return span == std::numeric_limits<uint64_t>::max() ? span : span + 1;
}

Value IntAt(const Parameter& p, uint64_t offset) {
  return Value(static_cast<int64_t>(static_cast<uint64_t>(ToInt64(p.min)) + offset));
}

size_t CategoryAt(const Parameter& p, double u) {
  const size_t n = p.values.size();
  if (p.probabilities.empty() || p.probabilities.size() != n) {
    size_t i = static_cast<size_t>(u * static_cast<double>(n));
    return i < n ? i : n - 1;
  }
  double cum = 0;
  size_t last_possible = 0;
  for (size_t i = 0; i < n; ++i) {
    if (p.probabilities[i] <= 0) continue;
    cum += p.probabilities[i];
    last_possible = i;
    if (u < cum) return i;
  }
  return last_possible;  // the sum fell short of 1 by rounding
}

// The point a fraction u of the way from lo to hi, never outside [lo, hi] and never
// overflowing: lo + u * (hi - lo) is exact-ish and monotone but hi - lo overflows to
// inf when the range is wider than the largest double ([-1e308, 1e308]); then
// lo * (1 - u) + hi * u, whose terms each stay finite, is used instead.
double Lerp(double lo, double hi, double u) {
  const double span = hi - lo;
  const double x = std::isfinite(span) ? lo + u * span : lo * (1.0 - u) + hi * u;
  return x < lo ? lo : (x > hi ? hi : x);
}

double LogUniformValues(double lo, double hi, double u) {
  const double la = std::log(lo), lb = std::log(hi);
  const double x = std::exp(la + u * (lb - la));
  return x < lo ? lo : (x > hi ? hi : x);
}

// log Gamma(x) for x > 0, Lanczos (g = 7, n = 9); reflection below 0.5. Our own so
// that no call touches lgamma's global signgam from a worker thread.
double LogGamma(double x) {
  static const double kCoef[9] = {
      0.99999999999980993,  676.5203681218851,     -1259.1392167224028,
      771.32342877765313,   -176.61502916214059,   12.507343278686905,
      -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
  constexpr double kPi = 3.14159265358979323846;
  if (x < 0.5) return std::log(kPi / std::sin(kPi * x)) - LogGamma(1.0 - x);
  x -= 1.0;
  double a = kCoef[0];
  const double t = x + 7.5;
  for (int i = 1; i < 9; ++i) a += kCoef[i] / (x + i);
  return 0.5 * std::log(2 * kPi) + (x + 0.5) * std::log(t) - t + std::log(a);
}

// Continued fraction for I_x(a, b), modified Lentz's method.
double BetaContinuedFraction(double x, double a, double b) {
  constexpr double kTiny = 1e-300, kEps = 1e-16;
  const double qab = a + b, qap = a + 1.0, qam = a - 1.0;
  double c = 1.0, d = 1.0 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= 1000; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < kEps) break;
  }
  return h;
}

}  // namespace

double QRound(double x, double q) {
  if (!(q > 0) || !std::isfinite(x)) return x;
  const double r = x / q;
  double f = std::floor(r);
  const double diff = r - f;
  if (diff > 0.5 || (diff == 0.5 && std::fmod(f, 2.0) != 0.0)) f += 1.0;
  return f * q;
}

double NormalQuantile(double p) {
  if (!(p > 0)) return -std::numeric_limits<double>::infinity();
  if (!(p < 1)) return std::numeric_limits<double>::infinity();
  // Acklam's approximation (relative error 1.15e-9).
  static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02,
                              -2.759285104469687e+02, 1.383577518672690e+02,
                              -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                              6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01,
                              -2.400758277161838e+00, -2.549732539343734e+00,
                              4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                              3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  double x;
  if (p < kLow) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - kLow) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // One Halley step on Phi(x) - p brings it to full double precision.
  const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  const double u = e * std::sqrt(2 * 3.14159265358979323846) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

double RegularizedBeta(double x, double a, double b) {
  if (!(x > 0)) return 0.0;
  if (!(x < 1)) return 1.0;
  const double log_front =
      LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * std::log(x) + b * std::log1p(-x);
  const double front = std::exp(log_front);
  // The fraction converges fast only below the mean; use the symmetry above it.
  if (x < (a + 1.0) / (a + b + 2.0)) return front * BetaContinuedFraction(x, a, b) / a;
  return 1.0 - front * BetaContinuedFraction(1.0 - x, b, a) / b;
}

double BetaQuantile(double p, double a, double b) {
  if (!(p > 0)) return 0.0;
  if (!(p < 1)) return 1.0;
  double lo = 0.0, hi = 1.0;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;  // no representable point left between them
    if (RegularizedBeta(mid, a, b) < p) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

Value ValueFromUnit(const Parameter& p, double u) {
  if (!(u >= 0)) u = 0;  // also catches NaN
  if (u >= 1) u = kUnitHigh;
  const double uu = u < kUnitLow ? kUnitLow : u;  // for unbounded forms
  switch (p.distribution) {
    case Distribution::kConstant:
      return p.value;
    case Distribution::kCategorical:
      if (p.values.empty()) return Value();
      return p.values[CategoryAt(p, u)];
    case Distribution::kIntUniform: {
      const uint64_t n = IntRangeSize(p);
      if (n == 0) return Value(ToInt64(p.min));
      uint64_t i = static_cast<uint64_t>(u * static_cast<double>(n));
      if (i >= n) i = n - 1;
      return IntAt(p, i);
    }
    case Distribution::kUniform:
    case Distribution::kQUniform:
      return Number(p, Lerp(p.min, p.max, u));
    case Distribution::kLogUniform:
    case Distribution::kQLogUniform:
      return Number(p, std::exp(Lerp(p.min, p.max, u)));
    case Distribution::kLogUniformValues:
    case Distribution::kQLogUniformValues:
    case Distribution::kInvLogUniformValues:
      return Number(p, LogUniformValues(p.min, p.max, u));
    case Distribution::kInvLogUniform:
      // exp(-U(min, max)) with U taken at 1 - u, so the value increases with u.
      return Number(p, std::exp(-Lerp(p.min, p.max, 1.0 - u)));
    case Distribution::kNormal:
    case Distribution::kQNormal:
      return Number(p, p.mu + p.sigma * NormalQuantile(uu));
    case Distribution::kLogNormal:
    case Distribution::kQLogNormal:
      return Number(p, std::exp(p.mu + p.sigma * NormalQuantile(uu)));
    case Distribution::kBeta:
    case Distribution::kQBeta:
      return Number(p, BetaQuantile(u, p.a, p.b));
  }
  return Value();
}

Value SampleValue(const Parameter& p, Rng& rng) {
  switch (p.distribution) {
    case Distribution::kConstant:
      return p.value;
    case Distribution::kCategorical:
      if (p.values.empty()) return Value();
      if (p.probabilities.empty()) return p.values[rng.UniformInt(p.values.size())];
      return p.values[CategoryAt(p, rng.Uniform())];
    case Distribution::kIntUniform: {
      const uint64_t n = IntRangeSize(p);
      if (n == 0) return Value(ToInt64(p.min));  // max < min: rejected by the parser
      return IntAt(p, rng.UniformInt(n));
    }
    case Distribution::kNormal:
    case Distribution::kQNormal:
      return Number(p, p.mu + p.sigma * rng.Normal());
    case Distribution::kLogNormal:
    case Distribution::kQLogNormal:
      return Number(p, std::exp(p.mu + p.sigma * rng.Normal()));
    case Distribution::kBeta:
    case Distribution::kQBeta:
      return Number(p, rng.Beta(p.a, p.b));
    default:
      return ValueFromUnit(p, rng.Uniform());
  }
}

}  // namespace sweep
