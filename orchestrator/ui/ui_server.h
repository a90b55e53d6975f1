// `sweep ui`: the dashboard's HTTP/1.1 server (Boost.Beast on one Asio io_context).
//
// Serves the embedded single-page app at / and the JSON API (UiApi) under /api/.
// One thread runs everything, so the store connection and the API's caches need no
// locks. Requests are bounded (headers 16 KiB, body 1 MiB, 30 s per request) and every
// malformed one gets a 4xx and a closed connection, never a crash. POSTs must carry
// Content-Type: application/json, which a cross-site form cannot send without a CORS
// preflight that this server never grants.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "orchestrator/store/trial_store.h"
#include "orchestrator/ui/ui_api.h"
#include "base/status.h"

namespace sweep {

struct UiOptions {
  std::string store;               // --store; "" = $SWEEP_STORE, else ./.sweep
  std::string host = "127.0.0.1";  // --host: address to listen on
  int port = 8765;                 // --port: 0 = any free port (printed at start)
};

struct UiServerLimits {
  size_t max_header_bytes = 16 << 10;  // larger: 431
  size_t max_body_bytes = 1 << 20;     // larger: 413
  int request_timeout_s = 30;          // idle or slow connections are closed after this
};

// A bound, not yet running server. Run() blocks the calling thread; Stop() may be
// called from any thread (or a signal handler's posted work) and makes Run() return.
class UiServer {
 public:
  // Binds host:port (port 0: ephemeral). The store must outlive the server. Fails
  // with kIo when the address cannot be bound.
  static Result<std::unique_ptr<UiServer>> Bind(TrialStore& store, const std::string& host,
                                                int port, UiApiOptions api = {},
                                                UiServerLimits limits = {});
  ~UiServer();

  // The bound port (the real one when 0 was asked for).
  int port() const;
  // Serves until Stop() or SIGINT/SIGTERM when handle_signals.
  void Run(bool handle_signals = false);
  // Thread-safe.
  void Stop();

  struct Impl;

 private:
  explicit UiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The `sweep ui` command: opens the store, serves until interrupted. Prints the URL
// to `out`, errors to `err`. Returns 0 after a clean interrupt, 1 when the store
// cannot be opened or the address bound.
int RunUi(const UiOptions& options, std::ostream& out, std::ostream& err);

}  // namespace sweep
