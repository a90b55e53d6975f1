// The hub's version checks over real sockets on 127.0.0.1: an agent of another
// protocol version is refused with a bye that names both versions (and says, by its
// code, that retrying cannot help); an agent of the same protocol but another build is
// accepted and warned about once, however often it reconnects. The peer here is a
// minimal scripted agent: the transport's Connector plus AgentHandshake.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <string>
#include <vector>

#include "agents/protocol/version_check.h"
#include "base/build_info.h"
#include "orchestrator/remote/agent_hub.h"
#include "tests/agents/agents_test_util.h"

namespace sweep {
namespace {

namespace asio = boost::asio;
using testing::RunUntil;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// One connection: sends a hello (version fields as scripted), answers the challenge
// with a real proof, sends ready once authenticated, records any bye.
struct VersionPeer {
  VersionPeer(asio::io_context& io, uint16_t port, int version, std::string release,
              std::string build)
      : alive(std::make_shared<bool>(true)),
        handshake(testing::TokenFromSeed("secret"), "gpu-node", "node") {
    connector = std::make_unique<Connector>(
        io, "127.0.0.1", port, ConnectionOptions{}, BackoffOptions{0.01, 0.05, 2, 0.25},
        [this, version, release, build](std::shared_ptr<Connection> c) {
          if (conn) return;  // one connection per peer
          conn = c;
          // The connection may call back after this peer is gone (Close posts).
          c->Start(
              [this, alive = alive](Frame f) {
                if (*alive) OnFrame(std::move(f));
              },
              [this, alive = alive](const Status&) {
                if (*alive) closed = true;
              });
          HelloMsg hello = handshake.hello();
          hello.version = version;
          hello.sweep_version = release;
          hello.build = build;
          (void)c->Send(hello);
        });
    connector->Start();
  }
  ~VersionPeer() {
    *alive = false;
    connector->Stop();
    if (conn) conn->Close(Status::Io("test over"));
  }
  void OnFrame(Frame f) {
    Result<Message> m = DecodeMessage(f);
    ASSERT_TRUE(m.ok()) << m.status().message();
    if (auto* ch = std::get_if<ChallengeMsg>(&*m)) {
      Result<AuthMsg> auth = handshake.OnChallenge(*ch);
      ASSERT_TRUE(auth.ok()) << auth.status().message();
      (void)conn->Send(*auth);
    } else if (std::get_if<AuthOkMsg>(&*m)) {
      conn->SetAuthenticated();
      authed = true;
      ReadyMsg ready;
      ready.slots = 1;
      (void)conn->Send(ready);
    } else if (auto* bye = std::get_if<ByeMsg>(&*m)) {
      byes.push_back(*bye);
    }
  }
  std::shared_ptr<bool> alive;  // false once destroyed: late callbacks do nothing
  AgentHandshake handshake;
  std::unique_ptr<Connector> connector;
  std::shared_ptr<Connection> conn;
  bool authed = false, closed = false;
  std::vector<ByeMsg> byes;
};

struct Hub {
  Hub() {
    AgentHubCallbacks cb;
    cb.on_event = [this](const std::string& line) { events.push_back(line); };
    hub = AgentHub::Listen(io, testing::TokenFromSeed("secret"), AgentHubOptions{}, cb).value();
  }
  int EventsWith(const std::string& part) const {
    int n = 0;
    for (const auto& e : events) n += Contains(e, part) ? 1 : 0;
    return n;
  }
  asio::io_context io;
  std::vector<std::string> events;
  std::unique_ptr<AgentHub> hub;
};

TEST(AgentHubVersion, AnotherProtocolVersionIsRefusedNamingBothVersions) {
  Hub h;
  VersionPeer future(h.io, h.hub->port(), kProtocolVersion + 1, "9.0.0", "abcdef1");
  ASSERT_TRUE(RunUntil(h.io, [&] { return future.closed; }));
  EXPECT_FALSE(future.authed);
  ASSERT_EQ(future.byes.size(), 1u);
  const ByeMsg& bye = future.byes[0];
  EXPECT_EQ(bye.code, kByeProtocolVersion);
  const std::string theirs = "protocol version " + std::to_string(kProtocolVersion + 1);
  const std::string ours = "protocol version " + std::to_string(kProtocolVersion);
  EXPECT_TRUE(Contains(bye.reason, "the agent speaks " + theirs + " (sweep 9.0.0 (abcdef1))"))
      << bye.reason;
  EXPECT_TRUE(
      Contains(bye.reason, "this controller speaks " + ours + " (sweep " + VersionString() + ")"))
      << bye.reason;
  ASSERT_TRUE(RunUntil(h.io, [&] { return h.EventsWith("refused") == 1; }));
  EXPECT_EQ(h.EventsWith("agent 'gpu-node' at 127.0.0.1:"), 1);
  EXPECT_EQ(h.EventsWith(theirs), 1);
  EXPECT_TRUE(h.hub->Agents().empty());
}

TEST(AgentHubVersion, AHelloOfAnotherShapeIsStillRefusedByItsVersion) {
  Hub h;
  // A future hello this version cannot decode (no agent_nonce, an object for a name).
  const std::string payload =
      R"({"version":)" + std::to_string(kProtocolVersion + 1) +
      R"(,"sweep_version":"9.0.0","build":"abcdef1","agent":{"name":"gpu-node"}})";
  const std::string frame = EncodeFrame(MessageType::kHello, payload).value();
  asio::ip::tcp::socket raw(h.io);
  raw.connect({asio::ip::make_address("127.0.0.1"), h.hub->port()});
  asio::write(raw, asio::buffer(frame));
  ASSERT_TRUE(RunUntil(h.io, [&] { return h.EventsWith("refused") == 1; }));
  EXPECT_EQ(h.EventsWith("the agent speaks protocol version " +
                         std::to_string(kProtocolVersion + 1) + " (sweep 9.0.0 (abcdef1))"),
            1);
  EXPECT_EQ(h.EventsWith("protocol error"), 0);
}

TEST(AgentHubVersion, AnotherBuildIsAcceptedAndWarnedAboutOncePerAgent) {
  Hub h;
  const std::string other = std::string(BuildCommit()) == "0000000" ? "1111111" : "0000000";
  {
    VersionPeer first(h.io, h.hub->port(), kProtocolVersion, ReleaseVersion(), other);
    ASSERT_TRUE(RunUntil(h.io, [&] { return first.authed; }));
  }
  VersionPeer again(h.io, h.hub->port(), kProtocolVersion, ReleaseVersion(), other);
  ASSERT_TRUE(
      RunUntil(h.io, [&] { return again.authed && h.EventsWith(" connected from ") == 2; }));
  RunUntil(
      h.io, [] { return false; }, 0.2);  // let any further event arrive
  EXPECT_EQ(h.EventsWith("warning: agent a1 (node) runs sweep " + std::string(ReleaseVersion()) +
                         " (" + other + "), this controller runs sweep " + VersionString()),
            1);
  EXPECT_TRUE(again.byes.empty());
}

TEST(AgentHubVersion, TheSameBuildConnectsWithoutAWarning) {
  Hub h;
  VersionPeer same(h.io, h.hub->port(), kProtocolVersion, ReleaseVersion(), BuildCommit());
  ASSERT_TRUE(RunUntil(h.io, [&] { return same.authed && h.EventsWith(" connected from ") == 1; }));
  RunUntil(
      h.io, [] { return false; }, 0.2);
  EXPECT_EQ(h.EventsWith("warning"), 0);
}

}  // namespace
}  // namespace sweep
