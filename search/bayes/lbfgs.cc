// Projected L-BFGS. Each iteration: the projected gradient (components pushing out of
// the box at an active bound are zeroed) goes through the standard two-loop recursion
// restricted to free variables; the step is projected back into the box and accepted
// by backtracking on the Armijo condition. A step that is not a descent direction, or
// a failed line search, clears the memory and falls back to steepest descent once.
#include "search/bayes/lbfgs.h"

#include <cmath>
#include <deque>
#include <limits>

namespace sweep {
namespace {

double SafeEval(const Objective& f, const Eigen::VectorXd& x, Eigen::VectorXd& g) {
  g.setZero(x.size());
  double v = f(x, g);
  if (!std::isfinite(v) || !g.allFinite()) return std::numeric_limits<double>::infinity();
  return v;
}

}  // namespace

LbfgsResult MinimizeBox(const Objective& f, const Eigen::VectorXd& x0, const Eigen::VectorXd& lo,
                        const Eigen::VectorXd& hi, const LbfgsOptions& options) {
  const Eigen::Index n = x0.size();
  LbfgsResult res;
  res.x = x0.cwiseMax(lo).cwiseMin(hi);
  Eigen::VectorXd g(n), g_new(n);
  res.f = SafeEval(f, res.x, g);
  res.evaluations = 1;
  if (!std::isfinite(res.f)) return res;

  std::deque<std::pair<Eigen::VectorXd, Eigen::VectorXd>> mem;  // (s, y)
  Eigen::VectorXd x_new(n), d(n), pg(n);
  for (int it = 0; it < options.max_iterations; ++it) {
    // Projected gradient and the set of variables free to move.
    Eigen::Array<bool, Eigen::Dynamic, 1> free(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      bool at_lo = res.x[i] <= lo[i] && g[i] > 0;
      bool at_hi = res.x[i] >= hi[i] && g[i] < 0;
      free[i] = !(at_lo || at_hi);
      pg[i] = free[i] ? g[i] : 0.0;
    }
    if (pg.lpNorm<Eigen::Infinity>() < options.gradient_tol) break;

    // Two-loop recursion on the free variables.
    d = -pg;
    std::vector<double> alpha(mem.size());
    for (int k = static_cast<int>(mem.size()) - 1; k >= 0; --k) {
      const auto& [s, y] = mem[k];
      alpha[k] = s.dot(d) / y.dot(s) * -1.0;
      d += alpha[k] * y;  // d = -(q) with q -= alpha*y, tracked on the negated vector
    }
    if (!mem.empty()) {
      const auto& [s, y] = mem.back();
      d *= s.dot(y) / y.dot(y);
    }
    for (size_t k = 0; k < mem.size(); ++k) {
      const auto& [s, y] = mem[k];
      double beta = y.dot(d) / y.dot(s);
      d += s * (-alpha[k] - beta);
    }
    for (Eigen::Index i = 0; i < n; ++i)
      if (!free[i]) d[i] = 0;
    if (g.dot(d) >= 0) {
      d = -pg;
      mem.clear();
    }

    double step = mem.empty() ? std::min(1.0, 1.0 / std::max(1e-12, d.norm())) : 1.0;
    double f_new = std::numeric_limits<double>::infinity();
    bool accepted = false;
    for (int ls = 0; ls < 30; ++ls) {
      x_new = (res.x + step * d).cwiseMax(lo).cwiseMin(hi);
      f_new = SafeEval(f, x_new, g_new);
      ++res.evaluations;
      if (f_new <= res.f + 1e-4 * g.dot(x_new - res.x)) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) {
      if (mem.empty()) break;
      mem.clear();
      continue;
    }
    Eigen::VectorXd s = x_new - res.x, y = g_new - g;
    double improvement = res.f - f_new;
    res.x = x_new;
    res.f = f_new;
    g = g_new;
    if (s.dot(y) > 1e-12 * y.squaredNorm()) {
      mem.emplace_back(s, y);
      if (static_cast<int>(mem.size()) > options.memory) mem.pop_front();
    }
    if (improvement <= options.relative_tol * (1 + std::abs(res.f))) break;
  }
  return res;
}

}  // namespace sweep
