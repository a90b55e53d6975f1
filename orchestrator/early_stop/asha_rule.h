// Asynchronous successive halving (Li et al., "A System for Massively Parallel
// Hyperparameter Tuning", MLSys 2020) as a stop-or-continue rule.
//
// Rungs sit at min_iter·eta^k reports of the target metric (k = 0, 1, ...), below
// max_iter when it is given. When a trial reaches a rung its value at that report is
// recorded there, and it continues only if that value is within the top 1/eta of all
// values recorded at the rung so far (by any trial, running or ended). Nobody waits for
// a full bracket: with fewer than eta values at a rung, the trial continues.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "orchestrator/early_stop/early_stop.h"

namespace sweep {

struct AshaOptions {
  // Reports before the first rung; must be >= 1. Default 3, not Ray Tune's 1: in
  // bench/early_stop_bench with min_iter 1 the eventual best trial was cut at its
  // first report in 3 of 10 seeds (curves cross early); with 3 in none.
  int64_t min_iter = 3;
  std::optional<int64_t> max_iter;  // reports a full trial makes; rungs stay below it
  double eta = 3;                   // keep the top 1/eta at each rung; must be > 1
};

// The rung schedule (report counts, strictly increasing). Fails with kInvalidSpec
// naming the key when options are out of range or leave no rung.
Result<std::vector<int64_t>> AshaRungs(const AshaOptions& options);

class AshaRule : public EarlyStopRule {
 public:
  // Use Make(): it validates the options.
  AshaRule(std::vector<int64_t> rungs, double eta, Goal goal, std::string metric_name);
  static Result<std::unique_ptr<AshaRule>> Make(const AshaOptions& options, Goal goal,
                                                std::string metric_name);

  void OnReport(const std::string& trial_id, int64_t count, double value) override;
  void OnEnd(const std::string& trial_id) override;
  std::vector<StopDecision> Decide(const std::vector<std::string>& running) override;
  std::string Describe() const override;

  const std::vector<int64_t>& rungs() const { return rungs_; }
  // Values recorded at rung k so far (raw sign).
  std::vector<double> RungValues(size_t k) const;

 private:
  struct Pending {
    size_t rung;
    double value;  // oriented
  };
  struct TrialState {
    size_t next_rung = 0;
    std::vector<Pending> pending;  // rungs reached since the last Decide
  };

  std::vector<int64_t> rungs_;
  double eta_;
  std::string metric_;
  OrientedHistories histories_;
  TrialFlags flags_;
  std::vector<std::vector<double>> rung_values_;  // oriented, per rung
  std::unordered_map<std::string, TrialState> trials_;
};

}  // namespace sweep
