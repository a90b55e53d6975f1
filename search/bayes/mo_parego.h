// The acquisition of the multi-objective Bayesian strategy beyond two objectives:
// ParEGO's random scalarisations (Knowles, "ParEGO: A Hybrid Algorithm With On-Line
// Landscape Approximation for Expensive Multiobjective Optimization Problems", IEEE TEC
// 10(1), 2006): each Suggest call draws one weight vector w, scalarises every trial's
// objectives, fits one GP to the scalarised values and maximises it. Two departures
// from Knowles, both measured on DTLZ2 (bench/RESULTS.md, issue 17):
//  - the scalarisation is MOEA/D's penalty-based boundary intersection (Zhang & Li,
//    "MOEA/D: A Multiobjective Evolutionary Algorithm Based on Decomposition", IEEE TEC
//    11(6), 2007), theta = 5, on objectives normalised to [0, 1] by their observed range:
//      d1 = <f, u>,  d2 = |f - d1 u|,  s_w(f) = d1 + theta d2,  u = w / |w|,
//    instead of the augmented Chebyshev function, whose optimum for a weight with one
//    small entry is a point where the other objectives are 0 (DTLZ2's front edges, and
//    with Chebyshev the search went there call after call);
//  - the score is the GP's posterior mean of -s_w (standardized) plus sum log PoF of
//    the constraints (Gardner et al. 2014, as mo_acquisition.h), not EI: EI's variance
//    term sent the search to the cube's faces where the GP extrapolates. Exploration
//    comes from a different weight vector in every call.
// Weights are uniform on the simplex, as BoTorch's qParEGO (sample_simplex); Dirichlet(2)
// weights, which keep rays away from the front's edges, measured worse on DTLZ2.
// MultiObjectiveBayes uses this for its first 5 d trials only (it converges faster than
// EHVI there, then spreads along the front more slowly), with the GP's lengthscales
// capped at 1 (mo_bayes_search.cc says why).
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "search/bayes/acq_optimizer.h"
#include "search/bayes/mo_acquisition.h"
#include "search/bayes/unit_cube.h"

namespace sweep {

// A weight vector with m positive entries summing to 1, uniform on the simplex;
// deterministic for a seed.
std::vector<double> ScalarisationWeights(size_t m, uint64_t seed);

// s_w (PBI, theta = 5) of each row of F (n x m, minimisation form). Each column is first
// normalised to [0, 1] by its own minimum and maximum (a column without spread becomes
// 0). Lower is better; finite for finite F.
Eigen::VectorXd PbiScalarize(const Eigen::MatrixXd& F, const std::vector<double>& w);

// Posterior mean of model.objectives[0] (the GP of the negated, warped scalarisation)
// plus sum log PoF, for each row of X; never NaN.
Eigen::VectorXd ScoreScalarised(const MoModel& model, const Eigen::MatrixXd& X);

// MaximizeByPerturbation (mo_acquisition.h) of ScoreScalarised.
std::vector<ScoredPoint> MaximizeScalarised(const MoModel& model, const UnitCube& cube,
                                            const Eigen::MatrixXd& incumbents,
                                            const AcqOptimizerOptions& options);

}  // namespace sweep
