// The "bayes" strategy for multi-objective and constrained sweeps (`metrics:` with two
// or more entries, or `constraints:`): one GP per constrained metric and, for one or two
// objectives, one GP per objective with Monte-Carlo log EHVI times the probability of
// feasibility (mo_acquisition.h). Beyond two objectives, two phases: until 5 d trials
// have been suggested (d parameter dimensions), ParEGO-style: one GP of a random PBI
// scalarisation per call, its posterior mean plus log of that probability maximised
// (mo_parego.h), which brings trials close to the front; from then on, one GP per
// objective (standardized) and the same EHVI with a reference point that ignores the
// front's degenerate extremes (RobustReference), which spreads them along it (with
// constraints the scalarisations continue throughout). On DTLZ2
// EHVI alone was slow to converge and the scalarisations alone slow to spread
// (bench/RESULTS.md, issue 17). Candidates include the incumbents moved to the cube's
// faces, with one or two coordinates moved, and their crossovers.
//
// Lifecycle (as BayesSearch): a scrambled Sobol' initial design of InitialDesignSize(d)
// configurations (d + 1, at least 5, beyond two objectives), then, once two trials
// have values, each Suggest fits every GP
// (hyperparameters from fixed starts, so a resumed sweep continues the same sequence),
// conditions the objective GPs on running trials' posterior means (kriging believer)
// and adds those believed outcomes to the front, maximises the acquisition and returns
// the best configuration not yet seen that `where:` admits; with n > 1 each pick is
// believed before the next. Failed trials follow the sweep's impute (worst/best observed
// value per objective); a trial that never reported a constrained metric counts as
// infeasible unless impute is best, and is left out of that constraint's GP.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "search/bayes/bayes_search.h"
#include "search/bayes/unit_cube.h"
#include "search/strategy.h"

namespace sweep {

class MultiObjectiveBayes : public SearchStrategy {
 public:
  // options.objectives has at least one goal; options.constraints may be empty.
  MultiObjectiveBayes(const SearchSpace& space, const StrategyOptions& options,
                      const BayesOptions& bayes = {});

  // Deterministic for a given seed and history; CPU-bound (see SuggestIsExpensive).
  std::vector<Config> Suggest(size_t n, const std::vector<Config>& pending) override;
  void Observe(const Observation& obs) override;
  bool Exhausted() const override;
  bool SuggestIsExpensive() const override { return true; }
  void Replay(const std::vector<Observation>& history) override;

 private:
  struct Point {
    uint64_t trial_number;
    Eigen::VectorXd x;
    std::vector<std::optional<double>> y;  // per objective, signed to maximise
    std::vector<std::optional<double>> c;  // per constraint, raw
    bool failed;
  };
  struct Models;

  // Fits every GP and fills `models`; false when there is not enough data yet.
  bool Fit(Models& models, uint64_t seed) const;
  // Adds a believed outcome at x (posterior means) to the objective GPs and the front.
  void Believe(Models& models, const Eigen::VectorXd& x) const;
  std::optional<Eigen::VectorXd> DesignPoint(const std::set<std::string>& seen);
  std::optional<Eigen::VectorXd> RandomPoint(const std::set<std::string>& seen, uint64_t salt);
  bool Usable(const Eigen::VectorXd& x, const std::set<std::string>& seen) const;

  SearchSpace space_;
  UnitCube cube_;
  StrategyOptions options_;
  BayesOptions bayes_;
  int design_size_;
  std::vector<Point> points_;
  std::set<std::string> suggested_;
  uint64_t suggest_count_ = 0;
  uint64_t call_start_ = 0;  // suggest_count_ when the current Suggest call began
  uint64_t design_cursor_ = 0;
  size_t finite_size_ = 0;
};

}  // namespace sweep
