// Top-level branches of a conditional space and the per-branch acquisition step of
// the "bayes" strategy, used for every space with branches. Where the branches are
// disjoint (every conditional parameter is live in at most one branch: momentum only
// for sgd, beta2 only for adam), the per-category setting of the work cited below,
// each branch also gets its own GP; a space whose branches share conditional
// parameters (depth 1-3 with width2 live at depths 2 and 3) keeps the one shared model
// for every branch, which measured better there: one GP per branch stops what the
// shared parameters learn from informing the other branches (bench/RESULTS.md, issue
// 18). BayesOptions::per_branch forces own models for any space with branches.
// The budgets and the stalled-leader rule below do not depend on the model: without
// them a shared-model space locked into the first branch that converged (depth3 of
// bench/conditional_problems.h stayed on depth 2's floor in 13 of 30 seeds at 100
// trials, and so did warm starts whose prior had converged there).
//
// A root is a categorical parameter that is always live and is the `when:` parent of
// some other parameter (optimizer: sgd | adam, with momentum only for sgd); a branch
// is one value of each root. With one shared GP and one expected-improvement (EI)
// maximisation over the whole cube, a good incumbent in one branch makes EI in the
// other branches' sub-spaces small, and the search locks into the first branch that
// looked good; and the shared GP's output scale and noise are set by whichever
// branch spans the widest range of values, so a branch whose values all lie in a
// narrow band looks flat. Here, following the per-category scheme of Nguyen, Gupta,
// Rana, Shilton & Venkatesh ("Bayesian optimization for categorical and
// category-specific continuous inputs", AAAI 2020: one GP per category, a bandit over
// categories) and CoCaBO's bandit over categories (Ru, Alvi, Nguyen, Osborne &
// Roberts, ICML 2020):
// - with own models, each branch with at least a few trials gets its own GP (its
//   rows re-standardized, its own length scales, signal and noise) over the branch's
//   own sub-space: only the parameters live in it (shared ones included), roots left
//   out, as in Nguyen et al.'s one GP per category over that category's continuous
//   inputs. The other branches' parameters are not in that model at all, so neither
//   its hyperparameters nor the EI optimiser (whose gradient steps and local
//   perturbations would otherwise move coordinates that snapping then resets to the
//   imputed constant) spend anything on them. A branch with fewer trials (or any
//   branch, without own models) uses the shared GP with its roots pinned, which also
//   carries what parameters shared across branches have learnt;
// - EI is maximised separately inside each branch (roots pinned, so the candidate
//   set covers every branch however small its share of the cube) and compared across
//   branches against the global incumbent, in common units (a branch model's EI is
//   scaled back by its standardization);
// - each branch is owed an exploration budget: a share of the trials so far
//   proportional to the number of parameters it makes live, plus one
//   (kBranchShare of the total, split by that weight). A branch below its share is
//   searched next, by EI against its own best value, until it has caught up; this is
//   the deterministic form of a bandit's exploration term, sized by the dimension a
//   branch has to cover;
// - once the best value has stalled (kStallObservations without improvement), the
//   branch EI favours has stopped paying: the next trial goes to the branch with the
//   fewest trials for its weight (live parameters + 1), again by EI against its own
//   best. This is the rising-bandit rule of Li, Jiang, Gao, Shao, Zhang & Cui
//   ("Efficient Automatic CASH via Rising Bandits", AAAI 2020): the other arms are
//   pulled once the leading arm stops rising. Why: a branch whose first trials all
//   missed its basins (Hartmann-3 is flat far from them) gets a GP so sure of its
//   flatness that its EI against the leading branch's best is e^-100 or smaller, so
//   comparing EI alone never sends it another trial beyond its budget share. Only an
//   improvement beyond kBranchStallTolerance of the observed range counts as progress
//   here: a leader refining its floor in the fifth digit improves strictly with almost
//   every trial and so kept the other branches from their pulls (branin_hart's Branin
//   branch took 10-15 trials in a row that way, bench/RESULTS.md, issue 18);
// - with own models, a branch whose own best has stalled (kBranchFarSchedule, counted
//   over the branch's own observations with the same tolerance) takes its owed trials
//   as far steps in its own sub-space, in windows that stop once they have not paid
//   (exploration.h, FarStepAllowed): a restart of the branch's search, as TuRBO
//   restarts a trust region that has collapsed on a local optimum (Eriksson, Pearce,
//   Gardner, Turner & Poloczek, "Scalable Global Optimization via Local Bayesian
//   Optimization", NeurIPS 2019). Why: a pulled branch searched by EI on its own best
//   converged on a local minimum of its own (Hartmann-3's 0.80 and 2.96 on branin_hart)
//   and spent the rest of its trials refining it. Shared-model spaces (depth3) do not
//   take it: there a branch's shared parameters also learn from the other branches,
//   and the far steps cost depth3 its refinement at 40 trials.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "search/bayes/acq_optimizer.h"
#include "search/bayes/exploration.h"
#include "search/bayes/gp.h"
#include "search/bayes/unit_cube.h"
#include "search/search_space.h"

namespace sweep {

// Fraction of all trials set aside for the branches' exploration budgets.
inline constexpr double kBranchShare = 0.5;
// Improvements up to this fraction of the observed range do not end a stall for the
// stalled-leader rule and the far steps inside a branch (SignificantOnly).
inline constexpr double kBranchStallTolerance = 0.01;
// Far steps inside a branch: after 4 of the branch's own observations without a
// significant improvement, a window of 4, and no window again once one has not paid.
inline constexpr FarStepSchedule kBranchFarSchedule{4, 4, 1};
// Spaces with more branches than this (product of the roots' sizes) are searched
// without branch handling: the budgets would be too small to mean anything.
inline constexpr size_t kMaxBranches = 64;

class BranchPlan {
 public:
  // Empty plan (size() == 0) when the space has no root or too many branches.
  BranchPlan(const SearchSpace& space, const UnitCube& cube);

  size_t size() const { return branches_.size(); }
  // The branch a model-space point lies in (argmax of each root's one-hot block).
  size_t BranchOf(const Eigen::VectorXd& x) const;
  // (parameter coordinate, unit value) pins that hold a point in branch b.
  const std::vector<std::pair<int, double>>& Pins(size_t b) const { return branches_[b].pins; }
  // Parameters live in branch b, besides the roots (exploration weight minus one).
  int LiveParams(size_t b) const { return branches_[b].live; }
  // True when no conditional parameter is live in more than one branch.
  bool Disjoint() const { return disjoint_; }

  // Branch b's own space: the parameters that can be live in it, in space order, the
  // roots left out and `when:` clauses on them dropped (they hold throughout the
  // branch); clauses on other parents are kept, so chains inside a branch still work.
  const UnitCube& BranchCube(size_t b) const { return *branches_[b].cube; }
  // The point of branch b's cube for `x`, a point of the full cube that lies in b.
  Eigen::VectorXd ToBranch(size_t b, const Eigen::VectorXd& x, const UnitCube& cube) const;
  // The snapped point of the full cube for `xb`, a point of branch b's cube: the
  // roots set to b's values, parameters outside the branch inactive.
  Eigen::VectorXd FromBranch(size_t b, const Eigen::VectorXd& xb, const UnitCube& cube) const;

 private:
  struct Branch {
    std::vector<std::pair<int, double>> pins;
    int live = 0;
    std::vector<std::pair<size_t, Value>> roots;  // (parameter, value) of each root
    std::vector<size_t> params;                   // space index of each sub-space parameter
    std::shared_ptr<const UnitCube> cube;         // over the sub-space
  };
  size_t n_params_ = 0;
  std::vector<int> root_dims_;     // parameter coordinates of the roots
  std::vector<size_t> radix_;      // categories of each root
  std::vector<int> root_offsets_;  // first model coordinate of each root's block
  std::vector<Branch> branches_;   // mixed-radix order over the roots
  bool disjoint_ = false;
};

// Per branch (of `branches`), whether its next owed trial may be a far step inside it
// (kBranchFarSchedule): branch_of[i] is the branch of the i-th observation and
// values[i] its value, in the order observed, larger is better.
std::vector<bool> BranchFarStepsAllowed(size_t branches, const std::vector<size_t>& branch_of,
                                        const std::vector<std::optional<double>>& values);

// The acquisition step for a conditional space with branches (see the file comment).
// X, y: the model's training rows (observations and fantasies) and their
// standardized values, larger is better; incumbent = y.maxCoeff(). stalled: the best
// value has not improved for kStallObservations observations. own_models: a branch
// with enough rows gets its own GP over its sub-space; otherwise every branch uses
// `gp` with its roots pinned. branch_far (BranchFarStepsAllowed; empty: none): a
// branch that is owed the trial and may take a far step gets the point of its
// sub-space farthest from its rows, scored log EI 0, ahead of the EI candidates. Returns the
// candidates of the chosen branch, best first, followed by the other branches' (so a caller that
// rejects them all still has somewhere to go). options.pinned is ignored.
std::vector<ScoredPoint> MaximizeLogEiByBranch(const GaussianProcess& gp, const Eigen::MatrixXd& X,
                                               const Eigen::VectorXd& y, const UnitCube& cube,
                                               const BranchPlan& plan, bool stalled,
                                               bool own_models, const std::vector<bool>& branch_far,
                                               const AcqOptimizerOptions& options);

}  // namespace sweep
