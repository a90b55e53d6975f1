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
  return g;
}

std::string DiscreteGrid::ExactSizeText() const {
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
  for (size_t i = 0; i < axes_.size(); ++i) {
    const std::optional<uint64_t> d = DigitOf(i, config[i]);
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
    if (!g.Saturated() && g.Size() <= kCountLimit) {
      uint64_t admitted = 0;
      for (uint64_t i = 0; i < g.Size(); ++i) admitted += space.Admits(g.Decode(i)) ? 1 : 0;
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
  while (next_ < grid_.Size() && !ahead_.empty() && ahead_.erase(next_) > 0) ++next_;
}

std::vector<Config> GridSearch::Suggest(size_t n, const std::vector<Config>& pending) {
  for (const Config& c : pending) Mark(c);
  SkipTaken();
  std::vector<Config> out;
  while (out.size() < n && next_ < grid_.Size()) {
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
