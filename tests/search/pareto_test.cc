// Dominance, non-dominated sorting and exact hypervolume against hand-computed values
// and a brute-force grid count.
#include "search/pareto.h"

#include <gtest/gtest.h>

#include <random>

namespace sweep {
namespace {

TEST(Pareto, DominatesNeedsOneStrictlyBetterObjective) {
  EXPECT_TRUE(Dominates({1, 2}, {2, 2}));
  EXPECT_FALSE(Dominates({1, 2}, {1, 2}));
  EXPECT_FALSE(Dominates({1, 3}, {2, 2}));
}

TEST(Pareto, NonDominatedSortNumbersTheFronts) {
  //  a(1,4) b(2,2) c(4,1) are front 1; d(3,3) is dominated by b; e(4,4) by d.
  std::vector<ObjectivePoint> pts = {{1, 4}, {2, 2}, {4, 1}, {3, 3}, {4, 4}};
  EXPECT_EQ(NonDominatedSort(pts), (std::vector<size_t>{1, 1, 1, 2, 3}));
  EXPECT_EQ(ParetoFront(pts), (std::vector<size_t>{0, 1, 2}));
  // Duplicates share a front, and the front lists the first copy once.
  EXPECT_EQ(NonDominatedSort({{1, 1}, {1, 1}}), (std::vector<size_t>{1, 1}));
  EXPECT_EQ(ParetoFront({{1, 1}, {1, 1}}), (std::vector<size_t>{0}));
}

TEST(Pareto, HypervolumeInTwoAndThreeDimensions) {
  // Staircase: (1,3), (2,2), (3,1) against (4,4): 3 + 2 + 1 = 6.
  EXPECT_DOUBLE_EQ(Hypervolume({{1, 3}, {2, 2}, {3, 1}}, {4, 4}), 6.0);
  // A dominated point and one outside the reference box change nothing.
  EXPECT_DOUBLE_EQ(Hypervolume({{1, 3}, {2, 2}, {3, 1}, {3, 3}, {5, 0}}, {4, 4}), 6.0);
  // 3-D: one unit cube corner at 0 against (1,1,1) is 1; two overlapping boxes.
  EXPECT_DOUBLE_EQ(Hypervolume({{0, 0, 0}}, {1, 1, 1}), 1.0);
  EXPECT_DOUBLE_EQ(Hypervolume({{0, 0, 0.5}, {0.5, 0.5, 0}}, {1, 1, 1}), 0.5 + 0.25 - 0.125);
  EXPECT_DOUBLE_EQ(Hypervolume({}, {1, 1}), 0.0);
}

// Counts grid cells (centres) dominated by some point: a brute-force hypervolume.
double GridHypervolume(const std::vector<ObjectivePoint>& pts, size_t m, int cells) {
  double count = 0, total = 0;
  std::vector<int> idx(m, 0);
  while (true) {
    ObjectivePoint c(m);
    for (size_t k = 0; k < m; ++k) c[k] = (idx[k] + 0.5) / cells;
    bool dominated = false;
    for (const auto& p : pts) {
      bool all = true;
      for (size_t k = 0; k < m; ++k) all = all && p[k] <= c[k];
      dominated = dominated || all;
    }
    count += dominated;
    total += 1;
    size_t k = 0;
    while (k < m && ++idx[k] == cells) idx[k++] = 0;
    if (k == m) break;
  }
  return count / total;
}

TEST(Pareto, HypervolumeMatchesABruteForceCountInThreeAndFourDimensions) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  for (size_t m : {3u, 4u}) {
    std::vector<ObjectivePoint> pts(12, ObjectivePoint(m));
    for (auto& p : pts)
      for (double& v : p) v = u(rng);
    const int cells = m == 3 ? 60 : 24;
    EXPECT_NEAR(Hypervolume(pts, ObjectivePoint(m, 1.0)), GridHypervolume(pts, m, cells), 0.03)
        << m << " objectives";
  }
}

TEST(Pareto, ImprovementIsTheDifferenceOfHypervolumes) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  for (size_t m : {2u, 3u}) {
    for (int rep = 0; rep < 20; ++rep) {
      std::vector<ObjectivePoint> front(8, ObjectivePoint(m));
      for (auto& p : front)
        for (double& v : p) v = u(rng);
      ObjectivePoint c(m);
      for (double& v : c) v = u(rng);
      const ObjectivePoint ref(m, 1.1);
      auto with = front;
      with.push_back(c);
      EXPECT_NEAR(HypervolumeImprovement(front, c, ref),
                  Hypervolume(with, ref) - Hypervolume(front, ref), 1e-12);
    }
  }
  EXPECT_EQ(HypervolumeImprovement({{1, 1}}, {1, 1}, {2, 2}), 0.0);
  EXPECT_EQ(HypervolumeImprovement({{1, 1}}, {3, 0}, {2, 2}), 0.0);
}

}  // namespace
}  // namespace sweep
