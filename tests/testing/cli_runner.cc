// Test-only process runner. Output is collected through temporary files rather than
// pipes so a chatty child can never block on a full pipe while we wait for it.
#include "tests/testing/cli_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "test_paths.h"

extern char** environ;

namespace sweep::testing {
namespace {

std::vector<std::string> MergedEnv(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : extra) env[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

pid_t Spawn(const std::vector<std::string>& argv, const CliOptions& opts,
            const std::string& out_path, const std::string& err_path) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (!opts.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, opts.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  std::vector<std::string> env = MergedEnv(opts.env);
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const auto& e : env) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, cargv[0], &fa, &attr, cargv.data(), cenv.data()) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  return pid;
}

std::string TempPath(const char* tag) {
  static int counter = 0;
  return (std::filesystem::temp_directory_path() /
          ("sweep-cli-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + tag))
      .string();
}

}  // namespace

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& text, int mode) {
  std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (mode) std::filesystem::permissions(p, static_cast<std::filesystem::perms>(mode));
}

int WaitChild(pid_t pid, double timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 1000 + WTERMSIG(status);
      return -1;
    }
    if (r < 0) return -3;  // not a child of ours, or already reaped: nothing to wait for
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -2;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool WaitUntil(const std::function<bool()>& cond, double timeout_s, double poll_s) {
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::duration<double>(poll_s));
  }
  return cond();
}

pid_t StartSweep(const std::vector<std::string>& args, const CliOptions& opts,
                 const std::string& out_path, const std::string& err_path) {
  std::vector<std::string> argv = {SWEEP_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return Spawn(argv, opts, out_path, err_path);
}

CliResult RunProgram(const std::vector<std::string>& argv, const CliOptions& opts) {
  CliResult result;
  std::string out_path = TempPath(".out"), err_path = TempPath(".err");
  pid_t pid = Spawn(argv, opts, out_path, err_path);
  if (pid < 0) {
    result.err = "spawn failed";
    return result;
  }
  int rc = WaitChild(pid, opts.timeout_s);
  if (rc == -2) {
    result.timed_out = true;
  } else if (rc >= 1000) {
    result.signal = rc - 1000;
  } else {
    result.exit_code = rc;
  }
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  return result;
}

CliResult RunSweep(const std::vector<std::string>& args, const CliOptions& opts) {
  std::vector<std::string> argv = {SWEEP_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, opts);
}

}  // namespace sweep::testing
