// Subprocess: spawning, process groups, pipes, pidfd — all process handling.
//
// How it works. Spawn() resolves argv[0] against the PATH of the child's own
// environment (so the trial sees the program its environment names) and checks that it
// is an executable file, so "not found" / "not executable" come back as a Status, never
// as a mysterious exit code 127. It creates two O_CLOEXEC pipes and starts the child
// with: stdin from /dev/null (or the fd given), the pipes on fds 1 and 2, every other fd
// closed, the working directory, a new process group (pgid = pid), an empty signal mask
// and default dispositions for every signal (an ignored SIGPIPE in the parent would
// otherwise survive exec). The start is CloneSpawn (clone_spawn.h), which returns
// without waiting for the child's exec: glibc's posix_spawn (a vfork) held the event
// loop for each child's whole execve, 0.2-1 ms on a busy machine (issue 16). It remains
// the fallback where CloneSpawn is not built. A program the kernel still refuses (no ELF
// header, no #! line) ends with code 127 and the reason on its stderr.
//
// The parent reads both pipes with asio stream_descriptors into LogFiles. A LogFile
// keeps the tail: when the file passes max_log_bytes it is compacted in place to a
// one-line marker ("[sweep: N earlier bytes dropped]") followed by the last half of
// the cap, copied in 64 KiB chunks (memory stays bounded, the amortised extra I/O is
// one copy of what is written). stdout is also split into lines for on_stdout_line;
// a line over max_line_bytes is dropped while it streams (never buffered whole).
//
// Exit detection: a pidfd (pidfd_open) becomes readable when the leader exits. We
// then waitid(WNOWAIT) so the leader stays a zombie, SIGKILL the whole group (its
// pid cannot be recycled while the zombie holds it, so this never hits a stranger),
// and only then reap it. Grandchildren die with the group; the pipes are drained
// until EOF or a one-second deadline (a descendant that escaped the group with
// setsid may hold them open), and on_exit runs once.
//
// Lifetime: the state lives in a shared Core that async handlers keep alive; the
// Subprocess destructor marks it detached so no callback runs after it, kills the
// group if the leader still runs and reaps it (SIGKILL cannot be ignored).
#include "agents/runtime/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include "agents/runtime/clone_spawn.h"

namespace sweep {
namespace {

namespace asio = boost::asio;

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kStderrRing = 64 * 1024;
constexpr uint64_t kMinLogCap = 4096;
constexpr auto kDrainDeadline = std::chrono::seconds(1);

std::string ErrnoText(int err) { return std::strerror(err); }

// A log file that keeps its tail; see the file comment. It is created on the first
// byte, so a silent process costs no file at all (and no open on its start path).
class LogFile {
 public:
  ~LogFile() { Close(); }
  Status Open(const std::string& path, uint64_t cap) {
    cap_ = std::max(cap, kMinLogCap);
    path_ = path;
    return Status::Ok();
  }
  void Write(const char* data, size_t n) {
    if (fd_ < 0 && !Create()) return;
    if (!WriteAt(size_, data, n)) return Fail();
    size_ += n;
    if (size_ > cap_) Compact();
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  // O_NOFOLLOW: the folder is the trial's, which may have planted a link by the time
  // its first byte arrives. Failing here only stops the copy, never the trial.
  bool Create() {
    if (path_.empty() || failed_) return false;
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd_ < 0) failed_ = true;
    return fd_ >= 0;
  }
  bool WriteAt(uint64_t off, const char* data, size_t n) {
    while (n > 0) {
      ssize_t w = ::pwrite(fd_, data, n, static_cast<off_t>(off));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      data += w, n -= static_cast<size_t>(w), off += static_cast<uint64_t>(w);
    }
    return true;
  }
  // Keeps the last cap/2 bytes behind a marker line. The marker is far shorter than
  // cap/2 (cap >= 4096), so the copy always moves data towards the start.
  void Compact() {
    uint64_t keep = cap_ / 2;
    uint64_t src = size_ - keep;
    dropped_ += src - marker_len_;
    std::string marker = "[sweep: " + std::to_string(dropped_) + " earlier bytes dropped]\n";
    marker_len_ = marker.size();
    std::vector<char>& buf = scratch_;
    buf.resize(kReadChunk);
    uint64_t dst = marker.size();
    for (uint64_t off = src; off < size_;) {
      ssize_t r = ::pread(fd_, buf.data(), std::min<uint64_t>(buf.size(), size_ - off),
                          static_cast<off_t>(off));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0 || !WriteAt(dst, buf.data(), static_cast<size_t>(r))) return Fail();
      off += static_cast<uint64_t>(r), dst += static_cast<uint64_t>(r);
    }
    if (!WriteAt(0, marker.data(), marker.size())) return Fail();
    if (::ftruncate(fd_, static_cast<off_t>(dst)) != 0) return Fail();
    size_ = dst;
  }
  // A full disk must not stop the pipe from being read: stop writing, keep going.
  void Fail() {
    Close();
    failed_ = true;
  }

  std::string path_;
  bool failed_ = false;
  int fd_ = -1;
  uint64_t cap_ = 0;
  uint64_t size_ = 0;
  uint64_t dropped_ = 0;
  uint64_t marker_len_ = 0;
  std::vector<char> scratch_;  // compaction buffer, kept between compactions
};

// The value of NAME in a "NAME=value" list, or nullptr.
const char* FindEnv(const std::vector<std::string>& env, std::string_view name) {
  for (const auto& kv : env) {
    if (kv.size() > name.size() && kv.compare(0, name.size(), name) == 0 && kv[name.size()] == '=')
      return kv.c_str() + name.size() + 1;
  }
  return nullptr;
}

// argv[0] as posix_spawn needs it: names with a '/' are used as given (relative to
// the child's cwd, since the chdir happens before exec); others are searched in the
// child's PATH (the parent's if the child has none, then /usr/bin:/bin).
// 0 when `path` (relative to cwd if it is relative) is a regular file we may execute,
// else why not: its stat() errno, or EACCES.
int ExecutableError(const std::string& path, const std::string& cwd) {
  std::string probe = path[0] != '/' && !cwd.empty() ? cwd + "/" + path : path;
  struct stat st;
  if (::stat(probe.c_str(), &st) != 0) return errno;
  return S_ISREG(st.st_mode) && ::access(probe.c_str(), X_OK) == 0 ? 0 : EACCES;
}

// Also for names with a slash: the exec itself happens after Spawn returned
// (clone_spawn.h), so "not found" and "not executable" are told here.
Result<std::string> ResolveProgram(const std::string& name, const SpawnOptions& opts) {
  if (name.empty()) return Status::Io("cannot run an empty program name");
  if (name.find('/') != std::string::npos) {
    if (int err = ExecutableError(name, opts.cwd); err != 0)
      return Status::Io("cannot run '" + name + "': " + ErrnoText(err));
    return name;
  }
  const char* path = FindEnv(opts.env, "PATH");
  if (!path) path = ::getenv("PATH");
  if (!path || !*path) path = "/usr/bin:/bin";
  int last_err = ENOENT;
  std::string_view dirs(path);
  while (true) {
    size_t colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    int err = ExecutableError(candidate, opts.cwd);
    if (err == 0) return candidate;
    if (err == EACCES) last_err = EACCES;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return Status::Io("cannot run '" + name + "': " + ErrnoText(last_err) +
                    (last_err == ENOENT ? " (not found in PATH)" : ""));
}

void IgnoreSigpipeOnce() {
  static std::once_flag once;
  std::call_once(once, [] { ::signal(SIGPIPE, SIG_IGN); });
}

struct SubprocessCore : std::enable_shared_from_this<SubprocessCore> {
  struct Stream {
    explicit Stream(asio::io_context& io) : pipe(io) {}
    asio::posix::stream_descriptor pipe;
    LogFile log;
    bool open = false;
    int echo_fd = -1;  // SpawnOptions::echo_*_fd; -1 after a failed write
    std::vector<char> buf = std::vector<char>(kReadChunk);
  };

  SubprocessCore(asio::io_context& io, SubprocessCallbacks cb)
      : callbacks(std::move(cb)), pidfd(io), out(io), err(io), kill_timer(io), drain_timer(io) {}

  void StartRead(Stream& s) {
    s.pipe.async_read_some(asio::buffer(s.buf),
                           [self = shared_from_this(), &s](boost::system::error_code ec, size_t n) {
                             self->OnRead(s, ec, n);
                           });
  }

  void OnRead(Stream& s, boost::system::error_code ec, size_t n) {
    if (detached || !s.open) return;
    if (n > 0) {
      s.log.Write(s.buf.data(), n);
      if (s.echo_fd >= 0) Echo(s, s.buf.data(), n);
      if (&s == &err) AppendStderr(s.buf.data(), n);
      if (&s == &out) SplitLines(s.buf.data(), n);
      if (detached) return;  // on_stdout_line destroyed the owner
    }
    if (ec) {
      CloseStream(s);
      MaybeFinish();
      return;
    }
    StartRead(s);
  }

  // tee: the whole chunk, retrying short writes; a closed terminal or pipe ends it.
  static void Echo(Stream& s, const char* data, size_t n) {
    while (n > 0) {
      ssize_t w = ::write(s.echo_fd, data, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        s.echo_fd = -1;
        return;
      }
      data += w;
      n -= static_cast<size_t>(w);
    }
  }

  void AppendStderr(const char* data, size_t n) {
    stderr_tail.append(data, n);
    if (stderr_tail.size() > 2 * kStderrRing)
      stderr_tail.erase(0, stderr_tail.size() - kStderrRing);
  }

  // Lines are handed out as views: a whole line inside the read buffer is never
  // copied, a line split across reads is assembled in `line` (capacity reused).
  void SplitLines(const char* data, size_t n) {
    const char* end = data + n;
    while (data < end && !detached) {
      const char* nl = static_cast<const char*>(std::memchr(data, '\n', end - data));
      const char* stop = nl ? nl : end;
      size_t len = static_cast<size_t>(stop - data);
      if (nl && line.empty() && !discarding) {
        bool too_long = len > max_line_bytes;
        Emit(too_long ? std::string_view() : std::string_view(data, len), too_long);
        data = nl + 1;
        continue;
      }
      if (!discarding) {
        line.append(data, len);
        if (line.size() > max_line_bytes) {
          discarding = true;
          line.clear();
          line.shrink_to_fit();
        }
      }
      if (!nl) break;
      EmitLine();
      data = nl + 1;
    }
  }

  void EmitLine() {
    Emit(discarding ? std::string_view() : std::string_view(line), discarding);
    line.clear();
    discarding = false;
  }

  void Emit(std::string_view l, bool truncated) {
    if (callbacks.on_stdout_line) callbacks.on_stdout_line(l, truncated);
  }

  void CloseStream(Stream& s) {
    s.open = false;
    boost::system::error_code ignored;
    s.pipe.close(ignored);
    s.log.Close();
  }

  void WaitExit() {
    pidfd.async_wait(asio::posix::stream_descriptor::wait_read,
                     [self = shared_from_this()](boost::system::error_code ec) {
                       if (self->detached || ec) return;
                       self->OnLeaderExit();
                     });
  }

  void OnLeaderExit() {
    siginfo_t info{};
    int w;
    do w = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT);
    while (w != 0 && errno == EINTR);
    // The zombie leader pins the pgid, so this never hits a stranger. (w != 0 means
    // someone else reaped it; then the group is left alone for the same reason.)
    if (w == 0) ::killpg(pid, SIGKILL);
    int st = 0;
    pid_t r;
    do r = ::waitpid(pid, &st, 0);
    while (r < 0 && errno == EINTR);
    reaped = true;
    pending.reset();  // the child is gone: its clone stack is free
    if (r == pid && WIFSIGNALED(st)) {
      status.signal = WTERMSIG(st);
    } else if (r == pid) {
      status.exit_code = WEXITSTATUS(st);
    }
    boost::system::error_code ignored;
    pidfd.close(ignored);
    kill_timer.cancel();
    drain_timer.expires_after(kDrainDeadline);
    drain_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (self->detached || ec) return;
      if (self->out.open) self->CloseStream(self->out);
      if (self->err.open) self->CloseStream(self->err);
      self->MaybeFinish();
    });
    MaybeFinish();
  }

  void MaybeFinish() {
    if (finished || !reaped || out.open || err.open) return;
    finished = true;
    drain_timer.cancel();
    if (!line.empty() || discarding) EmitLine();  // a last line without newline
    if (detached) return;
    if (callbacks.on_exit) callbacks.on_exit(status);
  }

  void Signal(int sig) {
    if (!reaped) ::killpg(pid, sig);
  }

  // Called by ~Subprocess: no callbacks from now on; the group dies, the leader is reaped.
  void Detach() {
    detached = true;
    if (!reaped) {
      ::killpg(pid, SIGKILL);
      while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
      reaped = true;
    }
    boost::system::error_code ignored;
    pidfd.close(ignored);
    pending.reset();  // reaped: the child's stack is free
    if (out.open) CloseStream(out);
    if (err.open) CloseStream(err);
    kill_timer.cancel();
    drain_timer.cancel();
  }

  SubprocessCallbacks callbacks;
  pid_t pid = -1;
  size_t max_line_bytes = 1 << 20;
  asio::posix::stream_descriptor pidfd;
  Stream out, err;
  std::unique_ptr<PendingExec> pending;  // CloneSpawn's child stack, until it is reaped
  asio::steady_timer kill_timer, drain_timer;
  std::string line;
  bool discarding = false;
  std::string stderr_tail;
  ExitStatus status;
  bool reaped = false, finished = false, detached = false;
};

}  // namespace

class Subprocess::Impl {
 public:
  std::shared_ptr<SubprocessCore> core;
};

namespace {

// Owns the spawn-time pipes so that every early return releases them.
struct SpawnScratch {
  int out[2] = {-1, -1}, err[2] = {-1, -1};
  ~SpawnScratch() {
    for (int fd : {out[0], out[1], err[0], err[1]})
      if (fd >= 0) ::close(fd);
  }
};

// glibc's posix_spawn (a vfork: returns once the child has exec'd), where CloneSpawn is
// not built. The same child setup; returns 0 or the errno of the spawn or exec.
int PosixSpawn(const std::string& program, const SpawnOptions& options, int out_w, int err_w,
               pid_t* pid) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  if (options.stdin_fd >= 0)
    posix_spawn_file_actions_adddup2(&actions, options.stdin_fd, 0);
  else
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_w, 1);
  posix_spawn_file_actions_adddup2(&actions, err_w, 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  if (!options.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv, envp;
  for (const auto& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : options.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  int rc = ::posix_spawn(pid, program.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc;
}

}  // namespace

Result<std::unique_ptr<Subprocess>> Subprocess::Spawn(boost::asio::io_context& io,
                                                      const SpawnOptions& options,
                                                      SubprocessCallbacks callbacks) {
  IgnoreSigpipeOnce();
  if (options.argv.empty()) return Status::Io("cannot run an empty command");
  if (!options.cwd.empty()) {
    struct stat st;
    if (::stat(options.cwd.c_str(), &st) != 0)
      return Status::Io("working directory '" + options.cwd + "': " + ErrnoText(errno));
    if (!S_ISDIR(st.st_mode))
      return Status::Io("working directory '" + options.cwd + "' is not a directory");
  }
  Result<std::string> program = ResolveProgram(options.argv[0], options);
  if (!program.ok()) return program.status();

  auto core = std::make_shared<SubprocessCore>(io, std::move(callbacks));
  core->max_line_bytes = options.max_line_bytes;
  core->out.echo_fd = options.echo_stdout_fd;
  core->err.echo_fd = options.echo_stderr_fd;
  if (Status s = core->out.log.Open(options.stdout_path, options.max_log_bytes); !s.ok()) return s;
  if (Status s = core->err.log.Open(options.stderr_path, options.max_log_bytes); !s.ok()) return s;

  SpawnScratch sc;
  if (::pipe2(sc.out, O_CLOEXEC) != 0 || ::pipe2(sc.err, O_CLOEXEC) != 0)
    return Status::Io(std::string("cannot create pipes: ") + ErrnoText(errno));
  pid_t pid = -1;
  std::string what = "cannot run '" + options.argv[0] + "' (" + *program + ")";
  if (CloneSpawnSupported()) {
    CloneSpawnOptions co;
    co.path = *program;
    co.argv = options.argv;
    co.env = options.env;
    co.cwd = options.cwd;
    co.stdin_fd = options.stdin_fd;
    co.stdout_fd = sc.out[1];
    co.stderr_fd = sc.err[1];
    auto started = CloneSpawn(std::move(co), &pid);
    if (!started.ok()) return Status::Io(what + ": " + started.status().message());
    core->pending = std::move(*started);
  } else if (int rc = PosixSpawn(*program, options, sc.out[1], sc.err[1], &pid); rc != 0) {
    return Status::Io(what + ": " + ErrnoText(rc));
  }
  core->pid = pid;
  // The raw syscall: glibc 2.36's <sys/pidfd.h> lacks extern "C" for C++.
  int pfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pfd < 0) {
    int e = errno;
    ::killpg(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return Status::Io("pidfd_open failed: " + ErrnoText(e));
  }
  core->pidfd.assign(pfd);
  core->out.pipe.assign(sc.out[0]);
  core->err.pipe.assign(sc.err[0]);
  sc.out[0] = sc.err[0] = -1;  // now owned by the descriptors
  core->out.open = core->err.open = true;
  // sc's destructor closes the write ends: only the child holds them now.
  core->StartRead(core->out);
  core->StartRead(core->err);
  core->WaitExit();

  auto impl = std::make_unique<Impl>();
  impl->core = std::move(core);
  return std::unique_ptr<Subprocess>(new Subprocess(std::move(impl)));
}

Subprocess::Subprocess(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Subprocess::~Subprocess() { impl_->core->Detach(); }

void Subprocess::Terminate(double grace_s) {
  auto& core = *impl_->core;
  if (core.reaped) return;
  core.Signal(SIGTERM);
  core.kill_timer.expires_after(
      std::chrono::microseconds(static_cast<int64_t>(std::max(0.0, grace_s) * 1e6)));
  core.kill_timer.async_wait([self = impl_->core](boost::system::error_code ec) {
    if (!ec && !self->detached) self->Signal(SIGKILL);
  });
}

void Subprocess::Kill() { impl_->core->Signal(SIGKILL); }

pid_t Subprocess::pid() const { return impl_->core->pid; }

bool Subprocess::running() const { return !impl_->core->reaped; }

std::string Subprocess::StderrTail(size_t max_bytes) const {
  const std::string& t = impl_->core->stderr_tail;
  size_t n = std::min(max_bytes, t.size());
  return t.substr(t.size() - n);
}

Result<CommandOutput> RunCommand(const std::vector<std::string>& argv, double timeout_s,
                                 const std::string& cwd, uint64_t max_bytes) {
  // A private io_context: the caller may be on any thread, inside or outside a loop.
  boost::asio::io_context io;
  char tmpl[] = "/tmp/sweep-capture-XXXXXX";
  if (!::mkdtemp(tmpl)) return Status::Io(std::string("mkdtemp: ") + ErrnoText(errno));
  std::string dir = tmpl;
  SpawnOptions opts;
  opts.argv = argv;
  for (char** e = environ; *e; ++e) opts.env.emplace_back(*e);
  opts.cwd = cwd;
  opts.stdout_path = dir + "/out";
  opts.stderr_path = dir + "/err";
  opts.max_log_bytes = max_bytes;
  std::optional<ExitStatus> exit;
  auto proc = Subprocess::Spawn(
      io, opts, SubprocessCallbacks{nullptr, [&](const ExitStatus& s) { exit = s; }});
  auto read_all = [](const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  };
  auto cleanup = [&] {
    ::unlink(opts.stdout_path.c_str());
    ::unlink(opts.stderr_path.c_str());
    ::rmdir(dir.c_str());
  };
  if (!proc.ok()) {
    cleanup();
    return proc.status();
  }
  boost::asio::steady_timer timer(io);
  bool timed_out = false;
  timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(timeout_s)));
  timer.async_wait([&](boost::system::error_code ec) {
    if (ec || exit) return;
    timed_out = true;
    (*proc)->Kill();
  });
  while (!exit && io.run_one()) {
  }
  timer.cancel();
  proc->reset();
  CommandOutput r;
  r.out = read_all(opts.stdout_path);
  r.err = read_all(opts.stderr_path);
  cleanup();
  std::string what = argv.empty() ? "command" : argv[0];
  if (timed_out) return Status::Io(what + " timed out after " + std::to_string(timeout_s) + " s");
  if (!exit) return Status::Io(what + " did not finish");
  r.exit = *exit;
  return r;
}

Result<std::string> RunCapture(const std::vector<std::string>& argv, double timeout_s,
                               const std::string& cwd, uint64_t max_bytes) {
  auto r = RunCommand(argv, timeout_s, cwd, max_bytes);
  if (!r.ok()) return r.status();
  if (!r->exit.ok()) {
    std::string what = argv.empty() ? "command" : argv[0];
    std::string how = r->exit.signal ? "was killed by signal " + std::to_string(r->exit.signal)
                                     : "exited with code " + std::to_string(r->exit.exit_code);
    std::string err_tail = r->err.size() > 2000 ? r->err.substr(r->err.size() - 2000) : r->err;
    while (!err_tail.empty() && (err_tail.back() == '\n' || err_tail.back() == ' '))
      err_tail.pop_back();
    return Status::Io(what + " " + how + (err_tail.empty() ? "" : ": " + err_tail));
  }
  return std::move(r->out);
}

}  // namespace sweep
