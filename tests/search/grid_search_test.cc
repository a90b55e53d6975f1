#include "search/grid_search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "search/rng.h"

namespace sweep {
namespace {

Parameter Categorical(const std::string& name, std::vector<Value> values) {
  Parameter p;
  p.name = name;
  p.distribution = Distribution::kCategorical;
  p.values = std::move(values);
  return p;
}

Parameter IntUniform(const std::string& name, int64_t min, int64_t max) {
  Parameter p;
  p.name = name;
  p.distribution = Distribution::kIntUniform;
  p.min = static_cast<double>(min);
  p.max = static_cast<double>(max);
  p.integer = true;
  return p;
}

Parameter Constant(const std::string& name, Value v) {
  Parameter p;
  p.name = name;
  p.distribution = Distribution::kConstant;
  p.value = std::move(v);
  return p;
}

std::unique_ptr<SearchStrategy> Make(const SearchSpace& space) {
  auto made = MakeStrategy("grid", space, StrategyOptions{});
  EXPECT_TRUE(made.ok()) << made.status().message();
  return std::move(made).value();
}

std::vector<Config> Drain(SearchStrategy& s, size_t batch = 3) {
  std::vector<Config> all;
  for (int guard = 0; guard < 100000 && !s.Exhausted(); ++guard) {
    auto got = s.Suggest(batch, {});
    all.insert(all.end(), got.begin(), got.end());
  }
  return all;
}

TEST(GridSearch, ExhaustsAfterCartesianProductWithLastParameterFastest) {
  SearchSpace space;
  space.params = {Categorical("a", {Value(1), Value(2)}), IntUniform("b", 0, 2),
                  Constant("c", Value("x"))};
  auto grid = Make(space);
  EXPECT_EQ(grid->SpaceSize(), 6u);
  EXPECT_FALSE(grid->Exhausted());
  const auto all = Drain(*grid, 4);
  const std::vector<Config> expect = {{1, 0, "x"}, {1, 1, "x"}, {1, 2, "x"},
                                      {2, 0, "x"}, {2, 1, "x"}, {2, 2, "x"}};
  EXPECT_EQ(all, expect);
  EXPECT_TRUE(grid->Exhausted());
  EXPECT_TRUE(grid->Suggest(5, {}).empty());
}

TEST(GridSearch, KeepsValueTypesAndNestedNames) {
  SearchSpace space;
  Parameter lr = Categorical("optimizer.lr", {Value(0.1), Value(1e-3)});
  lr.path = {"optimizer", "lr"};
  Parameter name = Categorical("optimizer.name", {Value("adam"), Value("sgd")});
  name.path = {"optimizer", "name"};
  Parameter flag = Categorical("flag", {Value(true), Value(false)});
  flag.path = {"flag"};
  Parameter layers = IntUniform("layers", 1, 2);
  layers.path = {"layers"};
  space.params = {lr, name, flag, layers};
  auto grid = Make(space);
  const auto all = Drain(*grid);
  ASSERT_EQ(all.size(), 16u);
  EXPECT_EQ(space.ToNested(all[0]).dump(),
            R"({"optimizer":{"lr":0.1,"name":"adam"},"flag":true,"layers":1})");
  EXPECT_EQ(space.ToNested(all[15]).dump(),
            R"({"optimizer":{"lr":0.001,"name":"sgd"},"flag":false,"layers":2})");
  for (const Config& c : all) {
    EXPECT_TRUE(c[0].is_number_float());
    EXPECT_TRUE(c[1].is_string());
    EXPECT_TRUE(c[2].is_boolean());
    EXPECT_TRUE(c[3].is_number_integer());
  }
  EXPECT_EQ(std::set<Config>(all.begin(), all.end()).size(), 16u);
}

// W&B's grid_search.yaml_hash: 1e-4 == 0.0001, 1 == 1.0 (integral floats count as
// ints), true twice is one value; "1" and true stay apart from 1. The value handed out
// is the last spelling, at the first one's place, as W&B's hash lookup does.
TEST(GridSearch, RunsRepeatedValuesOnceAsWandbDoes) {
  SearchSpace space;
  space.params = {Categorical("lr", {Value(1e-4), Value(0.01), Value(0.0001)}),
                  Categorical("n", {Value(1), Value(1.0), Value("1"), Value(true), Value(true)})};
  auto grid = Make(space);
  EXPECT_EQ(grid->SpaceSize(), 6u);
  const auto all = Drain(*grid);
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all[0][0], Value(1e-4));
  EXPECT_TRUE(all[0][1].is_number_float());  // 1 then 1.0: 1.0 is what runs
  EXPECT_EQ(all[1][1], Value("1"));
  EXPECT_EQ(all[2][1], Value(true));
  EXPECT_EQ(all[3][0], Value(0.01));
  EXPECT_EQ(std::set<Config>(all.begin(), all.end()).size(), 6u);
}

TEST(GridSearch, RejectsContinuousParametersNamingEachOne) {
  SearchSpace space;
  Parameter lr;
  lr.name = "lr";
  lr.distribution = Distribution::kLogUniformValues;
  lr.min = 1e-4;
  lr.max = 1e-1;
  lr.where.file = "sweep.yaml";
  lr.where.line = 7;
  lr.where.col = 5;
  lr.where.key_path = "parameters.lr";
  Parameter drop = lr;
  drop.name = "dropout";
  drop.distribution = Distribution::kUniform;
  drop.where = {};
  space.params = {IntUniform("epochs", 1, 3), lr, drop};
  auto made = MakeStrategy("grid", space, StrategyOptions{});
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), ErrorCode::kInvalidSpec);
  const std::string& msg = made.status().message();
  EXPECT_NE(msg.find("sweep.yaml:7:5: parameters.lr: parameter 'lr'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("log_uniform_values"), std::string::npos) << msg;
  EXPECT_NE(msg.find("parameter 'dropout'"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("epochs"), std::string::npos) << msg;
}

TEST(GridSearch, RejectsCategoricalProbabilitiesAsWandbDoes) {
  SearchSpace space;
  Parameter p = Categorical("opt", {Value("a"), Value("b")});
  p.probabilities = {0.5, 0.5};
  space.params = {p};
  auto made = MakeStrategy("grid", space, StrategyOptions{});
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.status().message().find("probabilities"), std::string::npos);
}

TEST(GridSearch, EnumeratesQUniformLikeNumpyArangeExcludingMax) {
  SearchSpace space;
  Parameter f;
  f.name = "f";
  f.distribution = Distribution::kQUniform;
  f.min = 0;
  f.max = 1;
  f.q = 0.25;
  Parameter i = f;
  i.name = "i";
  i.min = 0;
  i.max = 7;
  i.q = 2;
  i.integer = true;
  space.params = {f};
  auto all = Drain(*Make(space));
  EXPECT_EQ(all, (std::vector<Config>{{0.0}, {0.25}, {0.5}, {0.75}}));
  space.params = {i};
  all = Drain(*Make(space));
  EXPECT_EQ(all, (std::vector<Config>{{0}, {2}, {4}, {6}}));
  EXPECT_TRUE(all[1][0].is_number_integer());
}

TEST(GridSearch, OnlyConstantsMakeOneConfiguration) {
  SearchSpace space;
  space.params = {Constant("epochs", Value(10))};
  auto grid = Make(space);
  EXPECT_EQ(grid->SpaceSize(), 1u);
  EXPECT_EQ(Drain(*grid), (std::vector<Config>{{10}}));
}

TEST(GridSearch, TrillionPointGridDecodesByIndexWithoutMaterialising) {
  SearchSpace space;
  std::vector<Value> ten;
  for (int v = 0; v < 10; ++v) ten.push_back(Value(v));
  for (int k = 0; k < 12; ++k) space.params.push_back(Categorical("p" + std::to_string(k), ten));
  auto grid = Make(space);
  EXPECT_EQ(grid->SpaceSize(), 1000000000000u);
  const auto first = grid->Suggest(3, {});
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[2].back(), Value(2));
  EXPECT_EQ(first[2].front(), Value(0));
  auto layout = DiscreteGrid::Build(space, DiscreteGrid::Mode::kGrid);
  ASSERT_TRUE(layout.ok());
  // Index 123456789012 reads as the digits of the number itself.
  const Config c = layout->Decode(123456789012ULL);
  std::string digits;
  for (const Value& v : c) digits += std::to_string(v.get<int>());
  EXPECT_EQ(digits, "123456789012");
  Rng rng(9);
  for (int i = 0; i < 1000; ++i) {
    const uint64_t index = rng.UniformInt(layout->Size());
    EXPECT_EQ(layout->Encode(layout->Decode(index)), index);
  }
}

TEST(GridSearch, ExactSizeTextIsTheFullProductEvenWhenSaturated) {
  SearchSpace space;
  for (int k = 0; k < 65; ++k)
    space.params.push_back(Categorical("b" + std::to_string(k), {Value(false), Value(true)}));
  auto layout = DiscreteGrid::Build(space, DiscreteGrid::Mode::kGrid);
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(layout->ExactSizeText(), "36893488147419103232");  // 2^65
  SearchSpace small;
  small.params.push_back(Categorical("c", {Value(1), Value(2), Value(3)}));
  EXPECT_EQ(DiscreteGrid::Build(small, DiscreteGrid::Mode::kGrid)->ExactSizeText(), "3");
}

TEST(GridSearch, SaturatesSpaceSizePastTwoToThe64) {
  SearchSpace space;
  for (int k = 0; k < 65; ++k)
    space.params.push_back(Categorical("b" + std::to_string(k), {Value(false), Value(true)}));
  auto layout = DiscreteGrid::Build(space, DiscreteGrid::Mode::kGrid);
  ASSERT_TRUE(layout.ok());
  EXPECT_TRUE(layout->Saturated());
  auto grid = Make(space);
  EXPECT_EQ(grid->SpaceSize(), std::numeric_limits<uint64_t>::max());
  EXPECT_FALSE(grid->Exhausted());
  const auto got = grid->Suggest(2, {});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].back(), Value(true));
  EXPECT_EQ(got[1].front(), Value(false));
}

TEST(GridSearch, SkipsPendingConfigurationsItDidNotSuggest) {
  SearchSpace space;
  space.params = {IntUniform("a", 0, 4)};
  auto grid = Make(space);
  const auto got = grid->Suggest(3, {{1}, {3.0}});  // 3.0 counts as the integer 3
  EXPECT_EQ(got, (std::vector<Config>{{0}, {2}, {4}}));
  EXPECT_TRUE(grid->Exhausted());
}

TEST(GridSearch, ReplayNeverRepeatsAndEndsExactly) {
  SearchSpace space;
  space.params = {Categorical("a", {Value("x"), Value("y")}), IntUniform("b", 0, 4)};
  auto first = Make(space);
  std::vector<Observation> history;
  for (const Config& c : first->Suggest(3, {})) {
    Observation o;
    o.trial_number = history.size();
    o.config = c;
    o.outcome = history.empty() ? Outcome::kFinished : Outcome::kRunning;
    history.push_back(o);
  }
  Observation out_of_order;
  out_of_order.config = {"y", 2};  // e.g. a trial from a --seed'ed re-run
  out_of_order.outcome = Outcome::kFailed;
  history.push_back(out_of_order);

  auto resumed = Make(space);
  resumed->Replay(history);
  const auto rest = Drain(*resumed, 2);
  EXPECT_EQ(rest.size(), 10u - 4u);
  std::set<Config> seen;
  for (const Observation& o : history) seen.insert(o.config);
  for (const Config& c : rest) EXPECT_TRUE(seen.insert(c).second) << space.ToFlat(c).dump();
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(rest.front(), (Config{"x", 3}));
  EXPECT_TRUE(resumed->Exhausted());
}

TEST(GridSearch, IsRegisteredNextToRandom) {
  const auto names = StrategyNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "grid"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "random"), names.end());
}

}  // namespace
}  // namespace sweep
