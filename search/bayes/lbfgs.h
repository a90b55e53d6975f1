// A small box-constrained quasi-Newton minimiser (projected L-BFGS) used to fit GP
// hyperparameters and to refine acquisition maxima. Written here rather than pulled
// in as a dependency: the problems are tiny (tens of variables) and smooth.
#pragma once

#include <Eigen/Dense>
#include <functional>

namespace sweep {

struct LbfgsOptions {
  int max_iterations = 100;    // outer iterations (each may evaluate f several times)
  int memory = 8;              // (s, y) pairs kept
  double gradient_tol = 1e-6;  // stop when the projected gradient's max-norm is below
  double relative_tol = 1e-9;  // stop when f improves by less than this, relatively
};

struct LbfgsResult {
  Eigen::VectorXd x;
  double f = 0;
  int evaluations = 0;
};

// f(x, grad) returns the objective at x and writes its gradient into grad (same size
// as x). A non-finite value is treated as +infinity and rejected by the line search.
using Objective = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd& grad)>;

// Minimises f over the box [lo, hi] starting from x0 (clamped into the box). Always
// returns the best finite point it saw (x0 itself if nothing better was found; f is
// +infinity only when f(x0) was not finite). Single-threaded; calls f synchronously.
LbfgsResult MinimizeBox(const Objective& f, const Eigen::VectorXd& x0, const Eigen::VectorXd& lo,
                        const Eigen::VectorXd& hi, const LbfgsOptions& options = {});

}  // namespace sweep
