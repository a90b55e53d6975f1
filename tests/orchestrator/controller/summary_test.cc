#include "orchestrator/controller/summary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace sweep {
namespace {

const double kInf = std::numeric_limits<double>::infinity();

TEST(TrialSummary, MinAndMaxAreOverFiniteValuesAndNonFiniteOnesAreCounted) {
  TrialSummary s;
  s.Add("loss", 0, 2.0);
  s.Add("loss", 1, -kInf);
  s.Add("loss", 2, std::nan(""));
  s.Add("loss", 3, 1.0);
  s.Add("loss", 4, kInf);
  KeyedValue j = s.ToJson();
  EXPECT_EQ(j["loss"]["min"], 1.0);
  EXPECT_EQ(j["loss"]["max"], 2.0);
  EXPECT_EQ(j["loss"]["count"], 5);
  EXPECT_EQ(j["loss"]["nonfinite"], 3);
  EXPECT_TRUE(j["loss"]["last"].is_null());
  EXPECT_EQ(j["loss"]["last_text"], "Infinity");
  EXPECT_EQ(*s.Value("loss", SummaryMode::kBest, Goal::kMinimize), 1.0);
  EXPECT_EQ(*s.Value("loss", SummaryMode::kLast, Goal::kMinimize), kInf);
  TrialSummary back = TrialSummary::FromJson(j);
  EXPECT_EQ(back.ToJson(), j);
}

TEST(TrialSummary, OnlyInfiniteReportsLeaveMinAndMaxEmpty) {
  TrialSummary s;
  s.Add("loss", 0, -kInf);
  EXPECT_TRUE(std::isnan(*s.Value("loss", SummaryMode::kMin, Goal::kMinimize)));
  EXPECT_TRUE(s.ToJson()["loss"]["min"].is_null());
  EXPECT_EQ(s.ToJson()["loss"]["last_text"], "-Infinity");
}

TEST(TrialSummary, NamesBeyondTheCapAreDroppedAndCounted) {
  TrialSummary s(3);
  EXPECT_TRUE(s.Add("a", 0, 1));
  EXPECT_TRUE(s.Add("b", 0, 1));
  EXPECT_TRUE(s.Add("c", 0, 1));
  EXPECT_FALSE(s.Add("d", 0, 1));
  EXPECT_TRUE(s.Add("a", 1, 2));  // known names still update
  EXPECT_FALSE(s.Add("d", 1, 1));
  EXPECT_FALSE(s.Add("e", 0, 1));
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s.dropped_names(), 2u);
  EXPECT_EQ(s.dropped_points(), 3);
  EXPECT_EQ(s.dropped_examples(), (std::vector<std::string>{"d", "e"}));
  EXPECT_EQ(s.Names(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(s.Count("a"), 2);
  EXPECT_FALSE(s.ToJson().contains("d"));
}

TEST(TrialSummary, TheTargetMetricIsKeptPastTheCap) {
  TrialSummary s(1, "loss");
  EXPECT_TRUE(s.Add("a", 0, 1));
  EXPECT_FALSE(s.Add("b", 0, 1));
  EXPECT_TRUE(s.Add("loss", 0, 0.5));
  EXPECT_EQ(*s.Value("loss", SummaryMode::kLast, Goal::kMinimize), 0.5);
  EXPECT_EQ(s.dropped_names(), 1u);
}

TEST(TrialSummary, HundredThousandNamesStayKeyedAndSorted) {
  TrialSummary s(100000);
  for (int i = 99999; i >= 0; --i) s.Add("layer" + std::to_string(i) + "/grad", 0, i);
  EXPECT_EQ(s.size(), 100000u);
  KeyedValue j = s.ToJson();
  ASSERT_EQ(j.size(), 100000u);
  EXPECT_EQ(j.begin().key(), "layer0/grad");  // sorted by name
  EXPECT_EQ(j["layer4242/grad"]["last"], 4242.0);
  EXPECT_EQ(*s.Value("layer99999/grad", SummaryMode::kLast, Goal::kMinimize), 99999.0);
}

TEST(Better, NonFiniteValuesAreWorseThanEveryFiniteOne) {
  EXPECT_TRUE(Better(5.0, -kInf, Goal::kMinimize));
  EXPECT_FALSE(Better(-kInf, 5.0, Goal::kMinimize));
  EXPECT_FALSE(Better(kInf, 5.0, Goal::kMaximize));
  EXPECT_FALSE(ReachesTarget(-kInf, 0.1, Goal::kMinimize));
  EXPECT_TRUE(ReachesTarget(0.05, 0.1, Goal::kMinimize));
}

}  // namespace
}  // namespace sweep
