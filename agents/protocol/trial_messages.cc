// Field-by-field mapping between assign/finished and TrialLaunch/TrialEnd.
//
// Paths are the only fields that change meaning across the wire: the controller's
// trial folders live in its store, the agent's under its own work root, so an assign
// carries them relative and the agent joins them onto its root. End kinds travel by
// the names TrialEndKindName gives them.
#include "agents/protocol/trial_messages.h"

#include <algorithm>

#include "agents/runtime/data_hash.h"
#include "agents/runtime/wandb_files.h"

namespace sweep {
namespace {

std::string Join(const std::string& root, const std::string& rel) {
  if (rel.empty()) return root;
  if (root.empty()) return rel;
  return root.back() == '/' ? root + rel : root + "/" + rel;
}

// Keeps the frame header, the other fields and JSON escaping well inside the limit.
constexpr size_t kFrameSlackBytes = 64 * 1024;

bool Fits(const FinishedMsg& f, uint32_t max_frame_bytes) {
  return EncodePayload(f).size() + kFrameSlackBytes <= max_frame_bytes;
}

void Warn(Value& provenance, const std::string& what) {
  if (!provenance["warnings"].is_array()) provenance["warnings"] = Value::array();
  provenance["warnings"].push_back(what);
}

}  // namespace

void FitFinished(FinishedMsg* f, uint32_t max_frame_bytes) {
  if (Fits(*f, max_frame_bytes)) return;
  Value& p = f->provenance;
  // Largest first: the diff body, then the package list, then everything but warnings.
  if (p.is_object() && p.contains("code") && p["code"].is_object() &&
      p["code"].contains("diff_body")) {
    p["code"].erase("diff_body");
    if (p["code"]["diff"].is_object()) {
      p["code"]["diff"]["truncated"] = true;
      p["code"]["diff"]["omitted"] = true;
    }
    Warn(p, "the uncommitted diff was left out: the finished message would exceed the " +
                std::to_string(max_frame_bytes) + "-byte frame limit");
    if (Fits(*f, max_frame_bytes)) return;
  }
  if (p.is_object() && p.contains("env") && p["env"].is_object() && p["env"].contains("packages")) {
    p["env"].erase("packages");
    Warn(p, "the package list was left out: the finished message would exceed the frame limit");
    if (Fits(*f, max_frame_bytes)) return;
  }
  // What sweep's wandb module reported (wandb_files.h): its config copy is the bulk.
  if (p.is_object() && p.contains(kReportedKey) && p[kReportedKey].is_object() &&
      p[kReportedKey].contains("config")) {
    p[kReportedKey].erase("config");
    Warn(p, "the wandb config copy was left out: it would exceed the frame limit");
    if (Fits(*f, max_frame_bytes)) return;
  }
  if (p.is_object() && p.contains(kReportedKey)) {
    p.erase(kReportedKey);
    Warn(p, "what the wandb module reported was left out: it would exceed the frame limit");
    if (Fits(*f, max_frame_bytes)) return;
  }
  if (p.is_object()) {
    Value warnings = p.contains("warnings") ? p["warnings"] : Value::array();
    p = Value{{"warnings", warnings}};
    Warn(p, "provenance was left out: it would exceed the frame limit");
  }
  // Every other field is bounded (the stderr tail ~4 KiB), except a pathological
  // first_malformed line; cut it last.
  if (!Fits(*f, max_frame_bytes))
    f->first_malformed.resize(std::min<size_t>(f->first_malformed.size(), 4096));
}

AssignMsg AssignFromLaunch(const TrialLaunch& launch, const std::string& lease_id,
                           const std::string& rel_trial_dir, const std::string& rel_workdir) {
  AssignMsg a;
  a.sweep_id = launch.sweep_id;
  a.trial_id = launch.trial_id;
  a.lease_id = lease_id;
  a.argv = launch.argv;
  a.env = launch.env;
  a.params = launch.params;
  a.trial_dir = rel_trial_dir;
  a.workdir = rel_workdir;
  a.timeout_s = launch.timeout_s;
  a.stop_grace_s = launch.stop_grace_s;
  a.reading = launch.reading;
  a.gpus = launch.gpus;
  a.max_log_bytes = launch.max_log_bytes;
  a.metrics_poll_s = launch.metrics_poll_s;
  a.provenance = launch.provenance;
  a.provenance.data_hash_cache.clear();  // the controller's path means nothing remotely
  a.system_metrics_interval_s = launch.system_metrics_interval_s;
  return a;
}

TrialLaunch LaunchFromAssign(const AssignMsg& assign, const std::string& work_root,
                             const std::string& python_client_dir) {
  TrialLaunch l;
  l.sweep_id = assign.sweep_id;
  l.trial_id = assign.trial_id;
  l.argv = assign.argv;
  l.workdir = Join(work_root, assign.workdir);
  l.trial_dir = Join(work_root, assign.trial_dir);
  l.params = assign.params;
  l.env = assign.env;
  l.gpus = assign.gpus;
  l.timeout_s = assign.timeout_s;
  l.stop_grace_s = assign.stop_grace_s;
  l.reading = assign.reading;
  l.max_log_bytes = assign.max_log_bytes;
  l.python_client_dir = python_client_dir;
  l.metrics_poll_s = assign.metrics_poll_s;
  l.provenance = assign.provenance;
  if (l.provenance.enabled) l.provenance.data_hash_cache = DefaultDataHashCache();
  l.system_metrics_interval_s = assign.system_metrics_interval_s;
  return l;
}

FinishedMsg FinishedFromEnd(const std::string& trial_id, const std::string& lease_id,
                            const TrialEnd& end, uint32_t max_frame_bytes) {
  FinishedMsg f;
  f.trial_id = trial_id;
  f.lease_id = lease_id;
  f.kind = TrialEndKindName(end.kind);
  f.exit_code = end.exit.exit_code;
  f.signal = end.exit.signal;
  f.reason = end.reason;
  f.stderr_tail = end.stderr_tail;
  f.first_malformed = end.first_malformed;
  f.malformed_lines = end.malformed_lines;
  f.started_at = end.started_at;
  f.ended_at = end.ended_at;
  f.pid = end.pid;
  f.provenance = end.provenance;
  FitFinished(&f, max_frame_bytes);
  return f;
}

Result<TrialEnd> EndFromFinished(const FinishedMsg& finished) {
  TrialEnd end;
  bool known = false;
  for (auto kind : {TrialEnd::Kind::kExited, TrialEnd::Kind::kSignaled, TrialEnd::Kind::kTimedOut,
                    TrialEnd::Kind::kStopped, TrialEnd::Kind::kSpawnFailed}) {
    if (finished.kind == TrialEndKindName(kind)) {
      end.kind = kind;
      known = true;
    }
  }
  if (!known) return Status::Io("finished.kind: unknown end kind '" + finished.kind + "'");
  end.exit.exit_code = finished.exit_code;
  end.exit.signal = finished.signal;
  end.reason = finished.reason;
  end.stderr_tail = finished.stderr_tail;
  end.malformed_lines = finished.malformed_lines;
  end.first_malformed = finished.first_malformed;
  end.started_at = finished.started_at;
  end.ended_at = finished.ended_at;
  end.pid = finished.pid;
  end.provenance = finished.provenance;
  return end;
}

}  // namespace sweep
