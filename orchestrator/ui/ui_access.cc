// The dashboard's request checks (see ui_access.h for the rules and why).
//
// Host parsing follows RFC 9110 (host [":" port], IPv6 literals in brackets, no
// port = 80). Names compare case-insensitively with a trailing dot removed, so
// "LOCALHOST.:8765" is localhost. The token file, the session cookie's randomness and
// the constant-time comparison are the agent protocol's (agents/protocol/auth.h), so
// both tokens follow one format and one set of rules.
#include "orchestrator/ui/ui_access.h"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "agents/protocol/auth.h"

namespace sweep {
namespace {

constexpr char kCookieName[] = "sweep_ui_session";

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// Splits a Host header into a lowercase name (IPv6 kept in brackets) and a port.
bool ParseHost(const std::string& header, std::string* name, int* port) {
  std::string h = Lower(Trim(header));
  if (h.empty()) return false;
  std::string rest;
  if (h.front() == '[') {
    size_t close = h.find(']');
    if (close == std::string::npos) return false;
    *name = h.substr(0, close + 1);
    rest = h.substr(close + 1);
  } else {
    size_t colon = h.find(':');
    if (colon != std::string::npos && h.find(':', colon + 1) != std::string::npos) return false;
    *name = h.substr(0, colon);
    rest = colon == std::string::npos ? "" : h.substr(colon);
  }
  if (!name->empty() && name->back() == '.') name->pop_back();
  if (name->empty()) return false;
  if (rest.empty()) {
    *port = 80;
    return true;
  }
  if (rest.front() != ':' || rest.size() < 2 || rest.size() > 6) return false;
  int p = 0;
  for (size_t i = 1; i < rest.size(); ++i) {
    if (rest[i] < '0' || rest[i] > '9') return false;
    p = p * 10 + (rest[i] - '0');
  }
  *port = p;
  return p <= 65535;
}

bool IsIpLiteral(const std::string& name) {
  unsigned char buf[16];
  if (inet_pton(AF_INET, name.c_str(), buf) == 1) return true;
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') {
    return inet_pton(AF_INET6, name.substr(1, name.size() - 2).c_str(), buf) == 1;
  }
  return false;
}

// The listen address as a browser writes it in Host: IPv6 in brackets, lowercase.
std::string HostForm(const std::string& address) {
  std::string a = Lower(address);
  if (a.find(':') != std::string::npos && a.front() != '[') a = "[" + a + "]";
  return a;
}

bool IsWildcard(const std::string& address) {
  std::string a = HostForm(address);
  return a == "0.0.0.0" || a == "[::]" || a == "[0:0:0:0:0:0:0:0]";
}

// The value of cookie `name` in a Cookie header ("" when absent).
std::string CookieValue(const std::string& header, const std::string& name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string pair = Trim(header.substr(pos, end - pos));
    size_t eq = pair.find('=');
    if (eq != std::string::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    pos = end + 1;
  }
  return "";
}

// The value of `key` in the query of `target`, undecoded ("" when absent).
std::string QueryValue(const std::string& target, const std::string& key) {
  size_t q = target.find('?');
  if (q == std::string::npos) return "";
  std::string query = target.substr(q + 1);
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t end = query.find('&', pos);
    if (end == std::string::npos) end = query.size();
    std::string pair = query.substr(pos, end - pos);
    if (pair.rfind(key + "=", 0) == 0) return pair.substr(key.size() + 1);
    pos = end + 1;
  }
  return "";
}

bool StateChanging(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

UiAccessVerdict Deny(int status, std::string body) {
  UiAccessVerdict v;
  v.status = status;
  v.body = std::move(body);
  return v;
}

bool IsJsonType(const std::string& content_type) {
  std::string media = Lower(Trim(content_type.substr(0, content_type.find(';'))));
  return media == "application/json";
}

}  // namespace

bool IsLoopbackAddress(const std::string& address) {
  std::string a = Lower(address);
  if (a.size() > 2 && a.front() == '[' && a.back() == ']') a = a.substr(1, a.size() - 2);
  unsigned char buf[16];
  if (inet_pton(AF_INET, a.c_str(), buf) == 1) return buf[0] == 127;
  if (inet_pton(AF_INET6, a.c_str(), buf) != 1) return false;
  static const unsigned char kLoop6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(buf, kLoop6, 16) == 0) return true;
  return std::memcmp(buf, kMapped, 12) == 0 && buf[12] == 127;
}

UiAccess::UiAccess(UiAccessOptions options) : options_(std::move(options)) {
  for (std::string& h : options_.allowed_hosts) {
    h = Lower(Trim(h));
    if (!h.empty() && h.back() == '.') h.pop_back();
  }
  if (!options_.token.empty()) session_ = RandomHex(32);
}

bool UiAccess::HostAllowed(const std::string& header) const {
  std::string name;
  int port = 0;
  if (!ParseHost(header, &name, &port)) return false;
  for (const std::string& allowed : options_.allowed_hosts) {
    if (name == allowed) return true;
  }
  if (port != options_.port) return false;
  if (name == "localhost" || name == "127.0.0.1" || name == "[::1]") return true;
  if (name == HostForm(options_.listen_host)) return true;
  return IsWildcard(options_.listen_host) && IsIpLiteral(name);
}

bool UiAccess::Authorized(const UiAccessRequest& r) const {
  if (options_.token.empty()) return true;
  std::string auth = Trim(r.authorization);
  if (auth.size() > 7 && Lower(auth.substr(0, 7)) == "bearer ") {
    return ConstantTimeEquals(Trim(auth.substr(7)), options_.token);
  }
  return ConstantTimeEquals(CookieValue(r.cookie, kCookieName), session_);
}

UiAccessVerdict UiAccess::Check(const UiAccessRequest& r) const {
  if (!HostAllowed(r.host)) {
    return Deny(421, "sweep ui: this dashboard does not answer for Host '" + r.host.substr(0, 200) +
                         "' (use the address it printed, or start it with --allow-host NAME)\n");
  }
  std::string path = r.target.substr(0, r.target.find('?'));
  if (!options_.token.empty() && (r.method == "GET" || r.method == "HEAD") && path == "/" &&
      r.target.find('?') != std::string::npos) {
    std::string given = QueryValue(r.target, "token");
    if (!given.empty()) {
      if (!ConstantTimeEquals(given, options_.token)) {
        return Deny(401, "sweep ui: wrong token\n");
      }
      UiAccessVerdict v;
      v.status = 303;
      v.location = "/";
      v.set_cookie =
          std::string(kCookieName) + "=" + session_ + "; Path=/; HttpOnly; SameSite=Strict";
      return v;
    }
  }
  if (!Authorized(r)) {
    return Deny(401,
                "sweep ui: this dashboard needs its token: open /?token=TOKEN once (TOKEN is in "
                "the --token-file), or send Authorization: Bearer TOKEN\n");
  }
  if (StateChanging(r.method)) {
    if (!r.origin.empty() && Lower(Trim(r.origin)) != "http://" + Lower(Trim(r.host))) {
      return Deny(403, "sweep ui: cross-origin request refused (Origin '" +
                           r.origin.substr(0, 200) + "' is not this dashboard)\n");
    }
    if (!IsJsonType(r.content_type)) {
      return Deny(415, "sweep ui: " + r.method + " needs Content-Type: application/json\n");
    }
  }
  return {};
}

Result<std::string> LoadOrCreateUiToken(const std::string& path, bool* created) {
  *created = false;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      return Status::Usage("cannot read the token file " + path + ": " + std::strerror(errno));
    }
    auto token = GenerateTokenFile(path);  // 0600, written atomically
    if (!token.ok()) return token.status();
    *created = true;
    return token->secret();
  }
  if (S_ISLNK(st.st_mode)) {
    return Status::Usage("the token file " + path + " is a symbolic link; give the file itself");
  }
  auto token = LoadTokenFile(path);  // refuses group/other access and weak tokens
  if (!token.ok()) return token.status();
  return token->secret();
}

}  // namespace sweep
