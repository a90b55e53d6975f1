// The distribution table. Rows follow W&B's documentation order; the enum values
// index the table (checked once, on first use), so TraitsOf is one array access.
#include "search/distribution_traits.h"

#include <array>
#include <cstdlib>

namespace sweep {
namespace {

using F = DistributionFamily;
using B = BoundsKind;

constexpr std::array<DistributionTraits, 17> kTraits = {{
    {Distribution::kConstant, "constant", F::kConstant, false, B::kNone, "none"},
    {Distribution::kCategorical, "categorical", F::kCategorical, false, B::kNone, "none"},
    {Distribution::kIntUniform, "int_uniform", F::kBounded, false, B::kPlain, "linear"},
    {Distribution::kUniform, "uniform", F::kBounded, false, B::kPlain, "linear"},
    {Distribution::kQUniform, "q_uniform", F::kBounded, true, B::kPlain, "linear"},
    {Distribution::kLogUniform, "log_uniform", F::kBounded, false, B::kLog, "log"},
    {Distribution::kLogUniformValues, "log_uniform_values", F::kBounded, false, B::kRawPositive,
     "log"},
    {Distribution::kQLogUniform, "q_log_uniform", F::kBounded, true, B::kLog, "log"},
    {Distribution::kQLogUniformValues, "q_log_uniform_values", F::kBounded, true, B::kRawPositive,
     "log"},
    {Distribution::kInvLogUniform, "inv_log_uniform", F::kBounded, false, B::kLog, "inv_log"},
    {Distribution::kInvLogUniformValues, "inv_log_uniform_values", F::kBounded, false,
     B::kRawPositive, "inv_log"},
    {Distribution::kNormal, "normal", F::kNormal, false, B::kNone, "linear"},
    {Distribution::kQNormal, "q_normal", F::kNormal, true, B::kNone, "linear"},
    {Distribution::kLogNormal, "log_normal", F::kNormal, false, B::kNone, "log"},
    {Distribution::kQLogNormal, "q_log_normal", F::kNormal, true, B::kNone, "log"},
    {Distribution::kBeta, "beta", F::kBeta, false, B::kNone, "linear"},
    {Distribution::kQBeta, "q_beta", F::kBeta, true, B::kNone, "linear"},
}};

constexpr bool RowsMatchEnum() {
  for (size_t i = 0; i < kTraits.size(); ++i)
    if (static_cast<size_t>(kTraits[i].distribution) != i) return false;
  return true;
}
static_assert(RowsMatchEnum(), "kTraits rows must follow the Distribution enum order");

}  // namespace

const DistributionTraits& TraitsOf(Distribution d) {
  size_t i = static_cast<size_t>(d);
  if (i >= kTraits.size()) std::abort();  // not a Distribution value: a memory error upstream
  return kTraits[i];
}

const DistributionTraits* AllDistributionTraits(size_t* count) {
  *count = kTraits.size();
  return kTraits.data();
}

}  // namespace sweep
