// The command line. CLI11 parses; each subcommand hands off to the function that
// owns it (launch.cc, read_commands.cc, ...). Parse errors and bad values exit 2
// with CLI11's message and a pointer to --help. Subcommands whose feature has not
// landed yet exist, show their --help, and exit 2 saying so: nothing pretends to work.
#include "orchestrator/cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <optional>
#include <thread>

#include "base/build_info.h"
#include "base/log.h"
#include "orchestrator/agent_command.h"
#include "orchestrator/completion.h"
#include "orchestrator/controller/sweep_lock.h"
#include "orchestrator/help_format.h"
#include "orchestrator/launch.h"
#include "orchestrator/python_sweep.h"
#include "orchestrator/report/read_commands.h"
#include "orchestrator/reproduce.h"
#include "orchestrator/run_command.h"
#include "orchestrator/store/controller_probe.h"
#include "orchestrator/store/sqlite_store.h"
#include "orchestrator/store/store_integrity.h"
#include "orchestrator/store/trial_kinds.h"
#include "orchestrator/store/trial_store.h"
#include "orchestrator/ui/ui_server.h"

namespace sweep {
namespace {

// Opens the store for reading (or for the CLI's small writes) and runs fn on it.
template <typename Fn>
int WithStore(const std::string& flag, bool write, Fn fn) {
  StoreOptions opts;
  opts.read_only = !write;
  opts.create = false;
  // Reading a damaged store still shows what can be read, after a warning.
  opts.on_damage = [](const std::string& msg) { std::cerr << "warning: " << msg << "\n"; };
  auto store = OpenStore(DefaultStorePath(flag), opts);
  if (!store.ok()) {
    std::cerr << "error: " << store.status().message() << "\n";
    return store.status().ExitCode();
  }
  return fn(**store);
}

// `sweep doctor`: SQLite's full integrity_check of the store, and what to do about
// damage. 0 when the store is sound, 1 when damaged (or unreadable).
int RunDoctor(const std::string& store_flag) {
  const std::string root = DefaultStorePath(store_flag);
  auto report = CheckStoreFile(root);
  if (!report.ok()) {
    std::cerr << "error: " << report.status().message() << "\n";
    return report.status().ExitCode();
  }
  const std::string db = StoreDatabasePath(root);
  if (report->problems.empty()) {
    std::cout << db << ": ok (SQLite integrity_check found no damage)\n";
    return 0;
  }
  std::cout << db << ": damaged; SQLite integrity_check found:\n";
  for (const std::string& p : report->problems) std::cout << "  " << p << "\n";
  std::cout << "What to do: stop every sweep using this store, keep a copy of the folder, then\n"
            << "  sqlite3 " << db << " .recover | sqlite3 recovered.db\n"
            << "and, after checking recovered.db (sqlite3 recovered.db 'PRAGMA integrity_check'),\n"
            << "move it to " << db << " (remove " << db << "-wal and " << db << "-shm first).\n"
            << "Rows on the damaged pages may be lost; trial folders are not affected.\n"
            << "Until then, writing commands (launch, resume, note, tag, stop) refuse this store\n"
            << "and read commands warn.\n";
  return 1;
}

int WatchStatus(const std::string& store_flag, const std::string& sweep, bool json) {
  bool tty = ::isatty(STDOUT_FILENO) == 1;
  for (;;) {
    bool running = false;
    int rc = WithStore(store_flag, false, [&](TrialStore& store) {
      if (tty) std::cout << "\033[H\033[2J";
      ReadContext ctx(store, std::cout, std::cerr);
      ctx.json = json;
      int r = CmdStatus(ctx, sweep);
      auto rec = store.GetSweep(sweep);
      // A dead controller never records an end: stop watching when it is gone.
      running = rec.ok() && rec->status == SweepStatus::kRunning &&
                ProbeController(store.root(), rec->id).state != ControllerProbe::State::kGone;
      return r;
    });
    std::cout << std::flush;
    if (rc != 0 || !running) return rc;
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{"sweep: hyperparameter sweeps with every trial on record", "sweep"};
  app.formatter(std::make_shared<HelpFormatter>());  // before the subcommands copy it
  app.set_version_flag("--version", std::string("sweep ") + VersionString());
  app.require_subcommand(1);
  app.fallthrough();
  std::string store_flag;
  app.add_option("--store", store_flag, "store folder (default: $SWEEP_STORE, else ./.sweep)");
  std::string log_level = "info";
  bool global_quiet = false;
  app.add_option("--log-level", log_level,
                 "log lines kept, on the terminal and in log files: trace | debug | info | "
                 "warn | error (default info)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_flag("--quiet,-q", global_quiet,
               "the terminal shows only warnings, errors and what needs you (log files keep all)");
  bool json = false;
  auto add_json = [&](CLI::App* sub) {
    sub->add_flag("--json", json, "print JSON (stable shape, see schemas/cli-json.md)");
  };

  // launch
  LaunchFlags lf;
  std::optional<int> workers;
  std::optional<uint64_t> max_trials, seed;
  auto* launch = app.add_subcommand("launch", "create a sweep from SPEC and run it to the end");
  launch->add_option("SPEC", lf.spec_path, "sweep spec (YAML; W&B sweep configs work)")->required();
  launch
      ->add_option("--workers", workers,
                   "trials run at once on this machine (default: spec's workers, else 1; "
                   "0 with --listen: remote agents only)")
      ->check(CLI::NonNegativeNumber);
  launch->add_option("--gpus", lf.gpus,
                     "GPUs for trials: all | 0,2,3 (one slot per gpus_per_trial GPUs)");
  launch->add_option("--max-trials", max_trials, "run at most N configurations")
      ->check(CLI::PositiveNumber);
  launch->add_option("--seed", seed,
                     "seed of the search (recorded; default: spec's seed, else random)");
  launch->add_flag("--dry-run", lf.dry_run,
                   "print the configurations and argv; run and write nothing");
  launch->add_flag("--quiet,-q", lf.quiet, "no per-trial lines, only the progress and the result");
  launch->add_option(
      "--listen", lf.listen,
      "accept remote agents on HOST:PORT (HOST defaults to 127.0.0.1; port 0 = any)");
  launch->add_option("--token-file", lf.token_file,
                     "the agents' shared token (default: generated into STORE/agent.token, 0600)");
  launch->add_option("--lease-interval", lf.lease_interval_s, "agent heartbeat period, s (5)")
      ->check(CLI::PositiveNumber);
  launch
      ->add_option("--lease-timeout", lf.lease_timeout_s,
                   "a trial whose agent is silent this long is lost and re-queued, s (30)")
      ->check(CLI::PositiveNumber);
  launch->add_option("--tls-cert", lf.tls_cert, "TLS certificate (PEM) for the agent port");
  launch->add_option("--tls-key", lf.tls_key, "TLS private key (PEM) for --tls-cert");
  launch->add_option("--slurm", lf.slurm, "run N agents as a Slurm job array (sbatch --array)")
      ->check(CLI::PositiveNumber);
  launch
      ->add_option("--warm-start", lf.warm_start,
                   "learn from earlier trials first: sweep ids or CSV/JSON files "
                   "(SWEEP[,SWEEP...]; see schemas/warm_start.md)")
      ->delimiter(',');
  add_json(launch);

  // resume
  ResumeFlags rf;
  std::optional<int> resume_workers;
  std::optional<uint64_t> resume_max;
  auto* resume = app.add_subcommand("resume", "continue an interrupted sweep from the store");
  resume->add_option("SWEEP", rf.sweep, "sweep id (or unique prefix)")->required();
  resume->add_option("--workers", resume_workers, "trials run at once (default: as launched)")
      ->check(CLI::PositiveNumber);
  resume->add_option("--gpus", rf.gpus, "GPUs for trials (default: as launched)");
  resume->add_option("--max-trials", resume_max, "raise or set the configuration cap");
  resume->add_flag("--quiet,-q", rf.quiet, "no per-trial lines");

  // agent
  AgentFlags af;
  auto* agent =
      app.add_subcommand("agent", "remote agent: pull trials from a controller and run them");
  agent->add_option("HOST:PORT", af.address, "controller address ([::1]:PORT for IPv6)")
      ->required();
  agent->add_option("--token-file", af.token_file,
                    "file holding the shared agent token, mode 0600 "
                    "(default: $SWEEP_AGENT_TOKEN_FILE, else ./.sweep/agent.token)");
  agent->add_option("--gpus", af.gpus,
                    "GPUs for trials: 0,2,3 | all (nvidia-smi) | auto ($CUDA_VISIBLE_DEVICES)");
  agent->add_option("--workers", af.workers, "trials run at once (default: one per GPU, else 1)");
  agent->add_option("--name", af.name, "agent name (default: HOSTNAME:PID)");
  agent->add_option("--dir", af.dir, "work root: trials run here (default: current directory)");
  agent->add_option("--tls-ca", af.tls_ca,
                    "speak TLS; the controller's certificate must be signed by (or be) FILE");
  agent->add_flag("--tls", af.tls, "speak TLS; check the controller against the system's CAs");
  agent->add_option("--tls-name", af.tls_name,
                    "the name the controller's certificate must carry (default: HOST)");
  agent->add_option("--give-up-after", af.give_up_after,
                    "exit 3 after this many seconds without a controller or a trial "
                    "(default 3600)");

  std::string spec_path;
  auto* validate =
      app.add_subcommand("validate", "check a spec and print its normalized search space");
  validate->add_option("SPEC", spec_path, "sweep spec (YAML)")->required();
  add_json(validate);

  auto* ls = app.add_subcommand("ls", "list sweeps");
  add_json(ls);

  std::string sweep_arg;
  bool watch = false;
  auto* status = app.add_subcommand("status", "a sweep's progress (default: the latest sweep)");
  status->add_option("SWEEP", sweep_arg, "sweep id or prefix");
  status->add_flag("--watch,-w", watch, "refresh every 2 s until the sweep ends");
  add_json(status);

  TopOptions top_opts;
  std::string goal;
  auto* top = app.add_subcommand("top", "rank a sweep's trials by the target metric");
  top->add_option("SWEEP", sweep_arg, "sweep id or prefix (default: latest)");
  top->add_option("--metric", top_opts.metric, "rank by this metric instead");
  top->add_option("--goal", goal, "minimize | maximize")
      ->check(CLI::IsMember({"minimize", "maximize"}));
  top->add_option("-k", top_opts.k, "how many trials (default 10; 0 = all)")
      ->check(CLI::NonNegativeNumber);
  top->add_flag("--with-prior", top_opts.with_prior,
                "also rank the warm start's prior trials (marked as such)");
  add_json(top);

  std::string trial_arg;
  auto* show = app.add_subcommand("show", "one trial in full");
  show->add_option("TRIAL", trial_arg, "trial id or prefix")->required();
  add_json(show);

  std::string metric_name;
  bool csv = false;
  auto* metrics = app.add_subcommand("metrics", "a trial's metric series");
  metrics->add_option("TRIAL", trial_arg, "trial id or prefix")->required();
  metrics->add_option("--name", metric_name, "only this metric");
  metrics->add_flag("--csv", csv, "CSV output");
  add_json(metrics);

  bool stderr_stream = false, follow = false, controller_log = false;
  auto* logs = app.add_subcommand(
      "logs", "a trial's output (stdout, or --stderr), or a sweep's controller log");
  logs->add_option("TRIAL", trial_arg, "trial id or prefix (a sweep id with --controller)")
      ->required();
  logs->add_flag(
      "--controller", controller_log,
      "print the controller's log of the sweep SWEEP_ID (.sweep/sweeps/ID/controller.log)");
  logs->add_flag("--stderr", stderr_stream, "show stderr instead of stdout");
  logs->add_flag("--follow,-f", follow, "keep printing while the trial runs");
  add_json(logs);

  std::vector<std::string> trial_args;
  auto* compare = app.add_subcommand("compare", "trials side by side, differences marked");
  compare->add_option("TRIALS", trial_args, "two or more trial ids")->required()->expected(2, -1);
  add_json(compare);

  bool run_flag = false;
  auto* reproduce =
      app.add_subcommand("reproduce", "the exact command, code and environment of a trial");
  reproduce->add_option("TRIAL", trial_arg, "trial id or prefix")->required();
  reproduce->add_flag("--run", run_flag,
                      "re-run it from the recorded commit + diff, as a new trial");
  add_json(reproduce);

  std::string format;
  auto* exp = app.add_subcommand("export", "one row per trial: params, summary metrics, status");
  exp->add_option("SWEEP", sweep_arg, "sweep id or prefix")->required();
  exp->add_option("--format", format, "csv | json")
      ->required()
      ->check(CLI::IsMember({"csv", "json"}));

  bool cancel = false;
  auto* stop = app.add_subcommand("stop", "no new trials for a running sweep");
  stop->add_option("SWEEP", sweep_arg, "sweep id or prefix")->required();
  stop->add_flag("--cancel", cancel, "also stop the running trials");

  UiOptions uo;
  auto* ui = app.add_subcommand("ui", "local web dashboard");
  ui->add_option("--port", uo.port, "port (default 8765; 0 = any free port, printed)");
  ui->add_option("--host", uo.host,
                 "address to listen on (default 127.0.0.1; a non-loopback one needs "
                 "--allow-remote)");
  ui->add_option("--allow-host", uo.allowed_hosts,
                 "also answer requests for this host name (a proxy's or an SSH alias); "
                 "repeatable");
  ui->add_flag("--allow-remote", uo.allow_remote,
               "allow a non-loopback --host; every request then needs the token");
  ui->add_option("--token-file", uo.token_file,
                 "require the token in this file (created with mode 0600 when absent; "
                 "default with --allow-remote: <store>/ui.token)");

  std::string text;
  auto* note = app.add_subcommand("note", "attach a note to a trial");
  note->add_option("TRIAL", trial_arg, "trial id or prefix")->required();
  note->add_option("TEXT", text, "the note")->required();

  auto* doctor =
      app.add_subcommand("doctor", "check the store for damage (SQLite integrity_check)");

  std::vector<std::string> tags;
  auto* tag = app.add_subcommand("tag", "tag a trial");
  tag->add_option("TRIAL", trial_arg, "trial id or prefix")->required();
  tag->add_option("TAGS", tags, "one or more tags")->required();

  RunFlags run_flags;
  std::string run_note;
  bool no_argv_params = false;
  auto* run = app.add_subcommand(
      "run", "run one command as a tracked run (a trial without a sweep spec): sweep run -- CMD");
  run->add_option("--name", run_flags.name, "the run's name (default: the program's file name)");
  run->add_option("--tag", run_flags.tags, "a tag (repeatable: --tag a --tag b)")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  run->add_option("--note", run_note, "a note on the run");
  run->add_option("--sweep", run_flags.sweep,
                  "file the run under this sweep as a manual trial, ranked with its trials");
  run->add_flag("--no-argv-params", no_argv_params,
                "do not record --key value pairs of the command line as params");
  run->add_option("PROGRAM", run_flags.argv, "the command and its arguments, after --")->required();

  // Sweeps from Python (orchestrator/python_sweep.h): python-path for users, the
  // inproc-* commands for the bundled modules only (hidden).
  auto* python_path = app.add_subcommand(
      "python-path",
      "write the bundled Python modules (sweep_client, wandb) and print their folder");
  InProcessCreateFlags icf;
  auto* inproc_create =
      app.add_subcommand("inproc-create", "create an in-process sweep (used by Python)")->group("");
  inproc_create->add_option("SPEC", icf.spec_path, "spec file, - = stdin")->required();
  inproc_create->add_option("--file-name", icf.file_name, "name errors give a spec from stdin");
  inproc_create->add_option("--seed", icf.seed, "seed of the search");
  inproc_create->add_option("--name", icf.name, "the sweep's name");
  inproc_create->add_flag("--json", icf.json, "print the sweep as JSON");
  InProcessServeFlags isf;
  auto* inproc_serve =
      app.add_subcommand("inproc-serve", "run an in-process sweep (used by Python)")->group("");
  inproc_serve->add_option("SWEEP", isf.sweep, "sweep id")->required();
  inproc_serve->add_option("--count", isf.count, "new configurations to run");
  inproc_serve->add_option("--workers", isf.workers, "trials at once")->check(CLI::PositiveNumber);
  inproc_serve->add_flag("--quiet,-q", isf.quiet, "no per-trial lines");

  // Hidden (no group): what the bash and zsh completion scripts ask, never shown in
  // --help or the man page.
  std::vector<std::string> complete_words;
  auto* complete = app.add_subcommand("__complete", "shell completion")->group("");
  complete->add_option("WORDS", complete_words,
                       "the words after `sweep`, the last being completed");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  SetLogSettings(LogSettings{ParseLogLevel(log_level).value_or(LogLevel::kInfo), global_quiet});
  if (global_quiet) lf.quiet = rf.quiet = true;
  if (*logs && controller_log && (stderr_stream || follow)) {
    std::cerr << "error: sweep logs --controller takes neither --stderr nor --follow\n";
    return 2;
  }

  if (*launch) {
    lf.store = store_flag;
    lf.workers = workers;
    lf.max_trials = max_trials;
    lf.seed = seed;
    lf.json = json;
    return RunLaunch(lf, std::cout, std::cerr);
  }
  if (*resume) {
    rf.store = store_flag;
    rf.workers = resume_workers;
    rf.max_trials = resume_max;
    return RunResume(rf, std::cout, std::cerr);
  }
  if (*run) {
    run_flags.store = store_flag;
    run_flags.argv_params = !no_argv_params;
    if (run->count("--note") > 0) run_flags.note = run_note;
    return RunTrackedRun(run_flags, std::cout, std::cerr);
  }
  if (*complete) return Complete(app, complete_words, store_flag, std::cout);
  if (*python_path) return RunPythonPath(std::cout, std::cerr);
  if (*inproc_create) {
    icf.store = store_flag;
    return RunInProcessCreate(icf, std::cin, std::cout, std::cerr);
  }
  if (*inproc_serve) {
    isf.store = store_flag;
    isf.quiet = isf.quiet || global_quiet;
    return RunInProcessServe(isf, std::cerr);
  }
  if (*agent) return RunAgentCommand(af, std::cerr);
  if (*reproduce) {
    ReproduceFlags pf;
    pf.trial = trial_arg;
    pf.store = store_flag;
    pf.run = run_flag;
    pf.json = json;
    return RunReproduce(pf, std::cout, std::cerr);
  }
  if (*ui) {
    uo.store = store_flag;
    return RunUi(uo, std::cout, std::cerr);
  }
  if (*validate) return RunValidate(spec_path, json, std::cout, std::cerr);
  if (*doctor) return RunDoctor(store_flag);
  if (*status && watch) return WatchStatus(store_flag, sweep_arg, json);
  bool writes = *note || *tag || *stop;
  return WithStore(store_flag, writes, [&](TrialStore& store) -> int {
    ReadContext ctx(store, std::cout, std::cerr);
    ctx.json = json;
    if (*ls) return CmdLs(ctx);
    if (*status) return CmdStatus(ctx, sweep_arg);
    if (*top) {
      if (!goal.empty()) top_opts.goal = goal;
      return CmdTop(ctx, sweep_arg, top_opts);
    }
    if (*show) return CmdShow(ctx, trial_arg);
    if (*metrics) return CmdMetrics(ctx, trial_arg, metric_name, csv);
    if (*logs && controller_log) return CmdControllerLog(ctx, trial_arg);
    if (*logs) return CmdLogs(ctx, trial_arg, stderr_stream, follow);
    if (*compare) return CmdCompare(ctx, trial_args);
    if (*exp) return CmdExport(ctx, sweep_arg, format);
    if (*note) return CmdNote(ctx, trial_arg, text);
    if (*tag) return CmdTag(ctx, trial_arg, tags);
    if (*stop) {
      auto rec = store.GetSweep(sweep_arg);
      if (!rec.ok()) {
        std::cerr << "error: " << rec.status().message() << "\n";
        return rec.status().ExitCode();
      }
      if (rec->status != SweepStatus::kRunning) {
        std::cerr << "sweep " << rec->id << " is not running (" << SweepStatusName(rec->status)
                  << "); nothing to stop\n";
        return 1;
      }
      // Probe, never take the lock: taking it would overwrite who last held it.
      if (auto probe = ProbeController(store.root(), rec->id);
          probe.state == ControllerProbe::State::kGone) {
        std::cerr << "sweep " << rec->id << ": " << ControllerGoneReason(probe, rec->id)
                  << " (it was interrupted or killed)\n";
        return 1;
      }
      Status s = store.RequestStop(rec->id, cancel);
      if (!s.ok()) {
        std::cerr << "error: " << s.message() << "\n";
        return s.ExitCode();
      }
      if (IsTrackedRun(*rec))  // `sweep run` polls the flag and stops its program
        std::cerr << "asked run " << rec->id << " to stop its program\n";
      else
        std::cerr << "asked sweep " << rec->id << " to stop"
                  << (cancel ? " and cancel its running trials" : " starting new trials") << "\n";
      return 0;
    }
    return 2;
  });
}

}  // namespace sweep
