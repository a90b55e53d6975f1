// Conditional spaces (`when:`) through every strategy: grid enumerates exactly the live
// combinations, random and bayes never emit an inactive parameter (property tests
// over many suggestions), and the flat/nested layouts leave inactive ones out.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "search/bayes/bayes_search.h"
#include "search/grid_search.h"
#include "search/random_search.h"
#include "search/search_space.h"
#include "search/space_fit.h"
#include "search/strategy.h"
#include "tests/search/bayes/space_fixtures.h"

namespace sweep {
namespace {

using testing::When;

Parameter Categorical(const std::string& name, std::vector<Value> values) {
  Parameter p;
  p.name = name;
  p.path = {name};
  p.distribution = Distribution::kCategorical;
  p.values = std::move(values);
  return p;
}

Parameter Uniform(const std::string& name, double lo, double hi) {
  Parameter p;
  p.name = name;
  p.path = {name};
  p.distribution = Distribution::kUniform;
  p.min = lo;
  p.max = hi;
  return p;
}

Parameter IntUniform(const std::string& name, int lo, int hi) {
  Parameter p = Uniform(name, lo, hi);
  p.distribution = Distribution::kIntUniform;
  p.integer = true;
  return p;
}

// lr x (sgd x momentum{1..4} + adam x beta2{3 values}) = 2 x 7 = 14 live points. The
// children come before their parent, so the grid walk cannot skip by blocks there.
SearchSpace DiscreteSpace() {
  SearchSpace s;
  s.params = {IntUniform("momentum", 1, 4), Categorical("lr", {Value(0.1), Value(0.01)}),
              Categorical("optimizer", {Value("sgd"), Value("adam")}),
              Categorical("beta2", {Value(0.9), Value(0.99), Value(0.999)})};
  When(s, "momentum", "optimizer", {Value("sgd")});
  When(s, "beta2", "optimizer", {Value("adam")});
  return s;
}

// Branches with continuous children, a chain (nesterov_boost only for sgd + nesterov).
SearchSpace ContinuousSpace() {
  SearchSpace s;
  s.params = {Categorical("optimizer", {Value("sgd"), Value("adam")}),
              Uniform("lr", 1e-4, 1e-1),
              Uniform("momentum", 0.0, 0.99),
              Categorical("nesterov", {Value(true), Value(false)}),
              Uniform("nesterov_boost", 0.0, 1.0),
              Uniform("beta2", 0.9, 0.9999)};
  When(s, "momentum", "optimizer", {Value("sgd")});
  When(s, "nesterov", "optimizer", {Value("sgd")});
  When(s, "nesterov_boost", "nesterov", {Value(true)});
  When(s, "beta2", "optimizer", {Value("adam")});
  return s;
}

StrategyOptions Seeded(uint64_t seed) {
  StrategyOptions o;
  o.seed = seed;
  return o;
}

// The parameters a configuration must have, by the branch it is in.
std::set<std::string> ExpectedKeys(const Value& flat) {
  std::set<std::string> keys = {"optimizer", "lr"};
  if (flat["optimizer"] == "sgd") {
    keys.insert({"momentum", "nesterov"});
    if (flat.contains("nesterov") && flat["nesterov"] == true) keys.insert("nesterov_boost");
  } else {
    keys.insert("beta2");
  }
  return keys;
}

void ExpectCanonical(const SearchSpace& s, const Config& c) {
  const std::vector<bool> live = s.ActiveMask(c);
  for (size_t i = 0; i < c.size(); ++i)
    EXPECT_EQ(live[i], !c[i].is_null()) << s.params[i].name << " in " << Value(c).dump();
  EXPECT_EQ(MisfitReason(s, c), std::nullopt) << Value(c).dump();
}

TEST(ConditionalGrid, CountsAndEnumeratesOnlyLiveCombinations) {
  const SearchSpace s = DiscreteSpace();
  auto grid = DiscreteGrid::Build(s, DiscreteGrid::Mode::kGrid);
  ASSERT_TRUE(grid.ok()) << grid.status().message();
  EXPECT_EQ(grid->Size(), 14u);
  EXPECT_EQ(grid->ExactSizeText(), "14");
  EXPECT_EQ(grid->IndexLimit(), 4u * 2 * 2 * 3);
  auto strategy = GridSearch::Make(s, StrategyOptions{});
  ASSERT_TRUE(strategy.ok());
  EXPECT_EQ((*strategy)->SpaceSize(), 14u);
  std::set<std::string> seen;
  std::vector<Config> all = (*strategy)->Suggest(100, {});
  EXPECT_TRUE((*strategy)->Exhausted());
  ASSERT_EQ(all.size(), 14u);
  for (const Config& c : all) {
    ExpectCanonical(s, c);
    EXPECT_TRUE(seen.insert(s.ToFlat(c).dump()).second) << "twice: " << s.ToFlat(c).dump();
    EXPECT_EQ(grid->Decode(*grid->Encode(c)), c);
  }
}

TEST(ConditionalGrid, BlockSkippingWalkMatchesTheCountWhenParentsComeFirst) {
  // A wide grid with parents first: 3 x (1 + 50 + 50 x 40) = 6153 live points out of
  // 3 x 3 x 50 x 40 x ... raw indices; every one visited once.
  SearchSpace s;
  s.params = {Categorical("seed", {Value(1), Value(2), Value(3)}),
              Categorical("kind", {Value("none"), Value("a"), Value("b")}), IntUniform("a", 1, 50),
              IntUniform("b", 1, 50), IntUniform("b2", 1, 40)};
  When(s, "a", "kind", {Value("a")});
  When(s, "b", "kind", {Value("b")});
  When(s, "b2", "kind", {Value("b")});
  auto strategy = GridSearch::Make(s, StrategyOptions{});
  ASSERT_TRUE(strategy.ok());
  EXPECT_EQ((*strategy)->SpaceSize(), 3u * (1 + 50 + 50 * 40));
  std::set<std::string> seen;
  while (!(*strategy)->Exhausted())
    for (const Config& c : (*strategy)->Suggest(500, {})) seen.insert(s.ToFlat(c).dump());
  EXPECT_EQ(seen.size(), 3u * (1 + 50 + 50 * 40));
}

TEST(ConditionalGrid, ReplayedConfigurationsAreNotSuggestedAgain) {
  const SearchSpace s = DiscreteSpace();
  auto strategy = GridSearch::Make(s, StrategyOptions{});
  ASSERT_TRUE(strategy.ok());
  Observation done;
  done.config = {Value(), Value(0.01), Value("adam"), Value(0.99)};
  (*strategy)->Replay({done});
  std::vector<Config> rest = (*strategy)->Suggest(100, {});
  EXPECT_EQ(rest.size(), 13u);
  for (const Config& c : rest) EXPECT_NE(c, done.config);
}

TEST(ConditionalRandom, NeverEmitsAnInactiveParameter) {
  const SearchSpace s = ContinuousSpace();
  RandomSearch random(s, Seeded(7));
  std::set<std::string> branches;
  for (const Config& c : random.Suggest(3000, {})) {
    ExpectCanonical(s, c);
    const Value flat = s.ToFlat(c);
    std::set<std::string> keys;
    for (auto it = flat.begin(); it != flat.end(); ++it) keys.insert(it.key());
    EXPECT_EQ(keys, ExpectedKeys(flat)) << flat.dump();
    branches.insert(flat["optimizer"].get<std::string>() +
                    (flat.contains("nesterov_boost") ? "+boost" : ""));
  }
  EXPECT_EQ(branches.size(), 3u);  // sgd, sgd+boost, adam all reached
}

TEST(ConditionalRandom, FiniteConditionalSpaceIsExhaustedAfterItsLivePoints) {
  const SearchSpace s = DiscreteSpace();
  RandomSearch random(s, Seeded(3));
  EXPECT_EQ(random.SpaceSize(), 14u);
  std::set<std::string> seen;
  for (const Config& c : random.Suggest(100, {})) seen.insert(s.ToFlat(c).dump());
  EXPECT_EQ(seen.size(), 14u);
  EXPECT_TRUE(random.Exhausted());
}

// Runs a strategy for `n` asks with a branch-dependent objective, checking every
// suggestion.
void RunConditional(SearchStrategy& strategy, const SearchSpace& s, int n, bool multi) {
  std::set<std::string> branches;
  for (int i = 0; i < n; ++i) {
    std::vector<Config> got = strategy.Suggest(1, {});
    ASSERT_EQ(got.size(), 1u);
    ExpectCanonical(s, got[0]);
    const Value flat = s.ToFlat(got[0]);
    std::set<std::string> keys;
    for (auto it = flat.begin(); it != flat.end(); ++it) keys.insert(it.key());
    EXPECT_EQ(keys, ExpectedKeys(flat)) << flat.dump();
    branches.insert(flat["optimizer"].get<std::string>());
    double y = std::log10(flat["lr"].get<double>()) + 2;
    y = y * y;
    if (flat["optimizer"] == "sgd") y += std::fabs(flat["momentum"].get<double>() - 0.9);
    if (flat["optimizer"] == "adam") y += 0.3 + std::fabs(flat["beta2"].get<double>() - 0.99);
    Observation obs;
    obs.trial_number = static_cast<uint64_t>(i);
    obs.config = got[0];
    obs.value = y;
    if (multi) obs.values = {y, -y * 0.5 + flat["lr"].get<double>()};
    strategy.Observe(obs);
  }
  EXPECT_EQ(branches.size(), 2u);
}

TEST(ConditionalBayes, NeverEmitsAnInactiveParameterAndSeesBothBranches) {
  const SearchSpace s = ContinuousSpace();
  StrategyOptions o;
  o.seed = 11;
  o.has_metric = true;
  auto bayes = MakeStrategy("bayes", s, o);
  ASSERT_TRUE(bayes.ok());
  RunConditional(**bayes, s, 40, false);
}

TEST(ConditionalBayes, MultiObjectiveBayesKeepsWorking) {
  const SearchSpace s = ContinuousSpace();
  StrategyOptions o;
  o.seed = 5;
  o.has_metric = true;
  o.objectives = {Goal::kMinimize, Goal::kMinimize};
  auto bayes = MakeStrategy("bayes", s, o);
  ASSERT_TRUE(bayes.ok());
  RunConditional(**bayes, s, 25, true);
}

TEST(ConditionalBayes, FiniteConditionalSpaceIsExhaustedAfterItsLivePoints) {
  const SearchSpace s = DiscreteSpace();
  StrategyOptions o;
  o.seed = 2;
  o.has_metric = true;
  auto bayes = MakeStrategy("bayes", s, o);
  ASSERT_TRUE(bayes.ok());
  std::set<std::string> seen;
  for (int i = 0; i < 14; ++i) {
    std::vector<Config> got = (*bayes)->Suggest(1, {});
    ASSERT_EQ(got.size(), 1u) << "after " << i;
    ExpectCanonical(s, got[0]);
    EXPECT_TRUE(seen.insert(s.ToFlat(got[0]).dump()).second);
    Observation obs;
    obs.trial_number = static_cast<uint64_t>(i);
    obs.config = got[0];
    obs.value = static_cast<double>(i % 5);
    (*bayes)->Observe(obs);
  }
  EXPECT_TRUE((*bayes)->Exhausted());
}

TEST(ConditionalLayout, FlatAndNestedLeaveInactiveParametersOutAndFromFlatChecksActivity) {
  const SearchSpace s = ContinuousSpace();
  Config c = {Value("adam"), Value(0.01), Value(), Value(), Value(), Value(0.99)};
  const Value flat = s.ToFlat(c);
  EXPECT_EQ(flat, Value({{"optimizer", "adam"}, {"lr", 0.01}, {"beta2", 0.99}}));
  EXPECT_EQ(s.ToNested(c), flat);
  auto back = s.FromFlat(flat);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, c);
  Value extra = flat;
  extra["momentum"] = 0.5;
  auto bad = s.FromFlat(extra);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'momentum' is given but inactive"), std::string::npos);
  Value missing = {{"optimizer", "sgd"}, {"lr", 0.01}, {"nesterov", false}};
  auto miss = s.FromFlat(missing);
  ASSERT_FALSE(miss.ok());
  EXPECT_NE(miss.status().message().find("missing parameter 'momentum'"), std::string::npos);
}

TEST(SpaceFit, NamesTheParameterThatDoesNotFit) {
  const SearchSpace s = ContinuousSpace();
  Config c = {Value("adam"), Value(0.5), Value(), Value(), Value(), Value(0.99)};
  EXPECT_EQ(MisfitReason(s, c), std::optional<std::string>("lr: 0.5 is outside [0.0001, 0.1]"));
  c[1] = Value("fast");
  EXPECT_EQ(MisfitReason(s, c), std::optional<std::string>("lr: fast is not a number"));
  c[1] = Value(0.01);
  c[0] = Value("rmsprop");
  EXPECT_EQ(MisfitReason(s, c),
            std::optional<std::string>("optimizer: rmsprop is not one of its values"));
  const SearchSpace d = DiscreteSpace();
  EXPECT_EQ(ParseCell(d.params[0], "3"), std::optional<Value>(Value(3)));
  EXPECT_EQ(ParseCell(d.params[2], "adam"), std::optional<Value>(Value("adam")));
  EXPECT_EQ(ParseCell(d.params[3], "0.990"), std::optional<Value>(Value(0.99)));
  EXPECT_EQ(ParseCell(d.params[3], "x"), std::nullopt);
}

}  // namespace
}  // namespace sweep
