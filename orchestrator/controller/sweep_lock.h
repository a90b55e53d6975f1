// SweepLock: at most one controller per sweep. An flock(2) on
// <store>/locks/<sweep>.lock, held for the controller's life; the kernel releases
// it when the process dies (kill -9 included), so a crashed controller never
// leaves a stale lock behind.
//
// The file says who holds it ("PID HOST STARTED") and its mtime is refreshed every
// kControllerHeartbeatSeconds by a small thread, so readers (store/controller_probe.h)
// can tell a running sweep from one whose controller is gone, and say when it was
// last seen.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/status.h"

namespace sweep {

class SweepLock {
 public:
  // Takes the lock or fails with a message naming the holder's pid and host (kIo).
  // A lock held only for an instant (a reader's probe) is retried for ~0.5 s first.
  static Result<std::unique_ptr<SweepLock>> Acquire(const std::string& store_root,
                                                    const std::string& sweep_id);
  // Stops the heartbeat, then releases the lock.
  ~SweepLock();
  SweepLock(const SweepLock&) = delete;
  SweepLock& operator=(const SweepLock&) = delete;

 private:
  explicit SweepLock(int fd);
  void Beat();

  int fd_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread heartbeat_;
};

}  // namespace sweep
