// The dashboard's HTTP server: an acceptor and one Session per connection, all
// driven by async operations on a single io_context thread. Answering a request (which
// reads the store and may take a while for a big sweep) runs on a small worker pool,
// so one slow request never stalls the others: each worker thread has its own UiApi
// over its own store connection (neither is thread-safe), and the answer is posted
// back to the io_context thread to be written.
//
// A Session reads one request with a fresh request_parser (so header and body limits
// apply to each request), answers it, and reads the next while the client keeps the
// connection alive. Parse failures map to status codes (body_limit -> 413,
// header_limit -> 431, anything else -> 400) and close the connection after the
// answer. Static files come from the embedded asset table; they are never read from
// disk, so a static path cannot reach the file system at all. Boost exceptions are
// caught here and nowhere else.
#include "orchestrator/ui/ui_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <csignal>
#include <iostream>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "orchestrator/ui/ui_assets.h"

namespace sweep {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

const UiAsset* FindUiAsset(std::string_view path) {
  if (path == "/" || path.empty()) path = "/index.html";
  for (size_t i = 0; i < kUiAssetCount; ++i) {
    if (kUiAssets[i].path == path) return &kUiAssets[i];
  }
  return nullptr;
}

struct UiServer::Impl {
  Impl(TrialStore& store, UiApiOptions api_opts, UiServerLimits lim)
      : store(store), api_opts(api_opts), limits(lim), acceptor(ioc), signals(ioc) {}

  // Handles one /api/ request on the calling worker thread with that thread's UiApi,
  // opening its store connection on first use. Thread-safe.
  UiResponse HandleApi(const UiRequest& request);

  TrialStore& store;  // its root is reopened per worker; used directly by none of them
  UiApiOptions api_opts;
  std::unique_ptr<UiAccess> access;  // set by Bind once the port is known
  UiServerLimits limits;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  int port = 0;
  struct WorkerApi {
    std::unique_ptr<TrialStore> store;
    std::unique_ptr<UiApi> api;
  };
  std::mutex apis_mu;
  std::unordered_map<std::thread::id, WorkerApi> apis;  // guarded by apis_mu
  // Declared last: destroyed (joined) first, while everything its tasks use exists.
  asio::thread_pool workers{4};

  void Accept();
};

UiResponse UiServer::Impl::HandleApi(const UiRequest& request) {
  UiApi* api = nullptr;
  {
    std::lock_guard<std::mutex> lock(apis_mu);
    WorkerApi& w = apis[std::this_thread::get_id()];
    if (!w.api) {
      StoreOptions so;
      so.create = false;
      so.check_budget_s = 0;  // `sweep ui` checked the store when it opened it
      auto opened = OpenStore(store.root(), so);
      if (!opened.ok()) {
        return UiResponse{500, "application/json",
                          Value{{"error", opened.status().message()}}.dump()};
      }
      w.store = std::move(opened).value();
      w.api = std::make_unique<UiApi>(*w.store, api_opts);
    }
    api = w.api.get();
  }
  return api->Handle(request);  // only this thread ever uses this UiApi
}

namespace {

using Response = http::response<http::string_body>;

void SetCommonHeaders(Response& res) {
  res.set(http::field::server, "sweep-ui");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set(http::field::cache_control, "no-store");
}

Response MakeResponse(unsigned version, bool keep_alive, int status, std::string_view type,
                      std::string body) {
  Response res{static_cast<http::status>(status), version};
  SetCommonHeaders(res);
  res.set(http::field::content_type, beast::string_view(type.data(), type.size()));
  res.keep_alive(keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response ErrorResponse(unsigned version, int status, const std::string& message) {
  Response res =
      MakeResponse(version, false, status, "application/json", "{\"error\":\"" + message + "\"}");
  return res;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, UiServer::Impl& server)
      : stream_(std::move(socket)), server_(server) {}

  void Start() { Read(); }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_.limits.max_header_bytes));
    parser_->body_limit(server_.limits.max_body_bytes);
    stream_.expires_after(std::chrono::seconds(server_.limits.request_timeout_s));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == beast::error::timeout || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
      return Close();
    }
    if (ec) {
      int status = ec == http::error::body_limit     ? 413
                   : ec == http::error::header_limit ? 431
                                                     : 400;
      return Send(ErrorResponse(11, status,
                                status == 413   ? "request body too large"
                                : status == 431 ? "request headers too large"
                                                : "malformed request"));
    }
    // Answered on a worker; written back on the io_context thread that owns stream_.
    asio::post(server_.workers, [self = shared_from_this(), req = parser_->release()]() mutable {
      Response res = self->Answer(req);
      asio::post(self->stream_.get_executor(),
                 [self, res = std::move(res)]() mutable { self->Send(std::move(res)); });
    });
  }

  Response Answer(const http::request<http::string_body>& req) {
    const unsigned v = req.version();
    const bool keep = req.keep_alive();
    std::string target(req.target());
    if (target.empty() || target.front() != '/') return ErrorResponse(v, 400, "bad request target");
    auto header = [&](http::field f) { return std::string(req[f]); };
    UiAccessVerdict verdict =
        server_.access->Check({std::string(req.method_string()), target, header(http::field::host),
                               header(http::field::origin), header(http::field::content_type),
                               header(http::field::authorization), header(http::field::cookie)});
    if (verdict.status == 303) {
      Response res = MakeResponse(v, keep, 303, "text/plain; charset=utf-8", "");
      res.set(http::field::location, verdict.location);
      res.set(http::field::set_cookie, verdict.set_cookie);
      return res;
    }
    if (verdict.status != 0) {
      Response res = MakeResponse(v, false, verdict.status, "text/plain; charset=utf-8",
                                  std::move(verdict.body));
      if (verdict.status == 401) res.set(http::field::www_authenticate, "Bearer");
      return res;
    }
    if (target.rfind("/api/", 0) == 0) {
      UiResponse r =
          server_.HandleApi({std::string(req.method_string()), std::move(target), req.body()});
      Response res = MakeResponse(v, keep, r.status, r.content_type, std::move(r.body));
      if (r.content_type == "application/octet-stream") {
        res.set(http::field::content_disposition, "attachment");
      }
      return res;
    }
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      return ErrorResponse(v, 405, "use GET");
    }
    std::string path = target.substr(0, target.find('?'));
    const UiAsset* asset = FindUiAsset(path);
    if (!asset) return ErrorResponse(v, 404, "not found");
    Response res = MakeResponse(v, keep, 200, asset->content_type, std::string(asset->data));
    res.set("Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "frame-ancestors 'none'");
    return res;
  }

  void Send(Response res) {
    auto sp = std::make_shared<Response>(std::move(res));
    bool close = !sp->keep_alive();
    http::async_write(stream_, *sp,
                      [self = shared_from_this(), sp, close](beast::error_code ec, size_t) {
                        if (ec || close) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;  // unbounded: the parser's limits bound it
  std::optional<http::request_parser<http::string_body>> parser_;
  UiServer::Impl& server_;
};

}  // namespace

void UiServer::Impl::Accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) std::make_shared<Session>(std::move(socket), *this)->Start();
    Accept();
  });
}

UiServer::UiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
UiServer::~UiServer() = default;

Result<std::unique_ptr<UiServer>> UiServer::Bind(TrialStore& store, const std::string& host,
                                                 int port, UiApiOptions api, UiServerLimits limits,
                                                 UiAccessOptions access) {
  if (port < 0 || port > 65535) return Status::Usage("port must be 0..65535");
  auto impl = std::make_unique<Impl>(store, api, limits);
  beast::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return Status::Usage("--host must be an IP address (e.g. 127.0.0.1), got '" + host + "'");
  tcp::endpoint ep(addr, static_cast<unsigned short>(port));
  impl->acceptor.open(ep.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(ep, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Status::Io("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                      ec.message());
  impl->port = impl->acceptor.local_endpoint().port();
  access.listen_host = host;
  access.port = impl->port;
  impl->access = std::make_unique<UiAccess>(std::move(access));
  return std::unique_ptr<UiServer>(new UiServer(std::move(impl)));
}

int UiServer::port() const { return impl_->port; }

void UiServer::Run(bool handle_signals) {
  if (handle_signals) {
    impl_->signals.add(SIGINT);
    impl_->signals.add(SIGTERM);
    impl_->signals.async_wait([this](beast::error_code ec, int) {
      if (!ec) Stop();
    });
  }
  impl_->Accept();
  for (;;) {
    try {
      impl_->ioc.run();
      return;
    } catch (const std::exception& e) {
      // A handler threw (it should not: the API catches its own). Keep serving.
      std::cerr << "sweep ui: internal error: " << e.what() << "\n";
    }
  }
}

void UiServer::Stop() {
  asio::post(impl_->ioc, [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor.close(ec);
    impl->signals.cancel(ec);
    impl->ioc.stop();
  });
}

int RunUi(const UiOptions& options, std::ostream& out, std::ostream& err) {
  beast::error_code addr_ec;
  asio::ip::make_address(options.host, addr_ec);
  if (!addr_ec && !IsLoopbackAddress(options.host) && !options.allow_remote) {
    err << "error: --host " << options.host
        << " is not a loopback address: the dashboard would be reachable from other "
           "machines. Add --allow-remote to mean it (a token is then required), or reach it "
           "through an SSH tunnel (ssh -L 8765:127.0.0.1:8765 HOST)\n";
    return 2;
  }
  StoreOptions so;
  so.create = false;
  std::string root = DefaultStorePath(options.store);
  auto store = OpenStore(root, so);
  if (!store.ok()) {
    err << "error: " << store.status().message() << "\n"
        << "(sweep ui reads the store that `sweep launch` writes; run it where the .sweep "
           "folder is, or pass --store PATH)\n";
    return 1;
  }
  UiAccessOptions access;
  access.allowed_hosts = options.allowed_hosts;
  std::string token_file = options.token_file;
  if (token_file.empty() && options.allow_remote) token_file = root + "/ui.token";
  bool token_created = false;
  if (!token_file.empty()) {
    auto token = LoadOrCreateUiToken(token_file, &token_created);
    if (!token.ok()) {
      err << "error: " << token.status().message() << "\n";
      return 2;
    }
    access.token = std::move(*token);
  }
  auto server = UiServer::Bind(**store, options.host, options.port, {}, {}, access);
  if (!server.ok()) {
    err << "error: " << server.status().message() << "\n";
    return server.status().ExitCode();
  }
  std::string shown =
      options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  if (!IsLoopbackAddress(options.host)) {
    err << "warning: sweep ui listens on " << shown << ":" << (*server)->port()
        << ", reachable from other machines: anyone who can connect and has the token can "
           "read every sweep, log and trial file and add notes and tags. The traffic is plain "
           "HTTP, not encrypted; an SSH tunnel to a loopback dashboard is safer.\n";
  }
  out << "sweep ui: serving " << root << " at http://" << shown << ":" << (*server)->port()
      << "/  (Ctrl-C to stop)" << std::endl;
  if (!access.token.empty()) {
    // The token itself is never printed: terminals, logs and screen shares keep it.
    out << "sweep ui: a token is required; it is in " << token_file
        << (token_created ? " (just created, mode 0600)" : "") << ". Open http://" << shown << ":"
        << (*server)->port()
        << "/?token=TOKEN once in the browser, or send 'Authorization: Bearer TOKEN'" << std::endl;
  }
  (*server)->Run(true);
  out << "sweep ui: stopped" << std::endl;
  return 0;
}

}  // namespace sweep
