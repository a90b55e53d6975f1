#include "agents/protocol/transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "agents/protocol/auth.h"
#include "agents/protocol/tls.h"
#include "tests/agents/agents_test_util.h"
#include "tests/agents/tls_test_util.h"

namespace sweep {
namespace {

namespace asio = boost::asio;

AuthToken Token(const std::string& seed) { return testing::TokenFromSeed(seed); }

using testing::RunUntil;

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
  TestAgent(asio::io_context& io, uint16_t port, AuthToken token, int heartbeats,
            ConnectionOptions options = {}, std::string host = "127.0.0.1")
      : connector(
            io, std::move(host), port, std::move(options), BackoffOptions{0.01, 0.05, 2, 0.25},
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

// Frames queued in one turn go out in gathered writes (at most 64 frames each): 300
// frames of mixed sizes, a 1 MiB one among them, arrive whole and in order.
TEST(Transport, FramesQueuedTogetherArriveWholeAndInOrder) {
  asio::io_context io;
  auto server =
      Server::Listen(io, "127.0.0.1", 0, ConnectionOptions{}, [](std::shared_ptr<Connection> c) {
        std::weak_ptr<Connection> weak = c;
        c->Start(
            [weak](Frame fr) {
              if (auto conn = weak.lock()) (void)conn->SendFrame(fr.type, fr.payload);
            },
            [](const Status&) {});
        c->SetAuthenticated();
      });
  ASSERT_TRUE(server.ok()) << server.status().message();
  std::vector<std::string> sent;
  for (int i = 0; i < 300; ++i)
    sent.push_back(i == 150 ? std::string(1 << 20, 'b') : std::string(i % 7, 'a' + i % 26));
  std::vector<Frame> echoed;
  std::shared_ptr<Connection> conn;
  std::string closed;
  Connector connector(io, "127.0.0.1", (*server)->port(), ConnectionOptions{}, BackoffOptions{},
                      [&](std::shared_ptr<Connection> c) {
                        conn = c;
                        c->Start([&](Frame fr) { echoed.push_back(std::move(fr)); },
                                 [&](const Status& why) { closed = why.message(); });
                        c->SetAuthenticated();
                        for (const auto& p : sent)
                          ASSERT_TRUE(c->SendFrame(MessageType::kLog, p).ok());
                      });
  connector.Start();
  ASSERT_TRUE(RunUntil(io, [&] { return echoed.size() == sent.size() || !closed.empty(); }))
      << echoed.size();
  ASSERT_EQ(echoed.size(), sent.size()) << closed;
  for (size_t i = 0; i < sent.size(); ++i) EXPECT_TRUE(echoed[i].payload == sent[i]) << i;
  connector.Stop();
  conn->Close(Status::Ok());
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
        auto hello = std::make_shared<HelloMsg>(
            HelloMsg{kProtocolVersion, "rogue", "h", NewNonce(), "", ""});
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

// ---- TLS ----------------------------------------------------------------------

// Certificates for one test: the controller's (valid for localhost and 127.0.0.1),
// one from an unrelated issuer, and one valid for localhost only.
struct TlsFixture {
  TlsFixture()
      : ctl(testing::WriteSelfSignedCert(dir.path(), "ctl", "DNS:localhost,IP:127.0.0.1")),
        stranger(testing::WriteSelfSignedCert(dir.path(), "stranger", "DNS:localhost")),
        by_name(testing::WriteSelfSignedCert(dir.path(), "by-name", "DNS:localhost")) {}
  ConnectionOptions Server(const testing::CertFiles& files, double timeout_s = 10) const {
    ConnectionOptions o;
    o.handshake_timeout_s = timeout_s;
    o.tls = MakeServerTls(files.cert, files.key).value();
    return o;
  }
  ConnectionOptions Client(const std::string& ca, const std::string& name = "") const {
    ConnectionOptions o;
    o.tls = MakeClientTls(ca, name).value();
    return o;
  }
  testing::TempDir dir;
  testing::CertFiles ctl, stranger, by_name;
};

// A TLS client that skips verification (it plays an attacker or an outdated peer):
// connects, handshakes, writes bytes, reads until the server ends the connection.
// result: "" while running, then "closed" or the step that failed and why.
struct RawTlsClient {
  RawTlsClient(asio::io_context& io, uint16_t port, std::string bytes, int max_version = 0)
      : ctx(Context(max_version)), stream(io, ctx), payload(std::move(bytes)) {
    stream.next_layer().async_connect(
        {asio::ip::make_address("127.0.0.1"), port}, [this](boost::system::error_code ec) {
          if (ec) return Fail("connect", ec);
          stream.async_handshake(asio::ssl::stream_base::client,
                                 [this](boost::system::error_code e) {
                                   if (e) return Fail("handshake", e);
                                   asio::async_write(stream, asio::buffer(payload),
                                                     [this](boost::system::error_code w, size_t) {
                                                       if (w) return Fail("write", w);
                                                       Read();
                                                     });
                                 });
        });
  }
  static asio::ssl::context Context(int max_version) {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    if (max_version != 0) {  // lift the system's own floor so only the server's counts
      SSL_CTX_set_security_level(ctx.native_handle(), 0);
      SSL_CTX_set_cipher_list(ctx.native_handle(), "DEFAULT@SECLEVEL=0");
      SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_VERSION);
      SSL_CTX_set_max_proto_version(ctx.native_handle(), max_version);
    }
    return ctx;
  }
  void Read() {
    stream.async_read_some(asio::buffer(buf), [this](boost::system::error_code ec, size_t) {
      if (!ec) return Read();
      if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
          ec == asio::error::connection_reset) {
        result = "closed";
      } else {
        Fail("read", ec);
      }
    });
  }
  void Fail(const std::string& step, boost::system::error_code ec) {
    result = step + ": " + ec.message();
  }
  asio::ssl::context ctx;
  asio::ssl::stream<asio::ip::tcp::socket> stream;
  std::string payload;
  char buf[256];
  std::string result;
};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(TransportTls, AuthenticationAndHeartbeatsRunInsideTls) {
  TlsFixture f;
  asio::io_context io;
  TestController controller(io, Token("k"), f.Server(f.ctl));
  TestAgent agent(io, controller.port(), Token("k"), 200, f.Client(f.ctl.cert));
  ASSERT_TRUE(RunUntil(io, [&] { return agent.renewed == 200; }))
      << agent.renewed << " " << agent.closed;
  EXPECT_EQ(controller.authenticated, 1);
  EXPECT_TRUE(agent.refusal.empty());
  EXPECT_TRUE(controller.closed.empty());
}

TEST(TransportTls, SmallAndOneMebibyteFramesRoundTrip) {
  TlsFixture f;
  asio::io_context io;
  // An echo server: every frame comes back as it was.
  auto server =
      Server::Listen(io, "127.0.0.1", 0, f.Server(f.ctl), [](std::shared_ptr<Connection> c) {
        std::weak_ptr<Connection> weak = c;
        c->Start(
            [weak](Frame fr) {
              if (auto conn = weak.lock()) (void)conn->SendFrame(fr.type, fr.payload);
            },
            [](const Status&) {});
        c->SetAuthenticated();
      });
  ASSERT_TRUE(server.ok()) << server.status().message();
  std::string big(1 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) % 251);
  const std::vector<std::string> sent = {"", "x", std::string(70000, 'm'), big, "tail"};
  std::vector<Frame> echoed;
  std::shared_ptr<Connection> conn;
  std::string closed;
  Connector connector(io, "127.0.0.1", (*server)->port(), f.Client(f.ctl.cert), BackoffOptions{},
                      [&](std::shared_ptr<Connection> c) {
                        conn = c;
                        c->Start([&](Frame fr) { echoed.push_back(std::move(fr)); },
                                 [&](const Status& why) { closed = why.message(); });
                        c->SetAuthenticated();
                        // Queued before the TLS handshake completes: sent after it.
                        for (const auto& p : sent)
                          ASSERT_TRUE(c->SendFrame(MessageType::kLog, p).ok());
                      });
  connector.Start();
  ASSERT_TRUE(RunUntil(io, [&] { return echoed.size() == sent.size() || !closed.empty(); }))
      << echoed.size();
  ASSERT_EQ(echoed.size(), sent.size()) << closed;
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(echoed[i].type, MessageType::kLog);
    EXPECT_TRUE(echoed[i].payload == sent[i]) << "frame " << i;
  }
  connector.Stop();
  conn->Close(Status::Ok());
}

TEST(TransportTls, PlainAgentAtATlsControllerFailsFastOnThatConnectionOnly) {
  TlsFixture f;
  asio::io_context io;
  TestController controller(io, Token("k"), f.Server(f.ctl, 5));
  TestAgent good(io, controller.port(), Token("k"), 1, f.Client(f.ctl.cert));
  ASSERT_TRUE(RunUntil(io, [&] { return good.renewed == 1; }));
  const auto start = std::chrono::steady_clock::now();
  TestAgent plain(io, controller.port(), Token("k"), 1);
  ASSERT_TRUE(RunUntil(
      io, [&] { return !plain.closed.empty() && controller.ClosedWith("TLS handshake with"); }));
  EXPECT_LT(SecondsSince(start), 3);
  EXPECT_TRUE(controller.ClosedWith("(the peer does not speak TLS)")) << controller.closed[0];
  EXPECT_FALSE(plain.ready);
  good.SendHeartbeat(1);
  ASSERT_TRUE(RunUntil(io, [&] { return good.renewed == 2; }));
  EXPECT_EQ(controller.authenticated, 1);
}

TEST(TransportTls, TlsAgentAtAPlainControllerFailsFast) {
  asio::io_context io;
  TlsFixture f;
  ConnectionOptions plain;
  plain.handshake_timeout_s = 5;
  TestController controller(io, Token("k"), plain);
  const auto start = std::chrono::steady_clock::now();
  TestAgent agent(io, controller.port(), Token("k"), 1, f.Client(f.ctl.cert));
  ASSERT_TRUE(RunUntil(io, [&] { return !agent.closed.empty() && !controller.closed.empty(); }));
  EXPECT_LT(SecondsSince(start), 3);
  EXPECT_EQ(agent.closed.rfind("TLS handshake with 127.0.0.1:", 0), 0u) << agent.closed;
  EXPECT_NE(agent.closed.find("failed: "), std::string::npos);
  // The ClientHello read as a frame header: an absurd length.
  EXPECT_TRUE(controller.ClosedWith("exceeds the limit of 65536 bytes")) << controller.closed[0];
  EXPECT_FALSE(agent.ready);
}

TEST(TransportTls, AgentRefusesACertificateFromAnotherIssuer) {
  TlsFixture f;
  asio::io_context io;
  TestController controller(io, Token("k"), f.Server(f.ctl));
  TestAgent agent(io, controller.port(), Token("k"), 1, f.Client(f.stranger.cert));
  ASSERT_TRUE(RunUntil(io, [&] { return !agent.closed.empty() && !controller.closed.empty(); }));
  EXPECT_NE(agent.closed.find("TLS handshake with"), std::string::npos);
  EXPECT_NE(agent.closed.find("certificate verify failed: self-signed certificate"),
            std::string::npos)
      << agent.closed;
  EXPECT_TRUE(controller.ClosedWith("TLS handshake with")) << controller.closed[0];
  EXPECT_EQ(controller.authenticated, 0);
}

TEST(TransportTls, AgentRefusesACertificateForAnotherHostOrAddress) {
  TlsFixture f;
  asio::io_context io;
  {
    TestController controller(io, Token("k"), f.Server(f.ctl));
    TestAgent agent(io, controller.port(), Token("k"), 1,
                    f.Client(f.ctl.cert, "controller.example"));
    ASSERT_TRUE(RunUntil(io, [&] { return !agent.closed.empty(); }));
    EXPECT_NE(agent.closed.find("certificate verify failed: hostname mismatch"), std::string::npos)
        << agent.closed;
  }
  {
    // Valid for localhost only, dialled as 127.0.0.1: the address must be in the certificate.
    TestController controller(io, Token("k"), f.Server(f.by_name));
    TestAgent agent(io, controller.port(), Token("k"), 1, f.Client(f.by_name.cert));
    ASSERT_TRUE(RunUntil(io, [&] { return !agent.closed.empty(); }));
    EXPECT_NE(agent.closed.find("certificate verify failed: IP address mismatch"),
              std::string::npos)
        << agent.closed;
    // Dialled by the name it carries, it is accepted.
    TestAgent by_name(io, controller.port(), Token("k"), 1, f.Client(f.by_name.cert), "localhost");
    ASSERT_TRUE(RunUntil(io, [&] { return by_name.renewed == 1; })) << by_name.closed;
  }
}

TEST(TransportTls, OversizedFrameInsideTlsClosesOnlyThatConnection) {
  TlsFixture f;
  asio::io_context io;
  TestController controller(io, Token("k"), f.Server(f.ctl));
  TestAgent agent(io, controller.port(), Token("k"), 1, f.Client(f.ctl.cert));
  ASSERT_TRUE(RunUntil(io, [&] { return agent.renewed == 1; }));
  RawTlsClient oversized(io, controller.port(), Header(0x7fffffff, 1) + "xxxx");
  ASSERT_TRUE(RunUntil(io, [&] {
    return !oversized.result.empty() && controller.ClosedWith("frame length 2147483647 exceeds");
  }));
  EXPECT_EQ(oversized.result, "closed");
  agent.SendHeartbeat(1);
  ASSERT_TRUE(RunUntil(io, [&] { return agent.renewed == 2; }));
  EXPECT_TRUE(agent.conn->open());
  EXPECT_TRUE(agent.closed.empty());
}

TEST(TransportTls, ControllerRefusesTlsOlderThan1_2) {
  TlsFixture f;
  asio::io_context io;
  TestController controller(io, Token("k"), f.Server(f.ctl));
  RawTlsClient old(io, controller.port(), "x", TLS1_1_VERSION);
  ASSERT_TRUE(RunUntil(io, [&] { return !old.result.empty() && !controller.closed.empty(); }));
  EXPECT_EQ(old.result.rfind("handshake: ", 0), 0u) << old.result;
  EXPECT_TRUE(controller.ClosedWith("TLS handshake with")) << controller.closed[0];
}

TEST(TransportTls, APeerSilentDuringTheTlsHandshakeIsDroppedAtTheTimeout) {
  TlsFixture f;
  asio::io_context io;
  TestController controller(io, Token("k"), f.Server(f.ctl, 0.2));
  RawClient silent(controller.port(), "");
  ASSERT_TRUE(RunUntil(
      io, [&] { return silent.finished.load() && controller.ClosedWith("timed out after"); }));
  EXPECT_TRUE(silent.saw_eof);
}

TEST(TransportTls, ConfigsUsedOnTheWrongSideAreRefused) {
  TlsFixture f;
  asio::io_context io;
  auto listen =
      Server::Listen(io, "127.0.0.1", 0, f.Client(f.ctl.cert), [](std::shared_ptr<Connection>) {});
  ASSERT_FALSE(listen.ok());
  EXPECT_EQ(listen.status().code(), ErrorCode::kUsage);
  TestController controller(io, Token("k"), f.Server(f.ctl));
  TestAgent agent(io, controller.port(), Token("k"), 1, f.Server(f.ctl));
  ASSERT_TRUE(RunUntil(io, [&] { return !agent.closed.empty(); }));
  EXPECT_NE(agent.closed.find("server TLS config on the dialling side"), std::string::npos);
}

}  // namespace
}  // namespace sweep
