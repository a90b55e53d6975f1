// Latency of one "bayes" ask with n observations in 10 dimensions, single thread.
//
// For each n it observes n random points of a smooth 10-D function, then times `reps`
// rounds of Suggest(1) followed by Observe of the suggestion, and prints p50 and p95
// seconds per ask, both wall-clock and this thread's CPU time (the machine is shared, so
// CPU time is the figure that stands for an idle core). The first ask of each n is included (no
// warm state is kept between asks by design, see bayes_search.cc). bench/bayes_peers.py latency
// measures the scikit-learn stand-in and Optuna TPE on the same function and sizes.
//
//   bayes_latency [--n 100,500,1000,2000] [--reps 10] [--large-raw N] [--large-local N]
// --large-raw/--large-local override BayesOptions::large_raw_samples/large_local_samples
// (the acquisition's candidate counts past 300 model points), to compare settings in one run.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

#include "search/bayes/bayes_search.h"
#include "search/bayes/rng.h"

using namespace sweep;

namespace {

// One single-objective observation (Observation has more members than these).
Observation Obs(uint64_t n, Config c, Outcome outcome, std::optional<double> value) {
  Observation o;
  o.trial_number = n;
  o.config = std::move(c);
  o.outcome = outcome;
  o.value = value;
  return o;
}

double Objective(const Config& c) {
  double s = 0;
  for (const Value& v : c) s += std::pow(v.get<double>() - 0.3, 2);
  return s + 0.1 * std::sin(10 * c[0].get<double>());
}

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  double pos = p * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(pos);
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

}  // namespace

int main(int argc, char** argv) {
  std::string sizes = "100,500,1000,2000";
  int reps = 10;
  BayesOptions bayes;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--n") sizes = argv[i + 1];
    if (k == "--reps") reps = std::stoi(argv[i + 1]);
    if (k == "--large-raw") bayes.large_raw_samples = std::stoi(argv[i + 1]);
    if (k == "--large-local") bayes.large_local_samples = std::stoi(argv[i + 1]);
  }
  SearchSpace space;
  for (int i = 0; i < 10; ++i) {
    Parameter p;
    p.name = "x" + std::to_string(i);
    p.path = {p.name};
    p.distribution = Distribution::kUniform;
    p.min = 0;
    p.max = 1;
    space.params.push_back(p);
  }
  std::printf("method,n,p50_s,p95_s,reps,cpu_p50_s,cpu_p95_s\n");
  std::stringstream ss(sizes);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const int n = std::stoi(item);
    StrategyOptions opt;
    opt.seed = 1;
    opt.has_metric = true;
    BayesSearch s(space, opt, bayes);
    BayesRng rng(static_cast<uint64_t>(n));
    std::vector<Observation> history;
    for (int i = 0; i < n; ++i) {
      Config c;
      for (int j = 0; j < 10; ++j) c.push_back(rng.Uniform());
      history.push_back(Obs(static_cast<uint64_t>(i), c, Outcome::kFinished, Objective(c)));
    }
    s.Replay(history);
    std::vector<double> times, cpu;
    for (int r = 0; r < reps; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      double c0 = ThreadCpuSeconds();
      std::vector<Config> c = s.Suggest(1, {});
      times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      cpu.push_back(ThreadCpuSeconds() - c0);
      if (c.empty()) return 1;
      s.Observe(Obs(static_cast<uint64_t>(n + r), c[0], Outcome::kFinished, Objective(c[0])));
    }
    std::printf("sweep_bayes,%d,%.4g,%.4g,%d,%.4g,%.4g\n", n, Percentile(times, 0.5),
                Percentile(times, 0.95), reps, Percentile(cpu, 0.5), Percentile(cpu, 0.95));
    std::fflush(stdout);
  }
  return 0;
}
