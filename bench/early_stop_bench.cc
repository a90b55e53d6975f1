// Early-termination benchmark: a learning-curve simulation on a simulated clock.
//
// Each of N trials (default 200) is a configuration whose loss at epoch t follows a
// noisy power law, loss(t) = a + b·t^(-r) + noise, with its own asymptote a, scale b
// and rate r drawn once per seed (a ~ U(0.1, 0.6), b ~ U(0.5, 2), r ~ U(0.3, 1.2),
// noise ~ N(0, 0.01)). The curves are drawn before any rule runs, so every rule sees
// the same trials in the same order. Trials run for at most 100 epochs, 1 epoch = 1 s
// of trial time, on 4 asynchronous workers: a worker freed by a finish or a stop picks
// the next trial at once. After every simulated second each running trial reports its
// epoch's loss to the rule, finished trials end, and the rule's Decide stops trials.
// The summary of a trial is its last value (W&B's default); the best trial is the
// finished trial with the lowest final loss. We print, per rule and over the seeds:
// trial-seconds, the saving against no rule, makespan, trials stopped, the best final
// loss and in how many seeds the best trial is the one found without early stopping,
// plus what EstimateComputeSaved (the `sweep status` figure) says was saved.
//
// Usage: early_stop_bench [--seeds N] [--trials N] [--workers N] [--epochs N]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "orchestrator/early_stop/compute_saved.h"
#include "orchestrator/early_stop/early_stop.h"

namespace sweep {
namespace {

struct Setup {
  int seeds = 10;
  int trials = 200;
  int workers = 4;
  int epochs = 100;
};

struct RuleConfig {
  std::string label;
  EarlyTerminateSpec spec;
  bool is_default;  // the parameters a user gets from the documented defaults
};

struct RunResult {
  int64_t trial_seconds = 0;
  int64_t makespan = 0;
  int stopped = 0;
  int best_trial = -1;
  double best_final = INFINITY;
  double estimated_saved = 0;
  std::vector<int> stopped_at;  // per trial: report count when stopped, 0 if not stopped
};

using Curves = std::vector<std::vector<double>>;

Curves MakeCurves(uint64_t seed, const Setup& setup) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> ua(0.1, 0.6), ub(0.5, 2.0), ur(0.3, 1.2);
  std::normal_distribution<double> noise(0.0, 0.01);
  Curves curves(setup.trials);
  for (auto& c : curves) {
    const double a = ua(rng), b = ub(rng), r = ur(rng);
    for (int t = 1; t <= setup.epochs; ++t) c.push_back(a + b * std::pow(t, -r) + noise(rng));
  }
  return curves;
}

RunResult Simulate(const Curves& curves, const RuleConfig& config, const Setup& setup) {
  auto made = MakeEarlyStopRule(config.spec, Goal::kMinimize, "loss");
  if (!made.ok()) {
    std::fprintf(stderr, "%s: %s\n", config.label.c_str(), made.status().message().c_str());
    std::exit(2);
  }
  EarlyStopRule& rule = *made.value();
  struct Slot {
    int trial;
    int epoch;
  };
  std::vector<Slot> running;
  std::vector<TrialUsage> usage(curves.size());
  RunResult res;
  res.stopped_at.assign(curves.size(), 0);
  size_t next = 0;
  while (next < curves.size() || !running.empty()) {
    while (static_cast<int>(running.size()) < setup.workers && next < curves.size()) {
      running.push_back({static_cast<int>(next++), 0});
    }
    ++res.makespan;
    std::vector<Slot> still;
    std::vector<std::string> ids;
    for (Slot& s : running) {
      const double v = curves[s.trial][s.epoch];
      ++s.epoch;
      ++res.trial_seconds;
      const std::string id = std::to_string(s.trial);
      rule.OnReport(id, s.epoch, v);
      usage[s.trial] = {static_cast<double>(s.epoch), s.epoch, UsageEnd::kOther};
      if (s.epoch == setup.epochs) {
        rule.OnEnd(id);
        usage[s.trial].end = UsageEnd::kFinished;
        if (v < res.best_final) {
          res.best_final = v;
          res.best_trial = s.trial;
        }
      } else {
        still.push_back(s);
        ids.push_back(id);
      }
    }
    running.swap(still);
    for (const StopDecision& d : rule.Decide(ids)) {
      const int trial = std::atoi(d.trial_id.c_str());
      for (size_t i = 0; i < running.size(); ++i) {
        if (running[i].trial != trial) continue;
        rule.OnEnd(d.trial_id);
        usage[trial].end = UsageEnd::kStopped;
        res.stopped_at[trial] = running[i].epoch;
        ++res.stopped;
        running.erase(running.begin() + static_cast<long>(i));
        break;
      }
    }
  }
  res.estimated_saved = EstimateComputeSaved(usage).saved_s;
  return res;
}

EarlyTerminateSpec Spec(EarlyTerminateType type, std::optional<int> min_iter,
                        std::optional<int> max_iter, std::optional<int> s, double eta,
                        bool strict = false, int min_trials = 5) {
  EarlyTerminateSpec spec;
  spec.type = type;
  spec.min_iter = min_iter;
  spec.max_iter = max_iter;
  spec.s = s;
  spec.eta = eta;
  spec.strict = strict;
  spec.min_trials = min_trials;
  return spec;
}

std::vector<RuleConfig> Configs(const Setup& st) {
  using T = EarlyTerminateType;
  const int m = st.epochs;
  return {
      {"none", {}, true},
      {"hyperband max_iter=" + std::to_string(m) + " s=3 eta=3",
       Spec(T::kHyperband, std::nullopt, m, 3, 3), true},
      {"asha min_iter=3 eta=3 max_iter=" + std::to_string(m),
       Spec(T::kAsha, std::nullopt, m, std::nullopt, 3), true},
      {"median min_iter=1 min_trials=5",
       Spec(T::kMedian, std::nullopt, std::nullopt, std::nullopt, 3), true},
      // Variants: other parameters a user might choose; not tuned defaults.
      {"hyperband max_iter=" + std::to_string(m) + " s=3 eta=3 strict",
       Spec(T::kHyperband, std::nullopt, m, 3, 3, true), false},
      {"hyperband min_iter=3 eta=3", Spec(T::kHyperband, 3, std::nullopt, std::nullopt, 3), false},
      {"asha min_iter=1 eta=3 max_iter=" + std::to_string(m), Spec(T::kAsha, 1, m, std::nullopt, 3),
       false},
      {"asha min_iter=9 eta=3 max_iter=" + std::to_string(m), Spec(T::kAsha, 9, m, std::nullopt, 3),
       false},
      {"asha min_iter=1 eta=2 max_iter=" + std::to_string(m), Spec(T::kAsha, 1, m, std::nullopt, 2),
       false},
      {"asha min_iter=5 eta=2 max_iter=" + std::to_string(m), Spec(T::kAsha, 5, m, std::nullopt, 2),
       false},
      {"median min_iter=10 min_trials=5", Spec(T::kMedian, 10, std::nullopt, std::nullopt, 3),
       false},
  };
}

int Run(const Setup& st) {
  const auto configs = Configs(st);
  struct Totals {
    double trial_seconds = 0, makespan = 0, stopped = 0, best_final = 0, est_saved = 0;
    int same_best = 0;
    std::string per_seed_same;
    std::string misses;  // where the no-rule best trial was stopped, per missed seed
  };
  std::vector<Totals> totals(configs.size());
  const auto t0 = std::chrono::steady_clock::now();
  for (int seed = 1; seed <= st.seeds; ++seed) {
    const Curves curves = MakeCurves(static_cast<uint64_t>(seed), st);
    RunResult baseline;
    for (size_t i = 0; i < configs.size(); ++i) {
      RunResult r = Simulate(curves, configs[i], st);
      if (i == 0) baseline = r;
      Totals& t = totals[i];
      t.trial_seconds += static_cast<double>(r.trial_seconds);
      t.makespan += static_cast<double>(r.makespan);
      t.stopped += r.stopped;
      t.best_final += r.best_final;
      t.est_saved += r.estimated_saved;
      const bool same = r.best_trial == baseline.best_trial;
      t.same_best += same;
      t.per_seed_same += same ? 'Y' : 'n';
      if (!same) {
        t.misses += " seed " + std::to_string(seed) + ": trial " +
                    std::to_string(baseline.best_trial) + " stopped at report " +
                    std::to_string(r.stopped_at[baseline.best_trial]) + ";";
      }
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double n = st.seeds;
  const double base = totals[0].trial_seconds / n;
  std::printf("early_stop_bench: %d trials, %d epochs (1 s each), %d workers, %d seeds\n\n",
              st.trials, st.epochs, st.workers, st.seeds);
  std::printf(
      "| rule | defaults | trial-s (mean) | saved vs none | est. saved (status) | makespan s | "
      "stopped | best final loss (mean) | same best trial | per seed |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
  for (size_t i = 0; i < configs.size(); ++i) {
    const Totals& t = totals[i];
    const double ts = t.trial_seconds / n;
    std::printf("| %s | %s | %.0f | %.1f%% | %.1f%% | %.0f | %.1f | %.4f | %d/%d | %s |\n",
                configs[i].label.c_str(), configs[i].is_default ? "yes" : "variant", ts,
                100.0 * (base - ts) / base, 100.0 * (t.est_saved / n) / base, t.makespan / n,
                t.stopped / n, t.best_final / n, t.same_best, st.seeds, t.per_seed_same.c_str());
  }
  std::printf("\nWhere the no-rule best trial was stopped:\n");
  for (size_t i = 0; i < configs.size(); ++i) {
    if (!totals[i].misses.empty()) {
      std::printf("- %s:%s\n", configs[i].label.c_str(), totals[i].misses.c_str());
    }
  }
  std::printf("\nsimulation wall time: %.2f s\n", secs);
  return 0;
}

}  // namespace
}  // namespace sweep

int main(int argc, char** argv) {
  sweep::Setup st;
  for (int i = 1; i + 1 < argc; i += 2) {
    const int v = std::atoi(argv[i + 1]);
    if (v <= 0) {
      std::fprintf(stderr, "%s needs a positive integer\n", argv[i]);
      return 2;
    }
    if (!std::strcmp(argv[i], "--seeds"))
      st.seeds = v;
    else if (!std::strcmp(argv[i], "--trials"))
      st.trials = v;
    else if (!std::strcmp(argv[i], "--workers"))
      st.workers = v;
    else if (!std::strcmp(argv[i], "--epochs"))
      st.epochs = v;
    else {
      std::fprintf(stderr,
                   "usage: early_stop_bench [--seeds N] [--trials N] [--workers N] "
                   "[--epochs N]\n");
      return 2;
    }
  }
  return sweep::Run(st);
}
