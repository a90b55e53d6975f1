// The median stopping rule (Golovin et al., "Google Vizier", KDD 2017; Katib's
// medianstop): stop a trial whose best value so far at step n is worse than the median
// of the other trials' running averages at step n.
//
// Steps are counts of reports of the target metric. A trial is judged only once it
// has at least min_iter reports, and only when at least min_trials other trials
// (running or ended) have reached its step. It is judged on every Decide call, so a
// trial that survives now may be stopped later as others reach its step.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "orchestrator/early_stop/early_stop.h"

namespace sweep {

struct MedianOptions {
  int64_t min_iter = 1;    // reports before a trial may be stopped; >= 1
  int64_t min_trials = 5;  // other trials that must have reached the step; >= 1
};

class MedianRule : public EarlyStopRule {
 public:
  // Use Make(): it validates the options.
  MedianRule(const MedianOptions& options, Goal goal, std::string metric_name);
  static Result<std::unique_ptr<MedianRule>> Make(const MedianOptions& options, Goal goal,
                                                  std::string metric_name);

  void OnReport(const std::string& trial_id, int64_t count, double value) override;
  void OnEnd(const std::string& trial_id) override;
  std::vector<StopDecision> Decide(const std::vector<std::string>& running) override;
  std::string Describe() const override;

 private:
  struct Sums {
    std::vector<double> prefix;  // prefix[i] = sum of the first i+1 oriented values
    std::vector<double> best;    // best[i] = min of the first i+1 oriented values
  };
  void Rebuild(Sums& s, const std::vector<double>& h, size_t from);

  MedianOptions options_;
  std::string metric_;
  OrientedHistories histories_;
  TrialFlags flags_;
  std::unordered_map<std::string, Sums> sums_;
};

}  // namespace sweep
