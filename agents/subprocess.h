// Subprocess: one child process in its own process group, on an Asio event loop.
//
// All process handling lives in this file pair: posix_spawn (never fork from a large
// parent, never a shell), a new process group per child so a stop reaches the whole
// tree, stdout/stderr captured through pipes into bounded log files (the tail is
// kept), exit detection with a pidfd, and stop = SIGTERM to the group, a grace
// period, then SIGKILL. Not thread-safe: use it from the thread running its
// io_context. Callbacks run on that thread.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "search/status.h"

namespace sweep {

struct SpawnOptions {
  std::vector<std::string> argv;         // argv[0] is looked up in PATH when it has no '/'
  std::vector<std::string> env;          // the complete environment, "NAME=value" each
  std::string cwd;                       // working directory; "" = inherit
  std::string stdout_path;               // file that receives stdout (created/truncated)
  std::string stderr_path;               // file that receives stderr
  uint64_t max_log_bytes = 64ull << 20;  // per stream; older output is dropped, tail kept
  size_t max_line_bytes = 1 << 20;       // longer stdout lines are not passed to on_line
};

// How the process ended.
struct ExitStatus {
  int exit_code = -1;  // valid when signal == 0
  int signal = 0;      // terminating signal, 0 if it exited
  bool ok() const { return signal == 0 && exit_code == 0; }
};

struct SubprocessCallbacks {
  // One complete stdout line (without the newline); lines over max_line_bytes are
  // skipped and reported with truncated = true and the line empty.
  std::function<void(std::string_view line, bool truncated)> on_stdout_line;
  // Called once, after the process exited AND both pipes were drained (or a short
  // drain deadline passed because a stray descendant kept them open; the group is
  // killed when the leader exits, so such descendants die).
  std::function<void(const ExitStatus&)> on_exit;
};

class Subprocess {
 public:
  // Starts the child. Errors: the program cannot be found or executed (kIo, with
  // the path and errno text), or the log files cannot be created.
  static Result<std::unique_ptr<Subprocess>> Spawn(boost::asio::io_context& io,
                                                   const SpawnOptions& options,
                                                   SubprocessCallbacks callbacks);
  ~Subprocess();  // kills the group if still running; no callbacks after this

  // SIGTERM to the process group now, SIGKILL to the group after grace_s.
  void Terminate(double grace_s);
  // SIGKILL to the process group now.
  void Kill();

  pid_t pid() const;
  bool running() const;
  // Last bytes of stderr seen (up to max_bytes), for failure reports.
  std::string StderrTail(size_t max_bytes) const;

  class Impl;

 private:
  explicit Subprocess(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sweep
