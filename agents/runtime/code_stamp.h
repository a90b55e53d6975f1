// Stamps (agents/runtime/stat_stamp.h) that say when a cached code capture
// (agents/runtime/provenance_code.h) may be reused: what `git status` and
// `git diff HEAD` would answer can only change when one of these paths changes.
#pragma once

#include <string>
#include <vector>

#include "agents/runtime/stat_stamp.h"

namespace sweep {

// Outside any repository: the `.git` entry of the folder and of each folder above
// it (all missing). A later `git init` (or a clone above) creates one of them.
StatStamp StampOutsideRepository(const std::string& cwd);

// Inside a repository at `root` (git dir `git_dir`, common dir `common_dir`, both
// absolute): HEAD, the branch ref HEAD names, packed-refs, the index, config and
// info/exclude; the user's and the system's git config and ignore files; every
// tracked and untracked (not ignored) file and every folder that holds one, and
// every folder below an untracked folder (so a file created in any of them moves a
// folder's mtime); sweep's own folders (.sweep, .sweep-agent, .sweep-python), which the
// capture leaves out, are left out here too. Runs `git ls-files` twice. On a local
// file system the work tree's folders are watched (agents/runtime/dir_watch.h) and only
// git's own files are lstat()ed; elsewhere every path is. Returns a stamp that is not
// taken (never reused) when git fails or the tree holds more than kMaxStampPaths
// paths, where re-checking would cost as much as `git status`.
StatStamp StampWorkTree(const std::string& root, const std::string& git_dir,
                        const std::string& common_dir);

// sweep's own folders (a store, the agent's and `sweep agent`'s module copies): not the
// user's code, so neither the code capture nor its stamp looks into them.
inline constexpr const char* kSweepFolders[] = {".sweep", ".sweep-agent", ".sweep-python"};

// `git_args` followed by the pathspec "-- ." and one exclusion per kSweepFolders entry
// (at any depth), for a git command whose answer must leave them out.
std::vector<std::string> WithoutSweepFolders(std::vector<std::string> git_args);

// Beyond this many paths a work tree is not stamped: each trial runs `git status`.
constexpr size_t kMaxStampPaths = 200000;

}  // namespace sweep
