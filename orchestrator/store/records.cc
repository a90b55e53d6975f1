// Names of trial and sweep statuses.
//
// The names are the words the store writes into its status columns (the schema's
// CHECK constraints list the same words), the CLI prints and `--json` emits, so they
// are part of the on-disk format: never rename one without a schema migration.
#include "orchestrator/store/records.h"

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

}  // namespace sweep
