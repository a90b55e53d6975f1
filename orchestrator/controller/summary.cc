// Trial summaries. NaN is kept as a reported value (a diverged run is information)
// but never becomes a min or max, and ranks worst.
#include "orchestrator/controller/summary.h"

#include <cmath>

namespace sweep {
namespace {

sweep::Value Num(double v) {
  if (std::isfinite(v)) return sweep::Value(v);
  return sweep::Value(nullptr);
}

std::string NonFiniteText(double v) {
  if (std::isnan(v)) return "NaN";
  return v > 0 ? "Infinity" : "-Infinity";
}

double FromText(const sweep::Value& v, double fallback) {
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

void TrialSummary::Add(const std::string& name, int64_t step, double value) {
  MetricSummary& m = metrics_[name];
  m.last = value;
  m.last_step = step;
  ++m.count;
  if (!std::isnan(value)) {
    if (!m.has_finite) {
      m.min = m.max = value;
      m.has_finite = true;
    } else {
      m.min = std::min(m.min, value);
      m.max = std::max(m.max, value);
    }
  }
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

sweep::Value TrialSummary::ToJson() const {
  sweep::Value out = sweep::Value::object();
  for (const auto& [name, m] : metrics_) {
    sweep::Value s = sweep::Value::object();
    s["last"] = Num(m.last);
    if (!std::isfinite(m.last)) s["last_text"] = NonFiniteText(m.last);
    s["min"] = m.has_finite ? Num(m.min) : sweep::Value(nullptr);
    s["max"] = m.has_finite ? Num(m.max) : sweep::Value(nullptr);
    s["count"] = m.count;
    s["last_step"] = m.last_step;
    out[name] = std::move(s);
  }
  return out;
}

TrialSummary TrialSummary::FromJson(const sweep::Value& v) {
  TrialSummary t;
  if (!v.is_object()) return t;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const sweep::Value& s = it.value();
    if (!s.is_object()) continue;
    MetricSummary m;
    m.last = FromText(s.contains("last_text") ? s["last_text"] : s.value("last", sweep::Value()),
                      std::nan(""));
    if (s.contains("min") && s["min"].is_number()) {
      m.min = s["min"].get<double>();
      m.max = s.value("max", m.min);
      m.has_finite = true;
    }
    m.count = s.value("count", int64_t{0});
    m.last_step = s.value("last_step", int64_t{0});
    t.metrics_[it.key()] = m;
  }
  return t;
}

bool ReachesTarget(double value, double target, Goal goal) {
  if (std::isnan(value)) return false;
  return goal == Goal::kMinimize ? value <= target : value >= target;
}

bool Better(double a, double b, Goal goal) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return goal == Goal::kMinimize ? a < b : a > b;
}

}  // namespace sweep
