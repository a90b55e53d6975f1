// The multi-objective / constrained Bayesian strategy: registration, `where:`,
// determinism, pending trials, and that it beats random search on a two-objective
// problem, spreads along ZDT1's front and learns a constraint.
#include "search/bayes/mo_bayes_search.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "search/pareto.h"
#include "search/random_search.h"
#include "tests/search/bayes/space_fixtures.h"

namespace sweep {
namespace {

using testing::ContinuousSpace;

StrategyOptions MoOpts(uint64_t seed, size_t objectives = 2) {
  StrategyOptions o;
  o.seed = seed;
  o.has_metric = true;
  o.objectives.assign(objectives, Goal::kMinimize);
  return o;
}

// BraninCurrin (Belakaria et al. 2019, as in BoTorch's test problems), both minimised,
// on the unit square.
std::vector<double> BraninCurrin(const Config& c) {
  const double x0 = c[0].get<double>(), x1 = c[1].get<double>();
  const double u = 15 * x0 - 5, v = 15 * x1;
  const double b = std::pow(v - 5.1 / (4 * M_PI * M_PI) * u * u + 5 / M_PI * u - 6, 2) +
                   10 * (1 - 1 / (8 * M_PI)) * std::cos(u) + 10;
  const double x1s = std::max(x1, 1e-9);
  const double curr = (1 - std::exp(-1 / (2 * x1s))) *
                      (2300 * x0 * x0 * x0 + 1900 * x0 * x0 + 2092 * x0 + 60) /
                      (100 * x0 * x0 * x0 + 500 * x0 * x0 + 4 * x0 + 20);
  return {b, curr};
}

Observation Obs(uint64_t n, const Config& c, const std::vector<double>& v,
                std::vector<std::optional<double>> cons = {}) {
  Observation o;
  o.trial_number = n;
  o.config = c;
  o.value = v[0];
  for (double x : v) o.values.push_back(x);
  o.constraint_values = std::move(cons);
  return o;
}

double RunHypervolume(SearchStrategy& s, int budget) {
  std::vector<ObjectivePoint> seen;
  for (int i = 0; i < budget; ++i) {
    auto c = s.Suggest(1, {});
    EXPECT_EQ(c.size(), 1u);
    if (c.empty()) break;
    const auto v = BraninCurrin(c[0]);
    s.Observe(Obs(static_cast<uint64_t>(i), c[0], v));
    seen.push_back(v);
  }
  return Hypervolume(seen, {18.0, 6.0});  // BoTorch's reference point for BraninCurrin
}

TEST(MultiObjectiveBayes, IsWhatBayesBuildsForSeveralObjectivesOrConstraints) {
  auto s = MakeStrategy("bayes", ContinuousSpace(2), MoOpts(1));
  ASSERT_TRUE(s.ok());
  EXPECT_NE(dynamic_cast<MultiObjectiveBayes*>(s->get()), nullptr);
  StrategyOptions constrained = MoOpts(1, 1);
  constrained.constraints.push_back(MetricBound{std::nullopt, 1.0});
  s = MakeStrategy("bayes", ContinuousSpace(2), constrained);
  ASSERT_TRUE(s.ok());
  EXPECT_NE(dynamic_cast<MultiObjectiveBayes*>(s->get()), nullptr);
  StrategyOptions single = MoOpts(1, 0);
  s = MakeStrategy("bayes", ContinuousSpace(2), single);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(dynamic_cast<MultiObjectiveBayes*>(s->get()), nullptr);
}

TEST(MultiObjectiveBayes, BeatsRandomSearchOnBraninCurrin) {
  double mo = 0, rnd = 0;
  for (uint64_t seed : {1u, 2u, 3u}) {
    MultiObjectiveBayes bayes(ContinuousSpace(2), MoOpts(seed));
    RandomSearch random(ContinuousSpace(2), MoOpts(seed));
    mo += RunHypervolume(bayes, 30);
    rnd += RunHypervolume(random, 30);
  }
  EXPECT_GT(mo, rnd) << "bayes " << mo / 3 << " vs random " << rnd / 3;
}

// ZDT1 (Zitzler, Deb & Thiele 2000) on [0, 1]^6, both minimised; its front is x1.. = 0.
std::vector<double> Zdt1(const Config& c) {
  double s = 0;
  for (size_t i = 1; i < c.size(); ++i) s += c[i].get<double>();
  const double x0 = c[0].get<double>(), g = 1 + 9 * s / static_cast<double>(c.size() - 1);
  return {x0, g * (1 - std::sqrt(x0 / g))};
}

TEST(MultiObjectiveBayes, SpreadsAlongZdt1sFrontOnceItReachesIt) {
  // With the reference point taken from the front alone, the search reached the end
  // x0 = 0 and then crept along the front: hypervolume about 111 of 120.67 at 40.
  MultiObjectiveBayes s(ContinuousSpace(6), MoOpts(2));
  std::vector<ObjectivePoint> seen;
  for (int i = 0; i < 40; ++i) {
    const auto c = s.Suggest(1, {});
    ASSERT_EQ(c.size(), 1u);
    seen.push_back(Zdt1(c[0]));
    s.Observe(Obs(static_cast<uint64_t>(i), c[0], seen.back()));
  }
  EXPECT_GT(Hypervolume(seen, {11.0, 11.0}), 118.0);  // BoTorch's reference point
}

TEST(MultiObjectiveBayes, IsDeterministicAndNeverRepeatsAPendingConfiguration) {
  MultiObjectiveBayes a(ContinuousSpace(2), MoOpts(9)), b(ContinuousSpace(2), MoOpts(9));
  std::vector<Config> pending;
  for (int i = 0; i < 12; ++i) {
    auto ca = a.Suggest(1, {}), cb = b.Suggest(1, {});
    ASSERT_EQ(ca, cb);
    a.Observe(Obs(i, ca[0], BraninCurrin(ca[0])));
    b.Observe(Obs(i, cb[0], BraninCurrin(cb[0])));
  }
  // Three workers asking at once with two trials running: five distinct configurations.
  pending = a.Suggest(2, {});
  auto batch = a.Suggest(3, pending);
  ASSERT_EQ(batch.size(), 3u);
  std::set<std::string> keys;
  for (const auto& c : pending) keys.insert(ConfigKey(c));
  for (const auto& c : batch) keys.insert(ConfigKey(c));
  EXPECT_EQ(keys.size(), 5u);
}

TEST(MultiObjectiveBayes, SuggestsOnlyWhatWhereAdmits) {
  SearchSpace space = ContinuousSpace(2);
  space.where = std::get<std::shared_ptr<const WhereExpr>>(WhereExpr::Parse("x0 + x1 <= 0.8"));
  MultiObjectiveBayes s(space, MoOpts(4));
  for (int i = 0; i < 20; ++i) {
    auto c = s.Suggest(1, {});
    ASSERT_EQ(c.size(), 1u);
    EXPECT_LE(c[0][0].get<double>() + c[0][1].get<double>(), 0.8 + 1e-12);
    s.Observe(Obs(i, c[0], BraninCurrin(c[0])));
  }
}

TEST(MultiObjectiveBayes, LearnsWhereTheConstraintHolds) {
  // Feasible only where x0 < 0.3 (the constrained metric is x0 itself).
  StrategyOptions o = MoOpts(5);
  o.constraints.push_back(MetricBound{std::nullopt, 0.3});
  MultiObjectiveBayes s(ContinuousSpace(2), o);
  int feasible_late = 0;
  for (int i = 0; i < 30; ++i) {
    auto c = s.Suggest(1, {});
    ASSERT_EQ(c.size(), 1u);
    const double x0 = c[0][0].get<double>();
    if (i >= 20 && x0 <= 0.3) ++feasible_late;
    s.Observe(Obs(i, c[0], BraninCurrin(c[0]), {x0}));
  }
  EXPECT_GE(feasible_late, 7) << "of the last 10 suggestions";
}

TEST(MultiObjectiveBayes, SurvivesFailedTrialsAndMissingValues) {
  MultiObjectiveBayes s(ContinuousSpace(2), MoOpts(6));
  for (int i = 0; i < 15; ++i) {
    auto c = s.Suggest(1, {});
    ASSERT_EQ(c.size(), 1u);
    Observation o = Obs(i, c[0], BraninCurrin(c[0]));
    if (i % 3 == 0) o.outcome = Outcome::kFailed;
    if (i % 4 == 0) o.values[1].reset();
    if (i % 5 == 0) o.values[0] = NAN;
    s.Observe(o);
  }
  EXPECT_EQ(s.Suggest(2, {}).size(), 2u);
}

}  // namespace
}  // namespace sweep
