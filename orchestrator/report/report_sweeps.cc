// `sweep ls` and `sweep status`: sweep-level views built from the sweep record and
// its trials.
//
// Both read every trial of a sweep (one ListTrials call) into the store's SweepView
// (orchestrator/store/sweep_view.h), which counts statuses, finds the best value with
// the ranking rules (so they agree with `sweep top`) and takes the planned total
// from the launch options; the dashboard shows the same view, so the two agree.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "orchestrator/early_stop/compute_saved.h"
#include "orchestrator/report/read_common.h"
#include "orchestrator/report/report_format.h"
#include "orchestrator/report/report_pareto.h"
#include "orchestrator/report/text_table.h"
#include "orchestrator/store/controller_probe.h"
#include "orchestrator/store/pareto_ranking.h"
#include "orchestrator/store/sweep_view.h"
#include "orchestrator/store/trial_kinds.h"
#include "orchestrator/store/warm_start_record.h"

namespace sweep {
namespace {

// The store's view of a sweep (orchestrator/store/sweep_view.h), the dashboard's too,
// with the liveness of its controller (store/controller_probe.h) applied here.
Result<SweepView> BuildView(ReadContext& ctx, SweepRecord sweep) {
  auto trials = ctx.store.ListTrialsSummarizing(sweep.id, RankingMetricNames(sweep));
  if (!trials.ok()) return trials.status();
  SweepView view = MakeSweepView(std::move(sweep), std::move(*trials));
  // A sweep recorded as running whose controller is gone (kill -9, a full disk) is
  // shown as interrupted, with the way on: nobody will ever write that it ended.
  if (view.sweep.status == SweepStatus::kRunning) {
    view.controller = ProbeController(ctx.store.root(), view.sweep.id);
    if (view.controller.state == ControllerProbe::State::kGone) {
      view.sweep.status = SweepStatus::kInterrupted;
      view.sweep.reason = ControllerGoneReason(view.controller, view.sweep.id);
    }
  }
  return view;
}

double Elapsed(const ReadContext& ctx, const SweepRecord& sweep) {
  if (!(sweep.created_at > 0)) return 0;
  double end = sweep.ended_at > 0 ? sweep.ended_at : Now(ctx);
  return std::max(0.0, end - sweep.created_at);
}

// {"running", "pid", "host", "started_at", "last_seen"} when the lock recorded them;
// null for a sweep not recorded as running or with no lock file.
Value ControllerJson(const SweepView& v) {
  const ControllerProbe& c = v.controller;
  if (c.state == ControllerProbe::State::kUnknown) return nullptr;
  return {{"running", c.state == ControllerProbe::State::kRunning},
          {"pid", c.pid > 0 ? Value(c.pid) : Value(nullptr)},
          {"host", c.host.empty() ? Value(nullptr) : Value(c.host)},
          {"started_at", JsonTime(c.started_at)},
          {"last_seen", JsonTime(c.last_seen)}};
}

Value BestJson(const SweepView& v) {
  if (!v.best) return nullptr;
  const auto& t = v.trials[*v.best];
  return {{"id", t.id}, {"number", t.number}, {"value", JsonNumber(v.best_value())}};
}

std::string BestText(const SweepView& v) {
  if (!v.best) return "-";
  return FormatShortNumber(v.best_value()) + " (" + v.trials[*v.best].id + ")";
}

}  // namespace

int CmdLs(ReadContext& ctx) {
  auto sweeps = ctx.store.ListSweeps();
  if (!sweeps.ok()) return Fail(ctx, sweeps.status());
  std::stable_sort(sweeps->begin(), sweeps->end(), [](const SweepRecord& a, const SweepRecord& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
  });
  std::vector<SweepView> views;
  for (auto& s : *sweeps) {
    auto v = BuildView(ctx, std::move(s));
    if (!v.ok()) return Fail(ctx, v.status());
    views.push_back(std::move(*v));
  }
  if (ctx.json) {
    Value list = Value::array();
    for (const auto& v : views) {
      const auto& s = v.sweep;
      list.push_back({{"id", s.id},
                      {"name", s.name},
                      {"status", SweepStatusName(s.status)},
                      {"reason", s.reason},
                      {"kind", IsTrackedRun(s) ? "run" : "sweep"},
                      {"method", s.method},
                      {"metric", s.metric.empty() ? Value(nullptr) : Value(s.metric)},
                      {"goal", GoalName(SweepGoal(s))},
                      {"trials", v.trials.size()},
                      {"counts", CountsJson(v.counts)},
                      {"best", BestJson(v)},
                      {"created_at", JsonTime(s.created_at)},
                      {"ended_at", JsonTime(s.ended_at)},
                      {"controller", ControllerJson(v)}});
    }
    PrintJson(ctx, {{"sweeps", list}});
    return 0;
  }
  if (views.empty()) {
    ctx.out << "no sweeps in " << ctx.store.root() << " (sweep launch SPEC starts one)\n";
    return 0;
  }
  TextTable table({"SWEEP", "NAME", "STATUS", "METHOD", "METRIC", "DONE", "RUNNING", "FAILED",
                   "BEST", "CREATED"});
  for (const auto& v : views) {
    const auto& s = v.sweep;
    // A tracked run (`sweep run`) has no method: its METHOD cell says "(run)".
    table.AddRow({s.id, s.name, SweepStatusName(s.status), IsTrackedRun(s) ? "(run)" : s.method,
                  s.metric.empty() ? "-" : s.metric, std::to_string(v.done()),
                  std::to_string(v.counts.at(TrialStatus::kRunning)),
                  std::to_string(v.counts.at(TrialStatus::kFailed)), BestText(v),
                  FormatIsoTime(s.created_at)});
  }
  ctx.out << table.Render(ctx.terminal_width);
  for (const auto& v : views) {
    if (v.controller.state == ControllerProbe::State::kGone) {
      ctx.out << SanitizeForTerminal(v.sweep.id + ": " + v.sweep.reason) << "\n";
    }
  }
  return 0;
}

namespace {

// Early termination's saving for `sweep status`: stopped trials projected to their
// end from the finished ones (orchestrator/early_stop/compute_saved.h). Trials stopped by the
// user (`sweep stop --cancel`, Ctrl-C) saved nothing worth crediting to a rule.
ComputeSaved SavedBy(const SweepView& v, double now) {
  std::vector<TrialUsage> usage;
  for (const TrialRecord& t : v.trials) {
    TrialUsage u;
    double end = t.ended_at > 0 ? t.ended_at : now;
    u.seconds = t.started_at > 0 && end > t.started_at ? end - t.started_at : 0;
    if (t.summary.is_object() && t.summary.contains(v.sweep.metric)) {
      const KeyedValue& m = t.summary.at(v.sweep.metric);
      if (m.is_object() && m.contains("count") && m["count"].is_number())
        u.reports = m["count"].get<int64_t>();
    }
    bool by_rule = t.status == TrialStatus::kStopped && t.reason.rfind("cancelled", 0) != 0 &&
                   t.reason.rfind("sweep interrupted", 0) != 0;
    u.end = t.status == TrialStatus::kFinished ? UsageEnd::kFinished
            : by_rule                          ? UsageEnd::kStopped
                                               : UsageEnd::kOther;
    usage.push_back(u);
  }
  return EstimateComputeSaved(usage);
}

Value AgentJson(const AgentRecord& a) {
  return Value{{"id", a.id},
               {"name", a.name},
               {"host", a.host},
               {"peer", a.peer},
               {"slots", a.slots},
               {"gpus", a.gpus},
               {"running", a.running},
               {"finished", a.finished},
               {"connected", a.connected},
               {"paused", a.paused.empty() ? Value(nullptr) : Value(a.paused)},
               {"connected_at", JsonTime(a.connected_at)},
               {"last_heartbeat", JsonTime(a.last_heartbeat)},
               {"facts", a.facts}};
}

// The agents table of `sweep status`: one row per agent the sweep has seen.
std::string AgentsText(const std::vector<AgentRecord>& agents, double now) {
  TextTable table(
      {"AGENT", "NAME", "HOST", "SLOTS", "GPUS", "RUNNING", "DONE", "HEARTBEAT", "STATE"});
  for (const AgentRecord& a : agents) {
    std::string gpus;
    for (const std::string& g : a.gpus) gpus += (gpus.empty() ? "" : ",") + g;
    std::string beat =
        a.last_heartbeat > 0 ? FormatDuration(std::max(0.0, now - a.last_heartbeat)) + " ago" : "-";
    std::string state = !a.paused.empty() ? "paused: " + a.paused
                        : a.connected     ? "connected"
                                          : "disconnected";
    table.AddRow({a.id, a.name, a.host, std::to_string(a.slots), gpus.empty() ? "-" : gpus,
                  std::to_string(a.running), std::to_string(a.finished), beat, state});
  }
  return table.Render(0);
}

Value SavedJson(const ComputeSaved& c) {
  return Value{{"stopped", c.stopped},
               {"used_s", c.used_s},
               {"saved_s", c.saved_s},
               {"saved_fraction", c.saved_fraction},
               {"estimated", c.estimated}};
}

}  // namespace

int CmdStatus(ReadContext& ctx, const std::string& sweep_arg) {
  auto sweep = LookupSweep(ctx, sweep_arg);
  if (!sweep.ok()) return Fail(ctx, sweep.status());
  auto view_or = BuildView(ctx, std::move(*sweep));
  if (!view_or.ok()) return Fail(ctx, view_or.status());
  const SweepView& v = *view_or;
  const SweepRecord& s = v.sweep;
  const auto& planned = v.planned;
  double elapsed = Elapsed(ctx, s);
  ComputeSaved saved = SavedBy(v, s.created_at + elapsed);
  auto agents = ctx.store.ListAgents(s.id);
  if (!agents.ok()) return Fail(ctx, agents.status());
  auto jobs = ctx.store.ListSlurmJobs(s.id);
  if (!jobs.ok()) return Fail(ctx, jobs.status());
  if (ctx.json) {
    Value agent_list = Value::array();
    for (const AgentRecord& a : *agents) agent_list.push_back(AgentJson(a));
    Value job_list = Value::array();
    for (const SlurmJobRecord& j : *jobs)
      job_list.push_back({{"job_id", j.job_id},
                          {"tasks", j.tasks},
                          {"submitted_at", JsonTime(j.submitted_at)},
                          {"state", j.state}});
    Value out = {{"id", s.id},
                 {"name", s.name},
                 {"status", SweepStatusName(s.status)},
                 {"reason", s.reason},
                 {"method", s.method},
                 {"metric", s.metric.empty() ? Value(nullptr) : Value(s.metric)},
                 {"goal", GoalName(SweepGoal(s))},
                 {"summary", SummaryModeName(SweepSummaryMode(s))},
                 {"trials", v.trials.size()},
                 {"done", v.done()},
                 {"planned", planned ? Value(*planned) : Value(nullptr)},
                 {"counts", CountsJson(v.counts)},
                 {"best", BestJson(v)},
                 {"early_stopping", SavedJson(saved)},
                 {"created_at", JsonTime(s.created_at)},
                 {"ended_at", JsonTime(s.ended_at)},
                 {"elapsed", elapsed},
                 {"controller", ControllerJson(v)},
                 {"stop_requested", s.stop_requested},
                 {"cancel_requested", s.cancel_requested},
                 {"workdir", s.workdir},
                 {"options", SweepOptionsToJson(s.options)},
                 {"agents", agent_list},
                 {"slurm_jobs", job_list}};
    // Warm start: where the prior came from (the trials themselves stay in options).
    const Value& w = s.options.warm_start;
    out["warm_start"] = w.is_object() && w.contains("sources") ? w["sources"] : Value(nullptr);
    // Multi-objective or constrained sweeps: the front's size and hypervolume.
    const auto setup = SweepPareto(s);
    out["pareto"] = setup ? ParetoSummaryJson(RankPareto(v.trials, *setup)) : Value(nullptr);
    PrintJson(ctx, out);
    return 0;
  }
  std::ostringstream o;
  o << "sweep     " << s.id;
  if (!s.name.empty()) o << "  " << s.name;
  o << "\nstatus    " << SweepStatusName(s.status);
  if (s.cancel_requested) {
    o << " (cancel requested)";
  } else if (s.stop_requested) {
    o << " (stop requested: no new trials)";
  }
  if (!s.reason.empty()) o << "\nreason    " << s.reason;
  if (v.controller.state == ControllerProbe::State::kRunning && v.controller.other_host) {
    o << "\ncontrol   pid " << v.controller.pid << " on " << v.controller.host << ", last seen "
      << FormatIsoTime(v.controller.last_seen);
  }
  o << "\nmethod    " << (s.method.empty() ? "-" : s.method);
  o << "\nmetric    ";
  if (s.metric.empty()) {
    o << "- (none: trials are not ranked)";
  } else {
    o << s.metric << " (" << GoalName(SweepGoal(s))
      << ", summary: " << SummaryModeName(SweepSummaryMode(s)) << ")";
  }
  for (const std::string& line : PriorLines(s.options.warm_start)) o << "\nprior     " << line;
  o << "\ntrials    " << v.done() << " done";
  if (planned) o << " of " << *planned << " planned";
  o << ", " << v.trials.size() << " in the store:";
  bool first = true;
  for (TrialStatus st : AllTrialStatuses()) {
    o << (first ? " " : ", ") << v.counts.at(st) << " " << TrialStatusName(st);
    first = false;
  }
  o << "\nbest      " << BestText(v);
  if (const auto setup = SweepPareto(s)) {
    o << " (first objective)\nfront     " << ParetoSummaryLine(RankPareto(v.trials, *setup));
  }
  if (saved.stopped > 0) {
    o << "\nstopped   " << saved.stopped << " by early termination; ";
    if (saved.estimated) {
      char pct[16];
      std::snprintf(pct, sizeof pct, "%.0f%%", 100 * saved.saved_fraction);
      o << "saved about " << FormatDuration(saved.saved_s) << " of trial time (" << pct
        << " of running every trial to the end)";
    } else {
      o << "saving not yet known (no trial has finished to compare with)";
    }
  }
  o << "\nelapsed   " << FormatDuration(elapsed) << " (started " << FormatIsoTime(s.created_at);
  if (s.ended_at > 0) o << ", ended " << FormatIsoTime(s.ended_at);
  o << ")\n";
  if (!s.options.listen.empty()) {
    o << "agents    " << agents->size() << " seen; they connect with: sweep agent "
      << s.options.listen << " --token-file "
      << (s.options.token_file.empty() ? std::string("FILE") : s.options.token_file) << "\n";
  }
  if (!jobs->empty()) {
    o << "slurm     ";
    for (size_t i = 0; i < jobs->size(); ++i)
      o << (i ? ", " : "") << "job " << (*jobs)[i].job_id << " (" << (*jobs)[i].tasks
        << " task(s), " << ((*jobs)[i].state.empty() ? "submitted" : (*jobs)[i].state) << ")";
    o << "\n";
  }
  if (!agents->empty()) o << "\n" << AgentsText(*agents, Now(ctx));
  ctx.out << SanitizeForTerminal(o.str(), /*keep_newlines=*/true);
  return 0;
}

}  // namespace sweep
