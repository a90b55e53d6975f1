// Shared internals of the read commands, and the two small writes (note, tag), whose
// input rule is the dashboard's too (store/trial_labels.h).
//
// Lookups go through the TrialStore interface only, so every command works against
// the SQLite store while a sweep runs and against the in-memory fake in tests. Store
// failures are reported once, as "error: ...", with the exit code Status gives them.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "orchestrator/report/read_common.h"
#include "orchestrator/report/report_format.h"
#include "orchestrator/report/text_table.h"
#include "orchestrator/store/trial_labels.h"

namespace sweep {

int Fail(ReadContext& ctx, const Status& status) {
  ctx.err << "error: " << SanitizeForTerminal(status.message()) << "\n";
  return status.ExitCode();
}

Result<SweepRecord> LookupSweep(ReadContext& ctx, const std::string& arg) {
  auto r = ctx.store.GetSweep(arg);
  if (r.ok() || r.status().code() != ErrorCode::kNotFound) return r;
  if (arg.empty() || arg == "latest") {
    return Status::NotFound("no sweeps in the store " + ctx.store.root());
  }
  if (r.status().message().find("ambiguous") != std::string::npos) return r;
  return Status::NotFound("no sweep '" + arg + "' in the store " + ctx.store.root() +
                          " (sweep ls lists them)");
}

Result<TrialRecord> LookupTrial(ReadContext& ctx, const std::string& arg, bool with_summary) {
  if (arg.empty()) return Status::Usage("a trial id is required");
  auto r = with_summary ? ctx.store.GetTrial(arg) : ctx.store.GetTrialWithoutSummary(arg);
  if (r.ok() || r.status().code() != ErrorCode::kNotFound) return r;
  if (r.status().message().find("ambiguous") != std::string::npos) return r;
  return Status::NotFound("no trial '" + arg + "' in the store " + ctx.store.root() +
                          " (sweep top SWEEP lists them)");
}

double Now(const ReadContext& ctx) {
  if (ctx.now) return ctx.now();
  auto since = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration<double>(since).count();
}

void PrintJson(ReadContext& ctx, const Value& v) { ctx.out << DumpJson(v, 2) << "\n"; }

std::map<TrialStatus, uint64_t> CountByStatus(const std::vector<TrialRecord>& trials) {
  std::map<TrialStatus, uint64_t> counts;
  for (TrialStatus s : AllTrialStatuses()) counts[s] = 0;
  for (const auto& t : trials) ++counts[t.status];
  return counts;
}

Value CountsJson(const std::map<TrialStatus, uint64_t>& counts) {
  Value v = Value::object();
  for (TrialStatus s : AllTrialStatuses()) v[TrialStatusName(s)] = counts.at(s);
  return v;
}

namespace {

Value NormalizeNumbers(const Value& v) {
  if (v.is_number_float()) return JsonNumber(v.get<double>());
  if (v.is_object()) {
    Value out = Value::object();
    for (auto it = v.begin(); it != v.end(); ++it) out[it.key()] = NormalizeNumbers(it.value());
    return out;
  }
  if (v.is_array()) {
    Value out = Value::array();
    for (const auto& e : v) out.push_back(NormalizeNumbers(e));
    return out;
  }
  return v;
}

}  // namespace

Value SummaryJson(const TrialRecord& trial) {
  if (!trial.summary.is_object()) return Value::object();
  return SummaryForOutput(trial.summary, &NormalizeNumbers);
}

std::optional<double> LastValue(const TrialRecord& trial, const std::string& metric) {
  return SummaryValue(trial, metric, SummaryMode::kLast, Goal::kMinimize);
}

std::vector<std::string> SummaryMetricNames(const std::vector<TrialRecord>& trials) {
  std::vector<std::string> names;
  for (const auto& t : trials) {
    if (!t.summary.is_object() || t.summary.empty()) continue;
    // Merges the trial's names (a key-sorted object) into the sorted union so far.
    std::vector<std::string> merged;
    merged.reserve(std::max(names.size(), t.summary.size()));
    auto a = names.begin();
    for (auto b = t.summary.begin(); b != t.summary.end(); ++b) {
      while (a != names.end() && *a < b.key()) merged.push_back(std::move(*a++));
      if (a != names.end() && *a == b.key()) ++a;
      merged.push_back(b.key());
    }
    while (a != names.end()) merged.push_back(std::move(*a++));
    names = std::move(merged);
  }
  return names;
}

Value LastValuesJson(const TrialRecord& trial, const std::vector<std::string>& names) {
  Value out = Value::object();
  auto& entries = out.get_ref<Value::object_t&>();
  for (const std::string& name : names) {
    if (auto v = LastValue(trial, name)) entries.emplace_back(name, JsonNumber(*v));
  }
  return out;
}

std::vector<std::string> ParamNames(const std::vector<TrialRecord>& trials) {
  std::vector<std::string> names;
  for (const auto& t : trials) {
    if (!t.params.is_object()) continue;
    for (auto it = t.params.begin(); it != t.params.end(); ++it) {
      if (std::find(names.begin(), names.end(), it.key()) == names.end()) {
        names.push_back(it.key());
      }
    }
  }
  return names;
}

std::optional<double> TrialDuration(const ReadContext& ctx, const TrialRecord& trial) {
  if (!(trial.started_at > 0)) return std::nullopt;
  double end = trial.ended_at > 0 ? trial.ended_at : (IsTerminal(trial.status) ? 0 : Now(ctx));
  if (!(end > 0)) return std::nullopt;
  return std::max(0.0, end - trial.started_at);
}

std::string DescribeTrialStatus(const TrialRecord& trial) {
  std::string out = TrialStatusName(trial.status);
  if (trial.signal) {
    out += " (" + DescribeSignal(*trial.signal) + ")";
  } else if (trial.exit_code && (*trial.exit_code != 0 || trial.status != TrialStatus::kFinished)) {
    out += " (exit code " + std::to_string(*trial.exit_code) + ")";
  }
  // The reason often restates the exit code; print it only when it adds something.
  if (!trial.reason.empty() && out.find(trial.reason) == std::string::npos) {
    out += " - " + trial.reason;
  }
  return out;
}

std::vector<std::optional<double>> TargetValues(const SweepRecord& sweep,
                                                const std::vector<TrialRecord>& trials) {
  std::vector<std::optional<double>> values(trials.size());
  if (sweep.metric.empty()) return values;
  auto ranking = RankTrials(sweep, trials, RankOptions{});
  if (!ranking.ok()) return values;
  for (const auto& row : ranking->rows) values[row.index] = row.value;
  return values;
}

int CmdNote(ReadContext& ctx, const std::string& trial, const std::string& text) {
  if (Status s = ValidateNote(text); !s.ok()) return Fail(ctx, s);
  auto t = LookupTrial(ctx, trial, /*with_summary=*/false);
  if (!t.ok()) return Fail(ctx, t.status());
  if (Status s = ctx.store.AddNote(t->id, text); !s.ok()) return Fail(ctx, s);
  auto notes = ctx.store.GetNotes(t->id);
  if (!notes.ok()) return Fail(ctx, notes.status());
  if (ctx.json) {
    Value list = Value::array();
    for (const auto& n : *notes) {
      list.push_back({{"text", n.text}, {"created_at", JsonTime(n.created_at)}});
    }
    PrintJson(ctx, {{"id", t->id}, {"notes", list}});
  } else {
    ctx.out << "noted trial " << t->id << " (" << notes->size()
            << (notes->size() == 1 ? " note" : " notes") << ")\n";
  }
  return 0;
}

int CmdTag(ReadContext& ctx, const std::string& trial, const std::vector<std::string>& tags) {
  if (Status s = ValidateTags(tags); !s.ok()) return Fail(ctx, s);
  auto t = LookupTrial(ctx, trial, /*with_summary=*/false);
  if (!t.ok()) return Fail(ctx, t.status());
  if (Status s = ctx.store.AddTags(t->id, tags); !s.ok()) return Fail(ctx, s);
  auto all = ctx.store.GetTags(t->id);
  if (!all.ok()) return Fail(ctx, all.status());
  if (ctx.json) {
    PrintJson(ctx, {{"id", t->id}, {"tags", *all}});
  } else {
    std::string joined;
    for (const auto& tag : *all) joined += (joined.empty() ? "" : " ") + tag;
    ctx.out << "tagged trial " << t->id << ": " << SanitizeForTerminal(joined) << "\n";
  }
  return 0;
}

}  // namespace sweep
