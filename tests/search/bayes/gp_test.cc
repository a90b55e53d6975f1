#include "search/bayes/gp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sweep {
namespace {

Eigen::MatrixXd Points(int n, int d, unsigned seed) {
  std::srand(seed);
  return (Eigen::MatrixXd::Random(n, d).array() + 1) / 2;
}

Eigen::VectorXd Smooth(const Eigen::MatrixXd& X) {
  Eigen::VectorXd y(X.rows());
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    y[i] = std::sin(3 * X(i, 0)) + 0.5 * std::cos(2 * X(i, 1)) - X(i, 0) * X(i, 1);
  return y;
}

GpHyper SomeHyper(int d) {
  GpHyper h;
  h.log_lengthscales = Eigen::VectorXd::LinSpaced(d, -1.2, 0.3);
  h.log_signal_variance = 0.2;
  h.log_noise = -3;
  h.mean = 0.1;
  return h;
}

TEST(GaussianProcess, LogMarginalLikelihoodGradientMatchesFiniteDifferences) {
  const int d = 3;
  Eigen::MatrixXd X = Points(12, d, 5);
  Eigen::VectorXd y = Smooth(X);
  Eigen::VectorXd theta = SomeHyper(d).Pack(), grad;
  LogMarginalLikelihood(X, y, GpHyper::Unpack(theta, d), &grad);
  ASSERT_EQ(grad.size(), d + 3);
  for (int i = 0; i < d + 3; ++i) {
    Eigen::VectorXd tp = theta, tm = theta;
    tp[i] += 1e-5;
    tm[i] -= 1e-5;
    double fd = (LogMarginalLikelihood(X, y, GpHyper::Unpack(tp, d), nullptr) -
                 LogMarginalLikelihood(X, y, GpHyper::Unpack(tm, d), nullptr)) /
                2e-5;
    EXPECT_NEAR(grad[i], fd, 1e-4 * (1 + std::abs(fd))) << "parameter " << i;
  }
}

TEST(GaussianProcess, PriorGradientMatchesFiniteDifferences) {
  const int d = 4;
  for (bool scaled : {false, true}) {
    Eigen::VectorXd theta = SomeHyper(d).Pack(), grad;
    LogHyperPrior(GpHyper::Unpack(theta, d), &grad, scaled);
    for (int i = 0; i < d + 3; ++i) {
      Eigen::VectorXd tp = theta, tm = theta;
      tp[i] += 1e-6;
      tm[i] -= 1e-6;
      double fd = (LogHyperPrior(GpHyper::Unpack(tp, d), nullptr, scaled) -
                   LogHyperPrior(GpHyper::Unpack(tm, d), nullptr, scaled)) /
                  2e-6;
      EXPECT_NEAR(grad[i], fd, 1e-6);
    }
  }
}

// The length-scale prior peaks at log l = sqrt(2) in any dimension; the dimension-scaled
// one (kept for the multi-objective GPs) moves its peak to sqrt(2) + log(d)/2.
TEST(GaussianProcess, LengthscalePriorPeaksAtSqrtTwoUnlessScaledWithTheDimension) {
  const int d = 9;
  auto ls_gradient_at = [&](double log_l, bool scaled) {
    GpHyper h = SomeHyper(d);
    h.log_lengthscales.setConstant(log_l);
    Eigen::VectorXd grad;
    LogHyperPrior(h, &grad, scaled);
    return grad[0];
  };
  EXPECT_NEAR(ls_gradient_at(std::sqrt(2.0), false), 0.0, 1e-12);
  EXPECT_NEAR(ls_gradient_at(std::sqrt(2.0) + 0.5 * std::log(9.0), true), 0.0, 1e-12);
  EXPECT_GT(ls_gradient_at(std::sqrt(2.0), true), 0.0);  // scaled: longer is more likely
}

TEST(GaussianProcess, PredictiveGradientsMatchFiniteDifferences) {
  Eigen::MatrixXd X = Points(15, 2, 6);
  GaussianProcess gp;
  gp.Condition(X, Smooth(X), SomeHyper(2));
  Eigen::VectorXd x(2), dm, dv;
  x << 0.37, 0.61;
  double m, v;
  gp.PredictWithGradient(x, m, v, dm, dv);
  for (int i = 0; i < 2; ++i) {
    Eigen::VectorXd xp = x, xm = x, g1, g2;
    xp[i] += 1e-6;
    xm[i] -= 1e-6;
    double mp, vp, mm, vm;
    gp.PredictWithGradient(xp, mp, vp, g1, g2);
    gp.PredictWithGradient(xm, mm, vm, g1, g2);
    EXPECT_NEAR(dm[i], (mp - mm) / 2e-6, 1e-5);
    EXPECT_NEAR(dv[i], (vp - vm) / 2e-6, 1e-5);
  }
  Eigen::VectorXd mean, var;
  gp.Predict(x.transpose(), mean, var);
  EXPECT_NEAR(mean[0], m, 1e-10);
  EXPECT_NEAR(var[0], v, 1e-10);
}

TEST(GaussianProcess, FittedModelPredictsASmoothFunction) {
  Eigen::MatrixXd X = Points(40, 2, 7), Q = Points(50, 2, 8);
  Eigen::VectorXd y = Smooth(X);
  GpHyper h = FitHyperparameters(X, y, nullptr, {});
  GaussianProcess gp;
  gp.Condition(X, y, h);
  Eigen::VectorXd mean, var;
  gp.Predict(Q, mean, var);
  double rmse = std::sqrt((mean - Smooth(Q)).squaredNorm() / 50);
  EXPECT_LT(rmse, 0.05);
  EXPECT_TRUE(var.allFinite());
  EXPECT_GT(var.minCoeff(), 0);
}

TEST(GaussianProcess, StaysFiniteOnDuplicateAndConstantData) {
  Eigen::MatrixXd X = Eigen::MatrixXd::Constant(6, 3, 0.5);  // six identical points
  Eigen::VectorXd y = Eigen::VectorXd::Constant(6, 2.0);
  GpHyper h = FitHyperparameters(X, WarpOutputs(y), nullptr, {});
  EXPECT_TRUE(h.Pack().allFinite());
  GaussianProcess gp;
  GpHyper tiny = h;
  tiny.log_noise = -40;  // forces the jitter path
  gp.Condition(X, WarpOutputs(y), tiny);
  Eigen::VectorXd mean, var;
  gp.Predict(Points(5, 3, 9), mean, var);
  EXPECT_TRUE(mean.allFinite());
  EXPECT_TRUE(var.allFinite());
}

TEST(WarpOutputs, StandardizesAndTamesHeavyTails) {
  Eigen::VectorXd y(8);
  y << 1, 2, 3, 4, 5, 10, 100, 1e6;
  Eigen::VectorXd w = WarpOutputs(y);
  EXPECT_NEAR(w.mean(), 0, 1e-9);
  EXPECT_NEAR(std::sqrt(w.squaredNorm() / 8), 1, 1e-9);
  for (int i = 1; i < 8; ++i) EXPECT_GT(w[i], w[i - 1]);  // order preserved
  EXPECT_LT(w[7], 3.0);                                   // the outlier no longer dominates
}

TEST(WarpOutputs, NeverReturnsNaN) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<Eigen::VectorXd> cases;
  cases.push_back(Eigen::VectorXd::Constant(5, 3.0));
  cases.push_back(Eigen::VectorXd::Constant(1, -7.0));
  Eigen::VectorXd a(4);
  a << 1, -inf, inf, NAN;
  cases.push_back(a);
  Eigen::VectorXd b(3);
  b << 1e308, -1e308, 0;
  cases.push_back(b);
  Eigen::VectorXd c(2);
  c << NAN, NAN;
  cases.push_back(c);
  for (const auto& y : cases) EXPECT_TRUE(WarpOutputs(y).allFinite()) << y.transpose();
}

TEST(SelectTrainingSubset, KeepsTheBestAndSpreadsTheRest) {
  Eigen::MatrixXd X = Points(300, 2, 10);
  Eigen::VectorXd y = -Smooth(X);
  std::vector<int> keep = SelectTrainingSubset(X, y, 40);
  ASSERT_EQ(keep.size(), 40u);
  std::set<int> unique(keep.begin(), keep.end());
  EXPECT_EQ(unique.size(), 40u);
  Eigen::Index best;
  y.maxCoeff(&best);
  EXPECT_TRUE(unique.count(static_cast<int>(best)));
  EXPECT_EQ(SelectTrainingSubset(X, y, 500).size(), 300u);
}

}  // namespace
}  // namespace sweep
