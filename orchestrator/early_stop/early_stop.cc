// The rule factory and the helpers every rule shares.
//
// OrientedHistories keeps one vector per trial in "smaller is better" orientation so
// the rules never branch on the goal: maximize negates, NaN becomes +inf (the worst
// value whatever the goal). Reports are indexed by their count; a re-delivered count
// overwrites, a count that skips ahead appends, so a hostile count cannot make us
// allocate more than one slot per report. MakeEarlyStopRule maps the spec onto each
// rule's options and turns kNone into a rule that never stops.
#include "orchestrator/early_stop/early_stop.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

#include "orchestrator/early_stop/asha_rule.h"
#include "orchestrator/early_stop/curve_rule.h"
#include "orchestrator/early_stop/hyperband_rule.h"
#include "orchestrator/early_stop/median_rule.h"

namespace sweep {
namespace {

class NeverStopRule : public EarlyStopRule {
 public:
  void OnReport(const std::string&, int64_t, double) override {}
  void OnEnd(const std::string&) override {}
  std::vector<StopDecision> Decide(const std::vector<std::string>&) override { return {}; }
  std::string Describe() const override { return "none: trials always run to the end"; }
};

template <typename Rule>
Result<std::unique_ptr<EarlyStopRule>> Upcast(Result<std::unique_ptr<Rule>> r) {
  if (!r.ok()) return r.status();
  return std::unique_ptr<EarlyStopRule>(std::move(r).value());
}

std::optional<int64_t> Widen(const std::optional<int>& v) {
  if (!v) return std::nullopt;
  return static_cast<int64_t>(*v);
}

}  // namespace

std::string FormatNumber(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

int64_t OrientedHistories::Add(const std::string& trial_id, int64_t count, double raw) {
  if (count < 1) return -1;
  std::vector<double>& h = histories_[trial_id];
  const double v = Orient(raw);
  if (static_cast<uint64_t>(count) <= h.size()) {
    h[count - 1] = v;
    return count - 1;
  }
  h.push_back(v);
  return static_cast<int64_t>(h.size()) - 1;
}

const std::vector<double>* OrientedHistories::Find(const std::string& trial_id) const {
  auto it = histories_.find(trial_id);
  return it == histories_.end() ? nullptr : &it->second;
}

double OrientedHistories::Orient(double raw) const {
  if (std::isnan(raw)) return std::numeric_limits<double>::infinity();
  return goal_ == Goal::kMaximize ? -raw : raw;
}

std::string OrientedHistories::Show(double oriented) const {
  if (std::isinf(oriented) && oriented > 0) return "NaN";
  return FormatNumber(goal_ == Goal::kMaximize ? -oriented : oriented);
}

Result<std::unique_ptr<EarlyStopRule>> MakeEarlyStopRule(const EarlyTerminateSpec& spec, Goal goal,
                                                         const std::string& metric_name) {
  switch (spec.type) {
    case EarlyTerminateType::kNone:
      return std::unique_ptr<EarlyStopRule>(std::make_unique<NeverStopRule>());
    case EarlyTerminateType::kHyperband: {
      HyperbandOptions o;
      o.min_iter = Widen(spec.min_iter);
      o.max_iter = Widen(spec.max_iter);
      o.s = Widen(spec.s);
      o.eta = spec.eta;
      o.strict = spec.strict;
      return Upcast(HyperbandRule::Make(o, goal, metric_name));
    }
    case EarlyTerminateType::kAsha: {
      AshaOptions o;
      if (spec.min_iter) o.min_iter = *spec.min_iter;
      o.max_iter = Widen(spec.max_iter);
      o.eta = spec.eta;
      return Upcast(AshaRule::Make(o, goal, metric_name));
    }
    case EarlyTerminateType::kMedian: {
      MedianOptions o;
      if (spec.min_iter) o.min_iter = *spec.min_iter;
      o.min_trials = spec.min_trials;
      return Upcast(MedianRule::Make(o, goal, metric_name));
    }
    case EarlyTerminateType::kCurve: {
      CurveOptions o;
      if (spec.min_iter) o.min_iter = *spec.min_iter;
      o.max_iter = Widen(spec.max_iter);
      o.confidence = spec.confidence;
      return Upcast(CurveRule::Make(o, goal, metric_name));
    }
  }
  return Status::Internal("unknown early_terminate type");
}

}  // namespace sweep
