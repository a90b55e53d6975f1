// Test problems shared by the Bayesian benchmarks (bayes_quality, bayes_latency).
// Each is a minimisation with a known optimum; bench/bayes_peers.py defines the same
// functions for the Python peers, so any change here must be made there too.
#pragma once

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "search/search_space.h"

namespace sweep::bench {

struct Problem {
  std::string name;
  SearchSpace space;
  std::function<double(const Config&)> f;
  double optimum;
};

inline Parameter Uniform(const std::string& name, double lo, double hi) {
  Parameter p;
  p.name = name;
  p.path = {name};
  p.distribution = Distribution::kUniform;
  p.min = lo;
  p.max = hi;
  return p;
}

inline std::vector<double> Numbers(const Config& c) {
  std::vector<double> x;
  for (const Value& v : c) x.push_back(v.get<double>());
  return x;
}

inline Problem Box(const std::string& name, int d, double lo, double hi,
                   std::function<double(const std::vector<double>&)> f, double opt) {
  Problem p{name, {}, nullptr, opt};
  for (int i = 0; i < d; ++i) p.space.params.push_back(Uniform("x" + std::to_string(i), lo, hi));
  p.f = [f](const Config& c) { return f(Numbers(c)); };
  return p;
}

// Functions of any dimension, shared by their 4/5-D and 10-D problems.
inline double Rosenbrock(const std::vector<double>& x) {
  double s = 0;
  for (size_t i = 0; i + 1 < x.size(); ++i)
    s += 100 * std::pow(x[i + 1] - x[i] * x[i], 2) + std::pow(1 - x[i], 2);
  return s;
}

inline double Ackley(const std::vector<double>& x) {
  double s1 = 0, s2 = 0, d = static_cast<double>(x.size());
  for (double v : x) s1 += v * v, s2 += std::cos(2 * M_PI * v);
  return -20 * std::exp(-0.2 * std::sqrt(s1 / d)) - std::exp(s2 / d) + 20 + M_E;
}

inline double Levy(const std::vector<double>& x) {
  size_t d = x.size();
  std::vector<double> w(d);
  for (size_t i = 0; i < d; ++i) w[i] = 1 + (x[i] - 1) / 4;
  double s = std::pow(std::sin(M_PI * w[0]), 2);
  for (size_t i = 0; i + 1 < d; ++i)
    s += (w[i] - 1) * (w[i] - 1) * (1 + 10 * std::pow(std::sin(M_PI * w[i] + 1), 2));
  s += (w[d - 1] - 1) * (w[d - 1] - 1) * (1 + std::pow(std::sin(2 * M_PI * w[d - 1]), 2));
  return s;
}

inline std::vector<Problem> AllProblems() {
  std::vector<Problem> out;
  {
    Problem p{"branin", {}, nullptr, 0.397887357729739};
    p.space.params = {Uniform("x0", -5, 10), Uniform("x1", 0, 15)};
    p.f = [](const Config& c) {
      auto x = Numbers(c);
      double b = 5.1 / (4 * M_PI * M_PI), cc = 5 / M_PI, t = 1 / (8 * M_PI);
      double u = x[1] - b * x[0] * x[0] + cc * x[0] - 6;
      return u * u + 10 * (1 - t) * std::cos(x[0]) + 10;
    };
    out.push_back(p);
  }
  out.push_back(Box(
      "hartmann6", 6, 0, 1,
      [](const std::vector<double>& x) {
        static const double A[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                       {0.05, 10, 17, 0.1, 8, 14},
                                       {3, 3.5, 1.7, 10, 17, 8},
                                       {17, 8, 0.05, 10, 0.1, 14}};
        static const double P[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                       {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                       {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                       {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
        static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
        double s = 0;
        for (int i = 0; i < 4; ++i) {
          double e = 0;
          for (int j = 0; j < 6; ++j) e += A[i][j] * (x[j] - P[i][j]) * (x[j] - P[i][j]);
          s += alpha[i] * std::exp(-e);
        }
        return -s;
      },
      -3.32237));
  out.push_back(Box("rosenbrock4", 4, -5, 10, Rosenbrock, 0));
  out.push_back(Box("ackley5", 5, -32.768, 32.768, Ackley, 0));
  out.push_back(Box("levy4", 4, -10, 10, Levy, 0));
  // 10-D problems for long sweeps (budgets of 300 and more), where the model holds
  // hundreds of points and the acquisition's candidate counts change (bayes_search.h).
  out.push_back(Box("rosenbrock10", 10, -5, 10, Rosenbrock, 0));
  out.push_back(Box("ackley10", 10, -32.768, 32.768, Ackley, 0));
  out.push_back(Box("levy10", 10, -10, 10, Levy, 0));
  // Multimodal problems (issue 18): many local minima, one global.
  out.push_back(Box(
      "rastrigin5", 5, -5.12, 5.12,
      [](const std::vector<double>& x) {
        double s = 10.0 * static_cast<double>(x.size());
        for (double v : x) s += v * v - 10 * std::cos(2 * M_PI * v);
        return s;
      },
      0));
  out.push_back(Box(
      "schwefel5", 5, -500, 500,
      [](const std::vector<double>& x) {
        double s = 418.9828872724338 * static_cast<double>(x.size());
        for (double v : x) s -= v * std::sin(std::sqrt(std::abs(v)));
        return s;
      },
      0));
  out.push_back(Box(
      "michalewicz5", 5, 0, M_PI,
      [](const std::vector<double>& x) {
        double s = 0;
        for (size_t i = 0; i < x.size(); ++i)
          s -= std::sin(x[i]) * std::pow(std::sin((i + 1) * x[i] * x[i] / M_PI), 20);
        return s;
      },
      -4.687658));
  {
    // Mixed: two continuous, one log-scale, one integer, one categorical parameter that
    // moves the continuous optimum. Optimum 0 at x=1.5, y=-0.5, lr=1e-3, n=7, opt=sgd.
    Problem p{"mixed", {}, nullptr, 0};
    Parameter lr;
    lr.name = "lr";
    lr.path = {"lr"};
    lr.distribution = Distribution::kLogUniformValues;
    lr.min = 1e-5;
    lr.max = 1e-1;
    Parameter n;
    n.name = "n";
    n.path = {"n"};
    n.distribution = Distribution::kIntUniform;
    n.min = 0;
    n.max = 10;
    n.integer = true;
    Parameter opt;
    opt.name = "opt";
    opt.path = {"opt"};
    opt.distribution = Distribution::kCategorical;
    opt.values = {"sgd", "adam", "rmsprop"};
    p.space.params = {Uniform("x", -5, 5), Uniform("y", -5, 5), lr, n, opt};
    p.f = [](const Config& c) {
      double x = c[0].get<double>(), y = c[1].get<double>(), lr = c[2].get<double>();
      double n = c[3].get<double>();
      std::string o = c[4].get<std::string>();
      double shift = o == "sgd" ? 1.5 : o == "adam" ? -2.0 : 0.5;
      double base = o == "sgd" ? 0.0 : o == "adam" ? 0.3 : 0.6;
      double l = std::log10(lr) + 3;
      return (x - shift) * (x - shift) + 2 * (y + 0.5) * (y + 0.5) + l * l +
             0.25 * (n - 7) * (n - 7) + base;
    };
    out.push_back(p);
  }
  return out;
}

}  // namespace sweep::bench
