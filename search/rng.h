// A portable pseudo-random generator and the draws the search strategies need.
//
// The same seed must give the same configurations on any machine, so nothing here
// uses std:: distributions (their algorithms differ between standard libraries):
// xoshiro256** (Blackman & Vigna, 2018) seeded through splitmix64, and our own
// uniform, integer, normal, gamma and beta draws built only from integer arithmetic,
// IEEE division, std::sqrt (exactly rounded), std::log and std::exp.
#pragma once

#include <cstdint>

namespace sweep {

// splitmix64 (Steele, Lea & Flood): advances *state and returns the next output.
// Used to expand a 64-bit seed into xoshiro's 256-bit state.
uint64_t SplitMix64(uint64_t* state);

// xoshiro256** with a few draws on top. Not thread-safe; cheap to copy (32 bytes).
class Rng {
 public:
  // A generator whose state is four splitmix64 outputs of `seed`.
  explicit Rng(uint64_t seed);

  // An independent stream per (seed, stream) pair, e.g. (sweep seed, trial number):
  // draw k of a sweep depends only on (seed, k), so a resumed sweep can jump to it.
  static Rng ForStream(uint64_t seed, uint64_t stream);

  // The next raw 64-bit output.
  uint64_t Next();

  // Uniform double in [0, 1) with 53 random bits (k * 2^-53).
  double Uniform();
  // Uniform double in (0, 1): never 0, so log() of it is finite.
  double UniformOpen();
  // Uniform integer in [0, n); n must be > 0. Unbiased (Lemire's multiply-and-reject).
  uint64_t UniformInt(uint64_t n);

  // Standard normal N(0, 1), Marsaglia's polar method (one spare value is kept, so
  // two consecutive calls use one accepted pair of uniforms).
  double Normal();
  // Gamma(shape, 1) for shape > 0: Marsaglia & Tsang (2000); for shape < 1 the
  // boost Gamma(shape + 1) * U^(1/shape).
  double Gamma(double shape);
  // Beta(a, b) for a, b > 0 as X / (X + Y), X ~ Gamma(a), Y ~ Gamma(b).
  double Beta(double a, double b);

 private:
  uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0;
};

}  // namespace sweep
