// Acquisition maximisation: raw scoring in one batched GP prediction, L-BFGS from the
// top raw points, snapping and re-scoring. Candidates are de-duplicated on their
// snapped coordinates (exact equality), which for integer and categorical parameters
// means "same configuration".
#include "search/bayes/acq_optimizer.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "search/bayes/acquisition.h"
#include "search/bayes/initial_design.h"
#include "search/bayes/lbfgs.h"
#include "search/bayes/rng.h"

namespace sweep {

Eigen::VectorXd ScoreLogEi(const GaussianProcess& gp, double best, const Eigen::MatrixXd& X) {
  Eigen::VectorXd mean, var, out(X.rows());
  gp.Predict(X, mean, var);
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    double v = LogExpectedImprovement(mean[i], var[i], best);
    out[i] = std::isfinite(v) ? v : -1e300;
  }
  return out;
}

std::vector<ScoredPoint> MaximizeLogEi(const GaussianProcess& gp, double best, const UnitCube& cube,
                                       const Eigen::MatrixXd& incumbents,
                                       const AcqOptimizerOptions& options) {
  const int pd = static_cast<int>(cube.ParamDims());
  const int md = static_cast<int>(cube.ModelDims());
  BayesRng rng(BayesRng::Mix(options.seed, 0xACC));
  const auto& cat = cube.CategoricalMask();

  // Raw candidates.
  Eigen::MatrixXd U = SpaceFilling(options.raw_samples, pd, options.seed);
  int n_local = incumbents.rows() > 0 ? options.local_samples : 0;
  Eigen::MatrixXd raw(options.raw_samples + n_local, md);
  for (const auto& [j, u] : options.pinned) U.col(j).setConstant(u);
  for (int i = 0; i < options.raw_samples; ++i)
    raw.row(i) = cube.FromParamUnit(U.row(i).transpose()).transpose();
  static constexpr double kScales[] = {0.001, 0.01, 0.05, 0.2};
  for (int i = 0; i < n_local; ++i) {
    Eigen::VectorXd x = incumbents.row(i % incumbents.rows()).transpose();
    double scale = kScales[rng.Below(4)];
    for (int j = 0; j < md; ++j)
      if (!cat[j]) x[j] = std::clamp(x[j] + scale * rng.Normal(), 0.0, 1.0);
    // Occasionally move one categorical parameter to a random category.
    const auto& blocks = cube.CategoricalBlocks();
    if (!blocks.empty() && rng.Uniform() < 0.3) {
      auto [offset, width] = blocks[rng.Below(blocks.size())];
      x.segment(offset, width).setZero();
      x[offset + static_cast<int>(rng.Below(width))] = 1;
    }
    for (const auto& [j, u] : options.pinned) cube.SetParamUnit(x, static_cast<size_t>(j), u);
    raw.row(options.raw_samples + i) = x.transpose();
  }
  Eigen::VectorXd raw_score = ScoreLogEi(gp, best, raw);

  // Refine the best raw points (numeric coordinates only).
  std::vector<int> order(raw.rows());
  std::iota(order.begin(), order.end(), 0);
  int top = std::min<int>(options.restarts, static_cast<int>(order.size()));
  std::partial_sort(order.begin(), order.begin() + top, order.end(),
                    [&](int a, int b) { return raw_score[a] > raw_score[b]; });
  Objective neg_log_ei = [&](const Eigen::VectorXd& x, Eigen::VectorXd& grad) {
    double mean, var;
    Eigen::VectorXd dmean, dvar;
    gp.PredictWithGradient(x, mean, var, dmean, dvar);
    double v = LogExpectedImprovementWithGradient(mean, var, dmean, dvar, best, grad);
    grad = -grad;
    return -v;
  };
  LbfgsOptions lopt;
  lopt.max_iterations = options.max_iterations;
  std::vector<Eigen::VectorXd> pool;
  for (int t = 0; t < top; ++t) {
    Eigen::VectorXd x0 = raw.row(order[t]).transpose();
    Eigen::VectorXd lo = x0, hi = x0;
    for (int j = 0; j < md; ++j)
      if (!cat[j]) lo[j] = 0, hi[j] = 1;
    pool.push_back(MinimizeBox(neg_log_ei, x0, lo, hi, lopt).x);
  }
  // Keep the raw leaders too: snapping can make a refined point worse than a raw one.
  int raw_keep = std::min<int>(std::max(options.keep * 4, top), static_cast<int>(order.size()));
  std::partial_sort(order.begin(), order.begin() + raw_keep, order.end(),
                    [&](int a, int b) { return raw_score[a] > raw_score[b]; });
  for (int t = 0; t < raw_keep; ++t) pool.push_back(raw.row(order[t]).transpose());

  Eigen::MatrixXd snapped(pool.size(), md);
  for (size_t i = 0; i < pool.size(); ++i) snapped.row(i) = cube.Snap(pool[i]).transpose();
  Eigen::VectorXd score = ScoreLogEi(gp, best, snapped);
  std::vector<int> idx(pool.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return score[a] > score[b]; });
  std::vector<ScoredPoint> out;
  for (int i : idx) {
    bool dup = false;
    for (const ScoredPoint& p : out)
      if (p.x == snapped.row(i).transpose()) {
        dup = true;
        break;
      }
    if (dup) continue;
    out.push_back({snapped.row(i).transpose(), score[i]});
    if (static_cast<int>(out.size()) >= options.keep) break;
  }
  return out;
}

}  // namespace sweep
