// BranchPlan construction and the per-branch acquisition step (see branches.h for
// the method and what it follows).
#include "search/bayes/branches.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "search/bayes/rng.h"

namespace sweep {
namespace {

constexpr int kBranchIncumbents = 5;
// A branch with at least this many rows gets its own GP (fewer: the shared one).
constexpr int kBranchModelMin = 4;
// Rows a branch's hyperparameters are fitted on, at most.
constexpr int kBranchFitPoints = 100;

// True when parameter i can be live in the branch that gives the roots `choice`
// (root parameter index -> value index; other parents are assumed able to match).
bool LiveIn(const SearchSpace& space, size_t i, const std::vector<int>& choice,
            std::vector<int>& memo, size_t depth) {
  if (memo[i] >= 0) return memo[i] == 1;
  bool live = depth <= space.params.size();  // guards a hand-built cycle
  for (const Condition& c : space.params[i].when) {
    if (!live) break;
    if (c.parent_index < 0 || static_cast<size_t>(c.parent_index) >= space.params.size()) {
      live = false;
      break;
    }
    const size_t parent = static_cast<size_t>(c.parent_index);
    live = LiveIn(space, parent, choice, memo, depth + 1);
    if (live && choice[parent] >= 0) {
      const Value& v = space.params[parent].values[static_cast<size_t>(choice[parent])];
      live = std::find(c.values.begin(), c.values.end(), v) != c.values.end();
    }
  }
  memo[i] = live ? 1 : 0;
  return live;
}

// The rows of X that lie in branch b, as points of the branch's own cube.
Eigen::MatrixXd BranchRows(const BranchPlan& plan, size_t b, const std::vector<Eigen::Index>& rows,
                           const Eigen::MatrixXd& X, const UnitCube& cube) {
  Eigen::MatrixXd Xb(static_cast<Eigen::Index>(rows.size()),
                     static_cast<Eigen::Index>(plan.BranchCube(b).ModelDims()));
  for (size_t r = 0; r < rows.size(); ++r)
    Xb.row(static_cast<Eigen::Index>(r)) =
        plan.ToBranch(b, X.row(rows[r]).transpose(), cube).transpose();
  return Xb;
}

}  // namespace

BranchPlan::BranchPlan(const SearchSpace& space, const UnitCube& cube) {
  if (!space.Conditional()) return;
  std::vector<bool> is_parent(space.params.size(), false);
  for (const Parameter& p : space.params)
    for (const Condition& c : p.when)
      if (c.parent_index >= 0 && static_cast<size_t>(c.parent_index) < is_parent.size())
        is_parent[static_cast<size_t>(c.parent_index)] = true;
  std::vector<size_t> roots;
  size_t count = 1;
  for (size_t i = 0; i < space.params.size(); ++i) {
    const int j = cube.ParamDimOf(i);
    if (!is_parent[i] || !space.params[i].when.empty() || j < 0 || cube.Categories(j) < 2) continue;
    roots.push_back(i);
    root_dims_.push_back(j);
    radix_.push_back(cube.Categories(j));
    count *= cube.Categories(j);
    if (count > kMaxBranches) {
      root_dims_.clear();
      radix_.clear();
      root_offsets_.clear();
      return;
    }
    int offset = 0;  // one-hot blocks are laid out in parameter-coordinate order
    for (int k = 0, block = 0; k < j; ++k)
      if (cube.Categories(k) > 0) offset = ++block;
    root_offsets_.push_back(cube.CategoricalBlocks()[offset].first);
  }
  if (roots.empty()) return;
  n_params_ = space.params.size();
  std::vector<int> live_in(space.params.size(), 0);  // branches a conditional parameter is live in
  for (size_t b = 0; b < count; ++b) {
    Branch br;
    std::vector<int> choice(space.params.size(), -1);
    size_t rest = b;
    for (size_t r = roots.size(); r-- > 0;) {
      const size_t k = rest % radix_[r];
      rest /= radix_[r];
      choice[roots[r]] = static_cast<int>(k);
      br.pins.emplace_back(root_dims_[r], (k + 0.5) / static_cast<double>(radix_[r]));
    }
    std::vector<int> memo(space.params.size(), -1);
    std::vector<int> sub_index(space.params.size(), -1);
    SearchSpace sub;
    for (size_t i = 0; i < space.params.size(); ++i) {
      if (choice[i] >= 0) {
        br.roots.emplace_back(i, space.params[i].values[static_cast<size_t>(choice[i])]);
        continue;
      }
      if (!LiveIn(space, i, choice, memo, 0)) continue;
      if (cube.ParamDimOf(i) >= 0) ++br.live;
      if (!space.params[i].when.empty()) ++live_in[i];
      sub_index[i] = static_cast<int>(sub.params.size());
      br.params.push_back(i);
      sub.params.push_back(space.params[i]);
    }
    // A clause on a root holds everywhere in the branch (LiveIn checked it); a clause
    // on another parent points at that parent's place in the sub-space, where it is
    // too, since a child is live only where its parent is.
    for (Parameter& p : sub.params) {
      std::vector<Condition> kept;
      for (Condition& c : p.when) {
        const size_t parent = static_cast<size_t>(c.parent_index);
        if (choice[parent] >= 0 || sub_index[parent] < 0) continue;
        c.parent_index = sub_index[parent];
        kept.push_back(std::move(c));
      }
      p.when = std::move(kept);
    }
    br.cube = std::make_shared<const UnitCube>(sub);
    branches_.push_back(std::move(br));
  }
  disjoint_ = std::all_of(live_in.begin(), live_in.end(), [](int n) { return n <= 1; });
}

size_t BranchPlan::BranchOf(const Eigen::VectorXd& x) const {
  size_t b = 0;
  for (size_t r = 0; r < root_dims_.size(); ++r) {
    Eigen::Index k = 0;
    x.segment(root_offsets_[r], static_cast<Eigen::Index>(radix_[r])).maxCoeff(&k);
    b = b * radix_[r] + static_cast<size_t>(k);
  }
  return b;
}

Eigen::VectorXd BranchPlan::ToBranch(size_t b, const Eigen::VectorXd& x,
                                     const UnitCube& cube) const {
  const Branch& br = branches_[b];
  const Config full = cube.Decode(x);
  Config sub(br.params.size());
  for (size_t k = 0; k < br.params.size(); ++k) sub[k] = full[br.params[k]];
  return br.cube->Encode(sub);
}

Eigen::VectorXd BranchPlan::FromBranch(size_t b, const Eigen::VectorXd& xb,
                                       const UnitCube& cube) const {
  const Branch& br = branches_[b];
  const Config sub = br.cube->Decode(xb);
  Config full(n_params_);
  for (const auto& [i, v] : br.roots) full[i] = v;
  for (size_t k = 0; k < br.params.size(); ++k) full[br.params[k]] = sub[k];
  return cube.Encode(full);
}

std::vector<bool> BranchFarStepsAllowed(size_t branches, const std::vector<size_t>& branch_of,
                                        const std::vector<std::optional<double>>& values) {
  std::vector<std::vector<std::optional<double>>> per(branches);
  for (size_t i = 0; i < branch_of.size() && i < values.size(); ++i)
    if (branch_of[i] < branches) per[branch_of[i]].push_back(values[i]);
  std::vector<bool> out(branches);
  for (size_t b = 0; b < branches; ++b)
    out[b] = FarStepAllowed(SignificantOnly(per[b], kBranchStallTolerance), kBranchFarSchedule);
  return out;
}

std::vector<ScoredPoint> MaximizeLogEiByBranch(const GaussianProcess& gp, const Eigen::MatrixXd& X,
                                               const Eigen::VectorXd& y, const UnitCube& cube,
                                               const BranchPlan& plan, bool stalled,
                                               bool own_models, const std::vector<bool>& branch_far,
                                               const AcqOptimizerOptions& options) {
  const size_t k = plan.size();
  std::vector<std::vector<Eigen::Index>> rows(k);
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    rows[plan.BranchOf(X.row(i).transpose())].push_back(i);
  const double incumbent = y.size() > 0 ? y.maxCoeff() : 0;

  // The branch furthest below its exploration budget, if any.
  double weight_sum = 0;
  for (size_t b = 0; b < k; ++b) weight_sum += plan.LiveParams(b) + 1;
  int owed = -1;
  double owed_ratio = 1;
  for (size_t b = 0; b < k; ++b) {
    const double share =
        kBranchShare * static_cast<double>(X.rows()) * (plan.LiveParams(b) + 1) / weight_sum;
    const double ratio = static_cast<double>(rows[b].size()) / share;
    if (ratio < owed_ratio) owed_ratio = ratio, owed = static_cast<int>(b);
  }
  // The global best has stalled: the branch EI favours has stopped paying, so the
  // trial goes to the branch with the fewest trials for its weight, which climbs
  // towards its own best (the other arms of a bandit are pulled once the leading one
  // stops rising: Li et al., "Efficient Automatic CASH via Rising Bandits", AAAI 2020).
  if (owed < 0 && stalled) {
    double least = INFINITY;
    for (size_t b = 0; b < k; ++b) {
      const double per_weight = static_cast<double>(rows[b].size()) / (plan.LiveParams(b) + 1);
      if (per_weight < least) least = per_weight, owed = static_cast<int>(b);
    }
  }

  AcqOptimizerOptions o = options;
  o.raw_samples = std::max(128, options.raw_samples / static_cast<int>(k));
  o.local_samples = std::max(64, options.local_samples / static_cast<int>(k));
  std::vector<ScoredPoint> out;
  for (size_t b = 0; b < k; ++b) {
    if (owed >= 0 && b != static_cast<size_t>(owed)) continue;
    std::vector<Eigen::Index> order = rows[b];
    const int top = std::min<int>(kBranchIncumbents, static_cast<int>(order.size()));
    std::partial_sort(order.begin(), order.begin() + top, order.end(),
                      [&](Eigen::Index a, Eigen::Index c) { return y[a] > y[c]; });
    o.pinned = plan.Pins(b);
    o.seed = BayesRng::Mix(options.seed, 0xB4A0 + b);
    const Eigen::MatrixXd incumbents =
        X(std::vector<Eigen::Index>(order.begin(), order.begin() + top), Eigen::all);
    // An owed branch climbs towards its own best, not the global one, so the budget
    // is spent improving it rather than sampling where EI is uniformly negligible.
    const double best = owed >= 0 && top > 0 ? y[order[0]] : incumbent;
    std::vector<ScoredPoint> got;
    const UnitCube& sub = plan.BranchCube(b);
    // The owed branch's own search has stalled: restart it far from its rows (TuRBO's
    // restart, branches.h). Any point is usable here; the caller checks.
    if (owed >= 0 && b < branch_far.size() && branch_far[b] && sub.ParamDims() > 0) {
      const Eigen::MatrixXd Xb = BranchRows(plan, b, rows[b], X, cube);
      if (auto far = FarthestPoint(
              sub, Xb, [](const Eigen::VectorXd&) { return true; }, 1024,
              BayesRng::Mix(options.seed, 0xFA3 + b)))
        out.push_back({plan.FromBranch(b, *far, cube), 0.0});
    }
    if (own_models && static_cast<int>(rows[b].size()) >= kBranchModelMin && sub.ModelDims() > 0) {
      // The branch's own GP over its own sub-space, on its rows re-standardized
      // (z = (y - m) / s): its own length scales, signal and noise, so a branch whose
      // values span a small part of the global range is still resolved. EI in z units
      // times s is EI in the common units, so log EI + log s compares across branches.
      const Eigen::MatrixXd Xb = BranchRows(plan, b, rows[b], X, cube);
      Eigen::VectorXd yb = y(rows[b]);
      const double m = yb.mean();
      const double sd = std::sqrt((yb.array() - m).square().mean());
      if (sd > 1e-12) {
        Eigen::VectorXd zb = (yb.array() - m) / sd;
        GpFitOptions fopt;
        fopt.seed = BayesRng::Mix(options.seed, 0x6B0 + b);
        fopt.random_starts = 1;
        fopt.max_iterations = 60;
        // Hyperparameters from a subset, as for the shared model (latency).
        const std::vector<int> fit = SelectTrainingSubset(Xb, zb, kBranchFitPoints);
        GaussianProcess branch_gp;
        branch_gp.Condition(Xb, zb,
                            FitHyperparameters(Xb(fit, Eigen::all), zb(fit), nullptr, fopt));
        std::vector<Eigen::Index> top_rows;
        for (int t = 0; t < top; ++t)
          top_rows.push_back(static_cast<Eigen::Index>(
              std::find(rows[b].begin(), rows[b].end(), order[static_cast<size_t>(t)]) -
              rows[b].begin()));
        AcqOptimizerOptions ob = o;
        ob.pinned.clear();  // the sub-space has no roots
        got = MaximizeLogEi(branch_gp, (best - m) / sd, sub, Xb(top_rows, Eigen::all), ob);
        for (ScoredPoint& p : got) {
          p.x = plan.FromBranch(b, p.x, cube);
          p.log_ei += std::log(sd);
        }
      }
    }
    if (got.empty()) got = MaximizeLogEi(gp, best, cube, incumbents, o);
    out.insert(out.end(), got.begin(), got.end());
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ScoredPoint& a, const ScoredPoint& c) { return a.log_ei > c.log_ei; });
  return out;
}

}  // namespace sweep
