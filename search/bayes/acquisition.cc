// log EI and its derivatives (formulas in acquisition.h).
//
// The derivative uses d log_h / dz = Phi(z) / h(z) (since h' = Phi), evaluated as
// exp(log Phi(z) - log_h(z)) so that it stays finite in the far left tail, where it
// tends to |z|. Chain rule: z = (mu - f*) / sigma, sigma = sqrt(var).
#include "search/bayes/acquisition.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sweep {
namespace {
constexpr double kC1 = 0.91893853320467274178;  // log(2 pi) / 2
constexpr double kC2 = 0.22579135264472743236;  // log(pi / 2) / 2
constexpr double kInvSqrtPi = 0.56418958354775628695;
constexpr double kSqrt2 = 1.41421356237309504880;

// log(1 - exp(a)) for a < 0 (Maechler 2012, "Accurately computing log(1 - exp(-|a|))").
double Log1mExp(double a) {
  if (a >= 0) return -std::numeric_limits<double>::max();
  return a > -0.6931471805599453 ? std::log(-std::expm1(a)) : std::log1p(-std::exp(a));
}
}  // namespace

double Erfcx(double x) {
  if (x < 25) return std::exp(x * x) * std::erfc(x);
  // Asymptotic series (Abramowitz & Stegun 7.1.23); relative error < 1e-13 for x >= 25.
  double t = 1 / (x * x);
  return kInvSqrtPi / x * (1 - t / 2 * (1 - 1.5 * t * (1 - 2.5 * t * (1 - 3.5 * t))));
}

double LogNormalCdf(double z) {
  if (z > -5) return std::log(0.5 * std::erfc(-z / kSqrt2));
  return std::log(0.5 * Erfcx(-z / kSqrt2)) - 0.5 * z * z;
}

double LogH(double z) {
  if (z > -1) {
    double phi = std::exp(-0.5 * z * z - kC1);
    return std::log(phi + z * 0.5 * std::erfc(-z / kSqrt2));
  }
  if (z > -1 / std::sqrt(std::numeric_limits<double>::epsilon()))
    return -0.5 * z * z - kC1 + Log1mExp(std::log(Erfcx(-z / kSqrt2) * std::abs(z)) + kC2);
  return -0.5 * z * z - kC1 - 2 * std::log(std::abs(z));
}

double LogExpectedImprovement(double mean, double var, double best) {
  double sigma = std::sqrt(std::max(var, 1e-24));
  return std::log(sigma) + LogH((mean - best) / sigma);
}

double LogExpectedImprovementWithGradient(double mean, double var, const Eigen::VectorXd& dmean,
                                          const Eigen::VectorXd& dvar, double best,
                                          Eigen::VectorXd& grad) {
  double v = std::max(var, 1e-24);
  double sigma = std::sqrt(v);
  double z = (mean - best) / sigma;
  double log_h = LogH(z);
  double ratio = std::exp(LogNormalCdf(z) - log_h);  // Phi(z) / h(z)
  // d logEI / d mean = ratio / sigma; d logEI / d sigma = (1 - z ratio) / sigma.
  double d_sigma = (1 - z * ratio) / sigma;
  grad = (ratio / sigma) * dmean + (d_sigma / (2 * sigma)) * dvar;
  if (!grad.allFinite()) grad.setZero(dmean.size());
  return std::log(sigma) + log_h;
}

}  // namespace sweep
