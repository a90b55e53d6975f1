// Parameter importance: how much each hyperparameter explains the target metric.
//
// A small random forest (regression trees on bootstrap samples) is fitted from the
// trials' params to the rank of their target value; a parameter's importance is the
// mean increase of out-of-bag squared error when its column is permuted (Breiman
// 2001), clipped at zero and normalised to sum to 1. Ranks rather than raw values keep
// one diverged trial (loss 1e30) from dominating. Numeric parameters that LooksLogScaled, or
// that the caller names as log-scale, are split on log10; categorical values (strings, booleans,
// anything not a number) are ordered by their mean target rank, so one threshold separates good
// from bad categories.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/value.h"

namespace sweep {

struct ImportanceOptions {
  int trees = 64;                    // forest size
  int max_depth = 8;                 // deeper nodes become leaves
  size_t min_leaf = 3;               // fewest rows in a leaf
  size_t max_rows = 2000;            // larger inputs are subsampled (deterministically) to this
  uint64_t seed = 0;                 // same input + same seed = same result
  std::set<std::string> log_params;  // params always split on log10
};

struct ParamImportance {
  std::string name;
  double importance = 0;  // >= 0; all params together sum to 1 (or all 0)
  bool categorical = false;
  bool log_scale = false;
};

// True when positive values look log-distributed: they span two decades or more and
// their median sits below a fifth of the mid-range (a log-uniform sample's median is
// near the geometric mean; a uniform sample's near the middle). Reorders `values`.
bool LooksLogScaled(std::vector<double>& values);

// rows[i] is a flat JSON object of trial i's params; target[i] its finite target
// value (rows without one must be left out by the caller). Sorted by importance,
// highest first, ties by name. Fails with kUsage when fewer than 8 rows or sizes
// differ; a constant target gives every param 0. Pure; O(trees * rows log rows * params).
Result<std::vector<ParamImportance>> ComputeParamImportance(const std::vector<Value>& rows,
                                                            const std::vector<double>& target,
                                                            const ImportanceOptions& options);

}  // namespace sweep
