// Learning-curve families for the early-termination comparison (bench/curve_bench.cc).
//
// Every family returns, for one seed, the loss curves of a sweep's configurations in
// the order they are enqueued (smaller is better; NaN = diverged). They were fixed
// before the curve rule was first run on them and are not tuned to any rule:
// - crossing: a + b·t^-r where the configurations with the lowest asymptote a learn
//   the slowest (r grows with a), so early leaders are not the final best;
// - noisy: independent a, b, r as in early_stop_bench, with noise sd 0.05 (5x);
// - plateau: flat at the starting loss for 0..9 epochs, then a power-law drop;
// - diverging: 30% of the configurations blow up from a random epoch on, half of them
//   to NaN;
// - mlp: real validation-loss curves of examples/quickstart's MLP on sklearn digits
//   (bench/mlp_curves.txt, recorded by bench/record_mlp_curves.py), the grid for that
//   seed in an order shuffled by the seed.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace sweep::bench {

using Curves = std::vector<std::vector<double>>;

inline const std::vector<std::string>& FamilyNames() {
  static const std::vector<std::string> names = {"crossing", "noisy", "plateau", "diverging",
                                                 "mlp"};
  return names;
}

// Standard deviation of the per-report noise of synthetic family `name`.
inline double FamilyNoiseSd(const std::string& name) { return name == "noisy" ? 0.05 : 0.01; }

// Synthetic family `name` for `seed`: `trials` curves of `epochs` reports. When `means`
// is given it receives the same curves without their noise (NaN where the curve is
// NaN), drawn from the same random sequence, so the curves are unchanged by asking.
inline Curves SyntheticCurves(const std::string& name, uint64_t seed, int trials, int epochs,
                              Curves* means = nullptr) {
  const auto& names = FamilyNames();
  const uint64_t family = std::find(names.begin(), names.end(), name) - names.begin();
  std::mt19937_64 rng(seed * 1000003 + family);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  Curves out(trials), clean(trials);
  for (int i = 0; i < trials; ++i) {
    std::vector<double>& c = out[i];
    std::vector<double>& m = clean[i];
    if (name == "crossing") {
      const double a = 0.05 + 0.45 * u01(rng);
      const double r = 0.15 + 1.2 * (a - 0.05) / 0.45 + 0.2 * (u01(rng) - 0.5);
      const double b = 0.8 + 0.7 * u01(rng);
      std::normal_distribution<double> noise(0.0, 0.01);
      for (int t = 1; t <= epochs; ++t) {
        m.push_back(a + b * std::pow(t, -r));
        c.push_back(m.back() + noise(rng));
      }
    } else if (name == "noisy") {
      const double a = 0.1 + 0.5 * u01(rng), b = 0.5 + 1.5 * u01(rng), r = 0.3 + 0.9 * u01(rng);
      std::normal_distribution<double> noise(0.0, 0.05);
      for (int t = 1; t <= epochs; ++t) {
        m.push_back(a + b * std::pow(t, -r));
        c.push_back(m.back() + noise(rng));
      }
    } else if (name == "plateau") {
      const double a = 0.1 + 0.5 * u01(rng), b = 0.5 + 1.5 * u01(rng), r = 0.3 + 0.9 * u01(rng);
      const int plateau = static_cast<int>(u01(rng) * 10);  // 0..9 flat epochs
      std::normal_distribution<double> noise(0.0, 0.01);
      for (int t = 1; t <= epochs; ++t) {
        const double tt = std::max(1, t - plateau);
        m.push_back(a + b * std::pow(tt, -r));
        c.push_back(m.back() + noise(rng));
      }
    } else {  // diverging
      const double a = 0.1 + 0.5 * u01(rng), b = 0.5 + 1.5 * u01(rng), r = 0.3 + 0.9 * u01(rng);
      const bool diverges = u01(rng) < 0.3;
      const bool to_nan = u01(rng) < 0.5;
      const int from = 3 + static_cast<int>(u01(rng) * (epochs / 2));
      std::normal_distribution<double> noise(0.0, 0.01);
      for (int t = 1; t <= epochs; ++t) {
        double mean = a + b * std::pow(t, -r);
        if (diverges && t > from) mean += 0.2 * (std::exp(0.3 * (t - from)) - 1);
        double v = mean + noise(rng);
        if (diverges && to_nan && v > 5) v = NAN;
        if (!c.empty() && std::isnan(c.back())) v = NAN;  // NaN stays NaN
        c.push_back(v);
        m.push_back(std::isnan(v) ? NAN : mean);
      }
    }
  }
  if (means) *means = std::move(clean);
  return out;
}

// The recorded quickstart curves for `seed`, in an order shuffled by the seed: recorded
// seed `seed` when the file holds it complete (so a file of seeds never tuned on gives
// held-out curves), otherwise the ((s-1) mod k)-th of its k complete recorded seeds in
// its own order (RESULTS.md says when that happened). Empty when the file has no
// complete seed.
inline Curves MlpCurves(const std::string& path, uint64_t seed) {
  std::map<uint64_t, Curves> by_seed;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    uint64_t s = 0;
    double lr = 0, width = 0;
    ss >> s >> lr >> width;
    std::vector<double> c;
    std::string tok;
    while (ss >> tok) c.push_back(std::strtod(tok.c_str(), nullptr));
    by_seed[s].push_back(std::move(c));
  }
  // A seed still being recorded has fewer configurations than the first one.
  std::vector<uint64_t> complete;
  for (const auto& [s, cs] : by_seed)
    if (cs.size() == by_seed.begin()->second.size()) complete.push_back(s);
  if (complete.empty()) return {};
  const bool own = std::find(complete.begin(), complete.end(), seed) != complete.end();
  Curves out = by_seed[own ? seed : complete[(seed - 1) % complete.size()]];
  std::mt19937_64 rng(seed);
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

}  // namespace sweep::bench
