// Conditional-space and warm-start benchmark (issue 18) for the "bayes" and "random"
// strategies; bench/conditional_optuna.py runs Optuna's TPE on the same problems and
// bench/run_conditional_bench.sh puts them side by side.
//
// For each problem (bench/conditional_problems.h), method and seed it prints one CSV
// row: problem,method,seed,best40,best100,ask_ms (mean milliseconds per ask).
//   bayes, random  sequential: Suggest(1), evaluate, Observe; best after 40 and 100
//   bayes_branch   the same with BayesOptions::per_branch (search/bayes/branches.h)
//   warm           the warm-start check: an earlier bayes sweep (seed + 1000) of 30
//                  trials is replayed into a new bayes sweep (seed) exactly as `sweep
//                  launch --warm-start` does (SearchStrategy::Replay, trial numbers from
//                  2^62), which then runs 10 trials; best40 = best of all 40, best100 =
//                  best of the 10 new ones. Compare best40 with bayes' best40 (cold 40).
//   resume         the same with the sweep's own first 30 trials (same seed, same trial
//                  numbers): a continuation, so best40 must equal bayes' best40 to the
//                  digit; it shows that replayed trials lose nothing against run ones.
// Every suggestion is checked to be canonical (inactive parameters null); a violation
// aborts the run with exit code 3. With --trace 1 every evaluation is also written to
// stderr as trace,problem,method,seed,i,value,root (root = the first parameter's value,
// the branch on these problems), to see which branch a method spends its trials on.
//
//   conditional_bench [--problems optim3,depth3] [--methods bayes,random,warm,resume]
//                     [--seeds 10] [--first-seed 0] [--budget 100] [--trace 0|1]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>

#include "bench/conditional_problems.h"
#include "search/bayes/bayes_search.h"
#include "search/strategy.h"

using namespace sweep;

namespace {

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  return out;
}

struct Trace {
  std::vector<double> values;  // objective of each evaluation, in order
  std::vector<Observation> observations;
  double ask_seconds = 0;
};

bool g_trace = false;
std::string g_trace_tag;  // problem,method,seed of the run being traced

// Runs `n` sequential evaluations of `strategy` on `prob`.
void Evaluate(SearchStrategy& strategy, const bench::CondProblem& prob, int n, uint64_t first,
              Trace& t) {
  for (int i = 0; i < n; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<Config> got = strategy.Suggest(1, {});
    t.ask_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (got.empty()) break;
    const std::vector<bool> live = prob.space.ActiveMask(got[0]);
    for (size_t k = 0; k < live.size(); ++k)
      if (live[k] == got[0][k].is_null()) {
        std::fprintf(stderr, "%s: parameter %s is %s but %s\n", prob.name.c_str(),
                     prob.space.params[k].name.c_str(), live[k] ? "live" : "inactive",
                     live[k] ? "null" : "set");
        std::exit(3);
      }
    const double y = prob.f(prob.space.ToFlat(got[0]));
    Observation obs;
    obs.trial_number = first + static_cast<uint64_t>(i);
    obs.config = got[0];
    obs.value = y;
    strategy.Observe(obs);
    t.values.push_back(y);
    t.observations.push_back(obs);
    if (g_trace)
      std::fprintf(stderr, "trace,%s,%llu,%.6g,%s\n", g_trace_tag.c_str(),
                   static_cast<unsigned long long>(obs.trial_number), y, got[0][0].dump().c_str());
  }
}

double BestOf(const std::vector<double>& v, size_t from, size_t to) {
  double best = INFINITY;
  for (size_t i = from; i < to && i < v.size(); ++i) best = std::min(best, v[i]);
  return best;
}

std::unique_ptr<SearchStrategy> Make(const std::string& method, const SearchSpace& space,
                                     uint64_t seed) {
  StrategyOptions o;
  o.seed = seed;
  o.has_metric = true;
  if (method == "bayes_branch") {  // the experimental per-branch acquisition
    BayesOptions b;
    b.per_branch = true;
    return std::make_unique<BayesSearch>(space, o, b);
  }
  auto s = MakeStrategy(method, space, o);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.status().message().c_str());
    std::exit(2);
  }
  return std::move(s).value();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> problems = {"optim3", "depth3", "branin_hart"};
  std::vector<std::string> methods = {"bayes", "random", "warm"};
  int seeds = 10, budget = 100;
  uint64_t first_seed = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--problems")
      problems = Split(v);
    else if (a == "--methods")
      methods = Split(v);
    else if (a == "--seeds")
      seeds = std::atoi(v.c_str());
    else if (a == "--first-seed")
      first_seed = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--budget")
      budget = std::atoi(v.c_str());
    else if (a == "--trace")
      g_trace = v == "1";
  }
  std::printf("problem,method,seed,best40,best100,ask_ms\n");
  for (const bench::CondProblem& prob : bench::AllCondProblems()) {
    if (std::find(problems.begin(), problems.end(), prob.name) == problems.end()) continue;
    for (const std::string& method : methods) {
      for (uint64_t seed = first_seed; seed < first_seed + static_cast<uint64_t>(seeds); ++seed) {
        Trace t;
        g_trace_tag = prob.name + "," + method + "," + std::to_string(seed);
        if (method == "warm" || method == "resume") {
          const bool resume = method == "resume";
          Trace prior;
          auto earlier = Make("bayes", prob.space, resume ? seed : seed + 1000);
          Evaluate(*earlier, prob, 30, 0, prior);
          auto fresh = Make("bayes", prob.space, seed);
          std::vector<Observation> replay = prior.observations;
          if (!resume)
            for (size_t j = 0; j < replay.size(); ++j) replay[j].trial_number = (1ull << 62) + j;
          fresh->Replay(replay);
          Evaluate(*fresh, prob, 10, resume ? 30 : 0, t);
          const double best_new = BestOf(t.values, 0, t.values.size());
          const double best_all = std::min(best_new, BestOf(prior.values, 0, prior.values.size()));
          std::printf("%s,%s,%llu,%.6g,%.6g,%.3f\n", prob.name.c_str(), method.c_str(),
                      static_cast<unsigned long long>(seed), best_all, best_new,
                      1000 * t.ask_seconds / std::max<size_t>(1, t.values.size()));
        } else {
          auto s = Make(method, prob.space, seed);
          Evaluate(*s, prob, budget, 0, t);
          std::printf("%s,%s,%llu,%.6g,%.6g,%.3f\n", prob.name.c_str(), method.c_str(),
                      static_cast<unsigned long long>(seed), BestOf(t.values, 0, 40),
                      BestOf(t.values, 0, static_cast<size_t>(budget)),
                      1000 * t.ask_seconds / std::max<size_t>(1, t.values.size()));
        }
        std::fflush(stdout);
      }
    }
  }
  return 0;
}
