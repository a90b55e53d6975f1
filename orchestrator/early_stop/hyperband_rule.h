// W&B's hyperband early termination (wandb/sweeps hyperband_stopping.py), re-implemented.
//
// Bands are counts of reports of the target metric, never the step value. A band b
// applies to a trial once it has reported more than b times; its threshold is the
// value at index b (the (b+1)-th report) of every trial that got that far, ended or
// running, taken at rank floor(n/eta) of the sorted values: the top 1/eta. A running
// trial is checked against the last band it passed, every time Decide is called (so
// the threshold it faces tightens as more trials reach the band, as in W&B).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "orchestrator/early_stop/early_stop.h"

namespace sweep {

struct HyperbandOptions {
  // Either min_iter (bands min_iter·eta^k), or max_iter with s (bands
  // max_iter/eta^i, i = 1..s, stopping below 1); max_iter+s wins when both are set.
  std::optional<int64_t> min_iter;
  std::optional<int64_t> max_iter;
  std::optional<int64_t> s;
  double eta = 3;  // W&B default 3; must be > 1
  // true (W&B's engine default): the value at the band vs the threshold; false: the
  // best value so far (more lenient).
  bool strict = true;
};

// W&B's band schedule (truncated to integers, sorted, duplicates removed; the
// min_iter form is cut at 2^40 reports). Fails with kInvalidSpec naming the key.
Result<std::vector<int64_t>> HyperbandBands(const HyperbandOptions& options);

class HyperbandRule : public EarlyStopRule {
 public:
  // Use Make(): it validates the options.
  HyperbandRule(std::vector<int64_t> bands, double eta, bool strict, Goal goal,
                std::string metric_name);
  static Result<std::unique_ptr<HyperbandRule>> Make(const HyperbandOptions& options, Goal goal,
                                                     std::string metric_name);

  void OnReport(const std::string& trial_id, int64_t count, double value) override;
  void OnEnd(const std::string& trial_id) override;
  std::vector<StopDecision> Decide(const std::vector<std::string>& running) override;
  std::string Describe() const override;

  const std::vector<int64_t>& bands() const { return bands_; }
  // Current threshold (raw sign) of band index i, or nullopt when no trial reached it.
  std::optional<double> Threshold(size_t band_index) const;

 private:
  double OrientedThreshold(size_t band_index) const;  // +inf when nobody reached it

  std::vector<int64_t> bands_;
  double eta_;
  bool strict_;
  std::string metric_;
  OrientedHistories histories_;
  TrialFlags flags_;
};

}  // namespace sweep
