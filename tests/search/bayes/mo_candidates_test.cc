// The multi-objective acquisition's helpers (mo_acquisition.h): RobustReference leaves
// out a degenerate extreme of the front, and MaximizeByPerturbation's coordinate
// candidates find an optimum that lies on a face of the cube in all but one coordinate.
#include <gtest/gtest.h>

#include <cmath>

#include "search/bayes/mo_acquisition.h"
#include "tests/search/bayes/space_fixtures.h"

namespace sweep {
namespace {

TEST(RobustReference, LeavesOutAPointThatAnotherNearlyMatchesAndFarBeats) {
  // A DTLZ2-like front: three vertices, a middle point, and a degenerate edge point
  // (0, 0, 1.8) that (0.01, 0, 1) matches within 5% in the first two objectives and
  // beats by 0.8 in the third.
  const std::vector<ObjectivePoint> front = {
      {0.01, 0, 1}, {1, 0.01, 0}, {0, 1, 0.01}, {0.5, 0.5, 0.6}, {0, 0, 1.8}};
  const ObjectivePoint r = RobustReference(front);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_NEAR(r[0], 1.1, 1e-12);  // nadir 1 over range [0, 1], moved out 10%
  EXPECT_NEAR(r[1], 1.1, 1e-12);
  EXPECT_NEAR(r[2], 1.1, 1e-12);  // not 1.8 + 0.18: the edge point is left out
}

TEST(RobustReference, KeepsAWellSpreadFrontAndHandlesOnePoint) {
  const std::vector<ObjectivePoint> front = {{0, 1, 1}, {1, 0, 1}, {1, 1, 0}, {0.6, 0.6, 0.6}};
  EXPECT_EQ(RobustReference(front), (ObjectivePoint{1.1, 1.1, 1.1}));
  // No range: moved out by 0.1 in each objective.
  const ObjectivePoint one = RobustReference({{1, 2, 3}});
  EXPECT_NEAR(one[0], 1.1, 1e-12);
  EXPECT_NEAR(one[1], 2.1, 1e-12);
  EXPECT_NEAR(one[2], 3.1, 1e-12);
}

TEST(MaximizeByPerturbation, MovesSingleCoordinatesOfAnIncumbentOnAFace) {
  // The optimum is x0 = 0.7 with every other coordinate exactly 0 (ZDT1's front lies on
  // x1.. = 0); the incumbent sits at the origin. Perturbing all coordinates leaves the
  // other five at 0 only by chance; moving x0 alone finds it.
  const SearchSpace space = testing::ContinuousSpace(6);
  const UnitCube cube(space);
  const BatchScore score = [](const Eigen::MatrixXd& X) {
    Eigen::VectorXd s(X.rows());
    for (Eigen::Index i = 0; i < X.rows(); ++i)
      s[i] = -std::abs(X(i, 0) - 0.7) - 100.0 * X.row(i).tail(5).cwiseAbs().sum();
    return s;
  };
  AcqOptimizerOptions opt;
  opt.seed = 5;
  opt.raw_samples = 256;
  opt.local_samples = 128;
  const Eigen::MatrixXd incumbents = Eigen::MatrixXd::Zero(1, 6);
  const std::vector<ScoredPoint> best = MaximizeByPerturbation(score, cube, incumbents, opt);
  ASSERT_FALSE(best.empty());
  EXPECT_EQ(best[0].x.tail(5).cwiseAbs().sum(), 0.0);
  EXPECT_NEAR(best[0].x[0], 0.7, 0.15);
}

}  // namespace
}  // namespace sweep
