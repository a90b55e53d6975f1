// One table of what each W&B distribution is: its name, family, whether it is
// quantized (takes `q`), how its bounds are read and the scale it samples on.
//
// The spec parser (which keys a form allows, which bounds must be positive), the
// sampler (q rounding) and the search-space description all ask this table instead
// of keeping their own switch statements, so adding a distribution is one row.
#pragma once

#include <string_view>

#include "search/search_space.h"

namespace sweep {

// The keys a distribution is parameterised by.
enum class DistributionFamily {
  kConstant,     // value
  kCategorical,  // values, probabilities
  kBounded,      // min, max (uniform, int_uniform and the log/inv-log forms)
  kNormal,       // mu, sigma (normal, log_normal and their q forms)
  kBeta,         // a, b
};

// How `min`/`max` of a bounded distribution are read.
enum class BoundsKind {
  kNone,         // not a bounded distribution
  kPlain,        // the sampled range itself (uniform, int_uniform, q_uniform)
  kLog,          // natural logs of the range (log_uniform, inv_log_uniform, q_log_uniform)
  kRawPositive,  // raw values that must be > 0 (the *_values forms)
};

struct DistributionTraits {
  Distribution distribution;
  std::string_view name;  // the W&B spelling, e.g. "q_log_uniform_values"
  DistributionFamily family;
  bool quantized;  // takes `q`; drawn values are rounded to multiples of it
  BoundsKind bounds;
  std::string_view scale;  // "none", "linear", "log" or "inv_log" (search-space description)
};

// The row of `d`; every Distribution has one.
const DistributionTraits& TraitsOf(Distribution d);
// Every row, in the order W&B's documentation lists them.
const DistributionTraits* AllDistributionTraits(size_t* count);

// Shorthands over TraitsOf(d).
inline bool IsQForm(Distribution d) { return TraitsOf(d).quantized; }
inline bool IsBounded(Distribution d) { return TraitsOf(d).family == DistributionFamily::kBounded; }
inline bool IsNormalFamily(Distribution d) {
  return TraitsOf(d).family == DistributionFamily::kNormal;
}
inline bool IsBeta(Distribution d) { return TraitsOf(d).family == DistributionFamily::kBeta; }

}  // namespace sweep
