#include "search/bayes/initial_design.h"

#include <gtest/gtest.h>

#include <set>

namespace sweep {
namespace {

TEST(SobolSequence, UnscrambledStartsWithTheKnownPoints) {
  SobolSequence s(3, 0, false);
  EXPECT_EQ(s.Point(0), Eigen::Vector3d(0, 0, 0));
  EXPECT_EQ(s.Point(1), Eigen::Vector3d(0.5, 0.5, 0.5));
  // Direct (non-Gray) indexing: point 2 uses only the second direction numbers.
  EXPECT_EQ(s.Point(2), Eigen::Vector3d(0.25, 0.75, 0.75));
  EXPECT_EQ(s.Point(3), Eigen::Vector3d(0.75, 0.25, 0.25));
}

TEST(SobolSequence, ScrambledPointsStayStratifiedInEveryDimension) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    SobolSequence s(SobolSequence::kMaxDims, seed);
    Eigen::MatrixXd P = s.Points(0, 64);
    for (int j = 0; j < P.cols(); ++j) {
      std::set<int> cells;
      for (int i = 0; i < 64; ++i) {
        ASSERT_GT(P(i, j), 0.0);
        ASSERT_LT(P(i, j), 1.0);
        cells.insert(static_cast<int>(P(i, j) * 64));
      }
      EXPECT_EQ(cells.size(), 64u) << "dimension " << j;
    }
  }
}

TEST(SobolSequence, IsDeterministicPerSeed) {
  EXPECT_EQ(SobolSequence(5, 7).Points(0, 10), SobolSequence(5, 7).Points(0, 10));
  EXPECT_NE(SobolSequence(5, 7).Points(0, 10), SobolSequence(5, 8).Points(0, 10));
}

TEST(LatinHypercube, PutsOnePointInEachStratum) {
  Eigen::MatrixXd P = LatinHypercube(30, 40, 3);
  for (int j = 0; j < 40; ++j) {
    std::set<int> cells;
    for (int i = 0; i < 30; ++i) cells.insert(static_cast<int>(P(i, j) * 30));
    EXPECT_EQ(cells.size(), 30u);
  }
  EXPECT_EQ(SpaceFilling(30, 40, 3), SpaceFilling(30, 40, 3));  // deterministic beyond Sobol
}

TEST(InitialDesign, GrowsWithTheDimensionWithinLimits) {
  EXPECT_EQ(InitialDesignSize(1), 5);
  EXPECT_EQ(InitialDesignSize(2), 5);
  EXPECT_EQ(InitialDesignSize(6), 13);
  EXPECT_EQ(InitialDesignSize(100), 30);
}

TEST(InitialDesign, TakesAtMostHalfOfAKnownBudgetButNeverUnderFive) {
  EXPECT_EQ(InitialDesignSize(9, 30), 15);  // 2 d + 1 = 19 would leave 11 model steps
  EXPECT_EQ(InitialDesignSize(9, 20), 10);
  EXPECT_EQ(InitialDesignSize(9, 60), 19);  // half the budget is more than 2 d + 1
  EXPECT_EQ(InitialDesignSize(6, 8), 5);
  EXPECT_EQ(InitialDesignSize(1, 30), 5);
  EXPECT_EQ(InitialDesignSize(9, std::nullopt), InitialDesignSize(9));
}

}  // namespace
}  // namespace sweep
