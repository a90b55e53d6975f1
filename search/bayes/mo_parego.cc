// Random PBI scalarisations and their score (see mo_parego.h).
#include "search/bayes/mo_parego.h"

#include <algorithm>
#include <cmath>

#include "search/bayes/rng.h"

namespace sweep {
namespace {

constexpr double kTheta = 5;  // MOEA/D's usual PBI penalty (Zhang & Li 2007)

}  // namespace

std::vector<double> ScalarisationWeights(size_t m, uint64_t seed) {
  BayesRng rng(BayesRng::Mix(seed, 0x9A7E60));
  std::vector<double> w(m);
  double sum = 0;
  for (double& v : w) {
    // Exponential draws -log(U), U in (0, 1], normalised: uniform on the simplex.
    v = -std::log(std::max(1.0 - rng.Uniform(), 1e-300));
    sum += v;
  }
  for (double& v : w) v = sum > 0 ? v / sum : 1.0 / static_cast<double>(m);
  return w;
}

Eigen::VectorXd PbiScalarize(const Eigen::MatrixXd& F, const std::vector<double>& w) {
  Eigen::MatrixXd N = F;
  for (Eigen::Index k = 0; k < F.cols(); ++k) {
    const double lo = F.col(k).minCoeff(), hi = F.col(k).maxCoeff();
    if (hi > lo) {
      N.col(k) = (F.col(k).array() - lo) / (hi - lo);
    } else {
      N.col(k).setZero();
    }
  }
  Eigen::VectorXd u(F.cols());
  for (Eigen::Index k = 0; k < F.cols(); ++k) u[k] = w[static_cast<size_t>(k)];
  u /= u.norm();
  Eigen::VectorXd s(F.rows());
  for (Eigen::Index i = 0; i < F.rows(); ++i) {
    const Eigen::VectorXd f = N.row(i).transpose();
    const double d1 = f.dot(u);
    s[i] = d1 + kTheta * (f - d1 * u).norm();
  }
  return s;
}

Eigen::VectorXd ScoreScalarised(const MoModel& model, const Eigen::MatrixXd& X) {
  Eigen::VectorXd out = MoLogPof(model, X);
  Eigen::VectorXd mean, var;
  model.objectives[0]->Predict(X, mean, var);
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const double v = out[i] + mean[i];
    out[i] = std::isfinite(v) ? v : -1e300;
  }
  return out;
}

std::vector<ScoredPoint> MaximizeScalarised(const MoModel& model, const UnitCube& cube,
                                            const Eigen::MatrixXd& incumbents,
                                            const AcqOptimizerOptions& options) {
  return MaximizeByPerturbation([&](const Eigen::MatrixXd& X) { return ScoreScalarised(model, X); },
                                cube, incumbents, options);
}

}  // namespace sweep
