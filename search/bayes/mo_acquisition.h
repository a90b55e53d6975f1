// The acquisition of the multi-objective Bayesian strategy: Monte-Carlo expected
// hypervolume improvement times the probability of feasibility, in log space.
//
// For independent Gaussian posteriors of m objectives (one GP each, outputs signed to
// be maximised and warped) and a Pareto front P with reference point r,
//   EHVI(x) = E[ HVI(P, f(x)) ],  HVI(P, y) = HV(P + {y}, r) - HV(P, r)
// (Emmerich, Giannakoglou & Naujoks, "Single- and multiobjective evolutionary
// optimization assisted by Gaussian random field metamodels", IEEE TEC 2006), estimated
// with S fixed quasi-random normal base samples shared by every candidate (common
// random numbers, as BoTorch's qLogEHVI: Daulton, Balandat & Bakshy, "Differentiable
// Expected Hypervolume Improvement for Parallel Multi-Objective Bayesian Optimization",
// NeurIPS 2020; Ament et al., "Unexpected Improvements to Expected Improvement", NeurIPS
// 2023, for working with log EHVI). Constraints multiply in their probability of
// feasibility (Gardner et al., "Bayesian Optimization with Inequality Constraints",
// ICML 2014): PoF(x) = prod_j P(lo_j <= g_j(x) <= hi_j). Pending trials enter through
// the GPs and the front as kriging-believer fantasies (the caller conditions on them).
// Where every sample's improvement is zero the score falls back to minus how far the
// optimistic point mean + 3 sd is from leaving the dominated region, so the search
// still has a direction. Beyond two objectives only the 128 candidates whose optimistic
// point (mean + sd) improves the hypervolume most get the Monte-Carlo estimate (a cheap
// screen; the rest score -1e9). The score is never NaN.
#pragma once

#include <Eigen/Dense>
#include <functional>
#include <utility>
#include <vector>

#include "search/bayes/acq_optimizer.h"
#include "search/bayes/gp.h"
#include "search/bayes/unit_cube.h"
#include "search/pareto.h"

namespace sweep {

struct MoModel {
  std::vector<const GaussianProcess*> objectives;  // outputs maximised, standardized
  std::vector<const GaussianProcess*> constraints;
  // Feasible interval of each constraint GP's output (standardized; +-inf when open).
  std::vector<std::pair<double, double>> bounds;
  // Front in minimisation form (negated model outputs); empty when no trial is feasible,
  // and then only feasibility is maximised.
  std::vector<ObjectivePoint> front;
  ObjectivePoint reference;      // minimisation form
  Eigen::MatrixXd base_samples;  // S x m standard normal draws
};

// The reference point for a front of three or more objectives (minimisation form): the
// nadir of the front without the points that another front point epsilon-dominates
// (Laumanns et al., "Combining convergence and diversity in evolutionary multiobjective
// optimization", Evol. Comput. 10(3), 2002; epsilon = 5% of each objective's range on
// the front) while gaining more than it loses, moved out by 10% of the range left
// (BoTorch's infer_reference_point). A point at one of DTLZ's degenerate edges (two
// objectives near 0, the third far worse than anywhere else on the front) would set
// the plain nadir alone, and EHVI would then reward that edge. Front non-empty.
ObjectivePoint RobustReference(const std::vector<ObjectivePoint>& front);

// S x m quasi-random standard normal draws (scrambled Sobol' through the inverse CDF).
Eigen::MatrixXd MoBaseSamples(int samples, int objectives, uint64_t seed);

// log EHVI + sum log PoF (or sum log PoF alone without a front) for each row of X.
Eigen::VectorXd ScoreMoAcquisition(const MoModel& model, const Eigen::MatrixXd& X);

// sum_j log PoF_j for each row of X (0 without constraints); finite.
Eigen::VectorXd MoLogPof(const MoModel& model, const Eigen::MatrixXd& X);

// Scores model-space points (rows) in one batch; higher is better, never NaN.
using BatchScore = std::function<Eigen::VectorXd(const Eigen::MatrixXd&)>;

// Distinct snapped candidates, best first (at most options.keep), by gradient-free
// search: a Sobol' set, Gaussian perturbations around `incumbents` (rows, model space),
// the incumbents with one or two numeric coordinates moved (Regis & Shoemaker, "Combining
// radial basis function surrogates and dynamic coordinate search in high-dimensional
// expensive black-box optimization" (DYCORS), Eng. Optim. 2013), uniform crossovers of
// the incumbents' coordinates, the incumbents with one numeric coordinate moved to 0 or
// to 1 (fronts such as ZDT's lie on the cube's faces, which perturbations reach slowly),
// then two rounds of local perturbation around the options.restarts leaders.
std::vector<ScoredPoint> MaximizeByPerturbation(const BatchScore& score, const UnitCube& cube,
                                                const Eigen::MatrixXd& incumbents,
                                                const AcqOptimizerOptions& options);

// MaximizeByPerturbation of ScoreMoAcquisition (gradient-free: the MC estimate is
// piecewise smooth).
std::vector<ScoredPoint> MaximizeMoAcquisition(const MoModel& model, const UnitCube& cube,
                                               const Eigen::MatrixXd& incumbents,
                                               const AcqOptimizerOptions& options);

}  // namespace sweep
