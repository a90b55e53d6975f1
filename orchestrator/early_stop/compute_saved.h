// How much compute early termination saved: trial-seconds that stopped trials would
// still have used had every trial run to the end, estimated from the finished ones.
//
// Pure arithmetic over per-trial usage; the caller (sweep status, the controller)
// reads durations and report counts from the store.
#pragma once

#include <cstdint>
#include <vector>

namespace sweep {

enum class UsageEnd {
  kFinished,  // ran to the end: defines what "the end" costs
  kStopped,   // stopped by an early-termination rule: the only source of savings
  kOther,     // failed, lost, cancelled or still running: counted as used, saves nothing
};

struct TrialUsage {
  double seconds = 0;   // wall-clock run time of the trial (its trial-seconds)
  int64_t reports = 0;  // times it reported the target metric
  UsageEnd end = UsageEnd::kOther;
};

struct ComputeSaved {
  int finished = 0;
  int stopped = 0;
  double used_s = 0;   // trial-seconds actually spent, all trials
  double saved_s = 0;  // estimated trial-seconds the stopped trials did not spend
  // saved / (used + saved): the share of a no-early-termination sweep's compute saved.
  double saved_fraction = 0;
  // False when no trial finished yet: nothing to estimate "the end" from (saved_s = 0).
  bool estimated = false;
};

// Estimate: a full trial makes R reports, the median over finished trials. A stopped
// trial that made r reports in s seconds would have taken s·R/r (its own pace); one
// with no report, or when finished trials report nothing, would have taken the median
// finished duration. Savings are never negative. Never fails; ignores negative and
// non-finite seconds (counted as 0).
ComputeSaved EstimateComputeSaved(const std::vector<TrialUsage>& trials);

}  // namespace sweep
