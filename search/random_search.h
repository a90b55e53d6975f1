// Random search (method "random"): every parameter drawn independently with its W&B
// distribution (search/sampling.h).
//
// Reproducibility: configuration k of a sweep is drawn from Rng::ForStream(seed, k)
// (seed = StrategyOptions::seed), so it is a pure function of (seed, k) on any machine,
// and a resumed sweep continues the same sequence: Replay() sets k to the number of
// configurations ever suggested.
//
// Finite spaces (every parameter constant, categorical or int_uniform): a draw equal to
// a configuration already suggested or pending is re-drawn from the continuation of the
// same stream, up to kMaxRedraws times; if all collide (a nearly used-up space), the
// first free configuration in grid order at or after a random index is taken, wrapping
// around. So no configuration is suggested twice, Exhausted() becomes true once all
// have been, and the sequence stays a deterministic function of (seed, history).
// Categorical values with probability 0 are never drawn and do not count towards the
// space. Infinite spaces are never exhausted and keep no per-trial state.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_set>
#include <vector>

#include "search/grid_search.h"
#include "search/rng.h"
#include "search/search_space.h"
#include "search/strategy.h"

namespace sweep {

class RandomSearch : public SearchStrategy {
 public:
  // Re-draws of a colliding configuration before falling back to a scan.
  static constexpr int kMaxRedraws = 64;
  // Draws per configuration that `where:` may reject before the strategy gives up and
  // reports itself exhausted (the spec check has already refused a region no draw of
  // a sample hits, so this only ends sweeps whose feasible region is vanishingly small).
  static constexpr int kMaxWhereDraws = 100000;

  // Keeps a copy of `space`. Never fails for a validated space.
  RandomSearch(const SearchSpace& space, const StrategyOptions& options);

  // The registered factory.
  static Result<std::unique_ptr<SearchStrategy>> Make(const SearchSpace& space,
                                                      const StrategyOptions& options);

  // The first draw for configuration k, before any de-duplication: one SampleValue per
  // parameter, in space order, from Rng::ForStream(seed, k).
  static Config Draw(const SearchSpace& space, uint64_t seed, uint64_t k);

  std::vector<Config> Suggest(size_t n, const std::vector<Config>& pending) override;
  void Observe(const Observation&) override {}
  bool LearnsFromResults() const override { return false; }
  bool Exhausted() const override;
  // Sets k = history.size() and, for a finite space, marks every config in it as taken.
  void Replay(const std::vector<Observation>& history) override;
  // The number of drawable configurations of a finite space; nullopt otherwise.
  std::optional<uint64_t> SpaceSize() const override;

  // Number of configurations suggested so far (the next k).
  uint64_t suggested() const { return k_; }

 private:
  // Configuration k, or nullopt when `where:` rejected kMaxWhereDraws draws.
  std::optional<Config> DrawFresh(uint64_t k);
  void Mark(const Config& config);

  SearchSpace space_;
  uint64_t seed_;
  uint64_t k_ = 0;
  std::optional<DiscreteGrid> finite_;  // set when the space is finite and countable
  std::unordered_set<uint64_t> taken_;  // finite spaces: suggested or pending indices
  bool where_gave_up_ = false;          // `where:` rejected every draw of one config
};

}  // namespace sweep
