// store_bench: throughput and memory of the SQLite store, with its peers.
//
//   store_bench [POINTS=1000000] [BATCH=10000] [TRIALS=10000]
//
// Writes TRIALS trials (one commit per state change, as the controller does, then
// again in batches of 1,000), POINTS metric points in commits of BATCH points spread
// over 100 trials, then times the reads the CLI makes on that store. Peak RSS is the
// process's own (getrusage), which holds the store's page cache and one batch. The
// peers run in the same session through bench/store_bench_peer.py: the same rows
// through Python's sqlite3.executemany (the engine's ceiling from a scripting
// language) and Optuna 3.1's trial.report into SQLite storage.
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "orchestrator/controller/ids.h"
#include "orchestrator/store/sqlite_store.h"
#include "source_paths.h"

extern char** environ;

namespace sweep {
namespace {

double Now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// CPU seconds of this process: a figure less disturbed by a busy machine than wall time.
double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

double PeakRssMb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, r.status().message().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.message().c_str());
    std::exit(1);
  }
}

struct PeerRate {
  double wall = -1;  // per wall second; -1 when the peer could not run (e.g. no Optuna)
  double cpu = -1;   // per CPU second of the peer process
};

// Runs /usr/bin/python3 bench/store_bench_peer.py ARGS... and returns the rates it prints.
PeerRate RunPeer(std::vector<std::string> args) {
  std::string script = std::string(SWEEP_SOURCE_DIR) + "/bench/store_bench_peer.py";
  args.insert(args.begin(), {"/usr/bin/python3", script});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int fds[2];
  if (pipe(fds) != 0) return {};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return {};
  }
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return {};
  PeerRate rate;
  if (std::sscanf(out.c_str(), "%lf %lf", &rate.wall, &rate.cpu) != 2) return {};
  return rate;
}

// Wall and CPU time of one phase; CPU time is what a busy shared machine distorts least.
struct Timer {
  double wall0 = Now(), cpu0 = CpuSeconds();
  double Wall() const { return Now() - wall0; }
  double Cpu() const { return CpuSeconds() - cpu0; }
};

TrialRecord Trial(const std::string& sweep, uint64_t n, TrialStatus status) {
  TrialRecord t;
  t.id = TrialId(sweep, n);
  t.sweep_id = sweep;
  t.number = n;
  t.suggestion = n;
  t.params = Value::object({{"lr", 0.001 * (n + 1)}, {"layers", n % 8}, {"opt", "adam"}});
  t.status = status;
  t.argv = {"python3", "train.py", "--lr=" + std::to_string(0.001 * (n + 1))};
  t.host = "bench";
  t.agent = "local";
  t.slot = static_cast<int>(n % 2);
  t.created_at = 1.7e9;
  if (status == TrialStatus::kFinished) {
    t.exit_code = 0;
    t.value = 1.0 / (n + 1);
    t.metric_reported = true;
    t.summary = Value::object({{"loss", Value::object({{"last", 1.0 / (n + 1)}, {"count", 10}})}});
  }
  return t;
}

int Main(int argc, char** argv) {
  const size_t kPoints = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  const size_t kBatch = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 10000;
  const size_t kTrials = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 10000;
  char tmpl[] = "/tmp/store-bench-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return 1;
  const std::string root = std::string(tmpl) + "/.sweep";

  Timer create;
  auto store = Must(SqliteStore::Open(root, {}), "open");
  std::printf("create store:                 %8.1f ms\n", create.Wall() * 1e3);

  SweepRecord sweep;
  sweep.id = "bench1";
  sweep.created_at = 1.7e9;
  Check(store->Commit(WriteBatch{{sweep}, {}, {}, {}, {}}), "sweep");

  // Trials, one commit per state change (queued+running, then finished).
  Timer single;
  for (uint64_t n = 0; n < kTrials; ++n) {
    Check(store->Commit(WriteBatch{{}, {Trial("bench1", n, TrialStatus::kRunning)}, {}, {}, {}}),
          "trial");
    Check(store->Commit(WriteBatch{{}, {Trial("bench1", n, TrialStatus::kFinished)}, {}, {}, {}}),
          "trial");
  }
  std::printf("trial upserts, 1 per commit:  %8.0f /s wall, %8.0f /CPU-s  (%zu commits)\n",
              2 * kTrials / single.Wall(), 2 * kTrials / single.Cpu(), 2 * kTrials);

  Timer batched;
  WriteBatch batch;
  for (uint64_t n = 0; n < kTrials; ++n) {
    batch.trials.push_back(Trial("bench1", n, TrialStatus::kFinished));
    if (batch.trials.size() == 1000) {
      Check(store->Commit(batch), "trials");
      batch.clear();
    }
  }
  Check(store->Commit(batch), "trials");
  batch.clear();
  std::printf("trial upserts, 1000 per commit:%7.0f /s wall, %8.0f /CPU-s\n",
              kTrials / batched.Wall(), kTrials / batched.Cpu());

  // Points: BATCH per commit, each batch for one of 100 trials, two metric names.
  Timer points;
  size_t written = 0;
  int64_t step = 0;
  while (written < kPoints) {
    std::string trial = TrialId("bench1", (written / kBatch) % 100);
    for (size_t i = 0; i < kBatch && written < kPoints; ++i, ++written) {
      batch.points.push_back(MetricPoint{trial, (i & 1) ? "val_loss" : "train_loss", step,
                                         std::sin(static_cast<double>(written)), 1.7e9 + written});
      if (i & 1) ++step;
    }
    Check(store->Commit(batch), "points");
    batch.clear();
  }
  const double points_per_s = kPoints / points.Wall();
  const double points_per_cpu_s = kPoints / points.Cpu();
  std::printf("metric points, %zu per commit: %8.0f /s wall, %8.0f /CPU-s  (%zu points)\n", kBatch,
              points_per_s, points_per_cpu_s, kPoints);
  std::printf("peak RSS after writes:        %8.1f MB\n", PeakRssMb());
  store.reset();  // close the writer

  // Reads, as the CLI makes them: a fresh read-only connection each time.
  double t0 = Now();
  auto reader = Must(SqliteStore::Open(root, {.read_only = true}), "open ro");
  std::printf("open read-only:               %8.2f ms\n", (Now() - t0) * 1e3);
  Timer list;
  size_t listed = Must(reader->ListTrials("bench1"), "list").size();
  std::printf("ListTrials (%zu trials):    %8.1f ms wall, %.1f ms CPU\n", listed, list.Wall() * 1e3,
              list.Cpu() * 1e3);
  t0 = Now();
  size_t series = Must(reader->GetMetrics({TrialId("bench1", 7), "val_loss", 0}), "metrics").size();
  std::printf("GetMetrics (one series, %zu): %6.1f ms\n", series, (Now() - t0) * 1e3);
  t0 = Now();
  Must(reader->GetMetrics({TrialId("bench1", 7), "", 100}), "metrics");
  std::printf("GetMetrics (limit 100):       %8.2f ms\n", (Now() - t0) * 1e3);
  t0 = Now();
  Must(reader->GetTrial(TrialId("bench1", kTrials / 2)), "trial");
  std::printf("GetTrial by id:               %8.2f ms\n", (Now() - t0) * 1e3);
  std::printf("peak RSS overall:             %8.1f MB\n", PeakRssMb());
  std::error_code ec;
  std::printf("database size:                %8.1f MB\n",
              std::filesystem::file_size(root + "/sweep.db", ec) / 1048576.0);
  reader.reset();

  // Peers, same session.
  PeerRate raw = RunPeer({"sqlite", std::to_string(kPoints), std::to_string(kBatch)});
  PeerRate optuna = RunPeer({"optuna", "500"});
  if (raw.wall > 0) {
    std::printf("peer python sqlite3 executemany, same rows: %8.0f /s wall, %8.0f /CPU-s\n",
                raw.wall, raw.cpu);
    std::printf("  ratio ours/peer: %.2fx wall, %.2fx CPU\n", points_per_s / raw.wall,
                points_per_cpu_s / raw.cpu);
  }
  if (optuna.wall > 0) {
    std::printf("peer optuna 3.1 trial.report (sqlite):      %8.1f /s wall, %8.1f /CPU-s\n",
                optuna.wall, optuna.cpu);
    std::printf("  ratio ours/peer: %.0fx wall, %.0fx CPU\n", points_per_s / optuna.wall,
                points_per_cpu_s / optuna.cpu);
  }
  std::filesystem::remove_all(tmpl, ec);
  return 0;
}

}  // namespace
}  // namespace sweep

int main(int argc, char** argv) { return sweep::Main(argc, argv); }
