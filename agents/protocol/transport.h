// TCP transport for the agent protocol: framed connections, a listener, a
// reconnecting connector (Boost.Asio; the wire format itself is agents/protocol/wire.h).
//
// Everything here runs on one io_context thread: call every method from the thread
// that runs the io_context, and every callback runs there too. A connection owns its
// decoder, so a peer that sends garbage, an oversized length or nothing at all (past
// a timeout) loses only its own connection. With ConnectionOptions::tls set, each
// connection first runs a TLS handshake (agents/protocol/tls.h), then the same framing inside
// it; callers use Connection, Server and Connector the same way with or without it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "agents/protocol/messages.h"
#include "agents/protocol/wire.h"
#include "base/status.h"

namespace sweep {

struct TlsConfig;  // agents/protocol/tls.h

struct ConnectionOptions {
  uint32_t max_frame_bytes = kDefaultMaxFrameBytes;  // after SetAuthenticated()
  uint32_t handshake_max_frame_bytes = 64 * 1024;    // before: hello/auth are small
  double handshake_timeout_s = 10;      // closed unless SetAuthenticated() by then; 0 = none
  double idle_timeout_s = 0;            // closed when nothing arrives this long; 0 = none
  size_t max_queued_bytes = 64u << 20;  // a peer that stops reading is dropped past this
  // Null: plain TCP. Otherwise MakeServerTls (Server) or MakeClientTls (Connector): the
  // TLS handshake runs first, inside handshake_timeout_s, and a failure closes that
  // connection only, with "TLS handshake with PEER failed: ..." as the reason.
  std::shared_ptr<TlsConfig> tls;
};

// One framed TCP (or TLS over TCP) connection. Shared ownership: pending operations
// keep it alive until it is closed, so the owner may drop its pointer at any time
// after Close(). Frames sent before the TLS handshake completes are queued.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using FrameHandler = std::function<void(Frame frame)>;
  // Exactly once, posted (never from inside Send or Close): why it closed.
  using CloseHandler = std::function<void(const Status& why)>;

  // tls_host: with a client TlsConfig, the DNS name or IP address the server's
  // certificate must match (unless the config overrides it); the Connector passes the
  // host it dialled. Without one there is nothing to verify and Start() closes the
  // connection with that error. Ignored for plain TCP and on the server side.
  static std::shared_ptr<Connection> Create(boost::asio::ip::tcp::socket socket,
                                            ConnectionOptions options, std::string tls_host = {});
  ~Connection();
  // Starts the timers, the TLS handshake if any, then reading. on_frame gets frames in
  // order; after a TLS or decode error (message names it) or a timeout the connection
  // closes itself.
  void Start(FrameHandler on_frame, CloseHandler on_close);

  // Queues one frame. Errors: closed (kIo), the frame exceeds the limit (kUsage; the
  // connection stays open), the queue limit was passed (kIo; the connection closes).
  Status Send(const Message& message);
  Status SendFrame(MessageType type, std::string_view payload);

  // The peer is authenticated: cancels the handshake timer, raises the frame limit.
  void SetAuthenticated();
  // Closes now; queued frames are dropped. Idempotent.
  void Close(const Status& why);
  // Closes once every queued frame was written (e.g. after a bye).
  void CloseAfterFlush(const Status& why);

  bool open() const { return !closed_; }
  const std::string& peer() const { return peer_; }  // "ip:port"
  size_t queued_bytes() const { return queued_bytes_; }

 private:
  struct Stream;  // plain socket or TLS stream over it (transport.cc)

  Connection(boost::asio::ip::tcp::socket socket, ConnectionOptions options, std::string tls_host);
  void DoHandshake();
  void DoRead();
  void DoWrite();
  void ArmIdleTimer();

  std::unique_ptr<Stream> stream_;
  ConnectionOptions options_;
  Status setup_error_;  // TLS session setup failed: Start() closes with it
  FrameDecoder decoder_;
  boost::asio::steady_timer handshake_timer_, idle_timer_;
  FrameHandler on_frame_;
  CloseHandler on_close_;
  std::string peer_;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  bool writing_ = false, closed_ = false, close_after_flush_ = false;
  bool stream_ready_ = false;  // false until the TLS handshake completes
  Status close_reason_;
  std::vector<char> read_buf_;
};

// Accepts connections on host:port and hands each, not yet started, to on_accept.
class Server {
 public:
  using AcceptHandler = std::function<void(std::shared_ptr<Connection>)>;
  // port 0 picks an ephemeral port (see port()). Errors: kIo (address, bind, listen).
  static Result<std::unique_ptr<Server>> Listen(boost::asio::io_context& io,
                                                const std::string& host, uint16_t port,
                                                ConnectionOptions options, AcceptHandler on_accept);
  ~Server();  // stops accepting; accepted connections live on
  uint16_t port() const;
  void Close();

  struct State;

 private:
  explicit Server(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

// Exponential back-off with jitter: initial_s, x multiplier each attempt, capped at
// max_s; each delay is scaled by a uniform factor in [1 - jitter, 1] so that many
// agents cut off together do not come back together.
struct BackoffOptions {
  double initial_s = 0.5;
  double max_s = 30;
  double multiplier = 2;
  double jitter = 0.25;
};
class Backoff {
 public:
  explicit Backoff(BackoffOptions options, uint64_t seed = std::random_device{}());
  double NextDelay();  // seconds before the next attempt
  void Reset();        // after a success
 private:
  BackoffOptions options_;
  double base_;
  std::mt19937_64 rng_;
};

// Connects to host:port, retrying with back-off until Stop(). Each connection is
// handed, not yet started, to on_connected; call Reconnect() when it closes. With
// options.tls the TLS handshake runs in Connection::Start(), verifying host (or the
// config's server name), so a TLS failure arrives through the close handler.
class Connector {
 public:
  using ConnectHandler = std::function<void(std::shared_ptr<Connection>)>;
  // Called before each wait: the failure and the delay in seconds. Optional.
  using RetryHandler = std::function<void(const Status& why, double delay_s)>;
  Connector(boost::asio::io_context& io, std::string host, uint16_t port, ConnectionOptions options,
            BackoffOptions backoff, ConnectHandler on_connected, RetryHandler on_retry = {});
  ~Connector();         // Stop()
  void Start();         // first attempt now
  void Reconnect();     // next attempt after a back-off delay
  void ResetBackoff();  // call once a connection authenticated
  void Stop();          // no more attempts or callbacks

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace sweep
