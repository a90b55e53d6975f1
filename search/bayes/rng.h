// A small deterministic random source for the Bayesian code. The standard library's
// distributions are implementation-defined, so uniforms and normals are derived here
// from the (fully specified) 64-bit Mersenne Twister: the same seed gives the same
// numbers with any standard library.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace sweep {

class BayesRng {
 public:
  explicit BayesRng(uint64_t seed) : engine_(seed) {}

  // Combines a base seed with a counter into a fresh, well-mixed seed (splitmix64).
  static uint64_t Mix(uint64_t seed, uint64_t counter) {
    uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (counter + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  uint64_t Bits() { return engine_(); }
  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Standard normal (Box-Muller; one value per call, no cached state).
  double Normal() {
    double u1 = Uniform(), u2 = Uniform();
    return std::sqrt(-2.0 * std::log1p(-u1)) * std::cos(2.0 * M_PI * u2);
  }
  // Uniform integer in [0, n) for n > 0.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>(Uniform() * static_cast<double>(n)) % n;
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace sweep
