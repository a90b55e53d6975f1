#include "orchestrator/ui/param_importance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace sweep {
namespace {

double Importance(const std::vector<ParamImportance>& v, const std::string& name) {
  for (const auto& p : v)
    if (p.name == name) return p.importance;
  ADD_FAILURE() << "no param " << name;
  return -1;
}

const ParamImportance* Find(const std::vector<ParamImportance>& v, const std::string& name) {
  for (const auto& p : v)
    if (p.name == name) return &p;
  return nullptr;
}

TEST(ParamImportance, TheParamThatDrivesTheTargetDominates) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Value> rows;
  std::vector<double> y;
  for (int i = 0; i < 300; ++i) {
    double a = u(rng), b = u(rng), c = u(rng);
    rows.push_back({{"a", a}, {"b", b}, {"c", c}});
    y.push_back(3 * a + 0.05 * u(rng));
  }
  auto imp = ComputeParamImportance(rows, y, {});
  ASSERT_TRUE(imp.ok()) << imp.status().message();
  EXPECT_EQ((*imp)[0].name, "a");
  EXPECT_GT(Importance(*imp, "a"), 0.8);
  double sum = 0;
  for (const auto& p : *imp) sum += p.importance;
  EXPECT_NEAR(sum, 1.0, 1e-9);
}

TEST(ParamImportance, CategoricalParamsAreRecognisedAndRanked) {
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> u(0, 1);
  const char* opts[] = {"adam", "sgd", "rmsprop", "adagrad"};
  const double effect[] = {0.1, 0.9, 0.5, 0.7};
  std::vector<Value> rows;
  std::vector<double> y;
  for (int i = 0; i < 400; ++i) {
    int k = static_cast<int>(u(rng) * 4) % 4;
    double noise = u(rng);
    rows.push_back({{"optimizer", opts[k]}, {"dropout", noise}, {"batch", 32 << (i % 3)}});
    y.push_back(effect[k] + 0.05 * noise);
  }
  auto imp = ComputeParamImportance(rows, y, {});
  ASSERT_TRUE(imp.ok());
  EXPECT_EQ((*imp)[0].name, "optimizer");
  EXPECT_TRUE(Find(*imp, "optimizer")->categorical);
  EXPECT_FALSE(Find(*imp, "dropout")->categorical);
  EXPECT_GT(Importance(*imp, "optimizer"), 0.7);
}

TEST(ParamImportance, ParamsSpanningDecadesAreSplitOnALogScale) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-5, -1);
  std::uniform_real_distribution<double> w(0, 1);
  std::vector<Value> rows;
  std::vector<double> y;
  for (int i = 0; i < 300; ++i) {
    double lr = std::pow(10.0, u(rng));
    rows.push_back({{"lr", lr}, {"momentum", w(rng)}});
    y.push_back(std::pow(std::log10(lr) + 3, 2));
  }
  auto imp = ComputeParamImportance(rows, y, {});
  ASSERT_TRUE(imp.ok());
  EXPECT_EQ((*imp)[0].name, "lr");
  EXPECT_TRUE(Find(*imp, "lr")->log_scale);
  EXPECT_FALSE(Find(*imp, "momentum")->log_scale);
  ImportanceOptions forced;
  forced.log_params = {"momentum"};
  auto imp2 = ComputeParamImportance(rows, y, forced);
  ASSERT_TRUE(imp2.ok());
  EXPECT_TRUE(Find(*imp2, "momentum")->log_scale);
}

TEST(ParamImportance, SameSeedGivesTheSameResultAndOtherSeedsAgreeRoughly) {
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Value> rows;
  std::vector<double> y;
  for (int i = 0; i < 200; ++i) {
    double a = u(rng), b = u(rng);
    rows.push_back({{"a", a}, {"b", b}});
    y.push_back(a + 0.5 * b);
  }
  ImportanceOptions o;
  o.seed = 7;
  auto x1 = ComputeParamImportance(rows, y, o);
  auto x2 = ComputeParamImportance(rows, y, o);
  ASSERT_TRUE(x1.ok() && x2.ok());
  for (size_t i = 0; i < x1->size(); ++i) {
    EXPECT_EQ((*x1)[i].name, (*x2)[i].name);
    EXPECT_EQ((*x1)[i].importance, (*x2)[i].importance);
  }
  o.seed = 8;
  auto x3 = ComputeParamImportance(rows, y, o);
  ASSERT_TRUE(x3.ok());
  EXPECT_EQ((*x3)[0].name, "a");
  EXPECT_NEAR(Importance(*x3, "a"), Importance(*x1, "a"), 0.15);
}

TEST(ParamImportance, ConstantTargetGivesEveryParamZero) {
  std::vector<Value> rows;
  std::vector<double> y;
  for (int i = 0; i < 20; ++i) {
    rows.push_back({{"a", i}, {"b", "x"}});
    y.push_back(1.5);
  }
  auto imp = ComputeParamImportance(rows, y, {});
  ASSERT_TRUE(imp.ok());
  ASSERT_EQ(imp->size(), 2u);
  for (const auto& p : *imp) EXPECT_EQ(p.importance, 0.0);
}

TEST(ParamImportance, RefusesTooFewTrialsOrMismatchedSizes) {
  std::vector<Value> rows(5, Value{{"a", 1}});
  std::vector<double> y(5, 1.0);
  auto few = ComputeParamImportance(rows, y, {});
  ASSERT_FALSE(few.ok());
  EXPECT_EQ(few.status().code(), ErrorCode::kUsage);
  rows.resize(20, Value{{"a", 1}});
  EXPECT_FALSE(ComputeParamImportance(rows, y, {}).ok());
}

TEST(ParamImportance, MissingAndOddValuesDoNotBreakTheFit) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Value> rows;
  std::vector<double> y;
  for (int i = 0; i < 100; ++i) {
    double a = u(rng);
    Value r = {{"a", a}};
    if (i % 3 == 0) r["nested.width"] = i;  // present in a third of the rows
    if (i % 5 == 0) r["flag"] = true;       // boolean: categorical
    if (i % 7 == 0) r["weird"] = Value::array({1, 2});
    rows.push_back(r);
    y.push_back(a);
  }
  auto imp = ComputeParamImportance(rows, y, {});
  ASSERT_TRUE(imp.ok());
  EXPECT_EQ(imp->size(), 4u);
  EXPECT_EQ((*imp)[0].name, "a");
  EXPECT_TRUE(Find(*imp, "flag")->categorical);
}

TEST(ParamImportance, LargeInputsAreSubsampledDeterministically) {
  std::mt19937_64 rng(6);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Value> rows;
  std::vector<double> y;
  for (int i = 0; i < 5000; ++i) {
    double a = u(rng), b = u(rng);
    rows.push_back({{"a", a}, {"b", b}});
    y.push_back(b);
  }
  ImportanceOptions o;
  o.max_rows = 500;
  o.trees = 16;
  auto x1 = ComputeParamImportance(rows, y, o);
  auto x2 = ComputeParamImportance(rows, y, o);
  ASSERT_TRUE(x1.ok() && x2.ok());
  EXPECT_EQ((*x1)[0].name, "b");
  EXPECT_EQ((*x1)[0].importance, (*x2)[0].importance);
}

}  // namespace
}  // namespace sweep
