// Grid search (method "grid") and the mixed-radix layout of a finite space.
//
// Order: the cartesian product with parameters in spec order (nested parameters
// flattened depth-first where they appear) and the LAST parameter varying fastest, as
// nested for-loops over the parameters in order would. (W&B's own controller sorts
// parameter names alphabetically first; the set of configurations is the same, and the
// spec order is the one the user wrote.) Within a parameter:
//   constant     its one value
//   categorical  values in the order listed; a repeated value (1e-4 and 0.0001, 1 and
//                1.0, true twice) is one grid point, as W&B's yaml_hash makes it
//   int_uniform  every integer min, min + 1, ..., max (both ends included)
//   q_uniform    W&B's numpy.arange(min, max, q): min + i q for i < ceil((max - min) / q)
//                (max itself excluded, as in W&B); int64 when q, min and max are integers
// Configuration i is decoded from i in mixed radix, so a grid of 10^12 points costs no
// memory. Any other distribution is continuous and rejected, naming the parameter;
// categorical probabilities are rejected as W&B does for grid.
//
// Conditional spaces (`when:`, our extension): only live combinations are grid points.
// An index whose inactive parameters are not all at their first value is not a point
// (its configuration is the same as the one with those digits at zero), so the walk
// skips it, jumping over whole blocks when an inactive parameter's parents all come
// before it; sizes count live combinations exactly (sgd x its momentum grid + adam x
// its beta2 grid, not their product).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/status.h"
#include "base/value.h"
#include "search/search_space.h"
#include "search/strategy.h"

namespace sweep {

// The mixed-radix layout of a space whose parameters each take finitely many values.
// Holds a copy of the space; immutable after Build, so safe to share across threads.
class DiscreteGrid {
 public:
  enum class Mode {
    kGrid,    // what "grid" enumerates (see the file comment)
    kRandom,  // what "random" can draw from a finite space: constant, categorical
              // (values with probability 0 left out), int_uniform
  };

  // The layout, or a kInvalidSpec error naming every parameter that does not fit
  // `mode` (one line each, with its spec location when known).
  static Result<DiscreteGrid> Build(const SearchSpace& space, Mode mode);

  // Number of configurations (live ones in a conditional space); saturates at
  // UINT64_MAX (see Saturated()).
  uint64_t Size() const { return size_; }
  // One past the largest index Decode accepts: the product of the radices (saturated).
  // Equals Size() unless the space is conditional.
  uint64_t IndexLimit() const { return limit_; }
  // The smallest index >= `index` that is a configuration (see the file comment on
  // conditional spaces), or IndexLimit() when there is none.
  uint64_t NextLive(uint64_t index) const;
  // True when the true product exceeds 2^64 - 1: indices below UINT64_MAX still decode,
  // but the grid can never be walked to its end.
  bool Saturated() const { return saturated_; }
  // The exact number of configurations in decimal, also when Saturated() (e.g.
  // "100000000000000000000" for ten parameters of 100 values).
  std::string ExactSizeText() const;
  // Number of values of parameter `param` (its radix).
  uint64_t Radix(size_t param) const { return axes_[param].radix; }

  // Configuration `index` (< IndexLimit()) in the order of the file comment, inactive
  // parameters null.
  Config Decode(uint64_t index) const;
  // Inverse of Decode: nullopt when the config has the wrong length, a value outside
  // the layout, or an index past UINT64_MAX. Constants are not compared (W&B's grid
  // de-duplication ignores them too); numbers compare by value (3 == 3.0). Inactive
  // parameters are not compared either: they encode as their first value.
  std::optional<uint64_t> Encode(const Config& config) const;

 private:
  struct Axis {
    enum class Kind { kFixed, kList, kIntRange, kArange } kind = Kind::kFixed;
    uint64_t radix = 1;
    std::vector<size_t> allowed;  // kList: indices into Parameter::values
    int64_t int_min = 0;          // kIntRange
    double start = 0, step = 1;   // kArange
    bool integer = false;         // kArange: values are int64
  };
  Value ValueAt(size_t param, uint64_t digit) const;
  std::optional<uint64_t> DigitOf(size_t param, const Value& v) const;
  // The mixed-radix digits of `index`, and their configuration before Deactivate.
  std::vector<uint64_t> Digits(uint64_t index) const;
  // Conditional spaces: strides, jumpability and the exact live count.
  void LayOutConditions();

  SearchSpace space_;
  std::vector<Axis> axes_;
  uint64_t size_ = 1;
  uint64_t limit_ = 1;
  bool saturated_ = false;
  bool conditional_ = false;
  std::vector<unsigned __int128> stride_;  // product of the radices after each axis (capped)
  std::vector<bool> jumpable_;             // every ancestor of the axis comes before it
  std::optional<unsigned __int128> live_;  // exact live count, when it was countable
};

// Grid search. Suggests each configuration exactly once, in grid order, skipping any
// that is pending or was replayed from the store or that `where:` rejects; Exhausted() once every
// one has been suggested. Observe() is a no-op: a grid does not learn. Single-threaded use.
class GridSearch : public SearchStrategy {
 public:
  explicit GridSearch(DiscreteGrid grid) : grid_(std::move(grid)) {}

  // The registered factory: a kInvalidSpec error naming each continuous parameter.
  static Result<std::unique_ptr<SearchStrategy>> Make(const SearchSpace& space,
                                                      const StrategyOptions& options);

  std::vector<Config> Suggest(size_t n, const std::vector<Config>& pending) override;
  void Observe(const Observation&) override {}
  bool LearnsFromResults() const override { return false; }
  bool Exhausted() const override { return next_ >= grid_.IndexLimit(); }
  // Marks every configuration in `history` (any outcome) as already suggested.
  void Replay(const std::vector<Observation>& history) override;
  // The product of the radices (saturated at UINT64_MAX, see DiscreteGrid).
  // With `where:`, the number of admitted points when the grid has at most kCountLimit.
  std::optional<uint64_t> SpaceSize() const override {
    if (space_.where) return admitted_;
    return grid_.Size();
  }

  // Grids up to this size are walked once to count the points `where` admits.
  static constexpr uint64_t kCountLimit = 1000000;

 private:
  void Mark(const Config& config);
  void SkipTaken();

  DiscreteGrid grid_;
  SearchSpace space_;                   // for `where:` (Admits)
  std::optional<uint64_t> admitted_;    // points `where` admits, when counted
  uint64_t next_ = 0;                   // every index below it has been suggested
  std::unordered_set<uint64_t> ahead_;  // suggested indices >= next_ (out of order)
};

}  // namespace sweep
