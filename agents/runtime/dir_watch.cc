// DirWatch: one inotify instance per watch set, read without blocking when asked.
// IN_DONT_FOLLOW and IN_ONLYDIR: a folder replaced by a link to elsewhere is not
// followed (its parent sees the rename). IN_EXCL_UNLINK: a file deleted while still
// open (a trial's temporary file) stops reporting writes.
#include "agents/runtime/dir_watch.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>

namespace sweep {
namespace {

constexpr uint32_t kNameEvents = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO;
constexpr uint32_t kContentEvents = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE;
constexpr uint32_t kSelfEvents = IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT | IN_IGNORED;
constexpr uint32_t kMask = kNameEvents | kContentEvents | IN_DELETE_SELF | IN_MOVE_SELF |
                           IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK;

#ifndef ZFS_SUPER_MAGIC
#define ZFS_SUPER_MAGIC 0x2fc12fc1
#endif
#ifndef XFS_SUPER_MAGIC
#define XFS_SUPER_MAGIC 0x58465342
#endif

// File systems whose every change passes through this kernel, so inotify sees it.
bool LocalFileSystem(const std::string& path) {
  struct statfs fs {};
  if (::statfs(path.c_str(), &fs) != 0) return false;
  switch (static_cast<unsigned long>(fs.f_type)) {
    case EXT4_SUPER_MAGIC:  // also ext2 and ext3
    case XFS_SUPER_MAGIC:
    case BTRFS_SUPER_MAGIC:
    case TMPFS_MAGIC:
    case OVERLAYFS_SUPER_MAGIC:
    case ZFS_SUPER_MAGIC:
    case F2FS_SUPER_MAGIC:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::unique_ptr<DirWatch> DirWatch::Start(const std::vector<std::string>& dirs,
                                          const std::vector<std::string>& files) {
  if (dirs.empty()) return nullptr;
  std::unique_ptr<DirWatch> w(new DirWatch());
  w->fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (w->fd_ < 0) return nullptr;
  dev_t dev = 0;
  for (const std::string& d : dirs) {
    // Each device is checked once: a work tree rarely spans file systems.
    struct stat st {};
    if (::lstat(d.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return nullptr;
    if (st.st_dev != dev) {
      if (!LocalFileSystem(d)) return nullptr;
      dev = st.st_dev;
    }
    int wd = ::inotify_add_watch(w->fd_, d.c_str(), kMask);
    if (wd < 0) return nullptr;
    w->dirs_[wd] = d;
    w->dir_set_.insert(d);
  }
  w->files_.insert(files.begin(), files.end());
  return w;
}

DirWatch::~DirWatch() {
  if (fd_ >= 0) ::close(fd_);
}

bool DirWatch::Unchanged() {
  std::lock_guard<std::mutex> lock(mu_);
  if (changed_) return false;
  alignas(struct inotify_event) char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    if (n <= 0) {  // an error reading the queue: nothing can be trusted
      changed_ = true;
      return false;
    }
    for (char* p = buf; p < buf + n;) {
      auto* e = reinterpret_cast<struct inotify_event*>(p);
      p += sizeof(struct inotify_event) + e->len;
      if (e->mask & (IN_Q_OVERFLOW | kNameEvents | kSelfEvents)) {
        changed_ = true;
      } else if ((e->mask & kContentEvents) && e->len > 0) {
        auto dir = dirs_.find(e->wd);
        if (dir == dirs_.end() || files_.count(dir->second + "/" + e->name)) changed_ = true;
      }
      // The rest of the events need not be read: the answer cannot change back.
      if (changed_) return false;
    }
  }
}

bool DirWatch::Covers(const std::string& path) const {
  if (dir_set_.count(path)) return true;
  size_t slash = path.rfind('/');
  return slash != std::string::npos && slash > 0 && dir_set_.count(path.substr(0, slash));
}

}  // namespace sweep
