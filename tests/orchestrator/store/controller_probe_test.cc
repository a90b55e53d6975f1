// ProbeController against real lock files: held by a live SweepLock, released, left
// by a controller on another host (fresh or stale heartbeat), or absent.
#include "orchestrator/store/controller_probe.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include "orchestrator/controller/sweep_lock.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

using State = ControllerProbe::State;

TEST(ControllerProbe, AHeldLockIsRunningAndAReleasedOneIsGone) {
  testing::TempDir dir;
  {
    auto lock = SweepLock::Acquire(dir.path(), "s1");
    ASSERT_TRUE(lock.ok()) << lock.status().message();
    ControllerProbe p = ProbeController(dir.path(), "s1");
    EXPECT_EQ(p.state, State::kRunning);
    EXPECT_EQ(p.pid, ::getpid());
    EXPECT_EQ(p.host, LocalHostName());
    EXPECT_FALSE(p.other_host);
    EXPECT_GT(p.started_at, 0);
    EXPECT_GT(p.last_seen, 0);
    // A probe does not get in the way of the holder, nor a second probe.
    EXPECT_EQ(ProbeController(dir.path(), "s1").state, State::kRunning);
  }
  ControllerProbe gone = ProbeController(dir.path(), "s1");
  EXPECT_EQ(gone.state, State::kGone);
  EXPECT_EQ(gone.pid, ::getpid());
  std::string reason = ControllerGoneReason(gone, "s1");
  EXPECT_EQ(reason.rfind("controller not running (pid " + std::to_string(::getpid()) + " on " +
                             LocalHostName() + ", last seen 20",
                         0),
            0u)
      << reason;
  EXPECT_NE(reason.find("Z): sweep resume s1"), std::string::npos) << reason;
  // The lock can be taken again at once, probes notwithstanding.
  EXPECT_TRUE(SweepLock::Acquire(dir.path(), "s1").ok());
}

TEST(ControllerProbe, NoLockFileIsUnknown) {
  testing::TempDir dir;
  EXPECT_EQ(ProbeController(dir.path(), "nope").state, State::kUnknown);
}

TEST(ControllerProbe, AnotherHostIsJudgedByItsHeartbeat) {
  testing::TempDir dir;
  const std::string path = SweepLockPath(dir.path(), "s2");
  testing::WriteFile(path, "4242 gpu-node-7.example 1700000000\n");
  ControllerProbe fresh = ProbeController(dir.path(), "s2");
  EXPECT_EQ(fresh.state, State::kRunning);
  EXPECT_TRUE(fresh.other_host);
  EXPECT_EQ(fresh.pid, 4242);
  EXPECT_EQ(fresh.host, "gpu-node-7.example");
  // Last written two minutes ago: longer than kControllerStaleSeconds.
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = std::time(nullptr) - 120;
  times[0].tv_nsec = times[1].tv_nsec = 0;
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  ControllerProbe stale = ProbeController(dir.path(), "s2");
  EXPECT_EQ(stale.state, State::kGone);
  EXPECT_NE(ControllerGoneReason(stale, "s2").find("pid 4242 on gpu-node-7.example, last seen"),
            std::string::npos);
}

TEST(ControllerProbe, TheHolderIsNamedWhenASecondControllerIsRefused) {
  testing::TempDir dir;
  auto first = SweepLock::Acquire(dir.path(), "s3");
  ASSERT_TRUE(first.ok());
  auto second = SweepLock::Acquire(dir.path(), "s3");
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("pid " + std::to_string(::getpid()) + " on " +
                                           LocalHostName()),
            std::string::npos)
      << second.status().message();
}

}  // namespace
}  // namespace sweep
