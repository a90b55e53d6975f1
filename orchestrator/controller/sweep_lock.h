// SweepLock: at most one controller per sweep. An flock(2) on
// <store>/locks/<sweep>.lock, held for the controller's life; the kernel releases
// it when the process dies (kill -9 included), so a crashed controller never
// leaves a stale lock behind.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"

namespace sweep {

class SweepLock {
 public:
  // Takes the lock or fails with a message naming the holder's pid (kIo).
  static Result<std::unique_ptr<SweepLock>> Acquire(const std::string& store_root,
                                                    const std::string& sweep_id);
  ~SweepLock();
  SweepLock(const SweepLock&) = delete;
  SweepLock& operator=(const SweepLock&) = delete;

 private:
  explicit SweepLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace sweep
