// SweepLock. The holder writes "PID HOST STARTED" into the lock file so a refusal can
// say which process runs the sweep and readers can say which one is gone; that text
// is informational, the flock is the lock. The heartbeat is futimens on the locked
// descriptor: no path lookup, no data written, nothing for a full disk to break.
#include "orchestrator/controller/sweep_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "orchestrator/store/controller_probe.h"

namespace sweep {

Result<std::unique_ptr<SweepLock>> SweepLock::Acquire(const std::string& store_root,
                                                      const std::string& sweep_id) {
  std::error_code ec;
  std::filesystem::create_directories(store_root + "/locks", ec);
  std::string path = SweepLockPath(store_root, sweep_id);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return Status::Io("cannot open " + path + ": " + std::strerror(errno));
  // Readers probe with a momentary shared lock; a few retries ride over one.
  int rc = -1;
  for (int attempt = 0; attempt < 10; ++attempt) {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
    if (rc == 0 || (errno != EWOULDBLOCK && errno != EINTR)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (rc != 0) {
    ::close(fd);
    ControllerProbe holder = ProbeController(store_root, sweep_id);
    std::string who = "pid " + (holder.pid > 0 ? std::to_string(holder.pid) : std::string("?"));
    if (!holder.host.empty()) who += " on " + holder.host;
    return Status::Io("sweep " + sweep_id + " is already being run by another controller (" + who +
                      ")");
  }
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  std::string host = LocalHostName();
  std::string line = std::to_string(::getpid()) + " " + (host.empty() ? "-" : host) + " " +
                     std::to_string(now) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    ssize_t w = ::pwrite(fd, line.data(), line.size(), 0);
    (void)w;
  }
  return std::unique_ptr<SweepLock>(new SweepLock(fd));
}

SweepLock::SweepLock(int fd) : fd_(fd), heartbeat_([this] { Beat(); }) {}

void SweepLock::Beat() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    ::futimens(fd_, nullptr);  // mtime = now: "last seen"
    cv_.wait_for(lock, std::chrono::seconds(kControllerHeartbeatSeconds),
                 [this] { return stopping_; });
  }
}

SweepLock::~SweepLock() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

}  // namespace sweep
