// Launch, resume, validate and dry-run.
//
// launch: parse the spec (exit 2 on any error, nothing written), settle the seed and
// slots, create the sweep record, take the sweep's lock, write the Python reporting
// helper into the store, run the controller, print the final ranking. resume: load
// the sweep and its trials, re-parse the stored spec text (so a later edit of the
// file cannot change a running sweep's meaning), and continue. dry-run asks the
// strategy for configurations exactly as a real run would, without a store.
#include "orchestrator/launch.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "agents/protocol/auth.h"
#include "agents/protocol/host_port.h"
#include "agents/protocol/tls.h"
#include "agents/runtime/data_hash.h"
#include "agents/runtime/gpus.h"
#include "agents/runtime/python_files.h"
#include "orchestrator/controller/controller.h"
#include "orchestrator/controller/ids.h"
#include "orchestrator/controller/prior_trials.h"
#include "orchestrator/controller/sweep_lock.h"
#include "orchestrator/python_sweep.h"
#include "orchestrator/remote/slurm_agents.h"
#include "orchestrator/report/read_commands.h"
#include "orchestrator/spec/command_builder.h"
#include "orchestrator/spec/spec_parser.h"
#include "orchestrator/store/pareto_ranking.h"
#include "orchestrator/store/ranking.h"
#include "orchestrator/store/sqlite_store.h"
#include "orchestrator/store/store_paths.h"
#include "orchestrator/store/sweep_reopen.h"
#include "orchestrator/store/trial_kinds.h"
#include "orchestrator/store/trial_store.h"

namespace sweep {
namespace fs = std::filesystem;

namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string Absolute(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

// Writes the embedded Python files (sweep_client.py, the wandb package) into the
// store so trials can import them without any installation step.
Result<std::string> InstallPythonClient(const std::string& root) {
  return InstallPythonFiles(root + "/python");
}

struct Settled {
  ControllerOptions controller;
  int workers = 1;
};

// Works out the slots from --workers/--gpus and the spec. Returns false with a
// message on a bad --gpus list.
bool SettleSlots(const SweepSpec& spec, std::optional<int> workers_flag, const std::string& gpus,
                 bool remote, Settled* out, std::ostream& err) {
  int workers = workers_flag.value_or(spec.workers);
  if (workers < (remote ? 0 : 1)) {
    err << "error: --workers must be at least 1 (0 is allowed with --listen: agents only)\n";
    return false;
  }
  out->workers = workers;
  out->controller.slots.assign(static_cast<size_t>(workers), "");
  if (workers == 0) return true;
  if (gpus.empty()) return true;
  std::string error;
  GpuSlots g = ParseGpuSlots(gpus, std::max(1, spec.gpus_per_trial), &error);
  if (!error.empty()) {
    err << "error: --gpus " << gpus << ": " << error << "\n";
    return false;
  }
  if (!g.note.empty()) err << "note: " << g.note << "\n";
  if (g.slots.empty()) return true;  // no GPUs: CPU slots as --workers says
  out->controller.slots = g.slots;
  out->controller.gpus_managed = true;
  if (workers_flag && *workers_flag != static_cast<int>(g.slots.size()))
    err << "note: --gpus gives " << g.slots.size() << " slot(s); --workers " << *workers_flag
        << " is ignored\n";
  out->workers = static_cast<int>(g.slots.size());
  return true;
}

std::string SelfExecutable() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("sweep") : p.string();
}

// True when `name` is an executable file in a $PATH folder.
bool OnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

// Runs the controller for a sweep already in the store and prints the ending.
// The caller holds the sweep's lock. With `slurm`, the agents are Slurm jobs
// submitted once the controller listens and cancelled on every way out.
int RunController(TrialStore& store, SweepSpec spec, SweepRecord sweep,
                  std::vector<TrialRecord> history, Settled settled, bool quiet, std::ostream& out,
                  std::ostream& err, std::optional<SlurmAgentsConfig> slurm = std::nullopt) {
  auto client_dir = InstallPythonClient(store.root());
  if (!client_dir.ok()) {
    err << "error: " << client_dir.status().message() << "\n";
    return 1;
  }
  settled.controller.python_client_dir = client_dir.value();
  settled.controller.progress_tty = ::isatty(STDERR_FILENO) == 1;
  settled.controller.quiet = quiet;
  settled.controller.log_file = ControllerLogPath(store.root(), sweep.id);
  // A diagnostic for benchmarks (bench/metric_names_bench.py): the loop's longest stall.
  const char* report_stall = std::getenv("SWEEP_REPORT_LOOP_STALL");
  settled.controller.report_loop_stall = report_stall != nullptr && *report_stall == '1';
  std::string id = sweep.id;
  bool has_metric = !spec.metric.name.empty();
  SweepOutcome outcome;
  std::unique_ptr<SlurmAgents> agents;
  if (slurm && settled.controller.listen) {
    agents = std::make_unique<SlurmAgents>(std::move(*slurm), err);
    ListenOptions& l = *settled.controller.listen;
    l.on_listening = [&agents](const std::string& address) { agents->Start(address); };
    l.on_poll = [&agents] { return agents->Problem(); };
    l.on_closing = [&agents] { agents->Closing(); };
  }
  {
    Controller controller(store, std::move(spec), std::move(sweep), std::move(history),
                          settled.controller, err);
    outcome = controller.Run();
  }
  if (agents) {
    if (Status s = agents->Stop(); !s.ok()) {
      err << "error: cancelling the sweep's Slurm jobs: " << s.message() << "\n";
      if (outcome.exit_code == 0) outcome.exit_code = 1;
    }
  }
  err << "sweep " << id << " " << SweepStatusName(outcome.status);
  if (!outcome.reason.empty()) err << ": " << outcome.reason;
  err << "\n";
  ReadContext ctx(store, out, err);
  if (has_metric) {
    TopOptions top;
    top.k = 5;
    CmdTop(ctx, id, top);
  } else {
    err << "the spec names no metric; `sweep top " << id
        << " --metric NAME` ranks by any metric the trials reported\n";
  }
  err << "store: " << store.root() << "   (sweep show TRIAL, sweep top " << id << ", sweep status "
      << id << ")\n";
  if (outcome.status == SweepStatus::kInterrupted)
    err << "continue with: sweep resume " << id << "\n";
  return outcome.exit_code;
}

// --listen and its companions: checked before anything is written; the token file
// is created (0600) when missing. Returns false with the message printed.
bool SettleListen(const LaunchFlags& flags, const std::string& root, const SweepSpec& spec,
                  Settled* out, std::ostream& err) {
  if (flags.listen.empty()) return true;
  auto hp = ParseHostPort(flags.listen, "127.0.0.1", true);
  if (!hp.ok()) {
    err << "error: --listen " << hp.status().message() << "\n";
    return false;
  }
  if (flags.lease_timeout_s <= flags.lease_interval_s) {
    err << "error: --lease-timeout (" << flags.lease_timeout_s
        << "s) must exceed --lease-interval (" << flags.lease_interval_s << "s)\n";
    return false;
  }
  if (flags.tls_cert.empty() != flags.tls_key.empty()) {
    err << "error: --tls-cert and --tls-key go together\n";
    return false;
  }
  if (!flags.tls_cert.empty()) {
    if (auto tls = MakeServerTls(flags.tls_cert, flags.tls_key); !tls.ok()) {
      err << "error: " << tls.status().message() << "\n";
      return false;
    }
  }
  ListenOptions l;
  l.host = hp->host;
  l.port = hp->port;
  l.lease_interval_s = flags.lease_interval_s;
  l.lease_timeout_s = flags.lease_timeout_s;
  l.gpus_per_trial = std::max(1, spec.gpus_per_trial);
  l.tls_cert = flags.tls_cert.empty() ? "" : Absolute(flags.tls_cert);
  l.tls_key = flags.tls_key.empty() ? "" : Absolute(flags.tls_key);
  l.token_file = Absolute(flags.token_file.empty() ? root + "/agent.token" : flags.token_file);
  std::error_code ec;
  if (flags.token_file.empty() && !fs::exists(l.token_file, ec)) {
    fs::create_directories(root, ec);
    auto made = GenerateTokenFile(l.token_file);
    if (!made.ok()) {
      err << "error: " << made.status().message() << "\n";
      return false;
    }
    err << "generated the agent token " << l.token_file << " (mode 0600); copy it to each agent\n";
  } else if (auto token = LoadTokenFile(l.token_file); !token.ok()) {
    err << "error: --token-file: " << token.status().message() << "\n";
    return false;
  }
  out->controller.listen = std::move(l);
  return true;
}

// What resume needs to listen again where agents will look: the stored address
// (with the port actually bound), token file and lease settings.
std::optional<ListenOptions> StoredListen(const SweepOptions& opts, const SweepSpec& spec) {
  if (opts.listen.empty()) return std::nullopt;
  auto hp = ParseHostPort(opts.listen, "127.0.0.1", true);
  if (!hp.ok()) return std::nullopt;
  ListenOptions l;
  l.host = hp->host;
  l.port = hp->port;
  l.token_file = opts.token_file;
  l.tls_cert = opts.tls_cert;
  l.tls_key = opts.tls_key;
  if (opts.lease_interval_s) l.lease_interval_s = *opts.lease_interval_s;
  if (opts.lease_timeout_s) l.lease_timeout_s = *opts.lease_timeout_s;
  l.gpus_per_trial = std::max(1, spec.gpus_per_trial);
  return l;
}

SlurmAgentsConfig SlurmConfig(const SweepSpec& spec, const SweepRecord& sweep,
                              const std::string& root, const ListenOptions& listen, int agents,
                              std::vector<SlurmJobRecord> adopt) {
  SlurmAgentsConfig c;
  c.sweep_id = sweep.id;
  c.store_root = root;
  c.token_file = listen.token_file;
  c.sweep_binary = SelfExecutable();
  c.workdir = sweep.workdir;
  c.backend = spec.backend;
  c.backend.agents = agents;
  c.adopt = std::move(adopt);
  return c;
}

}  // namespace

int RunLaunch(const LaunchFlags& flags, std::ostream& out, std::ostream& err) {
  auto parsed = ParseSpecFile(flags.spec_path);
  if (!parsed.ok()) {
    err << parsed.status().message() << "\n";
    return parsed.status().ExitCode();
  }
  SweepSpec spec = std::move(parsed.value());
  for (const std::string& note : spec.notes) err << "note: " << note << "\n";
  if (Status d = CheckDataPaths(spec.data, ""); !d.ok()) {
    err << flags.spec_path << ": data: " << d.message() << "\n";
    return 2;
  }
  uint64_t seed =
      flags.seed  ? *flags.seed
      : spec.seed ? *spec.seed
                  : (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  // Warm-start sources: the spec's `warm_start:`, then --warm-start (duplicates once).
  std::vector<std::string> sources = spec.warm_start;
  for (const std::string& w : flags.warm_start)
    if (std::find(sources.begin(), sources.end(), w) == sources.end()) sources.push_back(w);
  if (flags.dry_run) {
    // The prior is read as a launch would read it, from a read-only store (none when
    // the store does not exist yet: then only files can be sources).
    Value warm;
    if (!sources.empty()) {
      StoreOptions ro;
      ro.read_only = true;
      ro.create = false;
      std::unique_ptr<TrialStore> reader;
      const std::string root = Absolute(DefaultStorePath(flags.store));
      if (std::error_code ec; fs::exists(StoreDatabasePath(root), ec)) {
        auto opened = OpenStore(root, ro);
        if (!opened.ok()) {
          err << "error: " << opened.status().message() << "\n";
          return opened.status().ExitCode();
        }
        reader = std::move(opened.value());
      }
      auto prior = LoadPriorTrials(reader.get(), spec, sources);
      if (!prior.ok()) {
        err << "error: " << prior.status().message() << "\n";
        return 2;
      }
      warm = PriorToJson(spec, *prior);
    }
    return RunDryRun(spec, flags, seed, warm, out, err);
  }

  // --slurm N (or the spec's backend: {type: slurm}): agents as Slurm jobs, which
  // dial back to this controller; trials run only on them unless --workers says so.
  LaunchFlags lflags = flags;
  const bool slurm = flags.slurm.has_value() || spec.backend.type == "slurm";
  if (slurm) {
    if (!OnPath("sbatch")) {
      err << "error: sbatch not found on PATH: is this a Slurm login node? (--slurm and "
             "backend: {type: slurm} submit the sweep's agents with sbatch)\n";
      return 2;
    }
    if (lflags.listen.empty())
      lflags.listen = spec.backend.listen.empty() ? "0.0.0.0:0" : spec.backend.listen;
    if (!lflags.workers) lflags.workers = 0;
  }
  Settled settled;
  if (!SettleSlots(spec, lflags.workers, lflags.gpus, !lflags.listen.empty(), &settled, err))
    return 2;
  settled.controller.max_trials = flags.max_trials;
  // Fail before anything is written when the strategy cannot be built.
  {
    StrategyOptions so;
    so.seed = seed;
    auto strategy = MakeStrategy(spec.method, spec.space, so);
    if (!strategy.ok()) {
      err << StrategyError(flags.spec_path, strategy.status().message()) << "\n";
      return 2;
    }
  }
  std::string root = Absolute(DefaultStorePath(flags.store));
  if (!SettleListen(lflags, root, spec, &settled, err)) return 2;
  auto store = OpenStore(root, StoreOptions{});
  if (!store.ok()) {
    err << "error: " << store.status().message() << "\n";
    return store.status().ExitCode();
  }
  SweepRecord sweep;
  sweep.id = NewSweepId();
  sweep.name = spec.name.empty() ? fs::path(flags.spec_path).stem().string() : spec.name;
  sweep.spec_file = Absolute(flags.spec_path);
  sweep.spec_text = spec.text;
  sweep.space = spec.space.Describe();
  sweep.method = spec.method;
  sweep.metric = spec.metric.name;
  sweep.goal = GoalName(spec.metric.goal);
  sweep.seed = seed;
  sweep.status = SweepStatus::kRunning;
  std::error_code ec;
  sweep.workdir = fs::current_path(ec).string();
  sweep.created_at = Now();
  SweepOptions& options = sweep.options;
  options.workers = settled.workers;
  options.gpus = flags.gpus;
  options.max_trials = flags.max_trials;
  {
    StrategyOptions so;
    auto strategy = MakeStrategy(spec.method, spec.space, so);
    options.space_size = strategy.ok() ? (*strategy)->SpaceSize() : std::nullopt;
  }
  options.run_cap = spec.run_cap;
  // Read by ranking (orchestrator/store/ranking.cc) to rank by other metrics the same way.
  options.summary = SummaryModeName(spec.metric.summary);
  // Read by pareto_ranking.cc: objectives, constraints and reference point of a
  // multi-objective or constrained sweep (absent for a plain one).
  if (Value pareto = ParetoOption(spec); !pareto.is_null()) options.pareto = pareto;
  // Warm start: the prior trials are read now and kept on the record, so that resume
  // replays exactly these (a usage error, exit 2, before the sweep is written).
  if (!sources.empty()) {
    auto prior = LoadPriorTrials(store->get(), spec, sources);
    if (!prior.ok()) {
      err << "error: " << prior.status().message() << "\n";
      return 2;
    }
    options.warm_start = PriorToJson(spec, *prior);
  }
  if (slurm) options.slurm_agents = flags.slurm.value_or(spec.backend.agents);
  if (const auto& l = settled.controller.listen) {
    options.listen = FormatHostPort(l->host, l->port);  // the bound port replaces 0
    options.token_file = l->token_file;
    options.lease_interval_s = l->lease_interval_s;
    options.lease_timeout_s = l->lease_timeout_s;
    options.tls_cert = l->tls_cert;
    options.tls_key = l->tls_key;
  }
  // The lock before the record: a reader that sees the sweep as running also finds
  // the lock that says who runs it (store/controller_probe.h).
  auto lock = SweepLock::Acquire((*store)->root(), sweep.id);
  if (!lock.ok()) {
    err << "error: " << lock.status().message() << "\n";
    return 1;
  }
  WriteBatch batch;
  batch.sweeps.push_back(sweep);
  Status s = (*store)->Commit(batch);
  if (!s.ok()) {
    err << "error: " << s.message() << "\n";
    return 1;
  }
  err << "sweep " << sweep.id << " (" << sweep.name << "): method " << spec.method << ", "
      << spec.space.params.size() << " parameter(s), " << settled.controller.slots.size()
      << " local slot(s)" << (settled.controller.listen ? " + remote agents" : "") << ", seed "
      << seed << ", store " << (*store)->root() << "\n";
  for (const std::string& line : PriorLines(options.warm_start)) err << line << "\n";
  std::optional<SlurmAgentsConfig> slurm_config;
  if (slurm)
    slurm_config = SlurmConfig(spec, sweep, (*store)->root(), *settled.controller.listen,
                               flags.slurm.value_or(spec.backend.agents), {});
  return RunController(**store, std::move(spec), std::move(sweep), {}, settled, flags.quiet, out,
                       err, std::move(slurm_config));
}

int RunResume(const ResumeFlags& flags, std::ostream& out, std::ostream& err) {
  std::string root = Absolute(DefaultStorePath(flags.store));
  auto store = OpenStore(root, StoreOptions{.read_only = false, .create = false});
  if (!store.ok()) {
    err << "error: " << store.status().message() << "\n";
    return store.status().ExitCode();
  }
  auto sweep = (*store)->GetSweep(flags.sweep);
  if (!sweep.ok()) {
    err << "error: " << sweep.status().message() << "\n";
    return sweep.status().ExitCode();
  }
  if (IsTrackedRun(*sweep)) {
    err << "error: " << sweep->id << " is a tracked run (sweep run), not a sweep; a run "
        << "cannot be resumed\n";
    return 2;
  }
  if (IsInProcessSweep(*sweep)) {
    err << "error: sweep " << sweep->id
        << " runs its trials in a Python process; continue it from Python: "
           "wandb.agent(\""
        << sweep->id
        << "\", function=...) or "
           "sweep_client.optimize(None, objective, sweep_id=\""
        << sweep->id << "\")\n";
    return 2;
  }
  if (sweep->status == SweepStatus::kFinished) {
    err << "sweep " << sweep->id << " already finished";
    if (!sweep->reason.empty()) err << " (" << sweep->reason << ")";
    err << "; nothing to resume\n";
    return 0;
  }
  auto parsed = ParseSpecText(sweep->spec_text, sweep->spec_file);
  if (!parsed.ok()) {
    err << "error: the stored spec of sweep " << sweep->id << " no longer parses:\n"
        << parsed.status().message() << "\n";
    return 1;
  }
  auto trials = (*store)->ListTrials(sweep->id);
  if (!trials.ok()) {
    err << "error: " << trials.status().message() << "\n";
    return 1;
  }
  const SweepOptions opts = sweep->options;
  std::optional<int> workers = flags.workers ? flags.workers : opts.workers;
  std::string gpus = !flags.gpus.empty() ? flags.gpus : opts.gpus;
  Settled settled;
  settled.controller.listen = StoredListen(opts, parsed.value());
  if (!SettleSlots(parsed.value(), workers, gpus, settled.controller.listen.has_value(), &settled,
                   err))
    return 2;
  settled.controller.max_trials = flags.max_trials;
  if (!flags.max_trials) settled.controller.max_trials = opts.max_trials;
  if (std::error_code ec; !sweep->workdir.empty() && !fs::is_directory(sweep->workdir, ec)) {
    err << "error: the sweep's working directory " << sweep->workdir << " no longer exists\n";
    return 1;
  }
  auto lock = SweepLock::Acquire((*store)->root(), sweep->id);
  if (!lock.ok()) {
    err << "error: " << lock.status().message() << "\n";
    return 1;
  }
  // Re-read under the lock: the previous controller may have ended meanwhile.
  sweep = (*store)->GetSweep(sweep->id);
  trials = (*store)->ListTrials(sweep->id);
  if (!sweep.ok() || !trials.ok()) {
    err << "error: cannot re-read sweep " << flags.sweep << "\n";
    return 1;
  }
  SweepRecord rec = sweep.value();
  if (Status s = ReopenSweep(**store, rec); !s.ok()) {
    err << "error: " << s.message() << "\n";
    return 1;
  }
  err << "resuming sweep " << rec.id << " (" << trials->size() << " trial(s) on record)\n";
  std::optional<SlurmAgentsConfig> slurm_config;
  if (opts.slurm_agents && settled.controller.listen) {
    auto jobs = (*store)->ListSlurmJobs(rec.id);
    std::vector<SlurmJobRecord> adopt;
    if (jobs.ok()) {
      for (const SlurmJobRecord& j : *jobs)
        if (j.state != "CANCELLED" && j.state != "ENDED") adopt.push_back(j);
    }
    slurm_config = SlurmConfig(parsed.value(), rec, (*store)->root(), *settled.controller.listen,
                               *opts.slurm_agents, adopt);
  }
  return RunController(**store, std::move(parsed.value()), std::move(rec),
                       std::move(trials.value()), settled, flags.quiet, out, err,
                       std::move(slurm_config));
}

}  // namespace sweep
