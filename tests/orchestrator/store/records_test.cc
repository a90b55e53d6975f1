#include "orchestrator/store/records.h"

#include <gtest/gtest.h>

namespace sweep {
namespace {

TEST(TrialStatusName, RoundTripsThroughParse) {
  for (TrialStatus s : {TrialStatus::kQueued, TrialStatus::kRunning, TrialStatus::kFinished,
                        TrialStatus::kFailed, TrialStatus::kStopped, TrialStatus::kLost}) {
    auto parsed = ParseTrialStatus(TrialStatusName(s));
    ASSERT_TRUE(parsed.has_value()) << TrialStatusName(s);
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_STREQ(TrialStatusName(TrialStatus::kLost), "lost");
  EXPECT_FALSE(ParseTrialStatus("Finished").has_value());
  EXPECT_FALSE(ParseTrialStatus("").has_value());
}

TEST(IsTerminal, IsTrueOnlyForEndedTrials) {
  EXPECT_FALSE(IsTerminal(TrialStatus::kQueued));
  EXPECT_FALSE(IsTerminal(TrialStatus::kRunning));
  EXPECT_TRUE(IsTerminal(TrialStatus::kFinished));
  EXPECT_TRUE(IsTerminal(TrialStatus::kFailed));
  EXPECT_TRUE(IsTerminal(TrialStatus::kStopped));
  EXPECT_TRUE(IsTerminal(TrialStatus::kLost));
}

TEST(SweepStatusName, RoundTripsThroughParse) {
  for (SweepStatus s : {SweepStatus::kRunning, SweepStatus::kFinished, SweepStatus::kInterrupted,
                        SweepStatus::kStopped, SweepStatus::kFailed}) {
    auto parsed = ParseSweepStatus(SweepStatusName(s));
    ASSERT_TRUE(parsed.has_value()) << SweepStatusName(s);
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_STREQ(SweepStatusName(SweepStatus::kInterrupted), "interrupted");
  EXPECT_FALSE(ParseSweepStatus("done").has_value());
}

}  // namespace
}  // namespace sweep
