// DirWatch: inotify watches on a set of folders, so that re-validating a cached code
// capture costs one read() per trial instead of one lstat() per file of the work tree
// (issue 16: a repository of a few thousand files cost milliseconds per trial).
//
// What counts as a change: any entry of a watched folder created, deleted or renamed
// (a new untracked file, a removed one), a watched folder itself deleted or moved,
// the kernel's event queue overflowing, and a write, truncation or attribute change
// of one of the `files` named at the start (the tracked and untracked files git
// reports on). A write to any other file in a watched folder (an ignored log or
// checkpoint the trial appends to) is not a change: it cannot alter what `git status`
// or `git diff` answers.
//
// Only on local file systems (ext2/3/4, xfs, btrfs, tmpfs, overlayfs, zfs, f2fs):
// inotify does not see what another machine writes to a network file system, so
// there Start returns null and the caller keeps its lstat() stamp.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace sweep {

class DirWatch {
 public:
  // Watches every folder in `dirs` (absolute paths). Null when inotify is unavailable,
  // a folder is missing or not a folder, the file system is not local, or the watch
  // limit (fs.inotify.max_user_watches) is reached.
  static std::unique_ptr<DirWatch> Start(const std::vector<std::string>& dirs,
                                         const std::vector<std::string>& files);
  ~DirWatch();
  DirWatch(const DirWatch&) = delete;
  DirWatch& operator=(const DirWatch&) = delete;

  // Reads the events that arrived since the last call; false once any of them was a
  // change (see above), and from then on. Thread-safe.
  bool Unchanged();
  // True when `path` is a watched folder or a file directly inside one.
  bool Covers(const std::string& path) const;
  size_t folders() const { return dirs_.size(); }

 private:
  DirWatch() = default;
  int fd_ = -1;
  std::mutex mu_;
  bool changed_ = false;
  std::unordered_map<int, std::string> dirs_;  // watch descriptor -> folder
  std::unordered_set<std::string> dir_set_;
  std::unordered_set<std::string> files_;
};

}  // namespace sweep
