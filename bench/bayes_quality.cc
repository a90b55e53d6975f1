// Quality benchmark of the "bayes" strategy against a uniform random baseline, and the
// asynchronous-parallel check.
//
// For each problem (bench/bayes_problems.h), method and seed it runs `budget`
// evaluations and prints one CSV row: best value found after 50 and after `budget`
// evaluations, mean seconds per ask, and duplicate suggestions. Methods:
//   bayes   sequential: Suggest(1), evaluate, Observe
//   random  uniform in the unit cube of the space (log-scale parameters log-uniform),
//           the same sampling W&B's random search uses
//   bayes4  4 asynchronous workers on a simulated clock (durations U(0.5, 1.5)): each
//           free worker gets Suggest(1, pending = the other running configs)
// bench/bayes_peers.py reads these rows and adds the Python peers and statistics.
//
//   bayes_quality [--problems branin,levy4] [--methods bayes,random] [--seeds 20]
//                 [--first-seed 0] [--budget 100] [--large-raw N] [--large-local N]
// --large-raw/--large-local set BayesOptions::large_raw_samples/large_local_samples (the
// acquisition's candidate counts once the model holds more than 300 points). --trace 1
// prints every sequential bayes trial to stderr: problem,seed,trial,value,best so far.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <queue>
#include <set>
#include <sstream>
#include <string>

#include "bench/bayes_problems.h"
#include "search/bayes/bayes_search.h"
#include "search/bayes/rng.h"
#include "search/bayes/unit_cube.h"
#include "search/strategy.h"

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

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  return out;
}

struct RunResult {
  double best50 = INFINITY, best = INFINITY, ask_seconds = 0;
  int duplicates = 0;
};

RunResult Run(const bench::Problem& prob, const std::string& method, uint64_t seed, int budget,
              const BayesOptions& bayes, bool trace) {
  RunResult r;
  std::set<std::string> keys;
  auto record = [&](int count, double v) {
    r.best = std::min(r.best, v);
    if (count <= 50) r.best50 = std::min(r.best50, v);
  };
  auto note = [&](const Config& c) {
    if (!keys.insert(ConfigKey(c)).second) ++r.duplicates;
  };
  if (method == "random") {
    UnitCube cube(prob.space);
    BayesRng rng(BayesRng::Mix(seed, 0xBA5E));
    for (int i = 1; i <= budget; ++i) {
      Eigen::VectorXd u(cube.ParamDims());
      for (auto& v : u) v = rng.Uniform();
      record(i, prob.f(cube.Decode(cube.FromParamUnit(u))));
    }
    return r;
  }
  StrategyOptions opt;
  opt.seed = seed;
  opt.has_metric = true;
  // What MakeStrategy("bayes") builds for a single objective, with the bench's options.
  BayesSearch s(prob.space, opt, bayes);
  double ask_total = 0;
  auto ask = [&](const std::vector<Config>& pending) {
    auto t0 = std::chrono::steady_clock::now();
    std::vector<Config> c = s.Suggest(1, pending);
    ask_total += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (c.empty()) {
      std::fprintf(stderr, "no suggestion\n");
      std::exit(1);
    }
    note(c[0]);
    return c[0];
  };
  if (method == "bayes") {
    for (int i = 1; i <= budget; ++i) {
      Config c = ask({});
      double v = prob.f(c);
      s.Observe(Obs(static_cast<uint64_t>(i - 1), c, Outcome::kFinished, v));
      record(i, v);
      if (trace)
        std::fprintf(stderr, "%s,%llu,%d,%.10g,%.10g\n", prob.name.c_str(),
                     static_cast<unsigned long long>(seed), i, v, r.best);
    }
  } else {  // bayes4
    BayesRng clock_rng(BayesRng::Mix(seed, 0xC10C));
    struct Running {
      double end;
      uint64_t trial;
      Config config;
      bool operator>(const Running& o) const { return end > o.end; }
    };
    std::vector<Running> running;
    uint64_t next_trial = 0;
    double now = 0;
    int done = 0;
    auto launch = [&]() {
      std::vector<Config> pending;
      for (const Running& q : running) pending.push_back(q.config);
      Config c = ask(pending);
      running.push_back({now + 0.5 + clock_rng.Uniform(), next_trial++, c});
    };
    for (int w = 0; w < 4; ++w) launch();
    while (done < budget) {
      auto it = std::min_element(running.begin(), running.end(),
                                 [](const Running& a, const Running& b) { return a.end < b.end; });
      Running fin = *it;
      running.erase(it);
      now = fin.end;
      double v = prob.f(fin.config);
      s.Observe(Obs(fin.trial, fin.config, Outcome::kFinished, v));
      record(++done, v);
      if (static_cast<int>(next_trial) < budget) launch();
    }
  }
  r.ask_seconds = ask_total / budget;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::string problems =
      "branin,hartmann6,rosenbrock4,ackley5,levy4,mixed,rastrigin5,schwefel5,michalewicz5";
  std::string methods = "bayes,random";
  int seeds = 20, first_seed = 0, budget = 100;
  BayesOptions bayes;
  bool trace = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--problems")
      problems = v;
    else if (k == "--methods")
      methods = v;
    else if (k == "--seeds")
      seeds = std::stoi(v);
    else if (k == "--first-seed")
      first_seed = std::stoi(v);
    else if (k == "--budget")
      budget = std::stoi(v);
    else if (k == "--trace")
      trace = v == "1";
    else if (k == "--large-raw")
      bayes.large_raw_samples = std::stoi(v);
    else if (k == "--large-local")
      bayes.large_local_samples = std::stoi(v);
  }
  std::vector<bench::Problem> all = bench::AllProblems();
  std::printf("problem,method,seed,best50,best%d,ask_s,duplicates\n", budget);
  for (const std::string& pname : Split(problems)) {
    const bench::Problem* prob = nullptr;
    for (const auto& p : all)
      if (p.name == pname) prob = &p;
    if (!prob) {
      std::fprintf(stderr, "unknown problem %s\n", pname.c_str());
      return 2;
    }
    for (const std::string& m : Split(methods))
      for (int seed = first_seed; seed < first_seed + seeds; ++seed) {
        RunResult r = Run(*prob, m, static_cast<uint64_t>(seed), budget, bayes, trace);
        std::printf("%s,%s,%d,%.10g,%.10g,%.4g,%d\n", pname.c_str(), m.c_str(), seed, r.best50,
                    r.best, r.ask_seconds, r.duplicates);
        std::fflush(stdout);
      }
  }
  return 0;
}
