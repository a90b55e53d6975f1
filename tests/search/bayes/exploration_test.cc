// Issue 21: small discrete spaces scored on their lattice, no re-proposals on plateaus,
// and the maximin step when EI is flat (also what lifts Ackley-5, issue 18).
#include "search/bayes/exploration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "search/bayes/bayes_search.h"
#include "tests/search/bayes/space_fixtures.h"

namespace sweep {
namespace {

using testing::ContinuousSpace;
using testing::MakeParam;

Observation Obs(uint64_t n, Config c, double value) {
  Observation o;
  o.trial_number = n;
  o.config = std::move(c);
  o.outcome = Outcome::kFinished;
  o.value = value;
  return o;
}

StrategyOptions Opts(uint64_t seed) {
  StrategyOptions o;
  o.seed = seed;
  o.has_metric = true;
  return o;
}

// kNN's Bayesmark space: n_neighbors 1..25 x p 1..4, 100 configurations.
SearchSpace KnnSpace() {
  SearchSpace space;
  Parameter k = MakeParam("n_neighbors", Distribution::kIntUniform, 1, 25);
  k.integer = true;
  Parameter p = MakeParam("p", Distribution::kIntUniform, 1, 4);
  p.integer = true;
  space.params = {k, p};
  return space;
}

// A step-shaped objective over the kNN space, CV-error-like: quantized to 1/60, one
// best configuration (k = 17, p = 3) a single step below its neighbours.
double KnnLoss(const Config& c) {
  double k = c[0].get<double>(), p = c[1].get<double>();
  double smooth = 0.002 * (k - 14) * (k - 14) + 0.01 * (p - 3) * (p - 3);
  double quantized = std::floor(smooth * 60) / 60;
  return (k == 17 && p == 3) ? -1.0 / 60 : quantized;
}

TEST(Exploration, EnumerationScoresEveryUsableConfigurationBestFirst) {
  UnitCube cube(KnnSpace());
  ASSERT_EQ(cube.CountIfFinite(kEnumerateAcquisitionLimit), 100u);
  GaussianProcess gp;
  Eigen::MatrixXd X(3, 2);
  X << 0.1, 0.1, 0.5, 0.5, 0.9, 0.9;
  Eigen::VectorXd y(3);
  y << -1, 1, -1;
  GpHyper h;
  h.log_lengthscales = Eigen::VectorXd::Constant(2, std::log(0.2));
  gp.Condition(X, y, h);
  int calls = 0;
  auto all = EnumerateLogEi(
      gp, 1.0, cube, 100, [&](const Eigen::VectorXd&) { return ++calls, true; }, 1000);
  EXPECT_EQ(calls, 100);
  ASSERT_EQ(all.size(), 100u);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_GE(all[i - 1].log_ei, all[i].log_ei);
  // Every candidate sits on the integer lattice: snapping does not move it.
  for (const ScoredPoint& p : all) EXPECT_EQ(cube.Snap(p.x), p.x);
  // A rejected configuration is never returned.
  auto some = EnumerateLogEi(
      gp, 1.0, cube, 100, [&](const Eigen::VectorXd& x) { return cube.Decode(x)[1] == 2; }, 1000);
  EXPECT_EQ(some.size(), 25u);
  for (const ScoredPoint& p : some) EXPECT_EQ(cube.Decode(p.x)[1], 2);
}

TEST(Exploration, SmallIntegerSpaceFindsTheOneBestConfigurationWithoutRepeats) {
  int found = 0;
  for (uint64_t seed = 0; seed < 5; ++seed) {
    BayesSearch s(KnnSpace(), Opts(seed));
    std::set<std::string> seen;
    bool hit = false;
    for (uint64_t i = 0; i < 40; ++i) {
      std::vector<Config> c = s.Suggest(1, {});
      ASSERT_EQ(c.size(), 1u);
      ASSERT_TRUE(seen.insert(ConfigKey(c[0])).second) << "re-proposed " << ConfigKey(c[0]);
      EXPECT_TRUE(c[0][0].is_number_integer() && c[0][1].is_number_integer());
      hit = hit || (c[0][0] == 17 && c[0][1] == 3);
      s.Observe(Obs(i, c[0], KnnLoss(c[0])));
    }
    found += hit;
  }
  // Random search finds one of 100 configurations in 40 draws with probability 0.4.
  EXPECT_GE(found, 4);
}

TEST(Exploration, APlateauNeverMakesTheSearchRepeatOrStall) {
  // Every configuration scores the same: the GP is confident and EI collapses. The
  // search must keep proposing distinct configurations spread over the space.
  BayesSearch s(ContinuousSpace(2), Opts(4));
  std::vector<Eigen::Vector2d> pts;
  std::set<std::string> seen;
  for (uint64_t i = 0; i < 30; ++i) {
    Config c = s.Suggest(1, {})[0];
    ASSERT_TRUE(seen.insert(ConfigKey(c)).second);
    pts.emplace_back(c[0].get<double>(), c[1].get<double>());
    s.Observe(Obs(i, c, 0.25));
  }
  // The last 10 points are not piled up: their nearest earlier neighbour is far away
  // on average (30 well-spread points in the unit square are ~0.1 apart).
  double mean_nearest = 0;
  for (size_t i = 20; i < pts.size(); ++i) {
    double nearest = INFINITY;
    for (size_t j = 0; j < i; ++j) nearest = std::min(nearest, (pts[i] - pts[j]).norm());
    mean_nearest += nearest / 10;
  }
  EXPECT_GT(mean_nearest, 0.04);
}

TEST(Exploration, FarthestPointIsUnseenAndFarFromTheData) {
  UnitCube cube(ContinuousSpace(2));
  Eigen::MatrixXd observed(4, 2);
  observed << 0, 0, 0, 1, 1, 0, 1, 1;
  auto x = FarthestPoint(
      cube, observed, [](const Eigen::VectorXd&) { return true; }, 256, 7);
  ASSERT_TRUE(x.has_value());
  EXPECT_NEAR((*x)[0], 0.5, 0.1);
  EXPECT_NEAR((*x)[1], 0.5, 0.1);
  EXPECT_FALSE(FarthestPoint(
                   cube, observed, [](const Eigen::VectorXd&) { return false; }, 64, 7)
                   .has_value());
  EXPECT_TRUE(EiIsFlat(-20));
  EXPECT_FALSE(EiIsFlat(-3));
}

TEST(Exploration, ObservationsSinceImprovementCountsFromTheLastNewBest) {
  using V = std::vector<std::optional<double>>;
  EXPECT_EQ(ObservationsSinceImprovement(V{}), 0u);
  EXPECT_EQ(ObservationsSinceImprovement(V{1.0, 2.0, 3.0}), 0u);
  // Ties and missing values (failed trials) do not improve.
  EXPECT_EQ(ObservationsSinceImprovement(V{1.0, 3.0, 3.0, std::nullopt, 2.0}), 3u);
  EXPECT_EQ(ObservationsSinceImprovement(V{std::nullopt, std::nullopt}), 2u);
  EXPECT_EQ(ObservationsSinceImprovement(V{5.0, 1.0, 6.0, 6.0}), 1u);
}

TEST(Exploration, FarStepsComeInWindowsAndStopAfterAWindowThatDidNotPay) {
  using V = std::vector<std::optional<double>>;
  FarStepSchedule sched;  // stall 5, window 3, one unpaid window ends them
  sched.stall = 5;
  sched.window = 3;
  sched.max_unpaid = 1;
  V v{1.0};
  // Stalled for 0..4 observations: EI steps.
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(FarStepAllowed(v, sched)) << i;
    v.push_back(0.0);
  }
  // Stalled for 5, 6, 7: the window's three far steps.
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(FarStepAllowed(v, sched)) << i;
    v.push_back(0.0);
  }
  // The three far steps did not improve: every later ask is an EI step, also after an
  // EI step improves and the best stalls again.
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(FarStepAllowed(v, sched)) << i;
    v.push_back(0.0);
  }
  v.push_back(2.0);
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(FarStepAllowed(v, sched)) << i;
    v.push_back(std::nullopt);
  }
  // With two unpaid windows allowed, the second stall opens a window again.
  sched.max_unpaid = 2;
  V w{1.0, 0, 0, 0, 0, 0, 0, 0, 0, 2.0, 0, 0, 0, 0, 0};
  EXPECT_TRUE(FarStepAllowed(w, sched));
}

TEST(Exploration, AFarStepThatImprovesKeepsTheWindowsOpen) {
  using V = std::vector<std::optional<double>>;
  FarStepSchedule sched;
  sched.stall = 5;
  sched.window = 3;
  sched.max_unpaid = 1;
  // The second far step of the first window improves (paid): the next stall opens a
  // window again, and so on for as long as they pay.
  V v{1.0, 0, 0, 0, 0, 0, 0, 3.0, 0, 0, 0, 0, 0};
  EXPECT_TRUE(FarStepAllowed(v, sched));
  // A paid window also clears an earlier unpaid one.
  V w{1.0, 0, 0, 0, 0, 0, 0, 0, 0, 2.0, 0, 0, 0, 0, 0};
  EXPECT_FALSE(FarStepAllowed(w, sched));
  V paid{1.0, 0, 0, 0, 0, 0, 0, 0, 0, 2.0, 0, 0, 0, 0, 0, 3.0, 0, 0, 0, 0, 0};
  sched.max_unpaid = 2;
  EXPECT_TRUE(FarStepAllowed(paid, sched));
  sched.max_unpaid = 1;
  EXPECT_FALSE(FarStepAllowed(paid, sched));
}

// A floor refined in the last digits is no progress: with tolerance 0.01 the values
// after 4.0 improve by at most 1e-4 of the range 0..4 and are dropped, so the stall
// counts them; a real improvement (4.5) counts again and moves the best.
TEST(Exploration, SignificantOnlyDropsImprovementsWithinTheTolerance) {
  using V = std::vector<std::optional<double>>;
  const V refining{0.0, 4.0, 4.0001, 4.0002, 4.0003, std::nullopt, 4.5, 4.5001};
  const V got = SignificantOnly(refining, 0.01);
  const V want{0.0, 4.0, std::nullopt, std::nullopt, std::nullopt, std::nullopt, 4.5, std::nullopt};
  EXPECT_EQ(got, want);
  EXPECT_EQ(ObservationsSinceImprovement(refining), 0u);
  EXPECT_EQ(ObservationsSinceImprovement(SignificantOnly(refining, 0.01)), 1u);
  EXPECT_EQ(
      ObservationsSinceImprovement(SignificantOnly(V(refining.begin(), refining.end() - 2), 0.01)),
      4u);
  EXPECT_EQ(SignificantOnly(refining, 0.0), refining);  // 0: every strict improvement
}

}  // namespace
}  // namespace sweep
