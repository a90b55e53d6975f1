// Enumeration of small discrete spaces and the maximin exploration step (see
// exploration.h for when and why each is used).
#include "search/bayes/exploration.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "search/bayes/initial_design.h"

namespace sweep {

std::vector<ScoredPoint> EnumerateLogEi(const GaussianProcess& gp, double best,
                                        const UnitCube& cube, size_t count,
                                        const std::function<bool(const Eigen::VectorXd&)>& usable,
                                        size_t keep) {
  std::vector<Eigen::VectorXd> points;
  for (size_t i = 0; i < count; ++i) {
    Eigen::VectorXd x = cube.EnumeratePoint(i);
    if (usable(x)) points.push_back(std::move(x));
  }
  if (points.empty()) return {};
  Eigen::MatrixXd X(static_cast<Eigen::Index>(points.size()), points[0].size());
  for (size_t i = 0; i < points.size(); ++i) X.row(static_cast<Eigen::Index>(i)) = points[i];
  Eigen::VectorXd score = ScoreLogEi(gp, best, X);
  std::vector<size_t> idx(points.size());
  std::iota(idx.begin(), idx.end(), 0);
  size_t k = std::min(keep, idx.size());
  // Ties (a flat EI) keep enumeration order, so the result is deterministic.
  std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k), idx.end(),
                    [&](size_t a, size_t b) {
                      if (score[a] != score[b]) return score[a] > score[b];
                      return a < b;
                    });
  std::vector<ScoredPoint> out;
  for (size_t i = 0; i < k; ++i) out.push_back({points[idx[i]], score[idx[i]]});
  return out;
}

std::optional<Eigen::VectorXd> FarthestPoint(
    const UnitCube& cube, const Eigen::MatrixXd& observed,
    const std::function<bool(const Eigen::VectorXd&)>& usable, int candidates, uint64_t seed) {
  const int pd = static_cast<int>(cube.ParamDims());
  if (pd == 0) return std::nullopt;
  Eigen::MatrixXd U = SpaceFilling(candidates, pd, seed);
  std::optional<Eigen::VectorXd> best;
  double best_dist = -1;
  for (int i = 0; i < U.rows(); ++i) {
    Eigen::VectorXd x = cube.Snap(cube.FromParamUnit(U.row(i).transpose()));
    if (!usable(x)) continue;
    double nearest = std::numeric_limits<double>::infinity();
    for (Eigen::Index r = 0; r < observed.rows(); ++r)
      nearest = std::min(nearest, (observed.row(r).transpose() - x).squaredNorm());
    if (nearest > best_dist) best_dist = nearest, best = std::move(x);
  }
  return best;
}

size_t ObservationsSinceImprovement(const std::vector<std::optional<double>>& values) {
  double best = -std::numeric_limits<double>::infinity();
  size_t since = 0;
  for (const std::optional<double>& v : values) {
    if (v && *v > best) {
      best = *v;
      since = 0;
    } else {
      ++since;
    }
  }
  return since;
}

std::vector<std::optional<double>> SignificantOnly(const std::vector<std::optional<double>>& values,
                                                   double tolerance) {
  std::vector<std::optional<double>> out = values;
  double lo = std::numeric_limits<double>::infinity();
  double best = -std::numeric_limits<double>::infinity();
  for (std::optional<double>& v : out) {
    if (!v) continue;
    lo = std::min(lo, *v);
    if (std::isfinite(best) && *v <= best + tolerance * (std::max(best, *v) - lo)) {
      v.reset();
    } else {
      best = *v;
    }
  }
  return out;
}

bool FarStepAllowed(const std::vector<std::optional<double>>& values,
                    const FarStepSchedule& schedule) {
  const size_t stall = static_cast<size_t>(schedule.stall);
  const size_t closes = stall + static_cast<size_t>(schedule.window);
  double best = -std::numeric_limits<double>::infinity();
  size_t since = 0;
  int unpaid = 0;
  auto open = [&] { return since >= stall && since < closes && unpaid < schedule.max_unpaid; };
  for (const std::optional<double>& v : values) {
    const bool far = open();  // what the ask that produced v was allowed to be
    if (v && *v > best) {
      best = *v;
      since = 0;
      if (far) unpaid = 0;
    } else if (++since == closes && far) {
      ++unpaid;
    }
  }
  return open();
}

}  // namespace sweep
