// Latency of one multi-objective "bayes" ask: 2 objectives, 6 parameters, n observed
// trials (ZDT1 values at random points), single thread. Times `reps` rounds of
// Suggest(1) + Observe and prints p50 and p95 seconds, wall-clock and this thread's CPU
// time (the machine is shared; CPU time stands for an idle core). The first ask of each
// n is included: nothing is kept warm between asks by design (determinism on resume).
//
//   mo_latency [--n 100,500] [--reps 20]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>

#include "bench/mo_problems.h"
#include "search/bayes/mo_bayes_search.h"
#include "search/bayes/rng.h"

using namespace sweep;

namespace {

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const double pos = p * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(pos), hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

Observation Observe(uint64_t n, const Config& c) {
  std::vector<double> x;
  for (const Value& v : c) x.push_back(v.get<double>());
  const auto f = bench::MoEvaluate("zdt1", x);
  Observation o;
  o.trial_number = n;
  o.config = c;
  o.value = f[0];
  o.values = {f[0], f[1]};
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  std::string sizes = "100,500";
  int reps = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--n") sizes = argv[i + 1];
    if (k == "--reps") reps = std::stoi(argv[i + 1]);
  }
  const SearchSpace space = bench::MoSpace(6);
  std::printf("method,n,p50_s,p95_s,reps,cpu_p50_s,cpu_p95_s\n");
  std::stringstream ss(sizes);
  for (std::string item; std::getline(ss, item, ',');) {
    const int n = std::stoi(item);
    StrategyOptions opt;
    opt.seed = 1;
    opt.has_metric = true;
    opt.objectives = {Goal::kMinimize, Goal::kMinimize};
    MultiObjectiveBayes s(space, opt);
    BayesRng rng(static_cast<uint64_t>(n));
    std::vector<Observation> history;
    for (int i = 0; i < n; ++i) {
      Config c;
      for (int j = 0; j < 6; ++j) c.push_back(rng.Uniform());
      history.push_back(Observe(static_cast<uint64_t>(i), c));
    }
    s.Replay(history);
    std::vector<double> wall, cpu;
    for (int r = 0; r < reps; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      const double c0 = ThreadCpuSeconds();
      std::vector<Config> c = s.Suggest(1, {});
      wall.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      cpu.push_back(ThreadCpuSeconds() - c0);
      if (c.empty()) return 1;
      s.Observe(Observe(static_cast<uint64_t>(n + r), c[0]));
    }
    std::printf("sweep_mo_bayes,%d,%.4g,%.4g,%d,%.4g,%.4g\n", n, Percentile(wall, 0.5),
                Percentile(wall, 0.95), reps, Percentile(cpu, 0.5), Percentile(cpu, 0.95));
    std::fflush(stdout);
  }
  return 0;
}
