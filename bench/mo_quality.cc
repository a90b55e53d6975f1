// Quality benchmark of the multi-objective "bayes" strategy (MultiObjectiveBayes) and a
// uniform random baseline on bench/mo_problems.h. For each problem, method and seed it
// runs `budget` sequential evaluations and prints one CSV row with the hypervolume of
// the feasible evaluations after 40 and after `budget` evaluations (BoTorch's reference
// points) and the mean seconds per ask. bench/mo_peers.py runs Optuna's NSGA-II and
// MOTPE on the same problems, prints the same rows, and computes the statistics.
//
//   mo_quality [--problems branincurrin,zdt1] [--methods bayes,random] [--seeds 10]
//              [--first-seed 0] [--budget 100]
#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>

#include "bench/mo_problems.h"
#include "search/bayes/rng.h"
#include "search/pareto.h"
#include "search/strategy.h"

using namespace sweep;

namespace {

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');) out.push_back(item);
  return out;
}

struct RunResult {
  double hv40 = 0, hv = 0, ask_seconds = 0;
};

RunResult Run(const bench::MoProblem& prob, const std::string& method, uint64_t seed, int budget) {
  StrategyOptions opt;
  opt.seed = seed;
  opt.has_metric = true;
  opt.objectives.assign(static_cast<size_t>(prob.objectives), Goal::kMinimize);
  if (prob.constrained) opt.constraints.push_back(MetricBound{std::nullopt, bench::kConstraintMax});
  const SearchSpace space = bench::MoSpace(prob.dims);
  auto made = MakeStrategy(method == "bayes" ? "bayes" : "random", space, opt);
  if (!made.ok()) {
    std::fprintf(stderr, "%s\n", made.status().message().c_str());
    std::exit(1);
  }
  SearchStrategy& s = **made;
  RunResult r;
  std::vector<ObjectivePoint> feasible;
  double ask = 0;
  for (int i = 0; i < budget; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<Config> c = s.Suggest(1, {});
    ask += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (c.empty()) break;
    std::vector<double> x;
    for (const Value& v : c[0]) x.push_back(v.get<double>());
    const std::vector<double> f = bench::MoEvaluate(prob.name, x);
    Observation obs;
    obs.trial_number = static_cast<uint64_t>(i);
    obs.config = c[0];
    obs.value = f[0];
    for (double v : f) obs.values.push_back(v);
    bool ok = true;
    if (prob.constrained) {
      const double g = bench::MoConstraint(x);
      obs.constraint_values.push_back(g);
      ok = g <= bench::kConstraintMax;
    }
    s.Observe(obs);
    if (ok) feasible.push_back(f);
    if (i + 1 == 40) r.hv40 = Hypervolume(feasible, prob.reference);
  }
  r.hv = Hypervolume(feasible, prob.reference);
  r.ask_seconds = ask / budget;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::string problems = "branincurrin,zdt1,dtlz2,cbraincurrin", methods = "bayes,random";
  int seeds = 10, first = 0, budget = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--problems") problems = argv[i + 1];
    if (k == "--methods") methods = argv[i + 1];
    if (k == "--seeds") seeds = std::stoi(argv[i + 1]);
    if (k == "--first-seed") first = std::stoi(argv[i + 1]);
    if (k == "--budget") budget = std::stoi(argv[i + 1]);
  }
  std::printf("problem,method,seed,hv40,hv%d,ask_s\n", budget);
  for (const std::string& name : Split(problems)) {
    const bench::MoProblem* prob = nullptr;
    static const auto all = bench::MoProblems();
    for (const auto& p : all) prob = p.name == name ? &p : prob;
    if (!prob) {
      std::fprintf(stderr, "unknown problem %s\n", name.c_str());
      return 2;
    }
    for (const std::string& method : Split(methods))
      for (int seed = first; seed < first + seeds; ++seed) {
        const RunResult r = Run(*prob, method, static_cast<uint64_t>(seed), budget);
        std::printf("%s,sweep_%s,%d,%.6g,%.6g,%.4g\n", name.c_str(), method.c_str(), seed, r.hv40,
                    r.hv, r.ask_seconds);
        std::fflush(stdout);
      }
  }
  return 0;
}
