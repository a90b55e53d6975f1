// `top`, `status` and `export` pieces for multi-objective sweeps (see report_pareto.h).
// Text output goes through SanitizeForTerminal for every name a spec or trial chose, as
// the single-objective views do.
#include "orchestrator/report/report_pareto.h"

#include <algorithm>

#include "orchestrator/report/read_common.h"
#include "orchestrator/report/report_format.h"
#include "orchestrator/report/text_table.h"
#include "orchestrator/store/ranking.h"

namespace sweep {
namespace {

std::string ConstraintText(const ConstraintSpec& c) {
  std::string out;
  if (c.bound.min) out += ParetoNumber(*c.bound.min) + " <= ";
  out += c.metric;
  if (c.bound.max) out += " <= " + ParetoNumber(*c.bound.max);
  return out;
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace

void AddParetoFields(const ParetoRow& r, Value& row) {
  Value values = Value::array();
  for (const auto& v : r.values) values.push_back(JsonNumber(v));
  row["values"] = values;
  row["front"] = r.front > 0 ? Value(r.front) : Value(nullptr);
  row["feasible"] = r.feasible;
  Value violations = Value::array();
  for (const std::string& v : r.violations) violations.push_back(v);
  row["violations"] = violations;
}

Value ParetoSummaryJson(const ParetoRanking& ranking) {
  Value objectives = Value::array();
  for (const ParetoObjective& o : ranking.setup.objectives)
    objectives.push_back({{"name", o.name}, {"goal", GoalName(o.goal)}});
  Value constraints = Value::array();
  for (const ConstraintSpec& c : ranking.setup.constraints) {
    Value v = {{"metric", c.metric}};
    if (c.bound.min) v["min"] = *c.bound.min;
    if (c.bound.max) v["max"] = *c.bound.max;
    constraints.push_back(v);
  }
  Value reference = Value::array();
  for (double r : ranking.reference) reference.push_back(JsonNumber(r));
  return {{"objectives", objectives},         {"constraints", constraints},
          {"front_size", ranking.front_size}, {"hypervolume", JsonNumber(ranking.hypervolume)},
          {"reference", reference},           {"reference_derived", ranking.reference_derived}};
}

std::string ParetoSummaryLine(const ParetoRanking& ranking) {
  std::string ref;
  for (size_t k = 0; k < ranking.reference.size(); ++k) {
    const ParetoObjective& o = ranking.setup.objectives[k];
    ref += (k ? ", " : "") + SanitizeForTerminal(o.name) + "=" +
           FormatShortNumber(ranking.reference[k]) + (o.reference ? "" : " derived");
  }
  return std::to_string(ranking.front_size) + (ranking.front_size == 1 ? " trial" : " trials") +
         ", hypervolume " + FormatShortNumber(ranking.hypervolume) + " (reference " + ref + ")";
}

int PrintParetoTop(ReadContext& ctx, const SweepRecord& sweep,
                   const std::vector<TrialRecord>& trials, const ParetoSetup& setup, size_t k) {
  const ParetoRanking ranking = RankPareto(trials, setup);
  const size_t shown = k == 0 ? ranking.rows.size() : std::min(k, ranking.rows.size());
  if (ctx.json) {
    Value rows = Value::array();
    for (size_t i = 0; i < shown; ++i) {
      const ParetoRow& r = ranking.rows[i];
      const TrialRecord& t = trials[r.index];
      Value row = {{"rank", r.rank},
                   {"id", t.id},
                   {"number", t.number},
                   {"status", TrialStatusName(t.status)},
                   {"value", JsonNumber(r.values.empty() ? std::nullopt : r.values[0])}};
      AddParetoFields(r, row);
      row["params"] = t.params.is_object() ? t.params : Value::object();
      rows.push_back(std::move(row));
    }
    Value out = {{"sweep", sweep.id},
                 {"metric", setup.objectives[0].name},
                 {"goal", GoalName(setup.objectives[0].goal)}};
    out.update(ParetoSummaryJson(ranking));
    out["total"] = ranking.rows.size();
    out["trials"] = rows;
    PrintJson(ctx, out);
    return 0;
  }
  std::vector<std::string> goals;
  for (const ParetoObjective& o : setup.objectives)
    goals.push_back(SanitizeForTerminal(o.name) + " (" + GoalName(o.goal) + ")");
  ctx.out << "sweep " << sweep.id << ": " << Join(goals, ", ");
  if (!setup.constraints.empty()) {
    std::vector<std::string> cs;
    for (const ConstraintSpec& c : setup.constraints)
      cs.push_back(SanitizeForTerminal(ConstraintText(c)));
    ctx.out << "; subject to " << Join(cs, ", ");
  }
  ctx.out << "; " << ranking.rows.size() << (ranking.rows.size() == 1 ? " trial" : " trials")
          << "\nfront: " << ParetoSummaryLine(ranking) << "\n";
  if (shown == 0) return 0;
  std::vector<TrialRecord> shown_trials;
  for (size_t i = 0; i < shown; ++i) shown_trials.push_back(trials[ranking.rows[i].index]);
  const std::vector<std::string> params = ParamNames(shown_trials);
  std::vector<std::string> headers = {"RANK", "TRIAL", "STATUS", "FRONT"};
  for (const ParetoObjective& o : setup.objectives) headers.push_back(o.name);
  const bool any_infeasible = std::any_of(ranking.rows.begin(), ranking.rows.begin() + shown,
                                          [](const ParetoRow& r) { return !r.feasible; });
  if (any_infeasible) headers.push_back("INFEASIBLE");
  headers.insert(headers.end(), params.begin(), params.end());
  TextTable table(headers);
  table.SetAlign(0, Align::kRight);
  table.SetAlign(3, Align::kRight);
  for (size_t c = 0; c < setup.objectives.size(); ++c) table.SetAlign(4 + c, Align::kRight);
  for (size_t i = 0; i < shown; ++i) {
    const ParetoRow& r = ranking.rows[i];
    const TrialRecord& t = shown_trials[i];
    std::vector<std::string> row = {std::to_string(r.rank), t.id, TrialStatusName(t.status),
                                    r.front > 0 ? std::to_string(r.front) : "-"};
    for (const auto& v : r.values) row.push_back(v ? FormatShortNumber(*v) : "no value");
    if (any_infeasible) row.push_back(SanitizeForTerminal(Join(r.violations, "; ")));
    for (const auto& p : params) {
      auto it = t.params.is_object() ? t.params.find(p) : t.params.end();
      row.push_back(t.params.is_object() && it != t.params.end() ? FormatParam(*it) : "");
    }
    table.AddRow(std::move(row));
  }
  ctx.out << table.Render(ctx.terminal_width);
  if (shown < ranking.rows.size())
    ctx.out << "(" << shown << " of " << ranking.rows.size() << " shown; -k 0 shows all)\n";
  return 0;
}

}  // namespace sweep
