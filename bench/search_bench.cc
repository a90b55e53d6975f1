// search_bench: ask+tell latency of the grid and random strategies.
//
// For each strategy and each trial count n, a fresh strategy is asked for one
// configuration (Suggest(1, {})) and told its result (Observe) n times in a row, the way
// the controller drives it; each ask+tell pair is timed with steady_clock. Prints one
// JSON line per case (the shape bench/search_bench_optuna.py prints too, so
// bench/run_search_bench.sh can join them): mean, p50, p99, and the mean and median
// over the first and the last 10% of trials, which show whether per-ask cost grows
// with the number of trials already run (the medians are immune to the odd preemption
// that inflates a mean of 70 ns samples on a busy machine). The spaces match the Optuna script's
// exactly:
//   random: 3 categorical + 2 integer + 3 continuous (2 log-scale) parameters;
//   grid:   50 x 50 integers x 10 x 2 x 2 categorical values = 100,000 points.
// Each case runs kRepeats times on a fresh strategy and the run with the median mean
// is printed, so one burst of load from another process on a shared machine does not
// decide the figure. cpu_s is the process CPU time of that run (wall time much above
// it means the machine was busy with something else).
// Usage: search_bench [N ...]   (default 1000 10000 100000)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "search/search_space.h"
#include "search/strategy.h"

namespace sweep {
namespace {

Parameter Param(const std::string& name, Distribution d, double min = 0, double max = 0) {
  Parameter p;
  p.name = name;
  p.path = {name};
  p.distribution = d;
  p.min = min;
  p.max = max;
  p.integer = d == Distribution::kIntUniform;
  return p;
}

Parameter Categorical(const std::string& name, std::vector<Value> values) {
  Parameter p = Param(name, Distribution::kCategorical);
  p.values = std::move(values);
  return p;
}

SearchSpace RandomSpace() {
  SearchSpace s;
  s.params = {Categorical("optimizer", {"adam", "sgd", "rmsprop"}),
              Categorical("activation", {"relu", "gelu", "tanh", "silu"}),
              Categorical("norm", {"batch", "layer", "none"}),
              Param("layers", Distribution::kIntUniform, 1, 8),
              Param("units", Distribution::kIntUniform, 16, 512),
              Param("lr", Distribution::kLogUniformValues, 1e-5, 1e-1),
              Param("weight_decay", Distribution::kLogUniformValues, 1e-6, 1e-2),
              Param("dropout", Distribution::kUniform, 0.0, 0.5)};
  return s;
}

SearchSpace GridSpace() {
  SearchSpace s;
  std::vector<Value> widths;
  for (int w = 1; w <= 10; ++w) widths.push_back(Value(w * 32));
  s.params = {Param("a", Distribution::kIntUniform, 0, 49),
              Param("b", Distribution::kIntUniform, 0, 49), Categorical("width", widths),
              Categorical("bias", {true, false}), Categorical("scale", {0.5, 1.0})};
  return s;
}

double MeanUs(const std::vector<double>& ns, size_t from, size_t to) {
  double sum = 0;
  for (size_t i = from; i < to; ++i) sum += ns[i];
  return to > from ? sum / static_cast<double>(to - from) / 1000.0 : 0.0;
}

double PercentileUs(std::vector<double> ns, double q) {
  if (ns.empty()) return 0;
  const size_t k = std::min(ns.size() - 1, static_cast<size_t>(q * static_cast<double>(ns.size())));
  std::nth_element(ns.begin(), ns.begin() + static_cast<std::ptrdiff_t>(k), ns.end());
  return ns[k] / 1000.0;
}

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Run {
  std::vector<double> ns;  // per ask+tell
  double total_s = 0, cpu_s = 0, mean_us = 0;
};

// One fresh strategy driven through n ask+tell pairs; ns is empty on a factory error.
Run RunOnce(const std::string& method, const SearchSpace& space, size_t n) {
  StrategyOptions options;
  options.seed = 1;
  options.has_metric = true;
  auto made = MakeStrategy(method, space, options);
  Run run;
  if (!made.ok()) {
    std::fprintf(stderr, "search_bench: %s\n", made.status().message().c_str());
    return run;
  }
  SearchStrategy& strategy = **made;
  run.ns.reserve(n);
  const std::vector<Config> no_pending;
  const double cpu0 = CpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  for (size_t k = 0; k < n; ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<Config> got = strategy.Suggest(1, no_pending);
    if (got.empty()) break;
    Observation obs;
    obs.trial_number = k;
    obs.config = std::move(got.front());
    obs.value = static_cast<double>(k % 97) * 0.01;
    strategy.Observe(obs);
    const auto t1 = std::chrono::steady_clock::now();
    run.ns.push_back(static_cast<double>(std::chrono::nanoseconds(t1 - t0).count()));
  }
  run.total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.cpu_s = CpuSeconds() - cpu0;
  run.mean_us = MeanUs(run.ns, 0, run.ns.size());
  return run;
}

constexpr int kRepeats = 5;

int RunCase(const std::string& method, const SearchSpace& space, size_t n) {
  std::vector<Run> runs;
  for (int r = 0; r < kRepeats; ++r) runs.push_back(RunOnce(method, space, n));
  std::sort(runs.begin(), runs.end(),
            [](const Run& a, const Run& b) { return a.mean_us < b.mean_us; });
  const Run& run = runs[runs.size() / 2];
  const std::vector<double>& ns = run.ns;
  const size_t reached = ns.size(), tenth = std::min(reached, std::max<size_t>(1, reached / 10));
  std::printf(
      "{\"impl\":\"sweep\",\"strategy\":\"%s\",\"n\":%zu,\"reached\":%zu,\"total_s\":%.6f,"
      "\"cpu_s\":%.6f,\"mean_us\":%.4f,\"p50_us\":%.4f,\"p99_us\":%.4f,"
      "\"first10_us\":%.4f,\"last10_us\":%.4f,\"first10_p50_us\":%.4f,"
      "\"last10_p50_us\":%.4f,\"repeats\":%d}\n",
      method.c_str(), n, reached, run.total_s, run.cpu_s, run.mean_us, PercentileUs(ns, 0.5),
      PercentileUs(ns, 0.99), MeanUs(ns, 0, tenth), MeanUs(ns, reached - tenth, reached),
      PercentileUs({ns.begin(), ns.begin() + tenth}, 0.5),
      PercentileUs({ns.end() - tenth, ns.end()}, 0.5), kRepeats);
  std::fflush(stdout);
  return reached == n ? 0 : 1;
}

}  // namespace
}  // namespace sweep

int main(int argc, char** argv) {
  std::vector<size_t> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::strtoull(argv[i], nullptr, 10));
  if (sizes.empty()) sizes = {1000, 10000, 100000};
  int rc = 0;
  for (const char* method : {"random", "grid"}) {
    const sweep::SearchSpace space =
        std::string(method) == "grid" ? sweep::GridSpace() : sweep::RandomSpace();
    for (size_t n : sizes) rc |= sweep::RunCase(method, space, n);
  }
  return rc;
}
