// The "bayes" search strategy: Gaussian-process Bayesian optimisation with log expected
// improvement, registered under that name from a static initialiser.
//
// Lifecycle: the first InitialDesignSize(d, budget) suggestions come from a scrambled Sobol'
// design; after that (once at least two trials have a value) each Suggest fits the GP
// to every observation (outputs signed so that larger is better, standardized and
// Yeo-Johnson warped), maximises log EI and returns the best unseen configuration.
// A finite space of at most kEnumerateAcquisitionLimit configurations is scored
// outright on its lattice; when the best log EI left is negligible (EiIsFlat: plateaus,
// quantized scores, an over-confident model) and the best value has not improved for
// kStallObservations observations, the suggestion is the unseen point farthest from
// all evaluated ones instead (exploration.h). An evaluated configuration is never
// proposed again.
// A conditional space with top-level branches (branches.h) gives every branch an
// exploration budget and turns to the least-tried branch once the best has stalled.
// A warm start's prior (Replay before the first ask) is history like any other: it
// counts toward the initial design and the branch budgets (branches.h), so the sweep
// continues from it rather than starting a new design.
// Running trials enter as "kriging believer" fantasies (their posterior mean), refitted
// after each pick, so a batch or N asynchronous workers never get the same point.
// Without a metric (has_metric false) nothing can be modelled: the strategy keeps
// walking the Sobol' sequence, a space-filling replacement for random search.
// Every suggestion satisfies the space's `where:` (candidates it rejects are skipped).
// Multi-objective or constrained sweeps get MultiObjectiveBayes (mo_bayes_search.h)
// from the same registered name.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "search/bayes/branches.h"
#include "search/bayes/gp.h"
#include "search/bayes/unit_cube.h"
#include "search/strategy.h"

namespace sweep {

struct BayesOptions {
  // Trials fitted exactly. Beyond it the model uses SelectTrainingSubset (the best
  // quarter plus a space-filling sample of the rest) of this size.
  int max_model_points = 1000;
  // Hyperparameters are fitted on a subset of at most this many trials (chosen the
  // same way); the model is then conditioned on up to max_model_points with them.
  int max_fit_points = 100;
  // The acquisition search once the model holds more than 300 points, where scoring
  // each candidate against every point is most of an ask: Sobol' candidates and
  // perturbations of the incumbents (1,024 and 256 below that size). Halved from 512
  // and 256 to keep the 500-trial ask under 100 ms (p95) on a slower machine; 10-D
  // sweeps of 500 trials found level optima either way (bench/RESULTS.md).
  int large_raw_samples = 256;
  int large_local_samples = 128;
  // Override of the initial design size; 0 means InitialDesignSize(parameter count).
  int initial_design = 0;
  // One GP per branch (branches.h) for any conditional space with top-level
  // branches; without it a branch has its own GP only where the branches are disjoint
  // (BranchPlan::Disjoint), and shares the one model otherwise. The branch budgets
  // and the stalled-leader rule apply to every space with branches either way. For
  // the benchmark's bayes_branch and tests.
  bool per_branch = false;
};

class BayesSearch : public SearchStrategy {
 public:
  BayesSearch(const SearchSpace& space, const StrategyOptions& options,
              const BayesOptions& bayes = {});

  // Deterministic for a given seed and history. Returns fewer than n only when a finite
  // space has no unseen configuration left. Synchronous and CPU-bound (tens of ms to
  // ~1 s at 1,000 trials); call from a worker thread, never concurrently with itself.
  std::vector<Config> Suggest(size_t n, const std::vector<Config>& pending) override;
  void Observe(const Observation& obs) override;
  bool Exhausted() const override;
  // A GP fit takes milliseconds to a second: the controller runs it off its loop.
  bool SuggestIsExpensive() const override { return true; }
  void Replay(const std::vector<Observation>& history) override;

 private:
  struct Point {
    uint64_t trial_number;
    Eigen::VectorXd x;
    std::optional<double> y;  // signed so that larger is better; nullopt = impute
    bool failed;
  };

  // Training data (x rows, imputed and signed y); empty when fewer than 2 values.
  bool TrainingData(Eigen::MatrixXd& X, Eigen::VectorXd& y) const;
  // A design point not yet seen, from the Sobol' sequence (counter advanced).
  std::optional<Eigen::VectorXd> NextDesignPoint(const std::set<std::string>& seen);
  // A random unseen point (or, for small finite spaces, an enumerated one).
  std::optional<Eigen::VectorXd> FallbackPoint(const std::set<std::string>& seen, uint64_t salt);
  // Not yet seen, and admitted by the space's `where:`.
  bool Usable(const Eigen::VectorXd& x, const std::set<std::string>& seen) const;

  SearchSpace space_;  // for `where:`
  UnitCube cube_;
  BranchPlan branches_;  // the branch step's plan; empty without top-level branches
  StrategyOptions options_;
  BayesOptions bayes_;
  int design_size_;
  std::vector<Point> points_;
  std::set<std::string> suggested_;  // ConfigKey of every configuration ever suggested
  uint64_t suggest_count_ = 0;       // suggestions made (also after Replay)
  uint64_t design_cursor_ = 0;       // next Sobol' index for the design
  size_t finite_size_ = 0;           // number of configurations when finite and small
};

}  // namespace sweep
