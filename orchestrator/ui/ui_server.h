// `sweep ui`: the dashboard's HTTP/1.1 server (Boost.Beast on one Asio io_context).
//
// Serves the embedded single-page app at / and the JSON API (UiApi) under /api/.
// One thread runs everything, so the store connection and the API's caches need no
// locks. Requests are bounded (headers 16 KiB, body 1 MiB, 30 s per request) and every
// malformed one gets a 4xx and a closed connection, never a crash. Before any route,
// UiAccess (ui_access.h) checks Host (DNS rebinding), Origin and Content-Type
// (cross-site writes) and, when configured, the token.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "base/status.h"
#include "orchestrator/store/trial_store.h"
#include "orchestrator/ui/ui_access.h"
#include "orchestrator/ui/ui_api.h"

namespace sweep {

struct UiOptions {
  std::string store;                       // --store; "" = $SWEEP_STORE, else ./.sweep
  std::string host = "127.0.0.1";          // --host: address to listen on
  int port = 8765;                         // --port: 0 = any free port (printed at start)
  std::vector<std::string> allowed_hosts;  // --allow-host: more names the page answers to
  bool allow_remote = false;  // --allow-remote: needed to listen on a non-loopback address
  // --token-file: where the bearer token is (created 0600 when absent). "" = none
  // unless allow_remote, which defaults it to <store>/ui.token.
  std::string token_file;
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
  // with kIo when the address cannot be bound. `access` gives the allowed host names
  // and the token; its listen_host and port are filled in here from what was bound.
  static Result<std::unique_ptr<UiServer>> Bind(TrialStore& store, const std::string& host,
                                                int port, UiApiOptions api = {},
                                                UiServerLimits limits = {},
                                                UiAccessOptions access = {});
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
// to `out` (never the token: it names the token file), errors and the warning about
// a non-loopback address to `err`. Returns 0 after a clean interrupt, 2 for a
// non-loopback --host without --allow-remote or a bad token file, 1 when the store
// cannot be opened or the address bound.
int RunUi(const UiOptions& options, std::ostream& out, std::ostream& err);

}  // namespace sweep
