#include "search/bayes/kernel.h"

#include <gtest/gtest.h>

namespace sweep {
namespace {

Eigen::MatrixXd Points(int n, int d, unsigned seed) {
  std::srand(seed);
  return (Eigen::MatrixXd::Random(n, d).array() + 1) / 2;
}

TEST(Matern52, MatchesTheClosedFormAndIsSymmetric) {
  Eigen::VectorXd ll(2);
  ll << std::log(0.5), std::log(2.0);
  Matern52 k(ll, std::log(1.7));
  Eigen::VectorXd a(2), b(2);
  a << 0.1, 0.9;
  b << 0.4, 0.2;
  double r = std::sqrt(std::pow(0.3 / 0.5, 2) + std::pow(0.7 / 2.0, 2));
  double expected =
      1.7 * (1 + std::sqrt(5.0) * r + 5.0 / 3 * r * r) * std::exp(-std::sqrt(5.0) * r);
  EXPECT_NEAR(k(a, b), expected, 1e-14);
  Eigen::MatrixXd X = Points(7, 2, 1);
  Eigen::MatrixXd K = k.Gram(X);
  EXPECT_TRUE(K.isApprox(K.transpose(), 0));
  EXPECT_TRUE(K.diagonal().isApproxToConstant(1.7));
  EXPECT_TRUE(K.isApprox(k.Cross(X, X), 1e-12));
}

TEST(Matern52, HyperparameterGradientMatchesFiniteDifferences) {
  const int d = 3;
  Eigen::MatrixXd X = Points(6, d, 2);
  Eigen::MatrixXd W = Eigen::MatrixXd::Random(6, 6);
  Eigen::VectorXd theta(d + 1);
  theta << -0.7, 0.2, -1.5, 0.3;
  auto value = [&](const Eigen::VectorXd& t) {
    return (W.array() * Matern52(t.head(d), t[d]).Gram(X).array()).sum();
  };
  Eigen::VectorXd grad = Matern52(theta.head(d), theta[d]).WeightedGradient(X, W);
  for (int i = 0; i <= d; ++i) {
    Eigen::VectorXd tp = theta, tm = theta;
    tp[i] += 1e-6;
    tm[i] -= 1e-6;
    EXPECT_NEAR(grad[i], (value(tp) - value(tm)) / 2e-6, 1e-6 * (1 + std::abs(grad[i]))) << i;
  }
}

TEST(Matern52, InputGradientMatchesFiniteDifferences) {
  const int d = 4;
  Eigen::MatrixXd X = Points(5, d, 3);
  Eigen::VectorXd ll = Eigen::VectorXd::LinSpaced(d, -1.0, 0.5);
  Matern52 k(ll, 0.4);
  Eigen::VectorXd x = Points(1, d, 4).row(0).transpose();
  Eigen::MatrixXd G = k.GradX(x, X);
  for (int j = 0; j < X.rows(); ++j)
    for (int i = 0; i < d; ++i) {
      Eigen::VectorXd xp = x, xm = x;
      xp[i] += 1e-6;
      xm[i] -= 1e-6;
      double fd = (k(xp, X.row(j).transpose()) - k(xm, X.row(j).transpose())) / 2e-6;
      EXPECT_NEAR(G(i, j), fd, 1e-7);
    }
}

}  // namespace
}  // namespace sweep
