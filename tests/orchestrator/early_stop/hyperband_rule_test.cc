#include "orchestrator/early_stop/hyperband_rule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace sweep {
namespace {

std::unique_ptr<HyperbandRule> MakeRule(HyperbandOptions o, Goal goal = Goal::kMinimize) {
  auto r = HyperbandRule::Make(o, goal, "loss");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return std::move(r).value();
}

HyperbandOptions MaxIter(int64_t max_iter, double eta, int64_t s, bool strict = false) {
  HyperbandOptions o;
  o.max_iter = max_iter;
  o.eta = eta;
  o.s = s;
  o.strict = strict;
  return o;
}

void Feed(EarlyStopRule& rule, const std::string& id, const std::vector<double>& values) {
  for (size_t i = 0; i < values.size(); ++i)
    rule.OnReport(id, static_cast<int64_t>(i) + 1, values[i]);
}

std::vector<std::string> Ids(const std::vector<StopDecision>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(d.trial_id);
  return out;
}

TEST(HyperbandBands, FollowWandbScheduleFromMaxIterAndS) {
  EXPECT_EQ(HyperbandBands(MaxIter(5, 2, 2)).value(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(HyperbandBands(MaxIter(18, 3, 2)).value(), (std::vector<int64_t>{2, 6}));
  EXPECT_EQ(HyperbandBands(MaxIter(81, 3, 3)).value(), (std::vector<int64_t>{3, 9, 27}));
  EXPECT_EQ(HyperbandBands(MaxIter(9, 3, 5)).value(), (std::vector<int64_t>{1, 3}));
}

TEST(HyperbandBands, FollowWandbScheduleFromMinIter) {
  HyperbandOptions o;
  o.min_iter = 3;
  o.eta = 3;
  auto bands = HyperbandBands(o).value();
  ASSERT_GE(bands.size(), 3u);
  EXPECT_EQ(std::vector<int64_t>(bands.begin(), bands.begin() + 3),
            (std::vector<int64_t>{3, 9, 27}));
  EXPECT_LE(bands.back(), int64_t{1} << 40);
  o.min_iter = 30;
  o.eta = 1.5;
  bands = HyperbandBands(o).value();
  EXPECT_EQ(std::vector<int64_t>(bands.begin(), bands.begin() + 3),
            (std::vector<int64_t>{30, 45, 67}));
}

TEST(HyperbandBands, RejectSchedulesWithoutABand) {
  HyperbandOptions none;
  EXPECT_EQ(HyperbandBands(none).status().code(), ErrorCode::kInvalidSpec);
  EXPECT_NE(HyperbandBands(MaxIter(2, 3, 1)).status().message().find("early_terminate.s"),
            std::string::npos);
  EXPECT_NE(HyperbandBands(MaxIter(81, 1, 3)).status().message().find("early_terminate.eta"),
            std::string::npos);
  HyperbandOptions no_s;
  no_s.max_iter = 27;
  EXPECT_NE(HyperbandBands(no_s).status().message().find("required with max_iter"),
            std::string::npos);
  HyperbandOptions zero;
  zero.min_iter = 0;
  EXPECT_EQ(HyperbandBands(zero).status().code(), ErrorCode::kInvalidSpec);
}

// W&B's documented example (hyperband_stopping.py docstring, test_5runs_band1_stop_2):
// eta 2, max_iter 5, s 2 -> bands 1 and 2; a and e finished; b and c are stopped.
TEST(HyperbandRule, ReproducesWandbFiveRunExample) {
  auto rule = MakeRule(MaxIter(5, 2, 2));
  Feed(*rule, "a", {10, 9});
  Feed(*rule, "b", {10, 10});
  Feed(*rule, "c", {10, 8, 8});
  Feed(*rule, "d", {10, 7, 7});
  Feed(*rule, "e", {10, 6, 6});
  rule->OnEnd("a");
  rule->OnEnd("e");
  EXPECT_DOUBLE_EQ(*rule->Threshold(0), 8);  // report 2: {9,10,8,7,6}[int(5/2)]
  EXPECT_DOUBLE_EQ(*rule->Threshold(1), 7);  // report 3: {8,7,6}[int(3/2)]
  auto stops = rule->Decide({"b", "c", "d"});
  ASSERT_EQ(Ids(stops), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(stops[0].bracket, 0);
  EXPECT_EQ(stops[1].bracket, 1);
  EXPECT_EQ(stops[0].rule, "hyperband");
  EXPECT_NE(stops[1].reason.find("loss best so far after 3 reports is 8, worse than 7"),
            std::string::npos)
      << stops[1].reason;
}

// W&B test_5runs_band1_stop_2_1stnoband: a finished run with one report changes nothing.
TEST(HyperbandRule, ReproducesWandbExampleWhenAFinishedRunHasNoBand) {
  auto rule = MakeRule(MaxIter(5, 2, 2));
  Feed(*rule, "a", {10});
  Feed(*rule, "b", {10, 10});
  Feed(*rule, "c", {10, 8, 8});
  Feed(*rule, "d", {10, 7, 7});
  Feed(*rule, "e", {10, 6, 6});
  rule->OnEnd("a");
  rule->OnEnd("e");
  EXPECT_EQ(Ids(rule->Decide({"b", "c", "d"})), (std::vector<std::string>{"b", "c"}));
}

// W&B test_eta_3: bands 1 and 3, thresholds 7 and 4; b and e are stopped, c (best 3)
// and d (best 4, a tie) survive.
TEST(HyperbandRule, ReproducesWandbEta3Example) {
  auto rule = MakeRule(MaxIter(9, 3, 2));
  Feed(*rule, "a", {10, 9});
  Feed(*rule, "b", {10, 10});
  Feed(*rule, "c", {10, 8, 8, 3});
  Feed(*rule, "d", {10, 7, 7, 4});
  Feed(*rule, "e", {10, 6, 6, 6});
  rule->OnEnd("a");
  EXPECT_DOUBLE_EQ(*rule->Threshold(0), 7);
  EXPECT_DOUBLE_EQ(*rule->Threshold(1), 4);
  EXPECT_EQ(Ids(rule->Decide({"b", "c", "d", "e"})), (std::vector<std::string>{"b", "e"}));
}

// W&B test_eta_3_max: the same runs negated, goal maximize.
TEST(HyperbandRule, HandlesMaximizeBySign) {
  auto rule = MakeRule(MaxIter(9, 3, 2), Goal::kMaximize);
  Feed(*rule, "a", {-10, -9});
  Feed(*rule, "b", {-10, -10});
  Feed(*rule, "c", {-10, -8, -8, -3});
  Feed(*rule, "d", {-10, -7, -7, -4});
  Feed(*rule, "e", {-10, -6, -6, -6});
  rule->OnEnd("a");
  EXPECT_DOUBLE_EQ(*rule->Threshold(1), -4);
  auto stops = rule->Decide({"b", "c", "d", "e"});
  ASSERT_EQ(Ids(stops), (std::vector<std::string>{"b", "e"}));
  EXPECT_NE(stops[1].reason.find("is -6, worse than -4"), std::string::npos) << stops[1].reason;
}

// W&B test_hyperband_min_iter_bands: bands 3, 9, 27; the flat run is stopped.
TEST(HyperbandRule, StopsFlatRunWithMinIterBands) {
  HyperbandOptions o;
  o.min_iter = 3;
  o.eta = 3;
  auto rule = MakeRule(o);
  Feed(*rule, "flat", {10, 10, 10, 10});
  Feed(*rule, "down", {10, 9, 8, 7, 6, 5, 4, 3, 2, 1});
  EXPECT_EQ(Ids(rule->Decide({"flat", "down"})), (std::vector<std::string>{"flat"}));
}

// W&B test_single_run and test_2runs_band1_pass.
TEST(HyperbandRule, NeverStopsALoneRunOrATie) {
  auto lone = MakeRule(MaxIter(18, 3, 2));
  Feed(*lone, "x", {10, 9, 8, 7, 6, 5, 4, 3, 2, 1});
  EXPECT_TRUE(lone->Decide({"x"}).empty());
  auto two = MakeRule(MaxIter(18, 3, 2));
  Feed(*two, "r1", {10, 10, 6});
  Feed(*two, "r2", {10, 9, 8, 7, 6, 5, 4, 3, 2, 1});
  EXPECT_TRUE(two->Decide({"r1", "r2"}).empty());
}

// Non-strict compares the best value so far; strict compares the value at the band.
TEST(HyperbandRule, StrictJudgesTheValueAtTheBandNotTheBestSoFar) {
  for (bool strict : {false, true}) {
    auto rule = MakeRule(MaxIter(5, 2, 2, strict));
    Feed(*rule, "x", {5, 5});
    Feed(*rule, "y", {5, 6});
    Feed(*rule, "z", {1, 9});  // best so far 1, but 9 at report 2; threshold is 6
    rule->OnEnd("x");
    rule->OnEnd("y");
    auto stops = rule->Decide({"z"});
    EXPECT_EQ(stops.size(), strict ? 1u : 0u) << "strict=" << strict;
    if (strict) {
      EXPECT_NE(stops[0].reason.find("at report 2 is 9, worse than 6"), std::string::npos)
          << stops[0].reason;
    }
  }
}

TEST(HyperbandRule, CountsNaNAsAReportWithTheWorstValue) {
  auto rule = MakeRule(MaxIter(5, 2, 2));
  Feed(*rule, "a", {3, 3});
  Feed(*rule, "b", {3, 4});
  Feed(*rule, "nan", {NAN, NAN});
  rule->OnEnd("a");
  rule->OnEnd("b");
  auto stops = rule->Decide({"nan"});
  ASSERT_EQ(Ids(stops), (std::vector<std::string>{"nan"}));
  EXPECT_NE(stops[0].reason.find("is NaN"), std::string::npos) << stops[0].reason;
}

TEST(HyperbandRule, StopsATrialAtMostOnceAndNeverAfterItEnded) {
  auto rule = MakeRule(MaxIter(5, 2, 2));
  Feed(*rule, "good", {1, 1});
  Feed(*rule, "good2", {1, 1});
  Feed(*rule, "good3", {2, 2});  // the threshold itself: a tie survives
  Feed(*rule, "bad", {9, 9});
  Feed(*rule, "worse", {9, 10});
  rule->OnEnd("worse");
  EXPECT_EQ(Ids(rule->Decide({"good3", "bad", "bad", "worse"})), (std::vector<std::string>{"bad"}));
  rule->OnReport("bad", 3, 20);
  EXPECT_TRUE(rule->Decide({"bad", "worse"}).empty());
}

TEST(HyperbandRule, EndedTrialsKeepCountingTowardThresholds) {
  auto rule = MakeRule(MaxIter(5, 2, 2));
  Feed(*rule, "done1", {1, 1});
  Feed(*rule, "done2", {2, 2});
  rule->OnEnd("done1");
  rule->OnEnd("done2");
  Feed(*rule, "late", {5, 5});
  // Alone, "late" would set the threshold itself; with the ended ones it is the worst.
  EXPECT_DOUBLE_EQ(*rule->Threshold(0), 2);
  EXPECT_EQ(Ids(rule->Decide({"late"})), (std::vector<std::string>{"late"}));
}

TEST(HyperbandRule, ReevaluatesARunningTrialAsTheBandFillsUp) {
  auto rule = MakeRule(MaxIter(5, 2, 2));
  Feed(*rule, "first", {5, 5});
  EXPECT_TRUE(rule->Decide({"first"}).empty());  // alone at the band: its own threshold
  Feed(*rule, "second", {1, 1});
  Feed(*rule, "third", {2, 2});
  EXPECT_EQ(Ids(rule->Decide({"first", "second", "third"})), (std::vector<std::string>{"first"}));
}

TEST(HyperbandRule, IgnoresTrialsBeforeTheirFirstBandAndUnknownIds) {
  auto rule = MakeRule(MaxIter(9, 3, 2));  // bands 1, 3
  Feed(*rule, "a", {1, 1});
  Feed(*rule, "b", {50});
  EXPECT_TRUE(rule->Decide({"b", "nobody"}).empty());
  EXPECT_FALSE(rule->Threshold(1).has_value());
  EXPECT_NE(rule->Describe().find("after reports 2, 4"), std::string::npos) << rule->Describe();
}

}  // namespace
}  // namespace sweep
