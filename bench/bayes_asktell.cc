// Ask/tell driver of the sweep strategies for benchmarks written in other languages
// (bench/tuning_suite/): the real strategy, driven over stdin/stdout JSON lines.
//
//   bayes_asktell SPEC_FILE [--seed N] [--method bayes|random]
//
// SPEC_FILE is a sweep spec (YAML or JSON) parsed by the same parser as `sweep launch`,
// so the space and metric goal are exactly what a user would get; --method overrides
// the spec's method; its run_cap reaches the strategy as StrategyOptions::budget. Then, repeatedly:
// the driver prints one line, a JSON object of parameter name -> value (one suggestion), and reads
// one line back, the trial's value as a JSON number, or null / "failed" for a failed trial. EOF on
// stdin ends the run. When the strategy has nothing left (a finite space exhausted) it prints
// {"exhausted": true} and exits 0. Errors go to stderr with exit code 2.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "orchestrator/spec/spec_parser.h"
#include "search/strategy.h"

using namespace sweep;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bayes_asktell SPEC_FILE [--seed N] [--method NAME]\n");
    return 2;
  }
  std::string path = argv[1], method;
  uint64_t seed = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--seed") {
      char* end = nullptr;
      seed = std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0') {
        std::fprintf(stderr, "bayes_asktell: --seed wants a non-negative integer, got %s\n",
                     v.c_str());
        return 2;
      }
    } else if (k == "--method") {
      method = v;
    } else {
      std::fprintf(stderr, "bayes_asktell: unknown option %s\n", k.c_str());
      return 2;
    }
  }
  auto spec = ParseSpecFile(path);
  if (!spec.ok()) {
    std::fprintf(stderr, "%s\n", spec.status().message().c_str());
    return 2;
  }
  StrategyOptions options;
  options.seed = seed;
  options.goal = spec->metric.goal;
  options.impute = spec->metric.impute;
  options.has_metric = !spec->metric.name.empty();
  // The spec's run_cap is the budget the strategy may plan for, as in a launched sweep.
  options.budget = spec->run_cap;
  auto strategy = MakeStrategy(method.empty() ? spec->method : method, spec->space, options);
  if (!strategy.ok()) {
    std::fprintf(stderr, "%s\n", strategy.status().message().c_str());
    return 2;
  }
  SearchStrategy& s = **strategy;
  std::ios::sync_with_stdio(false);
  for (uint64_t trial = 0;; ++trial) {
    std::vector<Config> batch = s.Suggest(1, {});
    if (batch.empty()) {
      std::cout << "{\"exhausted\": true}" << std::endl;
      return 0;
    }
    Value out = Value::object();
    for (size_t i = 0; i < spec->space.params.size(); ++i)
      out[spec->space.params[i].name] = batch[0][i];
    std::cout << out.dump() << std::endl;
    std::string line;
    if (!std::getline(std::cin, line)) return 0;
    Value reply = Value::parse(line, nullptr, /*allow_exceptions=*/false);
    Observation obs;
    obs.trial_number = trial;
    obs.config = batch[0];
    if (reply.is_number() && std::isfinite(reply.get<double>())) {
      obs.value = reply.get<double>();
    } else {
      obs.outcome = Outcome::kFailed;
    }
    s.Observe(obs);
  }
}
