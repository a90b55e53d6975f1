// Who may talk to `sweep ui`: the checks every request passes before it reaches a
// route, independent of the HTTP library (plain strings in, a verdict out).
//
// 1. Host. A page on another site can point a DNS name it controls at 127.0.0.1
//    (DNS rebinding) and then read the dashboard as same-origin. The browser still
//    sends that name in Host, so only the listen address, localhost / 127.0.0.1 /
//    [::1] (each with the bound port) and names given with --allow-host pass; when
//    listening on a wildcard address (0.0.0.0, ::) any IP literal with the bound port
//    passes too, since an IP literal cannot be rebound. Others: 421.
// 2. Origin. A state-changing request (POST, PUT, PATCH, DELETE) with an Origin
//    header must come from this very origin ("http://" + Host); none at all is the CLI
//    or curl, which a browser never is for such a request. Others: 403. Such a request
//    must also carry Content-Type: application/json (415), which a cross-site HTML
//    form cannot send.
// 3. Token (when one is configured: always with --allow-remote). Every request needs
//    `Authorization: Bearer TOKEN` or the session cookie; GET /?token=TOKEN sets the
//    cookie (HttpOnly, SameSite=Strict) and redirects to / so the token leaves the
//    address bar. Tokens are compared in constant time and never printed. Else: 401.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace sweep {

struct UiAccessOptions {
  std::string listen_host = "127.0.0.1";   // the address bound (as given to --host)
  int port = 0;                            // the port bound (the real one, not 0)
  std::vector<std::string> allowed_hosts;  // --allow-host names, any port, any case
  std::string token;  // "" = no token needed; else the bearer token every request needs
};

// The parts of a request the checks read; header values as received ("" = absent).
struct UiAccessRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query
  std::string host;
  std::string origin;
  std::string content_type;
  std::string authorization;
  std::string cookie;
};

// What to do with a request: serve it (status 0), or answer with status/body. A
// redirect (303) carries `location` and `set_cookie`.
struct UiAccessVerdict {
  int status = 0;
  std::string body;        // a short plain-text reason
  std::string location;    // for 303
  std::string set_cookie;  // for 303
};

// Immutable after construction; Check is thread-safe.
class UiAccess {
 public:
  explicit UiAccess(UiAccessOptions options);
  UiAccessVerdict Check(const UiAccessRequest& request) const;

 private:
  bool HostAllowed(const std::string& host) const;
  bool Authorized(const UiAccessRequest& request) const;

  UiAccessOptions options_;
  std::string session_;  // the cookie value: random per server, not the token itself
};

// True for 127.0.0.0/8 and ::1 (and ::ffff:127.x); false for anything else,
// including wildcard addresses and names.
bool IsLoopbackAddress(const std::string& address);

// The token in `path`, in the agent token's format (agents/protocol/auth.h): read when
// the file exists, else 32 random bytes as hex written to a new file with mode 0600.
// `created` says which. Fails (message without the token) for a symlink, a file that
// group or others can access ("chmod 600"), one that cannot be read or written, or a
// token under 256 bits of entropy.
Result<std::string> LoadOrCreateUiToken(const std::string& path, bool* created);

}  // namespace sweep
