// xoshiro256** and the draws built on it.
//
// The generator and the integer/uniform draws are pure integer arithmetic, so they are
// bit-identical everywhere. The normal, gamma and beta draws add only IEEE division and
// square root (exactly rounded by the standard) and log/exp, which every mainstream
// libm computes to within an ulp; they use rejection methods rather than inverse CDFs
// because those need no special functions whose implementations differ more widely.
// Streams for (seed, stream) pairs are made by hashing both through splitmix64, so
// neighbouring trial numbers give unrelated generators.
#include "search/rng.h"

#include <cmath>

namespace sweep {
namespace {

inline uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Rng::Rng(uint64_t seed) {
  uint64_t sm = seed;
  for (uint64_t& s : s_) s = SplitMix64(&sm);
  // xoshiro's state must not be all zero; splitmix64 cannot give four zeros in a row
  // from one seed, but keep the guarantee explicit.
  if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;
}

Rng Rng::ForStream(uint64_t seed, uint64_t stream) {
  uint64_t sm = seed;
  uint64_t a = SplitMix64(&sm);
  uint64_t sm2 = a ^ (stream * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL);
  return Rng(SplitMix64(&sm2) ^ stream);
}

uint64_t Rng::Next() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

double Rng::Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

double Rng::UniformOpen() {
  // (k + 0.5) * 2^-53 for k in [0, 2^53): symmetric, never 0 nor 1.
  return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53;
}

uint64_t Rng::UniformInt(uint64_t n) {
  if (n == 0) return 0;
  // Lemire (2019), "Fast random integer generation in an interval".
  unsigned __int128 m = static_cast<unsigned __int128>(Next()) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(Next()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

double Rng::Normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u, v, s;
  do {
    u = 2.0 * Uniform() - 1.0;
    v = 2.0 * Uniform() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double f = std::sqrt(-2.0 * std::log(s) / s);
  spare_ = v * f;
  has_spare_ = true;
  return u * f;
}

double Rng::Gamma(double shape) {
  if (!(shape > 0) || !std::isfinite(shape)) return std::nan("");
  if (shape < 1.0) {
    // Gamma(a) = Gamma(a + 1) * U^(1/a) (Marsaglia & Tsang, section 6).
    const double g = Gamma(shape + 1.0);
    return g * std::exp(std::log(UniformOpen()) / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = Normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = UniformOpen();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
    if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v;
  }
}

double Rng::Beta(double a, double b) {
  const double x = Gamma(a);
  const double y = Gamma(b);
  const double sum = x + y;
  // Both draws can underflow to 0 for tiny shapes; the limit puts all mass at the ends
  // in proportion a : b.
  if (sum == 0.0) return Uniform() < a / (a + b) ? 1.0 : 0.0;
  return x / sum;
}

}  // namespace sweep
