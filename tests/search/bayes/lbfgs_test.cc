#include "search/bayes/lbfgs.h"

#include <gtest/gtest.h>

namespace sweep {
namespace {

TEST(MinimizeBox, FindsTheRosenbrockMinimum) {
  Objective f = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    double a = 1 - x[0], b = x[1] - x[0] * x[0];
    g[0] = -2 * a - 400 * x[0] * b;
    g[1] = 200 * b;
    return a * a + 100 * b * b;
  };
  Eigen::VectorXd x0(2), lo(2), hi(2);
  x0 << -1.2, 1;
  lo << -5, -5;
  hi << 5, 5;
  LbfgsOptions opt;
  opt.max_iterations = 500;
  LbfgsResult r = MinimizeBox(f, x0, lo, hi, opt);
  EXPECT_NEAR(r.x[0], 1, 1e-4);
  EXPECT_NEAR(r.x[1], 1, 1e-4);
}

TEST(MinimizeBox, StopsAtActiveBounds) {
  Objective f = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    g = 2 * (x.array() - 3).matrix();
    return (x.array() - 3).square().sum();
  };
  Eigen::VectorXd x0 = Eigen::VectorXd::Zero(3), lo = -Eigen::VectorXd::Ones(3),
                  hi = Eigen::VectorXd::Ones(3);
  hi[2] = 10;
  LbfgsResult r = MinimizeBox(f, x0, lo, hi);
  EXPECT_DOUBLE_EQ(r.x[0], 1);
  EXPECT_DOUBLE_EQ(r.x[1], 1);
  EXPECT_NEAR(r.x[2], 3, 1e-6);
}

TEST(MinimizeBox, ReturnsTheStartWhenTheObjectiveIsNotFinite) {
  Objective f = [](const Eigen::VectorXd&, Eigen::VectorXd&) { return NAN; };
  Eigen::VectorXd x0 = Eigen::VectorXd::Constant(2, 0.5);
  LbfgsResult r = MinimizeBox(f, x0, Eigen::VectorXd::Zero(2), Eigen::VectorXd::Ones(2));
  EXPECT_EQ(r.x, x0);
  EXPECT_TRUE(std::isinf(r.f));
}

}  // namespace
}  // namespace sweep
