#include "agents/runtime/subprocess.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <optional>

#include "tests/agents/agents_test_util.h"

extern char** environ;

namespace sweep {
namespace {

using testing::ReadFile;
using testing::RunUntil;
using testing::TempDir;
using testing::TestData;

std::vector<std::string> ParentEnv() {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  return env;
}

// One child, its lines and its exit, on a private io_context.
struct Child {
  boost::asio::io_context io;
  TempDir dir;
  SpawnOptions opts;
  std::vector<std::string> lines;
  int truncated = 0;
  std::optional<ExitStatus> exit;
  std::unique_ptr<Subprocess> proc;

  explicit Child(std::vector<std::string> argv) {
    opts.argv = std::move(argv);
    opts.env = ParentEnv();
    opts.stdout_path = dir / "stdout.log";
    opts.stderr_path = dir / "stderr.log";
  }
  Status Start() {
    SubprocessCallbacks cb;
    cb.on_stdout_line = [this](std::string_view line, bool trunc) {
      if (trunc)
        ++truncated;
      else
        lines.emplace_back(line);
    };
    cb.on_exit = [this](const ExitStatus& s) { exit = s; };
    auto r = Subprocess::Spawn(io, opts, std::move(cb));
    if (!r.ok()) return r.status();
    proc = std::move(r).value();
    return Status::Ok();
  }
  bool Wait(double timeout_s = 20) {
    return RunUntil(
        io, [&] { return exit.has_value(); }, timeout_s);
  }
  std::string Stdout() { return ReadFile(dir / "stdout.log"); }
  std::string Stderr() { return ReadFile(dir / "stderr.log"); }
};

TEST(Subprocess, ReportsExitCodeAndKeepsStderr) {
  Child c({TestData("exit_code.sh"), "7"});
  ASSERT_TRUE(c.Start().ok());
  ASSERT_TRUE(c.Wait());
  EXPECT_EQ(c.exit->exit_code, 7);
  EXPECT_EQ(c.exit->signal, 0);
  EXPECT_FALSE(c.exit->ok());
  EXPECT_EQ(c.Stderr(), "about to fail\nfatal: something broke\n");
  EXPECT_EQ(c.proc->StderrTail(23), "fatal: something broke\n");
  EXPECT_FALSE(c.proc->running());
}

TEST(Subprocess, ReportsTheTerminatingSignal) {
  Child c({TestData("self_signal.sh"), "KILL"});
  ASSERT_TRUE(c.Start().ok());
  ASSERT_TRUE(c.Wait());
  EXPECT_EQ(c.exit->signal, SIGKILL);
  EXPECT_FALSE(c.exit->ok());
}

TEST(Subprocess, SplitsStdoutIntoLinesAndLogsItVerbatim) {
  Child c({"/usr/bin/printf", "one\ntwo\n\nlast without newline"});
  ASSERT_TRUE(c.Start().ok());
  ASSERT_TRUE(c.Wait());
  EXPECT_TRUE(c.exit->ok());
  EXPECT_EQ(c.lines, (std::vector<std::string>{"one", "two", "", "last without newline"}));
  EXPECT_EQ(c.Stdout(), "one\ntwo\n\nlast without newline");
}

TEST(Subprocess, UsesTheGivenEnvironmentCwdAndPath) {
  TempDir cwd;
  Child c({"env"});
  c.opts.env = {"ONLY=this", "PATH=/usr/bin:/bin"};
  ASSERT_TRUE(c.Start().ok());
  ASSERT_TRUE(c.Wait());
  EXPECT_EQ(c.lines, (std::vector<std::string>{"ONLY=this", "PATH=/usr/bin:/bin"}));

  Child p({"pwd"});
  p.opts.cwd = cwd.path();
  ASSERT_TRUE(p.Start().ok());
  ASSERT_TRUE(p.Wait());
  ASSERT_EQ(p.lines.size(), 1u);
  EXPECT_EQ(std::filesystem::canonical(p.lines[0]), std::filesystem::canonical(cwd.path()));
}

TEST(Subprocess, ChildStartsWithDefaultSignalDispositions) {
  // The parent ignores SIGPIPE (Spawn makes sure of it); the child must not inherit that.
  ::signal(SIGPIPE, SIG_IGN);
  Child c({"/bin/grep", "SigIgn", "/proc/self/status"});
  ASSERT_TRUE(c.Start().ok());
  ASSERT_TRUE(c.Wait());
  ASSERT_EQ(c.lines.size(), 1u);
  ASSERT_EQ(c.lines[0].rfind("SigIgn:\t", 0), 0u);
  // Signals 1..31; glibc's internal real-time signals (32, 33) are not ours to reset.
  uint64_t ignored = std::stoull(c.lines[0].substr(8), nullptr, 16);
  EXPECT_EQ(ignored & 0x7fffffffu, 0u) << c.lines[0];
}

TEST(Subprocess, HundredMegabytesOfStdoutLeaveABoundedLogWithTheTail) {
  Child c({TestData("flood.sh"), "100000000"});
  c.opts.max_log_bytes = 1 << 20;
  size_t lines = 0;
  long rss_before = testing::RssKib();
  SubprocessCallbacks cb;
  cb.on_stdout_line = [&](std::string_view, bool) { ++lines; };
  cb.on_exit = [&](const ExitStatus& s) { c.exit = s; };
  auto r = Subprocess::Spawn(c.io, c.opts, std::move(cb));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_TRUE(c.Wait(120));
  EXPECT_TRUE(c.exit->ok());
  EXPECT_GT(lines, 1000000u);
  std::string log = c.Stdout();
  EXPECT_LE(log.size(), (1u << 20) + 64 * 1024);
  EXPECT_GE(log.size(), (1u << 19));
  EXPECT_EQ(log.rfind("[sweep: ", 0), 0u) << log.substr(0, 80);
  EXPECT_NE(log.find("earlier bytes dropped]\n"), std::string::npos);
  EXPECT_EQ(log.substr(log.size() - 13), "\nTAIL_MARKER\n");
  EXPECT_LT(testing::RssKib() - rss_before, 32 * 1024) << "memory grew with the output";
}

TEST(Subprocess, AFiftyMegabyteLineIsSkippedNotBuffered) {
  Child c({TestData("long_line.sh"), "50000000"});
  c.opts.max_line_bytes = 1 << 16;
  c.opts.max_log_bytes = 1 << 20;
  long rss_before = testing::RssKib();
  ASSERT_TRUE(c.Start().ok());
  ASSERT_TRUE(c.Wait(60));
  EXPECT_EQ(c.truncated, 1);
  EXPECT_EQ(c.lines, (std::vector<std::string>{"short=1"}));
  EXPECT_LT(testing::RssKib() - rss_before, 16 * 1024);
}

TEST(Subprocess, InvalidUtf8AndBinaryOutputPassThroughUnharmed) {
  Child c({TestData("binary.sh")});
  ASSERT_TRUE(c.Start().ok());
  ASSERT_TRUE(c.Wait());
  EXPECT_TRUE(c.exit->ok());
  ASSERT_EQ(c.lines.size(), 4u);
  EXPECT_EQ(c.lines[0], "bad \xff\xfe utf8 \x80");
  EXPECT_EQ(c.lines[1], std::string("nul \0 inside", 12));
  EXPECT_EQ(c.lines[3], "acc=0.5 \xff");
  EXPECT_EQ(c.Stderr(), std::string("\xff\xfe\0\x01 binary on stderr\n", 22));
}

TEST(Subprocess, TerminateStopsACooperativeChild) {
  Child c({TestData("sleeper.sh")});
  ASSERT_TRUE(c.Start().ok());
  ASSERT_TRUE(RunUntil(c.io, [&] { return !c.lines.empty(); }));
  c.proc->Terminate(5);
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.Wait());
  EXPECT_EQ(c.exit->signal, SIGTERM);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
}

TEST(Subprocess, TerminateEscalatesToSigkillWhenSigtermIsIgnored) {
  Child c({TestData("ignore_term.sh")});
  ASSERT_TRUE(c.Start().ok());
  ASSERT_TRUE(RunUntil(c.io, [&] { return !c.lines.empty(); }));
  auto t0 = std::chrono::steady_clock::now();
  c.proc->Terminate(0.2);
  ASSERT_TRUE(c.Wait());
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(c.exit->signal, SIGKILL);
  EXPECT_GE(took, std::chrono::milliseconds(190));
  EXPECT_LT(took, std::chrono::seconds(3));
}

TEST(Subprocess, AGrandchildDiesWithTheGroupWhenTheLeaderExits) {
  TempDir tmp;
  Child c({TestData("grandchild.sh"), tmp / "grandchild.pid"});
  ASSERT_TRUE(c.Start().ok());
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.Wait());
  EXPECT_TRUE(c.exit->ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  EXPECT_EQ(c.lines, (std::vector<std::string>{"leader done"}));
  pid_t grandchild = std::stoi(ReadFile(tmp / "grandchild.pid"));
  ASSERT_GT(grandchild, 1);
  EXPECT_TRUE(testing::WaitDead(grandchild)) << "grandchild " << grandchild << " survived";
}

TEST(Subprocess, AnEscapedDescendantHoldingThePipesDelaysTheEndOnlyBriefly) {
  // setsid leaves the trial's process group, so the group kill cannot reach it; the
  // pipes stay open and only the drain deadline ends the wait.
  TempDir tmp;
  Child c({"/bin/sh", "-c", "setsid sleep 30 & echo $! > \"$0\"; echo bye", tmp / "pid"});
  ASSERT_TRUE(c.Start().ok());
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.Wait());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4));
  EXPECT_TRUE(c.exit->ok());
  EXPECT_EQ(c.lines, (std::vector<std::string>{"bye"}));
  pid_t escaped = std::stoi(ReadFile(tmp / "pid"));
  ASSERT_GT(escaped, 1);
  ::kill(escaped, SIGKILL);  // ours to clean up
}

TEST(Subprocess, SeesAnExitThatHappenedBeforeTheLoopRan) {
  Child c({"true"});
  ASSERT_TRUE(c.Start().ok());
  ::usleep(200000);  // the child is long gone before the first epoll_wait
  ASSERT_TRUE(c.Wait());
  EXPECT_TRUE(c.exit->ok());
}

TEST(Subprocess, ClosingStdoutEarlyStillReportsTheRealExit) {
  Child c({TestData("close_stdout.sh")});
  ASSERT_TRUE(c.Start().ok());
  ASSERT_TRUE(c.Wait());
  EXPECT_TRUE(c.exit->ok());
  EXPECT_EQ(c.lines, (std::vector<std::string>{"before close"}));
  EXPECT_EQ(c.Stderr(), "after close\n");
}

TEST(Subprocess, AShellMetacharacterArgumentArrivesAsOneLiteralElement) {
  TempDir tmp;
  const std::string hostile = "; rm -rf ~ $(reboot)";
  Child c({TestData("argv_dump.py"), hostile, "--lr=`id`", "a b"});
  c.opts.env.push_back("ARGV_OUT=" + (tmp / "argv.json"));
  ASSERT_TRUE(c.Start().ok());
  ASSERT_TRUE(c.Wait());
  EXPECT_TRUE(c.exit->ok()) << c.Stderr();
  EXPECT_EQ(ReadFile(tmp / "argv.json"), R"J(["; rm -rf ~ $(reboot)", "--lr=`id`", "a b"])J");
}

TEST(Subprocess, AMissingProgramIsAnIoErrorNamingIt) {
  Child c({"definitely-not-a-program-4711", "x"});
  Status s = c.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kIo);
  EXPECT_NE(s.message().find("definitely-not-a-program-4711"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("No such file or directory"), std::string::npos) << s.message();

  Child abs({"/nonexistent/dir/prog"});
  s = abs.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent/dir/prog"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("No such file or directory"), std::string::npos) << s.message();
}

TEST(Subprocess, ANonExecutableProgramIsAnIoError) {
  Child c({TestData("not_executable.sh")});
  Status s = c.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kIo);
  EXPECT_NE(s.message().find("not_executable.sh"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("Permission denied"), std::string::npos) << s.message();
}

// The exec happens after Spawn returned (clone_spawn.h): a program the kernel refuses
// to run although it is an executable file (no ELF header, no #! line) ends with exit
// code 127, as a shell's would, and the reason is in its stderr, where a trial's
// failure is read from.
TEST(Subprocess, AnExecutableFileTheKernelCannotRunEndsWith127AndSaysWhyInItsStderr) {
  TempDir tmp;
  std::string prog = tmp / "not-a-program";
  std::ofstream(prog) << "just text, no #! line\n";
  ::chmod(prog.c_str(), 0755);
  Child c({prog});
  ASSERT_TRUE(c.Start().ok());
  ASSERT_TRUE(c.Wait());
  EXPECT_EQ(c.exit->exit_code, 127);
  EXPECT_EQ(c.exit->signal, 0);
  std::string tail = c.proc->StderrTail(4096);
  EXPECT_NE(tail.find("cannot run '" + prog + "'"), std::string::npos) << tail;
  EXPECT_NE(tail.find("Exec format error"), std::string::npos) << tail;
  EXPECT_NE(c.Stderr().find("Exec format error"), std::string::npos) << c.Stderr();
}

// Spawn returns before the child's exec, yet the child is already in its own group:
// killing it at once ends it and nothing it could have started.
TEST(Subprocess, AChildKilledTheMomentSpawnReturnsEndsByThatSignal) {
  for (int i = 0; i < 20; ++i) {
    Child c({"/bin/sleep", "30"});
    ASSERT_TRUE(c.Start().ok());
    pid_t pid = c.proc->pid();
    EXPECT_EQ(::getpgid(pid) == pid || ::getpgid(pid) < 0, true) << "pgid of " << pid;
    c.proc->Kill();
    ASSERT_TRUE(c.Wait(5)) << "round " << i;
    EXPECT_EQ(c.exit->signal, SIGKILL) << "round " << i;
  }
}

// Only 0-2 reach the program: a descriptor of ours without close-on-exec (a library's
// file, a socket) must not leak into a trial.
TEST(Subprocess, TheChildInheritsOnlyItsStandardDescriptors) {
  TempDir tmp;
  int opened = ::open((tmp / "ours").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(opened, 0);
  int leaked = ::fcntl(opened, F_DUPFD, 200);  // a high number, without close-on-exec
  ::close(opened);
  ASSERT_GE(leaked, 200);
  Child c({"/bin/ls", "/proc/self/fd"});
  ASSERT_TRUE(c.Start().ok());
  ASSERT_TRUE(c.Wait());
  ::close(leaked);
  // ls itself holds one more: the folder it lists.
  ASSERT_LE(c.lines.size(), 4u) << c.Stdout();
  for (const std::string& fd : c.lines) EXPECT_NE(fd, std::to_string(leaked)) << c.Stdout();
  EXPECT_EQ(c.lines[0], "0");
  EXPECT_EQ(c.lines[1], "1");
  EXPECT_EQ(c.lines[2], "2");
}

TEST(Subprocess, AMissingWorkingDirectoryIsReported) {
  Child c({"true"});
  c.opts.cwd = "/nonexistent/workdir";
  Status s = c.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent/workdir"), std::string::npos) << s.message();
}

TEST(Subprocess, DestroyingItKillsTheWholeGroupWithoutCallbacks) {
  TempDir tmp;
  Child c({"/bin/sh", "-c", "sleep 1000 & echo $! > \"$0\"; echo up; wait", tmp / "pid"});
  ASSERT_TRUE(c.Start().ok());
  ASSERT_TRUE(RunUntil(c.io, [&] { return !c.lines.empty(); }));
  pid_t leader = c.proc->pid();
  pid_t sleeper = std::stoi(ReadFile(tmp / "pid"));
  c.proc.reset();
  EXPECT_TRUE(testing::WaitDead(leader));
  EXPECT_TRUE(testing::WaitDead(sleeper));
  c.io.restart();
  c.io.run_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(c.exit.has_value());
}

TEST(Subprocess, ManyConcurrentChildrenAllFinish) {
  boost::asio::io_context io;
  TempDir dir;
  std::vector<std::unique_ptr<Subprocess>> procs;
  std::vector<std::string> last_line(40);
  int exited = 0, ok = 0;
  for (int i = 0; i < 40; ++i) {
    SpawnOptions o;
    o.argv = {"/bin/sh", "-c", "echo child $0; exit $(($0 % 3))", std::to_string(i)};
    o.env = ParentEnv();
    o.stdout_path = dir / ("out" + std::to_string(i));
    SubprocessCallbacks cb;
    cb.on_stdout_line = [&, i](std::string_view l, bool) { last_line[i] = l; };
    cb.on_exit = [&, i](const ExitStatus& s) {
      ++exited;
      ok += s.exit_code == i % 3;
    };
    auto r = Subprocess::Spawn(io, o, std::move(cb));
    ASSERT_TRUE(r.ok()) << r.status().message();
    procs.push_back(std::move(r).value());
  }
  ASSERT_TRUE(RunUntil(io, [&] { return exited == 40; }));
  EXPECT_EQ(ok, 40);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(last_line[i], "child " + std::to_string(i));
}

}  // namespace
}  // namespace sweep
