// Identifiers of sweeps and trials.
//
// A sweep id is six lowercase base-36 characters drawn from the operating system's
// random device (36^6 ≈ 2.2e9 values), short enough to type and to use as a prefix.
// A trial id is "<sweep id>-<number>", so every trial id starts with its sweep's id
// and sorts next to its siblings.
#pragma once

#include <cstdint>
#include <string>

namespace sweep {

// Length of a sweep id.
inline constexpr size_t kSweepIdLength = 6;

// A fresh random sweep id, e.g. "k3x9q2". Thread-safe. Uniqueness within a store is
// the caller's to check (a collision is possible, if unlikely, across many sweeps).
std::string NewSweepId();

// "<sweep_id>-<number>", e.g. TrialId("k3x9q2", 17) == "k3x9q2-17".
std::string TrialId(const std::string& sweep_id, uint64_t number);

// True when `id` looks like a sweep id (kSweepIdLength characters of [0-9a-z]).
bool IsSweepId(const std::string& id);

}  // namespace sweep
