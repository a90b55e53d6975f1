// Code provenance: which code a trial ran, captured where the trial runs.
//
// For the trial's working directory: the git commit, branch ("detached" on a
// detached HEAD), the remote URL with any credentials removed, the dirty flag and the
// uncommitted diff (tracked changes against HEAD plus untracked files under a size
// cap, as new-file diffs, binary files included), capped in total. A folder outside
// any repository, or a repository without commits, is recorded as such, never an
// error. Always: the SHA-256 of the program file when one is named. git runs through
// RunCapture (agents/runtime/subprocess.h), never a shell.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/value.h"

namespace sweep {

struct CodeCaptureOptions {
  std::string workdir;  // where the trial runs; "" = the current directory
  std::string program;  // the program file (relative to workdir) to hash; "" = none
  bool git = true;      // false: only the program hash
  uint64_t max_diff_bytes = 10ull << 20;           // the whole patch
  uint64_t max_untracked_file_bytes = 1ull << 20;  // larger untracked files are listed only
};

// Returns {"repo": bool, "root", "commit", "branch", "remote", "dirty",
// "note" (why something is missing), "untracked": [{"path","size","included"}],
// "diff": {"sha256","size","truncated","original_size","encoding"} (only when dirty),
// "diff_body" (the patch text; base64 when "encoding" is "base64"),
// "program": {"path","sha256"} }. Never fails: problems become "note".
// Thread-safe. Cached per working directory: while nothing in the tree's stamp
// (agents/runtime/code_stamp.h: HEAD, refs, index, config, every tracked and
// untracked file and folder) changed, the answer costs one lstat per stamped path
// and no subprocess; otherwise git runs again, and an unchanged diff (same HEAD,
// `git status`, sizes and mtimes of the changed files) is still not re-made. The
// program's hash is cached by its (path, size, mtime, ctime, inode).
Value CaptureCode(const CodeCaptureOptions& options);

// CaptureCode's answer when it can come from its caches alone: the working tree's
// stamp has at most max_stamp_paths paths and none changed, and the program's hash is
// cached and its stamp unchanged. nullopt otherwise, or when a capture on another
// thread holds the cache. Never runs git and never waits for a lock, so an event
// loop may call it; the exactness is CaptureCode's (the same stamps decide).
std::optional<Value> CachedCode(const CodeCaptureOptions& options, size_t max_stamp_paths);

// Captures in this process that ran git (the others came from the cache). For tests
// and the benchmark's profile.
uint64_t CodeCapturesRun();

// https://user:pass@host/x -> https://host/x; user@host:x (scp form) keeps the
// user but drops a password. Other text is returned unchanged.
std::string StripUrlCredentials(const std::string& url);

// Lowercase hex SHA-256 of bytes / of a file's content ("" when unreadable).
std::string Sha256Hex(const std::string& bytes);
std::string Sha256File(const std::string& path);

// Standard base64 (with padding) and back; Base64Decode returns "" on bad input.
std::string Base64Encode(const std::string& bytes);
std::string Base64Decode(const std::string& text);

}  // namespace sweep
