// The agent end to end: the real `sweep agent` binary as a subprocess, a fake
// controller in this process (transport Server + ControllerHandshake) on 127.0.0.1,
// and real trial subprocesses started by the agent. Waits are bounded by generous
// hang guards only; nothing asserts on timing.
#include "agents/agent.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "agents/protocol/auth.h"
#include "agents/protocol/host_port.h"
#include "agents/protocol/transport.h"
#include "agents/runtime/subprocess.h"
#include "agents_test_util.h"
#include "test_paths.h"
#include "tests/testing/cli_runner.h"

extern char** environ;

namespace sweep {
namespace {

namespace asio = boost::asio;
using testing::ProcessAlive;
using testing::ReadFile;
using testing::RunUntil;
using testing::TempDir;

constexpr double kGuard = 30;

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  return static_cast<bool>(f);
}

// A controller that authenticates agents with its token, answers heartbeats (minus
// the leases in `revoke`) and records every message after the handshake, tagged
// with the connection it came on (1 = first).
struct FakeController {
  FakeController(asio::io_context& io, AuthToken token, double lease_interval = 0.5)
      : interval(lease_interval) {
    server = Server::Listen(io, "127.0.0.1", 0, {}, [this, token](std::shared_ptr<Connection> c) {
               const int index = ++connections;
               conn = c;
               auto hs = std::make_shared<ControllerHandshake>(token, "fake");
               std::weak_ptr<Connection> weak = c;
               c->Start([this, hs, weak, index](Frame f) { OnFrame(weak, hs, index, f); },
                        [this](const Status&) { ++closed; });
             }).value();
  }
  void OnFrame(std::weak_ptr<Connection> weak, const std::shared_ptr<ControllerHandshake>& hs,
               int index, const Frame& f) {
    auto c = weak.lock();
    Result<Message> m = DecodeMessage(f);
    ASSERT_TRUE(m.ok()) << m.status().message();
    if (!c) return;
    if (auto* hello = std::get_if<HelloMsg>(&*m)) {
      Result<ChallengeMsg> ch = hs->OnHello(*hello);
      if (ch.ok()) (void)c->Send(*ch);
      return;
    }
    if (auto* auth = std::get_if<AuthMsg>(&*m)) {
      ++auths;
      if (!hs->OnAuth(*auth).ok()) return c->Close(Status::Io("bad proof"));
      c->SetAuthenticated();
      (void)c->Send(AuthOkMsg{"a1", interval, 30});
      return;
    }
    if (auto* hb = std::get_if<HeartbeatMsg>(&*m); hb && !silent) {
      LeaseRenewedMsg r;
      for (const auto& l : hb->lease_ids) (revoke.count(l) ? r.revoked : r.renewed).push_back(l);
      (void)c->Send(r);
    }
    got.push_back({index, std::move(m).value()});
  }
  void Send(const Message& m) { ASSERT_TRUE(conn && conn->Send(m).ok()); }

  template <typename T>
  std::vector<T> All(int connection = 0) const {
    std::vector<T> out;
    for (const auto& [i, m] : got)
      if ((connection == 0 || i == connection) && std::holds_alternative<T>(m))
        out.push_back(std::get<T>(m));
    return out;
  }
  template <typename T>
  bool Has(int connection = 0) const {
    return !All<T>(connection).empty();
  }
  // The points of every metrics message for trial, joined "name=value;" in order.
  std::string Points(const std::string& trial) const {
    std::string s;
    for (const auto& m : All<MetricsMsg>())
      if (m.trial_id == trial)
        for (const auto& p : m.points) s += p.name + "=" + std::to_string(p.value) + ";";
    return s;
  }

  double interval;
  std::unique_ptr<Server> server;
  std::shared_ptr<Connection> conn;
  int connections = 0, closed = 0, auths = 0;
  std::set<std::string> revoke;
  bool silent = false;  // stop answering heartbeats
  std::vector<std::pair<int, Message>> got;
};

std::string WriteToken(const TempDir& dir, const std::string& name) {
  EXPECT_TRUE(GenerateTokenFile(dir / name).ok());
  return dir / name;
}

// The `sweep agent` binary, its stderr in a file, its exit status once it ended.
struct AgentProcess {
  AgentProcess(asio::io_context& io, const TempDir& dir, std::vector<std::string> args,
               std::vector<std::string> extra_env = {})
      : err_path(dir / "agent.err") {
    SpawnOptions o;
    o.argv = {SWEEP_BINARY, "agent"};
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    for (char** e = environ; *e; ++e) o.env.push_back(*e);
    o.env.insert(o.env.end(), extra_env.begin(), extra_env.end());
    o.stdout_path = dir / "agent.out";
    o.stderr_path = err_path;
    SubprocessCallbacks cb;
    cb.on_exit = [this](const ExitStatus& s) { exit = s; };
    proc = Subprocess::Spawn(io, o, std::move(cb)).value();
  }
  bool done() const { return exit.has_value(); }
  std::string err() const { return ReadFile(err_path); }
  std::string err_path;
  std::unique_ptr<Subprocess> proc;
  std::optional<ExitStatus> exit;
};

// Runs `sweep agent ARGS` to completion with no controller involved.
ExitStatus RunCliAgent(const TempDir& dir, std::vector<std::string> args, std::string* err) {
  asio::io_context io;
  AgentProcess a(io, dir, std::move(args));
  EXPECT_TRUE(RunUntil(
      io, [&] { return a.done(); }, kGuard));
  *err = a.err();
  return a.exit.value_or(ExitStatus{});
}

AssignMsg Assign(const std::string& trial, const std::string& script) {
  AssignMsg a;
  a.sweep_id = "s1";
  a.trial_id = trial;
  a.lease_id = "L-" + trial;
  a.argv = {"/bin/sh", "-c", script};
  a.params = {{"lr", 0.1}};
  a.trial_dir = "s1/" + trial;
  a.stop_grace_s = 2;
  a.metrics_poll_s = 0.05;
  return a;
}

// One agent against one fake controller in dir.
struct Rig {
  explicit Rig(std::vector<std::string> extra_args = {}, std::vector<std::string> env = {})
      : token_file(WriteToken(dir, "token")), controller(io, LoadTokenFile(token_file).value()) {
    std::vector<std::string> args = {"127.0.0.1:" + std::to_string(controller.server->port()),
                                     "--token-file",
                                     token_file,
                                     "--dir",
                                     dir / "work",
                                     "--name",
                                     "test-agent"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::filesystem::create_directories(dir / "work");
    agent = std::make_unique<AgentProcess>(io, dir, args, env);
  }
  bool Until(const std::function<bool()>& done) { return RunUntil(io, done, kGuard); }
  bool WaitReady(int connection = 1) {
    return Until([&] { return controller.Has<ReadyMsg>(connection); });
  }
  // Assigns trial t1 (`sleep 60`) and returns its pid once it has started; 0 if it
  // did not start within the guard.
  pid_t StartSleeper() {
    controller.Send(Assign("t1", "exec sleep 60"));
    if (!Until([&] { return controller.Has<StartedMsg>(); })) return 0;
    return static_cast<pid_t>(controller.All<StartedMsg>()[0].pid);
  }
  // Sends bye "sweep finished" and waits for the agent to exit.
  int Finish() {
    controller.Send(ByeMsg{kByeSweepFinished});
    EXPECT_TRUE(Until([&] { return agent->done(); })) << agent->err();
    return agent->done() ? agent->exit->exit_code : -1;
  }
  ~Rig() {
    if (agent && !agent->done()) {
      agent->proc->Kill();
      RunUntil(
          io, [&] { return agent->done(); }, 5);
    }
  }

  TempDir dir;
  asio::io_context io;
  std::string token_file;
  FakeController controller;
  std::unique_ptr<AgentProcess> agent;
};

TEST(Agent, AnnouncesSlotsGpusAndHostFactsAfterTheHandshake) {
  Rig rig({"--workers", "3", "--gpus", "0,1"}, {"SLURM_JOB_ID=4242", "SLURMD_NODENAME=gpu7"});
  ASSERT_TRUE(rig.WaitReady()) << rig.agent->err();
  const ReadyMsg ready = rig.controller.All<ReadyMsg>()[0];
  EXPECT_EQ(ready.slots, 3);
  EXPECT_EQ(ready.gpus, (std::vector<std::string>{"0", "1"}));
  EXPECT_FALSE(ready.host.value("hostname", "").empty());
  EXPECT_GT(ready.host.value("cpus", 0), 0);
  EXPECT_GT(ready.host.value("memory_bytes", uint64_t{0}), 0u);
  EXPECT_EQ(ready.host.value("slurm_job_id", ""), "4242");
  EXPECT_EQ(ready.host.value("slurm_node", ""), "gpu7");
  EXPECT_TRUE(ready.running.empty());
  // Heartbeats follow, even with no lease held.
  ASSERT_TRUE(rig.Until([&] { return rig.controller.Has<HeartbeatMsg>(); }));
  EXPECT_TRUE(rig.controller.All<HeartbeatMsg>()[0].lease_ids.empty());
  EXPECT_EQ(rig.Finish(), 0);
  EXPECT_EQ(rig.agent->err().find(ReadFile(rig.token_file).substr(0, 64)), std::string::npos);
}

TEST(Agent, RunsAnAssignmentAndReportsStartMetricsLogsAndTheEnd) {
  Rig rig;
  ASSERT_TRUE(rig.WaitReady()) << rig.agent->err();
  AssignMsg a = Assign("t1",
                       "echo loss=0.5; echo to-stderr >&2; echo '{\"acc\": 0.75}' >> "
                       "\"$SWEEP_METRICS\"; echo loss=0.25; exit 3");
  a.provenance.enabled = true;
  a.provenance.git = false;
  a.provenance.packages = false;
  rig.controller.Send(a);
  ASSERT_TRUE(rig.Until([&] { return rig.controller.Has<FinishedMsg>(); })) << rig.agent->err();

  const auto started = rig.controller.All<StartedMsg>();
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].lease_id, "L-t1");
  EXPECT_GT(started[0].pid, 0);
  const std::string points = rig.controller.Points("t1");
  EXPECT_NE(points.find("loss=0.500000;"), std::string::npos) << points;
  EXPECT_NE(points.find("acc=0.750000;"), std::string::npos) << points;
  EXPECT_NE(points.find("loss=0.250000;"), std::string::npos) << points;

  const FinishedMsg fin = rig.controller.All<FinishedMsg>()[0];
  EXPECT_EQ(fin.kind, "exited");
  EXPECT_EQ(fin.exit_code, 3);
  EXPECT_EQ(fin.pid, started[0].pid);
  ASSERT_TRUE(fin.provenance.is_object()) << fin.provenance.dump();
  EXPECT_TRUE(fin.provenance.contains("env"));

  std::string out, err;
  for (const auto& l : rig.controller.All<LogMsg>()) {
    EXPECT_LE(l.data.size(), kMaxLogChunkBytes);
    std::string& s = l.stream == "stdout" ? out : err;
    EXPECT_EQ(l.offset, s.size());  // contiguous: nothing lost, nothing repeated
    s += l.data;
  }
  EXPECT_EQ(out, "loss=0.5\nloss=0.25\n");
  EXPECT_EQ(err, "to-stderr\n");
  // Every metrics batch and log chunk of the trial came before its finished.
  bool after = false;
  for (const auto& [i, m] : rig.controller.got) {
    if (std::holds_alternative<FinishedMsg>(m)) after = true;
    if (after) {
      EXPECT_FALSE(std::holds_alternative<MetricsMsg>(m) || std::holds_alternative<LogMsg>(m));
    }
  }
  // The trial ran under the agent's work root, in its own folder.
  EXPECT_TRUE(std::filesystem::exists(rig.dir / "work/.sweep-agent/s1/t1/params.json"));
  EXPECT_EQ(rig.Finish(), 0);
}

TEST(Agent, StopEndsTheTrialAsStopped) {
  Rig rig;
  ASSERT_TRUE(rig.WaitReady()) << rig.agent->err();
  rig.controller.Send(Assign("t1", "echo loss=1; exec sleep 60"));
  ASSERT_TRUE(rig.Until([&] { return rig.controller.Has<StartedMsg>(); }));
  rig.controller.Send(StopMsg{"t1", "L-t1", "early stop", 1});
  ASSERT_TRUE(rig.Until([&] { return rig.controller.Has<FinishedMsg>(); })) << rig.agent->err();
  const FinishedMsg fin = rig.controller.All<FinishedMsg>()[0];
  EXPECT_EQ(fin.kind, "stopped");
  EXPECT_EQ(fin.reason, "early stop");
  EXPECT_FALSE(ProcessAlive(static_cast<pid_t>(fin.pid)));
  EXPECT_EQ(rig.Finish(), 0);
}

TEST(Agent, ARevokedLeaseStopsTheTrialAndNothingMoreIsReported) {
  Rig rig;
  ASSERT_TRUE(rig.WaitReady()) << rig.agent->err();
  const pid_t pid = rig.StartSleeper();
  ASSERT_GT(pid, 0) << rig.agent->err();
  rig.controller.revoke.insert("L-t1");
  ASSERT_TRUE(rig.Until([&] { return !ProcessAlive(pid); }));
  const size_t heartbeats = rig.controller.All<HeartbeatMsg>().size();
  ASSERT_TRUE(rig.Until([&] { return rig.controller.All<HeartbeatMsg>().size() > heartbeats; }));
  EXPECT_TRUE(rig.controller.All<HeartbeatMsg>().back().lease_ids.empty());
  EXPECT_EQ(rig.Finish(), 0);
  EXPECT_FALSE(rig.controller.Has<FinishedMsg>());
}

TEST(Agent, ReconnectsAndReattachesWithBufferedMetricsAndTheHeldFinish) {
  Rig rig;
  ASSERT_TRUE(rig.WaitReady()) << rig.agent->err();
  // The second value is printed only once the test has cut the connection.
  rig.controller.Send(Assign("t1",
                             "echo loss=1; while [ ! -e \"$SWEEP_TRIAL_DIR/go\" ]; do sleep 0.05; "
                             "done; echo loss=2; exit 0"));
  ASSERT_TRUE(rig.Until([&] { return rig.controller.Points("t1") == "loss=1.000000;"; }));
  const pid_t pid = static_cast<pid_t>(rig.controller.All<StartedMsg>()[0].pid);
  rig.controller.conn->Close(Status::Io("cut"));
  ASSERT_TRUE(WriteFile(rig.dir / "work/.sweep-agent/s1/t1/go", ""));
  ASSERT_TRUE(rig.Until([&] { return !ProcessAlive(pid); }));
  ASSERT_TRUE(rig.WaitReady(2)) << rig.agent->err();
  const ReadyMsg ready = rig.controller.All<ReadyMsg>(2)[0];
  ASSERT_EQ(ready.running.size(), 1u);
  EXPECT_EQ(ready.running[0].trial_id, "t1");
  EXPECT_EQ(ready.running[0].lease_id, "L-t1");
  // Before attach_ok nothing of the trial arrives on the new connection.
  ASSERT_TRUE(rig.Until([&] { return rig.controller.Has<HeartbeatMsg>(2); }));
  EXPECT_EQ(rig.controller.All<HeartbeatMsg>(2)[0].lease_ids, std::vector<std::string>{"L-t1"});
  EXPECT_FALSE(rig.controller.Has<MetricsMsg>(2));
  EXPECT_FALSE(rig.controller.Has<FinishedMsg>());
  rig.controller.Send(AttachOkMsg{"t1", "L-t1"});
  ASSERT_TRUE(rig.Until([&] { return rig.controller.Has<FinishedMsg>(2); })) << rig.agent->err();
  EXPECT_EQ(rig.controller.Points("t1"), "loss=1.000000;loss=2.000000;");
  const FinishedMsg fin = rig.controller.All<FinishedMsg>()[0];
  EXPECT_EQ(fin.kind, "exited");
  EXPECT_EQ(fin.exit_code, 0);
  std::string out;
  for (const auto& l : rig.controller.All<LogMsg>()) out += l.stream == "stdout" ? l.data : "";
  EXPECT_EQ(out, "loss=1\nloss=2\n");
  EXPECT_EQ(rig.Finish(), 0);
}

TEST(Agent, LogOutputWhileDisconnectedIsBoundedKeepingTheNewest) {
  // RunAgent in-process on a thread, for an option the command line does not expose.
  TempDir dir;
  asio::io_context io;
  const AuthToken token = LoadTokenFile(WriteToken(dir, "token")).value();
  FakeController controller(io, token);
  AgentOptions options;
  options.host = "127.0.0.1";
  options.port = controller.server->port();
  options.work_root = dir.path();
  options.max_buffered_bytes = 128 * 1024;
  options.backoff = BackoffOptions{0.05, 0.2, 2, 0.25};
  options.give_up_after_s = kGuard;
  std::ostringstream log;
  std::atomic<int> code{-1};
  std::thread agent([&] { code = RunAgent(options, token, log); });
  auto until = [&](const std::function<bool()>& done) { return RunUntil(io, done, kGuard); };
  ASSERT_TRUE(until([&] { return controller.Has<ReadyMsg>(1); }));
  controller.Send(Assign("t1",
                         "echo start; while [ ! -e \"$SWEEP_TRIAL_DIR/go\" ]; do sleep 0.05; done; "
                         "head -c 600000 /dev/zero | tr '\\0' x; echo; echo END"));
  ASSERT_TRUE(until([&] { return controller.Has<LogMsg>(1); }));
  const pid_t pid = static_cast<pid_t>(controller.All<StartedMsg>()[0].pid);
  controller.conn->Close(Status::Io("cut"));
  ASSERT_TRUE(WriteFile(dir / ".sweep-agent/s1/t1/go", ""));
  ASSERT_TRUE(until([&] { return !ProcessAlive(pid) && controller.Has<ReadyMsg>(2); }));
  controller.Send(AttachOkMsg{"t1", "L-t1"});
  ASSERT_TRUE(until([&] { return controller.Has<FinishedMsg>(2); })) << log.str();
  uint64_t bytes = 0, first_offset = 0, end = 0;
  std::string last;
  for (const auto& l : controller.All<LogMsg>(2)) {
    if (l.stream != "stdout") continue;
    if (bytes == 0) first_offset = l.offset;
    EXPECT_GE(l.offset, end);  // never backwards
    bytes += l.data.size();
    end = l.offset + l.data.size();
    last = l.data;
  }
  EXPECT_LE(bytes, options.max_buffered_bytes);
  EXPECT_GT(first_offset, std::string("start\n").size());  // the oldest output was dropped
  EXPECT_EQ(end, 6u + 600000u + 1u + 4u);                  // ... and the newest kept
  EXPECT_EQ(last.substr(last.size() - 4), "END\n");
  controller.Send(ByeMsg{kByeSweepFinished});
  until([&] { return code != -1; });
  agent.join();
  EXPECT_EQ(code, 0) << log.str();
}

TEST(Agent, ASilentControllerIsDroppedAndRedialled) {
  Rig rig;
  ASSERT_TRUE(rig.WaitReady()) << rig.agent->err();
  rig.controller.silent = true;  // the link stays up, but nothing comes back
  ASSERT_TRUE(rig.WaitReady(2)) << rig.agent->err();
  EXPECT_NE(rig.agent->err().find("nothing received from the controller"), std::string::npos)
      << rig.agent->err();
  rig.controller.silent = false;
  EXPECT_EQ(rig.Finish(), 0);
}

TEST(Agent, AttachRefusedStopsTheTrialAndDiscardsIt) {
  Rig rig;
  ASSERT_TRUE(rig.WaitReady()) << rig.agent->err();
  rig.controller.Send(Assign("t1", "echo loss=1; exec sleep 60"));
  ASSERT_TRUE(rig.Until([&] { return rig.controller.Has<StartedMsg>(); }));
  const pid_t pid = static_cast<pid_t>(rig.controller.All<StartedMsg>()[0].pid);
  rig.controller.conn->Close(Status::Io("cut"));
  ASSERT_TRUE(rig.WaitReady(2)) << rig.agent->err();
  ASSERT_EQ(rig.controller.All<ReadyMsg>(2)[0].running.size(), 1u);
  rig.controller.Send(AttachRefusedMsg{"t1", "L-t1", "re-queued"});
  ASSERT_TRUE(rig.Until([&] { return !ProcessAlive(pid); }));
  EXPECT_EQ(rig.Finish(), 0);
  EXPECT_FALSE(rig.controller.Has<FinishedMsg>());
  EXPECT_FALSE(rig.controller.Has<MetricsMsg>(2));
}

TEST(Agent, ByeSweepFinishedStopsRunningTrialsAndExitsZero) {
  Rig rig;
  ASSERT_TRUE(rig.WaitReady()) << rig.agent->err();
  const pid_t pid = rig.StartSleeper();
  ASSERT_GT(pid, 0) << rig.agent->err();
  EXPECT_EQ(rig.Finish(), 0);
  EXPECT_FALSE(ProcessAlive(pid));
}

TEST(Agent, SigtermStopsTrialsReportsThemAndExits130) {
  Rig rig;
  ASSERT_TRUE(rig.WaitReady()) << rig.agent->err();
  ASSERT_GT(rig.StartSleeper(), 0) << rig.agent->err();
  ::kill(rig.agent->proc->pid(), SIGTERM);
  ASSERT_TRUE(rig.Until([&] { return rig.agent->done(); })) << rig.agent->err();
  EXPECT_EQ(rig.agent->exit->exit_code, 130);
  ASSERT_TRUE(rig.controller.Has<FinishedMsg>());
  EXPECT_EQ(rig.controller.All<FinishedMsg>()[0].kind, "stopped");
  ASSERT_TRUE(rig.controller.Has<ByeMsg>());
  EXPECT_EQ(rig.controller.All<ByeMsg>()[0].reason, "agent interrupted");
}

// Slurm's scancel signals the agent and its trials together; the trial's exit may be
// seen before the agent's own signal. That is the agent going away, not the trial
// failing: the end is reported `stopped` (the controller re-queues it as lost).
TEST(Agent, ATrialKilledBySigtermJustBeforeTheAgentIsReportedStopped) {
  Rig rig;
  ASSERT_TRUE(rig.WaitReady()) << rig.agent->err();
  const pid_t pid = rig.StartSleeper();
  ASSERT_GT(pid, 0) << rig.agent->err();
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  // Let the agent see the trial's exit first, as on a node where scancel's signal
  // reached the trial a little earlier.
  ASSERT_TRUE(rig.Until([&] { return !ProcessAlive(pid); }));
  const auto seen = std::chrono::steady_clock::now() + std::chrono::milliseconds(150);
  rig.Until([&] { return std::chrono::steady_clock::now() >= seen; });
  ::kill(rig.agent->proc->pid(), SIGTERM);
  ASSERT_TRUE(rig.Until([&] { return rig.agent->done(); })) << rig.agent->err();
  EXPECT_EQ(rig.agent->exit->exit_code, 130);
  ASSERT_EQ(rig.controller.All<FinishedMsg>().size(), 1u) << rig.agent->err();
  const FinishedMsg fin = rig.controller.All<FinishedMsg>()[0];
  EXPECT_EQ(fin.kind, "stopped") << fin.reason;
  EXPECT_NE(fin.reason.find("agent interrupted"), std::string::npos) << fin.reason;
}

// Without a signal to the agent, a trial killed by SIGTERM is still its own failure,
// reported as such (after the short wait above).
TEST(Agent, ATrialKilledBySigtermAloneIsReportedSignaled) {
  Rig rig;
  ASSERT_TRUE(rig.WaitReady()) << rig.agent->err();
  const pid_t pid = rig.StartSleeper();
  ASSERT_GT(pid, 0) << rig.agent->err();
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  ASSERT_TRUE(rig.Until([&] { return rig.controller.Has<FinishedMsg>(); })) << rig.agent->err();
  const FinishedMsg fin = rig.controller.All<FinishedMsg>()[0];
  EXPECT_EQ(fin.kind, "signaled");
  EXPECT_EQ(fin.signal, SIGTERM);
  EXPECT_EQ(rig.Finish(), 0);
}

// An assignment that reaches an agent winding down after SIGTERM (its trial still
// in its stop grace) comes back `stopped` with no pid: never run, not failed.
TEST(Agent, AnAssignmentWhileShuttingDownComesBackStoppedWithoutAPid) {
  Rig rig;
  ASSERT_TRUE(rig.WaitReady()) << rig.agent->err();
  AssignMsg slow = Assign("t1", "trap '' TERM; echo ready; exec sleep 60");
  slow.stop_grace_s = 5;
  rig.controller.Send(slow);
  ASSERT_TRUE(rig.Until([&] { return rig.controller.Has<StartedMsg>(); }));
  ::kill(rig.agent->proc->pid(), SIGTERM);
  ASSERT_TRUE(rig.Until([&] {
    return rig.agent->err().find("SIGTERM: stopping") != std::string::npos;
  })) << rig.agent->err();
  rig.controller.Send(Assign("t2", "exit 0"));
  ASSERT_TRUE(rig.Until([&] {
    for (const FinishedMsg& f : rig.controller.All<FinishedMsg>())
      if (f.trial_id == "t2") return true;
    return false;
  })) << rig.agent->err();
  for (const FinishedMsg& f : rig.controller.All<FinishedMsg>()) {
    if (f.trial_id != "t2") continue;
    EXPECT_EQ(f.kind, "stopped");
    EXPECT_EQ(f.pid, 0);
    EXPECT_EQ(f.reason, "the agent is shutting down");
  }
  EXPECT_FALSE(std::filesystem::exists(rig.dir / "work/.sweep-agent/s1/t2"));
}

TEST(Agent, RefusesAControllerWithoutTheTokenAndRunsNothing) {
  TempDir dir;
  asio::io_context io;
  const std::string mine = WriteToken(dir, "mine");
  FakeController impostor(io, LoadTokenFile(WriteToken(dir, "other")).value());
  std::filesystem::create_directories(dir / "work");
  AgentProcess agent(io, dir,
                     {"127.0.0.1:" + std::to_string(impostor.server->port()), "--token-file", mine,
                      "--dir", dir / "work"});
  ASSERT_TRUE(RunUntil(
      io, [&] { return agent.done(); }, kGuard))
      << agent.err();
  EXPECT_EQ(agent.exit->exit_code, 1);
  EXPECT_NE(agent.err().find("controller failed authentication"), std::string::npos) << agent.err();
  EXPECT_EQ(impostor.auths, 0);  // no proof derived from the token was sent
  EXPECT_FALSE(std::filesystem::exists(dir / "work/.sweep-agent"));
}

TEST(Agent, GivesUpWithExit3WhenNoControllerAnswers) {
  TempDir dir;
  asio::io_context io;
  // A port that was just free: nothing listens there.
  uint16_t port = 0;
  {
    auto s = Server::Listen(io, "127.0.0.1", 0, {}, [](std::shared_ptr<Connection>) {}).value();
    port = s->port();
  }
  std::string err;
  const ExitStatus st = RunCliAgent(dir,
                                    {"127.0.0.1:" + std::to_string(port), "--token-file",
                                     WriteToken(dir, "token"), "--give-up-after", "1"},
                                    &err);
  EXPECT_EQ(st.exit_code, 3) << err;
  EXPECT_NE(err.find("gave up"), std::string::npos) << err;
}

TEST(AgentCli, UsageErrorsExit2WithAClearMessage) {
  TempDir dir;
  const std::string good = WriteToken(dir, "token");
  std::string err;
  EXPECT_EQ(RunCliAgent(dir, {"localhost", "--token-file", good}, &err).exit_code, 2);
  EXPECT_NE(err.find("missing ':PORT'"), std::string::npos) << err;
  EXPECT_EQ(RunCliAgent(dir, {"localhost:99999", "--token-file", good}, &err).exit_code, 2);
  EXPECT_NE(err.find("out of range 1-65535"), std::string::npos) << err;
  EXPECT_EQ(RunCliAgent(dir, {"127.0.0.1:7777"}, &err).exit_code, 2);
  EXPECT_NE(err.find("sweep agent needs --token-file"), std::string::npos) << err;
  EXPECT_EQ(RunCliAgent(dir, {"127.0.0.1:7777", "--token-file", dir / "absent"}, &err).exit_code,
            2);
  EXPECT_NE(err.find("absent"), std::string::npos) << err;
  const std::string loose = dir / "loose";
  WriteFile(loose, ReadFile(good));
  ::chmod(loose.c_str(), 0644);
  EXPECT_EQ(RunCliAgent(dir, {"127.0.0.1:7777", "--token-file", loose}, &err).exit_code, 2);
  EXPECT_NE(err.find("chmod 600"), std::string::npos) << err;
  EXPECT_EQ(err.find(ReadFile(good).substr(0, 64)), std::string::npos);  // never the token
  EXPECT_EQ(
      RunCliAgent(dir, {"127.0.0.1:7777", "--token-file", good, "--gpus", "0,x"}, &err).exit_code,
      2);
  EXPECT_NE(err.find("--gpus"), std::string::npos) << err;
}

TEST(AgentCli, ParsesHostPortIncludingBracketedIpv6) {
  auto v4 = ParseHostPort("10.0.0.5:7777", "", false);
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "10.0.0.5");
  EXPECT_EQ(v4->port, 7777);
  auto v6 = ParseHostPort("[::1]:8080", "", false);
  ASSERT_TRUE(v6.ok()) << v6.status().message();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 8080);
  EXPECT_EQ(ParseHostPort("node-3.cluster:1", "", false)->host, "node-3.cluster");
  for (const char* bad :
       {"::1:8080", "[::1]8080", "[::1", ":7777", "host:", "host:0", "host:7x", "host"}) {
    auto r = ParseHostPort(bad, "", false);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), ErrorCode::kUsage);
    }
  }
}

TEST(AgentCli, GpusAutoFollowsCudaVisibleDevices) {
  std::string note;
  ::setenv("CUDA_VISIBLE_DEVICES", "2,GPU-abc", 1);
  auto gpus = ResolveAgentGpus("auto", &note);
  ASSERT_TRUE(gpus.ok());
  EXPECT_EQ(*gpus, (std::vector<std::string>{"2", "GPU-abc"}));
  ::unsetenv("CUDA_VISIBLE_DEVICES");
  gpus = ResolveAgentGpus("auto", &note);
  ASSERT_TRUE(gpus.ok());
  EXPECT_TRUE(gpus->empty());
  EXPECT_NE(note.find("CUDA_VISIBLE_DEVICES"), std::string::npos);
  EXPECT_EQ(*ResolveAgentGpus("1,3", &note), (std::vector<std::string>{"1", "3"}));
}

TEST(AgentCli, TokenDefaultsToTheProjectsOwnTokenFile) {
  TempDir dir;
  std::filesystem::create_directories(dir / ".sweep");
  WriteToken(dir, ".sweep/agent.token");
  testing::CliOptions o;
  o.cwd = dir.path();
  o.timeout_s = 60;
  // Nothing listens on port 1: the agent gets past its checks, retries, then gives up.
  testing::CliResult r = testing::RunSweep({"agent", "127.0.0.1:1", "--give-up-after", "1"}, o);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.err.find("needs --token-file"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sweep
