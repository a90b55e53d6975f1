// Names of trial and sweep statuses.
//
// The names are the words the store writes into its status columns (the schema's
// CHECK constraints list the same words), the CLI prints and `--json` emits, so they
// are part of the on-disk format: never rename one without a schema migration.
#include "orchestrator/store/records.h"

#include "orchestrator/store/store_json.h"

namespace sweep {
namespace {

struct TrialStatusEntry {
  TrialStatus status;
  const char* name;
};
constexpr TrialStatusEntry kTrialStatuses[] = {
    {TrialStatus::kQueued, "queued"},     {TrialStatus::kRunning, "running"},
    {TrialStatus::kFinished, "finished"}, {TrialStatus::kFailed, "failed"},
    {TrialStatus::kStopped, "stopped"},   {TrialStatus::kLost, "lost"},
};

struct SweepStatusEntry {
  SweepStatus status;
  const char* name;
};
constexpr SweepStatusEntry kSweepStatuses[] = {
    {SweepStatus::kRunning, "running"},         {SweepStatus::kFinished, "finished"},
    {SweepStatus::kInterrupted, "interrupted"}, {SweepStatus::kStopped, "stopped"},
    {SweepStatus::kFailed, "failed"},
};

}  // namespace

const char* TrialStatusName(TrialStatus s) {
  for (const auto& e : kTrialStatuses) {
    if (e.status == s) return e.name;
  }
  return "unknown";
}

std::optional<TrialStatus> ParseTrialStatus(const std::string& s) {
  for (const auto& e : kTrialStatuses) {
    if (s == e.name) return e.status;
  }
  return std::nullopt;
}

bool IsTerminal(TrialStatus s) {
  return s == TrialStatus::kFinished || s == TrialStatus::kFailed || s == TrialStatus::kStopped ||
         s == TrialStatus::kLost;
}

const char* SweepStatusName(SweepStatus s) {
  for (const auto& e : kSweepStatuses) {
    if (e.status == s) return e.name;
  }
  return "unknown";
}

std::optional<SweepStatus> ParseSweepStatus(const std::string& s) {
  for (const auto& e : kSweepStatuses) {
    if (s == e.name) return e.status;
  }
  return std::nullopt;
}

Value SummaryForOutput(const KeyedValue& summary, Value (*field)(const Value&)) {
  static const char* const kOrder[] = {"last",  "last_text", "min",      "max",
                                       "count", "nonfinite", "last_step"};
  Value::object_t out;
  if (!summary.is_object()) return Value(std::move(out));
  out.reserve(summary.size());
  for (auto it = summary.begin(); it != summary.end(); ++it) {
    const KeyedValue& m = it.value();
    Value inner;
    if (m.is_object()) {
      inner = Value::object();
      for (const char* k : kOrder) {
        auto f = m.find(k);
        if (f != m.end()) inner[k] = field ? field(Value(*f)) : Value(*f);
      }
      for (auto f = m.begin(); f != m.end(); ++f) {
        if (!inner.contains(f.key())) inner[f.key()] = field ? field(Value(*f)) : Value(*f);
      }
    } else {
      inner = field ? field(Value(m)) : Value(m);
    }
    // Keys come sorted and distinct from the KeyedValue: append without the scan.
    out.Container::emplace_back(it.key(), std::move(inner));
  }
  return Value(std::move(out));
}

std::string SummaryText(const KeyedValue& summary) { return DumpJson(summary); }

}  // namespace sweep
