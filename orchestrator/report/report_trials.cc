// `sweep top`, `sweep show` and `sweep compare`: trial-level views.
//
// top ranks with RankTrials (orchestrator/store/ranking.h) and prints the first k rows with
// each trial's params. show gathers one trial's record, notes and tags. compare lines
// trials up field by field; a row is marked when its printed values differ, so what
// the user sees as different is exactly what is marked (1 and 1.0 differ: they are
// different values to the program that received them).
#include <algorithm>
#include <cmath>
#include <sstream>

#include "orchestrator/report/read_common.h"
#include "orchestrator/report/report_format.h"
#include "orchestrator/report/report_pareto.h"
#include "orchestrator/report/report_provenance.h"
#include "orchestrator/report/text_table.h"
#include "orchestrator/store/pareto_ranking.h"
#include "orchestrator/store/trial_kinds.h"
#include "orchestrator/store/warm_start_record.h"

namespace sweep {
namespace {

std::string ValueCell(const std::optional<double>& v) {
  return v ? FormatShortNumber(*v) : "no value";
}

std::string ParamCell(const TrialRecord& t, const std::string& name) {
  if (!t.params.is_object()) return "";
  auto it = t.params.find(name);
  return it == t.params.end() ? "" : FormatParam(*it);
}

Value ParamsJson(const TrialRecord& t) { return t.params.is_object() ? t.params : Value::object(); }

}  // namespace

int CmdTop(ReadContext& ctx, const std::string& sweep_arg, const TopOptions& options) {
  RankOptions rank_options;
  rank_options.metric = options.metric;
  if (!options.goal.empty()) {
    rank_options.goal = ParseGoal(options.goal);
    if (!rank_options.goal) {
      return Fail(ctx,
                  Status::Usage("--goal must be minimize or maximize, not '" + options.goal + "'"));
    }
  }
  auto sweep = LookupSweep(ctx, sweep_arg);
  if (!sweep.ok()) return Fail(ctx, sweep.status());
  std::vector<std::string> ranked_by = RankingMetricNames(*sweep);
  if (!options.metric.empty()) ranked_by.push_back(options.metric);
  auto trials = ctx.store.ListTrialsSummarizing(sweep->id, ranked_by);
  if (!trials.ok()) return Fail(ctx, trials.status());
  // Rows at or past `own` are the warm start's prior trials (--with-prior).
  const size_t own = trials->size();
  if (options.with_prior)
    for (TrialRecord& r : PriorTrialRecords(*sweep)) trials->push_back(std::move(r));
  // A multi-objective or constrained sweep ranks by Pareto front unless one metric
  // (or a goal) is asked for.
  if (options.metric.empty() && options.goal.empty())
    if (const auto setup = SweepPareto(*sweep))
      return PrintParetoTop(ctx, *sweep, *trials, *setup, options.k);
  auto ranking = RankTrials(*sweep, *trials, rank_options);
  if (!ranking.ok()) return Fail(ctx, ranking.status());
  size_t shown = options.k == 0 ? ranking->rows.size() : std::min(options.k, ranking->rows.size());

  if (ctx.json) {
    Value rows = Value::array();
    for (size_t i = 0; i < shown; ++i) {
      const RankedTrial& r = ranking->rows[i];
      const TrialRecord& t = (*trials)[r.index];
      rows.push_back({{"rank", r.rank},
                      {"id", t.id},
                      {"number", t.number},
                      {"status", TrialStatusName(t.status)},
                      {"value", JsonNumber(r.value)},
                      {"manual", IsManualTrial(t)},
                      {"params", ParamsJson(t)},
                      {"prior", r.index >= own}});
    }
    PrintJson(ctx, {{"sweep", sweep->id},
                    {"metric", ranking->metric},
                    {"goal", GoalName(ranking->goal)},
                    {"summary", SummaryModeName(ranking->summary)},
                    {"total", ranking->rows.size()},
                    {"trials", rows}});
    return 0;
  }

  ctx.out << "sweep " << sweep->id << ": " << SanitizeForTerminal(ranking->metric) << " ("
          << GoalName(ranking->goal) << ", summary: " << SummaryModeName(ranking->summary) << "), "
          << ranking->rows.size() << (ranking->rows.size() == 1 ? " trial" : " trials") << "\n";
  if (shown == 0) return 0;
  std::vector<TrialRecord> shown_trials;
  for (size_t i = 0; i < shown; ++i) shown_trials.push_back((*trials)[ranking->rows[i].index]);
  std::vector<std::string> params = ParamNames(shown_trials);
  std::vector<std::string> headers = {"RANK", "TRIAL", "STATUS", ranking->metric};
  headers.insert(headers.end(), params.begin(), params.end());
  TextTable table(headers);
  table.SetAlign(0, Align::kRight);
  table.SetAlign(3, Align::kRight);
  for (size_t i = 0; i < shown; ++i) {
    const RankedTrial& r = ranking->rows[i];
    const TrialRecord& t = shown_trials[i];
    // A manual trial (`sweep run --sweep`) is ranked with the sweep's own, and says so;
    // a warm start's prior trial (--with-prior) too.
    std::vector<std::string> row = {
        std::to_string(r.rank), IsManualTrial(t) ? t.id + " (manual)" : t.id,
        r.index >= own ? "prior" : TrialStatusName(t.status), ValueCell(r.value)};
    for (const auto& p : params) row.push_back(ParamCell(t, p));
    table.AddRow(std::move(row));
  }
  ctx.out << table.Render(ctx.terminal_width);
  if (shown < ranking->rows.size()) {
    ctx.out << "(" << shown << " of " << ranking->rows.size() << " shown; -k 0 shows all)\n";
  }
  return 0;
}

int CmdShow(ReadContext& ctx, const std::string& trial_arg) {
  auto trial = LookupTrial(ctx, trial_arg);
  if (!trial.ok()) return Fail(ctx, trial.status());
  const TrialRecord& t = *trial;
  auto notes = ctx.store.GetNotes(t.id);
  if (!notes.ok()) return Fail(ctx, notes.status());
  auto tags = ctx.store.GetTags(t.id);
  if (!tags.ok()) return Fail(ctx, tags.status());
  // The sweep gives the metric name and summary mode behind `value`; a trial whose
  // sweep record is unreadable is still shown.
  auto sweep = ctx.store.GetSweep(t.sweep_id);
  std::string metric = sweep.ok() ? sweep->metric : "";
  std::string summary = sweep.ok() ? SummaryModeName(SweepSummaryMode(*sweep)) : "last";
  std::optional<double> value = t.value;
  if (!value && sweep.ok() && !metric.empty()) {
    value = SummaryValue(t, metric, SweepSummaryMode(*sweep), SweepGoal(*sweep));
  }
  auto duration = TrialDuration(ctx, t);
  std::string stdout_log = TrialLogPath(t, false);
  std::string stderr_log = TrialLogPath(t, true);

  if (ctx.json) {
    Value note_list = Value::array();
    for (const auto& n : *notes) {
      note_list.push_back({{"text", n.text}, {"created_at", JsonTime(n.created_at)}});
    }
    auto opt_int = [](const std::optional<int>& v) { return v ? Value(*v) : Value(nullptr); };
    Value prov = ProvenanceJson(ctx.store, t);
    Value out = {{"id", t.id},
                 {"sweep", t.sweep_id},
                 {"kind", TrialKind(t, sweep.ok() ? &*sweep : nullptr)},
                 {"number", t.number},
                 {"suggestion", t.suggestion},
                 {"retry_of", t.retry_of.empty() ? Value(nullptr) : Value(t.retry_of)},
                 {"reproduces", t.reproduces.empty() ? Value(nullptr) : Value(t.reproduces)},
                 {"status", TrialStatusName(t.status)},
                 {"exit_code", opt_int(t.exit_code)},
                 {"signal", opt_int(t.signal)},
                 {"reason", t.reason},
                 {"metric", metric.empty() ? Value(nullptr) : Value(metric)},
                 {"summary", summary},
                 {"value", JsonNumber(value)},
                 {"metric_reported", t.metric_reported},
                 {"params", ParamsJson(t)},
                 {"metrics", SummaryJson(t)},
                 {"created_at", JsonTime(t.created_at)},
                 {"started_at", JsonTime(t.started_at)},
                 {"ended_at", JsonTime(t.ended_at)},
                 {"duration", JsonNumber(duration)},
                 {"host", t.host},
                 {"agent", t.agent},
                 {"slot", t.slot >= 0 ? Value(t.slot) : Value(nullptr)},
                 {"pid", t.pid > 0 ? Value(t.pid) : Value(nullptr)},
                 {"gpus", t.gpus},
                 {"lease_id", t.lease_id.empty() ? Value(nullptr) : Value(t.lease_id)},
                 {"placement", t.placement},
                 {"argv", t.argv},
                 {"trial_dir", t.trial_dir},
                 {"stdout_log", stdout_log},
                 {"stderr_log", stderr_log},
                 {"stderr_tail", t.stderr_tail},
                 {"malformed_lines", t.malformed_lines},
                 {"notes", note_list},
                 {"tags", *tags}};
    for (auto it = prov.begin(); it != prov.end(); ++it) out[it.key()] = it.value();
    PrintJson(ctx, out);
    return 0;
  }

  std::ostringstream o;
  auto line = [&](const std::string& label, const std::string& text) {
    o << label << std::string(label.size() < 11 ? 11 - label.size() : 1, ' ')
      << SanitizeForTerminal(text) << "\n";
  };
  if (sweep.ok() && IsTrackedRun(*sweep))
    line("trial", t.id + "  (tracked run " + t.sweep_id + " \"" + sweep->name + "\")");
  else if (IsManualTrial(t))
    line("trial", t.id + "  (sweep " + t.sweep_id + ", manual trial from sweep run" +
                      (t.placement.is_object() && t.placement.contains("name") &&
                               t.placement["name"].is_string()
                           ? ", name " + t.placement["name"].get<std::string>()
                           : std::string()) +
                      ")");
  else
    line("trial", t.id + "  (sweep " + t.sweep_id + ", number " + std::to_string(t.number) + ")");
  if (!t.retry_of.empty()) line("retry of", t.retry_of);
  if (!t.reproduces.empty()) line("reproduces", t.reproduces);
  line("status", DescribeTrialStatus(t));
  if (!metric.empty()) {
    line("value", (value ? FormatExactNumber(*value) : std::string("no value")) + "  (" + metric +
                      ", summary: " + summary + ")");
  }
  line("created", FormatIsoTime(t.created_at));
  line("started", t.started_at > 0 ? FormatIsoTime(t.started_at) : "-");
  line("ended", t.ended_at > 0 ? FormatIsoTime(t.ended_at) : "-");
  line("duration", duration ? FormatDuration(*duration) : "-");
  std::string where = "host " + (t.host.empty() ? "-" : t.host) + "  agent " +
                      (t.agent.empty() ? "-" : t.agent) + "  slot " +
                      (t.slot >= 0 ? std::to_string(t.slot) : "-") + "  gpus " +
                      (t.gpus.empty() ? "-" : t.gpus);
  line("where", where);
  if (t.placement.is_object()) {
    std::string slurm;
    for (const char* k : {"slurm_job_id", "slurm_array_task_id", "slurm_node"}) {
      if (t.placement.contains(k))
        slurm += std::string(slurm.empty() ? "" : "  ") + k + " " +
                 (t.placement[k].is_string() ? t.placement[k].get<std::string>()
                                             : t.placement[k].dump());
    }
    if (!slurm.empty()) line("slurm", slurm);
  }
  line("argv", t.argv.empty() ? "-" : ShellJoin(t.argv));
  line("trial dir", t.trial_dir.empty() ? "-" : t.trial_dir);
  if (!stdout_log.empty()) {
    line("stdout", stdout_log);
    line("stderr", stderr_log);
  }
  if (t.malformed_lines > 0) line("malformed", std::to_string(t.malformed_lines) + " metric lines");
  if (!tags->empty()) {
    std::string joined;
    for (const auto& tag : *tags) joined += (joined.empty() ? "" : " ") + tag;
    line("tags", joined);
  }
  ctx.out << o.str();

  ctx.out << "\nparams\n";
  if (t.params.is_object() && !t.params.empty()) {
    TextTable params({"NAME", "VALUE"});
    params.SetAlign(1, Align::kLeft);
    for (auto it = t.params.begin(); it != t.params.end(); ++it) {
      params.AddRow({it.key(), FormatParam(it.value())});
    }
    ctx.out << params.Render(ctx.terminal_width);
  } else {
    ctx.out << "(none)\n";
  }

  ctx.out << "\nmetrics\n";
  if (t.summary.is_object() && !t.summary.empty()) {
    // A NON-FINITE column (reports that were NaN or +-Inf, which min and max leave
    // out) only when some metric had one; RUN SUMMARY: the W&B run summary a script's
    // wandb module reported, when any.
    bool any_nonfinite = false, run_summary = false;
    for (const auto& m : t.summary) {
      if (!m.is_object()) continue;
      auto nf = m.find("nonfinite");
      if (nf != m.end() && nf->is_number() && nf->get<double>() > 0) any_nonfinite = true;
      if (m.contains("run_summary")) run_summary = true;
    }
    std::vector<std::string> head = {"METRIC", "LAST", "MIN", "MAX", "COUNT", "LAST STEP"};
    if (any_nonfinite) head.push_back("NON-FINITE");
    if (run_summary) head.push_back("RUN SUMMARY");
    TextTable metrics(head);
    for (auto it = t.summary.begin(); it != t.summary.end(); ++it) {
      auto field = [&](const char* key) -> std::string {
        if (!it->is_object()) return "";
        auto f = it->find(key);
        if (f == it->end()) return "";
        if (f->is_null()) {  // last: its last_text says which; min/max: no finite value
          auto text = it->find("last_text");
          if (std::string(key) == "last" && text != it->end() && text->is_string())
            return text->get<std::string>();
          return std::string(key) == "last" ? "NaN" : "";
        }
        if (auto v = NumberFromJson(Value(*f))) {
          return f->is_number_integer() ? std::to_string(f->get<int64_t>()) : FormatShortNumber(*v);
        }
        return FormatParam(Value(*f));
      };
      std::vector<std::string> row = {it.key(),     field("last"),  field("min"),
                                      field("max"), field("count"), field("last_step")};
      if (any_nonfinite) row.push_back(field("nonfinite").empty() ? "0" : field("nonfinite"));
      if (run_summary) {
        std::string mode = field("run_summary_mode");
        row.push_back(field("run_summary") + (mode.empty() ? "" : " (" + mode + ")"));
      }
      metrics.AddRow(row);
    }
    ctx.out << metrics.Render(ctx.terminal_width);
  } else {
    ctx.out << "(none reported)\n";
  }

  if (!t.stderr_tail.empty() && t.status != TrialStatus::kFinished) {
    ctx.out << "\nstderr (last lines)\n" << SanitizeForTerminal(t.stderr_tail, true);
    if (t.stderr_tail.back() != '\n') ctx.out << "\n";
  }
  ctx.out << ProvenanceText(ctx.store, t);
  if (!notes->empty()) {
    ctx.out << "\nnotes\n";
    for (const auto& n : *notes) {
      ctx.out << FormatIsoTime(n.created_at) << "  " << SanitizeForTerminal(n.text, true) << "\n";
    }
  }
  return 0;
}

int CmdCompare(ReadContext& ctx, const std::vector<std::string>& trial_args) {
  if (trial_args.size() < 2) return Fail(ctx, Status::Usage("compare needs at least two trials"));
  std::vector<TrialRecord> trials;
  std::vector<std::optional<double>> values;
  for (const auto& arg : trial_args) {
    auto t = LookupTrial(ctx, arg);
    if (!t.ok()) return Fail(ctx, t.status());
    auto sweep = ctx.store.GetSweep(t->sweep_id);
    std::optional<double> v = t->value;
    if (!v && sweep.ok() && !sweep->metric.empty()) {
      v = SummaryValue(*t, sweep->metric, SweepSummaryMode(*sweep), SweepGoal(*sweep));
    }
    values.push_back(v);
    trials.push_back(std::move(*t));
  }
  std::vector<std::string> params = ParamNames(trials);
  std::vector<std::string> metrics = SummaryMetricNames(trials);

  // Rows as (field, exact cells); text and JSON are both built from them.
  struct Row {
    std::string field;
    std::vector<std::string> cells;
    bool differs = false;
  };
  std::vector<Row> rows;
  auto add = [&](std::string field, auto cell_of) {
    Row row{std::move(field), {}, false};
    for (size_t i = 0; i < trials.size(); ++i) row.cells.push_back(cell_of(i));
    row.differs = std::adjacent_find(row.cells.begin(), row.cells.end(), std::not_equal_to<>()) !=
                  row.cells.end();
    rows.push_back(std::move(row));
  };
  add("status", [&](size_t i) { return std::string(TrialStatusName(trials[i].status)); });
  add("value", [&](size_t i) { return values[i] ? FormatExactNumber(*values[i]) : ""; });
  add("exit_code",
      [&](size_t i) { return trials[i].exit_code ? std::to_string(*trials[i].exit_code) : ""; });
  for (const auto& p : params) {
    add("params." + p, [&](size_t i) { return ParamCell(trials[i], p); });
  }
  for (const auto& m : metrics) {
    add("metrics." + m, [&](size_t i) {
      auto v = LastValue(trials[i], m);
      return v ? FormatExactNumber(*v) : "";
    });
  }
  for (auto& [field, cells] : ProvenanceCompareRows(ctx.store, trials))
    add(field, [&cells = cells](size_t i) { return cells[i]; });

  if (ctx.json) {
    // Built by moves, not from initializer lists (which copy every trial's metrics).
    Value doc = Value::object();
    Value& list = doc["trials"] = Value::array();
    for (size_t i = 0; i < trials.size(); ++i) {
      const TrialRecord& t = trials[i];
      Value entry = TrialRowHead(t, values[i]);
      entry["params"] = ParamsJson(t);
      entry["metrics"] = LastValuesJson(t, metrics);
      list.push_back(std::move(entry));
    }
    Value differing = Value::array();
    for (const auto& r : rows) {
      if (r.differs) differing.push_back(r.field);
    }
    doc["differing"] = std::move(differing);
    PrintJson(ctx, doc);
    return 0;
  }
  std::vector<std::string> headers = {"", "FIELD"};
  for (const auto& t : trials) headers.push_back(t.id);
  TextTable table(headers);
  for (const auto& r : rows) {
    std::vector<std::string> cells = {r.differs ? "*" : "", r.field};
    for (const auto& c : r.cells) cells.push_back(c.empty() ? "-" : c);
    table.AddRow(std::move(cells));
  }
  table.SetMinColumnWidth(4);
  ctx.out << table.Render(ctx.terminal_width);
  return 0;
}

}  // namespace sweep
