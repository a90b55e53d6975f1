// Pareto ranking of stored trials (see pareto_ranking.h). Values come from each
// trial's summary JSON through SummaryValue (ranking.h), with each objective's own
// summary mode, so a resumed or imported sweep ranks the same way it was run.
// Dominance and hypervolume are computed in minimisation form (search/pareto.h):
// maximised objectives and their reference coordinates are negated first.
#include "orchestrator/store/pareto_ranking.h"

#include <algorithm>
#include <cmath>

#include "orchestrator/store/ranking.h"
#include "search/pareto.h"

namespace sweep {
namespace {

std::optional<double> NumberAt(const Value& v, const char* key) {
  if (!v.is_object() || !v.contains(key) || !v[key].is_number()) return std::nullopt;
  return v[key].get<double>();
}

const char* ImputeName(Impute i) {
  return i == Impute::kBest ? "best" : i == Impute::kLatest ? "latest" : "worst";
}

bool Ranked(TrialStatus s) {
  return s == TrialStatus::kFinished || s == TrialStatus::kStopped || s == TrialStatus::kFailed;
}

}  // namespace

std::string ParetoNumber(double v) { return FormatPythonFloat(v); }

Value ParetoOption(const SweepSpec& spec) {
  if (spec.objectives.size() < 2 && spec.constraints.empty()) return Value(nullptr);
  Value out = Value::object();
  Value objectives = Value::array();
  const std::vector<MetricSpec> list =
      spec.objectives.size() >= 2 ? spec.objectives : std::vector<MetricSpec>{spec.metric};
  for (const MetricSpec& m : list) {
    Value o = {
        {"name", m.name}, {"goal", GoalName(m.goal)}, {"summary", SummaryModeName(m.summary)}};
    if (m.reference) o["reference"] = *m.reference;
    objectives.push_back(o);
  }
  out["objectives"] = objectives;
  Value constraints = Value::array();
  for (const ConstraintSpec& c : spec.constraints) {
    Value o = {{"metric", c.metric}};
    if (c.bound.min) o["min"] = *c.bound.min;
    if (c.bound.max) o["max"] = *c.bound.max;
    constraints.push_back(o);
  }
  out["constraints"] = constraints;
  out["impute"] = ImputeName(spec.metric.impute);
  return out;
}

std::optional<ParetoSetup> SweepPareto(const SweepRecord& sweep) {
  const Value& p = sweep.options.pareto;
  if (!p.is_object() || !p.contains("objectives") || !p["objectives"].is_array())
    return std::nullopt;
  ParetoSetup setup;
  for (const Value& o : p["objectives"]) {
    if (!o.is_object() || !o.contains("name") || !o["name"].is_string()) continue;
    ParetoObjective obj;
    obj.name = o["name"].get<std::string>();
    if (o.contains("goal") && o["goal"].is_string())
      obj.goal = ParseGoal(o["goal"].get<std::string>()).value_or(Goal::kMinimize);
    if (o.contains("summary") && o["summary"].is_string())
      obj.summary = ParseSummaryMode(o["summary"].get<std::string>()).value_or(SummaryMode::kLast);
    obj.reference = NumberAt(o, "reference");
    setup.objectives.push_back(std::move(obj));
  }
  if (p.contains("constraints") && p["constraints"].is_array())
    for (const Value& c : p["constraints"]) {
      if (!c.is_object() || !c.contains("metric") || !c["metric"].is_string()) continue;
      ConstraintSpec spec;
      spec.metric = c["metric"].get<std::string>();
      spec.bound.min = NumberAt(c, "min");
      spec.bound.max = NumberAt(c, "max");
      setup.constraints.push_back(std::move(spec));
    }
  if (p.contains("impute") && p["impute"] == "best") setup.impute = Impute::kBest;
  if (setup.objectives.empty()) return std::nullopt;
  return setup;
}

ParetoRanking RankPareto(const std::vector<TrialRecord>& trials, const ParetoSetup& setup) {
  ParetoRanking out;
  out.setup = setup;
  const size_t m = setup.objectives.size();
  std::vector<ParetoRow> rows(trials.size());
  std::vector<size_t> group(trials.size(), 3);
  std::vector<size_t> complete;  // indices in group 1
  std::vector<ObjectivePoint> points;
  for (size_t i = 0; i < trials.size(); ++i) {
    const TrialRecord& t = trials[i];
    ParetoRow& row = rows[i];
    row.index = i;
    bool finite = true;
    for (const ParetoObjective& o : setup.objectives) {
      row.values.push_back(SummaryValue(t, o.name, o.summary, o.goal));
      finite = finite && row.values.back() && std::isfinite(*row.values.back());
    }
    for (const ConstraintSpec& c : setup.constraints) {
      const std::optional<double> v =
          SummaryValue(t, c.metric, SummaryMode::kLast, Goal::kMinimize);
      if (!v) {
        if (setup.impute != Impute::kBest) row.violations.push_back(c.metric + " not reported");
      } else if (!c.bound.Holds(*v)) {
        std::string why = c.metric + "=" + ParetoNumber(*v);
        if (c.bound.min && !(*v >= *c.bound.min))
          why += " < min " + ParetoNumber(*c.bound.min);
        else
          why += " > max " + ParetoNumber(*c.bound.max);
        row.violations.push_back(why);
      }
    }
    row.feasible = row.violations.empty();
    if (t.status == TrialStatus::kLost) {
      group[i] = 5;
    } else if (!Ranked(t.status)) {
      group[i] = 4;
    } else if (!row.feasible) {
      group[i] = 2;
    } else if (finite) {
      group[i] = 1;
      complete.push_back(i);
      ObjectivePoint p(m);
      for (size_t k = 0; k < m; ++k)
        p[k] = setup.objectives[k].goal == Goal::kMinimize ? *row.values[k] : -*row.values[k];
      points.push_back(std::move(p));
    }
  }
  const std::vector<size_t> fronts = NonDominatedSort(points);
  std::vector<ObjectivePoint> first;
  for (size_t j = 0; j < complete.size(); ++j) {
    rows[complete[j]].front = fronts[j];
    if (fronts[j] == 1) first.push_back(points[j]);
  }
  out.front_size = first.size();
  // Reference point (minimisation form), then the hypervolume of front 1.
  ObjectivePoint ref(m, 0);
  for (size_t k = 0; k < m; ++k) {
    const ParetoObjective& o = setup.objectives[k];
    if (o.reference) {
      ref[k] = o.goal == Goal::kMinimize ? *o.reference : -*o.reference;
      continue;
    }
    out.reference_derived = true;
    double lo = INFINITY, hi = -INFINITY;
    for (const ObjectivePoint& p : first) lo = std::min(lo, p[k]), hi = std::max(hi, p[k]);
    if (first.empty()) lo = hi = 0;
    const double span = hi > lo ? hi - lo : std::max(std::fabs(hi), 1.0);
    ref[k] = hi + 0.1 * span;
  }
  out.hypervolume = Hypervolume(first, ref);
  for (size_t k = 0; k < m; ++k)
    out.reference.push_back(setup.objectives[k].goal == Goal::kMinimize ? ref[k] : -ref[k]);

  std::vector<size_t> order(trials.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  const bool first_min = m > 0 && setup.objectives[0].goal == Goal::kMinimize;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (group[a] != group[b]) return group[a] < group[b];
    if (group[a] == 1) {
      if (rows[a].front != rows[b].front) return rows[a].front < rows[b].front;
      const double va = *rows[a].values[0], vb = *rows[b].values[0];
      if (va != vb) return first_min ? va < vb : va > vb;
    } else if (group[a] == 2 && rows[a].violations.size() != rows[b].violations.size()) {
      return rows[a].violations.size() < rows[b].violations.size();
    }
    return trials[a].number < trials[b].number;
  });
  for (size_t r = 0; r < order.size(); ++r) {
    out.rows.push_back(std::move(rows[order[r]]));
    out.rows.back().rank = r + 1;
  }
  return out;
}

std::vector<std::string> RankingMetricNames(const SweepRecord& sweep) {
  std::vector<std::string> names;
  if (!sweep.metric.empty()) names.push_back(sweep.metric);
  if (auto setup = SweepPareto(sweep)) {
    for (const ParetoObjective& o : setup->objectives) names.push_back(o.name);
    for (const ConstraintSpec& c : setup->constraints) names.push_back(c.metric);
  }
  return names;
}

}  // namespace sweep
