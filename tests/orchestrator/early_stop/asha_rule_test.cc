#include "orchestrator/early_stop/asha_rule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace sweep {
namespace {

std::unique_ptr<AshaRule> MakeRule(int64_t min_iter, double eta, std::optional<int64_t> max_iter,
                                   Goal goal = Goal::kMinimize) {
  AshaOptions o;
  o.min_iter = min_iter;
  o.eta = eta;
  o.max_iter = max_iter;
  auto r = AshaRule::Make(o, goal, "val_loss");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return std::move(r).value();
}

// Reports values and returns what Decide says right after the last one.
std::vector<StopDecision> Report(AshaRule& rule, const std::string& id,
                                 const std::vector<double>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    rule.OnReport(id, static_cast<int64_t>(i) + 1, values[i]);
  }
  return rule.Decide({id});
}

TEST(AshaRungs, SitAtMinIterTimesPowersOfEtaBelowMaxIter) {
  AshaOptions o;
  o.min_iter = 1;
  o.eta = 3;
  o.max_iter = 100;
  EXPECT_EQ(AshaRungs(o).value(), (std::vector<int64_t>{1, 3, 9, 27, 81}));
  o.min_iter = 2;
  o.eta = 2;
  o.max_iter = 16;
  EXPECT_EQ(AshaRungs(o).value(), (std::vector<int64_t>{2, 4, 8}));
  o.max_iter.reset();
  auto open = AshaRungs(o).value();
  EXPECT_EQ(open[3], 16);
  EXPECT_LE(open.back(), int64_t{1} << 40);
}

TEST(AshaRungs, RejectOptionsWithoutARung) {
  AshaOptions o;
  o.min_iter = 10;
  o.max_iter = 10;
  EXPECT_NE(AshaRungs(o).status().message().find("early_terminate.max_iter"), std::string::npos);
  o.max_iter.reset();
  o.eta = 0.5;
  EXPECT_NE(AshaRungs(o).status().message().find("early_terminate.eta"), std::string::npos);
  o.eta = 3;
  o.min_iter = 0;
  EXPECT_NE(AshaRungs(o).status().message().find("early_terminate.min_iter"), std::string::npos);
}

TEST(AshaRule, PromotesWhileFewerThanEtaValuesAtTheRung) {
  auto rule = MakeRule(2, 3, 20);  // rungs 2, 6, 18
  EXPECT_TRUE(Report(*rule, "a", {5, 1}).empty());
  EXPECT_TRUE(Report(*rule, "b", {5, 9}).empty());  // 2 values < eta 3: continue
}

TEST(AshaRule, KeepsOnlyTheTopOneOverEtaAtARung) {
  auto rule = MakeRule(2, 3, 20);
  Report(*rule, "a", {5, 1});
  Report(*rule, "b", {5, 2});
  auto stops = Report(*rule, "c", {5, 3});  // 3 values: only the best (1) continues
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].trial_id, "c");
  EXPECT_EQ(stops[0].rule, "asha");
  EXPECT_EQ(stops[0].bracket, 0);
  EXPECT_NE(stops[0].reason.find("val_loss at report 2 is 3, outside the top 1/3 (best 1 of 3, "
                                 "cutoff 1)"),
            std::string::npos)
      << stops[0].reason;
  EXPECT_TRUE(Report(*rule, "d", {5, 0.5}).empty());  // new best: continues
  auto e = Report(*rule, "e", {5, 1});                // 5 values, top floor(5/3) = 1: cutoff 0.5
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NE(e[0].reason.find("(best 1 of 5, cutoff 0.5)"), std::string::npos) << e[0].reason;
  EXPECT_TRUE(Report(*rule, "f", {5, 0.5}).empty());  // ties the cutoff: continues
  EXPECT_EQ(rule->RungValues(0), (std::vector<double>{1, 2, 3, 0.5, 1, 0.5}));
}

TEST(AshaRule, JudgesEachRungOnceWithoutWaitingForOthers) {
  auto rule = MakeRule(1, 2, 10);                   // rungs 1, 2, 4, 8
  EXPECT_TRUE(Report(*rule, "slow", {4}).empty());  // alone at rung 0
  EXPECT_TRUE(Report(*rule, "fast", {1}).empty());  // 2 values, top 1: 1 is the best
  // "slow" reached rung 0 before the better value arrived: it is not judged again there.
  EXPECT_TRUE(rule->Decide({"slow", "fast"}).empty());
  rule->OnReport("slow", 2, 3);  // rung 1, alone there: continues
  EXPECT_TRUE(rule->Decide({"slow", "fast"}).empty());
  rule->OnReport("fast", 2, 0.5);
  EXPECT_TRUE(rule->Decide({"slow", "fast"}).empty());
  rule->OnReport("slow", 3, 0.1);  // between rungs: never judged
  EXPECT_TRUE(rule->Decide({"slow"}).empty());
}

TEST(AshaRule, UsesTheValueAtTheRungNotTheBestSoFar) {
  auto rule = MakeRule(3, 2, std::nullopt);  // rungs 3, 6, 12, ...
  Report(*rule, "a", {9, 9, 2});
  auto stops = Report(*rule, "b", {0.1, 0.1, 5});  // best so far 0.1, at rung 5 > 2
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].trial_id, "b");
}

TEST(AshaRule, EndedTrialsStayInTheRungLists) {
  auto rule = MakeRule(1, 2, std::nullopt);
  Report(*rule, "done", {1});
  rule->OnEnd("done");
  auto stops = Report(*rule, "late", {2});
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].trial_id, "late");
  EXPECT_TRUE(rule->Decide({"done"}).empty());
}

TEST(AshaRule, HandlesMaximizeBySign) {
  auto rule = MakeRule(1, 2, std::nullopt, Goal::kMaximize);
  Report(*rule, "high", {0.9});
  auto stops = Report(*rule, "low", {0.2});
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].trial_id, "low");
  EXPECT_NE(stops[0].reason.find("is 0.2"), std::string::npos) << stops[0].reason;
  EXPECT_NE(stops[0].reason.find("cutoff 0.9"), std::string::npos) << stops[0].reason;
  EXPECT_TRUE(Report(*rule, "higher", {0.95}).empty());
}

TEST(AshaRule, TreatsNaNAsTheWorstValue) {
  auto rule = MakeRule(1, 2, std::nullopt, Goal::kMaximize);
  Report(*rule, "ok", {-100});
  auto stops = Report(*rule, "nan", {NAN});
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_NE(stops[0].reason.find("is NaN"), std::string::npos) << stops[0].reason;
}

TEST(AshaRule, StopsATrialAtMostOnce) {
  auto rule = MakeRule(1, 2, std::nullopt);  // rungs 1, 2, 4, ...
  Report(*rule, "best", {1, 1, 1, 1});
  ASSERT_EQ(Report(*rule, "bad", {5}).size(), 1u);
  rule->OnReport("bad", 2, 9);  // the controller may still deliver reports in flight
  EXPECT_TRUE(rule->Decide({"bad", "bad"}).empty());
}

TEST(AshaRule, JudgesEveryRungATrialSkippedPastInOneReport) {
  auto rule = MakeRule(1, 2, std::nullopt);
  Report(*rule, "a", {1, 1});
  rule->OnReport("b", 1, 0.5);
  rule->OnReport("b", 2, 7);  // rung 0 passes (0.5 best), rung 1 fails (7 > 1)
  auto stops = rule->Decide({"b"});
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].bracket, 1);
  EXPECT_NE(rule->Describe().find("rungs at reports 1, 2, 4"), std::string::npos);
}

}  // namespace
}  // namespace sweep
