// The real `sweep agent` binary against a scripted controller on 127.0.0.1: refused
// for another protocol version, it prints the controller's message (both versions
// named) and exits 2 without dialling again; told of another build in the challenge,
// it works and warns once, however often it reconnects.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "agents/protocol/auth.h"
#include "agents/protocol/transport.h"
#include "agents/protocol/version_check.h"
#include "agents_test_util.h"
#include "base/build_info.h"
#include "tests/testing/cli_runner.h"

namespace sweep {
namespace {

namespace asio = boost::asio;
using testing::RunUntil;
using testing::TempDir;

constexpr double kGuard = 30;

int Count(const std::string& text, const std::string& part) {
  int n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// Either refuses every hello with `refusal`, or authenticates with a challenge that
// claims build `claimed_build` and closes each connection once the agent is ready.
struct ScriptedController {
  ScriptedController(asio::io_context& io, AuthToken token) {
    server = Server::Listen(io, "127.0.0.1", 0, {}, [this, token](std::shared_ptr<Connection> c) {
               ++connections;
               auto hs = std::make_shared<ControllerHandshake>(token, "scripted");
               std::weak_ptr<Connection> weak = c;
               c->Start([this, hs, weak](Frame f) { OnFrame(weak, *hs, f); }, [](const Status&) {});
             }).value();
  }
  void OnFrame(const std::weak_ptr<Connection>& weak, ControllerHandshake& hs, const Frame& f) {
    auto c = weak.lock();
    Result<Message> m = DecodeMessage(f);
    if (!c || !m.ok()) return;
    if (auto* hello = std::get_if<HelloMsg>(&*m)) {
      if (!refusal.empty()) {
        (void)c->Send(ByeMsg{refusal, kByeProtocolVersion});
        return c->CloseAfterFlush(Status::Usage(refusal));
      }
      Result<ChallengeMsg> ch = hs.OnHello(*hello);
      if (!ch.ok()) return c->Close(ch.status());
      ch->build = claimed_build;  // informational: outside the proofs
      (void)c->Send(*ch);
    } else if (auto* auth = std::get_if<AuthMsg>(&*m)) {
      if (!hs.OnAuth(*auth).ok()) return c->Close(Status::Io("bad proof"));
      c->SetAuthenticated();
      (void)c->Send(AuthOkMsg{"a1", 0.5, 30});
    } else if (std::get_if<ReadyMsg>(&*m)) {
      ++readies;
      if (readies < 2) c->Close(Status::Io("scripted reconnect"));
    }
  }
  std::unique_ptr<Server> server;
  std::string refusal, claimed_build;
  int connections = 0, readies = 0;
};

struct AgentRun {
  AgentRun(const TempDir& dir, uint16_t port, const std::string& token_file)
      : err_path(dir / "agent.err") {
    pid = testing::StartSweep({"agent", "127.0.0.1:" + std::to_string(port), "--token-file",
                               token_file, "--dir", dir.path(), "--name", "old-node"},
                              {}, dir / "agent.out", err_path);
  }
  ~AgentRun() {
    if (!exited && pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  bool Exited() {
    int st = 0;
    if (!exited && ::waitpid(pid, &st, WNOHANG) == pid) {
      exited = true;
      code = WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
    }
    return exited;
  }
  std::string err() const { return testing::ReadFile(err_path); }
  std::string err_path;
  pid_t pid = -1;
  bool exited = false;
  int code = -1;
};

TEST(AgentVersion, RefusedForItsProtocolVersionItPrintsBothAndExits2WithoutRetrying) {
  TempDir dir;
  asio::io_context io;
  ASSERT_TRUE(GenerateTokenFile(dir / "token").ok());
  ScriptedController controller(io, LoadTokenFile(dir / "token").value());
  // The words a controller of protocol version kProtocolVersion + 1 would send.
  controller.refusal = ProtocolMismatchMessage("agent", "controller", OwnVersion());
  AgentRun agent(dir, controller.server->port(), dir / "token");
  ASSERT_TRUE(RunUntil(
      io, [&] { return agent.Exited(); }, kGuard))
      << agent.err();
  EXPECT_EQ(agent.code, 2) << agent.err();
  const std::string err = agent.err();
  EXPECT_EQ(Count(err,
                  "the controller refused this agent: protocol version mismatch: the agent "
                  "speaks protocol version " +
                      std::to_string(kProtocolVersion)),
            1)
      << err;
  EXPECT_EQ(Count(err, "sweep " + VersionString()), 2) << err;  // both sides, as scripted
  RunUntil(
      io, [] { return false; }, 0.5);  // a retrying agent would have dialled again
  EXPECT_EQ(controller.connections, 1);
}

TEST(AgentVersion, AnotherBuildOfTheControllerIsWarnedAboutOnce) {
  TempDir dir;
  asio::io_context io;
  ASSERT_TRUE(GenerateTokenFile(dir / "token").ok());
  ScriptedController controller(io, LoadTokenFile(dir / "token").value());
  controller.claimed_build = std::string(BuildCommit()) == "0000000" ? "1111111" : "0000000";
  AgentRun agent(dir, controller.server->port(), dir / "token");
  ASSERT_TRUE(RunUntil(
      io, [&] { return controller.readies == 2; }, kGuard))
      << agent.err();
  const std::string warning =
      "agent: warning: controller 127.0.0.1:" + std::to_string(controller.server->port()) +
      " runs sweep " + ReleaseVersion() + " (" + controller.claimed_build +
      "), this agent runs sweep " + VersionString();
  ASSERT_TRUE(RunUntil(
      io, [&] { return Count(agent.err(), warning) == 1; }, kGuard))
      << agent.err();
  EXPECT_EQ(controller.connections, 2);
  EXPECT_FALSE(agent.Exited()) << agent.err();
}

}  // namespace
}  // namespace sweep
