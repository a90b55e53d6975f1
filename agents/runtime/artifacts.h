// Artifacts: files a trial produced, kept with the trial after it ends.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/value.h"

namespace sweep {

struct ArtifactOptions {
  std::vector<std::string> globs;  // glob(3) patterns; relative ones are tried in
                                   // trial_dir, then in workdir
  std::string trial_dir;           // artifacts land in trial_dir/artifacts/
  std::string workdir;
  uint64_t max_bytes = 1ull << 30;  // total; files past it are skipped with a warning
  size_t max_files = 10000;         // matches past it are skipped with a warning
};

struct ArtifactResult {
  Value files = Value::array();     // [{"path" (relative to artifacts/), "source",
                                    //   "size", "sha256", "linked"}]
  Value warnings = Value::array();  // strings: caps reached, globs matching nothing
};

// Hard-links (or, across file systems, copies) every regular file matching a glob
// into trial_dir/artifacts/, keeping the path relative to where it matched, and
// hashes it. A glob matching nothing is a warning, not an error. Blocking (hashes
// every file); thread-safe.
ArtifactResult CollectArtifacts(const ArtifactOptions& options);

}  // namespace sweep
