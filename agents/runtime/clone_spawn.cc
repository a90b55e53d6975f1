// CloneSpawn: clone(CLONE_VM) without CLONE_VFORK, and a child that touches nothing
// but its own stack, the prepared Data (read only) and the kernel.
//
// Why raw system calls in the child: it shares our memory and our thread pointer, so
// glibc's wrappers would write errno into the spawning thread's errno (which that
// thread may be reading at the same moment) and could take locks another thread
// holds. Why every signal is blocked across the clone: until its exec the child
// would run our handlers, in our memory, on its stack; it resets every disposition to
// the default and only then unblocks. Sanitizers are off in the child: their
// bookkeeping lives in the shared memory and assumes our stacks.
#include "agents/runtime/clone_spawn.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sweep {

struct PendingExec::Data {
  std::string path, cwd;
  std::vector<std::string> argv_s, env_s;
  std::vector<char*> argv, envp;
  // What the child reads: plain values and pointers only.
  const char* c_path = nullptr;
  const char* c_cwd = nullptr;  // null = stay
  char* const* c_argv = nullptr;
  char* const* c_envp = nullptr;
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;
  std::string failure;  // "sweep: cannot run 'ARGV0' (PATH): ", written before the reason
  const char* c_failure = nullptr;
  size_t failure_size = 0;
};

namespace {

#if defined(__x86_64__) || defined(__aarch64__)
constexpr bool kSupported = true;
#else
constexpr bool kSupported = false;
#endif

constexpr size_t kStackBytes = 64 * 1024;

#define SWEEP_CHILD_CODE __attribute__((no_sanitize("address", "undefined"), no_stack_protector))

// A system call that returns -errno and never touches errno.
SWEEP_CHILD_CODE __attribute__((always_inline)) inline long Raw(long n, long a = 0, long b = 0,
                                                                long c = 0, long d = 0) {
#if defined(__x86_64__)
  long ret;
  register long r10 asm("r10") = d;
  asm volatile("syscall"
               : "=a"(ret)
               : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
               : "rcx", "r11", "memory");
  return ret;
#elif defined(__aarch64__)
  register long x8 asm("x8") = n;
  register long x0 asm("x0") = a;
  register long x1 asm("x1") = b;
  register long x2 asm("x2") = c;
  register long x3 asm("x3") = d;
  asm volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
  return x0;
#else
  (void)n, (void)a, (void)b, (void)c, (void)d;
  return -ENOSYS;
#endif
}

// strerror() of every errno, made before any child exists: the child may not call
// strerror (a locale lookup) but can index a table.
constexpr int kErrnoTexts = 134;
const std::vector<std::string>& ErrnoTexts() {
  static const std::vector<std::string> texts = [] {
    std::vector<std::string> t;
    for (int e = 0; e < kErrnoTexts; ++e) t.push_back(std::strerror(e) + std::string("\n"));
    return t;
  }();
  return texts;
}

struct ChildText {
  const char* text;
  size_t size;
};
ChildText child_texts[kErrnoTexts];  // filled once, read by children

[[noreturn]] SWEEP_CHILD_CODE __attribute__((always_inline)) inline void Fail(
    const PendingExec::Data* d, long ret) {
  long err = -ret;
  Raw(SYS_write, 2, reinterpret_cast<long>(d->c_failure), static_cast<long>(d->failure_size));
  if (err > 0 && err < kErrnoTexts)
    Raw(SYS_write, 2, reinterpret_cast<long>(child_texts[err].text),
        static_cast<long>(child_texts[err].size));
  for (;;) Raw(SYS_exit_group, 127);
}

// `src` becomes `dst`, inherited across the exec.
SWEEP_CHILD_CODE __attribute__((always_inline)) inline long MoveFd(int src, int dst) {
  if (src == dst) return Raw(SYS_fcntl, dst, F_SETFD, 0);
  return Raw(SYS_dup3, src, dst, 0);
}

SWEEP_CHILD_CODE int ChildMain(void* arg) {
  const auto* d = static_cast<const PendingExec::Data*>(arg);
  // Zeroed, this is SIG_DFL with no flags and an empty mask in either kernel layout
  // of struct sigaction (with or without sa_restorer).
  long dfl[4] = {0, 0, 0, 0};
  for (long sig = 1; sig <= 64; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP)
      Raw(SYS_rt_sigaction, sig, reinterpret_cast<long>(dfl), 0, 8);
  Raw(SYS_setpgid, 0, 0);
  long r;
  if (d->stdin_fd >= 0) {
    if ((r = MoveFd(d->stdin_fd, 0)) < 0) Fail(d, r);
  } else {
    long fd = Raw(SYS_openat, AT_FDCWD, reinterpret_cast<long>("/dev/null"), O_RDONLY);
    if (fd < 0) Fail(d, fd);
    if (fd != 0) {
      if ((r = Raw(SYS_dup3, fd, 0, 0)) < 0) Fail(d, r);
      Raw(SYS_close, fd);
    }
  }
  if ((r = MoveFd(d->stdout_fd, 1)) < 0) Fail(d, r);
  if ((r = MoveFd(d->stderr_fd, 2)) < 0) Fail(d, r);
  // One call where the kernel has it (5.9); one close per possible fd where it does not
  // or a seccomp profile refuses it (older container runtimes answer EPERM).
  if (Raw(SYS_close_range, 3, ~0U, 0) != 0) {
    unsigned long limit[2] = {1024, 1024};  // soft, hard
    Raw(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, reinterpret_cast<long>(limit));
    long max_fd = limit[0] < (1ul << 20) ? static_cast<long>(limit[0]) : 1l << 20;
    for (long fd = 3; fd < max_fd; ++fd) Raw(SYS_close, fd);
  }
  if (d->c_cwd && (r = Raw(SYS_chdir, reinterpret_cast<long>(d->c_cwd))) < 0) Fail(d, r);
  long empty = 0;
  Raw(SYS_rt_sigprocmask, SIG_SETMASK, reinterpret_cast<long>(&empty), 0, 8);
  r = Raw(SYS_execve, reinterpret_cast<long>(d->c_path), reinterpret_cast<long>(d->c_argv),
          reinterpret_cast<long>(d->c_envp));
  Fail(d, r);
}

}  // namespace

bool CloneSpawnSupported() { return kSupported; }

PendingExec::~PendingExec() {
  if (stack_) ::munmap(stack_, kStackBytes);
}

Result<std::unique_ptr<PendingExec>> CloneSpawn(CloneSpawnOptions o, pid_t* pid) {
  if (!kSupported) return Status::Io("clone spawning is not built for this architecture");
  std::unique_ptr<PendingExec> p(new PendingExec());
  p->data_ = std::make_unique<PendingExec::Data>();
  PendingExec::Data& d = *p->data_;
  d.failure =
      "sweep: cannot run '" + (o.argv.empty() ? o.path : o.argv[0]) + "' (" + o.path + "): ";
  d.path = std::move(o.path);
  d.cwd = std::move(o.cwd);
  d.argv_s = std::move(o.argv);
  d.env_s = std::move(o.env);
  for (auto& a : d.argv_s) d.argv.push_back(a.data());
  d.argv.push_back(nullptr);
  for (auto& e : d.env_s) d.envp.push_back(e.data());
  d.envp.push_back(nullptr);
  d.c_path = d.path.c_str();
  d.c_cwd = d.cwd.empty() ? nullptr : d.cwd.c_str();
  d.c_argv = d.argv.data();
  d.c_envp = d.envp.data();
  d.stdin_fd = o.stdin_fd;
  d.stdout_fd = o.stdout_fd;
  d.stderr_fd = o.stderr_fd;
  d.c_failure = d.failure.c_str();
  d.failure_size = d.failure.size();
  static const bool texts_ready = [] {
    const auto& t = ErrnoTexts();
    for (int e = 0; e < kErrnoTexts; ++e) child_texts[e] = {t[e].c_str(), t[e].size()};
    return true;
  }();
  (void)texts_ready;

  void* stack = ::mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED)
    return Status::Io(std::string("cannot map a stack: ") + std::strerror(errno));
  p->stack_ = stack;

  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  int child = ::clone(ChildMain, static_cast<char*>(stack) + kStackBytes, CLONE_VM | SIGCHLD, &d);
  int e = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (child < 0) return Status::Io(std::string("cannot start a process: ") + std::strerror(e));
  // Also from here, so that the group exists before we return whichever runs first
  // (after the child's exec this fails with EACCES: it did it itself).
  ::setpgid(child, child);
  *pid = child;
  return p;
}

}  // namespace sweep
