// A parsed spec described for people (`sweep validate`) and for scripts (`--json`).
//
// Pure functions over a SweepSpec; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "base/value.h"
#include "orchestrator/spec/spec.h"

namespace sweep {

// Human lines: method, metric, early termination, run cap, the command template, then
// one line per parameter (SearchSpace::DescribeLines, indented), then notes.
std::vector<std::string> SummarizeSpec(const SweepSpec& spec);

// The same as JSON: {"file", "name", "method", "metric": {...}|null,
// "early_terminate": {...}|null, "run_cap", "command": [...], "parameters": [...]
// (SearchSpace::Describe), "notes": [...]}. Stable shape: keys are only ever added.
Value SpecToJson(const SweepSpec& spec);

}  // namespace sweep
