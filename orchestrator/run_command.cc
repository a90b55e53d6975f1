// `sweep run`: prepare the records, run the program through a TrialRunner on a
// private io_context, record what it reported, mirror its exit.
//
// How it works. Flags are checked before the store is opened (exit 2, nothing
// written). A standalone run creates a sweep record of kind "run" (no spec, no
// strategy; its name is --name or the program's file name) and takes that sweep's
// lock, so `sweep ls` and `status` see a live owner; its one trial is "<run>-0". With
// --sweep, the trial is a manual trial of that sweep (records.h kManualTrialBase): it
// reads metrics and captures provenance as the sweep's spec says and its value is
// computed with the sweep's metric, so `top` ranks it with the others. It never
// touches the sweep record or the controller's trials, and takes no lock: the
// controller may be running, and its rows and ours never overlap.
//
// The running record is committed before the spawn; points are committed as they
// arrive (a batch per runner flush, at most every 0.1 s); the final record once, at
// the end. Params: the argv pairs (run_params.h) first, overridden by what the
// program declared (wandb.config, sweep_client.log_params), merged by ApplyReported
// exactly as for a sweep trial.
#include "orchestrator/run_command.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <utility>

#include "agents/runtime/python_files.h"
#include "agents/runtime/trial_runner.h"
#include "orchestrator/controller/ids.h"
#include "orchestrator/controller/reported_run.h"
#include "orchestrator/controller/summary.h"
#include "orchestrator/controller/sweep_lock.h"
#include "orchestrator/controller/trial_outcome.h"
#include "orchestrator/run_params.h"
#include "orchestrator/spec/spec_parser.h"
#include "orchestrator/spec/track_options.h"
#include "orchestrator/store/trial_kinds.h"
#include "orchestrator/store/trial_labels.h"
#include "orchestrator/store/trial_store.h"

namespace sweep {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;

double Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

bool IsPython(const std::string& program) {
  return fs::path(program).filename().string().rfind("python", 0) == 0;
}

// The file provenance hashes as "the program": the script of `python3 script.py`,
// else the executable when given as a path; "" when neither is a file.
std::string ProgramFile(const std::vector<std::string>& argv) {
  std::string candidate;
  if (IsPython(argv[0]) && argv.size() > 1 && argv[1].rfind('-', 0) != 0)
    candidate = argv[1];
  else if (argv[0].find('/') != std::string::npos)
    candidate = argv[0];
  std::error_code ec;
  return !candidate.empty() && fs::is_regular_file(candidate, ec) ? candidate : "";
}

// A shell's exit code for a program that could not be started.
int SpawnFailureCode(const std::string& reason) {
  return reason.find("Permission denied") != std::string::npos ||
                 reason.find("not executable") != std::string::npos
             ? 126
             : 127;
}

// Checks what can be checked before anything is written; the message on failure.
std::string CheckFlags(const RunFlags& f) {
  if (f.argv.empty())
    return "sweep run needs a program to run: sweep run [OPTIONS] -- PROGRAM ARGS...";
  if (f.argv[0].empty()) return "the program name is empty";
  if (Status s = ValidateTags(f.tags); !f.tags.empty() && !s.ok()) return "--tag: " + s.message();
  if (f.note)
    if (Status s = ValidateNote(*f.note); !s.ok()) return "--note: " + s.message();
  if (f.name.size() > 256) return "--name: longer than 256 bytes";
  for (unsigned char c : f.name)
    if (c < ' ' || c == 0x7f) return "--name: contains a control character";
  return "";
}

// An flock(2) held while the object lives; the kernel drops it if the process dies.
class FileLock {
 public:
  FileLock() = default;
  explicit FileLock(int fd) : fd_(fd) {}
  FileLock(FileLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  FileLock& operator=(FileLock&& o) noexcept {
    if (this != &o) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  int fd_ = -1;
};

// <store>/locks/<sweep>.manual.lock, taken exclusively (waits for another `sweep run
// --sweep` of the same sweep to commit its record; that takes milliseconds).
Result<FileLock> LockManualNumbering(const std::string& root, const std::string& sweep_id) {
  std::error_code ec;
  fs::create_directories(root + "/locks", ec);
  std::string path = root + "/locks/" + sweep_id + ".manual.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return Status::Io("cannot open '" + path + "': " + std::strerror(errno));
  FileLock lock(fd);
  while (::flock(fd, LOCK_EX) != 0)
    if (errno != EINTR) return Status::Io("cannot lock '" + path + "': " + std::strerror(errno));
  return lock;
}

// The state one run needs while its io_context runs.
struct Session {
  TrialStore* store = nullptr;
  SweepSpec spec;
  TrialRecord rec;
  TrialSummary summary;
  TrialEnd end;
  bool ended = false;
  int stop_signal = 0;          // the signal that made `sweep run` stop the program
  bool stop_requested = false;  // `sweep stop RUN` asked for it
  std::ostream* err = nullptr;

  void OnMetrics(std::vector<ParsedPoint> points) {
    WriteBatch b;
    for (ParsedPoint& p : points) {
      if (!summary.Add(p.name, p.step, p.value)) continue;  // over max_metric_names
      b.points.push_back(MetricPoint{rec.id, std::move(p.name), p.step, p.value, p.wall});
    }
    if (b.points.empty()) return;
    if (Status s = store->Commit(b); !s.ok())
      *err << "sweep run: warning: metric points not recorded: " << s.message() << "\n";
  }
};

}  // namespace

int RunTrackedRun(const RunFlags& flags, std::ostream& out, std::ostream& err) {
  if (std::string bad = CheckFlags(flags); !bad.empty()) {
    err << "error: " << bad << "\n";
    return 2;
  }
  std::error_code ec;
  const std::string root = fs::absolute(DefaultStorePath(flags.store), ec).lexically_normal();
  // The program inherits it: a notebook-style script's wandb.sweep() files its sweep
  // in this run's store, whatever folder the run was started from.
  ::setenv("SWEEP_STORE", root.c_str(), 1);
  const bool manual = !flags.sweep.empty();
  auto opened = OpenStore(root, StoreOptions{.read_only = false, .create = !manual});
  if (!opened.ok()) {
    err << "error: " << opened.status().message() << "\n";
    return opened.status().ExitCode();
  }
  TrialStore& store = **opened;
  Session ss;
  ss.store = &store;
  ss.err = &err;
  TrialRecord& rec = ss.rec;
  WriteBatch first;
  std::unique_ptr<SweepLock> lock;
  Result<FileLock> numbering = FileLock();
  std::string label;  // what the messages call this run
  if (manual) {
    auto sweep = store.GetSweep(flags.sweep);
    if (!sweep.ok()) {
      err << "error: --sweep: " << sweep.status().message() << "\n";
      return 2;
    }
    if (IsTrackedRun(*sweep)) {
      err << "error: --sweep: " << sweep->id << " is a tracked run, not a sweep\n";
      return 2;
    }
    auto spec = ParseSpecText(sweep->spec_text, sweep->spec_file);
    if (!spec.ok()) {
      err << "error: the stored spec of sweep " << sweep->id << " no longer parses:\n"
          << spec.status().message() << "\n";
      return 1;
    }
    ss.spec = std::move(spec).value();
    // Two `sweep run --sweep` at once must not pick the same number (the trial row is
    // upserted by id, so the second would overwrite the first): the number is chosen
    // and the running record committed under an flock of this sweep's manual-trial
    // lock file, released once the record is in.
    numbering = LockManualNumbering(store.root(), sweep->id);
    if (!numbering.ok()) {
      err << "error: " << numbering.status().message() << "\n";
      return 1;
    }
    auto trials = store.ListTrials(sweep->id);
    if (!trials.ok()) {
      err << "error: " << trials.status().message() << "\n";
      return 1;
    }
    rec.number = kManualTrialBase;
    for (const TrialRecord& t : *trials)
      if (IsManualTrial(t)) rec.number = std::max(rec.number, t.number + 1);
    rec.sweep_id = sweep->id;
    rec.id = ManualTrialId(sweep->id, rec.number);
    rec.placement = Value{{"manual", true}};
    if (!flags.name.empty()) rec.placement["name"] = flags.name;
    label = "manual trial " + rec.id + " of sweep " + sweep->id;
  } else {
    SweepRecord sweep;
    do sweep.id = NewSweepId();
    while (store.GetSweep(sweep.id).ok());
    sweep.name = flags.name.empty() ? fs::path(flags.argv[0]).filename().string() : flags.name;
    if (flags.name.empty() && IsPython(flags.argv[0]) && flags.argv.size() > 1)
      sweep.name = fs::path(flags.argv[1]).filename().string();
    sweep.status = SweepStatus::kRunning;
    sweep.workdir = fs::current_path(ec).string();
    sweep.created_at = Now();
    MarkTrackedRun(&sweep.options);
    sweep.options.workers = 1;
    sweep.options.max_trials = 1;
    auto l = SweepLock::Acquire(store.root(), sweep.id);
    if (!l.ok()) {
      err << "error: " << l.status().message() << "\n";
      return 1;
    }
    lock = std::move(l).value();
    first.sweeps.push_back(sweep);
    rec.sweep_id = sweep.id;
    rec.number = 0;
    rec.id = TrialId(sweep.id, 0);
    label = "run " + sweep.id + " (" + sweep.name + ")";
  }
  ss.summary = TrialSummary(ss.spec.max_metric_names, ss.spec.metric.name);
  const Value argv_params = flags.argv_params
                                ? ParseArgvParams({flags.argv.begin() + 1, flags.argv.end()})
                                : Value::object();
  rec.params = argv_params;
  rec.status = TrialStatus::kRunning;
  rec.host = HostName();
  rec.agent = "sweep run";
  rec.argv = flags.argv;
  rec.trial_dir = store.root() + "/trials/" + rec.id;
  rec.created_at = rec.started_at = Now();
  first.trials.push_back(rec);
  if (Status s = store.Commit(first); !s.ok()) {
    err << "error: " << s.message() << "\n";
    return 1;
  }
  numbering = FileLock();  // the manual number is taken
  if (!flags.tags.empty())
    if (Status s = store.AddTags(rec.id, flags.tags); !s.ok())
      err << "sweep run: warning: tags not recorded: " << s.message() << "\n";
  if (flags.note)
    if (Status s = store.AddNote(rec.id, *flags.note); !s.ok())
      err << "sweep run: warning: note not recorded: " << s.message() << "\n";
  auto client_dir = InstallPythonFiles(store.root() + "/python");
  if (!client_dir.ok())
    err << "sweep run: warning: " << client_dir.status().message()
        << " (sweep_client and wandb will not be importable)\n";
  err << "sweep run: " << label << ", trial " << rec.id << ", store " << store.root() << "\n";

  asio::io_context io;
  TrialRunnerCallbacks cb;
  cb.on_metrics = [&ss](const std::string&, std::vector<ParsedPoint> points) {
    ss.OnMetrics(std::move(points));
  };
  cb.on_end = [&ss](const std::string&, const TrialEnd& end) {
    ss.end = end;
    ss.ended = true;
  };
  TrialRunner runner(io, std::move(cb));
  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& e, int sig) {
        if (e || ss.ended) return;
        if (ss.stop_signal == 0) {
          ss.stop_signal = sig;
          err << "\nsweep run: " << SignalName(sig) << ": stopping " << rec.id
              << " (again to kill it now)\n";
          runner.Stop(rec.id, "interrupted (" + SignalName(sig) + " to sweep run)");
        } else {
          runner.Kill(rec.id);
        }
        signals.async_wait(on_signal);
      };
  signals.async_wait(on_signal);
  // `sweep stop RUN` (with or without --cancel) asks a standalone run to stop through
  // the store, as it asks a controller: polled once a second. A manual trial belongs
  // to no controller and is stopped with Ctrl-C only.
  asio::steady_timer stop_poll(io);
  std::function<void(const boost::system::error_code&)> poll_stop =
      [&](const boost::system::error_code& e) {
        if (e || ss.ended || ss.stop_requested) return;
        auto sweep = store.GetSweep(rec.sweep_id);
        if (sweep.ok() && sweep->stop_requested) {
          ss.stop_requested = true;
          err << "\nsweep run: sweep stop " << rec.sweep_id << ": stopping " << rec.id << "\n";
          runner.Stop(rec.id, "stopped by sweep stop");
          return;
        }
        stop_poll.expires_after(std::chrono::seconds(1));
        stop_poll.async_wait(poll_stop);
      };
  if (!manual) {
    stop_poll.expires_after(std::chrono::seconds(1));
    stop_poll.async_wait(poll_stop);
  }

  TrialLaunch launch;
  launch.sweep_id = rec.sweep_id;
  launch.trial_id = rec.id;
  launch.argv = flags.argv;
  launch.workdir = fs::current_path(ec).string();
  launch.trial_dir = rec.trial_dir;
  launch.params = argv_params;
  for (const auto& [k, v] : ss.spec.env) launch.env.emplace_back(k, v);
  launch.stop_grace_s = ss.spec.stop_grace_s;
  launch.reading = ss.spec.reporting;
  launch.python_client_dir = client_dir.ok() ? client_dir.value() : "";
  launch.provenance = ProvenanceFor(ss.spec);
  if (!manual || launch.provenance.program.empty())
    launch.provenance.program = ProgramFile(flags.argv);
  launch.system_metrics_interval_s = ss.spec.track.system_metrics_interval_s;
  // A closed stdin (fcntl fails) would make the spawn fail: the program reads
  // /dev/null then, as it does from a terminal.
  launch.stdin_fd =
      ::isatty(STDIN_FILENO) || ::fcntl(STDIN_FILENO, F_GETFD) < 0 ? -1 : STDIN_FILENO;
  launch.echo_stdout_fd = STDOUT_FILENO;
  launch.echo_stderr_fd = STDERR_FILENO;
  runner.Start(launch);
  while (!ss.ended && io.run_one() > 0) {
  }
  signals.cancel();
  stop_poll.cancel();

  // The final record, as the controller's OnEnd builds a trial's.
  const TrialEnd& end = ss.end;
  rec.ended_at = end.ended_at > 0 ? end.ended_at : Now();
  if (end.started_at > 0) rec.started_at = end.started_at;
  if (end.kind != TrialEnd::Kind::kSpawnFailed) {
    if (end.exit.signal)
      rec.signal = end.exit.signal;
    else
      rec.exit_code = end.exit.exit_code;
  }
  EndStatus es = StatusOfEnd(end);
  rec.status = es.status;
  rec.reason = std::move(es.reason);
  if (rec.status == TrialStatus::kFailed) rec.stderr_tail = end.stderr_tail;
  rec.malformed_lines = end.malformed_lines;
  rec.summary = ss.summary.ToJson();
  rec.provenance = end.provenance;
  if (end.pid > 0) rec.pid = end.pid;
  if (!ss.spec.metric.name.empty()) {
    rec.value = ss.summary.Value(ss.spec.metric.name, ss.spec.metric.summary, ss.spec.metric.goal);
    rec.metric_reported = rec.value.has_value();
  }
  // Declared params win over argv pairs: ApplyReported adds only keys not yet in
  // params, so it runs on an empty object and the argv pairs fill the gaps after.
  rec.params = Value::object();
  const ReportedEffects reported = ApplyReported(ss.spec, &rec);
  for (auto it = argv_params.begin(); it != argv_params.end(); ++it)
    if (!rec.params.contains(it.key())) rec.params[it.key()] = it.value();
  WriteBatch last;
  last.trials.push_back(rec);
  if (!manual) {
    auto sweep = store.GetSweep(rec.sweep_id);
    if (sweep.ok()) {
      sweep->status = rec.status == TrialStatus::kFinished  ? SweepStatus::kFinished
                      : rec.status == TrialStatus::kStopped ? SweepStatus::kStopped
                                                            : SweepStatus::kFailed;
      sweep->reason = rec.reason;
      sweep->ended_at = rec.ended_at;
      last.sweeps.push_back(*sweep);
    }
  }
  Status committed = store.Commit(last);
  if (!committed.ok())
    err << "error: the run's end was not recorded: " << committed.message() << "\n";
  for (const std::string& n : reported.notes)
    if (Status s = store.AddNote(rec.id, n); !s.ok())
      err << "sweep run: warning: cannot record a wandb alert: " << s.message() << "\n";
  for (const std::string& w : reported.warnings) err << "sweep run: warning: " << w << "\n";
  if (end.malformed_lines > 0)
    err << "sweep run: warning: " << end.malformed_lines << " malformed metric line(s), e.g. '"
        << end.first_malformed << "' (ignored)\n";

  int code = 0;
  if (end.kind == TrialEnd::Kind::kSpawnFailed) {
    err << "sweep run: " << end.reason << "\n";
    code = SpawnFailureCode(end.reason);
  } else if (ss.stop_signal != 0) {
    code = 128 + ss.stop_signal;
  } else if (end.exit.signal) {
    code = 128 + end.exit.signal;
  } else {
    code = end.exit.exit_code;
  }
  out << std::flush;
  err << "sweep run: " << rec.id << " " << TrialStatusName(rec.status)
      << (rec.reason.empty() ? "" : " (" + rec.reason + ")");
  if (rec.value) err << ", " << ss.spec.metric.name << "=" << *rec.value;
  err << "; details: sweep show " << rec.id << "\n";
  if (!committed.ok() && code == 0) code = 1;
  return code;
}

}  // namespace sweep
