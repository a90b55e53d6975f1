// SweepLock. The holder writes its pid into the lock file so the refusal can say
// which process runs the sweep; the pid is informational, the flock is the lock.
#include "orchestrator/controller/sweep_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace sweep {

Result<std::unique_ptr<SweepLock>> SweepLock::Acquire(const std::string& store_root,
                                                      const std::string& sweep_id) {
  std::error_code ec;
  std::filesystem::create_directories(store_root + "/locks", ec);
  std::string path = store_root + "/locks/" + sweep_id + ".lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Io("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {0};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "?";
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    return Status::Io("sweep " + sweep_id + " is already being run by another controller (pid " +
                      pid + ")");
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    ssize_t w = ::pwrite(fd, pid.data(), pid.size(), 0);
    (void)w;
  }
  return std::unique_ptr<SweepLock>(new SweepLock(fd));
}

SweepLock::~SweepLock() {
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

}  // namespace sweep
