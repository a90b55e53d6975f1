// The ask/tell interface every search method implements, and the registry that
// builds one by name ("grid", "random", "bayes", ...).
//
// Strategies never run trials: the controller asks for configurations, runs them,
// and tells the strategy what came back. All calls come from one thread (the
// controller's event loop); a strategy that does heavy work (fitting a GP) may be
// called on a worker thread, but never concurrently with itself.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/value.h"
#include "search/search_space.h"

namespace sweep {

enum class Goal { kMinimize, kMaximize };

// How a trial ended, as far as a strategy cares.
enum class Outcome {
  kRunning,   // only in Replay(): suggested and not yet ended (treat as pending)
  kFinished,  // ran to the end; value is its summary metric (if it reported one)
  kFailed,    // crashed or timed out; W&B's impute applies
  kStopped,   // stopped early by an early-termination rule; value = last seen
  kLost,      // its agent vanished; it will be re-run with the same config
};

// W&B's metric.impute: what a failed trial (or one with no value) counts as.
enum class Impute { kWorst, kBest, kLatest };

struct Observation {
  uint64_t trial_number = 0;  // 0-based order of suggestion within the sweep
  Config config;
  Outcome outcome = Outcome::kFinished;
  std::optional<double> value;  // summary value of the target metric, raw sign
  // Multi-objective sweeps only (StrategyOptions::objectives has >= 2 entries or there
  // are constraints): the summary of each objective, in `metrics:` order, and of each
  // constrained metric, in `constraints:` order, raw sign; nullopt = never reported.
  // Empty for single-objective sweeps, whose code paths read `value` alone.
  std::vector<std::optional<double>> values;
  std::vector<std::optional<double>> constraint_values;
};

// A bound on a metric (spec `constraints:`): a trial is feasible when min <= value <= max.
struct MetricBound {
  std::optional<double> min;
  std::optional<double> max;
  // True when v lies within the bounds (NaN never does).
  bool Holds(double v) const { return v == v && (!min || v >= *min) && (!max || v <= *max); }
};

struct StrategyOptions {
  uint64_t seed = 0;               // the same seed gives the same suggestions
  Goal goal = Goal::kMinimize;     // direction of the target metric
  Impute impute = Impute::kWorst;  // failed/stopped trials without a value
  bool has_metric = false;         // false when the spec names no metric
  // How many trials the sweep plans to run (the spec's run_cap, or the smaller of it and
  // --max-trials), when known. A strategy may size its start-up phase by it (bayes:
  // InitialDesignSize); nullopt = open-ended, which must give the same behaviour as before.
  std::optional<uint64_t> budget;
  // Goals of a multi-objective sweep (`metrics:`), in spec order; empty for a sweep with
  // one `metric`. When non-empty, `goal` is objectives[0].
  std::vector<Goal> objectives;
  // Bounds of the constrained metrics (`constraints:`), in spec order.
  std::vector<MetricBound> constraints;

  // True when observations carry `values` / `constraint_values`.
  bool MultiObjective() const { return objectives.size() >= 2 || !constraints.empty(); }
};

class SearchStrategy {
 public:
  virtual ~SearchStrategy() = default;

  // Up to n new configurations, none equal to a pending one (running trials) nor,
  // for finite spaces, to one already suggested. Fewer than n (maybe none) when the
  // strategy is exhausted or must wait for results.
  virtual std::vector<Config> Suggest(size_t n, const std::vector<Config>& pending) = 0;

  // A trial ended. Called once per trial end, in any order.
  virtual void Observe(const Observation& obs) = 0;

  // True when no configuration will ever be suggested again (grid done).
  virtual bool Exhausted() const = 0;

  // Rebuilds state after a restart from every trial ever suggested, in suggestion
  // order (running ones with Outcome::kRunning). Called once, before any Suggest.
  // The default observes each ended trial; strategies with counters override it so
  // that a resumed sweep continues the same sequence.
  virtual void Replay(const std::vector<Observation>& history);

  // True when Suggest may take long (fitting a model): the controller then calls it
  // on a worker thread, never concurrently with another call.
  virtual bool SuggestIsExpensive() const { return false; }

  // False when Observe changes nothing that Suggest returns (grid, random): the
  // controller may then start a freed slot's next trial before the previous trial's
  // end is committed, taking the commit off the path from one trial to the next.
  virtual bool LearnsFromResults() const { return true; }

  // Number of configurations in a finite space (grid), or nullopt.
  virtual std::optional<uint64_t> SpaceSize() const { return std::nullopt; }
};

using StrategyFactory = std::function<Result<std::unique_ptr<SearchStrategy>>(
    const SearchSpace& space, const StrategyOptions& options)>;

// Registers a factory under a method name; returns true so it can initialise a static.
bool RegisterStrategy(const std::string& name, StrategyFactory factory);

// Builds the named strategy; kInvalidSpec error naming the known methods otherwise.
Result<std::unique_ptr<SearchStrategy>> MakeStrategy(const std::string& name,
                                                     const SearchSpace& space,
                                                     const StrategyOptions& options);

// Names of every registered method, sorted.
std::vector<std::string> StrategyNames();

}  // namespace sweep
