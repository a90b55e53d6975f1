// Is anyone running this sweep? The read side of the sweep lock
// (controller/sweep_lock.h), for `sweep status`, `sweep ls`, `sweep stop` and the
// dashboard, which must not take the record's "running" at its word: a controller
// killed with SIGKILL, or stopped by a full disk, never gets to write that it ended.
//
// The lock file <store>/locks/<sweep>.lock holds "PID HOST STARTED" (STARTED in
// seconds since the epoch) and its modification time is a heartbeat the controller
// refreshes every kControllerHeartbeatSeconds. The verdict:
//   - the flock is held                         -> running (on this host or, over a
//                                                  file system that shares locks, another)
//   - free, and the lock names this host        -> gone (the kernel drops the lock of a
//                                                  dead process, kill -9 included)
//   - free, and it names another host           -> running while its heartbeat is newer
//                                                  than kControllerStaleSeconds, else gone
//   - no lock file                              -> unknown (a store written before locks
//                                                  recorded anything); shown as recorded
#pragma once

#include <string>

namespace sweep {

inline constexpr int kControllerHeartbeatSeconds = 5;
inline constexpr int kControllerStaleSeconds = 30;

// The lock file of a sweep.
std::string SweepLockPath(const std::string& store_root, const std::string& sweep_id);

struct ControllerProbe {
  enum class State { kUnknown, kRunning, kGone };
  State state = State::kUnknown;
  int pid = 0;              // 0 when the lock file did not say
  std::string host;         // "" when the lock file did not say
  bool other_host = false;  // host is not this machine's name
  double started_at = 0;    // when the controller took the lock
  double last_seen = 0;     // its last heartbeat (the lock file's mtime)
};

// Looks at the lock without disturbing it: a shared, non-blocking flock taken and
// released at once (SweepLock::Acquire retries briefly, so a controller starting at
// that instant is not refused). Never fails; unreadable means kUnknown. Thread-safe.
ControllerProbe ProbeController(const std::string& store_root, const std::string& sweep_id);

// "controller not running (pid N on HOST, last seen 2026-...Z): sweep resume ID", the
// reason shown for a sweep recorded as running whose controller is gone.
std::string ControllerGoneReason(const ControllerProbe& probe, const std::string& sweep_id);

// This machine's host name ("" if unknown).
std::string LocalHostName();

}  // namespace sweep
