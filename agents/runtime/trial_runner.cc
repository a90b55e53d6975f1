// TrialRunner: one Trial object per running trial, all on the caller's io_context.
//
// Start() prepares the folder, then spawns; every failure on the way becomes a
// kSpawnFailed end that is posted (so on_end never runs inside Start). A running
// Trial owns its Subprocess, one MetricReader shared by both channels (so steps stay
// consistent), a FileTailer on metrics.jsonl, a poll timer and a timeout timer.
// stdout lines are parsed as they arrive and queued; the poll timer tails the metrics
// file and flushes the queue to on_metrics in batches (a bounded batch, so a trial
// writing a million points never sits in memory whole). When the Subprocess reports
// the exit (after its pipes drained), the metrics file is read one final time, the
// last points are flushed, the Trial is erased and on_end runs. The folder also gets
// W&B's params file, and at the end what sweep's wandb module reported (reported.json,
// read and its artifacts hashed off the loop, when the file exists) joins
// TrialEnd::provenance under "reported" (agents/runtime/wandb_files.h). Provenance
// still valid in the capture caches is answered on the loop right after the spawn;
// only a capture that must run git, pip or hash data goes to the worker thread.
//
// Async handlers hold weak_ptrs to their Trial, so a handler that runs after the
// trial ended (or after the runner died) does nothing.
#include "agents/runtime/trial_runner.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "agents/runtime/artifacts.h"
#include "agents/runtime/data_hash.h"
#include "agents/runtime/env_builder.h"
#include "agents/runtime/provenance_code.h"
#include "agents/runtime/provenance_env.h"
#include "agents/runtime/python_files.h"
#include "agents/runtime/sys_metrics.h"
#include "agents/runtime/wandb_files.h"
#include "base/safe_open.h"
#include "source_paths.h"

namespace sweep {
namespace {

namespace fs = std::filesystem;
constexpr size_t kFlushBatch = 50000;
// 16 KiB is some 500 metric points (as many new names when every line brings new
// ones, the dearest case: each new name is a row of its own): parsing them, the
// controller's bookkeeping and their commit take milliseconds, so one turn of the
// loop stays short (issue 14: a loop stall under 100 ms at 100,000 names).
constexpr uint64_t kPollBytes = 16 << 10;
constexpr size_t kStderrTailBytes = 4096;

double Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::chrono::steady_clock::duration Seconds(double s) {
  return std::chrono::microseconds(static_cast<int64_t>(std::max(0.0, s) * 1e6));
}

std::string SignalText(int sig) {
  const char* name = sigabbrev_np(sig);
  std::string text = name ? std::string("SIG") + name : "signal " + std::to_string(sig);
  return text + " (" + strsignal(sig) + ")";
}

// A file in a trial folder. O_NOFOLLOW: on a re-run in place the folder is the
// previous attempt's, which may have planted a link there.
Status WriteTrialFile(const std::string& path, const std::string& text) {
  return WriteFileNoFollow(path, text);
}

bool WantsWandbParamsFile(const TrialLaunch& l) {
  return WritesWandbParamsFile(l.python_client_dir, l.env);
}

// The trial folder, params.json and (when a real wandb may read it) W&B's params
// file: all a trial needs before it runs. metrics.jsonl and the logs are created by
// whoever first writes them (the trial appends with O_CREAT; the runner opens a log on
// the first byte), so a fresh folder costs one mkdir and one small file: on a busy
// file system each new inode is the dearest thing on the start path (perf: ~0.2 ms of
// kernel CPU each on this project's ext4 without a journal). A folder that already
// exists (a re-run in place) loses the previous attempt's files first, so none of its
// points, output or reports is read back.
// `made`: the folder was created empty by PrepareFolder, so it needs neither.
Status PrepareTrialDir(const TrialLaunch& l, bool made) {
  if (l.trial_dir.empty()) return Status::Io("no trial folder given");
  if (!made && ::mkdir(l.trial_dir.c_str(), 0755) != 0) {
    int err = errno;
    if (err == ENOENT) {  // the first trial of a store: create the parents
      std::error_code ec;
      fs::create_directories(l.trial_dir, ec);
      if (ec)
        return Status::Io("cannot create trial folder '" + l.trial_dir + "': " + ec.message());
    } else if (err == EEXIST && fs::is_directory(l.trial_dir)) {
      for (const char* stale : {"/metrics.jsonl", "/stdout.log", "/stderr.log"})
        ::unlink((l.trial_dir + stale).c_str());
      // A stale report would be taken for this attempt's: it must go.
      for (const char* name : {kReportedFile, kLoggedParamsFile, kWandbParamsFile}) {
        std::string reported = l.trial_dir + "/" + name;
        if (::unlink(reported.c_str()) != 0 && errno != ENOENT)
          return Status::Io("cannot remove '" + reported + "': " + std::strerror(errno));
      }
    } else {
      return Status::Io("cannot create trial folder '" + l.trial_dir + "': " + std::strerror(err));
    }
  }
  std::string params =
      l.params.is_null() ? "{}" : l.params.dump(2, ' ', false, Value::error_handler_t::replace);
  params += "\n";
  if (Status s = WriteTrialFile(l.trial_dir + "/params.json", params); !s.ok()) return s;
  if (!WantsWandbParamsFile(l)) return Status::Ok();
  return WriteTrialFile(l.trial_dir + "/" + kWandbParamsFile, WandbParamsYaml(l.params));
}

// Stamps with more paths than this are re-validated on the worker thread: an lstat
// each, and the event loop should not spend much more than ~100 us on it.
constexpr size_t kInlineStampPaths = 256;

void AddEnvironment(Value& out, Value env) {
  out["env_hash"] = EnvironmentHash(env);
  out["env"] = std::move(env);
}

// A trial's provenance from the capture caches alone, the same value the worker's
// capture would give; nullopt when something must be captured (git or pip run, a
// large stamp checked, data hashed).
std::optional<Value> CachedProvenance(const CodeCaptureOptions& code, const EnvCaptureOptions& env,
                                      bool want_env, const std::vector<std::string>& data) {
  if (!data.empty()) return std::nullopt;
  std::optional<Value> c = CachedCode(code, kInlineStampPaths);
  if (!c) return std::nullopt;
  Value out = {{"code", std::move(*c)}, {"warnings", Value::array()}};
  if (want_env) {
    std::optional<Value> e = CachedEnvironment(env, kInlineStampPaths);
    if (!e) return std::nullopt;
    AddEnvironment(out, std::move(*e));
  }
  return out;
}

}  // namespace

const char* TrialEndKindName(TrialEnd::Kind kind) {
  switch (kind) {
    case TrialEnd::Kind::kExited:
      return "exited";
    case TrialEnd::Kind::kSignaled:
      return "signaled";
    case TrialEnd::Kind::kTimedOut:
      return "timed_out";
    case TrialEnd::Kind::kStopped:
      return "stopped";
    case TrialEnd::Kind::kSpawnFailed:
      return "spawn_failed";
  }
  return "unknown";
}

std::vector<std::string> BuildTrialEnvironment(const TrialLaunch& l) {
  EnvBuilder env = EnvBuilder::FromEnviron();
  env.Set("SWEEP_ID", l.sweep_id);
  env.Set("SWEEP_TRIAL_ID", l.trial_id);
  env.Set("SWEEP_TRIAL_DIR", l.trial_dir);
  env.Set("SWEEP_PARAMS", l.trial_dir + "/params.json");
  env.Set("SWEEP_METRICS", l.trial_dir + "/metrics.jsonl");
  if (l.gpus) env.Set("CUDA_VISIBLE_DEVICES", *l.gpus);
  env.Set("PYTHONUNBUFFERED", "1");
  // W&B's params file, which a real wandb.config reads (wandb_files.h); sweep's own
  // module reads $SWEEP_PARAMS, so in shim mode there is no such file to point at.
  if (WantsWandbParamsFile(l))
    env.Set("WANDB_SWEEP_PARAM_PATH", l.trial_dir + "/" + kWandbParamsFile);
  // The binary running this trial, for wandb.sweep/wandb.agent inside it (the bundled
  // module runs `sweep`); a value the user set wins.
  if (!env.Get("SWEEP_BIN")) {
    static const std::string self = [] {
      std::error_code ec;
      return fs::read_symlink("/proc/self/exe", ec).string();
    }();
    if (!self.empty()) env.Set("SWEEP_BIN", self);
  }
  if (!l.python_client_dir.empty()) {
    std::string old(env.Get("PYTHONPATH").value_or(""));
    std::string dirs = l.python_client_dir;
    // sweep's wandb package shadows a real one only in trials, and not when the spec's
    // reporting.wandb is off (it reaches the trial as $SWEEP_WANDB in launch.env).
    if (WandbModeOf(l.env) != kWandbOff)
      dirs = l.python_client_dir + "/" + kWandbShimDir + ":" + dirs;
    env.Set("PYTHONPATH", old.empty() ? dirs : dirs + ":" + old);
  }
  for (const auto& [name, value] : l.env) env.Set(name, value);
  return std::move(env).Take();
}

std::string DefaultPythonClientDir() {
  if (const char* d = ::getenv("SWEEP_PYTHON_DIR"); d && *d) return d;
  std::error_code ec;
  std::string dir = std::string(SWEEP_SOURCE_DIR) + "/agents/python";
  return fs::exists(dir + "/sweep_client.py", ec) ? dir : "";
}

struct TrialRunner::Trial {
  Trial(boost::asio::io_context& io, const TrialLaunch& l)
      : launch(l),
        reader(l.reading),
        tailer(l.trial_dir + "/metrics.jsonl", l.reading.max_line_bytes),
        poll_timer(io),
        timeout_timer(io),
        sys_timer(io) {}
  TrialLaunch launch;
  std::unique_ptr<Subprocess> proc;
  MetricReader reader;
  FileTailer tailer;
  uint64_t skipped_seen = 0;
  boost::asio::steady_timer poll_timer, timeout_timer;
  std::vector<ParsedPoint> pending;
  std::optional<TrialEnd::Kind> stop_kind;
  std::string stop_reason;
  double started_at = 0;
  // Code + environment, captured on the runner's ProvenanceWorker: pending until the
  // capture is posted back; an end that comes first waits in waiting_end.
  bool provenance_pending = false;
  Value provenance;
  std::optional<TrialEnd> waiting_end;
  // What sweep's wandb module reported (ReadReported hashes artifacts, so it runs on
  // the worker too): read once, after the trial's end.
  bool reported_started = false;
  bool reported_pending = false;
  Value reported;
  boost::asio::steady_timer sys_timer;
  std::unique_ptr<SysSampler> sampler;
  int64_t sys_step = 0;
};

TrialRunner::TrialRunner(boost::asio::io_context& io, TrialRunnerCallbacks callbacks)
    : io_(io), callbacks_(std::move(callbacks)), worker_(std::make_unique<ProvenanceWorker>(io)) {}

void TrialRunner::PrepareFolder(const std::string& trial_dir) {
  if (trial_dir.empty() || prepared_.count(trial_dir)) return;
  if (::mkdir(trial_dir.c_str(), 0755) == 0) prepared_.insert(trial_dir);
}

TrialRunner::~TrialRunner() {
  *alive_ = false;
  worker_.reset();  // joins its thread; the trials its queue held are released
  trials_.clear();  // each Subprocess kills and reaps its group
  // Folders made ahead for trials that never started (rmdir removes only empty ones).
  for (const std::string& dir : prepared_) ::rmdir(dir.c_str());
}

void TrialRunner::Start(const TrialLaunch& launch) {
  double started = Now();
  auto fail = [&](const std::string& reason, bool log = true) {
    TrialEnd end;
    end.kind = TrialEnd::Kind::kSpawnFailed;
    end.reason = reason;
    end.started_at = started;
    end.ended_at = Now();
    if (log && !launch.trial_dir.empty() && fs::is_directory(launch.trial_dir))
      // Best effort: the reason also reaches the store through on_end.
      (void)WriteTrialFile(launch.trial_dir + "/stderr.log", "sweep: " + reason + "\n");
    std::weak_ptr<bool> alive = alive_;
    boost::asio::post(io_, [this, alive, id = launch.trial_id, end] {
      if (alive.expired() || !callbacks_.on_end) return;
      callbacks_.on_end(id, end);
    });
  };
  if (trials_.count(launch.trial_id))
    return fail("trial '" + launch.trial_id + "' is already running", /*log=*/false);
  bool made = prepared_.erase(launch.trial_dir) > 0;
  if (Status s = PrepareTrialDir(launch, made); !s.ok()) return fail(s.message());

  auto t = std::make_shared<Trial>(io_, launch);
  std::weak_ptr<Trial> weak = t;
  SpawnOptions opts;
  opts.argv = launch.argv;
  opts.env = BuildTrialEnvironment(launch);
  opts.cwd = launch.workdir;
  opts.stdout_path = launch.trial_dir + "/stdout.log";
  opts.stderr_path = launch.trial_dir + "/stderr.log";
  opts.max_log_bytes = launch.max_log_bytes;
  opts.max_line_bytes = launch.reading.max_line_bytes;
  opts.stdin_fd = launch.stdin_fd;
  opts.echo_stdout_fd = launch.echo_stdout_fd;
  opts.echo_stderr_fd = launch.echo_stderr_fd;
  SubprocessCallbacks cb;
  if (launch.reading.stdout_pairs) {
    cb.on_stdout_line = [this, weak](std::string_view line, bool truncated) {
      auto t = weak.lock();
      if (!t || truncated) return;  // over-long stdout lines (progress bars) are not metrics
      // Catch up with the metrics file first, so that what the trial wrote there
      // before printing this line gets its steps first (one shared step counter). All
      // of it: a partial catch-up (a poll slice) would break that order.
      if (t->launch.reading.metrics_file &&
          (!t->launch.reading.stdout_pattern.empty() || line.find('=') != line.npos))
        ReadMetricsFile(*t, false, UINT64_MAX);
      auto points = t->reader.ParseStdoutLine(line, Now());
      t->pending.insert(t->pending.end(), std::make_move_iterator(points.begin()),
                        std::make_move_iterator(points.end()));
      if (t->pending.size() >= kFlushBatch) FlushPoints(*t);
    };
  }
  cb.on_exit = [this, weak](const ExitStatus& exit) {
    if (auto t = weak.lock()) Finish(t, exit);
  };
  Result<std::unique_ptr<Subprocess>> proc = Subprocess::Spawn(io_, opts, std::move(cb));
  if (!proc.ok()) return fail(proc.status().message());
  t->proc = std::move(proc).value();
  t->started_at = started;
  trials_[launch.trial_id] = t;
  if (launch.provenance.enabled) {
    const ProvenanceLaunch& p = launch.provenance;
    CodeCaptureOptions code;
    code.workdir = launch.workdir;
    code.program = p.program;
    code.git = p.git;
    code.max_diff_bytes = p.max_diff_bytes;
    EnvCaptureOptions env;
    env.argv = launch.argv;
    env.env = opts.env;
    env.env_vars = p.env_vars;
    env.packages = p.packages;
    bool want_env = p.env;
    if (std::optional<Value> cached = CachedProvenance(code, env, want_env, p.data)) {
      // Nothing changed since a capture: answered here, without a round trip to the
      // worker thread (two wake-ups that a busy machine makes expensive).
      t->provenance = std::move(*cached);
    } else {
      // On the worker thread: git and pip take tens to hundreds of milliseconds,
      // which the trial must not wait for.
      std::vector<std::string> data = p.data;
      std::string data_cache = p.data_hash_cache, workdir = launch.workdir;
      t->provenance_pending = true;
      worker_->Submit(
          [code, env, want_env, data, data_cache, workdir] {
            Value out = {{"code", CaptureCode(code)}, {"warnings", Value::array()}};
            if (!data.empty()) {
              auto hashed = HashDataPaths(data, workdir, data_cache);
              if (hashed.ok())
                out["data"] = std::move(hashed).value();
              else
                out["warnings"].push_back("data: " + hashed.status().message());
            }
            if (want_env) AddEnvironment(out, CaptureEnvironment(env));
            return out;
          },
          // Holds the trial: after its end it lives only here until the capture is in.
          [this, t](Value captured) {
            t->provenance = std::move(captured);
            t->provenance_pending = false;
            if (t->waiting_end) {
              TrialEnd end = std::move(*t->waiting_end);
              t->waiting_end.reset();
              Complete(t, std::move(end));
            }
          });
    }
  }

  Poll(t, false);
  if (launch.system_metrics_interval_s > 0) {
    t->sampler = std::make_unique<SysSampler>(t->proc->pid(), launch.gpus.value_or(""));
    t->sampler->BaselineAtSpawn(started);
    SampleSystem(t, /*emit=*/false);
  }
  if (launch.timeout_s > 0) {
    t->timeout_timer.expires_after(Seconds(launch.timeout_s));
    t->timeout_timer.async_wait([weak](boost::system::error_code ec) {
      auto t = weak.lock();
      if (ec || !t || t->stop_kind || !t->proc->running()) return;
      t->stop_kind = TrialEnd::Kind::kTimedOut;
      char buf[64];
      std::snprintf(buf, sizeof buf, "timed out after %gs", t->launch.timeout_s);
      t->stop_reason = buf;
      t->proc->Terminate(t->launch.stop_grace_s);
    });
  }
}

void TrialRunner::Stop(const std::string& trial_id, const std::string& reason) {
  auto it = trials_.find(trial_id);
  // A trial whose leader already exited (its pipes are draining) ends as it ended.
  if (it == trials_.end() || it->second->stop_kind || !it->second->proc->running()) return;
  Trial& t = *it->second;
  t.stop_kind = TrialEnd::Kind::kStopped;
  t.stop_reason = reason;
  t.proc->Terminate(t.launch.stop_grace_s);
}

void TrialRunner::Kill(const std::string& trial_id) {
  auto it = trials_.find(trial_id);
  if (it == trials_.end() || !it->second->proc->running()) return;
  if (!it->second->stop_kind) {
    it->second->stop_kind = TrialEnd::Kind::kStopped;
    it->second->stop_reason = "killed";
  }
  it->second->proc->Kill();
}

pid_t TrialRunner::Pid(const std::string& trial_id) const {
  auto it = trials_.find(trial_id);
  if (it == trials_.end() || !it->second->proc) return -1;
  return it->second->proc->pid();
}

void TrialRunner::StopAll(const std::string& reason) {
  std::vector<std::string> ids;
  for (const auto& [id, t] : trials_) ids.push_back(id);
  for (const auto& id : ids) Stop(id, reason);
}

// A poll reads at most kPollBytes, so one busy trial never holds the event loop for
// long; when it read a full slice the next poll comes at once instead of after
// metrics_poll_s, so ingestion is not capped by the interval either.
void TrialRunner::Poll(const std::shared_ptr<Trial>& t, bool busy) {
  double interval = t->launch.metrics_poll_s > 0 ? t->launch.metrics_poll_s : 0.1;
  t->poll_timer.expires_after(Seconds(busy ? 0 : interval));
  t->poll_timer.async_wait([this, weak = std::weak_ptr<Trial>(t)](boost::system::error_code ec) {
    auto t = weak.lock();
    if (ec || !t) return;
    uint64_t before = t->tailer.offset();
    ReadMetricsFile(*t, false, kPollBytes);
    FlushPoints(*t);
    Poll(t, t->tailer.offset() - before >= kPollBytes);
  });
}

void TrialRunner::SampleSystem(const std::shared_ptr<Trial>& t, bool emit) {
  if (emit) {
    auto points = t->sampler->Sample(t->sys_step++, Now());
    t->pending.insert(t->pending.end(), std::make_move_iterator(points.begin()),
                      std::make_move_iterator(points.end()));
  }
  t->sys_timer.expires_after(Seconds(t->launch.system_metrics_interval_s));
  t->sys_timer.async_wait([this, weak = std::weak_ptr<Trial>(t)](boost::system::error_code ec) {
    auto t = weak.lock();
    if (ec || !t || !t->proc->running()) return;
    SampleSystem(t, true);
  });
}

void TrialRunner::ReadMetricsFile(Trial& t, bool final, uint64_t max_bytes) {
  if (!t.launch.reading.metrics_file) return;
  double wall = Now();
  t.tailer.ReadLines(
      [&](std::string_view line) {
        auto points = t.reader.ParseJsonLine(line, wall);
        t.pending.insert(t.pending.end(), std::make_move_iterator(points.begin()),
                         std::make_move_iterator(points.end()));
        if (t.pending.size() >= kFlushBatch) FlushPoints(t);
      },
      final, max_bytes);
  for (; t.skipped_seen < t.tailer.skipped_long_lines(); ++t.skipped_seen) {
    t.reader.NoteMalformed("(metrics line longer than " +
                           std::to_string(t.launch.reading.max_line_bytes) + " bytes)");
  }
}

void TrialRunner::FlushPoints(Trial& t) {
  if (t.pending.empty()) return;
  std::vector<ParsedPoint> points;
  points.swap(t.pending);
  if (callbacks_.on_metrics) callbacks_.on_metrics(t.launch.trial_id, std::move(points));
}

void TrialRunner::Finish(const std::shared_ptr<Trial>& t, const ExitStatus& exit) {
  t->poll_timer.cancel();
  t->timeout_timer.cancel();
  t->sys_timer.cancel();
  Drain(t, exit);
}

// What the trial left in its metrics file is read a slice per turn of the loop, as
// polls read it: a trial that wrote 100,000 names just before it exited must not
// hold the loop (other trials' ends, an agent's heartbeats) for seconds.
void TrialRunner::Drain(const std::shared_ptr<Trial>& t, const ExitStatus& exit) {
  // A full slice is told by the bytes read, not by the lines delivered: lines of
  // 30 KB (1,000 names each) leave a partial line at the end of every slice, and
  // counting delivered bytes took that for the end of the file and read the rest of
  // it in one turn (a 1-3 s stall at 100,000 names, issue 14).
  uint64_t before = t->tailer.offset();
  ReadMetricsFile(*t, false, kPollBytes);
  FlushPoints(*t);
  if (t->tailer.offset() - before >= kPollBytes) {
    boost::asio::post(io_, [this, t, exit] { Drain(t, exit); });
    return;
  }
  // Only a last line without its newline can be left: at most max_line_bytes.
  ReadMetricsFile(*t, true, UINT64_MAX);
  FlushPoints(*t);

  TrialEnd end;
  end.exit = exit;
  if (t->stop_kind) {
    end.kind = *t->stop_kind;
    end.reason = t->stop_reason;
  } else if (exit.signal != 0) {
    end.kind = TrialEnd::Kind::kSignaled;
    end.reason = "killed by " + SignalText(exit.signal);
  } else {
    end.kind = TrialEnd::Kind::kExited;
    if (exit.exit_code != 0) end.reason = "exited with code " + std::to_string(exit.exit_code);
  }
  end.stderr_tail = ValidUtf8(t->proc->StderrTail(kStderrTailBytes));
  if (end.stderr_tail.size() >= kStderrTailBytes) {  // cut: start at a whole line
    size_t nl = end.stderr_tail.find('\n');
    if (nl != std::string::npos && nl < kStderrTailBytes / 2) end.stderr_tail.erase(0, nl + 1);
  }
  end.malformed_lines = t->reader.malformed_lines();
  end.first_malformed = t->reader.first_malformed();
  end.started_at = t->started_at;
  end.ended_at = Now();
  end.pid = t->proc->pid();
  std::string id = t->launch.trial_id;
  trials_.erase(id);  // t stays alive through our caller's reference
  Complete(t, std::move(end));
}

// The end waits for the provenance capture (pip freeze can take seconds on a busy
// machine) without blocking the loop: a remote agent must keep heartbeating. The
// worker's result calls Complete again the moment it is posted back.
void TrialRunner::Complete(const std::shared_ptr<Trial>& t, TrialEnd end) {
  // Most trials report nothing through sweep's wandb module: for them one lstat
  // here, and no round trip to the worker.
  if (!t->reported_started) {
    t->reported_started = true;
    t->reported_pending = ReportedFileExists(t->launch.trial_dir);
    if (t->reported_pending)
      worker_->Submit([dir = t->launch.trial_dir] { return ReadReported(dir); },
                      [this, t](Value v) {
                        t->reported = std::move(v);
                        t->reported_pending = false;
                        if (t->waiting_end && !t->provenance_pending) {
                          TrialEnd end = std::move(*t->waiting_end);
                          t->waiting_end.reset();
                          Complete(t, std::move(end));
                        }
                      });
  }
  if (t->provenance_pending || t->reported_pending) {
    t->waiting_end = std::move(end);
    return;
  }
  if (t->launch.provenance.enabled) {
    end.provenance = std::move(t->provenance);
    const ProvenanceLaunch& p = t->launch.provenance;
    if (!p.artifacts.empty()) {
      ArtifactOptions a;
      a.globs = p.artifacts;
      a.trial_dir = t->launch.trial_dir;
      a.workdir = t->launch.workdir;
      a.max_bytes = p.artifact_max_bytes;
      a.max_files = p.artifact_max_files;
      ArtifactResult r = CollectArtifacts(a);
      end.provenance["artifacts"] = std::move(r.files);
      for (auto& w : r.warnings) end.provenance["warnings"].push_back(std::move(w));
    }
  }
  // What sweep's wandb module reported travels inside provenance (the controller takes
  // it out again, see orchestrator/controller/reported_run.h), so remote agents carry it
  // in the finished message they already send.
  if (!t->reported.is_null()) {
    if (!end.provenance.is_object()) end.provenance = Value::object();
    end.provenance[kReportedKey] = std::move(t->reported);
  }
  // Everything that reads the trial's world is done: its points are delivered (what
  // they decide, a metric target or an early stop, is known), its provenance was
  // captured and its artifacts hashed, so a next trial on the slot cannot leak into
  // them (a package it upgrades, a file it rewrites). Complete runs in a handler of
  // the loop, never inside Start, Stop or Kill: on_exited may start that trial.
  if (callbacks_.on_exited && end.kind == TrialEnd::Kind::kExited && end.exit.signal == 0 &&
      end.exit.exit_code == 0)
    callbacks_.on_exited(t->launch.trial_id);
  if (callbacks_.on_end) callbacks_.on_end(t->launch.trial_id, end);
}

}  // namespace sweep
