#include "search/bayes/bayes_search.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>

#include "tests/search/bayes/space_fixtures.h"

namespace sweep {
namespace {

using testing::ContinuousSpace;
using testing::MakeCategorical;
using testing::MakeParam;

// One single-objective observation (named fields: Observation has more members).
Observation Obs(uint64_t n, Config c, Outcome outcome, std::optional<double> value) {
  Observation o;
  o.trial_number = n;
  o.config = std::move(c);
  o.outcome = outcome;
  o.value = value;
  return o;
}

double Quadratic(const Config& c) {
  double x = c[0].get<double>(), y = c[1].get<double>();
  return (x - 0.3) * (x - 0.3) + 2 * (y - 0.7) * (y - 0.7);
}

StrategyOptions Opts(uint64_t seed, Goal goal = Goal::kMinimize) {
  StrategyOptions o;
  o.seed = seed;
  o.goal = goal;
  o.has_metric = true;
  return o;
}

// Runs `steps` sequential ask/tell rounds; returns the history.
std::vector<Observation> Drive(SearchStrategy& s, int steps, double (*f)(const Config&),
                               bool negate = false) {
  std::vector<Observation> history;
  for (int i = 0; i < steps; ++i) {
    std::vector<Config> c = s.Suggest(1, {});
    EXPECT_EQ(c.size(), 1u);
    if (c.empty()) break;
    double v = f(c[0]);
    Observation obs =
        Obs(static_cast<uint64_t>(history.size()), c[0], Outcome::kFinished, negate ? -v : v);
    s.Observe(obs);
    history.push_back(obs);
  }
  return history;
}

void ExpectFiniteNumbers(const std::vector<Config>& configs) {
  for (const Config& c : configs)
    for (const Value& v : c)
      if (v.is_number()) {
        EXPECT_TRUE(std::isfinite(v.get<double>()));
      }
}

// A warm start (sweep launch --warm-start) replays earlier sweeps' finished trials,
// numbered after the sweep's own, before the first ask. Those observations count
// toward the initial design: with more of them than the design needs, the first
// suggestions already come from the model, as they would in a sweep that had run
// them itself, instead of spending the new trials on a fresh random design.
TEST(BayesSearch, AWarmStartContinuesFromItsPriorInsteadOfRedoingTheDesign) {
  std::vector<Observation> prior;
  for (uint64_t i = 0; i < 30; ++i) {  // a Kronecker sequence: spread, deterministic
    const double x = std::fmod(0.5 + 0.6180339887 * static_cast<double>(i), 1.0);
    const double y = std::fmod(0.5 + 0.7548776662 * static_cast<double>(i), 1.0);
    Config c = {Value(x), Value(y)};
    const double v = Quadratic(c);
    prior.push_back(Obs((1ull << 62) + i, std::move(c), Outcome::kFinished, v));
  }
  BayesSearch warm(ContinuousSpace(2), Opts(7));
  warm.Replay(prior);
  BayesSearch cold(ContinuousSpace(2), Opts(7));
  for (uint64_t i = 0; i < 3; ++i) {
    const Config w = warm.Suggest(1, {})[0];
    const Config c = cold.Suggest(1, {})[0];
    EXPECT_NE(ConfigKey(w), ConfigKey(c)) << "suggestion " << i << " is the cold design's";
    // The minimum of Quadratic is at (0.3, 0.7); 30 spread points pin it down.
    EXPECT_LT(std::hypot(w[0].get<double>() - 0.3, w[1].get<double>() - 0.7), 0.1)
        << "suggestion " << i << ": " << ConfigKey(w);
    warm.Observe(Obs(i, w, Outcome::kFinished, Quadratic(w)));
    cold.Observe(Obs(i, c, Outcome::kFinished, Quadratic(c)));
  }
}

TEST(BayesSearch, IsRegisteredAsBayes) {
  auto s = MakeStrategy("bayes", ContinuousSpace(2), Opts(1));
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE((*s)->Exhausted());
}

TEST(BayesSearch, ConvergesOnASmoothMinimum) {
  BayesSearch s(ContinuousSpace(2), Opts(3));
  std::vector<Observation> h = Drive(s, 25, Quadratic);
  double best = std::numeric_limits<double>::infinity();
  for (const auto& o : h) best = std::min(best, *o.value);
  EXPECT_LT(best, 1e-3);
}

TEST(BayesSearch, MaximizeGoalIsHandledBySign) {
  BayesSearch s(ContinuousSpace(2), Opts(3, Goal::kMaximize));
  std::vector<Observation> h = Drive(s, 25, Quadratic, /*negate=*/true);
  double best = -std::numeric_limits<double>::infinity();
  for (const auto& o : h) best = std::max(best, *o.value);
  EXPECT_GT(best, -1e-3);
}

TEST(BayesSearch, PendingPointsNeverGetDuplicates) {
  BayesSearch s(ContinuousSpace(3), Opts(5));
  Drive(s, 12, Quadratic);
  std::vector<Config> pending = s.Suggest(4, {});
  ASSERT_EQ(pending.size(), 4u);
  std::vector<Config> next = s.Suggest(4, pending);
  ASSERT_EQ(next.size(), 4u);
  std::set<std::string> keys;
  for (const auto& c : pending) keys.insert(ConfigKey(c));
  for (const auto& c : next) keys.insert(ConfigKey(c));
  EXPECT_EQ(keys.size(), 8u);
  // Kriging believer spreads the batch: no two suggestions collapse onto one point.
  for (size_t i = 0; i < next.size(); ++i)
    for (size_t j = 0; j < pending.size(); ++j) {
      double d = 0;
      for (size_t k = 0; k < 3; ++k)
        d += std::pow(next[i][k].get<double>() - pending[j][k].get<double>(), 2);
      EXPECT_GT(d, 1e-8);
    }
}

// A sweep that states its budget (run_cap) gets at most half of it as the design: in 9-D
// at budget 20 the model takes over after 10 trials (2 d + 1 would be 19), exactly as if
// the design size had been set to 10; without a budget the 11th trial is still design.
TEST(BayesSearch, AKnownBudgetShortensTheInitialDesign) {
  auto run = [](std::optional<uint64_t> budget, int design) {
    StrategyOptions o = Opts(5);
    o.budget = budget;
    BayesOptions b;
    b.initial_design = design;
    BayesSearch s(ContinuousSpace(9), o, b);
    std::vector<std::string> keys;
    for (const Observation& obs : Drive(s, 11, [](const Config& c) {
           double v = 0;
           for (const Value& x : c) v += (x.get<double>() - 0.3) * (x.get<double>() - 0.3);
           return v;
         }))
      keys.push_back(ConfigKey(obs.config));
    return keys;
  };
  const std::vector<std::string> budgeted = run(20, 0), ten = run(std::nullopt, 10),
                                 open = run(std::nullopt, 0), long_run = run(1000, 0);
  EXPECT_EQ(budgeted, ten);
  EXPECT_EQ(open, long_run);
  ASSERT_EQ(budgeted.size(), 11u);
  ASSERT_EQ(open.size(), 11u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(budgeted[i], open[i]);  // the same Sobol' points
  EXPECT_NE(budgeted[10], open[10]);  // the model's step against the design's next point
}

TEST(BayesSearch, ABatchCrossingTheInitialDesignStaysDistinct) {
  BayesOptions opt;
  opt.initial_design = 3;
  BayesSearch s(ContinuousSpace(2), Opts(8), opt);
  std::vector<Config> first = s.Suggest(3, {});
  for (uint64_t i = 0; i < 2; ++i)
    s.Observe(Obs(i, first[i], Outcome::kFinished, Quadratic(first[i])));
  std::vector<Config> batch = s.Suggest(6, {first[2]});
  ASSERT_EQ(batch.size(), 6u);
  std::set<std::string> keys = {ConfigKey(first[0]), ConfigKey(first[1]), ConfigKey(first[2])};
  for (const Config& c : batch) EXPECT_TRUE(keys.insert(ConfigKey(c)).second);
}

TEST(BayesSearch, SameSeedAndHistoryGiveTheSameSuggestion) {
  BayesSearch a(ContinuousSpace(2), Opts(11)), b(ContinuousSpace(2), Opts(11));
  std::vector<Observation> ha = Drive(a, 14, Quadratic);
  std::vector<Observation> hb = Drive(b, 14, Quadratic);
  for (size_t i = 0; i < ha.size(); ++i)
    EXPECT_EQ(ConfigKey(ha[i].config), ConfigKey(hb[i].config));
  BayesSearch resumed(ContinuousSpace(2), Opts(11));
  resumed.Replay(ha);
  EXPECT_EQ(ConfigKey(resumed.Suggest(1, {})[0]), ConfigKey(a.Suggest(1, {})[0]));
  BayesSearch other(ContinuousSpace(2), Opts(12));
  other.Replay(ha);
  EXPECT_NE(ConfigKey(other.Suggest(1, {})[0]), ConfigKey(b.Suggest(1, {})[0]));
}

TEST(BayesSearch, StaysFiniteOnDegenerateObservations) {
  const double inf = std::numeric_limits<double>::infinity();
  BayesOptions one;
  one.initial_design = 1;
  {  // a single observation
    BayesSearch s(ContinuousSpace(2), Opts(1), one);
    Config c = s.Suggest(1, {})[0];
    s.Observe(Obs(0, c, Outcome::kFinished, 4.0));
    ExpectFiniteNumbers(s.Suggest(3, {}));
  }
  {  // all outputs equal, the same point observed many times, inf and huge values
    BayesSearch s(ContinuousSpace(2), Opts(2), one);
    Config same = {0.5, 0.5};
    for (uint64_t i = 0; i < 6; ++i) s.Observe(Obs(i, same, Outcome::kFinished, 1.0));
    std::vector<Config> c = s.Suggest(2, {});
    ASSERT_EQ(c.size(), 2u);
    ExpectFiniteNumbers(c);
    s.Observe(Obs(6, c[0], Outcome::kFinished, inf));
    s.Observe(Obs(7, c[1], Outcome::kFinished, -1e300));
    s.Observe(Obs(8, {0.1, 0.9}, Outcome::kFinished, NAN));
    std::vector<Config> d = s.Suggest(4, {c[0]});
    EXPECT_EQ(d.size(), 4u);
    ExpectFiniteNumbers(d);
  }
}

TEST(BayesSearch, FailedTrialsAreImputedAsWorst) {
  BayesOptions opt;
  opt.initial_design = 1;
  BayesSearch s(ContinuousSpace(1), Opts(4), opt);
  // The left half crashes; on the right the objective is flat-ish.
  for (uint64_t i = 0; i < 10; ++i) {
    double x = (i + 0.5) / 10;
    bool crash = x < 0.5;
    s.Observe(Obs(i, {x}, crash ? Outcome::kFailed : Outcome::kFinished,
                  crash ? std::optional<double>() : std::optional<double>(1.0 - 0.1 * x)));
  }
  int right = 0;
  for (const Config& c : s.Suggest(5, {})) right += c[0].get<double>() >= 0.45;
  EXPECT_GE(right, 4);
}

TEST(BayesSearch, FiniteSpacesAreExhaustedWithoutRepeats) {
  SearchSpace space;
  Parameter n = MakeParam("n", Distribution::kIntUniform, 1, 4);
  n.integer = true;
  space.params.push_back(n);
  space.params.push_back(MakeCategorical("act", {"relu", "tanh", "gelu"}));
  BayesSearch s(space, Opts(9));
  std::set<std::string> seen;
  for (uint64_t i = 0; i < 12; ++i) {
    std::vector<Config> c = s.Suggest(1, {});
    ASSERT_EQ(c.size(), 1u) << "step " << i;
    EXPECT_TRUE(seen.insert(ConfigKey(c[0])).second);
    double v = c[0][0].get<double>() + (c[0][1] == "tanh" ? 0 : 2);
    s.Observe(Obs(i, c[0], Outcome::kFinished, v));
  }
  EXPECT_TRUE(s.Exhausted());
  EXPECT_TRUE(s.Suggest(1, {}).empty());
}

TEST(BayesSearch, WithoutAMetricKeepsExploringDistinctPoints) {
  StrategyOptions o = Opts(2);
  o.has_metric = false;
  BayesSearch s(ContinuousSpace(3), o);
  std::set<std::string> seen;
  for (uint64_t i = 0; i < 40; ++i) {
    Config c = s.Suggest(1, {})[0];
    EXPECT_TRUE(seen.insert(ConfigKey(c)).second);
    s.Observe(Obs(i, c, Outcome::kFinished, std::nullopt));
  }
}

}  // namespace
}  // namespace sweep
