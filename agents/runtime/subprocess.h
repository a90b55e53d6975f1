// Subprocess: one child process in its own process group, on an Asio event loop.
//
// All process handling lives in this file pair: a clone that shares memory until the
// exec (agents/runtime/clone_spawn.h; never fork from a large parent, never a shell),
// a new process group per child so a stop reaches the whole
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

#include "base/status.h"

namespace sweep {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no '/'
  std::vector<std::string> env;   // the complete environment, "NAME=value" each
  std::string cwd;                // working directory; "" = inherit
  std::string stdout_path;        // file that receives stdout (created/truncated); "" = none
  std::string stderr_path;        // file that receives stderr; "" = none
  // When a log passes max_log_bytes it is cut to a marker line
  // "[sweep: N earlier bytes dropped]" followed by the last max_log_bytes/2 bytes.
  uint64_t max_log_bytes = 64ull << 20;  // per stream; older output is dropped, tail kept
  size_t max_line_bytes = 1 << 20;       // longer stdout lines are not passed to on_line
  // `sweep run`: the child reads this fd as its stdin (-1 = /dev/null). Not closed.
  int stdin_fd = -1;
  // `sweep run`: every byte of stdout / stderr is also written to this fd (-1 = none),
  // as tee does, after it went to the log. A failed write stops the echo of that
  // stream, never the capture. Blocking writes: a stalled reader stalls the loop.
  int echo_stdout_fd = -1;
  int echo_stderr_fd = -1;
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
  // Starts the child (stdin is /dev/null unless options.stdin_fd says otherwise); returns
  // before its exec. Errors: the program cannot be found or is not an executable file (kIo,
  // with the path and errno text), the working directory is missing, or the log files
  // cannot be created. A program the kernel refuses at exec (no ELF header, no #! line)
  // exits 127 with "sweep: cannot run ..." on its stderr. The first call sets SIGPIPE to
  // SIG_IGN in this process (children still start with default dispositions).
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

// What a command left when it ended: how, and its output (each stream bounded).
struct CommandOutput {
  ExitStatus exit;
  std::string out, err;
};

// Runs argv to completion with the caller's environment, on a private io_context (any
// thread). A non-zero exit is a result, not an error (its stderr may be the message a
// caller must show). Errors (kIo): the program cannot be started; it outlives
// timeout_s (its group is killed; the message says "timed out after").
Result<CommandOutput> RunCommand(const std::vector<std::string>& argv, double timeout_s,
                                 const std::string& cwd = "", uint64_t max_bytes = 16ull << 20);

// Runs argv to completion with the caller's environment and returns its stdout
// (bounded to max_bytes). For short helper commands (nvidia-smi, git, pip freeze).
// Errors: the program cannot be started, exits non-zero (the message carries the
// exit status and the stderr tail), or outlives timeout_s (its group is killed).
Result<std::string> RunCapture(const std::vector<std::string>& argv, double timeout_s,
                               const std::string& cwd = "", uint64_t max_bytes = 16ull << 20);

}  // namespace sweep
