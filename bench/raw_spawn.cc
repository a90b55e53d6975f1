// Raw process-spawn rate: posix_spawn + waitpid of /bin/true with K in flight, the
// ceiling any orchestrator's dispatch rate is compared with (bench/run_dispatch_bench.py).
// Usage: raw_spawn N K [ARG...]   (ARGs are passed to every /bin/true)
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

extern char** environ;

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 2000;
  int k = argc > 2 ? std::atoi(argv[2]) : 2;
  char prog[] = "/bin/true";
  std::vector<char*> child_argv = {prog};
  for (int i = 3; i < argc; ++i) child_argv.push_back(argv[i]);
  child_argv.push_back(nullptr);
  auto start = std::chrono::steady_clock::now();
  int started = 0, done = 0, in_flight = 0;
  while (done < n) {
    while (in_flight < k && started < n) {
      pid_t pid;
      if (posix_spawn(&pid, prog, nullptr, nullptr, child_argv.data(), environ) != 0) return 1;
      ++started;
      ++in_flight;
    }
    int status;
    if (waitpid(-1, &status, 0) > 0) {
      --in_flight;
      ++done;
    }
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"trials\": %d, \"parallel\": %d, \"seconds\": %.4f, \"per_s\": %.1f}\n", n, k, s,
              n / s);
  return 0;
}
