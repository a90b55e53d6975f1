// Durations and byte sizes as users write them in specs (and on the command line).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sweep {

// Seconds from "45", "2.5", "90s", "30m", "2h", "1h30m", "250ms", "1d" (number+unit
// pairs, units ms s m h d, no spaces). nullopt when malformed, negative, or beyond 1e9 s.
std::optional<double> ParseDuration(std::string_view text);

// Bytes from "1024", "500MB", "2GiB", "10k", "1.5 GB" (K/M/G/T powers of 1000,
// Ki/Mi/Gi/Ti powers of 1024, optional B, case-insensitive, optional space). nullopt when
// malformed or at/above 2^63.
std::optional<uint64_t> ParseByteSize(std::string_view text);

}  // namespace sweep
