// Opening files that an untrusted process (a trial) could have written, without ever
// following a symbolic link.
//
// A trial runs as the user and may replace stdout.log, provenance.json or a folder of
// its own with a symlink to any file the user can read. Checking a path and then
// opening it races with such a swap, so the helpers here walk the path themselves:
// open the base folder with O_DIRECTORY|O_NOFOLLOW, then each component with openat
// relative to the previous descriptor and O_NOFOLLOW, and fstat the final descriptor
// (a regular file only). The only path followed by name is `base` itself, which comes
// from the store, not from the trial.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/status.h"

namespace sweep {

// An owned file descriptor, closed on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  int release();
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// A regular file opened read-only under a folder, and its size when opened.
struct SafeFile {
  UniqueFd fd;
  uint64_t size = 0;
};

// Opens base/relative for reading. `relative` is '/'-separated, not absolute, without
// "." or ".." components or NUL. Fails with:
//   kUsage     the relative path is malformed;
//   kNotFound  a component does not exist (or base does not);
//   kIo        a component is a symlink ("... is a symbolic link; not followed"), a
//              folder component is not a folder, the final one is not a regular file
//              (a fifo, a device, a folder), or open/fstat failed otherwise.
// Never blocks on a fifo (O_NONBLOCK until the type is known). Thread-safe.
Result<SafeFile> OpenUnder(const std::string& base, const std::string& relative);

// Reads at most `max_bytes` from `offset` of an open file (short at end of file).
Result<std::string> ReadAt(const SafeFile& file, uint64_t offset, size_t max_bytes);

// OpenUnder, then the whole file when it is at most max_bytes (kUsage "too large"
// beyond, naming the size).
Result<std::string> ReadSmallFileUnder(const std::string& base, const std::string& relative,
                                       size_t max_bytes);

// Creates or truncates `path` and writes `text`, never through a symlink in the last
// component (O_NOFOLLOW): for files in a folder a trial could have written, such as a
// trial folder re-used by a re-run. kIo naming the path on failure.
Status WriteFileNoFollow(const std::string& path, const std::string& text);

}  // namespace sweep
