// What the dashboard reads from a trial's folder: log tails, the artifact listing,
// single files for download, and provenance when recorded.
//
// Every path comes from the store's trial_dir joined with a name from the request.
// Every read goes through OpenUnder (base/safe_open.h): no "..", no absolute paths,
// and no symbolic link is ever followed, whether it points inside the folder or out,
// so a trial that plants a link cannot make the dashboard serve another file.
#pragma once

#include <cstddef>
#include <string>

#include "base/status.h"
#include "base/value.h"

namespace sweep {

// The last `max_bytes` of trial_dir/<stream>.log (stream: "stdout" | "stderr"):
// {"stream", "size", "truncated", "text"} with invalid UTF-8 replaced. A missing log
// is {"size": 0, "text": "", "missing": true}. kUsage for any other stream name; kIo
// naming the reason when the log is a symlink or not a regular file.
Result<Value> TailTrialLog(const std::string& trial_dir, const std::string& stream,
                           size_t max_bytes);

// Regular files under trial_dir (recursively, symlinks not followed), at most
// `max_entries`, as [{"path": relative, "size": bytes}] sorted by path, plus
// "truncated" when more existed. Missing folder: an empty list.
Value ListTrialFiles(const std::string& trial_dir, size_t max_entries);

// The content of trial_dir/<relative>, a regular file of at most `max_bytes`.
// kUsage for an empty, absolute, "."/".."-containing path, one with a NUL or a
// backslash, or a file too large; kNotFound when missing; kIo when a component is a
// symlink or the file is not a regular file (the message says which).
Result<std::string> ReadTrialFile(const std::string& trial_dir, const std::string& relative,
                                  size_t max_bytes);

// Provenance recorded for the trial: trial_dir/provenance.json parsed, else null.
// A file that is too big, not JSON, or a symlink yields {"error": "..."} rather than
// failing the page.
Value ReadTrialProvenance(const std::string& trial_dir);

}  // namespace sweep
