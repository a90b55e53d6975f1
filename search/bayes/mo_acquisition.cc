// Monte-Carlo log EHVI x PoF (see mo_acquisition.h).
//
// Cost: one batched posterior per GP, then S hypervolume improvements per candidate.
// With two objectives the front is sorted once and each improvement is one linear sweep
// over it (the clipped front keeps its order); beyond two, HypervolumeImprovement
// (search/pareto.h) does the general computation.
#include "search/bayes/mo_acquisition.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

#include "search/bayes/initial_design.h"
#include "search/bayes/rng.h"

namespace sweep {
namespace {

constexpr double kFloor = -1e300;

// HVI of c against a 2-D front sorted by the first objective ascending (and so the
// second descending once dominated points are gone).
double Hvi2(const std::vector<ObjectivePoint>& sorted, double c0, double c1, double r0, double r1) {
  if (!(c0 < r0) || !(c1 < r1)) return 0;
  double covered = 0, y_bound = r1;
  for (const ObjectivePoint& p : sorted) {
    const double q0 = std::max(p[0], c0), q1 = std::max(p[1], c1);
    if (q0 >= r0 || q1 >= r1) continue;
    if (q0 == c0 && q1 == c1) return 0;
    if (q1 >= y_bound) continue;
    covered += (r0 - q0) * (y_bound - q1);
    y_bound = q1;
  }
  return std::max(0.0, (r0 - c0) * (r1 - c1) - covered);
}

double LogPof(const MoModel& model, const std::vector<Eigen::VectorXd>& mean,
              const std::vector<Eigen::VectorXd>& var, Eigen::Index i) {
  double log_pof = 0;
  for (size_t j = 0; j < model.constraints.size(); ++j) {
    const double sd = std::sqrt(std::max(var[j][i], 1e-12));
    const auto [lo, hi] = model.bounds[j];
    double p = (std::isfinite(hi) ? NormalCdf((hi - mean[j][i]) / sd) : 1.0) -
               (std::isfinite(lo) ? NormalCdf((lo - mean[j][i]) / sd) : 0.0);
    log_pof += std::log(std::max(p, 1e-300));
  }
  return log_pof;
}

}  // namespace

ObjectivePoint RobustReference(const std::vector<ObjectivePoint>& front) {
  const size_t m = front.front().size();
  std::vector<double> eps(m);
  for (size_t k = 0; k < m; ++k) {
    double lo = INFINITY, hi = -INFINITY;
    for (const ObjectivePoint& p : front) lo = std::min(lo, p[k]), hi = std::max(hi, p[k]);
    eps[k] = 0.05 * (hi - lo);
  }
  std::vector<double> lo(m, INFINITY), hi(m, -INFINITY);
  for (const ObjectivePoint& p : front) {
    bool dropped = false;
    for (size_t q = 0; q < front.size() && !dropped; ++q) {
      if (&front[q] == &p) continue;
      bool covers = true;
      double gain = 0, loss = 0;
      for (size_t k = 0; k < m; ++k) {
        covers = covers && front[q][k] - eps[k] <= p[k];
        gain = std::max(gain, p[k] - front[q][k]);
        loss = std::max(loss, front[q][k] - p[k]);
      }
      dropped = covers && gain > loss;
    }
    if (dropped) continue;
    for (size_t k = 0; k < m; ++k) lo[k] = std::min(lo[k], p[k]), hi[k] = std::max(hi[k], p[k]);
  }
  if (!std::isfinite(hi[0])) {  // every point dropped by another: fall back to all of them
    for (const ObjectivePoint& p : front)
      for (size_t k = 0; k < m; ++k) lo[k] = std::min(lo[k], p[k]), hi[k] = std::max(hi[k], p[k]);
  }
  ObjectivePoint reference(m);
  for (size_t k = 0; k < m; ++k) reference[k] = hi[k] + 0.1 * (hi[k] > lo[k] ? hi[k] - lo[k] : 1.0);
  return reference;
}

Eigen::MatrixXd MoBaseSamples(int samples, int objectives, uint64_t seed) {
  Eigen::MatrixXd U = SpaceFilling(samples, objectives, seed);
  for (Eigen::Index i = 0; i < U.rows(); ++i)
    for (Eigen::Index k = 0; k < U.cols(); ++k)
      U(i, k) = InvNormalCdf(std::clamp(U(i, k), 1e-9, 1 - 1e-9));
  return U;
}

Eigen::VectorXd ScoreMoAcquisition(const MoModel& model, const Eigen::MatrixXd& X) {
  const size_t m = model.objectives.size();
  std::vector<Eigen::VectorXd> mean(m), var(m), cmean(model.constraints.size()),
      cvar(model.constraints.size());
  for (size_t k = 0; k < m; ++k) model.objectives[k]->Predict(X, mean[k], var[k]);
  for (size_t j = 0; j < model.constraints.size(); ++j)
    model.constraints[j]->Predict(X, cmean[j], cvar[j]);
  std::vector<ObjectivePoint> sorted = model.front;
  if (m == 2)
    std::sort(sorted.begin(), sorted.end(), [](const ObjectivePoint& a, const ObjectivePoint& b) {
      return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]);
    });
  Eigen::VectorXd out(X.rows());
  const Eigen::Index S = model.base_samples.rows();
  ObjectivePoint y(m);
  // Beyond two objectives an improvement costs a 3-D hypervolume, so candidates are
  // screened first by the improvement of their optimistic point (mean + sd) and only the
  // best kFullScored get the Monte-Carlo estimate; the rest rank below all of them.
  constexpr Eigen::Index kFullScored = 128;
  std::vector<bool> full(static_cast<size_t>(X.rows()), true);
  if (m > 2 && X.rows() > kFullScored && !model.front.empty()) {
    std::vector<double> screen(static_cast<size_t>(X.rows()));
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      for (size_t k = 0; k < m; ++k) y[k] = -(mean[k][i] + std::sqrt(var[k][i]));
      // Most candidates improve nothing even optimistically; among those, the ones
      // closest to leaving the dominated region screen best (not the first in order).
      double screen_i = HypervolumeImprovement(model.front, y, model.reference);
      if (!(screen_i > 0)) {
        double gap = INFINITY;
        for (const ObjectivePoint& p : model.front) {
          double worst = -INFINITY;
          for (size_t k = 0; k < m; ++k) worst = std::max(worst, y[k] - p[k]);
          gap = std::min(gap, worst);
        }
        screen_i = -std::max(gap, 0.0);
      }
      screen[i] = screen_i + 1e-9 * std::exp(LogPof(model, cmean, cvar, i));
    }
    std::vector<double> sorted_screen = screen;
    std::nth_element(sorted_screen.begin(), sorted_screen.begin() + (kFullScored - 1),
                     sorted_screen.end(), std::greater<double>());
    const double cut = sorted_screen[kFullScored - 1];
    Eigen::Index taken = 0;
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      full[i] = screen[i] >= cut && taken < kFullScored;
      taken += full[i];
    }
  }
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const double log_pof = LogPof(model, cmean, cvar, i);
    if (model.front.empty()) {
      out[i] = log_pof;
      continue;
    }
    if (!full[i]) {
      out[i] = -1e9;
      continue;
    }
    double sum = 0;
    for (Eigen::Index s = 0; s < S; ++s) {
      for (size_t k = 0; k < m; ++k)
        y[k] = -(mean[k][i] + std::sqrt(var[k][i]) * model.base_samples(s, k));
      sum += m == 2 ? Hvi2(sorted, y[0], y[1], model.reference[0], model.reference[1])
                    : HypervolumeImprovement(model.front, y, model.reference);
    }
    double score;
    if (sum > 0) {
      score = std::log(sum / static_cast<double>(S));
    } else {
      // Distance the optimistic point must move to leave the dominated region.
      double gap = INFINITY;
      for (const ObjectivePoint& p : model.front) {
        double worst = -INFINITY;
        for (size_t k = 0; k < m; ++k)
          worst = std::max(worst, -(mean[k][i] + 3 * std::sqrt(var[k][i])) - p[k]);
        gap = std::min(gap, worst);
      }
      score = -1e3 - std::max(gap, 0.0);
    }
    score += log_pof;
    out[i] = std::isfinite(score) ? score : kFloor;
  }
  return out;
}

Eigen::VectorXd MoLogPof(const MoModel& model, const Eigen::MatrixXd& X) {
  const size_t c = model.constraints.size();
  std::vector<Eigen::VectorXd> mean(c), var(c);
  for (size_t j = 0; j < c; ++j) model.constraints[j]->Predict(X, mean[j], var[j]);
  Eigen::VectorXd out(X.rows());
  for (Eigen::Index i = 0; i < X.rows(); ++i) out[i] = LogPof(model, mean, var, i);
  return out;
}

std::vector<ScoredPoint> MaximizeMoAcquisition(const MoModel& model, const UnitCube& cube,
                                               const Eigen::MatrixXd& incumbents,
                                               const AcqOptimizerOptions& options) {
  return MaximizeByPerturbation(
      [&](const Eigen::MatrixXd& X) { return ScoreMoAcquisition(model, X); }, cube, incumbents,
      options);
}

std::vector<ScoredPoint> MaximizeByPerturbation(const BatchScore& score_fn, const UnitCube& cube,
                                                const Eigen::MatrixXd& incumbents,
                                                const AcqOptimizerOptions& options) {
  const int pd = static_cast<int>(cube.ParamDims());
  const int md = static_cast<int>(cube.ModelDims());
  BayesRng rng(BayesRng::Mix(options.seed, 0x40AC));
  const auto& cat = cube.CategoricalMask();
  const auto& blocks = cube.CategoricalBlocks();
  auto perturb = [&](Eigen::VectorXd x, double scale) {
    for (int j = 0; j < md; ++j)
      if (!cat[j]) x[j] = std::clamp(x[j] + scale * rng.Normal(), 0.0, 1.0);
    if (!blocks.empty() && rng.Uniform() < 0.3) {
      auto [offset, width] = blocks[rng.Below(blocks.size())];
      x.segment(offset, width).setZero();
      x[offset + static_cast<int>(rng.Below(width))] = 1;
    }
    return cube.Snap(x);
  };
  const Eigen::MatrixXd U = SpaceFilling(options.raw_samples, pd, options.seed);
  const int n_local = incumbents.rows() > 0 ? options.local_samples : 0;
  Eigen::MatrixXd pool(options.raw_samples + n_local, md);
  for (int i = 0; i < options.raw_samples; ++i)
    pool.row(i) = cube.Snap(cube.FromParamUnit(U.row(i).transpose())).transpose();
  static constexpr double kScales[] = {0.01, 0.05, 0.1, 0.2};
  for (int i = 0; i < n_local; ++i)
    pool.row(options.raw_samples + i) =
        perturb(incumbents.row(i % incumbents.rows()).transpose(), kScales[rng.Below(4)])
            .transpose();
  std::vector<int> numeric;
  for (int j = 0; j < md; ++j)
    if (!cat[j]) numeric.push_back(j);
  if (n_local > 0 && !numeric.empty()) {
    const Eigen::Index at0 = pool.rows();
    const int n_cross = incumbents.rows() > 1 ? n_local : 0;
    pool.conservativeResize(at0 + n_local + n_cross, Eigen::NoChange);
    // Coordinate candidates (DYCORS): one or two numeric coordinates moved, the rest
    // kept. A front that lies on a subspace (ZDT's x1.. = 0, DTLZ's x_m.. = 0.5) is
    // walked along by moving the position coordinates alone, which an all-coordinate
    // perturbation almost never leaves in place.
    static constexpr double kCoordScales[] = {0.02, 0.1, 0.3, -1};  // -1: redraw uniformly
    for (int i = 0; i < n_local; ++i) {
      Eigen::VectorXd x = incumbents.row(i % incumbents.rows()).transpose();
      const int moved = numeric.size() > 1 && rng.Uniform() < 0.5 ? 2 : 1;
      for (int c = 0; c < moved; ++c) {
        const int j = numeric[rng.Below(numeric.size())];
        const double scale = kCoordScales[rng.Below(4)];
        x[j] = scale < 0 ? rng.Uniform() : std::clamp(x[j] + scale * rng.Normal(), 0.0, 1.0);
      }
      pool.row(at0 + i) = cube.Snap(x).transpose();
    }
    // Crossover candidates: each numeric coordinate from an incumbent drawn for it alone,
    // jittered (uniform crossover; sampling every coordinate from a kernel density of the
    // incumbents, as TPE does per dimension). Coordinates that the incumbents agree on
    // stay near their values even where the GP cannot yet tell them apart.
    for (int i = 0; i < n_cross; ++i) {
      Eigen::VectorXd x = incumbents.row(rng.Below(incumbents.rows())).transpose();
      for (int j : numeric)
        x[j] =
            std::clamp(incumbents(rng.Below(incumbents.rows()), j) + 0.03 * rng.Normal(), 0.0, 1.0);
      pool.row(at0 + n_local + i) = cube.Snap(x).transpose();
    }
  }
  // Boundary candidates: each incumbent with one numeric coordinate at 0 or at 1.
  const Eigen::Index n_raw = pool.rows();
  pool.conservativeResize(n_raw + 2 * incumbents.rows() * static_cast<Eigen::Index>(numeric.size()),
                          Eigen::NoChange);
  Eigen::Index at = n_raw;
  for (Eigen::Index i = 0; i < incumbents.rows(); ++i)
    for (int j : numeric)
      for (double face : {0.0, 1.0}) {
        Eigen::VectorXd x = incumbents.row(i).transpose();
        x[j] = face;
        pool.row(at++) = cube.Snap(x).transpose();
      }
  Eigen::VectorXd score = score_fn(pool);
  // Local refinement: perturb the leaders at shrinking scales, keep what scores higher.
  for (double scale : {0.05, 0.01}) {
    std::vector<int> order(pool.rows());
    std::iota(order.begin(), order.end(), 0);
    const int top = std::min<int>(options.restarts, static_cast<int>(order.size()));
    std::partial_sort(order.begin(), order.begin() + top, order.end(),
                      [&](int a, int b) { return score[a] > score[b]; });
    const int per = 32;
    Eigen::MatrixXd local(top * per, md);
    for (int t = 0; t < top; ++t)
      for (int r = 0; r < per; ++r)
        local.row(t * per + r) = perturb(pool.row(order[t]).transpose(), scale).transpose();
    const Eigen::VectorXd local_score = score_fn(local);
    const Eigen::Index old = pool.rows();
    pool.conservativeResize(old + local.rows(), Eigen::NoChange);
    pool.bottomRows(local.rows()) = local;
    score.conservativeResize(old + local_score.size());
    score.tail(local_score.size()) = local_score;
  }
  std::vector<int> idx(pool.rows());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return score[a] > score[b]; });
  std::vector<ScoredPoint> out;
  for (int i : idx) {
    bool dup = false;
    for (const ScoredPoint& p : out) dup = dup || p.x == pool.row(i).transpose();
    if (dup) continue;
    out.push_back({pool.row(i).transpose(), score[i]});
    if (static_cast<int>(out.size()) >= options.keep) break;
  }
  return out;
}

}  // namespace sweep
