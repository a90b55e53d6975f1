// What the dashboard reads from a trial's folder: log tails, the artifact listing,
// single files for download, and provenance when recorded.
//
// Every path comes from the store's trial_dir joined with a name from the request;
// ResolveTrialFile is the one gate that keeps a request inside the trial's folder
// (no "..", no absolute paths, no symlink that leads outside).
#pragma once

#include <cstddef>
#include <string>

#include "base/status.h"
#include "base/value.h"

namespace sweep {

// The last `max_bytes` of trial_dir/<stream>.log (stream: "stdout" | "stderr"):
// {"stream", "size", "truncated", "text"} with invalid UTF-8 replaced. A missing log
// is {"size": 0, "text": "", "missing": true}. kUsage for any other stream name.
Result<Value> TailTrialLog(const std::string& trial_dir, const std::string& stream,
                           size_t max_bytes);

// Regular files under trial_dir (recursively, symlinks not followed), at most
// `max_entries`, as [{"path": relative, "size": bytes}] sorted by path, plus
// "truncated" when more existed. Missing folder: an empty list.
Value ListTrialFiles(const std::string& trial_dir, size_t max_entries);

// The absolute path of trial_dir/<relative> when it names a regular file inside the
// folder. kUsage for an empty, absolute or ".."-containing path or one with a NUL;
// kNotFound when missing or when it resolves (through links) outside the folder.
Result<std::string> ResolveTrialFile(const std::string& trial_dir, const std::string& relative);

// Reads a whole file of at most `max_bytes` (kUsage beyond, kIo on failure).
Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes);

// Provenance recorded for the trial: trial_dir/provenance.json parsed, else null.
// A file that is too big or not JSON yields {"error": "..."} rather than failing the page.
Value ReadTrialProvenance(const std::string& trial_dir);

}  // namespace sweep
