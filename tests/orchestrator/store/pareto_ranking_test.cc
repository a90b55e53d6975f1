// Pareto ranking of stored trials: fronts, feasibility, ordering, hypervolume and the
// options["pareto"] round trip from a parsed spec.
#include "orchestrator/store/pareto_ranking.h"

#include <gtest/gtest.h>

#include "orchestrator/spec/spec_parser.h"

namespace sweep {
namespace {

// A finished trial whose summary reports each name's last value.
TrialRecord Trial(uint64_t number, std::map<std::string, double> last,
                  TrialStatus status = TrialStatus::kFinished) {
  TrialRecord t;
  t.id = "sw-" + std::to_string(number);
  t.number = number;
  t.status = status;
  t.summary = Value::object();
  for (const auto& [name, v] : last)
    t.summary[name] = {{"last", v}, {"min", v}, {"max", v}, {"count", 1}, {"last_step", 0}};
  return t;
}

ParetoSetup TwoObjectives(Goal second = Goal::kMinimize) {
  ParetoSetup s;
  s.objectives = {{"loss", Goal::kMinimize, SummaryMode::kLast, std::nullopt},
                  {"acc", second, SummaryMode::kLast, std::nullopt}};
  return s;
}

std::vector<uint64_t> Order(const ParetoRanking& r, const std::vector<TrialRecord>& t) {
  std::vector<uint64_t> out;
  for (const auto& row : r.rows) out.push_back(t[row.index].number);
  return out;
}

TEST(RankPareto, SortsFrontsThenInfeasibleThenIncompleteThenRunning) {
  ParetoSetup setup = TwoObjectives(Goal::kMaximize);
  setup.constraints.push_back({"mem", MetricBound{std::nullopt, 16.0}});
  std::vector<TrialRecord> trials = {
      Trial(0, {{"loss", 0.3}, {"acc", 0.8}, {"mem", 8}}),   // front 1
      Trial(1, {{"loss", 0.2}, {"acc", 0.7}, {"mem", 8}}),   // front 1
      Trial(2, {{"loss", 0.4}, {"acc", 0.7}, {"mem", 8}}),   // front 2 (dominated by 0 and 1)
      Trial(3, {{"loss", 0.1}, {"acc", 0.9}, {"mem", 32}}),  // infeasible: mem too high
      Trial(4, {{"loss", 0.1}, {"acc", 0.9}}),               // infeasible: mem not reported
      Trial(5, {{"loss", 0.5}, {"mem", 1}}),                 // acc missing
      Trial(6, {{"loss", 0.0}, {"acc", 1.0}, {"mem", 1}}, TrialStatus::kRunning),
  };
  const ParetoRanking r = RankPareto(trials, setup);
  EXPECT_EQ(Order(r, trials), (std::vector<uint64_t>{1, 0, 2, 3, 4, 5, 6}));
  EXPECT_EQ(r.front_size, 2u);
  EXPECT_EQ(r.rows[0].front, 1u);
  EXPECT_EQ(r.rows[2].front, 2u);
  EXPECT_FALSE(r.rows[3].feasible);
  EXPECT_EQ(r.rows[3].violations, (std::vector<std::string>{"mem=32.0 > max 16.0"}));
  EXPECT_EQ(r.rows[4].violations, (std::vector<std::string>{"mem not reported"}));
  EXPECT_EQ(r.rows[5].front, 0u);
  EXPECT_FALSE(r.rows[5].values[1].has_value());
  EXPECT_EQ(r.rows[6].front, 0u) << "running trials are never on a front";
  EXPECT_TRUE(r.reference_derived);
}

TEST(RankPareto, ImputeBestMakesAnUnreportedConstraintFeasible) {
  ParetoSetup setup = TwoObjectives();
  setup.constraints.push_back({"mem", MetricBound{std::nullopt, 16.0}});
  setup.impute = Impute::kBest;
  std::vector<TrialRecord> trials = {Trial(0, {{"loss", 1}, {"acc", 1}})};
  EXPECT_TRUE(RankPareto(trials, setup).rows[0].feasible);
}

TEST(RankPareto, HypervolumeUsesTheGivenReferenceInRawUnits) {
  ParetoSetup setup = TwoObjectives(Goal::kMaximize);
  setup.objectives[0].reference = 1.0;  // loss <= 1
  setup.objectives[1].reference = 0.0;  // acc >= 0
  std::vector<TrialRecord> trials = {Trial(0, {{"loss", 0.5}, {"acc", 0.5}}),
                                     Trial(1, {{"loss", 0.25}, {"acc", 0.25}})};
  const ParetoRanking r = RankPareto(trials, setup);
  // (1 - 0.5) * 0.5 + (0.5 - 0.25) * 0.25 = 0.3125
  EXPECT_DOUBLE_EQ(r.hypervolume, 0.3125);
  EXPECT_EQ(r.reference, (std::vector<double>{1.0, 0.0}));
  EXPECT_FALSE(r.reference_derived);
}

TEST(RankPareto, DerivedReferenceLiesTenPercentBeyondTheFront) {
  std::vector<TrialRecord> trials = {Trial(0, {{"loss", 0}, {"acc", 10}}),
                                     Trial(1, {{"loss", 10}, {"acc", 0}})};
  const ParetoRanking r = RankPareto(trials, TwoObjectives());
  EXPECT_EQ(r.reference, (std::vector<double>{11.0, 11.0}));
  EXPECT_DOUBLE_EQ(r.hypervolume, 11 * 1 + 1 * 10);
}

TEST(ParetoOption, RoundTripsThroughTheSweepRecord) {
  auto spec = ParseSpecText(R"Y(program: t.py
method: random
metrics:
  - {name: loss, goal: minimize, reference: 2}
  - {name: acc, goal: maximize, summary: max}
constraints:
  - {metric: mem, min: 1, max: 16}
parameters:
  x: {values: [1, 2]}
)Y",
                            "s.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->metric.name, "loss");
  SweepRecord sweep;
  sweep.options.pareto = ParetoOption(*spec);
  auto setup = SweepPareto(sweep);
  ASSERT_TRUE(setup.has_value());
  ASSERT_EQ(setup->objectives.size(), 2u);
  EXPECT_EQ(setup->objectives[0].reference, 2.0);
  EXPECT_EQ(setup->objectives[1].goal, Goal::kMaximize);
  EXPECT_EQ(setup->objectives[1].summary, SummaryMode::kMax);
  ASSERT_EQ(setup->constraints.size(), 1u);
  EXPECT_EQ(setup->constraints[0].bound.min, 1.0);
  EXPECT_EQ(setup->constraints[0].bound.max, 16.0);
  // A plain single-objective sweep has none.
  auto plain = ParseSpecText(
      "program: t.py\nmethod: random\nmetric: {name: loss}\n"
      "parameters:\n  x: {values: [1]}\n",
      "p.yaml");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(ParetoOption(*plain).is_null());
  EXPECT_FALSE(SweepPareto(SweepRecord{}).has_value());
}

}  // namespace
}  // namespace sweep
