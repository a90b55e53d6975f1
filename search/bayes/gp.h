// Gaussian-process regression on the unit cube: constant mean, Matern-5/2 ARD kernel,
// Gaussian noise. Takes and returns Eigen types only; knows nothing of trials.
//
// The GP expects outputs already standardized (see WarpOutputs); its priors are set
// for that scale. Hyperparameters are fitted by maximizing the log marginal likelihood
// plus log priors (multi-start projected L-BFGS with analytic gradients), then the
// model is conditioned once with a Cholesky factorisation that adds jitter when the
// matrix is not numerically positive definite. Not thread-safe; one owner at a time.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "search/bayes/kernel.h"

namespace sweep {

struct GpHyper {
  Eigen::VectorXd log_lengthscales;  // one per input dimension
  double log_signal_variance = 0;
  double log_noise = -9;  // noise variance, log
  double mean = 0;        // constant mean

  // Flattened as [log l_1..d, log s2, log noise, mean] for the optimiser.
  Eigen::VectorXd Pack() const;
  static GpHyper Unpack(const Eigen::VectorXd& theta, int dims);
};

struct GpFitOptions {
  int random_starts = 2;    // prior draws tried besides the prior mode and warm start
  int max_iterations = 80;  // L-BFGS iterations per start
  uint64_t seed = 0;        // for the random starts
  // The length-scale prior grows with the dimension (LogHyperPrior). Off for the
  // single-objective strategy: at the budgets sweeps run (tens of trials, 2-10
  // parameters) the shift made its GP nearly linear across the cube, so EI steps went to
  // corners (issue 21's MLP-iris) and left Hartmann-6's and Ackley's basins unexplored
  // (bench/RESULTS.md, issue 21). The multi-objective GPs keep it: their figures
  // (issue 17) were measured with it and have not been re-measured without.
  bool dimension_scaled_prior = false;
};

// The log marginal likelihood of y (standardized) at X under hyper, and its gradient
// with respect to Pack() when grad is non-null. -infinity when the covariance cannot
// be factorised even with jitter.
double LogMarginalLikelihood(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                             const GpHyper& hyper, Eigen::VectorXd* grad);

// Log density of the hyperparameter priors (up to a constant) and its gradient:
// log l_i ~ N(sqrt(2), 3), or with dimension_scaled N(sqrt(2) + log(d)/2, 3) (the
// dimension-scaled prior of Hvarfner, Hellsten & Nardi, "Vanilla Bayesian Optimization
// Performs Great in High Dimensions", ICML 2024; unscaled is their prior at d = 1),
// log s2 ~ N(0, 1), log noise ~ N(-6, 2^2), mean ~ N(0, 1).
double LogHyperPrior(const GpHyper& hyper, Eigen::VectorXd* grad, bool dimension_scaled = false);

// Maximizes LogMarginalLikelihood + LogHyperPrior from the prior mode, `warm` (when
// non-null and of the right dimension) and random prior draws; returns the best.
GpHyper FitHyperparameters(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const GpHyper* warm,
                           const GpFitOptions& options);

class GaussianProcess {
 public:
  // Conditions on (X, y) with fixed hyperparameters. Always succeeds: when even the
  // largest jitter fails the noise is raised until the factorisation works.
  void Condition(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const GpHyper& hyper);

  // Posterior mean and latent (noise-free) variance at the rows of Q; variance >= 1e-12.
  void Predict(const Eigen::MatrixXd& Q, Eigen::VectorXd& mean, Eigen::VectorXd& var) const;
  // The same at one point, with gradients with respect to x.
  void PredictWithGradient(const Eigen::VectorXd& x, double& mean, double& var,
                           Eigen::VectorXd& dmean, Eigen::VectorXd& dvar) const;

  const GpHyper& hyper() const { return hyper_; }
  Eigen::Index size() const { return X_.rows(); }

 private:
  GpHyper hyper_;
  Matern52 kernel_{Eigen::VectorXd(), 0};
  Eigen::MatrixXd X_;
  Eigen::MatrixXd L_;  // lower Cholesky factor of K + noise I (+ jitter)
  Eigen::VectorXd alpha_;
};

// Standardizes y and warps it with a Yeo-Johnson power transform whose lambda is fitted
// by maximum likelihood (as HEBO does: Cowen-Rivers et al., "HEBO", JAIR 2022), then
// standardizes again. Non-finite entries are clipped to the finite range first (NaN
// counts as the lowest); huge magnitudes are rescaled before squaring. Always finite;
// all zeros when y has no spread.
Eigen::VectorXd WarpOutputs(const Eigen::VectorXd& y);

// Indices of at most m rows to train on when there are more: the m/4 best (largest y)
// first, then greedy farthest-point (maximin) picks among the rest, so the model keeps
// the region that matters and a space-filling view of everything else. Deterministic.
std::vector<int> SelectTrainingSubset(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, int m);

}  // namespace sweep
