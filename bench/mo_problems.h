// Multi-objective test problems shared by bench/mo_quality and bench/mo_latency; all
// objectives are minimised, parameters are x0..x(d-1) uniform in [0, 1].
// bench/mo_peers.py defines the same functions for Optuna, so a change here must be
// made there too. Reference points are BoTorch's (botorch.test_functions.multi_objective).
//   branincurrin   2 objectives, d = 2 (Belakaria et al. 2019), ref (18, 6)
//   zdt1           2 objectives, d = 6 (Zitzler, Deb & Thiele 2000), ref (11, 11)
//   dtlz2          3 objectives, d = 6 (Deb et al. 2002), ref (1.1, 1.1, 1.1)
//   cbraincurrin   BraninCurrin with the constraint (x0'-2.5)^2 + (x1'-7.5)^2 <= 50 on
//                  Branin's domain (BoTorch's ConstrainedBraninCurrin), ref (80, 12)
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "search/search_space.h"

namespace sweep::bench {

struct MoProblem {
  std::string name;
  int dims = 2;
  int objectives = 2;
  std::vector<double> reference;
  bool constrained = false;  // constraint(x) <= kConstraintMax must hold
};

constexpr double kConstraintMax = 50;

inline std::vector<MoProblem> MoProblems() {
  return {{"branincurrin", 2, 2, {18, 6}, false},
          {"zdt1", 6, 2, {11, 11}, false},
          {"dtlz2", 6, 3, {1.1, 1.1, 1.1}, false},
          {"cbraincurrin", 2, 2, {80, 12}, true}};
}

inline SearchSpace MoSpace(int dims) {
  SearchSpace s;
  for (int i = 0; i < dims; ++i) {
    Parameter p;
    p.name = "x" + std::to_string(i);
    p.path = {p.name};
    p.distribution = Distribution::kUniform;
    p.min = 0;
    p.max = 1;
    s.params.push_back(p);
  }
  return s;
}

inline std::vector<double> BraninCurrin(double x0, double x1) {
  const double u = 15 * x0 - 5, v = 15 * x1;
  const double b = std::pow(v - 5.1 / (4 * M_PI * M_PI) * u * u + 5 / M_PI * u - 6, 2) +
                   10 * (1 - 1 / (8 * M_PI)) * std::cos(u) + 10;
  const double x1s = std::max(x1, 1e-12);
  const double c = (1 - std::exp(-1 / (2 * x1s))) *
                   (2300 * x0 * x0 * x0 + 1900 * x0 * x0 + 2092 * x0 + 60) /
                   (100 * x0 * x0 * x0 + 500 * x0 * x0 + 4 * x0 + 20);
  return {b, c};
}

// The objectives of `name` at x.
inline std::vector<double> MoEvaluate(const std::string& name, const std::vector<double>& x) {
  if (name == "branincurrin" || name == "cbraincurrin") return BraninCurrin(x[0], x[1]);
  if (name == "zdt1") {
    double s = 0;
    for (size_t i = 1; i < x.size(); ++i) s += x[i];
    const double g = 1 + 9 * s / static_cast<double>(x.size() - 1);
    return {x[0], g * (1 - std::sqrt(x[0] / g))};
  }
  // dtlz2, m = 3
  double g = 0;
  for (size_t i = 2; i < x.size(); ++i) g += (x[i] - 0.5) * (x[i] - 0.5);
  const double a = x[0] * M_PI / 2, b = x[1] * M_PI / 2;
  return {(1 + g) * std::cos(a) * std::cos(b), (1 + g) * std::cos(a) * std::sin(b),
          (1 + g) * std::sin(a)};
}

// The constrained metric of cbraincurrin (feasible when <= kConstraintMax).
inline double MoConstraint(const std::vector<double>& x) {
  const double u = 15 * x[0] - 5, v = 15 * x[1];
  return (u - 2.5) * (u - 2.5) + (v - 7.5) * (v - 7.5);
}

}  // namespace sweep::bench
