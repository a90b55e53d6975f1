#include "search/bayes/acquisition.h"

#include <gtest/gtest.h>

#include <cmath>

namespace sweep {
namespace {

double ClosedFormEi(double mean, double sd, double best) {
  double z = (mean - best) / sd;
  double pdf = std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
  double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
  return (mean - best) * cdf + sd * pdf;
}

TEST(LogExpectedImprovement, MatchesClosedFormExpectedImprovement) {
  for (double mean : {-3.0, -1.0, 0.0, 0.4, 2.5})
    for (double sd : {0.05, 0.3, 1.0, 4.0}) {
      // Beyond z = -5 the closed form itself loses its digits to cancellation.
      if ((mean - 0.5) / sd < -5) continue;
      double ei = ClosedFormEi(mean, sd, 0.5);
      double lei = LogExpectedImprovement(mean, sd * sd, 0.5);
      EXPECT_NEAR(std::exp(lei) / ei, 1.0, 1e-9) << mean << " " << sd;
    }
}

TEST(LogExpectedImprovement, StaysFiniteAndMonotoneFarInTheTail) {
  double prev = LogExpectedImprovement(0, 1, 0);
  for (double z : {-5.0, -20.0, -40.0, -100.0, -1e4, -1e8, -1e12, -1e100}) {
    double v = LogExpectedImprovement(z, 1, 0);
    ASSERT_TRUE(std::isfinite(v)) << z;
    EXPECT_LT(v, prev) << z;
    prev = v;
  }
  // Where EI underflows, log EI still follows -z^2/2 - log(2 pi)/2 - 2 log|z|.
  double z = -60;
  EXPECT_NEAR(LogH(z), -0.5 * z * z - 0.5 * std::log(2 * M_PI) - 2 * std::log(-z), 1e-3);
  EXPECT_EQ(ClosedFormEi(z, 1, 0), 0.0);
}

TEST(LogExpectedImprovement, IsContinuousAcrossTheBranchPoints) {
  for (double z0 : {-1.0, -1 / std::sqrt(2.220446049250313e-16)}) {
    double a = LogH(z0 * (1 + 1e-9)), b = LogH(z0 * (1 - 1e-9));
    EXPECT_NEAR(a, b, 1e-5 * std::abs(a)) << z0;
  }
}

TEST(LogExpectedImprovement, GradientMatchesFiniteDifferences) {
  // mean(x) = x0^2 - x1, var(x) = 0.2 + x0 x1 (toy posterior) at several distances.
  for (double shift : {0.0, 3.0, 12.0}) {
    Eigen::VectorXd x(2);
    x << 0.3, 0.7;
    auto eval = [&](const Eigen::VectorXd& p, Eigen::VectorXd* g) {
      double m = p[0] * p[0] - p[1] - shift, v = 0.2 + p[0] * p[1];
      Eigen::VectorXd dm(2), dv(2);
      dm << 2 * p[0], -1;
      dv << p[1], p[0];
      Eigen::VectorXd tmp;
      double out = LogExpectedImprovementWithGradient(m, v, dm, dv, 0.1, tmp);
      if (g) *g = tmp;
      return out;
    };
    Eigen::VectorXd g;
    eval(x, &g);
    for (int i = 0; i < 2; ++i) {
      Eigen::VectorXd xp = x, xm = x;
      xp[i] += 1e-6;
      xm[i] -= 1e-6;
      EXPECT_NEAR(g[i], (eval(xp, nullptr) - eval(xm, nullptr)) / 2e-6,
                  1e-5 * (1 + std::abs(g[i])));
    }
  }
}

TEST(Erfcx, AgreesWithTheDefinitionAndTheAsymptote) {
  for (double x : {-2.0, 0.0, 0.5, 3.0, 10.0, 20.0})
    EXPECT_NEAR(Erfcx(x) / (std::exp(x * x) * std::erfc(x)), 1.0, 1e-12);
  EXPECT_NEAR(Erfcx(1e6) * 1e6 * std::sqrt(M_PI), 1.0, 1e-12);
}

}  // namespace
}  // namespace sweep
