// Parameter activity for conditional spaces (`when:` on a parameter, our extension).
//
// A parameter is live when each clause of its `when:` holds, i.e. its parent is live
// and takes one of the clause's values. Parents may be conditional themselves; the
// spec parser has refused cycles, so the recursion below terminates. Activity is
// computed from the parents' values only, which lets the strategies decide it for a
// half-built configuration (grid digits, unit-cube points) as well as a finished one.
// The canonical configuration holds null in every inactive slot; ToFlat/ToNested leave
// those parameters out, so they never reach argv, $SWEEP_PARAMS or the store.
#include <cstdint>

#include "search/search_space.h"

namespace sweep {
namespace {

// 1 == 1.0 as YAML numbers; everything else by JSON equality.
bool SameValue(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number() && !a.is_boolean() && !b.is_boolean())
    return a.get<double>() == b.get<double>();
  return a == b;
}

// 0 = not computed, 1 = inactive, 2 = active.
bool Live(const SearchSpace& space, const Config& config, size_t i, std::vector<uint8_t>& memo,
          size_t depth) {
  if (memo[i]) return memo[i] == 2;
  bool live = true;
  // depth guards against a cycle that slipped past validation (a hand-built space).
  if (depth > space.params.size()) return false;
  for (const Condition& c : space.params[i].when) {
    if (c.parent_index < 0 || static_cast<size_t>(c.parent_index) >= space.params.size() ||
        static_cast<size_t>(c.parent_index) >= config.size()) {
      live = false;
      break;
    }
    const size_t parent = static_cast<size_t>(c.parent_index);
    if (!Live(space, config, parent, memo, depth + 1)) {
      live = false;
      break;
    }
    bool match = false;
    for (const Value& v : c.values) match = match || SameValue(config[parent], v);
    if (!match) {
      live = false;
      break;
    }
  }
  memo[i] = live ? 2 : 1;
  return live;
}

}  // namespace

bool SearchSpace::Conditional() const {
  for (const Parameter& p : params)
    if (!p.when.empty()) return true;
  return false;
}

std::vector<bool> SearchSpace::ActiveMask(const Config& config) const {
  std::vector<bool> mask(params.size(), true);
  if (!Conditional()) return mask;
  std::vector<uint8_t> memo(params.size(), 0);
  for (size_t i = 0; i < params.size(); ++i) mask[i] = Live(*this, config, i, memo, 0);
  return mask;
}

void SearchSpace::Deactivate(Config& config) const {
  if (!Conditional()) return;
  const std::vector<bool> mask = ActiveMask(config);
  for (size_t i = 0; i < config.size() && i < mask.size(); ++i)
    if (!mask[i]) config[i] = Value();
}

}  // namespace sweep
