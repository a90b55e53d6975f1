// "Did you mean" suggestions for misspelt names (spec keys, distribution names,
// macros, metric names).
//
// Pure functions, no state: safe from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sweep {

// Optimal-string-alignment distance (Damerau-Levenshtein restricted to adjacent
// transpositions, each edit costing 1), compared case-insensitively. Inputs longer
// than 256 bytes are compared by their first 256 bytes, so the cost stays bounded
// whatever an untrusted spec contains.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word`, when it is close enough to be a plausible typo:
// distance <= max(1, min(3, len/3)) for the candidate's length, or `word` is a
// case-insensitive prefix of at least 4 characters of exactly one candidate. Ties go
// to the earliest candidate. nullopt when nothing is close, when `word` is empty, or
// when `word` equals a candidate exactly.
std::optional<std::string> DidYouMean(std::string_view word,
                                      const std::vector<std::string>& candidates);

// Convenience: "; did you mean 'x'?" or "" when DidYouMean finds nothing.
std::string DidYouMeanSuffix(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace sweep
