// Spec -> ProvenanceLaunch. Kept out of the controller so the remote-agent path
// (which ships the spec's tracking options to agents) builds the same value.
#include "orchestrator/spec/track_options.h"

#include "agents/runtime/data_hash.h"

namespace sweep {

ProvenanceLaunch ProvenanceFor(const SweepSpec& spec) {
  ProvenanceLaunch p;
  p.git = spec.track.git;
  p.env = spec.track.env;
  p.packages = spec.track.packages;
  p.env_vars = spec.track.env_vars;
  p.max_diff_bytes = spec.track.max_diff_bytes;
  p.program = spec.program;
  p.artifacts = spec.artifacts;
  p.artifact_max_bytes = spec.artifact_max_bytes;
  p.data = spec.data;
  p.data_hash_cache = DefaultDataHashCache();
  p.enabled = p.git || p.env || !p.artifacts.empty() || !p.data.empty();
  return p;
}

}  // namespace sweep
