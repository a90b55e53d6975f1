#include "orchestrator/early_stop/median_rule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace sweep {
namespace {

std::unique_ptr<MedianRule> MakeRule(int64_t min_iter, int64_t min_trials,
                                     Goal goal = Goal::kMinimize) {
  MedianOptions o;
  o.min_iter = min_iter;
  o.min_trials = min_trials;
  auto r = MedianRule::Make(o, goal, "loss");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return std::move(r).value();
}

void Feed(EarlyStopRule& rule, const std::string& id, const std::vector<double>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    rule.OnReport(id, static_cast<int64_t>(i) + 1, values[i]);
  }
}

TEST(MedianRule, StopsATrialWorseThanTheMedianOfRunningAverages) {
  auto rule = MakeRule(2, 2);
  Feed(*rule, "a", {1, 1, 1});
  Feed(*rule, "b", {3, 3, 3});
  rule->OnEnd("a");
  rule->OnEnd("b");
  Feed(*rule, "c", {5, 4});  // best 4; averages at report 2 are 1 and 3, median 2
  auto stops = rule->Decide({"c"});
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].rule, "median");
  EXPECT_EQ(stops[0].bracket, -1);
  EXPECT_NE(stops[0].reason.find("loss best so far after 2 reports is 4, worse than 2, the "
                                 "median of 2 other trials' running averages at report 2"),
            std::string::npos)
      << stops[0].reason;
}

TEST(MedianRule, ComparesWithRunningAveragesNotLatestValues) {
  auto rule = MakeRule(1, 2);
  Feed(*rule, "a", {10, 0});  // latest 0, running average 5
  Feed(*rule, "b", {10, 0});
  Feed(*rule, "c", {6, 4});  // best 4 < 5: continues (latest values would stop it)
  EXPECT_TRUE(rule->Decide({"c"}).empty());
}

TEST(MedianRule, ComparesTheBestValueSoFarNotTheLatest) {
  auto rule = MakeRule(1, 2);
  Feed(*rule, "a", {4, 4});
  Feed(*rule, "b", {4, 4});
  Feed(*rule, "c", {3, 9});  // latest 9 is bad, best 3 beats the median 4
  EXPECT_TRUE(rule->Decide({"c"}).empty());
}

TEST(MedianRule, WaitsForMinIterAndMinTrials) {
  auto rule = MakeRule(3, 3);
  Feed(*rule, "a", {1, 1, 1});
  Feed(*rule, "b", {1, 1, 1});
  Feed(*rule, "c", {1, 1});  // has not reached report 3: does not count there
  Feed(*rule, "x", {9, 9});
  EXPECT_TRUE(rule->Decide({"x"}).empty());  // report 2 < min_iter 3
  rule->OnReport("x", 3, 9);
  EXPECT_TRUE(rule->Decide({"x"}).empty());  // only a and b reached report 3
  rule->OnReport("c", 3, 1);
  EXPECT_EQ(rule->Decide({"x"}).size(), 1u);  // now three others did
}

TEST(MedianRule, TakesTheMeanOfTheMiddleTwoForAnEvenCount) {
  auto rule = MakeRule(1, 4);
  Feed(*rule, "a", {1});
  Feed(*rule, "b", {2});
  Feed(*rule, "c", {4});
  Feed(*rule, "d", {8});
  Feed(*rule, "tie", {3});
  Feed(*rule, "worse", {3.5});
  // For "tie" the others are 1, 2, 4, 8, 3.5: median 3, a tie survives. For "worse"
  // the others are 1, 2, 3, 4, 8: median 3 and 3.5 is worse.
  auto stops = rule->Decide({"tie", "worse"});
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].trial_id, "worse");
  auto even = MakeRule(1, 4);
  Feed(*even, "a", {1});
  Feed(*even, "b", {2});
  Feed(*even, "c", {4});
  Feed(*even, "d", {8});
  Feed(*even, "x", {3.01});  // others 1, 2, 4, 8: median (2 + 4) / 2 = 3
  EXPECT_EQ(even->Decide({"x"}).size(), 1u);
}

TEST(MedianRule, HandlesMaximizeBySign) {
  auto rule = MakeRule(1, 2, Goal::kMaximize);
  Feed(*rule, "a", {0.9});
  Feed(*rule, "b", {0.8});
  Feed(*rule, "low", {0.5});
  Feed(*rule, "high", {0.95});
  auto stops = rule->Decide({"low", "high"});
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].trial_id, "low");
  EXPECT_NE(stops[0].reason.find("is 0.5, worse than 0.9, the median of 3"), std::string::npos)
      << stops[0].reason;
}

TEST(MedianRule, TreatsNaNAsTheWorstValue) {
  auto rule = MakeRule(1, 2);
  Feed(*rule, "a", {1});
  Feed(*rule, "b", {2});
  Feed(*rule, "nan", {NAN});
  auto stops = rule->Decide({"nan", "a"});
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].trial_id, "nan");
  EXPECT_NE(stops[0].reason.find("is NaN"), std::string::npos) << stops[0].reason;
}

TEST(MedianRule, StopsATrialAtMostOnceAndNeverAfterItEnded) {
  auto rule = MakeRule(1, 2);
  Feed(*rule, "a", {1});
  Feed(*rule, "b", {1});
  Feed(*rule, "bad", {5});
  Feed(*rule, "ended", {5});
  rule->OnEnd("ended");
  EXPECT_EQ(rule->Decide({"bad", "bad", "ended"}).size(), 1u);
  EXPECT_TRUE(rule->Decide({"bad", "ended"}).empty());
}

TEST(MedianRule, RebuildsAveragesWhenAReportIsRedelivered) {
  auto rule = MakeRule(2, 2);
  Feed(*rule, "a", {1, 1});
  Feed(*rule, "b", {1, 1});
  Feed(*rule, "c", {9, 9});
  rule->OnReport("c", 1, 0.5);               // re-delivered report 1 with another value
  EXPECT_TRUE(rule->Decide({"c"}).empty());  // best so far is now 0.5 < median 1
}

TEST(MedianRule, RejectsBadOptions) {
  MedianOptions o;
  o.min_trials = 0;
  EXPECT_NE(MedianRule::Make(o, Goal::kMinimize, "m")
                .status()
                .message()
                .find("early_terminate.min_trials"),
            std::string::npos);
  o.min_trials = 5;
  o.min_iter = 0;
  EXPECT_EQ(MedianRule::Make(o, Goal::kMinimize, "m").status().code(), ErrorCode::kInvalidSpec);
}

}  // namespace
}  // namespace sweep
