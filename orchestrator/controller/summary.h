// Per-metric running summaries of one trial (last, min, max, count, last step) and
// the summary value a trial is ranked by.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "orchestrator/spec/spec.h"
#include "orchestrator/store/records.h"

namespace sweep {

struct MetricSummary {
  double last = 0;
  double min = 0;  // over finite values only: NaN and +-Inf never become min/max
  double max = 0;
  bool has_finite = false;  // min/max are meaningful
  int64_t count = 0;        // every report, non-finite ones included
  int64_t nonfinite = 0;    // reports that were NaN, Infinity or -Infinity
  int64_t last_step = 0;
};

class TrialSummary {
 public:
  // The default cap on distinct metric names per trial (`reporting.max_metric_names`).
  static constexpr size_t kDefaultMaxNames = 10000;

  // `max_names`: distinct names kept; a report of a further name is dropped, except
  // of `target` (the sweep's metric), which is always kept.
  explicit TrialSummary(size_t max_names = kDefaultMaxNames, std::string target = "")
      : max_names_(max_names), target_(std::move(target)) {}

  // Adds one reported value (NaN and +-Inf included). False, and nothing kept, when
  // `name` is new, not the target, and the trial already has max_names names
  // (counted in dropped_*). O(1) expected per call.
  bool Add(const std::string& name, int64_t step, double value);

  // The value ranking uses for `metric` under `mode` and `goal`; nullopt when the
  // metric was never reported. kLast is W&B's meaning.
  std::optional<double> Value(const std::string& metric, SummaryMode mode, Goal goal) const;
  int64_t Count(const std::string& metric) const;
  size_t size() const { return metrics_.size(); }
  // The kept names, sorted.
  std::vector<std::string> Names() const;

  // Names refused by the cap: how many distinct ones, the first few, and how many
  // reports of them were dropped.
  size_t dropped_names() const { return dropped_names_.size(); }
  const std::vector<std::string>& dropped_examples() const { return dropped_examples_; }
  int64_t dropped_points() const { return dropped_points_; }

  // {name: {"last", "min", "max", "count", "last_step"}} sorted by name, plus
  // "nonfinite" when some reports were not finite; non-finite numbers as null plus a
  // "last_text" of "NaN"/"Infinity"/"-Infinity" so nothing is lost. Linear-log in
  // the number of names (a key-sorted object, not an insertion-ordered Value).
  KeyedValue ToJson() const;
  // Inverse of ToJson (for resume); unknown shapes are skipped.
  static TrialSummary FromJson(const KeyedValue& v, size_t max_names = kDefaultMaxNames);

 private:
  size_t max_names_;
  std::string target_;
  std::unordered_map<std::string, MetricSummary> metrics_;
  std::unordered_map<std::string, bool> dropped_names_;
  std::vector<std::string> dropped_examples_;
  int64_t dropped_points_ = 0;
};

// True when `value` is at least as good as `target` for `goal` (never for NaN).
bool ReachesTarget(double value, double target, Goal goal);
// True when a is strictly better than b for goal; a non-finite value (NaN, +-Inf,
// e.g. a diverged loss) is worse than every finite one.
bool Better(double a, double b, Goal goal);

}  // namespace sweep
