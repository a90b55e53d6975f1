// ApplyReported: merging a W&B-style run's config, summary and files into its record.
//
// The input has already been bounded and type-checked where the trial ran; here it
// is still treated as data from the trial: only the shapes ReadReported produces are
// used and anything else is skipped. Summary values arrive as numbers, or as the
// strings "NaN", "Infinity" and "-Infinity" for non-finite floats (JSON cannot spell
// them), which count as numbers for the trial's value.
#include "orchestrator/controller/reported_run.h"

#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include "agents/runtime/wandb_files.h"

namespace sweep {
namespace {

std::optional<double> Number(const Value& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  return std::nullopt;
}

}  // namespace

ReportedEffects ApplyReported(const SweepSpec& spec, TrialRecord* rec) {
  ReportedEffects fx;
  if (!rec->provenance.is_object() || !rec->provenance.contains(kReportedKey)) return fx;
  const Value reported = std::move(rec->provenance[kReportedKey]);
  rec->provenance.erase(kReportedKey);
  if (rec->provenance.empty()) rec->provenance = Value();
  if (!reported.is_object()) return fx;
  if (reported.contains("warnings") && reported["warnings"].is_array())
    for (const Value& w : reported["warnings"])
      if (w.is_string()) fx.warnings.push_back(w.get<std::string>());

  if (reported.contains("config") && reported["config"].is_object()) {
    if (!rec->params.is_object()) rec->params = Value::object();
    for (auto it = reported["config"].begin(); it != reported["config"].end(); ++it) {
      // A sweep param, or a key below one (a nested group the sweep set), is the sweep's.
      bool sweep_owned = rec->params.contains(it.key());
      for (auto p = rec->params.begin(); !sweep_owned && p != rec->params.end(); ++p)
        sweep_owned = it.key().rfind(p.key() + ".", 0) == 0;
      if (!sweep_owned) rec->params[it.key()] = it.value();
    }
  }

  if (reported.contains("summary") && reported["summary"].is_object()) {
    if (!rec->summary.is_object()) rec->summary = KeyedValue::object();
    const Value modes = reported.contains("summary_modes") && reported["summary_modes"].is_object()
                            ? reported["summary_modes"]
                            : Value::object();
    for (auto it = reported["summary"].begin(); it != reported["summary"].end(); ++it) {
      KeyedValue& entry = rec->summary[it.key()];
      if (!entry.is_object()) entry = KeyedValue::object();
      entry["run_summary"] = it.value();
      if (modes.contains(it.key())) entry["run_summary_mode"] = modes[it.key()];
    }
    const std::string& target = spec.metric.name;
    if (!target.empty() && spec.metric.summary == SummaryMode::kLast &&
        reported["summary"].contains(target)) {
      if (auto v = Number(reported["summary"][target])) {
        rec->value = *v;
        rec->metric_reported = true;
      }
    }
  }

  if (reported.contains("notes") && reported["notes"].is_array())
    for (const Value& n : reported["notes"])
      if (n.is_string()) fx.notes.push_back(n.get<std::string>());

  if (reported.contains("artifacts") && reported["artifacts"].is_array() &&
      !reported["artifacts"].empty()) {
    if (!rec->provenance.is_object()) rec->provenance = Value::object();
    Value& list = rec->provenance["artifacts"];
    if (!list.is_array()) list = Value::array();
    for (const Value& a : reported["artifacts"])
      if (a.is_object()) list.push_back(a);
  }
  return fx;
}

}  // namespace sweep
