// Early termination: the interface every stopping rule implements, the history
// store the rules share, and the factory that builds a rule from the spec.
//
// Rules are pure logic: no processes, no clock, no I/O. The controller feeds each
// report of the target metric to OnReport, tells the rule when a trial ends, and
// asks Decide which running trials to stop; it stops them itself. All calls come
// from one thread (the controller's event loop); rules are not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/status.h"
#include "orchestrator/spec/spec.h"
#include "search/strategy.h"

namespace sweep {

// One trial the rule wants stopped, and why.
struct StopDecision {
  std::string trial_id;
  std::string rule;    // "hyperband", "asha", "median" or "curve"
  std::string reason;  // one human-readable sentence: metric, report count, value, threshold
  int bracket = -1;    // 0-based hyperband band or ASHA rung index; -1 for median, curve
};

class EarlyStopRule {
 public:
  virtual ~EarlyStopRule() = default;

  // The trial reported its `count`-th value (1-based) of the target metric, raw sign
  // (the rule knows the goal). NaN counts as the worst possible value. A count at or
  // below one already seen replaces that report (re-delivery after a resume); a count
  // that skips ahead is taken as the next report. count < 1 is ignored.
  virtual void OnReport(const std::string& trial_id, int64_t count, double value) = 0;

  // The trial ended (finished, failed, stopped or lost). Its history keeps counting
  // toward every threshold; it is never returned by Decide afterwards.
  virtual void OnEnd(const std::string& trial_id) = 0;

  // Running trials that should be stopped now. Each trial is returned at most once
  // over the rule's lifetime; ids unknown to the rule are ignored.
  virtual std::vector<StopDecision> Decide(const std::vector<std::string>& running) = 0;

  // One line describing the schedule, e.g. "hyperband: bands at 3, 9, 27 reports".
  virtual std::string Describe() const = 0;
};

// Builds the rule the spec asks for. Never returns nullptr: kNone gives a rule that
// never stops anything. Fails with kInvalidSpec (message names the key) when the
// parameters make no schedule: eta <= 1, min_iter < 1, hyperband without min_iter or
// max_iter+s, max_iter+s giving no band, median min_trials < 1, curve min_iter < 2,
// curve max_iter <= min_iter, curve confidence outside [0.5, 1).
// `metric_name` is only used in reasons.
Result<std::unique_ptr<EarlyStopRule>> MakeEarlyStopRule(const EarlyTerminateSpec& spec, Goal goal,
                                                         const std::string& metric_name = "metric");

// Per-trial histories of one metric, oriented so that smaller is better (maximize
// goals are negated, NaN becomes +inf). Shared by the rules; not thread-safe.
class OrientedHistories {
 public:
  explicit OrientedHistories(Goal goal) : goal_(goal) {}

  // Applies OnReport's count semantics. Returns the index (0-based) written, or -1
  // when ignored.
  int64_t Add(const std::string& trial_id, int64_t count, double raw);

  // nullptr when the trial never reported.
  const std::vector<double>* Find(const std::string& trial_id) const;
  const std::unordered_map<std::string, std::vector<double>>& all() const { return histories_; }

  // Raw value -> oriented value, and a display string of an oriented value in the
  // metric's own sign ("NaN" for the worst-possible value a NaN became).
  double Orient(double raw) const;
  double Raw(double oriented) const { return goal_ == Goal::kMaximize ? -oriented : oriented; }
  std::string Show(double oriented) const;

 private:
  Goal goal_;
  std::unordered_map<std::string, std::vector<double>> histories_;
};

// Bookkeeping every rule needs: which trials ended and which were already stopped.
class TrialFlags {
 public:
  void MarkEnded(const std::string& id) { ended_.insert(id); }
  void MarkStopped(const std::string& id) { stopped_.insert(id); }
  // True when Decide may still consider the trial.
  bool Eligible(const std::string& id) const { return !ended_.count(id) && !stopped_.count(id); }

 private:
  std::unordered_set<std::string> ended_;
  std::unordered_set<std::string> stopped_;
};

// "%.6g" formatting used in reasons.
std::string FormatNumber(double v);

}  // namespace sweep
