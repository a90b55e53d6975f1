// Runs the real `sweep` binary (or any program) as a subprocess for integration
// tests: argv, extra environment, working directory, captured stdout/stderr, a
// wall-clock limit after which the child's process group is killed.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "test_paths.h"

namespace sweep::testing {

struct CliResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  bool timed_out = false;
  std::string out;
  std::string err;
};

struct CliOptions {
  std::string cwd;                         // "" = inherit
  std::map<std::string, std::string> env;  // added to the current environment
  double timeout_s = 120;
};

// Runs SWEEP_BINARY with args and waits for it.
CliResult RunSweep(const std::vector<std::string>& args, const CliOptions& opts = {});
// Runs argv (argv[0] an absolute path) and waits for it.
CliResult RunProgram(const std::vector<std::string>& argv, const CliOptions& opts = {});

// Starts SWEEP_BINARY in the background (own process group) with stdout/stderr
// sent to files; returns its pid. For signal tests.
pid_t StartSweep(const std::vector<std::string>& args, const CliOptions& opts,
                 const std::string& out_path, const std::string& err_path);
// Waits for a background child; returns its exit code, 1000+signal when killed by
// a signal, -2 when it outlived timeout_s (it is then killed), -3 when pid is not
// (or no longer) a child to wait for.
int WaitChild(pid_t pid, double timeout_s);

// Polls cond every poll_s until it holds or timeout_s passes; returns its last value.
// A hang guard for integration tests, never a timing assertion.
bool WaitUntil(const std::function<bool()>& cond, double timeout_s, double poll_s = 0.05);

// Reads a whole file ("" when missing).
std::string ReadFile(const std::string& path);
// Writes a file, creating parent folders; mode applied when nonzero.
void WriteFile(const std::string& path, const std::string& text, int mode = 0);

}  // namespace sweep::testing
