// Matern-5/2 ARD. Every method works on inputs pre-scaled by 1/l so that r is a plain
// Euclidean distance; derivatives reuse the shared factor g(r) (see kernel.h), which
// stays finite at r = 0, so no division by r ever happens.
#include "search/bayes/kernel.h"

#include <cmath>

namespace sweep {
namespace {
constexpr double kSqrt5 = 2.23606797749978969640;
}

Matern52::Matern52(Eigen::VectorXd log_lengthscales, double log_signal_variance)
    : inv_ls_((-log_lengthscales.array()).exp().matrix()), s2_(std::exp(log_signal_variance)) {}

double Matern52::Decay(double r) { return std::exp(-kSqrt5 * r); }

double Matern52::KofR(double r, double e) const {
  return s2_ * (1 + kSqrt5 * r + 5.0 / 3.0 * r * r) * e;
}

double Matern52::GofR(double r, double e) const { return s2_ * 5.0 / 3.0 * (1 + kSqrt5 * r) * e; }

double Matern52::operator()(const Eigen::VectorXd& a, const Eigen::VectorXd& b) const {
  const double r = (a - b).cwiseProduct(inv_ls_).norm();
  return KofR(r, Decay(r));
}

Eigen::MatrixXd Matern52::Cross(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) const {
  // Squared distances through the Gram trick; clamped because rounding can make them
  // slightly negative.
  Eigen::MatrixXd As = A * inv_ls_.asDiagonal();
  Eigen::MatrixXd Bs = B * inv_ls_.asDiagonal();
  Eigen::VectorXd an = As.rowwise().squaredNorm();
  Eigen::VectorXd bn = Bs.rowwise().squaredNorm();
  Eigen::MatrixXd D = -2.0 * As * Bs.transpose();
  D.colwise() += an;
  D.rowwise() += bn.transpose();
  return D.unaryExpr([this](double d2) {
    const double r = std::sqrt(std::max(d2, 0.0));
    return KofR(r, Decay(r));
  });
}

Eigen::MatrixXd Matern52::Gram(const Eigen::MatrixXd& X) const {
  const Eigen::Index n = X.rows();
  Eigen::MatrixXd Xs = X * inv_ls_.asDiagonal();
  Eigen::MatrixXd K(n, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    K(j, j) = s2_;
    for (Eigen::Index i = j + 1; i < n; ++i) {
      const double r = (Xs.row(i) - Xs.row(j)).norm();
      const double k = KofR(r, Decay(r));
      K(i, j) = k;
      K(j, i) = k;
    }
  }
  return K;
}

Eigen::VectorXd Matern52::WeightedGradient(const Eigen::MatrixXd& X,
                                           const Eigen::MatrixXd& W) const {
  const Eigen::Index n = X.rows(), d = X.cols();
  Eigen::MatrixXd Xs = X * inv_ls_.asDiagonal();
  Eigen::VectorXd out = Eigen::VectorXd::Zero(d + 1);
  Eigen::VectorXd diff(d);
  for (Eigen::Index j = 0; j < n; ++j) {
    out[d] += W(j, j) * s2_;  // dk/dlog s2 = k, and k(x,x) = s2
    for (Eigen::Index i = j + 1; i < n; ++i) {
      diff = Xs.row(i) - Xs.row(j);
      double r = diff.norm();
      const double w = W(i, j) + W(j, i), e = Decay(r);
      out[d] += w * KofR(r, e);
      out.head(d) += (w * GofR(r, e)) * diff.cwiseAbs2();
    }
  }
  return out;
}

Eigen::MatrixXd Matern52::GradX(const Eigen::VectorXd& x, const Eigen::MatrixXd& X) const {
  const Eigen::Index n = X.rows(), d = X.cols();
  Eigen::MatrixXd G(d, n);
  Eigen::VectorXd inv_ls2 = inv_ls_.cwiseAbs2();
  for (Eigen::Index j = 0; j < n; ++j) {
    Eigen::VectorXd diff = x - X.row(j).transpose();
    double r = diff.cwiseProduct(inv_ls_).norm();
    G.col(j) = -GofR(r, Decay(r)) * diff.cwiseProduct(inv_ls2);
  }
  return G;
}

}  // namespace sweep
