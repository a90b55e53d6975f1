// Maximises log expected improvement over the unit cube of a search space.
//
// Raw candidates: a scrambled Sobol' set over the parameter coordinates plus Gaussian
// perturbations of the best observed points (BoTorch's "sample around best", which is
// what finds the last digits of an optimum). The best few raw candidates are refined
// with projected L-BFGS on the numeric coordinates (one-hot blocks stay fixed), then
// every candidate is snapped to the configuration it decodes to and re-scored there,
// so integer and q-rounded parameters are scored where they will actually be run.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <utility>
#include <vector>

#include "search/bayes/gp.h"
#include "search/bayes/unit_cube.h"

namespace sweep {

struct AcqOptimizerOptions {
  int raw_samples = 1024;   // Sobol' candidates
  int local_samples = 256;  // perturbations around the incumbents, in total
  int restarts = 5;         // raw candidates refined by L-BFGS
  int max_iterations = 60;  // L-BFGS iterations per restart
  int keep = 32;            // distinct snapped candidates returned
  // Parameter coordinates held fixed, as (index below ParamDims(), unit value): every
  // raw candidate is lifted with them set (a conditional space's branch, branches.h).
  // Empty for the unrestricted search.
  std::vector<std::pair<int, double>> pinned;
  uint64_t seed = 0;
};

struct ScoredPoint {
  Eigen::VectorXd x;  // a snapped model-space point (Snap(x) == x)
  double log_ei = 0;
};

// Distinct snapped candidates, best first (at most options.keep). incumbents are
// model-space points (rows) to sample around; best is the incumbent value of the
// (standardized, warped) objective the GP models. Never returns NaN scores.
std::vector<ScoredPoint> MaximizeLogEi(const GaussianProcess& gp, double best, const UnitCube& cube,
                                       const Eigen::MatrixXd& incumbents,
                                       const AcqOptimizerOptions& options);

// Scores model-space points (rows) in one batch.
Eigen::VectorXd ScoreLogEi(const GaussianProcess& gp, double best, const Eigen::MatrixXd& X);

}  // namespace sweep
