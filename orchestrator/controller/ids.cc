// Sweep and trial identifiers.
//
// NewSweepId draws from std::random_device (the kernel's getrandom on Linux) rather
// than a seeded PRNG, so two controllers started in the same second, or a sweep
// launched with a fixed --seed, never share an id by construction of the seed. Each
// character is taken by rejection sampling so all 36 symbols are equally likely.
#include "orchestrator/controller/ids.h"

#include <mutex>
#include <random>

namespace sweep {
namespace {

constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr unsigned kAlphabetSize = 36;

}  // namespace

std::string NewSweepId() {
  // std::random_device is not guaranteed to be thread-safe; one guarded instance is.
  static std::mutex mu;
  static std::random_device device;
  std::lock_guard<std::mutex> lock(mu);
  std::string id;
  while (id.size() < kSweepIdLength) {
    unsigned r = device();
    // 2^32 is not a multiple of 36: drop the top sliver so every symbol is as likely.
    constexpr unsigned kLimit = (0xffffffffu / kAlphabetSize) * kAlphabetSize;
    if (r >= kLimit) continue;
    id += kAlphabet[r % kAlphabetSize];
    // "latest" is a keyword wherever a sweep id is accepted.
    if (id == "latest") id.clear();
  }
  return id;
}

std::string TrialId(const std::string& sweep_id, uint64_t number) {
  return sweep_id + "-" + std::to_string(number);
}

bool IsSweepId(const std::string& id) {
  if (id.size() != kSweepIdLength) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) return false;
  }
  return true;
}

}  // namespace sweep
