// Reading prior trials from a file for warm start (`--warm-start FILE`): the CSV and
// JSON that `sweep export` writes, or the same shapes written by any other tool. The
// format is documented in schemas/warm_start.md.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/value.h"
#include "search/search_space.h"

namespace sweep {

// One row of a prior-trials file, before it is checked against the search space.
struct PriorRow {
  std::string ref;     // "FILE:LINE" (CSV) or "FILE#INDEX" (JSON), for messages
  Value params;        // flat mapping dotted name -> value (typed for CSV by the space)
  std::string status;  // "" when the file has no status; only "finished" rows are used
  std::map<std::string, double> metrics;  // metric name -> summary value
  std::string problem;  // non-empty when the row cannot be used (counted as skipped)
};

// Rows of the CSV or JSON file at `path` (the format is chosen by the first
// non-blank character: '{' or '[' is JSON). `metric` is the sweep's target metric: a
// bare `value` column/field counts as it when the file does not say its metric is
// another one. An error (kUsage) for a file that cannot be read or parsed as a whole,
// naming the file and, for CSV, the line; a bad row is a row with a problem instead.
Result<std::vector<PriorRow>> ReadPriorFile(const std::string& path, const SearchSpace& space,
                                            const std::string& metric);

// Files larger than this are refused rather than read into memory.
constexpr uint64_t kMaxPriorFileBytes = 256ull << 20;

}  // namespace sweep
