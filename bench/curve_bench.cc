// Early-termination comparison on learning-curve families: sweep's hyperband, asha,
// median and curve rules, each on the same configurations in the same order, at 1 and
// 4 workers. bench/early_stop_optuna.py runs Optuna 3.1's pruners on the very same
// curves (written by --dump) and merges both into the table of bench/RESULTS.md.
//
// The harness is early_stop_bench's: a simulated clock, a worker freed by a finish or
// a stop takes the next configuration at once, every running trial reports one epoch
// per tick, then the rule's Decide runs. A trial's result is its last value; the true
// best configuration is the one with the best value at the full budget (NaN is worst).
// Per family, workers, rule and seed we write one TSV row: epochs run, epochs of the
// no-rule sweep, whether the true best configuration reached the full budget, the
// regret of the best fully trained trial, and the number of trials stopped.
//
// --where adds, per family, workers and rule (summed over seeds, on stderr), where the
// epochs that were not saved went: non-best trials run to the end, and the report at
// which the others were stopped, beside an oracle that stops every non-best trial at
// report 3 (no rule may stop earlier) and runs only the true best to the end.
//
// --full prints (on stderr) every non-best trial a rule ran to the end: family, seed,
// workers, rule, configuration, its final minus the true best's, and its curve.
//
// --latency instead times OnReport + Decide of the curve rule with 200 running trials.
//
// --bound instead measures what no rule can beat: a clairvoyant that knows every
// configuration's noise-free curve (synthetic families only) but not the noise of the
// final report. It runs to the end every configuration whose noise-free final is
// within k noise sds of the lowest, stops all others at report 3 (min_iter), and we
// count how often the true best (the best noisy final) was among those run, against
// the epochs saved, for k = 0, 0.5, .., 6. A rule that must keep the true best in a
// share of seeds saves at most what the smallest k that keeps it there saves.
//
// Usage: curve_bench [--seeds 10] [--first-seed 1] [--trials 81] [--epochs 27]
//                    [--mlp bench/mlp_curves.txt] [--only LABEL-PART] [--rows out.tsv]
//                    [--dump curves.txt] [--latency] [--why] [--where] [--full] [--bound]
// Seeds first-seed .. first-seed+seeds-1 are run; RESULTS.md reports held-out seeds,
// the rule's constants were chosen on others (see there). --only keeps the rules whose
// label contains LABEL-PART (and the no-rule baseline).
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/curve_families.h"
#include "orchestrator/early_stop/early_stop.h"

namespace sweep::bench {
namespace {

struct Setup {
  int seeds = 10, trials = 81, epochs = 27;
  int first_seed = 1;  // seeds first_seed .. first_seed + seeds - 1
  std::string only;    // run only the rules whose label contains this (and "none")
  std::string mlp = "bench/mlp_curves.txt", rows, dump;
  bool latency = false;
  bool bound = false;  // the clairvoyant bound instead of the rules (see the top)
  bool why = false;    // print why the true best configuration was stopped
  bool where = false;  // print where the epochs that were not saved went
  bool full = false;   // print every non-best trial run to the end, with its curve
};

// Where the epochs of one rule went, summed over seeds (--where): the oracle stops
// every trial but the true best at min_iter (no rule may stop earlier) and runs the
// best to the end; what a rule spends beyond that is split into trials it ran to the
// end and trials it stopped late.
struct Where {
  int seeds = 0;
  int64_t epochs_full = 0, epochs_run = 0, oracle = 0;
  int64_t full_runs = 0, full_epochs = 0;  // non-best trials run to the end
  int64_t stopped = 0, stop_epochs = 0;    // non-best trials stopped, and their epochs
  std::vector<double> full_gap;            // final of each such full run minus the best's
};

struct Outcome {
  int64_t epochs_run = 0;
  int stopped = 0;
  std::vector<bool> finished;
  std::vector<int> ran;             // per trial: epochs it ran
  std::vector<std::string> reason;  // per trial: why it was stopped, empty if it was not
};

Outcome Simulate(const Curves& curves, const EarlyTerminateSpec& spec, int workers) {
  auto made = MakeEarlyStopRule(spec, Goal::kMinimize, "loss");
  if (!made.ok()) {
    std::fprintf(stderr, "%s\n", made.status().message().c_str());
    std::exit(2);
  }
  EarlyStopRule& rule = *made.value();
  struct Slot {
    int trial, epoch;
  };
  std::vector<Slot> running;
  Outcome out;
  out.finished.assign(curves.size(), false);
  out.ran.assign(curves.size(), 0);
  out.reason.assign(curves.size(), "");
  size_t next = 0;
  while (next < curves.size() || !running.empty()) {
    while (static_cast<int>(running.size()) < workers && next < curves.size())
      running.push_back({static_cast<int>(next++), 0});
    std::vector<Slot> still;
    std::vector<std::string> ids;
    for (Slot& s : running) {
      const std::vector<double>& c = curves[s.trial];
      const double v = c[s.epoch++];
      ++out.epochs_run;
      out.ran[s.trial] = s.epoch;
      const std::string id = std::to_string(s.trial);
      rule.OnReport(id, s.epoch, v);
      if (s.epoch == static_cast<int>(c.size())) {
        rule.OnEnd(id);
        out.finished[s.trial] = true;
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
        ++out.stopped;
        out.reason[trial] = d.reason;
        running.erase(running.begin() + static_cast<long>(i));
        break;
      }
    }
  }
  return out;
}

double Final(const std::vector<double>& c) { return std::isnan(c.back()) ? INFINITY : c.back(); }

struct Rule {
  std::string label;
  EarlyTerminateSpec spec;
};

std::vector<Rule> Rules(int epochs) {
  using T = EarlyTerminateType;
  auto make = [](T type, std::optional<int> min_iter, std::optional<int> max_iter,
                 std::optional<int> s) {
    EarlyTerminateSpec spec;
    spec.type = type;
    spec.min_iter = min_iter;
    spec.max_iter = max_iter;
    spec.s = s;
    return spec;
  };
  auto curve = [&](double confidence) {
    EarlyTerminateSpec s = make(T::kCurve, {}, epochs, {});
    s.confidence = confidence;
    return s;
  };
  return {
      {"none", {}},
      {"sweep hyperband (max_iter=E, s=3, eta=3)", make(T::kHyperband, {}, epochs, 3)},
      {"sweep asha (min_iter=3, max_iter=E, eta=3)", make(T::kAsha, {}, epochs, {})},
      {"sweep median (min_iter=1, min_trials=5)", make(T::kMedian, {}, {}, {})},
      {"sweep curve (max_iter=E)", make(T::kCurve, {}, epochs, {})},
      {"sweep curve (no max_iter)", make(T::kCurve, {}, {}, {})},
      {"sweep curve (max_iter=E, confidence=0.9)", curve(0.9)},
      {"sweep curve (max_iter=E, confidence=0.95)", curve(0.95)},
      {"sweep curve (max_iter=E, confidence=0.999)", curve(0.999)},
  };
}

Curves FamilyCurves(const std::string& family, int seed, const Setup& st) {
  if (family == "mlp") return MlpCurves(st.mlp, static_cast<uint64_t>(seed));
  return SyntheticCurves(family, static_cast<uint64_t>(seed), st.trials, st.epochs);
}

void PrintWhere(const std::map<std::string, Where>& where) {
  std::fprintf(stderr,
               "family\tworkers\trule\tsaved\toracle_saved\tfull_nonbest_per_seed\t"
               "share_of_run_in_full_nonbest\tstopped_per_seed\tmean_stop_epoch\t"
               "full_gap_median\n");
  for (const auto& [key, w] : where) {
    std::vector<double> gap = w.full_gap;
    std::sort(gap.begin(), gap.end());
    const double seeds = w.seeds;
    std::fprintf(stderr, "%s\t%.1f%%\t%.1f%%\t%.1f\t%.1f%%\t%.1f\t%.2f\t%.3g\n", key.c_str(),
                 100.0 * (1 - static_cast<double>(w.epochs_run) / w.epochs_full),
                 100.0 * (1 - static_cast<double>(w.oracle) / w.epochs_full), w.full_runs / seeds,
                 100.0 * w.full_epochs / w.epochs_run, w.stopped / seeds,
                 w.stopped ? static_cast<double>(w.stop_epochs) / w.stopped : 0.0,
                 gap.empty() ? 0.0 : gap[gap.size() / 2]);
  }
}

int Compare(const Setup& st) {
  std::map<std::string, Where> where;  // family, workers, rule -> totals (--where)
  FILE* rows = st.rows.empty() ? stdout : std::fopen(st.rows.c_str(), "w");
  FILE* dump = st.dump.empty() ? nullptr : std::fopen(st.dump.c_str(), "w");
  if (!rows || (!st.dump.empty() && !dump)) {
    std::fprintf(stderr, "curve_bench: cannot write %s\n", (rows ? st.dump : st.rows).c_str());
    return 1;
  }
  std::fprintf(
      rows, "family\tworkers\trule\tseed\tepochs_run\tepochs_full\tbest_kept\tregret\tstopped\n");
  for (const std::string& family : FamilyNames()) {
    for (int seed = st.first_seed; seed < st.first_seed + st.seeds; ++seed) {
      const Curves curves = FamilyCurves(family, seed, st);
      if (curves.empty()) {
        std::fprintf(stderr, "curve_bench: no %s curves for seed %d (%s)\n", family.c_str(), seed,
                     st.mlp.c_str());
        return 1;
      }
      const int epochs = static_cast<int>(curves[0].size());
      int64_t full = 0;
      size_t best = 0;
      for (size_t i = 0; i < curves.size(); ++i) {
        full += static_cast<int64_t>(curves[i].size());
        if (Final(curves[i]) < Final(curves[best])) best = i;
        if (dump) {
          std::fprintf(dump, "%s %d %zu", family.c_str(), seed, i);
          for (double v : curves[i]) std::fprintf(dump, " %.9g", v);
          std::fprintf(dump, "\n");
        }
      }
      for (int workers : {1, 4}) {
        for (const Rule& r : Rules(epochs)) {
          if (!st.only.empty() && r.label != "none" && r.label.find(st.only) == std::string::npos)
            continue;
          const Outcome o = Simulate(curves, r.spec, workers);
          double best_full = INFINITY;
          for (size_t i = 0; i < curves.size(); ++i)
            if (o.finished[i]) best_full = std::min(best_full, Final(curves[i]));
          std::fprintf(rows, "%s\t%d\t%s\t%d\t%lld\t%lld\t%d\t%.6g\t%d\n", family.c_str(), workers,
                       r.label.c_str(), seed, static_cast<long long>(o.epochs_run),
                       static_cast<long long>(full), o.finished[best] ? 1 : 0,
                       best_full - Final(curves[best]), o.stopped);
          if (st.where) {
            Where& w = where[family + "\t" + std::to_string(workers) + "\t" + r.label];
            ++w.seeds;
            w.epochs_full += full;
            w.epochs_run += o.epochs_run;
            const int64_t min_iter = 3;
            w.oracle += epochs + min_iter * static_cast<int64_t>(curves.size() - 1);
            for (size_t i = 0; i < curves.size(); ++i) {
              if (i == best) continue;
              if (o.finished[i]) {
                ++w.full_runs;
                w.full_epochs += o.ran[i];
                w.full_gap.push_back(Final(curves[i]) - Final(curves[best]));
              } else {
                ++w.stopped;
                w.stop_epochs += o.ran[i];
              }
            }
          }
          if (st.full) {
            for (size_t i = 0; i < curves.size(); ++i) {
              if (i == best || !o.finished[i]) continue;
              std::fprintf(stderr, "full\t%s\t%d\t%d\t%s\t%zu\t%.4g\t", family.c_str(), seed,
                           workers, r.label.c_str(), i, Final(curves[i]) - Final(curves[best]));
              for (double v : curves[i]) std::fprintf(stderr, " %.3g", v);
              std::fprintf(stderr, "\n");
            }
          }
          if (st.why && !o.finished[best])
            std::fprintf(stderr, "%s seed %d workers %d %s: best trial %zu: %s\n", family.c_str(),
                         seed, workers, r.label.c_str(), best, o.reason[best].c_str());
        }
      }
    }
  }
  if (rows != stdout) std::fclose(rows);
  if (dump) std::fclose(dump);
  if (st.where) PrintWhere(where);
  return 0;
}

int Bound(const Setup& st) {
  const int kStop = 3;  // the curve rule's default min_iter: no stop before report 3
  std::printf("family\tk_sds\tsd\tmean_run_to_end\tepochs_saved\tbest_kept\tseeds\n");
  for (const std::string& family : FamilyNames()) {
    if (family == "mlp") continue;  // recorded curves: their noise-free curve is unknown
    for (int half = 0; half <= 12; ++half) {
      const double k = half / 2.0;
      int64_t full = 0, run = 0;
      int kept = 0, run_to_end = 0;
      for (int seed = st.first_seed; seed < st.first_seed + st.seeds; ++seed) {
        Curves means;
        const Curves curves =
            SyntheticCurves(family, static_cast<uint64_t>(seed), st.trials, st.epochs, &means);
        std::vector<double> clean;
        for (const auto& m : means) clean.push_back(Final(m));
        const double sd = FamilyNoiseSd(family);
        const double lowest = *std::min_element(clean.begin(), clean.end());
        size_t best = 0;
        for (size_t i = 0; i < curves.size(); ++i)
          if (Final(curves[i]) < Final(curves[best])) best = i;
        for (size_t i = 0; i < curves.size(); ++i) {
          const int64_t e = static_cast<int64_t>(curves[i].size());
          full += e;
          const bool to_end = clean[i] <= lowest + k * sd;
          run += to_end ? e : std::min<int64_t>(kStop, e);
          run_to_end += to_end ? 1 : 0;
          if (i == best && to_end) ++kept;
        }
      }
      std::printf("%s\t%.1f\t%.4g\t%.1f\t%.1f%%\t%d\t%d\n", family.c_str(), k,
                  FamilyNoiseSd(family), static_cast<double>(run_to_end) / st.seeds,
                  100.0 * (1 - static_cast<double>(run) / static_cast<double>(full)), kept,
                  st.seeds);
    }
  }
  return 0;
}

double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// 20 trials complete at the budget (100 reports), then 200 trials run at once on noisy
// curves: after a warm-up of 50 reports each, every further OnReport + Decide(all 200)
// pair is timed, in wall-clock and thread CPU time (the machine is shared, so wall
// time includes preemption). Then one more trial completes, and the Decide that replays
// it for the calibration is timed too.
int Latency() {
  const int kDone = 20, kRunning = 200, kWarm = 50, kTimed = 30, kBudget = 100;
  const Curves curves = SyntheticCurves("noisy", 1, kDone + kRunning + 1, kBudget);
  EarlyTerminateSpec spec;
  spec.type = EarlyTerminateType::kCurve;
  spec.max_iter = kBudget;
  spec.confidence = 0.999999;  // keep every trial running: we time the work, not stops
  auto rule = MakeEarlyStopRule(spec, Goal::kMinimize, "loss").value();
  for (int i = 0; i < kDone; ++i) {
    const std::string id = "done" + std::to_string(i);
    for (int e = 0; e < kBudget; ++e) rule->OnReport(id, e + 1, curves[i][e]);
    rule->OnEnd(id);
  }
  std::vector<std::string> ids;
  for (int i = 0; i < kRunning; ++i) ids.push_back(std::to_string(i));
  for (int e = 0; e < kWarm; ++e)
    for (int i = 0; i < kRunning; ++i) rule->OnReport(ids[i], e + 1, curves[kDone + i][e]);
  rule->Decide(ids);
  std::vector<double> wall, cpu;
  for (int e = kWarm; e < kWarm + kTimed; ++e) {
    for (int i = 0; i < kRunning; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      const double c0 = ThreadCpuMs();
      rule->OnReport(ids[i], e + 1, curves[kDone + i][e]);
      rule->Decide(ids);
      cpu.push_back(ThreadCpuMs() - c0);
      wall.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
  }
  const std::string last = "last";
  for (int e = 0; e < kBudget; ++e) rule->OnReport(last, e + 1, curves.back()[e]);
  rule->OnEnd(last);
  const double c0 = ThreadCpuMs();
  rule->Decide(ids);
  const double completion = ThreadCpuMs() - c0;
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  auto at = [](const std::vector<double>& v, double q) {
    return v[static_cast<size_t>(q * (v.size() - 1))];
  };
  std::printf(
      "curve rule, %d running trials (%d complete), %zu reports timed, ms per report "
      "(OnReport + Decide):\n  cpu:  median %.3f, p99 %.3f, max %.3f\n"
      "  wall: median %.3f, p99 %.3f, max %.3f\n"
      "  Decide after a trial completes (calibration replay): %.3f ms cpu\n",
      kRunning, kDone, cpu.size(), at(cpu, 0.5), at(cpu, 0.99), cpu.back(), at(wall, 0.5),
      at(wall, 0.99), wall.back(), completion);
  return 0;
}

}  // namespace
}  // namespace sweep::bench

int main(int argc, char** argv) {
  sweep::bench::Setup st;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has = i + 1 < argc;
    if (a == "--latency") {
      st.latency = true;
    } else if (a == "--bound") {
      st.bound = true;
    } else if (a == "--why") {
      st.why = true;
    } else if (a == "--where") {
      st.where = true;
    } else if (a == "--full") {
      st.full = true;
    } else if (has &&
               (a == "--seeds" || a == "--trials" || a == "--epochs" || a == "--first-seed")) {
      const int v = std::atoi(argv[++i]);
      if (v <= 0) {
        std::fprintf(stderr, "%s needs a positive integer\n", a.c_str());
        return 2;
      }
      (a == "--seeds"        ? st.seeds
       : a == "--trials"     ? st.trials
       : a == "--first-seed" ? st.first_seed
                             : st.epochs) = v;
    } else if (has && a == "--only") {
      st.only = argv[++i];
    } else if (has && a == "--mlp") {
      st.mlp = argv[++i];
    } else if (has && a == "--rows") {
      st.rows = argv[++i];
    } else if (has && a == "--dump") {
      st.dump = argv[++i];
    } else {
      std::fprintf(
          stderr,
          "usage: curve_bench [--seeds N] [--first-seed N] [--trials N] [--epochs N] "
          "[--mlp FILE] [--only LABEL-PART] "
          "[--rows FILE] [--dump FILE] [--latency] [--why] [--where] [--full] [--bound]\n");
      return 2;
    }
  }
  if (st.bound) return sweep::bench::Bound(st);
  return st.latency ? sweep::bench::Latency() : sweep::bench::Compare(st);
}
