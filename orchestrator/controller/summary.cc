// Trial summaries. NaN and +-Inf are kept as reported values (a diverged run is
// information) and counted, but never become a min or max, and rank worst: an
// infinite loss is a run that blew up, not the best run.
//
// Names live in a hash map, so a report costs O(1) whatever the number of names; a
// trial that reports more than max_names distinct names has the extra ones dropped
// (the controller warns once with dropped_*; the target metric is never dropped, so a
// capped trial still ranks), which bounds the summary the store,
// the read commands and the dashboard must handle.
#include "orchestrator/controller/summary.h"

#include <algorithm>
#include <cmath>

namespace sweep {
namespace {

KeyedValue Num(double v) {
  if (std::isfinite(v)) return KeyedValue(v);
  return KeyedValue(nullptr);
}

std::string NonFiniteText(double v) {
  if (std::isnan(v)) return "NaN";
  return v > 0 ? "Infinity" : "-Infinity";
}

double FromText(const KeyedValue& v, double fallback) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s == "NaN") return std::nan("");
    if (s == "Infinity") return INFINITY;
    if (s == "-Infinity") return -INFINITY;
  }
  return fallback;
}

}  // namespace

bool TrialSummary::Add(const std::string& name, int64_t step, double value) {
  auto it = metrics_.find(name);
  if (it == metrics_.end()) {
    if (metrics_.size() >= max_names_ && name != target_) {
      ++dropped_points_;
      if (dropped_names_.emplace(name, true).second && dropped_examples_.size() < 5)
        dropped_examples_.push_back(name);
      return false;
    }
    it = metrics_.emplace(name, MetricSummary{}).first;
  }
  MetricSummary& m = it->second;
  m.last = value;
  m.last_step = step;
  ++m.count;
  if (!std::isfinite(value)) {
    ++m.nonfinite;
  } else {
    if (!m.has_finite) {
      m.min = m.max = value;
      m.has_finite = true;
    } else {
      m.min = std::min(m.min, value);
      m.max = std::max(m.max, value);
    }
  }
  return true;
}

std::vector<std::string> TrialSummary::Names() const {
  std::vector<std::string> names;
  names.reserve(metrics_.size());
  for (const auto& [name, m] : metrics_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<double> TrialSummary::Value(const std::string& metric, SummaryMode mode,
                                          Goal goal) const {
  auto it = metrics_.find(metric);
  if (it == metrics_.end() || it->second.count == 0) return std::nullopt;
  const MetricSummary& m = it->second;
  switch (mode) {
    case SummaryMode::kLast:
      return m.last;
    case SummaryMode::kMin:
      return m.has_finite ? m.min : std::nan("");
    case SummaryMode::kMax:
      return m.has_finite ? m.max : std::nan("");
    case SummaryMode::kBest:
      if (!m.has_finite) return std::nan("");
      return goal == Goal::kMinimize ? m.min : m.max;
  }
  return std::nullopt;
}

int64_t TrialSummary::Count(const std::string& metric) const {
  auto it = metrics_.find(metric);
  return it == metrics_.end() ? 0 : it->second.count;
}

KeyedValue TrialSummary::ToJson() const {
  KeyedValue out = KeyedValue::object();
  for (const auto& [name, m] : metrics_) {
    KeyedValue s = KeyedValue::object();
    s["last"] = Num(m.last);
    if (!std::isfinite(m.last)) s["last_text"] = NonFiniteText(m.last);
    s["min"] = m.has_finite ? Num(m.min) : KeyedValue(nullptr);
    s["max"] = m.has_finite ? Num(m.max) : KeyedValue(nullptr);
    s["count"] = m.count;
    if (m.nonfinite > 0) s["nonfinite"] = m.nonfinite;
    s["last_step"] = m.last_step;
    out[name] = std::move(s);
  }
  return out;
}

TrialSummary TrialSummary::FromJson(const KeyedValue& v, size_t max_names) {
  TrialSummary t(max_names);
  if (!v.is_object()) return t;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const KeyedValue& s = it.value();
    if (!s.is_object()) continue;
    MetricSummary m;
    m.last = FromText(s.contains("last_text") ? s["last_text"] : s.value("last", KeyedValue()),
                      std::nan(""));
    if (s.contains("min") && s["min"].is_number()) {
      m.min = s["min"].get<double>();
      m.max = s.value("max", m.min);
      m.has_finite = true;
    }
    m.count = s.value("count", int64_t{0});
    m.nonfinite = s.value("nonfinite", int64_t{0});
    m.last_step = s.value("last_step", int64_t{0});
    t.metrics_[it.key()] = m;
  }
  return t;
}

bool ReachesTarget(double value, double target, Goal goal) {
  if (!std::isfinite(value)) return false;
  return goal == Goal::kMinimize ? value <= target : value >= target;
}

bool Better(double a, double b, Goal goal) {
  if (!std::isfinite(a)) return false;
  if (!std::isfinite(b)) return true;
  return goal == Goal::kMinimize ? a < b : a > b;
}

}  // namespace sweep
