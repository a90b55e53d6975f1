// Per-branch search of conditional spaces (search/bayes/branches.h): which
// parameters are roots, how many parameters each branch makes live, where a point
// lies, and the strategy-level behaviour: a branch that looks worse early is still
// searched, so a better optimum behind it is found within a small budget, and no
// suggestion ever carries an inactive parameter. The default bayes takes the
// branch step in every space with branches, with a model per branch where the
// branches are disjoint (BranchPlan::Disjoint).
#include "search/bayes/branches.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "search/bayes/bayes_search.h"
#include "search/bayes/unit_cube.h"
#include "search/strategy.h"
#include "tests/search/bayes/space_fixtures.h"

namespace sweep {
namespace {

using testing::MakeCategorical;
using testing::MakeParam;
using testing::When;

// branch a: a 2-D bowl whose floor is 0.3; branch b: a narrower 3-D bowl down to 0.
SearchSpace TwoBranchSpace() {
  SearchSpace s;
  s.params = {MakeCategorical("branch", {Value("a"), Value("b")}),
              MakeParam("a1", Distribution::kUniform),
              MakeParam("a2", Distribution::kUniform),
              MakeParam("b1", Distribution::kUniform),
              MakeParam("b2", Distribution::kUniform),
              MakeParam("b3", Distribution::kUniform)};
  for (const char* p : {"a1", "a2"}) When(s, p, "branch", {Value("a")});
  for (const char* p : {"b1", "b2", "b3"}) When(s, p, "branch", {Value("b")});
  return s;
}

double TwoBranchObjective(const Value& flat) {
  auto sq = [](double v) { return v * v; };
  if (flat["branch"] == "a")
    return 0.3 + sq(flat["a1"].get<double>() - 0.3) + sq(flat["a2"].get<double>() - 0.6);
  return 4 * (sq(flat["b1"].get<double>() - 0.7) + sq(flat["b2"].get<double>() - 0.2) +
              sq(flat["b3"].get<double>() - 0.8));
}

TEST(BranchPlan, OneBranchPerValueOfEachRootWithItsLiveParameters) {
  const SearchSpace s = TwoBranchSpace();
  UnitCube cube(s);
  BranchPlan plan(s, cube);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan.LiveParams(0), 2);  // a1, a2
  EXPECT_EQ(plan.LiveParams(1), 3);  // b1, b2, b3
  EXPECT_TRUE(plan.Disjoint());      // no parameter lives in both branches
  Config a = {Value("a"), Value(0.1), Value(0.2), Value(), Value(), Value()};
  Config b = {Value("b"), Value(), Value(), Value(0.1), Value(0.2), Value(0.3)};
  EXPECT_EQ(plan.BranchOf(cube.Encode(a)), 0u);
  EXPECT_EQ(plan.BranchOf(cube.Encode(b)), 1u);
  // A point lifted with a branch's pins decodes into that branch.
  for (size_t br = 0; br < 2; ++br) {
    Eigen::VectorXd u = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(cube.ParamDims()), 0.4);
    for (const auto& [j, v] : plan.Pins(br)) u[j] = v;
    EXPECT_EQ(cube.Decode(cube.FromParamUnit(u))[0], br == 0 ? Value("a") : Value("b"));
  }
}

TEST(BranchPlan, ChainsCountWhatEachBranchCanMakeLive) {
  SearchSpace s;
  s.params = {MakeCategorical("depth", {Value(1), Value(2), Value(3)}),
              MakeParam("dropout", Distribution::kUniform),
              MakeParam("w1", Distribution::kUniform),
              MakeParam("w2", Distribution::kUniform),
              MakeParam("w3", Distribution::kUniform),
              MakeCategorical("act", {Value("relu"), Value("tanh")}),
              MakeParam("slope", Distribution::kUniform)};
  When(s, "w2", "depth", {Value(2), Value(3)});
  When(s, "w3", "depth", {Value(3)});
  When(s, "act", "depth", {Value(3)});
  When(s, "slope", "act", {Value("relu")});  // a chain below a non-root parent
  UnitCube cube(s);
  BranchPlan plan(s, cube);
  ASSERT_EQ(plan.size(), 3u);        // `act` is conditional, so it is not a root
  EXPECT_EQ(plan.LiveParams(0), 2);  // dropout, w1
  EXPECT_EQ(plan.LiveParams(1), 3);  // + w2
  EXPECT_EQ(plan.LiveParams(2), 6);  // + w3, act, slope
  EXPECT_FALSE(plan.Disjoint());     // w2 lives at depths 2 and 3: one shared model
}

// Each branch's own model sees only its live parameters: the sub-space drops the
// roots and the other branches' parameters, and points map there and back exactly.
TEST(BranchPlan, EachBranchHasItsOwnSubSpaceAndPointsMapBothWays) {
  const SearchSpace s = TwoBranchSpace();
  UnitCube cube(s);
  BranchPlan plan(s, cube);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan.BranchCube(0).ParamDims(), 2u);  // a1, a2
  EXPECT_EQ(plan.BranchCube(1).ParamDims(), 3u);  // b1, b2, b3
  EXPECT_EQ(plan.BranchCube(1).ModelDims(), 3u);  // no one-hot block for the root
  const Config b = {Value("b"), Value(), Value(), Value(0.1), Value(0.2), Value(0.3)};
  const Eigen::VectorXd xb = plan.ToBranch(1, cube.Encode(b), cube);
  ASSERT_EQ(xb.size(), 3);
  EXPECT_NEAR(xb[0], 0.1, 1e-12);
  EXPECT_NEAR(xb[2], 0.3, 1e-12);
  EXPECT_EQ(plan.FromBranch(1, xb, cube), cube.Encode(b));
  // Any point of a branch's cube lifts to a canonical configuration of that branch.
  const Config lifted = cube.Decode(plan.FromBranch(0, Eigen::Vector2d(0.25, 0.75), cube));
  EXPECT_EQ(lifted[0], Value("a"));
  EXPECT_NEAR(lifted[1].get<double>(), 0.25, 1e-12);
  EXPECT_TRUE(lifted[3].is_null() && lifted[4].is_null() && lifted[5].is_null());
}

TEST(BranchPlan, ChainsBelowARootStayConditionalInsideTheBranch) {
  SearchSpace s;
  s.params = {MakeCategorical("model", {Value("linear"), Value("mlp")}),
              MakeParam("lr", Distribution::kUniform),  // shared by both branches
              MakeParam("l2", Distribution::kUniform),
              MakeCategorical("act", {Value("relu"), Value("leaky")}),
              MakeParam("slope", Distribution::kUniform)};
  When(s, "l2", "model", {Value("linear")});
  When(s, "act", "model", {Value("mlp")});
  When(s, "slope", "act", {Value("leaky")});
  UnitCube cube(s);
  BranchPlan plan(s, cube);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan.BranchCube(0).ParamDims(), 2u);  // lr, l2
  EXPECT_EQ(plan.BranchCube(1).ParamDims(), 3u);  // lr, act, slope
  // Inside the mlp branch, slope is live only with act = leaky, as in the full space.
  const Config relu = {Value("mlp"), Value(0.5), Value(), Value("relu"), Value()};
  const Config leaky = {Value("mlp"), Value(0.5), Value(), Value("leaky"), Value(0.9)};
  for (const Config& c : {relu, leaky}) {
    const Eigen::VectorXd x = cube.Encode(c);
    EXPECT_EQ(cube.Decode(plan.FromBranch(1, plan.ToBranch(1, x, cube), cube)), c);
  }
}

TEST(BranchPlan, EmptyWithoutARootThatHasChildren) {
  SearchSpace plain;
  plain.params = {MakeCategorical("opt", {Value("sgd"), Value("adam")}),
                  MakeParam("x", Distribution::kUniform)};
  EXPECT_EQ(BranchPlan(plain, UnitCube(plain)).size(), 0u);
  // 5 roots of 3 values each: 243 branches, more than kMaxBranches.
  SearchSpace wide;
  for (int r = 0; r < 5; ++r) {
    const std::string root = "r" + std::to_string(r), child = "c" + std::to_string(r);
    wide.params.push_back(MakeCategorical(root, {Value(0), Value(1), Value(2)}));
    wide.params.push_back(MakeParam(child, Distribution::kUniform));
    When(wide, child, root, {Value(0)});
  }
  EXPECT_EQ(BranchPlan(wide, UnitCube(wide)).size(), 0u);
}

// Runs bayes sequentially on TwoBranchSpace; returns the best value after `budget`
// and counts the trials per branch. Fails the test on an inactive parameter.
double RunTwoBranch(uint64_t seed, int budget, std::map<std::string, int>& per_branch) {
  const SearchSpace s = TwoBranchSpace();
  StrategyOptions o;
  o.seed = seed;
  o.has_metric = true;
  auto bayes = std::make_unique<BayesSearch>(s, o, BayesOptions{});  // disjoint: per branch
  double best = INFINITY;
  for (int i = 0; i < budget; ++i) {
    std::vector<Config> got = bayes->Suggest(1, {});
    EXPECT_EQ(got.size(), 1u);
    if (got.empty()) break;
    const std::vector<bool> live = s.ActiveMask(got[0]);
    for (size_t k = 0; k < live.size(); ++k)
      EXPECT_NE(live[k], got[0][k].is_null()) << s.params[k].name << " at trial " << i;
    const Value flat = s.ToFlat(got[0]);
    ++per_branch[flat["branch"].get<std::string>()];
    Observation obs;
    obs.trial_number = static_cast<uint64_t>(i);
    obs.config = got[0];
    obs.value = TwoBranchObjective(flat);
    best = std::min(best, *obs.value);
    bayes->Observe(obs);
  }
  return best;
}

// Every seed: each branch gets at least its exploration budget. On fixed seeds 1 and
// 2 the better branch's optimum is approached within 40 trials (not on every seed:
// 4 of seeds 1-6 reach 0.1).
TEST(ConditionalBayesBranches, EveryBranchGetsItsBudgetAndTheBetterOneIsFound) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    std::map<std::string, int> per_branch;
    const double best = RunTwoBranch(seed, 40, per_branch);
    // Branch a cannot go below 0.3; reaching 0.1 means branch b was searched properly.
    if (seed <= 2) {
      EXPECT_LT(best, 0.1) << "seed " << seed;
    }
    // Branch b's exploration budget: half of the trials split 3:4 by live parameters + 1.
    EXPECT_GE(per_branch["b"], static_cast<int>(0.5 * 40 * 4 / 7) - 1) << "seed " << seed;
    EXPECT_GE(per_branch["a"], 3) << "seed " << seed;
  }
}

// Branch b is flat (1.0) except for one narrow basin down to 0, so its first trials
// all look alike and its GP is sure it cannot beat branch a's floor of 0.3; branch a
// converges quickly. Once the best stalls, the trials go to b (the branch with the
// fewest trials for its weight) by EI on its own best, so b gets well past its budget
// share and, on fixed seeds 1 and 2, its basin is found within 60 trials.
double FlatBranchObjective(const Value& flat) {
  auto sq = [](double v) { return v * v; };
  if (flat["branch"] == "a")
    return 0.3 + sq(flat["a1"].get<double>() - 0.3) + sq(flat["a2"].get<double>() - 0.6);
  const double r2 = sq(flat["b1"].get<double>() - 0.75) + sq(flat["b2"].get<double>() - 0.2) +
                    sq(flat["b3"].get<double>() - 0.7);
  return 1.0 - std::exp(-r2 / (2 * 0.15 * 0.15));
}

TEST(ConditionalBayesBranches, AFlatLookingBranchIsSearchedOnceTheLeaderStalls) {
  const SearchSpace s = TwoBranchSpace();
  for (uint64_t seed : {1u, 2u, 3u}) {
    StrategyOptions o;
    o.seed = seed;
    o.has_metric = true;
    BayesSearch bayes(s, o);
    double best = INFINITY;
    int in_b = 0;
    for (uint64_t i = 0; i < 60; ++i) {
      const std::vector<Config> got = bayes.Suggest(1, {});
      ASSERT_EQ(got.size(), 1u);
      const Value flat = s.ToFlat(got[0]);
      in_b += flat["branch"] == "b";
      Observation obs;
      obs.trial_number = i;
      obs.config = got[0];
      obs.value = FlatBranchObjective(flat);
      best = std::min(best, *obs.value);
      bayes.Observe(obs);
    }
    // Budget share alone: 0.5 * 60 * 4 / 7 = 17 trials.
    EXPECT_GE(in_b, 24) << "seed " << seed;
    if (seed <= 2) {  // not every seed: seed 3 ends on branch a's floor
      EXPECT_LT(best, 0.3) << "seed " << seed;
    }
  }
}

// A warm start's prior counts toward the branch budgets like the sweep's own trials:
// after 20 earlier trials that all lie in branch a, branch b, never tried, is owed
// its share and is searched first; a sweep that ignored the prior, or redid its
// initial design, would split its first trials between the branches.
TEST(ConditionalBayesBranches, AWarmStartsPriorCountsTowardTheBranchBudgets) {
  const SearchSpace s = TwoBranchSpace();
  std::vector<Observation> prior;
  for (uint64_t i = 0; i < 20; ++i) {
    const double a1 = std::fmod(0.5 + 0.6180339887 * static_cast<double>(i), 1.0);
    const double a2 = std::fmod(0.5 + 0.7548776662 * static_cast<double>(i), 1.0);
    Observation obs;
    obs.trial_number = (1ull << 62) + i;
    obs.config = {Value("a"), Value(a1), Value(a2), Value(), Value(), Value()};
    obs.value = TwoBranchObjective(s.ToFlat(obs.config));
    prior.push_back(std::move(obs));
  }
  StrategyOptions o;
  o.seed = 3;
  o.has_metric = true;
  BayesSearch bayes(s, o);
  bayes.Replay(prior);
  for (uint64_t i = 0; i < 3; ++i) {
    const std::vector<Config> got = bayes.Suggest(1, {});
    ASSERT_EQ(got.size(), 1u);
    const Value flat = s.ToFlat(got[0]);
    EXPECT_EQ(flat["branch"], "b") << "suggestion " << i;
    Observation obs;
    obs.trial_number = i;
    obs.config = got[0];
    obs.value = TwoBranchObjective(flat);
    bayes.Observe(obs);
  }
}

// Depths 1-3 whose widths are shared between depths (w2 is live at depths 2 and 3),
// so the branches are not disjoint and share one model; the deeper net is better
// (floors 0.6, 0.3 and 0), but only with every width near its depth's optimum.
SearchSpace DepthSpace() {
  SearchSpace s;
  s.params = {MakeCategorical("depth", {Value(1), Value(2), Value(3)}),
              MakeParam("w1", Distribution::kUniform), MakeParam("w2", Distribution::kUniform),
              MakeParam("w3", Distribution::kUniform)};
  When(s, "w2", "depth", {Value(2), Value(3)});
  When(s, "w3", "depth", {Value(3)});
  return s;
}

double DepthObjective(const Value& flat) {
  const int depth = flat["depth"].get<int>();
  double v = 0.3 * (3 - depth);
  for (int i = 1; i <= depth; ++i) {
    const double z = flat["w" + std::to_string(i)].get<double>() - (0.1 + 0.2 * i);
    v += 4 * z * z;
  }
  return v;
}

// A prior that converged on depth 2's floor, with a few poor trials at depths 1 and 3
// (as a sweep that locked into depth 2 leaves behind): the shared model is sure that
// depth 3 is worse, so EI alone keeps refining depth 2's floor in the last digits.
// Depth 3, below its budget share (0.5 x 30 x 4 / 9 = 6.7 trials, it has 4), is
// searched next, and its floor, below depth 2's, is found within 20 trials.
TEST(ConditionalBayesBranches, ASharedModelSpaceStillSearchesTheBranchItOwes) {
  const SearchSpace s = DepthSpace();
  UnitCube cube(s);
  ASSERT_FALSE(BranchPlan(s, cube).Disjoint());
  std::vector<Observation> prior;
  auto add = [&](Config c) {
    Observation obs;
    obs.trial_number = (1ull << 62) + prior.size();
    obs.value = DepthObjective(s.ToFlat(c));
    obs.config = std::move(c);
    prior.push_back(std::move(obs));
  };
  for (double w : {0.05, 0.6, 0.95}) add({Value(1), Value(w), Value(), Value()});
  for (double w : {0.0, 0.2, 0.9, 1.0}) add({Value(3), Value(w), Value(1.0 - w), Value(w)});
  for (int i = 0; i < 23; ++i) {  // closing in on depth 2's optimum (0.3, 0.5)
    const double r = 0.3 / (1 + i), t = 2.3999632 * i;
    add({Value(2), Value(0.3 + r * std::cos(t)), Value(0.5 + r * std::sin(t)), Value()});
  }
  StrategyOptions o;
  o.seed = 5;
  o.has_metric = true;
  BayesSearch bayes(s, o);
  bayes.Replay(prior);
  int deep = 0;
  double best = INFINITY;
  for (uint64_t i = 0; i < 20; ++i) {
    const std::vector<Config> got = bayes.Suggest(1, {});
    ASSERT_EQ(got.size(), 1u);
    const Value flat = s.ToFlat(got[0]);
    if (i < 5) deep += flat["depth"] == 3;
    Observation obs;
    obs.trial_number = i;
    obs.config = got[0];
    obs.value = DepthObjective(flat);
    best = std::min(best, *obs.value);
    bayes.Observe(obs);
  }
  EXPECT_GE(deep, 3);    // owed 2.7 trials
  EXPECT_LT(best, 0.2);  // depth 2 cannot go below 0.3
}

// branin_hart of bench/conditional_problems.h on the unit cube: branch a, Branin scaled
// to a floor of 0.2398 that is reached within a dozen trials; branch b, Hartmann-3
// scaled to [0, 4], flat near 3-4 over most of its cube, with local minima at 0.80,
// 0.91 and 2.96 and its global basin below 0.2398 on 0.7% of the cube.
double BraninHartmann(const Value& flat) {
  if (flat["branch"] == "a") {
    const double x1 = -5 + 15 * flat["a1"].get<double>(), x2 = 15 * flat["a2"].get<double>();
    const double b = 5.1 / (4 * M_PI * M_PI), c = 5 / M_PI, t = 1 / (8 * M_PI);
    return 0.2 +
           (std::pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * std::cos(x1) + 10) / 10;
  }
  static const double a[4][3] = {{3, 10, 30}, {0.1, 10, 35}, {3, 10, 30}, {0.1, 10, 35}};
  static const double pm[4][3] = {{0.3689, 0.1170, 0.2673},
                                  {0.4699, 0.4387, 0.7470},
                                  {0.1091, 0.8732, 0.5547},
                                  {0.0381, 0.5743, 0.8828}};
  static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
  const double y[3] = {flat["b1"].get<double>(), flat["b2"].get<double>(),
                       flat["b3"].get<double>()};
  double h = 0;
  for (int i = 0; i < 4; ++i) {
    double e = 0;
    for (int j = 0; j < 3; ++j) e += a[i][j] * std::pow(y[j] - pm[i][j], 2);
    h -= alpha[i] * std::exp(-e);
  }
  return (h + 3.86278) / 3.86278 * 4;
}

// The better branch's basin is found within 40 trials in most seeds, although the
// leader converges first and the better branch has local minima of its own: the
// leader's last-digit refinements do not hold off the stalled-leader pulls, and a
// branch stuck in a local minimum restarts far from its rows (branches.h). Seeds
// 400-419 (none of bench/RESULTS.md's): 16 of 20 reach below branch a's floor; 10
// of 20 without the two rules (the commit before them), as in the bench's 49/100 on
// seeds 100-199.
TEST(ConditionalBayesBranches, TheBetterBranchsBasinIsFoundPastItsLocalMinima) {
  const SearchSpace s = TwoBranchSpace();
  int reached = 0;
  for (uint64_t seed = 400; seed < 420; ++seed) {
    StrategyOptions o;
    o.seed = seed;
    o.has_metric = true;
    BayesSearch bayes(s, o);
    double best = INFINITY;
    for (uint64_t i = 0; i < 40; ++i) {
      const std::vector<Config> got = bayes.Suggest(1, {});
      ASSERT_EQ(got.size(), 1u);
      Observation obs;
      obs.trial_number = i;
      obs.config = got[0];
      obs.value = BraninHartmann(s.ToFlat(got[0]));
      best = std::min(best, *obs.value);
      bayes.Observe(obs);
    }
    reached += best < 0.23979;
  }
  EXPECT_GE(reached, 14);
}

}  // namespace
}  // namespace sweep
