#include "orchestrator/store/ranking.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sweep {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

SweepRecord Sweep(const std::string& metric, const std::string& goal,
                  const std::string& summary = "") {
  SweepRecord s;
  s.id = "sw";
  s.metric = metric;
  s.goal = goal;
  if (!summary.empty()) s.options.summary = summary;
  return s;
}

TrialRecord Trial(uint64_t number, std::optional<double> value) {
  TrialRecord t;
  t.id = "sw-" + std::to_string(number);
  t.number = number;
  t.value = value;
  return t;
}

std::vector<uint64_t> Order(const Ranking& r, const std::vector<TrialRecord>& trials) {
  std::vector<uint64_t> out;
  for (const auto& row : r.rows) out.push_back(trials[row.index].number);
  return out;
}

TEST(RankTrials, MinimizeOrdersSmallestFirstWithNaNThenMissingLast) {
  std::vector<TrialRecord> trials = {Trial(0, 0.5), Trial(1, std::nullopt), Trial(2, kNaN),
                                     Trial(3, 0.1), Trial(4, 0.3)};
  auto r = RankTrials(Sweep("loss", "minimize"), trials, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Order(*r, trials), (std::vector<uint64_t>{3, 4, 0, 2, 1}));
  EXPECT_EQ(r->rows[0].rank, 1u);
  EXPECT_EQ(r->rows[4].rank, 5u);
  EXPECT_FALSE(r->rows[4].value.has_value());
  EXPECT_TRUE(std::isnan(*r->rows[3].value));
  EXPECT_TRUE(r->is_target);
}

TEST(RankTrials, MaximizeOrdersLargestFirstAndNaNStillWorst) {
  std::vector<TrialRecord> trials = {Trial(0, kNaN), Trial(1, 0.5), Trial(2, 0.9),
                                     Trial(3, -std::numeric_limits<double>::infinity())};
  auto r = RankTrials(Sweep("acc", "maximize"), trials, {});
  ASSERT_TRUE(r.ok());
  // -Infinity is non-finite: it ranks with NaN, after every number, by trial number.
  EXPECT_EQ(Order(*r, trials), (std::vector<uint64_t>{2, 1, 0, 3}));
  EXPECT_EQ(r->goal, Goal::kMaximize);
}

TEST(RankTrials, InfiniteValuesRankAfterEveryFiniteOneUnderEitherGoal) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<TrialRecord> trials = {Trial(0, 0.5), Trial(1, -inf), Trial(2, inf), Trial(3, 0.1),
                                     Trial(4, std::nullopt)};
  auto min = RankTrials(Sweep("loss", "minimize"), trials, {});
  ASSERT_TRUE(min.ok());
  EXPECT_EQ(Order(*min, trials), (std::vector<uint64_t>{3, 0, 1, 2, 4}));
  auto max = RankTrials(Sweep("loss", "maximize"), trials, {});
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(Order(*max, trials), (std::vector<uint64_t>{0, 3, 1, 2, 4}));
  BestSoFar best(Goal::kMinimize);
  EXPECT_FALSE(best.Offer("sw-1", 1, -inf));
  EXPECT_TRUE(best.Offer("sw-0", 0, 0.5));
  EXPECT_FALSE(best.Offer("sw-1", 1, -inf));
}

TEST(RankTrials, TiesAreBrokenByTrialNumberWhateverTheInputOrder) {
  std::vector<TrialRecord> trials = {Trial(7, 0.2),          Trial(2, 0.2),  Trial(5, std::nullopt),
                                     Trial(1, std::nullopt), Trial(9, kNaN), Trial(4, kNaN)};
  auto r = RankTrials(Sweep("loss", "minimize"), trials, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Order(*r, trials), (std::vector<uint64_t>{2, 7, 4, 9, 1, 5}));
}

TEST(RankTrials, GoalOverrideReversesTheOrder) {
  std::vector<TrialRecord> trials = {Trial(0, 1.0), Trial(1, 3.0), Trial(2, 2.0)};
  RankOptions opts;
  opts.goal = Goal::kMaximize;
  auto r = RankTrials(Sweep("loss", "minimize"), trials, opts);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Order(*r, trials), (std::vector<uint64_t>{1, 2, 0}));
}

TEST(RankTrials, OtherMetricUsesTheSweepsSummaryModeFromTheTrialSummary) {
  std::vector<TrialRecord> trials = {Trial(0, 0.1), Trial(1, 0.2), Trial(2, 0.3)};
  trials[0].summary = {{"acc", {{"last", 0.5}, {"min", 0.1}, {"max", 0.95}}}};
  trials[1].summary = {{"acc", {{"last", 0.8}, {"min", 0.3}, {"max", 0.85}}}};
  // Trial 2 never reported acc.
  RankOptions opts;
  opts.metric = "acc";
  opts.goal = Goal::kMaximize;

  auto last = RankTrials(Sweep("loss", "minimize"), trials, opts);
  ASSERT_TRUE(last.ok());
  EXPECT_FALSE(last->is_target);
  EXPECT_EQ(last->summary, SummaryMode::kLast);
  EXPECT_EQ(Order(*last, trials), (std::vector<uint64_t>{1, 0, 2}));
  EXPECT_DOUBLE_EQ(*last->rows[0].value, 0.8);

  auto max = RankTrials(Sweep("loss", "minimize", "max"), trials, opts);
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(Order(*max, trials), (std::vector<uint64_t>{0, 1, 2}));
  EXPECT_DOUBLE_EQ(*max->rows[0].value, 0.95);

  // best follows the ranking's goal: maximize reads max, minimize reads min.
  auto best = RankTrials(Sweep("loss", "minimize", "best"), trials, opts);
  ASSERT_TRUE(best.ok());
  EXPECT_DOUBLE_EQ(*best->rows[0].value, 0.95);
  opts.goal = Goal::kMinimize;
  auto best_min = RankTrials(Sweep("loss", "minimize", "best"), trials, opts);
  ASSERT_TRUE(best_min.ok());
  EXPECT_EQ(Order(*best_min, trials), (std::vector<uint64_t>{0, 1, 2}));
  EXPECT_DOUBLE_EQ(*best_min->rows[0].value, 0.1);
}

TEST(RankTrials, TargetWithoutRecordedValueFallsBackToTheSummary) {
  std::vector<TrialRecord> trials = {Trial(0, std::nullopt), Trial(1, 0.4)};
  trials[0].summary = {{"loss", {{"last", 0.2}}}};
  auto r = RankTrials(Sweep("loss", "minimize"), trials, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Order(*r, trials), (std::vector<uint64_t>{0, 1}));
}

TEST(RankTrials, NullInTheSummaryCountsAsNaN) {
  std::vector<TrialRecord> trials = {Trial(0, 1.0), Trial(1, 2.0)};
  trials[0].summary = {{"acc", {{"last", nullptr}}}};
  trials[1].summary = {{"acc", {{"last", "NaN"}}}};
  RankOptions opts;
  opts.metric = "acc";
  auto r = RankTrials(Sweep("loss", "minimize"), trials, opts);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->rows[0].value.has_value());
  EXPECT_TRUE(std::isnan(*r->rows[0].value));
  EXPECT_TRUE(std::isnan(*r->rows[1].value));
}

TEST(RankTrials, SweepWithoutMetricNeedsOne) {
  auto r = RankTrials(Sweep("", ""), {Trial(0, 1.0)}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().ExitCode(), 2);
  EXPECT_NE(r.status().message().find("--metric"), std::string::npos);
}

TEST(SweepSummaryMode, ReadsTheOptionsAndDefaultsToLast) {
  EXPECT_EQ(SweepSummaryMode(Sweep("m", "minimize")), SummaryMode::kLast);
  EXPECT_EQ(SweepSummaryMode(Sweep("m", "minimize", "min")), SummaryMode::kMin);
  EXPECT_EQ(SweepSummaryMode(Sweep("m", "minimize", "bogus")), SummaryMode::kLast);
  EXPECT_EQ(SweepGoal(Sweep("m", "")), Goal::kMinimize);
  EXPECT_EQ(SweepGoal(Sweep("m", "maximize")), Goal::kMaximize);
}

TEST(ParseGoal, AcceptsOnlyTheTwoWords) {
  EXPECT_EQ(ParseGoal("minimize"), Goal::kMinimize);
  EXPECT_EQ(ParseGoal("maximize"), Goal::kMaximize);
  EXPECT_FALSE(ParseGoal("max").has_value());
  EXPECT_STREQ(GoalName(Goal::kMaximize), "maximize");
}

TEST(BestSoFar, KeepsTheBestIgnoresNaNAndPrefersLowerNumbersOnTies) {
  BestSoFar best(Goal::kMinimize);
  EXPECT_FALSE(best.has_value());
  EXPECT_FALSE(best.Offer("t-0", 0, kNaN));
  EXPECT_FALSE(best.has_value());
  EXPECT_TRUE(best.Offer("t-3", 3, 0.5));
  EXPECT_FALSE(best.Offer("t-4", 4, 0.7));
  EXPECT_TRUE(best.Offer("t-2", 2, 0.5));  // tie, lower number wins
  EXPECT_FALSE(best.Offer("t-5", 5, 0.5));
  EXPECT_TRUE(best.Offer("t-6", 6, 0.1));
  EXPECT_EQ(best.trial_id(), "t-6");
  EXPECT_EQ(best.number(), 6u);
  EXPECT_DOUBLE_EQ(best.value(), 0.1);

  BestSoFar up(Goal::kMaximize);
  EXPECT_TRUE(up.Offer("a", 0, 1.0));
  // Infinity is not finite: never the best, even when maximizing.
  EXPECT_FALSE(up.Offer("b", 1, std::numeric_limits<double>::infinity()));
  EXPECT_TRUE(up.Offer("c", 2, 5.0));
  EXPECT_EQ(up.trial_id(), "c");
}

}  // namespace
}  // namespace sweep
