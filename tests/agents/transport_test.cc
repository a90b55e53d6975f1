#include "agents/transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "agents/auth.h"

namespace sweep {
namespace {

namespace asio = boost::asio;

AuthToken Token(const std::string& seed) {
  return AuthToken::FromText(ToHex(HmacSha256(seed, "token"))).value();
}

// Runs io until done() or the deadline; returns done().
bool RunUntil(asio::io_context& io, const std::function<bool()>& done, double timeout_s = 10) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    if (io.stopped()) io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return done();
}

// A controller that authenticates agents and answers each heartbeat with
// lease_renewed for the same leases; it records why each connection closed.
struct TestController {
  TestController(asio::io_context& io, AuthToken token, ConnectionOptions options = {}) {
    server =
        Server::Listen(io, "127.0.0.1", 0, options, [this, token](std::shared_ptr<Connection> c) {
          auto hs = std::make_shared<ControllerHandshake>(token, "ctl");
          std::weak_ptr<Connection> weak = c;
          c->Start(
              [this, hs, weak](Frame f) {
                auto conn = weak.lock();
                Result<Message> m = DecodeMessage(f);
                if (!conn || !m.ok()) return;
                if (auto* hello = std::get_if<HelloMsg>(&*m)) {
                  Result<ChallengeMsg> ch = hs->OnHello(*hello);
                  if (ch.ok()) (void)conn->Send(*ch);
                } else if (auto* auth = std::get_if<AuthMsg>(&*m)) {
                  const Status st = hs->OnAuth(*auth);
                  if (!st.ok()) {
                    (void)conn->Send(ByeMsg{st.message()});
                    conn->CloseAfterFlush(st);
                    return;
                  }
                  conn->SetAuthenticated();
                  ++authenticated;
                  (void)conn->Send(AuthOkMsg{"agent-1", 5, 30});
                } else if (auto* hb = std::get_if<HeartbeatMsg>(&*m)) {
                  (void)conn->Send(LeaseRenewedMsg{hb->lease_ids, {}});
                }
              },
              [this](const Status& why) { closed.push_back(why.message()); });
        }).value();
  }
  uint16_t port() const { return server->port(); }
  bool ClosedWith(const std::string& text) const {
    for (const auto& c : closed) {
      if (c.find(text) != std::string::npos) return true;
    }
    return false;
  }
  std::unique_ptr<Server> server;
  int authenticated = 0;
  std::vector<std::string> closed;
};

// An agent that authenticates, then sends `heartbeats` heartbeats and counts replies.
struct TestAgent {
  TestAgent(asio::io_context& io, uint16_t port, AuthToken token, int heartbeats)
      : connector(
            io, "127.0.0.1", port, {}, BackoffOptions{0.01, 0.05, 2, 0.25},
            [this, token, heartbeats](std::shared_ptr<Connection> c) {
              conn = c;
              auto hs = std::make_shared<AgentHandshake>(token, "agent", "localhost");
              c->Start(
                  [this, hs, heartbeats](Frame f) {
                    Result<Message> m = DecodeMessage(f);
                    if (!m.ok()) return;
                    if (auto* ch = std::get_if<ChallengeMsg>(&*m)) {
                      Result<AuthMsg> auth = hs->OnChallenge(*ch);
                      if (!auth.ok()) {
                        refusal = auth.status().message();
                        conn->Close(auth.status());
                        return;
                      }
                      (void)conn->Send(*auth);
                    } else if (std::holds_alternative<AuthOkMsg>(*m)) {
                      conn->SetAuthenticated();
                      ready = true;
                      for (int i = 0; i < heartbeats; ++i) SendHeartbeat(i);
                    } else if (auto* r = std::get_if<LeaseRenewedMsg>(&*m)) {
                      if (r->renewed == std::vector<std::string>{"L" + std::to_string(renewed)}) {
                        ++renewed;
                      }
                    } else if (auto* bye = std::get_if<ByeMsg>(&*m)) {
                      refusal = bye->reason;
                    }
                  },
                  [this](const Status& why) { closed = why.message(); });
              (void)c->Send(hs->hello());
            }) {
    connector.Start();
  }
  void SendHeartbeat(int i) { (void)conn->Send(HeartbeatMsg{{"L" + std::to_string(i)}, 0}); }
  Connector connector;
  std::shared_ptr<Connection> conn;
  bool ready = false;
  int renewed = 0;
  std::string refusal, closed;
};

// A blocking client on its own thread: sends bytes, then reports whether the
// server closed the connection (EOF) within 5 s.
struct RawClient {
  RawClient(uint16_t port, std::string bytes) {
    thread = std::thread([this, port, bytes] {
      const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(port);
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      timeval tv{5, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        if (!bytes.empty()) (void)!::write(fd, bytes.data(), bytes.size());
        char buf[256];
        ssize_t n;
        while ((n = ::read(fd, buf, sizeof buf)) > 0) {
        }
        saw_eof = (n == 0) || (n < 0 && errno == ECONNRESET);
      }
      ::close(fd);
      finished = true;
    });
  }
  ~RawClient() { thread.join(); }
  std::thread thread;
  std::atomic<bool> finished{false}, saw_eof{false};
};

std::string Header(uint32_t len, uint8_t type) {
  return {static_cast<char>(len >> 24), static_cast<char>(len >> 16), static_cast<char>(len >> 8),
          static_cast<char>(len), static_cast<char>(type)};
}

TEST(Transport, HandshakeThenFramesEchoInOrder) {
  asio::io_context io;
  TestController controller(io, Token("k"));
  TestAgent agent(io, controller.port(), Token("k"), 200);
  ASSERT_TRUE(RunUntil(io, [&] { return agent.renewed == 200; })) << agent.renewed;
  EXPECT_EQ(controller.authenticated, 1);
  EXPECT_TRUE(agent.refusal.empty());
}

TEST(Transport, AgentRefusesAControllerWithAnotherToken) {
  asio::io_context io;
  TestController controller(io, Token("controller"));
  TestAgent agent(io, controller.port(), Token("agent"), 1);
  ASSERT_TRUE(RunUntil(io, [&] { return !agent.closed.empty() && !controller.closed.empty(); }));
  EXPECT_NE(agent.refusal.find("controller failed authentication"), std::string::npos);
  EXPECT_FALSE(agent.ready);
  EXPECT_EQ(controller.authenticated, 0);
}

TEST(Transport, ControllerRefusesAnAgentThatAnswersWithAnotherToken) {
  asio::io_context io;
  TestController controller(io, Token("controller"));
  // A rogue agent that skips verifying the controller and proves with its own token.
  std::string closed;
  std::string bye;
  auto connector = std::make_unique<Connector>(
      io, "127.0.0.1", controller.port(), ConnectionOptions{}, BackoffOptions{},
      [&](std::shared_ptr<Connection> c) {
        auto hello =
            std::make_shared<HelloMsg>(HelloMsg{kProtocolVersion, "rogue", "h", NewNonce(), ""});
        c->Start(
            [&, c, hello](Frame f) {
              Result<Message> m = DecodeMessage(f);
              if (!m.ok()) return;
              if (auto* ch = std::get_if<ChallengeMsg>(&*m)) {
                (void)c->Send(AuthMsg{
                    ComputeProof(Token("rogue"), AuthRole::kAgent, MakeTranscript(*hello, *ch))});
              } else if (auto* b = std::get_if<ByeMsg>(&*m)) {
                bye = b->reason;
              }
            },
            [&](const Status& why) { closed = why.message(); });
        (void)c->Send(*hello);
      });
  connector->Start();
  ASSERT_TRUE(RunUntil(io, [&] { return !closed.empty(); }));
  EXPECT_EQ(bye, "agent failed authentication: wrong token");
  EXPECT_EQ(controller.authenticated, 0);
}

TEST(Transport, GarbageAndOversizedLengthsCloseOnlyThatConnection) {
  asio::io_context io;
  TestController controller(io, Token("k"));
  TestAgent agent(io, controller.port(), Token("k"), 1);
  ASSERT_TRUE(RunUntil(io, [&] { return agent.renewed == 1; }));

  {
    RawClient garbage(controller.port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    // The close handler is posted: wait for it as well as for the client's EOF.
    ASSERT_TRUE(RunUntil(io, [&] {
      return garbage.finished.load() && controller.ClosedWith("exceeds the limit of 65536 bytes");
    }));
    EXPECT_TRUE(garbage.saw_eof);
  }
  {
    RawClient oversized(controller.port(), Header(0x7fffffff, 1) + "xxxx");
    // The close handler is posted: wait for it as well as for the client's EOF.
    ASSERT_TRUE(RunUntil(io, [&] {
      return oversized.finished.load() && controller.ClosedWith("frame length 2147483647 exceeds");
    }));
    EXPECT_TRUE(oversized.saw_eof);
  }
  {
    RawClient unknown(controller.port(), Header(2, 99) + "x");
    // The close handler is posted: wait for it as well as for the client's EOF.
    ASSERT_TRUE(RunUntil(io, [&] {
      return unknown.finished.load() && controller.ClosedWith("unknown message type 99");
    }));
    EXPECT_TRUE(unknown.saw_eof);
  }

  // The authenticated agent never noticed.
  agent.SendHeartbeat(1);
  agent.SendHeartbeat(2);
  ASSERT_TRUE(RunUntil(io, [&] { return agent.renewed == 3; }));
  EXPECT_TRUE(agent.conn->open());
  EXPECT_TRUE(agent.closed.empty());
}

TEST(Transport, TruncatedFrameIsReportedWhenThePeerHangsUp) {
  asio::io_context io;
  TestController controller(io, Token("k"));
  // A peer that sends half a frame and hangs up.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(controller.port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string partial = Header(100, 1) + "{\"vers";
  ASSERT_EQ(::write(fd, partial.data(), partial.size()), static_cast<ssize_t>(partial.size()));
  ::close(fd);
  ASSERT_TRUE(RunUntil(io, [&] { return controller.ClosedWith("truncated frame"); }));
  EXPECT_TRUE(controller.ClosedWith("stream ended after 6 of 99 payload bytes"));
}

TEST(Transport, ASilentPeerIsDroppedAtTheHandshakeTimeout) {
  asio::io_context io;
  ConnectionOptions options;
  options.handshake_timeout_s = 0.2;
  TestController controller(io, Token("k"), options);
  RawClient silent(controller.port(), "");
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(RunUntil(
      io, [&] { return silent.finished.load() && controller.ClosedWith("timed out after"); }));
  EXPECT_TRUE(silent.saw_eof);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST(Transport, AnAuthenticatedPeerThatFallsSilentIsDroppedAtTheIdleTimeout) {
  asio::io_context io;
  ConnectionOptions options;
  options.idle_timeout_s = 1.0;
  TestController controller(io, Token("k"), options);
  TestAgent agent(io, controller.port(), Token("k"), 1);
  ASSERT_TRUE(RunUntil(io, [&] { return agent.renewed == 1; }));
  // Traffic keeps it open past the timeout ...
  for (int i = 1; i <= 14; ++i) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
    RunUntil(io, [&] { return std::chrono::steady_clock::now() >= until; });
    agent.SendHeartbeat(i);
  }
  ASSERT_TRUE(RunUntil(io, [&] { return agent.renewed == 15; }));
  EXPECT_TRUE(controller.closed.empty());
  // ... silence closes it.
  ASSERT_TRUE(RunUntil(
      io, [&] { return !agent.closed.empty() && controller.ClosedWith("nothing received from"); },
      5));
}

TEST(Transport, SendRefusesOversizedFramesAndDropsAPeerThatStopsReading) {
  asio::io_context io;
  std::shared_ptr<Connection> accepted;
  auto server =
      Server::Listen(io, "127.0.0.1", 0, {}, [&](std::shared_ptr<Connection> c) { accepted = c; });
  ASSERT_TRUE(server.ok());
  // The peer connects and never reads.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((*server)->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_TRUE(RunUntil(io, [&] { return accepted != nullptr; }));
  std::string why;
  accepted->Start([](Frame) {}, [&](const Status& s) { why = s.message(); });
  accepted->SetAuthenticated();
  const Status big =
      accepted->SendFrame(MessageType::kLog, std::string(kDefaultMaxFrameBytes, 'x'));
  EXPECT_EQ(big.code(), ErrorCode::kUsage);
  EXPECT_TRUE(accepted->open());
  Status st;
  const std::string chunk(1 << 20, 'y');
  for (int i = 0; i < 1000 && st.ok(); ++i) {
    st = accepted->SendFrame(MessageType::kLog, chunk);
    RunUntil(
        io, [] { return false; }, 0.001);
  }
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("the peer is not reading"), std::string::npos);
  ASSERT_TRUE(RunUntil(io, [&] { return !why.empty(); }));
  EXPECT_FALSE(accepted->open());
  ::close(fd);
}

TEST(Transport, BackoffGrowsToItsCapWithJitterAndResets) {
  Backoff b(BackoffOptions{0.5, 30, 2, 0.25}, 42);
  const double bases[] = {0.5, 1, 2, 4, 8, 16, 30, 30, 30};
  for (double base : bases) {
    const double d = b.NextDelay();
    EXPECT_LE(d, base);
    EXPECT_GE(d, base * 0.75);
  }
  b.Reset();
  EXPECT_LE(b.NextDelay(), 0.5);
  // Jitter spreads agents that retry together.
  Backoff x(BackoffOptions{}, 1), y(BackoffOptions{}, 2);
  EXPECT_NE(x.NextDelay(), y.NextDelay());
}

TEST(Transport, ConnectorRetriesUntilTheControllerAppears) {
  asio::io_context io;
  uint16_t port;
  {
    auto probe = Server::Listen(io, "127.0.0.1", 0, {}, [](std::shared_ptr<Connection>) {});
    ASSERT_TRUE(probe.ok());
    port = (*probe)->port();
  }
  std::vector<double> delays;
  std::shared_ptr<Connection> connected;
  Connector connector(
      io, "127.0.0.1", port, {}, BackoffOptions{0.01, 0.04, 2, 0},
      [&](std::shared_ptr<Connection> c) { connected = c; },
      [&](const Status& why, double delay) {
        EXPECT_NE(why.message().find("cannot connect"), std::string::npos);
        delays.push_back(delay);
      });
  connector.Start();
  ASSERT_TRUE(RunUntil(io, [&] { return delays.size() >= 4; }));
  EXPECT_DOUBLE_EQ(delays[0], 0.01);
  EXPECT_DOUBLE_EQ(delays[1], 0.02);
  EXPECT_DOUBLE_EQ(delays[3], 0.04);
  auto server = Server::Listen(io, "127.0.0.1", port, {}, [](std::shared_ptr<Connection> c) {
    c->Start([](Frame) {}, [](const Status&) {});
  });
  ASSERT_TRUE(server.ok()) << server.status().message();
  ASSERT_TRUE(RunUntil(io, [&] { return connected != nullptr; }));
  connector.Stop();
  connected->Close(Status::Ok());
}

TEST(Transport, ListenReportsABadAddress) {
  asio::io_context io;
  auto r = Server::Listen(io, "not-an-ip", 0, {}, [](std::shared_ptr<Connection>) {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not an IP address"), std::string::npos);
}

}  // namespace
}  // namespace sweep
