// Warm-start loading: sources resolved (file first, then sweep id), every candidate
// trial normalised to {flat params, summary}, checked against the space, and either
// kept or counted under the reason it was skipped. A prior trial's value is always
// recomputed from its summary with this sweep's metric name, summary mode and goal, so
// a prior sweep that minimised another metric, or used another summary mode, gives
// the values this sweep would have recorded; values are raw (never negated), so the
// strategy applies this sweep's goal to them.
#include "orchestrator/controller/prior_trials.h"

#include <sys/stat.h>

#include "orchestrator/controller/objective_values.h"
#include "orchestrator/controller/prior_file.h"
#include "orchestrator/controller/summary.h"
#include "search/space_fit.h"

namespace sweep {
namespace {

bool IsRegularFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Checks one candidate; on success appends it to `out`.
void Consider(const SweepSpec& spec, const Value& params, const KeyedValue& summary,
              const std::string& status, const std::string& ref, PriorSource& src, Value& out) {
  auto skip = [&](const std::string& why) {
    ++src.skipped;
    ++src.reasons[why];
  };
  if (status != "finished") return skip("not finished (" + (status.empty() ? "?" : status) + ")");
  Result<Config> config = spec.space.FromFlat(params);
  if (!config.ok()) return skip(config.status().message());
  if (auto why = MisfitReason(spec.space, *config)) return skip(*why);
  if (!spec.metric.name.empty()) {
    const TrialSummary s = TrialSummary::FromJson(summary);
    if (!s.Value(spec.metric.name, spec.metric.summary, spec.metric.goal))
      return skip("no value of metric '" + spec.metric.name + "'");
  }
  ++src.used;
  out.push_back({{"params", spec.space.ToFlat(*config)},
                 {"summary", summary},
                 {"source", src.source},
                 {"ref", ref}});
}

Status LoadFile(const SweepSpec& spec, PriorSource& src, Value& out) {
  auto rows = ReadPriorFile(src.source, spec.space, spec.metric.name);
  if (!rows.ok()) return rows.status();
  for (const PriorRow& row : *rows) {
    if (!row.problem.empty()) {
      ++src.skipped;
      ++src.reasons[row.problem];
      continue;
    }
    // A file has one value per metric: its summary says so for every mode.
    TrialSummary summary;
    for (const auto& [name, v] : row.metrics) summary.Add(name, 0, v);
    Consider(spec, row.params, summary.ToJson(), row.status.empty() ? "finished" : row.status,
             row.ref, src, out);
  }
  return Status::Ok();
}

Status LoadSweep(TrialStore& store, const SweepSpec& spec, const SweepRecord& sweep,
                 PriorSource& src, Value& out) {
  auto trials = store.ListTrials(sweep.id);
  if (!trials.ok()) return trials.status();
  for (const TrialRecord& t : *trials)
    Consider(spec, t.params, t.summary, TrialStatusName(t.status), t.id, src, out);
  return Status::Ok();
}

}  // namespace

Result<PriorTrials> LoadPriorTrials(TrialStore* store, const SweepSpec& spec,
                                    const std::vector<std::string>& sources) {
  PriorTrials prior;
  for (const std::string& source : sources) {
    PriorSource src;
    src.source = source;
    if (IsRegularFile(source)) {
      src.kind = "file";
      if (Status s = LoadFile(spec, src, prior.trials); !s.ok()) return s;
    } else if (store == nullptr) {
      return Status::Usage("warm start: '" + source +
                           "' is not a file, and there is no store to look for a sweep in");
    } else {
      auto sweep = store->GetSweep(source);
      if (!sweep.ok())
        return Status::Usage("warm start: '" + source +
                             "' is neither a file nor a sweep in this store (" +
                             sweep.status().message() + ")");
      src.kind = "sweep";
      src.sweep = sweep->id;
      if (Status s = LoadSweep(*store, spec, *sweep, src, prior.trials); !s.ok()) return s;
    }
    prior.sources.push_back(std::move(src));
  }
  return prior;
}

Value PriorToJson(const SweepSpec& spec, const PriorTrials& prior) {
  if (prior.sources.empty()) return Value();
  Value sources = Value::array();
  for (const PriorSource& s : prior.sources) {
    Value reasons = Value::object();
    for (const auto& [why, n] : s.reasons) reasons[why] = n;
    Value j = {{"source", s.source},
               {"kind", s.kind},
               {"used", s.used},
               {"skipped", s.skipped},
               {"reasons", reasons}};
    if (!s.sweep.empty()) j["sweep"] = s.sweep;
    sources.push_back(std::move(j));
  }
  return {{"metric", spec.metric.name}, {"sources", sources}, {"trials", prior.trials}};
}

std::vector<Observation> PriorObservations(const SweepSpec& spec, const Value& warm_start) {
  std::vector<Observation> out;
  if (!warm_start.is_object()) return out;
  auto trials = warm_start.find("trials");
  if (trials == warm_start.end() || !trials->is_array()) return out;
  for (const Value& t : *trials) {
    if (!t.is_object() || !t.contains("params")) continue;
    Result<Config> config = spec.space.FromFlat(t["params"]);
    if (!config.ok()) continue;  // the record is read leniently, like every stored one
    const KeyedValue summary_json = t.contains("summary") ? KeyedValue(t["summary"]) : KeyedValue();
    const TrialSummary summary = TrialSummary::FromJson(summary_json);
    Observation obs;
    obs.trial_number = kPriorTrialBase + out.size();
    obs.config = std::move(*config);
    obs.outcome = Outcome::kFinished;
    if (!spec.metric.name.empty())
      obs.value = summary.Value(spec.metric.name, spec.metric.summary, spec.metric.goal);
    FillObjectiveValues(spec, summary, obs);
    out.push_back(std::move(obs));
  }
  return out;
}

}  // namespace sweep
