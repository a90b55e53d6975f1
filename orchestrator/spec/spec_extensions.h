// Our extensions to the W&B spec (seed, workers, timeouts, tracking, backend, ...).
//
// Internal to the spec parser (includes yaml-cpp through spec_reader.h). Each key's
// meaning and default is documented in schemas/spec.md and schemas/sweep.schema.json.
#pragma once

#include <string>
#include <vector>

#include "orchestrator/spec/spec.h"
#include "orchestrator/spec/spec_reader.h"

namespace sweep {

// The top-level extension keys, for did-you-mean hints.
const std::vector<std::string>& ExtensionKeys();

// Parses one top-level extension key into `spec`; false when `entry.key` is not an
// extension key (nothing is reported then). Problems go to `reader`.
bool ParseExtensionKey(const MapEntry& entry, SpecReader& reader, SweepSpec& spec);

}  // namespace sweep
