// StatStamp: a cheap fingerprint of a set of paths, for re-validating cached
// provenance (code, environment, program hash) per trial without re-running git or pip.
//
// A stamp is the lstat() of every path (type, size, inode, mtime and ctime in ns; a
// missing path is recorded as missing, so its later creation is a change). Comparing
// a stamp with the file system again costs one lstat per path and no subprocess.
//
// Racy paths: a file's timestamps come from a coarse clock, so a file written twice
// within one tick can keep its mtime while its content changes. A stamp with a path
// modified within kRacySeconds before it was taken is marked racy and never counts as
// unchanged; the caller then recomputes the real answer (git's "racily clean" rule).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "agents/runtime/dir_watch.h"

namespace sweep {

class StatStamp {
 public:
  // Paths modified this recently (seconds, their mtime against the clock when the
  // stamp was taken) make the stamp racy. Wide enough for a network file
  // system whose clock is a little off.
  static constexpr double kRacySeconds = 2.0;

  StatStamp() = default;
  // lstat()s every path now. Symbolic links are stamped themselves, not followed.
  static StatStamp Take(std::vector<std::string> paths);
  // lstat()s `paths` now and leaves what lies in `watch`'s folders to it: Unchanged()
  // also asks the watch, Has() also answers for what it covers, and size() counts
  // only `paths` (what a check costs in lstat calls).
  static StatStamp Take(std::vector<std::string> paths, std::shared_ptr<DirWatch> watch);

  // True when this stamp was taken, is not racy, every path lstat()s exactly as it
  // did then, and its watch (if any) saw no change. Thread-safe.
  bool Unchanged() const;

  // True when `path` is one of the stamped paths (as given to Take).
  bool Has(const std::string& path) const;

  bool taken() const { return taken_; }
  bool racy() const { return racy_; }
  size_t size() const { return paths_.size(); }

 private:
  struct Entry {
    bool exists = false;
    mode_t mode = 0;
    ino_t ino = 0;
    dev_t dev = 0;
    int64_t size = 0;
    int64_t mtime_ns = 0, ctime_ns = 0;
    bool operator==(const Entry& o) const;
  };
  static Entry Stat(const std::string& path);

  bool taken_ = false;
  bool racy_ = false;
  std::shared_ptr<DirWatch> watch_;  // may be null
  std::vector<std::string> paths_;
  std::vector<Entry> entries_;
};

}  // namespace sweep
