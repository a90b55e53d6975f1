// Data versions: content hashes of the files and folders a sweep names under `data:`.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "base/value.h"

namespace sweep {

// kNotFound naming the first path (relative ones resolved against workdir) that
// does not exist. For `sweep launch`, before anything is written.
Status CheckDataPaths(const std::vector<std::string>& paths, const std::string& workdir);

// [{"path" (absolute), "kind": "file"|"dir", "sha256", "size", "files"}]: a file's
// SHA-256, a folder's SHA-256 over its sorted manifest ("relpath size sha256" lines,
// symlinks not followed). File hashes are cached by (path, size, mtime) in
// cache_file (JSON; "" = no cache), so a large unchanged file is hashed once.
// kNotFound for a missing path. Thread-safe within a process.
Result<Value> HashDataPaths(const std::vector<std::string>& paths, const std::string& workdir,
                            const std::string& cache_file);

// $XDG_CACHE_HOME/sweep/data-hashes.json, else ~/.cache/sweep/data-hashes.json.
std::string DefaultDataHashCache();

}  // namespace sweep
