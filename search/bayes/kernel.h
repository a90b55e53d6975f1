// The Matern-5/2 kernel with automatic relevance determination (one length scale per
// input dimension) and a signal variance:
//
//   k(x, x') = s2 * (1 + sqrt(5) r + 5/3 r^2) * exp(-sqrt(5) r),
//   r^2 = sum_i (x_i - x'_i)^2 / l_i^2
//
// Rasmussen & Williams, "Gaussian Processes for Machine Learning", MIT Press 2006,
// eq. 4.17 (nu = 5/2), with the ARD distance of eq. 5.2. Hyperparameters are handled in
// log space (log l_i, log s2) because they are positive and span decades.
#pragma once

#include <Eigen/Dense>

namespace sweep {

class Matern52 {
 public:
  // log_lengthscales has one entry per input dimension. Pure value type, thread-safe.
  Matern52(Eigen::VectorXd log_lengthscales, double log_signal_variance);

  int Dims() const { return static_cast<int>(inv_ls_.size()); }
  double SignalVariance() const { return s2_; }

  // k(a, b) for two points.
  double operator()(const Eigen::VectorXd& a, const Eigen::VectorXd& b) const;
  // Gram matrix K_ij = k(X_i, X_j) for the rows of X (n x d); exactly symmetric.
  Eigen::MatrixXd Gram(const Eigen::MatrixXd& X) const;
  // Cross covariances K_ij = k(A_i, B_j) (rows of A and B).
  Eigen::MatrixXd Cross(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) const;

  // For the Gram matrix of X, W-weighted sums of its hyperparameter derivatives:
  // out[i] = sum_jk W_jk dK_jk / d log l_i for i < d, out[d] = sum_jk W_jk dK_jk / d log s2.
  // This is what the log-marginal-likelihood gradient needs (tr(W dK)) without
  // materialising d matrices.
  Eigen::VectorXd WeightedGradient(const Eigen::MatrixXd& X, const Eigen::MatrixXd& W) const;

  // d k(x, X_j) / d x as a d x n matrix (column j is the gradient for row j of X).
  Eigen::MatrixXd GradX(const Eigen::VectorXd& x, const Eigen::MatrixXd& X) const;

 private:
  // k as a function of r, and the common factor g(r) = s2 * 5/3 (1 + sqrt5 r) e^{-sqrt5 r}
  // with dk/dlog l_i = g(r) * d_i^2 / l_i^2 and dk/dx_i = -g(r) * d_i / l_i^2.
  // Both take e = Decay(r) = e^{-sqrt5 r}, their shared factor, so that the likelihood
  // gradient, which needs both per pair, takes the exponential once.
  static double Decay(double r);
  double KofR(double r, double e) const;
  double GofR(double r, double e) const;

  Eigen::VectorXd inv_ls_;  // 1 / l_i
  double s2_;
};

}  // namespace sweep
