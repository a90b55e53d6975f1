#include "orchestrator/early_stop/compute_saved.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace sweep {
namespace {

TrialUsage Finished(double s, int64_t reports) { return {s, reports, UsageEnd::kFinished}; }
TrialUsage Stopped(double s, int64_t reports) { return {s, reports, UsageEnd::kStopped}; }

TEST(EstimateComputeSaved, ProjectsStoppedTrialsToTheFinishedReportCount) {
  auto r = EstimateComputeSaved({Finished(100, 100), Finished(100, 100), Finished(120, 100),
                                 Stopped(10, 10), Stopped(50, 25)});
  EXPECT_TRUE(r.estimated);
  EXPECT_EQ(r.finished, 3);
  EXPECT_EQ(r.stopped, 2);
  EXPECT_DOUBLE_EQ(r.used_s, 380);
  // 10 s for 10 of 100 reports -> 100 s in all, 90 saved; 50 s for 25 -> 200, 150 saved.
  EXPECT_DOUBLE_EQ(r.saved_s, 240);
  EXPECT_DOUBLE_EQ(r.saved_fraction, 240.0 / 620.0);
}

TEST(EstimateComputeSaved, SaysSoWhenNothingFinishedYet) {
  auto r = EstimateComputeSaved({Stopped(10, 3), {5, 1, UsageEnd::kOther}});
  EXPECT_FALSE(r.estimated);
  EXPECT_EQ(r.stopped, 1);
  EXPECT_DOUBLE_EQ(r.used_s, 15);
  EXPECT_DOUBLE_EQ(r.saved_s, 0);
}

TEST(EstimateComputeSaved, FallsBackToTheMedianDurationWithoutReports) {
  auto r = EstimateComputeSaved(
      {Finished(30, 0), Finished(40, 0), Finished(1000, 0), Stopped(10, 4), Stopped(5, 0)});
  EXPECT_DOUBLE_EQ(r.saved_s, (40 - 10) + (40 - 5));
}

TEST(EstimateComputeSaved, NeverCountsNegativeSavingsOrBadDurations) {
  auto r = EstimateComputeSaved(
      {Finished(10, 10), Stopped(50, 20), Stopped(NAN, 2), {-4, 3, UsageEnd::kOther}});
  EXPECT_DOUBLE_EQ(r.used_s, 60);
  EXPECT_DOUBLE_EQ(r.saved_s, 0);
  EXPECT_TRUE(std::isfinite(r.saved_fraction));
}

TEST(EstimateComputeSaved, CountsFailedAndRunningTrialsAsUsedOnly) {
  auto r = EstimateComputeSaved({Finished(10, 10), {7, 2, UsageEnd::kOther}});
  EXPECT_DOUBLE_EQ(r.used_s, 17);
  EXPECT_DOUBLE_EQ(r.saved_s, 0);
  EXPECT_EQ(r.stopped, 0);
  EXPECT_TRUE(EstimateComputeSaved({}).used_s == 0);
}

}  // namespace
}  // namespace sweep
