// Provenance in the read commands: `sweep show` sections and `sweep compare` rows.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "orchestrator/store/records.h"
#include "orchestrator/store/trial_store.h"

namespace sweep {

// {"code", "environment", "artifacts", "data", "warnings"} for `show --json`: the
// stored code facts, the full environment snapshot (null when none was recorded or
// it is missing from the store), the artifact and data lists.
Value ProvenanceJson(TrialStore& store, const TrialRecord& t);

// The text sections of `sweep show` (code, environment, artifacts, data), each
// headed by its name; "" when the trial has no provenance on record.
std::string ProvenanceText(TrialStore& store, const TrialRecord& t);

// Rows for `sweep compare`: ("code.commit", cells), ("code.dirty", ...),
// ("code.diff", ...), then one ("packages.<name>", versions) per package whose
// version differs between the trials (same-version packages are left out).
std::vector<std::pair<std::string, std::vector<std::string>>> ProvenanceCompareRows(
    TrialStore& store, const std::vector<TrialRecord>& trials);

}  // namespace sweep
