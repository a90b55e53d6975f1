#include "search/random_search.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace sweep {
namespace {

Parameter Make(const std::string& name, Distribution d, double min = 0, double max = 1) {
  Parameter p;
  p.name = name;
  p.path = {name};
  p.distribution = d;
  p.min = min;
  p.max = max;
  p.integer = d == Distribution::kIntUniform;
  return p;
}

Parameter Categorical(const std::string& name, std::vector<Value> values,
                      std::vector<double> probabilities = {}) {
  Parameter p = Make(name, Distribution::kCategorical);
  p.values = std::move(values);
  p.probabilities = std::move(probabilities);
  return p;
}

// Every distribution at once.
SearchSpace MixedSpace() {
  SearchSpace s;
  s.params = {Categorical("opt", {Value("adam"), Value("sgd")}),
              Make("layers", Distribution::kIntUniform, 1, 8),
              Make("lr", Distribution::kLogUniformValues, 1e-5, 1e-1),
              Make("dropout", Distribution::kUniform, 0, 0.5),
              Make("wd", Distribution::kLogUniform, std::log(1e-6), std::log(1e-2)),
              Make("temp", Distribution::kInvLogUniformValues, 0.1, 10),
              Make("noise", Distribution::kNormal),
              Make("scale", Distribution::kLogNormal),
              Make("mix", Distribution::kBeta),
              Make("bs", Distribution::kQLogUniformValues, 16, 256)};
  s.params.back().q = 16;
  s.params.back().integer = true;
  return s;
}

std::unique_ptr<SearchStrategy> Strategy(const SearchSpace& space, uint64_t seed) {
  StrategyOptions options;
  options.seed = seed;
  auto made = MakeStrategy("random", space, options);
  EXPECT_TRUE(made.ok());
  return std::move(made).value();
}

std::vector<Observation> AsHistory(const std::vector<Config>& configs) {
  std::vector<Observation> h;
  for (const Config& c : configs) {
    Observation o;
    o.trial_number = h.size();
    o.config = c;
    h.push_back(o);
  }
  return h;
}

TEST(RandomSearch, SameSeedGivesSameConfigurationsAndOtherSeedsDiffer) {
  const SearchSpace space = MixedSpace();
  const auto a = Strategy(space, 5)->Suggest(50, {});
  const auto b = Strategy(space, 5)->Suggest(50, {});
  const auto c = Strategy(space, 6)->Suggest(50, {});
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(a.size(), 50u);
}

TEST(RandomSearch, FirstConfigurationsForSeed42ArePinned) {
  // Golden values: a change means the same --seed no longer reproduces old sweeps.
  SearchSpace space;
  space.params = {Make("lr", Distribution::kLogUniformValues, 1e-4, 1e-1),
                  Make("layers", Distribution::kIntUniform, 1, 6),
                  Categorical("opt", {Value("adam"), Value("sgd"), Value("rmsprop")})};
  const auto got = Strategy(space, 42)->Suggest(3, {});
  std::string text;
  for (const Config& c : got) text += space.ToFlat(c).dump() + "\n";
  EXPECT_EQ(text,
            "{\"lr\":0.00016136403761054803,\"layers\":1,\"opt\":\"rmsprop\"}\n"
            "{\"lr\":0.0005897373755669111,\"layers\":4,\"opt\":\"rmsprop\"}\n"
            "{\"lr\":0.043939071602104376,\"layers\":1,\"opt\":\"sgd\"}\n");
}

TEST(RandomSearch, ConfigurationKIsAPureFunctionOfSeedAndK) {
  const SearchSpace space = MixedSpace();
  const auto run = Strategy(space, 77)->Suggest(10, {});
  for (uint64_t k = 0; k < run.size(); ++k) EXPECT_EQ(run[k], RandomSearch::Draw(space, 77, k));
  // Batching does not change the sequence.
  auto batched = Strategy(space, 77);
  std::vector<Config> pieces;
  for (int i = 0; i < 5; ++i)
    for (Config& c : batched->Suggest(2, {})) pieces.push_back(std::move(c));
  EXPECT_EQ(pieces, run);
}

TEST(RandomSearch, ResumedSweepContinuesTheSameSequence) {
  const SearchSpace space = MixedSpace();
  const auto whole = Strategy(space, 3)->Suggest(8, {});
  auto resumed = Strategy(space, 3);
  resumed->Replay(AsHistory({whole.begin(), whole.begin() + 5}));
  EXPECT_EQ(resumed->Suggest(3, {}), std::vector<Config>(whole.begin() + 5, whole.end()));
}

TEST(RandomSearch, ValuesStayInBoundsAndKeepTheirTypes) {
  const SearchSpace space = MixedSpace();
  for (const Config& c : Strategy(space, 1)->Suggest(2000, {})) {
    ASSERT_EQ(c.size(), space.params.size());
    EXPECT_TRUE(c[0] == "adam" || c[0] == "sgd");
    ASSERT_TRUE(c[1].is_number_integer());
    EXPECT_GE(c[1].get<int64_t>(), 1);
    EXPECT_LE(c[1].get<int64_t>(), 8);
    for (int i : {2, 3, 4, 5, 6, 7, 8}) ASSERT_TRUE(c[i].is_number_float()) << i;
    for (int i : {2, 3, 4, 5}) {
      const auto range = space.params[i].ValueRange();
      EXPECT_GE(c[i].get<double>(), range->first * (1 - 1e-12)) << space.params[i].name;
      EXPECT_LE(c[i].get<double>(), range->second * (1 + 1e-12)) << space.params[i].name;
    }
    EXPECT_GT(c[7].get<double>(), 0.0);
    EXPECT_GE(c[8].get<double>(), 0.0);
    EXPECT_LE(c[8].get<double>(), 1.0);
    ASSERT_TRUE(c[9].is_number_integer());
    EXPECT_EQ(c[9].get<int64_t>() % 16, 0);
  }
}

TEST(RandomSearch, HonoursCategoricalProbabilities) {
  SearchSpace space;
  space.params = {Categorical("c", {Value(1), Value(2), Value(3)}, {0.6, 0.3, 0.1}),
                  Make("x", Distribution::kUniform)};
  constexpr int kN = 30000;
  std::map<int, int> counts;
  for (const Config& c : Strategy(space, 8)->Suggest(kN, {})) ++counts[c[0].get<int>()];
  const double probs[] = {0.6, 0.3, 0.1};
  for (int v = 1; v <= 3; ++v) {
    const double p = probs[v - 1];
    EXPECT_NEAR(counts[v], kN * p, 5 * std::sqrt(kN * p * (1 - p))) << v;
  }
}

TEST(RandomSearch, FiniteSpaceIsExhaustedWithoutRepeats) {
  SearchSpace space;
  space.params = {Make("n", Distribution::kIntUniform, 1, 3),
                  Categorical("c", {Value("a"), Value("b"), Value("zero")}, {0.5, 0.5, 0.0})};
  auto s = Strategy(space, 4);
  EXPECT_EQ(s->SpaceSize(), 6u);  // the zero-probability value does not count
  const auto got = s->Suggest(100, {});
  EXPECT_EQ(got.size(), 6u);
  EXPECT_EQ(std::set<Config>(got.begin(), got.end()).size(), 6u);
  for (const Config& c : got) EXPECT_NE(c[1], Value("zero"));
  EXPECT_TRUE(s->Exhausted());
  EXPECT_TRUE(s->Suggest(1, {}).empty());
}

TEST(RandomSearch, AvoidsPendingAndReplayedConfigurationsInFiniteSpaces) {
  SearchSpace space;
  space.params = {Make("a", Distribution::kIntUniform, 0, 9),
                  Make("b", Distribution::kIntUniform, 0, 9)};
  const auto whole = Strategy(space, 12)->Suggest(100, {});
  ASSERT_EQ(whole.size(), 100u);
  EXPECT_EQ(std::set<Config>(whole.begin(), whole.end()).size(), 100u);

  auto resumed = Strategy(space, 12);
  resumed->Replay(AsHistory({whole.begin(), whole.begin() + 60}));
  const std::vector<Config> pending(whole.begin() + 60, whole.begin() + 70);
  const auto rest = resumed->Suggest(100, pending);
  EXPECT_EQ(rest.size(), 30u);
  std::set<Config> seen(whole.begin(), whole.begin() + 70);
  for (const Config& c : rest) EXPECT_TRUE(seen.insert(c).second);
  EXPECT_TRUE(resumed->Exhausted());
}

TEST(RandomSearch, ContinuousSpacesAreNeverExhausted) {
  SearchSpace space;
  space.params = {Make("x", Distribution::kUniform)};
  auto s = Strategy(space, 0);
  EXPECT_FALSE(s->SpaceSize().has_value());
  EXPECT_EQ(s->Suggest(1000, {}).size(), 1000u);
  EXPECT_FALSE(s->Exhausted());
}

}  // namespace
}  // namespace sweep
