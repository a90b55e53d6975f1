// Suggestions for misspelt names.
//
// The distance is the optimal-string-alignment variant of Damerau-Levenshtein
// (insert, delete, substitute, swap two adjacent characters), computed with three
// rolling rows. A typo is "plausible" when it needs few edits relative to the length
// of the intended word, so that short words ("q", "a") do not match everything while
// long keys ("early_terminate") still tolerate a couple of slips. Comparison is
// case-insensitive because "Method" for "method" is the commonest slip of all.
#include "orchestrator/spec/did_you_mean.h"

#include <algorithm>
#include <cctype>

namespace sweep {
namespace {

constexpr size_t kMaxCompared = 256;

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

size_t Threshold(size_t candidate_len) {
  size_t t = std::min<size_t>(3, candidate_len / 3);
  return std::max<size_t>(1, t);
}

bool IsPrefixIgnoringCase(std::string_view prefix, std::string_view s) {
  if (prefix.size() > s.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (Lower(prefix[i]) != Lower(s[i])) return false;
  return true;
}

}  // namespace

size_t EditDistance(std::string_view a, std::string_view b) {
  a = a.substr(0, std::min(a.size(), kMaxCompared));
  b = b.substr(0, std::min(b.size(), kMaxCompared));
  const size_t n = a.size(), m = b.size();
  std::vector<size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (size_t j = 0; j <= m; ++j) prev[j] = j;
  for (size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = Lower(a[i - 1]) == Lower(b[j - 1]) ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && Lower(a[i - 1]) == Lower(b[j - 2]) &&
          Lower(a[i - 2]) == Lower(b[j - 1]))
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

std::optional<std::string> DidYouMean(std::string_view word,
                                      const std::vector<std::string>& candidates) {
  if (word.empty()) return std::nullopt;
  for (const std::string& c : candidates)
    if (c == word) return std::nullopt;
  std::optional<std::string> best;
  size_t best_distance = 0;
  for (const std::string& c : candidates) {
    const size_t d = EditDistance(word, c);
    if (d > Threshold(c.size())) continue;
    if (!best || d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  if (best) return best;
  // A truncated name ("distrib") is a plausible slip too, when it is unambiguous.
  if (word.size() >= 4) {
    std::optional<std::string> only;
    for (const std::string& c : candidates) {
      if (!IsPrefixIgnoringCase(word, c)) continue;
      if (only) return std::nullopt;
      only = c;
    }
    return only;
  }
  return std::nullopt;
}

std::string DidYouMeanSuffix(std::string_view word, const std::vector<std::string>& candidates) {
  auto s = DidYouMean(word, candidates);
  return s ? "; did you mean '" + *s + "'?" : "";
}

}  // namespace sweep
