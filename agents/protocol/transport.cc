// Framed TCP connections, the listener and the reconnecting connector.
//
// A Connection's byte stream is a plain socket or a TLS stream over one (a variant
// visited by the read and write paths, so the framing code exists once); with TLS,
// Start() runs the handshake first, under the same handshake timer as the protocol
// handshake, and writes wait for it. It reads into a fixed 64 KiB buffer and feeds
// its own FrameDecoder;
// frames go to the handler in order, and a decode error closes that connection only.
// Writes are a queue of encoded frames with one async_write in flight, which takes
// every frame queued by the time it starts (up to kMaxGatherFrames). Every async
// handler holds a shared_ptr to the connection, so it lives exactly as long as work
// is pending; Close() cancels timers and closes the socket, which completes the
// pending operations with errors that are then ignored. The close handler is posted,
// so callers never see it re-enter them. Server and Connector keep their Asio objects
// in a shared State captured by their handlers, so destroying the owner while an
// accept or connect is pending is safe. Boost calls use error_code overloads: no
// exception leaves this file.
#include "agents/protocol/transport.h"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cmath>
#include <variant>
#include <vector>

#include "agents/protocol/tls.h"

namespace sweep {
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using TlsStream = ssl::stream<tcp::socket>;

namespace {

// At most this many queued frames go out in one gathered write (each is bounded by
// max_frame_bytes; IOV_MAX is 1024).
constexpr size_t kMaxGatherFrames = 64;

std::chrono::steady_clock::duration Seconds(double s) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(s));
}

std::string EndpointText(const tcp::endpoint& ep) {
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

}  // namespace

// The byte stream under the framing: a plain socket, or a TLS stream that owns it.
// Reads and writes go through Visit, so both share one copy of the framing code.
struct Connection::Stream {
  explicit Stream(tcp::socket s) : v(std::in_place_type<tcp::socket>, std::move(s)) {}
  Stream(tcp::socket s, ssl::context& ctx) : v(std::in_place_type<TlsStream>, std::move(s), ctx) {}

  template <typename F>
  auto Visit(F&& f) {
    return std::visit(std::forward<F>(f), v);
  }
  tcp::socket& socket() {
    if (auto* tls = std::get_if<TlsStream>(&v)) return tls->next_layer();
    return std::get<tcp::socket>(v);
  }
  TlsStream* tls() { return std::get_if<TlsStream>(&v); }

  std::variant<tcp::socket, TlsStream> v;
};

std::shared_ptr<Connection> Connection::Create(tcp::socket socket, ConnectionOptions options,
                                               std::string tls_host) {
  return std::shared_ptr<Connection>(
      new Connection(std::move(socket), std::move(options), std::move(tls_host)));
}

Connection::Connection(tcp::socket socket, ConnectionOptions options, std::string tls_host)
    : stream_(options.tls ? std::make_unique<Stream>(std::move(socket), options.tls->context)
                          : std::make_unique<Stream>(std::move(socket))),
      options_(std::move(options)),
      decoder_(options_.handshake_max_frame_bytes),
      handshake_timer_(stream_->socket().get_executor()),
      idle_timer_(stream_->socket().get_executor()),
      read_buf_(64 * 1024) {
  boost::system::error_code ec;
  const tcp::endpoint ep = stream_->socket().remote_endpoint(ec);
  peer_ = ec ? "unknown peer" : EndpointText(ep);
  // Small frames (heartbeats) must not wait.
  stream_->socket().set_option(tcp::no_delay(true), ec);
  stream_ready_ = stream_->tls() == nullptr;
  if (options_.tls && !options_.tls->server) {
    setup_error_ = PrepareClientSession(*options_.tls, stream_->tls()->native_handle(), tls_host);
  } else if (options_.tls && !tls_host.empty()) {
    // Two TLS servers would each wait for the other's hello until the timeout.
    setup_error_ = Status::Usage("a server TLS config on the dialling side (use MakeClientTls)");
  }
}

Connection::~Connection() = default;

void Connection::Start(FrameHandler on_frame, CloseHandler on_close) {
  on_frame_ = std::move(on_frame);
  on_close_ = std::move(on_close);
  if (!setup_error_.ok()) {
    Close(Status::Io("TLS with " + peer_ + ": " + setup_error_.message()));
    return;
  }
  if (options_.handshake_timeout_s > 0) {
    handshake_timer_.expires_after(Seconds(options_.handshake_timeout_s));
    handshake_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->closed_) return;
      self->Close(Status::Io("handshake with " + self->peer_ + " timed out after " +
                             std::to_string(self->options_.handshake_timeout_s) + " s"));
    });
  }
  ArmIdleTimer();
  if (stream_ready_) {
    DoRead();
  } else {
    DoHandshake();
  }
}

void Connection::DoHandshake() {
  TlsStream& tls = *stream_->tls();
  tls.async_handshake(
      options_.tls->server ? ssl::stream_base::server : ssl::stream_base::client,
      [self = shared_from_this()](boost::system::error_code ec) {
        if (self->closed_) return;
        if (ec) {
          self->Close(Status::Io("TLS handshake with " + self->peer_ + " failed: " +
                                 DescribeTlsFailure(ec, self->stream_->tls()->native_handle())));
          return;
        }
        self->stream_ready_ = true;
        self->DoRead();
        // Frames queued while the handshake ran (the agent's hello).
        if (!self->writing_ && !self->queue_.empty()) self->DoWrite();
      });
}

void Connection::ArmIdleTimer() {
  if (options_.idle_timeout_s <= 0 || closed_) return;
  // Re-arming cancels the previous wait, whose handler then sees operation_aborted.
  idle_timer_.expires_after(Seconds(options_.idle_timeout_s));
  idle_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->closed_) return;
    self->Close(Status::Io("nothing received from " + self->peer_ + " for " +
                           std::to_string(self->options_.idle_timeout_s) + " s"));
  });
}

void Connection::DoRead() {
  auto on_read = [self = shared_from_this()](boost::system::error_code ec, size_t n) {
    if (self->closed_) return;
    if (ec) {
      // A stream that ends inside a frame says so: that is the useful diagnostic. A
      // TLS peer that closes without close_notify reads as stream_truncated; the
      // framing already tells a cut frame from a clean end.
      const Status truncated = self->decoder_.Finish();
      const bool ended = ec == asio::error::eof || ec == ssl::error::stream_truncated;
      self->Close(!truncated.ok() ? Status::Io("from " + self->peer_ + ": " + truncated.message())
                  : ended         ? Status::Io("connection closed by " + self->peer_)
                                  : Status::Io("read from " + self->peer_ + ": " + ec.message()));
      return;
    }
    self->ArmIdleTimer();
    std::vector<Frame> frames;
    const Status st = self->decoder_.Feed(std::string_view(self->read_buf_.data(), n), &frames);
    // A copy, because the handler may Close() this connection, which drops on_frame_
    // while the handler is still running.
    const FrameHandler on_frame = self->on_frame_;
    // Frames completed before a decode error are delivered: they were well formed.
    for (Frame& f : frames) {
      if (self->closed_) return;
      on_frame(std::move(f));
    }
    if (self->closed_) return;
    if (!st.ok()) {
      self->Close(Status::Io("from " + self->peer_ + ": " + st.message()));
      return;
    }
    self->DoRead();
  };
  stream_->Visit([&](auto& s) { s.async_read_some(asio::buffer(read_buf_), std::move(on_read)); });
}

Status Connection::Send(const Message& message) {
  return SendFrame(TypeOf(message), EncodePayload(message));
}

Status Connection::SendFrame(MessageType type, std::string_view payload) {
  if (closed_ || close_after_flush_) return Status::Io("connection to " + peer_ + " is closed");
  Result<std::string> frame = EncodeFrame(type, payload, options_.max_frame_bytes);
  if (!frame.ok()) return frame.status();
  if (queued_bytes_ + frame->size() > options_.max_queued_bytes) {
    const Status st =
        Status::Io("send queue to " + peer_ + " exceeded " +
                   std::to_string(options_.max_queued_bytes) + " bytes: the peer is not reading");
    Close(st);
    return st;
  }
  queued_bytes_ += frame->size();
  queue_.push_back(std::move(frame).value());
  if (!writing_ && stream_ready_) DoWrite();
  return Status::Ok();
}

void Connection::DoWrite() {
  if (queue_.empty()) {
    writing_ = false;
    if (close_after_flush_) Close(close_reason_);
    return;
  }
  writing_ = true;
  // Every frame queued by now goes out in this one write (a gathered sendmsg): frames
  // that pile up while a write is in flight (a controller assigning to an agent while
  // it renews its leases, an agent's started/metrics/finished of quick trials) cost
  // one system call together instead of one each. deque::push_back leaves the queued
  // strings where they are, so the buffers stay valid while Send adds frames.
  const size_t n = std::min(queue_.size(), kMaxGatherFrames);
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(n);
  for (size_t i = 0; i < n; ++i) buffers.push_back(asio::buffer(queue_[i]));
  auto on_written = [self = shared_from_this(), n](boost::system::error_code ec, size_t) {
    if (self->closed_) return;
    if (ec) {
      self->Close(Status::Io("write to " + self->peer_ + ": " + ec.message()));
      return;
    }
    for (size_t i = 0; i < n; ++i) {
      self->queued_bytes_ -= self->queue_.front().size();
      self->queue_.pop_front();
    }
    self->DoWrite();
  };
  stream_->Visit([&](auto& s) { asio::async_write(s, buffers, std::move(on_written)); });
}

void Connection::SetAuthenticated() {
  handshake_timer_.cancel();
  decoder_.set_max_frame_bytes(options_.max_frame_bytes);
}

void Connection::CloseAfterFlush(const Status& why) {
  if (closed_ || close_after_flush_) return;
  close_after_flush_ = true;
  close_reason_ = why;
  // Frames queued during a TLS handshake are flushed once it completes.
  if (!writing_ && queue_.empty()) Close(why);
}

void Connection::Close(const Status& why) {
  if (closed_) return;
  closed_ = true;
  handshake_timer_.cancel();
  idle_timer_.cancel();
  // Closing the socket (under TLS too) completes every pending operation; no TLS
  // close_notify is sent, which peers read as the end of the stream.
  boost::system::error_code ec;
  stream_->socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_->socket().close(ec);
  queue_.clear();
  queued_bytes_ = 0;
  // Drop the frame handler now: it may capture the owner, and the owner this.
  on_frame_ = nullptr;
  if (on_close_) {
    asio::post(stream_->socket().get_executor(), [cb = std::move(on_close_), why]() { cb(why); });
    on_close_ = nullptr;
  }
}

struct Server::State : std::enable_shared_from_this<Server::State> {
  explicit State(asio::io_context& io) : acceptor(io), retry(io) {}
  tcp::acceptor acceptor;
  asio::steady_timer retry;
  ConnectionOptions options;
  AcceptHandler on_accept;
  bool closed = false;

  void Accept() {
    acceptor.async_accept(
        [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
          if (self->closed) return;
          if (ec) {
            // Out of descriptors and the like: wait a little rather than spin.
            self->retry.expires_after(std::chrono::milliseconds(100));
            self->retry.async_wait([self](boost::system::error_code e) {
              if (!e && !self->closed) self->Accept();
            });
            return;
          }
          self->on_accept(Connection::Create(std::move(socket), self->options));
          if (!self->closed) self->Accept();
        });
  }
};

Result<std::unique_ptr<Server>> Server::Listen(asio::io_context& io, const std::string& host,
                                               uint16_t port, ConnectionOptions options,
                                               AcceptHandler on_accept) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return Status::Io("cannot listen on '" + host + "': not an IP address");
  if (options.tls && !options.tls->server) {
    return Status::Usage("cannot listen with a client TLS config (use MakeServerTls)");
  }
  auto state = std::make_shared<State>(io);
  state->options = options;
  state->on_accept = std::move(on_accept);
  const tcp::endpoint ep(address, port);
  const std::string where = host + ":" + std::to_string(port);
  state->acceptor.open(ep.protocol(), ec);
  if (ec) return Status::Io("cannot listen on " + where + ": " + ec.message());
  state->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  state->acceptor.bind(ep, ec);
  if (ec) return Status::Io("cannot bind " + where + ": " + ec.message());
  state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::Io("cannot listen on " + where + ": " + ec.message());
  state->Accept();
  return std::unique_ptr<Server>(new Server(std::move(state)));
}

Server::~Server() { Close(); }

uint16_t Server::port() const {
  boost::system::error_code ec;
  const tcp::endpoint ep = state_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void Server::Close() {
  if (state_->closed) return;
  state_->closed = true;
  boost::system::error_code ec;
  state_->acceptor.close(ec);
  state_->retry.cancel();
}

Backoff::Backoff(BackoffOptions options, uint64_t seed)
    : options_(options), base_(options.initial_s), rng_(seed) {}

double Backoff::NextDelay() {
  const double base = std::min(base_, options_.max_s);
  base_ = std::min(base_ * options_.multiplier, options_.max_s);
  std::uniform_real_distribution<double> u(1.0 - options_.jitter, 1.0);
  return base * u(rng_);
}

void Backoff::Reset() { base_ = options_.initial_s; }

struct Connector::State : std::enable_shared_from_this<Connector::State> {
  State(asio::io_context& io, BackoffOptions b) : resolver(io), timer(io), backoff(b) {}
  tcp::resolver resolver;
  asio::steady_timer timer;
  Backoff backoff;
  std::string host;
  uint16_t port = 0;
  ConnectionOptions options;
  ConnectHandler on_connected;
  RetryHandler on_retry;
  std::shared_ptr<tcp::socket> socket;
  bool stopped = false;

  void Attempt() {
    resolver.async_resolve(
        host, std::to_string(port),
        [self = shared_from_this()](boost::system::error_code ec, tcp::resolver::results_type r) {
          if (self->stopped) return;
          if (ec)
            return self->Retry(Status::Io("cannot resolve " + self->host + ": " + ec.message()));
          self->socket = std::make_shared<tcp::socket>(self->resolver.get_executor());
          asio::async_connect(
              *self->socket, r, [self](boost::system::error_code e, const tcp::endpoint&) {
                if (self->stopped) return;
                if (e) {
                  return self->Retry(Status::Io("cannot connect to " + self->host + ":" +
                                                std::to_string(self->port) + ": " + e.message()));
                }
                auto socket = std::move(*self->socket);
                self->socket.reset();
                self->on_connected(
                    Connection::Create(std::move(socket), self->options, self->host));
              });
        });
  }

  void Retry(const Status& why) {
    const double delay = backoff.NextDelay();
    if (on_retry) on_retry(why, delay);
    if (stopped) return;
    timer.expires_after(Seconds(delay));
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec && !self->stopped) self->Attempt();
    });
  }
};

Connector::Connector(asio::io_context& io, std::string host, uint16_t port,
                     ConnectionOptions options, BackoffOptions backoff, ConnectHandler on_connected,
                     RetryHandler on_retry)
    : state_(std::make_shared<State>(io, backoff)) {
  state_->host = std::move(host);
  state_->port = port;
  state_->options = options;
  state_->on_connected = std::move(on_connected);
  state_->on_retry = std::move(on_retry);
}

Connector::~Connector() { Stop(); }

void Connector::Start() {
  if (!state_->stopped) state_->Attempt();
}

void Connector::Reconnect() {
  if (!state_->stopped) state_->Retry(Status::Io("connection lost"));
}

void Connector::ResetBackoff() { state_->backoff.Reset(); }

void Connector::Stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  state_->resolver.cancel();
  state_->timer.cancel();
  if (state_->socket) {
    boost::system::error_code ec;
    state_->socket->close(ec);
  }
  // Break the cycle through the handlers' captures.
  state_->on_connected = nullptr;
  state_->on_retry = nullptr;
}

}  // namespace sweep
