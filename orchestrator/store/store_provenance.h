// How a trial's provenance is laid out in the store.
//
// The runner delivers one JSON value (agents/runtime/trial_runner.h TrialEnd::provenance)
// that holds big, widely shared parts: the diff text and the environment snapshot.
// Those are stored once per distinct content: the diff as <store>/blobs/<sha256>.patch
// (raw bytes, ready for `git apply`), the environment in the environments table. The
// trial row keeps the small parts and the keys.
#pragma once

#include <string>

#include "base/status.h"
#include "base/value.h"

namespace sweep {

struct ProvenanceColumns {
  Value code = nullptr;  // without diff_body; diff.path added when stored
  std::string env_hash;
  Value env = nullptr;  // full snapshot to store under env_hash; null = none
  Value artifacts = Value::array();
  Value data = Value::array();
  Value warnings = Value::array();
};

// Splits a provenance value for writing, and writes the diff blob under
// root/blobs/ when it is new (atomic rename). kIo when the blob cannot be written.
Result<ProvenanceColumns> SplitProvenance(const Value& provenance, const std::string& root);

// The value a TrialRecord carries when read back (null when nothing was recorded).
Value JoinProvenance(const ProvenanceColumns& columns);

// root/blobs/<sha256>.patch.
std::string DiffBlobPath(const std::string& root, const std::string& sha256);

}  // namespace sweep
