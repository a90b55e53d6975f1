// Per-metric running summaries of one trial (last, min, max, count, last step) and
// the summary value a trial is ranked by.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "orchestrator/spec/spec.h"
#include "base/value.h"

namespace sweep {

struct MetricSummary {
  double last = 0;
  double min = 0;  // NaN-free: NaN reports never become min/max
  double max = 0;
  bool has_finite = false;  // min/max are meaningful
  int64_t count = 0;
  int64_t last_step = 0;
};

class TrialSummary {
 public:
  // Adds one reported value (NaN and +-Inf included).
  void Add(const std::string& name, int64_t step, double value);

  // The value ranking uses for `metric` under `mode` and `goal`; nullopt when the
  // metric was never reported. kLast is W&B's meaning.
  std::optional<double> Value(const std::string& metric, SummaryMode mode, Goal goal) const;
  int64_t Count(const std::string& metric) const;
  const std::map<std::string, MetricSummary>& metrics() const { return metrics_; }

  // {name: {"last", "min", "max", "count", "last_step"}}; non-finite numbers as null
  // plus a "last_text" of "NaN"/"Infinity" so nothing is lost.
  sweep::Value ToJson() const;
  // Inverse of ToJson (for resume); unknown shapes are skipped.
  static TrialSummary FromJson(const sweep::Value& v);

 private:
  std::map<std::string, MetricSummary> metrics_;
};

// True when `value` is at least as good as `target` for `goal`.
bool ReachesTarget(double value, double target, Goal goal);
// True when a is strictly better than b for goal (NaN is worst).
bool Better(double a, double b, Goal goal);

}  // namespace sweep
