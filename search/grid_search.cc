// Grid search over a mixed-radix layout.
//
// Each parameter becomes an axis with a radix (its number of values); configuration i
// is i written in mixed radix with the last axis least significant, so nothing is
// materialised and a 10^12-point grid costs a few bytes. The strategy walks i upwards
// from 0. Configurations suggested out of order (pending trials it did not hand out,
// or history replayed after a restart) go into a small set of indices at or above the
// cursor; the cursor skips them and drops them as it passes, so memory stays bounded
// by the out-of-order ones and no configuration is ever suggested twice.
#include "search/grid_search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

namespace sweep {
namespace {

constexpr uint64_t kMaxU64 = std::numeric_limits<uint64_t>::max();

bool IsIntegral(double x) { return std::isfinite(x) && std::floor(x) == x; }

// W&B's grid identity of a value (sweeps' grid_search.yaml_hash): a float with an
// integral value counts as that integer (1.0 is 1, 3e6 is 3000000), everything else
// by its serialised form, so 1e-4 and 0.0001 are one value while "1", 1 and true stay
// three. Inside lists and mappings the types stay apart, as in W&B.
std::string GridIdentity(const Value& v) {
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (IsIntegral(d) && std::fabs(d) < 9.2e18) return Value(static_cast<int64_t>(d)).dump();
  }
  return v.dump();
}

std::string Where(const Parameter& p) { return p.where.Prefix(); }

[[maybe_unused]] const bool kRegistered = RegisterStrategy("grid", &GridSearch::Make);

}  // namespace

Result<DiscreteGrid> DiscreteGrid::Build(const SearchSpace& space, Mode mode) {
  DiscreteGrid g;
  g.space_ = space;
  std::string errors;
  auto fail = [&](const Parameter& p, const std::string& why) {
    if (!errors.empty()) errors += "\n";
    errors += Where(p) + "parameter '" + p.name + "': " + why;
  };
  unsigned __int128 product = 1;
  for (const Parameter& p : space.params) {
    Axis a;
    switch (p.distribution) {
      case Distribution::kConstant:
        break;
      case Distribution::kCategorical:
        a.kind = Axis::Kind::kList;
        if (mode == Mode::kGrid && !p.probabilities.empty()) {
          fail(p, "grid search cannot honour categorical probabilities; remove them");
          break;
        }
        if (mode == Mode::kGrid) {
          // Repeated values run once, at the first one's place; like W&B's hash lookup,
          // the value handed to the trial is the last spelling (1 then 1.0 gives 1.0).
          std::map<std::string, size_t> slot;
          for (size_t i = 0; i < p.values.size(); ++i) {
            auto [it, fresh] = slot.emplace(GridIdentity(p.values[i]), a.allowed.size());
            if (fresh)
              a.allowed.push_back(i);
            else
              a.allowed[it->second] = i;
          }
        } else {
          for (size_t i = 0; i < p.values.size(); ++i)
            if (p.probabilities.size() != p.values.size() || p.probabilities[i] > 0)
              a.allowed.push_back(i);
        }
        a.radix = a.allowed.size();
        if (a.radix == 0) fail(p, "has no values");
        break;
      case Distribution::kIntUniform: {
        a.kind = Axis::Kind::kIntRange;
        if (!(p.min <= p.max) || std::fabs(p.min) > 9.2e18 || std::fabs(p.max) > 9.2e18) {
          fail(p, "int_uniform needs min <= max within the 64-bit integer range");
          break;
        }
        a.int_min = std::llround(p.min);
        const uint64_t span =
            static_cast<uint64_t>(std::llround(p.max)) - static_cast<uint64_t>(a.int_min);
        a.radix = span + 1;
        break;
      }
      case Distribution::kQUniform:
        if (mode == Mode::kGrid) {
          a.kind = Axis::Kind::kArange;
          const double count = p.q > 0 ? std::ceil((p.max - p.min) / p.q) : 0.0;
          if (!(count >= 1) || count > 1e18) {
            fail(p, "q_uniform needs q > 0 and min < max for grid search");
            break;
          }
          a.start = p.min;
          a.step = p.q;
          a.integer = p.integer && IsIntegral(p.min) && IsIntegral(p.max);
          a.radix = static_cast<uint64_t>(count);
          break;
        }
        [[fallthrough]];
      default:
        fail(p, std::string(mode == Mode::kGrid ? "grid search" : "a finite space") +
                    " needs discrete parameters (constant, categorical, int_uniform" +
                    (mode == Mode::kGrid ? ", q_uniform" : "") + "), but this one is " +
                    std::string(DistributionName(p.distribution)));
        break;
    }
    product *= a.radix;
    if (product > kMaxU64) {
      g.saturated_ = true;
      product = kMaxU64;
    }
    g.axes_.push_back(std::move(a));
  }
  if (!errors.empty()) return Status::InvalidSpec(errors);
  g.size_ = static_cast<uint64_t>(product);
  g.limit_ = g.size_;
  if (space.Conditional()) g.LayOutConditions();
  return g;
}

void DiscreteGrid::LayOutConditions() {
  conditional_ = true;
  const size_t n = axes_.size();
  const unsigned __int128 cap = static_cast<unsigned __int128>(kMaxU64) + 1;
  stride_.assign(n, 1);
  for (size_t i = n; i-- > 1;) {
    stride_[i - 1] = stride_[i] * axes_[i].radix;
    if (stride_[i - 1] > cap) stride_[i - 1] = cap;
  }
  // An axis can be jumped over when its activity cannot change while less significant
  // digits move: every ancestor comes earlier in spec order.
  jumpable_.assign(n, true);
  for (size_t i = 0; i < n; ++i) {
    std::vector<size_t> todo = {i};
    std::vector<bool> seen(n, false);
    while (!todo.empty() && jumpable_[i]) {
      const size_t k = todo.back();
      todo.pop_back();
      for (const Condition& c : space_.params[k].when) {
        if (c.parent_index < 0) continue;
        const size_t j = static_cast<size_t>(c.parent_index);
        if (j >= i) jumpable_[i] = false;
        if (!seen[j]) seen[j] = true, todo.push_back(j);
      }
    }
  }
  // Exact live count: enumerate the parents' digits (only they decide activity); each
  // assignment whose inactive parents sit at digit 0 contributes the product of the
  // radices of its live non-parent axes.
  std::vector<size_t> parents;
  std::vector<bool> is_parent(n, false);
  for (const Parameter& p : space_.params)
    for (const Condition& c : p.when)
      if (c.parent_index >= 0 && !is_parent[static_cast<size_t>(c.parent_index)])
        is_parent[static_cast<size_t>(c.parent_index)] = true,
        parents.push_back(static_cast<size_t>(c.parent_index));
  double combos = 1;
  for (size_t j : parents) combos *= static_cast<double>(axes_[j].radix);
  if (combos > 1e7) return;  // size_ stays the product, an upper bound
  Config config(n);
  std::vector<uint64_t> digit(parents.size(), 0);
  unsigned __int128 live = 0;
  bool overflow = false;
  for (;;) {
    for (size_t k = 0; k < parents.size(); ++k) config[parents[k]] = ValueAt(parents[k], digit[k]);
    const std::vector<bool> mask = space_.ActiveMask(config);
    bool canonical = true;
    for (size_t k = 0; k < parents.size(); ++k)
      canonical = canonical && (mask[parents[k]] || digit[k] == 0);
    if (canonical) {
      unsigned __int128 term = 1;
      for (size_t i = 0; i < n && !overflow; ++i) {
        if (is_parent[i] || !mask[i]) continue;
        if (axes_[i].radix != 0 && term > (~static_cast<unsigned __int128>(0)) / axes_[i].radix)
          overflow = true;
        else
          term *= axes_[i].radix;
      }
      if (live + term < live) overflow = true;
      live += term;
    }
    size_t k = 0;
    for (; k < parents.size(); ++k) {
      if (++digit[k] < axes_[parents[k]].radix) break;
      digit[k] = 0;
    }
    if (k == parents.size() || overflow) break;
  }
  if (overflow) return;
  live_ = live;
  size_ = live > kMaxU64 ? kMaxU64 : static_cast<uint64_t>(live);
}

std::vector<uint64_t> DiscreteGrid::Digits(uint64_t index) const {
  std::vector<uint64_t> digits(axes_.size());
  for (size_t i = axes_.size(); i-- > 0;) {
    digits[i] = index % axes_[i].radix;
    index /= axes_[i].radix;
  }
  return digits;
}

uint64_t DiscreteGrid::NextLive(uint64_t index) const {
  if (!conditional_) return std::min(index, limit_);
  Config config(axes_.size());
  while (index < limit_) {
    const std::vector<uint64_t> digits = Digits(index);
    for (size_t i = 0; i < axes_.size(); ++i) config[i] = ValueAt(i, digits[i]);
    const std::vector<bool> mask = space_.ActiveMask(config);
    std::optional<size_t> stray, jump;
    for (size_t i = 0; i < axes_.size(); ++i) {
      if (mask[i] || digits[i] == 0) continue;
      if (!stray) stray = i;
      if (jumpable_[i]) {
        jump = i;
        break;
      }
    }
    if (!stray) return index;
    if (!jump) {
      ++index;
      continue;
    }
    // Every index up to the next carry into the axis above `jump` keeps it inactive
    // with a non-zero digit: none of them is a configuration.
    const unsigned __int128 block = stride_[*jump] * axes_[*jump].radix;  // < 2^128
    if (block > limit_) return limit_;
    const unsigned __int128 next = (index / block + 1) * block;
    index = next >= limit_ ? limit_ : static_cast<uint64_t>(next);
  }
  return limit_;
}

namespace {
std::string U128Text(unsigned __int128 v) {
  if (v == 0) return "0";
  std::string out;
  while (v > 0) {
    out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return out;
}
}  // namespace

std::string DiscreteGrid::ExactSizeText() const {
  if (conditional_ && live_) return U128Text(*live_);
  // Base-1e9 limbs, least significant first; each radix fits 64 bits, so a limb
  // times a radix plus the carry fits 128.
  constexpr uint64_t kBase = 1000000000;
  std::vector<uint64_t> limbs = {1};
  for (const Axis& a : axes_) {
    unsigned __int128 carry = 0;
    for (uint64_t& limb : limbs) {
      unsigned __int128 x = static_cast<unsigned __int128>(limb) * a.radix + carry;
      limb = static_cast<uint64_t>(x % kBase);
      carry = x / kBase;
    }
    while (carry > 0) {
      limbs.push_back(static_cast<uint64_t>(carry % kBase));
      carry /= kBase;
    }
  }
  while (limbs.size() > 1 && limbs.back() == 0) limbs.pop_back();
  std::string out = std::to_string(limbs.back());
  for (size_t i = limbs.size() - 1; i-- > 0;) {
    std::string part = std::to_string(limbs[i]);
    out += std::string(9 - part.size(), '0') + part;
  }
  return out;
}

Value DiscreteGrid::ValueAt(size_t param, uint64_t digit) const {
  const Parameter& p = space_.params[param];
  const Axis& a = axes_[param];
  switch (a.kind) {
    case Axis::Kind::kFixed:
      return p.value;
    case Axis::Kind::kList:
      return p.values[a.allowed[digit]];
    case Axis::Kind::kIntRange:
      return Value(static_cast<int64_t>(static_cast<uint64_t>(a.int_min) + digit));
    case Axis::Kind::kArange: {
      const double v = a.start + static_cast<double>(digit) * a.step;
      if (a.integer) return Value(static_cast<int64_t>(std::llround(v)));
      return Value(v);
    }
  }
  return Value();
}

Config DiscreteGrid::Decode(uint64_t index) const {
  Config config(axes_.size());
  for (size_t i = axes_.size(); i-- > 0;) {
    const uint64_t radix = axes_[i].radix;
    config[i] = ValueAt(i, index % radix);
    index /= radix;
  }
  space_.Deactivate(config);
  return config;
}

std::optional<uint64_t> DiscreteGrid::DigitOf(size_t param, const Value& v) const {
  const Parameter& p = space_.params[param];
  const Axis& a = axes_[param];
  switch (a.kind) {
    case Axis::Kind::kFixed:
      return 0;
    case Axis::Kind::kList:
      for (uint64_t d = 0; d < a.allowed.size(); ++d)
        if (p.values[a.allowed[d]] == v) return d;
      return std::nullopt;
    case Axis::Kind::kIntRange: {
      int64_t x = 0;
      if (v.is_number_float()) {
        const double d = v.get<double>();
        if (!IsIntegral(d) || std::fabs(d) > 9.2e18) return std::nullopt;
        x = static_cast<int64_t>(d);
      } else if (v.is_number_unsigned()) {
        if (v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
          return std::nullopt;
        x = static_cast<int64_t>(v.get<uint64_t>());
      } else if (v.is_number_integer()) {
        x = v.get<int64_t>();
      } else {
        return std::nullopt;
      }
      if (x < a.int_min) return std::nullopt;
      const uint64_t off = static_cast<uint64_t>(x) - static_cast<uint64_t>(a.int_min);
      if (off >= a.radix) return std::nullopt;
      return off;
    }
    case Axis::Kind::kArange: {
      if (!v.is_number()) return std::nullopt;
      const double x = v.get<double>();
      const double j = std::round((x - a.start) / a.step);
      if (!(j >= 0) || j >= static_cast<double>(a.radix)) return std::nullopt;
      const double expect = a.start + j * a.step;
      if (std::fabs(expect - x) > 1e-9 * std::max(1.0, std::fabs(a.step))) return std::nullopt;
      return static_cast<uint64_t>(j);
    }
  }
  return std::nullopt;
}

std::optional<uint64_t> DiscreteGrid::Encode(const Config& config) const {
  if (config.size() != axes_.size()) return std::nullopt;
  unsigned __int128 index = 0;
  const std::vector<bool> live = space_.ActiveMask(config);
  for (size_t i = 0; i < axes_.size(); ++i) {
    const std::optional<uint64_t> d = live[i] ? DigitOf(i, config[i]) : std::optional<uint64_t>(0);
    if (!d) return std::nullopt;
    index = index * axes_[i].radix + *d;
    if (index > kMaxU64) return std::nullopt;
  }
  return static_cast<uint64_t>(index);
}

Result<std::unique_ptr<SearchStrategy>> GridSearch::Make(const SearchSpace& space,
                                                         const StrategyOptions&) {
  Result<DiscreteGrid> grid = DiscreteGrid::Build(space, DiscreteGrid::Mode::kGrid);
  if (!grid.ok()) return grid.status();
  auto strategy = std::make_unique<GridSearch>(std::move(grid).value());
  strategy->space_ = space;
  if (space.where) {
    // The size shown in progress lines counts only the points `where` admits, when the
    // grid is small enough to walk once here.
    const DiscreteGrid& g = strategy->grid_;
    if (!g.Saturated() && g.IndexLimit() <= kCountLimit) {
      uint64_t admitted = 0;
      for (uint64_t i = g.NextLive(0); i < g.IndexLimit(); i = g.NextLive(i + 1))
        admitted += space.Admits(g.Decode(i)) ? 1 : 0;
      strategy->admitted_ = admitted;
    }
  }
  return std::unique_ptr<SearchStrategy>(std::move(strategy));
}

void GridSearch::Mark(const Config& config) {
  const std::optional<uint64_t> index = grid_.Encode(config);
  if (index && *index >= next_) ahead_.insert(*index);
}

void GridSearch::SkipTaken() {
  for (;;) {
    next_ = grid_.NextLive(next_);
    if (next_ >= grid_.IndexLimit() || ahead_.empty() || ahead_.erase(next_) == 0) return;
    ++next_;
  }
}

std::vector<Config> GridSearch::Suggest(size_t n, const std::vector<Config>& pending) {
  for (const Config& c : pending) Mark(c);
  SkipTaken();
  std::vector<Config> out;
  while (out.size() < n && next_ < grid_.IndexLimit()) {
    Config config = grid_.Decode(next_);
    ++next_;
    SkipTaken();
    // W&B has no `where:`; a grid point it rejects is skipped, never run.
    if (space_.Admits(config)) out.push_back(std::move(config));
  }
  return out;
}

void GridSearch::Replay(const std::vector<Observation>& history) {
  for (const Observation& obs : history) Mark(obs.config);
  SkipTaken();
}

}  // namespace sweep
