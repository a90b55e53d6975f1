// `sweep export SWEEP --format csv|json`: one row per trial, for spreadsheets and
// scripts.
//
// Columns are fixed first (id, sweep, number, status, value, exit_code, signal,
// started_at, ended_at, duration), then one per parameter ("params.<name>", in the
// order the parameters first appear, which is the spec's order) and one per metric
// ("metrics.<name>", sorted, the last reported value). The prefixes keep a parameter
// called "status" or "value" from colliding with a fixed column. CSV follows RFC 4180
// (CRLF line ends, fields quoted when needed); an absent value is an empty field.
#include <algorithm>
#include <sstream>

#include "orchestrator/report/read_common.h"
#include "orchestrator/report/report_format.h"
#include "orchestrator/report/report_pareto.h"
#include "orchestrator/store/trial_kinds.h"

namespace sweep {

int CmdExport(ReadContext& ctx, const std::string& sweep_arg, const std::string& format) {
  if (format != "csv" && format != "json") {
    return Fail(ctx, Status::Usage("--format must be csv or json, not '" + format + "'"));
  }
  auto sweep = LookupSweep(ctx, sweep_arg);
  if (!sweep.ok()) return Fail(ctx, sweep.status());
  auto trials_or = ctx.store.ListTrials(sweep->id);
  if (!trials_or.ok()) return Fail(ctx, trials_or.status());
  const std::vector<TrialRecord>& trials = *trials_or;
  std::vector<std::optional<double>> values = TargetValues(*sweep, trials);
  std::vector<std::string> params = ParamNames(trials);
  std::vector<std::string> metrics = SummaryMetricNames(trials);
  // Multi-objective or constrained sweeps also carry each trial's objective values,
  // front and feasibility (the columns `top --json` has).
  const std::optional<ParetoSetup> setup = SweepPareto(*sweep);
  std::vector<const ParetoRow*> pareto(trials.size(), nullptr);
  std::optional<ParetoRanking> ranking;
  if (setup) {
    ranking = RankPareto(trials, *setup);
    for (const ParetoRow& r : ranking->rows) pareto[r.index] = &r;
  }

  if (format == "json") {
    // Built by moves, not from initializer lists (which copy): at 100,000 metric
    // names each copy of a trial's metrics cost tens of milliseconds.
    Value doc = Value::object();
    doc["sweep"] = sweep->id;
    doc["metric"] = sweep->metric.empty() ? Value(nullptr) : Value(sweep->metric);
    doc["goal"] = GoalName(SweepGoal(*sweep));
    Value& rows = doc["trials"] = Value::array();
    for (size_t i = 0; i < trials.size(); ++i) {
      const TrialRecord& t = trials[i];
      Value row = TrialRowHead(t, values[i]);
      row["signal"] = t.signal ? Value(*t.signal) : Value(nullptr);
      row["started_at"] = JsonTime(t.started_at);
      row["ended_at"] = JsonTime(t.ended_at);
      row["duration"] = JsonNumber(TrialDuration(ctx, t));
      row["manual"] = IsManualTrial(t);
      row["params"] = t.params.is_object() ? t.params : Value::object();
      row["metrics"] = LastValuesJson(t, metrics);
      if (pareto[i]) AddParetoFields(*pareto[i], row);
      rows.push_back(std::move(row));
    }
    PrintJson(ctx, doc);
    return 0;
  }

  std::ostringstream o;
  std::vector<std::string> header = {"id",        "sweep",  "number",     "status",   "value",
                                     "exit_code", "signal", "started_at", "ended_at", "duration"};
  for (const auto& p : params) header.push_back("params." + p);
  for (const auto& m : metrics) header.push_back("metrics." + m);
  if (setup) {
    header.insert(header.begin() + 10, {"front", "feasible", "violations"});
    for (size_t k = 0; k < setup->objectives.size(); ++k)
      header.insert(header.begin() + 13 + static_cast<std::ptrdiff_t>(k),
                    "values." + setup->objectives[k].name);
  }
  // A "manual" column (true/false) after the fixed ones (and the Pareto ones) only
  // when the sweep has manual trials (`sweep run --sweep`), so other exports keep
  // their columns.
  const bool any_manual = std::any_of(trials.begin(), trials.end(), IsManualTrial);
  if (any_manual)
    header.insert(header.begin() + 10 +
                      (setup ? 3 + static_cast<std::ptrdiff_t>(setup->objectives.size()) : 0),
                  "manual");
  auto emit = [&](const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) o << ',';
      o << CsvField(fields[i]);
    }
    o << "\r\n";
  };
  emit(header);
  for (size_t i = 0; i < trials.size(); ++i) {
    const TrialRecord& t = trials[i];
    auto duration = TrialDuration(ctx, t);
    std::vector<std::string> row = {t.id,
                                    t.sweep_id,
                                    std::to_string(t.number),
                                    TrialStatusName(t.status),
                                    values[i] ? FormatExactNumber(*values[i]) : "",
                                    t.exit_code ? std::to_string(*t.exit_code) : "",
                                    t.signal ? std::to_string(*t.signal) : "",
                                    FormatIsoTime(t.started_at),
                                    FormatIsoTime(t.ended_at),
                                    duration ? FormatExactNumber(*duration) : ""};
    if (const ParetoRow* r = pareto[i]) {
      std::string violations;
      for (const std::string& v : r->violations) violations += (violations.empty() ? "" : "; ") + v;
      row.push_back(r->front > 0 ? std::to_string(r->front) : "");
      row.push_back(r->feasible ? "true" : "false");
      row.push_back(violations);
      for (const auto& v : r->values) row.push_back(v ? FormatExactNumber(*v) : "");
    }
    if (any_manual) row.push_back(IsManualTrial(t) ? "true" : "false");
    for (const auto& p : params) {
      std::string cell;
      if (t.params.is_object()) {
        auto it = t.params.find(p);
        if (it != t.params.end()) cell = FormatParam(*it);
      }
      row.push_back(std::move(cell));
    }
    for (const auto& m : metrics) {
      auto v = LastValue(t, m);
      row.push_back(v ? FormatExactNumber(*v) : "");
    }
    emit(row);
  }
  ctx.out << o.str();
  return 0;
}

}  // namespace sweep
