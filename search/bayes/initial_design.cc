// Sobol' generation by direct XOR of direction numbers over the set bits of the index
// (no Gray-code state, so any point is available in O(32 d)). The direction numbers
// of dimension j >= 2 follow the recurrence of Bratley & Fox (1988) from the primitive
// polynomial (degree s, coefficients a) and initial m_k of Joe & Kuo's table.
//
// The scramble multiplies every direction number by a random lower-triangular binary
// matrix with unit diagonal (output digit r depends on input digits 1..r) and XORs a
// random shift into every point: a "linear matrix scramble" that preserves the net
// property, the same family SciPy's qmc.Sobol(scramble=True) uses.
#include "search/bayes/initial_design.h"

#include <algorithm>
#include <bit>

#include "search/bayes/rng.h"

namespace sweep {
namespace {

struct JoeKuo {
  int s;
  uint32_t a;
  uint32_t m[7];
};

// Dimensions 2..21 of new-joe-kuo-6.21201 (dimension 1 is the van der Corput sequence).
constexpr JoeKuo kTable[20] = {
    {1, 0, {1}},
    {2, 1, {1, 3}},
    {3, 1, {1, 3, 1}},
    {3, 2, {1, 1, 1}},
    {4, 1, {1, 1, 3, 3}},
    {4, 4, {1, 3, 5, 13}},
    {5, 2, {1, 1, 5, 5, 17}},
    {5, 4, {1, 1, 5, 5, 5}},
    {5, 7, {1, 1, 7, 11, 19}},
    {5, 11, {1, 1, 5, 1, 1}},
    {5, 13, {1, 1, 1, 3, 11}},
    {5, 14, {1, 3, 5, 5, 31}},
    {6, 1, {1, 3, 3, 9, 7, 49}},
    {6, 13, {1, 1, 1, 15, 21, 21}},
    {6, 16, {1, 3, 1, 13, 27, 49}},
    {6, 19, {1, 1, 1, 15, 7, 5}},
    {6, 22, {1, 3, 1, 15, 13, 25}},
    {6, 25, {1, 1, 5, 5, 19, 61}},
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},
    {7, 4, {1, 3, 7, 13, 13, 15, 69}},
};

}  // namespace

SobolSequence::SobolSequence(int dims, uint64_t seed, bool scramble)
    : dims_(std::clamp(dims, 1, kMaxDims)), v_(dims_ * 32), shift_(dims_, 0) {
  for (int k = 0; k < 32; ++k) v_[k] = 1u << (31 - k);
  for (int j = 1; j < dims_; ++j) {
    const JoeKuo& p = kTable[j - 1];
    uint32_t* v = &v_[j * 32];
    for (int k = 0; k < p.s; ++k) v[k] = p.m[k] << (31 - k);
    for (int k = p.s; k < 32; ++k) {
      uint32_t x = v[k - p.s] ^ (v[k - p.s] >> p.s);
      for (int i = 1; i < p.s; ++i)
        if ((p.a >> (p.s - 1 - i)) & 1u) x ^= v[k - i];
      v[k] = x;
    }
  }
  if (!scramble) return;
  BayesRng rng(BayesRng::Mix(seed, 0x50B01));
  for (int j = 0; j < dims_; ++j) {
    // Row r of the matrix (r = 0 is the most significant digit) as a mask over input
    // digits: random bits strictly above bit (31 - r), a one at (31 - r).
    uint32_t rows[32];
    for (int r = 0; r < 32; ++r) {
      uint32_t above =
          r == 0 ? 0u : static_cast<uint32_t>(rng.Bits() >> 32) & ~((1u << (32 - r)) - 1u);
      rows[r] = above | (1u << (31 - r));
    }
    for (int k = 0; k < 32; ++k) {
      uint32_t in = v_[j * 32 + k], out = 0;
      for (int r = 0; r < 32; ++r)
        if (std::popcount(rows[r] & in) & 1) out |= 1u << (31 - r);
      v_[j * 32 + k] = out;
    }
    shift_[j] = static_cast<uint32_t>(rng.Bits() >> 32);
  }
}

Eigen::VectorXd SobolSequence::Point(uint64_t index) const {
  Eigen::VectorXd x(dims_);
  for (int j = 0; j < dims_; ++j) {
    uint32_t acc = shift_[j];
    for (int k = 0; k < 32 && (index >> k); ++k)
      if ((index >> k) & 1u) acc ^= v_[j * 32 + k];
    // Centre of the finest cell so that no coordinate is exactly 0 after scrambling.
    x[j] = (static_cast<double>(acc) + (shift_[j] ? 0.5 : 0.0)) * 0x1.0p-32;
  }
  return x;
}

Eigen::MatrixXd SobolSequence::Points(uint64_t first, int count) const {
  Eigen::MatrixXd P(count, dims_);
  for (int i = 0; i < count; ++i) P.row(i) = Point(first + i).transpose();
  return P;
}

Eigen::MatrixXd LatinHypercube(int count, int dims, uint64_t seed) {
  BayesRng rng(BayesRng::Mix(seed, 0x1A7));
  Eigen::MatrixXd P(count, dims);
  std::vector<int> perm(count);
  for (int j = 0; j < dims; ++j) {
    for (int i = 0; i < count; ++i) perm[i] = i;
    for (int i = count - 1; i > 0; --i) std::swap(perm[i], perm[rng.Below(i + 1)]);
    for (int i = 0; i < count; ++i) P(i, j) = (perm[i] + rng.Uniform()) / count;
  }
  return P;
}

Eigen::MatrixXd SpaceFilling(int count, int dims, uint64_t seed, uint64_t first) {
  if (dims <= 0) return Eigen::MatrixXd(count, 0);
  if (dims <= SobolSequence::kMaxDims) return SobolSequence(dims, seed).Points(first, count);
  return LatinHypercube(count, dims, BayesRng::Mix(seed, first));
}

int InitialDesignSize(int dims, std::optional<uint64_t> budget) {
  const int size = std::clamp(2 * dims + 1, 5, 30);
  if (!budget) return size;
  const uint64_t half = std::max<uint64_t>(*budget / 2, 5);
  return static_cast<int>(std::min<uint64_t>(static_cast<uint64_t>(size), half));
}

}  // namespace sweep
