#include "orchestrator/early_stop/early_stop.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace sweep {
namespace {

TEST(MakeEarlyStopRule, GivesARuleThatNeverStopsForNone) {
  auto rule = MakeEarlyStopRule(EarlyTerminateSpec{}, Goal::kMinimize, "loss");
  ASSERT_TRUE(rule.ok());
  ASSERT_NE(rule.value(), nullptr);
  for (int i = 1; i <= 5; ++i) {
    rule.value()->OnReport("good", i, 0.1);
    rule.value()->OnReport("bad", i, 100);
  }
  EXPECT_TRUE(rule.value()->Decide({"good", "bad"}).empty());
  EXPECT_NE(rule.value()->Describe().find("none"), std::string::npos);
}

TEST(MakeEarlyStopRule, BuildsHyperbandFromWandbKeys) {
  EarlyTerminateSpec spec;
  spec.type = EarlyTerminateType::kHyperband;
  spec.max_iter = 5;
  spec.s = 2;
  spec.eta = 2;
  auto rule = MakeEarlyStopRule(spec, Goal::kMinimize, "val_loss");
  ASSERT_TRUE(rule.ok()) << rule.status().message();
  rule.value()->OnReport("a", 1, 10);
  rule.value()->OnReport("a", 2, 1);
  rule.value()->OnReport("b", 1, 10);
  rule.value()->OnReport("b", 2, 9);
  rule.value()->OnReport("c", 1, 10);
  rule.value()->OnReport("c", 2, 2);
  auto stops = rule.value()->Decide({"a", "b", "c"});
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].trial_id, "b");
  EXPECT_NE(stops[0].reason.find("val_loss"), std::string::npos);
}

TEST(MakeEarlyStopRule, DefaultsAshaToMinIterThreeAndMedianToOne) {
  EarlyTerminateSpec asha;
  asha.type = EarlyTerminateType::kAsha;
  asha.eta = 2;
  auto a = MakeEarlyStopRule(asha, Goal::kMinimize);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_NE(a.value()->Describe().find("rungs at reports 3, 6, 12"), std::string::npos)
      << a.value()->Describe();
  EarlyTerminateSpec median;
  median.type = EarlyTerminateType::kMedian;
  auto m = MakeEarlyStopRule(median, Goal::kMaximize);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_NE(m.value()->Describe().find("from report 1"), std::string::npos);
  EXPECT_NE(m.value()->Describe().find("at least 5 other"), std::string::npos);
}

TEST(MakeEarlyStopRule, RejectsParametersThatMakeNoSchedule) {
  EarlyTerminateSpec spec;
  spec.type = EarlyTerminateType::kHyperband;
  auto none = MakeEarlyStopRule(spec, Goal::kMinimize);
  EXPECT_EQ(none.status().code(), ErrorCode::kInvalidSpec);
  spec.min_iter = 3;
  spec.eta = 1;
  EXPECT_NE(MakeEarlyStopRule(spec, Goal::kMinimize).status().message().find("early_terminate.eta"),
            std::string::npos);
  EarlyTerminateSpec asha;
  asha.type = EarlyTerminateType::kAsha;
  asha.min_iter = 8;
  asha.max_iter = 4;
  EXPECT_NE(
      MakeEarlyStopRule(asha, Goal::kMinimize).status().message().find("early_terminate.max_iter"),
      std::string::npos);
  EarlyTerminateSpec median;
  median.type = EarlyTerminateType::kMedian;
  median.min_trials = 0;
  EXPECT_EQ(MakeEarlyStopRule(median, Goal::kMinimize).status().code(), ErrorCode::kInvalidSpec);
}

TEST(OrientedHistories, NegatesForMaximizeAndMakesNaNTheWorst) {
  OrientedHistories max(Goal::kMaximize);
  EXPECT_EQ(max.Orient(0.5), -0.5);
  EXPECT_EQ(max.Orient(NAN), INFINITY);
  EXPECT_EQ(max.Show(-0.5), "0.5");
  EXPECT_EQ(max.Show(INFINITY), "NaN");
  OrientedHistories min(Goal::kMinimize);
  EXPECT_EQ(min.Orient(0.5), 0.5);
  EXPECT_EQ(min.Orient(NAN), INFINITY);
}

TEST(OrientedHistories, IndexesReportsByCount) {
  OrientedHistories h(Goal::kMinimize);
  EXPECT_EQ(h.Add("t", 0, 1), -1);  // ignored
  EXPECT_EQ(h.Find("t"), nullptr);
  EXPECT_EQ(h.Add("t", 1, 1), 0);
  EXPECT_EQ(h.Add("t", 2, 2), 1);
  EXPECT_EQ(h.Add("t", 1, 5), 0);        // re-delivery replaces
  EXPECT_EQ(h.Add("t", 1000000, 3), 2);  // a skip ahead is the next report
  EXPECT_EQ(*h.Find("t"), (std::vector<double>{5, 2, 3}));
}

}  // namespace
}  // namespace sweep
