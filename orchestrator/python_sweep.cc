// Sweeps run from Python: inproc-create, inproc-serve and python-path.
//
// An in-process sweep is an ordinary sweep in the store whose options carry
// "in_process": true (in SweepOptions::extra, so older readers keep it untouched).
// Its spec is parsed with SpecParseOptions::in_process, so it needs no program, and
// its trials have no argv. inproc-create records it as interrupted ("waiting for its
// first agent") so that every reader sees a sweep nobody runs yet, and `sweep resume`
// refuses it with the Python call that continues it. inproc-serve is `resume` with
// the InProcessExecutor in place of local slots: it takes the sweep's lock (one
// controller per sweep), replays the history (lost trials are re-run first), and
// runs until `count` new configurations were handed out, the sweep ends, or the
// Python process closes the channel.
#include "orchestrator/python_sweep.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "agents/runtime/data_hash.h"
#include "agents/runtime/python_files.h"
#include "orchestrator/controller/controller.h"
#include "orchestrator/controller/ids.h"
#include "orchestrator/controller/inprocess_executor.h"
#include "orchestrator/controller/sweep_lock.h"
#include "orchestrator/launch.h"
#include "orchestrator/spec/spec_parser.h"
#include "orchestrator/spec/spec_text_checks.h"
#include "orchestrator/store/pareto_ranking.h"
#include "orchestrator/store/ranking.h"
#include "orchestrator/store/store_paths.h"
#include "orchestrator/store/sweep_reopen.h"
#include "orchestrator/store/trial_store.h"

namespace sweep {
namespace fs = std::filesystem;

namespace {

constexpr const char kInProcessKey[] = "in_process";

double Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string Absolute(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

std::string SelfExecutable() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("sweep") : p.string();
}

// Reads at most kMaxSpecBytes + 1 bytes, so an oversized spec is refused, not read whole.
Result<std::string> ReadSpecText(const std::string& path, std::istream& in) {
  std::string text(kMaxSpecBytes + 1, '\0');
  if (path == "-") {
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
  } else {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
      return Status::InvalidSpec(path + ": cannot read spec file: no such file");
    std::ifstream f(path, std::ios::binary);
    if (!f) return Status::InvalidSpec(path + ": cannot read spec file: permission denied");
    f.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(f.gcount()));
  }
  if (text.size() > kMaxSpecBytes)
    return Status::InvalidSpec(path + ": the spec is over the 4 MiB limit");
  return text;
}

// The Python process's argv (our parent), for its interpreter and package list.
std::vector<std::string> ParentArgv() {
  std::ifstream f("/proc/" + std::to_string(::getppid()) + "/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<std::string> argv;
  size_t start = 0;
  while (start < all.size()) {
    size_t end = all.find('\0', start);
    if (end == std::string::npos) end = all.size();
    argv.push_back(all.substr(start, end - start));
    start = end + 1;
  }
  return argv;
}

uint64_t Fnv1a(uint64_t h, const std::string& text) {
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

Status WriteAtomically(const fs::path& path, const std::string& content) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return Status::Io("cannot create " + path.parent_path().string() + ": " + ec.message());
  const std::string tmp = path.string() + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << content;
    f.close();
    if (!f) return Status::Io("cannot write " + tmp);
  }
  fs::rename(tmp, path, ec);
  if (ec) return Status::Io("cannot write " + path.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

bool IsInProcessSweep(const SweepRecord& sweep) {
  const Value& extra = sweep.options.extra;
  auto it = extra.is_object() ? extra.find(kInProcessKey) : extra.end();
  return it != extra.end() && it->is_boolean() && it->get<bool>();
}

int RunInProcessCreate(const InProcessCreateFlags& flags, std::istream& in, std::ostream& out,
                       std::ostream& err) {
  const std::string file_name = flags.spec_path != "-"
                                    ? flags.spec_path
                                    : (flags.file_name.empty() ? "<stdin>" : flags.file_name);
  auto text = ReadSpecText(flags.spec_path, in);
  if (!text.ok()) {
    err << text.status().message() << "\n";
    return 2;
  }
  SpecParseOptions po;
  po.in_process = true;
  auto parsed = ParseSpecText(*text, file_name, po);
  if (!parsed.ok()) {
    err << parsed.status().message() << "\n";
    return parsed.status().ExitCode();
  }
  SweepSpec spec = std::move(parsed.value());
  for (const std::string& note : spec.notes) err << "note: " << note << "\n";
  if (Status d = CheckDataPaths(spec.data, ""); !d.ok()) {
    err << file_name << ": data: " << d.message() << "\n";
    return 2;
  }
  const uint64_t seed =
      flags.seed  ? *flags.seed
      : spec.seed ? *spec.seed
                  : (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  StrategyOptions so;
  so.seed = seed;
  auto strategy = MakeStrategy(spec.method, spec.space, so);
  if (!strategy.ok()) {
    err << StrategyError(file_name, strategy.status().message()) << "\n";
    return 2;
  }
  auto store = OpenStore(Absolute(DefaultStorePath(flags.store)), StoreOptions{});
  if (!store.ok()) {
    err << "error: " << store.status().message() << "\n";
    return store.status().ExitCode();
  }
  SweepRecord sweep;
  sweep.id = NewSweepId();
  sweep.name = !flags.name.empty() ? flags.name : !spec.name.empty() ? spec.name : "python";
  sweep.spec_file = flags.spec_path == "-" ? file_name : Absolute(flags.spec_path);
  sweep.spec_text = spec.text;
  sweep.space = spec.space.Describe();
  sweep.method = spec.method;
  sweep.metric = spec.metric.name;
  sweep.goal = GoalName(spec.metric.goal);
  sweep.seed = seed;
  sweep.status = SweepStatus::kInterrupted;
  sweep.reason = "waiting for its first agent (wandb.agent or sweep_client.optimize)";
  std::error_code ec;
  sweep.workdir = fs::current_path(ec).string();
  sweep.created_at = Now();
  SweepOptions& options = sweep.options;
  options.space_size = (*strategy)->SpaceSize();
  options.run_cap = spec.run_cap;
  options.summary = SummaryModeName(spec.metric.summary);
  if (Value pareto = ParetoOption(spec); !pareto.is_null()) options.pareto = pareto;
  options.extra[kInProcessKey] = true;
  WriteBatch batch;
  batch.sweeps.push_back(sweep);
  if (Status s = (*store)->Commit(batch); !s.ok()) {
    err << "error: " << s.message() << "\n";
    return 1;
  }
  if (!flags.json) {
    out << sweep.id << "\n";
    return 0;
  }
  Value objectives = Value::array();
  for (const MetricSpec& m : spec.objectives)
    objectives.push_back({{"name", m.name}, {"goal", GoalName(m.goal)}});
  Value j = {{"id", sweep.id},
             {"name", sweep.name},
             {"metric", spec.metric.name.empty() ? Value() : Value(spec.metric.name)},
             {"goal", GoalName(spec.metric.goal)},
             {"objectives", objectives},
             {"store", (*store)->root()}};
  out << j.dump() << "\n";
  return 0;
}

int RunInProcessServe(const InProcessServeFlags& flags, std::ostream& err) {
  // A Python process that went away must end the sweep (EPIPE), not kill us.
  std::signal(SIGPIPE, SIG_IGN);
  auto store = OpenStore(Absolute(DefaultStorePath(flags.store)),
                         StoreOptions{.read_only = false, .create = false});
  if (!store.ok()) {
    err << "error: no sweep '" << flags.sweep << "': " << store.status().message() << "\n";
    return 3;
  }
  auto sweep = (*store)->GetSweep(flags.sweep);
  if (!sweep.ok()) {
    err << "error: " << sweep.status().message() << "\n";
    return 3;
  }
  if (!IsInProcessSweep(*sweep)) {
    err << "error: sweep " << sweep->id
        << " was not created from Python (wandb.sweep or sweep_client.optimize); run it with "
           "`sweep resume "
        << sweep->id << "` or `sweep agent`\n";
    return 3;
  }
  auto lock = SweepLock::Acquire((*store)->root(), sweep->id);
  if (!lock.ok()) {
    err << "error: sweep " << sweep->id
        << " already has a controller (another wandb.agent or optimize call runs it): "
        << lock.status().message() << "\n";
    return 3;
  }
  sweep = (*store)->GetSweep(sweep->id);  // re-read under the lock
  if (!sweep.ok()) {
    err << "error: cannot re-read sweep " << flags.sweep << "\n";
    return 3;
  }
  auto trials = (*store)->ListTrials(sweep->id);
  if (!trials.ok()) {
    err << "error: " << trials.status().message() << "\n";
    return 3;
  }
  SpecParseOptions po;
  po.in_process = true;
  auto parsed = ParseSpecText(sweep->spec_text, sweep->spec_file, po);
  if (!parsed.ok()) {
    err << "error: the stored spec of sweep " << sweep->id << " no longer parses:\n"
        << parsed.status().message() << "\n";
    return 3;
  }
  SweepRecord rec = sweep.value();
  if (Status s = ReopenSweep(**store, rec); !s.ok()) {
    err << "error: " << s.message() << "\n";
    return 3;
  }
  ControllerOptions co;
  if (flags.count) {
    uint64_t next = 0;
    for (const TrialRecord& t : *trials) next = std::max(next, t.suggestion + 1);
    co.max_trials = next + *flags.count;
  }
  co.quiet = flags.quiet;
  co.log_file = ControllerLogPath((*store)->root(), rec.id);
  InProcessOptions io_opts;
  io_opts.slots = std::max(1, flags.workers);
  char host[256] = {0};
  io_opts.host = ::gethostname(host, sizeof host - 1) == 0 ? host : "localhost";
  io_opts.agent = "python:" + std::to_string(::getppid());
  io_opts.python_argv = ParentArgv();
  co.executors.push_back([io_opts](boost::asio::io_context& io, ExecutorEvents events) {
    return std::unique_ptr<Executor>(new InProcessExecutor(io, io_opts, std::move(events)));
  });
  const std::string id = rec.id;
  SweepOutcome outcome;
  {
    Controller controller(**store, std::move(parsed.value()), std::move(rec),
                          std::move(trials.value()), co, err);
    outcome = controller.Run();
  }
  err << "sweep " << id << " " << SweepStatusName(outcome.status);
  if (!outcome.reason.empty()) err << ": " << outcome.reason;
  err << "\n";
  return outcome.exit_code;
}

int RunPythonPath(std::ostream& out, std::ostream& err) {
  const std::string self = SelfExecutable();
  std::string dir;
  if (const char* d = std::getenv("SWEEP_PYTHON_PATH_DIR"); d && *d) {
    dir = Absolute(d);
  } else {
    uint64_t h = Fnv1a(14695981039346656037ull, self);
    for (const auto& [rel, content] : EmbeddedPythonFiles()) h = Fnv1a(Fnv1a(h, rel), content);
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    const char* cache = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    if (cache && *cache == '/') {
      dir = std::string(cache) + "/sweep/python/" + std::string(hex, 12);
    } else if (home && *home == '/') {
      dir = std::string(home) + "/.cache/sweep/python/" + std::string(hex, 12);
    } else {
      err << "error: neither $XDG_CACHE_HOME nor $HOME is set to an absolute path; set "
             "SWEEP_PYTHON_PATH_DIR to the folder to write the Python modules into\n";
      return 1;
    }
  }
  // The layout of agents/python/ in the sources: sweep_client.py and wandb/ side by
  // side, so one folder on sys.path is enough (trials get wandb from wandb_shim/).
  const std::string shim = std::string(kWandbShimDir) + "/";
  for (const auto& [rel, content] : EmbeddedPythonFiles()) {
    std::string flat = rel.rfind(shim, 0) == 0 ? rel.substr(shim.size()) : rel;
    if (Status s = WriteAtomically(fs::path(dir) / flat, content); !s.ok()) {
      err << "error: " << s.message() << "\n";
      return 1;
    }
  }
  // Which binary the modules run (unless $SWEEP_BIN says otherwise): this one.
  if (Status s = WriteAtomically(fs::path(dir) / "_sweep_bin", self + "\n"); !s.ok()) {
    err << "error: " << s.message() << "\n";
    return 1;
  }
  out << dir << "\n";
  return 0;
}

}  // namespace sweep
