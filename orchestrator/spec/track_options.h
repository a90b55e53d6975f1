// The spec's tracking extensions (track, artifacts) as what the trial runner captures.
#pragma once

#include "agents/runtime/trial_runner.h"
#include "orchestrator/spec/spec.h"

namespace sweep {

// ProvenanceLaunch for every trial of `spec`: enabled unless track.git and track.env
// are both off and no artifacts are named. The program hashed is spec.program.
ProvenanceLaunch ProvenanceFor(const SweepSpec& spec);

}  // namespace sweep
