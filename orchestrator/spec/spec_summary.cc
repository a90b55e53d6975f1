// Descriptions of a parsed spec. The command is shown as its template (macros
// unexpanded), since parameter values differ per trial; `launch --dry-run` shows the
// expanded argv of each configuration.
#include "orchestrator/spec/spec_summary.h"

#include "orchestrator/spec/command_builder.h"
#include "orchestrator/store/ranking.h"

namespace sweep {
namespace {

const char* EarlyName(EarlyTerminateType t) {
  switch (t) {
    case EarlyTerminateType::kHyperband:
      return "hyperband";
    case EarlyTerminateType::kAsha:
      return "asha";
    case EarlyTerminateType::kMedian:
      return "median";
    case EarlyTerminateType::kCurve:
      return "curve";
    default:
      return "none";
  }
}

Value EarlyJson(const EarlyTerminateSpec& et) {
  if (et.type == EarlyTerminateType::kNone) return nullptr;
  Value v = Value::object();
  v["type"] = EarlyName(et.type);
  if (et.min_iter) v["min_iter"] = *et.min_iter;
  if (et.max_iter) v["max_iter"] = *et.max_iter;
  if (et.s) v["s"] = *et.s;
  if (et.type == EarlyTerminateType::kHyperband || et.type == EarlyTerminateType::kAsha)
    v["eta"] = et.eta;
  if (et.type == EarlyTerminateType::kHyperband) v["strict"] = et.strict;
  if (et.type == EarlyTerminateType::kMedian) v["min_trials"] = et.min_trials;
  if (et.type == EarlyTerminateType::kCurve) v["confidence"] = et.confidence;
  return v;
}

}  // namespace

std::vector<std::string> SummarizeSpec(const SweepSpec& spec) {
  std::vector<std::string> lines;
  lines.push_back("spec: " + spec.file + (spec.name.empty() ? "" : "  (" + spec.name + ")"));
  std::string head = "method: " + spec.method;
  if (!spec.metric.name.empty())
    head += "  metric: " + spec.metric.name + " (" + GoalName(spec.metric.goal) + ", summary " +
            SummaryModeName(spec.metric.summary) + ")";
  if (spec.metric.target) head += "  target: " + FormatPythonFloat(*spec.metric.target);
  if (spec.run_cap) head += "  run_cap: " + std::to_string(*spec.run_cap);
  lines.push_back(head);
  const Value et = EarlyJson(spec.early_terminate);
  if (!et.is_null()) {
    std::string line = "early_terminate:";
    for (auto it = et.begin(); it != et.end(); ++it)
      line += " " + it.key() + "=" + FormatPython(it.value());
    lines.push_back(line);
  }
  std::string command = "command:";
  for (const std::string& t : EffectiveCommand(spec)) command += " " + t;
  lines.push_back(command);
  lines.push_back("parameters (" + std::to_string(spec.space.params.size()) + "):");
  for (const std::string& l : spec.space.DescribeLines()) lines.push_back("  " + l);
  for (const std::string& n : spec.notes) lines.push_back("note: " + n);
  return lines;
}

Value SpecToJson(const SweepSpec& spec) {
  Value v = Value::object();
  v["file"] = spec.file;
  v["name"] = spec.name;
  v["method"] = spec.method;
  if (spec.metric.name.empty()) {
    v["metric"] = nullptr;
  } else {
    Value m = Value::object();
    m["name"] = spec.metric.name;
    m["goal"] = GoalName(spec.metric.goal);
    m["summary"] = SummaryModeName(spec.metric.summary);
    m["target"] = spec.metric.target ? Value(*spec.metric.target) : Value(nullptr);
    v["metric"] = m;
  }
  v["early_terminate"] = EarlyJson(spec.early_terminate);
  v["run_cap"] = spec.run_cap ? Value(*spec.run_cap) : Value(nullptr);
  v["command"] = EffectiveCommand(spec);
  v["parameters"] = spec.space.Describe();
  v["notes"] = spec.notes;
  return v;
}

}  // namespace sweep
