// Environment provenance: the machine, GPUs, interpreter, packages and a filtered
// set of environment variables a trial ran with, captured where the trial runs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/value.h"

namespace sweep {

struct EnvCaptureOptions {
  std::vector<std::string> argv;      // the trial's argv (decides "is it Python?")
  std::vector<std::string> env;       // the trial's full environment, "NAME=value"
  std::vector<std::string> env_vars;  // globs of variable names to record
  bool packages = true;               // pip freeze (or importlib.metadata) for Python
};

// {"os","kernel","hostname","cpu":{"model","cores"},"memory_mb",
//  "gpus":[{"index","name","driver","memory_mb"}],"cuda_version","gpus_assigned",
//  "interpreter":{"path","version"} (Python only),"packages":["name==version"...],
//  "env_vars":{name: value}}. Missing tools (no nvidia-smi, no pip) leave parts empty,
// never an error. The machine part (OS, CPU, memory, GPUs) is captured once per
// process. The interpreter's version and packages are listed with the trial's
// PYTHON* and HOME variables (they decide sys.path) and cached per (interpreter,
// those variables) while a stamp of the interpreter file, every sys.path folder, the
// user site folder and their *.dist-info / *.egg-info entries (METADATA included),
// *.egg-link and *.pth files is unchanged: installing, removing, upgrading or editing
// a package re-lists them at the next trial. Thread-safe.
Value CaptureEnvironment(const EnvCaptureOptions& options);

// CaptureEnvironment's answer when every part of it comes from a cache that is still
// valid, re-validated with at most max_stamp_paths lstat()s; nullopt when something
// would have to be captured (the first trial, a changed or large package stamp) or
// when a capture on another thread holds the cache. Never runs a program and never
// waits for a lock, so an event loop may call it (agents/runtime/trial_runner.cc).
std::optional<Value> CachedEnvironment(const EnvCaptureOptions& options, size_t max_stamp_paths);

// Interpreter listings (python -c + pip freeze) run in this process; the other
// Python trials were answered from the cache. For tests and the benchmark's profile.
uint64_t InterpreterCapturesRun();

// True for names that look like secrets (TOKEN, KEY, SECRET, PASSWORD, PASSWD,
// CREDENTIAL, case-insensitive) or that sweep itself uses for credentials.
bool LooksSecret(const std::string& name);

// Content hash of an environment snapshot (SHA-256 of its compact JSON).
std::string EnvironmentHash(const Value& env);

}  // namespace sweep
