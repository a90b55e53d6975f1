// CloneSpawn: starts a child process without waiting for its exec.
//
// glibc's posix_spawn is a vfork: the calling thread sleeps until the child's
// execve is done, which on a busy machine took 0.2 ms at the median and over 1 ms
// at the 90th percentile (the child placed on the core where another trial runs),
// and an event loop that spawns trials can take nothing else meanwhile (issue 16).
// Here the child is a clone that shares our memory (no page tables copied, as with
// vfork) but runs beside us: it makes only raw system calls, on its own stack, from
// data prepared before the clone. A failed exec is not returned (it happens after
// CloneSpawn did): the child writes "sweep: cannot run 'ARGV0' (PATH): REASON" to its
// stderr and exits with code 127, as a shell does. The caller keeps the PendingExec,
// which owns the child's stack and the argument copies it reads, until the child is
// reaped (it cannot know when the exec happened without another wake-up per child).
//
// x86-64 and AArch64 only (the raw system calls are written out); elsewhere
// Supported() is false and callers use posix_spawn.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace sweep {

struct CloneSpawnOptions {
  std::string path;                    // the program, as execve takes it
  std::vector<std::string> argv;       // argv[0] included
  std::vector<std::string> env;        // "NAME=value" each
  std::string cwd;                     // "" = inherit
  int stdin_fd = -1;                   // -1 = /dev/null
  int stdout_fd = -1, stderr_fd = -1;  // become the child's 1 and 2
};

// The child's stack and everything it reads before its exec. Destroy it only once the
// child has been reaped (or has exec'd).
class PendingExec {
 public:
  ~PendingExec();
  PendingExec(const PendingExec&) = delete;
  PendingExec& operator=(const PendingExec&) = delete;

  struct Data;

 private:
  friend Result<std::unique_ptr<PendingExec>> CloneSpawn(CloneSpawnOptions, pid_t*);
  PendingExec() = default;
  std::unique_ptr<Data> data_;
  void* stack_ = nullptr;
};

// True where CloneSpawn works (this build's architecture).
bool CloneSpawnSupported();

// Starts the child in a new process group of its own (pgid = pid), with default
// signal dispositions and an empty signal mask, every fd but 0-2 closed, and sets
// *pid. Errors: the clone itself failed (kIo with errno text); a failed exec ends the
// child as described above instead.
// `options` is taken by value: its strings become the copies the child reads.
Result<std::unique_ptr<PendingExec>> CloneSpawn(CloneSpawnOptions options, pid_t* pid);

}  // namespace sweep
