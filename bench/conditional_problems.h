// Conditional benchmark problems (issue 18): mixed spaces whose branches have
// different parameters and different optima. Each problem is a SearchSpace with
// `when:` clauses plus an objective over the flat params (inactive ones absent), and
// bench/conditional_optuna.py implements the same functions define-by-run for Optuna.
// Keep the two in step: the RESULTS.md comparison relies on it.
//
//   optim3   optimizer in {sgd, adam, rmsprop}, shared log lr; sgd: momentum,
//            nesterov; adam: beta1, beta2; rmsprop: rho, centered. The best branch
//            (adam, 0) is the narrowest; rmsprop's best is 0.3 and wide.
//   depth3   depth in {1, 2, 3}; width_i (i <= depth) and a shared dropout; a deeper
//            net can be better, but only with each width near its depth's optimum and a
//            multimodal term (Rastrigin-like) over the widths. Depth 3 wants width3 past
//            its upper bound, so the minimum is 0.04298 (width3 = 1), not 0.
//   branin_hart  branch a: scaled Branin over (a_x1, a_x2) (min 0.398 -> 0.398 + 0.2);
//            branch b: scaled Hartmann-3 over (b_y1, b_y2, b_y3) (min -3.86 -> 0).
#pragma once

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "base/value.h"
#include "search/search_space.h"

namespace sweep::bench {

struct CondProblem {
  std::string name;
  SearchSpace space;
  std::function<double(const Value& flat)> f;  // flat params of a canonical config
  double optimum = 0;                          // known minimum
};

inline Parameter Cat(const std::string& name, std::vector<Value> values) {
  Parameter p;
  p.name = name;
  p.path = {name};
  p.distribution = Distribution::kCategorical;
  p.values = std::move(values);
  return p;
}

inline Parameter Uni(const std::string& name, double lo, double hi,
                     Distribution d = Distribution::kUniform) {
  Parameter p;
  p.name = name;
  p.path = {name};
  p.distribution = d;
  p.min = lo;
  p.max = hi;
  return p;
}

inline void When(SearchSpace& s, const std::string& child, const std::string& parent,
                 std::vector<Value> values) {
  Condition c;
  c.parent = parent;
  c.parent_index = s.IndexOf(parent);
  c.values = std::move(values);
  s.params[static_cast<size_t>(s.IndexOf(child))].when.push_back(std::move(c));
}

inline double Num(const Value& flat, const char* k) { return flat[k].get<double>(); }

inline CondProblem Optim3() {
  CondProblem p;
  p.name = "optim3";
  SearchSpace& s = p.space;
  s.params = {Cat("optimizer", {Value("sgd"), Value("adam"), Value("rmsprop")}),
              Uni("lr", 1e-5, 1.0, Distribution::kLogUniformValues),
              Uni("momentum", 0.0, 0.99),
              Cat("nesterov", {Value(true), Value(false)}),
              Uni("beta1", 0.5, 0.999),
              Uni("beta2", 0.9, 0.99999),
              Uni("rho", 0.5, 0.999),
              Cat("centered", {Value(true), Value(false)})};
  When(s, "momentum", "optimizer", {Value("sgd")});
  When(s, "nesterov", "optimizer", {Value("sgd")});
  When(s, "beta1", "optimizer", {Value("adam")});
  When(s, "beta2", "optimizer", {Value("adam")});
  When(s, "rho", "optimizer", {Value("rmsprop")});
  When(s, "centered", "optimizer", {Value("rmsprop")});
  p.f = [](const Value& x) {
    const double l = std::log10(Num(x, "lr"));
    const std::string opt = x["optimizer"].get<std::string>();
    if (opt == "sgd") {
      const double m = Num(x, "momentum");
      return 0.15 + 0.5 * std::pow(l + 1.5, 2) + 4 * std::pow(m - 0.9, 2) +
             (x["nesterov"].get<bool>() ? 0.0 : 0.1);
    }
    if (opt == "adam") {
      const double b1 = Num(x, "beta1"), b2 = Num(x, "beta2");
      return std::pow(l + 3.3, 2) + 8 * std::pow(b1 - 0.88, 2) +
             3 * std::fabs(std::log10(1 - b2) + 3);  // best beta2 = 0.999
    }
    const double r = Num(x, "rho");
    return 0.3 + 0.25 * std::pow(l + 2.5, 2) + 2 * std::pow(r - 0.9, 2) +
           (x["centered"].get<bool>() ? 0.05 : 0.0);
  };
  p.optimum = 0;
  return p;
}

inline CondProblem Depth3() {
  CondProblem p;
  p.name = "depth3";
  SearchSpace& s = p.space;
  s.params = {Cat("depth", {Value(1), Value(2), Value(3)}), Uni("dropout", 0.0, 0.8),
              Uni("width1", 0.0, 1.0), Uni("width2", 0.0, 1.0), Uni("width3", 0.0, 1.0)};
  When(s, "width2", "depth", {Value(2), Value(3)});
  When(s, "width3", "depth", {Value(3)});
  p.f = [](const Value& x) {
    const int depth = x["depth"].get<int>();
    const double base[] = {0.6, 0.3, 0.0};
    // Each depth wants its widths elsewhere: optimum w_i* = 0.15 + 0.2 i + 0.1 depth.
    double v = base[depth - 1] + 2 * std::pow(Num(x, "dropout") - 0.1 * depth, 2);
    for (int i = 1; i <= depth; ++i) {
      const std::string k = "width" + std::to_string(i);
      const double z = Num(x, k.c_str()) - (0.15 + 0.2 * i + 0.1 * depth);
      v += 4 * z * z + 0.08 * (1 - std::cos(6 * M_PI * z));  // ripples: local minima
    }
    return v;
  };
  p.optimum = 0.04298;
  return p;
}

inline CondProblem BraninHartmann() {
  CondProblem p;
  p.name = "branin_hart";
  SearchSpace& s = p.space;
  s.params = {Cat("branch", {Value("a"), Value("b")}),
              Uni("a_x1", -5, 10),
              Uni("a_x2", 0, 15),
              Uni("b_y1", 0, 1),
              Uni("b_y2", 0, 1),
              Uni("b_y3", 0, 1)};
  When(s, "a_x1", "branch", {Value("a")});
  When(s, "a_x2", "branch", {Value("a")});
  When(s, "b_y1", "branch", {Value("b")});
  When(s, "b_y2", "branch", {Value("b")});
  When(s, "b_y3", "branch", {Value("b")});
  p.f = [](const Value& x) {
    if (x["branch"] == "a") {
      const double x1 = Num(x, "a_x1"), x2 = Num(x, "a_x2");
      const double b = 5.1 / (4 * M_PI * M_PI), c = 5 / M_PI, t = 1 / (8 * M_PI);
      const double br =
          std::pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * std::cos(x1) + 10;
      return 0.2 + br / 10;  // min 0.2398
    }
    static const double a[4][3] = {{3, 10, 30}, {0.1, 10, 35}, {3, 10, 30}, {0.1, 10, 35}};
    static const double pm[4][3] = {{0.3689, 0.1170, 0.2673},
                                    {0.4699, 0.4387, 0.7470},
                                    {0.1091, 0.8732, 0.5547},
                                    {0.0381, 0.5743, 0.8828}};
    static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
    const double y[3] = {Num(x, "b_y1"), Num(x, "b_y2"), Num(x, "b_y3")};
    double h = 0;
    for (int i = 0; i < 4; ++i) {
      double e = 0;
      for (int j = 0; j < 3; ++j) e += a[i][j] * std::pow(y[j] - pm[i][j], 2);
      h -= alpha[i] * std::exp(-e);
    }
    return (h + 3.86278) / 3.86278 * 4;  // min 0, scaled so both branches compete
  };
  p.optimum = 0;
  return p;
}

inline std::vector<CondProblem> AllCondProblems() { return {Optim3(), Depth3(), BraninHartmann()}; }

}  // namespace sweep::bench
